#!/usr/bin/env python3
"""am.HRR and am.Cleanup: holographic reduced representations (bind, unbind, unitary, encode, bundle, permute,
shift, involution, cosine, random) checked against numpy's FFT, and clean-up through every store type; wrong
shapes, NaN, wrong types and huge sizes raise."""
import threading
import time

import numpy as np

import am
from tap import ok, raises

D = 256
h = am.HRR(D)
ok(h.dim == D and repr(h) == "<am.HRR dim=256>", "HRR(dim)")


def conv(a, b):
    return np.real(np.fft.ifft(np.fft.fft(a.astype(np.float64)) * np.fft.fft(b.astype(np.float64))))


def corr(a, t):
    return np.real(np.fft.ifft(np.conj(np.fft.fft(a.astype(np.float64))) * np.fft.fft(t.astype(np.float64))))


# --- random ---------------------------------------------------------------------------------------------------------
x = h.random(rng=1)
X = h.random(500, rng=2)
ok(x.shape == (D,) and x.dtype == np.float32 and X.shape == (500, D), "random: one vector, or rows")
ok(abs(X.var() * D - 1) < 0.05 and abs(X.mean()) < 0.01, "random: N(0, 1/dim) components (var x dim %.3f)" % (X.var() * D))
ok(np.array_equal(h.random(3, rng=5), h.random(3, rng=5)) and not np.array_equal(h.random(3, rng=5), h.random(3, rng=6)),
   "random: reproducible from the seed")
g = am.Rng(9)
ok(not np.array_equal(h.random(rng=g), h.random(rng=g)), "random: an am.Rng advances")
# row by row: one call gives the rows of several smaller calls on the same stream, across chunk boundaries (1024
# rows of 4096 floats)
for dim, rows, split in [(D, 7, (2, 5)), (33, 5, (1, 1, 3)), (4096, 2500, (1000, 1500))]:
    hd = am.HRR(dim)
    r1, r2 = am.Rng(4), am.Rng(4)
    ok(np.array_equal(hd.random(rows, rng=r1), np.concatenate([hd.random(k, rng=r2) for k in split])) and
       np.array_equal(hd.random(rng=r1), hd.random(rng=r2)), "random(%d) of dim %d: the rows of calls for %s rows, "
       "the stream then in the same place" % (rows, dim, split))
# both deviates of each polar pair are used: adjacent components (a pair) uncorrelated, as any two
Z = am.HRR(64).random(20000, rng=7).astype(np.float64) * 8
ok(abs(np.corrcoef(Z[:, 0], Z[:, 1])[0, 1]) < 0.03 and abs(np.corrcoef(Z[:, 1], Z[:, 2])[0, 1]) < 0.03 and
   abs(Z.var() - 1) < 0.01 and abs(np.mean(Z ** 4) - 3) < 0.05,
   "random: components uncorrelated within and across pairs, variance 1/dim, kurtosis 3 (normal)")
# a seed's own stream is drawn with the GIL released: another thread runs meanwhile (before: held for the call)
done, ticks = threading.Event(), [0]


def drawer():
    am.HRR(4096).random(6000, rng=1)
    done.set()


th = threading.Thread(target=drawer)
th.start()
time.sleep(0.05)
while not done.is_set():
    ticks[0] += 1
    time.sleep(0.001)
th.join()
ok(ticks[0] > 20, "random(rng=seed) releases the GIL: another thread ran %d times during it" % ticks[0])
U = h.random(4, rng=3, unitary=True)
ok(np.allclose(np.abs(np.fft.fft(U.astype(np.float64), axis=1)), 1, atol=1e-4), "random(unitary=True): |F| = 1")

# --- bind, unbind, unitary, involution ------------------------------------------------------------------------------
a, b = X[0], X[1]
t = h.bind(a, b)
ok(np.allclose(t, conv(a, b), atol=1e-5), "bind is circular convolution")
ok(np.allclose(h.bind(X[:10], X[10:20]), np.stack([conv(X[i], X[10 + i]) for i in range(10)]), atol=1e-5),
   "bind of rows pairs them")
ok(np.array_equal(h.bind(a, X[:10])[3], h.bind(a, X[3])) and np.array_equal(h.bind(X[:10], a)[3], h.bind(X[3], a)),
   "a 1-D argument binds with every row, the same bits as alone")
ok(np.allclose(h.unbind(t, a), corr(a, t), atol=1e-5), "unbind is circular correlation")
ok(h.cosine(h.unbind(t, a), b) > 0.5, "unbinding gives back a noisy filler")
ex = h.unbind(h.bind(U[0], b), U[0], exact=True)
ok(np.allclose(ex, b, atol=1e-4), "unbind exact=True with a unitary key is exact")
ok(np.allclose(h.unbind(h.bind(a, b), a, exact=True), b, atol=1e-2), "the exact inverse of a random key")
raises(am.Error, lambda: h.unbind(t, np.zeros(D, np.float32), exact=True), "exact unbinding by zero raises",
       text="vanishing")
