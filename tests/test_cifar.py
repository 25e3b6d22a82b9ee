"""The CIFAR-100 loader and its MNIST stand-in, without ever touching the network.

The tests write a tiny archive in the ``cifar-100-python`` format themselves (train, test and
meta pickles inside ``cifar-100-python.tar.gz``) and inject its MD5 in place of the published
one. An autouse fixture replaces ``helpers.datasets._urlopen`` with one that fails the test and
points the cache at a temporary folder; tests that simulate a download install a fake network.
"""
import hashlib
import io
import pickle
import tarfile

import numpy as np
import pytest

from helpers import cifar, datasets
from helpers.cifar import ClassSubset, choose_classes, load_cifar100, load_mnist_classes, read_cifar_pickle
from helpers.datasets import Dataset, DownloadError, OfflineError

URL = cifar.CIFAR100_URLS[0]
NAME = cifar.CIFAR100_FILENAME

from _fake_network import FakeNetwork, FakeResponse, no_network, online  # noqa: F401  (fixtures)


# --- a tiny archive in the cifar-100-python format ----------------------------------------------

FINE_NAMES = [f"fine{c:02d}" for c in range(100)]


def images(labels, salt):
    """One distinct, recognisable uint8 row of 3072 pixels per label."""
    rows = np.arange(len(labels))[:, None]
    return ((rows * 37 + np.arange(3072)[None, :] * 11 + salt) % 256).astype(np.uint8)


