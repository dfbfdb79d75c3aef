# Raster and population rate of a bin/spiking run:
#   gnuplot -e "raster='ras.tsv'; rate='rate.tsv'; out='coba.png'" plots/spiking.gp
if (!exists("out")) out = "spiking.png"
set terminal pngcairo size 900,600 font "Sans,10"
set output out
set datafile separator "\t"
set multiplot layout 2,1
set lmargin 10
set ylabel "neuron"
unset xlabel
set format x ""
plot raster using 1:2 every ::1 with dots lc rgb "black" notitle
set format x "%g"
set xlabel "time (ms)"
set ylabel "rate (Hz)"
plot rate using 1:2 every ::1 with lines lc rgb "#1f77b4" notitle
unset multiplot
