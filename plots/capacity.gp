# Capacity plot: overlap and recall versus load, one curve per rule (and dynamics).
# Usage: gnuplot -e "in='cap.tsv'; out='cap'" plots/capacity.gp   -> cap.png and cap.svg
#   optional: theory='theory.tsv' (bin/theory output, drawn as the AGS overlap), title='...'
if (!exists("in")) in = "results/capacity.tsv"
if (!exists("out")) out = "results/capacity"
if (!exists("title")) title = ""

set datafile separator "\t"
set datafile commentschars "#"
set datafile columnheaders

# The curves: distinct rule/dynamics pairs, in file order.
labels = system(sprintf("awk -F'\\t' '/^#/ {next} !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next} {k = $c[\"rule\"] \"/\" $c[\"dynamics\"]; if (!(k in s)) {s[k] = 1; printf \"%%s \", k}}' '%s'", in))
nl = words(labels)
if (nl == 0) { print sprintf("capacity.gp: no data rows in %s", in); exit }
lab(r, d) = strcol("rule") . "/" . strcol("dynamics")
pick(col, i) = (lab(0, 0) eq word(labels, i)) ? column(col) : NaN

cmd = system(sprintf("grep -m1 '^# command:' '%s' | cut -c12-", in))

do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size 1200,500 font ",10" }
    else { set terminal svg size 1200,500 dynamic font ",10" }
    set output out . "." . fmt
    set multiplot layout 1,2 title (title ne "" ? title : cmd) noenhanced
    set grid
    set key bottom left noenhanced
    set xlabel "load {/Symbol a} = P/N"
    set ylabel "overlap with the cued pattern"
    set yrange [-0.05:1.05]
    if (exists("theory")) {
        plot for [i=1:nl] in using "alpha":(pick("overlap_mean", i)) with linespoints pt 7 ps 0.6 title word(labels, i), \
             theory using "alpha":(column("ags_overlap") > 0 ? column("ags_overlap") : NaN) with lines dt 2 lc "black" title "AGS theory (Hebb, T=0)"
    } else {
        plot for [i=1:nl] in using "alpha":(pick("overlap_mean", i)) with linespoints pt 7 ps 0.6 title word(labels, i)
    }
    set ylabel "fraction"
    set key top right
    plot for [i=1:nl] in using "alpha":(pick("recall_frac", i)) with linespoints pt 7 ps 0.6 lc i title word(labels, i) . " recall", \
         for [i=1:nl] in using "alpha":(pick("fixed_frac", i)) with lines dt 3 lc i title word(labels, i) . " fixed points"
    unset multiplot
    set output
}
