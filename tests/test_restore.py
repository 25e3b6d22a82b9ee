"""Submissions whose cells lost their metadata, were deleted, edited or moved are lined up with
the student version before grading, and score what they would have scored intact."""
import copy

import pytest

from autograder.nbio import write_notebook
from support.notebooks import strip
from autograder.grading.grade import grade
from autograder.grading.restore import restore
from autograder.catalogue.examples import blank_submission, reference_submission, with_cell

A = "01_linear_estimator"


def grade_ids(nb):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")]



@pytest.fixture(scope="module")
def release():
    return blank_submission(A)


@pytest.fixture(scope="module")
def reference():
    return reference_submission(A)


def test_intact_submission_is_left_alone(release, reference):
    out, notes = restore(reference, release)
    assert notes == []
    assert [c.source for c in out.cells] == [c.source for c in reference.cells]


def test_stripped_metadata_and_ids_are_restored(release, reference):
    out, notes = restore(strip(reference), release)
    assert grade_ids(out) == grade_ids(release)
    assert any("restored nbgrader metadata of 7 cells" in n for n in notes)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in out.cells if c.metadata.get("nbgrader")}
    assert "np.mean(diff ** 2)" in answers["mse_loss"]  # the student's code, not the stub
    assert "gradient points in the direction" in answers["checkpoint_mse_decreases"]  # written answer by position


def test_deleted_test_cell_is_put_back_after_its_answer(release, reference):
    nb = copy.deepcopy(reference)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_mse_loss"]
    out, notes = restore(nb, release)
    ids = grade_ids(out)
    assert ids == grade_ids(release) and ids.index("test_mse_loss") == ids.index("mse_loss") + 1
    assert any("re-inserted missing cells" in n and "test_mse_loss" in n for n in notes)


def test_moved_cells_go_back_and_added_cells_stay(release, reference):
    nb = copy.deepcopy(reference)
    answer = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "mse_loss")
    moved = nb.cells.pop(answer)
    nb.cells.append(moved)  # the student moved the answer to the end
    nb.cells.insert(3, nbformat_code("MY_HELPER = 42"))
    out, notes = restore(nb, release)
    assert grade_ids(out) == grade_ids(release)
    assert any("out of order" in n for n in notes)
    sources = [c.source for c in out.cells]
    assert "MY_HELPER = 42" in sources and sources.index("MY_HELPER = 42") < 5


def nbformat_code(text):
    import nbformat

    return nbformat.v4.new_code_cell(text)


def test_graded_scores_match_the_intact_submission(tmp_path, reference):
    """The acceptance test: damage changes nothing in the score, for a right and a wrong answer."""
    mutant = with_cell(reference, "mse_gradients",
                       "def mse_gradients(x, y, w, b):\n    r = w * x + b - y\n    return float(np.mean(r * x)), float(np.mean(r))\n")
    nbs = {"ref": reference, "ref_stripped": strip(reference), "mut": mutant, "mut_stripped": strip(mutant)}
    deleted = copy.deepcopy(mutant)
    deleted.cells = [c for c in deleted.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_mse_gradients"]
    nbs["mut_deleted_test"] = deleted
    for name, nb in nbs.items():
        write_notebook(nb, tmp_path / f"{name}.ipynb")
    results = {r.student: r.to_dict() for r in grade(A, [tmp_path / f"{n}.ipynb" for n in nbs], jobs=2)}
    assert results["ref"]["auto_score"] == results["ref_stripped"]["auto_score"] == 5.0
    assert results["mut"]["auto_score"] == results["mut_stripped"]["auto_score"] == 2.0
    assert results["mut_deleted_test"]["auto_score"] == 2.0
    assert results["ref_stripped"]["notes"] and not results["ref"]["notes"]
