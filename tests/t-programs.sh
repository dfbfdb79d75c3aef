#!/bin/bash
# The experiment programs: --help, errors before output, determinism across thread counts.
set -u
BIN=${AM_BIN:-bin}
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Wait (at most TRIES x DELAY s) for a running program's intermediate file: shell builtins first, so that a
# loaded machine (a fork per poll) does not miss a file that exists only while the program runs.
wait_size() { # FILE MIN-BYTES TRIES DELAY
    local i
    for ((i = 0; i < $3; i++)); do
        [ -s "$1" ] && [ "$(stat -c %s "$1" 2> /dev/null || echo 0)" -gt "$2" ] && return 0
        sleep "$4"
    done
    return 1
}
wait_glob() { # PATTERN TRIES DELAY
    local i
    for ((i = 0; i < $2; i++)); do
        compgen -G "$1" > /dev/null && return 0
        sleep "$3"
    done
    return 1
}

"$BIN/capacity" --help > "$tmp/help"; ok $? "capacity --help exits 0"
grep -q -- '--alpha a0:a1:step.*(default 0.02:0.2:0.01)' "$tmp/help"; ok $? "--help lists defaults"
grep -q 'unstable_frac' "$tmp/help"; ok $? "--help defines the columns"
"$BIN/capacity" --version | grep -q 'libam'; ok $? "capacity --version"

for bad in "--rule oja" "--dynamics foo" "--N 0" "--noise 2" "--alpha 0.3:0.1:0.1" "--P 10,,20" "--T 0.5" \
           "--trials 0" "--bogus" "--N" "--model quantum" "--path patterns --rule pinv" "--threads 0" "--N 12x" \
           "--model dense --degree 0" "--model dense --F cubic" "--model dense --path patterns" \
           "--model modern --beta 0" "--model modern --beta x" "--model modern --dynamics sync" "--d 10" \
           "--model modern --eps -1"; do
    rm -f "$tmp/out.tsv"
    "$BIN/capacity" $bad --out "$tmp/out.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/out.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "capacity $bad: one-line error, non-zero exit, no output ($(head -c 70 "$tmp/err"))"
done

args="--rule hebb,storkey,pinv --N 120 --alpha 0.05:0.4:0.05 --trials 3 --cues 5 --seed 7 --quiet"
"$BIN/capacity" $args --threads 1 --out "$tmp/t1.tsv"; ok $? "capacity at 1 thread"
"$BIN/capacity" $args --threads 2 --out "$tmp/t2.tsv"; ok $? "capacity at 2 threads"
diff <(grep -v '^# date:' "$tmp/t1.tsv") <(grep -v '^# date:' "$tmp/t2.tsv") > /dev/null
ok $? "same seed gives byte-identical TSV at 1 and 2 threads (date line aside)"
# make check runs the programs with AM_SERIAL_MS=0 (always the team: the thread tests compare it with one
# thread); by default a sweep estimated under 40 ms runs on the calling thread, with the same bytes.
AM_SERIAL_MS= "$BIN/capacity" $args --threads 2 --out "$tmp/t2d.tsv" && \
    AM_SERIAL_MS=1e9 "$BIN/capacity" $args --threads 2 --out "$tmp/t2s.tsv" && AM_SERIAL_MS=bad "$BIN/capacity" $args --threads 2 --out "$tmp/t2b.tsv"
for f in t2d t2s t2b; do
    diff <(grep -v '^# date:' "$tmp/t1.tsv") <(grep -v '^# date:' "$tmp/$f.tsv") > /dev/null || break
done
ok $? "the calling thread alone (AM_SERIAL_MS default, 1e9, malformed) gives the team's bytes"
"$BIN/capacity" $args --seed 8 --threads 2 --out "$tmp/t3.tsv"
! diff -q <(grep -v '^#' "$tmp/t2.tsv") <(grep -v '^#' "$tmp/t3.tsv") > /dev/null
ok $? "another seed gives other results"
for key in command seed libam date; do
    grep -q "^# $key: " "$tmp/t1.tsv"; ok $? "TSV records '# $key:'"
done
grep -q '^# command: capacity --rule hebb,storkey,pinv --N 120' "$tmp/t1.tsv"; ok $? "the command line is recorded"
rows=$(grep -v '^#' "$tmp/t1.tsv" | wc -l); [ "$rows" -eq 25 ]; ok $? "one header row + 3 rules x 8 points ($rows lines)"
hdr=$(grep -v '^#' "$tmp/t1.tsv" | head -1)
for col in N P alpha trials overlap_mean overlap_sd recall_frac fixed_frac unstable_frac bit_error; do
    echo "$hdr" | tr '\t' '\n' | grep -qx "$col"; ok $? "column $col present"
done
# No model needs LAPACK (its factorisations' last bits follow the BLAS kernels; libam has its own): the
# pseudo-inverse rule runs whatever AM_LAPACKE (no longer read) names.
AM_LAPACKE=libno-such-lapacke.so.9 "$BIN/capacity" --rule hebb,storkey,pinv --N 40 --P 4,60 --trials 1 --quiet --out "$tmp/nl.tsv"
ok $? "Hebb, Storkey and pinv (P below and above N) run without LAPACK"
# Both Hebb recall paths write the same file.
"$BIN/capacity" --N 200 --alpha 0.05:0.25:0.05 --trials 2 --path patterns --quiet --out "$tmp/pp.tsv"
"$BIN/capacity" --N 200 --alpha 0.05:0.25:0.05 --trials 2 --path matrix --quiet --out "$tmp/pm.tsv"
diff <(grep -v '^#' "$tmp/pp.tsv") <(grep -v '^#' "$tmp/pm.tsv") > /dev/null; ok $? "patterns and matrix paths give the same TSV"
# Dense model through the same program: n = 3 stores K = 2N patterns at N = 100, Hebb-like n = 2 does not.
"$BIN/capacity" --model dense --F poly --degree 2,3 --N 100 --P 200 --trials 2 --cues 20 --quiet --out "$tmp/d.tsv"; ok $? "capacity --model dense runs"
awk -F'\t' '!/^#/ && $2=="poly3" { exit !($13 >= 0.9) }' "$tmp/d.tsv"; ok $? "dense poly3 recalls at K = 2N"
awk -F'\t' '!/^#/ && $2=="poly2" { exit !($13 == 0) }' "$tmp/d.tsv"; ok $? "dense poly2 (Hebb-like) does not"
"$BIN/capacity" --model dense --F exp --N 60 --P 50,100 --trials 3 --cues 5 --seed 4 --threads 1 --quiet --out "$tmp/e1.tsv"
"$BIN/capacity" --model dense --F exp --N 60 --P 50,100 --trials 3 --cues 5 --seed 4 --threads 2 --quiet --out "$tmp/e2.tsv"
diff <(grep -v '^# date:' "$tmp/e1.tsv") <(grep -v '^# date:' "$tmp/e2.tsv") > /dev/null; ok $? "dense TSV identical at 1 and 2 threads"
# Modern model: beta 16 retrieves unit-norm patterns from 20% flipped components, beta 1 averages them.
"$BIN/capacity" --model modern --beta 1,16 --d 64 --P 100 --trials 2 --cues 20 --noise 0.2 --quiet --out "$tmp/m.tsv"; ok $? "capacity --model modern runs"
awk -F'\t' '!/^#/ && $2=="beta16" { exit !($13 == 1 && $11 > 0.999 && $22 < 0.01) }' "$tmp/m.tsv"; ok $? "modern beta 16: recall 1, cosine ~1, small error_norm"
awk -F'\t' '!/^#/ && $2=="beta1" { exit !($13 < 0.2) }' "$tmp/m.tsv"; ok $? "modern beta 1: no retrieval (averaging)"
"$BIN/capacity" --model modern --beta 8 --d 32 --P 20,200 --trials 3 --cues 10 --seed 5 --threads 1 --quiet --out "$tmp/m1.tsv"
"$BIN/capacity" --model modern --beta 8 --d 32 --P 20,200 --trials 3 --cues 10 --seed 5 --threads 2 --quiet --out "$tmp/m2.tsv"
diff <(grep -v '^# date:' "$tmp/m1.tsv") <(grep -v '^# date:' "$tmp/m2.tsv") > /dev/null; ok $? "modern TSV identical at 1 and 2 threads"
# Retrieval versus beta: single-pattern fixed points at large beta, global averages at small beta.
"$BIN/retrieval-beta" --d 64 --M 50 --beta 0.25,64 --trials 2 --cues 5 --quiet --out "$tmp/rb.tsv"; ok $? "retrieval-beta runs"
awk -F'\t' '!/^#/ && $3=="64" { exit !($12 == 1 && $13 == 1 && $11 == 1) }' "$tmp/rb.tsv"; ok $? "beta 64: recall, single fixed points, bound valid"
awk -F'\t' '!/^#/ && $3=="0.25" { exit !($15 == 1) }' "$tmp/rb.tsv"; ok $? "beta 0.25: global averages"
"$BIN/retrieval-beta" --beta 0 --out "$tmp/rbx.tsv" 2> /dev/null; [ $? -ne 0 ] && [ ! -e "$tmp/rbx.tsv" ]; ok $? "retrieval-beta rejects beta 0 before writing"
# Sequence stores (bin/sequence): loads and the capacity search, replay, hostile command lines.
sq="capacity --model seq-dense --degree 1,2 --N 64 --P 10,40,400 --trials 2 --quiet"
"$BIN/sequence" $sq --threads 1 --out "$tmp/sq1.tsv" && "$BIN/sequence" $sq --threads 2 --out "$tmp/sq2.tsv"
ok $? "sequence capacity at fixed loads runs at 1 and 2 threads"
diff <(grep -v '^# \(date\|time\):' "$tmp/sq1.tsv") <(grep -v '^# \(date\|time\):' "$tmp/sq2.tsv") > /dev/null
ok $? "sequence capacity: byte-identical TSV at 1 and 2 threads"
awk -F'\t' '!/^#/ && $2 == "poly2" && $4 == 10 { exit !($7 == 1 && $8 == 1) } ' "$tmp/sq1.tsv" &&
    awk -F'\t' '!/^#/ && $2 == "poly1" && $4 == 400 { exit !($7 < 0.5) }' "$tmp/sq1.tsv"
ok $? "d = 2 replays 10 elements of 64 units exactly; SeqNet fails at P = 400"
"$BIN/sequence" capacity --model seq-dense --degree 2 --N 20,40 --trials 3 --quiet --out "$tmp/sqc.tsv"
awk -F'\t' '!/^#/ && $1 == "seq-dense" { if (!($5 > 0.3 * $7 && $5 < 3 * $7 && $8 > 0 && $8 <= $5 + 1e-9)) bad = 1; n++ }
    END { exit bad || n != 2 }' "$tmp/sqc.tsv"
ok $? "the capacity search finds P_T within a factor 3 of the theory, and P_S <= P_T ($(grep -v '^#' "$tmp/sqc.tsv" | awk -F'\t' 'NR > 1 { printf "%s:%s/%s ", $3, $5, $7 }'))"
"$BIN/sequence" capacity --model seq-dense --degree 2 --N 60 --start 0.2 --trials 2 --sequences 5 --quiet --out "$tmp/sqs.tsv"
awk -F'\t' '!/^#/ && $1 == "seq-dense" { exit !($5 > 0.4 * $7 && $11 > 4) }' "$tmp/sqs.tsv"
ok $? "a capacity search that starts within capacity climbs before it shrinks (--start 0.2: P_T $(awk -F'\t' '!/^#/ && $1 == "seq-dense" { print $5 " of theory " $7 }' "$tmp/sqs.tsv"))"
"$BIN/sequence" capacity --model seq-hebb --lambda 0,0.3 --N 50 --P 10 --trials 1 --quiet --out "$tmp/sqt.tsv"
awk -F'\t' '!/^#/ && $2 == "seqnet" { a = $10 } !/^#/ && $2 == "tan0.3" { b = $10 } END { exit !(a > 0 && b == "nan") }' "$tmp/sqt.tsv"
ok $? "the theory column is SeqNet's for lambda 0 and nan for the temporal association network"
"$BIN/sequence" replay --letters ABCDEF --steps 12 --quiet --out "$tmp/sqr.tsv"
grep -q '12 exact transitions, 0 wrong steps' "$tmp/sqr.tsv" && [ "$(grep -vc '^#' "$tmp/sqr.tsv")" -eq 14 ] &&
    awk -F'\t' '$1 == "0" { exit !($2 == "A" && $3 == 0 && $4 < 0.7) }' "$tmp/sqr.tsv"
ok $? "sequence replay: letters ABCDEF twice round from a noisy A (step 0: the cue, 20% flipped), every step exact (the modern sequence store)"
"$BIN/sequence" replay --model seq-hebb --letters ABCDEF --steps 12 --quiet --out "$tmp/sqh.tsv"
grep -q ' 0 wrong steps' "$tmp/sqh.tsv"; [ $? -ne 0 ]
ok $? "SeqNet does not replay the correlated letters ($(grep -o '[0-9]* exact transitions, [0-9]* wrong' "$tmp/sqh.tsv"))"
"$BIN/sequence" replay --model seq-mixed --patterns random --count 10 --flip 0 --steps 30 --quiet --out "$tmp/sqm.tsv"
awk -F'\t' '$1 ~ /^[0-9]+$/ && $1 > 0 { held[$2]++ } END { for (e in held) if (held[e] < 4 || held[e] > 6) bad = 1; exit bad }' "$tmp/sqm.tsv"
ok $? "MixedNet (tau 5) holds each element about 5 steps"
for bad in "capacity --model hopfield" "capacity --model seq-dense --rule hebb" "capacity --N 1" "capacity --shrink 1" \
           "capacity --noise 0.2" "capacity --model seq-mixed" "capacity --model seq-dense --degree 0" \
           "capacity --P 5,x" "replay --letters AB1" "replay --cue 9" "replay --size 3x200x" "replay --count 5" \
           "moving --sprite 5" "moving --frames 1" "moving --clips 0" "nosuch" "capacity --model seq-mixed --P 10" \
           "moving --model seq-mixed"; do
    rm -f "$tmp/out.tsv"
    "$BIN/sequence" $bad --out "$tmp/out.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/out.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "sequence $bad: one-line error, non-zero exit, no output ($(head -c 70 "$tmp/err"))"
done
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    "$BIN/sequence" moving --model seq-dense --F exp --clips 20 --cues 10 --quiet --out "$tmp/mv1.tsv" &&
        "$BIN/sequence" moving --model seq-hebb --clips 20 --cues 10 --quiet --out "$tmp/mv2.tsv"
    ok $? "sequence moving runs"
    awk -F'\t' '!/^#/ && $1 != "model" { exit !($6 == 1) }' "$tmp/mv1.tsv" &&
        awk -F'\t' '!/^#/ && $1 != "model" { exit !($6 == 0) }' "$tmp/mv2.tsv"
    ok $? "moving sprites: the exponential model replays every clip whole, SeqNet none"
else
    ok 0 "# SKIP Fashion-MNIST not installed (dataset-fashion-mnist)"
    ok 0 "# SKIP Fashion-MNIST not installed (dataset-fashion-mnist)"
fi
# Sanity of the science: at alpha 0.05 Hebb recalls from 10% noise, at 0.3 it does not.
awk -F'\t' '!/^#/ && $2=="hebb" && $5==200 && $6==10 { exit !($13 == 1) }' "$tmp/pp.tsv"; ok $? "Hebb recalls at alpha=0.05"
"$BIN/theory" --N 1000 --alpha 0.1:0.2:0.05 --quiet > "$tmp/th.tsv"; ok $? "theory runs"
awk -F'\t' '!/^#/ && $3=="0.100000" { exit !($4 > 0.0007 && $4 < 0.0009) }' "$tmp/th.tsv"; ok $? "theory bit error at alpha 0.1 is Q(sqrt 10)"
# OpenBLAS misdetection: a shim makes OpenBLAS report "Prescott" until OPENBLAS_CORETYPE is set, as
# Debian's 0.3.21 does on some CPUs. The program must load it again (libam loads it on first use) with the
# right kernels.
# (Not under ASan, which must be the first library loaded.)
case "${AM_BUILD:-}" in *san-*) sanitized=1 ;; *) sanitized=0 ;; esac
if [ $sanitized = 0 ] && grep -qw avx2 /proc/cpuinfo; then
    cat > "$tmp/shim.c" <<'SHIM'
#include <stdlib.h>
char *openblas_get_corename(void) { char *c = getenv("OPENBLAS_CORETYPE"); return c ? c : "Prescott"; }
SHIM
    ${CC:-cc} -shared -fPIC -o "$tmp/shim.so" "$tmp/shim.c"
    v=$(env -u OPENBLAS_CORETYPE -u AM_NO_REEXEC LD_PRELOAD="$tmp/shim.so" "$BIN/capacity" --version)
    echo "$v" | grep -Eq 'OpenBLAS (SkylakeX|Haswell)\)'; ok $? "a misdetected Prescott core is replaced on load ($v)"
    v=$(env -u AM_NO_REEXEC OPENBLAS_CORETYPE=Prescott LD_PRELOAD="$tmp/shim.so" "$BIN/capacity" --version)
    echo "$v" | grep -q 'OpenBLAS Prescott)'; ok $? "an explicit OPENBLAS_CORETYPE is respected"
    v=$(env -u OPENBLAS_CORETYPE AM_NO_REEXEC=1 LD_PRELOAD="$tmp/shim.so" "$BIN/capacity" --version)
    echo "$v" | grep -q 'OpenBLAS Prescott)'; ok $? "AM_NO_REEXEC=1 turns the upgrade off"
    v=$(env -u OPENBLAS_CORETYPE AM_NO_REEXEC=0 LD_PRELOAD="$tmp/shim.so" "$BIN/capacity" --version)
    echo "$v" | grep -Eq 'OpenBLAS (SkylakeX|Haswell)\)'; ok $? "AM_NO_REEXEC=0 leaves the upgrade on ($v)"
fi
# OPENBLAS_CORETYPE reaches the date line of a run that never loads OpenBLAS: a core name as given, anything
# else as "invalid" (a newline in it would have broken the header).
OPENBLAS_CORETYPE=$'Has\nwell\tx' "$BIN/capacity" --N 50 --P 2 --trials 1 --quiet --out "$tmp/bl.tsv"
[ "$(grep -c . "$tmp/bl.tsv")" = "$(grep -c '^#' "$tmp/bl.tsv" | awk '{ print $1 + 2 }')" ] && grep -q 'blas=invalid' "$tmp/bl.tsv"
ok $? "an OPENBLAS_CORETYPE with a newline and a tab is recorded as blas=invalid, the header intact"
OPENBLAS_CORETYPE=Haswell "$BIN/capacity" --N 50 --P 2 --trials 1 --quiet --out "$tmp/bl.tsv"
grep -q 'blas=Haswell' "$tmp/bl.tsv"; ok $? "a core name is recorded as given (blas=Haswell)"

# The front-ends and the latent-memory pipeline.
"$BIN/autoencoder" --help > "$tmp/ae-help"; ok $? "autoencoder --help exits 0"
grep -q 'train' "$tmp/ae-help" && grep -q 'decode' "$tmp/ae-help"; ok $? "autoencoder --help lists the commands"
"$BIN/autoencoder" train --help | grep -q -- '--layers n0,n1,.. *MLP layer sizes \[mlp\] (default 784,256,64,256,784)'; ok $? "autoencoder train --help lists defaults"
"$BIN/autoencoder" train --help | grep -q -- '--arch SPEC .*conv32k3p1,bn,relu,maxpool2'; ok $? "autoencoder train --help shows the default CNN"
"$BIN/autoencoder" 2> "$tmp/err"; [ $? -eq 2 ]; ok $? "autoencoder without a command exits 2"
"$BIN/autoencoder" fly 2> "$tmp/err"; [ $? -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]; ok $? "unknown command: one line, exit 2"
for bad in "--layers 784,64,785" "--loss bce --out-act linear" "--epochs -1" "--kind svm" "--mask 1"; do
    rm -f "$tmp/o.tsv" "$tmp/m.model"
    "$BIN/autoencoder" train $bad --model "$tmp/m.model" --out "$tmp/o.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -eq 2 ] && [ ! -e "$tmp/o.tsv" ] && [ ! -e "$tmp/m.model" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "autoencoder train $bad: one-line error, exit 2, nothing written"
