"""A Colab-like Python environment and a way to run notebooks in it (used by test_colab.py).

The environment is a virtual environment holding only what Google Colab has preinstalled and
this course uses (numpy, matplotlib, scikit-learn, tqdm, and ipykernel/ipywidgets, which run the
notebook and draw tqdm's bars, and pip, which the setup cell runs), at the versions
requirements.txt pins. It is cached under build/colab-venv/<key>/, keyed on a hash of the pins,
so only the first run (and every CI run, which starts clean) pays for creating it.

`helpers` gets into it as in Colab, on every run: the course is published (`autograder publish`)
into a git repository, and a release notebook's setup cell runs with `google.colab` faked, its
`pip install git+<student repository>@<branch>` reaching that repository through git's
`url.<base>.insteadOf` (a private git config), so nothing but the published tree is installed.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
VENV_ROOT = ROOT / "build" / "colab-venv"

# What Colab preinstalls that the course relies on; helpers' own dependencies are a subset.
COLAB_PACKAGES = ["numpy", "matplotlib", "scikit-learn", "tqdm", "ipykernel", "ipywidgets",
                  "pip",  # the setup cell runs `python -m pip install`
                  "keras", "jax"]  # stage 10; Colab's Keras runs on TensorFlow, which jax stands in for here
# Instructor-only packages: a notebook that needs one of these would fail in Colab.
NOT_IN_COLAB = ["nbgrader", "jupytext", "nbval", "pytest", "autograder", "jupyterlab"]
KERNEL_NAME = "nncourse-colab-like"
INJECTED = "nncourse_injected"  # metadata key of the cells the runner adds before and after a notebook
WARNING_TEXT = re.compile(r"\w*Warning\b")


def _pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def _digest(parts) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part if isinstance(part, bytes) else str(part).encode())
        sha.update(b"\0")
    return sha.hexdigest()[:16]


def pins_key() -> str:
    """Changes when the Python version, the package list or any pin changes."""
    return _digest([sys.version_info[:2], " ".join(COLAB_PACKAGES), REQUIREMENTS.read_bytes()])


def colab_python() -> Path:
    """The Colab-like environment's interpreter (without helpers), created as needed."""
    key = pins_key()
    venv = VENV_ROOT / key
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        if VENV_ROOT.exists():  # environments made for other pins, or left half-made
            for stale in VENV_ROOT.iterdir():
                if stale.is_dir():
                    shutil.rmtree(stale)
        VENV_ROOT.mkdir(parents=True, exist_ok=True)
        # No pip inside: the main environment's pip installs into it (pip --python).
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        # --no-compile: byte-compiling every installed module is most of the install (about 35 s of
        # 50); the notebooks then compile only the modules they import, once, on first import.
        _pip("--python", str(python), "install", "-q", "--no-compile", "-c", str(REQUIREMENTS), *COLAB_PACKAGES)
        (venv / ".complete").write_text(" ".join(COLAB_PACKAGES) + "\n")
    return python


# --- helpers, installed as Colab installs it ---------------------------------------------------

STUDENT_DIST = "nn-from-scratch-helpers"  # the project name in the published pyproject.toml
# Names helpers has been installed under (an older environment may hold any of them).
HELPERS_DISTS = [STUDENT_DIST, "nn-from-scratch"]


def student_settings() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["nncourse"]


