"""notebooks/NN_name.py -> source/NN_name/NN_name.ipynb -> release/NN_name/NN_name.ipynb.

The text source is jupytext's percent format; each graded cell carries its nbgrader metadata in
the header, and only the keys that differ from the defaults need writing, for example
``# %% nbgrader={"grade_id": "mse_loss", "solution": true}``. The build fills in the rest,
gives every cell an id derived from the notebook name and its position (or its grade_id), and
stamps the Colab badge. Same input, byte-identical output.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import jupytext
import nbformat

from .paths import course_root, notebook_sources, release_notebook, source_notebook

NBGRADER_DEFAULTS = {"grade": False, "solution": False, "locked": False, "task": False, "schema_version": 3}
# Placeholders the build replaces with addresses made from [tool.nncourse] in pyproject.toml.
COLAB_TOKEN = "COLAB_URL"
PIP_TOKEN = "COURSE_PIP_URL"
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def course_settings(root: Path) -> dict:
    with open(root / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["nncourse"]


def colab_url(assignment: str, root: Path) -> str:
    settings = course_settings(root)
    repo = settings["repository"].rstrip("/").removeprefix("https://github.com/")
    return (f"https://colab.research.google.com/github/{repo}/blob/{settings['branch']}"
            f"/release/{assignment}/{assignment}.ipynb")


def pip_url(root: Path) -> str:
    settings = course_settings(root)
    return f"git+{settings['repository'].rstrip('/')}@{settings['branch']}"


def _cell_id(assignment: str, index: int, grade_id: str | None) -> str:
    if grade_id:
        return grade_id
    digest = hashlib.sha1(f"{assignment}:{index}".encode()).hexdigest()[:8]
    return f"c{index:03d}-{digest}"


def normalise_nbgrader(meta: dict, where: str) -> dict:
    merged = {**NBGRADER_DEFAULTS, **meta}
    if (merged["grade"] or merged["solution"] or merged["task"]) and not merged.get("grade_id"):
        raise ValueError(f"{where}: a graded, solution or task cell needs a grade_id")
    if merged["grade"] and not merged["solution"]:
        merged["locked"] = True  # autograder tests are never editable
    if merged["grade"] and "points" not in merged:
        raise ValueError(f"{where}: grade cell {merged['grade_id']!r} has no points")
    return dict(sorted(merged.items()))


def notebook_from_text(path: Path, root: Path) -> nbformat.NotebookNode:
    """Read one percent-format source and return the nbgrader instructor notebook."""
    assignment = path.stem
    nb = jupytext.read(path, fmt="py:percent")
    nb.metadata = nbformat.from_dict(NOTEBOOK_METADATA)
    tokens = {COLAB_TOKEN: colab_url(assignment, root), PIP_TOKEN: pip_url(root)}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        grade_id = None
        if meta is not None:
            cell.metadata = nbformat.from_dict({"nbgrader": normalise_nbgrader(meta, f"{path.name} cell {index}")})
            grade_id = cell.metadata.nbgrader.get("grade_id")
        else:
            cell.metadata = nbformat.from_dict({})
        cell.id = _cell_id(assignment, index, grade_id)
        for token, value in tokens.items():
            cell.source = cell.source.replace(token, value)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.validate(nb)
    return nb


def write_notebook(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb, version=4)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def _address_space_limit(limit: int):
    """A function for Popen's preexec_fn: caps the child's (and its children's) address space."""
    def apply():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def run_nbgrader(args: list[str], course_dir: Path, *, env: dict | None = None, extra_config: str = "",
                 on_line=None, memory_limit: int | None = None) -> subprocess.CompletedProcess:
    """Run an nbgrader command with the course's config in ``course_dir``; its log (stdout and
    stderr together) comes back as ``stdout``.

    ``env``: extra variables; ``extra_config``: Python appended to the copied nbgrader_config.py;
    ``on_line``: called with each line nbgrader logs, as it logs it; ``memory_limit``: bytes of
    address space for nbgrader and every process it starts (the kernels inherit the limit)."""
    config = (course_root() / "nbgrader_config.py").read_text(encoding="utf-8")
    (course_dir / "nbgrader_config.py").write_text(config + extra_config, encoding="utf-8")
    command = [sys.executable, "-m", "nbgrader", *args]
    preexec = _address_space_limit(memory_limit) if memory_limit else None
    lines = []
    with subprocess.Popen(command, cwd=course_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, env=tool_env(**(env or {})), preexec_fn=preexec) as proc:
        for line in proc.stdout:
            lines.append(line)
            if on_line is not None:
                on_line(line)
    return subprocess.CompletedProcess(command, proc.returncode, "".join(lines), "")


# Kernels graded side by side each get one BLAS thread: two workers whose kernels each start a
# thread per core oversubscribe the CPU, and small matrix products then run many times slower.
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def tool_env(**extra) -> dict:
    """The environment for nbgrader: this interpreter's bin/ first (nbgrader runs `alembic` from PATH)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    for name in BLAS_THREAD_VARS:
        env.setdefault(name, "1")
    env.update(extra)
    return env


def generate_release(assignment: str, course_dir: Path) -> None:
    """nbgrader generate_assignment in ``course_dir`` (which holds source/<assignment>/).

    ``assignment`` may be the glob "*": every assignment under source/ in one run."""
    proc = run_nbgrader(["generate_assignment", assignment, "--force"], course_dir)
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{proc.stdout}")


def build(assignments: list[str], out_root: Path | None = None, root: Path | None = None) -> list[Path]:
    """Build source/ and release/ notebooks for ``assignments`` under ``out_root``."""
    root = root or course_root()
    out_root = out_root or root
    sources = notebook_sources(root)
    written = []
    with tempfile.TemporaryDirectory(prefix="nncourse-build-") as tmp:
        course_dir = Path(tmp)
        for assignment in assignments:
            nb = notebook_from_text(sources[assignment], root)
            src = source_notebook(assignment, out_root)
            if src.parent.exists():
                shutil.rmtree(src.parent)
            write_notebook(nb, src)
            write_notebook(nb, source_notebook(assignment, course_dir))
            written.append(src)
        # One nbgrader run for all of them: its start-up costs more than converting a notebook.
        generate_release("*", course_dir)
        for assignment in assignments:
            rel = release_notebook(assignment, out_root)
            if rel.parent.exists():
                shutil.rmtree(rel.parent)
            rel.parent.mkdir(parents=True)
            # Normalise through nbformat so the committed text never depends on nbgrader's writer.
            write_notebook(nbformat.read(release_notebook(assignment, course_dir), as_version=4), rel)
            written.append(rel)
    return written
