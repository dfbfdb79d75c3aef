"""libam_build: the PEP 517 / PEP 660 build backend of the Python package `am` (pyproject.toml).

Standard library only, so `pip install .` needs nothing downloaded (build isolation with requires = []) and
works on any CPython 3.9+ (venv, pyenv, conda). build_wheel runs the Makefile for the interpreter running it:

    make BUILD=build/pip PYTHON=<sys.executable> build/pip/python/am/_am<EXT_SUFFIX>

which builds libam.a (position-independent objects) once into build/pip (AM_PIP_BUILD=dir picks another place;
make's dependency tracking reuses it across installs and interpreters) and the extension for this interpreter
(its own object directory per ABI). The Makefile is the one place that knows the compile and link flags. The
wheel is then written by hand: am/*.py, the extension, libam's tunes (am/tunes), and the .dist-info
(METADATA, WHEEL, top_level.txt, RECORD with sha256 hashes).

CC, CFLAGS and LDFLAGS from the environment are honoured (as by make); sysconfig's CC is not used, as libam.a
and the extension must come from one compiler (OpenMP runtime). A failed build ends with one line naming what is
missing (Python.h, a library's header, a library) and how to install it, after the tail of make's log."""
import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile

NAME = "libam"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUMMARY = "libam, the associative-memory library (Hopfield, dense associative memory, concept cells), from Python"


class BuildError(Exception):
    """A build failure with one message for the user (pip prints it last)."""


# ---------------------------------------------------------------------------------------------------------------
# What is built, for which interpreter


def _version():
    out = _run(["make", "-s", "--no-print-directory", "PYTHON=", "print-version"], "reading the version").strip()
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", out):
        raise BuildError("libam: `make print-version` printed %r, not a version" % out)
    return out


def _tag():
    """The wheel tag of the running interpreter: cp312-cp312-linux_x86_64."""
    if sys.implementation.name != "cpython":
        raise BuildError("libam: the extension is for CPython; this is %s (%s)" % (sys.implementation.name,
                                                                                   sys.executable))
    if sys.version_info < (3, 9):
        raise BuildError("libam: needs CPython 3.9 or newer; %s is %d.%d" % ((sys.executable,) + sys.version_info[:2]))
    py = "cp%d%d" % sys.version_info[:2]
    platform = re.sub(r"[^A-Za-z0-9_]", "_", sysconfig.get_platform())
    return "%s-%s%s-%s" % (py, py, getattr(sys, "abiflags", ""), platform)


def _dist_info(version):
    return "%s-%s.dist-info" % (NAME, version)


def _metadata(version):
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\nRequires-Python: >=3.9\n"
            "Provides-Extra: numpy\nRequires-Dist: numpy; extra == \"numpy\"\n"
            "Description-Content-Type: text/plain\n\n"
            "The Python module `am` over libam, a C11 library of associative memories: stores (classical Hopfield,\n"
            "dense associative memory, modern Hopfield, sequence stores), recall, capacity, melodies, spiking\n"
            "networks. Arrays go in through the buffer protocol and come out as numpy arrays when numpy is\n"
            "installed (the `numpy` extra), else as memoryviews. See README.md in the source tree.\n"
            % (NAME, version, SUMMARY))


def _wheel_file(tag):
    return "Wheel-Version: 1.0\nGenerator: libam_build (tools/pybuild)\nRoot-Is-Purelib: false\nTag: %s\n" % tag


def _build_dir():
    """build/pip, or AM_PIP_BUILD (relative to the tree, or absolute): relative inside the tree, as make's BUILD."""
    d = os.path.normpath(os.path.join(ROOT, os.environ.get("AM_PIP_BUILD") or os.path.join("build", "pip")))
    rel = os.path.relpath(d, ROOT)
    return d if rel == os.curdir or rel.startswith(os.pardir) else rel


# ---------------------------------------------------------------------------------------------------------------
# Running make, with one clear message when it fails


