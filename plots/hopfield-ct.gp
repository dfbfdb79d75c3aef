# Energy and overlap against time of `spiking hopfield-ct` (the graded-response Hopfield network).
# Usage: gnuplot -e "in='hct.tsv'; out='hct'" plots/hopfield-ct.gp   -> hct.png
#   in   the run's --out file (t_ms energy overlap overlap_max_other)
#   out  prefix of the figure (default hopfield-ct)
if (!exists("in")) in = "hopfield-ct.tsv"
if (!exists("out")) out = "hopfield-ct"
set terminal pngcairo size 800,500 font "Sans,10"
set output out . ".png"
set datafile separator "\t"
set datafile commentschars "#"
set title system(sprintf("grep -m1 '^# command:' '%s' | cut -c12-", in)) noenhanced
set xlabel "time (ms)"
set ylabel "energy"
set y2label "overlap"
set y2range [-0.1:1.05]
set ytics nomirror
set y2tics
set key center right
plot in using 1:2 every ::1 with lines lw 2 title "energy (Lyapunov)", \
     in using 1:3 every ::1 axes x1y2 with lines lw 2 title "overlap with the cued pattern", \
     in using 1:4 every ::1 axes x1y2 with lines dt 2 title "largest overlap with another"
