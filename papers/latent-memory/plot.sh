#!/bin/bash
# Redraw the figures of papers/latent-memory from the TSVs beside this script (run.sh calls it after
# measuring; `make plots` calls it alone).
set -euo pipefail
cd "$(dirname "$0")"
gnuplot -e "in='ae-loss.tsv'; out='figure-ae-loss'" ../../plots/autoencoder-loss.gp
gnuplot -e "in='dae.tsv'; out='figure-recall-dae'" ../../plots/latent-recall.gp
gnuplot -e "in='mlp.tsv'; out='figure-recall-mlp'" ../../plots/latent-recall.gp
gnuplot -e "in='pca.tsv'; out='figure-recall-pca'" ../../plots/latent-recall.gp
gnuplot -e "in='cae.tsv'; out='figure-recall-cae'" ../../plots/latent-recall.gp
gnuplot -e "in='cnn.tsv'; out='figure-recall-cnn'" ../../plots/latent-recall.gp
# every front-end side by side: the modern store on continuous codes, the dense store on sign codes
gnuplot -e "files='pca.tsv mlp.tsv dae.tsv cae.tsv cnn.tsv'; labels='PCA MLP-AE denoising-AE conv-AE conv-classifier'; \
    pairs='modern/continuous dense/sign'; out='figure-frontends'" ../../plots/latent-frontends.gp
