"""Download-and-cache machinery shared by the dataset loaders (MNIST, later CIFAR-100).

* ``cache_dir(path=None)``: where downloaded files live: ``path`` if given, else the
  environment variable ``NNCOURSE_DATA``, else ``~/.cache/nncourse``.
* ``offline()``: true when ``NNCOURSE_OFFLINE=1`` (CI, the tests and the grader set it); then
  every network attempt raises :class:`OfflineError`.
* ``fetch(filename, urls, sha256, cache_dir)``: the cached file if its SHA-256 matches, else a
  download from each mirror in turn. Every network wait is bounded by ``timeout`` seconds. The
  bytes go to a temporary file in the cache folder that is renamed into place only once its
  checksum matches, so the cache never holds a half-written or corrupt file under the real name.
* ``fetch_all(files, mirrors, cache_dir)``: ``fetch`` for a group of files that belong together;
  if one fails, the error names every file of the group still missing and the digest each needs.
* Every error (:class:`DownloadError` and its kinds) carries ``reason``, a one-line cause with
  full digests where a checksum is involved, and ``remedy``, what to do about it.
* :class:`Dataset`: what a loader returns.

All network access goes through :func:`_urlopen`, so tests can replace that one function.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

__all__ = [
    "Dataset",
    "DownloadError",
    "OfflineError",
    "ChecksumError",
    "checksum_name",
    "cache_dir",
    "offline",
    "sha256_of",
    "fetch",
    "fetch_all",
]

DEFAULT_CACHE_DIR = "~/.cache/nncourse"
DEFAULT_TIMEOUT = 30.0  # seconds, for connecting and for each read
_CHUNK = 1 << 16
_STALE_TEMP_SECONDS = 3600  # a temporary file older than this was left by a killed process


@dataclass(eq=False, repr=False)
class Dataset:
    """A labelled image dataset split into training and test sets.

    ``X_*`` are float32 arrays of shape (N, features) scaled to [0, 1]; ``y_*`` are int64
    class labels. ``source`` says which data this is (for MNIST ``"full"`` or ``"subset"``) and
    ``description`` says it in one sentence.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    name: str
    source: str
    description: str

    def __repr__(self) -> str:
        return (f"Dataset(name={self.name!r}, source={self.source!r}, "
                f"X_train={self.X_train.shape}, X_test={self.X_test.shape})")


class DownloadError(RuntimeError):
    """A file could not be found in the cache nor downloaded.

    ``filenames`` are the files a user can put into ``cache_dir`` by hand; ``reason`` is a short
    one-line cause; ``remedy`` one or two sentences that say what to do about it; ``detail`` the
    message without the advice; ``attempts`` lists ``(url, error text)`` for every mirror tried.
    ``algorithm`` ("sha256" or "md5"), ``expected`` and ``got`` are the digests involved (``got`` is
    empty unless a checksum did not match); ``damaged`` is the path of a cached copy with the wrong
    checksum, if one is in the way.
    """

    def __init__(self, message: str, *, filenames: Sequence[str] = (), cache_dir: Path | None = None,
                 reason: str = "", attempts: Sequence[tuple[str, str]] = (), detail: str = "",
                 remedy: str = "", algorithm: str = "sha256", expected: str = "", got: str = "",
                 damaged: Path | None = None):
        super().__init__(message)
        self.detail = detail or message
        self.filenames = tuple(filenames)
        self.cache_dir = cache_dir
        self.reason = reason or message
        self.attempts = tuple(attempts)
        self.remedy = remedy
        self.algorithm = algorithm
        self.expected = expected
        self.got = got
        self.damaged = damaged


class OfflineError(DownloadError):
    """A network access was attempted while ``NNCOURSE_OFFLINE=1``."""


class ChecksumError(DownloadError):
    """Downloaded bytes do not have the expected checksum (they were not kept)."""


def checksum_name(algorithm: str) -> str:
    """How a digest algorithm is written for people: "SHA-256", "MD5"."""
    return {"sha256": "SHA-256", "md5": "MD5"}.get(algorithm, algorithm)


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """The cache folder: ``path``, else ``$NNCOURSE_DATA``, else ``~/.cache/nncourse``."""
    chosen = path if path is not None else (os.environ.get("NNCOURSE_DATA") or DEFAULT_CACHE_DIR)
    return Path(chosen).expanduser().resolve()


_cache_dir = cache_dir  # ``fetch`` has an argument of the same name


