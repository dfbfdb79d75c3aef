# The latent-memory pipeline (bin/latent-recall output): item recall, class recall and pixel MSE against the
# number of stored images M, one panel per corruption, one colour per store/code pair. Top row: item recall
# (solid), class recall (dotted), and the cue's nearest stored item without any memory (grey dashed). Bottom
# row: MSE of the recalled image (solid), of the cue's own decoding (dashed), and the encoder+decoder floor
# (grey); without it when the encoder does not decode (a classifier-encoder: the mse columns are nan). The
# legends sit in a column right of the panels.
# Usage: gnuplot -e "in='lr.tsv'; out='lr'" plots/latent-recall.gp   -> lr.png
#   in   bin/latent-recall output (columns 1 store, 2 code, 4 M, 5 corruption, 8 item_recall, 9 class_recall,
#        10 mse_recalled, 11 item_nn, 13 mse_cue, 15 mse_ae)
#   out  prefix of the figure (default results/latent-recall)
if (!exists("in")) in = "results/latent-recall.tsv"
if (!exists("out")) out = "results/latent-recall"
set datafile separator "\t"
uniq(col) = system(sprintf("awk -F'\\t' '/^#/ {next} !h {h = 1; next} !(($%s) in s) {s[$%s] = 1; printf \"%%s \", $%s}' '%s'", col, col, col, in))
pairs = system(sprintf("awk -F'\\t' '/^#/ {next} !h {h = 1; next} !(($1 \"/\" $2) in s) {s[$1 \"/\" $2] = 1; printf \"%%s \", $1 \"/\" $2}' '%s'", in))
corrs = uniq("5")
# decodes: some mse_recalled is a number (a classifier-encoder's are all nan)
decodes = system(sprintf("awk -F'\t' '/^#/ {next} !h {h = 1; next} $10 != \"nan\" {d = 1} END {print d + 0}' '%s'", in)) + 0
np = words(pairs)
nc = words(corrs)
# The rows of one store/code pair and corruption, without the header.
sel(p, c) = sprintf("< awk -F'\t' '/^#/ {next} !h {h = 1; next} $1 \"/\" $2 == \"%s\" && $5 == \"%s\"' '%s'", word(pairs, p), word(corrs, c), in)
# Panels of 420 pixels, then a column of 320 pixels for the legends.
W = 420 * nc + 400
set terminal pngcairo size W,(decodes ? 900 : 480) font ",10"
set output out . ".png"
right = 1.0 - 320.0 / W
set multiplot layout (decodes ? 2 : 1),nc title system(sprintf("grep -m1 '^# command:' '%s' | cut -c12-", in)) noenhanced \
    margins 80.0 / W, right, (decodes ? 0.07 : 0.12), (decodes ? 0.91 : 0.84) spacing 50.0 / W, 0.1
set grid
set logscale x
set xlabel "stored images M"
set key at screen right + 0.015, (decodes ? 0.88 : 0.82) left top Left reverse noenhanced samplen 3 font ",9"
set yrange [-0.02:1.02]
do for [c=1:nc] {
    set title "cue: ".word(corrs, c)
    set ylabel (c == 1 ? "recall: item (solid), class (dotted)" : "")
    if (c < nc) {
        unset key
        plot for [p=1:np] sel(p, c) using 4:8 with linespoints pt 7 ps 0.6 lc p notitle, \
             for [p=1:np] sel(p, c) using 4:9 with lines dt 3 lc p notitle, \
             sel(1, c) using 4:11 with lines dt 2 lw 2 lc "gray" notitle
    } else {
        set key
        plot for [p=1:np] sel(p, c) using 4:8 with linespoints pt 7 ps 0.6 lc p title word(pairs, p), \
             for [p=1:np] sel(p, c) using 4:9 with lines dt 3 lc p notitle, \
             sel(1, c) using 4:11 with lines dt 2 lw 2 lc "gray" title "cue's nearest stored item (no memory)", \
             NaN with lines lc "white" title "   (in the ".word(pairs, 1)." code)", \
             NaN with linespoints pt 7 ps 0.6 lc "black" title "item recall", \
             NaN with lines dt 3 lc "black" title "class recall"
    }
}
if (!decodes) { unset multiplot; exit }
set autoscale y
set yrange [0:*]
set key at screen right + 0.015, 0.42 left top
do for [c=1:nc] {
    set title "cue: ".word(corrs, c)
    set ylabel (c == 1 ? "pixel MSE to the stored image" : "")
    if (c < nc) {
        unset key
        plot for [p=1:np] sel(p, c) using 4:10 with linespoints pt 7 ps 0.6 lc p notitle, \
             for [p=1:np] sel(p, c) using 4:13 with lines dt 2 lc p notitle, \
             sel(1, c) using 4:15 with lines lw 2 lc "gray" notitle
    } else {
        set key
        plot for [p=1:np] sel(p, c) using 4:10 with linespoints pt 7 ps 0.6 lc p notitle, \
             for [p=1:np] sel(p, c) using 4:13 with lines dt 2 lc p notitle, \
             sel(1, c) using 4:15 with lines lw 2 lc "gray" title "encoder+decoder floor", \
             NaN with linespoints pt 7 ps 0.6 lc "black" title "the recalled image", \
             NaN with lines dt 2 lc "black" title "the cue's own decoding (no memory)", \
             NaN with lines lc "white" title "colours: store/code as above"
    }
}
unset multiplot
