# %% [markdown]
# # Exercise 2 — Letters versus random patterns
#
# The capacity α_c ≈ 0.138 of Exercise 1 holds for *random* patterns, which are nearly orthogonal. Letters
# drawn on a 10 × 10 grid are not: they share strokes and most of their background. Here we store the
# first P letters of the alphabet and, for comparison, P random patterns, in the same Hebb network of
# N = 100 units, and see how many can be recalled.
#
# From the shell:
#
#     bin/capacity --N 100 --P 1,2,3,4,5,6,8,10,12,14 --patterns letters --trials 1 --out letters.tsv
#     bin/capacity --N 100 --P 1,2,3,4,5,6,8,10,12,14 --patterns random  --trials 20 --out random.tsv
#     bin/hopfield-demo --letters ABCD --model hopfield     # watch a recall in the terminal
#
# **Questions.** (a) How many letters can the network hold, and how does that compare with 0.138 N?
# (b) Look at the overlap matrix: which letter pairs are most alike, and which letters fail first?
# (c) Subtracting the mean pattern before learning (or a biased-pattern rule) helps. Why?

# %%
import os

import numpy as np

import am

QUICK = os.environ.get("AM_EXERCISE_QUICK") == "1"
OUT = os.environ.get("AM_EXERCISE_OUT", "figures")
os.makedirs(OUT, exist_ok=True)

letters = am.letters("ABCDEFGH", 10, 10)
print(am.show_frames(letters, 10, per_row=8, labels=list("ABCDEFGH")))
C = letters @ letters.T / letters.shape[1]
print("overlap matrix of A..H (1 on the diagonal):")
print(np.array2string(C, precision=2, suppress_small=True))
off = C[~np.eye(len(C), dtype=bool)]
rnd = am.patterns("random", 8, 100, rng=1)
off_r = (rnd @ rnd.T / 100)[~np.eye(8, dtype=bool)]
print("mean |overlap| between different letters: %.2f; between random patterns: %.2f" %
      (np.abs(off).mean(), np.abs(off_r).mean()))

# %%
P = np.array([1, 2, 3, 4, 5, 6, 8, 10, 12, 14])
let = am.capacity(P, n=100, patterns="letters", trials=1, noise=0.05)
ran = am.capacity(P, n=100, patterns="random", trials=4 if QUICK else 20, noise=0.05)
for k, p in enumerate(P):
    print("P=%2d  letters: recalled %.2f, stable %.2f   random: recalled %.2f, stable %.2f" %
          (p, let["recall_frac"][k], let["fixed_frac"][k], ran["recall_frac"][k], ran["fixed_frac"][k]))

# %% [markdown]
# Watch one failure: store A–D and cue with a slightly damaged A. The state drifts to a mixture.

# %%
s = am.Store("hopfield", n=100)
s.add(letters[:4])
state, info = s.recall(am.flip(letters[0], k=5, rng=2), record=True, rng=3)
print("overlaps with A, B, C, D at the end:", np.round(s.overlaps(state), 2))
print(am.show_frames(info.frames[info.frame_unit == -1], 10, labels=["sweep %d" % k for k in range(info.steps + 1)]))

# %%
am.plot(P, [let["recall_frac"], ran["recall_frac"]], out=os.path.join(OUT, "02-letters-vs-random.png"),
        labels=["letters A, B, C, ...", "random patterns"], xlabel="stored patterns P (N = 100)",
        ylabel="fraction recalled (overlap >= 0.99)", title="Correlated letters fill a Hebb network far sooner")
