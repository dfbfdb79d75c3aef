#!/usr/bin/env python3
"""Hostile inputs to the module `am`: no call may crash the interpreter. Every parameter of every function and
method gets values of the wrong type, NaN and infinities, negative and huge numbers, arrays of the wrong dtype,
shape or layout, None; then re-entrant callbacks and signal handlers, objects used before they are initialised,
and threads sharing objects. Each call must raise TypeError, ValueError, OverflowError, am.Error (MemoryError
for a size that cannot be allocated, RuntimeError for an object in use) or succeed; all run in this process,
so a crash fails the suite (under AddressSanitizer too: tests/t-python.sh)."""
import atexit
import gc
import math
import os
import shutil
import signal
import sys
import tempfile
import threading

import numpy as np

import am
from tap import ok, raises

tmp = tempfile.mkdtemp(prefix="am-hostile-")
atexit.register(shutil.rmtree, tmp, True)
ALLOWED = (TypeError, ValueError, OverflowError, am.Error, MemoryError)
PASSED_ON = ZeroDivisionError  # what Weird's __index__ and __float__ raise: an argument's own error passes on
AM_EEMPTY, AM_EOVERFLOW = -11, -3
N = 16
PATS = am.patterns("random", 3, N, rng=1)
CUE = am.flip(PATS[0], k=2, rng=2)
X = np.random.default_rng(0).random((20, 8)).astype(np.float32)


class Guard:
    """A SIGALRM after `seconds` raises TimeoutError: a valid but long call (SNN.run(2**62)) is interrupted, which
    the module's long calls allow."""

    def __init__(self, seconds=None):
        # under AddressSanitizer on a busy machine a valid call (loading Fashion-MNIST) can take several seconds
        if seconds is None:
            seconds = 5.0 if "address" in os.environ.get("AM_SANFLAGS", "") else 1.0
        self.seconds = seconds

    def _fire(self, signum, frame):
        raise TimeoutError("guard")

    def __enter__(self):
        self.old = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.old)
        return False


def attempt(fn):
    """None when fn() returns, else the exception it raised (TimeoutError: stopped by the guard)."""
    try:
        with Guard():
            fn()
        return None
    except BaseException as e:  # noqa: BLE001  (anything but a crash is reported)
        return e


# --- hostile values by the kind of parameter ---------------------------------------------------------------------
class Weird:
    def __index__(self):
        raise ZeroDivisionError("no index")

    def __float__(self):
        raise ZeroDivisionError("no float")


NAN, INF = float("nan"), float("inf")
NOT_NUMBERS = [None, "3", b"3", 1 + 1j, object(), [], {}, Weird()]
# huge values that are cheap to reject or to run (counts that size an allocation leave out 2**31 and 2**32: a
# patterns() of 2**31 rows is a real 16 GB request)
HUGE_COUNTS = [-1, -2 ** 70, 2 ** 62, 2 ** 63, 2 ** 64, 2 ** 70]
HUGE_INDEX = HUGE_COUNTS + [2 ** 31 - 1, 2 ** 31, 2 ** 32]
REALS = [NAN, INF, -INF, 1e308, -1e308, 2 ** 70, -1, 0]


def arrays(n):
    """Arrays of every wrong kind for an argument of n columns."""
    good = np.ones(n)
    return [None, "abc", 3, [], [[]], np.zeros(0), np.zeros((0, n)), np.zeros((2, 2, n)), np.array(["a"] * n),
            np.array([1 + 1j] * n), np.array([object()] * n, dtype=object), np.array([None] * n, dtype=object),
            np.full(n, NAN), np.full(n, INF), np.full(n, 1e300), np.zeros(n + 1), np.zeros(max(n - 1, 1)),
            np.ones(2 * n)[::2], np.ones((n, 3), order="F")[:, 0], good[::-1], np.asarray(good, dtype=">f8"),
            np.array(1.0), np.array(["2020-01-01"] * n, dtype="M8[D]"), [[1] * n, [1] * (n - 1)], Weird()]


KINDS = {
    "count": NOT_NUMBERS + [1.5, NAN] + HUGE_COUNTS,
    "int": NOT_NUMBERS + [1.5, NAN] + HUGE_INDEX,
    "int?": NOT_NUMBERS + [1.5, NAN] + HUGE_INDEX,  # None: the default
    "real": NOT_NUMBERS + REALS,
    "real?": NOT_NUMBERS + REALS,
    "str": [None, 1, b"x", "", "x\0y", "\udcff", "no-such-name", object()],
    "bool": [None, "no", 2, object()],
    "rng": ["x", 1.5, -1, 2 ** 70, object(), np.array([1, 2]), Weird()],
    "callable": [3, "f", object()],
    "path": [None, 3, "", "x\0y", "/nonexistent/dir/file", tmp, os.path.join(tmp.encode(), b"\xff\xfe"), object()],
}
# values of these kinds must raise (the others may be valid somewhere)
MUST_RAISE = {"count": (None, "3", object()), "int": (None, "3", object()), "real": (None, "3", object()),
              "rng": ("x", object()), "callable": (3, "f")}


def store(model="hopfield"):
    s = am.Store(model, n=N)
    s.add(PATS / 4.0 if model == "modern" else PATS)
    return s


STORES = {m: store(m) for m in ("hopfield", "dense", "modern", "seq-dense")}
SEQS = STORES["seq-dense"]  # one open sequence of the three PATS
AE = am.Autoencoder([8, 4, 2, 4, 8], rng=1)
PCA = am.PCA(X, 2)
CNN = am.CNN("1x2x4", "conv2k3p1,bn,relu,flat,fc3", rng=1)
CNN_AE = am.CNN("2x4", "conv2k3p1,relu,flat,fc3,code,fc8,sigmoid", "bce", rng=1)
CNN.save(os.path.join(tmp, "c.cnn"))
CNN_AE.save(os.path.join(tmp, "cae.cnn"))
LAB = np.arange(len(X)) % 3


def snn():
    n = am.SNN()
    n.add(10, drive=12, synapse="current")
    return n


NET = snn()
W = (PATS.T.astype(np.float32) @ PATS) / N
np.fill_diagonal(W, 0)

# (name, function, positional (name, value, kind) list, keyword {name: (value, kind)})
def spec(name, fn, pos=(), **kw):
    return name, fn, list(pos), kw