uu = h.unitary(a)
ok(np.allclose(np.abs(np.fft.fft(uu.astype(np.float64))), 1, atol=1e-4) and h.unitary(X[:3]).shape == (3, D),
   "unitary projects to |F| = 1")
inv = h.involution(a)
ok(inv[0] == a[0] and np.array_equal(inv[1:], a[1:][::-1]), "involution: x_(-i mod dim)")
ok(np.allclose(h.bind(h.involution(a), t), h.unbind(t, a), atol=1e-5), "unbind = bind with the involution")

# --- encode, bundle, permute, shift, cosine ------------------------------------------------------------------------
roles = h.random(3, rng=4, unitary=True)
items = [X[5], X[100:110], X[6]]
tr = h.encode(roles, items)
want = np.stack([conv(roles[0], X[5]) + conv(roles[1], X[100 + i]) + conv(roles[2], X[6]) for i in range(10)])
ok(tr.shape == (10, D) and np.allclose(tr, want, atol=1e-4), "encode: sum of role (*) item, items broadcast or rows")
ok(h.encode(roles, [X[5], X[6], X[7]]).shape == (D,), "encode of single items is one trace")
ok(h.encode(roles, X[5:8]).shape == (D,), "items as a 2-D array: one item per row")
bu = h.bundle(X[:4])
ok(np.allclose(bu, X[:4].sum(0), atol=1e-5), "bundle sums rows")
ok(np.allclose(h.bundle(X[:4], [1, 0, 0, 2]), X[0] + 2 * X[3], atol=1e-5), "bundle with weights")
ok(abs(np.linalg.norm(h.bundle(X[:4], normalise=True)) - 1) < 1e-5, "bundle normalise=True: length 1")
perm = np.random.default_rng(0).permutation(D)
ok(np.array_equal(h.permute(a, perm), a[perm]) and np.array_equal(h.permute(X[:3], perm), X[:3][:, perm]),
   "permute: x[perm]")
ok(np.array_equal(h.shift(a, 3), np.roll(a, 3)) and np.array_equal(h.shift(a), np.roll(a, 1)) and
   np.array_equal(h.shift(a, -2 - 5 * D), np.roll(a, -2)) and np.array_equal(h.shift(a, 2 ** 62), np.roll(a, 2 ** 62 % D)),
   "shift: a cyclic roll by any integer")
ok(abs(h.cosine(a, a) - 1) < 1e-12 and h.cosine(a, np.zeros(D)) == 0.0, "cosine: 1 with itself, 0 with zero")
cc = h.cosine(X[:5], a)
ok(cc.shape == (5,) and cc.dtype == np.float64 and abs(cc[0] - 1) < 1e-12, "cosine of rows against one vector")
big = h.random(20000, rng=8)
ok(np.array_equal(h.bind(big, a)[19999], h.bind(big[19999], a)), "20000 rows (several chunks) give each row's bits")

# --- clean-up -------------------------------------------------------------------------------------------------------
V = h.random(50, rng=11)
cl = am.Cleanup(V)
ok(cl.size == 50 and len(cl) == 50 and cl.dim == D and cl.model.startswith("modern"), "Cleanup(items): modern store")
noisy = V + 0.5 * h.random(50, rng=12)
ok(list(cl.run(noisy)) == list(range(50)), "clean-up finds every item from a noisy copy")
ok(cl.run(noisy[7]) == 7, "one cue gives one index")
ok(cl.run(h.unbind(h.bind(roles[0], V[9]), roles[0])) == 9, "bind, unbind, clean up: the filler comes back")
for model, kw in (("hopfield", {}), ("hopfield", {"rule": "storkey"}), ("dense", {"degree": 3, "F": "poly"})):
    cb = am.Cleanup(V[:5], model, **kw)
    got = cb.run(V[:5] + 0.2 * h.random(5, rng=13), seed=1)
    ok(list(got) == list(range(5)) and model in cb.model, "Cleanup(model=%r, %r) cleans up 5 items" % (model, kw))
many = am.Cleanup(V, "hopfield")
ok(np.mean(many.run(noisy, seed=1) == np.arange(50)) < 1, "a hopfield store past its capacity answers wrongly")

# --- what must raise ------------------------------------------------------------------------------------------------
for dim in (0, -1, 2 ** 25, 2 ** 70):
    raises((ValueError, OverflowError), lambda: am.HRR(dim), "HRR(%d) raises" % dim)
