#!/usr/bin/env python3
"""am.Graph (am/graph.h): graphs from arrays, files and generators, their counts, degrees and edges, motif counts
and instances against hand-made graphs, rewiring, the null model against `connectome null`, every keyword's
effect, hostile arguments, and Ctrl-C during the long calls. The C. elegans connectome (c302's files in
../shared/data/celegans, or $AM_CELEGANS) is read when present, else skipped."""
import os
import signal
import subprocess
import sys
import tempfile
import threading

import numpy as np

import am
from tap import diag, ok, raises, skip

BIN = os.environ.get("AM_BIN", "")
HERE = os.path.dirname(os.path.abspath(__file__))
CE = os.environ.get("AM_CELEGANS") or os.path.join(HERE, "..", "..", "..", "shared", "data", "celegans")

# The XOR motif by hand (a, b inputs; c, d laterals; h the inhibitory hub; o the output), plus F+ and F-.
NAMES = ["a", "b", "c", "d", "h", "o"]
EXC = [[0, 2], [0, 4], [1, 3], [1, 4], [2, 5], [3, 5]]
INH = [[4, 2], [4, 3]]
xor = am.Graph.from_edges(NAMES, EXC + INH, signs=[1] * 6 + [-1] * 2)

ok(xor.nodes == 6 and len(xor) == 6 and xor.edges == 8 and xor.excitatory_edges == 6 and xor.inhibitory_edges == 2,
   "from_edges: 6 nodes, 8 edges (6 excitatory, 2 inhibitory)")
ok(xor.names == NAMES and xor.find("h") == 4, "names kept; find('h') = 4")
ok(list(xor.node_signs) == [1, 1, 1, 1, -1, 0], "node identities from their outgoing edges (o has none: 0)")
ok(list(xor.out_degree()) == [2, 2, 1, 1, 2, 0] and list(xor.in_degree()) == [0, 0, 2, 2, 2, 2],
   "out- and in-degrees")
ok(list(xor.out_degree(sign=-1)) == [0, 0, 0, 0, 2, 0] and list(xor.in_degree(sign=1)) == [0, 0, 1, 1, 2, 2],
   "sign= selects the edges counted (-1 inhibitory, 1 excitatory)")
ok(xor.has_edge("h", "c") and xor.has_edge(4, 2, sign=-1) and not xor.has_edge(4, 2, sign=1)
   and not xor.has_edge("c", "a"), "has_edge by name or id, with and without sign=")
e = xor.edge_arrays()
pairs = sorted(zip(e.source.tolist(), e.target.tolist(), e.sign.tolist()))
ok(pairs == sorted([(s, t, 1) for s, t in EXC] + [(s, t, -1) for s, t in INH]) and e.weight.dtype == np.float32
   and np.all(e.weight == 1), "edge_arrays gives back the edges, their signs and weights 1")
ok(list(e.sign[:6]) == [1] * 6, "edge_arrays: excitatory edges first")
counts = xor.count()
ok(counts == {"xor": 1, "xor-induced": 1, "lateral": 1, "signed-xor": 0} and xor.count("xor") == 1,
   "the hand-made XOR: one xor, one induced xor, one lateral, no signed xor (%s)" % counts)
ok(xor.count(["lateral", "xor"]) == {"lateral": 1, "xor": 1}, "count(list) -> dict of those motifs")
ok(xor.instances().tolist() == [[0, 1, 2, 3, 4, 5]] and xor.instances("lateral").tolist() == [[0, 1, 2, 3, 4]],
   "instances in the order a b c d h o (lateral: a b c d h)")
ok(am.motifs == ("xor", "xor-induced", "lateral", "signed-xor"), "am.motifs names the four motifs")

# an extra edge c->d breaks the induced motif, not the plain one
extra = am.Graph.from_edges(NAMES, EXC + INH + [[2, 3]], signs=[1] * 6 + [-1] * 2 + [1])
ok(extra.count("xor") == 1 and extra.count("xor-induced") == 0, "an extra edge: xor 1, xor-induced 0")
# the signed XOR: F+ excitatory, F- inhibitory identities, o -> both, a -> F+, b -> F-
sx = am.Graph.from_edges(NAMES + ["p", "m"], EXC + INH + [[5, 6], [5, 7], [0, 6], [1, 7]],
                         signs=[1] * 6 + [-1] * 2 + [1] * 4, node_signs=[1, 1, 1, 1, -1, 1, 1, -1])
