#!/bin/bash
# Redraw the figure of papers/familiarity from the TSVs beside this script (run.sh calls it after measuring;
# `make plots` calls it alone).
set -euo pipefail
cd "$(dirname "$0")"
gnuplot ../../plots/familiarity.gp
