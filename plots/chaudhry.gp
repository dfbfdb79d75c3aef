# Chaudhry et al. (2023) reproduction: sequence capacities, MixedNet timing, moving sprites.
# Usage: cd papers/chaudhry2023-sequences && gnuplot ../../plots/chaudhry.gp   -> figure.png (its plot.sh does this)
#   reads poly12.tsv, poly3.tsv, exp.tsv, mixed-d{1,2,10}.tsv, moving-{seqnet,poly,exp}.tsv (bin/sequence)
#   out: prefix of the figure (default figure)
if (!exists("out")) out = "figure"
set datafile separator "\t"
set datafile columnheaders
set terminal pngcairo size 1400,1050 font ",10"
set output out . ".png"
set multiplot layout 2,2 title "Long sequence Hopfield memory (Chaudhry, Zavatone-Veth, Krotov, Pehlevan 2023), libam"
set grid
set logscale y
set format y "10^{%T}"
set xlabel "units N"
set key top left box opaque
sel(c) = strcol("config") eq c ? 1 : NaN
# (a) transition capacity
set title "transition capacity P_T: every transition of one sequence exact\n(mean and sd of 10 trials; dashed: theory)"
plot "poly12.tsv" using "N":(sel("poly1") * column("P_T_mean")):"P_T_sd" with yerrorbars pt 7 ps 0.8 lc 1 title "d = 1 (SeqNet)", \
     "" using "N":(sel("poly1") * column("P_T_theory")) with lines lc 1 dt 2 notitle, \
     "" using "N":(sel("poly2") * column("P_T_mean")):"P_T_sd" with yerrorbars pt 7 ps 0.8 lc 2 title "d = 2", \
     "" using "N":(sel("poly2") * column("P_T_theory")) with lines lc 2 dt 2 notitle, \
     "poly3.tsv" using "N":"P_T_mean":"P_T_sd" with yerrorbars pt 7 ps 0.8 lc 3 title "d = 3", \
     "" using "N":"P_T_theory" with lines lc 3 dt 2 notitle, \
     "exp.tsv" using "N":"P_T_mean":"P_T_sd" with yerrorbars pt 5 ps 0.8 lc 4 title "exponential", \
     "" using "N":"P_T_theory" with lines lc 4 dt 2 title "theory N^d/(2(2d-1)!! ln N), {/Symbol b}^{N-1}/(2 ln N)"
# (b) sequence capacity
set title "sequence capacity P_S: 100 sequences all replayed whole\n(mean and sd of 10 trials; dashed: theory)"
plot "poly12.tsv" using "N":(sel("poly1") * column("P_S_mean")):"P_S_sd" with yerrorbars pt 7 ps 0.8 lc 1 title "d = 1 (SeqNet)", \
     "" using "N":(sel("poly1") * column("P_S_theory")) with lines lc 1 dt 2 notitle, \
     "" using "N":(sel("poly2") * column("P_S_mean")):"P_S_sd" with yerrorbars pt 7 ps 0.8 lc 2 title "d = 2", \
     "" using "N":(sel("poly2") * column("P_S_theory")) with lines lc 2 dt 2 notitle, \
     "poly3.tsv" using "N":"P_S_mean":"P_S_sd" with yerrorbars pt 7 ps 0.8 lc 3 title "d = 3", \
     "" using "N":"P_S_theory" with lines lc 3 dt 2 notitle, \
     "exp.tsv" using "N":"P_S_mean":"P_S_sd" with yerrorbars pt 5 ps 0.8 lc 4 title "exponential", \
     "" using "N":"P_S_theory" with lines lc 4 dt 2 title "theory P_T/(d+1), {/Symbol b}^{N-1}/(2N ln {/Symbol b})"
# (c) MixedNet timing
unset logscale y
set format y "%g"
set title "MixedNet, N = 100, P = 40, {/Symbol t} = 5, {/Symbol l} = 2.5: the element nearest the state"
set xlabel "step"
set ylabel "element"
set key top left
set xrange [0:200]
set yrange [0:40]
plot (x < 1 ? 0 : floor((x - 1) / 5) + 1) with lines lc rgb "#999999" lw 3 title "each element held {/Symbol t} steps", \
     "mixed-d1.tsv" using "step":"nearest" with steps lc 1 lw 1.5 title "d = 1", \
     "mixed-d2.tsv" using "step":"nearest" with steps lc 2 lw 1.5 title "d = 2", \
     "mixed-d10.tsv" using "step":"nearest" with steps lc 3 lw 1.5 title "d = 10"
# (d) moving sprites
set title "Fashion-MNIST sprites moving across 28 x 28 (8 frames a clip): clips replayed whole"
set xlabel "clips stored"
set ylabel "fraction of 100 cued clips replayed exactly to the end"
set logscale x
set xrange [*:*]
set yrange [-0.05:1.05]
set key center right
plot "moving-seqnet.tsv" using "clips":"whole_clip_frac" with linespoints pt 7 ps 2.2 lc 1 title "SeqNet (0 at every size)", \
     "moving-poly.tsv" using "clips":(sel("poly2") * column("whole_clip_frac")) with linespoints pt 7 ps 1.5 lc 2 title "d = 2 (0)", \
     "moving-poly.tsv" using "clips":(sel("poly5") * column("whole_clip_frac")) with linespoints pt 7 ps 0.8 lc 3 title "d = 5 (0)", \
     "moving-exp.tsv" using "clips":"whole_clip_frac" with linespoints pt 5 lc 4 title "exponential"
unset multiplot
