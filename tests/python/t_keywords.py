#!/usr/bin/env python3
"""Every parameter of every function and method of `am` changes the result (a parameter that changes nothing is
a defect), or, for threads=, leaves it identical. Table-driven: EFFECTS maps (function, parameter) to two calls
that differ only in that parameter; the table is checked against the signatures the docstrings (C functions)
and inspect (Python helpers) document, so a new parameter without an entry fails too."""
import atexit
import inspect
import os
import re
import shutil
import sys
import tempfile
import types

import numpy as np

import am
from tap import ok, skip

tmp = tempfile.mkdtemp(prefix="am-kw-")
atexit.register(shutil.rmtree, tmp, True)
N = 64
PATS = am.patterns("random", 12, N, rng=1)     # 12 patterns of 64 units: alpha 0.19, past capacity
CUE = am.flip(PATS[0], k=12, rng=2)


def outcome(fn):
    """What a call gives: its result, or its exception's type and text (a parameter may change that)."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001
        return ("raised", type(e).__name__, str(e))


def same(a, b):
    """Deep equality of results: arrays (NaN equal to NaN), namespaces, dicts, sequences, numbers."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, types.SimpleNamespace) and isinstance(b, types.SimpleNamespace):
        return same(vars(a), vars(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and a == b


# --- helpers building the objects the calls work on --------------------------------------------------------------
def store(**kw):
    kw.setdefault("n", N)
    s = am.Store(**kw)
    s.add(PATS / np.sqrt(N) if kw.get("model") == "modern" else PATS)
    return s


RAND = am.patterns("random", 1, N, rng=7)[0]  # far from every pattern: the path decides where it ends


def recall(**kw):
    st, info = store().recall(RAND, **kw)
    return st, vars(info)


def saved_store(model):
    path = os.path.join(tmp, "s-%s.am" % model)
    store(model=model).save(path)
    return path


def capacity(**kw):
    base = dict(n=N, trials=2, cues=4, threads=1)
    base.update(kw)
    return am.capacity(base.pop("P", [12]), **base)


RS = np.random.default_rng(0)
X = (1 / (1 + np.exp(-RS.standard_normal((64, 3)) @ RS.standard_normal((3, 12))))).astype(np.float32)


def ae(**kw):
    kw.setdefault("sizes", [12, 8, 3, 8, 12])
    kw.setdefault("rng", 1)
    return am.Autoencoder(**kw)


def trained(**kw):
    a = ae()
    base = dict(epochs=2, batch=16, lr=3e-3, rng=2, threads=1)
    base.update(kw)
    return a.train(X, **base)


YL = np.arange(64) % 3   # labels of X for the CNN


def cnn(**kw):
    kw.setdefault("input", "1x3x4")
    kw.setdefault("layers", "conv4k3p1,bn,relu,maxpool2,flat,fc6,relu,fc3")
    kw.setdefault("rng", 1)
    return am.CNN(**kw)


def cnn_ae(**kw):
    return cnn(layers="conv2k3p1,relu,flat,fc3,code,fc12,sigmoid", loss="bce", **kw)


def cnn_trained(x=X, **kw):
    """The codes after training (every parameter of train shows in them)."""
    n = cnn()
    base = dict(labels=YL, epochs=2, batch=16, lr=3e-3, rng=2, threads=1)
    base.update(kw)
    n.train(x, **base)
    return n.encode(X)


def cnn_file(rng, ae=False):
    path = os.path.join(tmp, "cnn-%d-%d.bin" % (rng, ae))
    (cnn_ae if ae else cnn)(**({"rng": rng})).save(path)
    return path


def ae_file(rng):
    path = os.path.join(tmp, "ae-%d.bin" % rng)
    ae(rng=rng).save(path)
    return path


def snn(dt=0.1, method="exact", seed=3, run=300, **add):
    """A tested population (20 neurons) driven by Poisson input to ge and inhibited by a driven population."""
    n = am.SNN(dt=dt, method=method, seed=seed)
    p = dict(drive=8, v0_sd=4, ext_rate=800, ext_weight=0.15)
    p.update(add)
    n.add(20, **p)
    n.add(20, synapse="current", drive=30)
    n.connect(20, 20, 0, 20, p=0.5, weight=0.5, inhibitory=True)
    n.run(run)
    return n.v.copy(), n.spike_counts.copy()


def connected(**kw):
    """A driven population connected to itself by kw; its potentials after a run, and the synapse count."""
    n = am.SNN(seed=5)
    n.add(30, synapse="current", drive=14, v0_sd=5)
    base = dict(pre=0, npre=30, post=0, npost=30, weight=2.0)
    base.update(kw)
    if "k" not in base and "p" not in base:
        base["p"] = 0.3
    n.connect(base.pop("pre"), base.pop("npre"), base.pop("post"), base.pop("npost"), **base)
    n.run(400)
    return n.v.copy(), n.spike_counts.copy(), n.synapses


def simple_net():
    n = am.SNN()
    n.add(50, synapse="current", drive=12, v0_sd=5, ext_rate=200, ext_weight=2)
    n.connect(0, 50, 0, 50, p=0.1, weight=0.5)
    return n


def run_net(steps=300, **kw):
    n = simple_net()
    r = n.run(steps, **kw)
    return r, n.spike_counts.copy(), n.t


W = (PATS.T.astype(np.float32) @ PATS) / N
np.fill_diagonal(W, 0)
U0 = (0.1 * CUE).astype(np.float32)


def graded(w=W, u=U0, **kw):
    base = dict(beta=2, tau=1, dt=0.05, steps=40)
    base.update(kw)
    return vars(am.graded_run(w, u, **base))


def fashion_dir():
    return os.path.join(tmp, "nofashion")


def written(fn):
    """The files fn(directory) writes into a fresh directory, with their contents."""
    d = tempfile.mkdtemp(dir=tmp)
    fn(d)
    out = {}
    for f in sorted(os.listdir(d)):
        with open(os.path.join(d, f), "rb") as fh:
            out[f] = fh.read()
    return out


def plot(**kw):
    def draw(d):
        base = dict(out=os.path.join(d, "plot.png"))
        base.update({k: (os.path.join(d, v) if k in ("out", "keep_data") else v) for k, v in kw.items()})
        am.plot(base.pop("x", np.arange(1, 6)), base.pop("ys", [np.arange(1, 6) ** 2]), **base)
    return written(draw)


SEQ_P = am.patterns("random", 12, N, rng=3)  # one sequence of 12 patterns of 64 units


def seqstore(cyclic=True, **kw):
    kw.setdefault("model", "seq-dense")
    s = am.Store(n=N, **kw)
    s.add(SEQ_P, cyclic=cyclic)
    return s


def replay(cue=SEQ_P[0], steps=8, **kw):
    return vars(seqstore().replay(cue, steps, **kw))


STATE = np.sign(np.arange(64) % 3 - 0.5)
BLOCKS = np.repeat([1, -1, 1, -1], 16)  # whole rows of ink and of blank on an 8 x 8 grid

# --- the table: (function, parameter) -> (base call, call with the parameter changed) ------------------------
# threads= rows are in SAME: the result must not change.
EFFECTS = {
    ("seed", "s"): (lambda: (am.seed(5), am.patterns("random", 2, 20))[1],
                    lambda: (am.seed(6), am.patterns("random", 2, 20))[1]),
    ("load", "path"): (lambda: am.load(saved_store("hopfield")).model, lambda: am.load(saved_store("dense")).model),
    ("patterns", "family"): (lambda: am.patterns("random", 3, 64, rng=1), lambda: am.patterns("biased:0.2", 3, 64, rng=1)),
    ("patterns", "count"): (lambda: am.patterns("random", 3, 64, rng=1), lambda: am.patterns("random", 4, 64, rng=1)),
    ("patterns", "n"): (lambda: am.patterns("random", 3, 64, rng=1), lambda: am.patterns("random", 3, 65, rng=1)),
    ("patterns", "width"): (lambda: am.patterns("letters", 2, width=10, height=10),
                            lambda: am.patterns("letters", 2, width=7, height=10)),
    ("patterns", "height"): (lambda: am.patterns("letters", 2, width=10, height=10),
                             lambda: am.patterns("letters", 2, width=10, height=7)),
    ("patterns", "rng"): (lambda: am.patterns("random", 3, 64, rng=1), lambda: am.patterns("random", 3, 64, rng=2)),
    ("letters", "text"): (lambda: am.letters("AB"), lambda: am.letters("AC")),
    ("letters", "width"): (lambda: am.letters("AB", 5, 7), lambda: am.letters("AB", width=6)),
    ("letters", "height"): (lambda: am.letters("AB", 5, 7), lambda: am.letters("AB", height=8)),
    ("flip", "state"): (lambda: am.flip(STATE, k=3, rng=1), lambda: am.flip(-STATE, k=3, rng=1)),
    ("flip", "k"): (lambda: am.flip(STATE, k=3, rng=1), lambda: am.flip(STATE, k=4, rng=1)),
    ("flip", "frac"): (lambda: am.flip(STATE, frac=0.1, rng=1), lambda: am.flip(STATE, frac=0.3, rng=1)),
    ("flip", "rng"): (lambda: am.flip(STATE, k=3, rng=1), lambda: am.flip(STATE, k=3, rng=2)),
    ("occlude", "state"): (lambda: am.occlude(STATE, 8, 8, 1, 1, 2, 2, -1), lambda: am.occlude(-STATE, 8, 8, 1, 1, 2, 2, -1)),
    ("occlude", "width"): (lambda: am.occlude(STATE, 8, 8, 1, 1, 3, 3, -1), lambda: am.occlude(STATE, 16, 4, 1, 1, 3, 3, -1)),
    ("occlude", "height"): (lambda: am.occlude(STATE, 8, 8, 0, 0, 2, 8, -1), lambda: am.occlude(STATE, 16, 4, 0, 0, 2, 4, -1)),
    ("occlude", "x0"): (lambda: am.occlude(STATE, 8, 8, 1, 1, 2, 2, -1), lambda: am.occlude(STATE, 8, 8, 4, 1, 2, 2, -1)),
    ("occlude", "y0"): (lambda: am.occlude(STATE, 8, 8, 1, 1, 2, 2, -1), lambda: am.occlude(STATE, 8, 8, 1, 4, 2, 2, -1)),
    ("occlude", "w"): (lambda: am.occlude(STATE, 8, 8, 1, 1, 2, 2, -1), lambda: am.occlude(STATE, 8, 8, 1, 1, 5, 2, -1)),
    ("occlude", "h"): (lambda: am.occlude(STATE, 8, 8, 1, 1, 2, 2, -1), lambda: am.occlude(STATE, 8, 8, 1, 1, 2, 5, -1)),
    ("occlude", "fill"): (lambda: am.occlude(STATE, 8, 8, 0, 0, 8, 8, fill=-1), lambda: am.occlude(STATE, 8, 8, 0, 0, 8, 8, fill=1)),
    ("occlude", "rng"): (lambda: am.occlude(STATE, 8, 8, 0, 0, 8, 8, rng=1), lambda: am.occlude(STATE, 8, 8, 0, 0, 8, 8, rng=2)),
    ("overlap", "a"): (lambda: am.overlap(PATS[0], PATS[1]), lambda: am.overlap(PATS[2], PATS[1])),
    ("overlap", "b"): (lambda: am.overlap(PATS[0], PATS[1]), lambda: am.overlap(PATS[0], PATS[2])),
    ("capacity", "P"): (lambda: capacity(P=[4]), lambda: capacity(P=[12])),
    ("capacity", "model"): (lambda: capacity(), lambda: capacity(model="dense")),
    ("capacity", "n"): (lambda: capacity(), lambda: capacity(n=49)),
    ("capacity", "rule"): (lambda: capacity(rule="hebb"), lambda: capacity(rule="storkey")),
    ("capacity", "F"): (lambda: capacity(model="dense", F="poly"), lambda: capacity(model="dense", F="exp")),
    ("capacity", "degree"): (lambda: capacity(model="dense", degree=2), lambda: capacity(model="dense", degree=4)),
    ("capacity", "beta"): (lambda: capacity(model="modern", P=[40], beta=2), lambda: capacity(model="modern", P=[40], beta=20)),
    ("capacity", "dynamics"): (lambda: capacity(), lambda: capacity(dynamics="sync")),
    ("capacity", "order"): (lambda: capacity(), lambda: capacity(order="fixed")),
    ("capacity", "T"): (lambda: capacity(dynamics="glauber"), lambda: capacity(dynamics="glauber", T=0.5)),
    ("capacity", "max_steps"): (lambda: capacity(), lambda: capacity(max_steps=1)),
    ("capacity", "eps"): (lambda: capacity(model="modern", P=[40], beta=2), lambda: capacity(model="modern", P=[40], beta=2, eps=0.5)),
    ("capacity", "patterns"): (lambda: capacity(), lambda: capacity(patterns="biased:0.3")),
    ("capacity", "noise"): (lambda: capacity(), lambda: capacity(noise=0.3)),
    ("capacity", "cues"): (lambda: capacity(), lambda: capacity(cues=2)),
    ("capacity", "stability"): (lambda: capacity(), lambda: capacity(stability=2)),
    ("capacity", "threshold"): (lambda: capacity(), lambda: capacity(threshold=0.5)),
    ("capacity", "trials"): (lambda: capacity(), lambda: capacity(trials=3)),
    ("capacity", "seed"): (lambda: capacity(), lambda: capacity(seed=2)),
    ("xor_trial", "s1"): (lambda: am.xor_trial(0, 0), lambda: am.xor_trial(1, 0)),
    ("xor_trial", "s3"): (lambda: am.xor_trial(0, 0), lambda: am.xor_trial(0, 1)),
    ("xor_trial", "bg_rate"): (lambda: am.xor_trial(0, 0), lambda: am.xor_trial(0, 0, bg_rate=300)),
    ("xor_trial", "bg_weight"): (lambda: am.xor_trial(0, 0, bg_rate=300), lambda: am.xor_trial(0, 0, bg_rate=300, bg_weight=30)),
    ("xor_trial", "seed"): (lambda: am.xor_trial(0, 0, bg_rate=300), lambda: am.xor_trial(0, 0, bg_rate=300, seed=2)),
    ("xor_trial", "readout_inputs"): (lambda: am.xor_trial(0, 1), lambda: am.xor_trial(0, 1, readout_inputs=True)),
    ("graded_run", "w"): (lambda: graded(), lambda: graded(w=2 * W)),
    ("graded_run", "u"): (lambda: graded(), lambda: graded(u=-U0)),
    ("graded_run", "beta"): (lambda: graded(), lambda: graded(beta=4)),
    ("graded_run", "tau"): (lambda: graded(), lambda: graded(tau=2)),
    ("graded_run", "dt"): (lambda: graded(), lambda: graded(dt=0.1)),
    ("graded_run", "steps"): (lambda: graded(), lambda: graded(steps=41)),
    ("graded_run", "gain"): (lambda: graded(), lambda: graded(gain="sigmoid")),
    ("graded_run", "method"): (lambda: graded(), lambda: graded(method="euler")),
    ("fashion", "split"): (lambda: outcome(lambda: am.fashion("train", dir=fashion_dir())),
                           lambda: outcome(lambda: am.fashion("test", dir=fashion_dir()))),
    ("fashion", "dir"): (lambda: outcome(lambda: am.fashion("test", dir=fashion_dir())),
                         lambda: outcome(lambda: am.fashion("test", dir=fashion_dir() + "2"))),
    ("class_name", "c"): (lambda: am.class_name(0), lambda: am.class_name(1)),
    ("theory", "what"): (lambda: am.theory("hebb_capacity", n=100), lambda: am.theory("storkey_capacity", n=100)),
    ("theory", "n"): (lambda: am.theory("hebb_bit_error", n=100, p=10), lambda: am.theory("hebb_bit_error", n=200, p=10)),
    ("theory", "p"): (lambda: am.theory("hebb_bit_error", n=100, p=10), lambda: am.theory("hebb_bit_error", n=100, p=20)),
    ("theory", "alpha"): (lambda: am.theory("ags_overlap", alpha=0.05), lambda: am.theory("ags_overlap", alpha=0.1)),
    ("Rng", "seed"): (lambda: am.Rng(1).uniform(), lambda: am.Rng(2).uniform()),
    ("Rng", "stream"): (lambda: am.Rng(1, 0).uniform(), lambda: am.Rng(1, stream=1).uniform()),
    ("Store", "model"): (lambda: store().energy(CUE), lambda: store(model="dense").energy(CUE)),
    ("Store", "n"): (lambda: am.Store(n=64).n, lambda: am.Store(n=65).n),
    ("Store", "rule"): (lambda: store().weights(), lambda: store(rule="storkey").weights()),
    ("Store", "F"): (lambda: store(model="dense", F="poly").energy(CUE), lambda: store(model="dense", F="exp").energy(CUE)),
    ("Store", "degree"): (lambda: store(model="dense").energy(CUE), lambda: store(model="dense", degree=4).energy(CUE)),
    ("Store", "beta"): (lambda: store(model="modern").energy(CUE / 8), lambda: store(model="modern", beta=5).energy(CUE / 8)),
    ("Store", "lambda"): (lambda: seqstore(model="seq-hebb").transitions(),
                          lambda: seqstore(model="seq-hebb", **{"lambda": 0.5}).transitions()),
    ("Store", "tau"): (lambda: seqstore(model="seq-mixed").replay(SEQ_P[0], 20).states,
                       lambda: seqstore(model="seq-mixed", tau=2).replay(SEQ_P[0], 20).states),
    ("Store.add", "cyclic"): (lambda: seqstore().sequences, lambda: seqstore(cyclic=False).sequences),
    ("Store.replay", "cue"): (lambda: replay(), lambda: replay(cue=SEQ_P[3])),
    ("Store.replay", "steps"): (lambda: replay(), lambda: replay(steps=9)),
    ("Store.replay", "start"): (lambda: replay(), lambda: replay(start=5)),
    ("Store.replay", "states"): (lambda: replay(), lambda: replay(states=False)),
    ("Store.replay", "overlaps"): (lambda: replay(), lambda: replay(overlaps=False)),
    ("Store.next", "e"): (lambda: seqstore().next(0), lambda: seqstore().next(1)),
    ("seq_capacity", "n"): (lambda: vars(am.seq_capacity(100)), lambda: vars(am.seq_capacity(200))),
    ("seq_capacity", "F"): (lambda: vars(am.seq_capacity(100)), lambda: vars(am.seq_capacity(100, F="exp"))),
    ("seq_capacity", "degree"): (lambda: vars(am.seq_capacity(100)), lambda: vars(am.seq_capacity(100, degree=3))),
    ("seq_capacity", "p"): (lambda: vars(am.seq_capacity(100, p=100)), lambda: vars(am.seq_capacity(100, p=300))),
    ("Store.add", "patterns"): (lambda: store().weights(), lambda: (lambda s: (s.add(PATS[:1]), s.weights())[1])(store())),
    ("Store.recall", "cue"): (lambda: recall(), lambda: store().recall(PATS[1])),
    ("Store.recall", "dynamics"): (lambda: recall(), lambda: recall(dynamics="sync")),
    ("Store.recall", "order"): (lambda: recall(rng=1), lambda: recall(rng=1, order="fixed")),
    ("Store.recall", "T"): (lambda: recall(dynamics="glauber", rng=1), lambda: recall(dynamics="glauber", T=0.5, rng=1)),
    ("Store.recall", "max_steps"): (lambda: recall(rng=1), lambda: recall(rng=1, max_steps=1)),
    ("Store.recall", "rng"): (lambda: recall(rng=1), lambda: recall(rng=2)),
    ("Store.recall", "monitor"): (lambda: (lambda ev: (recall(rng=1, monitor=None), ev)[1])([]),
                                  lambda: (lambda ev: (recall(rng=1, monitor=lambda e: ev.append(e.sweep)), ev)[1])([])),
    ("Store.recall", "every"): (lambda: recall(rng=1, record=True), lambda: recall(rng=1, record=True, every=9)),
    ("Store.recall", "record"): (lambda: recall(rng=1), lambda: recall(rng=1, record=True)),
    ("Store.energy", "state"): (lambda: store().energy(PATS[0]), lambda: store().energy(CUE)),
    ("Store.overlaps", "state"): (lambda: store().overlaps(PATS[0]), lambda: store().overlaps(CUE)),
    ("Store.save", "path"): (lambda: list(written(lambda d: store().save(os.path.join(d, "a.am")))),
                             lambda: list(written(lambda d: store().save(os.path.join(d, "b.am"))))),
    ("Autoencoder", "sizes"): (lambda: ae().encode(X), lambda: ae(sizes=[12, 8, 4, 8, 12]).encode(X)),
    ("Autoencoder", "hidden"): (lambda: ae().encode(X), lambda: ae(hidden="tanh").encode(X)),
    ("Autoencoder", "code"): (lambda: ae().encode(X), lambda: ae(code="linear").encode(X)),
    ("Autoencoder", "output"): (lambda: ae().reconstruct(X), lambda: ae(output="linear").reconstruct(X)),
    ("Autoencoder", "loss"): (lambda: ae().train(X, rng=1), lambda: ae(loss="mse").train(X, rng=1)),
    ("Autoencoder", "rng"): (lambda: ae().encode(X), lambda: ae(rng=2).encode(X)),
    ("Autoencoder.train", "x"): (lambda: trained(), lambda: ae().train(X[::-1].copy(), epochs=2, batch=16, lr=3e-3, rng=2)),
    ("Autoencoder.train", "epochs"): (lambda: trained(), lambda: trained(epochs=3)),
    ("Autoencoder.train", "batch"): (lambda: trained(), lambda: trained(batch=8)),
    ("Autoencoder.train", "lr"): (lambda: trained(), lambda: trained(lr=1e-2)),
    ("Autoencoder.train", "mask"): (lambda: trained(), lambda: trained(mask=0.3)),
    ("Autoencoder.train", "noise"): (lambda: trained(), lambda: trained(noise=0.2)),
    ("Autoencoder.train", "weight_decay"): (lambda: trained(), lambda: trained(weight_decay=0.5)),
    ("Autoencoder.train", "rng"): (lambda: trained(), lambda: trained(rng=3)),
    ("Autoencoder.encode", "x"): (lambda: ae().encode(X), lambda: ae().encode(X[::-1])),
    ("Autoencoder.decode", "z"): (lambda: ae().decode(X[:, :3]), lambda: ae().decode(X[:, 3:6])),
    ("Autoencoder.reconstruct", "x"): (lambda: ae().reconstruct(X), lambda: ae().reconstruct(X[::-1])),
    ("Autoencoder.evaluate", "x"): (lambda: ae().evaluate(X), lambda: ae().evaluate(X[:10])),
    ("Autoencoder.save", "path"): (lambda: list(written(lambda d: ae().save(os.path.join(d, "a.ae")))),
                                   lambda: list(written(lambda d: ae().save(os.path.join(d, "b.ae"))))),
    ("Autoencoder.load", "path"): (lambda: am.Autoencoder.load(ae_file(1)).encode(X),
                                   lambda: am.Autoencoder.load(ae_file(2)).encode(X)),
    ("CNN", "input"): (lambda: cnn().encode(X), lambda: cnn(input="1x4x3").encode(X)),
    ("CNN", "layers"): (lambda: cnn().encode(X), lambda: cnn(layers="conv4k3p1,relu,maxpool2,flat,fc6,relu,fc3").encode(X)),
    ("CNN", "loss"): (lambda: cnn(layers="fc6,relu,code,fc12,sigmoid", loss="mse").train(X, rng=1),
                      lambda: cnn(layers="fc6,relu,code,fc12,sigmoid", loss="bce").train(X, rng=1)),
    ("CNN", "rng"): (lambda: cnn().encode(X), lambda: cnn(rng=2).encode(X)),
    ("CNN.train", "x"): (lambda: cnn_trained(), lambda: cnn_trained(x=X[::-1].copy())),
    ("CNN.train", "labels"): (lambda: cnn_trained(), lambda: cnn_trained(labels=YL[::-1].copy())),
    ("CNN.train", "epochs"): (lambda: cnn_trained(), lambda: cnn_trained(epochs=3)),
    ("CNN.train", "batch"): (lambda: cnn_trained(), lambda: cnn_trained(batch=8)),
    ("CNN.train", "lr"): (lambda: cnn_trained(), lambda: cnn_trained(lr=1e-2)),
    ("CNN.train", "weight_decay"): (lambda: cnn_trained(), lambda: cnn_trained(weight_decay=0.5)),
    ("CNN.train", "rng"): (lambda: cnn_trained(), lambda: cnn_trained(rng=3)),
    ("CNN.encode", "x"): (lambda: cnn().encode(X), lambda: cnn().encode(X[::-1])),
    ("CNN.decode", "z"): (lambda: cnn_ae().decode(X[:, :3]), lambda: cnn_ae().decode(X[:, 3:6])),
    ("CNN.forward", "x"): (lambda: cnn().forward(X), lambda: cnn().forward(X[::-1])),
    ("CNN.evaluate", "x"): (lambda: cnn().evaluate(X, YL), lambda: cnn().evaluate(X[::-1].copy(), YL)),
    ("CNN.evaluate", "labels"): (lambda: cnn().evaluate(X, YL), lambda: cnn().evaluate(X, YL[::-1].copy())),
    ("CNN.save", "path"): (lambda: list(written(lambda d: cnn().save(os.path.join(d, "a.cnn")))),
                           lambda: list(written(lambda d: cnn().save(os.path.join(d, "b.cnn"))))),
    ("CNN.load", "path"): (lambda: am.CNN.load(cnn_file(1)).encode(X), lambda: am.CNN.load(cnn_file(2)).encode(X)),
    ("Encoder", "path"): (lambda: am.Encoder(cnn_file(1)).encode(X), lambda: am.Encoder(ae_file(1)).encode(X)),
    ("Encoder.load", "path"): (lambda: am.Encoder.load(cnn_file(1)).encode(X),
                               lambda: am.Encoder.load(cnn_file(2)).encode(X)),
    ("Encoder.encode", "x"): (lambda: am.Encoder(cnn_file(1)).encode(X), lambda: am.Encoder(cnn_file(1)).encode(X[::-1])),
    ("Encoder.decode", "z"): (lambda: am.Encoder(cnn_file(1, True)).decode(X[:, :3]),
                              lambda: am.Encoder(cnn_file(1, True)).decode(X[:, 3:6])),
    ("Encoder.save", "path"): (lambda: list(written(lambda d: am.Encoder(cnn_file(1)).save(os.path.join(d, "a.e")))),
                               lambda: list(written(lambda d: am.Encoder(cnn_file(1)).save(os.path.join(d, "b.e"))))),
    ("PCA", "x"): (lambda: am.PCA(X, 2).components, lambda: am.PCA(X[:30], 2).components),
    ("PCA", "k"): (lambda: am.PCA(X, 2).components, lambda: am.PCA(X, 3).components),
    ("PCA.encode", "x"): (lambda: am.PCA(X, 2).encode(X), lambda: am.PCA(X, 2).encode(X[::-1])),
    ("PCA.decode", "z"): (lambda: am.PCA(X, 2).decode(X[:, :2]), lambda: am.PCA(X, 2).decode(X[:, 2:4])),
    ("PCA.explained", "j"): (lambda: am.PCA(X, 3).explained(1), lambda: am.PCA(X, 3).explained(2)),
    ("SNN", "dt"): (lambda: snn(), lambda: snn(dt=0.05)),
    ("SNN", "method"): (lambda: snn(), lambda: snn(method="euler")),
    ("SNN", "seed"): (lambda: snn(), lambda: snn(seed=4)),
    ("SNN.add", "count"): (lambda: (lambda n: (n.add(5), n.size)[1])(am.SNN()),
                           lambda: (lambda n: (n.add(6), n.size)[1])(am.SNN())),
    ("SNN.run", "steps"): (lambda: run_net(), lambda: run_net(301)),
    ("SNN.run", "spikes"): (lambda: run_net(), lambda: run_net(spikes=True)),
    ("SNN.connect", "pre"): (lambda: connected(npre=10), lambda: connected(pre=10, npre=10)),
    ("SNN.connect", "npre"): (lambda: connected(), lambda: connected(npre=20)),
    ("SNN.connect", "post"): (lambda: connected(npost=10), lambda: connected(post=10, npost=10)),
    ("SNN.connect", "npost"): (lambda: connected(), lambda: connected(npost=20)),
    ("SNN.connect", "p"): (lambda: connected(), lambda: connected(p=0.1)),
    ("SNN.connect", "k"): (lambda: connected(k=3), lambda: connected(k=6)),
    ("SNN.connect", "weight"): (lambda: connected(), lambda: connected(weight=4.0)),
    ("SNN.connect", "inhibitory"): (lambda: connected(), lambda: connected(inhibitory=True)),
    ("SNN.connect", "delay"): (lambda: connected(), lambda: connected(delay=3.0)),
    ("SNN.connect", "autapses"): (lambda: connected(p=1.0), lambda: connected(p=1.0, autapses=True)),
    ("show", "state"): (lambda: am.show(STATE, 8), lambda: am.show(-STATE, 8)),
    ("show", "width"): (lambda: am.show(STATE, 8), lambda: am.show(STATE, width=16)),
    ("show", "ink"): (lambda: am.show(BLOCKS, 8), lambda: am.show(BLOCKS, 8, ink="#")),
    ("show", "blank"): (lambda: am.show(BLOCKS, 8), lambda: am.show(BLOCKS, 8, blank=".")),
    ("show_frames", "frames"): (lambda: am.show_frames([STATE] * 2, 8), lambda: am.show_frames([STATE] * 3, 8)),
    ("show_frames", "width"): (lambda: am.show_frames([STATE] * 2, 8), lambda: am.show_frames([STATE] * 2, width=16)),
    ("show_frames", "per_row"): (lambda: am.show_frames([STATE] * 2, 8), lambda: am.show_frames([STATE] * 2, 8, per_row=1)),
    ("show_frames", "labels"): (lambda: am.show_frames([STATE] * 2, 8), lambda: am.show_frames([STATE] * 2, 8, labels=["a", "b"])),
    ("show_frames", "gap"): (lambda: am.show_frames([STATE] * 2, 8), lambda: am.show_frames([STATE] * 2, 8, gap="|")),
    ("checkerboards", "count"): (lambda: am.checkerboards(2, 8, 8), lambda: am.checkerboards(3, 8, 8)),
    ("checkerboards", "width"): (lambda: am.checkerboards(2, 8, 8), lambda: am.checkerboards(2, 16, 4)),
    ("checkerboards", "height"): (lambda: am.checkerboards(2, 8, 8), lambda: am.checkerboards(2, 8, 9)),
}
for name in ["v_rest", "v_reset", "v_thresh", "t_ref", "drive", "tau_e", "tau_i", "e_e", "e_i", "ext_rate", "ext_weight",
             "tau_m"]:
    base = dict(tau_m=20, v_rest=-60, v_reset=-60, v_thresh=-50, t_ref=5, drive=8, tau_e=5, tau_i=10, e_e=0, e_i=-80,
                ext_rate=800, ext_weight=0.15)
    changed = dict(base, **{name: -45 if name == "v_thresh" else base[name] * 1.5 if base[name] else -20})
    EFFECTS[("SNN.add", name)] = (lambda b=base: snn(**b), lambda c=changed: snn(**c))
EFFECTS[("SNN.add", "synapse")] = (lambda: snn(), lambda: snn(synapse="current"))
EFFECTS[("SNN.add", "v0_mean")] = (lambda: snn(run=0), lambda: snn(run=0, v0_mean=-55))
EFFECTS[("SNN.add", "v0_sd")] = (lambda: snn(run=0), lambda: snn(run=0, v0_sd=2))
EFFECTS[("SNN.add", "v0_uniform")] = (lambda: snn(run=0), lambda: snn(run=0, v0_uniform=True))
for name, value in [("title", "t"), ("xlabel", "x"), ("ylabel", "y"), ("labels", ["curve"]), ("logx", True),
                    ("logy", True), ("style", "lines"), ("size", "320,200"),
                    ("keep_data", "kept.tsv"), ("out", "plot2.png"), ("styles", ["points"]), ("key", "bottom left"),
                    ("xrange", (0, 10)), ("yrange", (0, 50)), ("vlines", [(2.5, "a line")]),
                    ("x", np.arange(2, 7)), ("ys", [np.arange(1, 6) ** 3])]:
    EFFECTS[("plot", name)] = (lambda: plot(), lambda n=name, v=value: plot(**{n: v}))

# melodies, encodings, familiarity, the engram
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TUNES = am.read_abc(os.path.join(ROOT, "data", "tunes", "traditional.abc"))
TUNE = TUNES[0]
ABC = TUNE.abc()
NOTES = dict(pitch=[60, 62, 64], start=[0, 480, 960], length=[480, 480, 960])


def melody(**kw):
    base = dict(NOTES)
    base.update(kw)
    return am.Melody(base.pop("pitch"), base.pop("start"), base.pop("length"), **base).abc()


def midi_file(name, tune=TUNE, **kw):
    path = os.path.join(tmp, name)
    tune.write_midi(path, **kw)
    return path


def two_track_midi():
    """A format-1 file: track 0 holds C4 D4 on channel 1, track 1 holds G5 on channel 2."""
    def trk(events):
        return b"MTrk" + len(events).to_bytes(4, "big") + events
    t0 = trk(bytes([0, 0x90, 60, 64, 0x83, 0x60, 0x80, 60, 0, 0, 0x90, 62, 64, 0x83, 0x60, 0x80, 62, 0, 0, 0xFF, 0x2F, 0]))
    t1 = trk(bytes([0, 0x91, 79, 64, 0x83, 0x60, 0x81, 79, 0, 0, 0xFF, 0x2F, 0]))
    path = os.path.join(tmp, "two.mid")
    with open(path, "wb") as f:
        f.write(b"MThd" + (6).to_bytes(4, "big") + (1).to_bytes(2, "big") + (2).to_bytes(2, "big") +
                (480).to_bytes(2, "big") + t0 + t1)
    return path


def code(kind="sparse", **kw):
    return am.MelodyCode(kind, **kw).encode(TUNE)


SEQS_T = [am.MelodyCode("pitchclass", repeat=1).encode(TUNES[k], tune=k) for k in (0, 3, 5)]  # different tunes
PC = am.MelodyCode("pitchclass", repeat=1)


def seqfam(seqs=SEQS_T, **kw):
    s = am.Store("seq-dense", n=PC.units, degree=2)
    for q in SEQS_T[:2]:
        s.add(q)
    return am.sequence_familiarity(s, seqs, **kw)


def engram(epochs=3, **kw):
    kw.setdefault("hidden", 64)
    g = am.Engram(kw.pop("bits", PC.units), **kw)
    seqs = [q[:, :g.bits] for q in SEQS_T]
    return g.train(seqs, epochs), g.familiarity(seqs[0])


def trained_engram():
    g = am.Engram(PC.units, hidden=64)
    g.train(SEQS_T, 3)
    return g


FAM_A, NOV_A = [0.9, 0.8, 0.4], [0.5, 0.1]
EFFECTS.update({
    ("read_abc", "path"): (lambda: am.read_abc(os.path.join(ROOT, "data", "tunes", "traditional.abc"))[0].title,
                           lambda: outcome(lambda: am.read_abc(os.path.join(tmp, "none.abc")))),
    ("read_abc", "text"): (lambda: am.read_abc(text=ABC)[0].notes, lambda: am.read_abc(text=TUNES[1].abc())[0].notes),
    ("read_midi", "path"): (lambda: am.read_midi(midi_file("a.mid")).notes,
                            lambda: am.read_midi(midi_file("b.mid", TUNES[1])).notes),
    ("read_midi", "track"): (lambda: am.read_midi(two_track_midi()).notes,
                             lambda: am.read_midi(two_track_midi(), track=0).notes),
    ("read_midi", "channel"): (lambda: am.read_midi(two_track_midi()).notes,
                               lambda: am.read_midi(two_track_midi(), channel=2).notes),
    ("pitch_name", "pitch"): (lambda: am.pitch_name(61), lambda: am.pitch_name(62)),
    ("pitch_name", "flats"): (lambda: am.pitch_name(61), lambda: am.pitch_name(61, flats=True)),
    ("Melody", "pitch"): (lambda: melody(), lambda: melody(pitch=[60, 62, 65])),
    ("Melody", "start"): (lambda: melody(), lambda: melody(start=[0, 480, 1200])),
    ("Melody", "length"): (lambda: melody(), lambda: melody(length=[480, 240, 960])),
    ("Melody", "title"): (lambda: melody(), lambda: melody(title="T")),
    ("Melody", "tempo"): (lambda: melody(), lambda: melody(tempo=90)),
    ("Melody", "meter"): (lambda: melody(), lambda: melody(meter=[3, 4])),
    ("Melody", "key"): (lambda: melody(), lambda: melody(key=-2)),
    ("Melody", "number"): (lambda: melody(), lambda: melody(number=5)),
    ("Melody.grid", "step"): (lambda: TUNE.grid(), lambda: TUNE.grid(step=120)),
    ("Melody.grid", "steps"): (lambda: TUNE.grid(), lambda: TUNE.grid(steps=10)),
    ("Melody.from_grid", "pitch"): (lambda: am.Melody.from_grid([60, 62], [1, 1]).notes,
                                    lambda: am.Melody.from_grid([60, 64], [1, 1]).notes),
    ("Melody.from_grid", "onset"): (lambda: am.Melody.from_grid([60, 60], [1, 1]).notes,
                                    lambda: am.Melody.from_grid([60, 60], [1, 0]).notes),
    ("Melody.from_grid", "step"): (lambda: am.Melody.from_grid([60, 62], [1, 1]).notes,
                                   lambda: am.Melody.from_grid([60, 62], [1, 1], step=120).notes),
    ("Melody.write_abc", "path"): (lambda: list(written(lambda d: TUNE.write_abc(os.path.join(d, "a.abc")))),
                                   lambda: list(written(lambda d: TUNE.write_abc(os.path.join(d, "b.abc"))))),
    ("Melody.write_midi", "path"): (lambda: list(written(lambda d: TUNE.write_midi(os.path.join(d, "a.mid")))),
                                    lambda: list(written(lambda d: TUNE.write_midi(os.path.join(d, "b.mid"))))),
    ("Melody.write_midi", "program"): (lambda: written(lambda d: TUNE.write_midi(os.path.join(d, "a.mid"))),
                                       lambda: written(lambda d: TUNE.write_midi(os.path.join(d, "a.mid"), program=40))),
    ("Melody.render", "rate"): (lambda: TUNE.render(), lambda: TUNE.render(rate=8000)),
    ("Melody.wav", "path"): (lambda: list(written(lambda d: TUNE.wav(os.path.join(d, "a.wav"), rate=8000))),
                             lambda: list(written(lambda d: TUNE.wav(os.path.join(d, "b.wav"), rate=8000)))),
    ("Melody.wav", "rate"): (lambda: written(lambda d: TUNE.wav(os.path.join(d, "a.wav"), rate=8000)),
                             lambda: written(lambda d: TUNE.wav(os.path.join(d, "a.wav"), rate=11025))),
    ("Melody.names", "flats"): (lambda: TUNES[9].names(), lambda: TUNES[9].names(flats=True)),
    ("MelodyCode", "kind"): (lambda: code("pitchclass"), lambda: code("range")),
    ("MelodyCode", "step"): (lambda: code(), lambda: code(step=120)),
    ("MelodyCode", "lo"): (lambda: code("range"), lambda: code("range", lo=40)),
    ("MelodyCode", "hi"): (lambda: code("range"), lambda: code("range", hi=90)),
    ("MelodyCode", "repeat"): (lambda: code("pitchclass"), lambda: code("pitchclass", repeat=2)),
    ("MelodyCode", "n"): (lambda: code(), lambda: code(n=300)),
    ("MelodyCode", "k"): (lambda: code(), lambda: code(k=20)),
    ("MelodyCode", "context"): (lambda: code(), lambda: code(context=8)),
    ("MelodyCode", "history"): (lambda: code(), lambda: code(history=2)),
    ("MelodyCode", "seed"): (lambda: code(), lambda: code(seed=2)),
    ("MelodyCode.encode", "melody"): (lambda: PC.encode(TUNE), lambda: PC.encode(TUNES[1])),
    ("MelodyCode.encode", "tune"): (lambda: am.MelodyCode(context=8).encode(TUNE),
                                    lambda: am.MelodyCode(context=8).encode(TUNE, tune=1)),
    ("MelodyCode.decode", "states"): (lambda: PC.decode(SEQS_T[0]).notes, lambda: PC.decode(SEQS_T[1]).notes),
    ("MelodyCode.decode_step", "x"): (lambda: PC.decode_step(SEQS_T[0][0]), lambda: PC.decode_step(SEQS_T[0][4])),
    ("roc", "familiar"): (lambda: vars(am.roc(FAM_A, NOV_A)), lambda: vars(am.roc([0.9, 0.8], NOV_A))),
    ("roc", "novel"): (lambda: vars(am.roc(FAM_A, NOV_A)), lambda: vars(am.roc(FAM_A, [0.5, 0.95]))),
    ("roc_curve", "familiar"): (lambda: am.roc_curve(FAM_A, NOV_A), lambda: am.roc_curve([0.9, 0.8], NOV_A)),
    ("roc_curve", "novel"): (lambda: am.roc_curve(FAM_A, NOV_A), lambda: am.roc_curve(FAM_A, [0.5, 0.95])),
    ("familiarity", "store"): (lambda: am.familiarity(store(), PATS), lambda: am.familiarity(store(model="dense"), PATS)),
    ("familiarity", "cues"): (lambda: am.familiarity(store(), PATS), lambda: am.familiarity(store(), CUE)),
    ("familiarity", "score"): (lambda: am.familiarity(store(), PATS), lambda: am.familiarity(store(), PATS, score="overlap")),
    ("sequence_familiarity", "store"): (lambda: seqfam(), lambda: am.sequence_familiarity(
        (lambda s: (s.add(SEQS_T[2]), s)[1])(am.Store("seq-dense", n=PC.units, degree=3)), SEQS_T)),
    ("sequence_familiarity", "seqs"): (lambda: seqfam(), lambda: seqfam(SEQS_T[:2])),
    ("Engram", "bits"): (lambda: engram(), lambda: engram(bits=PC.units - 1)),
    ("Engram", "hidden"): (lambda: engram(), lambda: engram(hidden=80)),
    ("Engram", "k"): (lambda: engram(), lambda: engram(k=8)),
    ("Engram", "rule"): (lambda: engram(), lambda: engram(rule="fa")),
    ("Engram", "context"): (lambda: engram(), lambda: engram(context=False)),
    ("Engram", "decay"): (lambda: engram(), lambda: engram(decay=0.5)),
    ("Engram", "context_gain"): (lambda: engram(), lambda: engram(context_gain=3)),
    ("Engram", "lr"): (lambda: engram(), lambda: engram(lr=0.5)),
    ("Engram", "lr_hidden"): (lambda: engram(rule="fa"), lambda: engram(rule="fa", lr_hidden=0.1)),
    ("Engram", "lr_backprop"): (lambda: engram(rule="backprop"), lambda: engram(rule="backprop", lr_backprop=0.03)),
    ("Engram", "seed"): (lambda: engram(), lambda: engram(seed=2)),
    ("Engram.train", "seqs"): (lambda: am.Engram(PC.units, hidden=64).train(SEQS_T),
                               lambda: am.Engram(PC.units, hidden=64).train(SEQS_T[:2])),
    ("Engram.train", "epochs"): (lambda: engram(), lambda: engram(epochs=4)),
    ("Engram.evaluate", "seq"): (lambda: vars(trained_engram().evaluate(SEQS_T[0])),
                                 lambda: vars(trained_engram().evaluate(SEQS_T[1]))),
    ("Engram.familiarity", "seq"): (lambda: trained_engram().familiarity(SEQS_T[0]),
                                    lambda: trained_engram().familiarity(SEQS_T[1])),
    ("Engram.recall", "seq"): (lambda: trained_engram().recall(SEQS_T[0], 2),
                               lambda: trained_engram().recall(SEQS_T[1], 2)),
    ("Engram.recall", "cue"): (lambda: trained_engram().recall(SEQS_T[0], 2),
                               lambda: trained_engram().recall(SEQS_T[0], 9)),
    ("Engram.recall", "length"): (lambda: trained_engram().recall(SEQS_T[0], 2),
                                  lambda: trained_engram().recall(SEQS_T[0], 2, length=20)),
    ("Engram.predict", "x"): (lambda: trained_engram().predict(SEQS_T[0][0]),
                              lambda: trained_engram().predict(SEQS_T[0][4])),
})


# graphs (am/graph.h): results as arrays, namespaces and lists, never the Graph objects themselves
def ginfo(g):
    """What tells two graphs apart: names, identities, edges."""
    return (g.names, g.node_signs, g.edge_arrays())


XG = am.Graph.from_edges(["a", "b", "c", "d", "h", "o"],
                         [[0, 2], [0, 4], [1, 3], [1, 4], [2, 5], [3, 5], [4, 2], [4, 3]], signs=[1] * 6 + [-1] * 2)
SG = am.Graph.synthetic(300, 1500, rng=3)


def gfile(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


G_CSV = gfile("g1.csv", "source,target,weight,sign\na,b,1,+\nb,c,2,-\n")
G_CSV2 = gfile("g2.csv", "source,target,weight,sign\na,b,1,+\nc,a,2,-\n")
G_SIGNS = gfile("gs.csv", "a,-\n")
C302_E = gfile("c302.csv", "Source,Target,Weight,Type\nA,B,2,chemical\nB,C,1,chemical\n")
C302_N = gfile("c302.json", '{"neuron_info": {"A": ["u", [], [], ["GABA"]], "B": ["u", [], [], ["ACh"]], '
                            '"C": ["u", [], [], []]}}')


def nulls(**kw):
    base = dict(graphs=3, attempts=2, rng=1)
    base.update(kw)
    r = SG.null(**base)
    return r.counts, r.observed


def rewired(**kw):
    g, acc = SG.rewire(**kw)
    return ginfo(g), acc


EFFECTS.update({
    ("Graph.from_edges", "nodes"): (lambda: ginfo(am.Graph.from_edges(3, [[0, 1]])),
                                    lambda: ginfo(am.Graph.from_edges(["x", "y", "z"], [[0, 1]]))),
    ("Graph.from_edges", "edges"): (lambda: ginfo(am.Graph.from_edges(3, [[0, 1]])),
                                    lambda: ginfo(am.Graph.from_edges(3, [[1, 2]]))),
    ("Graph.from_edges", "signs"): (lambda: ginfo(am.Graph.from_edges(3, [[0, 1]])),
                                    lambda: ginfo(am.Graph.from_edges(3, [[0, 1]], signs=[-1]))),
    ("Graph.from_edges", "weights"): (lambda: ginfo(am.Graph.from_edges(3, [[0, 1]])),
                                      lambda: ginfo(am.Graph.from_edges(3, [[0, 1]], weights=[2.5]))),
    ("Graph.from_edges", "node_signs"): (lambda: ginfo(am.Graph.from_edges(3, [[0, 1]])),
                                         lambda: ginfo(am.Graph.from_edges(3, [[0, 1]], node_signs=[0, -1, 1]))),
    ("Graph.synthetic", "nodes"): (lambda: ginfo(am.Graph.synthetic(50, 100, rng=1)),
                                   lambda: ginfo(am.Graph.synthetic(60, 100, rng=1))),
    ("Graph.synthetic", "edges"): (lambda: ginfo(am.Graph.synthetic(50, 100, rng=1)),
                                   lambda: ginfo(am.Graph.synthetic(50, 120, rng=1))),
    ("Graph.synthetic", "inh_share"): (lambda: ginfo(am.Graph.synthetic(50, 100, rng=1)),
                                       lambda: ginfo(am.Graph.synthetic(50, 100, inh_share=0.6, rng=1))),
    ("Graph.synthetic", "sigma"): (lambda: ginfo(am.Graph.synthetic(50, 100, rng=1)),
                                   lambda: ginfo(am.Graph.synthetic(50, 100, sigma=0.2, rng=1))),
    ("Graph.synthetic", "rng"): (lambda: ginfo(am.Graph.synthetic(50, 100, rng=1)),
                                 lambda: ginfo(am.Graph.synthetic(50, 100, rng=2))),
    ("Graph.find", "name"): (lambda: XG.find("a"), lambda: XG.find("h")),
    ("Graph.has_edge", "source"): (lambda: XG.has_edge("h", "c"), lambda: XG.has_edge("o", "c")),
    ("Graph.has_edge", "target"): (lambda: XG.has_edge("h", "c"), lambda: XG.has_edge("h", "a")),
    ("Graph.has_edge", "sign"): (lambda: XG.has_edge("h", "c"), lambda: XG.has_edge("h", "c", sign=1)),
    ("Graph.out_degree", "sign"): (lambda: XG.out_degree(), lambda: XG.out_degree(sign=-1)),
    ("Graph.in_degree", "sign"): (lambda: XG.in_degree(), lambda: XG.in_degree(sign=1)),
    ("Graph.count", "motif"): (lambda: SG.count("xor"), lambda: SG.count("lateral")),
    ("Graph.instances", "motif"): (lambda: SG.instances(), lambda: SG.instances("lateral")),
    ("Graph.instances", "max"): (lambda: SG.instances(), lambda: SG.instances(max=2)),
    ("Graph.rewire", "attempts"): (lambda: rewired(), lambda: rewired(attempts=1)),
    ("Graph.rewire", "rng"): (lambda: rewired(), lambda: rewired(rng=5)),
    ("Graph.null", "motifs"): (lambda: nulls(), lambda: nulls(motifs="xor")),
    ("Graph.null", "graphs"): (lambda: nulls(), lambda: nulls(graphs=4)),
    ("Graph.null", "attempts"): (lambda: nulls(), lambda: nulls(attempts=3)),
    ("Graph.null", "rng"): (lambda: nulls(), lambda: nulls(rng=2)),
    ("read_graph", "path"): (lambda: ginfo(am.read_graph(G_CSV)), lambda: ginfo(am.read_graph(G_CSV2))),
    ("read_graph", "signs"): (lambda: ginfo(am.read_graph(G_CSV)), lambda: ginfo(am.read_graph(G_CSV, signs=G_SIGNS))),
    ("read_graph", "neurons"): (lambda: outcome(lambda: ginfo(am.read_graph(C302_E))),
                                lambda: outcome(lambda: ginfo(am.read_graph(C302_E, neurons=C302_N)))),
})


# networks composed from parts (am/spiking.h)
def npop(run=50.0, count=20, **kw):
    """A population under Poisson input (to ge) and inhibiting itself (gi): its potentials and spikes after run."""
    n = am.Network(0.1, seed=1)
    base = dict(drive=15.0, ext_rate=3000.0, ext_weight=0.05, v0_sd=3.0)
    base.update(kw)
    p = n.population(count, **base)
    n.connect(p, p, p=0.5, weight=0.3 if base.get("synapse", "conductance") == "conductance" else -3.0,
              receptor="inhibitory")
    n.run(run)
    return p.v, p.spike_counts


def ncon(pre="A", post="B", **kw):
    """A driven population A and a silent one B; kw connects pre to post. Synapses, B's spikes and their times."""
    n = am.Network(0.1, seed=1)
    A = n.population(10, drive=20.0, synapse="current")
    B = n.population(10, synapse="current")
    sel = {"A": A, "B": B, "A5": A[:5], "B5": B[5:]}
    base = dict(weight=8.0)
    base.update(kw)
    if "k" not in base and "connections" not in base and "p" not in base:
        base["p"] = 0.5
    pr = n.connect(sel[pre], sel[post], **base)
    m = n.spike_monitor([A, B])
    n.run(50)
    return pr.synapses, m.t, m.i


def nmon(kind, run=50.0, threads=1, **kw):
    """A driven network of two populations and one monitor of kind with kw: its arrays after run."""
    n = am.Network(0.1, seed=1)
    A = n.population(10, drive=20.0, synapse="current", v0_sd=5.0)
    B = n.population(10, drive=25.0, synapse="current", v0_sd=5.0)
    target = {"A": A, "B": B}[kw.pop("target", "A")]
    m = getattr(n, kind + "_monitor")(target, **kw)
    n.run(run, threads=threads)
    return tuple(getattr(m, a) for a in {"spike": ("t", "i"), "rate": ("t", "rate"), "state": ("t", "v")}[kind])


def nnet(**kw):
    n = am.Network(**kw)
    p = n.population(20, drive=15.0, ext_rate=2000.0, ext_weight=0.05, v0_sd=3.0)
    n.connect(p, p, p=0.3, weight=0.5)
    n.run(20)
    return p.v, p.spike_counts


def pname(**kw):
    return am.Network().population(1, **kw).name


EFFECTS.update({
    ("Network", "dt"): (lambda: nnet(), lambda: nnet(dt=0.05)),
    ("Network", "method"): (lambda: nnet(), lambda: nnet(method="euler")),
    ("Network", "seed"): (lambda: nnet(), lambda: nnet(seed=2)),
    ("Network.population", "count"): (lambda: npop(), lambda: npop(count=21)),
    ("Network.population", "name"): (lambda: pname(), lambda: pname(name="E")),
    ("Network.run", "duration"): (lambda: nmon("spike"), lambda: nmon("spike", run=60.0)),
    ("Network.spike_monitor", "target"): (lambda: nmon("spike"), lambda: nmon("spike", target="B")),
    ("Network.rate_monitor", "target"): (lambda: nmon("rate"), lambda: nmon("rate", target="B")),
    ("Network.rate_monitor", "bin"): (lambda: nmon("rate"), lambda: nmon("rate", bin=2.0)),
    ("Network.state_monitor", "target"): (lambda: nmon("state"), lambda: nmon("state", target="B")),
    ("Network.state_monitor", "stride"): (lambda: nmon("state"), lambda: nmon("state", stride=7)),
    ("Network.connect", "pre"): (lambda: ncon(), lambda: ncon(pre="A5")),
    ("Network.connect", "post"): (lambda: ncon(), lambda: ncon(post="B5")),
    ("Network.connect", "p"): (lambda: ncon(), lambda: ncon(p=0.2)),
    ("Network.connect", "k"): (lambda: ncon(k=3), lambda: ncon(k=5)),
    ("Network.connect", "connections"): (lambda: ncon(connections=[[0, 0]], weight=150.0),
                                         lambda: ncon(connections=[[0, 1]], weight=150.0)),
    ("Network.connect", "weight"): (lambda: ncon(), lambda: ncon(weight=2.0)),
    ("Network.connect", "delay"): (lambda: ncon(), lambda: ncon(delay=3.0)),
    ("Network.connect", "receptor"): (lambda: ncon(), lambda: ncon(receptor="inhibitory")),
    ("Network.connect", "autapses"): (lambda: ncon(pre="A", post="A"), lambda: ncon(pre="A", post="A", autapses=True)),
})
for key, val in [("tau_m", 10.0), ("v_rest", -58.0), ("v_reset", -55.0), ("v_thresh", -52.0), ("t_ref", 1.0),
                 ("drive", 25.0), ("synapse", "current"), ("tau_e", 1.0), ("tau_i", 2.0), ("e_e", -20.0),
                 ("e_i", -65.0), ("ext_rate", 500.0), ("ext_weight", 0.2)]:
    EFFECTS[("Network.population", key)] = (lambda: npop(), lambda key=key, val=val: npop(**{key: val}))
EFFECTS[("Network.population", "v0_mean")] = (lambda: npop(run=0), lambda: npop(run=0, v0_mean=-55.0))
EFFECTS[("Network.population", "v0_sd")] = (lambda: npop(run=0), lambda: npop(run=0, v0_sd=1.0))
EFFECTS[("Network.population", "v0_uniform")] = (lambda: npop(run=0), lambda: npop(run=0, v0_uniform=True))

# threads=: the same result at 1 and 2 threads (and the keyword accepted)
SAME = {
    ("capacity", "threads"): (lambda: capacity(threads=1), lambda: capacity(threads=2)),
    ("Autoencoder.train", "threads"): (lambda: trained(threads=1), lambda: trained(threads=2)),
    ("CNN.train", "threads"): (lambda: cnn_trained(threads=1), lambda: cnn_trained(threads=2)),
    ("SNN.run", "threads"): (lambda: run_net(threads=1), lambda: run_net(threads=2)),
    ("familiarity", "threads"): (lambda: am.familiarity(store(), PATS, threads=1),
                                 lambda: am.familiarity(store(), PATS, threads=2)),
    ("sequence_familiarity", "threads"): (lambda: seqfam(threads=1), lambda: seqfam(threads=2)),
    ("Engram", "threads"): (lambda: engram(threads=1), lambda: engram(threads=2)),
    ("Graph.count", "threads"): (lambda: SG.count(threads=1), lambda: SG.count(threads=2)),
    ("Graph.null", "threads"): (lambda: nulls(threads=1), lambda: nulls(threads=2)),
    ("Network.run", "threads"): (lambda: nmon("spike", threads=1), lambda: nmon("spike", threads=2)),
}

# --- concept memories, the concept database, HRR and clean-up (in depth: t_concepts.py, t_hrr.py) ---------------
CR = np.random.default_rng(3)
CI = CR.standard_normal((6, 8)).astype(np.float32)
CW = CR.standard_normal((6, 5)).astype(np.float32)
CLAB = ["a", "b", "c", "a", "b", "c"]
CMODS = [("img", 8), ("word", 5)]


def cmem(mods=CMODS, **kw):
    """Three labelled concepts of two observations each."""
    c = am.Concepts(mods, **kw)
    c.observe({"img": CI, "word": CW}, CLAB)
    return c


def twin():
    """Two modalities of one dimension (p, q), so that only the modality differs between two calls."""
    c = am.Concepts([("p", 5), ("q", 5)])
    c.observe({"p": CW, "q": CW[::-1] * 2}, CLAB)
    return c


def after(fn, c=None):
    """What a change leaves: labels, parents, prototypes and radii."""
    c = c if c is not None else cmem()
    fn(c)
    return (c.labels, [c.concept(i).parent for i in range(c.count)], c.prototypes("img"), c.prototypes("word"),
            vars(c.modality("img")))


def hier():
    """The three concepts under a parent, with a small image radius (fallback goes up)."""
    c = cmem([("img", 8, 0.5), ("word", 5)])
    top = c.observe({"word": CW.mean(0)}, "top")
    for k in range(3):
        c.set_parent(k, top)
    return c


def cdb(name, fill=None, **kw):
    """A concept database saved from cmem(**kw) (fill: what to do with it instead)."""
    path = os.path.join(tmp, name)
    if not os.path.exists(path):
        (fill or (lambda p: cmem(**kw).save(p)))(path)
    return path


def saved_listing(name):
    d = tempfile.mkdtemp(dir=tmp)
    cmem().save(os.path.join(d, name))
    return os.listdir(d)


def in_new_db(fn):
    path = tempfile.mkdtemp(dir=tmp)
    with am.ConceptDB(path, "c") as db:
        fn(db)
        return vars(db.stats())


def cact(c):
    return c.activation(CW, "word")


CROWD_I = np.random.default_rng(6).standard_normal((40, 8)).astype(np.float32)
CROWD_W = np.random.default_rng(7).standard_normal((40, 5)).astype(np.float32)


def crowd(c):
    """40 more concepts, then their images read out from their words: a hopfield clean-up of 64 units fails."""
    c.observe({"img": CROWD_I, "word": CROWD_W}, ["m%d" % i for i in range(40)])
    return c.recall(CROWD_W, "word", to="img").latents["img"]


CONCEPT_CFG = {  # keyword: (base configuration, changed configuration, what the keyword changes)
    "binding": ({}, {"binding": "hebb"}, cact),
    "locality": ({}, {"locality": "exemplar"}, lambda c: c.nearest(CI[0] + 0.3, "img")),
    "similarity": ({}, {"similarity": "euclid"}, cact),
    "beta": ({}, {"beta": 1.0}, cact),
    "bits": ({"binding": "hebb"}, {"binding": "hebb", "bits": 16}, cact),
    "hrr_dim": ({"binding": "hrr", "hrr_dim": 64}, {"binding": "hrr", "hrr_dim": 128}, cact),
    "cleanup": ({"binding": "hrr", "hrr_dim": 64}, {"binding": "hrr", "hrr_dim": 64, "cleanup": "hopfield"}, crowd),
    "seed": ({"binding": "hebb"}, {"binding": "hebb", "seed": 2}, cact),
}
for key, (base, changed, measure) in CONCEPT_CFG.items():
    EFFECTS[("Concepts", key)] = (lambda b=base, f=measure: f(cmem(**b)), lambda b=changed, f=measure: f(cmem(**b)))
    EFFECTS[("Concepts.clone", key)] = (lambda b=base, f=measure: f(cmem().clone(**b)),
                                        lambda b=changed, f=measure: f(cmem().clone(**b)))
    EFFECTS[("Concepts.load", key)] = (lambda b=base, f=measure: f(am.Concepts.load(cdb("kv.db"), **b)),
                                       lambda b=changed, f=measure: f(am.Concepts.load(cdb("kv.db"), **b)))
    EFFECTS[("ConceptDB.load", key)] = (lambda b=base, f=measure: f(am.ConceptDB(cdb("kv.db")).load(**b)),
                                        lambda b=changed, f=measure: f(am.ConceptDB(cdb("kv.db")).load(**b)))
H = am.HRR(64)
HX = H.random(4, rng=1)
HV = H.random(20, rng=2)
EFFECTS.update({
    ("Concepts", "modalities"): (lambda: am.Concepts(CMODS).modalities, lambda: am.Concepts([("img", 9)]).modalities),
    ("Concepts.observe", "latents"): (lambda: after(lambda c: c.observe({"img": CI[0]}, "a")),
                                      lambda: after(lambda c: c.observe({"img": CI[1]}, "a"))),
    ("Concepts.observe", "label"): (lambda: after(lambda c: c.observe({"img": CI[0]}, "a")),
                                    lambda: after(lambda c: c.observe({"img": CI[0]}, "new"))),
    ("Concepts.assign", "x"): (lambda: after(lambda c: c.assign(CI[0], "img")),
                               lambda: after(lambda c: c.assign(CI[1], "img"))),
    ("Concepts.assign", "modality"): (lambda: twin().assign(CW[0], "p"), lambda: twin().assign(CW[0], "q")),
    ("Concepts.recall", "cues"): (lambda: cmem().recall(CW[0], "word"), lambda: cmem().recall(CW[1], "word")),
    ("Concepts.recall", "modality"): (lambda: twin().recall(CW[0], "p"), lambda: twin().recall(CW[0], "q")),
    ("Concepts.recall", "to"): (lambda: cmem().recall(CW, "word", to="img"), lambda: cmem().recall(CW, "word", to=[])),
    ("Concepts.recall", "k"): (lambda: cmem().recall(CW, "word", k=1), lambda: cmem().recall(CW, "word", k=2)),
    ("Concepts.recall", "fallback"): (lambda: hier().recall(CI[0] + 2, "img"),
                                      lambda: hier().recall(CI[0] + 2, "img", fallback=True)),
    ("Concepts.activation", "cues"): (lambda: cmem().activation(CW[0], "word"), lambda: cmem().activation(CW[1], "word")),
    ("Concepts.activation", "modality"): (lambda: twin().activation(CW[0], "p"), lambda: twin().activation(CW[0], "q")),
    ("Concepts.nearest", "x"): (lambda: cmem().nearest(CI[0], "img"), lambda: cmem().nearest(CI[1], "img")),
    ("Concepts.nearest", "modality"): (lambda: twin().nearest(CW[0], "p"), lambda: twin().nearest(CW[0], "q")),
    ("Concepts.modality", "name"): (lambda: vars(twin().modality("p")), lambda: vars(twin().modality("q"))),
    ("Concepts.set_modality", "name"): (lambda: after(lambda c: c.set_modality("img", radius=1)),
                                        lambda: after(lambda c: c.set_modality("word", radius=1))),
    ("Concepts.set_modality", "radius"): (lambda: after(lambda c: c.set_modality("img", radius=1)),
                                          lambda: after(lambda c: c.set_modality("img", radius=2))),
    ("Concepts.set_modality", "encoder"): (lambda: after(lambda c: c.set_modality("img", encoder="pca")),
                                           lambda: after(lambda c: c.set_modality("img", encoder="mlp"))),
    ("Concepts.concept", "c"): (lambda: vars(cmem().concept(0)), lambda: vars(cmem().concept(1))),
    ("Concepts.exemplars", "c"): (lambda: cmem().exemplars(0, "img"), lambda: cmem().exemplars(1, "img")),
    ("Concepts.exemplars", "modality"): (lambda: twin().exemplars(0, "p"), lambda: twin().exemplars(0, "q")),
    ("Concepts.prototypes", "modality"): (lambda: twin().prototypes("p"), lambda: twin().prototypes("q")),
    ("Concepts.find", "label"): (lambda: cmem().find("a"), lambda: cmem().find("b")),
    ("Concepts.find", "id"): (lambda: cmem().find(id=1), lambda: cmem().find(id=2)),
    ("Concepts.forget", "c"): (lambda: after(lambda c: c.forget(0)), lambda: after(lambda c: c.forget(1))),
    ("Concepts.set_label", "c"): (lambda: after(lambda c: c.set_label(0, "z")), lambda: after(lambda c: c.set_label(1, "z"))),
    ("Concepts.set_label", "label"): (lambda: after(lambda c: c.set_label(0, "z")),
                                      lambda: after(lambda c: c.set_label(0, "y"))),
    ("Concepts.set_parent", "c"): (lambda: after(lambda c: c.set_parent(0, 2)), lambda: after(lambda c: c.set_parent(1, 2))),
    ("Concepts.set_parent", "parent"): (lambda: after(lambda c: c.set_parent(0, 1)),
                                        lambda: after(lambda c: c.set_parent(0, 2))),
    ("Concepts.save", "path"): (lambda: saved_listing("a.db"), lambda: saved_listing("b.db")),
    ("Concepts.load", "path"): (lambda: am.Concepts.load(cdb("kv.db")).config,
                                lambda: am.Concepts.load(cdb("hebb.db", binding="hebb")).config),
    ("ConceptDB", "path"): (lambda: vars(am.ConceptDB(cdb("kv.db")).stats()),
                            lambda: vars(am.ConceptDB(cdb("hebb.db", binding="hebb")).stats())),
    ("ConceptDB", "mode"): (lambda: am.ConceptDB(cdb("kv.db"), "r").readonly, lambda: am.ConceptDB(cdb("kv.db"), "w").readonly),
    ("ConceptDB", "map_bytes"): (lambda: am.ConceptDB(cdb("kv.db"), "w", map_bytes=2 ** 26).stats().map_bytes,
                                 lambda: am.ConceptDB(cdb("kv.db"), "w", map_bytes=2 ** 27).stats().map_bytes),
    ("ConceptDB.init", "concepts"): (lambda: in_new_db(lambda db: db.init(am.Concepts(CMODS))),
                                     lambda: in_new_db(lambda db: db.init(am.Concepts(CMODS, binding="hrr")))),
    ("ConceptDB.sync", "concepts"): (lambda: in_new_db(lambda db: db.sync(cmem())),
                                     lambda: in_new_db(lambda db: db.sync(am.Concepts(CMODS)))),
    ("ConceptDB.export", "path"): (lambda: am.ConceptDB(cdb("kv.db")).export(),
                                   lambda: am.ConceptDB(cdb("kv.db")).export(os.path.join(tmp, "export.tsv"))),
    ("HRR", "dim"): (lambda: am.HRR(64).dim, lambda: am.HRR(65).dim),
    ("HRR", "planning"): (lambda: am.HRR(64).planning, lambda: am.HRR(64, planning="measure").planning),
    ("HRR.random", "n"): (lambda: H.random(2, rng=1), lambda: H.random(3, rng=1)),
    ("HRR.random", "rng"): (lambda: H.random(2, rng=1), lambda: H.random(2, rng=2)),
    ("HRR.random", "unitary"): (lambda: H.random(2, rng=1), lambda: H.random(2, rng=1, unitary=True)),
    ("HRR.bind", "a"): (lambda: H.bind(HX[0], HX[2]), lambda: H.bind(HX[1], HX[2])),
    ("HRR.bind", "b"): (lambda: H.bind(HX[0], HX[2]), lambda: H.bind(HX[0], HX[3])),
    ("HRR.unbind", "t"): (lambda: H.unbind(HX[0], HX[2]), lambda: H.unbind(HX[1], HX[2])),
    ("HRR.unbind", "a"): (lambda: H.unbind(HX[0], HX[2]), lambda: H.unbind(HX[0], HX[3])),
    ("HRR.unbind", "exact"): (lambda: H.unbind(HX[0], HX[2]), lambda: H.unbind(HX[0], HX[2], exact=True)),
    ("HRR.unitary", "x"): (lambda: H.unitary(HX[0]), lambda: H.unitary(HX[1])),
    ("HRR.involution", "x"): (lambda: H.involution(HX[0]), lambda: H.involution(HX[1])),
    ("HRR.encode", "roles"): (lambda: H.encode(HX[:2], HX[2:]), lambda: H.encode(HX[1:3], HX[2:])),
    ("HRR.encode", "items"): (lambda: H.encode(HX[:2], HX[2:]), lambda: H.encode(HX[:2], HX[:2])),
    ("HRR.bundle", "x"): (lambda: H.bundle(HX[:2]), lambda: H.bundle(HX[1:3])),
    ("HRR.bundle", "weights"): (lambda: H.bundle(HX[:2]), lambda: H.bundle(HX[:2], [1, 2])),
    ("HRR.bundle", "normalise"): (lambda: H.bundle(HX[:2]), lambda: H.bundle(HX[:2], normalise=True)),
    ("HRR.permute", "x"): (lambda: H.permute(HX[0], np.arange(64)[::-1]), lambda: H.permute(HX[1], np.arange(64)[::-1])),
    ("HRR.permute", "perm"): (lambda: H.permute(HX[0], np.arange(64)[::-1]), lambda: H.permute(HX[0], np.arange(64))),
    ("HRR.shift", "x"): (lambda: H.shift(HX[0]), lambda: H.shift(HX[1])),
    ("HRR.shift", "k"): (lambda: H.shift(HX[0]), lambda: H.shift(HX[0], k=2)),
    ("HRR.cosine", "a"): (lambda: H.cosine(HX[0], HX[2]), lambda: H.cosine(HX[1], HX[2])),
    ("HRR.cosine", "b"): (lambda: H.cosine(HX[0], HX[2]), lambda: H.cosine(HX[0], HX[3])),
    ("Cleanup", "items"): (lambda: am.Cleanup(HV[:5]).run(HX), lambda: am.Cleanup(HV[5:10]).run(HX)),
    ("Cleanup", "model"): (lambda: am.Cleanup(HV).run(HV, seed=1), lambda: am.Cleanup(HV, "hopfield").run(HV, seed=1)),
    ("Cleanup", "rule"): (lambda: am.Cleanup(HV, "hopfield").run(HV, seed=1),
                          lambda: am.Cleanup(HV, "hopfield", rule="pinv").run(HV, seed=1)),
    ("Cleanup", "F"): (lambda: am.Cleanup(HV, "dense", degree=2).run(HX, seed=1),
                       lambda: am.Cleanup(HV, "dense", degree=2, F="exp").run(HX, seed=1)),
    ("Cleanup", "degree"): (lambda: am.Cleanup(HV, "dense", degree=2).run(HX, seed=1),
                            lambda: am.Cleanup(HV, "dense", degree=5).run(HX, seed=1)),
    ("Cleanup.run", "cues"): (lambda: am.Cleanup(HV).run(HV[0]), lambda: am.Cleanup(HV).run(HV[1])),
    ("Cleanup.run", "seed"): (lambda: am.Cleanup(HV, "hopfield").run(H.random(40, rng=5), seed=1),
                              lambda: am.Cleanup(HV, "hopfield").run(H.random(40, rng=5), seed=2)),
})
SAME.update({
    ("Concepts.recall", "threads"): (lambda: cmem().recall(np.tile(CW, (300, 1)), "word", to="img", k=2, threads=1),
                                     lambda: cmem().recall(np.tile(CW, (300, 1)), "word", to="img", k=2, threads=2)),
    ("Concepts.activation", "threads"): (lambda: cmem().activation(np.tile(CW, (300, 1)), "word", threads=1),
                                         lambda: cmem().activation(np.tile(CW, (300, 1)), "word", threads=2)),
})
# the layers whose test files keep their own table beside their other tests
for _layer in ("t_audio", "t_words"):
    EFFECTS.update(__import__(_layer).EFFECTS)

# --- the table covers every documented parameter -----------------------------------------------------------
def c_params(qual, obj):
    """Parameter names from the signature a C function's docstring starts with, e.g. 'f(a, *, b=1 | c=2)'."""
    doc = obj.__doc__ or ""
    short = qual.split(".")[-1]
    m = re.search(re.escape(short) + r"\(([^)]*)\)", doc)
    if not m:
        return None
    names = []
    for part in re.split(r"[,|]", m.group(1)):
        part = part.strip()
        if part and part != "*":
            names.append(part.split("=")[0].strip())
    return names


documented = {}
for name in am.__all__:
    obj = getattr(am, name)
    if isinstance(obj, type):
        if issubclass(obj, BaseException):
            continue
        documented[name] = c_params(name, obj)
        for meth in dir(obj):
            f = getattr(obj, meth)
            if not meth.startswith("_") and callable(f):
                documented[name + "." + meth] = c_params(meth, f)
    elif inspect.isfunction(obj):
        documented[name] = [p for p in inspect.signature(obj).parameters]
    elif not callable(obj):
        continue  # data (am.motifs, am.have_numpy): no parameters
    else:
        documented[name] = c_params(name, obj)
undocumented = sorted(k for k, v in documented.items() if v is None)
ok(not undocumented, "every function's docstring starts with its signature %s" % undocumented)
table = set(EFFECTS) | set(SAME)
missing = sorted((f, p) for f, ps in documented.items() for p in (ps or []) if (f, p) not in table)
extra = sorted(k for k in table if k[0] not in documented or k[1] not in (documented[k[0]] or []))
ok(not missing, "every documented parameter has a row in the table %s" % missing)
ok(not extra, "every row of the table is a documented parameter %s" % extra)

# --- every row ---------------------------------------------------------------------------------------------------
have_gnuplot = shutil.which("gnuplot") is not None
for (f, p), (base, changed) in sorted(EFFECTS.items()):
    if f == "plot" and not have_gnuplot:
        skip("%s(%s=...) changes the result" % (f, p), "gnuplot is not installed")
        continue
    try:
        a, b = base(), changed()
        good = not same(a, b)
        if not good:
            print("# both gave %r" % (a,))
    except Exception as e:  # noqa: BLE001
        print("# raised %r" % e)
        good = False
    ok(good, "%s(%s=...) changes the result" % (f, p))
for (f, p), (one, two) in sorted(SAME.items()):
    try:
        good = same(one(), two())
    except Exception as e:  # noqa: BLE001
        print("# raised %r" % e)
        good = False
    ok(good, "%s(%s=...) is accepted and leaves the result unchanged" % (f, p))

if __name__ == "__main__":
    import tap
    sys.exit(tap.done())
