#!/bin/sh
# The Python module's tests (tests/python/t_am.py, TAP), run by `make check` with the module just built.
# AM_PYTHON: the interpreter the Makefile built for (empty: none with numpy and headers, skip).
# Under AddressSanitizer the module needs the sanitizer runtime loaded first (Python itself is not built
# with it) and leak checking off (the interpreter keeps its own allocations at exit).
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$AM_PYTHON" ] || [ -z "$AM_BUILD" ]; then
    echo "1..0 # SKIP no Python 3 with numpy and python3-dev (AM_PYTHON unset)"
    exit 0
fi
case "$AM_SANFLAGS" in
*address*)
    LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so)
    case "$AM_SANFLAGS" in *undefined*) LD_PRELOAD="$LD_PRELOAD $(${CC:-cc} -print-file-name=libubsan.so)" ;; esac
    export LD_PRELOAD ASAN_OPTIONS=detect_leaks=0
    ;;
esac
PYTHONPATH="$AM_BUILD/python" AM_BIN="$AM_BIN" exec "$AM_PYTHON" "$here/python/t_am.py"
