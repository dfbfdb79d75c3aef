#!/bin/bash
# Plate (1995): the dimension a holographic reduced representation needs, D = 3.16 (K - 0.25) ln(M / eps^3)
# for K bound pairs, a clean-up memory of M items and error probability eps. Measured: the error rate of
# unbinding + clean-up against D, and the D at which it falls through eps = 0.01 (log-linear interpolation),
# for random and unitary roles, approximate (involution) and exact inverse.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
"$BIN/hrr-capacity" --D 64,96,128,192,256,384,512,768,1024,1536,2048 --K 2,4,8,16 --M 100,1000 \
    --roles random,unitary --inverse involution,exact --traces 500 --seed 1 --quiet --out errors.tsv
# One row per (K, M, roles, inverse): measured D at eps = 0.01 beside Plate's.
awk -F'\t' -v eps=0.01 '
/^#/ { next }
!h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
{
    key = $c["K"] "\t" $c["M"] "\t" $c["roles"] "\t" $c["inverse"]; d = $c["D"]; e = $c["error_rate"]
    if (!(key in seen)) { seen[key] = 1; order[++n] = key; K[key] = $c["K"]; M[key] = $c["M"]; if (e <= eps) below[key] = d }
    if (!(key in at) && (key in pe) && pe[key] > eps && e <= eps) {
        lo = log(pd[key]); hi = log(d)
        at[key] = exp(lo + (pe[key] - eps) / (pe[key] - e) * (hi - lo))
    }
    pe[key] = e; pd[key] = d
}
END {
    printf "K\tM\troles\tinverse\tD_measured\tD_plate\tratio\n"
    for (k = 1; k <= n; k++) {
        key = order[k]; p = 3.16 * (K[key] - 0.25) * log(M[key] / eps ^ 3)
        if (key in at) printf "%s\t%.0f\t%.0f\t%.2f\n", key, at[key], p, at[key] / p
        else if (key in below) printf "%s\t<%d\t%.0f\tNA\n", key, below[key], p
        else printf "%s\tNA\t%.0f\tNA\n", key, p
    }
}' errors.tsv > summary.tsv
# The error curves of the figure: random roles, involution, M = 1000, one column per K.
awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
    $c["M"] == 1000 && $c["roles"] == "random" && $c["inverse"] == "involution" { r[$c["D"]] = r[$c["D"]] "\t" $c["error_rate"]; if (!($c["D"] in s)) { s[$c["D"]] = 1; o[++n] = $c["D"] } }
    END { print "D\tK2\tK4\tK8\tK16"; for (k = 1; k <= n; k++) print o[k] r[o[k]] }' errors.tsv > curves.tsv
column -t -s $'\t' summary.tsv
./plot.sh
