# %% [markdown]
# # Exercise 1 — The capacity of the Hebb rule
#
# A Hopfield network of N units stores P random ±1 patterns with the Hebb rule
# W = (1/N) Σ_μ ξ^μ ξ^μᵀ. How many can it hold? We load the network with more and more patterns and
# measure, at each load α = P/N:
#
# * the fraction of pattern bits that one update would flip (the per-bit error of Hopfield 1982), against
#   the signal-to-noise prediction Φ(−1/√α) (`am.theory("hebb_bit_error")`);
# * the overlap m with the target after recalling from a cue with 10 % of its bits flipped, against the
#   Amit–Gutfreund–Sompolinsky (1987) solution, whose retrieval state vanishes at α_c ≈ 0.138.
#
# The same measurement from the shell (one TSV, every column documented in `bin/capacity --help`):
#
#     bin/capacity --rule hebb --N 1000 --alpha 0.02:0.3:0.02 --trials 10 --cues 100 --out hebb.tsv
#
# **Questions.** (a) Where does the recall overlap collapse, and how does that compare with 0.138?
# (b) The per-bit error is only about 0.4 % at α_c: why does recall fail although so few bits are unstable?
# (c) Rerun with N = 100 and N = 2000. Which quantities depend on N, which only on α?

# %%
import os

import numpy as np

import am

QUICK = os.environ.get("AM_EXERCISE_QUICK") == "1"   # the test suite runs every exercise small
OUT = os.environ.get("AM_EXERCISE_OUT", "figures")
os.makedirs(OUT, exist_ok=True)

N = 120 if QUICK else 1000
alphas = np.arange(0.02, 0.301, 0.02)
P = np.unique(np.maximum(1, np.round(alphas * N).astype(int)))
r = am.capacity(P, n=N, rule="hebb", trials=1 if QUICK else 10, cues=10 if QUICK else 100, noise=0.1, seed=1)

# %% [markdown]
# The theory: the bit error of a stored pattern is the chance that the crosstalk of the other P − 1
# patterns, a sum of about P N random ±1/N terms, outweighs the signal 1; and the AGS overlap m(α).

# %%
bit_theory = np.array([am.theory("hebb_bit_error", n=N, p=int(p)) for p in P])
m_theory = np.array([am.theory("ags_overlap", alpha=a) for a in r["alpha"]])
alpha_c, m_c = am.theory("ags_alpha_c")
print("alpha   unstable bits (measured / theory)   recall overlap (measured / AGS)")
for k in range(len(P)):
    print("%.3f   %.5f / %.5f                    %.3f / %.3f" %
          (r["alpha"][k], r["unstable_frac"][k], bit_theory[k], r["overlap_mean"][k], m_theory[k]))
print("AGS: alpha_c = %.4f, where m jumps from %.3f to 0" % (alpha_c, m_c))
collapse = r["alpha"][np.argmax(r["overlap_mean"] < 0.9)] if (r["overlap_mean"] < 0.9).any() else np.nan
print("measured: the overlap first drops below 0.9 at alpha = %.3f" % collapse)

# %%
# The measurements as points, each theory as a line (AGS on a fine grid: its jump to 0 at alpha_c is drawn
# where it happens).
fine = np.arange(0.001, 0.3005, 0.001)
am.plot([r["alpha"], fine], [r["overlap_mean"], [am.theory("ags_overlap", alpha=a) for a in fine]],
        out=os.path.join(OUT, "01-hebb-overlap.png"), styles=["linespoints pt 7 ps 0.8", "lines lw 2"],
        labels=["measured (N=%d, 10%% noise)" % N, "AGS 1987: m jumps to 0 at alpha_c = %.3f" % alpha_c],
        xlabel="load alpha = P/N", ylabel="overlap after recall",
        title="Hebb rule: recall collapses near alpha_c = 0.138")
am.plot(r["alpha"], [r["unstable_frac"], bit_theory], out=os.path.join(OUT, "01-hebb-bit-error.png"),
        labels=["measured", "Phi(-1/sqrt(alpha))"], styles=["points pt 7 ps 1.2", "lines lw 2"],
        xlabel="load alpha = P/N", ylabel="unstable bits per pattern bit",
        title="Hebb rule: per-bit error of the stored patterns", logy=True)
