#!/usr/bin/env python3
"""am.Network (am/spiking.h composed from parts): the COBA benchmark built from populations and projections gives
the spikes `spiking coba` gives with the same seed, monitors agree with each other and with the spike counts,
every keyword of population(), connect(), the monitors and run() has an effect, hostile arguments raise naming
them, objects in use raise instead of crashing, and Ctrl-C stops a run."""
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

import am
from tap import ok, raises, skip

BIN = os.environ.get("AM_BIN", "")


def coba(seed, euler=True):
    net = am.Network(0.1, method="euler" if euler else "exact", seed=seed)
    E = net.population(3200, name="E", drive=20, v0_mean=-55, v0_sd=5)
    I = net.population(800, name="I", drive=20, v0_mean=-55, v0_sd=5)
    pe = net.connect(E, [E, I], p=0.02, weight=0.6, autapses=True)
    pi = net.connect(I, [E, I], p=0.02, weight=6.7, receptor="inhibitory", autapses=True)
    return net, E, I, pe, pi


net, E, I, pe, pi = coba(3)
spikes = net.spike_monitor([E, I])
rateE = net.rate_monitor(E, bin=5)
state = net.state_monitor(I[:3], stride=10)
net.run(100)
ok(net.size == 4000 and len(E) == 3200 and I.first == 3200 and net.synapses == pe.synapses + pi.synapses
   and abs(pe.synapses / (3200 * 4000) - 0.02) < 0.001, "COBA from parts: 4000 neurons, p = 0.02 (%d synapses)"
   % net.synapses)
ok(abs(net.t - 100) < 1e-9 and len(spikes.t) > 0 and spikes.t.dtype == np.float64 and spikes.i.dtype == np.int64,
   "run(100): 100 ms, spikes as arrays (%d spikes)" % len(spikes.t))
if BIN and os.access(os.path.join(BIN, "spiking"), os.X_OK):
    with tempfile.TemporaryDirectory() as tmp:
        raster = os.path.join(tmp, "r.tsv")
        subprocess.run([os.path.join(BIN, "spiking"), "coba", "--time", "100", "--seed", "3", "--raster", raster,
                        "--raster-neurons", "4000", "--quiet", "--out", os.path.join(tmp, "o.tsv")], check=True)
        rows = np.array([[float(x) for x in line.split()] for line in open(raster)
                         if line[0].isdigit()]).reshape(-1, 2)
    ok(len(rows) == len(spikes.t) and np.allclose(rows[:, 0], spikes.t, atol=1e-6)
       and np.array_equal(rows[:, 1].astype(int), spikes.i),
       "the same spikes (times and neurons) as `spiking coba --seed 3`: the preset is these parts")
else:
    skip("the same spikes as `spiking coba`", "AM_BIN unset")
counts = np.concatenate([E.spike_counts, I.spike_counts])
ok(np.array_equal(spikes.count, counts) and np.array_equal(np.bincount(spikes.i, minlength=4000), counts),
   "spike monitor: .count and .i agree with the network's spike counts")
ok(np.all(np.diff(spikes.t) >= 0) and spikes.t.max() < 100, "spike times ascend within the run")
nE = int(E.spike_counts.sum())
ok(len(rateE.t) == 20 and np.allclose(rateE.t, np.arange(20) * 5.0)
   and abs(rateE.rate.sum() * 3200 * 5e-3 - nE) < 1e-6 * nE, "rate monitor: 20 bins of 5 ms holding E's %d spikes" % nE)
late = rateE.rate[4:].mean()
ok(5 < late < 60, "E fires at %.1f Hz after the onset (COBA: about 20 Hz; tolerance 5 .. 60)" % late)
ok(state.v.shape == (100, 3) and np.allclose(state.t, np.arange(9, 1000, 10) * 0.1) and state.v.dtype == np.float32
   and np.all(state.v >= -80) and np.all(state.v <= -50), "state monitor: every 10th step, 3 neurons, in [-80, -50] mV")
