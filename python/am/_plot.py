"""am.plot: curves drawn by gnuplot into a PNG, each key placed where it hides no data."""
import errno as _errno
import math as _math
import os as _os
import re as _re
import shutil as _shutil
import subprocess as _subprocess
import tempfile as _tempfile

from ._am import Error

_np = None  # numpy, imported by plot() (am itself works without numpy)

# Where an automatic key may go, in order of preference: (gnuplot position, x side, y side) with sides
# 0 (left/bottom), 0.5 (centre), 1 (right/top).
_CORNERS = [("top right", 1, 1), ("top left", 0, 1), ("center right", 1, 0.5), ("bottom right", 1, 0),
            ("bottom left", 0, 0), ("center left", 0, 0.5)]


def plot(x, ys, *, out, title="", xlabel="", ylabel="", labels=None, logx=False, logy=False, style="linespoints",
         size="640,400", keep_data=None, styles=None, key="auto", xrange=None, yrange=None, vlines=None):
    """Draw ys (one array or a list of arrays) against x with gnuplot into the PNG `out`.

    x: one array for every y, or a list of arrays, one per y (a theory on a finer grid than the measurements).
    style: the gnuplot style of every curve ("linespoints", "lines", "points", "steps"); styles: one per curve
    instead (e.g. "points pt 7" for a measurement, "lines dt 2 lw 2" for its theory). key: where the key goes,
    a gnuplot position ("top left", "bottom right", "outside right", ...), None for no key, or "auto": the first
    of the corners (top right, top left, centre right, bottom right, bottom left, centre left) where it covers
    no curve, else above the curves, the y axis stretched to make room. xrange, yrange: (lo, hi) instead of
    the data's extent rounded out to tics. vlines: [(x, label), ...] vertical dashed lines (up to the top of
    the curves' range; a dash pattern each), each named in the key. Returns out; in Jupyter the figure is also displayed. keep_data: a path to keep the TSV the plot read.
    Needs gnuplot (Debian: gnuplot-nox); nothing passes through a shell.

    >>> alpha = np.array([0.05, 0.1, 0.15, 0.2]); measured = np.array([1.0, 0.96, 0.3, 0.05])
    >>> theory = np.array([am.theory("ags_overlap", alpha=a) for a in alpha])
    >>> am.plot(alpha, [measured, theory], labels=["measured", "theory"], styles=["points", "lines"],
    ...         vlines=[(0.138, "alpha_c")], out="capacity.png")"""
    global _np
    if _np is None:
        from . import _numpy
        _np = _numpy("plot")
    gp = _shutil.which("gnuplot")
    if gp is None:
        raise Error("am.plot: gnuplot is not installed (apt-get install gnuplot-nox)")
    out = _check_out(out)
    if isinstance(ys, _np.ndarray) and ys.ndim == 1:
        ys = [ys]
    ys = [_np.asarray(y, dtype=float) for y in ys]
    xs = [_np.asarray(v, dtype=float) for v in x] if _is_list_of_arrays(x, len(ys)) else [_np.asarray(x, dtype=float)] * len(ys)
    for xv, y in zip(xs, ys):
        if y.shape != xv.shape:
            raise ValueError("am.plot: every y must have the shape of its x %s, not %s" % (xv.shape, y.shape))
    labels = list(labels or ["y%d" % k for k in range(len(ys))])
    style_name = "style" if styles is None else "styles"
    styles = list(styles or [style] * len(ys))
    if len(labels) != len(ys) or len(styles) != len(ys):
        raise ValueError("am.plot: %d curves but %d labels and %d styles" % (len(ys), len(labels), len(styles)))
    vlines = list(vlines or [])
    xr = tuple(xrange) if xrange is not None else _nice_range(_np.concatenate(xs + [_np.array([v for v, _ in vlines])]), logx)
    yr = tuple(yrange) if yrange is not None else _nice_range(_np.concatenate(ys), logy)
    width, height = (int(v) for v in str(size).split(","))
    names = labels + [lab for _, lab in vlines]
    top = yr[1]   # vertical lines end here, below a key placed above the curves
    pos, yr = _place_key(key, xs, ys, vlines, names, xr, yr, logx, logy, width, height, yrange is None)

    for name, v in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel), ("labels", names)):
        _check_text(name, v)
    _check_words("key", pos)
    _check_words(style_name, styles)
    tmp_out = out + ".tmp.png"
    tmp = _tempfile.mkdtemp(prefix="am-plot-")
    data, gpfile = _os.path.join(tmp, "data.tsv"), _os.path.join(tmp, "plot.gp")
    try:
        with open(data, "w", encoding="utf-8") as f:   # one block per curve (gnuplot's index k), a header each
            for k, (xv, y) in enumerate(zip(xs, ys)):
                f.write("%sx\t%s\n" % ("\n\n" if k else "", labels[k]))
                for i in range(xv.size):
                    f.write("%.9g\t%.9g\n" % (xv[i], y[i]))
        lines = _script(gp, data, tmp_out, size, title, xlabel, ylabel, xr, yr, pos, logx, logy, top,
                        labels, styles, vlines, style_name)
        with open(gpfile, "w", encoding="utf-8") as f:
            f.write("".join(text + "\n" for text, _ in lines))
        r = _subprocess.run([gp, gpfile], capture_output=True)   # bytes: gnuplot's output is not ours to decode
        if r.returncode != 0 or not _os.path.exists(tmp_out):
            raise _failed(r.stderr.decode("utf-8", "replace"), lines)
        _os.replace(tmp_out, out)
        if keep_data:
            _shutil.copyfile(data, keep_data)
    finally:
        if _os.path.exists(tmp_out):
            _os.unlink(tmp_out)
        _shutil.rmtree(tmp, ignore_errors=True)
    _display(out)
    return out


