#!/bin/bash
# McEliece, Posner, Rodemich & Venkatesh (1987) / Hopfield (1982): fraction of stored patterns that are
# fixed points, and fraction of unstable bits, versus P at N = 1000, beside exp(-N Q(sqrt(N/P))) and
# Q(sqrt(N/P)).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
P=$(seq -s, 10 10 250)
"$BIN/capacity" --rule hebb --N 1000 --P "$P" --trials 20 --cues 1 --seed 1 --quiet --out measured.tsv
"$BIN/theory" --N 1000 --P "$(seq -s, 5 1 250)" --quiet --out theory.tsv
./plot.sh
