#!/usr/bin/env python3
"""Ctrl-C during every call of `am` that can run long: a child process starts the call, gets SIGINT 0.3 s later (or
the case's own delay) and must raise KeyboardInterrupt within LIMIT seconds (generous for a loaded two-core
machine; the calls poll every 50 ms), after which the objects it used still work. Before the cancel hook
(am/cancel.h) these calls ran to their end with the signal pending."""
import os
import signal
import subprocess
import sys
import threading
import time

from tap import ok

SANITIZED = "address" in os.environ.get("AM_SANFLAGS", "")
# Under AddressSanitizer the work between two polls takes several times longer (and the machine is shared):
# the answer is still checked, with room for that.
LIMIT = 10.0 if SANITIZED else 1.0

# name: (setup, the long call, a check after the interrupt that prints "usable")
CASES = {
    "Store.recall (one cue, 2**32 Glauber sweeps)": (
        "s = am.Store('hopfield', n=400); s.add(am.patterns('random', 20, 400, rng=1))\n"
        "cue = am.patterns('random', 1, 400, rng=2)[0]",
        "s.recall(cue, dynamics='glauber', T=0.5, max_steps=2**32 - 1)",
        "s.recall(cue)[1].end == 'fixed'"),
    "Store.recall (a monitor: the GIL held)": (
        "s = am.Store('hopfield', n=400); s.add(am.patterns('random', 20, 400, rng=1))\n"
        "cue = am.patterns('random', 1, 400, rng=2)[0]",
        "s.recall(cue, dynamics='glauber', T=0.5, max_steps=2**32 - 1, monitor=lambda e: None)",
        "s.recall(cue)[1].end == 'fixed'"),
    "Store.recall (a batch of 4000 cues, dense store)": (
        "s = am.Store('dense', n=400, degree=3); s.add(am.patterns('random', 60, 400, rng=1))\n"
        "cues = am.patterns('random', 4000, 400, rng=2)",
        "s.recall(cues, dynamics='glauber', T=0.5, max_steps=10**6)",
        "s.count == 60"),
    # SIGINT 0.1 s in: while the cues are converted (before, through a 1.6 GB float64 copy that took 1.3-4 s
    # with the GIL held and no signal checked)
    "Store.recall (200,000 x 1000 int8 cues, 200 MB, SIGINT early)": (
        "s = am.Store('hopfield', n=1000); P = am.patterns('random', 100, 1000, rng=1)\n"
        "s.add(P); cues = np.repeat(P, 2000, axis=0)",
        "s.recall(cues, rng=1)",
        "s.count == 100 and s.recall(cues[:2], rng=1)[0].shape == (2, 1000)",
        0.1),
    "Store.recall (modern store, 20000 cues)": (
        "s = am.Store('modern', n=256, beta=0.5); s.add(np.random.default_rng(1).standard_normal((2000, 256)))\n"
        "cues = np.random.default_rng(2).standard_normal((20000, 256))",
        "s.recall(cues, max_steps=10**6)",
        "s.count == 2000"),
    # 10**9 units drawn one by one, then unpacked into a 1 GB array: before, 20-30 s deaf to Ctrl-C
    "patterns (biased, 10**6 x 1000)": ("", "am.patterns('biased:0.5', 10**6, 1000, rng=1)",
                                        "am.patterns('biased:0.5', 2, 10, rng=1).shape == (2, 10)"),
    "patterns (random, 10**6 x 1000: a 1 GB array unpacked)": (
        "", "am.patterns('random', 10**6, 1000, rng=1)", "am.patterns('random', 2, 10, rng=1).shape == (2, 10)"),
    "Store.stability (dense store of 3000 patterns)": (
        "s = am.Store('dense', n=600, degree=3); s.add(am.patterns('random', 3000, 600, rng=1))",
        "s.stability()",
        "s.count == 3000"),
    "Store.add (Storkey rule, 2000 patterns of 3000 units)": (
        "s = am.Store('hopfield', n=3000, rule='storkey'); p = am.patterns('random', 2000, 3000, rng=1)",
        "s.add(p)",
        "0 < s.count < 2000 and s.recall(p[0])[0].shape == (3000,)"),
    "Store.replay (seq-dense, n=2000, 10**7 steps)": (
        "s = am.Store('seq-dense', n=2000); s.add(am.patterns('random', 50, 2000, rng=1), cyclic=True)",
        "s.replay(s.patterns[0], 10**7, states=False, overlaps=False)",
        "s.replay(s.patterns[0], 3).transitions == 3"),
    "Store.replay (states and overlaps kept, 2*10**5 steps)": (
        "s = am.Store('seq-dense', n=2000); s.add(am.patterns('random', 50, 2000, rng=1), cyclic=True)",
        "s.replay(s.patterns[0], 2 * 10**5)",
        "s.replay(s.patterns[0], 3).states.shape == (4, 2000)"),
    # 10 s in all; the library polls between blocks of 64 elements, 0.1 s each here (a block's work grows with
    # count x n: 0.66 s at 20000 elements of 1000 units)
    "Store.transitions (seq-dense, 6400 elements of 500 units)": (
        "s = am.Store('seq-dense', n=500); s.add(am.patterns('random', 6400, 500, rng=1), cyclic=True)",
        "s.transitions()",
        "s.count == 6400 and s.sequences == [(0, 6400, True)]"),
    "capacity (1 thread)": ("", "am.capacity([150], n=1000, trials=10**5, threads=1)", "True"),
    "capacity (2 threads)": ("", "am.capacity([150], n=1000, trials=10**5, threads=2)", "True"),
    "Autoencoder.train": (
        "x = np.random.default_rng(0).random((20000, 256)).astype(np.float32)\n"
        "ae = am.Autoencoder([256, 128, 32, 128, 256], rng=1)",
        "ae.train(x, epochs=10**6, threads=1)",
        "ae.encode(x[:3]).shape == (3, 32) and ae.steps > 0"),
    "Autoencoder.train (2 threads)": (
        "x = np.random.default_rng(0).random((20000, 256)).astype(np.float32)\n"
        "ae = am.Autoencoder([256, 128, 32, 128, 256], rng=1)",
        "ae.train(x, epochs=10**6, threads=2)",
        "ae.encode(x[:3]).shape == (3, 32)"),
    "CNN.train": (
        "x = np.random.default_rng(0).random((2000, 784)).astype(np.float32); y = np.arange(2000) % 10\n"
        "n = am.CNN('1x28x28', 'conv8k3p1,bn,relu,maxpool2,flat,fc10', rng=1)",
        "n.train(x, y, epochs=10**6, threads=1)",
        "n.encode(x[:3]).shape == (3, 1568) and n.steps > 0"),
    "CNN.encode (2 threads)": (
        "x = np.random.default_rng(0).random((20000, 784)).astype(np.float32)\n"
        "n = am.CNN('1x28x28', 'conv32k3p1,relu,conv32k3p1,relu,maxpool4,code,flat,fc10', rng=1)",
        "[n.encode(x) for _ in range(10**6)]",
        "n.encode(x[:3]).shape == (3, 1568)"),
    "PCA (40000 x 1200)": (
        "x = np.random.default_rng(0).random((40000, 1200), dtype=np.float32)",
        "am.PCA(x, 10)",
        "am.PCA(x[:50, :20], 3).components.shape == (3, 20)"),
    "SNN.run": (
        "n = am.SNN(); n.add(2000, drive=12, synapse='current', v0_sd=4)\n"
        "n.connect(0, 2000, 0, 2000, p=0.05, weight=0.2)",
        "n.run(2**62)",
        "n.t > 0 and n.spike_counts.sum() > 0 and n.run(10) is None"),
    "SNN.run (2 threads, spikes kept)": (
        "n = am.SNN(); n.add(2000, drive=12, synapse='current', v0_sd=4)",
        "n.run(2**62, spikes=True, threads=2)",
        "n.t > 0"),
    "graded_run": (
        "r = np.random.default_rng(0); w = r.standard_normal((800, 800)).astype(np.float32); w = (w + w.T) / 2\n"
        "np.fill_diagonal(w, 0)",
        "am.graded_run(w, np.full(800, 0.01, np.float32), beta=0.01, dt=0.001, steps=10**7)",
        "True"),
    # the audio front-end and the word layer (t_audio.py, t_words.py): the library polls every 64 frames or words
    "STFT.griffin_lim (2000 frames, 10**6 iterations)": (
        "s = am.STFT(mels=0); m = s.magnitude(np.random.default_rng(0).standard_normal(512000).astype(np.float32))",
        "s.griffin_lim(m, iters=10**6)",
        "s.griffin_lim(m[:3], iters=1).shape == (s.span(3),)"),
    "STFT.features_to_wav (10**6 iterations: no file written)": (
        "import os, tempfile; p = os.path.join(tempfile.mkdtemp(), 'x.wav'); s = am.STFT()\n"
        "f = s.features(np.random.default_rng(0).standard_normal(512000).astype(np.float32))",
        "s.features_to_wav(f, p, iters=10**6)",
        "not os.path.exists(p) and os.listdir(os.path.dirname(p)) == []"),
    "resample (10**7 samples to 44.1 kHz)": (
        "x = np.random.default_rng(0).standard_normal(10**7).astype(np.float32)",
        "am.resample(x, 16000, 44100)",
        "am.resample(x[:100], 16000, 8000).shape == (50,)"),
    "WordEncoder.encode and Lexicon (2*10**5 words of dim 4096)": (
        "e = am.WordEncoder(4096, seed=1); w = ['w%d' % i for i in range(2 * 10**5)]",
        "am.Lexicon(e, w)",
        "e.encode('dog').shape == (4096,)"),
    "Engram.train (10**6 epochs)": (
        "c = am.MelodyCode('pitchclass', repeat=1); t = am.read_abc(text='X:1\\nK:C\\nCDEF GABc|cBAG FEDC|]\\n')[0]\n"
        "q = np.tile(c.encode(t), (20, 1)); g = am.Engram(c.units, hidden=512)",
        "g.train([q] * 10, 10**6)",
        "g.predict(q[0]).shape == (c.units,) and g.train([q], 1).shape == (1, 3)"),
    "sequence_familiarity (500 sequences of 200 x 500: 10 s)": (
        "s = am.Store('seq-dense', n=500, degree=2); p = am.patterns('random', 200, 500, rng=1); s.add(p)",
        "am.sequence_familiarity(s, [p] * 500)",
        "am.sequence_familiarity(s, [p[:5]]).shape == (1,)"),
    "familiarity (10**6 cues, overlap)": (
        "s = am.Store('hopfield', n=400); s.add(am.patterns('random', 2000, 400, rng=1))\n"
        "cues = am.patterns('random', 10**5, 400, rng=2)",
        "[am.familiarity(s, cues, score='overlap') for _ in range(10)]",
        "am.familiarity(s, cues[:3]).shape == (3,)"),
    # the concept layer: recall in chunks of 2048 cues, observe between rows, with cancel polls
    "Concepts.recall (200,000 cues, 3000 concepts)": (
        "r = np.random.default_rng(1); X = r.standard_normal((3000, 64)).astype(np.float32)\n"
        "c = am.Concepts([('a', 64), ('b', 64)]); c.observe({'a': X, 'b': X}, [str(i) for i in range(3000)])\n"
        "Q = r.standard_normal((200000, 64)).astype(np.float32)",
        "c.recall(Q, 'a', to='b', k=5)",
        "c.recall(Q[:2], 'a').concepts.shape == (2, 1) and c.count == 3000"),
    "Concepts.observe (10**5 rows, each a new concept)": (
        "c = am.Concepts([('a', 32, 0.0)]); X = np.random.default_rng(1).standard_normal((10**5, 32)).astype(np.float32)",
        "c.observe({'a': X})",
        "c.count >= 1 and c.observe({'a': X[0]}) == 0"),
    "HRR.encode (40 roles, 50,000 rows of 512)": (
        "h = am.HRR(512); R = h.random(40, rng=1); X = h.random(50000, rng=2)",
        "h.encode(R, [X] * 40)",
        "h.encode(R[:2], [X[0], X[1]]).shape == (512,)"),
    # 82 million normal draws (2.7-5 s), before with the GIL held throughout
    "HRR.random (20,000 rows of 4096)": (
        "h = am.HRR(4096); r = am.Rng(1)",
        "h.random(20000, rng=r)",
        "h.random(2, rng=r).shape == (2, 4096)"),
    "HRR.random (unitary, 20,000 rows of 4096)": (
        "h = am.HRR(4096)",
        "h.random(20000, rng=1, unitary=True)",
        "h.random(2, rng=1, unitary=True).shape == (2, 4096)"),
}

