#!/bin/bash
# Familiarity: matching for prediction. Recognition (seen before or novel) from the energy of a classical
# Hopfield store, beside recall, against the load P for N = 100, 200, 400 (Hebb; Storkey and pseudo-inverse
# at N = 200; familiar cues with 10% of bits flipped at N = 200), and Fashion-MNIST images seen vs unseen and
# vs held-out classes, scored by a store over pixel and latent codes and by a PCA's reconstruction error.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
F="$BIN/familiarity"
# P from 5 up to N^2 / 2, factor sqrt(2) apart
sweep() { awk -v n="$1" 'BEGIN { s = ""; for (p = 5; p <= n * n / 2; p *= sqrt(2)) { q = int(p + 0.5); if (q != last) s = s (s ? "," : "") q; last = q } print s }'; }
for N in 100 200 400; do
    "$F" capacity --N $N --P "$(sweep $N)" --trials 3 --familiar 100 --novel 200 --seed 1 --quiet --out capacity-N$N.tsv
done
"$F" capacity --N 200 --P "$(sweep 200)" --flip 0.1 --trials 3 --familiar 100 --novel 200 --seed 1 --quiet --out capacity-flip.tsv
"$F" capacity --rule storkey,pinv --N 200 --P "$(sweep 60)" --trials 3 --familiar 100 --novel 200 --seed 1 --quiet --out capacity-rules.tsv
"$F" images --M 500,2000,10000 --cues 500 --noise 0.1 --seed 1 --quiet --out images.tsv
./summary.sh
./plot.sh
