# AGS (1987) reproduction: measured overlap vs alpha for several N, and the T=0 theory down to 0 at alpha_c.
# Usage: cd papers/ags1987-overlap && gnuplot ../../plots/ags.gp   -> figure.png
#   reads overlap-N1000.tsv, overlap-N2000.tsv, overlap-N4000.tsv (bin/capacity) and theory.tsv (bin/theory);
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 800,500 font ",10"
set output out . ".png"
set grid
set key bottom left
set xlabel "load {/Symbol a} = P/N"
set ylabel "overlap after recall from the stored pattern"
set yrange [-0.02:1.05]
# alpha_c and the overlap just below it, from theory.tsv's '# ags_alpha_c:' line
ac_line = system("awk '/^# ags_alpha_c:/ {gsub(/[()]/, \"\"); print $3, $6; exit}' theory.tsv")
ac = real(word(ac_line, 1)); mc = real(word(ac_line, 2))
set arrow 1 from ac, mc to ac, 0 nohead lw 2 lc "black" front
set arrow 2 from ac, 0 to graph 1, first 0 nohead lw 2 lc "black" front
set label 1 sprintf("{/Symbol a}_c = %.3f", ac) at ac, 0.1 offset -0.6, 0 right front
plot "overlap-N1000.tsv" using "alpha":"overlap_mean" with linespoints pt 7 ps 0.6 title "N = 1000", \
     "overlap-N2000.tsv" using "alpha":"overlap_mean" with linespoints pt 5 ps 0.6 title "N = 2000", \
     "overlap-N4000.tsv" using "alpha":"overlap_mean" with linespoints pt 9 ps 0.7 title "N = 4000", \
     "theory.tsv" using "alpha":(column("ags_overlap") > 0 ? column("ags_overlap") : NaN) with lines lw 2 lc "black" title "AGS theory, T = 0 (0 above {/Symbol a}_c)"