done
"$BIN/latent-recall" --help | grep -q 'item_recall'; ok $? "latent-recall --help defines the columns"
for bad in "--store hopfield --code continuous" "--corrupt occlude:99" "--corrupt blur:2" "--M 0" "--beta 0" "--store rnn"; do
    rm -f "$tmp/o.tsv"
    "$BIN/latent-recall" $bad --out "$tmp/o.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -eq 2 ] && [ ! -e "$tmp/o.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "latent-recall $bad: one-line error, exit 2, no output ($(head -c 60 "$tmp/err"))"
done
rm -f "$tmp/o.tsv"
"$BIN/latent-recall" --data "$tmp/nowhere" --out "$tmp/o.tsv" 2> "$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ ! -e "$tmp/o.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]; ok $? "latent-recall without data: one-line error"
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    tr="train --limit 2000 --epochs 3 --layers 784,64,16,64,784 --batch 64 --lr 3e-3 --quiet"
    "$BIN/autoencoder" $tr --threads 1 --model "$tmp/a1.model" --out "$tmp/loss1.tsv"; ok $? "autoencoder train on 2000 images"
    "$BIN/autoencoder" $tr --threads 2 --model "$tmp/a2.model" --out "$tmp/loss2.tsv"
    cmp -s "$tmp/a1.model" "$tmp/a2.model"; ok $? "the same model, bit for bit, at 1 and 2 threads"
    awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ { l[$1] = $3; t[$1] = $4 } END { exit !(l[3] < l[1] && t[3] < 0.6 * t[0]) }' "$tmp/loss1.tsv"
    ok $? "the loss curve falls (train loss epoch 3 < epoch 1; test MSE well below the untrained net's)"
    "$BIN/autoencoder" encode --model "$tmp/a1.model" --limit 30 --quiet --out "$tmp/z.tsv" &&
    "$BIN/autoencoder" decode --model "$tmp/a1.model" --in "$tmp/z.tsv" --idx "$tmp/d.idx.gz" --quiet --out "$tmp/d.tsv"
    ok $? "encode then decode"
    [ "$(grep -vc '^#' "$tmp/z.tsv")" -eq 31 ] && [ "$(grep -vc '^#' "$tmp/d.tsv")" -eq 31 ] && [ -s "$tmp/d.idx.gz" ]
    ok $? "30 latent vectors, 30 decoded images, an IDX file"
    "$BIN/autoencoder" eval --model "$tmp/a1.model" --limit 500 --grid "$tmp/grid" --quiet --out "$tmp/eval.tsv" &&
        [ -s "$tmp/grid.png" ] && grep -q '^all' "$tmp/eval.tsv"; ok $? "eval: per-class table and image grid"
    [ ! -e "$tmp/grid.dat" ] && [ ! -e "$tmp/grid.gp" ]; ok $? "eval --grid: no .dat or .gp left beside the grid"
    # Convolutional networks: bad networks and options, the same bytes at 1 and 2 threads and without
    # OPENBLAS_CORETYPE, encode, eval (accuracy, nearest class mean), no decoding for a classifier.
    for bad in "--kind cnn --arch conv8k3,bogus" "--kind cnn --layers 784,10,784" "--kind cnn --classes 1,x" \
               "--kind mlp --arch fc10" "--kind cnn --loss mse --arch fc16,fc784" "--kind cnn --input 1x28x27" \
               "--kind cnn --loss l1" "--kind pca --classes 1"; do
        rm -f "$tmp/o.tsv" "$tmp/m.model"
        "$BIN/autoencoder" train $bad --limit 100 --model "$tmp/m.model" --out "$tmp/o.tsv" 2> "$tmp/err"; rc=$?
        [ $rc -eq 2 ] && [ ! -e "$tmp/o.tsv" ] && [ ! -e "$tmp/m.model" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
        ok $? "autoencoder train $bad: one-line error, exit 2, nothing written ($(head -c 80 "$tmp/err"))"
    done
    ct="train --kind cnn --limit 600 --epochs 3 --batch 20 --lr 3e-3 --arch conv4k3p1,bn,relu,maxpool4,flat,fc16,relu,fc10 --quiet"
    "$BIN/autoencoder" $ct --threads 1 --model "$tmp/c1.model" --out "$tmp/c1.tsv"; ok $? "autoencoder train --kind cnn"
    "$BIN/autoencoder" $ct --threads 2 --model "$tmp/c2.model" --out "$tmp/c2.tsv"
    env -u OPENBLAS_CORETYPE "$BIN/autoencoder" $ct --threads 2 --model "$tmp/c3.model" --out "$tmp/c3.tsv"
    cmp -s "$tmp/c1.model" "$tmp/c2.model" && cmp -s "$tmp/c1.model" "$tmp/c3.model"
    ok $? "cnn: the same model bytes at 1 and 2 threads and without OPENBLAS_CORETYPE"
    awk -F'\t' '!/^#/ && $1 == 3 { a = $5 } END { exit !(a > 0.6) }' "$tmp/c1.tsv"; ok $? "cnn: test accuracy above 0.6 after 3 epochs on 600 images"
    "$BIN/autoencoder" encode --model "$tmp/c1.model" --limit 20 --quiet --out "$tmp/cz.tsv" &&
        [ "$(grep -vc '^#' "$tmp/cz.tsv")" -eq 21 ] && head -n 20 "$tmp/cz.tsv" | grep -q 'z16'; ok $? "cnn: encode writes 16 latents a row"
    "$BIN/autoencoder" eval --model "$tmp/c1.model" --limit 300 --quiet --out "$tmp/ce.tsv" &&
        awk -F'\t' '$1 == "class" { h = ($4 == "accuracy" && $5 == "ncm_accuracy") } $1 == "all" { a = ($5 > 0.3) } END { exit !(h && a) }' "$tmp/ce.tsv"
    ok $? "cnn: eval prints the accuracy and the nearest-class-mean accuracy"
    F=/usr/share/datasets/fashion-mnist
    "$BIN/autoencoder" eval --model "$tmp/c1.model" --limit 300 --means-images "$F/t10k-images-idx3-ubyte.gz" \
        --means-labels "$F/t10k-labels-idx1-ubyte.gz" --quiet --out "$tmp/cm.tsv" && ! cmp -s "$tmp/ce.tsv" "$tmp/cm.tsv" &&
        grep -q 't10k-images' "$tmp/cm.tsv"; ok $? "cnn: eval --means-images/--means-labels take the class means from those files"
    "$BIN/autoencoder" eval --model "$tmp/c1.model" --means-labels x --out "$tmp/cm2.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -eq 2 ] && [ ! -e "$tmp/cm2.tsv" ] && grep -q 'means-labels applies with --means-images' "$tmp/err"
    ok $? "cnn: --means-labels without --means-images is refused ($(head -c 90 "$tmp/err"))"
    "$BIN/autoencoder" decode --model "$tmp/c1.model" --in "$tmp/cz.tsv" --out "$tmp/cd.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -eq 1 ] && [ ! -e "$tmp/cd.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]; ok $? "cnn: a classifier does not decode ($(head -c 80 "$tmp/err"))"
    "$BIN/autoencoder" train --kind cnn --arch conv4k3p1,bn,relu,maxpool2,flat,fc10 --lr 1e30 --limit 200 --quiet \
        --model "$tmp/dv.model" --out "$tmp/dv.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -eq 1 ] && [ ! -e "$tmp/dv.model" ] && grep -q 'diverged in epoch 1' "$tmp/err"
    ok $? "cnn: a diverging step size stops training, naming it, and saves no model ($(head -c 80 "$tmp/err"))"
    "$BIN/autoencoder" $ct --classes 0,1,2,3,4 --model "$tmp/c5.model" --out "$tmp/c5.tsv" &&
        grep -q 'classes 0,1,2,3,4' "$tmp/c5.tsv"; ok $? "cnn: --classes trains on a subset"
    lr="--M 10,40 --cues 40 --fit 2000 --store hopfield,dense,modern --code sign,continuous --quiet"
    "$BIN/latent-recall" $lr --threads 1 --grid "$tmp/lg" --out "$tmp/lr1.tsv"; ok $? "latent-recall end to end (PCA)"
    "$BIN/latent-recall" $lr --threads 2 --out "$tmp/lr2.tsv"
    diff <(grep -v '^# \(date\|command\)' "$tmp/lr1.tsv") <(grep -v '^# \(date\|command\)' "$tmp/lr2.tsv") > /dev/null
    ok $? "latent-recall: same results at 1 and 2 threads"
    [ "$(grep -vc '^#' "$tmp/lr1.tsv")" -eq 25 ] && [ -s "$tmp/lg.png" ] && [ -z "$(ls "$tmp" | grep '^lg\.\(dat\|gp\)$')" ]
    ok $? "24 rows (4 store/code pairs x 2 M x 3 corruptions) and the grid, without a .dat or .gp beside it"
    awk -F'\t' '$1 == "modern" && $2 == "continuous" && $4 == 10 && $5 == "noise" { exit !($8 >= 0.8 && $10 < $13) }' "$tmp/lr1.tsv"
    ok $? "modern store, M = 10, noisy cues: >= 80% items recalled, decoded closer than the cue's own decoding"
    "$BIN/latent-recall" --encoder "$tmp/a1.model" --M 20 --cues 20 --fit 1000 --store dense --code topk --bits 128 --quiet --out "$tmp/lr3.tsv"
    ok $? "latent-recall with a trained MLP encoder and a 128-unit top-k code"
else
    ok 0 "# SKIP Fashion-MNIST not installed (dataset-fashion-mnist)"
fi

# Familiarity (bin/familiarity): energy and best-overlap AUC beside recall, images seen vs unseen.
"$BIN/familiarity" --help | grep -q '^  images'; ok $? "familiarity --help lists the commands"
"$BIN/familiarity" capacity --help > "$tmp/fh"; ok $? "familiarity capacity --help exits 0"
grep -q -- '--N n  *units (default 200)' "$tmp/fh" && grep -q 'auc_energy' "$tmp/fh"; ok $? "familiarity capacity --help: defaults and columns"
fc="capacity --N 100 --P 5,50,500,5000 --trials 2 --familiar 30 --novel 60 --seed 3 --quiet"
"$BIN/familiarity" $fc --threads 1 --out "$tmp/fc1.tsv" && "$BIN/familiarity" $fc --threads 2 --out "$tmp/fc2.tsv"
ok $? "familiarity capacity runs at 1 and 2 threads"
diff <(grep -v '^# date:' "$tmp/fc1.tsv") <(grep -v '^# date:' "$tmp/fc2.tsv") > /dev/null; ok $? "familiarity capacity: byte-identical at 1 and 2 threads"
"$BIN/familiarity" $fc --seed 4 --out "$tmp/fc3.tsv"
! diff -q <(grep -v '^#' "$tmp/fc1.tsv") <(grep -v '^#' "$tmp/fc3.tsv") > /dev/null; ok $? "familiarity capacity: another seed, other results"
[ "$(grep -vc '^#' "$tmp/fc1.tsv")" -eq 5 ]; ok $? "familiarity capacity: a header and 4 rows"
awk -F'\t' '!/^#/ && $4 == 5 { exit !($10 == 1 && $18 == 1) }' "$tmp/fc1.tsv" &&
    awk -F'\t' '!/^#/ && $4 == 500 { exit !($10 > 0.95 && $18 == 0) }' "$tmp/fc1.tsv" &&
    awk -F'\t' '!/^#/ && $4 == 5000 { exit !($10 < 0.9 && $14 == 1) }' "$tmp/fc1.tsv"
ok $? "N = 100: P = 5 recalled and recognised; P = 500 recognised by energy (AUC > 0.95), not recalled; P = 5000 not by energy, still by best overlap"
grep -q '^# capacity hebb familiarity by energy (AUC) >= 0.95: P = 500 ' "$tmp/fc1.tsv" &&
    grep -q '^# capacity hebb recall (recall_frac) >= 0.95: P = 5 ' "$tmp/fc1.tsv"
ok $? "familiarity capacity: the summary lines name the largest P of each"
for bad in "capacity --N 1" "capacity --P 10,5" "capacity --P 0" "capacity --beta 3" "capacity --model seq-hebb" "capacity --flip 2" \
           "capacity --criterion nan" "capacity --pca-k 3" "images --M 1" "images --codes foo" "images --bits 64 --codes pixels" \
           "images --encoder x --pca-k 4" "images --held-out 12" "images --noise -1" "images --M 100 --cues 200" \
           "images --data $tmp/nowhere" "images --encoder $tmp/nowhere.model" "fly"; do
    rm -f "$tmp/o.tsv"
    "$BIN/familiarity" $bad --out "$tmp/o.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/o.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "familiarity $bad: one-line error, non-zero exit, nothing written ($(head -c 70 "$tmp/err"))"
done
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    fi="images --M 300 --cues 60 --pca-k 8 --bits 64 --quiet"
    "$BIN/familiarity" $fi --threads 1 --out "$tmp/fi1.tsv" && "$BIN/familiarity" $fi --threads 2 --out "$tmp/fi2.tsv"
    ok $? "familiarity images runs at 1 and 2 threads"
    diff <(grep -v '^# date:' "$tmp/fi1.tsv") <(grep -v '^# date:' "$tmp/fi2.tsv") > /dev/null; ok $? "familiarity images: byte-identical at 1 and 2 threads"
    [ "$(grep -vc '^#' "$tmp/fi1.tsv")" -eq 11 ]; ok $? "familiarity images: a header and 10 rows (2 codes x 2 scores + recon, x 2 novel sets)"
    awk -F'\t' '$2 == "recon" && $5 == "held-out" { exit !($8 > 0.8) }' "$tmp/fi1.tsv" &&
        awk -F'\t' '$2 == "store-overlap" && $3 == "pixels" { if ($8 != 1) bad = 1; rows++ } END { exit bad || rows != 2 }' "$tmp/fi1.tsv"
    ok $? "held-out classes: reconstruction AUC > 0.8; seen images found exactly by their pixels' best overlap (AUC 1)"
    if [ -s "$tmp/a1.model" ]; then
        "$BIN/familiarity" images --encoder "$tmp/a1.model" --M 300 --cues 60 --codes latent --bits 64 --quiet --out "$tmp/fi3.tsv" &&
            grep -q '^# encoder: .*a1.model' "$tmp/fi3.tsv"
        ok $? "familiarity images with a trained MLP encoder"
    fi
else
    ok 0 "# SKIP Fashion-MNIST not installed (dataset-fashion-mnist)"
fi

# ---- Trust: options of another setting, hostile values, atomic outputs, resume, MPI, BLAS kernels ----
for bad in "capacity --model dense --rule storkey" "capacity --model hopfield --beta 4" "capacity --model modern --dynamics sync" \
           "capacity --model dense --path matrix" "capacity --model modern --beta 1e31" "capacity --alpha 0.1:0.1:1e999" \
           "capacity --model modern --beta 1,nan" "theory --alpha 0.1:0.1:1e999" "theory --alpha 1e300:1e300:1" \
           "retrieval-beta --cluster-flip 0.2" "retrieval-beta --beta 1e999" "latent-recall --store dense --rule storkey" \
           "latent-recall --encoder x --pca-k 8" "latent-recall --grid-rows 3" "latent-recall --corrupt noise:nan" \
           "autoencoder train --kind pca --lr 0.1" "autoencoder train --k 8" "autoencoder eval --grid-rows 3 --model x" \
           "autoencoder decode --in x --model y --idx z --shape -1x-784" "autoencoder decode --in x --model y --shape 28x28"; do
    rm -f "$tmp/o.tsv"
    "$BIN/"$bad --out "$tmp/o.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -eq 2 ] && [ ! -e "$tmp/o.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "$bad: rejected in one line, exit 2, nothing written ($(head -c 80 "$tmp/err"))"
done

export SOURCE_DATE_EPOCH=1700000000   # fixes the date line, so whole files compare byte for byte
long="--rule hebb,storkey,pinv --N 400 --alpha 0.02:0.5:0.02 --trials 10 --seed 5 --quiet"
"$BIN/capacity" $long --out "$tmp/ref.tsv"; ok $? "a sweep of 750 jobs"
echo "the previous result" > "$tmp/r.tsv"
# SIGINT as a terminal sends it (a shell's background job ignores SIGINT unless reset).
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or exit 127' "$BIN/capacity" $long --out "$tmp/r.tsv" 2> "$tmp/sigerr" &
pid=$!
wait_size "$tmp/r.tsv.ckpt" 200 400 0.02
kill -INT $pid; wait $pid; rc=$?
[ $rc -ne 0 ] && [ "$(cat "$tmp/r.tsv")" = "the previous result" ]; ok $? "SIGINT mid-run: exit $rc, the previous --out file is intact"
[ -z "$(ls "$tmp" | grep -F '.tmp-')" ]; ok $? "and no partial or temporary file is left"
[ -s "$tmp/r.tsv.ckpt" ]; ok $? "the finished jobs are in the checkpoint r.tsv.ckpt"
"$BIN/capacity" $long --seed 6 --resume --out "$tmp/r.tsv" 2> "$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ "$(cat "$tmp/r.tsv")" = "the previous result" ] && grep -q 'another command' "$tmp/err"
ok $? "--resume of another command (seed) is refused: $(head -c 70 "$tmp/err")"
"$BIN/capacity" $long --resume --threads 1 --out "$tmp/r.tsv"; ok $? "--resume (at another thread count)"
cmp -s "$tmp/ref.tsv" "$tmp/r.tsv"; ok $? "the resumed file is byte-identical to the uninterrupted run"
[ ! -e "$tmp/r.tsv.ckpt" ]; ok $? "the checkpoint is removed once the result is written"
# SIGKILL leaves the output's temporary behind; the next run that writes that output removes it (once no
# process holds it and it is a few seconds old: here it is aged by hand), resuming from the checkpoint.
AM_CHECKPOINT_SECONDS=0 "$BIN/capacity" $long --out "$tmp/r.tsv" &
pid=$!
wait_size "$tmp/r.tsv.ckpt" 200 400 0.02
kill -KILL $pid; wait $pid 2> /dev/null
left=$(ls "$tmp" | grep -F 'r.tsv.tmp-')
[ -n "$left" ] && [ -s "$tmp/r.tsv.ckpt" ]; ok $? "SIGKILL mid-run leaves a temporary ($left) and a checkpoint"
[ "$(head -c 8 "$tmp/r.tsv.ckpt")" = LIBAMCKP ]; ok $? "the checkpoint was created whole (it starts with its header)"
touch -d '1 minute ago' "$tmp/$left"
echo "notes" > "$tmp/r.tsv.tmp-notes"
"$BIN/capacity" $long --resume --out "$tmp/r.tsv" && cmp -s "$tmp/ref.tsv" "$tmp/r.tsv"; ok $? "--resume after SIGKILL: the same file"
[ "$(ls "$tmp" | grep -F '.tmp-')" = r.tsv.tmp-notes ]; ok $? "the killed run's temporary is gone; a file merely named alike is kept"
rm -f "$tmp/r.tsv.tmp-notes"
# Ctrl-C (SIGINT to the process group; job control on, so the shell does not ignore it for the job) says how
# to go on: the checkpoint and --resume; resuming then gives the same file.
rm -f "$tmp/r.tsv.ckpt"  # (a checkpoint left over would be taken for this run's, and Ctrl-C sent before its handler)
(set -m; AM_CHECKPOINT_SECONDS=0 "$BIN/capacity" $long --out "$tmp/r.tsv" 2> "$tmp/err" & pid=$!
 wait_size "$tmp/r.tsv.ckpt" 200 400 0.02
 kill -INT -- -$pid; wait $pid; [ $? -eq 130 ]) 2> /dev/null  # (not the shell's job report)
