#!/bin/bash
# bin/melody: the corpus, recall from the first bar, capacity, the melody engram, familiarity; hostile command
# lines (one line, non-zero exit, nothing written); the same bytes at 1 and 2 threads.
set -u
BIN=${AM_BIN:-bin}
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
M="$BIN/melody"
CORPUS=data/tunes/traditional.abc

# Three short tunes; A and B share their first bar.
cat > "$tmp/t.abc" <<'EOF'
X:1
T:Test A
M:4/4
L:1/8
Q:1/4=120
K:C
CDEF GABc|cBAG FEDC|E2G2 c4|]

X:2
T:Test B
M:4/4
L:1/8
K:C
CDEF GABc|GFED EDCB,|C8|]

X:3
T:Test C
M:3/4
L:1/4
K:G
GAB|d2B|A3|G3|]
EOF

"$M" --help > "$tmp/help"; ok $? "melody --help exits 0"
for c in list learn recall capacity engram familiarity; do
    grep -q "^  $c " "$tmp/help"; ok $? "melody --help lists $c"
    "$M" $c --help > "$tmp/h-$c" && grep -q -- "--seed\|--tunes" "$tmp/h-$c"; ok $? "melody $c --help"
done
grep -q -- '--code KIND.*(default sparse)' "$tmp/h-capacity"; ok $? "capacity --help shows the default encoding"
grep -q -- '--history H.*(default 1)' "$tmp/h-recall"; ok $? "recall --help shows --history's default"

# list
"$M" list --tunes "$CORPUS" --out "$tmp/list.tsv"; ok $? "list runs"
rows=$(grep -vc '^#' "$tmp/list.tsv"); [ "$rows" -ge 37 ]; ok $? "list: a header and 36 or more tunes ($rows lines)"
awk -F'\t' '!/^#/ && $1 == "0" { exit !($3 ~ /Twinkle/) }' "$tmp/list.tsv"; ok $? "list: tune 0 is Twinkle"
# (the default corpus is found beside the program: bin/../data/tunes, or an installation's share/libam/tunes)
if [ -d /usr/share/doc/abcmidi/examples ] && [ -r "$BIN/../data/tunes/traditional.abc" ]; then
    "$M" list --out "$tmp/corpus.tsv"; ok $? "list --tunes corpus (the default) runs"
    c=$(grep -vc '^#' "$tmp/corpus.tsv"); [ "$c" -gt "$rows" ]; ok $? "the corpus adds abcmidi's examples ($c > $rows lines)"
fi

# recall: the shared first bar is told apart by a context code, and not without one.
"$M" recall --tunes "$tmp/t.abc" --tune "Test A" --history 8 --context 64 > "$tmp/ra.txt"; ok $? "recall runs"
grep -q "every step right" "$tmp/ra.txt"; ok $? "recall with a context code: tune A replays whole from its first bar"
"$M" recall --tunes "$tmp/t.abc" --tune "Test A" --history 8 --context 0 > "$tmp/ra0.txt"
grep -q "first wrong step 8" "$tmp/ra0.txt"; ok $? "without one, tune A goes wrong right after the bar it shares with B"
grep -q '\*' "$tmp/ra0.txt"; ok $? "the wrong steps are marked"
"$M" recall --tunes "$tmp/t.abc" --tune 2 --history 4 --synth tones --wav "$tmp/c.wav" --roll "$tmp/c" --quiet \
    --out "$tmp/c.tsv" > /dev/null; ok $? "recall --wav --roll --out"
[ -s "$tmp/c.wav" ] && [ -s "$tmp/c.png" ] && [ ! -e "$tmp/c.dat" ] && [ ! -e "$tmp/c.gp" ]
ok $? "the WAV and the piano roll are written (no .dat or .gp beside the roll)"
head -c 4 "$tmp/c.wav" | grep -q RIFF; ok $? "the WAV is RIFF"
rows=$(grep -vc '^#' "$tmp/c.tsv"); [ "$rows" -ge 10 ]; ok $? "one row per step after the cue ($rows lines)"
if command -v sox > /dev/null; then
    peak=$(sox "$tmp/c.wav" -n stats 2>&1 | awk '/Pk lev dB/ { print $4 }')
    awk -v p="$peak" 'BEGIN { exit !(p <= -1 && p > -20) }'; ok $? "the WAV's peak is at most -1 dBFS and audible ($peak dB)"
