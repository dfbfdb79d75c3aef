# papers/melody-engram: tunes recalled from their first bar by the modern sequence store against the number
# stored and the encoding; the XOR melody engram against hidden size beside backprop and the store; learning
# curves.
# Usage: cd papers/melody-engram && gnuplot ../../plots/melody.gp   -> figure.png (its plot.sh does this)
#   reads store-h*.tsv, engram-10.tsv, curves-10.tsv (bin/melody)
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set datafile missing NaN
set terminal pngcairo size 1560,500 font ",10"
set output out . ".png"
set multiplot layout 1,3 margins 0.05,0.99,0.12,0.90 spacing 0.07,0.1
set grid
set yrange [0:1.04]
# 1. stores
set logscale x 2
set xrange [0.8:48]
set xtics (1, 5, 10, 20, 39)
set xlabel "tunes stored"
set ylabel "tunes replayed whole from the first bar"
set title "modern sequence store: a step must say where it is"
set yrange [0:1.62]
set ytics 0, 0.2, 1
set key top left Left reverse font ",9" spacing 1.0 maxrows 5 samplen 2
set linetype 1 lc rgb "#9400d3"
set linetype 2 lc rgb "#009e73"
set linetype 3 lc rgb "#56b4e9"
set linetype 4 lc rgb "#e69f00"
set linetype 5 lc rgb "#000000"
fb(c) = (strcol("cue") eq "first-bar") ? column(c) : NaN
files = "store-h1 store-h4 store-h16 store-h16-ctx store-h32-ctx"
names = "'1 step' '4 steps' '16 steps' '16 steps + tune code' '32 steps + tune code'"
plot for [k = 1:5] word(files, k).".tsv" using "tunes":(fb("exact_rate")) with linespoints pt 7 ps 0.8 lw 2 lc k \
         title "history ".word(names, k)
unset logscale x
unset xrange
unset xtics
set xtics
# 2. engram against hidden size
set yrange [0:1.3]
set logscale x 2
set xrange [100:1300]
set xtics (128, 256, 512, 1024)
set xlabel "hidden units"
set ylabel "pitch accuracy (10 tunes)"
set title "the engram, 10 tunes: teacher-forced (solid), free-running (dashed)"
set key top left font ",9" box opaque
sel(l, c) = (strcol("learner") eq l) ? column(c) : NaN
learners = "xor fa backprop"
lnames = "'signed XOR, fixed expansion' 'signed XOR, feedback alignment' 'backprop (Elman, Adam)'"
plot for [k = 1:3] "engram-10.tsv" using "hidden":(sel(word(learners, k), "tf_pitch_acc")) with linespoints pt 7 lw 2 lc k \
         title word(lnames, k), \
     for [k = 1:3] "engram-10.tsv" using "hidden":(sel(word(learners, k), "fr_pitch_acc")) with linespoints pt 6 dt 2 lw 2 lc k notitle
unset logscale x
unset xrange
unset xtics
set xtics
# 3. learning curves
set xlabel "epoch"
set ylabel "beats predicted whole while learning (10 tunes)"
set title "learning curves, 1024 hidden units"
set key top left font ",9" box opaque
cur(l) = (strcol("learner") eq l && column("hidden") == 1024) ? column("beat_acc") : NaN
plot for [k = 1:3] "curves-10.tsv" using "epoch":(cur(word(learners, k))) with lines lw 2 lc k title word(lnames, k)
unset multiplot
