#!/bin/bash
# Redraw the figures of papers/hopfield1984-graded from the TSVs beside this script (run.sh calls it after
# measuring; `make plots` calls it alone).
set -euo pipefail
cd "$(dirname "$0")"
gnuplot -e "in='beta-4.tsv'; out='figure'" ../../plots/hopfield-ct.gp
