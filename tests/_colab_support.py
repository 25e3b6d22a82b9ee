"""A Colab-like Python environment and a way to run notebooks in it (used by test_colab.py).

The environment is a virtual environment holding only what Google Colab has preinstalled and
this course uses (numpy, matplotlib, scikit-learn, tqdm, and ipykernel/ipywidgets, which run the
notebook and draw tqdm's bars), at the versions requirements.txt pins, plus the `helpers` package
built from this repository. It is cached under build/colab-venv/<key>/, keyed on a hash of the
pins, so only the first run (and every CI run, which starts clean) pays for creating it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
VENV_ROOT = ROOT / "build" / "colab-venv"

# What Colab preinstalls that the course relies on; helpers' own dependencies are a subset.
COLAB_PACKAGES = ["numpy", "matplotlib", "scikit-learn", "tqdm", "ipykernel", "ipywidgets",
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


def _helpers_files():
    yield ROOT / "pyproject.toml"
    yield from sorted(p for p in (ROOT / "helpers").rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def helpers_key() -> str:
    return _digest(part for path in _helpers_files() for part in (path.relative_to(ROOT).as_posix(), path.read_bytes()))


def colab_python() -> Path:
    """The Colab-like environment's interpreter, created or updated as needed."""
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
        _pip("--python", str(python), "install", "-q", "-c", str(REQUIREMENTS), *COLAB_PACKAGES)
        (venv / ".complete").write_text(" ".join(COLAB_PACKAGES) + "\n")
    _install_helpers(python, venv / ".helpers")
    return python


def _install_helpers(python: Path, marker: Path) -> None:
    """Build a wheel from the working tree's helpers and install it as a student would get it: a
    regular install (so the bundled data must really be in the package), its dependencies
    satisfied by the preinstalled packages alone (--no-index)."""
    key = helpers_key()
    if marker.exists() and marker.read_text().strip() == key:
        return
    with tempfile.TemporaryDirectory(prefix="nncourse-helpers-") as tmp:
        src, dist = Path(tmp) / "src", Path(tmp) / "dist"
        # Copy first so that the build leaves nothing (build/, *.egg-info) in the repository.
        shutil.copytree(ROOT / "helpers", src / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copyfile(ROOT / name, src / name)
        # Built as pip builds it from the repository in Colab (setuptools in an isolated build env).
        _pip("wheel", "-q", "--no-deps", "-w", str(dist), str(src))
        _pip("--python", str(python), "uninstall", "-q", "-y", "nn-from-scratch")
        _pip("--python", str(python), "install", "-q", "--no-index", *map(str, dist.glob("*.whl")))
    marker.write_text(key + "\n")


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
import importlib.util as _u, json as _j, os as _o, sys as _s
import helpers as _h
print(_j.dumps({{
    "prefix": _s.prefix,
    "helpers": _h.__file__,
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
