# Autoencoder loss curve (bin/autoencoder train output): training loss and test MSE per epoch.
# Usage: gnuplot -e "in='loss.tsv'; out='loss'" plots/autoencoder-loss.gp   -> loss.png
#   in   bin/autoencoder train --out file (columns epoch, train_loss, test_mse; '# model:' line as the title)
#   out  prefix of the figure (default results/autoencoder-loss)
if (!exists("in")) in = "results/autoencoder-loss.tsv"
if (!exists("out")) out = "results/autoencoder-loss"
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 800,500 font ",10"
set output out . ".png"
set title system(sprintf("grep -m1 '^# model:' '%s' | cut -c10-", in)) noenhanced font ",9"
set grid
set xlabel "epoch"
set ylabel "loss"
set logscale y
set key top right
plot in using "epoch":"train_loss" every ::1 with linespoints pt 7 ps 0.6 title "training loss (mean over the epoch)", \
     in using "epoch":"test_mse" with linespoints pt 5 ps 0.6 title "test MSE"
