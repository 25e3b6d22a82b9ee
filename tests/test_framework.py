"""Stage 10 (frameworks and project): what its release notebook must show students.

- The project's completeness checklist is in the release, unticked, in the cell students edit
  (nbgrader strips only the solution region, which holds the worked example's ticked copy).
- Every TODO cell has three folded hints in the markdown above it, and the docstrings of the
  Keras TODOs do not give the answer away.
- The Keras section keeps TensorFlow where it is installed and chooses jax only where it is not.
- The figures of the computation are drawn deterministically.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGE = "10_frameworks_and_project"
RELEASE = ROOT / "release" / STAGE / f"{STAGE}.ipynb"
SOURCE = ROOT / "source" / STAGE / f"{STAGE}.ipynb"
TODOS = ["make_sklearn_mlp", "ridge_matching_l2", "linear_to_dense", "make_keras_credit_model", "make_keras_mlp"]
CHECKBOX = re.compile(r"^- \[( |x)\] (.+?):", re.M)


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _cell(cells, grade_id):
    matches = [cell for cell in cells if _grade_id(cell) == grade_id]
    assert len(matches) == 1, f"{grade_id}: expected one cell, found {len(matches)}"
    return matches[0]


def test_release_shows_the_completeness_checklist_unticked():
    cell = _cell(_cells(RELEASE), "project_completeness")
    items = CHECKBOX.findall(cell.source)
    assert len(items) == 9, f"the release's project_completeness cell lists {len(items)} checklist items:\n{cell.source}"
    assert all(mark == " " for mark, _ in items), "the release's checklist must start unticked"
    assert "BEGIN SOLUTION" not in cell.source and "[x]" not in cell.source


def test_worked_example_ticks_the_same_items():
    source_cell = _cell(_cells(SOURCE), "project_completeness")
    release_cell = _cell(_cells(RELEASE), "project_completeness")
    solution = source_cell.source.split("### BEGIN SOLUTION", 1)[1]
    ticked = [item for mark, item in CHECKBOX.findall(solution) if mark == "x"]
    offered = [item for _, item in CHECKBOX.findall(release_cell.source)]
    assert ticked == offered


@pytest.mark.parametrize("grade_id", TODOS)
def test_each_todo_has_three_folded_hints_above_it(grade_id):
    cells = _cells(RELEASE)
    index = cells.index(_cell(cells, grade_id))
    above = cells[index - 1]
    assert above.cell_type == "markdown", f"{grade_id}: the cell above the TODO should be its explanation"
    summaries = re.findall(r"<details><summary>(Hint \d)[^<]*</summary>", above.source)
    assert summaries == ["Hint 1", "Hint 2", "Hint 3"], f"{grade_id}: hints found: {summaries}"
    # blank lines around the markdown inside each block, so that JupyterLab and Colab render it
    for block in re.findall(r"</summary>(.*?)</details>", above.source, re.S):
        assert block.startswith("\n\n") and block.endswith("\n\n"), f"{grade_id}: a hint needs blank lines inside"


@pytest.mark.parametrize("grade_id, answer", [
    ("linear_to_dense", ".T"),
    ("make_keras_credit_model", "L2("),
    ("make_keras_mlp", "from_logits"),
])
def test_keras_docstrings_state_the_contract_not_the_answer(grade_id, answer):
    cell = _cell(_cells(RELEASE), grade_id)
    assert "raise NotImplementedError()" in cell.source
    assert answer not in cell.source, f"{grade_id}'s docstring gives away {answer!r}"


def test_keras_backend_is_chosen_only_where_tensorflow_is_missing():
    cells = _cells(RELEASE)
    importing = [cell.source for cell in cells if cell.cell_type == "code" and "import keras" in cell.source]
    assert len(importing) == 1, "stage 10 should import keras in one cell"
    code = importing[0]
    assert code.index('find_spec("tensorflow") is None') < code.index('setdefault("KERAS_BACKEND", "jax")') \
        < code.index("import keras")


def test_figures_are_deterministic():
    figures_py = ROOT / "notebooks" / STAGE / "figures.py"
    from autograder.building.figures import figures_module, render_png

    module = figures_module(figures_py.with_name(f"{STAGE}.py"))
    for name in ("graph_by_hand", "graph_autodiff"):
        first, second = render_png(getattr(module, name)()), render_png(getattr(module, name)())
        assert first == second, f"figures.{name}() draws a different PNG each time"
