# %% [markdown]
# # Exercise 7 — A tune recalled from its first bar, and a memory that knows what it has heard
#
# A melody is a sequence: on a grid of eighth notes each step is the pitch that sounds and whether a note
# begins there. `am.MelodyCode` turns each step into a ±1 pattern (here the 12 pitch classes, a rest unit and
# onset/sustain units, 15 units a step), and a sequence store (Exercise 6) keeps each tune as one open
# sequence. Given the state at the end of the first bar, the store steps through the rest of the tune.
#
# One step alone is ambiguous: "Twinkle, Twinkle" sings C C G G A A G — the same C (and the same G) is
# followed by different notes. A pattern that also holds the steps before it (`history=H`: the current step
# first, then the H − 1 before it) tells such places apart once H reaches back past the shared notes. The
# modern (softmax) sequence store `seq-modern` steps to the successor of the best-matching element.
#
# Recognition needs less than recall ("matching for prediction"): `am.sequence_familiarity` scores a tune by
# how well one step of the store from each of its elements predicts the next, and `am.roc` turns the
# scores of stored and unseen tunes into an AUC.
#
# From the shell:
#
#     bin/melody recall --model seq-modern --code pitchclass --repeat 1 --history 32 --wav twinkle.wav
#     bin/melody capacity --model seq-modern --code pitchclass --repeat 1 --history 32 --stored 6,12,39
#
# **Questions.** (a) How many of the stored tunes come back exactly from their first bar at history 1, 8 and
# 32? Why does history help, and why does it not help every tune? (b) Where a recall goes wrong, what does
# the tune have there (look at the piano roll)? (c) How well does the store tell stored tunes from unseen
# ones, and does that need a perfect recall? Answers at the end.

# %%
import os
import tempfile

import numpy as np

import am

QUICK = os.environ.get("AM_EXERCISE_QUICK") == "1"
OUT = os.environ.get("AM_EXERCISE_OUT", "figures")
os.makedirs(OUT, exist_ok=True)
tunes = am.read_abc(am.corpus())                      # libam's data/tunes/traditional.abc
stored = tunes[:6] if QUICK else tunes[:12]
unseen = tunes[len(stored):2 * len(stored)]
print("%d tunes in the corpus; %d stored, %d unseen" % (len(tunes), len(stored), len(unseen)))
print("first tune: %r, notes %s ..." % (tunes[0], " ".join(tunes[0].names()[:8])))


