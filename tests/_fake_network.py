"""A network that is never there: fixtures and fakes shared by the data-loader tests.

``no_network`` (autouse where imported) replaces ``helpers.datasets._urlopen``, the one function
that opens a URL, with one that fails the test, and points the cache at a temporary folder.
``online`` lifts ``NNCOURSE_OFFLINE`` for tests that install a ``FakeNetwork``.
"""
import io
import urllib.error

import pytest

from helpers import datasets


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    def forbidden(url, timeout):
        raise AssertionError(f"a test tried to open {url}")

    monkeypatch.setattr(datasets, "_urlopen", forbidden)
    monkeypatch.setenv("NNCOURSE_DATA", str(tmp_path / "default-cache"))
    monkeypatch.setenv("NNCOURSE_OFFLINE", "1")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


@pytest.fixture
def online(monkeypatch):
    """Allow (fake) downloads: the code under test may call the network function."""
    monkeypatch.delenv("NNCOURSE_OFFLINE", raising=False)


class FakeResponse(io.BytesIO):
    def __init__(self, data: bytes, fail_after: int | None = None, error: BaseException | None = None):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}
        self.fail_after, self.error = fail_after, error

    def read(self, size=-1):
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise self.error
        return super().read(size)


class FakeNetwork:
    """Serves ``files`` (name -> bytes) by the last part of the URL; records every call."""

    def __init__(self, files=None, broken_hosts=()):
        self.files, self.broken_hosts, self.calls = dict(files or {}), tuple(broken_hosts), []

    def __call__(self, url, timeout):
        self.calls.append((url, timeout))
        if any(host in url for host in self.broken_hosts):
            raise urllib.error.URLError("simulated: mirror unreachable")
        name = url.rsplit("/", 1)[-1]
        if name not in self.files:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)
        return FakeResponse(self.files[name])