def _check_out(out):
    """out as a str whose directory exists (gnuplot, its output failing, would write the PNG to stdout)."""
    out = _os.fspath(out)
    if not isinstance(out, str) or not out:
        raise ValueError("am.plot: out=%r: a file name is needed" % (out,))
    d = _os.path.dirname(_os.path.abspath(out))
    if not _os.path.isdir(d):
        raise FileNotFoundError(_errno.ENOENT, "am.plot: out=%r: no directory %s" % (out, d), out)
    return out


def _check_text(name, v):
    """Titles and labels go to gnuplot single-quoted (no escapes, no `command` substitution): one line each."""
    for t in (v if isinstance(v, list) else [v]):
        if "\n" in str(t) or "\r" in str(t):
            raise ValueError("am.plot: %s=%r: one line of text (no line break)" % (name, v))


def _check_words(name, v):
    """key, style, styles go to gnuplot as they are: gnuplot words only (no ; ` @ ( " or line break, which would
    run other commands)."""
    for t in (v if isinstance(v, list) else [v]):
        if t is not None and (not isinstance(t, str) or not _re.fullmatch(r"[A-Za-z0-9 .,:#'+-]*", t)):
            raise ValueError("am.plot: %s=%r: gnuplot words only (letters, digits, spaces, . , : # ' + -)" % (name, v))


def _q(s):
    """A gnuplot single-quoted string: no escapes, no backquote substitution; ' doubled."""
    return "'" + str(s).replace("'", "''") + "'"


def _script(gp, data, tmp_out, size, title, xlabel, ylabel, xr, yr, pos, logx, logy, top, labels, styles, vlines,
            style_name):
    """The gnuplot script as (line, the argument it comes from) pairs: an error names the argument."""
    term = "pngcairo" if _has_cairo(gp) else "png"
    lines = [("set terminal %s size %s" % (term, size), "size"), ("set output %s" % _q(tmp_out), "out"),
             ("set title %s" % _q(title), "title"), ("set xlabel %s" % _q(xlabel), "xlabel"),
             ("set ylabel %s" % _q(ylabel), "ylabel"), ("set datafile separator tab", None), ("set grid", None),
             ("set xrange [%.17g:%.17g]" % xr, "xrange"), ("set yrange [%.17g:%.17g]" % yr, "yrange"),
             ("set key %s" % pos if pos else "unset key", "key")]
    if logx:
        lines.append(("set logscale x", "logx"))
    if logy:
        lines.append(("set logscale y", "logy"))
    elif yr[1] > top:   # the axis stretched for the key: tics only where the curves are
        lines.append(("set ytics %.17g, %.17g, %.17g" % (yr[0], _nice_step(yr[0], top), top), "yrange"))
    curves = ["%s index %d using 1:2 skip 1 with %s title %s" % (_q(data), k, styles[k], _q(labels[k]))
              for k in range(len(styles))]
    for k, (v, lab) in enumerate(vlines):
        dash = (2, 4, 5, 3)[k % 4]   # one dash pattern each, told apart in the key
        lines.append(("set arrow %d from %.17g, graph 0 to %.17g, first %.17g nohead dt %d lw 1.5 lc rgb '#555555'"
                      % (k + 1, v, v, top, dash), "vlines"))
        curves.append("NaN with lines dt %d lw 1.5 lc rgb '#555555' title %s" % (dash, _q(lab)))
    lines.append(("plot " + ", ".join(curves), style_name))
    return lines


