"""notebooks/NN_name/NN_name.py -> source/NN_name/NN_name.ipynb -> release/NN_name/NN_name.ipynb.

The text source is jupytext's percent format; each graded cell carries its nbgrader metadata in
the header, and only the keys that differ from the defaults need writing, for example
``# %% nbgrader={"grade_id": "mse_loss", "solution": true}``. The build fills in the rest,
stamps the badge and the setup cell (stamp.py), draws the figures a markdown cell links
(figures.py) and gives every cell an id derived from the notebook name and its position (or its
grade_id). Same input, byte-identical output.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import jupytext
import nbformat

from ..nbgrader_run import generate_release
from ..nbio import NOTEBOOK_METADATA, read_notebook, write_notebook
from ..paths import course_root, notebook_sources, release_notebook, source_notebook
from .figures import attach_figures
from .stamp import replace_tokens, stamp_header, tokens

NBGRADER_DEFAULTS = {"grade": False, "solution": False, "locked": False, "task": False, "schema_version": 3}


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
    stamp_header(nb, path.name)
    values = tokens(assignment, root)
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        grade_id = None
        if meta is not None:
            cell.metadata = nbformat.from_dict({"nbgrader": normalise_nbgrader(meta, f"{path.name} cell {index}")})
            grade_id = cell.metadata.nbgrader.get("grade_id")
        else:
            cell.metadata = nbformat.from_dict({})
        cell.id = _cell_id(assignment, index, grade_id)
        replace_tokens(cell, values)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    attach_figures(nb, path)
    nbformat.validate(nb)
    return nb


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
            write_notebook(read_notebook(release_notebook(assignment, course_dir)), rel)
            written.append(rel)
    return written
