#!/bin/bash
# Redraw the figures of papers/ramsauer2020-modern from the TSVs beside this script (run.sh calls it after
# measuring; `make plots` calls it alone).
set -euo pipefail
cd "$(dirname "$0")"
gnuplot -e "in='random.tsv'; out='figure-random'" ../../plots/retrieval-beta.gp
gnuplot -e "in='clusters.tsv'; out='figure-clusters'" ../../plots/retrieval-beta.gp
