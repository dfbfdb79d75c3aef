#!/bin/bash
# Storkey (1997): absolute capacity of the Storkey rule, N/sqrt(2 ln N), against the Hebb rule's
# N/(2 ln N). Measured: the P at which the probability that every stored pattern is a fixed point
# (all_fixed_frac) falls through 1/2, by linear interpolation, at N = 100, 200, 400.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
for N in 100 200 400; do
    "$BIN/capacity" --rule hebb,storkey --N $N --P "$(seq -s, 2 2 $((N / 2)))" --trials 40 --cues 1 --seed 1 \
        --quiet --out capacity-N$N.tsv
done
# One row per (N, rule): where all_fixed_frac and fixed_frac fall through 1/2 (tools/crossing.awk).
{
    printf 'N\trule\tP_all_fixed_half\tP_fixed_half\tN_over_2lnN\tN_over_4lnN\tN_over_sqrt_2lnN\n'
    for N in 100 200 400; do
        join -t $'\t' <(awk -F'\t' -v col=all_fixed_frac -f ../../tools/crossing.awk capacity-N$N.tsv) \
                       <(awk -F'\t' -v col=fixed_frac -f ../../tools/crossing.awk capacity-N$N.tsv) |
            awk -F'\t' -v N=$N '{ printf "%d\t%s\t%s\t%s\t%.1f\t%.1f\t%.1f\n", N, $1, $2, $3,
                                   N / (2 * log(N)), N / (4 * log(N)), N / sqrt(2 * log(N)) }'
    done
} > summary.tsv
cat summary.tsv
./plot.sh
