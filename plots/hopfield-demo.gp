# bin/hopfield-demo --out run.tsv: the energy and the overlap with every stored pattern against unit updates.
#   gnuplot -e "in='run.tsv'; out='run'" plots/hopfield-demo.gp     writes run.png
if (!exists("in")) in = "hopfield-demo.tsv"
if (!exists("out")) out = "hopfield-demo"
set terminal pngcairo size 1100,420 font "Sans,10"
set output out.".png"
set datafile separator "\t"
stats in using 0 nooutput
cols = STATS_columns
set multiplot layout 1,2
set title "energy during the recall"
set xlabel "unit updates"
set ylabel "energy"
set grid
plot in using 3:5 with linespoints pt 7 ps 0.5 notitle
# the overlap columns are overlap_NAME (NAME: the pattern's letter, else its number), named in the key; the key
# stands outside the axes, right, so it hides no curve
set title "overlap with each stored pattern"
set ylabel "overlap"
set yrange [-1.05:1.05]
set key outside right top title "pattern" noenhanced
plot for [c = 6:cols] in using 3:c with linespoints pt 7 ps 0.4 title columnhead(c)[9:]
unset multiplot
