# papers/brunel2000-phases: raster of 50 neurons and population rate, 400-600 ms, for
# each of the points A-D.
# Usage: cd papers/brunel2000-phases && gnuplot ../../plots/brunel.gp   -> figure.png (its plot.sh does this)
#   reads raster-A.tsv .. raster-D.tsv and rate-A.tsv .. rate-D.tsv (bin/spiking brunel --raster/--rate)
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set terminal pngcairo size 1400,600 font "Sans,10"
set output out . ".png"
set datafile separator "\t"
set multiplot layout 2,4
set xrange [400:600]
titles = "A:g=3,eta=2 B:g=6,eta=4 C:g=5,eta=2 D:g=4.5,eta=0.9"
do for [i = 1:4] {
    p = substr("ABCD", i, i)
    set title word(titles, i)
    set ylabel (i == 1 ? "neuron" : "")
    unset xlabel
    plot sprintf("raster-%s.tsv", p) using 1:2 every ::1 with dots lc rgb "black" notitle
}
do for [i = 1:4] {
    p = substr("ABCD", i, i)
    unset title
    set xlabel "time (ms)"
    set ylabel (i == 1 ? "population rate (Hz)" : "")
    plot sprintf("rate-%s.tsv", p) using 1:2 every ::1 with lines lc rgb "#1f77b4" notitle
}
unset multiplot
