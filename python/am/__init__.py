"""am: libam, the associative-memory library, from Python.

The layers (help(am.NAME) for any name; every one has a docstring with an example):

  core          Error, Rng, seed, default_rng, have_numpy, __version__, commit
  patterns      patterns, letters, flip, occlude, overlap, fashion, class_name, show, show_frames, checkerboards
  stores        Store (hopfield, dense, modern, seq-*: store, recall, energy, replay), load, store_types
  analysis      capacity, theory, seq_capacity, familiarity, sequence_familiarity, roc, roc_curve
  encoders      PCA, Autoencoder
  audio         read_wav, write_wav, resample, trim, active_level, normalize, STFT (spectrograms, Griffin-Lim)
  words         WordEncoder, Lexicon, read_words, word_valid, WordNet
  concepts      Concepts, ConceptDB (the LMDB concept database), binding_types, HRR, Cleanup
  dynamics      SNN (presets), Network/Population/Projection/Monitor (spiking networks from parts),
                graded_run, xor_trial, Engram
  graphs        Graph, read_graph, motifs (counts, null models)
  melodies      Melody, MelodyCode, read_abc, read_midi, pitch_name, corpus
  figures       plot (gnuplot; needs numpy)

Stores (classical Hopfield, dense associative memory, modern continuous Hopfield) with one API:

    >>> import am, numpy as np
    >>> pats = am.letters("ABCD", 10, 10)          # 4 x 100 int8 patterns of +-1
    >>> s = am.Store("dense", n=100, degree=3)
    >>> s.add(pats)
    >>> cue = am.flip(pats[0], frac=0.2, rng=1)
    >>> state, info = s.recall(cue, record=True)   # every sweep's state, energy and overlaps
    >>> print(am.show(state, 10))

Sequence stores (seq-hebb, seq-dense, seq-mixed, seq-pinv, seq-modern) keep sequences and replay them:

    >>> s = am.Store("seq-dense", n=100, degree=2)
    >>> s.add(pats, cyclic=True)                     # A -> B -> C -> D -> A
    >>> r = s.replay(cue, 8)                         # r.states, r.overlaps, r.transitions, r.first_fail
    >>> nxt, exact = s.transitions()                 # one step from every element
    >>> am.seq_capacity(100, degree=2).transition    # Chaudhry et al. 2023: P_T = N^d / (2 (2d-1)!! ln N)

Melodies (am/melody.h), familiarity (am/familiarity.h) and the melody engram (am/engram.h):

    >>> tunes = am.read_abc(am.corpus())                       # [Melody]: .title, .notes, .grid(), .render()
    >>> code = am.MelodyCode("range")                          # one +-1 pattern per eighth note
    >>> s = am.Store("seq-dense", n=code.units, degree=2)
    >>> for t in tunes[:10]: s.add(code.encode(t))             # each tune one open sequence
    >>> am.sequence_familiarity(s, [code.encode(t) for t in tunes[:12]])   # stored vs not stored
    >>> g = am.Engram(code.units); curve = g.train([code.encode(t) for t in tunes[:10]], 2)

Concept cells (am/concept.h) over several latent spaces, their LMDB store (am/conceptdb.h), holographic reduced
representations (am/hrr.h) and clean-up memories (am/cleanup.h):

    >>> rng = np.random.default_rng(1); zi, zw = rng.normal(size=(3, 64)), rng.normal(size=(3, 32))
    >>> c = am.Concepts([("image", 64), ("word", 32)], binding="kv")   # am.binding_types(): kv, hebb, hrr
    >>> c.observe({"image": zi, "word": zw}, ["shirt", "bag", "boot"])  # one row per observation
    >>> r = c.recall(zw + 0.1 * rng.normal(size=(3, 32)), "word", to="image", k=3)   # r.labels, r.latents["image"]
    >>> with am.ConceptDB("concepts.db", "c") as db: db.sync(c)        # db.load(), list(), export(), stats()
    >>> h = am.HRR(1024); vocab = h.random(10, rng=1); role = h.random(1, rng=2)[0]
    >>> t = h.bind(role, vocab[4])                                     # unbind, encode, bundle, permute, cosine
    >>> am.Cleanup(vocab).run(h.unbind(t, role))                       # the index of the filler: 4

Audio (am/audio.h): WAV files, resampling, loudness, spectrograms and Griffin-Lim; words (am/words.h,
am/lexicon.h): spelling codes, a vocabulary with clean-up, word lists and WordNet:

    >>> am.write_wav("speech.wav", 0.3 * np.sin(2 * np.pi * 220 * np.arange(22050) / 22050), 22050)
    >>> x, rate = am.read_wav("speech.wav"); x = am.normalize(am.trim(am.resample(x, rate, 16000)))
    >>> s = am.STFT(mels=40); f = s.features(x)                # frames x 40 in [0, 1]
    >>> s.features_to_wav(f, "heard.wav", iters=60)            # Griffin-Lim, written at the speech level
    >>> e = am.WordEncoder(1024, seed=1); lx = am.Lexicon(e, ["shirt", "sneaker", "bag"])
    >>> lx.decode(e.encode("sneakers"), words=True)            # 'sneaker'
    >>> am.WordNet().fashion_words(7, depth=2)                 # Debian's wordnet-base

Graphs and motifs (am/graph.h) and spiking networks composed from parts (am/spiking.h):

    >>> g = am.Graph.synthetic(300, 2000, rng=1)    # or am.read_graph("herm_full_edgelist.csv",
    ...                                             #   neurons="owmeta_cache.json"): C. elegans (c302's files)
    >>> g.count()                                    # {'xor': ..., 'xor-induced': ..., 'lateral': ..., ...}
    >>> r = g.null("xor", graphs=100, attempts=10, rng=1)   # degree- and sign-preserving rewiring: r.z, r.p_upper
    >>> net = am.Network(dt=0.1, method="euler", seed=1)
    >>> E = net.population(320, drive=20, v0_mean=-55, v0_sd=5); I = net.population(80, drive=20, v0_mean=-55, v0_sd=5)
    >>> net.connect(E, [E, I], p=0.2, weight=0.6); net.connect(I, [E, I], p=0.2, weight=6.7, receptor="inhibitory")
    >>> spikes = net.spike_monitor([E, I]); net.run(100)    # spikes.t, spikes.i; rate_monitor, state_monitor

Everything computes in C (libam). Arrays go in as anything with the buffer protocol (numpy arrays of any
dtype of numbers, strides and byte order, memoryview, array.array) or as lists of numbers, and come out as
numpy arrays (memoryviews of the same shape and type without numpy: am.have_numpy says which; .tolist()
works on both). numpy is optional: only plot() needs it. Failures of the library raise am.Error with its
message. Randomness is explicit: rng= takes an int seed, an am.Rng(seed, stream) that
advances, or None for am's default stream (am.seed(s) restarts it).

Helpers here in Python: show() and show_frames() draw +-1 states in the terminal or a notebook with Unicode
half-blocks; plot() draws columns with gnuplot into a PNG (shown inline in Jupyter).
"""
import os as _os


