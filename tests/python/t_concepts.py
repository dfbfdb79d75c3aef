#!/usr/bin/env python3
"""am.Concepts and am.ConceptDB: concept memories over several latent spaces and their LMDB store, from Python.
Learning, recall across modalities with every binding mechanism, the hierarchy, save/load, the database's list,
stats and export (arrays and the TSV of `concepts export`), and what must raise: wrong shapes, NaN, wrong types,
unknown modalities, bad labels, closed handles, memories of another database, threads sharing a memory."""
import atexit
import os
import shutil
import subprocess
import tempfile
import threading

import numpy as np

import am
from tap import ok, raises, skip

tmp = tempfile.mkdtemp(prefix="am-concepts-")
atexit.register(shutil.rmtree, tmp, True)
AM_EEMPTY = -11

R = np.random.default_rng(7)
CLASSES = ["cat", "dog", "owl", "eel", "fox"]
PI = R.standard_normal((5, 8)).astype(np.float32) * 2        # image prototypes (8-D)
PW = R.standard_normal((5, 6)).astype(np.float32) * 2        # word prototypes (6-D)
Y = np.repeat(np.arange(5), 3)                                # three observations per class
ZI = (PI[Y] + 0.1 * R.standard_normal((15, 8))).astype(np.float32)
ZW = (PW[Y] + 0.1 * R.standard_normal((15, 6))).astype(np.float32)
LABELS = [CLASSES[y] for y in Y]
MODS = [("image", 8), ("word", 6)]


def memory(**kw):
    c = am.Concepts(MODS, **kw)
    c.observe({"image": ZI, "word": ZW}, LABELS)
    return c


def cos(a, b):
    return float(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))


# --- making and learning -------------------------------------------------------------------------------------------
ok(am.binding_types() == ["kv", "hebb", "hrr"], "binding_types lists kv, hebb, hrr")
c = am.Concepts(MODS)
ok(c.count == 0 and len(c) == 0 and c.modalities == [("image", 8), ("word", 6)], "a new memory is empty")
ok(c.config == {"binding": "kv", "locality": "prototype", "similarity": "dot", "beta": 8.0, "bits": 0,
                "hrr_dim": 1024, "cleanup": "modern", "seed": 1}, "the default configuration (am_concepts_config_default)")
i0 = c.observe({"image": ZI[0], "word": ZW[0]}, "cat")
ok(i0 == 0 and c.count == 1 and c.labels == ["cat"], "observe one triple: a new concept 0 labelled cat")
idx = c.observe({"image": ZI[1:], "word": ZW[1:]}, LABELS[1:])
ok(idx.dtype == np.int64 and list(idx) == list(Y[1:]), "observe rows: one concept per label, in order")
ok(c.labels == CLASSES and list(c.ids) == [1, 2, 3, 4, 5], "labels and stable ids")
k = c.concept("dog")
ok(k.index == 1 and k.id == 2 and k.observations == 3 and k.exemplars == {"image": 3, "word": 3} and
   k.parent is None and k.children == [], "concept(label): its record")
ok(np.allclose(k.prototypes["image"], ZI[3:6].mean(0), atol=1e-6), "the prototype is the mean of the exemplars")
ok(np.array_equal(c.exemplars(1, "word"), ZW[3:6]), "exemplars(c, modality): the latents observed, as they were")
P = c.prototypes("word")
ok(P.shape == (5, 6) and np.allclose(P, np.stack([ZW[Y == y].mean(0) for y in range(5)]), atol=1e-6),
   "prototypes(modality): count x dim")
ok(c.find("owl") == 2 and c.find("yak") is None and c.find(id=5) == 4 and c.find(id=99) is None, "find by label and id")
ok(c.modality("word").dim == 6 and c.modality("word").radius == float("inf"), "modality(name): dim and radius")
ok(c.bytes > 15 * 14 * 4, "bytes counts the exemplars")
ok("kv" in repr(c) and "5 concepts" in repr(c), "repr names the binding and the count")

