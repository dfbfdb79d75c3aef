# Front-ends side by side (several bin/latent-recall outputs, one per encoder): item recall (solid) and class
# recall (dotted) against the number of stored images M, one panel per corruption (columns) and store/code
# pair (rows), one colour per front-end (plots/latent-recall.gp draws one front-end with its no-memory
# baseline and pixel errors).
# Usage: gnuplot -e "files='pca.tsv mlp.tsv'; labels='PCA MLP'; pairs='modern/continuous dense/sign'; out='fe'" \
#            plots/latent-frontends.gp   -> fe.png
#   files   latent-recall TSVs, space-separated (the same corruptions and M in each)
#   labels  one name per file, space-separated (no spaces inside a name)
#   pairs   store/code pairs to draw, one row each (default modern/continuous)
#   out     prefix of the figure (default results/latent-frontends)
if (!exists("pairs")) pairs = "modern/continuous"
if (!exists("out")) out = "results/latent-frontends"
set datafile separator "\t"
nf = words(files)
# colours that stay readable on white (gnuplot's fifth default is a pale yellow)
colors = "#9400d3 #009e73 #56b4e9 #e69f00 #d62728 #0072b2 #8c564b #000000"
col(f) = word(colors, (f - 1) % 8 + 1)
nr = words(pairs)
corrs = system(sprintf("awk -F'\\t' '/^#/ {next} !h {h = 1; next} !($5 in s) {s[$5] = 1; printf \"%%s \", $5}' '%s'", word(files, 1)))
levels = system(sprintf("awk -F'\\t' '/^#/ {next} !h {h = 1; next} !($5 in s) {s[$5] = 1; printf \"%%s \", $6}' '%s'", word(files, 1)))
nc = words(corrs)
# The rows of file f for pair r and corruption c, without the header.
sel(f, r, c) = sprintf("< awk -F'\t' '/^#/ {next} !h {h = 1; next} $1 \"/\" $2 == \"%s\" && $5 == \"%s\"' '%s'", word(pairs, r), word(corrs, c), word(files, f))
W = 420 * nc + 300
H = 420 * nr + 80
set terminal pngcairo size W,H font ",10"
set output out . ".png"
right = 1.0 - 280.0 / W
set multiplot layout nr,nc title "item recall (solid) and class recall (dotted) by front-end" \
    margins 80.0 / W, right, 60.0 / H, 1.0 - 70.0 / H spacing 50.0 / W, 110.0 / H
set grid
set logscale x
set xlabel "stored images M"
set yrange [-0.02:1.02]
do for [r=1:nr] {
    do for [c=1:nc] {
        set title word(pairs, r)." store/code, cue: ".word(corrs, c)." ".(word(corrs, c) eq "class" ? "" : word(levels, c)) noenhanced
        set ylabel (c == 1 ? "recall" : "")
        if (c < nc || r > 1) {
            unset key
            plot for [f=1:nf] sel(f, r, c) using 4:8 with linespoints pt 7 ps 0.6 lc rgb col(f) notitle, \
                 for [f=1:nf] sel(f, r, c) using 4:9 with lines dt 3 lc rgb col(f) notitle
        } else {
            set key at screen right + 0.015, 1.0 - 80.0 / H left top Left reverse noenhanced samplen 3 font ",9"
            plot for [f=1:nf] sel(f, r, c) using 4:8 with linespoints pt 7 ps 0.6 lc rgb col(f) title word(labels, f), \
                 for [f=1:nf] sel(f, r, c) using 4:9 with lines dt 3 lc rgb col(f) notitle, \
                 NaN with linespoints pt 7 ps 0.6 lc "black" title "item recall", \
                 NaN with lines dt 3 lc "black" title "class recall"
        }
    }
}
unset multiplot
