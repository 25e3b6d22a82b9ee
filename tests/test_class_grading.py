"""Grading a whole class: nbgrader's submitted/ layout, two workers merged into one gradebook,
CSV and feedback export, and every way a submission can go wrong or try to cheat.

One class of stage 01 submissions, built here, is graded once through the CLI (module fixture);
each test then reads one student's row. Limits are small so the slow students stay cheap.
"""
import copy
import csv
import json
import sqlite3
import subprocess
import sys

import nbformat
import pytest

from autograder.nbgrader_run import tool_env
from autograder.nbio import write_notebook
from autograder.catalogue.examples import blank_submission, reference_submission, with_cell

from support.paths import ROOT
from support.notebooks import strip

A = "01_linear_estimator"
CELL_TIMEOUT, SUBMISSION_TIMEOUT = 5, 20  # honest work here takes about 3 s

WRONG_LOSS = "def mse_loss(yhat, y):\n    return float(((yhat - y) ** 2).sum())\n"
GOOD_LOSS = ("def mse_loss(yhat, y):\n    d = np.asarray(yhat, dtype=float) - np.asarray(y, dtype=float)\n"
             "    return float(np.mean(d ** 2))\n")


def added_after(nb, grade_id, *sources):
    """A copy of ``nb`` with new code cells (as a student adds them) after cell ``grade_id``."""
    nb = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    for offset, source in enumerate(sources, start=1):
        nb.cells.insert(index + offset, nbformat.v4.new_code_cell(source))
    return nb


def class_submissions():
    ref = reference_submission(A)
    mutant = with_cell(ref, "mse_loss", WRONG_LOSS)
    edited = copy.deepcopy(mutant)
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_mse_loss":
            cell.source = "pass  # my tests now"
    reordered = copy.deepcopy(ref)
    reordered.cells.reverse()
    return {
        "ada": ref,
        "blank": blank_submission(A),
        "mutant": mutant,
        "stripped": strip(ref),
        "edited": edited,
        "reordered": reordered,
        "loops": with_cell(ref, "mse_loss", "def mse_loss(yhat, y):\n    while True:\n        pass\n"),
        "forever": added_after(ref, "test_mse_gradients", *["while True:\n    pass"] * 6),
        "osexit": with_cell(ref, "mse_gradients", "import os\nos._exit(1)"),
        "sysexit": added_after(ref, "test_mse_gradients", "import sys\nsys.exit('bye')"),
        # np.empty: the address-space cap refuses the allocation itself; filling the blocks would
        # time the machine's page faults instead (over the 5 s cell limit on a busy machine)
        "memory": added_after(ref, "test_mse_gradients",
                              "def hog():\n    blocks = []\n    while True:\n        blocks.append(np.empty(10**8))\n"
                              "hog()"),
        "chatty": added_after(ref, "test_mse_gradients", "print('x' * 5_000_000)"),
        "importer": with_cell(ref, "mse_loss", "import not_a_module_anyone_has\n" + GOOD_LOSS),
        "np_tamper": with_cell(ref, "mse_loss", WRONG_LOSS + "np.allclose = lambda *a, **k: True\n"),
        "builtin_tamper": added_after(ref, "mse_loss", "import builtins\nbuiltins.round = lambda x, n=None: x"),
        "sysmod_tamper": added_after(ref, "mse_loss", "import sys, types\n"
                                     "sys.modules['helpers.testing'] = types.ModuleType('helpers.testing')"),
        "helper_tamper": with_cell(ref, "mse_loss", GOOD_LOSS + "def assert_close(*args, **kwargs):\n    pass\n"),
        "reader": added_after(ref, "mse_loss", f"secret = open('../../../source/{A}/{A}.ipynb').read()"),
        "dbreader": added_after(ref, "mse_loss", "import sqlite3\nsqlite3.connect('../../../gradebook.db')"),
    }


CLEAN = ("ada", "blank", "mutant", "stripped", "edited", "reordered", "loops", "forever", "osexit",
         "sysexit", "memory", "chatty", "importer")
