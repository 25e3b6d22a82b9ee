#!/usr/bin/env python
"""Seconds per epoch of a from-scratch numpy MLP against PyTorch CPU and scikit-learn, on MNIST-shaped data.

The network is the one of stage 05: 784-128-64-10, ReLU, softmax cross-entropy, minibatches of
128 rows drawn by shuffling the indices every epoch, plain SGD (no momentum, no weight decay).
The data is synthetic, shaped like MNIST: 60,000 rows of 784 pixel-like values in [0, 1) and 10
classes given by a fixed random linear "teacher", so the labels depend on the data and the
training loss falls. Everything uses a fixed seed.

Each configuration runs in its own fresh subprocess, so that its peak memory (ru_maxrss) is its
own; the process also reports its resident memory right after its imports, before the data is
made, and the peak's increase over that baseline.

Usage (from the repository root, with the course's venv):

    python benchmarks/mnist_speed.py                 # full run, readable table
    python benchmarks/mnist_speed.py --json          # the same figures as JSON
    python benchmarks/mnist_speed.py --quick --json  # 2,000 rows, a few seconds (used by the tests)
    python benchmarks/mnist_speed.py --profile       # also: where the numpy epoch's time goes
    python benchmarks/mnist_speed.py --variants      # also: textbook numpy, one-copy-per-epoch shuffle,
                                                     # (in, out) weights, sklearn float32, torch foreach

Threads: every library gets the same number of threads, all cores by default (`--threads N`).
The subprocess environment sets OMP/OPENBLAS/MKL_NUM_THREADS, numpy and scikit-learn are held
to it with threadpoolctl, and PyTorch with torch.set_num_threads.

PyTorch is an optional extra (benchmarks/requirements-bench.txt), not a course dependency:
without it the PyTorch rows are reported as skipped.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

LAYERS = (784, 128, 64, 10)
N_ROWS = 60_000
N_ROWS_QUICK = 2_000
BATCH_SIZE = 128
LEARNING_RATE = 0.05
SEED = 0

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

def make_data(n_rows, dtype=np.float32, n_features=LAYERS[0], n_classes=LAYERS[-1], seed=SEED):
    """MNIST-shaped synthetic data: X (n_rows, 784) in [0, 1) of `dtype`, labels y (n_rows,) int64.

    The values are drawn in float32 chunk by chunk, so that both dtypes hold the same numbers
    and making the data needs no second full-size temporary. The label of a row is the argmax
    of a fixed random linear function of its centred pixels.
    """
    rng = np.random.default_rng(seed)
    teacher = rng.standard_normal((n_features, n_classes)).astype(np.float32)
    X = np.empty((n_rows, n_features), dtype=dtype)
    y = np.empty(n_rows, dtype=np.int64)
    chunk = 2048  # 6 MiB of float32: the peak memory of a run is its training, not this
    for start in range(0, n_rows, chunk):
        block = rng.random((min(chunk, n_rows - start), n_features), dtype=np.float32)
        X[start:start + len(block)] = block
        block -= 0.5
        y[start:start + len(block)] = np.argmax(block @ teacher, axis=1)
        del block
    return X, y


# --------------------------------------------------------------------------------------------
# (a) The numpy reference
# --------------------------------------------------------------------------------------------

class NumpyMLP:
    """A ReLU MLP with a softmax cross-entropy loss, trained by plain minibatch SGD, in numpy.

    Layout as in the course and in PyTorch: layer l has W[l] of shape (out, in) and b[l] of shape
    (out,), acting on a batch of rows as Z = X @ W.T + b (W.T is a view, BLAS reads it transposed,
    nothing is copied).

    What makes it fast without changing the math:
    * every array a step touches is allocated once, in __init__, for the full batch size; a short
      last batch uses leading row slices of them, which stay C-contiguous;
    * every numpy call writes into its buffer with `out=`; ReLU is applied in place on the
      pre-activations (A = max(Z, 0) > 0 exactly where Z > 0, so A serves as the mask);
    * softmax and cross-entropy are fused: the gradient of the mean loss with respect to the
      logits is (softmax(Z) - onehot(y)) / B, computed in the softmax's own buffer;
    * the learning rate is folded into that (B, 10) gradient, so backprop yields lr * dW directly;
      all parameters are views of one flat array, and all gradients views of another, so the
      update of the whole network is a single in-place subtraction (torch.optim.SGD does
      `add_(grad, alpha=-lr)` once per parameter);
    * row sums (softmax's denominator) and column sums (the bias gradients) are matrix-vector
      products with a vector of ones, which BLAS does several times faster than np.sum along
      an axis of a small array;
    * no gradient is computed for the input batch (the data needs none);
    * minibatches are gathered with np.take(..., out=) from a shuffled index array: the dataset
      is never copied.
    """

    def __init__(self, sizes=LAYERS, dtype=np.float32, batch_size=BATCH_SIZE, seed=SEED, weights="out_in"):
        rng = np.random.default_rng(seed + 1)
        self.sizes = tuple(sizes)
        self.dtype = np.dtype(dtype)
        self.batch_size = batch_size
        # Parameters and gradients (after step(): lr times the gradients) as views of two flat arrays.
        # weights="out_in" (default): W (out, in) is C-contiguous, as in the course and PyTorch, and
        # X @ W.T hands BLAS a transposed view. weights="in_out": W is the transposed view of a
        # C-contiguous (in, out) block, so X @ W.T is a product of two C-contiguous arrays (measured:
        # a few per cent faster in float32 with this OpenBLAS, slower in float64; --variants).
        if weights not in ("in_out", "out_in"):
            raise ValueError(f"weights must be 'in_out' or 'out_in', not {weights!r}")
        self.weights_in_out = weights == "in_out"
        shapes = [s for n_in, n_out in zip(sizes[:-1], sizes[1:])
                  for s in (((n_in, n_out) if self.weights_in_out else (n_out, n_in)), (n_out,))]
        n_params = sum(int(np.prod(s)) for s in shapes)
        self.theta = np.zeros(n_params, dtype=dtype)
        self.grad = np.zeros(n_params, dtype=dtype)
        views, offset = [], 0
        for s in shapes:
            size = int(np.prod(s))
            views.append((self.theta[offset:offset + size].reshape(s), self.grad[offset:offset + size].reshape(s)))
            offset += size
        self.W, self.dW = [v[0] for v in views[0::2]], [v[1] for v in views[0::2]]
        if self.weights_in_out:
            self.W, self.dW = [W.T for W in self.W], [dW.T for dW in self.dW]
        self.b, self.db = [v[0] for v in views[1::2]], [v[1] for v in views[1::2]]
        # He initialisation, drawn in float64 then cast, so both dtypes start from the same weights.
        for W in self.W:
            W[...] = rng.standard_normal(W.shape) * np.sqrt(2.0 / W.shape[1])
        # Per-batch buffers.
        B = batch_size
        self.xb = np.empty((B, sizes[0]), dtype=dtype)
        self.yb = np.empty(B, dtype=np.int64)
        self.A = [np.empty((B, n), dtype=dtype) for n in sizes[1:]]   # activations; the last: logits
        self.dZ = [np.empty((B, n), dtype=dtype) for n in sizes[1:]]  # gradients w.r.t. pre-activations
        self.mask = [np.empty((B, n), dtype=bool) for n in sizes[1:-1]]
        self.rowmax = np.empty((B, 1), dtype=dtype)
        self.rowsum = np.empty((B, 1), dtype=dtype)
        self.rows = np.arange(B)
        self.ones_b = np.ones(B, dtype=dtype)
        self.ones_c = np.ones((sizes[-1], 1), dtype=dtype)
        self.matmul = np.matmul  # swapped for a timing wrapper by profile_numpy()

    def parameters(self):
        """name -> (parameter, its gradient buffer), for gradient checks."""
        out = {}
        for l, (W, b, dW, db) in enumerate(zip(self.W, self.b, self.dW, self.db)):
            out[f"W{l + 1}"] = (W, dW)
            out[f"b{l + 1}"] = (b, db)
        return out

    def forward_backward(self, x, y, scale=1.0):
        """Mean softmax cross-entropy of the batch (x, y); fills dW, db with scale * its gradient.

        x: (m, in) C-contiguous with m <= batch_size, y: (m,) integer labels. Returns the loss.
        """
        m = x.shape[0]
        mm = self.matmul
        W, b, A, dZ = self.W, self.b, self.A, self.dZ
        n_layers = len(W)
        # Forward.
        h = x
        for l in range(n_layers):
            z = A[l][:m]
            mm(h, W[l].T, out=z)
            np.add(z, b[l], out=z)
            if l < n_layers - 1:
                np.maximum(z, 0, out=z)
            h = z
        # Fused softmax + cross-entropy: loss and (p - onehot(y)) * scale / m.
        logits, p = h, dZ[-1][:m]
        rowmax, rowsum, rows = self.rowmax[:m], self.rowsum[:m], self.rows[:m]
        np.max(logits, axis=1, keepdims=True, out=rowmax)
        np.subtract(logits, rowmax, out=logits)          # shifted logits, for stability
        np.exp(logits, out=p)
        np.matmul(p, self.ones_c, out=rowsum)             # row sums
        loss = (np.log(rowsum).sum() - logits[rows, y].sum()) / m
        np.multiply(rowsum, m / scale, out=rowsum)
        np.divide(p, rowsum, out=p)                       # softmax * scale / m
        p[rows, y] -= scale / m
        # Backward.
        for l in range(n_layers - 1, -1, -1):
            g = dZ[l][:m]
            h_in = A[l - 1][:m] if l > 0 else x
            if self.weights_in_out:
                mm(h_in.T, g, out=self.dW[l].T)              # dW.T = X.T @ dZ, into the (in, out) block
            else:
                mm(g.T, h_in, out=self.dW[l])
            np.matmul(self.ones_b[:m], g, out=self.db[l])  # column sums
            if l > 0:
                g_in = dZ[l - 1][:m]
                mm(g, W[l], out=g_in)
                mask = self.mask[l - 1][:m]
                np.greater(h_in, 0, out=mask)              # ReLU'(z) from the activation
                np.multiply(g_in, mask, out=g_in)
        return float(loss)

    def step(self, x, y, lr):
        """One SGD step on the batch (x, y), in place. Returns the batch's loss before the step."""
        loss = self.forward_backward(x, y, scale=lr)
        np.subtract(self.theta, self.grad, out=self.theta)   # every W and b at once
        return loss

    def train_epoch(self, X, y, lr, rng, gather="batch"):
        """One epoch of shuffled minibatches; returns the mean training loss over the epoch.

        gather="batch": shuffle the indices, np.take each batch into a preallocated buffer.
        gather="epoch": one fancy-indexed copy of the whole dataset per epoch, then slice it.
        """
        n, B = X.shape[0], self.batch_size
        order = rng.permutation(n)
        total = 0.0
        if gather == "epoch":
            Xs, ys = X[order], y[order]
            for start in range(0, n, B):
                xb, yb = Xs[start:start + B], ys[start:start + B]
                total += self.step(xb, yb, lr) * xb.shape[0]
            return total / n
        for start in range(0, n, B):
            idx = order[start:start + B]
            m = idx.shape[0]
            xb, yb = self.xb[:m], self.yb[:m]
            np.take(X, idx, axis=0, out=xb, mode="clip")  # "clip": take() with "raise" buffers `out`
            np.take(y, idx, out=yb, mode="clip")
            total += self.step(xb, yb, lr) * m
        return total / n


class TextbookNumpyMLP(NumpyMLP):
    """The same network written the straightforward way (a new array for every intermediate,
    separate softmax and cross-entropy gradient, `W -= lr * dW`, fancy-indexed batches).
    Only for comparison (--variants); same initial weights, same math."""

    def forward_backward(self, x, y, scale=1.0):
        m = x.shape[0]
        hs = [x]
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            z = hs[-1] @ W.T + b
            hs.append(np.maximum(z, 0) if l < len(self.W) - 1 else z)
        logits = hs[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        onehot = np.zeros_like(probs)
        onehot[np.arange(m), y] = 1
        loss = -np.mean(np.sum(onehot * np.log(probs + 1e-12), axis=1))
        g = (probs - onehot) / m
        for l in range(len(self.W) - 1, -1, -1):
            self.dW[l][...] = g.T @ hs[l]
            self.db[l][...] = g.sum(axis=0)
            if l > 0:
                g = (g @ self.W[l]) * (hs[l] > 0)
        return float(loss)

    def step(self, x, y, lr):
        loss = self.forward_backward(x, y)
        for W, b, dW, db in zip(self.W, self.b, self.dW, self.db):
            W -= lr * dW
            b -= lr * db
        return loss

    def train_epoch(self, X, y, lr, rng, gather="batch"):
        n, B = X.shape[0], self.batch_size
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, B):
            idx = order[start:start + B]
            total += self.step(X[idx], y[idx], lr) * len(idx)
        return total / n


# --------------------------------------------------------------------------------------------
# Measurement helpers (run inside the worker subprocess)
# --------------------------------------------------------------------------------------------

def rss_mib():
    """Current resident set size of this process, MiB (from /proc/self/status)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mib():
    """Peak resident set size of this process so far, MiB (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def limit_threads(threads):
    """Hold numpy's BLAS and OpenMP pools to `threads` with threadpoolctl; returns what it found."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return None, [{"note": "threadpoolctl not installed; thread count set by environment only"}]
    limiter = threadpool_limits(limits=threads)
    info = [{k: d.get(k) for k in ("user_api", "internal_api", "prefix", "version", "num_threads",
                                   "architecture", "threading_layer") if d.get(k) is not None}
            for d in threadpool_info()]
    return limiter, info


def time_epochs(run_epoch, warmup, epochs):
    """Run warm-up + measured epochs; returns (seconds of each measured epoch, loss of every epoch)."""
    seconds, losses = [], []
    for i in range(warmup + epochs):
        t0 = time.perf_counter()
        loss = run_epoch()
        dt = time.perf_counter() - t0
        losses.append(float(loss))
        if i >= warmup:
            seconds.append(dt)
    return seconds, losses


def worker(cfg):
    """Run one configuration in this (fresh) process and return its row as a dict."""
    impl, dtype_name, threads = cfg["impl"], cfg["dtype"], cfg["threads"]
    dtype = np.dtype(dtype_name)
    row = {"name": cfg["name"], "impl": impl, "dtype": dtype_name, "threads": threads}
    # Imports first: the baseline is the process after its imports, before any data.
    if impl == "torch":
        try:
            import torch
        except ImportError as exc:
            return {**row, "status": "skipped", "reason": f"PyTorch not installed ({exc})"}
        torch.set_num_threads(threads)
        row["torch_version"] = torch.__version__
        row["torch_num_threads"] = torch.get_num_threads()
    elif impl == "sklearn":
        try:
            import sklearn
            from sklearn.neural_network import MLPClassifier
        except ImportError as exc:
            return {**row, "status": "skipped", "reason": f"scikit-learn not installed ({exc})"}
        row["sklearn_version"] = sklearn.__version__
    limiter, pools = limit_threads(threads)
    row["thread_pools"] = pools
    baseline = rss_mib()

    X, y = make_data(cfg["rows"], dtype)
    row["data_mib"] = (X.nbytes + y.nbytes) / 2**20
    row["rss_after_data_mib"] = rss_mib()
    lr, B, warmup, epochs = LEARNING_RATE, BATCH_SIZE, cfg["warmup"], cfg["epochs"]

    if impl in ("numpy", "numpy-textbook"):
        cls = NumpyMLP if impl == "numpy" else TextbookNumpyMLP
        net = cls(LAYERS, dtype=dtype, batch_size=B, weights=cfg.get("weights", "out_in"))
        rng = np.random.default_rng(SEED + 2)
        gather = cfg.get("gather", "batch")
        seconds, losses = time_epochs(lambda: net.train_epoch(X, y, lr, rng, gather=gather), warmup, epochs)
    elif impl == "torch":
        torch.manual_seed(SEED)
        tdtype = {"float32": torch.float32, "float64": torch.float64}[dtype_name]
        layers = []
        init = NumpyMLP(LAYERS, dtype=dtype, batch_size=B)  # the same initial weights as numpy
        for l, (W, b) in enumerate(zip(init.W, init.b)):
            lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=tdtype)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(W))
                lin.bias.copy_(torch.from_numpy(b))
            layers.append(lin)
            if l < len(init.W) - 1:
                layers.append(torch.nn.ReLU())
        del init
        model = torch.nn.Sequential(*layers)
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.0, foreach=cfg.get("foreach"))
        loss_fn = torch.nn.CrossEntropyLoss()
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)   # no copies: they share numpy's memory
        gen = torch.Generator().manual_seed(SEED + 2)
        n = X.shape[0]

        def run_epoch():
            order = torch.randperm(n, generator=gen)
            total = 0.0
            for start in range(0, n, B):
                idx = order[start:start + B]
                xb, yb = Xt.index_select(0, idx), yt.index_select(0, idx)
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                total += loss.item() * idx.shape[0]
            return total / n

        seconds, losses = time_epochs(run_epoch, warmup, epochs)
    elif impl == "sklearn":
        import warnings
        clf = MLPClassifier(hidden_layer_sizes=LAYERS[1:-1], activation="relu", solver="sgd",
                            alpha=0.0, batch_size=B, learning_rate="constant", learning_rate_init=lr,
                            momentum=0.0, nesterovs_momentum=False, shuffle=True, max_iter=1,
                            random_state=SEED)
        classes = np.arange(LAYERS[-1])

        def run_epoch():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf.partial_fit(X, y, classes=classes)   # one pass over the data (max_iter=1)
            return clf.loss_curve_[-1]

        seconds, losses = time_epochs(run_epoch, warmup, epochs)
        row["param_dtype"] = str(clf.coefs_[0].dtype)
    else:
        raise ValueError(f"unknown implementation {impl!r}")

    peak = peak_rss_mib()
    row.update({
        "status": "ok",
        "rows": cfg["rows"],
        "warmup_epochs": warmup,
        "epoch_seconds": seconds,
        "seconds_per_epoch": statistics.median(seconds),
        "min_seconds_per_epoch": min(seconds),
        "losses": losses,
        "loss_first": losses[0],
        "loss_last": losses[-1],
        "baseline_rss_mib": baseline,
        "peak_rss_mib": peak,
        "peak_over_baseline_mib": peak - baseline,
        "peak_over_data_mib": peak - row["rss_after_data_mib"],
    })
    if limiter is not None:
        limiter.restore_original_limits()
    return row


# --------------------------------------------------------------------------------------------
# Profile: where does the numpy epoch's time go?
# --------------------------------------------------------------------------------------------

def _gemm_shapes(n_rows, sizes=LAYERS, batch=BATCH_SIZE, weights="out_in"):
    """The matrix products one epoch of NumpyMLP does, in order, as (m, k, n, layout): an
    (m, k) @ (k, n) product whose operands are laid out as in NumpyMLP ("N": C-contiguous,
    "T": the transposed view of a C-contiguous array), for either weight layout."""
    in_out = weights == "in_out"
    shapes = []
    for start in range(0, n_rows, batch):
        m = min(batch, n_rows - start)
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            shapes.append((m, n_in, n_out, "NN" if in_out else "NT"))      # Z = X @ W.T
        for l in range(len(sizes) - 2, -1, -1):
            if in_out:
                shapes.append((sizes[l], m, sizes[l + 1], "TN"))           # dW.T = X.T @ dZ
            else:
                shapes.append((sizes[l + 1], m, sizes[l], "TN"))           # dW = dZ.T @ X
            if l > 0:
                shapes.append((m, sizes[l + 1], sizes[l], "NT" if in_out else "NN"))  # dX = dZ @ W
    return shapes


def _operands(xp_ones, xp_empty, m, k, n, layout):
    """Operands (a, b, out) of an (m, k) @ (k, n) product with the given layout."""
    a = xp_ones((m, k)) if layout[0] == "N" else xp_ones((k, m)).T
    b = xp_ones((k, n)) if layout[1] == "N" else xp_ones((n, k)).T
    return a, b, xp_empty((m, n))


def profile_numpy(cfg):
    """One epoch of the numpy reference, with its matrix products timed; plus the floors."""
    dtype = np.dtype(cfg["dtype"])
    limiter, _ = limit_threads(cfg["threads"])
    X, y = make_data(cfg["rows"], dtype)
    n_steps = -(-X.shape[0] // BATCH_SIZE)
    net = NumpyMLP(LAYERS, dtype=dtype)
    rng = np.random.default_rng(SEED + 2)
    net.train_epoch(X, y, LEARNING_RATE, rng)  # warm-up
    t0 = time.perf_counter()
    net.train_epoch(X, y, LEARNING_RATE, rng)
    plain = time.perf_counter() - t0

    spent = [0.0, 0]

    def timed_matmul(a, b, out):
        t = time.perf_counter()
        np.matmul(a, b, out=out)
        spent[0] += time.perf_counter() - t
        spent[1] += 1

    net.matmul = timed_matmul
    t0 = time.perf_counter()
    net.train_epoch(X, y, LEARNING_RATE, rng)
    total = time.perf_counter() - t0
    net.matmul = np.matmul

    # The same products back to back, nothing else: the BLAS floor of one epoch.
    shapes = _gemm_shapes(X.shape[0])
    bufs = {s: _operands(lambda shape: np.ones(shape, dtype), lambda shape: np.empty(shape, dtype), *s)
            for s in set(shapes)}
    t0 = time.perf_counter()
    for s in shapes:
        a, b, c = bufs[s]
        np.matmul(a, b, out=c)
    gemm_only = time.perf_counter() - t0
    flops = sum(2 * m * k * n for m, k, n, _ in shapes)

    # The same step on a network of width 2 with batches of 2: what is left is interpreter and
    # numpy call overhead (the same number of numpy calls as the real step).
    tiny = NumpyMLP((2, 2, 2, 2), dtype=dtype, batch_size=2)
    xt, yt = np.ones((2, 2), dtype), np.array([0, 1])
    for _ in range(200):
        tiny.step(xt, yt, 0.01)
    t0 = time.perf_counter()
    reps = 5000
    for _ in range(reps):
        tiny.step(xt, yt, 0.01)
    per_step_overhead = (time.perf_counter() - t0) / reps

    # Gathering the batches alone.
    order = rng.permutation(X.shape[0])
    t0 = time.perf_counter()
    for start in range(0, X.shape[0], BATCH_SIZE):
        idx = order[start:start + BATCH_SIZE]
        np.take(X, idx, axis=0, out=net.xb[:idx.shape[0]], mode="clip")
        np.take(y, idx, out=net.yb[:idx.shape[0]], mode="clip")
    gather = time.perf_counter() - t0
    t0 = time.perf_counter()
    Xs, ys = X[order], y[order]
    epoch_copy = time.perf_counter() - t0
    del Xs, ys

    if limiter is not None:
        limiter.restore_original_limits()
    return {
        "impl": "numpy", "dtype": cfg["dtype"], "rows": X.shape[0], "steps": n_steps,
        "epoch_seconds": plain,
        "epoch_seconds_instrumented": total,
        "matmul_seconds_in_epoch": spent[0],
        "matmul_calls": spent[1],
        "matmul_fraction": spent[0] / total,
        "gemm_only_seconds": gemm_only,
        "gemm_gflops": flops / gemm_only / 1e9,
        "epoch_gflops": flops / plain / 1e9,
        "call_overhead_seconds_per_epoch": per_step_overhead * n_steps,
        "gather_seconds_per_epoch": gather,
        "epoch_copy_seconds": epoch_copy,
    }


def profile_torch(cfg):
    """The BLAS floor of one epoch in PyTorch (the same products, torch.matmul, no autograd),
    and the share of aten matrix products in a real training epoch (torch.profiler)."""
    try:
        import torch
    except ImportError as exc:
        return {"impl": "torch", "dtype": cfg["dtype"], "status": "skipped", "reason": f"PyTorch not installed ({exc})"}
    torch.set_num_threads(cfg["threads"])
    tdtype = {"float32": torch.float32, "float64": torch.float64}[cfg["dtype"]]
    shapes = _gemm_shapes(cfg["rows"])
    flops = sum(2 * m * k * n for m, k, n, _ in shapes)
    bufs = {s: _operands(lambda shape: torch.ones(shape, dtype=tdtype), lambda shape: torch.empty(shape, dtype=tdtype), *s)
            for s in set(shapes)}
    with torch.no_grad():
        for _ in range(2):
            t0 = time.perf_counter()
            for s in shapes:
                a, b, c = bufs[s]
                torch.matmul(a, b, out=c)
            gemm_only = time.perf_counter() - t0
    # A real epoch under the profiler: time inside matrix-product kernels vs the whole epoch.
    X, y = make_data(cfg["rows"], np.dtype(cfg["dtype"]))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64),
                                torch.nn.ReLU(), torch.nn.Linear(64, 10)).to(tdtype)
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        order = torch.randperm(Xt.shape[0])
        for start in range(0, Xt.shape[0], BATCH_SIZE):
            idx = order[start:start + BATCH_SIZE]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xt.index_select(0, idx)), yt.index_select(0, idx))
            loss.backward()
            opt.step()
            loss.item()

    epoch()
    t0 = time.perf_counter()
    epoch()
    plain = time.perf_counter() - t0
    # The same training step on a network of width 2 with batches of 2: framework overhead.
    tiny = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 2), torch.nn.ReLU(),
                               torch.nn.Linear(2, 2)).to(tdtype)
    tiny_opt = torch.optim.SGD(tiny.parameters(), lr=0.01)
    xt, yt2 = torch.ones(2, 2, dtype=tdtype), torch.tensor([0, 1])

    def tiny_step():
        tiny_opt.zero_grad(set_to_none=True)
        loss = loss_fn(tiny(xt), yt2)
        loss.backward()
        tiny_opt.step()
        loss.item()

    for _ in range(200):
        tiny_step()
    reps = 3000
    t0 = time.perf_counter()
    for _ in range(reps):
        tiny_step()
    per_step_overhead = (time.perf_counter() - t0) / reps
    n_steps = -(-cfg["rows"] // BATCH_SIZE)

    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        epoch()
    mm_us = sum(e.self_cpu_time_total for e in prof.key_averages()
                if e.key in ("aten::mm", "aten::addmm", "aten::bmm", "aten::matmul"))
    return {"impl": "torch", "dtype": cfg["dtype"], "rows": cfg["rows"],
            "epoch_seconds": plain,
            "matmul_seconds_in_profiled_epoch": mm_us / 1e6,
            "matmul_fraction_of_plain_epoch": mm_us / 1e6 / plain,
            "gemm_only_seconds": gemm_only, "gemm_gflops": flops / gemm_only / 1e9,
            "epoch_gflops": flops / plain / 1e9,
            "call_overhead_seconds_per_epoch": per_step_overhead * n_steps}


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(v) for v in f.read().split()[:3]]
    except OSError:
        return None


def package_version(name):
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def numpy_blas():
    """numpy's build-time BLAS/LAPACK, from numpy.show_config (numpy >= 1.25 returns a dict)."""
    try:
        cfg = np.show_config(mode="dicts")
        deps = cfg.get("Build Dependencies", {})
        return {k: {kk: deps[k].get(kk) for kk in ("name", "version", "openblas configuration")
                    if deps[k].get(kk)} for k in ("blas", "lapack") if k in deps}
    except Exception as exc:  # older numpy: show_config only prints
        return {"note": f"numpy.show_config(mode='dicts') unavailable: {exc}"}


def machine_info(threads):
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "threads": threads,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "torch": package_version("torch"),
        "scikit-learn": package_version("scikit-learn"),
        "threadpoolctl": package_version("threadpoolctl"),
        "numpy_blas": numpy_blas(),
    }


def configurations(args):
    rows = N_ROWS_QUICK if args.quick else (args.rows or N_ROWS)
    common = {"rows": rows, "threads": args.threads, "warmup": args.warmup, "epochs": args.epochs}
    cfgs = [
        {"name": "numpy float32", "impl": "numpy", "dtype": "float32"},
        {"name": "torch float32", "impl": "torch", "dtype": "float32"},
        {"name": "numpy float64", "impl": "numpy", "dtype": "float64"},
        {"name": "torch float64", "impl": "torch", "dtype": "float64"},
        {"name": "sklearn float64", "impl": "sklearn", "dtype": "float64"},
    ]
    if args.variants:
        cfgs += [
            {"name": "sklearn float32", "impl": "sklearn", "dtype": "float32"},
            {"name": "numpy float32, epoch-copy shuffle", "impl": "numpy", "dtype": "float32", "gather": "epoch"},
            {"name": "numpy float32, W stored (in, out)", "impl": "numpy", "dtype": "float32", "weights": "in_out"},
            {"name": "numpy float64, W stored (in, out)", "impl": "numpy", "dtype": "float64", "weights": "in_out"},
            {"name": "numpy float32, textbook", "impl": "numpy-textbook", "dtype": "float32"},
            {"name": "numpy float64, textbook", "impl": "numpy-textbook", "dtype": "float64"},
            {"name": "torch float32, SGD foreach=True", "impl": "torch", "dtype": "float32", "foreach": True},
        ]
    return [{**common, **c} for c in cfgs]


def cpu_busy_seconds():
    """CPU time spent by the whole machine (all processes, all cores) since boot, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_env(threads):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    return env


def run_in_subprocess(mode, cfg, timeout):
    """Run one configuration in a fresh interpreter; its row, plus how busy the machine was."""
    cmd = [sys.executable, os.path.abspath(__file__), mode, json.dumps(cfg)]
    busy0, own0, t0 = cpu_busy_seconds(), children_cpu_seconds(), time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(cfg["threads"]), timeout=timeout)
    except subprocess.TimeoutExpired:
        return {**cfg, "status": "error", "reason": f"timed out after {timeout} s"}
    if proc.returncode != 0 or not proc.stdout.strip():
        return {**cfg, "status": "error", "reason": (proc.stderr or proc.stdout).strip()[-2000:]}
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    busy1, own1, wall = cpu_busy_seconds(), children_cpu_seconds(), time.monotonic() - t0
    if busy0 is not None and busy1 is not None and wall > 0:
        # CPU time the rest of the machine used meanwhile, in cores (0 = quiet machine).
        row["other_processes_cores"] = round(max(0.0, (busy1 - busy0) - (own1 - own0)) / wall, 2)
    return row


def ratios(rows):
    by_name = {r["name"]: r for r in rows}
    out = {}
    for dt in ("float32", "float64"):
        a, b = by_name.get(f"numpy {dt}"), by_name.get(f"torch {dt}")
        if a and b and a.get("status") == "ok" and b.get("status") == "ok":
            out[dt] = a["seconds_per_epoch"] / b["seconds_per_epoch"]
        else:
            out[dt] = None
    return out


def print_table(result):
    m = result["machine"]
    print(f"MNIST-shaped benchmark, {result['rows']:,} rows x {LAYERS[0]}, network {'-'.join(map(str, LAYERS))}, "
          f"batch {BATCH_SIZE}, SGD lr {LEARNING_RATE}; {result['warmup']} warm-up + median of {result['epochs']} epochs")
    print(f"{m['date']}  {m['cpu_model']}, {m['usable_cores']} cores, {m['threads']} threads  "
          f"numpy {m['numpy']}, torch {m['torch']}, scikit-learn {m['scikit-learn']}  "
          f"load {result['loadavg_before']} -> {result['loadavg_after']}")
    head = (f"{'configuration':36s} {'s/epoch':>8s} {'min':>7s} {'peak RSS':>9s} {'+imports':>9s} {'data':>7s}"
            f" {'+data':>7s}"
            f"  {'loss first -> last':18s} {'other load':>10s}")
    print(head)
    print("-" * len(head))
    for r in result["results"]:
        if r["status"] != "ok":
            print(f"{r['name']:36s} {r['status']}: {r['reason'].splitlines()[-1] if r['reason'] else ''}")
            continue
        print(f"{r['name']:36s} {r['seconds_per_epoch']:8.3f} {r['min_seconds_per_epoch']:7.3f} "
              f"{r['peak_rss_mib']:7.0f}Mi {r['peak_over_baseline_mib']:7.0f}Mi {r['data_mib']:5.0f}Mi"
              f" {r['peak_over_data_mib']:5.0f}Mi  "
              f"{r['loss_first']:.3f} -> {r['loss_last']:.3f}     {r.get('other_processes_cores', float('nan')):6.2f}")
    print("(peak RSS = ru_maxrss of the configuration's own process; +imports = peak minus the RSS after its"
          " imports;\n data = size of X and y; +data = peak minus the RSS once the data was made;"
          " other load = cores' worth\n of CPU time that other processes used while the row ran: trust rows near 0)")
    for dt, ratio in result["ratio_numpy_over_torch"].items():
        print(f"numpy / PyTorch, {dt}: " + (f"{ratio:.2f}x  ({'numpy faster' if ratio < 1 else 'PyTorch faster'})"
                                              if ratio else "n/a"))
    for p in result.get("profile", []):
        if p.get("status") == "skipped":
            print(f"profile {p['impl']} {p['dtype']}: skipped ({p['reason']})")
        elif p["impl"] == "numpy":
            print(f"profile numpy {p['dtype']}: epoch {p['epoch_seconds']:.3f} s; in np.matmul "
                  f"{p['matmul_seconds_in_epoch']:.3f} s ({100 * p['matmul_fraction']:.0f}% of the instrumented epoch,"
                  f" {p['epoch_gflops']:.1f} GFLOP/s overall); the same products alone {p['gemm_only_seconds']:.3f} s"
                  f" ({p['gemm_gflops']:.1f} GFLOP/s); call overhead floor {p['call_overhead_seconds_per_epoch']:.3f} s;"
                  f" gathering batches {p['gather_seconds_per_epoch']:.3f} s (one full fancy-index copy:"
                  f" {p['epoch_copy_seconds']:.3f} s)")
        else:
            print(f"profile torch {p['dtype']}: epoch {p['epoch_seconds']:.3f} s; aten mm/addmm self time "
                  f"{p['matmul_seconds_in_profiled_epoch']:.3f} s ({100 * p['matmul_fraction_of_plain_epoch']:.0f}%"
                  f" of a plain epoch, {p['epoch_gflops']:.1f} GFLOP/s overall); the same products alone"
                  f" {p['gemm_only_seconds']:.3f} s ({p['gemm_gflops']:.1f} GFLOP/s);"
                  f" call overhead floor {p['call_overhead_seconds_per_epoch']:.3f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3, help="measured epochs; the median is reported (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured warm-up epochs (default 1)")
    parser.add_argument("--rows", type=int, default=None, help=f"rows of data (default {N_ROWS:,})")
    parser.add_argument("--quick", action="store_true", help=f"a small fast run: {N_ROWS_QUICK:,} rows")
    parser.add_argument("--threads", type=int, default=None, help="threads for every library (default: all cores)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument("--profile", action="store_true", help="also profile one numpy and one PyTorch epoch")
    parser.add_argument("--variants", action="store_true",
                        help="also: textbook numpy, epoch-copy shuffle, (in, out) weights, sklearn float32,"
                             " torch SGD foreach")
    parser.add_argument("--only", default=None, help="run only configurations whose name contains this text")
    args = parser.parse_args(argv)
    if args.threads is None:
        args.threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    timeout = 600 if not args.quick else 120
    before = loadavg()
    cfgs = configurations(args)
    if args.only:
        cfgs = [c for c in cfgs if args.only in c["name"]]
    rows = [run_in_subprocess("--_worker", c, timeout) for c in cfgs]
    result = {
        "benchmark": "mnist_speed",
        "machine": machine_info(args.threads),
        "rows": cfgs[0]["rows"] if cfgs else None,
        "layers": list(LAYERS), "batch_size": BATCH_SIZE, "learning_rate": LEARNING_RATE,
        "warmup": args.warmup, "epochs": args.epochs,
        "results": rows,
        "ratio_numpy_over_torch": ratios(rows),
    }
    if args.profile:
        base = {"rows": result["rows"], "threads": args.threads}
        result["profile"] = [run_in_subprocess(mode, {**base, "dtype": dt}, timeout)
                             for dt in ("float32", "float64")
                             for mode in ("--_profile-numpy", "--_profile-torch")]
    result["loadavg_before"], result["loadavg_after"] = before, loadavg()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in ("--_worker", "--_profile-numpy", "--_profile-torch"):
        job = {"--_worker": worker, "--_profile-numpy": profile_numpy, "--_profile-torch": profile_torch}[sys.argv[1]]
        print(json.dumps(job(json.loads(sys.argv[2]))))
        sys.exit(0)
    sys.exit(main())
