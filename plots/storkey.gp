# Storkey (1997) reproduction.
# Usage: cd papers/storkey1997-capacity && gnuplot ../../plots/storkey.gp   -> figure.png (its plot.sh does this)
#   reads capacity-N{100,200,400}.tsv (bin/capacity) and summary.tsv
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 1100,450 font ",10"
set output out . ".png"
set multiplot layout 1,2
set grid
set xlabel "load {/Symbol a} = P/N"
set ylabel "P(every stored pattern is a fixed point)"
set key top right
sel(r) = (strcol("rule") eq r) ? column("all_fixed_frac") : NaN
plot for [N in "100 200 400"] "capacity-N".N.".tsv" using "alpha":(sel("hebb")) with linespoints pt 7 ps 0.5 title "Hebb, N = ".N, \
     for [N in "100 200 400"] "capacity-N".N.".tsv" using "alpha":(sel("storkey")) with linespoints pt 5 ps 0.5 title "Storkey, N = ".N
set logscale x
set xlabel "N"
set ylabel "capacity P"
set key top left
set xrange [80:500]
plot "summary.tsv" using "N":(strcol("rule") eq "storkey" ? column("P_all_fixed_half") : NaN) with points pt 5 ps 1.5 title "Storkey, measured", \
     "summary.tsv" using "N":(strcol("rule") eq "hebb" ? column("P_all_fixed_half") : NaN) with points pt 7 ps 1.5 title "Hebb, measured", \
     x / sqrt(2 * log(x)) with lines lw 2 title "N/sqrt(2 ln N)", \
     x / (2 * log(x)) with lines lw 2 title "N/(2 ln N)", \
     x / (4 * log(x)) with lines dt 2 title "N/(4 ln N)"
unset multiplot