fi
"$M" learn --tunes "$tmp/t.abc" --history 8 --context 64 --store "$tmp/s.store" --quiet --out "$tmp/learn.tsv"; ok $? "learn --store"
awk -F'\t' '!/^#/ && $1 ~ /^[0-9]/ { if ($4 != $3 - 1) bad = 1 } END { exit bad }' "$tmp/learn.tsv"
ok $? "learn: every transition of every tune exact"
"$M" recall --tunes "$tmp/t.abc" --tune "Test B" --history 8 --context 64 --store "$tmp/s.store" > "$tmp/rs.txt"
grep -q "every step right" "$tmp/rs.txt"; ok $? "recall --store: the saved store replays tune B"
"$M" recall --tunes "$tmp/t.abc" --history 8 --context 64 --seed 2 --store "$tmp/s.store" 2> "$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "learned with" "$tmp/err"
ok $? "recall --store with another --seed (other codes of the same size): one line ($(head -c 80 "$tmp/err"))"
"$M" recall --tunes "$tmp/t.abc" --history 4 --store "$tmp/s.store" 2> "$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "learned with" "$tmp/err"
ok $? "recall --store with another encoding: one line ($(head -c 80 "$tmp/err"))"

# capacity
cap="capacity --tunes $CORPUS --stored 1,3,6 --history 4 --context 32 --trials 2 --seed 3 --quiet"
"$M" $cap --threads 1 --out "$tmp/cap1.tsv" && "$M" $cap --threads 2 --out "$tmp/cap2.tsv"; ok $? "capacity at 1 and 2 threads"
diff <(grep -v '^# date:\|^# time:' "$tmp/cap1.tsv") <(grep -v '^# date:\|^# time:' "$tmp/cap2.tsv") > /dev/null
ok $? "capacity: byte-identical TSV at 1 and 2 threads"
rows=$(grep -vc '^#' "$tmp/cap1.tsv"); [ "$rows" -eq 7 ]; ok $? "capacity: 3 loads x 2 cues + header ($rows lines)"
awk -F'\t' '!/^#/ && $5 ~ /^[0-9]/ { if ($8 < 0 || $8 > 1 || $10 < 0 || $10 > 1) bad = 1 } END { exit bad }' "$tmp/cap1.tsv"
ok $? "capacity: accuracies and rates in [0, 1]"
"$M" capacity --tunes "$tmp/t.abc" --stored 3 --history 8 --context 64 --cues first-bar --quiet --out "$tmp/capt.tsv"
awk -F'\t' '!/^#/ && $5 == "3" { exit !($10 == 1) }' "$tmp/capt.tsv"; ok $? "capacity: the three test tunes all replay whole"

# engram
eng="engram --tunes $tmp/t.abc --hidden 256 --epochs 40 --learners xor,backprop,store --history 1 --seed 2 --quiet"
"$M" $eng --threads 1 --out "$tmp/e1.tsv" --curve "$tmp/ec.tsv" && "$M" $eng --threads 2 --out "$tmp/e2.tsv" --curve "$tmp/ec2.tsv"
ok $? "engram at 1 and 2 threads"
strip() { grep -v '^# date:\|^# time:\|^# command:' "$1"; }
diff <(strip "$tmp/e1.tsv") <(strip "$tmp/e2.tsv") > /dev/null && diff <(strip "$tmp/ec.tsv") <(strip "$tmp/ec2.tsv") > /dev/null
ok $? "engram: byte-identical TSV and curves at 1 and 2 threads (the --curve path in '# command:' aside)"
awk -F'\t' '!/^#/ && $1 == "xor" { exit !($6 >= 0.95) }' "$tmp/e1.tsv"; ok $? "the XOR engram predicts the test tunes teacher-forced"
rows=$(grep -vc '^#' "$tmp/ec.tsv"); [ "$rows" -eq 81 ]; ok $? "--curve: 2 networks x 40 epochs + header ($rows lines)"