def split(copies, salt):
    fine = np.repeat(np.arange(100), copies)
    np.random.default_rng(salt).shuffle(fine)
    return {b"batch_label": b"tiny", b"filenames": [f"img{i}.png".encode() for i in range(len(fine))],
            b"fine_labels": fine.tolist(), b"coarse_labels": (fine // 5).tolist(), b"data": images(fine, salt)}


def tar_gz(members: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def tiny_cifar():
    """(train dict, test dict, archive bytes): 3 training and 1 test image of each of the 100 classes."""
    train, test = split(3, salt=1), split(1, salt=2)
    meta = {b"fine_label_names": [n.encode() for n in FINE_NAMES],
            b"coarse_label_names": [f"coarse{c}".encode() for c in range(20)]}
    archive = tar_gz({"cifar-100-python/train": pickle.dumps(train, protocol=2),
                      "cifar-100-python/test": pickle.dumps(test, protocol=2),
                      "cifar-100-python/meta": pickle.dumps(meta, protocol=2),
                      "cifar-100-python/file.txt~": b"not a pickle"})
    return train, test, archive


@pytest.fixture
def archive(monkeypatch):
    """The tiny archive, with its MD5 standing in for the published one."""
    train, test, data = tiny_cifar()
    monkeypatch.setattr(cifar, "CIFAR100_MD5", hashlib.md5(data).hexdigest())
    return train, test, data


# --- read_cifar_pickle ------------------------------------------------------------------------

def test_read_cifar_pickle_from_a_file_bytes_and_a_tar_member(tmp_path):
    train, _, data = tiny_cifar()
    (tmp_path / "train").write_bytes(pickle.dumps(train, protocol=2))
    from_file = read_cifar_pickle(tmp_path / "train")
    from_bytes = read_cifar_pickle(pickle.dumps(train))
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        with tar.extractfile("cifar-100-python/train") as member:
            from_member = read_cifar_pickle(member)
        with tar.extractfile("cifar-100-python/meta") as member:
            meta = read_cifar_pickle(member)
    for got in (from_file, from_bytes, from_member):
        assert got["data"].dtype == np.uint8 and got["data"].shape == (300, 3072)
        np.testing.assert_array_equal(got["data"], train[b"data"])
        assert got["fine_labels"].dtype == np.int64
        np.testing.assert_array_equal(got["fine_labels"], train[b"fine_labels"])
        np.testing.assert_array_equal(got["coarse_labels"], train[b"coarse_labels"])
        assert got["filenames"][:2] == ["img0.png", "img1.png"] and got["batch_label"] == "tiny"
    assert meta["fine_label_names"] == FINE_NAMES and meta["coarse_label_names"][3] == "coarse3"


def test_read_cifar_pickle_accepts_str_keys_as_a_latin1_load_gives():
    data = {"data": np.zeros((2, 3072), dtype=np.uint8), "fine_labels": [3, 99], "coarse_labels": [0, 19]}
    got = read_cifar_pickle(pickle.dumps(data))
    assert got["fine_labels"].tolist() == [3, 99]


def test_read_cifar_pickle_names_what_is_wrong():
    with pytest.raises(ValueError, match="not a CIFAR pickle"):
        read_cifar_pickle(b"PK\x03\x04 certainly not a pickle")
    with pytest.raises(ValueError, match="holds a list"):
        read_cifar_pickle(pickle.dumps([1, 2, 3]))
    with pytest.raises(ValueError, match=r"shape \(2, 1024\); expected \(N, 3072\)"):
        read_cifar_pickle(pickle.dumps({b"data": np.zeros((2, 1024), np.uint8), b"fine_labels": [0, 1],
                                        b"coarse_labels": [0, 0]}))
    with pytest.raises(ValueError, match=r"'fine_labels' has shape \(1,\), expected \(2,\)"):
        read_cifar_pickle(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"fine_labels": [0],
                                        b"coarse_labels": [0, 0]}))
    with pytest.raises(ValueError, match="no 'coarse_labels'"):
        read_cifar_pickle(pickle.dumps({b"data": np.zeros((1, 3072), np.uint8), b"fine_labels": [0]}))
    with pytest.raises(ValueError, match="neither"):
        read_cifar_pickle(pickle.dumps({b"something": 1}))


# --- choosing classes -----------------------------------------------------------------------------

def test_choose_classes_is_sorted_deterministic_and_differs_across_seeds():
    first = choose_classes(12345, 5, 100)
    assert first.dtype == np.int64 and first.shape == (5,)
    assert np.all(np.diff(first) > 0) and first.min() >= 0 and first.max() < 100
    np.testing.assert_array_equal(first, np.sort(np.random.default_rng(12345).choice(100, 5, replace=False)))
    np.testing.assert_array_equal(first, choose_classes(12345, 5, 100))
    assert len({tuple(choose_classes(seed, 5, 100)) for seed in range(20)}) == 20
    assert choose_classes(0, 10, 10).tolist() == list(range(10))
    for bad in (0, 11, 2.5, True):
        with pytest.raises(ValueError, match="n_classes"):
            choose_classes(0, bad, 10)


# --- load_cifar100 ---------------------------------------------------------------------------------

def check_subset(data, split_dict, seed, n_classes, per_class):
    classes = choose_classes(seed, n_classes, 100)
    assert isinstance(data, ClassSubset) and isinstance(data, Dataset)
    assert data.class_ids == tuple(classes.tolist())
    assert data.class_names == tuple(FINE_NAMES[c] for c in classes)
    fine = np.asarray(split_dict[b"fine_labels"])
    keep = np.isin(fine, classes)
    X, y = (data.X_train, data.y_train) if per_class == 3 else (data.X_test, data.y_test)
    assert X.dtype == np.float32 and X.shape == (n_classes * per_class, 3072)
    assert y.dtype == np.int64 and y.shape == (len(X),)
    # relabelled 0..n-1 in the order of the (sorted) original class ids, rows in file order
    np.testing.assert_array_equal(np.asarray(data.class_ids)[y], fine[keep])
    assert set(y.tolist()) == set(range(n_classes))
    # pixels: x / 255 - 0.5, same channel-major flattened layout as the file
    raw = split_dict[b"data"][keep]
    np.testing.assert_allclose(X, raw / 255.0 - 0.5, rtol=0, atol=1e-7)
    assert X.min() >= -0.5 and X.max() <= 0.5
    red = X[0].reshape(3, 32, 32)[0]
    np.testing.assert_allclose(red, raw[0, :1024].reshape(32, 32) / 255.0 - 0.5, atol=1e-7)


def test_download_then_parse_select_scale_and_use_the_cache(online, archive, monkeypatch, tmp_path, capsys):
    train, test, data = archive
    network = FakeNetwork({NAME: data})
    monkeypatch.setattr(datasets, "_urlopen", network)
    cache = tmp_path / "cache"

    got = load_cifar100(cache, seed=12345)
    check_subset(got, train, 12345, 5, per_class=3)
    check_subset(got, test, 12345, 5, per_class=1)
    assert got.name == "CIFAR-100" and got.source == "cifar-100"
    assert len(network.calls) == 1 and network.calls[0][0] == URL
    assert sorted(p.name for p in cache.iterdir()) == [NAME]  # no temporary file left
    printed = capsys.readouterr().out.strip()
    assert printed == got.description and "\n" not in printed
    assert "seed 12345" in printed and all(name in printed for name in got.class_names)

    def forbidden(url, timeout):
        raise AssertionError("the second load must come from the cache")

    monkeypatch.setattr(datasets, "_urlopen", forbidden)
    again = load_cifar100(cache, seed=12345, verbose=False)
    np.testing.assert_array_equal(again.X_train, got.X_train)
    np.testing.assert_array_equal(again.y_test, got.y_test)
    assert capsys.readouterr().out == ""
    # another seed, another set of classes, from the same cached file
    other = load_cifar100(cache, seed=7, n_classes=3, verbose=False)
    check_subset(other, train, 7, 3, per_class=3)
    assert other.class_ids != got.class_ids


def test_default_cache_folder_is_nncourse_data(online, archive, monkeypatch, tmp_path):
    _, _, data = archive
    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork({NAME: data}))
    load_cifar100(verbose=False)
    assert (tmp_path / "default-cache" / NAME).is_file()


