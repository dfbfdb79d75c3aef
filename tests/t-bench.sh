#!/bin/bash
# make bench's W10 section on a small made-up Fashion-MNIST folder (300 training and 100 test images): the
# real bench-cnn, and a stand-in for PyTorch's peer (the section's arithmetic must not depend on torch being
# installed); what it prints and records. Then bench-cnn's own refusals, and the real peer (when Debian's
# python3 has torch) building the same network from the same layer string: the same parameter count,
# 220426 = conv 1*9*32+32, bn 2*32, conv 32*9*64+64, bn 2*64, fc 3136*64+64, fc 64*10+10.
set -u
cd "$(dirname "$0")/.."
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
B=${AM_BUILD:-build}/bench
BIN=${AM_BIN:-bin}
if [ ! -x "$B/bench-cnn" ] || [ ! -x "$BIN/capacity" ]; then
    echo "1..0 # SKIP needs $B/bench-cnn and $BIN/capacity (make check builds them)"
    exit 0
fi
L=conv32k3p1,bn,relu,maxpool2,conv64k3p1,bn,relu,maxpool2,flat,fc64,relu,fc10

# The data: IDX files as Debian's dataset names them, 28x28 pixels, labels 0..9.
be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }
idx_u8() { printf '\x00\x00\x08\x03'; be32 $1; printf '\x00\x00\x00\x1c\x00\x00\x00\x1c'; LC_ALL=C awk -v n=$1 'BEGIN { for (i = 0; i < n * 784; i++) printf "%c", (i * 37 + int(i / 784) * 11) % 251 }'; }
idx_labels() { printf '\x00\x00\x08\x01'; be32 $1; LC_ALL=C awk -v n=$1 'BEGIN { for (i = 0; i < n; i++) printf "%c", i % 10 }'; }
mkdir -p "$tmp/fm"
idx_u8 300 | gzip > "$tmp/fm/train-images-idx3-ubyte.gz"; idx_labels 300 | gzip > "$tmp/fm/train-labels-idx1-ubyte.gz"
idx_u8 100 | gzip > "$tmp/fm/t10k-images-idx3-ubyte.gz"; idx_labels 100 | gzip > "$tmp/fm/t10k-labels-idx1-ubyte.gz"

# The stand-in for /usr/bin/python3: "-c CODE" (the import checks) succeeds; peer_cnn.py prints its lines,
# the 2-thread run faster, and fails for THREADS=$FAIL_THREADS.
cat > "$tmp/py" << 'EOF'
#!/bin/bash
[ "$1" = -c ] && exit 0
case "$1" in
*/peer_cnn.py)
    [ "${THREADS:-}" = "${FAIL_THREADS:-}" ] && { echo "Traceback: no"; exit 1; }
    echo "${PARAMS:-params 220426}"
    echo "epoch 1 $([ "$THREADS" = 2 ] && echo 3.00 || echo 4.00) s test_acc 0.5000 threads $THREADS malloc tuned" ;;
*) exit 1 ;;
esac
EOF
chmod +x "$tmp/py"
bench() { # ENV...: the W10 section alone, QUICK, into $tmp/out and $tmp/r.tsv
    rm -f "$tmp/r.tsv"
    env "$@" AM_BENCH_ONLY=W10 AM_BENCH_PY="$tmp/py" AM_BENCH_FASHION="$tmp/fm" AM_BENCH_RESULTS="$tmp/r.tsv" \
        AM_BIN="$(cd "$BIN" && pwd)" tools/bench "$(cd "$B" && pwd)" 1 > "$tmp/out" 2>&1
}
bench; r=$?
[ $r = 0 ] && grep -q '^W10   kernel: cnn epoch 1: ' "$tmp/out"; ok $? "the W10 section runs bench-cnn on the given data (exit $r)"
k=$(sed -n 's/.*best \([0-9.]*\) s\/epoch (.*test accuracy.*/\1/p' "$tmp/out")
kacc=$(sed -n 's/.*test accuracy \([0-9.]*\) after 1 epoch;.*/\1/p' "$tmp/out")
want=$(awk -v k="$k" 'BEGIN { printf "%.1f", 3.00 / k }')
grep -qxF "W10   PyTorch / kernel, per epoch, each at its faster of 1, 2 threads: ${want}x (goal >= 2x): $(awk -v r="$want" 'BEGIN { print (r >= 2 ? "met" : "BELOW GOAL") }')" "$tmp/out"
ok $? "the peer is its faster thread count's epoch (3.00 s at 2 threads) over bench-cnn's ($k s): $want"
d=$(awk -v a="$kacc" 'BEGIN { d = 100 * (a - 0.5); printf "%.1f", d < 0 ? -d : d }')
grep -q "^W10   test accuracy, |libam - PyTorch| in points: $d% (goal <= 1%)" "$tmp/out" &&
    grep -q "libam $kacc, PyTorch 0.5000 (its 2-thread run)" "$tmp/out"