# --- recall across modalities, every mechanism --------------------------------------------------------------------
for binding in am.binding_types():
    m = memory(binding=binding, hrr_dim=256)
    r = m.recall(PW, "word", to="image", k=2)
    ok(r.labels[0] == ["cat", r.labels[0][1]] and [x[0] for x in r.labels] == CLASSES and list(r.answer) == list(range(5))
       and r.concepts.shape == (5, 2) and r.scores.shape == (5, 2), "%s: word cues recall their concepts" % binding)
    good = min(cos(r.latents["image"][i], PI[i]) for i in range(5))
    ok(set(r.latents) == {"image"} and r.latents["image"].shape == (5, 8) and good > 0.95,
       "%s: the image read out is the concept's (cosine %.3f > 0.95)" % (binding, good))
    one = m.recall(PW[3], "word", to="image", k=2)
    ok(one.label == "eel" and one.answer == 3 and one.concepts.shape == (2,) and one.level == 0 and
       np.array_equal(one.latents["image"], r.latents["image"][3]), "%s: a 1-D cue gives one row" % binding)
r = memory().recall({"word": PW, "image": PI}, to=[])
ok(r.label == CLASSES and r.latents == {}, "cues in two modalities; to=[] reads nothing out")
r = memory().recall(PI, "image")
ok(set(r.latents) == {"word"}, "to=None reads out every modality not cued")
m = memory()
a = m.activation(PW, "word")
ok(a.shape == (5, 5) and list(a.argmax(1)) == list(range(5)) and np.allclose(a.sum(1), 1, atol=1e-5),
   "activation: kv's softmax mass per concept, the cue's concept largest")
ok(np.array_equal(m.activation(PW[2], "word"), a[2]), "activation of one cue is its row")
# many cues: computed in chunks between cancel polls, the same bits as one at a time
big = np.tile(PW, (1000, 1)) + 0.05 * R.standard_normal((5000, 6)).astype(np.float32)
for binding in ("kv", "hebb"):
    mb = memory(binding=binding)
    rb = mb.recall(big, "word", to="image", k=3)
    same = all(np.array_equal(rb.latents["image"][q], mb.recall(big[q], "word", to="image", k=3).latents["image"])
               and np.array_equal(rb.concepts[q], mb.recall(big[q], "word", k=3).concepts) for q in (0, 2047, 2048, 4999))
    ok(same, "%s: 5000 cues in one call give what each cue gives alone (chunks of 2048)" % binding)
ok(m.recall(PW, "word", k=99).concepts.shape == (5, 5), "k beyond the count is cut to the count")

# --- nearest, assign, radius, hierarchy, fallback -----------------------------------------------------------------
ix, d = m.nearest(PI[4] + 0.01, "image")
ok(ix == 4 and abs(d - np.linalg.norm(PI[4] + 0.01 - ZI[12:15].mean(0))) < 1e-4, "nearest: index and distance to the prototype")
e = memory(locality="exemplar").nearest(ZI[13], "image")
ok(e[0] == 4 and e[1] < 1e-6, "locality='exemplar': the distance to the nearest exemplar (0 for an exemplar)")
ii, dd = m.nearest(PI, "image")
ok(list(ii) == list(range(5)) and dd.dtype == np.float64, "nearest of rows: arrays")
u = am.Concepts([("image", 8, 1.0)])
ok(u.assign(PI[0], "image") == 0 and u.assign(PI[0] + 0.1, "image") == 0 and u.assign(PI[1], "image") == 1,
   "assign: within the radius joins, beyond it opens a concept")
ok(u.labels == ["", ""] and u.observe({"image": PI[2]}) == 2, "unlabelled concepts; observe without label by locality")
u.set_modality("image", radius=float("inf"), encoder="pca 8")
ok(u.modality("image").radius == float("inf") and u.modality("image").encoder == "pca 8" and
   u.assign(PI[3] * 10, "image") in (0, 1, 2), "set_modality: an infinite radius always joins")
h = memory()
animal = h.observe({"word": PW.mean(0)}, "animal")
for cl in CLASSES:
    h.set_parent(cl, "animal")
ok(h.concept("animal").children == [0, 1, 2, 3, 4] and h.concept("cat").parent == animal, "set_parent builds a hierarchy")
h.set_modality("image", radius=0.5)
far = PI[1] + 3.0 * R.standard_normal(8).astype(np.float32)
ok(h.recall(far, "image").level == 0, "without fallback the winner answers")
fb = h.recall(far, "image", fallback=True)
ok(fb.level == 1 and fb.label == "animal" and fb.answer == animal, "fallback: a cue beyond the radius goes to the parent")
raises(ValueError, lambda: h.set_parent("animal", "cat"), "a descendant as parent is refused")
h.set_label("animal", "beast")
ok(h.find("beast") == animal and h.find("animal") is None, "set_label")
raises(ValueError, lambda: h.set_label("cat", "dog"), "a label another concept has is refused", text="labelled 'dog'")
h.forget("beast")
ok(h.count == 5 and h.concept("cat").parent is None, "forget: the children move to the parent (none)")
h.forget(0)
ok(h.labels == CLASSES[1:] and h.find(id=1) is None, "forget by index: the indices after shift down, ids stay")