def _make_env():
    """The environment without a calling make's flags (a `make SANITIZE=... check` above must not leak in)."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "MAKELEVEL", "BUILD", "BIN", "SANITIZE", "PYTHON"):
        env.pop(k, None)
    return env


def _run(cmd, what, log=None):
    if shutil.which(cmd[0]) is None:
        raise BuildError("libam: `%s` not found (needed for %s): apt-get install build-essential" % (cmd[0], what))
    r = subprocess.run(cmd, cwd=ROOT, env=_make_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if log is not None:
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "w") as f:
            f.write(r.stdout)
    if r.returncode != 0:
        message = _diagnose(r.stdout, what, log)
        if not message.startswith(_own(r.stdout) or "\0"):  # the compiler's last words first
            sys.stderr.write("\n".join(r.stdout.rstrip().splitlines()[-25:]) + "\n")
        raise BuildError(message)
    return r.stdout


def _own(out):
    """The Makefile's own one-line message (missing packages, PYTHON), or None."""
    m = re.search(r"^libam: .*$", out, re.M)
    return m.group(0) if m else None


def _diagnose(out, what, log):
    """One line naming what is missing and how to install it, from make's and the compiler's output."""
    where = " (log: %s)" % log if log else ""
    own = _own(out)
    if own:
        after = out[out.index(own) + len(own):].splitlines()[1:2]  # tools/install-deps --print's line
        return " ".join([own] + [l.strip() for l in after if l.startswith("Run as root")]) + where
    deps = _install_deps_line()
    m = re.search(r"fatal error: ([^:\s]+): No such file or directory", out)
    if m:
        if m.group(1) == "Python.h":
            return _no_python_h() + where
        return "libam: %s failed: header %s not found: %s%s" % (what, m.group(1), deps, where)
    m = re.search(r"cannot find -l(\S+)", out)
    if m:
        return "libam: %s failed: library lib%s not found: %s%s" % (what, m.group(1), deps, where)
    return "libam: %s failed (the compiler's messages are above%s)" % (what, where)