def _failed(stderr, lines):
    """gnuplot's last error line as an am.Error naming the argument of the script line it reports."""
    msg = [t.strip() for t in stderr.splitlines() if t.strip()]
    last = msg[-1] if msg else "no output"
    m = _re.search(r"line (\d+): (.*)", last)
    if m and 1 <= int(m.group(1)) <= len(lines) and lines[int(m.group(1)) - 1][1]:
        return Error("am.plot: gnuplot rejects %s= (%s)" % (lines[int(m.group(1)) - 1][1], m.group(2)))
    return Error("am.plot: gnuplot failed: %s" % (m.group(2) if m else last))


def _is_list_of_arrays(x, n):
    """Is x one array per curve (a list of n sequences), rather than one array for all?"""
    if isinstance(x, _np.ndarray) or not isinstance(x, (list, tuple)) or len(x) != n or n == 0:
        return False
    return all(_np.ndim(v) == 1 for v in x)


def _nice_range(v, log):
    """The finite values' extent rounded out to tics: powers of ten on a log axis, else multiples of 1, 2 or 5
    times a power of ten, about as gnuplot's autoscale would."""
    v = v[_np.isfinite(v) & ((v > 0) if log else True)]
    if v.size == 0:
        return (1.0, 10.0) if log else (0.0, 1.0)
    lo, hi = float(v.min()), float(v.max())
    if log:
        return 10.0 ** _math.floor(_math.log10(lo) + 1e-9), 10.0 ** max(_math.ceil(_math.log10(hi) - 1e-9), _math.floor(_math.log10(lo) + 1e-9) + 1)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    step = _nice_step(lo, hi)
    return _math.floor(lo / step + 1e-9) * step, _math.ceil(hi / step - 1e-9) * step


def _nice_step(lo, hi):
    """1, 2 or 5 times a power of ten: 2 to 6 intervals over [lo, hi]."""
    base = 10.0 ** _math.floor(_math.log10((hi - lo) / 4))
    return next(m * base for m in (1, 2, 5, 10) if (hi - lo) / (m * base) <= 6)


def _place_key(key, xs, ys, vlines, names, xr, yr, logx, logy, width, height, stretch):
    """The gnuplot key position and the y range: key as given, or (auto) the first corner whose box holds no point
    of any curve (nor a vertical line), else the top, the y range stretched above the curves when it is ours."""
    if key != "auto":
        return key, yr
    fx = _scale(xr, logx)
    fy = _scale(yr, logy)
    pts = []   # the curves in the unit square, each segment sampled
    for xv, y in zip(xs, ys):
        u, w = fx(xv), fy(y)
        for i in range(len(u)):
            if _np.isfinite(u[i]) and _np.isfinite(w[i]):
                pts.append((u[i], w[i]))
                if i + 1 < len(u) and _np.isfinite(u[i + 1]) and _np.isfinite(w[i + 1]):
                    t = _np.linspace(0, 1, 24)
                    pts += list(zip(u[i] + t * (u[i + 1] - u[i]), w[i] + t * (w[i + 1] - w[i])))
    for v, _ in vlines:
        pts += [(float(fx(_np.array([v]))[0]), t) for t in _np.linspace(0, 1, 24)]
    pts = _np.array(pts) if pts else _np.zeros((0, 2))
    # the key's box as a share of the axes (gnuplot's 12-point font: about 8.5 pixels a character, 19 a line, 80
    # for the sample and the gaps; the axes about the canvas less 110 x 100 pixels of margins, labels and title)
    bw = (8.5 * max(len(str(n)) for n in names) + 80) / max(width - 110, 100)
    bh = (19 * len(names) + 12) / max(height - 100, 100)
    for pos, sx, sy in _CORNERS:
        x0 = 1 - bw if sx == 1 else 0
        y0 = {1: 1 - bh, 0: 0, 0.5: 0.5 - bh / 2}[sy]
        inside = ((pts[:, 0] >= x0 - 0.02) & (pts[:, 0] <= x0 + bw + 0.02) &
                  (pts[:, 1] >= y0 - 0.03) & (pts[:, 1] <= y0 + bh + 0.03)) if len(pts) else _np.zeros(0, bool)
        if not inside.any():
            return pos, yr
    if not stretch:
        return "top right", yr
    share = min(bh + 0.06, 0.6)   # the curves keep the bottom 1 - share of the axes
    if logy:
        lo, hi = _math.log10(yr[0]), _math.log10(yr[1])
        return "top right", (yr[0], 10 ** (lo + (hi - lo) / (1 - share)))
    return "top right", (yr[0], yr[0] + (yr[1] - yr[0]) / (1 - share))


def _scale(r, log):
    lo, hi = (_math.log10(r[0]), _math.log10(r[1])) if log else r
    span = (hi - lo) or 1.0

    def f(v):
        v = _np.asarray(v, dtype=float)
        with _np.errstate(divide="ignore", invalid="ignore"):
            return ((_np.log10(_np.where(v > 0, v, _np.nan)) if log else v) - lo) / span
    return f


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