CHILD = """import sys, time
import numpy as np
import am
{setup}
print("go", flush=True)
try:
    {call}
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    print("usable" if ({check}) else "broken", flush=True)
"""


def run_case(setup, call, check, delay=0.3):
    """(seconds from SIGINT to KeyboardInterrupt or None, the child's last lines). A child that does not answer is
    killed after a while (the old module ran these calls to their end, some for ever)."""
    p = subprocess.Popen([sys.executable, "-c", CHILD.format(setup=setup, call=call, check=check)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killer = threading.Timer(90 if SANITIZED else 30, p.kill)
    killer.start()
    try:
        line = p.stdout.readline()
        dt = None
        if line.strip() == "go":
            time.sleep(delay)
            t0 = time.monotonic()
            p.send_signal(signal.SIGINT)
            line = p.stdout.readline()  # "interrupted", or "finished"/nothing when the call ignored the signal
            if line.strip() == "interrupted":
                dt = time.monotonic() - t0
            else:
                p.kill()
        out, err = p.stdout.read(), p.stderr.read()  # through the buffers readline filled (not communicate())
        p.wait()
    finally:
        killer.cancel()
    return dt, (line + out + err).strip().splitlines()[-3:]


for name, case in CASES.items():
    dt, tail = run_case(*case)
    # Answered late, or before the call made its first step (a check wants steps > 0): again, with a longer
    # delay, in case the machine was busy (make check runs two test files at a time; the sanitizers slow every
    # step). A call deaf to Ctrl-C is late every time, and one that breaks its object is broken every time.
    for delay in (1.0, 3.0):
        if dt is None or (dt < LIMIT and tail and tail[-1] == "usable"):
            break
        dt, tail = run_case(*case, delay=delay)
    good = dt is not None and dt < LIMIT and tail and tail[-1] == "usable"
    if not good:
        print("# " + "\n# ".join(tail))
    ok(good, "Ctrl-C during %s: KeyboardInterrupt after %s s (< %g), the objects still usable"
       % (name, "%.3f" % dt if dt is not None else "never", LIMIT))

if __name__ == "__main__":
    import tap
    sys.exit(tap.done())