def offline() -> bool:
    """True when the environment forbids network access (``NNCOURSE_OFFLINE=1``)."""
    return os.environ.get("NNCOURSE_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _offline_message(what: str) -> str:
    return f"NNCOURSE_OFFLINE=1 forbids network access; not downloading {what}."


def _urlopen(url: str, timeout: float):
    """The single place that touches the network: a readable binary response for ``url``.

    ``timeout`` bounds the connection and every read. Tests replace this function.
    """
    if offline():
        raise OfflineError(_offline_message(url), reason="NNCOURSE_OFFLINE=1 forbids network access")
    request = urllib.request.Request(url, headers={"User-Agent": "nncourse-helpers"})
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (https mirrors only)


def digest_of(path: str | os.PathLike, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm, usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_of(path: str | os.PathLike) -> str:
    return digest_of(path, "sha256")


def _checksum(sha256: str | None, md5: str | None) -> tuple[str, str]:
    """(algorithm, expected hex digest): SHA-256 where published, MD5 where only that is."""
    if (sha256 is None) == (md5 is None):
        raise ValueError("give exactly one of sha256 and md5")
    return ("sha256", sha256.lower()) if sha256 is not None else ("md5", md5.lower())


def _matches(path: Path, checksum: tuple[str, str] | str) -> bool:
    algorithm, expected = checksum if isinstance(checksum, tuple) else ("sha256", checksum.lower())
    return path.is_file() and digest_of(path, algorithm) == expected


def _remove_stale_temporaries(directory: Path, filename: str) -> None:
    """Delete temporaries of ``filename`` that a killed process (SIGKILL, power loss) left."""
    now = time.time()
    for leftover in directory.glob(f".{filename}.*.part"):
        try:
            if now - leftover.stat().st_mtime > _STALE_TEMP_SECONDS:
                leftover.unlink()
        except OSError:
            pass


def _short(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    text = " ".join(text.split())
    if len(text) > 120:
        text = text[:117] + "..."
    return f"{type(error).__name__}: {text}"


def _download(url: str, target: Path, checksum: tuple[str, str], timeout: float) -> None:
    """Download ``url`` into ``target`` through a temporary file; keep it only if it verifies."""
    from helpers import progress

    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    temporary = Path(temporary)
    try:
        algorithm, expected = checksum
        digest = hashlib.new(algorithm, usedforsecurity=False)
        with os.fdopen(handle, "wb") as out, _urlopen(url, timeout) as response:
            headers = getattr(response, "headers", None)
            length = headers.get("Content-Length") if headers is not None else None
            total = int(length) if length and str(length).isdigit() else None
            with progress(None, total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=target.name,
                          leave=False) as bar:
                while True:
                    block = response.read(_CHUNK)
                    if not block:
                        break
                    out.write(block)
                    digest.update(block)
                    bar.update(len(block))
        got = digest.hexdigest()
        if got != expected:
            name = checksum_name(algorithm)
            raise ChecksumError(f"{name} checksum mismatch for {target.name} from {url}: expected {expected}, got {got}",
                                reason=f"checksum mismatch: {name} {got}, expected {expected}",
                                algorithm=algorithm, expected=expected, got=got)
        os.replace(temporary, target)
    except BaseException:
        # Also on KeyboardInterrupt: never leave a partial download behind.
        temporary.unlink(missing_ok=True)
        raise


def _by_hand(files: Mapping[str, str], directory: Path, algorithm: str = "sha256") -> str:
    """Where to put files by hand, and the digest each must have to be used."""
    name = checksum_name(algorithm)
    listed = ", ".join(f"{filename} ({name} {digest})" for filename, digest in files.items())
    return f"Cache folder: {directory}; to use the data without downloading, put {listed} into that folder."


def fetch(filename: str, urls: Sequence[str], sha256: str | None = None,
          cache_dir: str | os.PathLike | None = None, *, md5: str | None = None,
          timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Path to ``filename`` in the cache, downloaded from ``urls`` (tried in turn) if needed.

    A cached file is used only if its SHA-256 equals ``sha256`` (or, for files whose publisher
    gives only an MD5, its MD5 equals ``md5``); a download is kept only if it does, and then
    replaces a cached copy with the wrong checksum. Raises :class:`OfflineError` when
    ``NNCOURSE_OFFLINE=1`` and the file is not cached, :class:`ChecksumError` when every mirror
    served bytes with the wrong checksum, and :class:`DownloadError` otherwise when every mirror
    failed; each names the cache folder and the file and carries a ``remedy`` that works.
    """
    directory = _cache_dir(cache_dir)
    target = directory / filename
    checksum = _checksum(sha256, md5)
    algorithm, expected = checksum
    name = checksum_name(algorithm)
    if _matches(target, checksum):
        return target
    damaged = target if target.is_file() else None
    damaged_digest = digest_of(target, algorithm) if damaged else ""
    note = f" (the copy in the cache has {name} {damaged_digest}, expected {expected})" if damaged else ""
    wanted = {filename: expected}
    common = dict(filenames=[filename], cache_dir=directory, algorithm=algorithm, expected=expected,
                  got=damaged_digest, damaged=damaged)

    if offline():
        detail = f"{_offline_message(filename)} It is not in the cache{note}."
        raise OfflineError(f"{detail} {_by_hand(wanted, directory, algorithm)}", detail=detail,
                           reason="NNCOURSE_OFFLINE=1 forbids network access",
                           remedy=f"Unset NNCOURSE_OFFLINE, or put {filename} ({name} {expected}) into {directory}.",
                           **common)

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        detail = f"Cannot create the cache folder for {filename}: {_short(error)}."
        raise DownloadError(f"{detail} {_by_hand(wanted, directory, algorithm)}", detail=detail,
                            reason=f"cannot create the cache folder {directory} ({_short(error)})",
                            remedy="Set the environment variable NNCOURSE_DATA to a folder you can write to "
                                   "(or pass cache_dir=...), then run again.", **common) from error
    _remove_stale_temporaries(directory, filename)

    attempts: list[tuple[str, str]] = []
    mismatches: list[ChecksumError] = []
    for url in urls:
        try:
            _download(url, target, checksum, timeout)
            return target
        except OfflineError:
            raise
        except ChecksumError as error:
            mismatches.append(error)
            attempts.append((url, error.reason))
        # URLError, HTTPError and timeouts are OSErrors; a bad URL is a ValueError; a connection
        # cut mid-body is an http.client.HTTPException (IncompleteRead).
        except (OSError, ValueError, http.client.HTTPException, DownloadError) as error:
            attempts.append((url, error.reason if isinstance(error, DownloadError) else _short(error)))
    tried = "; ".join(f"{url}: {text}" for url, text in attempts) or "no mirror was given"
    detail = f"Could not download {filename}{note} (tried {tried})."
    message = f"{detail} {_by_hand(wanted, directory, algorithm)}"
    if damaged:
        fix = (f"Delete {damaged} (its {name} is {damaged_digest}, not {expected}), then run again; "
               f"or replace it by a copy whose {name} is {expected}.")
    else:
        fix = ""
    if attempts and len(mismatches) == len(attempts):
        got = mismatches[-1].got
        reason = (f"{filename} arrived with the wrong {name} from every mirror ({name} {got}, expected "
                  f"{expected}), so it was not kept")
        remedy = fix or (f"Run again later (a mirror may be serving a damaged copy), or download {filename} "
                         f"yourself and put it into {directory}: it is used when its {name} is {expected}.")
        raise ChecksumError(message, detail=detail, reason=reason, remedy=remedy, attempts=attempts,
                            **{**common, "got": got})
    reason = f"{filename} could not be downloaded ({attempts[-1][1] if attempts else 'no mirror was given'})"
    remedy = fix or (f"Run again when you are online (files already downloaded stay in {directory}), "
                     f"or put {filename} ({name} {expected}) into that folder yourself.")
    raise DownloadError(message, detail=detail, reason=reason, remedy=remedy, attempts=attempts, **common)


def fetch_all(files: Mapping[str, str], mirrors: Sequence[str], cache_dir: str | os.PathLike | None = None,
              *, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Path]:
    """``fetch`` every ``filename -> sha256`` of ``files`` from ``mirror + filename`` URLs.

    On failure the :class:`DownloadError` (or :class:`OfflineError`, :class:`ChecksumError`) names
    every file of the group that is not yet in the cache, so a user knows all the files to put
    there by hand, and the digest each must have.
    """
    directory = _cache_dir(cache_dir)
    paths: dict[str, Path] = {}
    for filename, sha256 in files.items():
        try:
            paths[filename] = fetch(filename, [mirror + filename for mirror in mirrors], sha256,
                                    directory, timeout=timeout)
        except DownloadError as error:
            missing = {name: digest for name, digest in files.items() if not _matches(directory / name, digest)}
            raise type(error)(f"{error.detail} {_by_hand(missing, directory)}", detail=error.detail,
                              filenames=list(missing), cache_dir=directory, reason=error.reason,
                              attempts=error.attempts, remedy=error.remedy, algorithm=error.algorithm,
                              expected=error.expected, got=error.got, damaged=error.damaged) from error
    return paths