def test_checksum_mismatch_is_refused_and_leaves_no_file(online, archive, monkeypatch, tmp_path):
    _, _, data = archive
    network = FakeNetwork({NAME: data[:-100] + b"\x00" * 100})  # corrupted on the way
    monkeypatch.setattr(datasets, "_urlopen", network)
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match="checksum mismatch") as info:
        load_cifar100(cache, verbose=False)
    assert "MD5" in info.value.reason and len(network.calls) == 1
    assert list(cache.iterdir()) == []  # neither the archive nor a temporary file
    assert str(cache.resolve()) in str(info.value) and NAME in str(info.value)


def test_interrupted_download_leaves_no_file(online, archive, monkeypatch, tmp_path):
    _, _, data = archive
    for error in (KeyboardInterrupt(), TimeoutError("timed out")):
        monkeypatch.setattr(datasets, "_urlopen",
                            lambda url, timeout, e=error: FakeResponse(data, fail_after=1, error=e))
        cache = tmp_path / type(error).__name__
        with pytest.raises((KeyboardInterrupt, DownloadError)):
            load_cifar100(cache, verbose=False)
        assert list(cache.iterdir()) == []


def test_a_wrong_cached_copy_is_replaced_and_every_wait_is_bounded(online, archive, monkeypatch, tmp_path):
    train, _, data = archive
    network = FakeNetwork({NAME: data})
    monkeypatch.setattr(datasets, "_urlopen", network)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / NAME).write_bytes(data[: len(data) // 2])  # a half-copied file
    got = load_cifar100(cache, seed=3, timeout=7, verbose=False)
    check_subset(got, train, 3, 5, per_class=3)
    assert [timeout for _, timeout in network.calls] == [7]
    assert (cache / NAME).read_bytes() == data


def test_failed_download_names_the_cache_folder_and_the_file(online, monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork(broken_hosts=["toronto.edu"]))
    cache = tmp_path / "my cache"
    with pytest.raises(DownloadError) as info:
        load_cifar100(cache)
    assert not isinstance(info.value, OfflineError)
    message = str(info.value)
    assert str(cache.resolve()) in message and NAME in message and URL in message
    assert "unreachable" in info.value.reason and "\n" not in info.value.reason
    assert info.value.filenames == (NAME,) and list(cache.iterdir()) == []


def test_no_progress_bar_while_nbgrader_grades(online, archive, monkeypatch, tmp_path, capsys):
    _, _, data = archive
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork({NAME: data}))
    load_cifar100(tmp_path, verbose=False)
    assert capsys.readouterr().err == ""


def test_offline_raises_at_once_even_with_the_archive_cached(archive, monkeypatch, tmp_path):
    _, _, data = archive
    network = FakeNetwork({NAME: data})
    monkeypatch.setattr(datasets, "_urlopen", network)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / NAME).write_bytes(data)
    with pytest.raises(OfflineError, match="NNCOURSE_OFFLINE=1") as info:
        load_cifar100(cache)  # the fixture sets NNCOURSE_OFFLINE=1
    assert info.value.reason == "NNCOURSE_OFFLINE=1 is set"
    monkeypatch.delenv("NNCOURSE_OFFLINE")
    with pytest.raises(OfflineError, match="offline=True"):
        load_cifar100(cache, offline=True)
    assert network.calls == []
    assert load_cifar100(cache, verbose=False).name == "CIFAR-100"  # online again: the cached copy
    assert network.calls == []


