"""am: libam, the associative-memory library, from Python.

Stores (classical Hopfield, dense associative memory, modern continuous Hopfield) with one API:

    >>> import am
    >>> pats = am.letters("ABCD", 10, 10)          # 4 x 100 int8 patterns of +-1
    >>> s = am.Store("dense", n=100, degree=3)
    >>> s.add(pats)
    >>> cue = am.flip(pats[0], frac=0.2, rng=1)
    >>> state, info = s.recall(cue, record=True)   # every sweep's state, energy and overlaps
    >>> print(am.show(state, 10))

Sequence stores (seq-hebb, seq-dense, seq-mixed, seq-pinv, seq-modern) keep sequences and replay them:

    >>> s = am.Store("seq-dense", n=100, degree=2)
    >>> s.add(pats, cyclic=True)                     # A -> B -> C -> D -> A
    >>> r = s.replay(cue, 8)                         # r.states, r.overlaps, r.transitions, r.first_fail
    >>> nxt, exact = s.transitions()                 # one step from every element
    >>> am.seq_capacity(100, degree=2).transition    # Chaudhry et al. 2023: P_T = N^d / (2 (2d-1)!! ln N)

Melodies (am/melody.h), familiarity (am/familiarity.h) and the melody engram (am/engram.h):

    >>> tunes = am.read_abc("data/tunes/traditional.abc")      # [Melody]: .title, .notes, .grid(), .render()
    >>> code = am.MelodyCode("range")                          # one +-1 pattern per eighth note
    >>> s = am.Store("seq-dense", n=code.units, degree=2)
    >>> for t in tunes[:10]: s.add(code.encode(t))             # each tune one open sequence
    >>> am.sequence_familiarity(s, [code.encode(t) for t in tunes[:12]])   # stored vs not stored
    >>> g = am.Engram(code.units); curve = g.train([code.encode(t) for t in tunes[:10]], 20)

Everything computes in C (libam). Arrays go in as anything with the buffer protocol (numpy arrays of any
dtype of numbers, strides and byte order, memoryview, array.array) or as lists of numbers, and come out as
numpy arrays (memoryviews of the same shape and type without numpy: am.have_numpy says which; .tolist()
works on both). numpy is optional: only plot() needs it. Failures of the library raise am.Error with its
message. Randomness is explicit: rng= takes an int seed, an am.Rng(seed, stream) that
advances, or None for am's default stream (am.seed(s) restarts it).

Helpers here in Python: show() and show_frames() draw +-1 states in the terminal or a notebook with Unicode
half-blocks; plot() draws columns with gnuplot into a PNG (shown inline in Jupyter).
"""
import os as _os
import shutil as _shutil
import subprocess as _subprocess
import tempfile as _tempfile


def _no_extension(e):
    """The one message of an ImportError of am._am: which interpreter, what is there instead, and the fix."""
    import sys
    import sysconfig
    here = _os.path.dirname(_os.path.abspath(__file__))
    root = next((r for r in (_os.path.join(here, *[".."] * k) for k in (1, 2, 3, 4))
                 if _os.path.isfile(_os.path.join(r, "pyproject.toml")) and _os.path.isdir(_os.path.join(r, "libam"))),
                "<libam's source directory>")
    py = "%s (CPython %d.%d)" % ((sys.executable or "python",) + sys.version_info[:2])
    fix = ("install it for this interpreter: %s -m pip install %s (or, in the source tree, make PYTHON=%s)"
           % (sys.executable or "python", _os.path.normpath(root), sys.executable or "python"))
    if isinstance(e, ModuleNotFoundError) and e.name == __name__ + "._am":
        others = sorted(f for f in _os.listdir(here) if f.startswith("_am.") and f.endswith(".so"))
        return ("am: the compiled module am._am (%s) is not built for %s in %s%s; %s"
                % ("_am" + sysconfig.get_config_var("EXT_SUFFIX"), py, here,
                   " (there: %s, for other interpreters)" % ", ".join(others) if others else "", fix))
    if getattr(e, "path", None) and e.path.endswith(".so"):
        return "am: %s cannot load %s (%s); if a library is missing: tools/install-deps; else %s" % (
            py, e.path, e, fix)
    return "am: the compiled module in %s does not match its Python files (%s): rebuild it; %s" % (here, e, fix)


