#!/bin/bash
# The speech modality as data for the engram papers (not a reproduction): the ten Fashion-MNIST class names
# spoken by 108 espeak-ng voices (training) and 4 flite voices (held out), an autoencoder trained on their
# log-mel spectrograms, and the figure: held-out spectrograms beside their reconstructions. The data set and
# the WAV files go to a cache outside the repository ($AM_CACHE, default $TMPDIR/libam-speech).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
CACHE=${AM_CACHE:-${TMPDIR:-/tmp}/libam-speech}
"$BIN/speech-data" --cache "$CACHE" --seed 1 --quiet --out utterances.tsv
"$BIN/autoencoder" train --images "$CACHE/train-spectrograms.idx" --labels "$CACHE/train-labels.idx" \
    --test-images "$CACHE/test-spectrograms.idx" --test-labels "$CACHE/test-labels.idx" \
    --layers 2560,256,32,256,2560 --epochs 40 --batch 32 --seed 1 --threads 1 --model "$CACHE/speech.ae" --quiet --out loss.tsv
# One held-out utterance of each word (flite voice kal16 is the first of each word's four).
idx=$(seq -s, 0 4 39)
"$BIN/spectrogram" grid --cache "$CACHE" --split test --index "$idx" --model "$CACHE/speech.ae" --prefix figure --quiet --out grid.tsv
"$BIN/spectrogram" listen --cache "$CACHE" --split test --index 28,32 --model "$CACHE/speech.ae" --prefix "$CACHE/heard" \
    --quiet --out listen.tsv
grep -v '^#' loss.tsv | tail -1 | awk -F'\t' '{ printf "autoencoder after %d epochs: train loss %s, held-out voices MSE %s\n", $1, $3, $4 }'
echo "listen: WAV files in $CACHE (heard-test-*.wav)"
