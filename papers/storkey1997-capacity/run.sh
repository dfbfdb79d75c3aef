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
# One row per (N, rule): crossing of all_fixed_frac = 0.5 and of fixed_frac = 0.5.
{
    printf 'N\trule\tP_all_fixed_half\tP_fixed_half\tN_over_2lnN\tN_over_4lnN\tN_over_sqrt_2lnN\n'
    for N in 100 200 400; do
        awk -F'\t' -v N=$N '
            /^#/ {next}
            !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next}
            function cross(col, r,   y) {
                y = $c[col]
                if (!((r, col) in done) && (r, col) in prevy && prevy[r, col] >= 0.5 && y < 0.5) {
                    at[r, col] = prevp[r] + (prevy[r, col] - 0.5) / (prevy[r, col] - y) * ($c["P"] - prevp[r])
                    done[r, col] = 1
                }
                prevy[r, col] = y
            }
            { r = $c["rule"]; if (!(r in seen)) { seen[r] = 1; order[++n] = r }
              cross("all_fixed_frac", r); cross("fixed_frac", r); prevp[r] = $c["P"] }
            END { for (k = 1; k <= n; k++) { r = order[k]
                    printf "%d\t%s\t%s\t%s\t%.1f\t%.1f\t%.1f\n", N, r,
                        ((r, "all_fixed_frac") in at) ? sprintf("%.1f", at[r, "all_fixed_frac"]) : "NA",
                        ((r, "fixed_frac") in at) ? sprintf("%.1f", at[r, "fixed_frac"]) : "NA",
                        N / (2 * log(N)), N / (4 * log(N)), N / sqrt(2 * log(N)) } }' capacity-N$N.tsv
    done
} > summary.tsv
cat summary.tsv
gnuplot ../../plots/storkey.gp