def _install_deps_line():
    tool = os.path.join(ROOT, "tools", "install-deps")
    if os.access(tool, os.X_OK):
        r = subprocess.run([tool, "--print"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        line = r.stdout.strip().splitlines()[-1:] if r.stdout.strip() else []
        if line and "apt-get" in line[0]:
            return "install the development packages: " + line[0].strip()
    return "install the development packages (tools/install-deps --print lists them)"


def _no_python_h():
    return ("libam: Python.h not found in %s: install the headers of %s (CPython %d.%d; Debian: apt-get install "
            "python%d.%d-dev; pyenv and conda interpreters include them)"
            % ((sysconfig.get_paths()["include"], sys.executable) + sys.version_info[:2] + sys.version_info[:2]))


def _jobs():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _build_extension():
    """Runs make; returns the path of the extension built for this interpreter."""
    _tag()  # CPython 3.9+ only, before anything is built
    if not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")):
        raise BuildError(_no_python_h())
    build = _build_dir()
    ext = os.path.join(build, "python", "am", "_am" + sysconfig.get_config_var("EXT_SUFFIX"))
    _run(["make", "--no-print-directory", "-j%d" % _jobs(), "BUILD=" + build, "BIN=" + os.path.join(build, "bin"),
          "SANITIZE=", "PYTHON=" + sys.executable, ext],
         "building libam and the extension for %s (CPython %d.%d)" % ((sys.executable,) + sys.version_info[:2]),
         log=os.path.join(ROOT, build, "pip-build.log"))
    return os.path.join(ROOT, ext)


# ---------------------------------------------------------------------------------------------------------------
# Package contents


def _package_files(ext):
    """[(path in the wheel, path on disk)]: am/*.py, the extension, am/tunes/*.abc."""
    src = os.path.join(ROOT, "python", "am")
    files = [("am/" + f, os.path.join(src, f)) for f in sorted(os.listdir(src)) if f.endswith(".py")]
    if ext:
        files.append(("am/" + os.path.basename(ext), ext))
    tunes = os.path.join(ROOT, "data", "tunes")
    files += [("am/tunes/" + f, os.path.join(tunes, f)) for f in sorted(os.listdir(tunes)) if f.endswith(".abc")]
    return files


def _date_time():
    """Fixed timestamps (SOURCE_DATE_EPOCH, else 1980-01-01): the same tree gives the same wheel."""
    t = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    return time.gmtime(max(t, 315532800))[:6]


class _Wheel:
    """A wheel written entry by entry; close() adds RECORD."""

    def __init__(self, path):
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        self.record = []

    def add(self, name, data, mode=0o644):
        info = zipfile.ZipInfo(name, _date_time())
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self.record.append("%s,sha256=%s,%d" % (name, digest, len(data)))

    def add_file(self, name, path):
        with open(path, "rb") as f:
            self.add(name, f.read(), 0o755 if os.access(path, os.X_OK) else 0o644)

    def close(self, dist_info):
        record = dist_info + "/RECORD"
        info = zipfile.ZipInfo(record, _date_time())
        info.external_attr = (0o100644) << 16
        self.zip.writestr(info, "\n".join(self.record + [record + ",,"]) + "\n", zipfile.ZIP_DEFLATED)
        self.zip.close()


def _write_wheel(wheel_directory, files, extra=()):
    """The wheel of files [(name, path)] and extra [(name, bytes)] plus .dist-info; returns its file name."""
    version, tag = _version(), _tag()
    name = "%s-%s-%s.whl" % (NAME, version, tag)
    tmp = os.path.join(wheel_directory, "." + name + ".tmp")
    w = _Wheel(tmp)
    try:
        for arc, path in files:
            w.add_file(arc, path)
        for arc, data in extra:
            w.add(arc, data)
        di = _dist_info(version)
        w.add(di + "/METADATA", _metadata(version).encode())
        w.add(di + "/WHEEL", _wheel_file(tag).encode())
        w.add(di + "/top_level.txt", b"am\n")
        w.close(di)
        os.replace(tmp, os.path.join(wheel_directory, name))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return name


def _write_metadata(metadata_directory):
    version = _version()
    d = os.path.join(metadata_directory, _dist_info(version))
    os.makedirs(d, exist_ok=True)
    for name, text in (("METADATA", _metadata(version)), ("WHEEL", _wheel_file(_tag())), ("top_level.txt", "am\n")):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    return os.path.basename(d)


def _fail(e):
    """Ends the hook with the one message (pip shows the hook's output, this last)."""
    sys.stderr.write("\n%s\n" % e)
    raise SystemExit(1)


# ---------------------------------------------------------------------------------------------------------------
# PEP 517 hooks


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    try:
        return _write_metadata(metadata_directory)
    except BuildError as e:
        _fail(e)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    try:
        return _write_wheel(wheel_directory, _package_files(_build_extension()))
    except BuildError as e:
        _fail(e)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 660: the extension built as for a wheel, and a directory (build/pip/editable) whose am/ links to the
    sources' .py files, the extension and the tunes; the wheel holds only a .pth naming it. Editing a .py file
    takes effect at the next import; a new file or a changed C source needs `pip install -e .` again."""
    try:
        ext = _build_extension()
        abi = sysconfig.get_config_var("EXT_SUFFIX").strip(".").rsplit(".", 1)[0]
        pkg = os.path.join(ROOT, _build_dir(), "editable", abi, "am")
        if os.path.isdir(pkg):
            shutil.rmtree(pkg)
        for arc, path in _package_files(ext):
            dest = os.path.join(os.path.dirname(pkg), arc)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.symlink(path, dest)
        pth = (os.path.dirname(pkg) + "\n").encode()
        return _write_wheel(wheel_directory, [], [("libam-editable.pth", pth)])
    except BuildError as e:
        _fail(e)


def _sdist_members():
    """The files git tracks (a clean export of the tree), else every file but build outputs."""
    r = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if r.returncode == 0 and r.stdout:
        return sorted(p for p in r.stdout.decode().split("\0") if p and os.path.isfile(os.path.join(ROOT, p)))
    skip = {"build", "bin", "results", ".git"}
    out = []
    for d, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(x for x in dirs if not (d == ROOT and x in skip) and x != "__pycache__")
        out += [os.path.relpath(os.path.join(d, f), ROOT) for f in sorted(files)]
    return out


def build_sdist(sdist_directory, config_settings=None):
    try:
        version = _version()
    except BuildError as e:
        _fail(e)
    base = "%s-%s" % (NAME, version)
    name = base + ".tar.gz"
    tmp = os.path.join(sdist_directory, "." + name + ".tmp")
    mtime = time.mktime(_date_time() + (0, 0, -1))
    try:
        with tarfile.open(tmp, "w:gz", format=tarfile.PAX_FORMAT) as tar:
            pkg_info = _metadata(version).encode()
            info = tarfile.TarInfo(base + "/PKG-INFO")
            info.size, info.mtime, info.mode = len(pkg_info), mtime, 0o644
            tar.addfile(info, io.BytesIO(pkg_info))
            for p in _sdist_members():
                info = tar.gettarinfo(os.path.join(ROOT, p), base + "/" + p)
                info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
                with open(os.path.join(ROOT, p), "rb") as f:
                    tar.addfile(info, f)
        os.replace(tmp, os.path.join(sdist_directory, name))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return name
