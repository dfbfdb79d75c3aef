#!/bin/bash
# Krotov & Hopfield (2016): dense associative memory with F(x) = x^n stores K_max ~ N^(n-1) patterns;
# error-free capacity N^(n-1) / (2 (2n-3)!! ln N). Measured at N = 100 for n = 2, 3, 4: the K at which
# the probability that every stored pattern is a fixed point falls through 1/2, and the per-bit error.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
"$BIN/capacity" --model dense --F poly --degree 2 --N 100 --P "$(seq -s, 2 2 40)" --trials 40 --cues 5 --seed 1 --quiet --out n2.tsv
"$BIN/capacity" --model dense --F poly --degree 3 --N 100 --P "$(seq -s, 50 50 800)" --trials 20 --cues 5 --seed 1 --quiet --out n3.tsv
"$BIN/capacity" --model dense --F poly --degree 4 --N 100 --P 1000,2000,2500,3000,3500,4000,5000,6000,7000 --trials 10 --cues 5 --seed 1 --quiet --out n4.tsv
{
    printf 'n\tK_all_fixed_half\tK_fixed_half\tK_max_theory\n'
    for n in 2 3 4; do
        k=$(awk -F'\t' -v col=all_fixed_frac -f ../../tools/crossing.awk n$n.tsv | cut -f2)
        kf=$(awk -F'\t' -v col=fixed_frac -f ../../tools/crossing.awk n$n.tsv | cut -f2)
        awk -v n=$n -v k="$k" -v kf="$kf" 'BEGIN { df = 1; for (j = 2 * n - 3; j > 1; j -= 2) df *= j
            printf "%d\t%s\t%s\t%.1f\n", n, k, kf, 100 ^ (n - 1) / (2 * df * log(100)) }'
    done
} > summary.tsv
cat summary.tsv
./plot.sh