ok(sx.count("signed-xor") == 1 and sx.instances("signed-xor").shape == (1, 8), "the signed XOR with node_signs")
no_ids = am.Graph.from_edges(NAMES + ["p", "m"], EXC + INH + [[5, 6], [5, 7], [0, 6], [1, 7]],
                             signs=[1] * 6 + [-1] * 2 + [1] * 4)
ok(no_ids.count("signed-xor") == 0, "node_signs has an effect: without F-'s identity no signed XOR")
w = am.Graph.from_edges(3, [[0, 1], [0, 1], [1, 2]], weights=[2, 3, 0.5])
ok(w.edges == 2 and sorted(w.edge_arrays().weight.tolist()) == [0.5, 5.0] and w.names == ["0", "1", "2"],
   "weights: repeated rows merge, weights summed; a count gives names '0' '1' '2'")
ok(am.Graph.from_edges(2, [[0, 0], [0, 1]]).edges == 1 and am.Graph.from_edges(4, []).edges == 0,
   "self-loops dropped; a graph without edges")
ok(repr(xor) == "<am.Graph 6 nodes, 6 excitatory and 2 inhibitory edges>", "repr")

# synthetic graphs, rewiring
s1 = am.Graph.synthetic(500, 5000, rng=7)
s2 = am.Graph.synthetic(500, 5000, rng=7)
s3 = am.Graph.synthetic(500, 5000, rng=8)
ok(s1.nodes == 500 and s1.edges == 5000 and np.array_equal(s1.edge_arrays().target, s2.edge_arrays().target)
   and not np.array_equal(s1.edge_arrays().target, s3.edge_arrays().target), "synthetic: sizes; rng= seeds it")
ok(am.Graph.synthetic(500, 5000, inh_share=0.0, rng=7).inhibitory_edges == 0
   and am.Graph.synthetic(500, 5000, inh_share=1.0, rng=7).excitatory_edges == 0, "inh_share= sets the signs")
flat, heavy = am.Graph.synthetic(500, 5000, sigma=0.0, rng=7), am.Graph.synthetic(500, 5000, sigma=2.0, rng=7)
ok(flat.out_degree().max() < heavy.out_degree().max() / 2,
   "sigma= spreads the degrees (max out-degree %d at 0, %d at 2)" % (flat.out_degree().max(), heavy.out_degree().max()))
r, acc = s1.rewire(10, rng=1)
ok(np.array_equal(r.out_degree(1), s1.out_degree(1)) and np.array_equal(r.in_degree(-1), s1.in_degree(-1))
   and acc > 0 and not np.array_equal(r.edge_arrays().target, s1.edge_arrays().target),
   "rewire keeps every degree per sign and moves edges (%d swaps)" % acc)
r0, acc0 = s1.rewire(0, rng=1)
ok(acc0 == 0 and np.array_equal(r0.edge_arrays().target, s1.edge_arrays().target) and s1.rewire(1, rng=1)[1] < acc,
   "attempts= sets the swaps tried (0: none)")
rng_a, rng_b = am.Rng(5), am.Rng(5)
ok(np.array_equal(s1.rewire(2, rng=rng_a)[0].edge_arrays().target, s1.rewire(2, rng=rng_b)[0].edge_arrays().target)
   and not np.array_equal(s1.rewire(2, rng=rng_a)[0].edge_arrays().target,
                          s1.rewire(2, rng=am.Rng(6))[0].edge_arrays().target),
   "rng= takes an am.Rng too")

# the null model: its summary from its own counts, the same at any thread count, and as `connectome null` gives it
g = am.Graph.synthetic(400, 2000, rng=3)
nm = g.null(graphs=12, attempts=5, rng=4)
c = nm.counts
ok(nm.motifs == am.motifs and c.shape == (12, 4) and list(nm.observed) == [g.count(m) for m in am.motifs],
   "null: counts of 12 graphs x 4 motifs, observed = count()")
mean, sd = c.mean(axis=0), c.std(axis=0, ddof=1)
ok(np.allclose(nm.mean, mean) and np.allclose(nm.sd, sd) and np.allclose(nm.z, (nm.observed - mean) / sd)
   and np.allclose(nm.p_upper, (1 + (c >= nm.observed).sum(axis=0)) / 13.0)
   and np.allclose(nm.enrichment, nm.observed / mean), "null: mean, sd (n - 1), z, p_upper, enrichment")
