#!/bin/bash
# The committed results of papers/ are what the programs compute today, under either OpenBLAS setting: a few
# rows of each paper's TSVs rerun (one sweep point: every (point, trial) job has its own random stream, which
# depends only on --seed and the point, so one point alone reproduces its row) and their data lines (every
# line not starting with '#': the header row and the selected rows) compared byte for byte with the committed
# file's, with OPENBLAS_CORETYPE=Haswell and with it unset (OpenBLAS then picks the CPU's own kernels).
#
# One line per check below, fields separated by '|':
#   paper   a folder in papers/
#   TSV     the committed file in that folder
#   rows    which of its data rows the command reproduces: "all", or COLUMN=VALUE ... (by the header's
#           column names, compared as text; every pair must hold)
#   command a program in bin/ and its arguments, split at blanks (no shell), run in papers/PAPER; --quiet
#           --out FILE are added. An argument naming a path (a '/' in it) that is missing, such as the
#           C. elegans data in ../shared, skips the check.
# Add a check by adding a line (keep each under a second or two: the whole test takes seconds).
# The float paths are in too: the modern store, Storkey and pseudo-inverse weights go through libam's own
# fixed-order products (no OpenBLAS float kernel reaches an output), so their rows reproduce under either setting.
set -u
BIN=${AM_BIN:-bin}
cd "$(dirname "$0")/.."
BIN=$(cd "$BIN" && pwd)
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

CHECKS=$(cat <<'EOF'
ags1987-overlap           | overlap-N1000.tsv  | P=100             | capacity --rule hebb --N 1000 --P 100 --trials 5 --cues 20 --noise 0 --seed 1
ags1987-overlap           | overlap-N4000.tsv  | P=560             | capacity --rule hebb --N 4000 --P 560 --trials 5 --cues 20 --noise 0 --seed 1
mceliece1987-fixed-points | measured.tsv       | P=100             | capacity --rule hebb --N 1000 --P 100 --trials 20 --cues 1 --seed 1
krotov2016-dense          | n2.tsv             | P=20              | capacity --model dense --F poly --degree 2 --N 100 --P 20 --trials 40 --cues 5 --seed 1
krotov2016-dense          | n3.tsv             | P=400             | capacity --model dense --F poly --degree 3 --N 100 --P 400 --trials 20 --cues 5 --seed 1
demircigil2017-exp        | N20.tsv            | P=256             | capacity --model dense --F exp --N 20 --P 256 --trials 5 --cues 20 --stability-patterns 300 --seed 1
storkey1997-capacity      | capacity-N200.tsv  | rule=hebb P=30    | capacity --rule hebb --N 200 --P 30 --trials 40 --cues 1 --seed 1
storkey1997-capacity      | capacity-N200.tsv  | rule=storkey P=60 | capacity --rule storkey --N 200 --P 60 --trials 40 --cues 1 --seed 1
pinv-projection           | noise-0.2.tsv      | P=160             | capacity --rule pinv --N 200 --P 160 --trials 5 --cues 40 --noise 0.2 --seed 1
ramsauer2020-modern       | random.tsv         | M=100             | retrieval-beta --d 256 --M 100 --trials 5 --cues 20 --noise 0.02 --seed 1
ramsauer2020-modern       | random.tsv         | M=1000            | retrieval-beta --d 256 --M 1000 --trials 5 --cues 20 --noise 0.02 --seed 1
familiarity               | capacity-N100.tsv  | P=57              | familiarity capacity --N 100 --P 57 --trials 3 --familiar 100 --novel 200 --seed 1
familiarity               | capacity-flip.tsv  | P=113             | familiarity capacity --N 200 --P 113 --flip 0.1 --trials 3 --familiar 100 --novel 200 --seed 1
chaudhry2023-sequences    | poly12.tsv         | config=poly2 N=30 | sequence capacity --model seq-dense --degree 2 --N 30 --trials 10 --seed 1
chaudhry2023-sequences    | mixed-d2.tsv       | all               | sequence replay --model seq-mixed --degree 2 --tau 5 --lambda 2.5 --patterns random --count 40 --size 10x10 --flip 0 --steps 200 --seed 1
hopfield1984-graded       | beta-4.tsv         | all               | spiking hopfield-ct --N 200 --P 10 --beta 4 --tau 10 --dt 0.1 --time 300 --noise 0.2 --seed 1
xor-motif                 | truth.tsv          | all               | xor-motif truth
xor-motif                 | robust.tsv         | bg_rate_hz=20     | xor-motif robust --seeds 200 --values 20
xor-motif                 | celegans-count.tsv | all               | connectome count --edges ../../../shared/data/celegans/herm_full_edgelist.csv --neurons ../../../shared/data/celegans/owmeta_cache.json
xor-motif                 | celegans-top.tsv   | all               | connectome top --edges ../../../shared/data/celegans/herm_full_edgelist.csv --neurons ../../../shared/data/celegans/owmeta_cache.json --top 30
EOF
)