SPECS = [
    spec("seed", am.seed, [("s", 3, "int")]),
    spec("load", am.load, [("path", os.path.join(tmp, "s.am"), "path")]),
    spec("patterns", am.patterns, [("family", "random", "str"), ("count", 3, "count"), ("n", N, "count")],
         width=(0, "int"), height=(0, "int"), rng=(1, "rng")),
    spec("patterns letters", am.patterns, [("family", "letters", "str"), ("count", 2, "count")],
         width=(10, "int"), height=(10, "int")),
    spec("letters", am.letters, [("text", "AB", "str"), ("width", 5, "int"), ("height", 7, "int")]),
    spec("flip", am.flip, [("state", CUE, "array"), ("k", 2, "int")], rng=(1, "rng")),
    spec("flip frac", am.flip, [("state", CUE, "array")], frac=(0.1, "real")),
    spec("occlude", am.occlude, [("state", np.ones(16), "array"), ("width", 4, "int"), ("height", 4, "int"),
                                 ("x0", 1, "int"), ("y0", 1, "int"), ("w", 2, "int"), ("h", 2, "int"),
                                 ("fill", 0, "int")], rng=(1, "rng")),
    spec("overlap", am.overlap, [("a", CUE, "array"), ("b", CUE, "array")]),
    spec("capacity", am.capacity, [("P", [3], "count")], model=("hopfield", "str"), n=(N, "count"),
         dynamics=("async", "str"), order=("random", "str"), T=(0, "real"), max_steps=(5, "int"), eps=(1e-6, "real"),
         patterns=("random", "str"), noise=(0.1, "real"), cues=(0, "count"), stability=(0, "count"),
         threshold=(0.9, "real"), trials=(1, "count"), seed=(1, "int"), threads=(1, "int")),
    spec("capacity dense", am.capacity, [("P", [3], "count")], model=("dense", "str"), n=(N, "count"),
         F=("poly", "str"), degree=(3, "int?"), trials=(1, "count")),
    spec("capacity modern", am.capacity, [("P", [3], "count")], model=("modern", "str"), n=(N, "count"),
         beta=(4.0, "real?"), trials=(1, "count")),
    spec("capacity rule", am.capacity, [("P", [3], "count")], n=(N, "count"), rule=("storkey", "str"),
         trials=(1, "count")),
    spec("xor_trial", am.xor_trial, [("s1", 1, "real"), ("s3", 0, "real")], bg_rate=(10, "real"),
         bg_weight=(6, "real"), seed=(1, "int"), readout_inputs=(False, "bool")),
    spec("graded_run", am.graded_run, [("w", W, "array"), ("u", 0.1 * CUE.astype(np.float32), "array")],
         beta=(1, "real"), tau=(1, "real"), dt=(0.05, "real"), steps=(5, "count"), gain=("tanh", "str"),
         method=("rk4", "str")),
    spec("fashion", am.fashion, [("split", "test", "str"), ("dir", os.path.join(tmp, "nofashion"), "path")]),
    spec("class_name", am.class_name, [("c", 1, "int")]),
    spec("theory", am.theory, [("what", "hebb_bit_error", "str")], n=(100, "int"), p=(10, "int")),
    spec("theory alpha", am.theory, [("what", "ags_overlap", "str")], alpha=(0.1, "real")),
    spec("Rng", am.Rng, [("seed", 1, "int"), ("stream", 0, "int")]),
    spec("Store", am.Store, [("model", "dense", "str"), ("n", N, "count")], F=("poly", "str"), degree=(3, "int?")),
    spec("Store hopfield", am.Store, [("model", "hopfield", "str"), ("n", N, "count")], rule=("hebb", "str")),
    spec("Store modern", am.Store, [("model", "modern", "str"), ("n", N, "count")], beta=(2.0, "real?")),
    spec("Store seq-mixed", am.Store, [("model", "seq-mixed", "str"), ("n", N, "count")], F=("exp", "str"),
         degree=(3, "int?"), tau=(2, "int?"), **{"lambda": (2.0, "real?")}),
    spec("seq_capacity", am.seq_capacity, [("n", 100, "count")], F=("poly", "str"), degree=(2, "int?"),
         p=(10, "int?")),
    spec("seq_capacity exp", am.seq_capacity, [("n", 100, "count")], F=("exp", "str"), p=(10, "int?")),
    spec("Autoencoder", am.Autoencoder, [("sizes", [8, 4, 8], "array"), ("hidden", "relu", "str"),
                                         ("code", "relu", "str"), ("output", "sigmoid", "str"), ("loss", "bce", "str")],
         rng=(1, "rng")),
    spec("Autoencoder.load", am.Autoencoder.load, [("path", os.path.join(tmp, "a.ae"), "path")]),
    spec("PCA", am.PCA, [("x", X, "array"), ("k", 2, "int")]),
    spec("CNN", am.CNN, [("input", "1x2x4", "str"), ("layers", "conv2k3p1,relu,flat,fc3", "str"), ("loss", "xent", "str")],
         rng=(1, "rng")),
    spec("CNN.load", am.CNN.load, [("path", os.path.join(tmp, "c.cnn"), "path")]),
    spec("Encoder", am.Encoder, [("path", os.path.join(tmp, "c.cnn"), "path")]),
    spec("Encoder.load", am.Encoder.load, [("path", os.path.join(tmp, "c.cnn"), "path")]),
    spec("SNN", am.SNN, [("dt", 0.1, "real"), ("method", "exact", "str"), ("seed", 1, "int")]),
]
for model, s in STORES.items():
    SPECS += [
        spec("Store(%s).add" % model, s.add, [("patterns", PATS[:1], "array")]),
        spec("Store(%s).energy" % model, s.energy, [("state", CUE, "array")]),
        spec("Store(%s).overlaps" % model, s.overlaps, [("state", CUE, "array")]),
        spec("Store(%s).save" % model, s.save, [("path", os.path.join(tmp, "s.am"), "path")]),
        spec("Store(%s).recall" % model, s.recall, [("cue", CUE, "array")], max_steps=(5, "int"), rng=(1, "rng"),
             monitor=(None, "callable"), record=(False, "bool")),
    ]
SPECS += [
    spec("Store(seq-dense).replay", SEQS.replay, [("cue", CUE, "array"), ("steps", 3, "int")], start=(None, "int?"),
         states=(True, "bool"), overlaps=(True, "bool")),
    spec("Store(seq-dense).next", SEQS.next, [("e", 0, "int")]),
    spec("Store(seq-dense).add cyclic", SEQS.add, [("patterns", PATS[:2], "array")], cyclic=(True, "bool")),
    spec("Store.recall dynamics", STORES["hopfield"].recall, [("cue", CUE, "array")], dynamics=("glauber", "str"),
         order=("fixed", "str"), T=(0.5, "real"), max_steps=(3, "int"), every=(4, "int"), record=(True, "bool")),
    spec("Autoencoder.encode", AE.encode, [("x", X, "array")]),
    spec("Autoencoder.decode", AE.decode, [("z", X[:, :2], "array")]),
    spec("Autoencoder.reconstruct", AE.reconstruct, [("x", X, "array")]),
    spec("Autoencoder.evaluate", AE.evaluate, [("x", X, "array")]),
    spec("Autoencoder.save", AE.save, [("path", os.path.join(tmp, "a.ae"), "path")]),
    spec("Autoencoder.train", AE.train, [("x", X, "array")], epochs=(1, "count"), batch=(8, "count"), lr=(1e-3, "real"),
         mask=(0.1, "real"), noise=(0.1, "real"), weight_decay=(0.0, "real"), rng=(1, "rng"), threads=(1, "int")),
    spec("CNN.encode", CNN.encode, [("x", X, "array")]),
    spec("CNN.decode", CNN_AE.decode, [("z", X[:, :3], "array")]),
    spec("CNN.forward", CNN.forward, [("x", X, "array")]),
    spec("CNN.evaluate", CNN.evaluate, [("x", X, "array"), ("labels", LAB, "array")]),
    spec("CNN.save", CNN.save, [("path", os.path.join(tmp, "c.cnn"), "path")]),
    spec("CNN.train", CNN.train, [("x", X, "array"), ("labels", LAB, "array")], epochs=(1, "count"),
         batch=(4, "count"), lr=(1e-3, "real"), weight_decay=(0.0, "real"), rng=(1, "rng"), threads=(1, "int")),
    spec("CNN.train autoencoder", CNN_AE.train, [("x", X, "array")], epochs=(1, "count"), batch=(4, "count")),
    spec("Encoder.encode", am.Encoder(os.path.join(tmp, "c.cnn")).encode, [("x", X, "array")]),
    spec("Encoder.decode", am.Encoder(os.path.join(tmp, "cae.cnn")).decode, [("z", X[:, :3], "array")]),
    spec("Encoder.save", am.Encoder(os.path.join(tmp, "c.cnn")).save, [("path", os.path.join(tmp, "e.cnn"), "path")]),
    spec("PCA.encode", PCA.encode, [("x", X, "array")]),
    spec("PCA.decode", PCA.decode, [("z", X[:, :2], "array")]),
    spec("PCA.explained", PCA.explained, [("j", 1, "int")]),
    spec("SNN.add", NET.add, [("count", 2, "count")], tau_m=(20, "real"), v_rest=(-60, "real"), v_reset=(-60, "real"),
         v_thresh=(-50, "real"), t_ref=(5, "real"), drive=(0, "real"), synapse=("current", "str"), tau_e=(5, "real"),
         tau_i=(10, "real"), e_e=(0, "real"), e_i=(-80, "real"), v0_mean=(-60, "real"), v0_sd=(1, "real"),
         v0_uniform=(False, "bool"), ext_rate=(10, "real"), ext_weight=(1, "real")),
    spec("SNN.connect", NET.connect, [("pre", 0, "int"), ("npre", 2, "int"), ("post", 0, "int"), ("npost", 2, "int")],
         p=(0.5, "real"), weight=(1.0, "real"), inhibitory=(False, "bool"), delay=(1.0, "real"),
         autapses=(False, "bool")),
    spec("SNN.connect k", NET.connect, [("pre", 0, "int"), ("npre", 4, "int"), ("post", 0, "int"), ("npost", 2, "int")],
         k=(2, "int")),
    spec("show", am.show, [("state", np.ones(16), "array"), ("width", 4, "int?")]),
    spec("checkerboards", am.checkerboards, [("count", 2, "count"), ("width", 8, "int"), ("height", 8, "int")]),
]