net.run(50)
ok(abs(net.t - 150) < 1e-9 and len(rateE.t) == 30 and state.v.shape == (150, 3)
   and np.array_equal(spikes.count, np.concatenate([E.spike_counts, I.spike_counts])),
   "a second run carries on; the monitors keep recording")
ok(np.array_equal(coba(3)[0].synapses, net.synapses) and coba(4)[0].synapses != net.synapses,
   "seed= draws the connections (same seed, same network)")

# every keyword has an effect (one neuron per case unless stated; rates over 200 ms)


def one(run=200.0, count=1, dt=0.1, method="exact", seed=1, **kw):
    n = am.Network(dt, method=method, seed=seed)
    p = n.population(count, **kw)
    n.run(run)
    return p


base = dict(drive=15.0, synapse="current")
rate0 = one(**base).spike_counts.sum()
ok(rate0 > 0, "a driven neuron fires (%d spikes)" % rate0)
for key, val in [("tau_m", 10.0), ("v_rest", -58.0), ("v_reset", -55.0), ("v_thresh", -52.0), ("t_ref", 20.0),
                 ("drive", 30.0)]:
    c = one(**dict(base, **{key: val})).spike_counts.sum()
    ok(c != rate0, "population(%s=%g) changes the rate (%d vs %d spikes)" % (key, val, c, rate0))
noisy = dict(drive=5.0, synapse="current", ext_rate=2000.0, ext_weight=1.0)
cn = one(count=50, **noisy).spike_counts.sum()
ok(one(count=50, **dict(noisy, ext_rate=0.0)).spike_counts.sum() == 0 and cn > 0,
   "ext_rate= drives neurons that the drive alone does not")
ok(one(count=50, **dict(noisy, ext_weight=2.0)).spike_counts.sum() > cn, "ext_weight= scales that input")
for key, val in [("tau_e", 1.0), ("synapse", "delta")]:
    ok(one(count=50, **dict(noisy, **{key: val})).spike_counts.sum() != cn, "population(%s=%r) has an effect" % (key, val))
cond = dict(drive=5.0, ext_rate=2000.0, ext_weight=0.1)
cc = one(count=50, **cond).spike_counts.sum()
ok(one(count=50, **dict(cond, e_e=-20.0)).spike_counts.sum() != cc, "e_e= (conductance synapses) has an effect")


def v0(**kw):
    n = am.Network(0.1, seed=2)
    p = n.population(2000, **kw)
    n.run(0)
    return p.v


ok(np.all(v0() == -60) and abs(v0(v0_mean=-55).mean() + 55) < 1e-4, "v0_mean= sets the initial potentials")
g, u = v0(v0_sd=2), v0(v0_sd=2, v0_uniform=True)
ok(abs(g.std() - 2) < 0.15 and g.min() < -64 and u.min() >= -62 and u.max() <= -58 and abs(u.std() - 2 / 3 ** 0.5) < 0.1,
   "v0_sd= (normal, sd %.2f) and v0_uniform=True (uniform in mean +- sd, sd %.2f)" % (g.std(), u.std()))


def inhib(**kw):
    """Two pacemakers and 100 targets under an inhibitory projection with e_i / tau_i as given."""
    n = am.Network(0.1, seed=1)
    src = n.population(20, drive=20.0, synapse="current")
    dst = n.population(100, drive=12.0, synapse="conductance", **kw)
    n.connect(src, dst, p=0.5, weight=0.02, receptor="inhibitory")
    n.run(200)
    return dst.spike_counts.sum()


ci = inhib()
ok(inhib(e_i=-60.0) > ci and inhib(tau_i=2.0) > ci, "e_i= and tau_i= set the inhibition's strength")
vx = one(**base).v
ok(not np.array_equal(one(method="euler", **base).v, vx) and not np.array_equal(one(dt=0.5, **base).v, vx),
   "method= and dt= change the integration (the potentials after 200 ms)")