def _git(*args: str, cwd: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
    subprocess.run(["git", "-c", "user.name=nncourse", "-c", "user.email=nncourse@example.invalid",
                    "-c", "init.defaultBranch=main", *args], cwd=cwd, env=env, check=True, capture_output=True)


def student_repository(workdir: Path) -> Path:
    """Publish the course (checked for leaks) into a new git repository, committed on the student branch."""
    from autograder.building.publish import publish

    repo = workdir / "students"
    publish(repo, check=False)  # test_publish.py and `autograder check` prove it leaks nothing
    _git("init", "-q", "-b", student_settings()["student_branch"], ".", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "publish", cwd=repo)
    return repo


def git_redirect(workdir: Path, target: str) -> dict[str, str]:
    """Environment variables under which git fetches the student repository's address from ``target``."""
    config = workdir / "gitconfig"
    config.write_text(f'[url "{target}"]\n\tinsteadOf = {student_settings()["student_repository"]}\n')
    return {"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}


def run_setup_cell(python: Path, source: str, workdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a setup cell with the Colab-like interpreter and ``google.colab`` importable, as in Colab."""
    fake = workdir / "fake-colab"
    (fake / "google" / "colab").mkdir(parents=True, exist_ok=True)
    (fake / "google" / "colab" / "__init__.py").write_text('"""Stands in for Colab: the setup cell checks that it imports."""\n')
    run_env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "PIP_", "VIRTUAL_ENV"))}
    run_env.update(env, PYTHONPATH=str(fake), PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run([str(python), "-c", source], cwd=workdir, env=run_env, capture_output=True, text=True)


def install_like_colab(python: Path, repo: Path, setup_source: str, workdir: Path) -> subprocess.CompletedProcess:
    """Remove any helpers from the environment, then let the setup cell install it from ``repo``."""
    for dist in HELPERS_DISTS:
        _pip("--python", str(python), "uninstall", "-q", "-y", dist)
    return run_setup_cell(python, setup_source, workdir, git_redirect(workdir, repo.as_uri()))


def installed_files(python: Path, dist: str = STUDENT_DIST) -> list[str]:
    """The files pip installed for ``dist`` (from its RECORD), relative to site-packages."""
    code = ("import importlib.metadata as m, json; "
            f"print(json.dumps(sorted(str(f) for f in m.distribution({dist!r}).files)))")
    return json.loads(subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout)


def write_kernelspec(python: Path, kernels_dir: Path) -> Path:
    """A kernelspec that starts ipykernel with the Colab-like interpreter."""
    spec_dir = kernels_dir / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [str(python), "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab-like)",
        "language": "python",
        # Two kernels share two cores: one BLAS thread each, as the grader does.
        "env": {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return kernels_dir


# --- running notebooks -------------------------------------------------------------------------

AUDIT_MODULE = "_nncourse_figure_audit"


def _audit_cell() -> str:
    source = (Path(__file__).with_name("_figure_audit.py")).read_text()
    return (
        "import sys as _s, types as _t\n"
        f"_m = _t.ModuleType({AUDIT_MODULE!r})\n"
        f"exec({source!r}, _m.__dict__)\n"
        "_m.install()\n"
        "_s.modules[_m.__name__] = _m\n"
        "del _s, _t, _m\n"
    )


PROBE_CELL = f"""\
import importlib.metadata as _m, importlib.util as _u, json as _j, os as _o, sys as _s
import helpers as _h
print(_j.dumps({{
    "prefix": _s.prefix,
    "helpers": _h.__file__,
    "helpers_dist": _m.packages_distributions().get("helpers", []),
    "grader": bool(_o.environ.get("NBGRADER_EXECUTION")),
    "instructor_packages": [_n for _n in {NOT_IN_COLAB!r} if _u.find_spec(_n) is not None],
    "figure_problems": _s.modules[{AUDIT_MODULE!r}].PROBLEMS,
}}))
"""


@dataclass
class Run:
    name: str
    notebook: nbformat.NotebookNode | None = None
    error: str | None = None
    seconds: float = 0.0
    probe: dict = field(default_factory=dict)


def run_notebook(path: Path, kernels_dir: Path, workdir: Path) -> Run:
    """Execute a copy of the notebook in workdir with the Colab-like kernel, top to bottom."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    run = Run(path.stem)
    workdir.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_audit_cell(), metadata={INJECTED: True}))
    nb.cells.append(nbformat.v4.new_code_cell(PROBE_CELL, metadata={INJECTED: True}))
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": KERNEL_NAME, "language": "python"}
    manager = AsyncKernelManager(kernel_name=KERNEL_NAME,
                                 kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels_dir)]))
    client = NotebookClient(nb, km=manager, timeout=600, kernel_name=KERNEL_NAME,
                            resources={"metadata": {"path": str(workdir)}})
    start = time.perf_counter()
    with open(workdir / "kernel-stderr.log", "w") as kernel_log:  # the kernel's own log lines, not cell output
        try:
            client.execute(stderr=kernel_log)
        except Exception as error:  # CellExecutionError carries the cell and its traceback
            log = (workdir / "kernel-stderr.log").read_text()[-2000:]
            run.error = f"{type(error).__name__}: {error}" + (f"\nkernel log:\n{log}" if log else "")
    run.seconds = time.perf_counter() - start
    run.notebook = nb
    probe_outputs = nb.cells[-1].get("outputs", [])
    for output in probe_outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            run.probe = json.loads(output["text"])
    return run


def run_all(paths, python: Path, workdir: Path, workers: int = 2) -> dict[str, Run]:
    """Run every notebook, `workers` at a time, largest first (a rough guess at the slowest)."""
    kernels_dir = write_kernelspec(python, workdir / "kernels")
    env_before = os.environ.pop("NBGRADER_EXECUTION", None)  # a clean run, as a student's
    try:
        ordered = sorted(paths, key=lambda p: p.stat().st_size, reverse=True)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {p.stem: pool.submit(run_notebook, p, kernels_dir, workdir / p.stem) for p in ordered}
            return {name: future.result() for name, future in futures.items()}
    finally:
        if env_before is not None:
            os.environ["NBGRADER_EXECUTION"] = env_before


def _text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return "\n".join(output.get("traceback", []))
    data = output.get("data", {})
    return "\n".join(str(data[key]) for key in ("text/plain", "text/html", "text/markdown") if key in data)


def output_problems(nb) -> list[str]:
    """stderr output, errors and warning text in the outputs of a run notebook (injected cells aside)."""
    problems = []
    number = 0
    for cell in nb.cells:
        if cell.metadata.get(INJECTED):
            continue
        number += 1
        if cell.cell_type != "code":
            continue
        first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
        where = f"cell {number} ({first_line[:60]!r})"
        for output in cell.get("outputs", []):
            text = _text(output)
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                problems.append(f"{where} writes to stderr: {text.strip()[:200]!r}")
            elif output.get("output_type") == "error":
                problems.append(f"{where} raised {output.get('ename')}: {output.get('evalue')}")
            elif WARNING_TEXT.search(text):
                line = next(line for line in text.splitlines() if WARNING_TEXT.search(line))
                problems.append(f"{where} prints a warning: {line.strip()[:200]!r}")
    return problems
