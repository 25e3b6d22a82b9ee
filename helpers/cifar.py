"""CIFAR-100, a few of its classes chosen from a student id; the MNIST subset as its offline stand-in.

``load_cifar100(seed=...)`` returns a :class:`ClassSubset` (a :class:`helpers.datasets.Dataset`
that also records which classes it holds) with ``X`` float32 of shape (N, 3072) scaled to
[-0.5, 0.5] and ``y`` int64 labels ``0 .. n_classes-1``:

* The file is ``cifar-100-python.tar.gz`` (about 161 MB) from the authors' site, kept in the
  cache folder of :mod:`helpers.datasets` (``$NNCOURSE_DATA`` or ``~/.cache/nncourse``). The
  authors publish its **MD5** (``eb9058c3a382ffc7106e4002c42a8d85``), not a SHA-256, so this
  module checks the MD5: a download is kept only if its MD5 matches, and a cached copy is used
  only if it does. MD5 is no defence against a forged file, only against a corrupt or truncated
  one; it is what the publisher gives. Everything else follows ``helpers.datasets.fetch``: every
  network wait is bounded, the bytes land in a temporary file renamed into place only once they
  verify, a progress bar shows on long downloads (never while nbgrader grades), and all network
  access goes through ``helpers.datasets._urlopen``.
* Inside the archive, ``cifar-100-python/train`` (50,000 images) and ``cifar-100-python/test``
  (10,000) are Python pickles of a dict with ``b'data'``, uint8 of shape (N, 3072), one image a
  row in channel-major order (the 1024 red pixels of the 32x32 image row by row, then the 1024
  green, then the 1024 blue), ``b'fine_labels'`` (0-99) and ``b'coarse_labels'`` (0-19);
  ``cifar-100-python/meta`` holds ``b'fine_label_names'``. :func:`read_cifar_pickle` reads one
  of them. (Unpickling runs code from the file; it is done only on an archive whose MD5 matches
  the published one, or on a file the caller chose.)
* The classes: ``choose_classes(seed, n_classes, 100)``, that is
  ``np.sort(np.random.default_rng(seed).choice(100, n_classes, replace=False))``, relabelled
  ``0 .. n_classes-1`` in that (increasing) order. The images keep their flattened channel-major
  layout; pixels become ``x / 255 - 0.5``.

``NNCOURSE_OFFLINE=1`` (CI, the tests and the grader) or ``offline=True`` makes
``load_cifar100`` raise :class:`helpers.datasets.OfflineError` at once, even if the archive is
cached, so every offline run sees the same data; a failed download raises
:class:`helpers.datasets.DownloadError`. Both carry ``reason``, a one-line cause. A notebook then
says so and uses :func:`load_mnist_classes`: the same number of classes chosen the same way from
the same seed, out of the 10 digits of the bundled MNIST subset, scaled the same way (784 features).
"""
from __future__ import annotations

import io
import os
import pickle
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from helpers import datasets
from helpers.datasets import Dataset, DownloadError, OfflineError

__all__ = [
    "ClassSubset",
    "load_cifar100",
    "load_mnist_classes",
    "read_cifar_pickle",
    "choose_classes",
    "fetch_md5",
    "md5_of",
    "CIFAR100_FILENAME",
    "CIFAR100_URLS",
    "CIFAR100_MD5",
]

CIFAR100_FILENAME = "cifar-100-python.tar.gz"
CIFAR100_URLS = ("https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",)
# Published on https://www.cs.toronto.edu/~kriz/cifar.html (no SHA-256 is published).
CIFAR100_MD5 = "eb9058c3a382ffc7106e4002c42a8d85"
ATTRIBUTION = "CIFAR-100 by Alex Krizhevsky, Vinod Nair and Geoffrey Hinton"

_MEMBERS = {"train": "cifar-100-python/train", "test": "cifar-100-python/test", "meta": "cifar-100-python/meta"}
_N_FEATURES = 3072  # 3 channels x 32 x 32


@dataclass(eq=False, repr=False)
class ClassSubset(Dataset):
    """A :class:`Dataset` restricted to a few classes, relabelled ``0 .. n-1``.

    ``class_ids[k]`` is the original class number of new label ``k`` (increasing), and
    ``class_names[k]`` its name. ``X`` is scaled to [-0.5, 0.5] (not [0, 1] as in ``Dataset``).
    """

    class_ids: tuple = ()
    class_names: tuple = ()


# --- choosing the classes ---------------------------------------------------------------------