ok(one(**base).name == "P0" and am.Network().population(1, name="x").name == "x", "name= labels a population")


def proj(**kw):
    n = am.Network(0.1, seed=1)
    a = n.population(50, drive=20.0, synapse="current")
    b = n.population(50, synapse="current")
    pr = n.connect(a, b, **kw)
    m = n.spike_monitor(b)
    n.run(100)
    return pr, b.spike_counts.sum(), m


p1, s1, _ = proj(p=0.2, weight=3.0)
ok(s1 > 0 and abs(p1.synapses / 2500 - 0.2) < 0.05 and p1.rule == "p=0.2" and p1.receptor == "excitatory",
   "connect(p=0.2): about 500 synapses drive the targets (%d spikes)" % s1)
ok(proj(p=0.2, weight=1.0)[1] < s1 and proj(p=0.05, weight=3.0)[0].synapses < p1.synapses
   and proj(p=0.2, weight=-3.0, receptor="inh")[1] == 0 and proj(p=0.2, weight=3.0, receptor="inh")[1] != s1,
   "weight=, p= and receptor= (gi, decaying with tau_i; current synapses take negative weights) have their effect")
pk, sk, _ = proj(k=10, weight=3.0)
ok(pk.synapses == 500 and pk.rule == "k=10", "connect(k=10): 10 sources per target")
_, _, m0 = proj(p=0.2, weight=3.0)
_, _, md = proj(p=0.2, weight=3.0, delay=5.0)
ok(md.t.min() > m0.t.min() + 4, "delay= delays the first response (%.1f -> %.1f ms)" % (m0.t.min(), md.t.min()))
n = am.Network(0.1, seed=1)
a = n.population(10)
ok(n.connect(a, a, k=9, weight=1.0).synapses == 90 and n.connect(a, a, k=10, weight=1.0, autapses=True).synapses == 100,
   "autapses=True allows i -> i (k = 10 of 10)")
raises(ValueError, lambda: n.connect(a, a, k=10, weight=1.0), "without autapses k is at most the pool less one",
       text="k")

# explicit connections: a chain 0 -> 1 -> 2 -> 3 with per-connection delays
n = am.Network(0.1, seed=1)
src = n.population(1, drive=20.0, synapse="delta", t_ref=2.0)
chain = n.population(4, synapse="delta")
pc = n.connect(src, chain, connections=[[0, 0]], weight=15.0, delay=1.0)
pc2 = n.connect(chain, chain, connections=[[0, 1], [1, 2], [2, 3]], weight=[15.0, 15.0, 15.0], delay=[1.0, 2.0, 3.0])
m = n.spike_monitor(chain)
n.run(30)
first = [m.t[m.i == k].min() for k in range(4)]
ok(pc.synapses == 1 and pc2.synapses == 3 and pc2.weight is None and pc2.delay is None and pc.rule == "connections",
   "explicit connections: 1 and 3 synapses, per-connection weights and delays")
ok(np.allclose(np.diff(first), [1.0, 2.0, 3.0], atol=0.25), "... a spike travels the chain with the delays given %s"
   % np.round(np.diff(first), 2).tolist())
n = am.Network(0.1, seed=1)
a = n.population(4)
ok(n.connect(a, a, connections=[[0, 0], [1, 2], [1, 3], [1, 2]], weight=1.0, autapses=True).synapses == 4
   and n.synapses == 4, "explicit connections keep repeats; autapses=True allows [0, 0]")
raises(ValueError, lambda: n.connect(a, a, connections=[[0, 0]], weight=1.0), "an explicit autapse needs autapses=True",
       text="connections[0]")
ok(list(a[1:3].spike_counts) == [0, 0] and a[1:3].first == 1 and len(a[-1]) == 1 and a[-1].first == 3,
   "a population's slices and items are populations")
ok(n.state_monitor(a, stride=3) is not None, "state_monitor(stride=3)")