ok(np.array_equal(g.null(graphs=12, attempts=5, rng=4, threads=2).counts, c), "null: the same counts on 2 threads")
ok(g.null("lateral", graphs=12, attempts=5, rng=4).counts[:, 0].tolist() == c[:, 2].tolist()
   and not np.array_equal(g.null(graphs=12, attempts=5, rng=5).counts, c)
   and not np.array_equal(g.null(graphs=12, attempts=1, rng=4).counts, c)
   and g.null(graphs=3, attempts=5, rng=4).counts.tolist() == c[:3].tolist(),
   "motifs=, rng=, attempts=, graphs= each change what is drawn (graph k from stream (seed, k))")
# the sampler: Curveball by default (rounds=), swaps when attempts= alone is given or sampler='swap'
cb = g.null(graphs=12, rng=4)
ok(cb.sampler == "curveball" and cb.rounds == 40 and cb.attempts is None and nm.sampler == "swap"
   and nm.rounds is None and nm.attempts == 5.0, "null: the default sampler is Curveball, 40 rounds; attempts= alone: swaps")
ok(np.array_equal(g.null(graphs=12, sampler="swap", attempts=5, rng=4).counts, c)
   and np.array_equal(g.null(graphs=12, sampler="curveball", rounds=40, rng=4).counts, cb.counts)
   and not np.array_equal(g.null(graphs=12, rounds=3, rng=4).counts, cb.counts)
   and np.array_equal(g.null(graphs=12, rng=4, threads=2).counts, cb.counts),
   "sampler= names the default or swaps; rounds= changes what is drawn; Curveball's counts the same on 2 threads")
for kw_, text in [(dict(sampler="curveball", attempts=5), "attempts= applies to sampler='swap'"),
                  (dict(sampler="swap", rounds=5), "rounds= applies to sampler='curveball'"),
                  (dict(attempts=5, rounds=5), "attempts= applies to sampler='swap'"),
                  (dict(sampler="rewire"), "sampler='rewire'"), (dict(rounds=0), "rounds"),
                  (dict(rounds=10**5 + 1), "rounds"), (dict(graphs=10**5 + 1), "graphs"),
                  (dict(sampler="swap", attempts=0.5), "attempts"), (dict(sampler=3), "sampler")]:
    try:
        g.null(graphs=2, **kw_)
        ok(False, "null(%r) raises" % (kw_,))
    except (ValueError, TypeError) as e:
        ok(text in str(e), "null(%r) raises: %s" % (kw_, e))
if BIN and os.access(os.path.join(BIN, "connectome"), os.X_OK):
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "g.csv")
        e = g.edge_arrays()
        with open(csv, "w") as f:
            f.write("source,target,weight,sign\n")
            for s_, t_, w_, g_ in zip(e.source, e.target, e.weight, e.sign):
                f.write("%d,%d,%g,%s\n" % (s_, t_, w_, "+" if g_ > 0 else "-"))
        h = am.read_graph(csv)  # node ids in order of appearance: the program's graph
        hn = h.null(graphs=12, attempts=5, rng=4)
        out = os.path.join(tmp, "null.tsv")
        subprocess.run([os.path.join(BIN, "connectome"), "null", "--edges", csv, "--graphs", "12", "--attempts", "5",
                        "--seed", "4", "--quiet", "--out", out], check=True)
        rows = [line.split("\t") for line in open(out) if not line.startswith("#")][1:]
        prog = {r_[0]: (int(r_[1]), float(r_[2]), float(r_[3]), float(r_[7])) for r_ in rows}
        ok(all(prog[m][0] == hn.observed[k] and abs(prog[m][1] - hn.mean[k]) < 1e-3 and abs(prog[m][2] - hn.sd[k]) < 1e-3
               and abs(prog[m][3] - hn.z[k]) < 0.01 for k, m in enumerate(am.motifs)),
           "null agrees with `connectome null --seed 4` (observed, mean, sd to 1e-3, z to 0.01)")
        hc = h.null(graphs=12, rounds=7, rng=4)
        subprocess.run([os.path.join(BIN, "connectome"), "null", "--edges", csv, "--graphs", "12", "--rounds", "7",
                        "--seed", "4", "--quiet", "--out", out], check=True)
        rows = [line.split("\t") for line in open(out) if not line.startswith("#")][1:]
        prog = {r_[0]: (int(r_[1]), float(r_[2]), float(r_[3]), float(r_[7])) for r_ in rows}
        ok(all(prog[m][0] == hc.observed[k] and abs(prog[m][1] - hc.mean[k]) < 1e-3 and abs(prog[m][2] - hc.sd[k]) < 1e-3
               and abs(prog[m][3] - hc.z[k]) < 0.01 for k, m in enumerate(am.motifs)),
           "Curveball null agrees with `connectome null --rounds 7 --seed 4`")
        ok(h.nodes == g.nodes - sum(1 for d in g.out_degree() + g.in_degree() if d == 0)
           and h.edges == g.edges and h.count() == g.count(), "read_graph reads the CSV back (same counts)")
        with open(os.path.join(tmp, "s.csv"), "w") as f:
            f.write("%s,-\n" % h.names[0])
        hs = am.read_graph(csv, signs=os.path.join(tmp, "s.csv"))
        ok(hs.node_signs[0] == -1 and hs.out_degree(-1)[0] == h.out_degree()[0], "signs= overrides a node's sign")
        with open(os.path.join(tmp, "bad.csv"), "w") as f:
            f.write("source,target,weight,sign\na,b,1,+\na,c,x,+\n")
        raises(am.Error, lambda: am.read_graph(os.path.join(tmp, "bad.csv")), "a malformed CSV line raises naming it",
               text="line 3")