# melodies, encodings, familiarity, the engram
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TUNE = am.read_abc(os.path.join(ROOT, "data", "tunes", "traditional.abc"))[3]
TUNE.write_midi(os.path.join(tmp, "t.mid"))
CODE = am.MelodyCode("pitchclass", repeat=1)
TSEQ = CODE.encode(TUNE)
TSTORE = am.Store("seq-dense", n=CODE.units, degree=2)
TSTORE.add(TSEQ)
ENG = am.Engram(CODE.units, hidden=32, k=4)
ENG.train([TSEQ], 1)
SPECS += [
    spec("read_abc", am.read_abc, [("path", os.path.join(ROOT, "data", "tunes", "traditional.abc"), "path")]),
    spec("read_abc text", am.read_abc, [], text=(TUNE.abc(), "str")),
    spec("read_midi", am.read_midi, [("path", os.path.join(tmp, "t.mid"), "path")], track=(0, "int?"),
         channel=(1, "int?")),
    spec("pitch_name", am.pitch_name, [("pitch", 60, "int")], flats=(True, "bool")),
    spec("Melody", am.Melody, [("pitch", [60, 62, 64], "array"), ("start", [0, 480, 960], "array"),
                               ("length", [480, 480, 480], "array")], title=("t", "str"), tempo=(100, "real"),
         meter=((3, 4), "pair"), key=(1, "int"), number=(2, "int")),
    spec("Melody.grid", TUNE.grid, [("step", 240, "int"), ("steps", 10, "int?")]),
    spec("Melody.from_grid", am.Melody.from_grid, [("pitch", [60, 60, 62], "array"), ("onset", [1, 0, 1], "array"),
                                                   ("step", 240, "int")]),
    spec("Melody.write_abc", TUNE.write_abc, [("path", os.path.join(tmp, "t.abc"), "path")]),
    spec("Melody.write_midi", TUNE.write_midi, [("path", os.path.join(tmp, "u.mid"), "path"), ("program", 3, "int")]),
    spec("Melody.render", TUNE.render, [("rate", 8000, "int")]),
    spec("Melody.wav", TUNE.wav, [("path", os.path.join(tmp, "t.wav"), "path"), ("rate", 8000, "int")]),
    spec("Melody.names", TUNE.names, [("flats", False, "bool")]),
    spec("MelodyCode", am.MelodyCode, [("kind", "range", "str")], step=(240, "int?"), lo=(50, "int?"),
         hi=(80, "int?"), repeat=(2, "int?"), context=(4, "int?"), history=(2, "int?"), seed=(1, "int?")),
    spec("MelodyCode sparse", am.MelodyCode, [("kind", "sparse", "str")], n=(64, "int?"), k=(4, "int?")),
    spec("MelodyCode.encode", CODE.encode, [("melody", TUNE, "object"), ("tune", 1, "int")]),
    spec("MelodyCode.decode", CODE.decode, [("states", TSEQ, "array")]),
    spec("MelodyCode.decode_step", CODE.decode_step, [("x", TSEQ[0], "array")]),
    spec("roc", am.roc, [("familiar", [0.9, 0.5], "array"), ("novel", [0.1, 0.6], "array")]),
    spec("roc_curve", am.roc_curve, [("familiar", [0.9, 0.5], "array"), ("novel", [0.1, 0.6], "array")]),
    spec("familiarity", am.familiarity, [("store", STORES["hopfield"], "object"), ("cues", PATS, "array")],
         score=("overlap", "str"), threads=(1, "int")),
    spec("sequence_familiarity", am.sequence_familiarity, [("store", TSTORE, "object"), ("seqs", [TSEQ], "seqs")],
         threads=(1, "int")),
    spec("Engram", am.Engram, [("bits", 16, "count")], hidden=(32, "count"), k=(4, "count"), rule=("fa", "str"),
         context=(True, "bool"), decay=(0.5, "real"), context_gain=(2.0, "real"), lr=(0.1, "real"),
         lr_hidden=(0.01, "real"), lr_backprop=(0.01, "real"), seed=(1, "int"), threads=(1, "int")),
    spec("Engram.train", ENG.train, [("seqs", [TSEQ], "seqs"), ("epochs", 1, "count")]),
    spec("Engram.evaluate", ENG.evaluate, [("seq", TSEQ, "array")]),
    spec("Engram.familiarity", ENG.familiarity, [("seq", TSEQ, "array")]),
    spec("Engram.recall", ENG.recall, [("seq", TSEQ, "array"), ("cue", 2, "int"), ("length", 5, "int?")]),
    spec("Engram.predict", ENG.predict, [("x", TSEQ[0], "array")]),
]
KINDS["object"] = [None, 3, "x", object(), np.zeros(3), [], Weird()]
KINDS["pair"] = [None, 3, "34", (3,), (3, 4, 5), (3, 5), (0, 4), (-1, 4), (2 ** 70, 4), (3.5, 4), [Weird(), 4]]
KINDS["seqs"] = [None, 3, "abc", [], [None], [np.zeros(0)], [np.zeros((3, 5))], [np.full((3, CODE.units), NAN)],
                 [np.zeros((3, 3, CODE.units))], [TSEQ[:1]], object(), [Weird()], {1: 2}]
MUST_RAISE.update({"object": (None, 3, "x"), "seqs": (None, 3, "abc")})


def sweep(name, fn, pos, kw):
    """Every hostile value of every parameter, one at a time; returns the failures found."""
    bad = []
    params = [(p, v, k, True) for p, v, k in pos] + [(p, v, k, False) for p, (v, k) in kw.items()]
    for i, (pname, _, kind, positional) in enumerate(params):
        if kind == "array":
            n = np.asarray(params[i][1]).shape[-1] if np.ndim(params[i][1]) else 1
            values = arrays(n)
        else:
            values = KINDS[kind]
        for hv in values:
            args = [hv if j == i else v for j, (_, v, _, isp) in enumerate(params) if isp]
            kwargs = {p: (hv if j == i else v) for j, (p, v, _, isp) in enumerate(params) if not isp}
            e = attempt(lambda: fn(*args, **kwargs))
            must = hv is None if kind == "array" else any(hv is m or (type(hv) is type(m) and hv == m)
                                                          for m in MUST_RAISE.get(kind, ()))
            if kind == "real" and isinstance(hv, float) and math.isnan(hv):
                must = True
            if e is None and must:
                bad.append("%s(%s=%.40r) returned" % (name, pname, hv))
            elif e is not None and not isinstance(e, ALLOWED + (TimeoutError, PASSED_ON)):
                bad.append("%s(%s=%.40r) raised %r" % (name, pname, hv, e))
            elif isinstance(e, TimeoutError) and not (name == "SNN.run" or kind in ("int", "count")):
                bad.append("%s(%s=%.40r) ran past the guard" % (name, pname, hv))
    return bad


