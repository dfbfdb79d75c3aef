#!/bin/bash
# The engram pipeline on Fashion-MNIST (Xiao et al. 2017): images -> autoencoder latents -> a store ->
# recall from corrupted views -> decoded images. Trains the W4 autoencoder (784-256-64-256-784, ReLU,
# sigmoid output, MSE, Adam 1e-3, batch 128) for 10 epochs, then runs the pipeline with it and with a
# 64-component PCA for classical (Hebb), dense (Krotov-Hopfield, F = x^3) and modern (beta = 100) stores;
# then the same with convolutional front-ends (am/cnn.h): the W10 classifier-encoder (its 64-unit penultimate
# layer; it does not decode) and a convolutional autoencoder with a 64-unit code.
# AM_THREADS=T trains with T threads (the models are the same bits at any count).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
threads=${AM_THREADS:+--threads $AM_THREADS}
"$BIN/autoencoder" train --epochs 10 --seed 1 --quiet --model ae.model --out ae-loss.tsv
"$BIN/autoencoder" eval --model ae.model --grid figure-ae-reconstructions --grid-rows 3 --quiet --out ae-eval.tsv
common="--M 10,30,100,300,1000 --cues 200 --corrupt noise:0.3,occlude:14,class --seed 1 --quiet"
"$BIN/latent-recall" --encoder ae.model --store modern,hopfield,dense --code continuous,sign $common \
    --grid figure-grid-mlp --out mlp.tsv
"$BIN/latent-recall" --store modern,hopfield,dense --code continuous,sign $common --grid figure-grid-pca --out pca.tsv
# A denoising autoencoder (Gaussian input noise of sd 0.3 in training): latents that survive pixel noise.
"$BIN/autoencoder" train --epochs 10 --noise 0.3 --seed 1 --quiet --model dae.model --out dae-loss.tsv
"$BIN/latent-recall" --encoder dae.model --store modern,dense --code continuous,sign $common --grid figure-grid-dae \
    --out dae.tsv
# Convolutional front-ends: the classifier-encoder trained on the labels (cross-entropy, the default
# --arch of autoencoder train --kind cnn) and the convolutional autoencoder (MSE, its default --arch).
"$BIN/autoencoder" train --kind cnn --epochs 2 --seed 1 $threads --quiet --model cnn.model --out cnn-loss.tsv
"$BIN/latent-recall" --encoder cnn.model --store modern,hopfield,dense --code continuous,sign $common \
    --grid figure-grid-cnn --out cnn.tsv
"$BIN/autoencoder" train --kind cnn --loss mse --epochs 2 --seed 1 $threads --quiet --model cae.model --out cae-loss.tsv
"$BIN/latent-recall" --encoder cae.model --store modern,hopfield,dense --code continuous,sign $common \
    --grid figure-grid-cae --out cae.tsv
./plot.sh
rm -f ae.model dae.model cnn.model cae.model
tail -n 2 ae-loss.tsv | cut -f1,3,4,6
tail -n 2 cnn-loss.tsv | cut -f1,3,4,5
tail -n 2 cae-loss.tsv | cut -f1,3,4
for f in pca mlp dae cae cnn; do
    echo "== $f: store code M corruption item_recall class_recall mse_recalled item_nn mse_cue"
    awk -F'\t' '!/^#/ && ($4 == 1000 || $4 == 10) { print $1, $2, $4, $5, $8, $9, $10, $11, $13 }' $f.tsv
done
