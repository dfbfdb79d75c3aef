#!/bin/bash
# Hopfield (1984): graded-response neurons have the collective computational properties of two-state neurons.
# A network of N = 200 units storing P = 10 random patterns (Hebb), cued with pattern 0 with 20 % of its units
# flipped, integrated by RK4 (tau 10 ms, dt 0.1 ms) at gains beta = 0.5, 1, 4, 50: the Lyapunov energy never
# increases; above the critical gain the state settles at the stored pattern, and as the gain grows it nears
# the corner of the cube the binary network reaches.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
printf 'beta\tfinal_overlap\tenergy_start\tenergy_end\tlargest_rise\n' > summary.tsv
for b in 0.5 1 4 50; do
    "$BIN/spiking" hopfield-ct --N 200 --P 10 --beta "$b" --tau 10 --dt 0.1 --time 300 --noise 0.2 --seed 1 --quiet \
        --out "beta-$b.tsv"
    awk -F'\t' -v b="$b" '/^# energy rose/ { split($0, w, " "); rise = w[7] } !/^#/ && NR > 1 && $1 != "t_ms" {
        if (e0 == "") e0 = $2; e1 = $2; o = $3 }
        END { printf "%s\t%.4f\t%.4f\t%.4f\t%s\n", b, o, e0, e1, rise }' "beta-$b.tsv" >> summary.tsv
done
column -t -s $'\t' summary.tsv
./plot.sh