STORES["hopfield"].save(os.path.join(tmp, "s.am"))
AE.save(os.path.join(tmp, "a.ae"))
for name, fn, pos, kw in SPECS:
    base = attempt(lambda: fn(*[v for _, v, _ in pos], **{k: v for k, (v, _) in kw.items()}))
    if base is not None and not (name == "fashion" and isinstance(base, am.Error)):  # fashion: a missing directory
        ok(False, "%s: the valid call works (%r)" % (name, base))
        continue
    with np.errstate(all="ignore"):
        bad = sweep(name, fn, pos, kw)
    for b in bad[:8]:
        print("# " + b)
    ok(not bad, "%s: every hostile argument raises TypeError, ValueError, OverflowError or am.Error (%d problems)"
       % (name, len(bad)))

# SNN.run last: steps of 2**62 run until the guard interrupts them
bad = sweep("SNN.run", NET.run, [("steps", 3, "int")], {"spikes": (True, "bool"), "threads": (1, "int")})
for b in bad[:8]:
    print("# " + b)
ok(not bad, "SNN.run: every hostile argument raises, and huge step counts are interrupted (%d problems)" % len(bad))

# --- the defects of issue 21 one by one ----------------------------------------------------------------------------
raises(OverflowError, lambda: am.occlude(np.ones(100, np.int8), 2 ** 62, 4, 0, 0, 3, 3), "occlude: width x height "
       "overflowing 64 bits is an OverflowError, not a write out of bounds", text="occlude")
raises(ValueError, lambda: am.occlude(np.ones(100, np.int8), 2 ** 31, 2 ** 31, 0, 0, 3, 3),
       "occlude: a grid larger than the state is a ValueError", text="units")
raises(OverflowError, lambda: am.Rng(-1), "Rng(-1) does not wrap", text="seed")
raises(OverflowError, lambda: am.Rng(2 ** 70), "Rng(2**70) does not wrap", text="seed")
raises(OverflowError, lambda: am.Rng(1, -1), "Rng(stream=-1) does not wrap", text="stream")
raises(OverflowError, lambda: am.seed(-1), "am.seed(-1) does not wrap", text="seed")
raises(OverflowError, lambda: NET.run(-1), "SNN.run(-1) does not wrap into a run for ever", text="steps")
raises(OverflowError, lambda: am.capacity([3], n=N, seed=-1), "capacity(seed=-1) does not wrap", text="seed")
raises(ValueError, lambda: STORES["hopfield"].recall(CUE, max_steps=2 ** 32), "recall(max_steps=2**32) does not "
       "wrap to 0", text="max_steps")
raises(ValueError, lambda: am.capacity([3], n=N, threads=2 ** 32), "capacity(threads=2**32) does not wrap",
       text="threads")
raises(ValueError, lambda: am.patterns("letters", 2, width=2 ** 24, height=2 ** 24), "patterns: a grid of more "
       "than AM_MAX_UNITS", text="grid")
raises(am.Error, lambda: am.patterns("random", 2 ** 62, 64), "patterns: 2**62 rows overflow the set's size",
       status=AM_EOVERFLOW)
raises(ValueError, lambda: am.patterns("random", 3, 2 ** 25), "patterns: more units than AM_MAX_UNITS", text="n =")
empty = am.SNN()
raises(am.Error, lambda: empty.run(10), "running a network without neurons says so", status=AM_EEMPTY,
       text="no neurons")
raises(ValueError, lambda: am.Autoencoder([4, 2, 4]).train(np.zeros((0, 4))), "training on zero rows says so",
       text="no rows")
raises(ValueError, lambda: AE.evaluate(np.zeros((0, 8))), "evaluating zero rows says so", text="no rows")
fresh = snn()
raises(RuntimeError, lambda: fresh.v, "SNN.v before the first run raises instead of reading NULL",
       text="first run")
ok(np.array_equal(fresh.spike_counts, np.zeros(10, np.uint64)), "SNN.spike_counts before the first run: zeros")
fresh.run(0)
ok(fresh.v.shape == (10,) and np.all(fresh.v == -60), "SNN.run(0) draws the initial potentials")

