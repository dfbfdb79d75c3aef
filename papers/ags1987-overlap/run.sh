#!/bin/bash
# Amit, Gutfreund & Sompolinsky (1987): retrieval overlap of the Hebbian network versus load, started
# from the stored pattern itself (noise 0), at N = 1000, 2000, 4000, beside the T=0 replica theory.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
for N in 1000 2000 4000; do
    "$BIN/capacity" --rule hebb --N $N --alpha 0.06:0.2:0.01 --trials 5 --cues 20 --noise 0 --seed 1 \
        --quiet --out overlap-N$N.tsv
done
"$BIN/theory" --N 1000 --alpha 0.002:0.2:0.002 --quiet --out theory.tsv
./plot.sh
