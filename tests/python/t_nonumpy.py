#!/usr/bin/env python3
"""The module without numpy (run with an interpreter that has none; skipped where numpy imports): arrays go in as
lists and through the buffer protocol (array.array, memoryview, bytearray) and come out as memoryviews of the right
shape and format; bad inputs are TypeErrors naming the argument."""
import array
import sys

try:
    import numpy  # noqa: F401
    HAVE_NUMPY = True
except ImportError:
    HAVE_NUMPY = False

if __name__ == "__main__":  # run alone (not by run.py): the TAP helpers from beside this file
    sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
from tap import ok, raises, skip  # noqa: E402

if HAVE_NUMPY:
    skip("am without numpy", "numpy is importable here (run this file with an interpreter without numpy)")
else:
    import am

    ok(am.have_numpy is False, "am.have_numpy is False")
    L = am.letters("AB")
    ok(isinstance(L, memoryview) and L.shape == (2, 35) and L.format == "b" and L.itemsize == 1,
       "letters: a 2 x 35 memoryview of int8")
    rows = L.tolist()
    ok(len(rows) == 2 and all(len(r) == 35 and set(r) <= {-1, 1} for r in rows) and L[0, 3] == rows[0][3],
       "outputs: tolist() and element indexing")

    s = am.Store("hopfield", n=35)
    s.add(rows)  # nested lists
    ok(s.count == 2 and s.patterns.tolist() == rows, "Store.add from a list of lists; Store.patterns gives them back")
    cue = am.flip(rows[0], k=4, rng=1)
    ok(cue.shape == (35,) and sum(a != b for a, b in zip(cue.tolist(), rows[0])) == 4, "flip of a list: 4 units")
    st, info = s.recall(cue, rng=1)
    ok(st.shape == (35,) and st.format == "b" and st.tolist() == rows[0] and info.end == "fixed",
       "recall from a list: the stored letter, a memoryview")
    ok(info.trace.format == "d" and len(info.trace) >= 1, "recall: the energy trace is a float64 memoryview")
    st2, _ = s.recall(array.array("b", cue.tolist()), rng=1)
    ok(st2.tolist() == rows[0], "recall from an array.array('b')")
    st3, _ = s.recall(memoryview(array.array("d", [float(v) for v in cue.tolist()])), rng=1)
    ok(st3.tolist() == rows[0], "recall from a memoryview of doubles")
    B, ns = s.recall([cue.tolist(), rows[1]], rng=1)
    ok(B.shape == (2, 35) and B.tolist() == rows and ns.steps.format == "I", "a batch of two cues from lists")
    ok(abs(s.energy(rows[0]) - s.energy(array.array("f", rows[0]))) < 1e-9, "energy: a list and array.array('f')")
    e2 = s.energy(rows)
    ok(e2.shape == (2,) and e2.format == "d", "energy of 2 states: a float64 memoryview of 2")
    ok(s.energy([True] * 35) == s.energy([1] * 35), "booleans are states (> 0 is +1)")
    ok(am.overlap(bytearray([1, 0, 2]), [1, -1, 1]) == 1.0, "a bytearray is read as uint8 numbers")
    P = am.patterns("random", 4, 16, rng=1)
    ok(P.shape == (4, 16) and P.format == "b", "patterns: 4 x 16 int8")
    c = am.capacity([4, 8], n=32, trials=1)
    ok(c["P"].tolist() == [4, 8] and c["overlap_mean"].format == "d", "capacity: columns as memoryviews")
    m = am.Melody([60, 62], [0, 240], [240, 240])
    ok(m.notes.tolist() == [[60, 0, 240], [62, 240, 240]], "Melody from lists; notes as a 2 x 3 int64 memoryview")

    raises(TypeError, lambda: s.energy("abc" * 12), "a str state: TypeError", text="state must be an array of numbers")
    raises(TypeError, lambda: s.energy(b"\x01" * 35), "bytes (text): TypeError", text="state")
    raises(TypeError, lambda: s.energy(None), "None: TypeError", text="state")
    raises(TypeError, lambda: s.energy([1j] * 35), "complex numbers: TypeError", text="not of complex")
    raises(TypeError, lambda: s.energy(["a"] * 35), "a list of str: TypeError", text="not of str")
    raises(TypeError, lambda: s.add([[1] * 35, [1] * 34]), "ragged rows: TypeError", text="rectangular")
    raises(TypeError, lambda: s.energy(array.array("u", "x" * 35)), "array.array of characters: TypeError",
           text="not of text")
    raises(ValueError, lambda: s.energy([1] * 34), "the wrong length: ValueError", text="state has 34 units, not 35")
    raises(ValueError, lambda: s.energy([[[1] * 35]]), "3 dimensions: ValueError", text="dimensions")
    raises(ValueError, lambda: s.energy(5), "a number: ValueError (0 dimensions)", text="not 0")
    raises(ValueError, lambda: am.overlap([1.0, float("nan")], [1, 1]), "NaN: ValueError", text="a holds NaN")
    raises(ImportError, lambda: am.plot([1, 2], [1, 2], out="x.png"), "plot needs numpy: ImportError saying how",
           text="pip install numpy")
