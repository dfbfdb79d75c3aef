# %% [markdown]
# # Exercise 4 — Temperature and spurious states
#
# Besides the stored patterns, a Hebb network has *spurious* attractors. The best known are the symmetric
# mixtures of three patterns, s = sign(ξ¹ + ξ² + ξ³), which overlap each of the three by 0.5. At zero
# temperature a recall that starts in such a mixture stays there. Glauber dynamics at temperature T
# (P(s_i = +1) = 1 / (1 + e^(−2 h_i / T))) adds noise that can shake the state out: mixture states melt at
# T ≈ 0.46, the stored patterns only near T = 1 (at low load; Amit, Gutfreund & Sompolinsky 1985).
#
# From the shell (the `overlap_mean` column; `--dynamics glauber` runs `--max-steps` sweeps):
#
#     for T in 0 0.2 0.4 0.6 0.8 1.0 1.2; do
#         bin/capacity --N 500 --P 10 --dynamics glauber --T $T --max-steps 40 --noise 0.1 --trials 3 --out T$T.tsv
#     done
#
# **Questions.** (a) Read off the temperature at which the recalled overlap falls to zero. Compare with
# the mean-field equation m = tanh(m / T) — what is its critical temperature?
# (b) Why does a moderate temperature *improve* recall from a mixture state?
# (c) Which mixtures are stable at T = 0: those of an odd or an even number of patterns?

# %%
import os

import numpy as np

import am

QUICK = os.environ.get("AM_EXERCISE_QUICK") == "1"
OUT = os.environ.get("AM_EXERCISE_OUT", "figures")
os.makedirs(OUT, exist_ok=True)

N, P = (200, 4) if QUICK else (500, 10)
sweeps = 15 if QUICK else 40
temps = np.array([0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2])
pats = am.patterns("random", P, N, rng=1)
store = am.Store("hopfield", n=N)
store.add(pats)
mixture = np.sign(pats[0].astype(int) + pats[1] + pats[2]).astype(np.int8)
print("the mixture's overlaps with the stored patterns:", np.round(store.overlaps(mixture), 2))


def recall_overlaps(cue, T, seed):
    """The final overlap with each stored pattern (mean |m| over the last half of the sweeps at T > 0)."""
    if T == 0:
        state, _ = store.recall(cue, rng=seed)
        return store.overlaps(state)
    _, info = store.recall(cue, dynamics="glauber", T=T, max_steps=sweeps, rng=seed, record=True)
    ends = info.frame_unit == -1
    return info.frame_overlaps[ends][sweeps // 2:].mean(axis=0)


pattern_m, mixture_best, mixture_mix = [], [], []
for T in temps:
    m_pat = np.mean([recall_overlaps(am.flip(pats[0], frac=0.1, rng=s), T, s)[0] for s in range(3)])
    m_mix = np.array([recall_overlaps(mixture, T, 100 + s) for s in range(3)])
    pattern_m.append(m_pat)
    mixture_best.append(np.mean(np.abs(m_mix).max(axis=1)))
    mixture_mix.append(np.mean(np.sort(np.abs(m_mix[:, :3]), axis=1)[:, 1]))  # the second-largest of the three
    print("T=%.1f  from a noisy pattern: m=%.2f   from the 3-mixture: largest m=%.2f, second m=%.2f" %
          (T, pattern_m[-1], mixture_best[-1], mixture_mix[-1]))

# %% [markdown]
# The mean-field prediction for the retrieval overlap at low load solves m = tanh(m / T).

# %%
def mean_field(T):
    m = 1.0
    for _ in range(2000):
        m = np.tanh(m / T) if T > 0 else 1.0
    return m


theory = np.array([mean_field(T) for T in temps])
fine = np.arange(0, 1.2005, 0.005)                   # the theory on a fine grid: its fall to 0 at T = 1
am.plot([temps, fine, temps, temps], [np.array(pattern_m), [mean_field(T) for T in fine], np.array(mixture_best),
                                      np.array(mixture_mix)],
        out=os.path.join(OUT, "04-temperature.png"),
        labels=["recall of a pattern", "theory: m = tanh(m/T)", "from the mixture: largest overlap",
                "from the mixture: second overlap"],
        styles=["linespoints pt 7", "lines lw 2 dt 2", "linespoints pt 5", "linespoints pt 4"],
        xlabel="temperature T", ylabel="overlap", title="Noise melts spurious mixtures before the memories")
