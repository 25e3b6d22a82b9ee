import json

import nbformat
import pytest

from autograder.building.build import build, normalise_nbgrader, notebook_from_text
from autograder.building.check import check
from autograder.paths import notebook_sources, resolve_assignments, UsageError

from support.paths import ROOT


def test_build_is_byte_identical_run_to_run(tmp_path):
    """A build now, in another folder and process, gives the bytes the committed build has."""
    assignments = resolve_assignments([])
    build(assignments, out_root=tmp_path)
    files = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.ipynb"))
    assert len(files) == 2 * len(assignments)
    for rel in files:
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes(), rel


def test_cell_ids_are_derived_and_unique():
    for assignment, path in notebook_sources().items():
        nb = notebook_from_text(path, ROOT)
        ids = [c.id for c in nb.cells]
        assert len(set(ids)) == len(ids), assignment
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            assert cell.id == grade_id if grade_id else cell.id.startswith("c")


def test_build_stamps_the_student_repository_into_the_badge_and_install_url():
    nb = notebook_from_text(ROOT / "notebooks" / "01_linear_estimator" / "01_linear_estimator.py", ROOT)
    text = "\n".join(c.source for c in nb.cells)
    assert ("https://colab.research.google.com/github/nn-from-scratch/students/blob/main/"
            "01_linear_estimator/01_linear_estimator.ipynb") in text
    assert "git+https://github.com/nn-from-scratch/students@main" in text
    assert "COLAB_URL" not in text and "COURSE_PIP_URL" not in text
    assert "nn-from-scratch/course" not in text, "a notebook names the private instructor repository"


@pytest.mark.parametrize("student, message", [
    ("", "set student_repository"),
    ("https://gitlab.com/someone/course", "must be https://github.com/OWNER/NAME"),
    ("https://github.com/nn-from-scratch/course", "student_repository is the instructor repository"),
])
def test_the_student_repository_setting_is_checked(tmp_path, student, message):
    from autograder.building.stamp import course_settings

    text = (ROOT / "pyproject.toml").read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith("student_repository = "))
    (tmp_path / "pyproject.toml").write_text(text.replace(line, f"student_repository = {student!r}"))
    with pytest.raises(ValueError, match=message):
        course_settings(tmp_path)


def test_nbgrader_defaults_are_filled_and_tests_locked():
    meta = normalise_nbgrader({"grade": True, "grade_id": "t", "points": 1}, "x")
    assert meta == {"grade": True, "grade_id": "t", "locked": True, "points": 1, "schema_version": 3,
                    "solution": False, "task": False}
    with pytest.raises(ValueError, match="has no points"):
        normalise_nbgrader({"grade": True, "grade_id": "t"}, "x")
    with pytest.raises(ValueError, match="needs a grade_id"):
        normalise_nbgrader({"solution": True}, "x")


def test_unknown_assignment_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown assignment 99_nope"):
        resolve_assignments(["99_nope"])


def test_check_passes_on_the_committed_course():
    assert check(resolve_assignments([])) == []


def test_check_names_a_stale_release_file(course_copy):
    release = course_copy / "release" / "01_linear_estimator" / "01_linear_estimator.ipynb"
    text = release.read_text()
    assert "fitting a line" in text
    release.write_text(text.replace("fitting a line", "fitting a curve"))
    problems = check(["01_linear_estimator"], root=course_copy)
    assert any(p.startswith("release/01_linear_estimator/01_linear_estimator.ipynb differs") for p in problems)


def test_check_flags_extra_files_that_would_reach_students(course_copy):
    (course_copy / "source" / "01_linear_estimator" / "answers.py").write_text("SOLUTION = 1\n")
    problems = check(["01_linear_estimator"], root=course_copy)
    assert any("answers.py is not made by the build" in p for p in problems)


def _edit_source(course_copy, old, new):
    path = course_copy / "notebooks" / "01_linear_estimator" / "01_linear_estimator.py"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_build_refuses_a_solution_outside_an_answer_cell(course_copy):
    _edit_source(course_copy, '# %% nbgrader={"grade_id": "mse_loss", "solution": true}\n', "# %%\n")
    with pytest.raises(RuntimeError, match="Solution region detected in a non-solution cell"):
        build(["01_linear_estimator"], root=course_copy)


@pytest.mark.parametrize("old, new, expected", [
    # a misspelt hidden-test marker: nbgrader keeps the hidden tests in the student version
    ("### BEGIN HIDDEN TESTS\n_rng = np.random.default_rng(101)", "### BEGIN HIDDEN TEST\n_rng = np.random.default_rng(101)",
     "BEGIN/END SOLUTION or HIDDEN TESTS marker"),
])
def test_check_catches_answers_leaked_into_the_release(course_copy, old, new, expected):
    _edit_source(course_copy, old, new)
    build(["01_linear_estimator"], root=course_copy)
    problems = check(["01_linear_estimator"], root=course_copy)
    assert any(expected in p for p in problems), problems


def test_check_flags_repeated_grade_ids(course_copy):
    from autograder.building.check import notebook_problems

    src = course_copy / "source" / "01_linear_estimator" / "01_linear_estimator.ipynb"
    nb = nbformat.read(src, as_version=4)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    graded[1].metadata.nbgrader["grade_id"] = graded[0].metadata.nbgrader["grade_id"]
    graded[2].metadata.nbgrader["points"] = 0
    nbformat.write(nb, src)
    problems = notebook_problems("01_linear_estimator", course_copy)
    assert any("is used more than once" in p for p in problems)
    assert any("has no points" in p for p in problems)


def test_release_notebooks_hold_stubs_not_solutions():
    for assignment in resolve_assignments([]):
        nb = json.loads((ROOT / "release" / assignment / f"{assignment}.ipynb").read_text())
        answers = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
        assert answers, assignment
        for cell in answers:
            text = "".join(cell["source"])
            assert "YOUR CODE HERE" in text or "YOUR ANSWER HERE" in text, (assignment, cell["id"])


def test_figures_are_the_same_whatever_matplotlib_settings_the_process_changed(monkeypatch):
    """The class report's plots and other code in the same process may change matplotlib's
    settings; the course's figures must still come out byte for byte as a fresh build draws them."""
    import matplotlib

    import autograder.reports.plots  # noqa: F401  (imported first, as in a test session)

    source = notebook_sources()["01_linear_estimator"]

    def figures():
        nb = notebook_from_text(source, ROOT)  # draws the stage's figures
        return [c.get("attachments") for c in nb.cells if c.get("attachments")]
    plain = figures()
    monkeypatch.setitem(matplotlib.rcParams, "font.size", 23)
    assert plain and figures() == plain
    assert matplotlib.rcParams["font.size"] == 23  # and the build leaves the process's settings alone
