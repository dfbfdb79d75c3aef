#!/usr/bin/env python3
"""am.CNN: convolutional classifier-encoders and autoencoders trained in C (am/cnn.h) — shapes, learning a
task only convolutions see at once, codes, the same bytes for a seed at any thread count, files, and every
wrong argument raising with its name."""
import os
import tempfile
import threading
import time

import numpy as np

import am
from tap import ok

tmp = tempfile.mkdtemp(prefix="am-cnn-")


def blobs(n, rng, size=8):
    """n one-channel size x size images: a bright 2 x 2 blob at a random place in one of three horizontal bands
    (the class), on noise; a task whose class does not sit on fixed pixels."""
    r = np.random.default_rng(rng)
    x = r.random((n, size, size)).astype(np.float32) * 0.3
    y = np.arange(n) % 3
    band = size // 3
    for i in range(n):
        top = y[i] * band + r.integers(0, band - 1)
        left = r.integers(0, size - 1)
        x[i, top:top + 2, left:left + 2] = 1.0
    return x.reshape(n, size * size), y


X, Y = blobs(600, 1)
XT, YT = blobs(300, 2)
LAYERS = "conv8k3p1,bn,relu,maxpool2,conv16k3p1,relu,maxpool2,flat,fc12,relu,fc3"

net = am.CNN("1x8x8", LAYERS, rng=1)
ok(net.input_dim == 64 and net.output_dim == 3 and net.code_dim == 12 and net.loss == "xent",
   "CNN('1x8x8', ...): input 64, 3 classes, a 12-d code (the penultimate layer), loss xent")
# parameters: conv 9*1*8+8, bn 8+8, conv 9*8*16+16, fc 64*12+12 (16 channels x 2 x 2 = 64 in), fc 12*3+3
ok(net.macs > 0 and "conv8k3p1" in repr(net), "repr %s; %.0f multiply-adds per row" % (repr(net)[:60], net.macs))
before = net.evaluate(XT, YT)
losses = net.train(X, Y, epochs=6, batch=32, lr=3e-3, rng=1)
after = net.evaluate(XT, YT)
ok(losses.shape == (6,) and losses[-1] < losses[0] / 2, "train: six epoch losses, falling (%.3f -> %.3f)"
   % (losses[0], losses[-1]))
ok(after.accuracy >= 0.9 and after.accuracy > before.accuracy + 0.3,
   "held-out accuracy %.3f after training (%.3f before; chance 0.33)" % (after.accuracy, before.accuracy))
s = net.forward(XT)
ok(s.shape == (300, 3) and s.dtype == np.float32, "forward: float32 class scores")
ok(abs(after.accuracy - float((s.argmax(1) == YT).mean())) < 1e-12, "evaluate's accuracy is that of the largest scores")
ok(net.forward(XT[0]).shape == (3,) and net.encode(XT[0]).shape == (12,), "one row (1-D): a 1-D score and code")
z = net.encode(XT)
means = np.stack([z[:150][YT[:150] == k].mean(0) for k in range(3)])
nearest = np.argmin(((z[150:, None, :] - means[None]) ** 2).sum(-1), 1)
ok(z.shape == (300, 12) and (nearest == YT[150:]).mean() >= 0.85,
   "the codes separate the classes: nearest class mean %.3f on other rows" % (nearest == YT[150:]).mean())
ok(net.steps == 6 * 19, "steps: %d (6 epochs of 19 batches)" % net.steps)

# the same bytes for a seed, at any thread count; files
paths = []
for t in (1, 2):
    n2 = am.CNN("1x8x8", LAYERS, rng=1)
    n2.train(X, Y, epochs=1, batch=32, lr=3e-3, rng=1, threads=t)
    paths.append(os.path.join(tmp, "t%d.cnn" % t))
    n2.save(paths[-1])
b1, b2 = (open(p, "rb").read() for p in paths)
ok(b1 == b2 and len(b1) > 4 * 2083, "one epoch at 1 and 2 threads: the same model bytes (%d)" % len(b1))
n3 = am.CNN("1x8x8", LAYERS, rng=2)
n3.train(X, Y, epochs=1, batch=32, lr=3e-3, rng=1)
n3.save(os.path.join(tmp, "s2.cnn"))
ok(open(os.path.join(tmp, "s2.cnn"), "rb").read() != b1, "another seed: other bytes")
net.save(os.path.join(tmp, "net.cnn"))
back = am.CNN.load(os.path.join(tmp, "net.cnn"))
ok(np.array_equal(back.forward(XT), net.forward(XT)) and back.code_dim == 12 and back.steps == 0,
   "save / load: the same outputs (batch norm's running statistics kept)")
