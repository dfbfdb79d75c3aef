#!/bin/bash
# Redraw the figures of papers/latent-memory from the TSVs beside this script (run.sh calls it after
# measuring; `make plots` calls it alone).
set -euo pipefail
cd "$(dirname "$0")"
gnuplot -e "in='ae-loss.tsv'; out='figure-ae-loss'" ../../plots/autoencoder-loss.gp
gnuplot -e "in='dae.tsv'; out='figure-recall-dae'" ../../plots/latent-recall.gp
gnuplot -e "in='mlp.tsv'; out='figure-recall-mlp'" ../../plots/latent-recall.gp
gnuplot -e "in='pca.tsv'; out='figure-recall-pca'" ../../plots/latent-recall.gp
