#!/bin/bash
# Concept cells: Fashion-MNIST pictures, their words and their spoken names bound into concept nodes
# (the engram system's fourth part), recalled across modalities with three binding mechanisms; and the
# capacity of each mechanism against exact nearest-neighbour search and theory. The speech data and WAVs go
# to a cache outside the repository ($AM_CACHE, default $TMPDIR/libam-speech, with -wav appended).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
CACHE=${AM_CACHE:-${TMPDIR:-/tmp}/libam-speech}-wav
[ -f "$CACHE/test-spectrograms.idx" ] && [ -d "$CACHE/wav" ] ||
    "$BIN/speech-data" --cache "$CACHE" --keep-wav --seed 1 --quiet --out /dev/null
"$BIN/concept-cells" trimodal --speech-cache "$CACHE" --triples 6000 --test 2000 --seed 1 --prefix concepts \
    --quiet --out trimodal.tsv
rm -f concepts-grid.dat concepts-grid.gp
"$BIN/concept-cells" capacity --N 10,30,100,300,1000,3000,10000 --d 64 --noise 1.5 --queries 2000 --hrr-dim 256 \
    --bits 128 --seed 1 --quiet --out capacity.tsv
gnuplot ../../plots/concept-cells.gp
awk -F'\t' '$1 == "direction" { printf "%-5s %-6s -> %-6s recall@1 %s recall@5 %s read-out %s (n=%s)\n", $2, $3, $4, $7, $8, $9, $6 }' trimodal.tsv
grep '^# .*largest N' capacity.tsv
