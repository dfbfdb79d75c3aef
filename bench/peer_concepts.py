#!/usr/bin/env python3
"""W7 peer (libam's own, in numpy): cross-modal recall through key-value modern Hopfield retrieval, as
bench-concepts does it: N concepts with 64-d keys (modality a) and values (modality b), Q noisy cues in a,
scores beta Q K^T in blocks of 256 cues, max-shifted softmax, read-out A V, argmax as the recalled concept.
Usage: peer_concepts.py [N] [Q]    prints: numpy  T s  QPS queries/s  recall@1 R"""
import sys
import time

import numpy as np

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
Q = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
d, beta = 64, 16.0
rng = np.random.default_rng(7)
a = (rng.standard_normal((N, d)) / np.sqrt(d)).astype(np.float32)
b = (rng.standard_normal((N, d)) / np.sqrt(d)).astype(np.float32)
truth = rng.integers(0, N, Q)
q = (a[truth] + 0.3 / 8.0 * rng.standard_normal((Q, d))).astype(np.float32)
out = np.empty((Q, d), np.float32)
top = np.empty(Q, np.int64)
t0 = time.perf_counter()
for q0 in range(0, Q, 256):
    s = (beta * q[q0:q0 + 256]) @ a.T
    s -= s.max(axis=1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=1, keepdims=True)
    out[q0:q0 + 256] = s @ b
    top[q0:q0 + 256] = s.argmax(axis=1)
t = time.perf_counter() - t0
print(f"numpy {t:.3f} s  {Q / t:.0f} queries/s  recall@1 {np.mean(top == truth):.4f}")
