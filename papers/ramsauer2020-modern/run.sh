#!/bin/bash
# Ramsauer et al. (2020): the modern Hopfield network retrieves a stored pattern with one update, with an
# exponentially small error (Theorem 5), and has three kinds of fixed points: global averages (small
# beta), metastable states averaging a subset of patterns, and single patterns (large beta).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
# Independent random patterns: one-step retrieval and the Theorem 5 bound.
"$BIN/retrieval-beta" --d 256 --M 100,1000,10000 --trials 5 --cues 20 --noise 0.02 --seed 1 --quiet --out random.tsv
# Ten clusters of similar patterns: the metastable regime between the other two.
"$BIN/retrieval-beta" --d 256 --M 1000 --clusters 10 --cluster-flip 0.1 --trials 5 --cues 20 --noise 0.02 --seed 1 \
    --quiet --out clusters.tsv
./plot.sh
grep -v '^#' random.tsv | cut -f2,3,7,8,9,10,11,12,16
grep -v '^#' clusters.tsv | cut -f3,7,8,12-17
