#!/bin/bash
# Concept cells: Fashion-MNIST pictures, their words and their spoken names bound into concept nodes
# (the engram system's fourth part), recalled across modalities with three binding mechanisms, beside the
# nearest-neighbour baselines and the MLP latents; and the capacity of each mechanism against exact
# nearest-neighbour search and theory. The speech data, WAVs and models go to a cache outside the repository
# ($AM_CACHE, default $TMPDIR/libam-speech, with -concepts appended).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
CACHE=${AM_CACHE:-${TMPDIR:-/tmp}/libam-speech}-concepts
# Training voices: speech-data's twelve and 36 more espeak-ng variants, each with one of the six accents in
# turn, x 3 speeds x 3 pitches (4320 utterances; en-gb-scotland+edward is not among them: it clips).
# Held out (430): flite kal16, awb, slt x duration stretch 0.8, 1, 1.25 x f0 shift 0.85, 1, 1.2, and espeak-ng
# voices of accents and variants never trained on x speeds 145, 205 x pitches 42, 72. (flite's rms ignores
# f0_shift, and speech-data refuses copies.)
VOICES=en-us+m1,en-us+m3,en-us+f2,en-us+f4,en+m2,en+m5,en+f1,en+f3,en-gb-scotland+m4,en-gb-x-rp+m6,en-029+m7,en-us-nyc+f5
VOICES=$VOICES,en+adam,en-us+Alex,en-gb-scotland+Alicia,en-gb-x-rp+Andrea,en-029+Andy,en-us-nyc+antonio,en+aunty
VOICES=$VOICES,en-us+belinda,en-gb-scotland+benjamin,en-gb-x-rp+boris,en-029+caleb,en-us-nyc+david,en+Denis,en-us+ed
VOICES=$VOICES,en-gb-scotland+rob,en-gb-x-rp+Gene,en-029+gustave,en-us-nyc+Henrique,en+Hugo,en-us+iven
VOICES=$VOICES,en-gb-scotland+Jacky,en-gb-x-rp+john,en-029+Lee,en-us-nyc+linda,en+marcelo,en-us+Marco
VOICES=$VOICES,en-gb-scotland+max,en-gb-x-rp+Michael,en-029+miguel,en-us-nyc+pablo,en+paul,en-us+quincy
VOICES=$VOICES,en-gb-scotland+robert,en-gb-x-rp+travis,en-029+victor,en-us-nyc+zac
[ -f "$CACHE/test-spectrograms.idx" ] && [ -d "$CACHE/wav" ] && [ -f utterances.tsv ] ||
    "$BIN/speech-data" --cache "$CACHE" --voices "$VOICES" --test-voices kal16,awb,slt --test-stretches 0.8,1,1.25 \
        --test-f0-shifts 0.85,1,1.2 --test-espeak-voices en-gb-x-gbclan+m8,en-gb-x-gbcwmd+Annie,en-us+klatt,en-us+steph \
        --test-speeds 145,205 --test-pitches 42,72 --keep-wav --seed 1 --quiet --out utterances.tsv
SPEECH="--images $CACHE/train-spectrograms.idx --labels $CACHE/train-labels.idx --test-images $CACHE/test-spectrograms.idx
        --test-labels $CACHE/test-labels.idx"
# The front-ends, trained here with fixed seeds: convolutional classifier-encoders whose 64-unit penultimate
# layer is the latent (pictures: the default network of autoencoder train --kind cnn, conv32, conv64, 8
# epochs; spectrograms as 1x64x40 images: conv32, conv64, conv64, 8 epochs), and the MLP autoencoders of the
# earlier runs as the baseline (pictures 784-256-64-256-784, 10 epochs; sounds 2560-256-32-256-2560, 40 epochs).
[ -f "$CACHE/fashion.cnn" ] || "$BIN/autoencoder" train --kind cnn --epochs 8 --seed 1 --model "$CACHE/fashion.cnn" --quiet --out fashion-cnn.tsv
# shellcheck disable=SC2086
[ -f "$CACHE/speech.cnn" ] || "$BIN/autoencoder" train --kind cnn $SPEECH \
    --arch conv32k3p1,bn,relu,maxpool2,conv64k3p1,bn,relu,maxpool2,conv64k3p1,bn,relu,maxpool2,flat,fc64,relu,fc10 \
    --epochs 8 --batch 32 --seed 1 --model "$CACHE/speech.cnn" --quiet --out speech-cnn.tsv
[ -f "$CACHE/fashion.ae" ] || "$BIN/autoencoder" train --seed 1 --quiet --model "$CACHE/fashion.ae" --out /dev/null
# shellcheck disable=SC2086
[ -f "$CACHE/speech.ae" ] || "$BIN/autoencoder" train $SPEECH --layers 2560,256,32,256,2560 --epochs 40 --batch 32 \
    --seed 1 --threads 1 --model "$CACHE/speech.ae" --quiet --out /dev/null
"$BIN/concept-cells" trimodal --speech-cache "$CACHE" --image-model "$CACHE/fashion.cnn" --speech-model "$CACHE/speech.cnn" \
    --baseline-image-model "$CACHE/fashion.ae" --baseline-speech-model "$CACHE/speech.ae" \
    --triples 6000 --test 2000 --seed 1 --prefix concepts --sound-dir "$CACHE/recalled" --quiet --out trimodal.tsv
"$BIN/concept-cells" capacity --N 10,30,100,300,1000,3000,10000 --d 64 --noise 1.5 --queries 2000 --hrr-dim 256 \
    --bits 128 --seed 1 --quiet --out capacity.tsv
./plot.sh
echo "sounds recalled from pictures: $CACHE/recalled/recalled-<class>.wav"
awk -F'\t' '$1 == "baseline" && $2 == "nn" { printf "nearest learned %-6s in %-14s -> class %s (n=%s)\n", $3, $5, $7, $6 }
            $1 == "baseline" && $2 == "kv" { printf "MLP   %-6s -> %-6s recall@1 %s (n=%s)\n", $3, $4, $7, $6 }
            $1 == "direction" && $2 == "kv" { printf "conv  %-6s -> %-6s recall@1 %s recall@5 %s read-out %s (n=%s)\n", $3, $4, $7, $8, $9, $6 }' trimodal.tsv
grep '^# .*largest N' capacity.tsv
