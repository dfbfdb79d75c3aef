#!/bin/sh
# pip install . (pyproject.toml, tools/pybuild): offline (--no-index) into a venv of Debian's python3 with its
# system packages (numpy), with and without build isolation; the wheel's RECORD; uninstall. Then another CPython
# found on the machine (3.9 .. 3.13, not Debian's): make PYTHON=<it> and pip install . without numpy (outputs are
# memoryviews). An interpreter without the module gets one ImportError naming it and the fix; a build that
# cannot find libam's packages ends with one line saying so.
# Writes only in a temporary directory and in build/pip (the pip builds' libam.a, reused across runs).
set -u
# Under the sanitizers (make SANITIZE=... check) pip builds the same unsanitized wheel the plain check tests:
# nothing new to learn, so the run is skipped there (and its minutes saved).
case "${AM_SANFLAGS:-}" in
*sanitize*) echo "1..0 # SKIP pip builds an unsanitized wheel: tested by the plain make check"; exit 0 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
skip() { n=$((n+1)); echo "ok $n # SKIP $1"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Offline, no caches or bytecode left behind, and none of a calling `make`'s variables.
export PIP_NO_INDEX=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PYTHONDONTWRITEBYTECODE=1
export XDG_CACHE_HOME="$tmp/cache" AM_PIP_BUILD=build/pip
unset MAKEFLAGS MFLAGS MAKELEVEL PYTHONPATH
cd "$tmp" || exit 1
tunes=$(grep -c '^X:' "$root/data/tunes/traditional.abc")

# check.py MODE: a recall in the installed module; MODE numpy (arrays out) or lists (no numpy: memoryviews).
cat > check.py <<'EOF'
import os, sys
import am
mode = sys.argv[1]
site = os.path.dirname(os.path.dirname(os.path.abspath(am.__file__)))
assert site.startswith(sys.prefix), "am from %s, not from the venv %s" % (site, sys.prefix)
pats = [[1 if (i * (k + 3)) % 7 < 3 else -1 for i in range(64)] for k in range(3)]
s = am.Store("dense", n=64, degree=3)
s.add(pats)
cue = list(pats[1]); cue[0] = -cue[0]; cue[5] = -cue[5]
state, info = s.recall(cue)
if mode == "numpy":
    import numpy
    assert isinstance(state, numpy.ndarray), type(state)
    assert state.dtype == numpy.int8 and state.shape == (64,), (state.dtype, state.shape)
else:
    assert "numpy" not in sys.modules, "numpy imported"
    assert isinstance(state, memoryview), type(state)
assert list(state.tolist()) == pats[1], "recall did not return the stored pattern"
path = am.corpus()
assert path == os.path.join(os.path.dirname(am.__file__), "tunes", "traditional.abc"), path
print(len(am.read_abc(path)))
EOF

# record.py WHEEL: every file's sha256 and size as RECORD says, the tag this interpreter's.
cat > record.py <<'EOF'
import base64, hashlib, sys, sysconfig, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
di = [x for x in names if x.endswith(".dist-info/RECORD")][0].rsplit("/", 1)[0]
rows = [r.rsplit(",", 2) for r in z.read(di + "/RECORD").decode().splitlines()]
assert {r[0] for r in rows} == names, names ^ {r[0] for r in rows}
for name, h, size in rows:
    if name == di + "/RECORD":
        continue
    data = z.read(name)
    assert h == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode(), name
    assert int(size) == len(data), name
py = "cp%d%d" % sys.version_info[:2]
wheel = z.read(di + "/WHEEL").decode()
assert "Root-Is-Purelib: false" in wheel and "Tag: %s-%s-linux_x86_64" % (py, py) in wheel, wheel
assert "am/_am" + sysconfig.get_config_var("EXT_SUFFIX") in names and "am/tunes/traditional.abc" in names, names
meta = z.read(di + "/METADATA").decode()
assert "Requires-Python: >=3.9" in meta and 'Requires-Dist: numpy; extra == "numpy"' in meta, meta
EOF

# ---- Debian's python3 (numpy from the system)
deb=/usr/bin/python3
if ! "$deb" -c 'import venv, ensurepip, numpy' 2>/dev/null; then
    skip "Debian's python3 with venv and numpy (tools/install-deps: python3-venv python3-numpy)"
else
    "$deb" -m venv --system-site-packages v1 > log 2>&1; ok $? "venv --system-site-packages from $deb"
    v1=v1/bin/python
    $v1 -m pip install --no-build-isolation "$root" > pip1.log 2>&1; ok $? "pip install --no-build-isolation (offline)"
    out=$($v1 check.py numpy 2>&1 | tail -1)
    [ "$out" = "$tunes" ]; ok $? "the venv's am: a recall, numpy arrays out, am.corpus() in the package ($out tunes)"
    $v1 -m pip install --force-reinstall "$root" > pip2.log 2>&1; ok $? "pip install with build isolation (offline)"
    out=$($v1 check.py numpy 2>&1 | tail -1); [ "$out" = "$tunes" ]; ok $? "and it imports and recalls ($out)"
    # The hooks themselves, as pip calls them: no requirements; the wheel's RECORD and tags.
    PYTHONPATH="$root/tools/pybuild" $v1 -c 'import sys, libam_build as b
assert b.get_requires_for_build_wheel() == [] and b.get_requires_for_build_sdist() == []
print(b.build_wheel(sys.argv[1]))' "$tmp" > hook.log 2>&1 && wheel=$(tail -1 hook.log) && $v1 record.py "$wheel"
    ok $? "build_wheel: a wheel whose RECORD hashes, tags and METADATA check ($(tail -1 hook.log))"
    PYTHONPATH="$root/tools/pybuild" $v1 -c 'import sys, libam_build as b; print(b.build_sdist(sys.argv[1]))' "$tmp" \
        > sdist.log 2>&1 && tar -tzf "$(tail -1 sdist.log)" | grep -qx 'libam-[0-9.]*/pyproject.toml'
    ok $? "build_sdist: a tarball with pyproject.toml"
    $v1 -m pip uninstall -y libam > log 2>&1; ok $? "pip uninstall libam"
    ! ls -d v1/lib/python3*/site-packages/am > /dev/null 2>&1; ok $? "uninstall removes the package"
    # A build that cannot find libam's packages: one line naming them (its own build directory, so build/pip
    # keeps its flags).
    AM_PIP_BUILD="$tmp/bad" PKG_CONFIG_LIBDIR="$tmp/none" PYTHONPATH="$root/tools/pybuild" \
        $v1 -c 'import sys, libam_build as b; b.build_wheel(sys.argv[1])' "$tmp" > bad.log 2>&1
    [ $? = 1 ] && [ "$(grep -c 'libam: missing' bad.log)" = 1 ] && ! grep -q Traceback bad.log &&
        tail -1 bad.log | grep -q "^libam: missing development packages (pkg-config finds no openblas zlib fftw3f lmdb)"
    ok $? "missing libraries: build_wheel ends with one line naming them"
fi

# ---- another CPython (3.9 .. 3.13): on PATH, else in pyenv's versions; Debian's 3.11 is the one above.
searched="" other=""
for v in 3.13 3.12 3.10 3.9 3.11; do
    for p in "python$v" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/$v.*/bin/python$v; do
        searched="$searched $p"
        exe=$("$p" -c 'import sys, sysconfig, os, venv, ensurepip
assert os.path.exists(sysconfig.get_paths()["include"] + "/Python.h"); print(os.path.realpath(sys.executable))' 2>/dev/null) || continue
        [ "$exe" = "$(readlink -f "$deb")" ] && continue
        other=$exe; break 2
    done
done
if [ -z "$other" ]; then
    skip "no other CPython 3.9 .. 3.13 with its headers and venv (searched:$searched)"
else
    ver=$("$other" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    so=$("$other" -c 'import sysconfig; print("_am" + sysconfig.get_config_var("EXT_SUFFIX"))')
    lib="$root/build/pip/libam.a"
    before=$(stat -c %Y "$lib" 2>/dev/null)
    (cd "$root" && make --no-print-directory BUILD=build/pip BIN=build/pip/bin SANITIZE= PYTHON="$other" python) \
        > make.log 2>&1 && [ -f "$root/build/pip/python/am/$so" ] && ! grep -q Traceback make.log
    ok $? "make PYTHON=$other python: build/pip/python/am/$so"
    [ -z "$before" ] || [ "$before" = "$(stat -c %Y "$lib")" ]; ok $? "without rebuilding libam.a"
    "$other" -m venv v2 > log 2>&1; ok $? "venv from $other (CPython $ver, no numpy)"
    v2=v2/bin/python
    $v2 -m pip install "$root" > pip3.log 2>&1; ok $? "pip install . with $ver (offline, build isolation)"
    out=$($v2 check.py lists 2>&1 | tail -1); [ "$out" = "$tunes" ]; ok $? "$ver: a recall from lists, memoryviews out ($out)"
    # Debian's python3 (3.11) on the site-packages of the other version: the one message.
    if [ -n "" ] || [ "$ver" = 3.11 ]; then
        skip "Debian's python3 on a module for CPython $ver (none built, or the same version)"
    else
        PYTHONPATH=$(echo v2/lib/python*/site-packages) "$deb" -c 'import am' > msg.log 2>&1
        [ $? != 0 ] && tail -1 msg.log | grep -q "^ImportError: am: the compiled module am._am .* is not built for $deb (CPython 3.11) .*there: $so.* $deb -m pip install "
        ok $? "Debian's python3 on the $ver package: one ImportError naming it and the fix"
    fi
fi

# ---- the source directory on PYTHONPATH (python/, not build/python): no extension there.
PYTHONPATH="$root/python" "$deb" -c 'import am' > msg.log 2>&1
[ $? != 0 ] && ! grep -q "During handling\|ModuleNotFoundError" msg.log && tail -1 msg.log | grep -q "not built for $deb (CPython [0-9.]*) in $root/python/am; install it for this interpreter: $deb -m pip install $root (or, in the source tree, make python PYTHON=$deb)"
ok $? "PYTHONPATH=python: one ImportError naming the interpreter and the fix"
# The tree's build/python (Debian's extension only) with another interpreter: not built for it, the one there
# listed, the fix for it (not "does not match its Python files").
built=${AM_BUILD:-$root/build}/python
debso=$("$deb" -c 'import sysconfig; print("_am" + sysconfig.get_config_var("EXT_SUFFIX"))')
if [ -z "$other" ] || [ ! -f "$built/am/$debso" ] || [ -f "$built/am/$so" ]; then
    skip "build/python with Debian's extension only, and another CPython"
else
    PYTHONPATH="$built" "$other" -c 'import am' > msg.log 2>&1
    [ $? != 0 ] && ! grep -q "does not match" msg.log && tail -1 msg.log | grep -q "^ImportError: am: the compiled module am._am ($so) is not built for $other (CPython $ver) in $built/am (there: $debso, for other interpreters); install it for this interpreter: $other -m pip install $root (or, in the source tree, make python PYTHON=$other)"
    ok $? "PYTHONPATH=build/python with CPython $ver: not built for it, $debso listed, the fix"
fi
(cd "$root" && make --no-print-directory BUILD=build/pip SANITIZE= PYTHON="$tmp/none/python3" python) > log 2>&1
[ $? != 0 ] && grep -q "^libam: PYTHON=$tmp/none/python3 does not run" log && ! grep -q Traceback log
ok $? "make PYTHON=<not an interpreter>: one line, no traceback"

# An interpreter too old for the module (CPython 3.8 and older, Python 2): one line before anything is compiled.
old=""
for p in python3.8 python3.7 python2.7 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.8.*/bin/python3.8 \
         "${PYENV_ROOT:-$HOME/.pyenv}"/versions/2.7.*/bin/python2.7; do
    "$p" -c 'import sys; assert sys.version_info < (3, 9)' 2>/dev/null && { old=$p; break; }
done
if [ -z "$old" ]; then
    skip "no CPython older than 3.9 on the machine"
else
    (cd "$root" && make --no-print-directory BUILD="$tmp/old" SANITIZE= PYTHON="$old" python) > log 2>&1
    [ $? != 0 ] && [ "$(grep -c '^libam:' log)" = 1 ] && grep -q "^libam: PYTHON=$old is Python [23]\.[0-9]*: the module needs CPython 3.9 or newer" log &&
        ! grep -q "'" log && [ ! -d "$tmp/old/python" ]
    ok $? "make PYTHON=$old python: one line, needs CPython 3.9 or newer"
fi

echo "1..$n"
[ "$failed" = 0 ]