# hostile arguments and misuse: each raises, naming the argument
n = am.Network(0.1, seed=1)
a = n.population(10)
other = am.Network().population(3)
for name, fn, exc, text in [
    ("dt 0", lambda: am.Network(0), ValueError, "dt"),
    ("dt nan", lambda: am.Network(float("nan")), ValueError, "dt"),
    ("method", lambda: am.Network(method="rk4"), ValueError, "method"),
    ("seed", lambda: am.Network(seed=-1), (ValueError, OverflowError), "seed"),
    ("count 0", lambda: n.population(0), ValueError, "count"),
    ("count type", lambda: n.population("3"), TypeError, "count"),
    ("two positional", lambda: n.population(1, 2), TypeError, "positional"),
    ("unknown keyword", lambda: n.population(1, tau=3), TypeError, "'tau'"),
    ("tau_m 0", lambda: n.population(1, tau_m=0), ValueError, "tau_m"),
    ("tau_e 0", lambda: n.population(1, tau_e=0), ValueError, "tau_e"),
    ("t_ref negative", lambda: n.population(1, t_ref=-1), ValueError, "t_ref"),
    ("t_ref huge", lambda: n.population(1, t_ref=1e12), ValueError, "t_ref"),
    ("v_thresh below reset", lambda: n.population(1, v_thresh=-70), ValueError, "v_thresh"),
    ("drive nan", lambda: n.population(1, drive=float("nan")), ValueError, "drive"),
    ("v0_sd negative", lambda: n.population(1, v0_sd=-1), ValueError, "v0_sd"),
    ("ext_rate negative", lambda: n.population(1, ext_rate=-1), ValueError, "ext_rate"),
    ("synapse", lambda: n.population(1, synapse="gap"), ValueError, "synapse"),
    ("v0_uniform", lambda: n.population(1, v0_uniform=1), TypeError, "v0_uniform"),
    ("name", lambda: n.population(1, name=3), TypeError, "name"),
    ("connect no rule", lambda: n.connect(a, a, weight=1), ValueError, "exactly one of p"),
    ("connect two rules", lambda: n.connect(a, a, p=0.1, k=2, weight=1), ValueError, "exactly one of p"),
    ("connect no weight", lambda: n.connect(a, a, p=0.1), ValueError, "weight is required"),
    ("connect p", lambda: n.connect(a, a, p=1.5, weight=1), ValueError, "p ="),
    ("connect k", lambda: n.connect(a, a, k=11, weight=1, autapses=True), (ValueError, OverflowError), "k"),
    ("connect weight", lambda: n.connect(a, a, p=0.1, weight=float("inf")), ValueError, "weight"),
    ("connect delay", lambda: n.connect(a, a, p=0.1, weight=1, delay=-1), ValueError, "delay"),
    ("connect delay huge", lambda: n.connect(a, a, p=0.1, weight=1, delay=1e9), ValueError, "delay"),
    ("connect receptor", lambda: n.connect(a, a, p=0.1, weight=1, receptor="gaba"), ValueError, "receptor"),
    ("connect autapses", lambda: n.connect(a, a, p=0.1, weight=1, autapses=1), TypeError, "autapses"),
    ("connect pre type", lambda: n.connect(3, a, p=0.1, weight=1), TypeError, "pre"),
    ("connect post empty", lambda: n.connect(a, [], p=0.1, weight=1), ValueError, "post"),
    ("another network", lambda: n.connect(other, a, p=0.1, weight=1), ValueError, "another Network"),
    ("not adjacent", lambda: n.connect([a[5:], a[:2]], a, p=0.1, weight=1), ValueError, "pre[1]"),
    ("connections index", lambda: n.connect(a, a[:2], connections=[[0, 2]], weight=1), ValueError,
     "connections[0, 1] = 2"),
    ("connections shape", lambda: n.connect(a, a, connections=[[0, 1, 2]], weight=1), ValueError, "connections"),
    ("connections weights", lambda: n.connect(a, a, connections=[[0, 1]], weight=[1, 2]), ValueError, "weight"),
    ("connections delay", lambda: n.connect(a, a, connections=[[0, 1]], weight=1, delay=[-1]), ValueError,
     "delay[0] = -1: must be in [0, "),
    ("connections delay[1]", lambda: n.connect(a, a, connections=[[0, 1], [1, 2]], weight=1, delay=[0.5, -1.5]),
     ValueError, "delay[1] = -1.5: must be in [0, "),
    ("connections weight[1]", lambda: n.connect(a, a, connections=[[0, 1], [1, 2]], weight=[1, float("inf")]),
     ValueError, "weight"),
    ("slice step", lambda: a[::2], ValueError, "step"),
    ("slice empty", lambda: a[5:5], ValueError, "no neurons"),
    ("index", lambda: a[10], (ValueError, OverflowError), "index"),
    ("rate bin", lambda: n.rate_monitor(a, bin=0.01), ValueError, "bin"),
    ("stride", lambda: n.state_monitor(a, stride=0), (ValueError, OverflowError), "stride"),
    ("monitor target", lambda: n.spike_monitor("E"), TypeError, "target"),
    ("run duration", lambda: n.run(-1), ValueError, "duration"),
    ("run threads", lambda: n.run(1, threads=-1), (ValueError, OverflowError), "threads"),
    ("empty network", lambda: am.Network().run(1), am.Error, "no neurons"),
    ("v before a run", lambda: a.v, RuntimeError, "first run"),
    ("spike monitor .rate", lambda: n.spike_monitor(a).rate, AttributeError, "no .rate"),
    ("not initialised", lambda: am.Network.__new__(am.Network).run(1), RuntimeError, "not initialised"),
    ("initialised twice", lambda: n.__init__(), ValueError, "once"),
    ("direct Population", lambda: am.Population(), TypeError, None),
]:
    raises(exc, fn, "hostile: %s raises, naming it" % name, text=text)
