"""Misconception diagnosis (autograder/grading/diagnose.py) on results the tests build: no nbgrader."""
import csv
import json

import pytest

from autograder.catalogue import catalogue, mutant
from autograder.grading import diagnose as dg
from autograder.grading.report import format_table, write_csv
from autograder.grading.results import SubmissionResult
from autograder.grading.results import TestResult as Outcome  # a Test* name would be collected
from autograder.paths import resolve_assignments

A = "01_linear_estimator"
SUM = mutant("mse_loss", "loss_sum_not_mean", "sums the squared errors instead of averaging them", "pass")
HALF = mutant("mse_loss", "loss_half_mse", "divides by 2N instead of N", "pass")
ABS = mutant("mse_loss", "loss_abs", "averages absolute errors", "pass")
GRAD = mutant("mse_gradients", "grad_missing_2", "forgets the factor 2", "pass")


def result(student, *tests, error=""):
    """tests: (grade_id, message) for a failure, grade_id alone for a pass."""
    r = SubmissionResult(submission=f"{student}.ipynb", student=student, assignment=A, error=error)
    for t in tests:
        gid, message = (t, "") if isinstance(t, str) else t
        r.tests.append(Outcome(gid, 0.0 if message else 2.0, 2.0, not message, message,
                                  "AssertionError" if message else ""))
    r.auto_score = sum(t.score for t in r.tests)
    r.auto_max_score = sum(t.max_score for t in r.tests)
    return r


SUM_MSG = "AssertionError: mse_loss (yhat=[1, 2, 3], y=[1, 2, 5]): expected 1.33333, got 4."
HALF_MSG = "AssertionError: mse_loss (yhat=[1, 2, 3], y=[1, 2, 5]): expected 1.33333, got 0.666667."
SHARED_MSG = "AssertionError: mse_loss modified its input `yhat` in place; work on a copy."
NOT_RUN = "NotRun: this cell did not run: the grader stopped at the first failed test (cell 7)"


@pytest.fixture
def table():
    # As the judge sees mutants: stopped after their first failure, later tests not run.
    graded = [(SUM, result("m1", ("test_mse_loss", SUM_MSG), ("test_mse_gradients", NOT_RUN))),
              (HALF, result("m2", ("test_mse_loss", HALF_MSG), ("test_mse_gradients", NOT_RUN))),
              (ABS, result("m3", ("test_mse_loss", SHARED_MSG))),
              (GRAD, result("m4", ("test_mse_loss", SHARED_MSG))),
              (GRAD, result("m5", "test_mse_loss", "test_mse_gradients"))]  # a mutant nothing caught
    return json.loads(dg.dump_signatures(dg.signature_table(graded)))["signatures"]


def test_normalise_rounds_numbers_and_blanks_addresses():
    assert dg.normalise("expected 1.33333, got 4.") == dg.normalise("expected 1.3333334, got 4.0000001")
    assert dg.normalise("expected 1.33333, got 4.") != dg.normalise("expected 1.33333, got 4.1")
    assert dg.normalise("got -2.3e-17 at index (0, 0)") == dg.normalise("got 0 at index (0, 0)")
    assert dg.normalise("shape (2, 3) of W1 in float32") == "shape (2, 3) of W1 in float32"
    assert dg.normalise("<function f at 0x7f3a2b10>") == dg.normalise("<function f at 0x55aa01>")
    assert dg.normalise("first line\nsecond 12.5") == "first line"


def test_signature_is_the_first_failed_test_in_notebook_order():
    r = result("s", "test_a", ("test_b", "AssertionError: b expected 1.00001"), ("test_c", "AssertionError: c"))
    assert dg.signature(r) == "test_b: AssertionError: b expected 1"
    assert dg.signature(result("ok", "test_a", "test_b")) is None
    assert dg.signature(result("broken", error="not a notebook")) is None


def test_table_is_deterministic_and_marks_shared_signatures_ambiguous(table):
    assert list(table) == sorted(table)
    shared = table[f"test_mse_loss: {dg.normalise(SHARED_MSG)}"]
    assert shared["ambiguous"] and [v["name"] for v in shared["variants"]] == ["grad_missing_2", "loss_abs"]
    assert not table[f"test_mse_loss: {dg.normalise(SUM_MSG)}"]["ambiguous"]
    assert len(table) == 3  # the uncaught mutant has no signature
    assert dg.dump_signatures(table) == dg.dump_signatures(json.loads(dg.dump_signatures(table))["signatures"])


def test_a_matching_failure_gets_the_likely_cause_line(table):
    # A student's notebook runs to the end: later failures do not change the signature, and
    # float noise in the message does not either.
    student = result("s", ("test_mse_loss", SUM_MSG.replace("1.33333", "1.3333333")),
                     ("test_mse_gradients", "AssertionError: mse_gradients: expected 2, got 3."))
    assert dg.likely_causes(student, table) == [
        "likely cause (mse_loss): sums the squared errors instead of averaging them"]


