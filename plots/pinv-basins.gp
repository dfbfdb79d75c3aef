# Pseudo-inverse rule reproduction.
# Usage: cd papers/pinv-projection && gnuplot ../../plots/pinv-basins.gp   -> figure.png (its plot.sh does this)
#   reads noise-*.tsv (bin/capacity --rule pinv) and basins.tsv
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 1100,450 font ",10"
set output out . ".png"
set multiplot layout 1,2 title "pseudo-inverse rule, zero diagonal, N = 200"
set grid
set xlabel "load {/Symbol a} = P/N"
set ylabel "fraction of cues recalled (overlap >= 0.99)"
set key bottom left
set yrange [-0.05:1.05]
plot for [f in "0.02 0.05 0.1 0.15 0.2 0.25 0.3"] "noise-".f.".tsv" using "alpha":"recall_frac" with linespoints pt 7 ps 0.5 title "noise ".f, \
     "noise-0.1.tsv" using "alpha":"fixed_frac" with lines lw 3 lc "black" title "fixed points"
set ylabel "basin radius (largest noise with recall >= 0.9)"
set yrange [0:0.32]
set key top right
plot "basins.tsv" using "alpha":"basin_radius" with linespoints pt 7 lw 2 title "measured"
unset multiplot
