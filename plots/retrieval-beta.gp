# Modern Hopfield retrieval against beta (bin/retrieval-beta output): the distance to the cued pattern after
# one update beside the Theorem 5 bound, the kind of fixed point reached, and the updates to convergence; one
# colour per number of stored patterns M.
# Usage: gnuplot -e "in='rb.tsv'; out='rb'" plots/retrieval-beta.gp   -> rb.png
#   in   bin/retrieval-beta output (columns M, beta, err1_mean, bound_median, single_frac, metastable_frac,
#        global_frac, steps_mean)
#   out  prefix of the figure (default results/retrieval-beta)
if (!exists("in")) in = "results/retrieval-beta.tsv"
if (!exists("out")) out = "results/retrieval-beta"
set datafile separator "\t"
set datafile columnheaders
Ms = system(sprintf("awk -F'\\t' '/^#/ {next} !h {h = 1; next} !($2 in s) {s[$2] = 1; printf \"%%s \", $2}' '%s'", in))
nm = words(Ms)
pick(col, i) = (sprintf("%d", column("M")) eq word(Ms, i)) ? column(col) : NaN
# Errors of exactly 0 (float precision reached) are drawn at the bottom of the axis.
floor12(v) = (v != v) ? NaN : (v > 0 ? v : 1e-12)
set terminal pngcairo size 1500,520 font ",10"
set output out . ".png"
set multiplot layout 1,3 title system(sprintf("grep -m1 '^# command:' '%s' | cut -c12-", in)) noenhanced
set grid
set logscale x 2
set xlabel "{/Symbol b}"
# every panel's legend above it, where no data are; the same top margin keeps the panels aligned
set key at graph 0.5, graph 1.03 center bottom horizontal samplen 2.5 maxcols 3
set tmargin 7
# 1. one-step retrieval (the legend says when the bound lies above the axis everywhere)
stats in using (column("bound_median")) nooutput
bound_note = STATS_records > 0 && STATS_min > 1e3 ? sprintf("; off the axis, >= %.0f", STATS_min) : ""
set logscale y
set format y "10^{%T}"
set yrange [1e-12:1e3]
set ylabel "distance to the cued pattern after one update (0 drawn at 10^{-12})"
plot for [i=1:nm] in using "beta":(floor12(pick("err1_mean", i))) with linespoints pt 7 ps 0.6 lc i title "M = ".word(Ms, i), \
     for [i=1:nm] in using "beta":(pick("bound_median", i)) with lines dt 2 lc i notitle, \
     NaN with linespoints pt 7 ps 0.6 lc "black" title "measured (mean)", \
     NaN with lines dt 2 lc "black" title "Theorem 5 bound (median".bound_note.")"
# 2. the fixed point reached (colours as in the other panels)
unset logscale y
set format y "%g"
set yrange [-0.05:1.05]
set ylabel "fraction of cues ending at each kind of fixed point"
plot for [i=1:nm] in using "beta":(pick("single_frac", i)) with linespoints pt 7 ps 0.6 lc i notitle, \
     for [i=1:nm] in using "beta":(pick("metastable_frac", i)) with linespoints pt 4 ps 0.6 dt 2 lc i notitle, \
     for [i=1:nm] in using "beta":(pick("global_frac", i)) with linespoints pt 6 ps 0.6 dt 3 lc i notitle, \
     NaN with linespoints pt 7 ps 0.6 lc "black" title "single pattern", \
     NaN with linespoints pt 4 ps 0.6 dt 2 lc "black" title "metastable", \
     NaN with linespoints pt 6 ps 0.6 dt 3 lc "black" title "global average"
# 3. convergence
set yrange [0:*]
set ylabel "updates to convergence (mean)"
plot for [i=1:nm] in using "beta":(pick("steps_mean", i)) with linespoints pt 7 ps 0.6 lc i title "M = ".word(Ms, i)
unset multiplot
