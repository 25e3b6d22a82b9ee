"""Report pages as PDF, printed by headless Chromium (``/usr/bin/chromium``, or
``NNCOURSE_CHROMIUM``), one process per page. Without Chromium, :func:`check_chromium` raises a
UsageError whose one line says how to install it."""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from ..paths import UsageError

INSTALL = ("--pdf needs Chromium at {path}: install it (Debian/Ubuntu: sudo apt-get install chromium) "
           "or set NNCOURSE_CHROMIUM")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
         "--run-all-compositor-stages-before-draw",
         "--virtual-time-budget=10000"]


def chromium() -> Path:
    return Path(os.environ.get("NNCOURSE_CHROMIUM", "/usr/bin/chromium"))


def check_chromium() -> Path:
    """The Chromium to print with; UsageError (one line) when there is none."""
    path = chromium()
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise UsageError(INSTALL.format(path=path))
    return path


def print_pdf(page: Path, pdf: Path, timeout: float = 120.0) -> Path:
    """Print the HTML file ``page`` to ``pdf``; RuntimeError with Chromium's last words when it fails."""
    browser = check_chromium()
    with tempfile.TemporaryDirectory(prefix="nncourse-pdf-") as profile:
        command = [str(browser), *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf.resolve()}",
                   page.resolve().as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise RuntimeError(f"chromium could not print {page.name}: {done.stderr.strip()[-300:]}")
    return pdf