# --- clone, save, load ----------------------------------------------------------------------------------------------
hb = m.clone(binding="hebb", bits=64)
ok(hb.config["binding"] == "hebb" and hb.config["bits"] == 64 and hb.labels == m.labels and
   m.config["binding"] == "kv", "clone with another mechanism; the original keeps its own")
path = os.path.join(tmp, "m.db")
m.save(path)
ok(os.path.isfile(os.path.join(path, "data.mdb")) and not [f for f in os.listdir(tmp) if ".tmp-" in f],
   "save writes a database directory (nothing left beside it)")
raises(FileExistsError, lambda: m.save(path), "save onto an existing path is refused")
l2 = am.Concepts.load(path)
ok(l2.labels == m.labels and np.array_equal(l2.prototypes("image"), m.prototypes("image")) and l2.config == m.config,
   "load gives the memory saved")
ok(np.array_equal(l2.recall(PW, "word", to="image").latents["image"], m.recall(PW, "word", to="image").latents["image"]),
   "the loaded memory recalls the same bits")
ok(am.Concepts.load(path, binding="hrr").config["binding"] == "hrr", "load with another mechanism")

# --- the database ---------------------------------------------------------------------------------------------------
dbp = os.path.join(tmp, "c.db")
raises(am.Error, lambda: am.ConceptDB(dbp), "opening a missing database read-only raises", text="c.db")
with am.ConceptDB(dbp, "c") as db:
    ok(not db.has_layout and not db.closed and not db.readonly, "a new database has no layout")
    fresh = memory()
    db.sync(fresh)
    st = db.stats()
    ok(db.has_layout and st.concepts == 5 and st.labelled == 5 and st.exemplars == {"image": 15, "word": 15}
       and st.binding == "kv" and st.next_id == 6, "sync a new memory, then stats")
    fresh.observe({"image": ZI[0], "word": ZW[0]}, "yak")
    db.sync(fresh)
    ok(db.stats().concepts == 6, "sync again: what changed is written")
