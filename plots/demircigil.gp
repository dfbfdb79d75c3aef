# Demircigil et al. (2017) reproduction.
# Usage: cd papers/demircigil2017-exp && gnuplot ../../plots/demircigil.gp   -> figure.png (its plot.sh does this)
#   reads summary.tsv
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 1100,450 font ",10"
set output out . ".png"
set multiplot layout 1,2 title "dense memory with F(x) = e^x: K patterns of N units, K / 2^{N/2} on the x axis"
set grid
set logscale x 2
set xlabel "K / 2^{N/2}"
sel(n, col) = (column("N") == n) ? column(col) : NaN
set ylabel "fraction of stored patterns that are not fixed points"
set key top left
set arrow from 1, graph 0 to 1, graph 1 nohead dt 2 lc "black"
plot for [n in "16 20 24 28"] "summary.tsv" using "K_over_2_pow_N_half":(sel(n + 0, "unstable_patterns")) with linespoints pt 7 ps 0.6 title "N = ".n
unset arrow
set ylabel "fraction of cues recalled from 10% flipped bits"
set yrange [0:1.05]
set key bottom left
plot for [n in "16 20 24 28"] "summary.tsv" using "K_over_2_pow_N_half":(sel(n + 0, "recall_frac")) with linespoints pt 7 ps 0.6 title "N = ".n
unset multiplot
