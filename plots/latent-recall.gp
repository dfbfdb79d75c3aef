# The latent-memory pipeline (bin/latent-recall output): item recall, class recall and pixel MSE vs the
# number of stored images M, one panel per corruption, one curve per store/code pair. Top: solid item
# recall, dotted class recall, grey dashed the cue's nearest stored item (no memory). Bottom: solid MSE of
# the recalled image, dashed the cue's own decoding, grey the encoder+decoder floor.
# Usage: gnuplot -e "in='lr.tsv'; out='lr'" plots/latent-recall.gp   -> lr.png
if (!exists("in")) in = "results/latent-recall.tsv"
if (!exists("out")) out = "results/latent-recall"
set datafile separator "\t"
uniq(col) = system(sprintf("awk -F'\\t' '/^#/ {next} !h {h = 1; next} !(($%s) in s) {s[$%s] = 1; printf \"%%s \", $%s}' '%s'", col, col, col, in))
pairs = system(sprintf("awk -F'\\t' '/^#/ {next} !h {h = 1; next} !(($1 \"/\" $2) in s) {s[$1 \"/\" $2] = 1; printf \"%%s \", $1 \"/\" $2}' '%s'", in))
corrs = uniq("5")
np = words(pairs)
nc = words(corrs)
# The rows of one store/code pair and corruption, without the header (columns: 4 M, 8 item_recall,
# 9 class_recall, 10 mse_recalled, 11 item_nn, 13 mse_cue, 15 mse_ae).
sel(p, c) = sprintf("< awk -F'\t' '/^#/ {next} !h {h = 1; next} $1 \"/\" $2 == \"%s\" && $5 == \"%s\"' '%s'", word(pairs, p), word(corrs, c), in)
set terminal pngcairo size 450*nc+100,900 font ",10"
set output out . ".png"
set multiplot layout 2,nc title system(sprintf("grep -m1 '^# command:' '%s' | cut -c12-", in)) noenhanced
set grid
set logscale x
set xlabel "stored images M"
set key bottom left font ",8"
set yrange [-0.02:1.02]
do for [c=1:nc] {
    set title "cue: ".word(corrs, c)
    set ylabel "item recall (solid), class recall (dotted)"
    plot for [p=1:np] sel(p, c) using 4:8 with linespoints pt 7 ps 0.6 lc p title word(pairs, p), \
         for [p=1:np] sel(p, c) using 4:9 with lines dt 3 lc p notitle, \
         sel(1, c) using 4:11 with lines dt 2 lw 2 lc "gray" title "cue's nearest stored item ({/:Italic ".word(pairs, 1)." code)"
}
set autoscale y
set key top left
do for [c=1:nc] {
    set title "cue: ".word(corrs, c)
    set ylabel "pixel MSE to the stored image"
    plot for [p=1:np] sel(p, c) using 4:10 with linespoints pt 7 ps 0.6 lc p title word(pairs, p), \
         for [p=1:np] sel(p, c) using 4:13 with lines dt 2 lc p notitle, \
         sel(1, c) using 4:15 with lines lw 2 lc "gray" title "encoder+decoder floor"
}
unset multiplot
