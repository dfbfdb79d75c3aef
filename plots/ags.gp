# AGS (1987) reproduction: measured overlap vs alpha for several N, and the T=0 theory.
# Run from papers/ags1987-overlap (reads overlap-N*.tsv and theory.tsv, writes figure.png).
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 800,500 font ",10"
set output "figure.png"
set grid
set key bottom left
set xlabel "load {/Symbol a} = P/N"
set ylabel "overlap after recall from the stored pattern"
set yrange [0:1.05]
set arrow from 0.138, graph 0 to 0.138, graph 1 nohead dt 3 lc "gray"
set label "{/Symbol a}_c = 0.138" at 0.139, 0.1
plot "overlap-N1000.tsv" using "alpha":"overlap_mean" with linespoints pt 7 ps 0.6 title "N = 1000", \
     "overlap-N2000.tsv" using "alpha":"overlap_mean" with linespoints pt 5 ps 0.6 title "N = 2000", \
     "overlap-N4000.tsv" using "alpha":"overlap_mean" with linespoints pt 9 ps 0.7 title "N = 4000", \
     "theory.tsv" using "alpha":(column("ags_overlap") > 0 ? column("ags_overlap") : NaN) with lines lw 2 lc "black" title "AGS theory, T = 0"