ok(db.closed, "the context manager closes the database")
raises(ValueError, lambda: db.stats(), "a closed database raises", text="closed")
raises(ValueError, lambda: db.sync(fresh), "sync on a closed database raises", text="closed")
ok(db.close() is None, "close twice is nothing")
with am.ConceptDB(dbp) as db:
    lst = db.list()
    ok(list(lst.ids) == [1, 2, 3, 4, 5, 6] and lst.labels == CLASSES + ["yak"] and lst.modalities == ["image", "word"]
       and lst.exemplars.shape == (6, 2) and list(lst.exemplars[0]) == [3, 3] and list(lst.observations) == [3] * 5 + [1]
       and list(lst.parents) == [0] * 6, "list: ids, labels, exemplars per modality, observations, parents")
    ex = db.export()
    ok(set(ex) == {"image", "word"} and ex["image"].latents.shape == (16, 8) and
       np.array_equal(ex["image"].latents[:15], ZI) and list(ex["word"].seq[:3]) == [0, 1, 2] and
       ex["word"].labels[0] == "cat" and list(ex["word"].ids[-1:]) == [6], "export to arrays: every exemplar")
    tsv = os.path.join(tmp, "ex.tsv")
    ok(db.export(tsv) == 32, "export(path) writes the rows and says how many")
    with open(tsv) as f:
        rows = [r for r in f.read().splitlines() if not r.startswith("#")]
    ok(rows[0].split("\t")[:6] == ["id", "label", "modality", "seq", "encoder", "z1"] and len(rows) == 33 and
       rows[1].split("\t")[:4] == ["1", "cat", "image", "0"] and rows[-1].split("\t")[11:] == ["", ""] and
       abs(float(rows[1].split("\t")[5]) - ZI[0, 0]) < 1e-6, "the TSV of `concepts export` (empty beyond a dimension)")
    # the bytes of `concepts export` but for the program and its command line; rows by concept, then modality
    os.environ["SOURCE_DATE_EPOCH"] = "1000000000"
    try:
        db.export(tsv)
        if os.environ.get("AM_BIN"):
            cli = os.path.join(tmp, "cli.tsv")
            subprocess.run([os.path.join(os.environ["AM_BIN"], "concepts"), "export", "--db", dbp, "--out", cli],
                           check=True)
            with open(tsv, "rb") as f, open(cli, "rb") as g:
                mine, theirs = f.read().split(b"\n"), g.read().split(b"\n")
            strip = (b"# program:", b"# command:")
            # blas= names the kernels only once a process has loaded OpenBLAS (this one may have; the program
            # never does for an export), else OPENBLAS_CORETYPE or auto: informational, so left out here.
            import re
            mine, theirs = ([re.sub(rb" blas=\S+$", b"", r) for r in x] for x in (mine, theirs))
            ok([r for r in mine if not r.startswith(strip)] == [r for r in theirs if not r.startswith(strip)] and
               len(mine) == len(theirs) and mine[0].startswith(b"# program: am.ConceptDB.export") and
               mine[1] == ("# command: am.ConceptDB('%s').export('%s')" % (dbp, tsv)).encode(),
               "export(path): the bytes of `concepts export`, '#' lines too, but for the program and command")
        else:
            skip("export(path): the bytes of `concepts export`", "AM_BIN not set")
        with open(tsv) as f:
            kinds = [tuple(r.split("\t")[:3]) for r in f.read().splitlines() if not r.startswith("#")][1:]
        ok(kinds[:4] == [("1", "cat", "image")] * 3 + [("1", "cat", "word")] and
           kinds == sorted(kinds, key=lambda k: int(k[0])), "export(path): rows by concept, each concept's by modality")
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    # new files and directories honour the umask, as the programs' do
    for mask in (0o022, 0o077, 0o002):
        old_mask = os.umask(mask)
        try:
            fresh_tsv, fresh_db = os.path.join(tmp, "u%o.tsv" % mask), os.path.join(tmp, "u%o.db" % mask)
            db.export(fresh_tsv)
            m.save(fresh_db)
        finally:
            os.umask(old_mask)
        ok(os.stat(fresh_tsv).st_mode & 0o777 == 0o666 & ~mask and os.stat(fresh_db).st_mode & 0o777 == 0o777 & ~mask,
           "umask %03o: export writes %03o, save makes its directory %03o" % (mask, os.stat(fresh_tsv).st_mode & 0o777,
                                                                              os.stat(fresh_db).st_mode & 0o777))
    back = db.load()
    raises(ValueError, lambda: db.sync(back), "a read-only database refuses sync", text="read-only")
    ok(back.labels == CLASSES + ["yak"] and db.message == "", "load: the snapshot as a memory")
ok(db.closed and "closed" in repr(db), "closed after the with block")
with am.ConceptDB(dbp, "w") as db:
    back.observe({"word": PW[0]}, "cat")
    db.sync(back)
    ok(db.stats().exemplars == {"image": 16, "word": 17}, "a loaded memory syncs back into its database")
    raises(ValueError, lambda: db.sync(memory()), "a new memory into a database with concepts is refused",
           text="did not come from")
    raises(ValueError, lambda: db.init(memory()), "init of a database with a layout is refused", text="layout already")
with am.ConceptDB(os.path.join(tmp, "other.db"), "c") as db:
    raises(ValueError, lambda: db.sync(back), "a memory of another database is refused", text="belongs to")
    db.init(am.Concepts(MODS, binding="hebb"))
    ok(db.has_layout and db.stats().concepts == 0 and db.stats().binding == "hebb", "init writes the layout only")
    bad = am.Concepts([("image", 8)])
    raises(ValueError, lambda: db.sync(bad), "other modalities are refused", text="modalities")
junk = os.path.join(tmp, "junk.db")
os.mkdir(junk)
with open(os.path.join(junk, "data.mdb"), "wb") as f:
    f.write(b"not lmdb" * 1000)
raises(am.Error, lambda: am.ConceptDB(junk), "a foreign file is refused with the database's message", text="data.mdb")
raises(am.Error, lambda: am.Concepts.load(os.path.join(tmp, "other.db")).recall(PI, "image"),
       "recall on a memory without concepts", status=AM_EEMPTY)

