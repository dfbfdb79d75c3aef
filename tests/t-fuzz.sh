#!/bin/bash
# The fuzz targets without libFuzzer: every seed the library writes and every regression input in
# tests/fuzz/regress (the hostile files and values found so far) replays without a crash, a leak or (in the
# sanitized build) any undefined behaviour, and leaves no temporary file behind (neither in its TMPDIR nor
# as /tmp/am-fuzz-<pid>*). `make fuzz` runs the same targets under libFuzzer.
set -u
B=${AM_BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$B/fuzz/seeds" "$tmp/seeds" > /dev/null; ok $? "the library writes a seed of every kind"
for src in "$ROOT"/tests/fuzz/fuzz-*.c; do
    t=${src##*/fuzz-}; t=${t%.c}
    [ -d "$tmp/seeds/$t" ] || [ -d "$ROOT/tests/fuzz/regress/$t" ]; ok $? "fuzz target $t has seeds or regression inputs"
done
for run in "$B"/fuzz/run-*; do
    case $run in *.d|*.o) continue ;; esac
    t=${run##*/run-}
    dirs=()
    [ -d "$tmp/seeds/$t" ] && dirs+=("$tmp/seeds/$t")
    [ -d "$ROOT/tests/fuzz/regress/$t" ] && dirs+=("$ROOT/tests/fuzz/regress/$t")
    rm -rf "$tmp/t" && mkdir "$tmp/t" && touch "$tmp/start"
    TMPDIR="$tmp/t" "$run" "${dirs[@]}" > "$tmp/out" 2>&1 & pid=$!
    wait $pid; rc=$?
    out=$(cat "$tmp/out")
    count=$(echo "$out" | awk '/^ok [0-9]+ - [0-9]+ inputs/ { s += $4 } END { print s + 0 }')
    [ $rc -eq 0 ] && [ "${count:-0}" -gt 0 ]; ok $? "fuzz target $t: ${count:-0} seeds and regression inputs replay cleanly"
    [ $rc -eq 0 ] || echo "$out" | tail -20 | sed 's/^/# /'
    left=$(ls -A "$tmp/t"; find /tmp -maxdepth 1 -name "am-fuzz-$pid*" -newer "$tmp/start")  # (not a file of an earlier process with this pid)
    [ -z "$left" ]; ok $? "fuzz target $t leaves no temporary file behind${left:+ (left: $(echo $left))}"
    rm -rf /tmp/am-fuzz-"$pid"*
done
echo "1..$n"
[ $failed -eq 0 ]