rc=$?; [ $rc -eq 0 ] && grep -q "interrupted; the finished jobs are in the checkpoint '$tmp/r.tsv.ckpt': rerun the same command with --resume" "$tmp/err"
ok $? "capacity stopped by Ctrl-C names its checkpoint and --resume ($(grep -m1 . "$tmp/err" | head -c 100))"
"$BIN/capacity" $long --resume --out "$tmp/r.tsv" && diff <(grep -v '^# date:' "$tmp/ref.tsv") <(grep -v '^# date:' "$tmp/r.tsv") > /dev/null
ok $? "--resume after Ctrl-C: the same file (but for the date it began)"
# A checkpoint names a file libam may replace and remove: never the output, a directory or a user's file.
short="--N 100 --alpha 0.05:0.1:0.05 --trials 2 --quiet"
echo "my notes" > "$tmp/notes.txt"
mkdir -p "$tmp/ckdir"
ln -sf r2.tsv "$tmp/r2link.tsv"
mkfifo "$tmp/fifo"
for bad in "--checkpoint $tmp/notes.txt" "--checkpoint $tmp/notes.txt --resume" "--checkpoint $tmp/r2.tsv" \
           "--checkpoint $tmp/./r2.tsv" "--checkpoint $tmp/r2link.tsv" "--checkpoint $tmp/ckdir" \
           "--checkpoint $tmp/no/such/dir/c.ckpt" "--checkpoint $tmp/fifo"; do
    echo "the previous result" > "$tmp/r2.tsv"
    "$BIN/capacity" $short $bad --out "$tmp/r2.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -eq 2 ] && [ "$(cat "$tmp/r2.tsv")" = "the previous result" ] && [ "$(cat "$tmp/notes.txt")" = "my notes" ] && \
        [ -d "$tmp/ckdir" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && [ -p "$tmp/fifo" ]
    ok $? "capacity ${bad#--checkpoint $tmp/}: refused untouched ($(head -c 90 "$tmp/err"))"
done
echo "my notes" > "$tmp/r3.tsv.ckpt"
"$BIN/capacity" $short --out "$tmp/r3.tsv" 2> "$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ "$(cat "$tmp/r3.tsv.ckpt")" = "my notes" ] && [ ! -e "$tmp/r3.tsv" ]
ok $? "a user's file where the default checkpoint OUT.ckpt would go is refused untouched ($(head -c 60 "$tmp/err"))"
rm -f "$tmp/r3.tsv.ckpt"
"$BIN/capacity" $short --checkpoint "$tmp/c.ckpt" --out "$tmp/r3.tsv" && [ -s "$tmp/r3.tsv" ] && [ ! -e "$tmp/c.ckpt" ]
ok $? "an explicit checkpoint for a short run: the output is written, no checkpoint left"
cp "$tmp/ref.tsv" "$tmp/keep.tsv"
AM_CHECKPOINT_SECONDS=0 "$BIN/capacity" $long --out "$tmp/r4.tsv" &
pid=$!
wait_size "$tmp/r4.tsv.ckpt" 200 400 0.02
kill -KILL $pid; wait $pid 2> /dev/null
"$BIN/capacity" $short --checkpoint "$tmp/r4.tsv.ckpt" --out "$tmp/r5.tsv" && [ -s "$tmp/r5.tsv" ]
ok $? "another run's libam checkpoint may be replaced"
rm -f "$tmp"/r4.tsv* "$tmp"/r5.tsv "$tmp"/keep.tsv
# A checkpoint named through a symbolic link is the file the link names: the link survives the run; a link to
# nothing is refused.
mkdir -p "$tmp/ckd"
AM_CHECKPOINT_SECONDS=0 "$BIN/capacity" $long --out "$tmp/r6.tsv" --checkpoint "$tmp/ckd/c.ck" &
pid=$!
wait_size "$tmp/ckd/c.ck" 200 400 0.02
kill -KILL $pid; wait $pid 2> /dev/null
ln -s ckd/c.ck "$tmp/cklink"
"$BIN/capacity" $long --out "$tmp/r6.tsv" --checkpoint "$tmp/cklink" --resume && cmp -s "$tmp/ref.tsv" "$tmp/r6.tsv" &&
    [ -L "$tmp/cklink" ] && [ ! -e "$tmp/ckd/c.ck" ]
ok $? "--checkpoint LINK --resume: the same file, the checkpoint it names removed, the link kept"
ln -s nowhere "$tmp/cknone"
"$BIN/capacity" $short --checkpoint "$tmp/cknone" --out "$tmp/r7.tsv" 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && [ -L "$tmp/cknone" ] && [ ! -e "$tmp/r7.tsv" ]; ok $? "a checkpoint link to nothing is refused ($(head -c 60 "$tmp/err"))"
rm -rf "$tmp/ckd" "$tmp/cklink" "$tmp/cknone" "$tmp"/r6.tsv*  # with the killed run's temporary
# An output never replaces an input or another output named on the command line (exit 2, nothing touched).
"$BIN/autoencoder" train --kind pca --k 2 --limit 100 --model "$tmp/o.pca" --quiet --out /dev/null 2> /dev/null
"$BIN/autoencoder" encode --model "$tmp/o.pca" --limit 5 --quiet --out "$tmp/oz.tsv" 2> /dev/null
sum=$(cksum < "$tmp/o.pca"); zsum=$(cksum < "$tmp/oz.tsv")
for bad in "autoencoder encode --model $tmp/o.pca --limit 5 --out $tmp/o.pca" \
           "autoencoder encode --model $tmp/o.pca --limit 5 --out $tmp/./o.pca" \
           "autoencoder decode --model $tmp/o.pca --in $tmp/oz.tsv --idx $tmp/oz.tsv --out $tmp/ox.tsv" \
           "autoencoder train --kind pca --k 2 --limit 100 --images $tmp/o.pca --model $tmp/o.pca --out $tmp/ox.tsv" \
           "concepts recall --db $tmp/cdb --cues a=$tmp/oz.tsv --out $tmp/oz.tsv" \
           "spiking coba --time 5 --raster $tmp/ox.tsv --rate $tmp/ox.tsv --out $tmp/oy.tsv"; do
    "$BIN/"$bad --quiet 2> "$tmp/err"; rc=$?
    [ $rc -eq 2 ] && [ "$(cksum < "$tmp/o.pca")" = "$sum" ] && [ "$(cksum < "$tmp/oz.tsv")" = "$zsum" ] && \
        [ ! -e "$tmp/ox.tsv" ] && [ ! -e "$tmp/oy.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "${bad%% --*}: refused ($(head -c 90 "$tmp/err"))"
done
# latent-recall resumes too (a checkpoint record per cell, written at once).
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    lrr="--M 200,1000,3000 --cues 300 --fit 3000 --store dense,modern --code sign --corrupt noise:0.3,occlude:10,class --quiet"
    "$BIN/latent-recall" $lrr --out "$tmp/lref.tsv"
    AM_CHECKPOINT_SECONDS=0 perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or exit 127' "$BIN/latent-recall" $lrr --out "$tmp/lr.tsv" 2> "$tmp/sigerr" &
    pid=$!
    wait_size "$tmp/lr.tsv.ckpt" 60 500 0.01
    kill -INT $pid; wait $pid
    [ ! -e "$tmp/lr.tsv" ] && [ -s "$tmp/lr.tsv.ckpt" ] && grep -q "checkpoint '$tmp/lr.tsv.ckpt': rerun the same command with --resume" "$tmp/sigerr"
    ok $? "latent-recall interrupted: no output, a checkpoint, and how to resume from it"
    "$BIN/latent-recall" $lrr --resume --out "$tmp/lr.tsv" && cmp -s "$tmp/lref.tsv" "$tmp/lr.tsv"
    ok $? "latent-recall --resume gives the uninterrupted file byte for byte"
fi
# A disk that fills: the write fails, the reason is told, the previous model survives, nothing partial.
tr="train --limit 300 --epochs 1 --layers 784,16,784 --batch 50 --quiet"
"$BIN/autoencoder" $tr --model "$tmp/m.model" --out "$tmp/l.tsv"; ok $? "a model to keep"
sum=$(cksum < "$tmp/m.model")
(trap '' XFSZ; ulimit -f 40; exec "$BIN/autoencoder" $tr --lr 0.01 --model "$tmp/m.model" --out "$tmp/l2.tsv") 2> "$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q 'File too large' "$tmp/err" && [ "$(cksum < "$tmp/m.model")" = "$sum" ] && [ ! -e "$tmp/l2.tsv" ]
ok $? "a failing save says why ($(head -c 60 "$tmp/err")), the previous model is intact"
{ (ulimit -f 40; exec "$BIN/autoencoder" $tr --lr 0.01 --model "$tmp/m.model" --out "$tmp/l2.tsv"); } 2> /dev/null
[ "$(cksum < "$tmp/m.model")" = "$sum" ] && [ -z "$(ls "$tmp" | grep -F '.tmp-')" ]; ok $? "killed by SIGXFSZ: nothing partial left"
# User text never reaches a shell.
mkdir -p "$tmp/inj"
(cd "$tmp/inj" && "$BIN/autoencoder" eval --model "$tmp/m.model" --limit 60 --grid "g'; touch INJECTED; echo '" --quiet --out e.tsv)
ok $? "eval --grid with quotes in the prefix"
[ ! -e "$tmp/inj/INJECTED" ] && [ -s "$tmp/inj/g'; touch INJECTED; echo '.png" ]; ok $? "the prefix is a file name, not a command"
"$BIN/autoencoder" eval --model "$tmp/m.model" --limit 60 --grid "$tmp/inj/g
system 'touch $tmp/inj/INJECTED2'" --quiet --out "$tmp/inj/e2.tsv" 2> /dev/null
[ $? -ne 0 ] && [ ! -e "$tmp/inj/INJECTED2" ]; ok $? "a newline cannot smuggle a gnuplot command"
# IDX data made here: 40 classes, labels above 255.
idx_u8() { printf '\x00\x00\x08\x03'; be32 $1; printf '\x00\x00\x00\x1c\x00\x00\x00\x1c'; LC_ALL=C awk -v n=$1 'BEGIN { for (i = 0; i < n * 784; i++) printf "%c", (i * 37 + int(i / 784) * 11) % 251 }'; }
be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }
idx_labels() { printf '\x00\x00\x0c\x01'; be32 $1; for ((i = 0; i < $1; i++)); do be32 $(( (i * $2) % $3 )); done; }
idx_u8 80 > "$tmp/im40.idx"; idx_labels 80 1 40 > "$tmp/lab40.idx"
"$BIN/autoencoder" eval --model "$tmp/m.model" --images "$tmp/im40.idx" --labels "$tmp/lab40.idx" --grid "$tmp/g40" --out "$tmp/e40.tsv" 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && [ ! -e "$tmp/e40.tsv" ]; ok $? "eval --grid over 40 classes: one line ($(head -c 60 "$tmp/err")), exit 2"
"$BIN/autoencoder" eval --model "$tmp/m.model" --images "$tmp/im40.idx" --labels "$tmp/lab40.idx" --quiet --out "$tmp/e40.tsv"
[ "$(grep -c '^[0-9]' "$tmp/e40.tsv")" -eq 40 ]; ok $? "and without --grid, 40 class rows"
idx_labels 80 1000 1000000 > "$tmp/labbig.idx"
"$BIN/autoencoder" eval --model "$tmp/m.model" --images "$tmp/im40.idx" --labels "$tmp/labbig.idx" --out "$tmp/eb.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && grep -q 'out of range' "$tmp/err"; ok $? "labels up to 79000: $(head -c 90 "$tmp/err")"
mkdir -p "$tmp/big"
idx_u8 600 | gzip > "$tmp/big/train-images-idx3-ubyte.gz"; idx_labels 600 1 300 | gzip > "$tmp/big/train-labels-idx1-ubyte.gz"
idx_u8 100 | gzip > "$tmp/big/t10k-images-idx3-ubyte.gz"; idx_labels 100 1 10 | gzip > "$tmp/big/t10k-labels-idx1-ubyte.gz"
"$BIN/latent-recall" --data "$tmp/big" --M 100 --fit 300 --cues 10 --pca-k 8 --corrupt noise:0.2 --store hopfield --code sign --quiet --out "$tmp/lb.tsv"
ok $? "latent-recall with training labels up to 299 (none in the test split) runs cleanly"
"$BIN/latent-recall" --data "$tmp/big" --M 100 --fit 300 --cues 10 --pca-k 8 --corrupt class --store hopfield --code sign --out "$tmp/lc.tsv" 2> "$tmp/err"
[ $? -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && [ ! -e "$tmp/lc.tsv" ]; ok $? "class cues for a class the test split lacks: $(head -c 60 "$tmp/err")"
# The contract: same seed, same bytes, at any thread count, any MPI rank count, any OpenBLAS kernel set.
for ct in Haswell none; do
    for t in 1 2; do
        if [ $ct = none ]; then e="env -u OPENBLAS_CORETYPE"; else e="env OPENBLAS_CORETYPE=$ct"; fi
        $e "$BIN/autoencoder" train --limit 1000 --epochs 1 --batch 50 --layers 784,32,784 --threads $t --quiet \
            --model "$tmp/k-$ct-$t.model" --out "$tmp/k-$ct-$t.tsv"
    done
done
[ "$(cat "$tmp"/k-*.model | cksum)" != "" ] && cmp -s "$tmp/k-Haswell-1.model" "$tmp/k-Haswell-2.model" &&
    cmp -s "$tmp/k-Haswell-1.model" "$tmp/k-none-1.model" && cmp -s "$tmp/k-none-1.model" "$tmp/k-none-2.model"
ok $? "autoencoder train: the same model bytes at 1 and 2 threads, with OPENBLAS_CORETYPE=Haswell and unset"
cint="--rule hebb --N 200 --alpha 0.05:0.3:0.05 --trials 3 --cues 10 --seed 2 --quiet"
env OPENBLAS_CORETYPE=Haswell "$BIN/capacity" $cint --out "$tmp/kh.tsv"; env -u OPENBLAS_CORETYPE "$BIN/capacity" $cint --out "$tmp/ku.tsv"
diff <(grep -v '^#' "$tmp/kh.tsv") <(grep -v '^#' "$tmp/ku.tsv") > /dev/null; ok $? "Hebb capacity (an integer path): the same rows under both kernel sets"
dint="--model dense --F poly,exp --degree 3 --N 60 --P 30,90 --trials 3 --cues 5 --seed 2 --quiet"
env OPENBLAS_CORETYPE=Haswell "$BIN/capacity" $dint --out "$tmp/dh.tsv"; env -u OPENBLAS_CORETYPE "$BIN/capacity" $dint --out "$tmp/du.tsv"
diff <(grep -v '^#' "$tmp/dh.tsv") <(grep -v '^#' "$tmp/du.tsv") > /dev/null; ok $? "dense capacity (integer overlaps): the same rows under both kernel sets"
# Storkey, the pseudo-inverse rule (P below and above N), PCA and the latent codes' decoder run on libam's own
# fixed-order linear algebra: the same bytes under every OpenBLAS kernel set this CPU has, at 1 and 2 threads.
cts="Prescott Haswell"; grep -qw avx512f /proc/cpuinfo && cts="$cts SkylakeX"
lin="--rule storkey,pinv --N 120 --P 20,60,110,140 --trials 3 --cues 10 --noise 0.1 --seed 2 --quiet"
lat="--data $tmp/big --M 100 --fit 300 --cues 10 --pca-k 8 --corrupt noise:0.2 --store hopfield --rule pinv --code sign,topk --quiet"
for ct in $cts; do
    for t in 1 2; do
        env OPENBLAS_CORETYPE=$ct "$BIN/capacity" $lin --threads $t --out "$tmp/lk-$ct-$t.tsv"
        env OPENBLAS_CORETYPE=$ct "$BIN/latent-recall" $lat --threads $t --out "$tmp/ll-$ct-$t.tsv"
        env OPENBLAS_CORETYPE=$ct "$BIN/autoencoder" train --kind pca --k 16 --data "$tmp/big" --threads $t --quiet \
            --model "$tmp/lp-$ct-$t.pca" --out /dev/null
    done
done
for f in "lk capacity storkey,pinv" "ll latent-recall (PCA, codes, pinv)" "lp PCA model"; do
    for g in "$tmp/${f%% *}"-*; do { [ -s "$g" ] && grep -av '^# \(date\|command\)' "$g" | cksum; } || echo "no $g"; done |
        sort -u | wc -l | grep -qx 1
    ok $? "${f#* }: the same bytes under OPENBLAS_CORETYPE=${cts// /, } at 1 and 2 threads"
done
if command -v mpirun > /dev/null && [ -e "$AM_BUILD/libam-mpi.so" ]; then
    mpi="mpirun --oversubscribe"; [ "$(id -u)" = 0 ] && mpi="$mpi --allow-run-as-root"
    margs="--rule hebb,storkey --N 150 --alpha 0.05:0.3:0.05 --trials 4 --cues 8 --seed 3 --quiet"
    "$BIN/capacity" $margs --out "$tmp/m0.tsv"
    for np in 1 2 3; do
        ASAN_OPTIONS=detect_leaks=0 $mpi -np $np "$BIN/capacity" $margs --out "$tmp/m$np.tsv" > /dev/null 2>&1
        cmp -s "$tmp/m0.tsv" "$tmp/m$np.tsv"; ok $? "mpirun -np $np capacity: the same file as one process, byte for byte"
    done
    ASAN_OPTIONS=detect_leaks=0 $mpi -np 2 "$BIN/retrieval-beta" --d 32 --M 20,40 --beta 1,8 --trials 3 --cues 4 --quiet --out "$tmp/rb2.tsv" > /dev/null 2>&1
    "$BIN/retrieval-beta" --d 32 --M 20,40 --beta 1,8 --trials 3 --cues 4 --quiet --out "$tmp/rb1.tsv"
    cmp -s "$tmp/rb1.tsv" "$tmp/rb2.tsv"; ok $? "mpirun -np 2 retrieval-beta: the same file as one process"
    sqa="capacity --model seq-dense --degree 1,2 --N 30,60 --trials 3 --sequences 10 --seed 2 --quiet"
    "$BIN/sequence" $sqa --out "$tmp/sqm1.tsv"
    ASAN_OPTIONS=detect_leaks=0 $mpi -np 2 "$BIN/sequence" $sqa --out "$tmp/sqm2.tsv" > /dev/null 2>&1
    diff <(grep -v '^# time:' "$tmp/sqm1.tsv") <(grep -v '^# time:' "$tmp/sqm2.tsv") > /dev/null
    ok $? "mpirun -np 2 sequence capacity: the same file as one process (its '# time:' line aside)"
    if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
        la="--M 10,30 --cues 20 --fit 1000 --store hopfield,modern --code sign --corrupt noise:0.3,occlude:10 --quiet"
        "$BIN/latent-recall" $la --out "$tmp/la1.tsv"
        ASAN_OPTIONS=detect_leaks=0 $mpi -np 2 "$BIN/latent-recall" $la --out "$tmp/la2.tsv" > /dev/null 2>&1
        cmp -s "$tmp/la1.tsv" "$tmp/la2.tsv"; ok $? "mpirun -np 2 latent-recall: the same file as one process"
    fi
    env -u AM_MPI_PLUGIN AM_MPI_PLUGIN=/nonexistent.so OMPI_COMM_WORLD_SIZE=2 "$BIN/capacity" --N 10 --P 2 --out "$tmp/x.tsv" 2> "$tmp/err"
    [ $? -eq 2 ] && grep -q 'MPI plugin' "$tmp/err" && [ ! -e "$tmp/x.tsv" ]; ok $? "started by mpirun without the plugin: a clear error"
else
    ok 0 "# SKIP mpirun or the MPI plugin missing (libopenmpi-dev, openmpi-bin)"
fi
unset SOURCE_DATE_EPOCH

# A WAV libam wrote from features is speech, not a click: with sox, its RMS level within 6 dB of the
# reference's (an utterance speech-data kept), and no sample of its first or last 256 samples louder than the
# body between them. Prints the figures; status 0 when both hold.
wav_sounds_right() {
    lev() { f=$1; shift; sox "$f" -n "$@" stats 2>&1 | awk -v k="$LEVKEY" '$0 ~ k { print $NF }'; }
    r=$(LEVKEY='RMS lev' lev "$1"); s=$(LEVKEY='RMS lev' lev "$2")
    e1=$(LEVKEY='Pk lev' lev "$1" trim 0 256s); e2=$(LEVKEY='Pk lev' lev "$1" trim -256s)
    b=$(LEVKEY='Pk lev' lev "$1" trim 256s -256s)
    echo "rms $r dB vs source $s dB; edge peaks $e1 $e2 dB, body $b dB"
    awk -v r="$r" -v s="$s" -v e1="$e1" -v e2="$e2" -v b="$b" 'BEGIN {
        if (e1 == "-inf") e1 = -999; if (e2 == "-inf") e2 = -999
        d = r - s; exit !(r != "" && s != "" && b != "" && d < 6 && d > -6 && e1 <= b && e2 <= b) }'
}

