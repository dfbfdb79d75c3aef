#!/bin/bash
# summary.tsv: the figures papers/melody-engram/README.md quotes, from the TSVs beside this script.
set -euo pipefail
cd "$(dirname "$0")"
row() { grep -v '^#' "$1" | awk -F'\t' -v OFS='\t' -v what="$2" "$3"; }
{
    printf 'experiment\tsetting\ttunes\tcue\tnote_acc\tpitch_acc\texact_rate\tbeats_before_error\n'
    for f in store-h1 store-h4 store-h16 store-h16-ctx store-h32-ctx models-*-ctx0.tsv models-*-ctx64.tsv shared-*-ctx0.tsv \
             shared-*-ctx64.tsv; do
        f=${f%.tsv}
        row "$f.tsv" "$f" 'NR > 1 { print what, $1 " " $2 " " $3, $5, $7, $8, $9, $10, $11 }'
    done
} > summary.tsv
{
    printf 'experiment\tlearner\thidden\ttunes\ttf_pitch_acc\ttf_note_acc\tfr_pitch_acc\tfr_note_acc\tbeats_before_error\n'
    for f in engram-5 engram-10 engram-10-nocontext; do
        row "$f.tsv" "$f" 'NR > 1 { print what, $1 ($2 == "-" ? "" : " " $2), $3, $4, $6, $7, $8, $9, $10 }'
    done
} > summary-engram.tsv
{
    printf 'experiment\tscorer\tnovel\tauc\taccuracy\tdprime\n'
    for f in familiarity-h1 familiarity-h4; do
        row "$f.tsv" "$f" 'NR > 1 { print what, $1, $2, $5, $6, $8 }'
    done
} > summary-familiarity.tsv
