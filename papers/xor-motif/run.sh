#!/bin/bash
# Marco de Lucas, Lloret Iglesias, Peña Fernández (2024), "Implementing engrams from a machine learning
# perspective: XOR as a basic motif", and the authors' signed-XOR follow-up: the six-neuron E/I switch with
# its signed readouts on libam's spiking engine (checked against Brian2), the signed XOR error as a learning
# rule, and the motif in the C. elegans connectome against a degree-preserving null model.
#   AM_CELEGANS: the folder holding c302's herm_full_edgelist.csv and owmeta_cache.json
#   AM_QUICK=1: a smaller learning run (for a smoke test)
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
CE=${AM_CELEGANS:-../../../shared/data/celegans}
PY=/usr/bin/python3
q=(--quiet)

# the circuit
"$BIN/xor-motif" truth --raster raster.tsv "${q[@]}" --out truth.tsv
"$BIN/xor-motif" truth --readout inputs "${q[@]}" --out truth-inputs.tsv
"$BIN/xor-motif" robust --seeds 200 --values 0,5,10,20,40,80 "${q[@]}" --out robust.tsv
"$BIN/xor-motif" robust --seeds 200 --values 0,5,10,20,40,80 --bg-weight 84 "${q[@]}" --out robust-w84.tsv
"$BIN/xor-motif" tau --values 0.5:20:0.5 "${q[@]}" --out tau.tsv
"$BIN/xor-motif" graded --values 0:1:0.05 "${q[@]}" --out graded.tsv

# the same network in Brian2: identical spike counts? (truth table and graded sweep, 26 trials)
if [ -x $PY ] && $PY -c 'import brian2' 2> /dev/null; then
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && $PY "$OLDPWD/brian2_check.py") > brian2.tsv 2> /dev/null
    ("$BIN/xor-motif" truth --quiet; "$BIN/xor-motif" graded --values 0:1:0.1 --quiet) | grep -v '^#' | grep -v '^signal' |
        cut -f1-10 > "$tmp/libam.tsv"
    grep -v '^#' brian2.tsv | grep -v '^signal' > "$tmp/brian2.tsv"
    if cmp -s "$tmp/libam.tsv" "$tmp/brian2.tsv"; then
        echo "libam and Brian2: identical spike counts in all $(wc -l < "$tmp/libam.tsv") trials (8 roles each)" > brian2-check.txt
    else
        echo "libam and Brian2 DIFFER:" > brian2-check.txt
        diff "$tmp/libam.tsv" "$tmp/brian2.tsv" >> brian2-check.txt || true
    fi
    cat brian2-check.txt
else
    echo "(Brian2 check skipped: python3-brian missing; tools/install-deps --bench)"
fi

# learning with the signed XOR error
if [ "${AM_QUICK:-0}" = 1 ]; then
    learn=(--limit 5000 --test-limit 1000 --epochs 3)
else
    learn=(--epochs 10)
fi
"$BIN/xor-learn" fashion "${learn[@]}" --grid grid "${q[@]}" --out fashion.tsv
"$BIN/xor-learn" loop --epochs 60 "${q[@]}" --out loop.tsv
"$BIN/xor-learn" loop --epochs 60 --bg-rate 40 "${q[@]}" --out loop-noise40.tsv
"$BIN/xor-learn" loop --epochs 60 --bg-rate 80 "${q[@]}" --out loop-noise80.tsv

# the motif in C. elegans
if [ -f "$CE/herm_full_edgelist.csv" ] && [ -f "$CE/owmeta_cache.json" ]; then
    g=(--edges "$CE/herm_full_edgelist.csv" --neurons "$CE/owmeta_cache.json")
    "$BIN/connectome" count "${g[@]}" "${q[@]}" --out celegans-count.tsv
    "$BIN/connectome" top "${g[@]}" --top 30 "${q[@]}" --out celegans-top.tsv
    "$BIN/connectome" top "${g[@]}" --motif lateral --top 30 "${q[@]}" --out celegans-top-lateral.tsv
    "$BIN/connectome" top "${g[@]}" --motif signed-xor --top 30 "${q[@]}" --out celegans-top-signed.tsv
    "$BIN/connectome" list "${g[@]}" --max 200 "${q[@]}" --out celegans-instances.tsv
    "$BIN/connectome" null "${g[@]}" --graphs 1000 --attempts 100 --per-graph celegans-null-graphs.tsv "${q[@]}" \
        --out celegans-null.tsv
    grep -v '^#' celegans-null.tsv | column -t -s $'\t'
else
    echo "(C. elegans skipped: no c302 files at $CE; set AM_CELEGANS)"
fi
./plot.sh