# speech-data: a three-word list end to end, and its failures (one line, non-zero exit, nothing in the cache).
"$BIN/speech-data" --help | grep -q 'train-spectrograms.idx'; ok $? "speech-data --help describes its files"
printf 'sneaker\n# a comment\n\nbag\nankle boot\n' > "$tmp/words3"
if command -v espeak-ng > /dev/null && command -v flite > /dev/null; then
    "$BIN/speech-data" --cache "$tmp/sp" --words "$tmp/words3" --voices en+m3,en-us+f2 --speeds 140,180 --pitches 50 \
        --test-voices kal16 --frames 32 --mels 24 --keep-wav --quiet --out "$tmp/sp.tsv"
    ok $? "speech-data on three words"
    hdr=$(od -An -tu1 -N16 "$tmp/sp/train-spectrograms.idx" | tr -s ' ')
    [ "$hdr" = " 0 0 13 3 0 0 0 12 0 0 0 32 0 0 0 24" ]; ok $? "train spectrograms: float IDX 12 x 32 x 24 ($hdr)"
    [ "$(grep -c '^train' "$tmp/sp.tsv")" = 12 ] && [ "$(grep -c '^test' "$tmp/sp.tsv")" = 3 ]; ok $? "12 espeak-ng and 3 flite utterances listed"
    [ "$(cat "$tmp/sp/words.txt" | tr '\n' ,)" = "sneaker,bag,ankle boot," ]; ok $? "words.txt in label order"
    [ "$(ls "$tmp/sp/wav" | wc -l)" = 15 ]; ok $? "--keep-wav keeps 15 WAV files"
    [ -z "$(ls -A "$tmp/sp" | grep '^\.speech')" ]; ok $? "no staging directory left behind"
    # Killed with SIGKILL: its staging directory stays until the next run into that cache removes it.
    "$BIN/speech-data" --cache "$tmp/spk" --words "$tmp/words3" --voices en+m3 --speeds 140,180 --pitches 40,50,60 \
        --test-voices kal16 --keep-wav --threads 1 --quiet --out "$tmp/spk.tsv" &
    pid=$!
    wait_glob "$tmp/spk/.speech-data-*/*.wav" 300 0.01
    kill -KILL $pid; wait $pid 2> /dev/null
    st=$(ls -A "$tmp/spk" | grep '^\.speech-data-')
    [ -n "$st" ]; ok $? "speech-data killed: its staging directory $st is left"
    sleep 1  # a synthesiser it had started may still write its utterance into the stage
    touch -d '1 minute ago' "$tmp/spk/$st"
    "$BIN/speech-data" --cache "$tmp/spk" --words "$tmp/words3" --voices en+m3 --speeds 140 --pitches 50 \
        --test-voices kal16 --quiet --out "$tmp/spk.tsv" && [ -z "$(ls -A "$tmp/spk" | grep '^\.speech')" ]
    ok $? "the next run into the cache removes it"
    # Stopped by SIGTERM (or Ctrl-C): the signal handler removes the staging directory with the temporaries.
    "$BIN/speech-data" --cache "$tmp/spk" --words "$tmp/words3" --voices en+m3 --speeds 140,180 --pitches 40,50,60 \
        --test-voices kal16 --keep-wav --threads 1 --quiet --out "$tmp/spk.tsv" &
    pid=$!
    wait_glob "$tmp/spk/.speech-data-*/*.wav" 300 0.01
    kill -TERM $pid; wait $pid; rc=$?
    [ $rc -eq 143 ] && [ -z "$(ls -A "$tmp/spk" | grep '^\.speech')" ]; ok $? "speech-data stopped by SIGTERM (exit $rc): no staging directory left"
    # Ctrl-C: SIGINT to the whole process group, the synthesisers it runs included (job control on, so that
    # the shell does not start the job with SIGINT ignored).
    (set -m; "$BIN/speech-data" --cache "$tmp/spk" --words "$tmp/words3" --voices en+m3 --speeds 140,180 --pitches 40,50,60 \
        --test-voices kal16 --keep-wav --threads 2 --quiet --out "$tmp/spk.tsv" & pid=$!
     wait_glob "$tmp/spk/.speech-data-*/*.wav" 300 0.01
     kill -INT -- -$pid; wait $pid; exit $?) 2> /dev/null; rc=$?
    sleep 0.5  # a synthesiser still writing would show now
    [ $rc -eq 130 ] && [ -z "$(ls -A "$tmp/spk" | grep '^\.speech')" ]; ok $? "speech-data stopped by Ctrl-C (exit $rc): no staging directory left"
    awk -F'\t' '!/^#/ && NR > 1 && $1 != "split" { if ($11 + 0 < 1000) bad = 1 } END { exit bad }' "$tmp/sp.tsv"; ok $? "every utterance has sound"
    # A wider held-out set: flite voices x duration stretches x f0 shifts, then held-out espeak-ng voices x
    # speeds x pitches, each utterance's settings in the TSV; the same bytes at 1 and 2 threads.
    hv="--voices en+m3 --speeds 150 --pitches 50 --test-voices kal16 --test-stretches 0.8,1.25 --test-f0-shifts 1.2 \
        --test-espeak-voices en-us+klatt --test-speeds 205 --test-pitches 42,72 --frames 32 --mels 24"
    "$BIN/speech-data" --cache "$tmp/sph" --words "$tmp/words3" $hv --keep-wav --threads 2 --quiet --out "$tmp/sph.tsv"
    ok $? "speech-data with held-out stretches, f0 shifts and espeak-ng voices"
    [ "$(grep -c '^test	' "$tmp/sph.tsv")" = 12 ] && grep -q '^# utterances: 3 train (espeak-ng), 12 test (held out: 6 flite, 6 espeak-ng)$' "$tmp/sph.tsv"
    ok $? "3 words x (2 flite + 2 espeak-ng) held-out utterances, counted in the header"
    awk -F'\t' '$1 == "test" && $2 == 1 { exit !($5 == "flite" && $6 == "kal16" && $7 == "-" && $9 == 1.25 && $10 == 1.2) }' "$tmp/sph.tsv"
    ok $? "a flite row names its stretch and f0 shift"
    awk -F'\t' '$1 == "test" && $2 == 3 { exit !($5 == "espeak-ng" && $6 == "en-us+klatt" && $7 == 205 && $8 == 72 && $9 == "-") }' "$tmp/sph.tsv"
    ok $? "a held-out espeak-ng row names its voice, speed and pitch"
    "$BIN/speech-data" --cache "$tmp/sph1" --words "$tmp/words3" $hv --threads 1 --quiet --out "$tmp/sph1.tsv"
    cmp -s "$tmp/sph/test-spectrograms.idx" "$tmp/sph1/test-spectrograms.idx" && cmp -s "$tmp/sph/test-labels.idx" "$tmp/sph1/test-labels.idx"
    ok $? "the held-out set: the same bytes at 1 and 2 threads"
    if command -v sox > /dev/null; then  # as a listener would check them: speech level, not silent, not clipped
        bad=$(for f in "$tmp"/sph/wav/test-*.wav; do sox "$f" -n stats 2>&1 | awk -v f="${f##*/}" '
            /^Pk lev dB/ { pk = $4 } /^RMS lev dB/ { rms = $4 } END { if (!(rms > -30 && rms < -18 && pk < -0.5)) print f, pk, rms }'; done)
        [ -z "$bad" ]; ok $? "every held-out WAV at speech level, none silent or at full scale ${bad:+($bad)}"
    fi
    # flite's rms voice ignores f0_shift: its copies are refused, naming both utterances.
    "$BIN/speech-data" --cache "$tmp/spr" --words "$tmp/words3" --voices en+m3 --speeds 150 --pitches 50 --test-voices rms \
        --test-f0-shifts 0.9,1.1 --quiet --out "$tmp/spr.tsv" 2> "$tmp/err"
    [ $? -ne 0 ] && [ ! -e "$tmp/spr.tsv" ] && [ ! -e "$tmp/spr/test-spectrograms.idx" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
        grep -q "flite voice rms, stretch 1, f0 shift 0.9).*f0 shift 1.1) have the same spectrogram" "$tmp/err"
    ok $? "identical utterances refused ($(head -c 90 "$tmp/err"))"
    # espeak-ng's en-gb-scotland+edward clips "sneaker" at speed 160, pitch 35: refused, the voice named.
    printf 'sneaker\n' > "$tmp/words1"
    "$BIN/speech-data" --cache "$tmp/spc1" --words "$tmp/words1" --voices en-gb-scotland+edward --speeds 160 --pitches 35 \
        --test-voices '' --quiet --out "$tmp/spc1.tsv" 2> "$tmp/err"
    [ $? -ne 0 ] && [ ! -e "$tmp/spc1.tsv" ] && [ ! -e "$tmp/spc1/train-spectrograms.idx" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
        grep -q "clipped 1 of 1 utterances.*voices: en-gb-scotland+edward;" "$tmp/err"
    ok $? "a clipped utterance refused, its voice named ($(head -c 90 "$tmp/err"))"
    "$BIN/speech-data" --cache "$tmp/sp2" --words "$tmp/words3" --voices en+m3,en-us+f2 --speeds 140,180 --pitches 50 \
        --test-voices kal16 --frames 32 --mels 24 --threads 1 --quiet --out "$tmp/sp2.tsv"
    cmp -s "$tmp/sp/train-spectrograms.idx" "$tmp/sp2/train-spectrograms.idx" && cmp -s "$tmp/sp/test-spectrograms.idx" "$tmp/sp2/test-spectrograms.idx"
    ok $? "the same spectrogram files at 1 and 2 threads"
    # The encoders train on spectrograms unchanged.
    "$BIN/autoencoder" train --images "$tmp/sp/train-spectrograms.idx" --labels "$tmp/sp/train-labels.idx" --layers 768,32,768 \
        --epochs 2 --batch 8 --model "$tmp/sp.ae" --quiet --out "$tmp/spae.tsv" 2> "$tmp/err"
    ok $? "autoencoder trains on spectrograms ($(head -c 80 "$tmp/err"))"
    "$BIN/autoencoder" train --kind pca --k 4 --images "$tmp/sp/train-spectrograms.idx" --model "$tmp/sp.pca" --quiet --out "$tmp/sppca.tsv" 2> "$tmp/err"
    ok $? "PCA trains on spectrograms ($(head -c 80 "$tmp/err"))"
    "$BIN/spectrogram" grid --cache "$tmp/sp" --index 0,1 --model "$tmp/sp.pca" --prefix "$tmp/pg" --quiet --out "$tmp/pg.tsv"
    awk -F'\t' '!/^#/ && $1 != "row" { if (!($5 >= 0 && $5 < 0.1)) bad = 1; n++ } END { exit bad || n != 2 }' "$tmp/pg.tsv"
    ok $? "its reconstructions of held-out voices have MSE below 0.1"
    [ -s "$tmp/sp/spectrogram.txt" ] && grep -q '^mels 24$' "$tmp/sp/spectrogram.txt"; ok $? "spectrogram.txt records the settings"
    # Hear and see them: Griffin-Lim to WAV, stored and through the encoder; the image grid.
    "$BIN/spectrogram" listen --cache "$tmp/sp" --index 0,2 --model "$tmp/sp.ae" --iters 20 --prefix "$tmp/ls" --quiet --out "$tmp/ls.tsv"
    ok $? "spectrogram listen"
    [ "$(ls "$tmp"/ls-test-*.wav | wc -l)" = 4 ]; ok $? "4 WAV files: 2 stored, 2 through the encoder"
    awk -F'\t' '!/^#/ && $1 == "test" { if (!($7 > 0 && $7 < 0.5)) bad = 1; n++ } END { exit bad || n != 4 }' "$tmp/ls.tsv"
    ok $? "Griffin-Lim's spectral error is below 0.5 for each"
    if command -v sox > /dev/null; then
        for f in 0 0-model 2 2-model; do  # test utterance i was kept as wav/test-i.wav
            m=$(wav_sounds_right "$tmp/ls-test-$f.wav" "$tmp/sp/wav/test-${f%-model}.wav")
            ok $? "ls-test-$f.wav sounds like speech: $m"
        done
    else
        ok 0 "# SKIP sound levels: sox missing (tools/install-deps)"
    fi
    "$BIN/spectrogram" grid --cache "$tmp/sp" --split train --index 0,3,6 --model "$tmp/sp.ae" --prefix "$tmp/gr" --quiet --out "$tmp/gr.tsv"
    [ $? = 0 ] && [ -s "$tmp/gr.png" ]; ok $? "spectrogram grid draws a PNG"
    for bad in "listen --cache $tmp/sp --index 99 --prefix $tmp/x" "listen --cache $tmp/nocache --prefix $tmp/x" \
               "listen --cache $tmp/sp" "grid --cache $tmp/sp --split dev --prefix $tmp/x" \
               "listen --cache $tmp/sp --prefix $tmp/x --model $tmp/m.model" "listen --cache $tmp/sp --prefix $tmp/x --iters 0" "noise"; do
        rm -f "$tmp/x.tsv"
        "$BIN/spectrogram" $bad --out "$tmp/x.tsv" 2> "$tmp/err"; rc=$?
        [ $rc -ne 0 ] && [ ! -e "$tmp/x.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
        ok $? "spectrogram $bad: one-line error, no output ($(head -c 70 "$tmp/err"))"
    done
    : > "$tmp/empty"
    for bad in "--words $tmp/empty" "--words $tmp/none" "--cache /proc/no/such --words $tmp/words3" "--frames 0" \
               "--voices en+m3;rm" "--speeds 10" "--planning fast" "--seeds 3" "--test-stretches 3" "--test-f0-shifts 0.9,x" \
               "--test-speeds 150" "--test-pitches 40" \
               "--test-espeak-voices en+m3 --voices en+m3" "--test-espeak-voices en+nosuch" "--test-espeak-voices en;rm"; do
        rm -rf "$tmp/spx" "$tmp/spx.tsv"
        "$BIN/speech-data" --cache "$tmp/spx" $bad --out "$tmp/spx.tsv" 2> "$tmp/err"; rc=$?
        [ $rc -ne 0 ] && [ ! -e "$tmp/spx.tsv" ] && [ ! -e "$tmp/spx/train-spectrograms.idx" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
        ok $? "speech-data $bad: one-line error, nothing written ($(head -c 70 "$tmp/err"))"
    done
    # Options that do not apply are refused, saying why: the espeak-ng settings without held-out espeak-ng
    # voices, the flite settings without flite voices; and a held-out voice must not be a training voice.
    "$BIN/speech-data" --cache "$tmp/spx" --test-pitches 40 --out "$tmp/spx.tsv" 2> "$tmp/err"
    [ $? -eq 2 ] && grep -q -- "--test-pitches applies with --test-espeak-voices only, not to a run without --test-espeak-voices" "$tmp/err"
    ok $? "--test-pitches without held-out espeak-ng voices is refused"
    "$BIN/speech-data" --cache "$tmp/spx" --test-voices '' --test-espeak-voices en-us+klatt --test-stretches 0.9 --out "$tmp/spx.tsv" 2> "$tmp/err"
    [ $? -eq 2 ] && grep -q -- "--test-stretches applies with --test-voices only, not to a run without flite voices" "$tmp/err"
    ok $? "--test-stretches without flite voices is refused"
    "$BIN/speech-data" --cache "$tmp/spx" --voices en+m3,en-us+f2 --test-espeak-voices en-us+f2 --out "$tmp/spx.tsv" 2> "$tmp/err"
    [ $? -eq 2 ] && grep -q -- "--test-espeak-voices: en-us+f2 is a training voice" "$tmp/err" && [ ! -e "$tmp/spx" ]
    ok $? "a held-out espeak-ng voice that is also a training voice is refused"
    printf 'sneaker\nbag!\n' > "$tmp/wordsbad"
    "$BIN/speech-data" --cache "$tmp/spx" --words "$tmp/wordsbad" --out "$tmp/spx.tsv" 2> "$tmp/err"
    [ $? -ne 0 ] && grep -q 'line 2: "bag!" is not a word' "$tmp/err"; ok $? "a word with other characters is named with its line"
    env PATH=/nonexistent "$BIN/speech-data" --cache "$tmp/spx" --out "$tmp/spx.tsv" 2> "$tmp/err"
    [ $? -ne 0 ] && grep -q "espeak-ng not found" "$tmp/err" && [ ! -e "$tmp/spx" ]; ok $? "a missing synthesiser is named"
    "$BIN/speech-data" --cache "$tmp/spx" --words "$tmp/words3" --voices no-such-voice --speeds 150 --pitches 50 \
        --test-voices '' --out "$tmp/spx.tsv" 2> "$tmp/err"
    [ $? -ne 0 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && { [ ! -e "$tmp/spx" ] || [ -z "$(ls -A "$tmp/spx")" ]; }
    ok $? "a voice the synthesiser does not have: one line, empty cache ($(head -c 90 "$tmp/err"))"
    "$BIN/speech-data" --cache "$tmp/spx" --words "$tmp/words3" --voices en+nosuch --out "$tmp/spx.tsv" 2> "$tmp/err"
    [ $? -ne 0 ] && grep -q "no variant 'nosuch'" "$tmp/err"; ok $? "an unknown espeak-ng variant is named"
    "$BIN/speech-data" --cache "$tmp/spx" --words "$tmp/words3" --test-voices kal16,nosuch --out "$tmp/spx.tsv" 2> "$tmp/err"
    [ $? -ne 0 ] && grep -q "flite has no voice 'nosuch'" "$tmp/err"; ok $? "an unknown flite voice is named"
    if [ "$(id -u)" != 0 ]; then
        mkdir -p "$tmp/ro" && chmod 555 "$tmp/ro"
        "$BIN/speech-data" --cache "$tmp/ro" --words "$tmp/words3" --out "$tmp/spx.tsv" 2> "$tmp/err"
        [ $? -ne 0 ] && grep -q "cannot write to --cache" "$tmp/err"; ok $? "an unwritable cache is named"
    fi
else
    ok 0 "# SKIP speech-data end to end: espeak-ng or flite missing (tools/install-deps)"
fi

# word-data: the Fashion-MNIST classes with WordNet, and a list; every word cleans up to itself.
printf 'sneakers\nbagel\n' > "$tmp/wl"
if [ -f /usr/share/wordnet/data.noun ]; then
    "$BIN/word-data" --cache "$tmp/wd" --words "$tmp/wl" --D 512 --quiet --out "$tmp/wd.tsv"; ok $? "word-data"
    awk -F'\t' '!/^#/ && $1 != "index" { n++; if ($7 != 1) bad = 1 } END { exit bad || n < 30 }' "$tmp/wd.tsv"; ok $? "every word decodes to itself"
    awk -F'\t' '$2 == "tennis shoe" && $3 == 7 && $4 == "synonym" { f = 1 } END { exit !f }' "$tmp/wd.tsv"; ok $? "'tennis shoe' is a synonym of class 7"
    awk -F'\t' '$2 == "sneakers" { exit !($3 == 10 && $5 == "sneaker") }' "$tmp/wd.tsv"; ok $? "a listed word gets concept 10, its nearest spelling is 'sneaker'"
    hdr=$(od -An -tu1 -N12 "$tmp/wd/word-codes.idx" | tr -s ' ')
    [ "$hdr" = " 0 0 13 2 0 0 0 $(grep -vc '^#\|^index' "$tmp/wd.tsv") 0 0 2 0" ]; ok $? "word-codes.idx is float count x 512 ($hdr)"
    "$BIN/word-data" --cache "$tmp/wd2" --words "$tmp/wl" --D 512 --threads 1 --quiet --out "$tmp/wd2.tsv"
    cmp -s "$tmp/wd/word-codes.idx" "$tmp/wd2/word-codes.idx"; ok $? "the same codes again"
    OPENBLAS_CORETYPE=Haswell "$BIN/word-data" --cache "$tmp/wd4" --words "$tmp/wl" --D 512 --quiet --out "$tmp/wd4.tsv"
    env -u OPENBLAS_CORETYPE "$BIN/word-data" --cache "$tmp/wd4" --words "$tmp/wl" --D 512 --quiet --out "$tmp/wd5.tsv"
    diff <(grep -v '^# date:' "$tmp/wd4.tsv") <(grep -v '^# date:' "$tmp/wd5.tsv") > /dev/null
    ok $? "word-data: the same TSV (neighbours included) with OPENBLAS_CORETYPE=Haswell and unset"
else
    ok 0 "# SKIP word-data with WordNet: wordnet-base missing (tools/install-deps)"
fi
"$BIN/word-data" --cache "$tmp/wd3" --no-fashion --words "$tmp/wl" --quiet --out "$tmp/wd3.tsv"; ok $? "word-data --no-fashion"
for bad in "--no-fashion" "--D 8" "--depth 11" "--words $tmp/none" "--wordnet $tmp --words $tmp/wl"; do
    rm -rf "$tmp/wdx" "$tmp/wdx.tsv"
    "$BIN/word-data" --cache "$tmp/wdx" $bad --out "$tmp/wdx.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/wdx.tsv" ] && [ ! -e "$tmp/wdx/word-codes.idx" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "word-data $bad: one-line error, nothing written ($(head -c 60 "$tmp/err"))"
done

# hrr-capacity: the same file at 1 and 2 threads; the expected regimes; errors.
hargs="--D 128,512 --K 2,8 --M 200 --roles random,unitary --inverse involution,exact --traces 100 --seed 3 --quiet"
"$BIN/hrr-capacity" $hargs --threads 1 --out "$tmp/h1.tsv"; ok $? "hrr-capacity at 1 thread"
"$BIN/hrr-capacity" $hargs --threads 2 --out "$tmp/h2.tsv"
diff <(grep -v '^# date:' "$tmp/h1.tsv") <(grep -v '^# date:' "$tmp/h2.tsv") > /dev/null; ok $? "hrr-capacity: byte-identical at 1 and 2 threads"
[ "$(grep -vc '^#' "$tmp/h1.tsv")" = 17 ]; ok $? "16 points and a header"
awk -F'\t' '!/^#/ && $1 == 512 && $2 == 2 && $5 == "involution" { if ($9 != 0) bad = 1 } END { exit bad }' "$tmp/h1.tsv"; ok $? "D 512, K 2: no errors"
awk -F'\t' '!/^#/ && $1 == 128 && $2 == 8 && $4 == "random" && $5 == "involution" { exit !($9 > 0.05) }' "$tmp/h1.tsv"; ok $? "D 128, K 8: many errors"
awk -F'\t' '!/^#/ && $4 == "unitary" && $5 == "exact" && $1 == 512 { if ($9 > 0.01) bad = 1 } END { exit bad }' "$tmp/h1.tsv"; ok $? "unitary roles: the exact inverse works"
awk -F'\t' '!/^#/ && $4 == "random" && $5 == "exact" && $1 == 512 && $2 == 8 { exit !($9 > 0.1) }' "$tmp/h1.tsv"; ok $? "random roles: the exact inverse amplifies noise"
"$BIN/hrr-capacity" --D 256 --K 2 --M 100 --cleanup modern,dense,hopfield --traces 100 --quiet --out "$tmp/hc.tsv"; ok $? "hrr-capacity with three clean-up stores"
awk -F'\t' '!/^#/ && $6 == "hopfield" { h = $9 } !/^#/ && $6 == "dense" { d = $9 } END { exit !(h > 0.5 && d < 0.05) }' "$tmp/hc.tsv"
ok $? "100 items at D = 256: Hopfield (capacity ~0.14 D) fails, dense x^3 cleans up"
for bad in "--D 8" "--K 0" "--M 1" "--roles odd" "--inverse pseudo" "--traces 75" "--D 512,,1024" "--cleanup bam"; do
    rm -f "$tmp/hx.tsv"
    "$BIN/hrr-capacity" $bad --out "$tmp/hx.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/hx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "hrr-capacity $bad: one-line error, no output ($(head -c 60 "$tmp/err"))"
done

# hrr-capacity --bisect: the smallest D of the bracket whose rate is <= eps; D - 1 is above it; any thread count.
hb="--bisect 0.05 --D 16,512 --K 2,4 --M 100 --traces 200 --quiet"
"$BIN/hrr-capacity" $hb --threads 1 --out "$tmp/hb1.tsv" && "$BIN/hrr-capacity" $hb --threads 2 --out "$tmp/hb2.tsv" &&
    diff <(grep -v '^# date:' "$tmp/hb1.tsv") <(grep -v '^# date:' "$tmp/hb2.tsv") > /dev/null
ok $? "hrr-capacity --bisect: byte-identical at 1 and 2 threads"
awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
    { n++; if (!($c["D_min"] > 16 && $c["D_min"] < 512 && $c["error_rate"] <= 0.05 && $c["below_rate"] > 0.05 &&
                 $c["ci_low"] <= $c["error_rate"] && $c["error_rate"] <= $c["ci_high"])) bad = 1 }
    END { exit bad || n != 2 }' "$tmp/hb1.tsv"
ok $? "hrr-capacity --bisect: D_min meets eps, D_min - 1 does not, the rate inside its interval"
"$BIN/hrr-capacity" --bisect 0.05 --D 16,24 --K 16 --M 1000 --traces 50 --quiet --out "$tmp/hb3.tsv" &&
    awk -F'\t' '!/^#/ && $1 == 16 { exit !($6 == 0) }' "$tmp/hb3.tsv"
ok $? "hrr-capacity --bisect: a bracket too small gives D_min 0"
for bad in "--bisect 0.01 --D 64" "--bisect 1.5 --D 16,64" "--bisect 0.01 --D 64,16"; do
    rm -f "$tmp/hx.tsv"
    "$BIN/hrr-capacity" $bad --out "$tmp/hx.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -eq 2 ] && [ ! -e "$tmp/hx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "hrr-capacity $bad: one-line error, no output ($(head -c 60 "$tmp/err"))"
done

# concepts: learn co-presented latents into an LMDB database, recall, list, show, export, stats; errors; a kill.
# Synthetic latents: 3 classes, modality "a" (4-d) and "b" (3-d), class centres far apart, small noise.
mklat() { # FILE DIM ROWS SEED
    awk -v d="$2" -v n="$3" -v s="$4" 'BEGIN { srand(s); printf "# model: synthetic %d-d\nindex\tlabel", d
        for (j = 1; j <= d; j++) printf "\tz%d", j; printf "\n"
        for (i = 0; i < n; i++) { c = i % 3; printf "%d\t%d", i, c
            for (j = 1; j <= d; j++) printf "\t%.5f", (j % 3 == c ? 3 : 0) + (j == d ? c : 0) + 0.1 * (rand() - 0.5)
            printf "\n" } }' > "$1"
}
mklat "$tmp/la.tsv" 4 60 1; mklat "$tmp/lb.tsv" 3 60 2; mklat "$tmp/qa.tsv" 4 30 3; mklat "$tmp/qb.tsv" 3 30 4
printf 'red\ngreen\nblue\n' > "$tmp/names"
"$BIN/concepts" --help | grep -q 'learn'; ok $? "concepts --help lists the commands"
"$BIN/concepts" learn --db "$tmp/cdb" --modalities "a=$tmp/la.tsv,b=$tmp/lb.tsv" --names "$tmp/names" --batch 10 --quiet \
    --out "$tmp/learn.tsv"; ok $? "concepts learn"
awk -F'\t' '!/^#/ && NR > 1 && $1 == 60 && $2 == 3 && $4 == 120 { f = 1 } END { exit !f }' "$tmp/learn.tsv"
ok $? "learn: 60 observations, 3 concepts, 120 exemplars"
# A rerun gives the same bytes but for its '# date:' and '# time:' lines: timings are never data.
rerun_same() {
    rm -rf "$tmp/cdbr"; "$@" --out "$tmp/ra.tsv" && rm -rf "$tmp/cdbr" && "$@" --out "$tmp/rb.tsv" &&
        diff <(grep -v '^# \(date\|time\):' "$tmp/ra.tsv") <(grep -v '^# \(date\|time\):' "$tmp/rb.tsv") > /dev/null &&
        grep -q '^# time: ' "$tmp/ra.tsv"
}
for cmd in "concepts learn --db $tmp/cdbr --modalities a=$tmp/la.tsv,b=$tmp/lb.tsv --names $tmp/names" \
           "concepts recall --db $tmp/cdb --cues a=$tmp/qa.tsv" "concept-cells capacity --N 10,20 --queries 50" \
           "spiking coba --time 20" "autoencoder train --kind pca --k 4 --limit 300 --model $tmp/rr.pca"; do
    rerun_same "$BIN/"$cmd --quiet; ok $? "${cmd%% --*}: a rerun differs only in its '# date:' and '# time:' lines"
done
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    rerun_same "$BIN/autoencoder" train --limit 300 --epochs 1 --layers 784,16,784 --batch 50 --model "$tmp/rr.ae" --quiet
    ok $? "autoencoder train: a rerun differs only in its '# date:' and '# time:' lines"
fi
# Input text never breaks a table: a tab in a latent file's '# model:' line becomes a space in the export.
{ printf '# model: mlp\t784-2\n'; cat "$tmp/la.tsv"; } > "$tmp/latab.tsv"
rm -rf "$tmp/tdb"
"$BIN/concepts" learn --db "$tmp/tdb" --modalities "a=$tmp/latab.tsv" --names "$tmp/names" --quiet --out /dev/null &&
    "$BIN/concepts" export --db "$tmp/tdb" --out "$tmp/texp.tsv" &&
    awk -F'\t' '!/^#/ { if (NF != n && n) bad = 1; n = NF } END { exit bad }' "$tmp/texp.tsv" && grep -q 'mlp 784-2' "$tmp/texp.tsv"
ok $? "a tab in an encoder description becomes a space: every export row has the header's columns"
"$BIN/concepts" list --db "$tmp/cdb" --out "$tmp/list.tsv"
[ "$(grep -v '^#' "$tmp/list.tsv" | awk -F'\t' 'NR > 1 && $6 == 20 && $7 == 20' | wc -l)" -eq 3 ]
ok $? "list: 3 concepts of 20 exemplars in each modality"
"$BIN/concepts" show --db "$tmp/cdb" --concept green --out "$tmp/show.tsv" && grep -q "^prototype_a" "$tmp/show.tsv"
ok $? "show a concept by label"
# A concept by its id as `list` prints it (no '#', which a shell takes for a comment), and list --names.
"$BIN/concepts" show --db "$tmp/cdb" --concept 3 --out "$tmp/show.tsv" && grep -q "^label	blue$" "$tmp/show.tsv"
ok $? "show --concept 3: the id as list prints it"
rm -rf "$tmp/ndb"; "$BIN/concepts" learn --db "$tmp/ndb" --modalities "a=$tmp/la.tsv" --quiet --out /dev/null # labels 0 1 2, ids 1 2 3
"$BIN/concepts" show --db "$tmp/ndb" --concept 2 --out "$tmp/cx.tsv" 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/cx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "ambiguous.*'#2'.*'#3'" "$tmp/err"
ok $? "show --concept 2 when 2 is one concept's id and another's label: one line naming both ($(head -c 120 "$tmp/err"))"
"$BIN/concepts" show --db "$tmp/ndb" --concept '#2' --out "$tmp/show.tsv" && grep -q "^label	1$" "$tmp/show.tsv"
ok $? "show --concept '#2': the id"
"$BIN/concepts" list --db "$tmp/ndb" --names "$tmp/names" --out "$tmp/list.tsv" &&
    [ "$(grep -v '^#' "$tmp/list.tsv" | cut -f2 | tr '\n' ' ')" = "label red green blue " ]
ok $? "list --names: numeric labels shown by name"
"$BIN/concepts" show --db "$tmp/ndb" --names "$tmp/names" --concept green --out "$tmp/show.tsv" && grep -q "^id	2$" "$tmp/show.tsv" &&
    "$BIN/concepts" export --db "$tmp/ndb" --names "$tmp/names" --out "$tmp/exp.tsv" && grep -q "	blue	a	" "$tmp/exp.tsv"
ok $? "show and export --names: a concept by its name, names in the export"
"$BIN/concepts" stats --db "$tmp/ndb" --names "$tmp/names" --out "$tmp/cx.tsv" 2> /dev/null; [ $? -eq 2 ] && [ ! -e "$tmp/cx.tsv" ]
ok $? "stats --names is refused (stats shows no labels)"
# Every example of every concepts help text runs as written, in order, on files of the names they use.
mkdir -p "$tmp/ex" && printf 'T-shirt\nTrouser\nSneaker\n' > "$tmp/ex/classes.txt"
mklat "$tmp/ex/pics.tsv" 4 60 1; mklat "$tmp/ex/words.tsv" 3 60 2; mklat "$tmp/ex/pics-test.tsv" 4 30 3; mklat "$tmp/ex/words-test.tsv" 3 30 4
exok=0; nex=0
for c in learn recall list show export stats ""; do
    while IFS= read -r line; do
        eval "args=($line)"; nex=$((nex + 1))
        (cd "$tmp/ex" && "$BIN/${args[0]}" "${args[@]:1}" > /dev/null 2> "$tmp/err") || { exok=1; echo "# example failed: $line: $(cat "$tmp/err")"; }
    done < <("$BIN/concepts" $c --help | awk '/^Examples:/ { e = 1; next } e && /^  concepts / { sub(/^  /, ""); print }')
done
[ $exok -eq 0 ] && [ $nex -ge 10 ]; ok $? "every example in the concepts help texts runs ($nex examples)"
# word-data's files go straight into concepts learn: IDX codes with their labels beside, concept-names.txt.
printf 'apple\nCoat\npear\n' > "$tmp/wlist"
"$BIN/word-data" --cache "$tmp/wd" --words "$tmp/wlist" --no-fashion --D 32 --quiet --out "$tmp/wd.tsv" &&
    [ "$(sed -n '11,13p' "$tmp/wd/concept-names.txt" | tr '\n' ' ')" = "apple Coat (label 11) pear " ]
ok $? "word-data writes concept-names.txt (a name taken already is made unique)"
awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ { print; next } NR > 2 { $2 = $2 + 10 } { print }' "$tmp/la.tsv" > "$tmp/la10.tsv"
rm -rf "$tmp/wdb"; "$BIN/concepts" learn --db "$tmp/wdb" --modalities "picture=$tmp/la10.tsv,word=$tmp/wd/word-codes.idx" --by-label \
    --names "$tmp/wd/concept-names.txt" --quiet --out "$tmp/wl.tsv" &&
    "$BIN/concepts" list --db "$tmp/wdb" --out "$tmp/list.tsv" &&
    awk -F'\t' '!/^#/ && $2 == "apple" && $6 == 20 && $7 == 1 { a = 1 } !/^#/ && $2 == "pear" && $6 == 20 && $7 == 1 { p = 1 }
        END { exit !(a && p) }' "$tmp/list.tsv"
ok $? "word-data codes and picture latents learnt by label: apple and pear hold 20 pictures and their word each"
"$BIN/concepts" learn --db "$tmp/wdb2" --modalities "picture=$tmp/la10.tsv,word=$tmp/wd/word-codes.idx" --out "$tmp/cx.tsv" 2> "$tmp/err"
[ $? -eq 2 ] && grep -q -- '--by-label' "$tmp/err"; ok $? "files of other lengths without --by-label: the error names it"
# speech-data's layout: a 3-D IDX (count x frames x bins) with PREFIX-labels.idx beside it, words.txt as names.
{ printf '\0\0\x0d\x03\0\0\0\x03\0\0\0\x02\0\0\0\x02'; head -c 48 /dev/zero; } > "$tmp/train-spectrograms.idx"
printf '\0\0\x08\x01\0\0\0\x03\0\x01\x02' > "$tmp/train-labels.idx"; printf 'dress\ncoat\nbag\n' > "$tmp/words.txt"
rm -rf "$tmp/sdb"; "$BIN/concepts" learn --db "$tmp/sdb" --modalities "sound=$tmp/train-spectrograms.idx" --names "$tmp/words.txt" \
    --quiet --out /dev/null && "$BIN/concepts" list --db "$tmp/sdb" --out "$tmp/list.tsv" &&
    [ "$(grep -v '^#' "$tmp/list.tsv" | cut -f2 | tr '\n' ' ')" = "label dress coat bag " ]
ok $? "a speech-data IDX (3-D) learnt with the labels beside it and words.txt as names"
"$BIN/concepts" export --db "$tmp/cdb" --out "$tmp/exp.tsv"
[ "$(grep -v '^#' "$tmp/exp.tsv" | wc -l)" -eq 121 ] && grep -q 'synthetic 4-d' "$tmp/exp.tsv"
ok $? "export: 120 exemplars with the encoder each came from"
"$BIN/concepts" stats --db "$tmp/cdb" --out "$tmp/st.tsv" && grep -q '^concepts	3$' "$tmp/st.tsv"
ok $? "stats"
for b in kv hebb hrr; do
    "$BIN/concepts" recall --db "$tmp/cdb" --cues "a=$tmp/qa.tsv" --names "$tmp/names" --binding $b --k 2 \
        --readout "b=$tmp/rb-$b.tsv" --quiet --out "$tmp/rc-$b.tsv"
    grep -q '^# recall@1 1.0000 recall@2 1.0000 over 30' "$tmp/rc-$b.tsv" && [ "$(grep -v '^#' "$tmp/rb-$b.tsv" | wc -l)" -eq 31 ]
    ok $? "recall --binding $b: a -> concept perfect, b read out ($(grep '^# recall' "$tmp/rc-$b.tsv"))"
done
"$BIN/concepts" recall --db "$tmp/cdb" --cues "a=$tmp/qa.tsv,b=$tmp/qb.tsv" --names "$tmp/names" --quiet --out "$tmp/rc2.tsv"
grep -q '^# recall@1 1.0000' "$tmp/rc2.tsv"; ok $? "recall from two modalities at once"
"$BIN/concepts" recall --db "$tmp/cdb" --cues "a=$tmp/qa.tsv" --binding hrr --threads 1 --quiet --out "$tmp/r1.tsv"
env -u OPENBLAS_CORETYPE "$BIN/concepts" recall --db "$tmp/cdb" --cues "a=$tmp/qa.tsv" --binding hrr --threads 2 --quiet --out "$tmp/r2.tsv"
diff <(grep -v '^# \(date\|time\)' "$tmp/r1.tsv") <(grep -v '^# \(date\|time\)' "$tmp/r2.tsv") > /dev/null
ok $? "recall is byte-identical at 1 and 2 threads and under either OpenBLAS setting"
for bad in "learn --db $tmp/cx" "learn --db $tmp/cx --modalities a=$tmp/none.tsv" "learn --db $tmp/cx --modalities a" \
           "learn --db $tmp/cx --modalities a=$tmp/la.tsv,b=$tmp/qb.tsv" "learn --db $tmp/cx --modalities a=$tmp/la.tsv --binding x" \
           "learn --db $tmp/cx --modalities a=$tmp/la.tsv --radius c=1" "learn --db $tmp/cx --modalities a=$tmp/la.tsv --names $tmp/none" \
           "recall --db $tmp/cdb --cues a=$tmp/qa.tsv --binding hebb --beta 3" "recall --db $tmp/cdb --cues c=$tmp/qa.tsv" \
           "recall --db $tmp/cdb --cues a=$tmp/qb.tsv" "recall --db $tmp/cdb --cues a=$tmp/qa.tsv --k 0" "recall --db $tmp/none" \
           "show --db $tmp/cdb --concept purple" "list --db $tmp/cdb --concept red" "learn --db $tmp/cdb --modalities a=$tmp/la.tsv --binding hrr"; do
    rm -f "$tmp/cx.tsv"
    "$BIN/concepts" $bad --out "$tmp/cx.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/cx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "concepts $bad: one-line error, no output ($(head -c 70 "$tmp/err"))"
done
[ ! -e "$tmp/cx" ]; ok $? "a learn that failed its checks made no database"
mkdir "$tmp/junk"; head -c 20000 /dev/urandom > "$tmp/junk/data.mdb"
"$BIN/concepts" list --db "$tmp/junk" --out "$tmp/cx.tsv" 2> "$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ ! -e "$tmp/cx.tsv" ] && grep -q 'not a libam concept database' "$tmp/err"
ok $? "a damaged database: a clear one-line error ($(head -c 80 "$tmp/err"))"
# A database cut short, and one whose records were overwritten (every "green" made "greem"): each command
# says so in one line naming data.mdb, exits 1 (no crash) and writes nothing.
cp -r "$tmp/cdb" "$tmp/cut"; truncate -s 12288 "$tmp/cut/data.mdb"
cp -r "$tmp/cdb" "$tmp/ovw"; for at in $(grep -obUa green "$tmp/ovw/data.mdb" | cut -d: -f1); do
    printf greem | dd of="$tmp/ovw/data.mdb" bs=1 seek="$at" conv=notrunc status=none; done
for db in cut ovw; do
    for cmd in list stats export "show --concept #1" "recall --cues a=$tmp/qa.tsv" "learn --modalities a=$tmp/la.tsv,b=$tmp/lb.tsv --names $tmp/names"; do
        rm -f "$tmp/cx.tsv"
        "$BIN/concepts" $cmd --db "$tmp/$db" --quiet --out "$tmp/cx.tsv" 2> "$tmp/err"; rc=$?
        want=$([ $db = cut ] && echo "truncated" || echo "checksum mismatch")
        [ $rc -eq 1 ] && [ ! -e "$tmp/cx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "$tmp/$db/data.mdb: .*$want" "$tmp/err"
        ok $? "concepts ${cmd%% *} on $([ $db = cut ] && echo a truncated || echo an overwritten) database: exit 1, one line ($(cut -c1-100 "$tmp/err"))"
    done
done
# A learn killed with SIGKILL: what it committed is whole.
mklat "$tmp/big.tsv" 4 60000 5
"$BIN/concepts" learn --db "$tmp/kdb" --modalities "a=$tmp/big.tsv" --unlabelled --radius a=0.5 --batch 100 --quiet \
    --out "$tmp/k.tsv" & kp=$!
for i in $(seq 50); do [ -e "$tmp/kdb/data.mdb" ] && break; sleep 0.02; done
sleep 0.3; kill -9 $kp 2> /dev/null; wait $kp 2> /dev/null
"$BIN/concepts" stats --db "$tmp/kdb" --out "$tmp/ks.tsv"; rc=$?
ex=$(awk -F'\t' '$1 == "exemplars_a" { print $2 }' "$tmp/ks.tsv")
[ $rc -eq 0 ] && [ -n "$ex" ] && [ $((ex % 100)) -eq 0 ] || [ "$ex" = 60000 ]
ok $? "a learn killed mid-way: the database opens and holds whole transactions ($ex exemplars)"

# concept-cells capacity: determinism; trimodal on a small subset (needs Fashion-MNIST, espeak-ng, flite, WordNet).
cargs="--N 20,200 --queries 100 --noise 1 --hrr-dim 256 --bits 128 --seed 3 --quiet"
"$BIN/concept-cells" capacity $cargs --threads 1 --out "$tmp/cc1.tsv"; ok $? "concept-cells capacity"
env -u OPENBLAS_CORETYPE "$BIN/concept-cells" capacity $cargs --threads 2 --out "$tmp/cc2.tsv"
diff <(grep -v '^# \(date\|time\)' "$tmp/cc1.tsv") <(grep -v '^# \(date\|time\)' "$tmp/cc2.tsv") > /dev/null
ok $? "capacity: the same figures at 1 and 2 threads and under either OpenBLAS setting (timing aside)"
awk -F'\t' '!/^#/ && $1 == "kv" && $2 == 20 { exit !($6 == 1) }' "$tmp/cc1.tsv"; ok $? "kv recalls 20 concepts perfectly"
for bad in "capacity --N 1" "capacity --bindings kv,bam" "capacity --d 1" "trimodal" "trimodal --speech-cache $tmp/none --triples 5"; do
    rm -f "$tmp/cx.tsv"
    "$BIN/concept-cells" $bad --out "$tmp/cx.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/cx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "concept-cells $bad: one-line error, no output ($(head -c 70 "$tmp/err"))"
done
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && command -v espeak-ng > /dev/null && \
   command -v flite > /dev/null && [ -f /usr/share/wordnet/index.noun ]; then
    "$BIN/speech-data" --cache "$tmp/spc" --voices en+m3,en-us+f2,en+f3 --speeds 160 --pitches 50 --test-voices kal16 \
        --keep-wav --quiet --out "$tmp/spc.tsv"; ok $? "speech-data for the tri-modal run"
    # second encoders for the baseline section: PCA of 2000 pictures, PCA of the espeak-ng spectrograms
    "$BIN/autoencoder" train --kind pca --k 16 --limit 2000 --model "$tmp/bi.pca" --quiet --out "$tmp/bi.tsv" &&
        "$BIN/autoencoder" train --kind pca --k 8 --images "$tmp/spc/train-spectrograms.idx" --test-images "$tmp/spc/test-spectrograms.idx" \
            --model "$tmp/bs.pca" --quiet --out "$tmp/bs.tsv"; ok $? "PCA encoders for the baseline section"
    tri="trimodal --speech-cache $tmp/spc --triples 300 --test 200 --radii 0.8,1.2 --purity-n 300 --baseline-image-model $tmp/bi.pca \
         --baseline-speech-model $tmp/bs.pca --quiet"
    "$BIN/concept-cells" $tri --prefix "$tmp/tri" --sound-dir "$tmp/snd" --threads 2 --out "$tmp/tri.tsv"; ok $? "concept-cells trimodal end to end on a small subset"
    # the raw-input nearest neighbour, the encoder's, and the second encoders', in the same run
    for r in "nn image class pixels 200" "nn image class encoder 200" "nn speech class spectrogram 10" "nn speech class encoder 10" \
             "nn image class baseline-model 200" "nn speech class baseline-model 10" "kv image word baseline-model 200" \
             "hrr speech image baseline-model 10"; do
        set -- $r
        awk -F'\t' -v b=$1 -v c=$2 -v t=$3 -v p=$4 -v n=$5 '$1 == "baseline" && $2 == b && $3 == c && $4 == t && $5 == p && $6 == n {
            f = 1; exit !($7 >= 0 && $7 <= 1) } END { exit !f }' "$tmp/tri.tsv"; ok $? "baseline row: $r"
    done
    awk -F'\t' '$1 == "baseline" && $2 == "nn" && $5 == "pixels" { exit !($7 > 0.5) }' "$tmp/tri.tsv"
    ok $? "pixel nearest neighbour well above chance"
    grep -q '^# baseline image encoder: pca k=16' "$tmp/tri.tsv" && grep -q '^# baseline speech encoder: pca k=8' "$tmp/tri.tsv"
    ok $? "the second encoders named in the header"
    env -u OPENBLAS_CORETYPE "$BIN/concept-cells" $tri --bindings kv,hebb,hrr --threads 1 --out "$tmp/tri1.tsv"
    diff <(grep -v '^# \(date\|time\|command\)' "$tmp/tri.tsv" | grep -v '^sound	') <(grep -v '^# \(date\|time\|command\)' "$tmp/tri1.tsv") > /dev/null
    ok $? "trimodal: the same bytes at 1 and 2 threads and under either OpenBLAS setting"
    for bad in "--baseline-image-model $tmp/bs.pca" "--baseline-speech-model $tmp/bi.pca" "--baseline-image-model $tmp/none.pca" \
               "--image-model $tmp/bi.pca --speech-model $tmp/bs.pca --k 8"; do
        rm -f "$tmp/cx.tsv"
        "$BIN/concept-cells" trimodal --speech-cache "$tmp/spc" $bad --out "$tmp/cx.tsv" 2> "$tmp/err"; rc=$?
        [ $rc -ne 0 ] && [ ! -e "$tmp/cx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q -- "${bad%% *}" "$tmp/err"
        ok $? "trimodal $bad: one-line error naming the option ($(head -c 90 "$tmp/err"))"
    done
    # Classifier-encoders have no decoder: the grid shows, and --sound-dir speaks, the learned exemplar nearest
    # each recalled latent.
    "$BIN/autoencoder" train --kind cnn --arch conv4k3p1,relu,maxpool2,flat,fc8,relu,fc10 --limit 300 --epochs 1 \
        --model "$tmp/ci.cnn" --quiet --out "$tmp/ci.tsv" &&
        "$BIN/autoencoder" train --kind cnn --arch conv4k3p1,relu,maxpool4,flat,fc8,relu,fc10 --images "$tmp/spc/train-spectrograms.idx" \
            --labels "$tmp/spc/train-labels.idx" --epochs 1 --model "$tmp/cs.cnn" --quiet --out "$tmp/cs.tsv"
    ok $? "small convolutional classifiers of pictures and spectrograms"
    rm -rf "$tmp/snd2"
    "$BIN/concept-cells" trimodal --speech-cache "$tmp/spc" --image-model "$tmp/ci.cnn" --speech-model "$tmp/cs.cnn" --bindings kv \
        --triples 100 --test 100 --radii 1 --purity-n 100 --prefix "$tmp/trc" --sound-dir "$tmp/snd2" --quiet --out "$tmp/trc.tsv" 2> "$tmp/err"
    [ $? -eq 0 ] && [ -s "$tmp/trc-grid.png" ] && [ "$(ls "$tmp/snd2" | grep -c '^recalled-[0-9].wav$')" -eq 10 ]
    ok $? "trimodal with classifiers: the grid and the recalled sounds through the nearest learned exemplars ($(head -c 80 "$tmp/err"))"
    [ "$(ls "$tmp/snd" | grep -c '^recalled-[0-9].wav$')" -eq 10 ] && [ "$(grep -c '^sound	' "$tmp/tri.tsv")" -eq 10 ]
    ok $? "a spoken name recalled from a picture of each class, as WAV"
    if command -v sox > /dev/null; then
        for c in 0 5 9; do
            m=$(wav_sounds_right "$tmp/snd/recalled-$c.wav" "$tmp/spc/wav/train-$c.wav"); ok $? "recalled-$c.wav sounds like speech: $m"
        done
    fi
    [ "$(awk -F'\t' '$1 == "direction"' "$tmp/tri.tsv" | wc -l)" -eq 18 ]; ok $? "six directions for each of three mechanisms"
    awk -F'\t' '$1 == "direction" && $2 == "kv" && $3 == "image" && $4 == "word" { exit !($7 > 0.4 && $9 > 0.4) }' "$tmp/tri.tsv"
    ok $? "kv: held-out pictures recall their concept and word well above chance (0.1)"
    for sec in pair latent-noise occlusion snr letters hierarchy fallback selectivity purity; do
        grep -q "^$sec	" "$tmp/tri.tsv"; ok $? "trimodal reports $sec"
    done
    [ -s "$tmp/tri-grid.png" ] && [ "$(grep -v '^#' "$tmp/tri-matrix.tsv" | wc -l)" -eq 51 ] && grep -q '^image' "$tmp/tri-words.tsv"
    ok $? "trimodal figure, response matrix and recalled words written"
else
    ok 0 "# SKIP trimodal: needs Fashion-MNIST, espeak-ng, flite and WordNet"
fi

# spiking: presets, determinism, the f-I curve, errors.
"$BIN/spiking" --help | grep -q 'brunel'; ok $? "spiking --help lists the presets"
"$BIN/spiking" coba --time 200 --threads 1 --raster "$tmp/ras.tsv" --rate "$tmp/rate.tsv" --quiet --out "$tmp/sp1.tsv"
ok $? "spiking coba (200 ms) with raster and rate files"
env -u OPENBLAS_CORETYPE "$BIN/spiking" coba --time 200 --threads 2 --quiet --out "$tmp/sp2.tsv"
diff <(grep -v '^# \(date\|time\|command\)' "$tmp/sp1.tsv") <(grep -v '^# \(date\|time\|command\)' "$tmp/sp2.tsv") > /dev/null
ok $? "coba: the same spikes at 1 and 2 threads and under either OpenBLAS setting"
awk -F'\t' '!/^#/ && $1 == "all" { exit !($3 > 5 && $3 < 60 && $4 > 0.5) }' "$tmp/sp1.tsv"
ok $? "coba: asynchronous irregular firing ($(awk -F'\t' '!/^#/ && $1 == "all" { print $3 " Hz, CV " $4 }' "$tmp/sp1.tsv"))"
[ "$(grep -v '^#' "$tmp/ras.tsv" | awk -F'\t' 'NR > 1 && $2 >= 500' | wc -l)" -eq 0 ] && [ "$(grep -v '^#' "$tmp/rate.tsv" | wc -l)" -eq 201 ]
ok $? "raster holds the first 500 neurons only; rate in 200 bins of 1 ms"
"$BIN/spiking" fi --drive 10:40:5 --quiet --out "$tmp/fi.tsv"
awk -F'\t' '!/^#/ && NR > 1 { d = $2 - $3; if (d < 0) d = -d; if (d > 0.02 * $3 + 0.6) bad++ } END { exit bad }' "$tmp/fi.tsv"
ok $? "fi: simulated rates within 2 % (+ one spike) of the analytic LIF rate"
"$BIN/spiking" brunel --time 100 --neurons 2500 --g 5 --eta 2 --quiet --out "$tmp/br.tsv"; ok $? "spiking brunel (2,500 neurons, 100 ms)"
grep -q '^# brunel: g 5, eta 2' "$tmp/br.tsv"; ok $? "brunel records g and eta"
"$BIN/spiking" coba --time 50 --record 0,5,3999 --stride 100 --state "$tmp/st.tsv" --quiet --out /dev/null
[ "$(grep -v '^#' "$tmp/st.tsv" | awk -F'\t' 'NR > 1 && ($2 == 0 || $2 == 5 || $2 == 3999)' | wc -l)" -eq 15 ]
ok $? "--state streams the potentials of the recorded neurons every --stride steps (5 x 3 rows)"
"$BIN/spiking" hopfield-ct --quiet --out "$tmp/hct.tsv"; ok $? "spiking hopfield-ct"
grep -q '^# energy .*it never increases' "$tmp/hct.tsv" && awk -F'\t' '!/^#/ && NR > 1 { o = $3 } END { exit !(o > 0.95) }' "$tmp/hct.tsv"
ok $? "hopfield-ct: the energy never increases and the cued pattern is recalled (overlap $(grep -v '^#' "$tmp/hct.tsv" | tail -1 | cut -f3))"
# The '#' line --help promises: the final overlap, equal to the last row's at a time that is a multiple of --stride.
last=$(grep -v '^#' "$tmp/hct.tsv" | tail -1 | cut -f3)
grep -q "^# final overlap $last with the cued pattern at t = 200.000 ms (largest with another: 0\.[0-9]*): recalled$" "$tmp/hct.tsv"
ok $? "hopfield-ct: a '#' line gives the final overlap ($(grep '^# final' "$tmp/hct.tsv"))"
"$BIN/spiking" hopfield-ct --N 50 --P 2 --time 10.5 --stride 20 --quiet --out "$tmp/hct2.tsv" && grep -q '^# final overlap .* at t = 10.500 ms' "$tmp/hct2.tsv"
ok $? "hopfield-ct: the final overlap is at the end of the run, not at the last row"
for bad in "coba --record 1" "coba --state $tmp/x.tsv" "coba --record 5000 --state $tmp/x.tsv" "hopfield-ct --method rk9" "hopfield-ct --noise 2" "coba --dt 0" "coba --dt -1" "coba --method rk9" "coba --g 4" "cuba --neurons 5" "brunel --eta -1" \
           "coba --time 0" "fi --drive x" "fi --threshold 5 --reset 10" "nosuch"; do
    rm -f "$tmp/sx.tsv"
    "$BIN/spiking" $bad --out "$tmp/sx.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/sx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "spiking $bad: one-line error, no output ($(head -c 60 "$tmp/err"))"
done

# xor-motif: the six-neuron E/I switch at the specified parameters.
"$BIN/xor-motif" truth --quiet --out "$tmp/xt.tsv"; ok $? "xor-motif truth"
grep -q '^# truth table correct' "$tmp/xt.tsv"; ok $? "the truth table is XOR: xor5 active exactly when the inputs differ"
awk -F'\t' '!/^#/ && $1 == "0" && $2 == "0" { s = $3 + $4 + $5 + $6 + $7 + $8 } END { exit !(s == 0) }' "$tmp/xt.tsv"
ok $? "the circuit is silent with no input"
awk -F'\t' '!/^#/ && $1 == "1" && $2 == "1" { exit !($8 > 0 && $4 == 0 && $6 == 0 && $7 == 0) }' "$tmp/xt.tsv"
ok $? "both inputs on: the hub fires and silences both laterals and the output"
"$BIN/xor-motif" robust --seeds 20 --values 0,20 --threads 1 --quiet --out "$tmp/xr1.tsv"
env -u OPENBLAS_CORETYPE "$BIN/xor-motif" robust --seeds 20 --values 0,20 --threads 2 --quiet --out "$tmp/xr2.tsv"
diff <(grep -v '^# date' "$tmp/xr1.tsv") <(grep -v '^# date' "$tmp/xr2.tsv") > /dev/null && awk -F'\t' '!/^#/ && $1 == "0" { exit !($3 == 1) }' "$tmp/xr1.tsv"
ok $? "robust: always right without background; the same at 1 and 2 threads and either OpenBLAS setting"
for bad in "truth --dt 0" "truth --tau-hub -1" "truth --active 0" "truth --seeds 5" "tau --values x" "robust --seeds 0" "nosuch"; do
    rm -f "$tmp/xx.tsv"
    "$BIN/xor-motif" $bad --out "$tmp/xx.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/xx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "xor-motif $bad: one-line error, no output ($(head -c 60 "$tmp/err"))"
done

grep -q '^# signed table correct' "$tmp/xt.tsv"; ok $? "the signed table: F+ only for (1,0), F- only for (0,1)"
awk -F'\t' '!/^#/ && $1 == "1" && $2 == "0" { p = $13 } !/^#/ && $1 == "0" && $2 == "1" { m = $13 } END { exit !(p > 0 && m < 0) }' "$tmp/xt.tsv"
ok $? "the signed error rate(F+) - rate(F-) is > 0 for a missed signal, < 0 for a false reference"
"$BIN/xor-motif" truth --raster "$tmp/raster.tsv" --quiet --out "$tmp/xt2.tsv"
awk -F'\t' '!/^#/ && $1 != "signal" { n[$4]++ } END { exit !(n[4] == 8 && n[5] == 8) }' "$tmp/raster.tsv"
ok $? "the raster lists every spike (xor5: 4 + 4, hub6: 8)"
"$BIN/xor-motif" truth --readout inputs --quiet --out "$tmp/xt3.tsv" && grep -q '^# signed table correct' "$tmp/xt3.tsv"
ok $? "the signed table with the readouts fed by the inputs"

if /usr/bin/python3 -c 'import brian2' 2> /dev/null; then
    ROOTDIR=$(cd "$(dirname "$0")/.." && pwd)
    (cd "$tmp" && /usr/bin/python3 "$ROOTDIR/papers/xor-motif/brian2_check.py" 2> /dev/null) | grep -v '^#' | grep -v '^signal' > "$tmp/b2.tsv"
    ("$BIN/xor-motif" truth --quiet; "$BIN/xor-motif" graded --values 0:1:0.1 --quiet) | grep -v '^#' | grep -v '^signal' | cut -f1-10 > "$tmp/l2.tsv"
    [ -s "$tmp/b2.tsv" ] && cmp -s "$tmp/b2.tsv" "$tmp/l2.tsv"
    ok $? "the same circuit in Brian2 gives the same spike counts in all $(wc -l < "$tmp/l2.tsv") trials"
else
    ok 0 "# SKIP Brian2 missing (python3-brian; tools/install-deps --bench)"
fi

# connectome: motifs in a signed graph.
printf 'source,target,weight,sign\na,c,1,+\na,h,1,+\nb,d,1,+\nb,h,1,+\nh,c,2,-\nh,d,2,-\nc,o,1,+\nd,o,1,+\nc,o2,1,+\nd,o2,1,+\n' > "$tmp/g.csv"
"$BIN/connectome" count --edges "$tmp/g.csv" --quiet --out "$tmp/gc.tsv"
[ "$(awk -F'\t' '!/^#/ && $1 != "motif" { printf "%s=%s ", $1, $2 }' "$tmp/gc.tsv")" = "xor=2 xor-induced=2 lateral=1 signed-xor=0 " ]
ok $? "connectome count: a graph built with 2 XOR instances (both induced) and 1 lateral-inhibition motif"
"$BIN/connectome" list --edges "$tmp/g.csv" --quiet --out "$tmp/gl.tsv"
[ "$(grep -v '^#' "$tmp/gl.tsv" | tail -n +2 | cut -f1-5 | sort -u)" = "$(printf 'a\tb\tc\td\th')" ] && [ "$(grep -vc '^#' "$tmp/gl.tsv")" = 3 ]
ok $? "connectome list: the instances by role"
for c in count list top null synthetic; do
    hdr=$("$BIN/connectome" $c --help | grep -A4 -E '^(Columns|Output):' | tr '\n' ' ')
    case $c in
    null) want="null_mean null_sd null_min null_max enrichment z p_upper --per-graph" ;;
    top) want="as_input as_lateral as_hub as_output as_readout" ;;
    count) want="motif, count" ;; list) want="a b c d h o" ;; synthetic) want="source,target,weight,sign" ;;
    esac
    miss=; for w in $want; do case "$hdr" in *"$w"*) ;; *) miss="$miss $w" ;; esac; done
    [ -z "$miss" ]; ok $? "connectome $c --help defines its output's columns${miss:+ (missing:$miss)}"