# the error bits read from the spiking XOR motif: without background exactly the computed signed XOR's
mot="engram --tunes $tmp/t.abc --hidden 64 --epochs 2 --learners xor --seed 2 --quiet"
"$M" $mot --motif --out "$tmp/mo1.tsv" && "$M" $mot --out "$tmp/mo0.tsv"; ok $? "engram --motif runs"
diff <(strip "$tmp/mo1.tsv") <(strip "$tmp/mo0.tsv") > /dev/null; ok $? "--motif without background learns exactly as the computed rule"
"$M" $mot --motif --motif-bg 2000 --epochs 1 --out "$tmp/mo2.tsv"; ok $? "--motif-bg: a noisy motif runs"
! diff <(strip "$tmp/mo2.tsv") <(strip "$tmp/mo0.tsv") > /dev/null; ok $? "and its errors differ from the computed rule's"

# familiarity
"$M" familiarity --tunes "$CORPUS" --history 4 --hidden 128 --epochs 5 --quiet --out "$tmp/f.tsv" --scores "$tmp/fs.tsv"
ok $? "familiarity runs"
awk -F'\t' '!/^#/ && $1 == "store" { if (!($5 >= 0.9)) bad = 1 } END { exit bad }' "$tmp/f.tsv"
ok $? "familiarity: stored tunes told from random and held-out ones by the store (AUC >= 0.9)"
rows=$(grep -vc '^#' "$tmp/fs.tsv"); [ "$rows" -ge 55 ]; ok $? "--scores: one row per stored, random and held-out tune ($rows lines)"

# hostile command lines and files
printf 'X:1\nT:bad\nK:C\nCD?E|\n' > "$tmp/bad.abc"
printf 'no tune here\n' > "$tmp/none.abc"
for bad in "list --tunes $tmp/missing.abc" "list --tunes $tmp/bad.abc" "list --tunes $tmp/none.abc" "list --step 1/7" \
           "recall --tune 99 --tunes $tmp/t.abc" "recall --tune Nosuch --tunes $tmp/t.abc" "recall --code morse" \
           "recall --range C6..C3" "recall --range C3..C9x" "recall --cue middle" "recall --flip 0.2" \
           "recall --synth piano" "recall --history 0" "recall --units 10 --active 20" "recall --repeat 3 --code sparse" \
           "capacity --stored 0" "capacity --stored 1000 --tunes $tmp/t.abc" "capacity --cues first-bar,first-bar" \
           "capacity --model seq-mixed --tau 3" "capacity --model hopfield" "capacity --trials 0" \
           "engram --hidden 0" "engram --learners xor,xor" "engram --learners xor:3" "engram --motif-bg 10" "engram --motif --motif-bg -1" "engram --epochs 0" "engram --winners 0" \
           "familiarity --context 8" "recall --tune Test --tunes $tmp/t.abc" "recall --tune '' --tunes $tmp/t.abc" "familiarity --scorers store --hidden 64" "familiarity --tunes $tmp/t.abc --stored 3" \
           "learn --bogus" "learn --store $tmp/no/such/dir/s.store" "engram --curve $tmp" "recall --wav $tmp/no/x.wav"; do
    rm -f "$tmp/out.tsv"
    "$M" $bad --out "$tmp/out.tsv" 2> "$tmp/err" > /dev/null; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$tmp/out.tsv" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]
    ok $? "melody $bad: one-line error, non-zero exit, no output ($(head -c 70 "$tmp/err"))"
done
"$M" list --tunes "$tmp/bad.abc" 2>&1 | grep -q "bad.abc:4:"; ok $? "a malformed tune is named by file and line"

if command -v abc2midi > /dev/null; then
    abc2midi "$tmp/t.abc" 1 -o "$tmp/a.mid" > /dev/null 2>&1
    "$M" list --tunes "$tmp/a.mid" --out "$tmp/ml.tsv"; ok $? "list reads a MIDI file (made by abc2midi)"
    awk -F'\t' '!/^#/ && $1 == "0" { exit !($3 == "Test A" && ($6 == 24 || $6 == 25)) }' "$tmp/ml.tsv"
    ok $? "the MIDI tune has the ABC tune's title and its 24 steps (abc2midi may add a step of release)"
fi

echo "1..$n"
exit $((failed > 0))