def test_no_match_and_ambiguous_signatures_say_nothing(table):
    other = result("s", ("test_mse_loss", SUM_MSG.replace("got 4.", "got 5.")))
    ambiguous = result("t", ("test_mse_loss", SHARED_MSG))
    passing = result("u", "test_mse_loss", "test_mse_gradients")
    later = result("v", "test_mse_loss", ("test_mse_gradients", SUM_MSG))  # same message, other test
    for r in (other, ambiguous, passing, later):
        assert dg.likely_causes(r, table) == [], r.student
    dg.diagnose(A, [other, ambiguous, passing, later], table=table)
    assert all(r.likely_causes == [] for r in (other, ambiguous, passing, later))


def test_a_crash_is_never_diagnosed():
    raised = ("AssertionError: compose_linear raised ValueError (operands could not be broadcast together "
              "with shapes (3,) (2,) ): check which arrays your products and sums combine")
    graded = [(SUM, result("m1", ("test_mse_loss", raised))), (GRAD, result("m2", ("test_mse_gradients", "x")))]
    graded[1][1].tests[0].error = "NameError"
    table = dg.signature_table(graded)
    assert not any(entry["ambiguous"] for entry in table.values())  # stored, as every signature is
    crash = result("s", ("test_mse_loss", raised))
    name_error = result("t", ("test_mse_gradients", "x"))
    name_error.tests[0].error = "NameError"
    assert dg.likely_causes(crash, table) == [] and dg.likely_causes(name_error, table) == []


def test_diagnose_fills_results_and_notes_the_feedback_page(tmp_path, table):
    page = tmp_path / "worker0" / "feedback" / "s" / A / f"{A}.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><head></head><body class='jp-Notebook'><p>cells</p></body></html>", encoding="utf-8")
    s = result("s", ("test_mse_loss", SUM_MSG))
    dg.diagnose(A, [s], workers=[tmp_path / "worker0", tmp_path / "worker1"], table=table)
    assert s.likely_causes == ["likely cause (mse_loss): sums the squared errors instead of averaging them"]
    text = page.read_text(encoding="utf-8")
    assert text.index("nncourse-likely-cause") < text.index("<p>cells</p>")
    assert "sums the squared errors instead of averaging them" in text
    dg.diagnose(A, [s], workers=[tmp_path / "worker0"], table=table)
    assert page.read_text(encoding="utf-8").count("nncourse-likely-cause") == 1


def test_feedback_note_is_escaped():
    assert "<b>" not in dg.feedback_note(["likely cause (x): uses <b> & y"])


def test_json_csv_and_table_carry_the_likely_cause(tmp_path):
    s = result("s", ("test_mse_loss", SUM_MSG))
    s.likely_causes = ["likely cause (mse_loss): sums the squared errors instead of averaging them"]
    ok = result("ok", "test_mse_loss")
    data = s.to_dict()
    assert data["likely_causes"] == s.likely_causes and "submission" in data and "tests" in data
    assert SubmissionResult.from_dict(data).likely_causes == s.likely_causes
    assert SubmissionResult.from_dict({k: v for k, v in data.items() if k != "likely_causes"}).likely_causes == []
    for pages in (None, [("s.html", "s.answers.html"), ("ok.html", "ok.answers.html")]):
        path = tmp_path / "grades.csv"
        write_csv([s, ok], path, pages=pages)
        with path.open(encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert header[-4 if pages else -2] == "likely_causes"  # then isolated_points (isolate.py)
        assert rows[0]["likely_causes"] == s.likely_causes[0] and rows[1]["likely_causes"] == ""
    assert "likely cause (mse_loss): sums the squared errors" in format_table([s, ok])


@pytest.mark.parametrize("assignment", resolve_assignments([]))
def test_committed_signatures_name_catalogue_mutants(assignment):
    table = dg.read_signatures(assignment)
    if not table:
        pytest.skip(f"{assignment} has no signatures.json yet")
    mutants = {v.name: v for v in catalogue(assignment) if not v.correct}
    for key, entry in table.items():
        assert entry["ambiguous"] == (len(entry["variants"]) > 1), key
        for v in entry["variants"]:
            assert v["name"] in mutants, f"{key}: {v['name']} is no mutant of {assignment}"
            assert (v["cell"], v["description"]) == (mutants[v["name"]].cell, mutants[v["name"]].description)


def test_the_grader_imports_nbgrader_only_where_it_uses_it():
    """Importing nbgrader costs over a second, which grade() overlaps with nbgrader's own start
    (grade.py): a module-level import of it on the way to grade() would add that second to every run."""
    import subprocess
    import sys

    code = "import sys, autograder.grading.grade, autograder.cli; print('nbgrader' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