done
"$BIN/connectome" null --edges "$tmp/g.csv" --graphs 20 --attempts 10 --threads 1 --quiet --out "$tmp/gn1.tsv"
"$BIN/connectome" null --edges "$tmp/g.csv" --graphs 20 --attempts 10 --threads 2 --quiet --out "$tmp/gn2.tsv"
diff <(grep -v '^# date' "$tmp/gn1.tsv") <(grep -v '^# date' "$tmp/gn2.tsv") > /dev/null
ok $? "connectome null: the same at 1 and 2 threads"
"$BIN/connectome" null --edges "$tmp/g.csv" --graphs 20 --threads 1 --quiet --out "$tmp/gb1.tsv"
"$BIN/connectome" null --edges "$tmp/g.csv" --graphs 20 --sampler curveball --rounds 40 --threads 2 --quiet --out "$tmp/gb2.tsv"
diff <(grep -v '^# date' "$tmp/gb1.tsv" | sed 's/ --sampler curveball --rounds 40//; s/ --threads [12]//') \
     <(grep -v '^# date' "$tmp/gb2.tsv" | sed 's/ --sampler curveball --rounds 40//; s/ --threads [12]//') > /dev/null && \
    grep -q '^# null model: 20 graphs, 40 Curveball rounds' "$tmp/gb1.tsv" && ! cmp -s "$tmp/gb1.tsv" "$tmp/gn1.tsv"
