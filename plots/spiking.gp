# Raster and population rate of a bin/spiking network run (coba, cuba, brunel).
# Usage: gnuplot -e "raster='ras.tsv'; rate='rate.tsv'; out='coba'" plots/spiking.gp   -> coba.png
#   raster  the run's --raster file (t_ms neuron); optional: without it only the rate is drawn
#   rate    the run's --rate file (t_ms rate_hz, 1 ms bins)
#   out     prefix of the figure (default spiking)
#   skip    ms of start-up transient left out of the rate axis's scale (default 100; the transient is drawn,
#           clipped, on a grey background, and its peak is printed)
if (!exists("out")) out = "spiking"
if (!exists("skip")) skip = 100
set terminal pngcairo size 900,600 font "Sans,10"
set output out . ".png"
set datafile separator "\t"
set datafile commentschars "#"
cmd = system(sprintf("grep -m1 '^# command:' '%s' | cut -c12-", rate))
stats rate using 1:2 every ::1 nooutput
t1 = STATS_max_x
if (skip >= t1) skip = 0
peak = STATS_max_y; tpeak = STATS_pos_max_y
stats rate using ($1 >= skip ? $2 : NaN) every ::1 nooutput
mean = STATS_mean; top = STATS_max * 1.45  # headroom for the key
if (exists("raster")) { set multiplot layout 2,1 title cmd noenhanced } else { set title cmd noenhanced }
set lmargin 10
set xrange [0:t1]
if (exists("raster")) {
    set ylabel "neuron"
    unset xlabel
    set format x ""
    plot raster using 1:2 every ::1 with dots lc rgb "black" notitle
    set format x "%g"
}
set xlabel "time (ms)"
set ylabel "population rate (Hz, 1 ms bins)"
set yrange [0:top]
set key top right opaque box samplen 2
if (skip > 0) {
    set object 1 rect from 0, graph 0 to skip, graph 1 behind fc rgb "#e8e8e8" fs solid noborder
}
note = sprintf("start-up transient (peak %.0f Hz at %g ms, off scale: the axis fits t >= %g ms)", peak, tpeak, skip)
plot rate using 1:2 every ::1 with lines lc rgb "#1f77b4" notitle, \
     rate using 1:($1 >= skip ? mean : NaN) every ::1 with lines dt 2 lw 2 lc rgb "black" title (skip > 0 ? sprintf("mean after %g ms: %.1f Hz", skip, mean) : sprintf("mean: %.1f Hz", mean)), \
     NaN with boxes fs solid fc rgb "#e8e8e8" title (skip > 0 ? note : "")
if (exists("raster")) { unset multiplot }