# --- what must raise ------------------------------------------------------------------------------------------------
BAD_MODS = [[], [("a", 0)], [("a", 2 ** 40)], [("a", 4), ("a", 4)], [("a b", 4)], [("x" * 32, 4)], [("a", 4, -1.0)],
            [("a", 4, float("nan"))], [("a", 4, 1.0, "tab\there")], [("m%d" % i, 2) for i in range(9)], [("a",)],
            [("a", 4, 1.0, "", 5)]]
for bm in BAD_MODS:
    raises((ValueError, OverflowError), lambda: am.Concepts(bm), "modalities %r raise" % (bm[:2],))
for bad in ["a", [["a", "4"]], {"a": 4}, [None], 5, [("a", 4.5)]]:
    raises(TypeError, lambda: am.Concepts(bad), "modalities %r raise TypeError" % (bad,))
for kw in [dict(binding="nope"), dict(locality="far"), dict(similarity="cos"), dict(beta=0), dict(beta=float("nan")),
           dict(bits=-1), dict(bits=70000), dict(hrr_dim=1), dict(cleanup="seq-dense"), dict(cleanup="nope"),
           dict(seed=-1)]:
    raises((ValueError, OverflowError), lambda: am.Concepts(MODS, **kw), "Concepts(%r) raises" % kw)
raises(TypeError, lambda: am.Concepts(MODS, beta="8"), "a str beta is a TypeError")
c = memory()
raises(ValueError, lambda: c.observe({"image": ZI[0, :7]}), "a latent of the wrong dimension", text="image")
raises(ValueError, lambda: c.observe({"image": np.full(8, np.nan)}), "NaN latents", text="image")
raises(ValueError, lambda: c.observe({"image": ZI[:2], "word": ZW[:3]}), "rows that disagree", text="same rows")
raises(ValueError, lambda: c.observe({"image": ZI[:2], "word": ZW[0]}), "1-D and 2-D mixed")
raises(KeyError, lambda: c.observe({"sound": ZI[0]}), "an unknown modality", text="sound")
raises(TypeError, lambda: c.observe({1: ZI[0]}), "a modality that is not a str")
raises(ValueError, lambda: c.observe({}), "no modality")
raises(TypeError, lambda: c.observe(ZI[0]), "latents without their modality")
raises(TypeError, lambda: c.observe({"image": "abc"}), "a str as latents")
raises(ValueError, lambda: c.observe({"image": ZI[0]}, "tab\tlabel"), "a label with a control character")
raises(ValueError, lambda: c.observe({"image": ZI[0]}, "x" * 256), "a label of 256 bytes")
raises(TypeError, lambda: c.observe({"image": ZI[0]}, 3), "a label that is not a str")
raises(TypeError, lambda: c.observe({"image": ZI[0]}, ["a"]), "a list of labels for one observation")
raises(ValueError, lambda: c.observe({"image": ZI[:2]}, ["a"]), "too few labels", text="1 labels for 2 rows")
raises(TypeError, lambda: c.observe({"image": ZI[:2]}, ["a", 5]), "a label of a list that is not a str")
ok(c.count == 5, "nothing was observed by the refused calls")
raises(ValueError, lambda: c.recall(PW, "word", k=0), "k = 0", text="k")
raises((ValueError, OverflowError), lambda: c.recall(PW, "word", threads=-1), "threads = -1")
raises(KeyError, lambda: c.recall(PW, "word", to="sound"), "to an unknown modality", text="sound")
raises(TypeError, lambda: c.recall(PW, "word", to=5), "to of the wrong type")
raises(TypeError, lambda: c.recall(PW, 5), "a modality that is not a str")
raises(TypeError, lambda: c.recall({"word": PW}, "word"), "a dict and a modality")
raises(ValueError, lambda: c.recall(np.zeros((2, 3, 6), np.float32), "word"), "a 3-D cue")
ok(c.recall(np.zeros((0, 6), np.float32), "word").concepts.shape == (0, 1), "zero cues give empty results")
raises((ValueError, OverflowError), lambda: c.concept(5), "a concept index out of range")
raises((ValueError, OverflowError), lambda: c.concept(-1), "a negative concept index")
raises(TypeError, lambda: c.concept(True), "a bool is not a concept index")
raises(TypeError, lambda: c.concept(1.0), "a float is not a concept index")
raises(KeyError, lambda: c.concept("yak"), "an unknown label", text="yak")
raises(KeyError, lambda: c.concept(""), "the empty label names no concept")
raises(TypeError, lambda: c.find(), "find without a label or an id")
raises(TypeError, lambda: c.find("cat", id=1), "find with both")
raises(ValueError, lambda: c.set_modality("image", radius=-1), "a negative radius")
raises(ValueError, lambda: c.set_modality("image", radius=float("nan")), "a NaN radius")
raises(ValueError, lambda: c.set_modality("image", encoder="a\nb"), "an encoder with a line break")
raises(ValueError, lambda: c.set_modality("image", encoder="e" * 128), "an encoder of 128 bytes")
raises(TypeError, lambda: c.save(5), "save to a path that is not a path")
raises(TypeError, lambda: am.ConceptDB(dbp, "r", map_bytes="big"), "map_bytes of the wrong type")
raises(ValueError, lambda: am.ConceptDB(dbp, "x"), "an unknown mode", text="mode")
raises(TypeError, lambda: am.ConceptDB(dbp).sync(5), "sync of something that is not a Concepts")
raises(TypeError, lambda: am.ConceptDB(dbp).load(1), "load takes keywords only")
raises(ValueError, lambda: am.ConceptDB(dbp).load(binding="nope"), "load with a bad keyword", text="binding")
e = am.Concepts.__new__(am.Concepts)
raises(RuntimeError, lambda: e.recall(PW, "word"), "an uninitialised Concepts raises", text="not initialised")
ok(len(e) == 0 and "not initialised" in repr(e), "len and repr of an uninitialised Concepts")
raises(ValueError, lambda: c.__init__(MODS), "a Concepts is initialised once")
ed = am.ConceptDB.__new__(am.ConceptDB)
raises(ValueError, lambda: ed.stats(), "an unopened ConceptDB raises", text="never opened")
raises(RuntimeError, lambda: am.Concepts.__new__(am.Concepts).concept(0), "concept() before init")


