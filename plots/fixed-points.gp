# McEliece et al. (1987) / Hopfield (1982) reproduction.
# Usage: cd papers/mceliece1987-fixed-points && gnuplot ../../plots/fixed-points.gp   -> figure.png (its plot.sh does this)
#   reads measured.tsv (bin/capacity) and theory.tsv (bin/theory)
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 1100,450 font ",10"
set output out . ".png"
set multiplot layout 1,2 title "Hebb rule, N = 1000, 20 trials per point"
set grid
set xlabel "stored patterns P"
set ylabel "fraction of stored patterns that are fixed points"
set key top right
plot "measured.tsv" using "P":"fixed_frac" with points pt 7 title "measured", \
     "theory.tsv" using "P":"fixed_prob" with lines lw 2 lc "black" title "exp(-N Q(sqrt(N/P)))"
set logscale y
set format y "10^{%T}"
set yrange [1e-6:0.1]
set ylabel "fraction of stored bits one update flips"
set key bottom right
plot "measured.tsv" using "P":(column("unstable_frac") > 0 ? column("unstable_frac") : NaN) with points pt 7 title "measured", \
     "theory.tsv" using "P":"bit_error" with lines lw 2 lc "black" title "Q(sqrt(N/P))"
unset multiplot