FLAGGED = {"np_tamper": "numpy: numpy.allclose was replaced", "builtin_tamper": "builtins: builtin round",
           "sysmod_tamper": "sys.modules: sys.modules['helpers.testing']",
           "helper_tamper": "test helpers: the test helper assert_close was redefined",
           "reader": "reads grading files: open", "dbreader": "reads grading files: sqlite3.connect"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submitted = root / "incoming" / "submitted"
    for student, nb in class_submissions().items():
        write_notebook(nb, submitted / student / A / f"{A}.ipynb")
    (submitted / "corrupt" / A).mkdir(parents=True)
    (submitted / "corrupt" / A / f"{A}.ipynb").write_text('{"cells": [', encoding="utf-8")
    (submitted / "notebook_less" / A).mkdir(parents=True)
    (submitted / "notebook_less" / A / "answers.txt").write_text("forgot the notebook", encoding="utf-8")
    (submitted / "not_a_nb" / A).mkdir(parents=True)
    (submitted / "not_a_nb" / A / f"{A}.ipynb").write_text('{"hello": "world"}', encoding="utf-8")
    course = root / "course"
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", A, str(root / "incoming"), "--jobs", "2", "--json",
         "--course-dir", str(course), "--csv", str(root / "grades.csv"), "--feedback", str(root / "feedback"),
         "--hide-hidden-tests", "--cell-timeout", str(CELL_TIMEOUT), "--submission-timeout",
         str(SUBMISSION_TIMEOUT), "--memory-limit", "1500M", "--max-output", "100000", "--no-figures"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (root / "results.json").write_text(proc.stdout, encoding="utf-8")
    rows = {r["student"]: r for r in json.loads(proc.stdout)}
    return rows, root, course


def row(graded, student):
    rows = graded[0]
    assert student in rows, f"{student} missing from the results: {sorted(rows)}"
    return rows[student]


def scores(r):
    return {t["grade_id"]: t["score"] for t in r["tests"]}


def test_every_student_in_the_folder_gets_one_row(graded):
    rows = graded[0]
    assert set(rows) == set(class_submissions()) | {"corrupt", "notebook_less", "not_a_nb"}


def test_reference_gets_full_marks_with_nothing_to_report(graded):
    r = row(graded, "ada")
    assert r["auto_score"] == r["auto_max_score"] == 5
    assert r["flags"] == [] and r["faults"] == [] and r["first_error"] == "" and r["notes"] == []


def test_broken_files_are_reported_and_the_class_is_still_graded(graded):
    assert "not a readable notebook" in row(graded, "corrupt")["error"]
    assert "no such file" in row(graded, "notebook_less")["error"]
    assert "not a notebook" in row(graded, "not_a_nb")["error"] or "not a readable" in row(graded, "not_a_nb")["error"]
    assert row(graded, "blank")["auto_score"] == 0
    assert row(graded, "mutant")["auto_score"] < 5


def test_lost_metadata_and_moved_cells_score_like_the_intact_notebook(graded):
    for student in ("stripped", "reordered"):
        r = row(graded, student)
        assert r["auto_score"] == 5, (student, r)
        assert r["notes"], f"{student}: the repair should be reported"


def test_an_edited_test_cell_is_restored(graded):
    assert scores(row(graded, "edited")) == scores(row(graded, "mutant"))
    assert scores(row(graded, "edited"))["test_mse_loss"] == 0


def test_an_endless_function_is_stopped_by_the_cell_limit(graded):
    r = row(graded, "loops")
    assert any(f"ran over {CELL_TIMEOUT} s" in f for f in r["faults"]), r["faults"]
    assert scores(r)["test_mse_loss"] == 0 and scores(r)["test_mse_gradients"] == 3


def test_a_notebook_that_never_ends_is_stopped_by_the_submission_limit(graded):
    r = row(graded, "forever")
    assert any(f"notebook ran over {SUBMISSION_TIMEOUT} s" in f for f in r["faults"]), r["faults"]
    assert any("were not run" in f for f in r["faults"]), r["faults"]
    assert r["auto_score"] == 5  # the tests ran before the loops


def test_os_exit_kills_the_kernel_and_the_tests_before_it_still_count(graded):
    r = row(graded, "osexit")
    assert any("kernel died in cell" in f and "mse_gradients" in f for f in r["faults"]), r["faults"]
    assert scores(r) == {"test_mse_loss": 2, "test_mse_gradients": 0}


def test_sys_exit_is_an_error_in_its_cell_only(graded):
    r = row(graded, "sysexit")
    assert "SystemExit" in r["first_error"]
    assert r["auto_score"] == 5


def test_unbounded_memory_is_refused_by_the_kernel_limit(graded):
    r = row(graded, "memory")
    assert any("out of memory" in f for f in r["faults"]), (r["faults"], r["first_error"])
    assert "MemoryError" in r["first_error"]


def test_megabytes_of_output_are_cut(graded):
    r = row(graded, "chatty")
    assert any("printed more than 100000 characters" in f for f in r["faults"]), r["faults"]
    assert r["auto_score"] == 5
    saved = graded[2] / "autograded" / "chatty" / A / f"{A}.ipynb"
    assert saved.stat().st_size < 1_000_000


def test_an_import_error_is_named(graded):
    r = row(graded, "importer")
    assert "ModuleNotFoundError" in r["first_error"] and "not_a_module_anyone_has" in r["first_error"]
    assert scores(r)["test_mse_loss"] == 0


@pytest.mark.parametrize("student", sorted(FLAGGED))
def test_tampering_is_flagged_with_the_reason(graded, student):
    r = row(graded, student)
    assert any(FLAGGED[student] in flag for flag in r["flags"]), r["flags"]
    assert all(", in cell " in flag for flag in r["flags"]), "a flag names the cell it happened in"


@pytest.mark.parametrize("student", CLEAN)
def test_ordinary_submissions_are_not_flagged(graded, student):
    assert row(graded, student)["flags"] == []


def test_csv_has_a_row_per_student_with_scores_and_flags(graded):
    rows, root, _ = graded
    with (root / "grades.csv").open(encoding="utf-8") as fh:
        table = {r["student"]: r for r in csv.DictReader(fh)}
    assert set(table) == set(rows)
    assert table["ada"]["test_mse_loss"] == "2" and table["ada"]["auto_score"] == "5"
    assert table["np_tamper"]["flagged"] == "yes" and "numpy.allclose" in table["np_tamper"]["flags"]
    assert table["ada"]["flagged"] == "no"
    assert "not a readable notebook" in table["corrupt"]["error"]


def test_feedback_is_written_without_hidden_tests(graded):
    _, root, _ = graded
    html = (root / "feedback" / "mutant" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "mse_loss" in html and "hidden tests, not shown" in html
    assert "BEGIN HIDDEN TESTS" not in html and "default_rng(101)" not in html
    # The catalogue knows this mistake (loss_sum_not_mean): the student's page and the JSON say so.
    cause = "likely cause (mse_loss): sums the squared errors instead of averaging them"
    assert cause in html and row(graded, "mutant")["likely_causes"] == [cause]
    assert row(graded, "ada")["likely_causes"] == []


def test_two_workers_merge_into_one_gradebook_that_nbgrader_exports(graded):
    rows, _, course = graded
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=course, capture_output=True,
                          text=True, env=tool_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with (course / "grades.csv").open(encoding="utf-8") as fh:
        exported = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == A}
    gradable = {s for s, r in rows.items() if "error" not in r}
    assert set(exported) == gradable
    for student in gradable:
        assert float(exported[student]["raw_score"]) == rows[student]["auto_score"], student
    with sqlite3.connect(course / "gradebook.db") as con:
        (count,) = con.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()
    assert count == len(gradable)


def test_courses_graded_apart_merge_into_one(graded, tmp_path):
    """The distributed design in the README: workers grade into their own course directories
    (each with its own generate_assignment), `merge` gathers them, `report` rebuilds the table."""
    rows, root, course = graded
    write_notebook(reference_submission(A), tmp_path / "late_student.ipynb")
    target = tmp_path / "course"
    run = [sys.executable, "-m", "autograder"]
    proc = subprocess.run(run + ["grade", A, str(tmp_path / "late_student.ipynb"), "--course-dir", str(target),
                                 "--json"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc = subprocess.run(run + ["merge", A, str(target), str(course)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    gradable = {s for s, r in rows.items() if "error" not in r}
    assert f"merged {len(gradable)} submissions" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=target, capture_output=True,
                          text=True, env=tool_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with (target / "grades.csv").open(encoding="utf-8") as fh:
        exported = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(fh)}
    assert exported == {**{s: rows[s]["auto_score"] for s in gradable}, "late_student": 5.0}
    assert (target / "autograded" / "ada" / A / f"{A}.ipynb").is_file()

    proc = subprocess.run(run + ["report", str(root / "results.json"), "--csv", str(tmp_path / "again.csv")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "FLAG numpy: numpy.allclose was replaced" in proc.stdout
    assert f"{len(rows)} submissions: {len(gradable)} graded" in proc.stdout
    assert (tmp_path / "again.csv").read_text(encoding="utf-8") == (root / "grades.csv").read_text(encoding="utf-8")


def test_submission_folders_in_every_layout_are_found(tmp_path):
    from autograder.grading.submissions import find_submissions
    from autograder.paths import UsageError

    course = tmp_path / "course"
    for student in ("zoe", "al"):
        (course / "submitted" / student / A).mkdir(parents=True)
        (course / "submitted" / student / A / f"{A}.ipynb").write_text("{}")
    (course / "submitted" / "al" / A / "scratch.txt").write_text("")
    renamed = course / "submitted" / "mo" / A
    renamed.mkdir(parents=True)
    (renamed / "my copy.ipynb").write_text("{}")  # a renamed notebook, alone in its folder
    expected = [("al", course / "submitted" / "al" / A / f"{A}.ipynb"), ("mo", renamed / "my copy.ipynb"),
                ("zoe", course / "submitted" / "zoe" / A / f"{A}.ipynb")]
    assert find_submissions(A, [course]) == expected
    assert find_submissions(A, [course / "submitted"]) == expected
    assert find_submissions(A, [course / "submitted" / "zoe"]) == expected[2:]
    flat = tmp_path / "flat"
    flat.mkdir()
    for name in ("b.ipynb", "a b.ipynb", "notes.txt"):
        (flat / name).write_text("{}")
    assert [s for s, _ in find_submissions(A, [flat, flat / "b.ipynb"])] == ["a_b", "b", "b-2"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match="no submissions for"):
        find_submissions(A, [empty])