def _no_extension(e):
    """The one message of an ImportError of am._am: which interpreter, what is there instead, and the fix."""
    import sys
    import sysconfig
    here = _os.path.dirname(_os.path.abspath(__file__))
    root = next((r for r in (_os.path.join(here, *[".."] * k) for k in (1, 2, 3, 4))
                 if _os.path.isfile(_os.path.join(r, "pyproject.toml")) and _os.path.isdir(_os.path.join(r, "libam"))),
                "<libam's source directory>")
    py = "%s (CPython %d.%d)" % ((sys.executable or "python",) + sys.version_info[:2])
    fix = ("install it for this interpreter: %s -m pip install %s (or, in the source tree, make python PYTHON=%s)"
           % (sys.executable or "python", _os.path.normpath(root), sys.executable or "python"))
    # `from . import _am` turns a missing am._am into a plain ImportError ("cannot import name"): whether an
    # extension for this interpreter is there is a question for the directory, not for the exception's type.
    from importlib.machinery import EXTENSION_SUFFIXES
    if not any(_os.path.isfile(_os.path.join(here, "_am" + s)) for s in EXTENSION_SUFFIXES):
        others = sorted(f for f in _os.listdir(here) if f.startswith("_am.") and f.endswith(".so"))
        return ("am: the compiled module am._am (%s) is not built for %s in %s%s; %s"
                % ("_am" + sysconfig.get_config_var("EXT_SUFFIX"), py, here,
                   " (there: %s, for other interpreters)" % ", ".join(others) if others else "", fix))
    if getattr(e, "path", None) and e.path.endswith(".so"):
        return "am: %s cannot load %s (%s); if a library is missing: tools/install-deps; else %s" % (
            py, e.path, e, fix)
    return "am: the compiled module in %s does not match its Python files (%s): rebuild it; %s" % (here, e, fix)