def choose_classes(seed: int, n_classes: int, n_total: int) -> np.ndarray:
    """``n_classes`` distinct classes out of ``0 .. n_total-1`` chosen from ``seed``, sorted (int64)."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or not 1 <= n_classes <= n_total:
        raise ValueError(f"n_classes must be an integer from 1 to {n_total}, got {n_classes!r}")
    chosen = np.random.default_rng(seed).choice(n_total, size=int(n_classes), replace=False)
    return np.sort(chosen).astype(np.int64)


def _select(X: np.ndarray, labels: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose label is one of ``classes``, pixels scaled to [-0.5, 0.5], labels relabelled."""
    keep = np.isin(labels, classes)
    pixels = X[keep].astype(np.float32) / np.float32(255.0) - np.float32(0.5)
    return pixels, np.searchsorted(classes, labels[keep]).astype(np.int64)


# --- the pickle format --------------------------------------------------------------------------

def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def read_cifar_pickle(source) -> dict:
    """Read one file of the ``cifar-100-python`` format: ``train``, ``test`` or ``meta``.

    ``source`` is a path, the file's bytes, or a readable binary file object (for example a member
    of the tar archive from ``tarfile.extractfile``). Returns a dict with ``str`` keys:

    * for ``train`` and ``test``: ``"data"`` uint8 of shape (N, 3072), channel-major rows as in the
      file, ``"fine_labels"`` and ``"coarse_labels"`` int64 of shape (N,), and the file's other
      entries (``"filenames"``, ``"batch_label"``) with bytes decoded to text;
    * for ``meta``: ``"fine_label_names"`` (100 names) and ``"coarse_label_names"`` (20), as text.

    Raises ``ValueError`` naming the problem for a file that is not such a pickle.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        name, handle, close = "CIFAR data", io.BytesIO(bytes(source)), True
    elif hasattr(source, "read"):
        name, handle, close = getattr(source, "name", "CIFAR data"), source, False
    else:
        name = os.fspath(source)
        handle, close = open(name, "rb"), True
    try:
        try:
            raw = pickle.load(handle, encoding="bytes")
        except Exception as error:  # pickle raises many types for bytes that are not a pickle
            raise ValueError(f"{name}: not a CIFAR pickle ({type(error).__name__}: {error}).") from None
    finally:
        if close:
            handle.close()
    if not isinstance(raw, dict):
        raise ValueError(f"{name}: not a CIFAR pickle (it holds a {type(raw).__name__}, expected a dict).")

    out = {}
    for key, value in raw.items():
        key = _text(key)
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], (bytes, str)):
            value = [_text(v) for v in value]
        elif isinstance(value, bytes):
            value = _text(value)
        out[key] = value

    if "data" in out:
        data = np.asarray(out["data"])
        if data.ndim != 2 or data.shape[1] != _N_FEATURES:
            raise ValueError(f"{name}: 'data' has shape {data.shape}; expected (N, {_N_FEATURES}), "
                             "one 32x32 colour image a row (1024 red, 1024 green, 1024 blue values).")
        if data.dtype != np.uint8:
            if not np.issubdtype(data.dtype, np.integer) or data.min(initial=0) < 0 or data.max(initial=0) > 255:
                raise ValueError(f"{name}: 'data' must hold pixel values 0-255 (uint8), got dtype {data.dtype}.")
            data = data.astype(np.uint8)
        out["data"] = data
        for key in ("fine_labels", "coarse_labels"):
            if key not in out:
                raise ValueError(f"{name}: no '{key}' entry; a CIFAR-100 train/test file has 'data', "
                                 "'fine_labels' and 'coarse_labels'.")
            labels = np.asarray(out[key], dtype=np.int64)
            if labels.shape != (len(data),):
                raise ValueError(f"{name}: '{key}' has shape {labels.shape}, expected ({len(data)},) "
                                 "(one label per row of 'data').")
            out[key] = labels
        if out["fine_labels"].size and not (0 <= out["fine_labels"].min() and out["fine_labels"].max() < 100):
            raise ValueError(f"{name}: fine labels must lie in 0-99.")
    elif "fine_label_names" not in out:
        raise ValueError(f"{name}: neither a CIFAR-100 train/test file (no 'data') nor the meta file "
                         "(no 'fine_label_names').")
    return out


def _read_archive(path: Path) -> dict[str, dict]:
    """The three pickles of the archive, read in one pass over it (a gzip stream is slow to rewind)."""
    wanted = {member: part for part, member in _MEMBERS.items()}
    parts = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if member.name in wanted and member.isfile():
                    with archive.extractfile(member) as handle:
                        parts[wanted[member.name]] = read_cifar_pickle(handle)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ValueError(f"{path}: not a readable tar.gz archive ({error}).") from None
    missing = [member for member, part in wanted.items() if part not in parts]
    if missing:
        raise ValueError(f"{path}: the archive has no file {', '.join(missing)}.")
    return parts


# --- download and cache with an MD5 check ---------------------------------------------------------

def md5_of(path: str | os.PathLike) -> str:
    return datasets.digest_of(path, "md5")


def fetch_md5(filename: str, urls: Sequence[str], md5: str, cache_dir: str | os.PathLike | None = None,
              *, timeout: float = datasets.DEFAULT_TIMEOUT) -> Path:
    """``helpers.datasets.fetch`` for a file whose publisher gives an MD5 instead of a SHA-256."""
    return datasets.fetch(filename, urls, cache_dir=cache_dir, md5=md5, timeout=timeout)


# --- the loaders ------------------------------------------------------------------------------

def load_cifar100(cache_dir=None, *, n_classes: int = 5, seed: int = 0, offline: bool | None = None,
                  verbose: bool = True, timeout: float = datasets.DEFAULT_TIMEOUT) -> ClassSubset:
    """``n_classes`` of the 100 CIFAR-100 fine classes, chosen from ``seed``, as a :class:`ClassSubset`.

    ``X_train`` (500 images a class) and ``X_test`` (100 a class) are float32 of shape (N, 3072),
    channel-major rows scaled to [-0.5, 0.5]; ``y`` are int64 labels ``0 .. n_classes-1`` in the
    order of ``class_ids`` (increasing original class numbers), ``class_names`` their names.
    The archive comes from ``cache_dir`` (default ``$NNCOURSE_DATA`` or ``~/.cache/nncourse``),
    downloaded there first if needed (about 161 MB, MD5-checked).

    Raises :class:`OfflineError` when ``offline=True`` or ``NNCOURSE_OFFLINE=1`` (even when the
    archive is cached), :class:`DownloadError` when it cannot be downloaded, ``ValueError`` when
    the archive is unreadable; ``error.reason`` is a one-line cause.
    """
    classes = choose_classes(seed, n_classes, 100)
    directory = datasets.cache_dir(cache_dir)
    why_offline = "offline=True was passed" if offline else (
        "NNCOURSE_OFFLINE=1 is set" if datasets.offline() else None)
    if why_offline:
        detail = f"CIFAR-100 is not used because {why_offline} (the course's tests and the grader run offline)."
        raise OfflineError(detail, detail=detail, filenames=[CIFAR100_FILENAME], cache_dir=directory,
                           reason=why_offline)
    path = fetch_md5(CIFAR100_FILENAME, CIFAR100_URLS, CIFAR100_MD5, directory, timeout=timeout)
    parts = _read_archive(path)
    X_train, y_train = _select(parts["train"]["data"], parts["train"]["fine_labels"], classes)
    X_test, y_test = _select(parts["test"]["data"], parts["test"]["fine_labels"], classes)
    all_names = parts["meta"].get("fine_label_names", [])
    names = tuple(all_names[c] if c < len(all_names) else f"class {c}" for c in classes)
    description = (f"CIFAR-100, {n_classes} of its 100 classes chosen from seed {seed}: "
                   f"{', '.join(f'{name} ({c})' for name, c in zip(names, classes))}; "
                   f"{len(X_train):,} training / {len(X_test):,} test images of 3x32x32 pixels, flattened "
                   f"channel-major to 3072 values in [-0.5, 0.5] ({ATTRIBUTION}), from {path}.")
    dataset = ClassSubset(X_train, y_train, X_test, y_test, name="CIFAR-100", source="cifar-100",
                          description=description, class_ids=tuple(int(c) for c in classes), class_names=names)
    if verbose:
        print(dataset.description)
    return dataset


def load_mnist_classes(*, n_classes: int = 5, seed: int = 0, verbose: bool = True) -> ClassSubset:
    """The offline stand-in for :func:`load_cifar100`: ``n_classes`` digits of the bundled MNIST subset.

    The digits are ``choose_classes(seed, n_classes, 10)``, relabelled ``0 .. n_classes-1``; the
    images (400 training and 100 test images a digit, a fixed split) become float32 rows of 784
    values in [-0.5, 0.5]. Always the bundled subset, never a download.
    """
    from helpers.mnist import load_mnist

    classes = choose_classes(seed, n_classes, 10)
    mnist = load_mnist(offline=True, verbose=False)
    # load_mnist scales to [0, 1]; back to 0-255 first so both loaders compute x / 255 - 0.5.
    to_bytes = lambda X: np.rint(X * 255.0).astype(np.uint8)  # noqa: E731
    X_train, y_train = _select(to_bytes(mnist.X_train), mnist.y_train, classes)
    X_test, y_test = _select(to_bytes(mnist.X_test), mnist.y_test, classes)
    names = tuple(f"digit {c}" for c in classes)
    description = (f"MNIST subset, {n_classes} of its 10 digits chosen from seed {seed}: "
                   f"{', '.join(str(c) for c in classes)}; {len(X_train):,} training / {len(X_test):,} test "
                   "images of 28x28 pixels, flattened to 784 values in [-0.5, 0.5] (the real MNIST digits "
                   "bundled with the course).")
    dataset = ClassSubset(X_train, y_train, X_test, y_test, name="MNIST subset", source="mnist-subset",
                          description=description, class_ids=tuple(int(c) for c in classes), class_names=names)
    if verbose:
        print(dataset.description)
    return dataset
