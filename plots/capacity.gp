# Capacity plot of a bin/capacity run: overlap (mean and sd over cues) and recall versus load, one curve per
# rule and dynamics.
# Usage: gnuplot -e "in='cap.tsv'; out='cap'" plots/capacity.gp   -> cap.png and cap.svg
#   in      bin/capacity output (columns rule, dynamics, alpha, overlap_mean, overlap_sd, recall_frac, fixed_frac)
#   out     prefix of the figures (default results/capacity)
#   theory  optional bin/theory output: the AGS T=0 overlap, drawn down to 0 at its alpha_c
#   title   optional title (default: the run's '# command:' line)
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
thr = system(sprintf("grep -m1 -o 'recall: overlap >= [0-9.]*' '%s' | cut -c9-", in))

# The AGS collapse: alpha_c and the overlap just below it, from the theory file's '# ags_alpha_c:' line, else
# from its last nonzero row.
if (exists("theory")) {
    ac_line = system(sprintf("awk '/^# ags_alpha_c:/ {gsub(/[()]/, \"\"); print $3, $6; exit}' '%s'", theory))
    if (words(ac_line) == 2) {
        ac = real(word(ac_line, 1)); mc = real(word(ac_line, 2))
    } else {
        stats theory using "alpha":(column("ags_overlap") > 0 ? column("ags_overlap") : NaN) nooutput
        ac = STATS_pos_min_y > 0 ? STATS_max_x : NaN; mc = STATS_min_y
    }
}

do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size 1200,560 font ",10" }
    else { set terminal svg size 1200,560 dynamic font ",10" }
    set output out . "." . fmt
    set multiplot layout 1,2 title (title ne "" ? title : cmd) noenhanced
    set grid
    set bars small
    # legends below the panels, one row: nothing drawn over the curves
    set key below horizontal noenhanced samplen 2.5 width 1
    set bmargin 7
    set tmargin 4
    set xlabel "load {/Symbol a} = P/N"
    set title "overlap with the cued pattern after recall (mean and sd over cues)"
    set ylabel "overlap"
    set yrange [-0.05:1.05]
    unset arrow
    unset label
    if (exists("theory")) {
        # below alpha_c the AGS branch, then a vertical drop to 0 at alpha_c and m = 0 above it
        set arrow 1 from ac, mc to ac, 0 nohead lw 2 lc "black" front
        set arrow 2 from ac, 0 to graph 1, first 0 nohead lw 2 lc "black" front
        set label 1 sprintf("AGS {/Symbol a}_c = %.3f", ac) at ac, 0.08 offset 0.6, 0 left front
        plot for [i=1:nl] in using "alpha":(pick("overlap_mean", i)):(pick("overlap_sd", i)) with yerrorlines pt 7 ps 0.5 lc i title word(labels, i), \
             theory using "alpha":(column("ags_overlap") > 0 ? column("ags_overlap") : NaN) with lines lw 2 lc "black" title "AGS theory (Hebb, T = 0)"
    } else {
        plot for [i=1:nl] in using "alpha":(pick("overlap_mean", i)):(pick("overlap_sd", i)) with yerrorlines pt 7 ps 0.5 lc i title word(labels, i)
    }
    unset arrow
    unset label
    set title "cues recalled (solid" . (thr ne "" ? "; " . thr : "") . ")\nand stored patterns that are fixed points (dotted)"
    set ylabel "fraction"
    plot for [i=1:nl] in using "alpha":(pick("recall_frac", i)) with linespoints pt 7 ps 0.5 lc i notitle, \
         for [i=1:nl] in using "alpha":(pick("fixed_frac", i)) with lines dt 3 lw 1.5 lc i notitle, \
         NaN with linespoints pt 7 ps 0.5 lc "black" title "cues recalled", \
         NaN with lines dt 3 lw 1.5 lc "black" title "fixed points"
    unset multiplot
    set output
}