def first_bar(tune, code):
    """Steps in the tune's first bar."""
    num, den = tune.meter if tune.meter[1] else (4, 4)
    return max(1, 4 * am.TPQ * num // den // code.step)


def learn_and_recall(history):
    """Store every tune of `stored` in a seq-modern store; recall each from its first bar. Returns the code,
    the store, and per tune (exact, first wrong step or None, recalled states)."""
    code = am.MelodyCode("pitchclass", repeat=1, history=history)
    seqs = [code.encode(t) for t in stored]
    s = am.Store("seq-modern", n=code.units)
    for q in seqs:
        s.add(q)                                      # each tune one open sequence
    results = []
    for k, (t, q) in enumerate(zip(stored, seqs)):
        first, length, _ = s.sequences[k]
        bar = first_bar(t, code)
        r = s.replay(q[bar - 1], length - bar, start=first + bar - 1, overlaps=False)
        states = np.vstack([q[:bar - 1], r.states])   # the first bar as given, then the replay
        results.append((np.array_equal(states, q), r.first_fail, states))
    return code, s, seqs, results


# %% [markdown]
# Recall from the first bar, at three lengths of history.

# %%
runs = {}
for h in (1, 8, 32):
    runs[h] = learn_and_recall(h)
    exact = [ok for ok, _, _ in runs[h][3]]
    print("history %2d (%3d units): %2d of %d tunes recalled exactly" % (h, runs[h][0].units, sum(exact), len(exact)))

code, store, seqs, results = runs[32]
for t, (ok, fail, _) in zip(stored, results):
    print("  %-34s %s" % (t.title[:34], "exact" if ok else "first wrong step %d after the cue" % fail))

# %% [markdown]
# The recalled notes of the first tune, decoded back to a melody (pitch classes in octave 4), against the
# original, and a recall that fails drawn as a piano roll (pitch against step).

# %%
tune, (ok, _, states) = stored[0], results[0]
back = code.decode(states)                            # notes on the grid; the tempo is the tune's
recalled = am.Melody(*back.notes.T, title=tune.title + " (recalled)", tempo=tune.tempo, meter=tune.meter)
print("original: " + " ".join(tune.names()))
print("recalled: " + " ".join(recalled.names()))

bad = next((k for k, r in enumerate(results) if not r[0]), 0)
orig_pitch, _ = stored[bad].grid(code.step)
rec_pitch, _ = code.decode(results[bad][2]).grid(code.step, steps=len(orig_pitch))
pc = np.where(orig_pitch >= 0, 60 + orig_pitch % 12, np.nan)       # the code keeps pitch classes
steps = np.arange(len(pc))
am.plot(steps, [pc, np.where(rec_pitch >= 0, rec_pitch, np.nan)], out=os.path.join(OUT, "07-melody-roll.png"),
        labels=["original (pitch class)", "recalled from the first bar"],
        styles=["steps lw 6 lc rgb '#a6cee3'", "steps lw 1.5 lc rgb '#d62728'"],   # the original wide under the recall
        xlabel="step (eighth notes)", ylabel="MIDI pitch", title="%s: recall from the first bar" % stored[bad].title)

# %% [markdown]
# Listen to the recall: the WAV rendered by the library (additive tones), played in Jupyter.

# %%
with tempfile.TemporaryDirectory(prefix="am-ex7-") as d:
    wav = os.path.join(d, "recalled.wav")
    recalled.wav(wav, rate=22050)                     # the samples themselves: recalled.render(rate=22050)
    print("%s: %.1f s of sound, %d bytes of WAV" % (recalled.title, recalled.ticks / am.TPQ * 60 / recalled.tempo,
                                                   os.path.getsize(wav)))
    try:
        from IPython import get_ipython
        from IPython.display import Audio, display
        if get_ipython() is not None:
            display(Audio(filename=wav))              # read (embedded) now: the file may go afterwards
    except ImportError:                               # no IPython: the script runs headless
        pass

# %% [markdown]
# Familiarity: the mean one-step prediction overlap of stored tunes and of unseen ones, and the ROC.

# %%
unseen_seqs = [code.encode(t) for t in unseen]
f_stored = am.sequence_familiarity(store, seqs)
f_unseen = am.sequence_familiarity(store, unseen_seqs)
roc = am.roc(f_stored, f_unseen)
print("stored tunes: %s" % np.round(f_stored, 3))
print("unseen tunes: %s" % np.round(f_unseen, 3))
print("AUC %.3f, accuracy %.2f at threshold %.3f, d' %.1f" % (roc.auc, roc.accuracy, roc.threshold, roc.dprime))
fpr, tpr, _ = am.roc_curve(f_stored, f_unseen)       # the ROC itself (at AUC 1 it runs along the axes)
print("ROC: %d points, hit rate %.2f at false-alarm rate %.2f" % (len(fpr), roc.tpr, roc.fpr))
n_s, n_u = len(f_stored), len(f_unseen)
tune_no = np.arange(n_s + n_u)
am.plot(tune_no, [np.r_[f_stored, np.full(n_u, np.nan)], np.r_[np.full(n_s, np.nan), f_unseen]],
        out=os.path.join(OUT, "07-melody-roc.png"), styles=["points pt 7", "points pt 5"],
        labels=["stored tunes", "unseen tunes"], xlabel="tune", ylabel="one-step prediction overlap",
        title="Familiarity of stored and unseen tunes: AUC %.2f" % roc.auc)

# %% [markdown]
# ## Answers
#
# (a) With the committed settings (12 tunes): none exact at history 1 or 8, 7 of the 12 at history 32 (29
# of all 39 when every tune is stored). A single step is shared by many places of many tunes, so the store
# follows whichever successor it meets first; a history of H steps is a different pattern wherever the
# last H eighth notes differ. Tunes that repeat a phrase longer than H steps (the two halves of a verse, a
# chorus) are the same pattern at both places, and the store cannot know which repeat it is in.
#
# (b) The recall goes wrong where the last 32 steps (four bars of 4/4) of two places are the same and what
# follows differs: after a repeated phrase, the store continues as at the other repeat.
#
# (c) The stored tunes score near 1 (each step predicted), the unseen ones well below, with AUC 1 — even for
# the stored tunes whose recall fails at one step: recognition needs each step predicted from the true
# one, not a whole free run.
