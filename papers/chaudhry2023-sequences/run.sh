#!/bin/bash
# Chaudhry, Zavatone-Veth, Krotov & Pehlevan (2023), "Long sequence Hopfield memory": the transition and
# sequence capacities P_T, P_S of the polynomial (f = x^d) and exponential sequence memories against N with
# their protocol (start at 2x theory, shrink by 0.99 until no transition errs), theory beside; SeqNet
# against d = 2 at N = 300, P = 100; MixedNet's timing (N = 100, tau = 5, P = 40, d = 1, 2, 10); moving
# Fashion-MNIST sprites, where only the exponential model recalls whole clips.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
S="$BIN/sequence"
"$S" capacity --model seq-dense --degree 1,2 --N 10,20,30,40,50,60,70,80,90,100 --trials 10 --seed 1 --quiet --out poly12.tsv
"$S" capacity --model seq-dense --degree 3 --N 10,20,30,40,50,60 --trials 10 --seed 1 --quiet --out poly3.tsv
"$S" capacity --model seq-dense --F exp --N 6,8,10,12,14 --trials 10 --seed 1 --quiet --out exp.tsv
"$S" capacity --model seq-hebb --N 300 --P 100 --noise 0 --trials 20 --seed 1 --quiet --out fig1-seqnet.tsv
"$S" capacity --model seq-dense --degree 2 --N 300 --P 100 --noise 0 --trials 20 --seed 1 --quiet --out fig1-d2.tsv
for d in 1 2 10; do
    "$S" replay --model seq-mixed --degree $d --tau 5 --lambda 2.5 --patterns random --count 40 --size 10x10 \
        --flip 0 --steps 200 --seed 1 --quiet --out mixed-d$d.tsv
done
"$S" moving --model seq-hebb --clips 10,100,1000,3000 --cues 100 --seed 1 --quiet --out moving-seqnet.tsv
"$S" moving --model seq-dense --degree 2,5 --clips 10,100,1000,3000 --cues 100 --seed 1 --quiet --out moving-poly.tsv
"$S" moving --model seq-dense --F exp --clips 10,100,1000,3000 --cues 100 --seed 1 --quiet --out moving-exp.tsv
./summary.sh
./plot.sh
