#!/bin/bash
# Redraw the figures of papers/storkey1997-capacity from the TSVs beside this script (run.sh calls it after
# measuring; `make plots` calls it alone).
set -euo pipefail
cd "$(dirname "$0")"
gnuplot ../../plots/storkey.gp