# a cue whose conversion changes the memory (its __float__ forgets a concept): no crash, a result or an error
class Forgets:
    def __init__(self, mem):
        self.mem = mem

    def __float__(self):
        if self.mem.count > 1:
            self.mem.forget(self.mem.count - 1)
        return 0.5


f = memory()
try:
    f.recall([[Forgets(f)] * 6] * 3, "word", k=5)
    good = True
except (ValueError, TypeError, am.Error, RuntimeError):
    good = True
ok(good and f.count >= 1, "a cue whose conversion forgets concepts: no crash")

# threads sharing one memory: observing and recalling at once raise RuntimeError or work
shared = memory()
errors, results = [], []


def learner():
    for _ in range(40):
        try:
            shared.observe({"image": np.tile(ZI, (50, 1)), "word": np.tile(ZW, (50, 1))}, LABELS * 50)
        except RuntimeError as e:
            errors.append(e)


def reader():
    for _ in range(200):
        try:
            results.append(shared.recall(PW, "word", to="image").label)
            shared.labels
            shared.prototypes("image")
        except RuntimeError as e:
            errors.append(e)


ts = [threading.Thread(target=learner), threading.Thread(target=reader), threading.Thread(target=reader)]
for t in ts:
    t.start()
for t in ts:
    t.join()
ok(all(r == CLASSES for r in results) and all("another call" in str(e) or "in use" in str(e) for e in errors) and
   shared.count == 5, "threads sharing a memory: results right, or RuntimeError (%d of them)" % len(errors))

if __name__ == "__main__":
    import sys

    import tap
    sys.exit(tap.done())

# The library's message is not repeated after it (was "...: No such file or directory: No such file or directory",
# "the file is truncated: file is truncated").
def message(fn):
    try:
        fn()
    except am.Error as e:
        return str(e)
    return ""


m = message(lambda: am.ConceptDB(os.path.join(tmp, "none.db")))
ok(m.count("No such file or directory") == 1, "a missing database: its strerror said once (%s)" % m)
m = message(lambda: am.read_abc(os.path.join(tmp, "none.abc")))
ok(m.count("No such file or directory") == 1 and m.endswith("none.abc: No such file or directory"),
   "read_abc of a missing file: its strerror said once (%s)" % m)
short = os.path.join(tmp, "short.db")
os.mkdir(short)
with open(os.path.join(dbp, "data.mdb"), "rb") as f, open(os.path.join(short, "data.mdb"), "wb") as g:
    g.write(f.read(6000))
m = message(lambda: am.ConceptDB(short))
ok("truncated" in m and m.count("truncated") == 1, "a truncated database: 'truncated' said once (%s)" % m)