# --- every argument with a range: out of it is a ValueError naming the argument and the range ----------------------
# Before, the module passed many such values on and the library's am.Error said only "invalid argument"
# (Store degree=0, beta <= 0, SNN dt=0, letters narrower than the font, SNN.add's and connect's parameters, ...),
# ranges with a lower bound above 0 let 0 through, and beta=nan was "outside [-inf, inf]".
rn = snn()  # 10 neurons, not run yet
F = "3.40282e+38"
RANGES = [
    ("Store n", lambda: am.Store("hopfield", n=0), "n = 0 is out of range (1 .. 16777216)"),
    ("Store n", lambda: am.Store("hopfield", n=2 ** 24 + 1), "n = 16777217 is out of range (1 .. 16777216)"),
    ("Store degree", lambda: am.Store("dense", n=10, degree=0), "degree = 0: must be an integer from 1 to 1000"),
    ("Store degree", lambda: am.Store("dense", n=10, degree=1001), "degree = 1001: must be an integer from 1 to 1000"),
    ("Store beta", lambda: am.Store("modern", n=10, beta=0), "beta = 0: must be a number in (0, 1e+30]"),
    ("Store beta", lambda: am.Store("modern", n=10, beta=-1), "beta = -1: must be a number in (0, 1e+30]"),
    ("Store beta", lambda: am.Store("modern", n=10, beta=NAN), "beta = nan: must be a number in (0, 1e+30]"),
    ("Store beta", lambda: am.Store("modern", n=10, beta=1e31), "beta = 1e+31: must be a number in (0, 1e+30]"),
    ("Store.recall T", lambda: STORES["hopfield"].recall(CUE, dynamics="glauber", T=-1), "T = -1 must be finite and >= 0"),
    ("Store.recall max_steps", lambda: STORES["hopfield"].recall(CUE, max_steps=0),
     "max_steps = 0 is out of range (1 .. 4294967295)"),
    ("patterns n", lambda: am.patterns("random", 2, 0), "n >= 1"),
    ("patterns n", lambda: am.patterns("random", 2, 2 ** 24 + 1), "n = 16777217 is out of range (0 .. 16777216)"),
    ("letters width", lambda: am.letters("A", 4, 7), "width = 4 is out of range (5 .. 4096)"),
    ("letters width", lambda: am.letters("A", 3, 3), "width = 3 is out of range (5 .. 4096)"),
    ("letters height", lambda: am.letters("A", 5, 6), "height = 6 is out of range (7 .. 4096)"),
    ("flip k", lambda: am.flip(CUE, k=N + 1), "k = 17 is more than the 16 units"),
    ("flip frac", lambda: am.flip(CUE, frac=1.5), "frac = 1.5 must be in [0, 1]"),
    ("occlude width", lambda: am.occlude(np.ones(16), 0, 4, 0, 0, 2, 2), "width = 0 is out of range (1 .."),
    ("occlude height", lambda: am.occlude(np.ones(16), 4, 0, 0, 0, 2, 2), "height = 0 is out of range (1 .."),
    ("occlude fill", lambda: am.occlude(np.ones(16), 4, 4, 0, 0, 2, 2, 2), "fill = 2 is out of range (-1 .. 1)"),
    ("occlude fill", lambda: am.occlude(np.ones(16), 4, 4, 0, 0, 2, 2, -2), "fill = -2 is out of range (-1 .. 1)"),
    ("capacity P", lambda: am.capacity([0], n=N), "P = 0 is out of range (1 .. 10000000)"),
    ("capacity n", lambda: am.capacity([3], n=0), "n = 0 is out of range (1 .. 16777216)"),
    ("capacity trials", lambda: am.capacity([3], n=N, trials=0), "trials = 0 is out of range (1 .."),
    ("capacity max_steps", lambda: am.capacity([3], n=N, max_steps=0), "max_steps = 0 is out of range (1 .."),
    ("capacity threads", lambda: am.capacity([3], n=N, threads=1025), "threads = 1025 is out of range (0 .. 1024)"),
    ("capacity noise", lambda: am.capacity([3], n=N, noise=1.5), "noise = 1.5 must be in [0, 1]"),
    ("capacity threshold", lambda: am.capacity([3], n=N, threshold=2), "threshold = 2 must be in [-1, 1]"),
    ("capacity eps", lambda: am.capacity([3], n=N, eps=-1), "eps = -1 must be finite and >= 0"),
    ("capacity T", lambda: am.capacity([3], n=N, dynamics="glauber", T=INF), "T = inf must be finite and >= 0"),
    ("capacity degree", lambda: am.capacity([3], model="dense", n=N, degree=0), "degree = 0: must be an integer from 1 to 1000"),
    ("capacity beta", lambda: am.capacity([3], model="modern", n=N, beta=-1), "beta = -1: must be a number in (0, 1e+30]"),
    ("xor_trial s1", lambda: am.xor_trial(2, 0), "s1 = 2 must be in [0, 1]"),
    ("xor_trial s3", lambda: am.xor_trial(0, -1), "s3 = -1 must be in [0, 1]"),
    ("xor_trial bg_rate", lambda: am.xor_trial(1, 0, bg_rate=-1), "bg_rate = -1 must be in [0, 100000]"),
    ("xor_trial bg_rate", lambda: am.xor_trial(1, 0, bg_rate=1e6), "bg_rate = 1e+06 must be in [0, 100000]"),
    ("xor_trial bg_weight", lambda: am.xor_trial(1, 0, bg_weight=INF), "bg_weight = inf must be finite"),
    ("graded_run beta", lambda: am.graded_run(W, np.zeros(N), beta=0), "beta = 0 must be finite and > 0"),
    ("graded_run tau", lambda: am.graded_run(W, np.zeros(N), tau=-1), "tau = -1 must be finite and > 0"),
    ("graded_run dt", lambda: am.graded_run(W, np.zeros(N), dt=0), "dt = 0 must be finite and > 0"),
    ("graded_run dt", lambda: am.graded_run(W, np.zeros(N), dt=INF), "dt = inf must be finite and > 0"),
    ("class_name c", lambda: am.class_name(10), "c (a Fashion-MNIST class) = 10 is out of range (0 .. 9)"),
    ("theory n", lambda: am.theory("hebb_capacity", n=0), "needs n >= 1"),
    ("theory alpha", lambda: am.theory("ags_overlap", alpha=-1), "alpha = -1 must be finite and >= 0"),
    ("theory alpha", lambda: am.theory("seq_hebb_overlap", alpha=NAN), "alpha = nan must be finite and >= 0"),
    ("Store.replay steps", lambda: SEQS.replay(CUE, 2 ** 32), "steps = 4294967296 is out of range (0 .. 4294967295)"),
    ("Store.replay start", lambda: SEQS.replay(CUE, 3, start=SEQS.count), "start = %d is out of range (0 .. %d)"
     % (SEQS.count, SEQS.count - 1)),
    ("Store.next e", lambda: SEQS.next(SEQS.count), "e = %d is out of range (0 .. %d)" % (SEQS.count, SEQS.count - 1)),
    ("seq_capacity n", lambda: am.seq_capacity(1), "n = 1 is out of range (2 .. 4294967296)"),
    ("seq_capacity n", lambda: am.seq_capacity(2 ** 32 + 1), "n = 4294967297 is out of range (2 .. 4294967296)"),
    ("seq_capacity degree", lambda: am.seq_capacity(100, degree=0), "degree = 0 is out of range (1 .. 1000)"),
    ("seq_capacity degree", lambda: am.seq_capacity(100, degree=1001), "degree = 1001 is out of range (1 .. 1000)"),
    ("seq_capacity p", lambda: am.seq_capacity(100, p=0), "p = 0 is out of range (1 .."),
    ("seq_capacity F", lambda: am.seq_capacity(100, F="gauss"), "F = 'gauss': poly"),
    ("seq_capacity degree", lambda: am.seq_capacity(100, F="exp", degree=2), "degree applies to F='poly' only"),
    ("Autoencoder sizes", lambda: am.Autoencoder([0, 4, 8]), "sizes[0] = 0 is out of range (1 .. 16777216)"),
    ("Autoencoder sizes", lambda: am.Autoencoder([8, 2 ** 24 + 1, 8]), "sizes[1] = 16777217 is out of range"),
    ("Autoencoder.train epochs", lambda: AE.train(X, epochs=0), "epochs = 0 is out of range (1 .."),
    ("Autoencoder.train batch", lambda: AE.train(X, batch=0), "batch = 0 is out of range (1 .."),
    ("Autoencoder.train lr", lambda: AE.train(X, lr=0), "lr = 0 must be finite and > 0"),
    ("Autoencoder.train mask", lambda: AE.train(X, mask=1.0), "mask = 1 must be in [0, 1)"),
    ("Autoencoder.train mask", lambda: AE.train(X, mask=-0.5), "mask = -0.5 must be in [0, 1)"),
    ("Autoencoder.train noise", lambda: AE.train(X, noise=-1), "noise = -1 must be finite and >= 0"),
    ("Autoencoder.train weight_decay", lambda: AE.train(X, weight_decay=NAN), "weight_decay = nan must be finite and >= 0"),
    ("Autoencoder.train threads", lambda: AE.train(X, threads=1025), "threads = 1025 is out of range (0 .. 1024)"),
    ("PCA k", lambda: am.PCA(X, 0), "k = 0 is out of range (1 .. 8)"),
    ("PCA k", lambda: am.PCA(X, 9), "k = 9 is out of range (1 .. 8)"),
    ("PCA.explained j", lambda: PCA.explained(3), "j = 3 is out of range (0 .. 2)"),
    ("SNN dt", lambda: am.SNN(dt=0), "dt = 0 must be in (0, 10]"),
    ("SNN dt", lambda: am.SNN(dt=NAN), "dt = nan must be in (0, 10]"),
    ("SNN dt", lambda: am.SNN(dt=11), "dt = 11 must be in (0, 10]"),
    ("SNN.add count", lambda: rn.add(0), "count = 0 is out of range (1 .. 4294967295)"),
    ("SNN.add tau_m", lambda: rn.add(1, tau_m=0), "tau_m = 0 must be in (0, %s]" % F),
    ("SNN.add t_ref", lambda: rn.add(1, t_ref=-1), "t_ref = -1 must be in [0, %s]" % F),
    ("SNN.add t_ref", lambda: rn.add(1, t_ref=1e12), "t_ref = 1e+12 ms must be at most 1e+09 steps of dt = 0.1 ms"),
    ("SNN.add v0_sd", lambda: rn.add(1, v0_sd=-1), "v0_sd = -1 must be in [0, %s]" % F),
    ("SNN.add ext_rate", lambda: rn.add(1, ext_rate=-1), "ext_rate = -1 must be in [0, %s]" % F),
    ("SNN.add drive", lambda: rn.add(1, drive=NAN), "drive = nan must be in [-%s, %s]" % (F, F)),
    ("SNN.add v_rest", lambda: rn.add(1, v_rest=1e39), "v_rest = 1e+39 must be in [-%s, %s]" % (F, F)),
    ("SNN.add ext_weight", lambda: rn.add(1, ext_weight=-INF), "ext_weight = -inf must be in"),
    ("SNN.add v_thresh", lambda: rn.add(1, v_thresh=-70), "v_thresh = -70 must be above v_reset = -60"),
    ("SNN.add tau_e", lambda: rn.add(1, synapse="current", tau_e=0), "tau_e = 0 and tau_i = 10 must be > 0"),
    ("SNN.connect npre", lambda: rn.connect(0, 0, 0, 2, p=0.5), "npre = 0 is out of range (1 .. 10)"),
    ("SNN.connect npost", lambda: rn.connect(0, 2, 0, 11, p=0.5), "npost = 11 is out of range (1 .. 10)"),
    ("SNN.connect pre", lambda: rn.connect(11, 1, 0, 2, p=0.5), "pre = 11 is out of range (0 .. 10)"),
    ("SNN.connect pre", lambda: rn.connect(5, 6, 0, 2, p=0.5), "[pre, pre + npre) = [5, 11)"),
    ("SNN.connect post", lambda: rn.connect(0, 2, 9, 2, p=0.5), "[post, post + npost) = [9, 11)"),
    ("SNN.connect p", lambda: rn.connect(0, 2, 0, 2, p=1.5), "p = 1.5 must be in [0, 1]"),
    ("SNN.connect k", lambda: rn.connect(0, 10, 0, 10, k=10), "k = 10 is out of range (0 .. 9)"),
    ("SNN.connect k", lambda: rn.connect(0, 4, 5, 2, k=5), "k = 5 is out of range (0 .. 4)"),
    ("SNN.connect weight", lambda: rn.connect(0, 2, 0, 2, p=0.5, weight=INF), "weight = inf must be in"),
    ("SNN.connect delay", lambda: rn.connect(0, 2, 0, 2, p=0.5, delay=-1), "delay = -1 must be in [0, 6000]"),
    ("SNN.connect delay", lambda: rn.connect(0, 2, 0, 2, p=0.5, delay=1e5), "delay = 100000 must be in [0, 6000]"),
    ("SNN.run threads", lambda: rn.run(1, threads=1025), "threads = 1025 is out of range (0 .. 1024)"),
]
for what, fn, text in RANGES:
    raises(ValueError, fn, "%s out of range: ValueError naming it and its range" % what, text=text)
