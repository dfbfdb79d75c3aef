# papers/familiarity: recognition from the energy of a Hopfield store vs recall, and Fashion-MNIST seen vs
# unseen images.
# Usage: cd papers/familiarity && gnuplot ../../plots/familiarity.gp   -> figure.png (its plot.sh does this)
#   reads capacity-N{100,200,400}.tsv, capacity-flip.tsv, capacity-rules.tsv (bin/familiarity), images.tsv
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set datafile missing NaN
set terminal pngcairo size 1500,460 font ",10"
set output out . ".png"
set multiplot layout 1,3
set grid
set logscale x
set yrange [0:1.02]
set xlabel "load P/N"
set ylabel "AUC (energy) / fraction recalled"
set key bottom left
set title "Hebb: recognition (solid) outlasts recall (dashed)"
Ns = "100 200 400"
plot for [k = 1:3] "capacity-N".word(Ns, k).".tsv" using "alpha":"auc_energy" with linespoints pt 7 ps 0.5 lw 2 lc k title "AUC, N = ".word(Ns, k), \
     for [k = 1:3] "capacity-N".word(Ns, k).".tsv" using "alpha":"recall_frac" with linespoints pt 6 ps 0.5 dt 2 lc k title "recalled, N = ".word(Ns, k)
set xlabel "P/N^2"
set ylabel "AUC of stored vs novel patterns by energy"
set title "familiarity capacity scales as N^2 (Hebb), as N (Storkey, pinv)"
set xrange [1e-4:0.6]
set key bottom left
# theory (Hebb): -E/N of a stored pattern is 1/2 (1-2f)^2 above a novel one, both spread by sqrt(P/2)/N
auc(x, f) = norm((1 - 2 * f)**2 / (2 * sqrt(x)))
sel(r) = (strcol("rule") eq r) ? column("auc_energy") : NaN
plot for [N in "100 200 400"] "capacity-N".N.".tsv" using (column("P") / column("N")**2):"auc_energy" with points pt 7 ps 0.7 title "Hebb, N = ".N, \
     "capacity-flip.tsv" using (column("P") / column("N")**2):"auc_energy" with points pt 9 ps 0.8 title "Hebb, N = 200, 10% bits flipped", \
     "capacity-rules.tsv" using (column("P") / column("N")**2):(sel("storkey")) with linespoints pt 5 ps 0.6 title "Storkey, N = 200", \
     "capacity-rules.tsv" using (column("P") / column("N")**2):(sel("pinv")) with linespoints pt 4 ps 0.6 title "pseudo-inverse, N = 200", \
     auc(x, 0) with lines lw 2 lc rgb "black" title "theory: {/Symbol F}(N / (2 sqrt P))", \
     auc(x, 0.1) with lines lw 2 dt 2 lc rgb "black" title "theory, 10% flipped"
unset xrange
set xlabel "seen images M"
set ylabel "AUC, seen vs novel"
set yrange [0.2:1.02]
set key bottom left font ",9"
set title "Fashion-MNIST: vs held-out classes (solid), vs unseen images (dashed)"
s(sc, cd, nv) = (strcol("score") eq sc && strcol("code") eq cd && strcol("novel") eq nv) ? column("auc") : NaN
plot "images.tsv" using "M":(s("recon", "-", "held-out")) with linespoints pt 7 lw 2 lc 1 title "PCA reconstruction", \
     "images.tsv" using "M":(s("recon", "-", "unseen")) with linespoints pt 7 dt 2 lc 1 notitle, \
     "images.tsv" using "M":(s("store-overlap", "latent", "held-out")) with linespoints pt 5 lw 2 lc 2 title "best overlap, latent code", \
     "images.tsv" using "M":(s("store-overlap", "latent", "unseen")) with linespoints pt 5 dt 2 lc 2 notitle, \
     "images.tsv" using "M":(s("store-energy", "latent", "held-out")) with linespoints pt 9 lw 2 lc 3 title "energy, latent code", \
     "images.tsv" using "M":(s("store-energy", "latent", "unseen")) with linespoints pt 9 dt 2 lc 3 notitle, \
     "images.tsv" using "M":(s("store-overlap", "pixels", "held-out")) with linespoints pt 4 lw 2 lc 4 title "best overlap, pixels", \
     "images.tsv" using "M":(s("store-overlap", "pixels", "unseen")) with linespoints pt 4 dt 2 lc 4 notitle, \
     "images.tsv" using "M":(s("store-energy", "pixels", "held-out")) with linespoints pt 8 lw 2 lc 7 title "energy, pixels", \
     "images.tsv" using "M":(s("store-energy", "pixels", "unseen")) with linespoints pt 8 dt 2 lc 7 notitle
unset multiplot
