# %% [markdown]
# # Exercise 3 — Synchronous versus asynchronous updates, and 2-cycles
#
# Hopfield's network updates one unit at a time (asynchronous): every flip lowers the energy
# E = −½ sᵀ W s, so the state must stop at a fixed point. Updating all units at once (synchronous, as a
# clocked circuit would) breaks that argument: the energy is no longer a Lyapunov function, and the
# network can oscillate between two states for ever (a 2-cycle).
#
# From the shell, with the `cycle_end` column of the TSV:
#
#     bin/capacity --N 500 --alpha 0.02:0.3:0.02 --dynamics sync  --trials 10 --out sync.tsv
#     bin/capacity --N 500 --alpha 0.02:0.3:0.02 --dynamics async --trials 10 --out async.tsv
#
# **Questions.** (a) At which loads do 2-cycles appear, and what happens to recall there?
# (b) Show that synchronous dynamics is asynchronous dynamics on a network of 2N units with bipartite
# weights [[0, W], [W, 0]] — why does that explain why only cycles of length 2 occur?
# (c) In the example below, what is the overlap of the two states of the cycle with each other?

# %%
import os

import numpy as np

import am

QUICK = os.environ.get("AM_EXERCISE_QUICK") == "1"
OUT = os.environ.get("AM_EXERCISE_OUT", "figures")
os.makedirs(OUT, exist_ok=True)

N = 100 if QUICK else 500
P = np.unique(np.round(np.arange(0.02, 0.301, 0.02) * N).astype(int))
kw = dict(n=N, trials=2 if QUICK else 10, noise=0.2, seed=1)
sync = am.capacity(P, dynamics="sync", **kw)
asyn = am.capacity(P, dynamics="async", **kw)
for k in range(len(P)):
    print("alpha %.2f  sync: overlap %.3f, 2-cycles %.2f   async: overlap %.3f, 2-cycles %.2f" %
          (sync["alpha"][k], sync["overlap_mean"][k], sync["cycle_end"][k], asyn["overlap_mean"][k],
           asyn["cycle_end"][k]))

# %% [markdown]
# Find a 2-cycle and look at it: record every synchronous step of a recall at a high load.

# %%
store = am.Store("hopfield", n=N)
store.add(am.patterns("random", int(0.25 * N), N, rng=7))
example = None
for seed in range(200):
    cue = am.patterns("random", 1, N, rng=1000 + seed)[0]
    state, info = store.recall(cue, dynamics="sync", record=True, max_steps=50)
    if info.end == "cycle":
        example = info
        break
if example is not None:
    a, b = example.frames[-1], example.frames[-2]
    print("a 2-cycle after %d steps; the two states differ in %d units (overlap %.2f)" %
          (example.steps, int((a != b).sum()), am.overlap(a, b)))
    print("energy at each step:", np.round(example.frame_energy, 2))
    am.plot(np.arange(len(example.frame_energy)), [example.frame_energy], out=os.path.join(OUT, "03-cycle-energy.png"),
            labels=["E(s) after each synchronous step"], key=None, xlabel="synchronous step",
            ylabel="energy E(s) = -1/2 s^T W s",
            title="Synchronous dynamics: the energy stops falling, the state alternates")
else:
    print("no 2-cycle among 200 random cues")

# %%
am.plot(sync["alpha"], [sync["cycle_end"], asyn["cycle_end"], sync["overlap_mean"], asyn["overlap_mean"]],
        out=os.path.join(OUT, "03-sync-async.png"),
        labels=["sync: share of recalls ending in a 2-cycle", "async: share ending in a 2-cycle", "sync: mean overlap",
                "async: mean overlap"], styles=["linespoints pt 7", "linespoints pt 6", "lines lw 2", "lines lw 2 dt 2"],
        xlabel="load alpha = P/N", ylabel="share of recalls, or overlap",
        title="Synchronous updates oscillate at high load")
