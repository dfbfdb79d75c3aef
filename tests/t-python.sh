#!/bin/sh
# The Python module's tests, run by `make check` with the module just built, in one interpreter as one TAP stream
# (tests/python/run.py): t_am.py (every verb), t_melody.py (melodies, familiarity, the engram), t_keywords.py
# (every parameter has an effect), t_graphs.py and t_network.py (graphs and motifs; spiking networks from parts),
# t_hostile.py (no
# input crashes the interpreter), t_interrupt.py (Ctrl-C stops every long call), t_nonumpy.py (the module without
# numpy: skipped by an interpreter that has it), t_concepts.py (concept memories and the concept database), t_hrr.py
# (HRR and clean-up), t_cnn.py (convolutional networks), t_docs.py (every public name has an example in its docstring, and the examples run).
# AM_PYTHON: the interpreter the Makefile built for (empty: none with headers, skip); without numpy there, only
# t_nonumpy.py runs (the other files test with numpy arrays).
# Under AddressSanitizer the module needs the sanitizer runtime loaded first (Python itself is not built
# with it), leak checking off (the interpreter keeps its own allocations at exit), and allocations too large to
# make returning NULL (MemoryError, as without the sanitizer) instead of aborting.
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$AM_PYTHON" ] || [ -z "$AM_BUILD" ]; then
    echo "1..0 # SKIP no Python 3 with its headers (python3-dev; AM_PYTHON unset)"
    exit 0
fi
case "$AM_SANFLAGS" in
*address*)
    LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so)
    case "$AM_SANFLAGS" in *undefined*) LD_PRELOAD="$LD_PRELOAD $(${CC:-cc} -print-file-name=libubsan.so)" ;; esac
    export LD_PRELOAD ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
    ;;
esac
files="t_am.py t_melody.py t_keywords.py t_graphs.py t_network.py t_hostile.py t_interrupt.py t_nonumpy.py t_readme.py
       t_docs.py t_concepts.py t_hrr.py t_audio.py t_words.py t_cnn.py"
"$AM_PYTHON" -c 'import numpy' 2>/dev/null || files=t_nonumpy.py
# shellcheck disable=SC2086  (the file names are words)
PYTHONPATH="$AM_BUILD/python" AM_BIN="$AM_BIN" exec "$AM_PYTHON" "$here/python/run.py" $files