else:
    skip("null agrees with `connectome null`; read_graph of a CSV", "AM_BIN unset")
raises(am.Error, lambda: am.read_graph("/nonexistent/g.csv"), "a missing file raises am.Error naming it",
       text="/nonexistent/g.csv")

# C. elegans
edges_csv, owmeta = os.path.join(CE, "herm_full_edgelist.csv"), os.path.join(CE, "owmeta_cache.json")
if os.path.isfile(edges_csv) and os.path.isfile(owmeta):
    ce = am.read_graph(edges_csv, neurons=owmeta)
    st = ce.read_stats
    ok(ce.nodes == 302 and int((ce.node_signs < 0).sum()) == 26 and st.rows == 7379 and st.kept == 3638,
       "C. elegans: 302 neurons, 26 GABAergic, 7379 rows read, 3638 kept (%s)" % (st,))
    cc = ce.count()
    inst = ce.instances("xor")
    ok(cc["xor"] > 0 and inst.shape == (cc["xor"], 6) and ce.count(threads=2) == cc
       and all(ce.node_signs[inst[:, 4]] == -1), "its XOR motifs: %d, listed, the same on 2 threads, hubs GABAergic"
       % cc["xor"])
    ok(ce.instances("xor", max=5).shape == (5, 6), "instances(max=5) stops at 5")
    names = ce.names
    ok(all(ce.has_edge(names[a], names[h_]) for a, h_ in inst[:20, [0, 4]]), "instances' edges exist (a -> h)")
    cn = ce.null(["xor", "lateral"], graphs=20, attempts=10, rng=1)
    diag("C. elegans null (20 graphs): xor z = %.1f, lateral z = %.1f" % tuple(cn.z))
    ok(cn.z[0] > 3 and cn.z[1] > 3, "its XOR and lateral motifs are enriched against the null model (z > 3)")
else:
    skip("the C. elegans connectome", "no data at %s (set AM_CELEGANS)" % CE)

