# papers/xor-motif (run from that folder): the switch's rasters for the four input pairs, robustness to
# background, the hub's time constant, the graded reference and its signed error, the learning curves, the
# motif in the learning loop, and the C. elegans counts against their null distributions.
set terminal pngcairo size 1500,1300 font "Sans,10"
set output "figure.png"
set datafile separator "\t"
set multiplot layout 3,4
roles = "in1 lat2 in3 lat4 xor5 hub6 F+ F-"
set ytics ("in1" 0, "lat2" 1, "in3" 2, "lat4" 3, "xor5" 4, "hub6" 5, "F+" 6, "F-" 7)
set yrange [-0.5:7.5]
set xrange [0:100]
set xlabel "time (ms)"
do for [p = 0:3] {
    s1 = p / 2; s3 = p % 2
    set title sprintf("signal %d, reference %d", s1, s3)
    plot "raster.tsv" using ($1 == s1 && $2 == s3 ? $3 : 1/0):4 every ::1 with points pt 7 ps 0.6 lc rgb "black" notitle
}
set ytics auto
set autoscale y
# Every key stands where its panel has no data (the axes are stretched to make room where needed).
set title "robustness to background (200 seeds)"
set xlabel "Poisson background on the inputs (Hz)"
set ylabel "share of correct tables"
set xrange [0:80]
set yrange [0:1.05]
set key default; set key top right font ",8" spacing 0.9 at graph 0.98, graph 0.9
plot "robust.tsv" using 1:3 every ::1 with linespoints title "XOR, 6 per event", \
     "robust.tsv" using 1:4 every ::1 with linespoints title "signed, 6 per event", \
     "robust-w84.tsv" using 1:3 every ::1 with linespoints title "XOR, 84 per event", \
     "robust-w84.tsv" using 1:4 every ::1 with linespoints title "signed, 84 per event"
set title "hub time constant"
set xlabel "tau_m of the hub (ms)"
set ylabel "xor5 spikes"
set xrange [0:20]
set yrange [0:12]
set key default; set key top left font ",8"
set style fill transparent solid 0.2 noborder
plot "tau.tsv" using 1:($3 * 12) every ::1 with filledcurves x1 lc rgb "#56b4e9" title "signed table right (shaded)", \
     "tau.tsv" using 1:7 every ::1 with linespoints lc rgb "#9400d3" title "xor5 spikes, inputs (1,1)", \
     "tau.tsv" using 1:6 every ::1 with linespoints lc rgb "#009e73" title "xor5 spikes, inputs (1,0)"
set style fill solid 1 border
set title "graded reference: signed error"
set xlabel "reference s"
set ylabel "rate(F+) - rate(F-) (Hz)"
set xrange [0:1]
set autoscale y
set key default; set key bottom left font ",8"
plot "graded.tsv" using ($1 == 0 ? $2 : 1/0):11 every ::1 with linespoints title "signal 0", \
     "graded.tsv" using ($1 == 1 ? $2 : 1/0):11 every ::1 with linespoints title "signal 1"
set title "binarised Fashion-MNIST: 784-1024-784"
set xlabel "epoch"
set ylabel "test bit accuracy"
set autoscale x
set yrange [0.45:1]
set key default; set key bottom right font ",8" spacing 0.9
plot "fashion.tsv" using (strcol(1) eq "signed-xor-fa" ? $2 : 1/0):4 every ::1 with linespoints title "signed XOR + feedback alignment", \
     "fashion.tsv" using (strcol(1) eq "signed-xor-fixed" ? $2 : 1/0):4 every ::1 with linespoints title "signed XOR, fixed encoder", \
     "fashion.tsv" using (strcol(1) eq "backprop" ? $2 : 1/0):4 every ::1 with linespoints title "backprop (sigmoid MLP, Adam)"
set title "the spiking motif in the loop (8 patterns of 16 bits)"
set xlabel "epoch"
set ylabel "bit accuracy"
set autoscale x
set yrange [0.4:1.02]
set key default; set key bottom right font ",8"
plot "loop.tsv" using 1:2 every ::1 with lines lw 2 title "error computed, e = x - y", \
     "loop.tsv" using 1:3 every ::1 with points pt 7 ps 0.5 title "error from the motif", \
     "loop-noise40.tsv" using 1:3 every ::1 with lines title "motif, 40 Hz background", \
     "loop-noise80.tsv" using 1:3 every ::1 with lines title "motif, 80 Hz background"
set title "agreement of the motif's error bits with x - y"
set ylabel "share of bits"
plot "loop-noise40.tsv" using 1:4 every ::1 with lines title "40 Hz background", \
     "loop-noise80.tsv" using 1:4 every ::1 with lines title "80 Hz background"
set style fill solid 0.5
bin(x, w) = w * floor(x / w)
# x tics 4 to 10 apart over [0, r]: 1, 2 or 5 times a power of ten
tic0(r) = 10 ** floor(log10(r / 4))
tic(r) = r / tic0(r) >= 20 ? 5 * tic0(r) : r / tic0(r) >= 8 ? 2 * tic0(r) : tic0(r)
set title "C. elegans: XOR motifs vs 1000 rewired graphs"
set xlabel "XOR instances"
set ylabel "null graphs"
set autoscale xy
set offsets 0, 0, graph 0.3, 0
set key default; set key top right font ",8" spacing 0.9 at graph 0.88, graph 0.98
stats "celegans-null.tsv" using (strcol(1) eq "xor" ? $2 : NaN) nooutput
ox = STATS_max
set xrange [0:ox * 1.08]
set xtics tic(ox * 1.08)
set arrow 1 from ox, graph 0 to ox, graph 1 nohead lw 2 lc rgb "red"
plot "celegans-null-graphs.tsv" using (bin($2, 100)):(1) every ::1 smooth frequency with boxes title "null: degree- and sign-preserving swaps", \
     NaN with lines lw 2 lc rgb "red" title sprintf("observed %d", ox)
set title "C. elegans: lateral inhibition vs the null"
set xlabel "lateral-inhibition instances"
stats "celegans-null.tsv" using (strcol(1) eq "lateral" ? $2 : NaN) nooutput
ol = STATS_max
set xrange [0:ol * 1.08]
set xtics tic(ol * 1.08)
set arrow 1 from ol, graph 0 to ol, graph 1 nohead lw 2 lc rgb "red"
plot "celegans-null-graphs.tsv" using (bin($4, 50)):(1) every ::1 smooth frequency with boxes title "null: the same swaps", \
     NaN with lines lw 2 lc rgb "red" title sprintf("observed %d", ol)
unset arrow 1
unset multiplot