with open(os.path.join(tmp, "bad.cnn"), "wb") as f:
    f.write(b1[: len(b1) // 2])
for name, path in [("truncated", os.path.join(tmp, "bad.cnn")), ("missing", os.path.join(tmp, "none.cnn"))]:
    try:
        am.CNN.load(path)
        ok(False, "load of a %s file raises" % name)
    except (am.Error, OSError) as e:
        ok(path in str(e) or "none.cnn" in str(e), "load of a %s file raises, naming it: %s" % (name, str(e)[:90]))

# training continues with the optimiser's state (same settings), from another thread the object is busy
more = net.train(X, Y, epochs=1, batch=32, lr=3e-3, rng=3)
ok(more.shape == (1,) and net.steps == 6 * 19 + 19, "a second train() call continues (steps %d)" % net.steps)
errs = []
big = np.repeat(X, 20, axis=0)
bigy = np.repeat(Y, 20)
started, failed = threading.Event(), []


def busy():
    started.set()
    try:
        net.train(big, bigy, epochs=2, batch=32, rng=4)
    except Exception as e:  # noqa: BLE001
        failed.append(e)


th = threading.Thread(target=busy)
th.start()
started.wait()
time.sleep(0.05)  # the training has marked the network as written
for _ in range(200):
    try:
        net.encode(XT)
    except RuntimeError as e:
        errs.append(str(e))
        break
th.join()
ok(errs and "training in another thread" in errs[0] and not failed,
   "a call during training in another thread raises: %s" % (errs[0] if errs else "nothing raised"))

# a convolutional autoencoder; a 1-D network over channels x steps
ae = am.CNN("1x8x8", "conv8k3p1,relu,maxpool2,flat,fc10,code,fc64,view4x4x4,up2,conv1k3p1,sigmoid", "bce", rng=1)
e0 = ae.evaluate(XT)
al = ae.train(X, epochs=5, batch=32, lr=3e-3, rng=1)
e1 = ae.evaluate(XT)
ok(ae.code_dim == 10 and ae.output_dim == 64 and al[-1] < al[0] and e1.mse < e0.mse,
   "autoencoder (bce, a 10-d code, upsampling decoder): loss %.4f -> %.4f, held-out mse %.4f -> %.4f"
   % (al[0], al[-1], e0.mse, e1.mse))
zz = ae.encode(XT)
ok(zz.shape == (300, 10) and np.array_equal(ae.decode(zz), ae.forward(XT)), "decode(encode(x)) = forward(x)")
seq = am.CNN("4x16", "conv6k3p1,relu,maxpool2,flat,fc3", rng=1)
xs = np.random.default_rng(3).random((30, 64)).astype(np.float32)
ok(seq.input_dim == 64 and seq.code_dim == 48 and seq.forward(xs).shape == (30, 3),
   "'4x16': a 1-D network (4 channels x 16 steps; conv and pooling along the steps)")

# every wrong argument raises, naming it
bad = [
    ("a bad token", lambda: am.CNN("1x8x8", "conv8k3p1,maxpool0,fc3"), ValueError, "maxpool0"),
    ("an unknown token", lambda: am.CNN("1x8x8", "conv8k3p1,dance,fc3"), ValueError, "dance"),
    ("a bad input shape", lambda: am.CNN("1x8xq", "fc3"), ValueError, "1x8xq"),
    ("input of zero", lambda: am.CNN("1x0x8", "fc3"), ValueError, "1x0x8"),
    ("input not a str", lambda: am.CNN((1, 8, 8), "fc3"), TypeError, "must be str"),
    ("layers an int", lambda: am.CNN("1x8x8", 3), TypeError, "must be str"),
    ("a bad loss", lambda: am.CNN("1x8x8", "fc3", loss="hinge"), ValueError, "hinge"),
    ("x of another width", lambda: net.encode(np.zeros((2, 63))), ValueError, "64"),
    ("NaN in x", lambda: net.forward(np.full((2, 64), np.nan)), ValueError, "CNN.forward"),
    ("train without labels", lambda: net.train(X), ValueError, "labels"),
    ("too few labels", lambda: net.train(X, Y[:5]), ValueError, "5 labels"),
    ("a label out of range", lambda: net.train(X, np.full(600, 3)), ValueError, "labels[0] = 3"),
    ("a negative label", lambda: net.evaluate(X, np.full(600, -1)), ValueError, "labels[0] = -1"),
    ("fractional labels", lambda: net.train(X, Y + 0.5), TypeError, "labels"),
    ("labels for an autoencoder", lambda: ae.train(X, Y), ValueError, "labels= applies to a classifier"),
    ("decode of a classifier", lambda: net.decode(np.zeros((1, 12))), ValueError, "no decoder"),
    ("no rows", lambda: net.train(np.zeros((0, 64)), np.zeros(0, int)), ValueError, "no rows"),
    ("epochs 0", lambda: net.train(X, Y, epochs=0), ValueError, "epochs"),
    ("batch 0", lambda: net.train(X, Y, batch=0), ValueError, "batch"),
    ("lr 0", lambda: net.train(X, Y, lr=0), ValueError, "lr"),
    ("lr NaN", lambda: net.train(X, Y, lr=float("nan")), ValueError, "lr"),
    ("a step size that diverges", lambda: am.CNN("1x8x8", LAYERS, rng=1).train(X[:8], Y[:8], lr=1e30), am.Error,
     "finite"),
    ("threads -1", lambda: net.train(X, Y, threads=-1), OverflowError, "threads"),
    ("a method of an uninitialised net", lambda: am.CNN.__new__(am.CNN).encode(X), RuntimeError,
     "not initialised"),
    ("init twice", lambda: net.__init__("1x8x8", "fc3"), ValueError, "once"),
]
for name, fn, exc, text in bad:
    try:
        fn()
        ok(False, "%s raises %s" % (name, exc.__name__))
    except exc as e:
        ok(text in str(e), "%s raises %s: %s" % (name, exc.__name__, str(e)[:100]))
    except Exception as e:  # noqa: BLE001
        ok(False, "%s raises %s, not %s: %s" % (name, exc.__name__, type(e).__name__, e))
acc = net.evaluate(XT, YT).accuracy
ok(acc >= 0.9, "the network still works after the errors (held-out accuracy %.3f)" % acc)

if __name__ == "__main__":
    import tap
    import sys
    sys.exit(tap.done())
