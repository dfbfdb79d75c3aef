#!/bin/bash
# Redraw papers/melody-engram/figure.png from the TSVs beside this script (run.sh calls it after measuring).
set -euo pipefail
cd "$(dirname "$0")"
gnuplot ../../plots/melody.gp