ok(rn.size == 10 and rn.synapses == 0, "... and the network those calls were refused on is unchanged")
rn.connect(0, 10, 0, 10, k=9)
ok(rn.synapses == 90, "k = npre - 1 without autapses is in range (%d synapses)" % rn.synapses)
# MemoryError says what could not be allocated (before: an empty message)
raises(MemoryError, lambda: am.Autoencoder([2 ** 24] * 3), "an Autoencoder too large: MemoryError saying its size",
       text="(562949986975744 weights and biases, 2.3 PB): out of memory")
raises(MemoryError, lambda: am.patterns("random", 2 ** 36, 2 ** 24), "a pattern set too large: MemoryError saying "
       "its size", text="am.patterns('random', 68719476736, 16777216)")

# non-contiguous and foreign-layout arrays give what their contiguous copies give
s = STORES["hopfield"]
cues = np.asfortranarray(np.repeat(CUE[None, :], 3, axis=0))
ok(np.array_equal(s.recall(cues, order="fixed")[0], s.recall(np.ascontiguousarray(cues), order="fixed")[0]),
   "a Fortran-ordered batch of cues recalls as its C copy")
wide = np.zeros((N, 2))
wide[:, 0] = CUE
ok(s.energy(wide[:, 0]) == s.energy(CUE) and np.array_equal(am.flip(CUE[::-1], k=0), CUE[::-1]),
   "strided and reversed states are read element by element")
ok(np.allclose(AE.encode(np.asfortranarray(X)), AE.encode(X)) and
   np.allclose(PCA.encode(X.astype(">f4")), PCA.encode(X)), "Fortran and big-endian inputs encode as native ones")

# --- sequence stores: every new call with what it must refuse, and sizes refused before allocating -------------------
counts = {m: STORES[m].count for m in STORES}
for model in ("hopfield", "dense", "modern"):
    st_ = STORES[model]
    c_ = CUE / 4.0 if model == "modern" else CUE
    for what, fn in [("replay", lambda: st_.replay(c_, 3)), ("transitions", st_.transitions),
                     ("next", lambda: st_.next(0)), ("add(cyclic=True)", lambda: st_.add(PATS[:1], cyclic=True))]:
        raises(ValueError, fn, "Store(%s).%s: ValueError" % (model, what),
               text="sequence store" if what != "add(cyclic=True)" else "applies to sequence stores")
    ok(st_.sequences == [], "Store(%s).sequences: []" % model)
ok(all(STORES[m].count == counts[m] for m in STORES), "... the stores unchanged")
raises(ValueError, lambda: SEQS.replay(CUE, 2 ** 32 - 1), "replay(steps=2**32-1): the states would not fit memory: "
       "ValueError naming steps, before allocating", text="steps = 4294967295: (steps + 1) x 16 int8 states and")
raises(ValueError, lambda: SEQS.replay(CUE, 2 ** 32 - 1, states=False), "... overlaps alone too",
       text="(steps + 1) x %d float64 overlaps would take" % SEQS.count)
raises(OverflowError, lambda: SEQS.replay(CUE, -1), "replay(steps=-1) does not wrap", text="steps")
raises(OverflowError, lambda: SEQS.replay(CUE, 3, start=-1), "replay(start=-1) does not wrap", text="start")
raises(ValueError, lambda: SEQS.replay(np.full(N, NAN), 3), "replay of a NaN cue", text="cue holds NaN")
raises(ValueError, lambda: SEQS.replay(PATS, 3), "replay of a 2-D cue", text="cue must have 1 dimension")
raises(ValueError, lambda: SEQS.replay(CUE[:5], 3), "replay of a cue of 5 units", text="cue has 5 units")
raises(TypeError, lambda: SEQS.replay(None, 3), "replay of None", text="cue")
raises(TypeError, lambda: SEQS.replay(CUE, 3.0), "replay(steps=3.0)", text="steps must be an int")
raises(TypeError, lambda: SEQS.replay(CUE, 3, 1), "start is keyword-only")
e_ = attempt(lambda: SEQS.replay(CUE, 2 ** 32 - 1, states=False, overlaps=False))
ok(isinstance(e_, TimeoutError), "replay of 2**32-1 steps keeping nothing runs, and a signal stops it (%r)" % e_)
wide = np.zeros((N, 2))
wide[:, 0] = CUE
ok(np.array_equal(SEQS.replay(wide[:, 0], 4).states, SEQS.replay(np.ascontiguousarray(wide[:, 0]), 4).states) and
   np.array_equal(SEQS.replay(CUE.astype(">f8"), 4).states, SEQS.replay(CUE, 4).states),
   "replay of a strided or big-endian cue = of its contiguous copy")
