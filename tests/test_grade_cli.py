"""The grading CLI contract: python -m autograder grade ASSIGNMENT PATH... [--json] [--course-dir DIR]."""
import json
import subprocess
import sys

import pytest

from autograder.nbio import write_notebook
from autograder.grading.submissions import student_ids
from autograder.catalogue.examples import blank_submission, reference_submission, with_cell

from support.paths import ROOT

A = "01_linear_estimator"


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("subs")
    ref = reference_submission(A)
    write_notebook(ref, folder / "alice.ipynb")
    write_notebook(blank_submission(A), folder / "bob.ipynb")
    write_notebook(with_cell(ref, "mse_loss", "def mse_loss(yhat, y):\n    return float(((yhat - y) ** 2).sum())\n"),
                   folder / "carol.ipynb")
    (folder / "dave.ipynb").write_text("{ this is not json")
    (folder / "erin.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    paths = [str(folder / f"{s}.ipynb") for s in ("alice", "bob", "carol", "dave", "erin")]
    paths.append(str(folder / "frank.ipynb"))  # does not exist
    course = folder / "course"
    proc = run_cli("grade", A, *paths, "--json", "--course-dir", str(course))
    return proc, paths, course


def test_exit_zero_and_one_object_per_path(graded):
    proc, paths, _ = graded
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert [r["submission"] for r in results] == paths
    assert [r["student"] for r in results] == ["alice", "bob", "carol", "dave", "erin", "frank"]
    assert all(r["assignment"] == A for r in results)


def test_scores_and_tests(graded):
    results = {r["student"]: r for r in json.loads(graded[0].stdout)}
    alice, bob, carol = results["alice"], results["bob"], results["carol"]
    assert alice["auto_score"] == alice["auto_max_score"] == 5.0
    assert alice["manual_max_score"] == 6.0
    assert [t["grade_id"] for t in alice["tests"]] == ["test_mse_loss", "test_mse_gradients"]
    assert all(t["passed"] and t["message"] == "" for t in alice["tests"])
    assert bob["auto_score"] == 0.0
    assert all("is not implemented yet" in t["message"] for t in bob["tests"])
    failed = {t["grade_id"]: t for t in carol["tests"] if not t["passed"]}
    assert set(failed) == {"test_mse_loss"} and carol["auto_score"] == 3.0
    assert failed["test_mse_loss"]["message"].startswith("AssertionError: mse_loss")
    assert "\n" not in failed["test_mse_loss"]["message"]
    assert failed["test_mse_loss"]["hidden"] is False  # its visible part failed
    for r in (alice, bob, carol):
        assert set(r) == {"submission", "student", "assignment", "auto_score", "auto_max_score",
                          "manual_max_score", "tests", "notes", "faults", "flags", "first_error", "sandbox",
                          "seconds", "timestamp", "seconds_late", "late_penalty", "likely_causes",
                          "isolated"}
        for t in r["tests"]:
            assert set(t) == {"grade_id", "score", "max_score", "passed", "message", "error", "hidden"}


def test_broken_paths_get_a_one_line_error_and_the_rest_are_graded(graded):
    results = {r["student"]: r for r in json.loads(graded[0].stdout)}
    for student in ("dave", "erin", "frank"):
        assert "error" in results[student] and "\n" not in results[student]["error"]
        assert "auto_score" not in results[student]
    assert results["dave"]["error"].startswith("dave.ipynb is not a readable notebook: ")
    assert results["erin"]["error"] == "erin.ipynb is not a notebook (not UTF-8 text)"
    assert results["frank"]["error"].endswith("frank.ipynb: no such file")


def test_course_dir_keeps_an_nbgrader_gradebook(graded):
    from nbgrader.api import Gradebook

    _, _, course = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission(A, "alice").score == 5.0
        assert gb.find_submission(A, "carol").score == 3.0
    assert (course / "autograded" / "bob" / A / f"{A}.ipynb").is_file()


def test_table_output(tmp_path):
    write_notebook(reference_submission(A), tmp_path / "ref.ipynb")
    proc = run_cli("grade", A, str(tmp_path / "ref.ipynb"), str(tmp_path / "gone.ipynb"))
    assert proc.returncode == 0, proc.stderr
    assert "ref" in proc.stdout and "5 / 5" in proc.stdout and "all tests passed" in proc.stdout
    assert "ERROR: cannot read" in proc.stdout


def test_unknown_assignment_exits_nonzero_with_one_line(tmp_path):
    proc = run_cli("grade", "99_missing", str(tmp_path / "x.ipynb"))
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and "unknown assignment 99_missing" in proc.stderr


def test_student_ids_are_file_stems_made_unique():
    assert student_ids(["a/alice.ipynb", "b/alice.ipynb", "c/o'neil smith.ipynb"]) == [
        "alice", "alice-2", "o_neil_smith"]


def test_the_repository_is_refused_as_a_course_dir(tmp_path):
    write_notebook(reference_submission(A), tmp_path / "alice.ipynb")
    for args in (["grade", A, str(tmp_path / "alice.ipynb"), "--course-dir", str(ROOT)],
                 ["merge", A, str(ROOT), str(tmp_path)]):
        proc = run_cli(*args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "must not be the repository itself" in proc.stderr
    assert not (ROOT / "submitted").exists() and not (ROOT / "gradebook.db").exists()
