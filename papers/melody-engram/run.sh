#!/bin/bash
# Melodies in memory (issue 23): the public-domain tunes of data/tunes/traditional.abc stored in the sequence
# stores and recalled from their first bar (against the number of tunes and the encoding; which model tells
# apart tunes that share phrases), learned by the excitatory/inhibitory XOR melody engram of the XOR-motif
# paper beside a backprop network of the same size, and told apart from tunes never heard (familiarity).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
M="$BIN/melody"
TUNES=../../data/tunes/traditional.abc
common="--tunes $TUNES --seed 1 --quiet"
# 1. The encoding: how much of the past a pattern holds (--history steps of an eighth note) and a context code
#    per tune, modern sequence store, 1 .. 39 tunes, from the first bar and from a corrupted one (10 % flipped).
for h in 1 4 16; do
    "$M" capacity $common --history $h --stored 1,5,10,20,39 --out store-h$h.tsv
done
"$M" capacity $common --history 16 --context 64 --stored 1,5,10,20,39 --out store-h16-ctx.tsv
"$M" capacity $common --history 32 --context 64 --stored 1,5,10,20,39 --cues first-bar --out store-h32-ctx.tsv
# 2. The models at 16 steps of history, all 39 tunes, with and without a context code.
models="--model seq-modern,seq-dense,seq-hebb,seq-mixed"
for ctx in 0 64; do
    "$M" capacity $common --history 16 --context $ctx --stored 39 --cues first-bar \
        --model seq-modern --out models-modern-ctx$ctx.tsv
    "$M" capacity $common --history 16 --context $ctx --stored 39 --cues first-bar \
        --model seq-dense --F exp,poly --degree 3 --out models-dense-ctx$ctx.tsv
    "$M" capacity $common --history 16 --context $ctx --stored 39 --cues first-bar \
        --model seq-hebb --out models-hebb-ctx$ctx.tsv
    "$M" capacity $common --history 16 --context $ctx --stored 39 --cues first-bar \
        --model seq-mixed --tau 1 --F exp --out models-mixed-ctx$ctx.tsv
done
# The pseudo-inverse rule (about 7 minutes: a pivoted Cholesky of 3,701 x 3,701), without a tune code only.
"$M" capacity $common --history 16 --stored 39 --cues first-bar --model seq-pinv --out models-pinv-ctx0.tsv
# 3. Shared phrases: Twinkle Twinkle, Baa Baa Black Sheep and the Alphabet Song (the first three tunes: one
#    melody under three rhythms) alone, 32 steps of history (each replays whole when stored alone), with and
#    without a context code; the exponential and modern stores against polynomial degrees 3, 10, 30.
for ctx in 0 64; do
    "$M" capacity $common --history 32 --context $ctx --stored 3 --cues first-bar \
        --model seq-modern --out shared-modern-ctx$ctx.tsv
    "$M" capacity $common --history 32 --context $ctx --stored 3 --cues first-bar \
        --model seq-dense --F exp,poly --degree 3,10,30 --out shared-dense-ctx$ctx.tsv
    "$M" capacity $common --history 32 --context $ctx --stored 3 --cues first-bar \
        --model seq-mixed --tau 1 --F exp --out shared-mixed-ctx$ctx.tsv
done
# 4. The melody engram against hidden size: 5 and 10 tunes, one bit per pitch (range code), 40 epochs,
#    XOR rule (fixed expansion), feedback alignment, backprop, and the modern store on the same code.
for t in 5 10; do
    "$M" engram $common --stored $t --hidden 128,256,512,1024 --epochs 40 --out engram-$t.tsv --curve curves-$t.tsv
done
"$M" engram $common --stored 10 --hidden 1024 --epochs 40 --learners xor --no-context --out engram-10-nocontext.tsv
# 5. Familiarity: half the tunes stored, the other half and the stored ones with shuffled pitches as novel.
"$M" familiarity $common --history 4 --out familiarity-h4.tsv --scores familiarity-h4-scores.tsv
"$M" familiarity $common --history 1 --out familiarity-h1.tsv
./summary.sh
./plot.sh
