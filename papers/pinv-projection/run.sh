#!/bin/bash
# Pseudo-inverse (projection) rule, zero diagonal (Personnaz, Guyon & Dreyfus 1985; Kanter & Sompolinsky
# 1987): every stored pattern is a fixed point for P < N, while the basins of attraction shrink as
# alpha -> 1. Measured at N = 200: fixed_frac, and recall from cues with 2%..30% of bits flipped.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
for f in 0.02 0.05 0.1 0.15 0.2 0.25 0.3; do
    "$BIN/capacity" --rule pinv --N 200 --alpha 0.05:0.95:0.05 --trials 5 --cues 40 --noise $f --seed 1 \
        --quiet --out noise-$f.tsv
done
# Basin radius: the largest noise whose recall_frac is at least 0.9, per load.
{
    printf 'alpha\tfixed_frac\tbasin_radius\n'
    for f in 0.02 0.05 0.1 0.15 0.2 0.25 0.3; do
        awk -F'\t' -v f=$f '/^#/ {next} !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next}
            { printf "%s\t%s\t%s\t%s\n", $c["alpha"], $c["fixed_frac"], f, $c["recall_frac"] }' noise-$f.tsv
    done | sort -k1,1 -k3,3g | awk -F'\t' '
        { if ($1 != a && a != "") { printf "%s\t%s\t%s\n", a, fx, r; r = 0 } a = $1; fx = $2; if ($4 >= 0.9) r = $3 }
        END { printf "%s\t%s\t%s\n", a, fx, r }'
} > basins.tsv
cat basins.tsv
./plot.sh
