# Plate (1995) reproduction.
# Usage: cd papers/plate1995-hrr && gnuplot ../../plots/plate.gp   -> figure.png (its plot.sh does this)
#   reads curves.tsv and summary.tsv (bin/hrr-capacity)
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 1100,450 font ",10"
set output out . ".png"
set multiplot layout 1,2
set grid
set logscale xy
set xlabel "dimension D"
set ylabel "retrieval error rate (M = 1000, random roles)"
set yrange [5e-4:1]
set xrange [50:2500]
set key bottom left
plate(k, m, d) = (m * exp(-d / (3.16 * (k - 0.25)))) ** (1.0 / 3)
pos(v) = v > 0 ? v : NaN
ks = "2 4 8 16"
plot for [i = 1:4] "curves.tsv" using 1:(pos(column(i + 1))) with linespoints lc i pt 7 ps 0.7 title "K = ".word(ks, i)." measured", \
     for [i = 1:4] plate(word(ks, i) + 0, 1000, x) with lines lc i dt 2 title "K = ".word(ks, i)." Plate", \
     0.01 with lines lc rgb "gray" notitle
unset logscale y
unset yrange
unset xrange
set logscale x
set xlabel "bound pairs K"
set ylabel "D for 1 % error (M = 1000)"
set key top left
set xrange [1.5:20]
m(r, i) = (column("M") == 1000 && strcol("roles") eq r && strcol("inverse") eq i) ? column("D_measured") : NaN
plot "summary.tsv" using "K":(m("random", "involution")) with linespoints pt 7 ps 1.2 title "random roles, involution", \
     "summary.tsv" using "K":(m("unitary", "involution")) with linespoints pt 5 ps 1.2 title "unitary roles, involution", \
     3.16 * (x - 0.25) * log(1000 / 0.01 ** 3) with lines lw 2 title "Plate: 3.16 (K - 0.25) ln(M / eps^3)"
unset multiplot
