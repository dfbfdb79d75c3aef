# Plate (1995) reproduction.
# Left: measured error rate against D (random roles, involution, M = 1000) beside Plate's estimate, per K.
# Right: the smallest D for 1 % error (M = 1000) against K, measured (bisection) and Plate's formula.
# Usage: cd papers/plate1995-hrr && gnuplot [-e "out='fig'"] ../../plots/plate.gp   -> figure.png (its plot.sh
#   does this); reads curves.tsv and summary.tsv (made by run.sh from bin/hrr-capacity's errors.tsv, bisect.tsv)
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 1200,450 font ",10"
set output out . ".png"
set multiplot layout 1,2
set grid
set logscale xy
set xlabel "dimension D"
set ylabel "retrieval error rate (M = 1000, random roles)"
set yrange [5e-4:1]
set xrange [50:2500]
# The legend beside the panel: inside it would cover the curves, which fill the lower left.
set key outside right top
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
set key inside top left
set xrange [1.5:20]
set xtics ("2" 2, "4" 4, "8" 8, "16" 16)
# The M = 1000 rows of one roles/inverse pair, copied to a data block: in summary.tsv they alternate with the
# M = 100 rows, and a NaN for those would break the line between the points.
pick(r, i) = column("M") == 1000 && strcol("roles") eq r && strcol("inverse") eq i
set table $random
plot "summary.tsv" using "K":"D_measured" with table if (pick("random", "involution"))
set table $unitary
plot "summary.tsv" using "K":"D_measured" with table if (pick("unitary", "involution"))
unset table
set datafile nocolumnheaders
set datafile separator whitespace
plot $random using 1:2 with linespoints pt 7 ps 1.2 title "random roles, involution", \
     $unitary using 1:2 with linespoints pt 5 ps 1.2 title "unitary roles, involution", \
     3.16 * (x - 0.25) * log(1000 / 0.01 ** 3) with lines lw 2 title "Plate: 3.16 (K - 0.25) ln(M / eps^3)"
unset multiplot
