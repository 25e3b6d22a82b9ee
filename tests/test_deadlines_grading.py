"""Deadlines through real grading: nbgrader's timestamps and the course's late policy survive two
parallel workers and the merge; the CSV and the merged gradebook say how late and what it cost."""
import csv
import json
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from nbgrader.api import Gradebook
from traitlets.config import PyFileConfigLoader

from autograder.catalogue.examples import blank_submission, reference_submission
from autograder.kernel.late import penalty_for
from autograder.nbgrader_run import tool_env
from autograder.nbio import write_notebook
from autograder.paths import COURSE_ID

from support.paths import ROOT

A = "01_linear_estimator"
DUE = datetime(2027, 2, 1, 22, 59)
# student -> submitted this long after the due date (None: no timestamp.txt at all)
LATE_BY = {"early": -timedelta(hours=3), "late36h": timedelta(hours=36), "late30d": timedelta(days=30),
           "nostamp": None, "blank_late": timedelta(days=2)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deadlines")
    for student, late in LATE_BY.items():
        folder = tmp / "submitted" / student / A
        folder.mkdir(parents=True)
        write_notebook(blank_submission(A) if student.startswith("blank") else reference_submission(A),
                       folder / f"{A}.ipynb")
        if late is not None:
            (folder / "timestamp.txt").write_text(f"{DUE + late} UTC")
    course, table = tmp / "course", tmp / "grades.csv"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", A, str(tmp / "submitted"), "--jobs", "2",
                           "--json", "--course-dir", str(course), "--csv", str(table), "--no-figures",
                           "--due", "2027-02-01 23:59 +01:00"],
                          cwd=ROOT, capture_output=True, text=True, env=tool_env(), timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    rows = {r["student"]: r for r in json.loads(proc.stdout)}
    with table.open(newline="", encoding="utf-8") as fh:
        csv_rows = {r["student"]: r for r in csv.DictReader(fh)}
    return rows, csv_rows, course


def policy():
    path = ROOT / "nbgrader_config.py"
    config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config().PerDayPenalty
    return config.fraction_per_day, config.max_fraction, config.grace_minutes


def expected_penalty(row, student):
    late = LATE_BY[student]
    seconds = late.total_seconds() if late is not None else 0.0
    return penalty_for(row["auto_score"], seconds, *policy())


@pytest.mark.parametrize("student", list(LATE_BY))
def test_each_submission_is_timed_against_the_due_date(graded, student):
    rows, _, _ = graded
    row, late = rows[student], LATE_BY[student]
    assert "error" not in row, row
    expected = max(0.0, late.total_seconds()) if late is not None else 0.0
    assert row["seconds_late"] == pytest.approx(expected, abs=1), row
    assert row["timestamp"] == ("" if late is None else (DUE + late).isoformat())


@pytest.mark.parametrize("student", list(LATE_BY))
def test_the_course_policy_sets_the_penalty(graded, student):
    rows, _, _ = graded
    row = rows[student]
    assert row["late_penalty"] == pytest.approx(expected_penalty(row, student)), row


def test_late_work_loses_points_and_on_time_work_keeps_them(graded):
    rows, _, _ = graded
    full = rows["early"]["auto_score"]
    assert full == rows["early"]["auto_max_score"] > 0
    assert rows["early"]["late_penalty"] == rows["nostamp"]["late_penalty"] == 0
    assert 0 < rows["late36h"]["late_penalty"] < rows["late30d"]["late_penalty"] <= full
    assert rows["blank_late"]["late_penalty"] == 0  # nothing to take from a score of zero


def test_the_csv_shows_lateness_and_the_score_after_the_penalty(graded):
    rows, csv_rows, _ = graded
    for student, row in rows.items():
        line = csv_rows[student]
        assert float(line["seconds_late"]) == pytest.approx(row["seconds_late"], abs=1)
        assert float(line["late_penalty"]) == pytest.approx(row["late_penalty"])
        assert float(line["score_after_penalty"]) == pytest.approx(row["auto_score"] - row["late_penalty"])


def test_the_merged_gradebook_holds_the_due_date_timestamps_and_penalties(graded):
    rows, _, course = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        assert gb.find_assignment(A).duedate == DUE
        for student, row in rows.items():
            submission = gb.find_submission(A, student)
            notebook = gb.find_submission_notebook(A, A, student)
            assert submission.total_seconds_late == pytest.approx(row["seconds_late"], abs=1), student
            assert float(notebook.late_submission_penalty or 0) == pytest.approx(row["late_penalty"]), student
            assert submission.score - float(notebook.late_submission_penalty or 0) == pytest.approx(
                row["auto_score"] - row["late_penalty"]), student


def test_each_submission_records_the_time_its_worker_spent_on_it(graded):
    rows, _, _ = graded
    assert all(0 < row["seconds"] < 300 for row in rows.values()), {s: r.get("seconds") for s, r in rows.items()}
