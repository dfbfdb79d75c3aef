#!/bin/bash
# Concept cells: Fashion-MNIST pictures, their words and their spoken names bound into concept nodes
# (the engram system's fourth part), recalled across modalities with three binding mechanisms; and the
# capacity of each mechanism against exact nearest-neighbour search and theory. The speech data and WAVs go
# to a cache outside the repository ($AM_CACHE, default $TMPDIR/libam-speech, with -wav appended).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
CACHE=${AM_CACHE:-${TMPDIR:-/tmp}/libam-speech}-wav
[ -f "$CACHE/test-spectrograms.idx" ] && [ -d "$CACHE/wav" ] ||
    "$BIN/speech-data" --cache "$CACHE" --keep-wav --seed 1 --quiet --out /dev/null
# The front-ends: the autoencoders of the other experiments (pictures: 784-256-64-256-784, 10 epochs;
# sounds: 2560-256-32-256-2560 on the espeak-ng spectrograms, 40 epochs), trained here with fixed seeds.
[ -f "$CACHE/fashion.ae" ] || "$BIN/autoencoder" train --seed 1 --quiet --model "$CACHE/fashion.ae" --out /dev/null
[ -f "$CACHE/speech.ae" ] || "$BIN/autoencoder" train --images "$CACHE/train-spectrograms.idx" \
    --labels "$CACHE/train-labels.idx" --test-images "$CACHE/test-spectrograms.idx" --test-labels "$CACHE/test-labels.idx" \
    --layers 2560,256,32,256,2560 --epochs 40 --batch 32 --seed 1 --threads 1 --model "$CACHE/speech.ae" --quiet --out /dev/null
"$BIN/concept-cells" trimodal --speech-cache "$CACHE" --image-model "$CACHE/fashion.ae" --speech-model "$CACHE/speech.ae" \
    --triples 6000 --test 2000 --seed 1 --prefix concepts --sound-dir "$CACHE/recalled" --quiet --out trimodal.tsv
"$BIN/concept-cells" capacity --N 10,30,100,300,1000,3000,10000 --d 64 --noise 1.5 --queries 2000 --hrr-dim 256 \
    --bits 128 --seed 1 --quiet --out capacity.tsv
./plot.sh
echo "sounds recalled from pictures: $CACHE/recalled/recalled-<class>.wav"
awk -F'\t' '$1 == "direction" { printf "%-5s %-6s -> %-6s recall@1 %s recall@5 %s read-out %s (n=%s)\n", $2, $3, $4, $7, $8, $9, $6 }' trimodal.tsv
grep '^# .*largest N' capacity.tsv