try:
    from . import _am  # noqa: F401  (the C extension: every layer below)
except ImportError as _e:
    raise ImportError(_no_extension(_e)) from None

# The layers, as help(am) lists them (NAME ... lines):
from ._am import Error, Rng, __version__, commit, default_rng, have_numpy, seed  # noqa: F401  (core)
from ._am import class_name, fashion, flip, letters, occlude, overlap, patterns  # noqa: F401  (patterns and data)
from ._am import Store, load, store_types  # noqa: F401  (stores: classical, dense, modern, sequences)
from ._am import capacity, familiarity, roc, roc_curve, seq_capacity, sequence_familiarity, theory  # noqa: F401
from ._am import CNN, PCA, Autoencoder, Encoder, encoder_types  # noqa: F401  (encoders: latent spaces)
from ._am import (  # noqa: F401  (audio: am/audio.h; words: am/words.h, am/lexicon.h)
    STFT, Lexicon, WordEncoder, WordNet, active_level, normalize, read_wav, read_words, resample, trim, word_valid,
    write_wav)
from ._am import HRR, Cleanup, ConceptDB, Concepts, binding_types  # noqa: F401  (concepts, HRR, clean-up)
from ._am import SNN, Engram, graded_run, xor_trial  # noqa: F401  (dynamics: spiking presets, graded, engram)
from ._am import Monitor, Network, Population, Projection  # noqa: F401  (spiking networks from parts)
from ._am import Graph, motifs, read_graph  # noqa: F401  (graphs, motifs, null models)
from ._am import REST, TPQ, Melody, MelodyCode, pitch_name, read_abc, read_midi  # noqa: F401  (melodies)
from ._plot import plot  # noqa: F401  (gnuplot figures)

__all__ = ["Store", "Rng", "Error", "PCA", "Autoencoder", "SNN", "load", "patterns", "letters", "flip", "occlude",
           "overlap", "capacity", "xor_trial", "graded_run", "fashion", "class_name", "theory", "seq_capacity",
           "store_types", "seed", "show", "show_frames", "plot", "checkerboards", "Melody", "MelodyCode", "Engram",
           "read_abc", "read_midi", "pitch_name", "roc", "roc_curve", "familiarity", "sequence_familiarity", "corpus",
           "Concepts", "ConceptDB", "binding_types", "HRR", "Cleanup"]
__all__ += ["read_wav", "write_wav", "resample", "trim", "active_level", "normalize", "STFT",  # audio
            "WordEncoder", "Lexicon", "read_words", "word_valid", "WordNet"]  # words
__all__ += ["Graph", "read_graph", "motifs", "Network", "Population", "Projection", "Monitor"]  # graphs, networks
__all__ += ["CNN", "Encoder", "encoder_types"]  # convolutional networks, any encoder file


