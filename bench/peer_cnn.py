#!/usr/bin/python3
"""Peer baseline W10: a convolutional classifier-encoder on Fashion-MNIST in PyTorch (CPU), the network
libam's am/cnn.h builds from the same layer string (bin/autoencoder --arch; default below, on 1x28x28 inputs):
  conv<C>k<K>[s<S>][p<P>]  2-D convolution to C channels, K x K kernel, stride S (1), zero padding P (0)
  maxpool<K>[s<S>] avgpool<K>[s<S>]   pooling, K x K windows, stride S (K)
  bn                       batch normalisation (PyTorch's defaults: momentum 0.1, eps 1e-5, as libam's)
  relu tanh sigmoid        activations
  flat                     flatten;  fc<N>: dense layer to N units (flattening first);  code: a mark, no layer
the last layer's outputs are the 10 class logits; cross-entropy, Adam lr 1e-3 (betas 0.9, 0.999, eps 1e-8),
batch 128, PyTorch's default initialisation (weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as
libam's). Inputs: pixels / 255. Trains EPOCHS epochs on the 60000 training images (a fresh random order each
epoch) with torch.set_num_threads(THREADS) (environment; default 1) and prints "params N" (the network's
parameter count, as libam's am_cnn_describe gives it), then per epoch:
  "epoch E SECONDS s test_acc ACC threads T malloc M"
(test accuracy on the 10000 test images, batch normalisation in evaluation mode; M: glibc malloc's setting,
tuned unless PEER_MALLOC=default: see below). AM_FASHION_DIR: the data (unset or empty: Debian's).
Usage: THREADS=1 peer_cnn.py EPOCHS [LAYERS]"""
import ctypes, os, re, sys, gzip, time
import numpy as np, torch

# glibc's malloc hands PyTorch's large activation buffers back to the kernel after every step (munmap) and
# faults them in again: about half the epoch's time here. Raising the thresholds keeps them (PyTorch's
# tuning guide suggests jemalloc or tcmalloc for the same reason); PEER_MALLOC=default leaves glibc's.
MALLOC = os.environ.get("PEER_MALLOC", "tuned")
if MALLOC == "tuned":
    libc = ctypes.CDLL("libc.so.6")
    if not (libc.mallopt(-3, 1 << 25) and libc.mallopt(-1, 1 << 30)):  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
        MALLOC = "default (mallopt refused)"

ARCH = "conv32k3p1,bn,relu,maxpool2,conv64k3p1,bn,relu,maxpool2,flat,fc64,relu,fc10"


def idx(path):
    with gzip.open(path) as f:
        b = f.read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)


def build(arch, shape):
    """The torch.nn.Sequential of a layer string on inputs of shape (C, H, W)."""
    layers, flat = [], False
    acts = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}
    for i, tok in enumerate(arch.split(",")):
        conv = re.fullmatch(r"conv(\d+)k(\d+)(?:s(\d+))?(?:p(\d+))?", tok)
        pool = re.fullmatch(r"(max|avg)pool(\d+)(?:s(\d+))?", tok)
        if conv and not flat:
            c, k, st, p = int(conv[1]), int(conv[2]), int(conv[3] or 1), int(conv[4] or 0)
            layers.append(torch.nn.Conv2d(shape[0], c, k, st, p))
            shape = (c, (shape[1] + 2 * p - k) // st + 1, (shape[2] + 2 * p - k) // st + 1)
        elif pool and not flat:
            k, st = int(pool[2]), int(pool[3] or pool[2])
            layers.append((torch.nn.MaxPool2d if pool[1] == "max" else torch.nn.AvgPool2d)(k, st))
            shape = (shape[0], (shape[1] - k) // st + 1, (shape[2] - k) // st + 1)
        elif tok == "bn":
            layers.append(torch.nn.BatchNorm1d(shape[0]) if flat else torch.nn.BatchNorm2d(shape[0]))
        elif tok in acts:
            layers.append(acts[tok]())
        elif tok == "code":
            pass
        elif tok == "flat" or re.fullmatch(r"fc\d+", tok):
            if not flat:
                layers.append(torch.nn.Flatten())
                shape, flat = (shape[0] * shape[1] * shape[2],), True
            if tok != "flat":
                layers.append(torch.nn.Linear(shape[0], int(tok[2:])))
                shape = (int(tok[2:]),)
        else:
            sys.exit(f"peer_cnn.py: LAYERS: token {i + 1} '{tok}' is not a layer this peer builds")
    return torch.nn.Sequential(*layers)


def main():
    if len(sys.argv) not in (2, 3) or not sys.argv[1].isdigit():
        sys.exit(__doc__.split("\n")[-1])
    epochs, arch = int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else ARCH
    D = (os.environ.get("AM_FASHION_DIR") or "/usr/share/datasets/fashion-mnist") + "/"
    X = torch.from_numpy(idx(D + "train-images-idx3-ubyte.gz").reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    Y = torch.from_numpy(idx(D + "train-labels-idx1-ubyte.gz").astype(np.int64))
    Xt = torch.from_numpy(idx(D + "t10k-images-idx3-ubyte.gz").reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    Yt = torch.from_numpy(idx(D + "t10k-labels-idx1-ubyte.gz").astype(np.int64))
    torch.manual_seed(0)
    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    net = build(arch, (1, 28, 28))
    print(f"params {sum(p.numel() for p in net.parameters())}", flush=True)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    n, nt = X.shape[0], Xt.shape[0]
    for ep in range(epochs):
        net.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        for i in range(0, n, 128):
            j = perm[i:i + 128]
            loss = lossf(net(X[j]), Y[j])
            opt.zero_grad()
            loss.backward()
            opt.step()
        dt = time.perf_counter() - t0
        net.eval()
        with torch.no_grad():
            acc = sum((net(Xt[i:i + 1000]).argmax(1) == Yt[i:i + 1000]).sum().item() for i in range(0, nt, 1000))
        print(f"epoch {ep + 1} {dt:.2f} s test_acc {acc / nt:.4f} threads {torch.get_num_threads()} malloc {MALLOC}", flush=True)


main()
