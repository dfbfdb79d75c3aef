# papers/concept-cells: run from that folder. figure.png: capacity (recall@1 vs N per mechanism, the ceiling,
# theory) | recall@1 of picture cues under occlusion (kv, hebb, hrr) | the unit x stimulus
# response matrix (kv) with its colour bar, units and stimuli named by class.
set terminal pngcairo size 1600,520 font "Sans,10"
set output "figure.png"
set datafile separator "\t"
set multiplot
# three panels side by side, the matrix (50 stimuli wide) the widest
set size 0.3,1
set origin 0,0
# every label as written (no enhanced text: an @ would vanish)
set termoption noenhanced
set logscale x
set key bottom left
set xlabel "concepts stored N"
set ylabel "recall@1: share of cues whose first answer is right"
set yrange [0:1.05]
set title "capacity: d = 64, cue noise 1.5, hrr D = 256, hebb 128 bits"
plot "< awk -F'\t' '!/^#/ && $1 == \"kv\"' capacity.tsv" using 2:7 with linespoints lw 2 dt 2 lc rgb "black" title "exact search (ceiling)", \
     "" using 2:6 with points pt 7 lc rgb "#1f77b4" title "kv", \
     "" using 2:8 with lines lc rgb "#1f77b4" notitle, \
     "< awk -F'\t' '!/^#/ && $1 == \"hebb\"' capacity.tsv" using 2:6 with points pt 5 lc rgb "#d62728" title "hebb", \
     "" using 2:8 with lines lc rgb "#d62728" notitle, \
     "< awk -F'\t' '!/^#/ && $1 == \"hrr\"' capacity.tsv" using 2:6 with points pt 9 lc rgb "#2ca02c" title "hrr", \
     "" using 2:8 with lines lc rgb "#2ca02c" notitle, \
     NaN with lines lc rgb "#555555" title "lines: theory, in each colour"
unset logscale x
set origin 0.3,0
set xlabel "occluded share of the picture"
set title "picture cues under occlusion (held-out test pictures)"
plot for [b in "kv hebb hrr"] sprintf("< awk -F'\t' '$1 == \"occlusion\" && $2 == \"%s\"' trimodal.tsv", b) using 5:7 with linespoints lw 2 title b
unset key
# the matrix: a row per concept unit and a column per stimulus, both named by class (from the TSV's header and
# class column); grey lines part the classes
set size 0.4,1
set origin 0.6,0
set title "unit x stimulus response (kv binding)"
set xlabel "stimulus: 3 held-out pictures, the word, the spoken name of each class"
set ylabel "concept unit" offset 1.5,0
set rmargin 12
eval system('awk -F"\t" ''$1 == "stimulus" { s = "set ytics ("; for (i = 4; i <= NF; i++) s = s (i > 4 ? ", " : "") "\"" $i "\" " i - 4; print s ")"; exit }'' concepts-matrix.tsv')
eval system('awk -F"\t" ''!/^#/ && $1 != "stimulus" { if (!($2 in lo)) { lo[$2] = $1; order[n++] = $2 } hi[$2] = $1 } END { s = "set xtics rotate by 40 right ("; for (k = 0; k < n; k++) s = s (k ? ", " : "") "\"" order[k] "\" " (lo[order[k]] + hi[order[k]]) / 2; print s ")" }'' concepts-matrix.tsv')
set yrange [-0.5:9.5]
set xrange [-0.5:49.5]
set for [k = 1:9] arrow k from 5 * k - 0.5, graph 0 to 5 * k - 0.5, graph 1 nohead front lc rgb "#bbbbbb"
set cbrange [0:1]
set cbtics 0, 0.25, 1
set palette grey negative
set colorbox
set cblabel "response (activation / the unit's largest)" offset -0.5,0
plot "< awk -F'\t' '!/^#/ && NR > 1 && $1 != \"stimulus\" { for (u = 4; u <= NF; u++) print $1 \"\t\" u - 4 \"\t\" $u }' concepts-matrix.tsv" using 1:2:3 with image notitle
unset multiplot