n.run(1)
raises(RuntimeError, lambda: n.population(1), "no population after the first run", text="before the first run")
raises(RuntimeError, lambda: n.connect(a, a, p=0.1, weight=1), "no projection after the first run",
       text="before the first run")

# objects in use: a run in another thread marks the network and its monitors
big = am.Network(0.1, seed=1)
bp = big.population(20000, drive=20.0, synapse="current")
bm = big.spike_monitor(bp)
th = threading.Thread(target=lambda: big.run(20000))
th.start()
time.sleep(0.3)
errors = []
for fn in (lambda: bm.t, lambda: big.run(1), lambda: bp.spike_counts):
    try:
        fn()
    except RuntimeError as e:
        errors.append(str(e))
th.join()
ok(len(errors) == 3 and all("another call" in e or "in use" in e or "being" in e for e in errors),
   "while a thread runs the network, its monitors, run() and its populations raise RuntimeError (%s)" % errors[:1])
ok(len(bm.t) == int(bp.spike_counts.sum()) > 0, "... and read normally after the run")

# Ctrl-C stops a run after a whole step; the network goes on from there
CHILD = r"""
import am
n = am.Network(0.1, seed=1); p = n.population(20000, drive=20.0, synapse="current"); m = n.spike_monitor(p)
print("ready", flush=True)
try:
    n.run(1e7)
except KeyboardInterrupt:
    t = n.t; n.run(1)
    print("interrupted", 0 < t < 1e7, abs(n.t - t - 1) < 1e-6, len(m.t) == int(p.spike_counts.sum()), flush=True)
"""
p = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, env=os.environ)
line = p.stdout.readline()
timer = threading.Timer(0.5, p.send_signal, [signal.SIGINT])
timer.start()
try:
    out, _ = p.communicate(timeout=60)
except subprocess.TimeoutExpired:
    p.kill()
    out = "timeout"
timer.cancel()
ok(line.strip() == "ready" and out.strip() == "interrupted True True True", "Ctrl-C stops Network.run; it runs on (%r)"
   % out.strip())
