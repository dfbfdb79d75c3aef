# Modern Hopfield retrieval vs beta (bin/retrieval-beta output).
# Usage: gnuplot -e "in='rb.tsv'; out='rb'" plots/retrieval-beta.gp   -> rb.png
if (!exists("in")) in = "results/retrieval-beta.tsv"
if (!exists("out")) out = "results/retrieval-beta"
set datafile separator "\t"
set datafile columnheaders
Ms = system(sprintf("awk -F'\\t' '/^#/ {next} !h {h = 1; next} !($2 in s) {s[$2] = 1; printf \"%%s \", $2}' '%s'", in))
nm = words(Ms)
pick(col, i) = (sprintf("%d", column("M")) eq word(Ms, i)) ? column(col) : NaN
# Errors of exactly 0 (float precision reached) are drawn at the bottom of the axis.
floor12(v) = (v != v) ? NaN : (v > 0 ? v : 1e-12)
set terminal pngcairo size 1500,450 font ",10"
set output out . ".png"
set multiplot layout 1,3 title system(sprintf("grep -m1 '^# command:' '%s' | cut -c12-", in)) noenhanced
set grid
set logscale x 2
set xlabel "{/Symbol b}"
set logscale y
set format y "10^{%T}"
set yrange [1e-12:1e3]
set ylabel "distance to the cued pattern"
set key bottom left
plot for [i=1:nm] in using "beta":(floor12(pick("err1_mean", i))) with linespoints pt 7 ps 0.6 lc i title "M = ".word(Ms, i)." one update", \
     for [i=1:nm] in using "beta":(pick("bound_median", i)) with lines dt 2 lc i title "M = ".word(Ms, i)." Theorem 5 bound"
unset logscale y
set format y "%g"
set yrange [-0.05:1.05]
set ylabel "fraction of fixed points"
set key center right
plot for [i=1:nm] in using "beta":(pick("single_frac", i)) with linespoints pt 7 ps 0.6 lc i title "M = ".word(Ms, i)." single", \
     for [i=1:nm] in using "beta":(pick("metastable_frac", i)) with linespoints pt 4 ps 0.6 dt 2 lc i title "metastable", \
     for [i=1:nm] in using "beta":(pick("global_frac", i)) with linespoints pt 6 ps 0.6 dt 3 lc i title "global"
set yrange [0:*]
set ylabel "updates to convergence"
set key top right
plot for [i=1:nm] in using "beta":(pick("steps_mean", i)) with linespoints pt 7 ps 0.6 lc i title "M = ".word(Ms, i)
unset multiplot