ok $? "connectome null: Curveball (40 rounds) by default, the same at 1 and 2 threads, not the swaps' file"
"$BIN/connectome" null --edges "$tmp/g.csv" --graphs 20 --motif lateral,xor --threads 1 --quiet --out "$tmp/gb3.tsv"
[ "$(grep -v '^#' "$tmp/gb3.tsv" | cut -f1 | tr '\n' ' ')" = "motif lateral xor " ] && \
    diff <(grep -v '^#' "$tmp/gb3.tsv" | awk -F'\t' '$1 == "xor" || $1 == "lateral"' | sort) \
         <(grep -v '^#' "$tmp/gb1.tsv" | awk -F'\t' '$1 == "xor" || $1 == "lateral"' | sort) > /dev/null
ok $? "connectome null --motif lateral,xor: those rows only, in that order, the same null graphs' values as all four"
if command -v mpirun > /dev/null && [ -e "$AM_BUILD/libam-mpi.so" ]; then
    mpi="mpirun --oversubscribe"; [ "$(id -u)" = 0 ] && mpi="$mpi --allow-run-as-root"
    SOURCE_DATE_EPOCH=0 "$BIN/connectome" null --edges "$tmp/g.csv" --graphs 20 --attempts 10 --quiet --out "$tmp/gm1.tsv"
    SOURCE_DATE_EPOCH=0 ASAN_OPTIONS=detect_leaks=0 $mpi -np 3 "$BIN/connectome" null --edges "$tmp/g.csv" --graphs 20 --attempts 10 \
        --quiet --out "$tmp/gm3.tsv" > /dev/null 2>&1
    cmp -s "$tmp/gm1.tsv" "$tmp/gm3.tsv"; ok $? "mpirun -np 3 connectome null: the same file as one process"
