#!/bin/bash
# The experiment programs: --help, errors before output, determinism across thread counts.
set -u
BIN=${AM_BIN:-bin}
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$BIN/capacity" --help > "$tmp/help"; ok $? "capacity --help exits 0"
grep -q -- '--alpha a0:a1:step.*(default 0.02:0.2:0.01)' "$tmp/help"; ok $? "--help lists defaults"
grep -q 'unstable_frac' "$tmp/help"; ok $? "--help defines the columns"
"$BIN/capacity" --version | grep -q 'libam'; ok $? "capacity --version"

for bad in "--rule oja" "--dynamics foo" "--N 0" "--noise 2" "--alpha 0.3:0.1:0.1" "--P 10,,20" "--T 0.5" \
           "--trials 0" "--bogus" "--N" "--model quantum" "--path patterns --rule pinv" "--threads 0" "--N 12x" \
           "--model dense --n 0" "--model dense --F cubic" "--model dense --path patterns" \
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
# Both Hebb recall paths write the same file.
"$BIN/capacity" --N 200 --alpha 0.05:0.25:0.05 --trials 2 --path patterns --quiet --out "$tmp/pp.tsv"
"$BIN/capacity" --N 200 --alpha 0.05:0.25:0.05 --trials 2 --path matrix --quiet --out "$tmp/pm.tsv"
diff <(grep -v '^#' "$tmp/pp.tsv") <(grep -v '^#' "$tmp/pm.tsv") > /dev/null; ok $? "patterns and matrix paths give the same TSV"
# Dense model through the same program: n = 3 stores K = 2N patterns at N = 100, Hebb-like n = 2 does not.
"$BIN/capacity" --model dense --F poly --n 2,3 --N 100 --P 200 --trials 2 --cues 20 --quiet --out "$tmp/d.tsv"; ok $? "capacity --model dense runs"
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
# Sanity of the science: at alpha 0.05 Hebb recalls from 10% noise, at 0.3 it does not.
awk -F'\t' '!/^#/ && $2=="hebb" && $5==200 && $6==10 { exit !($13 == 1) }' "$tmp/pp.tsv"; ok $? "Hebb recalls at alpha=0.05"
"$BIN/theory" --N 1000 --alpha 0.1:0.2:0.05 --quiet > "$tmp/th.tsv"; ok $? "theory runs"
awk -F'\t' '!/^#/ && $3=="0.100000" { exit !($4 > 0.0007 && $4 < 0.0009) }' "$tmp/th.tsv"; ok $? "theory bit error at alpha 0.1 is Q(sqrt 10)"
# OpenBLAS misdetection: a shim makes OpenBLAS report "Prescott" until OPENBLAS_CORETYPE is set, as
# Debian's 0.3.21 does on some CPUs. The program must restart itself with the right kernels.
# (Not under ASan, which must be the first library loaded.)
case "${AM_BUILD:-}" in *san-*) sanitized=1 ;; *) sanitized=0 ;; esac
if [ $sanitized = 0 ] && grep -qw avx2 /proc/cpuinfo; then
    cat > "$tmp/shim.c" <<'SHIM'
#include <stdlib.h>
char *openblas_get_corename(void) { char *c = getenv("OPENBLAS_CORETYPE"); return c ? c : "Prescott"; }
SHIM
    ${CC:-cc} -shared -fPIC -o "$tmp/shim.so" "$tmp/shim.c"
    v=$(env -u OPENBLAS_CORETYPE -u AM_NO_REEXEC LD_PRELOAD="$tmp/shim.so" "$BIN/capacity" --version)
    echo "$v" | grep -Eq 'OpenBLAS (SkylakeX|Haswell)\)'; ok $? "a misdetected Prescott core is replaced on restart ($v)"
    v=$(env -u AM_NO_REEXEC OPENBLAS_CORETYPE=Prescott LD_PRELOAD="$tmp/shim.so" "$BIN/capacity" --version)
    echo "$v" | grep -q 'OpenBLAS Prescott)'; ok $? "an explicit OPENBLAS_CORETYPE is respected"
    v=$(env -u OPENBLAS_CORETYPE AM_NO_REEXEC=1 LD_PRELOAD="$tmp/shim.so" "$BIN/capacity" --version)
    echo "$v" | grep -q 'OpenBLAS Prescott)'; ok $? "AM_NO_REEXEC=1 turns the restart off"
fi

# The front-ends and the latent-memory pipeline.
"$BIN/autoencoder" --help > "$tmp/ae-help"; ok $? "autoencoder --help exits 0"
grep -q 'train' "$tmp/ae-help" && grep -q 'decode' "$tmp/ae-help"; ok $? "autoencoder --help lists the commands"
"$BIN/autoencoder" train --help | grep -q -- '--layers n0,n1,.. *MLP layer sizes \[mlp\] (default 784,256,64,256,784)'; ok $? "autoencoder train --help lists defaults"
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
    lr="--M 10,40 --cues 40 --fit 2000 --store hopfield,dense,modern --code sign,continuous --quiet"
    "$BIN/latent-recall" $lr --threads 1 --grid "$tmp/lg" --out "$tmp/lr1.tsv"; ok $? "latent-recall end to end (PCA)"
    "$BIN/latent-recall" $lr --threads 2 --out "$tmp/lr2.tsv"
    diff <(grep -v '^# \(date\|command\)' "$tmp/lr1.tsv") <(grep -v '^# \(date\|command\)' "$tmp/lr2.tsv") > /dev/null
    ok $? "latent-recall: same results at 1 and 2 threads"
    [ "$(grep -vc '^#' "$tmp/lr1.tsv")" -eq 25 ] && [ -s "$tmp/lg.png" ]; ok $? "24 rows (4 store/code pairs x 2 M x 3 corruptions) and the grid"
    awk -F'\t' '$1 == "modern" && $2 == "continuous" && $4 == 10 && $5 == "noise" { exit !($8 >= 0.8 && $10 < $13) }' "$tmp/lr1.tsv"
    ok $? "modern store, M = 10, noisy cues: >= 80% items recalled, decoded closer than the cue's own decoding"
    "$BIN/latent-recall" --encoder "$tmp/a1.model" --M 20 --cues 20 --fit 1000 --store dense --code topk --bits 128 --quiet --out "$tmp/lr3.tsv"
    ok $? "latent-recall with a trained MLP encoder and a 128-unit top-k code"
else
    ok 0 "# SKIP Fashion-MNIST not installed (dataset-fashion-mnist)"
fi

# The README's example compiles against the built library and recalls.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${AM_BUILD:-}" ] && [ -f "$AM_BUILD/libam.a" ]; then
    sed -n '/^```c$/,/^```$/p' "$ROOT/README.md" | sed '1d;$d' > "$tmp/readme.c"
    ${CC:-cc} -std=c11 -Wall -Werror -I"$ROOT/include" $(pkg-config --cflags openblas) "$tmp/readme.c" "$AM_BUILD/libam.a" \
        $(pkg-config --libs openblas lapacke zlib) -fopenmp -lm ${AM_SANFLAGS:-} -o "$tmp/readme" 2> "$tmp/cc.err"
    ok $? "the README example compiles without warnings"
    "$tmp/readme" | grep -q '^overlap 0.99[0-9] after [0-9]* sweeps (fixed)$'; ok $? "the README example recalls pattern 0"
fi
echo "1..$n"
[ $failed -eq 0 ]
