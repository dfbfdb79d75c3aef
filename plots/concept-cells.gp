# papers/concept-cells: run from that folder. figure.png: capacity (recall@1 vs N per mechanism, the ceiling,
# theory) | noise curves (kv, hebb, hrr: latent noise on picture cues, occlusion, letters) | the unit x stimulus
# response matrix (kv).
set terminal pngcairo size 1500,460 font "Sans,10"
set output "figure.png"
set datafile separator "\t"
set multiplot layout 1,3
set logscale x
set key bottom left
set xlabel "concepts N"
set ylabel "recall@1"
set yrange [0:1.05]
set title "capacity: d = 64, cue noise 1.5, hrr D = 256, hebb 128 bits"
plot "< awk -F'\t' '!/^#/ && $1 == \"kv\"' capacity.tsv" using 2:7 with linespoints lw 2 dt 2 lc rgb "black" title "exact search (ceiling)", \
     "" using 2:6 with points pt 7 lc rgb "#1f77b4" title "kv", \
     "" using 2:8 with lines lc rgb "#1f77b4" notitle, \
     "< awk -F'\t' '!/^#/ && $1 == \"hebb\"' capacity.tsv" using 2:6 with points pt 5 lc rgb "#d62728" title "hebb", \
     "" using 2:8 with lines lc rgb "#d62728" notitle, \
     "< awk -F'\t' '!/^#/ && $1 == \"hrr\"' capacity.tsv" using 2:6 with points pt 9 lc rgb "#2ca02c" title "hrr (lines: theory)", \
     "" using 2:8 with lines lc rgb "#2ca02c" notitle
unset logscale x
set xlabel "occluded share of the picture"
set title "picture cues under occlusion (held-out test pictures)"
plot for [b in "kv hebb hrr"] sprintf("< awk -F'\t' '$1 == \"occlusion\" && $2 == \"%s\"' trimodal.tsv", b) using 5:7 with linespoints lw 2 title b
unset key
set title "unit x stimulus response (kv): 5 stimuli per class"
set xlabel "stimulus (3 pictures, word, sound per class)"
set ylabel "concept unit"
set yrange [-0.5:9.5]
set xrange [-0.5:49.5]
set cbrange [0:1]
set palette grey negative
unset colorbox
plot "< awk -F'\t' '!/^#/ && NR > 1 && $1 != \"stimulus\" { for (u = 4; u <= NF; u++) print $1 \"\t\" u - 4 \"\t\" $u }' concepts-matrix.tsv" using 1:2:3 with image notitle
unset multiplot
