"""`grade --isolate-answers` with real nbgrader, in the sandbox, on a small class of stage 09 that
the test generates from the catalogue: the reference (alice); a FullLayer mutant whose own test
fails and which makes test_better_model fail too, because the given network cannot be trained with
a wrong FullLayer (bob); the same mutant and a wrong better_model as well (carol). Then bob alone
again without the flag. Slow tier (runs nbgrader)."""
import csv
import html
import json
import os
import re
import subprocess
import sys

import pytest

from autograder.catalogue import catalogue
from autograder.catalogue.examples import reference_submission, with_cell
from autograder.grading.isolate import reference_sources
from autograder.nbio import read_notebook, write_notebook
from autograder.paths import COURSE_ID
from support.paths import ROOT

A = "09_sequential_cifar"
EARLY, LATE = "fl_b_grad_mean", "bm_same_architecture"
BOB_LINE = "test_better_model: 3 points, lost only because `FullLayer` is wrong"


def variant(name):
    return next(v for v in catalogue(A) if v.name == name)


def run_cli(*args, tmpdir=None):
    env = dict(os.environ, **({"TMPDIR": str(tmpdir)} if tmpdir else {}))
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=3000, env=env)


def distinctive_reference_lines():
    """Lines of the reference FullLayer that bob's mutant does not have."""
    ours = {line.strip() for line in variant(EARLY).source.splitlines()}
    lines = [line.strip() for line in reference_sources(A, ["FullLayer"])["FullLayer"].splitlines()]
    found = [line for line in lines if len(line) > 12 and line not in ours]
    assert "self.b_grad = y_grad.sum(axis=0)" in found
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("isolate")
    ref = reference_submission(A)
    bob = with_cell(ref, "FullLayer", variant(EARLY).source)
    carol = with_cell(bob, "better_model", variant(LATE).source)
    for name, nb in (("alice", ref), ("bob", bob), ("carol", carol)):
        write_notebook(nb, folder / "class" / f"{name}.ipynb")
    write_notebook(bob, folder / "alone" / "bob.ipynb")
    tmpdir = folder / "tmp"
    tmpdir.mkdir()
    course, feedback, table = folder / "course", folder / "feedback", folder / "grades.csv"
    proc = run_cli("grade", A, str(folder / "class"), "--isolate-answers", "--json", "--no-figures", "--jobs", "2",
                   "--course-dir", str(course), "--feedback", str(feedback), "--csv", str(table), tmpdir=tmpdir)
    assert proc.returncode == 0, proc.stderr[-3000:]
    plain = run_cli("grade", A, str(folder / "alone"), "--json", "--no-figures")
    assert plain.returncode == 0, plain.stderr[-3000:]
    (folder / "results.json").write_text(proc.stdout, encoding="utf-8")
    return {"results": {r["student"]: r for r in json.loads(proc.stdout)},
            "plain": {r["student"]: r for r in json.loads(plain.stdout)},
            "folder": folder, "course": course, "feedback": feedback, "table": table, "tmpdir": tmpdir}


def scores(result):
    return {t["grade_id"]: t["score"] for t in result["tests"]}


def test_the_reference_keeps_full_marks_and_nothing_isolated(graded):
    alice = graded["results"]["alice"]
    assert alice["auto_score"] == alice["auto_max_score"] == 21.0
    assert alice["isolated"] == []


def test_a_later_test_lost_to_an_early_answer_gets_exactly_its_points_back(graded):
    bob, plain = graded["results"]["bob"], graded["plain"]["bob"]
    # without the flag: the early answer's test and the later test both fail, nothing isolated
    assert {t["grade_id"] for t in plain["tests"] if not t["passed"]} == {"test_FullLayer", "test_better_model"}
    assert plain["isolated"] == [] and plain["auto_score"] == 15.0
    # with it: the later test's 3 points, and nothing else
    assert bob["isolated"] == [BOB_LINE]
    assert bob["auto_score"] == plain["auto_score"] + 3.0
    expected = dict(scores(plain), test_better_model=3.0)
    assert scores(bob) == expected and scores(bob)["test_FullLayer"] == 0.0
    better = next(t for t in bob["tests"] if t["grade_id"] == "test_better_model")
    assert not better["passed"] and "given network was not trained" in better["message"]


def test_wrong_in_both_answers_gets_nothing_back(graded):
    carol = graded["results"]["carol"]
    assert carol["isolated"] == []
    assert scores(carol)["test_better_model"] == 0.0 and scores(carol)["test_FullLayer"] == 0.0
    assert carol["auto_score"] == 15.0


def test_csv_table_and_merged_gradebook(graded):
    rows = {r["student"]: r for r in csv.DictReader(graded["table"].open(encoding="utf-8"))}
    assert [rows[s]["isolated_points"] for s in ("alice", "bob", "carol")] == ["0", "3", "0"]
    assert rows["bob"]["auto_score"] == "18" and rows["bob"]["test_better_model"] == "3"
    shown = run_cli("report", str(graded["folder"] / "results.json"))
    assert shown.returncode == 0, shown.stderr
    assert f"credited {BOB_LINE}" in shown.stdout
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}", COURSE_ID) as gb:
        def grade(name, student):
            return gb.find_grade(name, A, A, student).score

        assert grade("test_better_model", "bob") == 3.0 and grade("test_FullLayer", "bob") == 0.0
        assert grade("test_better_model", "carol") == 0.0
        assert gb.find_submission_notebook(A, A, "bob").score == 18.0


def _text(page):
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_no_reference_in_feedback_or_the_course_and_no_rerun_left(graded):
    page = graded["feedback"] / "bob" / A / f"{A}.html"
    text = _text(page)
    assert "self.b_grad = y_grad.mean(axis=0)" in text  # bob's own FullLayer is there, readable
    assert not [line for line in distinctive_reference_lines() if line in text]
    autograded = read_notebook(graded["course"] / "autograded" / "bob" / A / f"{A}.ipynb")
    [cell] = [c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "FullLayer"]
    assert "y_grad.mean(axis=0)" in cell.source and "y_grad.sum(axis=0)" not in cell.source
    # the feedback shows the normal run: test_better_model failed there
    assert "given network was not trained" in text
    # the re-run's notebooks are gone with its temporary folders
    left = [p for p in graded["tmpdir"].rglob("*") if p.suffix == ".ipynb" or p.name.startswith("nncourse-isolate")]
    assert not left
