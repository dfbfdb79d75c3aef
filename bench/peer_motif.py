#!/usr/bin/env python3
"""W8 peer (libam's own, in plain Python as a researcher would write it): count the non-induced XOR motif
in a signed edge list (CSV source,target,weight,sign; '#' lines skipped), with Python sets: for every
inhibitory hub h and pair c < d of its inhibitory targets, A = in_E(c) & in_E(h) - {d}, B = in_E(d) &
in_E(h) - {c}, O = out_E(c) & out_E(d) - {h}, and the pairwise-distinct (a, b, o) triples by
inclusion-exclusion. Usage: peer_motif.py EDGES.csv    prints: python  T s  xor N"""
import sys
import time
from collections import defaultdict

t0 = time.perf_counter()
out_e, in_e, out_i = defaultdict(set), defaultdict(set), defaultdict(set)
with open(sys.argv[1]) as f:
    for line in f:
        if line.startswith("#") or line.startswith("source"):
            continue
        s, t, w, sg = line.rstrip("\n").split(",")
        if s == t:
            continue
        if sg in ("-", "-1", "I", "inh"):
            out_i[s].add(t)
        else:
            out_e[s].add(t)
            in_e[t].add(s)
total = 0
for h, targets in out_i.items():
    if len(targets) < 2:
        continue
    ih = in_e.get(h, set())
    tl = sorted(targets)
    acs = {c: in_e.get(c, set()) & ih for c in tl}
    for i, c in enumerate(tl):
        oc = out_e.get(c, set())
        if not oc:
            continue
        for d in tl[i + 1:]:
            o = (oc & out_e.get(d, set())) - {h}
            if not o:
                continue
            a = acs[c] - {d}
            b = acs[d] - {c}
            total += len(a) * len(b) * len(o) - len(a & b) * len(o) - len(a & o) * len(b) - len(b & o) * len(a) + 2 * len(a & b & o)
print("python  %.3f s  xor %d" % (time.perf_counter() - t0, total))
