#!/bin/bash
# tools/bench-table: README.md's speed table is the one built from the committed bench/results.tsv (they cannot
# drift apart); on made-up results: one column per CPU and OpenBLAS setting, the latest value of a cell wins
# (by date, whatever the order of the lines), a value below its goal is printed as such, bad lines are refused
# with the file and line, and --update rewrites only what lies between the markers.
set -u
cd "$(dirname "$0")/.."
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# the interpreter make check was given (AM_PYTHON), else python3 on the PATH
PY=${AM_PYTHON:-python3}
if ! command -v "$PY" > /dev/null; then
    echo "1..0 # SKIP no python3 (tools/bench-table is a Python 3 script)"
    exit 0
fi
T=("$PY" tools/bench-table)

"${T[@]}" --check README.md bench/results.tsv > "$tmp/diff"; r=$?
ok $r "README.md's speed table is tools/bench-table's table of bench/results.tsv (else: tools/bench-table --update README.md)"
[ $r = 0 ] || sed 's/^/# /' "$tmp/diff"

# line FIELDS...: one results line of a made-up CPU "CPU A" / "CPU B"
line() { local IFS=$'\t'; echo "$*"; }
run() { # DATE CPU CORETYPE KERNELS WORKLOAD METRIC VALUE UNIT OP GOAL MET
    line "$1" c0ffee "$2" "Vendor family 1" avx2 "$4" "$3" 0 "$5" "$6" "$7" "$8" "$9" "${10}" "${11}" "make bench"
}
{
    "${T[@]}" --header
    run 2026-02-01T00:00:00Z "CPU A" Haswell Haswell W2 "kernel, % of sgemm" 94 % ">=" 85 yes
    run 2026-01-01T00:00:00Z "CPU A" Haswell Haswell W2 "kernel, % of sgemm" 70 % ">=" 85 no
    run 2026-01-01T00:00:00Z "CPU A" unset SkylakeX W4 "PyTorch / kernel" 2.4 x ">=" 3 no
    run 2026-01-01T00:00:00Z "CPU B" unset Zen W1 "numpy / program" 120.5 x ">=" 100 yes
    run 2026-01-01T00:00:00Z "CPU B" unset Zen W1 "program / kernel" 1.1 x "<=" 1.5 yes
    run 2026-01-01T00:00:00Z "CPU B" unset Zen W8 "peer / program" 5.3 x - - -
    run 2026-01-01T00:00:00Z "CPU B" unset Zen W10 "PyTorch / kernel" 2.1 x ">=" 2 yes
    run 2026-01-01T00:00:00Z "CPU B" unset Zen W9 "numpy / program" 31.0 x ">=" 30 yes
} > "$tmp/r.tsv"
"${T[@]}" "$tmp/r.tsv" > "$tmp/t.md"; ok $? "the table of made-up results is built"
head -1 "$tmp/t.md" | grep -qxF '| workload | measure | CPU A, OpenBLAS Haswell (OPENBLAS_CORETYPE=Haswell) | CPU A, OpenBLAS SkylakeX (its own choice) | CPU B, OpenBLAS Zen (its own choice) |'
ok $? "one column per CPU and OpenBLAS setting"
grep -qxF '| W2 | kernel, % of sgemm | 94 % (goal ≥ 85 %) ✓ | — | — |' "$tmp/t.md"
ok $? "the latest run's value wins (it comes first in the file), a met goal is ticked, an empty cell is —"
grep -qxF '| W4 | PyTorch / kernel | — | **2.4×** (goal ≥ 3×) ✗ | — |' "$tmp/t.md"
ok $? "a value below its goal is printed in bold with its goal and a cross"
grep -qxF '| W1 | program / kernel | — | — | 1.1× (goal ≤ 1.5×) ✓ |' "$tmp/t.md" &&
    grep -qxF '| W8 | peer / program | — | — | 5.3× |' "$tmp/t.md"
ok $? "an upper-bound goal, and a value without a goal"
awk -F' \\| ' '/^\| W/ { print $1 }' "$tmp/t.md" | tr -d '| ' | paste -sd' ' | grep -qx 'W1 W1 W2 W4 W8 W9 W10'
ok $? "rows in workload order (W10 after W9)"
grep -q '^- CPU A, OpenBLAS Haswell (OPENBLAS_CORETYPE=Haswell): Vendor family 1, flags avx2; runs: 2026-02-01T00:00:00Z, commit c0ffee\.$' "$tmp/t.md"
ok $? "each column's note names the runs its cells come from"

# refused: a short line, a goal whose met disagrees, a value that is not finite, an unknown unit
bad() { # LINE-TEXT WANTED-MESSAGE DESCRIPTION
    { "${T[@]}" --header; echo "$1"; } > "$tmp/bad.tsv"
    "${T[@]}" "$tmp/bad.tsv" > /dev/null 2> "$tmp/err"; local r=$?
    [ $r = 2 ] && grep -q "$2" "$tmp/err" && [ "$(wc -l < "$tmp/err")" = 1 ]
    ok $? "refused, one line, exit 2: $3 ($(cat "$tmp/err"))"
}
bad "$(line 2026 c CPU f avx2 Haswell Haswell 0 W1 m 1.0 x ">=" 2)" "bad.tsv, line 4: 14 fields, not 16" "a short line"
bad "$(run 2026 CPU unset Zen W1 m 1.0 x ">=" 2 yes)" "line 4: met is 'yes', but 1.0 >= 2 says no" "met contradicts the goal"
bad "$(run 2026 CPU unset Zen W1 m nan x ">=" 2 no)" "line 4: value 'nan' is not a finite number" "a NaN value"
bad "$(run 2026 CPU unset Zen W1 m 1 parsecs - - -)" "line 4: unit 'parsecs'" "an unknown unit"
"${T[@]}" "$tmp/none.tsv" > /dev/null 2> "$tmp/err"; r=$?
[ $r = 2 ] && grep -q "none.tsv: No such file or directory" "$tmp/err"
ok $? "a missing results file: its name and the system's reason"

# --update: only the lines between the markers change; --check then agrees
{
    echo "# Title"; echo "before"
    grep -F '<!-- bench-table: begin' README.md; echo "| stale |"; grep -F '<!-- bench-table: end' README.md
    echo "after"
} > "$tmp/README.md"
"${T[@]}" --check "$tmp/README.md" "$tmp/r.tsv" > /dev/null; r=$?
[ $r = 1 ]; ok $? "--check finds a stale table (exit 1)"
"${T[@]}" --update "$tmp/README.md" "$tmp/r.tsv" && "${T[@]}" --check "$tmp/README.md" "$tmp/r.tsv"
ok $? "--update rewrites it and --check agrees"
head -3 "$tmp/README.md" | sed -n 2p | grep -qx before && tail -1 "$tmp/README.md" | grep -qx after &&
    ! grep -q stale "$tmp/README.md" && [ -z "$(ls -A "$tmp" | grep '^\.bench-table')" ]
ok $? "the text around the markers is kept, and no temporary file is left"
echo "no markers" > "$tmp/plain.md"
"${T[@]}" --update "$tmp/plain.md" "$tmp/r.tsv" 2> "$tmp/err"; r=$?
[ $r = 2 ] && grep -q "plain.md: no table between" "$tmp/err" && grep -qx "no markers" "$tmp/plain.md"
ok $? "a README without the markers is refused and left alone"

echo "1..$n"
exit $((failed > 0))