raises(TypeError, lambda: am.HRR("256"), "HRR('256') raises TypeError")
raises(ValueError, lambda: am.HRR(8, planning="fast"), "an unknown planning", text="planning")
raises(ValueError, lambda: h.bind(a[:10], b), "a vector of the wrong dimension", text="256")
raises(ValueError, lambda: h.bind(X[:3], X[:4]), "rows that disagree", text="rows")
raises(ValueError, lambda: h.bind(np.full(D, np.nan), b), "NaN")
raises(ValueError, lambda: h.bind(np.full(D, np.inf), b), "inf")
raises(TypeError, lambda: h.bind("abc", b), "a str")
raises(TypeError, lambda: h.bind(None, b), "None")
raises(ValueError, lambda: h.bind(np.zeros((2, 2, D)), b), "a 3-D array")
raises(TypeError, lambda: h.unbind(t, a, True), "exact is keyword-only")
raises((ValueError, OverflowError, MemoryError), lambda: h.random(2 ** 62), "random of 2**62 rows")
raises((ValueError, OverflowError), lambda: h.random(-1), "random of -1 rows")
raises(TypeError, lambda: h.random(rng="x"), "an rng that is not one")
raises(ValueError, lambda: h.encode(roles, [a, b]), "fewer items than roles", text="2 items for 3 roles")
raises(ValueError, lambda: h.encode(roles, [a, X[:3], X[:4]]), "items with other rows", text="rows")
raises(ValueError, lambda: h.encode(roles[0], [a]), "1-D roles", text="roles")
raises(TypeError, lambda: h.encode(roles, "abc"), "items as a str")
raises(TypeError, lambda: h.encode(roles, 5), "items as an int")
raises(ValueError, lambda: h.bundle(X[:4], [1, 2]), "weights of the wrong length", text="weights")
raises(ValueError, lambda: h.bundle(X[:4], [1, 2, np.nan, 1]), "NaN weights")
raises(ValueError, lambda: h.permute(a, np.arange(D - 1)), "a short permutation")
raises(ValueError, lambda: h.permute(a, np.zeros(D, int)), "a permutation repeating a value", text="repeats")
raises(ValueError, lambda: h.permute(a, np.arange(D) + 1), "a permutation out of range", text="out of")
raises(ValueError, lambda: h.permute(a, np.arange(D) + 0.5), "a permutation of fractions")
raises((TypeError, OverflowError), lambda: h.shift(a, 2 ** 70), "a shift beyond int64")
raises(TypeError, lambda: h.shift(a, 1.5), "a fractional shift")
raises(ValueError, lambda: h.cosine(a, X[:3, :10]), "cosine of other dimensions")
raises(ValueError, lambda: am.Cleanup(V[0]), "Cleanup of a 1-D item")
raises(ValueError, lambda: am.Cleanup(np.zeros((0, 4), np.float32)), "Cleanup of no items")
raises(ValueError, lambda: am.Cleanup(V, "seq-dense"), "a sequence store as clean-up", text="seq-dense")
raises(ValueError, lambda: am.Cleanup(V, "nope"), "an unknown model", text="nope")
raises(TypeError, lambda: am.Cleanup(V, degree=3), "a parameter of another model", text="degree")
raises(ValueError, lambda: am.Cleanup(V, beta=2.0), "beta has no effect on the modern clean-up", text="no effect")
raises(ValueError, lambda: am.Cleanup(V, "hopfield", rule="magic"), "a bad parameter value", text="rule")
raises(TypeError, lambda: am.Cleanup(V, "hopfield", rule=[1]), "a parameter of the wrong type")
raises(TypeError, lambda: am.Cleanup(V, 5), "a model that is not a str")
raises(TypeError, lambda: am.Cleanup(V, "modern", model="dense"), "model given twice")
raises(ValueError, lambda: am.Cleanup(np.full((3, 4), np.nan)), "NaN items")
raises(ValueError, lambda: cl.run(noisy[:, :5]), "cues of the wrong dimension", text="256")
raises(ValueError, lambda: cl.run(np.full(D, np.nan)), "a NaN cue")
raises((ValueError, OverflowError), lambda: cl.run(noisy, seed=-1), "a negative seed")
e = am.HRR.__new__(am.HRR)
raises(RuntimeError, lambda: e.bind(a, b), "an uninitialised HRR raises", text="not initialised")
raises(ValueError, lambda: h.__init__(8), "an HRR is initialised once")
ec = am.Cleanup.__new__(am.Cleanup)
raises(RuntimeError, lambda: ec.run(a), "an uninitialised Cleanup raises", text="not initialised")
ok(len(ec) == 0 and "not initialised" in repr(ec), "len and repr of an uninitialised Cleanup")

if __name__ == "__main__":
    import sys

    import tap
    sys.exit(tap.done())
