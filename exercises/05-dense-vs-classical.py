# %% [markdown]
# # Exercise 5 — Dense associative memory versus the classical network
#
# Krotov & Hopfield (2016) replace the quadratic energy −½ Σ_μ (ξ^μ · s)² with −Σ_μ F(ξ^μ · s) for a
# steeper F, e.g. F(x) = xⁿ. Each pattern's basin sharpens, cross-talk between patterns is suppressed,
# and the capacity grows like N^(n−1): a network of N = 100 units holds about 14 random patterns with
# n = 2 (the classical network), hundreds with n = 3, thousands with n = 4. The modern continuous
# store (Ramsauer et al. 2020, F = exp) goes further still.
#
# From the shell:
#
#     bin/capacity --model dense --F poly --degree 2,3,4 --N 100 --P 5,10,20,40,80,160,320,640,1280,2560 --trials 10 --cues 50
#     bin/hopfield-demo --letters ABCD --model dense --degree 3      # correlated letters, recalled
#
# **Questions.** (a) At which P does each degree's recall drop below 90 %? Plot log P_max against n.
# (b) The dense store recalls the letters A–D that the classical store mixes (Exercise 2). Why do
# correlations matter less when F is steep?
# (c) What does the dense store pay for its capacity (look at the cost of one update)?

# %%
import os

import numpy as np

import am

QUICK = os.environ.get("AM_EXERCISE_QUICK") == "1"
OUT = os.environ.get("AM_EXERCISE_OUT", "figures")
os.makedirs(OUT, exist_ok=True)

N = 100
P = np.array([5, 10, 20, 40, 80, 160] + ([] if QUICK else [320, 640, 1280, 2560]))
trials, cues = (1, 5) if QUICK else (10, 50)
curves, labels = [], []
for degree in (2, 3, 4):
    r = am.capacity(P, model="dense", degree=degree, n=N, trials=trials, cues=cues, noise=0.1, seed=1)
    curves.append(r["recall_frac"])
    labels.append("dense, F = x^%d" % degree)
    good = P[r["recall_frac"] >= 0.9]
    print("degree %d: recall >= 90%% up to P = %s" % (degree, good.max() if len(good) else "none"))

# %% [markdown]
# Letters A–D on a 10 × 10 grid, cued with 10 % of their pixels flipped: the classical store against
# the dense store of degree 3.

# %%
letters = am.letters("ABCD", 10, 10)
for cfg in (dict(model="hopfield"), dict(model="dense", degree=3)):
    s = am.Store(n=100, **cfg)
    s.add(letters)
    right = 0
    for mu in range(4):
        for k in range(5):
            state, _ = s.recall(am.flip(letters[mu], frac=0.1, rng=10 * mu + k), rng=k)
            right += am.overlap(state, letters[mu]) == 1.0
    print("%-8s recalls %2d of 20 noisy letters exactly" % (cfg["model"], right))
    if cfg["model"] == "dense":
        state, _ = s.recall(am.flip(letters[1], frac=0.1, rng=3), rng=1)
        print(am.show_frames([am.flip(letters[1], frac=0.1, rng=3), state], 10, labels=["cue", "dense recall"]))

# %%
am.plot(P, curves, out=os.path.join(OUT, "05-dense-capacity.png"), labels=labels, logx=True,
        xlabel="stored patterns P (N = 100)", ylabel="fraction recalled", title="Steeper energies store more patterns")
