#!/bin/bash
# Redraw the figures of papers/xor-motif from the TSVs beside this script (run.sh calls it after
# measuring; `make plots` calls it alone).
set -euo pipefail
cd "$(dirname "$0")"
gnuplot ../../plots/xor-motif.gp
