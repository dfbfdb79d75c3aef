# %% [markdown]
# # Exercise 6 — Sequences: how long a sequence can a network replay?
#
# A symmetric Hebb network settles into a memory. Make the couplings asymmetric,
# J_ij = (1/N) Σ_μ ξ_i^(μ+1) ξ_j^μ, and one synchronous update maps each stored pattern onto the *next*:
# from a cue the network steps through a sequence ξ¹ → ξ² → … → ξᴾ → ξ¹ (Sompolinsky & Kanter 1986;
# Kleinfeld 1986). Chaudhry, Zavatone-Veth, Krotov and Pehlevan (*Long Sequence Hopfield Memory*, NeurIPS
# 2023) make it dense, as Exercise 5 did for fixed points:
#
#     S_i(t+1) = sgn Σ_μ ξ_i^(μ+1) f( Σ_(j≠i) ξ_j^μ S_j(t) / (N−1) ),   f(x) = x^d.
#
# d = 1 is the asymmetric Hebb chain (`seq-hebb`), d = 2 the first dense one (`seq-dense`). A transition
# ξ^μ → ξ^(μ+1) is *exact* when all N bits of the step are right. Each bit errs when the crosstalk of the
# other P − 1 elements outweighs the signal; with a Gaussian crosstalk that happens with probability
# q = Q(1/√((P−1) Var χ)), Var χ ≈ (2d−1)!! / N^d, so a transition is exact with probability ≈ (1 − q)^N
# and a whole sequence with ≈ (1 − q)^(NP). The longest sequences replayed exactly (probability → 1) are
#
#     transition capacity  P_T = N^d / (2 (2d−1)!! ln N),      sequence capacity  P_S = P_T / (d+1)
#
# (`am.seq_capacity`): at N = 100, P_T = 10.9 for d = 1 and 362 for d = 2.
#
# From the shell:
#
#     bin/sequence capacity --model seq-hebb --N 100 --P 4,8,16,32 --trials 10       # exact-transition rates
#     bin/sequence capacity --model seq-dense --degree 2 --N 100 --P 128,256,512 --trials 10
#     bin/sequence capacity --model seq-dense --degree 1,2 --N 100,200 --trials 5     # the capacity search
#     bin/sequence replay --letters HOPFIELD --model seq-dense --degree 4             # a replay, frame by frame
#
# **Questions.** (a) At which P does the exact-transition rate fall below 90 % for d = 1 and for d = 2?
# Compare with P_T and with the curve (1 − q)^N. (b) Whole sequences fail much earlier than single
# transitions. Why, and by about what factor (compare P_S with P_T)? (c) The letters H, O, P, F, I, E, L, D
# overlap each other far more than random patterns do. Which stores replay them, and why does a larger d
# help? (d) Measure the exact-transition rate at N = 200: does the load at which it falls grow like
# N^d / ln N? Answers at the end.

# %%
import os

import numpy as np

import am

QUICK = os.environ.get("AM_EXERCISE_QUICK") == "1"
OUT = os.environ.get("AM_EXERCISE_OUT", "figures")
os.makedirs(OUT, exist_ok=True)

N = 100
loads = np.array([2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 64, 91, 128, 181, 256, 362, 512, 724, 1024])
if QUICK:
    loads = loads[::3]
trials = 2 if QUICK else 10
models = [("seq-hebb", 1, dict(model="seq-hebb")), ("seq-dense d=2", 2, dict(model="seq-dense", degree=2))]


def transition_rates(cfg, n, P, trials):
    """(fraction of exact transitions, fraction of whole sequences exact) over trials cyclic sequences."""
    rate, whole = [], []
    for t in range(trials):
        s = am.Store(n=n, **cfg)
        s.add(am.patterns("random", P, n, rng=1000 * t + P), cyclic=True)  # one cyclic sequence of P patterns
        _, exact = s.transitions()                                          # one step from every element
        rate.append(exact.mean())
        whole.append(exact.all())
    return np.mean(rate), np.mean(whole)


measured, predicted, whole_m, whole_p, labels, theory = [], [], [], [], [], []
for name, d, cfg in models:
    th = am.seq_capacity(N, degree=d)
    theory.append(th)
    print("%s: theory P_T = %.1f, P_S = %.1f" % (name, th.transition, th.sequence))
    rows = [transition_rates(cfg, N, P, trials) for P in loads]
    q = np.array([am.seq_capacity(N, degree=d, p=int(P)).bit_error for P in loads])
    measured.append(np.array([r[0] for r in rows]))
    whole_m.append(np.array([r[1] for r in rows]))
    predicted.append((1 - q) ** N)
    whole_p.append((1 - q) ** (N * loads))
    labels.append(name)
    for P, (r, w), pr in zip(loads, rows, predicted[-1]):
        print("  P=%4d  exact transitions %.3f (theory %.3f)  whole sequence exact %.1f" % (P, r, pr, w))
    below = loads[measured[-1] < 0.9]
    print("  the exact-transition rate falls below 90 %% at P = %s" % (below.min() if len(below) else "none"))

# %% [markdown]
# The measured rates against the Gaussian theory, for single transitions and for whole sequences.

# %%
pair = ["points pt 7 lc 1", "lines lw 2 lc 1", "points pt 5 lc 2", "lines lw 2 lc 2"]   # measured: points; theory: lines
am.plot(loads, [measured[0], predicted[0], measured[1], predicted[1]], out=os.path.join(OUT, "06-seq-transitions.png"),
        labels=["seq-hebb (d=1)", "theory (1-q)^N, d=1", "seq-dense d=2", "theory (1-q)^N, d=2"], logx=True,
        styles=pair, vlines=[(th.transition, "P_T, d=%d" % d) for th, (_, d, _) in zip(theory, models)],
        xlabel="sequence length P (N = 100)", ylabel="fraction of exact transitions",
        title="One step from each element: exact up to about P_T")
