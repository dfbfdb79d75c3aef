#!/bin/bash
# Redraw the figures of papers/concept-cells from the TSVs beside this script (run.sh calls it after
# measuring; `make plots` calls it alone).
set -euo pipefail
cd "$(dirname "$0")"
gnuplot ../../plots/concept-cells.gp
