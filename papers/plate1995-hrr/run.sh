#!/bin/bash
# Plate (1995): the dimension a holographic reduced representation needs, D = 3.16 (K - 0.25) ln(M / eps^3)
# for K bound pairs, a clean-up memory of M items and error probability eps. Measured: the error rate of
# unbinding + clean-up against D (a grid, for the curves), and the smallest D whose error rate is <= eps =
# 0.01 (bisection), for random and unitary roles, approximate (involution) and exact inverse.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
"$BIN/hrr-capacity" --D 64,96,128,192,256,384,512,768,1024,1536,2048 --K 2,4,8,16 --M 100,1000 \
    --roles random,unitary --inverse involution,exact --traces 500 --seed 1 --quiet --out errors.tsv
# One row per (K, M, roles, inverse): the smallest D whose error rate is <= eps = 0.01, found by bisection on
# the integers in [16, 2048] with 5000 traces (10000-80000 retrievals) at every D tried, beside Plate's D.
"$BIN/hrr-capacity" --bisect 0.01 --D 16,2048 --K 2,4,8,16 --M 100,1000 \
    --roles random,unitary --inverse involution,exact --traces 5000 --seed 1 --quiet --out bisect.tsv
awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1
        print "K\tM\troles\tinverse\tD_measured\tD_plate\tratio\trate_at_D\tci_at_D\trate_at_D-1\tci_at_D-1"; next }
    { d = $c["D_min"] == 0 ? ">2048" : $c["D_min"]; r = $c["D_min"] == 0 ? "NA" : sprintf("%.2f", $c["ratio"])
      b = $c["below_rate"] == "nan" ? "NA" : sprintf("%.4f\t%.4f-%.4f", $c["below_rate"], $c["below_ci_low"], $c["below_ci_high"])
      if (b == "NA") b = "NA\tNA"
      printf "%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%.4f\t%.4f-%.4f\t%s\n", $c["K"], $c["M"], $c["roles"], $c["inverse"], d,
             $c["plate_D"], r, $c["error_rate"], $c["ci_low"], $c["ci_high"], b }' bisect.tsv > summary.tsv
# The error curves of the figure: random roles, involution, M = 1000, one column per K.
awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
    $c["M"] == 1000 && $c["roles"] == "random" && $c["inverse"] == "involution" { r[$c["D"]] = r[$c["D"]] "\t" $c["error_rate"]; if (!($c["D"] in s)) { s[$c["D"]] = 1; o[++n] = $c["D"] } }
    END { print "D\tK2\tK4\tK8\tK16"; for (k = 1; k <= n; k++) print o[k] r[o[k]] }' errors.tsv > curves.tsv
column -t -s $'\t' summary.tsv
./plot.sh
