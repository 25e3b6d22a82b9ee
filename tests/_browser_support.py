"""JupyterLab on localhost and headless Chromium driven by Playwright, for test_browser.py.

JupyterLab runs from this virtual environment with every Jupyter directory in a temporary folder,
so it neither reads nor writes the user's settings, and with nothing that would reach the
internet (news feed, update check, extension manager). Chromium is Debian's /usr/bin/chromium
(Playwright's own browser download is not used); the flags below keep it from opening
background connections, which a closed network would refuse.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path(os.environ.get("NNCOURSE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def missing_browser() -> str | None:
    """Why the browser test cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements.txt)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_config(home: Path) -> dict:
    """Private Jupyter directories with the offline configuration; returns the environment."""
    dirs = {name: home / name for name in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    # The instructor's tools installed here (nbgrader, jupytext) are not in a student's JupyterLab.
    instructor_server_extensions = ["jupyterlab_jupytext", "jupyter_lsp"] + [
        f"nbgrader.server_extensions.{name}"
        for name in ("formgrader", "validate_assignment", "assignment_list", "course_list")]
    (dirs["config"] / "jupyter_server_config.json").write_text(json.dumps({
        "ServerApp": {"jpserver_extensions": {name: False for name in instructor_server_extensions}},
        "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                   "extension_manager": "readonly"},
    }))
    (dirs["config"] / "labconfig").mkdir(exist_ok=True)
    (dirs["config"] / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": {
        "@jupyter/nbgrader": True, "jupyterlab-jupytext": True,
        # the "would you like news?" question would otherwise sit over the notebook
        "@jupyterlab/apputils-extension:announcements": True,
    }}))
    env = dict(os.environ)
    env.pop("NBGRADER_EXECUTION", None)
    env.update({
        "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]), "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]), "IPYTHONDIR": str(dirs["ipython"]),
        "JUPYTER_PLATFORM_DIRS": "1",
    })
    return env


@contextlib.contextmanager
def jupyterlab(notebook_dir: Path, home: Path, timeout: float = 60.0):
    """Start JupyterLab serving notebook_dir; yield (base_url, token); stop it afterwards."""
    port, token = _free_port(), secrets.token_hex(16)
    env = _write_config(home)
    log_path = home / "jupyterlab.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", "--allow-root", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={notebook_dir}"]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=notebook_dir)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base_url}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base_url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def server_log(home: Path) -> str:
    path = home / "jupyterlab.log"
    return path.read_text()[-3000:] if path.exists() else ""


@contextlib.contextmanager
def chromium(user_data_dir: Path, viewport: dict):
    """A headless Chromium page with a fresh profile."""
    from playwright.sync_api import sync_playwright

    if user_data_dir.exists():
        shutil.rmtree(user_data_dir)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(user_data_dir), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport=viewport)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()