raises(OverflowError, lambda: SEQS.next(-1), "next(-1) does not wrap", text="e")
raises(TypeError, lambda: SEQS.next(None), "next(None)", text="e must be an int")
raises(TypeError, lambda: SEQS.transitions(1), "transitions() takes no argument")
raises(TypeError, lambda: am.store_types(1), "store_types() takes no argument")
empty_seq = am.Store("seq-hebb", n=N)
raises(am.Error, lambda: empty_seq.replay(CUE, 3), "replay on an empty sequence store: am.Error", status=AM_EEMPTY)
raises(ValueError, lambda: empty_seq.next(0), "next on an empty sequence store", text="holds no elements")
nx_, ex_ = empty_seq.transitions()
ok(nx_.shape == (0, N) and ex_.shape == (0,) and empty_seq.sequences == [], "an empty sequence store: no transitions, "
   "no sequences")
raises(ValueError, lambda: empty_seq.add(np.zeros((0, N)), cyclic=True), "a sequence of no patterns",
       text="patterns has no rows")
ok(empty_seq.count == 0, "... the store unchanged")

# --- re-entrant callbacks -----------------------------------------------------------------------------------------
s = store()


def monitor_adds(e):
    s.add(PATS[:1])


raises(RuntimeError, lambda: s.recall(CUE, monitor=monitor_adds), "a monitor calling Store.add on the store it "
       "watches raises RuntimeError (no use after free)", text="in use")
ok(s.count == 3, "... and the store is unchanged")
inner = []
s.recall(CUE, monitor=lambda e: inner.append(s.recall(e.state)[0]))
ok(len(inner) >= 2, "a monitor may recall from the same store (readers share it)")
s.recall(CUE, monitor=lambda e: (s.stability(), s.energy(e.state), s.overlaps(e.state), s.weights()))
ok(True, "a monitor may read the store it watches")
raises(ZeroDivisionError, lambda: s.recall(CUE, monitor=lambda e: 1 / 0), "a monitor's exception passes on")
raises(ZeroDivisionError, lambda: s.recall(am.patterns("random", 1, N, rng=5)[0], dynamics="glauber", T=1.0,
                                           max_steps=2 ** 32 - 1, monitor=lambda e: 1 / 0 if e.sweep == 3 else None),
       "... and stops a recall that would run 2**32 sweeps")
calls = []
s.recall(CUE, monitor=lambda e: (calls.append(1), gc.collect()))
ok(len(calls) >= 2, "a monitor that collects garbage")
s2 = store()
raises(RuntimeError, lambda: s2.recall(CUE, record=True, monitor=lambda e: s2.add(PATS)), "record and a monitor "
       "adding: RuntimeError")
nested = []
s.recall(CUE, monitor=lambda e: nested.append(am.capacity([2], n=N, trials=1)["P"][0]))
ok(nested and nested[0] == 2, "a monitor may run another long call (nested cancel hooks)")


def handler_during(obj_call, handler_call, name):
    """handler_call() from a SIGALRM handler while obj_call() runs: its exception must come out of obj_call."""
    def fire(signum, frame):
        handler_call()
    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        raises(RuntimeError, obj_call, name, text="in use" if "add" in name else None)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


big = am.Store("hopfield", n=400)
big.add(am.patterns("random", 30, 400, rng=1))
handler_during(lambda: big.recall(am.patterns("random", 1, 400, rng=2)[0], dynamics="glauber", T=1.0,
                                  max_steps=2 ** 32 - 1), lambda: big.add(PATS[:1].repeat(25, axis=1)),
               "a signal handler calling Store.add during a recall: RuntimeError, the recall stopped")
ok(big.count == 30, "... the store unchanged")
handler_during(lambda: big.recall(am.patterns("random", 1000, 400, rng=3), dynamics="glauber", T=1.0,
                                  max_steps=10 ** 6),
               lambda: big.add(PATS[:1].repeat(25, axis=1)), "the same during a batched recall")
lseq = am.Store("seq-dense", n=400, degree=2)
lseq.add(am.patterns("random", 30, 400, rng=1), cyclic=True)
handler_during(lambda: lseq.replay(lseq.patterns[0], 2 ** 32 - 1, states=False, overlaps=False),
               lambda: lseq.add(lseq.patterns[:2]), "a signal handler calling Store.add during a replay: RuntimeError, "
               "the replay stopped")
ok(lseq.sequences == [(0, 30, True)], "... the store unchanged")
net = snn()
net.run(1)
handler_during(lambda: net.run(2 ** 62), lambda: net.v, "a signal handler reading SNN.v during SNN.run: RuntimeError")
handler_during(lambda: net.run(2 ** 62), lambda: net.run(5), "a signal handler running the SNN during its run")
ok(net.t > 0.1, "... the network kept the steps it made (t = %.1f ms)" % net.t)
XB = np.random.default_rng(1).random((4000, 64)).astype(np.float32)
aeb = am.Autoencoder([64, 32, 8, 32, 64], rng=1)
handler_during(lambda: aeb.train(XB, epochs=10 ** 6), lambda: aeb.encode(XB[:2]),
               "a signal handler encoding during training: RuntimeError")
handler_during(lambda: aeb.train(XB, epochs=10 ** 6), lambda: aeb.train(XB[:10]),
               "a signal handler training during training: RuntimeError")

# --- use before initialisation, and twice ---------------------------------------------------------------------------
for cls, calls_ in [(am.Store, [lambda o: o.recall(CUE), lambda o: o.add(PATS), lambda o: o.energy(CUE),
                                lambda o: o.replay(CUE, 3), lambda o: o.transitions(), lambda o: o.next(0),
                                lambda o: o.sequences, lambda o: o.add(PATS, cyclic=True),
                                lambda o: o.stability(), lambda o: o.weights(), lambda o: o.save(os.path.join(tmp, "u")),
                                lambda o: o.patterns, lambda o: o.n, lambda o: o.overlaps(CUE)]),
                    (am.Autoencoder, [lambda o: o.encode(X), lambda o: o.train(X), lambda o: o.evaluate(X),
                                      lambda o: o.input_dim, lambda o: o.save(os.path.join(tmp, "u"))]),
                    (am.PCA, [lambda o: o.encode(X), lambda o: o.components, lambda o: o.explained(1)]),
                    (am.SNN, [lambda o: o.run(1), lambda o: o.add(3), lambda o: o.v, lambda o: o.spike_counts,
                              lambda o: o.connect(0, 1, 0, 1, p=1.0), lambda o: o.t]),
                    # an Rng never initialised holds the zero state, whose every draw is 0: before, normal() and
                    # every shuffle (flip, recall) looped for ever in am_rng_below, uniform() gave 0.0 for ever
                    (am.Rng, [lambda o: o.uniform(), lambda o: o.normal(), lambda o: am.flip(CUE, frac=0.1, rng=o),
                              lambda o: am.flip(CUE, k=3, rng=o), lambda o: am.patterns("random", 2, 10, rng=o),
                              lambda o: am.occlude(np.ones(16), 4, 4, 0, 0, 2, 2, rng=o),
                              lambda o: STORES["hopfield"].recall(CUE, rng=o, max_steps=3),
                              lambda o: STORES["hopfield"].recall(PATS, rng=o, max_steps=3),
                              lambda o: am.Autoencoder([8, 4, 8], rng=o), lambda o: AE.train(X, rng=o)])]:
    raw = cls.__new__(cls)
    errs = [attempt(lambda c=c: c(raw)) for c in calls_]
    ok(all(isinstance(e, RuntimeError) for e in errs), "%s used before __init__: RuntimeError (%s)" % (
        cls.__name__, sorted(set(type(e).__name__ for e in errs))))
    ok(isinstance(repr(raw), str) and "not " in repr(raw), "%s: repr before __init__ says so (%s)"
       % (cls.__name__, repr(raw)))
for obj, args in [(STORES["dense"], ("dense",)), (AE, ([8, 4, 8],)), (PCA, (X, 2)), (NET, ())]:
    raises(ValueError, lambda o=obj, a=args: o.__init__(*a), "%s.__init__ twice" % type(obj).__name__)