fi
"$BIN/connectome" synthetic --nodes 2000 --edges-count 20000 --quiet --out "$tmp/syn.csv" && \
    "$BIN/connectome" count --edges "$tmp/syn.csv" --quiet --out "$tmp/sc.tsv" && \
    awk '/^# graph:/ { exit !($3 <= 2000 && $7 + $10 == 20000) }' "$tmp/sc.tsv"
ok $? "connectome synthetic writes a graph that reads back"
CE=${AM_CELEGANS:-../shared/data/celegans}
if [ -f "$CE/herm_full_edgelist.csv" ] && [ -f "$CE/owmeta_cache.json" ]; then
    "$BIN/connectome" count --edges "$CE/herm_full_edgelist.csv" --neurons "$CE/owmeta_cache.json" --quiet --out "$tmp/ce.tsv"
    grep -q '^# graph: 302 nodes (26 inhibitory)' "$tmp/ce.tsv" && awk -F'\t' '$1 == "xor" { exit !($2 > 0) }' "$tmp/ce.tsv"
    ok $? "connectome count on C. elegans: 302 neurons, 26 GABAergic, XOR motifs found"
else
    ok 0 "# SKIP C. elegans data not at $CE (set AM_CELEGANS)"
fi
printf 'source,target,weight,sign\na,b,1,+\na,c,x,+\n' > "$tmp/bad1.csv"
printf 'a,b,1,+\nb,c,1\n' > "$tmp/bad2.csv"
printf 'a,b,1,+\nb,c,1,?\n' > "$tmp/bad3.csv"
for bad in "count --edges $tmp/bad1.csv" "count --edges $tmp/bad2.csv" "count --edges $tmp/bad3.csv" "count --edges $tmp/none.csv" \
           "count" "count --edges $tmp/g.csv --signs $tmp/bad2.csv" "list --edges $tmp/g.csv --motif star" "count --edges $tmp/g.csv --motif xor" \
           "null --edges $tmp/g.csv --graphs 1" "null --edges $tmp/g.csv --sampler shuffle" \
           "null --edges $tmp/g.csv --sampler swap --rounds 5" "null --edges $tmp/g.csv --attempts 5 --rounds 5" \
           "null --edges $tmp/g.csv --sampler curveball --attempts 5" "null --edges $tmp/g.csv --rounds 0" \
           "null --edges $tmp/g.csv --motif xor,xor" "null --edges $tmp/g.csv --motif xor,star" "null --edges $tmp/g.csv --motif ," "synthetic --nodes 10 --edges-count 100" "synthetic --edges $tmp/g.csv" "nosuch"; do
    rm -f "$tmp/cx.tsv"
    "$BIN/connectome" $bad --out "$tmp/cx.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/cx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "connectome $bad: one-line error, no output ($(head -c 70 "$tmp/err"))"
done
grep -q 'line 3: weight' <("$BIN/connectome" count --edges "$tmp/bad1.csv" 2>&1); ok $? "a malformed CSV names its line"

# xor-learn: the signed XOR error as the teaching signal.
"$BIN/xor-learn" loop --epochs 40 --quiet --out "$tmp/xl.tsv"
awk -F'\t' '!/^#/ && $1 != "epoch" { last = $0; if ($4 != "" && $4 != "nan" && $4 != 1) bad = 1 } END { split(last, f, "\t"); exit !(!bad && f[2] == f[3] && f[3] > 0.95) }' "$tmp/xl.tsv"
ok $? "xor-learn loop: the spiking motif's error equals x - y on every bit, and both networks learn the patterns"
"$BIN/xor-learn" loop --epochs 10 --bg-rate 40 --bg-weight 84 --quiet --out "$tmp/xl2.tsv"
awk -F'\t' '!/^#/ && $1 != "epoch" && $4 != "nan" && $4 < 1 { n++ } END { exit !(n > 0) }' "$tmp/xl2.tsv"
ok $? "with background noise on the motif its error sometimes disagrees"
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    "$BIN/xor-learn" fashion --limit 1000 --test-limit 200 --epochs 2 --hidden 64 --threads 1 --quiet --out "$tmp/xf1.tsv"
    env -u OPENBLAS_CORETYPE "$BIN/xor-learn" fashion --limit 1000 --test-limit 200 --epochs 2 --hidden 64 --threads 2 --quiet --out "$tmp/xf2.tsv"
    diff <(grep -v '^# date' "$tmp/xf1.tsv") <(grep -v '^# date' "$tmp/xf2.tsv") > /dev/null
    ok $? "xor-learn fashion: the same at 1 and 2 threads and either OpenBLAS setting"
    awk -F'\t' '!/^#/ && $2 == 0 { b[$1] = $4 } !/^#/ && $2 == 2 { a[$1] = $4 } END { exit !(a["signed-xor-fa"] > b["signed-xor-fa"] + 0.2 && a["backprop"] > 0.7) }' "$tmp/xf1.tsv"
    ok $? "xor-learn fashion: the signed XOR rule and backprop both learn"
else
    ok 0 "# SKIP Fashion-MNIST not installed (dataset-fashion-mnist)"
fi
for bad in "fashion --rules sgd" "fashion --epochs -1" "fashion --lr 0" "loop --N 0" "loop --bg-rate -1" "loop --lr nan" "nosuch"; do
    rm -f "$tmp/lx.tsv"
    "$BIN/xor-learn" $bad --out "$tmp/lx.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/lx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "xor-learn $bad: one-line error, no output ($(head -c 60 "$tmp/err"))"
done

# capacity --patterns: letters (correlated) fail where random patterns hold.
"$BIN/capacity" --rule hebb --N 100 --P 5 --trials 3 --quiet --out "$tmp/pr.tsv"
"$BIN/capacity" --rule hebb --N 100 --P 5 --trials 3 --patterns letters --quiet --out "$tmp/pl.tsv"
"$BIN/capacity" --rule hebb --N 100 --P 6 --trials 2 --patterns checkerboard --quiet --out "$tmp/pc.tsv" && \
    "$BIN/capacity" --rule hebb --N 100 --P 5 --trials 2 --patterns biased:0.3 --quiet --out "$tmp/pb.tsv" && \
    "$BIN/capacity" --model dense --N 64 --P 4 --trials 2 --patterns correlated:0.2 --quiet --out "$tmp/pq.tsv"
ok $? "capacity --patterns checkerboard, biased:A, correlated:Q run"
r=$(awk -F'\t' '!/^#/ && $1 == "hopfield" { print $11 }' "$tmp/pr.tsv"); l=$(awk -F'\t' '!/^#/ && $1 == "hopfield" { print $11 }' "$tmp/pl.tsv")
awk -v r="$r" -v l="$l" 'BEGIN { exit !(r > 0.99 && l < 0.9) }'; ok $? "Hebb at N = 100, P = 5: random patterns recalled (overlap $r), letters not ($l)"
for bad in "--patterns letters --N 90 --P 5" "--patterns letters --N 100 --P 27" "--patterns biased:2" "--patterns correlated:x" "--patterns stripes"; do
    rm -f "$tmp/px.tsv"
    "$BIN/capacity" $bad --out "$tmp/px.tsv" 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/px.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "capacity $bad: one-line error, no output ($(head -c 60 "$tmp/err"))"
done

# hopfield-demo: watching a recall.
"$BIN/hopfield-demo" --every 1000 > "$tmp/hd1.txt"; ok $? "hopfield-demo (letters ABCD, classical store)"
grep -q 'not recalled' "$tmp/hd1.txt" && grep -q '█' "$tmp/hd1.txt"; ok $? "the classical store mixes the correlated letters (frames drawn in half-blocks)"
"$BIN/hopfield-demo" --model dense --degree 3 --every 1000 > "$tmp/hd2.txt"; grep -q ': recalled' "$tmp/hd2.txt"
ok $? "the dense store recalls the letter the classical one cannot"
"$BIN/hopfield-demo" --model modern --beta 8 --every 1000 > "$tmp/hd3.txt"; grep -q ': recalled' "$tmp/hd3.txt"; ok $? "the modern store recalls it"
"$BIN/hopfield-demo" --patterns checkerboard --count 4 --size 8x8 --cue 2 --every 32 --gif "$tmp/cb.gif" --out "$tmp/cb.tsv" > "$tmp/hd4.txt"
[ "$(head -c 6 "$tmp/cb.gif")" = GIF89a ] && [ ! -e "$tmp/cb.gif.dat" ] && [ "$(grep -c '^sweep' "$tmp/hd4.txt")" = "$(grep -v '^#' "$tmp/cb.tsv" | tail -n +2 | wc -l)" ]
ok $? "checkerboards: an animated GIF, and a TSV row for every frame drawn"
awk -F'\t' '!/^#/ && $1 != "frame" { if (n++ && $5 > e + 1e-9) bad = 1; e = $5 } END { exit bad || n < 3 }' "$tmp/cb.tsv"
ok $? "the energy never rises from frame to frame (async, T = 0)"
printf '#..#\n#..#\n####\n\n####\n#...\n####\n' > "$tmp/drawn.txt"
"$BIN/hopfield-demo" --patterns "$tmp/drawn.txt" --flip 0 > "$tmp/hd5.txt" && grep -q ': recalled' "$tmp/hd5.txt"; ok $? "drawn patterns from a text file"
"$BIN/hopfield-demo" --patterns random --count 3 --size 6x6 --dynamics sync > /dev/null; ok $? "random patterns, synchronous dynamics"
mkdir -p "$tmp/hdfig" "$tmp/hdkeep"
TMPDIR="$tmp/hdfig" "$BIN/hopfield-demo" --patterns lshapes --count 4 --size 9x9 --every 81 --frames "$tmp/hdfig/lf" \
    --plots "$tmp/hdfig/lm" --quiet > "$tmp/hd6.txt"
nf=$(ls "$tmp"/hdfig/lf-[0-9][0-9][0-9][0-9].png | wc -l)
[ ! -s "$tmp/hd6.txt" ] && [ "$nf" -ge 2 ] && [ "$(head -c 4 "$tmp/hdfig/lf-0000.png" | tail -c 3)" = PNG ] &&
    [ -z "$(ls "$tmp/hdfig" | grep -v '^l[fm]-.*\.png$')" ]
ok $? "lshapes: $nf PNG frames and the --plots figures, and nothing else: no .dat, .gp, temporaries or scratch directories"
# AM_FIGURE_DATA keeps the figures' data, there.
AM_FIGURE_DATA="$tmp/hdkeep" "$BIN/hopfield-demo" --patterns lshapes --count 4 --size 9x9 --every 81 --frames "$tmp/lf" \
    --plots "$tmp/lm" --quiet > /dev/null && [ ! -e "$tmp/lm-overlaps.dat" ] && [ ! -e "$tmp/lf-frames.dat" ] &&
    [ "$(wc -l < "$tmp/hdkeep/lf-frames.dat")" -ge 9 ]
ok $? "AM_FIGURE_DATA=DIR: the frames' and plots' data in DIR, none beside the figures"
[ "$(head -c 4 "$tmp/lm-overlaps.png" | tail -c 3)" = PNG ] && [ "$(head -c 4 "$tmp/lm-weights.png" | tail -c 3)" = PNG ] &&
    [ "$(wc -l < "$tmp/hdkeep/lm-overlaps.dat")" = 4 ] && [ "$(awk '{print NF; exit}' "$tmp/hdkeep/lm-weights.dat")" = 81 ]
ok $? "--plots: the 4 x 4 overlap matrix and the 81 x 81 weight matrix drawn"
[ "$(head -c 4 "$tmp/lm-energy.png" | tail -c 3)" = PNG ] && [ "$(head -c 4 "$tmp/lm-overlap-time.png" | tail -c 3)" = PNG ] &&
    [ "$(wc -l < "$tmp/hdkeep/lm-energy.dat")" = "$nf" ] && [ "$(awk '{print NF; exit}' "$tmp/hdkeep/lm-overlap-time.dat")" = 5 ]
ok $? "--plots: energy and the 4 overlaps against unit updates, one point per frame"
awk 'NR == 1 { exit !($1 == 1 && $2 > 0.5) }' "$tmp/hdkeep/lm-overlaps.dat"; ok $? "shifted L shapes overlap strongly"
# The grid as given (rows x columns), in the header and in the TSV.
"$BIN/hopfield-demo" --letters AB --size 14x10 --every 1000 --out "$tmp/hs.tsv" > "$tmp/hs.txt"
grep -q '2 patterns of 14x10,' "$tmp/hs.txt" && grep -q '2 patterns of 14x10;' "$tmp/hs.tsv" && [ "$(grep -c '|$' "$tmp/hs.txt")" -ge 7 ] &&
    [ "$(grep -m1 '|$' "$tmp/hs.txt" | sed 's/|$//' | wc -m)" = 11 ]
ok $? "--size 14x10: the header says 14x10 (rows x columns), frames 10 columns wide ($(head -c 70 "$tmp/hs.txt"))"
grep -v '^#' "$tmp/hs.tsv" | head -1 | grep -q $'energy\toverlap_A\toverlap_B$'; ok $? "the TSV names the overlap columns by letter"
"$BIN/hopfield-demo" --patterns random --count 2 --size 6x6 --out - | grep -v '^#' | head -1 | grep -q $'overlap_0\toverlap_1$'
ok $? "other patterns by number"
# A TSV in a file leaves the animation on the terminal (script gives a pseudo-terminal): both at once.
if command -v script > /dev/null; then
    rm -f "$tmp/hl.tsv"
    script -qfc "$BIN/hopfield-demo --letters AB --delay 0 --every 20 --out $tmp/hl.tsv" "$tmp/hl.typescript" > /dev/null 2>&1
    grep -q $'\033\\[[0-9]*A' "$tmp/hl.typescript" && [ "$(grep -v '^#' "$tmp/hl.tsv" | wc -l)" -ge 4 ]
    ok $? "--out FILE on a terminal: the frames redrawn in place and the TSV written"
else
    ok 0 "# SKIP script (util-linux) missing"
fi
# What gnuplot is asked to draw, and the GIF it draws: size, frames, delays (a small GIF reader).
mkdir -p "$tmp/teegp"
printf '#!/bin/sh\ntee -a "%s/gp.log" | "%s" "$@"\n' "$tmp" "$(command -v gnuplot)" > "$tmp/teegp/gnuplot"
chmod +x "$tmp/teegp/gnuplot"
gifinfo() {
    /usr/bin/python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read(); w, h, pk = struct.unpack("<HHB", b[6:11]); p = 13 + (3 << ((pk & 7) + 1) if pk & 0x80 else 0)
delays = []
def skip(p):
    while b[p]: p += 1 + b[p]
    return p + 1
while b[p] != 0x3b:
    if b[p] == 0x21:
        if b[p + 1] == 0xf9: delays.append(b[p + 4] | b[p + 5] << 8)
        p = skip(p + 2)
    else:
        q = b[p + 9]; p = skip(p + 10 + (3 << ((q & 7) + 1) if q & 0x80 else 0) + 1)
print(w, h, len(delays), " ".join(map(str, delays)))' "$1"
}
rm -f "$tmp/gp.log"
PATH="$tmp/teegp:$PATH" "$BIN/hopfield-demo" --letters ABCD --model dense --degree 3 --every 20 --gif "$tmp/hd.gif" --plots "$tmp/hp" --quiet
info=$(gifinfo "$tmp/hd.gif"); read -r gw gh gn _ <<< "$info"
[ "${gw:-0}" -ge 600 ] && [ "${gh:-0}" -ge 300 ] && [ "${gn:-0}" -ge 3 ] && [ "$(echo "$info" | awk '{ print $NF }')" = 300 ] &&
    [ "$(echo "$info" | awk '{ for (i = 4; i < NF; i++) if ($i != 8) exit 1 }'; echo $?)" = 0 ]
ok $? "the GIF: readable ($gw x $gh pixels), 8 cs a frame, the last held 3 s ($(echo "$info" | cut -c1-40) ...)"
grep -q "set label 1 'target: A'" "$tmp/gp.log" && grep -q "set label 2 'the network''s state'" "$tmp/gp.log" &&
    grep -q "plot .* matrix using (\$1+[0-9]*):2:3 with image, .* index ${gn:-0} matrix with image" "$tmp/gp.log"