# The committed file's header row and the rows the selector picks (stdout); exit 1 when it picks none.
committed_rows() {
    awk -F'\t' -v sel="$2" '
        BEGIN { ns = split(sel, s, " ") }
        /^#/ { next }
        !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; print; next }
        {
            if (sel != "all")
                for (k = 1; k <= ns; k++) {
                    eq = index(s[k], "="); name = substr(s[k], 1, eq - 1)
                    if (!eq || !(name in c) || $c[name] != substr(s[k], eq + 1)) next
                }
            print; found = 1
        }
        END { exit !found }' "$1"
}

trim() { local v=${1#"${1%%[![:space:]]*}"}; printf '%s' "${v%"${v##*[![:space:]]}"}"; }

# Under the sanitizers (make SANITIZE=... check) the rows are rerun under the environment's setting only: the
# sanitized programs are checked on real commands, and the plain check compares the two kernel sets.
SETTINGS="Haswell unset"
case "${AM_SANFLAGS:-}" in *sanitize*) SETTINGS=${OPENBLAS_CORETYPE:-unset} ;; esac
while IFS='|' read -r paper tsv rows cmd; do
    paper=$(trim "$paper"); tsv=$(trim "$tsv"); rows=$(trim "$rows")
    read -ra argv <<< "$cmd"
    file=papers/$paper/$tsv
    missing=
    for a in "${argv[@]:1}"; do
        [[ $a == */* ]] && [ ! -e "papers/$paper/$a" ] && missing=$a
    done
    if [ -n "$missing" ]; then
        for setting in $SETTINGS; do
            n=$((n+1)); echo "ok $n # skip $paper/$tsv: $missing is missing"
        done
        continue
    fi
    if ! committed_rows "$file" "$rows" > "$tmp/want"; then
        ok 1 "$paper/$tsv: the selector '$rows' picks no row (or the file is missing)"
        continue
    fi
    for setting in $SETTINGS; do
        if [ $setting = unset ]; then e=(env -u OPENBLAS_CORETYPE); else e=(env OPENBLAS_CORETYPE=$setting); fi
        rm -f "$tmp/out"
        (cd "papers/$paper" && "${e[@]}" "$BIN/${argv[0]}" "${argv[@]:1}" --quiet --out "$tmp/out") 2> "$tmp/err"
        grep -v '^#' "$tmp/out" > "$tmp/got" 2> /dev/null
        cmp -s "$tmp/want" "$tmp/got"
        r=$?
        ok $r "$paper/$tsv ($rows), OPENBLAS_CORETYPE=$setting: ${argv[0]} ${argv[*]:1}"
        if [ $r != 0 ]; then
            sed 's/^/# /' "$tmp/err"
            diff "$tmp/want" "$tmp/got" | head -20 | sed 's/^/# /'
        fi
    done
done <<< "$CHECKS"

echo "1..$n"
exit $((failed > 0))
