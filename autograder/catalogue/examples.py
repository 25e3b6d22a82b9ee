"""Make example submissions from the built notebooks: the reference, the blank release, variants.

A submission starts from the student version (release/) exactly as a student receives it; the
reference fills every answer cell with the instructor's solution (markers removed).
"""
from __future__ import annotations

import copy

import nbformat

from ..markers import BEGIN_SOLUTION, END_SOLUTION
from ..paths import release_notebook, source_notebook

_MARKERS = {BEGIN_SOLUTION, END_SOLUTION}


def strip_solution_markers(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.strip() not in _MARKERS).strip("\n")


def _answer_cells(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def blank_submission(assignment: str):
    return nbformat.read(release_notebook(assignment), as_version=4)


def reference_submission(assignment: str):
    nb = blank_submission(assignment)
    solutions = _answer_cells(nbformat.read(source_notebook(assignment), as_version=4))
    for grade_id, cell in _answer_cells(nb).items():
        cell.source = strip_solution_markers(solutions[grade_id].source)
    return nb


def with_cell(nb, grade_id: str, source: str):
    """A copy of ``nb`` whose answer cell ``grade_id`` holds ``source``."""
    nb = copy.deepcopy(nb)
    cells = _answer_cells(nb)
    if grade_id not in cells:
        raise KeyError(f"no answer cell with grade_id {grade_id!r}; answer cells: {', '.join(cells)}")
    cells[grade_id].source = source
    return nb


def answer_cell_ids(assignment: str, cell_type: str = "code") -> list[str]:
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    return [gid for gid, c in _answer_cells(nb).items() if c.cell_type == cell_type]
