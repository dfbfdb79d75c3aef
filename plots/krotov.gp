# Krotov & Hopfield (2016) reproduction.
# Usage: cd papers/krotov2016-dense && gnuplot ../../plots/krotov.gp   -> figure.png (its plot.sh does this)
#   reads n2.tsv, n3.tsv, n4.tsv (bin/capacity --model dense)
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 1100,450 font ",10"
set output out . ".png"
set multiplot layout 1,2 title "dense associative memory, F(x) = x^n, N = 100"
set grid
set logscale x
set xlabel "stored patterns K"
set ylabel "P(every stored pattern is a fixed point)"
set key bottom left
kmax(n) = 100**(n-1) / (2 * (n == 2 ? 1 : n == 3 ? 3 : 15) * log(100))
set arrow from kmax(2), graph 0 to kmax(2), graph 1 nohead dt 2 lc 1
set arrow from kmax(3), graph 0 to kmax(3), graph 1 nohead dt 2 lc 2
set arrow from kmax(4), graph 0 to kmax(4), graph 1 nohead dt 2 lc 3
plot for [n=2:4] "n".n.".tsv" using "P":"all_fixed_frac" with linespoints pt 7 ps 0.6 lc n-1 title "n = ".n." (dashed: N^{n-1}/(2(2n-3)!! ln N))"
unset arrow
set logscale y
set format y "10^{%T}"
set ylabel "fraction of stored bits one update flips"
set key top left
set yrange [1e-6:1]
df(n) = n == 2 ? 1 : n == 3 ? 3 : 15
snr(k, n) = 0.5 * erfc(sqrt(100**(n-1) / (k * df(n))) / sqrt(2))
set samples 400
plot for [n=2:4] "n".n.".tsv" using "P":(column("unstable_frac") > 0 ? column("unstable_frac") : NaN) with points pt 7 ps 0.7 lc n-1 title "n = ".n." measured", \
     for [n=2:4] snr(x, n) with lines lc n-1 title sprintf("Q(sqrt(N^{%d}/(K %d)))", n-1, df(n))
unset multiplot