ok $? "the target A beside the network's state in every frame"
width=$(sed -n 's/^set terminal gif .* size \([0-9]*\),.*/\1/p' "$tmp/gp.log")
longest=$(sed -n "s/^set title '\(.*\)' \(offset\|noenhanced\).*/\1/p" "$tmp/gp.log" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
grep -q "^set title 'sweep .* energy -[0-9.]*e+0[0-9], overlap with A +1.00'" "$tmp/gp.log" && [ "$width" -ge $((7 * longest + 40)) ]
ok $? "titles at dense energies fit the GIF ($longest characters in $width pixels)"
grep -q "title 'A'.*title 'B'.*title 'C'.*title 'D'" "$tmp/gp.log"; ok $? "--plots: the overlap legend names the letters"
"$BIN/hopfield-demo" --model dense --plots "$tmp/dm" --quiet && [ -e "$tmp/dm-overlaps.png" ] && [ ! -e "$tmp/dm-weights.png" ] &&
    [ -e "$tmp/dm-energy.png" ]
ok $? "--plots for the dense store: no weight matrix (it has none), the rest drawn"
printf '#.#\n##\n' > "$tmp/bad.txt"
for bad in "--patterns $tmp/bad.txt" "--patterns $tmp/none.txt" "--letters AB1" "--cue 9" "--size 5x5" "--degree 3" "--model cube" \
           "--dynamics glauber" "--flip 2" "--threads 2" "--patterns lshapes --count 40"; do
    rm -f "$tmp/hx.tsv"
    "$BIN/hopfield-demo" $bad --out "$tmp/hx.tsv" > /dev/null 2> "$tmp/err"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/hx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "hopfield-demo $bad: one-line error, no output ($(head -c 60 "$tmp/err"))"
done

# An output that cannot be written (a directory): one line and exit 2 when the command line is parsed, before
# any work (and, under AddressSanitizer, nothing leaked on the way out).
mkdir -p "$tmp/odir"
for cmd in "capacity --N 50 --alpha 0.05:0.1:0.05 --trials 1" "retrieval-beta --d 16 --M 10 --trials 1 --cues 2" \
           "hrr-capacity --D 256 --K 2 --M 10" "theory --N 100" "concept-cells capacity --N 10 --queries 10" \
           "spiking coba --time 5" "xor-motif truth" "hopfield-demo --letters AB" \
           "concepts learn --db $tmp/odb --modalities a=$tmp/la.tsv --names $tmp/names"; do
    "$BIN/"$cmd --quiet --out "$tmp/odir" 2> "$tmp/err"; rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q 'is a directory' "$tmp/err"
    ok $? "${cmd%% --*} --out DIR: one line, exit 2, nothing leaked ($(head -c 60 "$tmp/err"))"
done

# Figures whose writing fails are errors: a full device, and a gnuplot that exits 0 after writing half a PNG
# (what it does when the disk fills: it does not check its writes).
rm -f "$tmp/hx.tsv"
TMPDIR="$tmp" "$BIN/hopfield-demo" --letters AB --gif /dev/full --quiet --out "$tmp/hx.tsv" 2> "$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ ! -e "$tmp/hx.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q 'No space left' "$tmp/err" &&
    [ ! -e /dev/full.dat ] && [ -z "$(ls "$tmp" | grep am-figure)" ]
ok $? "hopfield-demo --gif /dev/full: one-line error, no output, nothing left in /dev or TMPDIR ($(head -c 70 "$tmp/err"))"
for to in /dev/stdout -; do
    rm -f "$tmp/hd.gif"
    # (a stray /dev/stdout.dat from an older build may exist: this run must not create or touch one)
    before=$(stat -c '%Y %s' /dev/stdout.dat 2> /dev/null || echo none)
    TMPDIR="$tmp" "$BIN/hopfield-demo" --letters AB --gif $to --quiet --out "$tmp/hx.tsv" > "$tmp/hd.gif" &&
        [ "$(head -c 6 "$tmp/hd.gif")" = GIF89a ] && [ -z "$(ls "$tmp" | grep am-figure)" ] &&
        [ "$(stat -c '%Y %s' /dev/stdout.dat 2> /dev/null || echo none)" = "$before" ] &&
        [ ! -e ./-.dat ] && [ ! -e ./- ]
    ok $? "--gif $to writes the GIF to standard output (redirected to a file), and nothing else anywhere"
done
mkdir -p "$tmp/fakegp"
cat > "$tmp/fakegp/gnuplot" << 'EOF'
#!/bin/sh
# writes the first 12 bytes of a PNG to the first output named in its script, then claims success
out=$(sed -n "s/^set output '\(.*\)'\$/\1/p" | head -n 1)
printf '\211PNG\r\n\032\nhalf' > "$out"
exit 0
EOF
chmod +x "$tmp/fakegp/gnuplot"
rm -f "$tmp/hx.tsv" "$tmp/half"*
PATH="$tmp/fakegp:$PATH" "$BIN/hopfield-demo" --letters AB --plots "$tmp/half" --quiet --out "$tmp/hx.tsv" 2> "$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ ! -e "$tmp/hx.tsv" ] && [ -z "$(ls "$tmp" | grep -F 'half' | grep -F '.png')" ] && grep -q 'incomplete' "$tmp/err"
ok $? "a cut PNG from a gnuplot that says it succeeded is refused, not renamed into place ($(head -c 70 "$tmp/err"))"

# The progress line on a terminal (script gives a pseudo-terminal): cut to the terminal's width, so a
# narrow window gets no wrapped copies, and it ends at 100 %.
if command -v script > /dev/null; then
    script -qfc "stty cols 44; $BIN/retrieval-beta --d 64 --M 50,2000 --trials 3 --cues 10 --out $tmp/rbp.tsv" "$tmp/rbp.typescript" > /dev/null 2>&1
    tr '\r' '\n' < "$tmp/rbp.typescript" | sed 's/\x1b\[K//g' | grep '^\[' > "$tmp/rbp.lines"
    awk '{ if (length($0) > 43) bad = 1 } END { exit bad || NR < 2 }' "$tmp/rbp.lines" && grep -Eq '100% ([0-9]+)/\1  took' "$tmp/rbp.lines"
    ok $? "progress lines fit a 44-column terminal and end at 100% ($(wc -l < "$tmp/rbp.lines") updates)"
else
    ok 0 "# SKIP script(1) is not installed"
fi

# Every example in every --help (each program's and each subcommand's) is a command line that parses.
nex=0; badex=""
for prog in "$BIN"/*; do
    [ -x "$prog" ] && [ -f "$prog" ] || continue
    name=$(basename "$prog")
    helps="$("$prog" --help 2>&1)"
    case "$helps" in *"COMMAND"*|*"PRESET"*)
        for sub in $(printf '%s\n' "$helps" | awk '/^Examples:/ { exit } /^  [a-z][a-z-]+ / { print $1 }'); do
            helps="$helps
$("$prog" "$sub" --help 2>&1)"
        done ;;
    esac
    printf '%s\n' "$helps" | awk '/^Examples:/ { on = 1; next } on && /^  [a-z]/ { sub(/^  /, ""); print; next } { on = 0 }' > "$tmp/ex.txt"
    while IFS= read -r line; do
        nex=$((nex + 1))
        eval "set -- $line"
        cmd=$1; shift
        [ "$cmd" = "$name" ] || { badex="$badex | $line (names $cmd in $name's help)"; continue; }
        (cd "$tmp" && AM_PARSE_ONLY=1 "$prog" "$@" > /dev/null 2> "$tmp/ex.err") || badex="$badex | $line: $(head -1 "$tmp/ex.err")"
    done < "$tmp/ex.txt"
done
[ -z "$badex" ] && [ "$nex" -ge 40 ]; ok $? "all $nex examples in the programs' --help parse${badex}"
for prog in "$BIN"/*; do
    [ -x "$prog" ] && [ -f "$prog" ] || continue
    "$prog" --help 2>&1 | grep -q '^Examples:' || { echo "# $(basename "$prog") --help shows no examples"; false; } || break
done; ok $? "every program's --help shows examples"
# No option states two defaults (a store parameter's per-type defaults go in one group: "(default 2; seq-mixed: 10)").
twice=""
for prog in "$BIN"/*; do
    [ -x "$prog" ] && [ -f "$prog" ] || continue
    subs=""; case "$("$prog" --help 2>&1 | head -1)" in *COMMAND*|*PRESET*)
        subs=$("$prog" --help 2>&1 | awk '/^Examples:/ { exit } /^  [a-z][a-z-]+ / { print $1 }') ;; esac
    for sub in "" $subs; do
        l=$("$prog" $sub --help 2>&1 | grep -m1 '(default.*(default') && twice="$twice | $(basename "$prog") $sub: ${l:0:60}"
    done
done
[ -z "$twice" ]; ok $? "no option of any --help states two defaults$twice"

# Text read from input files reaches a message quoted and escaped: one line, printable ASCII only, the control
# bytes and the invalid UTF-8 as \xNN. Each reader gets the same hostile line (control bytes, an escape
# sequence, a lone 0xff byte).
escaped() { # ERRFILE: one line, nothing but printable ASCII, the hostile bytes shown as \x01, \x1b and \xff
    [ "$(wc -l < "$1")" -eq 1 ] && [ -z "$(tr -d '\n' < "$1" | LC_ALL=C tr -d '[:print:]')" ] &&
        grep -qF '\x01' "$1" && grep -qF '\x1b' "$1" && grep -qF '\xff' "$1"
}
hostile=$'b\001a\033[2J\377d'
printf 'sneaker\n%s\n' "$hostile" > "$tmp/whostile"
"$BIN/word-data" --cache "$tmp/wdx" --no-fashion --words "$tmp/whostile" --out "$tmp/wdx.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && escaped "$tmp/err" && grep -qF 'line 2: "b\x01a\x1b[2J\xffd" is not a word' "$tmp/err"
ok $? "word-data --words: the bad line quoted and escaped ($(head -c 100 "$tmp/err" | LC_ALL=C tr -c '[:print:]' '?'))"
if command -v espeak-ng > /dev/null; then
    "$BIN/speech-data" --cache "$tmp/spx" --words "$tmp/whostile" --test-voices '' --out "$tmp/spx.tsv" 2> "$tmp/err"
    [ $? -ne 0 ] && escaped "$tmp/err" && grep -qF 'line 2: "b\x01a\x1b[2J\xffd" is not a word' "$tmp/err"
    ok $? "speech-data --words: the bad line quoted and escaped ($(head -c 100 "$tmp/err" | LC_ALL=C tr -c '[:print:]' '?'))"
else
    ok 0 "# SKIP speech-data --words: espeak-ng missing"
fi
printf 'a,+\nc,%s\n' "$hostile" > "$tmp/shostile"
"$BIN/connectome" count --edges "$tmp/g.csv" --signs "$tmp/shostile" --out "$tmp/cx.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && escaped "$tmp/err" && grep -qF 'line 2: sign "b\x01a\x1b[2J\xffd" is not' "$tmp/err"
ok $? "connectome --signs: the bad sign quoted and escaped ($(head -c 100 "$tmp/err" | LC_ALL=C tr -c '[:print:]' '?'))"
printf '%s,+\n' "$hostile" > "$tmp/shostile2"
"$BIN/connectome" count --edges "$tmp/g.csv" --signs "$tmp/shostile2" --out "$tmp/cx.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && escaped "$tmp/err" && grep -qF 'no neuron "b\x01a\x1b[2J\xffd"' "$tmp/err"
ok $? "connectome --signs: an unknown neuron quoted and escaped ($(head -c 100 "$tmp/err" | LC_ALL=C tr -c '[:print:]' '?'))"
printf '#.........\n#%s\n' "$hostile" > "$tmp/phostile"
"$BIN/hopfield-demo" --patterns "$tmp/phostile" --out "$tmp/hx.tsv" > /dev/null 2> "$tmp/err"
[ $? -ne 0 ] && escaped "$tmp/err" && grep -qF 'line 2: "#b\x01a\x1b[2J\xffd": column 2' "$tmp/err"
ok $? "hopfield-demo --patterns: the bad row quoted and escaped ($(head -c 100 "$tmp/err" | LC_ALL=C tr -c '[:print:]' '?'))"
printf 'red\n%s\n' "$hostile" > "$tmp/nhostile"
"$BIN/concepts" learn --db "$tmp/cx" --modalities "a=$tmp/la.tsv" --names "$tmp/nhostile" --out "$tmp/cx.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && escaped "$tmp/err" && grep -qF 'line 2: "b\x01a\x1b[2J\xffd"' "$tmp/err" && [ ! -e "$tmp/cx" ]
ok $? "concepts --names: the bad name quoted and escaped ($(head -c 100 "$tmp/err" | LC_ALL=C tr -c '[:print:]' '?'))"
"$BIN/capacity" --model "$hostile" --out "$tmp/cx.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && escaped "$tmp/err"; ok $? "an option value is quoted and escaped ($(head -c 100 "$tmp/err" | LC_ALL=C tr -c '[:print:]' '?'))"
"$BIN/capacity" "--$hostile" --out "$tmp/cx.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && escaped "$tmp/err"; ok $? "an unknown option is quoted and escaped ($(head -c 100 "$tmp/err" | LC_ALL=C tr -c '[:print:]' '?'))"
"$BIN/concepts" "$hostile" 2> "$tmp/err"
[ $? -ne 0 ] && escaped "$tmp/err"; ok $? "an unknown command is quoted and escaped ($(head -c 100 "$tmp/err" | LC_ALL=C tr -c '[:print:]' '?'))"
head -c 3000 /dev/zero | tr '\0' 'x' > "$tmp/wlong"
"$BIN/word-data" --cache "$tmp/wdx" --no-fashion --words "$tmp/wlong" --out "$tmp/wdx.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && [ "$(wc -c < "$tmp/err")" -lt 300 ] && grep -q 'xxx…"' "$tmp/err"
ok $? "a long line is cut with an ellipsis ($(head -c 100 "$tmp/err"))"
# WordNet: a damaged index or data file is named with its line and what is wrong.
mkdir -p "$tmp/wn"
printf '  1 license line\ntee_shirt n 1 1 @ 1 0 0414bad9\n' > "$tmp/wn/index.noun"
printf '  1 license line\n' > "$tmp/wn/data.noun"
"$BIN/word-data" --cache "$tmp/wdx" --wordnet "$tmp/wn" --out "$tmp/wdx.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -qF "$tmp/wn/index.noun line 2:" "$tmp/err" && grep -qF '"0414bad9"' "$tmp/err"
ok $? "a malformed WordNet index line is named: file, line, why ($(head -c 140 "$tmp/err"))"
off=$(printf '  1 license line\n' | wc -c)
printf 'tee_shirt n 1 1 @ 1 0 %08d\n' "$off" > "$tmp/wn/index.noun"
printf '  1 license line\n%08d 06 n 01 tee_shirt 0 00x @ 1 n 0000 | a shirt\n' "$off" > "$tmp/wn/data.noun"
"$BIN/word-data" --cache "$tmp/wdx" --wordnet "$tmp/wn" --out "$tmp/wdx.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -qF "$tmp/wn/data.noun line 2:" "$tmp/err" && grep -q 'pointer count' "$tmp/err"
ok $? "a malformed WordNet data line is named: file, line, why ($(head -c 140 "$tmp/err"))"
rm "$tmp/wn/data.noun"
"$BIN/word-data" --cache "$tmp/wdx" --wordnet "$tmp/wn" --out "$tmp/wdx.tsv" 2> "$tmp/err"
[ $? -ne 0 ] && grep -qF "$tmp/wn/data.noun: " "$tmp/err" && grep -q 'wordnet-base' "$tmp/err"
ok $? "a missing WordNet file is named ($(head -c 140 "$tmp/err"))"

# make install into a DESTDIR, twice with two prefixes: headers without the program harness, am.pc with the
# second prefix, the plot scripts, and the Python module where Debian's python3 looks (when it was built).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "${AM_BUILD:-}" = "$ROOT/build" ] && [ -z "${AM_SANFLAGS:-}" ]; then
    make -s -C "$ROOT" install DESTDIR="$tmp/inst" PREFIX=/opt/one > /dev/null 2>&1 &&
        make -s -C "$ROOT" install DESTDIR="$tmp/inst" PREFIX=/usr/local > /dev/null 2>&1 &&
        [ -f "$tmp/inst/usr/local/include/am/am.h" ] && [ ! -e "$tmp/inst/usr/local/include/am/harness.h" ] &&
        grep -q '^prefix=/usr/local$' "$tmp/inst/usr/local/lib/pkgconfig/am.pc" &&
        [ -f "$tmp/inst/usr/local/share/libam/plots/capacity.gp" ]
    ok $? "make install twice: the second prefix in am.pc, no harness header, plot scripts installed"
    # A built tree stays built when a test or a program is made alone first: the tests' and programs' extra
    # include directories must not reach build/gen/flags, on which every object depends.
    touch "$tmp/mark"
    make -C "$ROOT" --no-print-directory build/tests/t-harness "${BIN#$ROOT/}/capacity" all > "$tmp/mk" 2>&1
    [ $? = 0 ] && [ -z "$(find "$ROOT/build" -name '*.o' -newer "$tmp/mark" | head -3)" ]
    ok $? "make build/tests/t-harness bin/capacity all after make check compiles nothing ($(find "$ROOT/build" -name '*.o' -newer "$tmp/mark" | wc -l) objects rebuilt)"
    if [ -n "${AM_PYTHON:-}" ]; then
        site=$(ls -d "$tmp"/inst/usr/local/lib/python3*/dist-packages 2> /dev/null | head -1)
        (cd "$tmp" && PYTHONPATH="$site" "$AM_PYTHON" -c 'import am; s = am.Store("dense", n=16); print(s.n)') | grep -qx 16
        ok $? "the installed Python module imports from ${site#$tmp/inst}"
    fi
    # The programs behind one command: PREFIX/bin holds am only, the programs are in PREFIX/libexec/am, found
    # from where am lies (a DESTDIR install works); am help X = X --help; make uninstall removes them.
    inst="$tmp/inst/usr/local"
    [ "$(ls "$inst/bin")" = am ] && [ -x "$inst/libexec/am/capacity" ] && [ ! -e "$inst/libexec/am/am" ]
    ok $? "install: bin/ holds am only ($(ls "$inst/bin" | tr '\n' ' ')), the programs in libexec/am"
    "$inst/bin/am" capacity --help > "$tmp/amh" && cmp -s "$tmp/amh" <("$BIN/capacity" --help) &&
        "$inst/bin/am" help capacity | cmp -s - "$tmp/amh" && "$inst/bin/am" help concepts show | cmp -s - <("$BIN/concepts" show --help)
    ok $? "am capacity --help and am help capacity are capacity --help (am help concepts show: its subcommand's)"
    "$inst/bin/am" capacity --N 40 --P 2 --trials 1 --quiet --out "$tmp/amc.tsv" && grep -q '^# command: capacity --N 40' "$tmp/amc.tsv"
    ok $? "am capacity runs the installed capacity"
    "$inst/bin/am" --help > "$tmp/aml"; np=$(ls "$inst/libexec/am" | wc -l)
    [ "$(awk '/^Programs:/ { on = 1; next } /^Examples:/ { on = 0 } on && NF >= 2' "$tmp/aml" | wc -l)" -eq "$np" ] &&
        grep -q '^  capacity  *Storage capacity' "$tmp/aml" && grep -q '^  concepts  *subcommands: learn, recall' "$tmp/aml"
    ok $? "am --help lists the $np programs, one line each"
    "$inst/bin/am" melody list --quiet --out "$tmp/aml.tsv"; ok $? "am melody finds its tunes from libexec/am (share/libam/tunes)"
    "$inst/bin/am" ../bin/am 2> "$tmp/err"; [ $? -eq 2 ] && "$inst/bin/am" nosuch 2>> "$tmp/err"; [ $? -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 2 ]
    ok $? "am refuses a path and an unknown program, one line each"
    make -s -C "$ROOT" uninstall DESTDIR="$tmp/inst" PREFIX=/usr/local > /dev/null 2>&1 &&
        [ ! -e "$inst/bin/am" ] && [ ! -e "$inst/libexec/am" ] && [ ! -e "$inst/lib/libam.a" ]
    ok $? "make uninstall removes am and libexec/am"
fi

# The README's example compiles against the built library and recalls.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${AM_BUILD:-}" ] && [ -f "$AM_BUILD/libam.a" ]; then
    sed -n '/^```c$/,/^```$/p' "$ROOT/README.md" | sed '1d;$d' > "$tmp/readme.c"
    ${CC:-cc} -std=c11 -Wall -Werror -I"$ROOT/include" $(pkg-config --cflags openblas) "$tmp/readme.c" "$AM_BUILD/libam.a" \
        $(pkg-config --libs openblas zlib fftw3f lmdb) -fopenmp -lm ${AM_SANFLAGS:-} -o "$tmp/readme" 2> "$tmp/cc.err"
    ok $? "the README example compiles without warnings"
    "$tmp/readme" | grep -q '^overlap 0.99[0-9] after [0-9]* sweeps (fixed)$'; ok $? "the README example recalls pattern 0"
fi
echo "1..$n"
[ $failed -eq 0 ]