am.plot(loads, [whole_m[0], whole_p[0], whole_m[1], whole_p[1]], out=os.path.join(OUT, "06-seq-whole.png"),
        labels=["seq-hebb (d=1)", "theory (1-q)^{NP}, d=1", "seq-dense d=2", "theory (1-q)^{NP}, d=2"], logx=True,
        styles=pair, vlines=[(th.sequence, "P_S, d=%d" % d) for th, (_, d, _) in zip(theory, models)],
        xlabel="sequence length P (N = 100)", ylabel="fraction of whole sequences exact",
        title="Whole sequences fail sooner: P_S = P_T / (d+1)")

# %% [markdown]
# A letter sequence: HOPFIELD on a 10 × 10 grid, stored as one cyclic sequence and replayed for 16 steps
# from the H with 10 % of its pixels flipped. The letters overlap each other by 0.38 on average (random
# patterns by 0.08): correlated elements make correlated crosstalk.

# %%
word = "HOPFIELD"
L = am.letters(word, 10, 10)
ov = np.abs(L @ L.T / 100.0)
rnd = am.patterns("random", len(word), 100, rng=1)
print("mean |overlap| between the letters %.2f, between random patterns %.2f" %
      (ov[np.triu_indices(len(word), 1)].mean(), np.abs(rnd @ rnd.T / 100.0)[np.triu_indices(len(word), 1)].mean()))
cue = am.flip(L[0], frac=0.1, rng=1)
for cfg in (dict(model="seq-hebb"), dict(model="seq-dense", degree=2), dict(model="seq-dense", degree=4),
            dict(model="seq-dense", F="exp")):
    s = am.Store(n=100, **cfg)
    s.add(L, cyclic=True)
    r = s.replay(cue, 16)
    nearest = "".join(word[k] for k in r.overlaps.argmax(axis=1))
    label = " ".join("%s=%s" % kv for kv in cfg.items())
    print("%-28s %s  %2d exact transitions of 16, first wrong step %s" % (label, nearest, r.transitions, r.first_fail))
    if cfg.get("degree") == 4:
        best = r
print(am.show_frames(best.states[:9], 10, per_row=9, labels=["cue"] + ["t=%d" % t for t in range(1, 9)]))

# %% [markdown]
# ## Answers
#
# (a) With the committed settings the exact-transition rate is 0.909 at P = 11 and falls below 90 % at
# P = 16 for d = 1 (P_T = 10.9); for d = 2 it is 0.98 at P = 256 and 0.86 at P = 362 (P_T = 362). P_T marks
# where the rate starts to fall, not where it reaches zero: the theory's "probability → 1" is a statement
# about N → ∞. For d = 2 the measured rates follow (1 − q)^N within 0.02 at every load; for d = 1 they lie
# above it past P_T (0.37 against 0.18 at P = 23): the N bits of a step share the same overlaps m^μ, so
# their errors are correlated, and a step with no error at all is likelier than for independent bits.
#
# (b) A sequence is replayed whole only if all P of its transitions are exact, about (1 − q)^(NP) ≈ 1 − NPq:
# asking NPq → 0 instead of Nq → 0 puts ln(NP) ≈ (d+1) ln N where ln N was, hence P_S = P_T / (d+1) (5.4
# and 121 at N = 100). Measured: 40 % of the sequences are whole at P = 11 and none at 16 for d = 1, 80 % at
# P = 181 and none at 256 for d = 2, as (1 − q)^(NP) predicts — whole sequences fail 1.5 to 2 times sooner
# than single transitions, less than the asymptotic d + 1, because at N = 100 ln P is still well below
# d ln N (ln 362 = 5.9, 2 ln 100 = 9.2).
#
# (c) The asymmetric Hebb chain (d = 1) and d = 2 lose the letters at the first step from the noisy cue
# (no state is a letter exactly; the nearest letter stops at F, or at L); d = 4 and the exponential store
# replay HOPFIELD round and round. A step computes Σ_μ ξ^(μ+1) f(m^μ): with overlaps of 0.4 and more between letters, f(x) = x
# or x² keeps large contributions from the wrong elements; x⁴ or e^((N−1)(x−1)) shrinks every m < 1 far
# below the m ≈ 1 of the current element.
#
# (d) The solution below measures N = 200 at loads around the theory: the rate falls below 90 % between
# P = 19 and 24 for d = 1 (P_T = 18.9) and at P ≈ 1258 for d = 2 (P_T = 1258, rate 0.89). Doubling N
# multiplies P_T by 2^d ln 100 / ln 200 = 1.74 (d = 1) and 3.48 (d = 2); the measured 90 % points moved
# from between 11 and 16 to between 19 and 24, and from 362 to about 1258.

# %%
N2 = 200
for name, d, cfg in models:
    th = am.seq_capacity(N2, degree=d)
    grid = np.unique(np.round(th.transition * np.array([0.5, 1.0, 1.5] if QUICK else [0.5, 0.75, 1.0, 1.25, 1.5, 2.0])))
    rates = [transition_rates(cfg, N2, int(P), 1 if QUICK else 4)[0] for P in grid]
    print("%s, N = %d (P_T = %.0f): " % (name, N2, th.transition) +
          ", ".join("P=%d: %.3f" % (P, r) for P, r in zip(grid, rates)))