bad = am.Store.__new__(am.Store)
raises(ValueError, lambda: bad.__init__("hopfield", n=0), "a failed __init__ ...")
raises(RuntimeError, lambda: bad.recall(CUE), "... leaves an unusable object, not a crash")

# --- threads sharing objects ----------------------------------------------------------------------------------------
errors = []


def run_threads(targets):
    ts = [threading.Thread(target=t) for t in targets]
    [t.start() for t in ts]
    [t.join() for t in ts]


def guarded(fn, allowed=(RuntimeError,)):
    def run():
        for _ in range(20):
            try:
                fn()
            except allowed:
                pass
            except BaseException as e:  # noqa: BLE001
                errors.append(e)
    return run


shared = am.Store("hopfield", n=300)
shared.add(am.patterns("random", 20, 300, rng=1))
batch = am.patterns("random", 40, 300, rng=2)
run_threads([guarded(lambda: shared.recall(batch)), guarded(lambda: shared.recall(batch)),
             guarded(lambda: shared.add(am.patterns("random", 1, 300))), guarded(lambda: shared.stability())])
ok(not errors, "recalls, stability checks and adds on one store from four threads: results or RuntimeError %r"
   % errors[:3])
errors.clear()
sshared = am.Store("seq-dense", n=300, degree=2)
sshared.add(am.patterns("random", 40, 300, rng=1), cyclic=True)
run_threads([guarded(lambda: sshared.replay(batch[0], 200)), guarded(lambda: sshared.transitions()),
             guarded(lambda: sshared.add(am.patterns("random", 3, 300), cyclic=True)),
             guarded(lambda: [sshared.next(e) for e in range(sshared.count)] + sshared.sequences)])
ok(not errors and all(first + length <= sshared.count for first, length, _ in sshared.sequences),
   "replays, transitions, cyclic adds and next/sequences on one sequence store from four threads: results or "
   "RuntimeError %r" % errors[:3])
errors.clear()
tnet = snn()
run_threads([guarded(lambda: tnet.run(200)), guarded(lambda: tnet.run(200)), guarded(lambda: tnet.spike_counts),
             guarded(lambda: tnet.v)])
ok(not errors, "one SNN run and read from four threads: results or RuntimeError %r" % errors[:3])
errors.clear()
tae = am.Autoencoder([64, 32, 8, 32, 64], rng=1)
run_threads([guarded(lambda: tae.train(XB[:500])), guarded(lambda: tae.encode(XB)),
             guarded(lambda: tae.train(XB[:500], threads=2)), guarded(lambda: tae.evaluate(XB))])
ok(not errors, "one Autoencoder trained and used from four threads: results or RuntimeError %r" % errors[:3])
errors.clear()
run_threads([guarded(lambda: am.patterns("random", 50, 200)), guarded(lambda: am.seed(3)),
             guarded(lambda: am.capacity([5], n=64, trials=2, threads=2)),
             guarded(lambda: am.flip(np.ones(500), k=30))])
ok(not errors, "the default random stream shared by four threads %r" % errors[:3])
ok(threading.active_count() == 1, "every thread joined")

# --- melodies, encodings, the engram: before __init__, twice, in use ---------------------------------------------------
for cls, calls_ in [(am.Melody, [lambda o: o.notes, lambda o: o.grid(), lambda o: o.render(), lambda o: o.abc(),
                                 lambda o: o.title, lambda o: o.write_midi(os.path.join(tmp, "u.mid")),
                                 lambda o: CODE.encode(o)]),
                    (am.MelodyCode, [lambda o: o.encode(TUNE), lambda o: o.decode(TSEQ), lambda o: o.units,
                                     lambda o: o.decode_step(TSEQ[0])]),
                    (am.Engram, [lambda o: o.train([TSEQ]), lambda o: o.predict(TSEQ[0]), lambda o: o.reset(),
                                 lambda o: o.recall(TSEQ, 1), lambda o: o.bits, lambda o: o.familiarity(TSEQ)])]:
    raw = cls.__new__(cls)
    errs = [attempt(lambda c=c: c(raw)) for c in calls_]
    ok(all(isinstance(e, RuntimeError) for e in errs), "%s used before __init__: RuntimeError (%s)" % (
        cls.__name__, sorted(set(type(e).__name__ for e in errs))))
    ok(len(raw) == 0 if cls is am.Melody else True, "%s: len() before __init__ is 0" % cls.__name__)
    ok("not " in repr(raw), "%s: repr before __init__ says so" % cls.__name__)
for obj, args in [(TUNE, ([60], [0], [1])), (CODE, ()), (ENG, (8,))]:
    raises(ValueError, lambda o=obj, a=args: o.__init__(*a), "%s.__init__ twice" % type(obj).__name__)
ok(len(TUNE) == 26 and ENG.bits == CODE.units, "... the objects unchanged")
raises(ValueError, lambda: am.MelodyCode("sparse", repeat=2), "repeat on a sparse code: ValueError",
       text="repeat applies to kind pitchclass, range only")
raises(ValueError, lambda: am.Melody([60], [2 ** 32], [1]), "a start beyond 2**32 - 1 does not wrap",
       text="start[0] = 4294967296")
raises(ValueError, lambda: am.Melody(np.array([60], np.uint64), [0], np.array([2 ** 63], np.uint64)),
       "a uint64 length beyond 2**63 does not wrap", text="length holds a value beyond")
raises(ValueError, lambda: am.Melody([60], [2 ** 31], [1]), "a tune beyond 2**31 ticks", text="Melody:")
raises(ValueError, lambda: TUNE.grid(step=1, steps=2 ** 31 + 1), "grid: steps beyond 2**31 / step",
       text="steps = 2147483649 is out of range")
raises(ValueError, lambda: am.Melody.from_grid([60] * 3, [1] * 3, step=2 ** 30), "from_grid past 2**31 ticks",
       text="pass")
BIGSEQ = [np.tile(TSEQ, (40, 1))] * 20
eng2 = am.Engram(CODE.units, hidden=256, k=8)
handler_during(lambda: eng2.train(BIGSEQ, 10 ** 6), lambda: eng2.predict(TSEQ[0]),
               "a signal handler predicting during Engram.train: RuntimeError, the training stopped")
ok(eng2.predict(TSEQ[0]).shape == (CODE.units,), "... the engram still usable")
handler_during(lambda: am.sequence_familiarity(TSTORE, BIGSEQ * 200), lambda: TSTORE.add(TSEQ),
               "a signal handler adding to a store whose sequence familiarity is being measured: RuntimeError")
ok(TSTORE.sequences == [(0, len(TSEQ), False)], "... the store unchanged")
errors.clear()
eng3 = am.Engram(CODE.units, hidden=64)
run_threads([guarded(lambda: eng3.train([TSEQ], 3)), guarded(lambda: eng3.predict(TSEQ[0])),
             guarded(lambda: eng3.recall(TSEQ, 2)), guarded(lambda: eng3.evaluate(TSEQ))])
ok(not errors, "one Engram trained, recalled and evaluated from four threads: results or RuntimeError %r"
   % errors[:3])
run_threads([guarded(lambda: TUNE.render(8000), ()), guarded(lambda: CODE.encode(TUNE), ()),
             guarded(lambda: am.familiarity(STORES["hopfield"], PATS), ()),
             guarded(lambda: am.sequence_familiarity(TSTORE, [TSEQ] * 10, threads=2), ())])
ok(not errors, "melodies rendered and encoded, familiarities measured from four threads %r" % errors[:3])

if __name__ == "__main__":
    import tap
    sys.exit(tap.done())