try:
    from ._am import (  # noqa: F401  (the public C API)
        PCA, REST, SNN, TPQ, Autoencoder, Engram, Error, Melody, MelodyCode, Rng, Store, __version__, capacity,
        class_name, commit, default_rng, familiarity, fashion, flip, graded_run, have_numpy, letters, load, occlude,
        overlap, patterns, pitch_name, read_abc, read_midi, roc, roc_curve, seed, seq_capacity, sequence_familiarity,
        store_types, theory, xor_trial)
except ImportError as _e:
    raise ImportError(_no_extension(_e)) from None

__all__ = ["Store", "Rng", "Error", "PCA", "Autoencoder", "SNN", "load", "patterns", "letters", "flip", "occlude",
           "overlap", "capacity", "xor_trial", "graded_run", "fashion", "class_name", "theory", "seq_capacity",
           "store_types", "seed", "show", "show_frames", "plot", "checkerboards", "Melody", "MelodyCode", "Engram",
           "read_abc", "read_midi", "pitch_name", "roc", "roc_curve", "familiarity", "sequence_familiarity", "corpus"]


def corpus():
    """The path of libam's own tune file (traditional.abc, public-domain tunes in ABC): am/tunes in the package
    (pip install), data/tunes in the source tree the module was built in, else share/libam/tunes of the
    installation. am.read_abc(am.corpus()) reads it. FileNotFoundError when none is there."""
    here = _os.path.dirname(_os.path.abspath(__file__))
    up = [_os.path.join(here, *[".."] * k) for k in range(2, 6)]
    candidates = [_os.path.join(here, "tunes", "traditional.abc")]  # inside the package (pip install)
    candidates += [_os.path.join(u, "data", "tunes", "traditional.abc") for u in up]
    candidates += [_os.path.join(u, "share", "libam", "tunes", "traditional.abc") for u in up]
    candidates += ["/usr/local/share/libam/tunes/traditional.abc", "/usr/share/libam/tunes/traditional.abc"]
    for c in candidates:
        if _os.path.isfile(c):
            return _os.path.normpath(c)
    raise FileNotFoundError("am.corpus: libam's tune file traditional.abc is neither in the package (am/tunes), in the "
                            "source tree (data/tunes) nor installed (share/libam/tunes)")


def _numpy(helper):
    """numpy, for the helpers that need it: ImportError saying how to install it when it is missing."""
    try:
        import numpy
    except ImportError:
        raise ImportError("am.%s needs numpy: pip install numpy (Debian: apt install python3-numpy)" % helper) from None
    return numpy


def _flat(a):
    """The numbers of a (a numpy array, memoryview, list, ...) in C order, as one list."""
    a = a.tolist() if hasattr(a, "tolist") else a
    if not isinstance(a, (list, tuple)):
        return [a]
    return [x for item in a for x in _flat(item)]


def checkerboards(count, width, height):
    """count checkerboards on a width x height grid: cells of 1, 1, 2, 2, ... units in both phases."""
    return patterns("checkerboard", count, width=width, height=height)


def show(state, width=None, *, ink="\u2588", blank=" "):
    """A +-1 state (or any array, drawn by sign) as text, two rows per line in Unicode half-blocks.

    width: the grid's width (default: sqrt(n) when n is a square)."""
    s = [x > 0 for x in _flat(state)]
    n = len(s)
    if width is None:
        width = int(round(n ** 0.5))
        if width * width != n:
            raise ValueError("show: give width (n = %d is not a square)" % n)
    if width < 1 or n % width:
        raise ValueError("show: width %d does not divide n = %d" % (width, n))
    rows = [s[k:k + width] for k in range(0, n, width)]
    if len(rows) % 2:
        rows.append([False] * width)
    glyph = {(True, True): ink, (True, False): "\u2580", (False, True): "\u2584", (False, False): blank}
    return "\n".join("".join(glyph[(bool(a), bool(b))] for a, b in zip(top, bottom))
                     for top, bottom in zip(rows[0::2], rows[1::2]))