ok $? "accuracies side by side (libam $kacc, the peer's 0.5000) and their difference in points: $d"
grep -q "^W10   the same network: 220426 parameters in both" "$tmp/out"; ok $? "bench-cnn's network and the peer's have the same parameter count"
grep -q "^W10   kernel: cnn 2 threads: best" "$tmp/out" && grep -q "^W10   kernel: cnn 1 threads: best" "$tmp/out" &&
    grep -q "after 1 epoch; the same loss and accuracy at every thread count$" "$tmp/out"
ok $? "bench-cnn trains at 2 threads and at 1: the same loss and accuracy"
grep -q "^W10   kernel epoch / its FLOPs' time at OpenBLAS sgemm's rate: [0-9.]*x$" "$tmp/out"
ok $? "the epoch against its FLOPs at OpenBLAS sgemm's rate, no goal"
[ "$(awk -F'\t' '$9 == "W10"' "$tmp/r.tsv" | wc -l)" = 3 ] && awk -F'\t' '$9 == "W10" && NF != 16 { exit 1 }' "$tmp/r.tsv" &&
    awk -F'\t' -v w="$want" '$9 == "W10" && $10 ~ /^PyTorch/ { f = $11 == w && $13 == ">=" && $14 == 2 } END { exit !f }' "$tmp/r.tsv"
ok $? "three W10 lines of 16 fields recorded, the speed ratio with its goal"

bench FAIL_THREADS=2
k=$(sed -n 's/.*best \([0-9.]*\) s\/epoch (.*test accuracy.*/\1/p' "$tmp/out") # this run's epoch
grep -q "its 1-thread run" "$tmp/out" &&
    grep -q "^W10   PyTorch / kernel, per epoch, each at its faster of 1, 2 threads: $(awk -v k="$k" 'BEGIN { printf "%.1f", 4.00 / k }')x" "$tmp/out"
ok $? "a failed 2-thread peer run: the 1-thread one is the peer"
bench PARAMS="params 7"
grep -q "^W10   WARNING: parameters differ: libam 220426, PyTorch 7" "$tmp/out"; ok $? "a peer with another network is flagged"
mv "$tmp/fm" "$tmp/fm0"
bench; r=$?
grep -q "^W10   PyTorch / kernel, per epoch, each at its faster of 1, 2 threads: not measured" "$tmp/out" &&
    grep -q "^W10   test accuracy, |libam - PyTorch| in points: not measured" "$tmp/out" && [ ! -e "$tmp/r.tsv" ]
ok $? "bench-cnn failing (no data): not measured, nothing recorded"
mv "$tmp/fm0" "$tmp/fm"

# bench-cnn's refusals: one line on stderr, nothing on stdout
refused() { # WANT-EXIT WANT-TEXT ARGS...
    local want=$1 text=$2; shift 2
    "$B/bench-cnn" "$@" > "$tmp/o" 2> "$tmp/e"; local r=$?
    [ $r = "$want" ] && [ ! -s "$tmp/o" ] && [ "$(wc -l < "$tmp/e")" = 1 ] && grep -q "$text" "$tmp/e"
    ok $? "bench-cnn $*: exit $r, $(cat "$tmp/e")"
}
refused 2 usage 0
refused 2 usage 1 "$L" "$tmp/fm" extra
refused 2 usage 1 "$L" 0 "$tmp/fm"
refused 2 "LAYERS 'conv32k3p1,bogus'" 1 conv32k3p1,bogus 1 "$tmp/fm"
refused 1 "Fashion-MNIST not readable.*No such file" 1 "$L" 1 "$tmp/nowhere"

# The real peer (Debian's python3 with torch): the network from the same string, on the same data.
if /usr/bin/python3 -c 'import torch' 2> /dev/null; then
    out=$(THREADS=1 AM_FASHION_DIR="$tmp/fm" /usr/bin/python3 bench/peer_cnn.py 1 "$L")
    echo "$out" | grep -qx "params 220426" && echo "$out" | grep -qE '^epoch 1 [0-9.]+ s test_acc 0\.[0-9]{4} threads 1 malloc tuned$'
    ok $? "peer_cnn.py: the same parameter count as libam's network, one epoch line ($(echo "$out" | tail -1))"
    /usr/bin/python3 bench/peer_cnn.py 1 conv8k3,up2 > /dev/null 2> "$tmp/e"; r=$?
    [ $r != 0 ] && grep -q "token 2 'up2'" "$tmp/e"; ok $? "peer_cnn.py refuses a layer it does not build: $(cat "$tmp/e")"
fi

echo "1..$n"
exit $((failed > 0))