# hostile arguments: each raises, naming the argument
F = am.Graph.from_edges
for name, fn, exc, text in [
    ("edges id out of range", lambda: F(3, [[0, 3]]), ValueError, "edges[0, 1] = 3"),
    ("negative id", lambda: F(3, [[-1, 2]]), ValueError, "edges[0, 0] = -1"),
    ("edges not m x 2", lambda: F(3, [[0, 1, 2]]), ValueError, "edges"),
    ("edges of strings", lambda: F(3, [["a", "b"]]), TypeError, "edges"),
    ("fractional id", lambda: F(3, [[0.5, 1]]), ValueError, "edges"),
    ("sign 0", lambda: F(3, [[0, 1]], signs=[0]), ValueError, "signs[0] = 0"),
    ("sign 2", lambda: F(3, [[0, 1]], signs=[2]), ValueError, "signs[0] = 2"),
    ("signs length", lambda: F(3, [[0, 1]], signs=[1, 1]), ValueError,
     "signs must have one value per edge: 2 given for 1 edge"),
    ("signs too few", lambda: F(3, [[0, 1], [1, 2]], signs=[1]), ValueError,
     "signs must have one value per edge: 1 given for 2 edges"),
    ("weights length", lambda: F(3, [[0, 1]], weights=[1, 2]), ValueError,
     "weights must have one value per edge: 2 given for 1 edge"),
    ("weight nan", lambda: F(3, [[0, 1]], weights=[float("nan")]), ValueError, "weights"),
    ("weight negative", lambda: F(3, [[0, 1], [1, 2]], weights=[1, -2]), ValueError, "weights[1] = -2"),
    ("weight 0", lambda: F(3, [[0, 1]], weights=[0]), ValueError, "weights[0] = 0"),
    ("edges a dict", lambda: F(3, {}), TypeError, "edges must be a sequence"),
    ("edges a set", lambda: F(3, set()), TypeError, "edges must be a sequence"),
    ("weight beyond float", lambda: F(3, [[0, 1]], weights=[1e300]), ValueError, "weights[0]"),
    ("node_signs 3", lambda: F(3, [[0, 1]], node_signs=[0, 3, 0]), ValueError, "node_signs[1] = 3"),
    ("node_signs length", lambda: F(3, [[0, 1]], node_signs=[0, 1]), ValueError, "node_signs"),
    ("duplicate name", lambda: F(["a", "b", "a"], [[0, 1]]), ValueError, "nodes[2] = 'a'"),
    ("empty name", lambda: F(["a", ""], [[0, 1]]), ValueError, "nodes[1]"),
    ("name with NUL", lambda: F(["a", "b\0c"], [[0, 1]]), ValueError, "nodes[1]"),
    ("name not a str", lambda: F(["a", 3], [[0, 1]]), TypeError, "nodes[1]"),
    ("negative node count", lambda: F(-1, []), (ValueError, OverflowError), "nodes"),
    ("nodes a float", lambda: F(2.5, []), TypeError, "nodes"),
    ("count motif", lambda: xor.count("triangle"), ValueError, "unknown motif 'triangle'"),
    ("count motif twice", lambda: xor.count(["xor", "xor"]), ValueError, "named twice"),
    ("count motif type", lambda: xor.count(3), TypeError, "motif"),
    ("count threads", lambda: xor.count("xor", threads=-1), (ValueError, OverflowError), "threads"),
    ("instances motif", lambda: xor.instances("nope"), ValueError, "motif"),
    ("instances max", lambda: xor.instances(max=-1), (ValueError, OverflowError), "max"),
    ("degree sign", lambda: xor.out_degree(sign=2), (ValueError, OverflowError), "sign"),
    ("has_edge unknown name", lambda: xor.has_edge("zz", "a"), ValueError, "source: no node is called 'zz'"),
    ("has_edge id", lambda: xor.has_edge(0, 6), (ValueError, OverflowError), "target"),
    ("find unknown", lambda: xor.find("zz"), ValueError, "'zz'"),
    ("find type", lambda: xor.find(3), TypeError, "name"),
    ("rewire attempts", lambda: xor.rewire(-1), ValueError, "attempts"),
    ("rewire attempts nan", lambda: xor.rewire(float("nan")), ValueError, "attempts"),
    ("rewire rng", lambda: xor.rewire(1, rng="x"), TypeError, "rng"),
    ("null graphs", lambda: xor.null(graphs=1), ValueError, "graphs"),
    ("null attempts", lambda: xor.null(attempts=1e5), ValueError, "attempts"),
    ("null rng", lambda: xor.null(rng=-1), (ValueError, OverflowError), "rng"),
    ("synthetic nodes", lambda: am.Graph.synthetic(1, 0), ValueError, "nodes"),
    ("synthetic too dense", lambda: am.Graph.synthetic(10, 30), ValueError, "edges = 30"),
    ("synthetic inh_share", lambda: am.Graph.synthetic(10, 5, inh_share=1.5), ValueError, "inh_share"),
    ("synthetic sigma", lambda: am.Graph.synthetic(10, 5, sigma=5), ValueError, "sigma"),
    ("read_graph path", lambda: am.read_graph(3), TypeError, None),
    ("direct construction", lambda: am.Graph(), TypeError, None),
]:
    raises(exc, fn, "hostile: %s raises, naming it" % name, text=text)


# Ctrl-C stops the long calls (each in a child interpreter, SIGINT 0.5 s after it starts; the call would take
# 5 s to minutes); the graph works afterwards
CHILD = r"""
import am
g = am.Graph.synthetic(20000, 200000, rng=1)
print("ready", flush=True)
try:
    %s
except KeyboardInterrupt:
    print("interrupted", g.count("lateral") >= 0, flush=True)
"""
for call in ["g.null(graphs=50, attempts=50, threads=2)", "g.rewire(1000)", "am.Graph.synthetic(100000, 1500000)"]:
    p = subprocess.Popen([sys.executable, "-c", CHILD % call], stdout=subprocess.PIPE, text=True, env=os.environ)
    line = p.stdout.readline()
    timer = threading.Timer(0.5, p.send_signal, [signal.SIGINT])
    timer.start()
    try:
        out, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        out = "timeout"
    timer.cancel()
    ok(line.strip() == "ready" and out.strip() == "interrupted True", "Ctrl-C stops %s (%r)" % (call, out.strip()))