def show_frames(frames, width=None, *, per_row=6, labels=None, gap="  "):
    """Several states side by side (per_row to a line), with optional labels above each."""
    frames = list(frames)
    out = []
    for k in range(0, len(frames), per_row):
        chunk = [show(f, width).split("\n") for f in frames[k:k + per_row]]
        w = max(len(line) for c in chunk for line in c)
        if labels is not None:
            w = max([w] + [len(str(lab)) for lab in labels[k:k + per_row]])
        if labels is not None:
            out.append(gap.join(str(lab)[:w].ljust(w) for lab in labels[k:k + per_row]))
        for lines in zip(*chunk):
            out.append(gap.join(line.ljust(w) for line in lines))
        out.append("")
    return "\n".join(out)


def plot(x, ys, *, out, title="", xlabel="", ylabel="", labels=None, logx=False, logy=False, style="linespoints",
         size="640,400", keep_data=None):
    """Draw ys (one array or a list of arrays) against x with gnuplot into the PNG `out`.

    Returns out; in Jupyter the figure is also displayed. keep_data: a path to keep the TSV the plot read.
    Needs gnuplot (Debian: gnuplot-nox); nothing passes through a shell."""
    gp = _shutil.which("gnuplot")
    if gp is None:
        raise Error("am.plot: gnuplot is not installed (apt-get install gnuplot-nox)")
    _np = _numpy("plot")
    x = _np.asarray(x, dtype=float)
    if isinstance(ys, _np.ndarray) and ys.ndim == 1:
        ys = [ys]
    ys = [_np.asarray(y, dtype=float) for y in ys]
    for y in ys:
        if y.shape != x.shape:
            raise ValueError("am.plot: every y must have the shape of x %s, not %s" % (x.shape, y.shape))
    labels = labels or ["y%d" % k for k in range(len(ys))]
    fd, data = _tempfile.mkstemp(suffix=".tsv")
    try:
        with _os.fdopen(fd, "w") as f:
            f.write("x\t" + "\t".join(labels) + "\n")
            for k in range(x.size):
                f.write("%.9g\t" % x[k] + "\t".join("%.9g" % y[k] for y in ys) + "\n")
        tmp_out = out + ".tmp.png"

        def q(s):
            return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'
        script = ["set terminal pngcairo size %s" % size if _has_cairo(gp) else "set terminal png size %s" % size,
                  "set output %s" % q(tmp_out), "set title %s" % q(title), "set xlabel %s" % q(xlabel),
                  "set ylabel %s" % q(ylabel), "set datafile separator tab", "set key below", "set grid"]
        if logx:
            script.append("set logscale x")
        if logy:
            script.append("set logscale y")
        script.append("plot " + ", ".join("%s using 1:%d skip 1 with %s title %s" % (q(data), k + 2, style, q(labels[k]))
                                          for k in range(len(ys))))
        r = _subprocess.run([gp], input="\n".join(script) + "\n", text=True, capture_output=True)
        if r.returncode != 0 or not _os.path.exists(tmp_out):
            raise Error("am.plot: gnuplot failed: %s" % r.stderr.strip().splitlines()[-1:] )
        _os.replace(tmp_out, out)
        if keep_data:
            _shutil.copyfile(data, keep_data)
    finally:
        _os.unlink(data)
    _display(out)
    return out


_cairo = {}


def _has_cairo(gp):
    if gp not in _cairo:
        r = _subprocess.run([gp, "-e", "set terminal"], capture_output=True, text=True)
        _cairo[gp] = "pngcairo" in (r.stdout + r.stderr)
    return _cairo[gp]


def _display(png):
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:
        return
    if get_ipython() is not None:
        display(Image(filename=png))