def corpus():
    """The path of libam's own tune file (traditional.abc, public-domain tunes in ABC): am/tunes in the package
    (pip install), data/tunes in the source tree the module was built in, else share/libam/tunes of the
    installation. am.read_abc(am.corpus()) reads it. FileNotFoundError when none is there.

    >>> tunes = am.read_abc(am.corpus())
    >>> len(tunes), tunes[0].title
    """
    here = _os.path.dirname(_os.path.abspath(__file__))
    up = [_os.path.join(here, *[".."] * k) for k in range(2, 6)]
    candidates = [_os.path.join(here, "tunes", "traditional.abc")]  # inside the package (pip install)
    candidates += [_os.path.join(u, "data", "tunes", "traditional.abc") for u in up]
    candidates += [_os.path.join(u, "share", "libam", "tunes", "traditional.abc") for u in up]
    candidates += ["/usr/local/share/libam/tunes/traditional.abc", "/usr/share/libam/tunes/traditional.abc"]
    for c in candidates:
        if _os.path.isfile(c):
            return _os.path.normpath(c)
    raise FileNotFoundError("am.corpus: libam's tune file traditional.abc is neither in the package (am/tunes), in the "
                            "source tree (data/tunes) nor installed (share/libam/tunes)")


def _numpy(helper):
    """numpy, for the helpers that need it: ImportError saying how to install it when it is missing."""
    try:
        import numpy
    except ImportError:
        raise ImportError("am.%s needs numpy: pip install numpy (Debian: apt install python3-numpy)" % helper) from None
    return numpy


def _flat(a):
    """The numbers of a (a numpy array, memoryview, list, ...) in C order, as one list."""
    a = a.tolist() if hasattr(a, "tolist") else a
    if not isinstance(a, (list, tuple)):
        return [a]
    return [x for item in a for x in _flat(item)]


def checkerboards(count, width, height):
    """count checkerboards on a width x height grid: cells of 1, 1, 2, 2, ... units in both phases.

    >>> print(am.show_frames(am.checkerboards(4, 8, 8), labels=[1, 1, 2, 2]))
    """
    return patterns("checkerboard", count, width=width, height=height)


def show(state, width=None, *, ink="\u2588", blank=" "):
    """A +-1 state (or any array, drawn by sign) as text, two rows per line in Unicode half-blocks.

    width: the grid's width (default: sqrt(n) when n is a square).

    >>> print(am.show(am.letters('A', 10, 10)[0]))
    >>> print(am.show([1, -1, -1, 1, 1, -1], 3))     # 2 rows of 3: one line
    """
    s = [x > 0 for x in _flat(state)]
    n = len(s)
    if width is None:
        width = int(round(n ** 0.5))
        if width * width != n:
            raise ValueError("show: give width (n = %d is not a square)" % n)
    if width < 1 or n % width:
        raise ValueError("show: width %d does not divide n = %d" % (width, n))
    rows = [s[k:k + width] for k in range(0, n, width)]
    if len(rows) % 2:
        rows.append([False] * width)
    glyph = {(True, True): ink, (True, False): "\u2580", (False, True): "\u2584", (False, False): blank}
    return "\n".join("".join(glyph[(bool(a), bool(b))] for a, b in zip(top, bottom))
                     for top, bottom in zip(rows[0::2], rows[1::2]))


def show_frames(frames, width=None, *, per_row=6, labels=None, gap="  "):
    """Several states side by side (per_row to a line), with optional labels above each.

    >>> L = am.letters('HOPFIELD', 8, 8)
    >>> print(am.show_frames(L, per_row=4, labels=list('HOPFIELD')))
    """
    frames = list(frames)
    out = []
    for k in range(0, len(frames), per_row):
        chunk = [show(f, width).split("\n") for f in frames[k:k + per_row]]
        w = max(len(line) for c in chunk for line in c)
        if labels is not None:
            w = max([w] + [len(str(lab)) for lab in labels[k:k + per_row]])
        if labels is not None:
            out.append(gap.join(str(lab)[:w].ljust(w) for lab in labels[k:k + per_row]))
        for lines in zip(*chunk):
            out.append(gap.join(line.ljust(w) for line in lines))
        out.append("")
    return "\n".join(out)
