#!/bin/bash
# Demircigil, Heusel, Löwe, Upgang & Vermet (2017): with F(x) = e^x the dense memory stores K = e^(alpha N)
# patterns as fixed points for alpha < ln(2)/2, i.e. up to K ~ 2^(N/2). Measured at N = 16, 20, 24, 28 for
# K = 2^(N/2) / 8 ... 8 x 2^(N/2): the fraction of stored patterns that are not fixed points (from
# patterns 0..299 of each trial), and recall from 10% flipped bits.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
for N in 16 20 24 28; do
    c=$((1 << (N / 2)))
    P="$((c / 8)),$((c / 4)),$((c / 2)),$c,$((c * 2)),$((c * 4)),$((c * 8))"
    "$BIN/capacity" --model dense --F exp --N $N --P "$P" --trials 5 --cues 20 --stability-patterns 300 \
        --seed 1 --quiet --out N$N.tsv
done
{
    printf 'N\tK\tK_over_2_pow_N_half\tunstable_patterns\tunstable_bits\trecall_frac\n'
    for N in 16 20 24 28; do
        awk -F'\t' -v N=$N '/^#/ {next} !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next}
            { printf "%d\t%d\t%g\t%.4f\t%.6f\t%.3f\n", N, $c["P"], $c["P"] / 2 ^ (N / 2), 1 - $c["fixed_frac"],
                     $c["unstable_frac"], $c["recall_frac"] }' N$N.tsv
    done
} > summary.tsv
cat summary.tsv
./plot.sh