def test_offline_fetch_md5_refuses_the_network(monkeypatch, tmp_path):
    network = FakeNetwork({"f.bin": b"data"})
    monkeypatch.setattr(datasets, "_urlopen", network)
    with pytest.raises(OfflineError, match="NNCOURSE_OFFLINE=1 forbids network access"):
        cifar.fetch_md5("f.bin", ["https://up.example/f.bin"], hashlib.md5(b"data").hexdigest(), tmp_path)
    assert network.calls == []
    (tmp_path / "f.bin").write_bytes(b"data")  # a verified cached copy is still usable offline
    path = cifar.fetch_md5("f.bin", ["https://up.example/f.bin"], hashlib.md5(b"data").hexdigest(), tmp_path)
    assert path.read_bytes() == b"data"


def test_a_broken_archive_is_reported(online, monkeypatch, tmp_path):
    data = tar_gz({"cifar-100-python/train": b"not a pickle"})
    monkeypatch.setattr(cifar, "CIFAR100_MD5", hashlib.md5(data).hexdigest())
    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork({NAME: data}))
    with pytest.raises(ValueError, match="not a CIFAR pickle"):
        load_cifar100(tmp_path, verbose=False)
    data = tar_gz({"cifar-100-python/meta": pickle.dumps({b"fine_label_names": []})})
    monkeypatch.setattr(cifar, "CIFAR100_MD5", hashlib.md5(data).hexdigest())
    monkeypatch.setattr(datasets, "_urlopen", FakeNetwork({NAME: data}))
    with pytest.raises(ValueError, match="has no file cifar-100-python/train, cifar-100-python/test"):
        load_cifar100(tmp_path / "other", verbose=False)


# --- the MNIST stand-in ------------------------------------------------------------------------

def test_mnist_classes_offline_scaled_and_chosen_from_the_seed(capsys):
    from helpers.mnist import load_mnist

    got = load_mnist_classes(seed=12345)
    classes = choose_classes(12345, 5, 10)
    assert isinstance(got, ClassSubset) and got.class_ids == tuple(classes.tolist())
    assert got.name == "MNIST subset" and capsys.readouterr().out.strip() == got.description
    assert got.X_train.shape == (2000, 784) and got.X_test.shape == (500, 784)
    assert got.X_train.dtype == np.float32 and got.y_train.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(got.y_train), np.full(5, 400))
    np.testing.assert_array_equal(np.bincount(got.y_test), np.full(5, 100))
    assert got.X_train.min() == -0.5 and got.X_train.max() == 0.5
    full = load_mnist(offline=True, verbose=False)
    keep = np.isin(full.y_train, classes)
    np.testing.assert_allclose(got.X_train, full.X_train[keep] - 0.5, atol=1e-6)
    np.testing.assert_array_equal(classes[got.y_train], full.y_train[keep])
    again = load_mnist_classes(seed=12345, verbose=False)
    np.testing.assert_array_equal(again.X_test, got.X_test)
    other = load_mnist_classes(seed=1, n_classes=3, verbose=False)
    assert other.class_ids == tuple(choose_classes(1, 3, 10).tolist()) and other.X_train.shape == (1200, 784)
    assert capsys.readouterr().out == ""
