#!/bin/bash
# The numbers of the README's table from the TSVs beside this script.
set -euo pipefail
cd "$(dirname "$0")"
{
    printf 'model\tN\tP_T_measured\tP_T_theory\tP_S_measured\tP_S_theory\n'
    for f in poly12.tsv poly3.tsv exp.tsv; do
        awk -F'\t' '!/^#/ && $1 != "model" { printf "%s\t%s\t%s\t%s\t%s\t%s\n", $2, $3, $5, $7, $8, $10 }' "$f"
    done
} > summary.tsv
for d in 1 2 10; do
    awk -F'\t' -v d=$d '/exact transitions/ { sub(/.*cyclic\); /, ""); print "MixedNet d = " d ": " $0 }' mixed-d$d.tsv
done
for f in fig1-seqnet.tsv fig1-d2.tsv; do
    awk -F'\t' -v f=$f '!/^#/ && $1 != "model" { print f ": N " $3 ", P " $4 ", transitions exact " $7 ", replay exact " $8 }' "$f"
done
cat summary.tsv
