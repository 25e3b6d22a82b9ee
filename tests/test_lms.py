"""LMS export: Canvas' and Moodle's grade-import layouts, from saved `grade --json` results."""
import csv
import json
import subprocess
import sys

import pytest

from support.paths import ROOT

from autograder.lms import export
from autograder.paths import UsageError


def result(student, assignment, score, top=5.0, **extra):
    r = {"submission": f"subs/{student}.ipynb", "student": student, "assignment": assignment,
         "auto_score": score, "auto_max_score": top, "manual_max_score": 0.0, "tests": []}
    r.update(extra)
    return r


@pytest.fixture
def saved(tmp_path):
    one = [result("alice", "01_linear_estimator", 5.0), result("bob", "01_linear_estimator", 2.5),
           {"submission": "subs/carol.ipynb", "student": "carol", "assignment": "01_linear_estimator",
            "error": "carol.ipynb is not a notebook (not UTF-8 text)"}]
    two = [result("alice", "02_two_layer_linear", 7.0, top=10.0), result("carol", "02_two_layer_linear", 10.0, top=10.0)]
    (tmp_path / "r1.json").write_text(json.dumps(one))
    (tmp_path / "r2.json").write_text(json.dumps(two))
    return [tmp_path / "r1.json", tmp_path / "r2.json"]


def read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def run(*args):
    return subprocess.run([sys.executable, "-m", "autograder", "export", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


def test_canvas_and_moodle_layouts_without_roster(saved, tmp_path):
    proc = run(*saved, "--canvas", tmp_path / "canvas.csv", "--moodle", tmp_path / "moodle.csv",
               "--canvas-assignment-id", "02_two_layer_linear=4711")
    assert proc.returncode == 0, proc.stderr
    assert "left blank (could not be graded): carol" in proc.stdout
    assert read(tmp_path / "canvas.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_linear_estimator", "02_two_layer_linear (4711)"],
        ["    Points Possible", "", "", "", "", "5", "10"],
        ["alice", "", "", "alice", "", "5", "7"],
        ["bob", "", "", "bob", "", "2.5", ""],
        ["carol", "", "", "carol", "", "", "10"],
    ]
    assert read(tmp_path / "moodle.csv") == [
        ["Username", "01_linear_estimator", "02_two_layer_linear"],
        ["alice", "5", "7"],
        ["bob", "2.5", ""],
        ["carol", "", "10"],
    ]


def test_roster_maps_ids_to_lms_identifiers(saved, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name,canvas_id,sis_user_id,sis_login_id,section,email\n"
                      "bob,\"Builder, Bob\",102,S002,bbuilder,Lab 2,bob@example.edu\n"
                      "alice,\"Liddell, Alice\",101,S001,aliddell,Lab 1,alice@example.edu\n"
                      "dave,\"Jones, Dave\",104,S004,djones,Lab 1,dave@example.edu\n")
    lines = export(json.loads(saved[0].read_text()) + json.loads(saved[1].read_text()),
                   canvas=tmp_path / "c.csv", moodle=tmp_path / "m.csv", roster=roster, moodle_id="email")
    assert any("not in the roster, left out: carol" in line for line in lines)
    rows = read(tmp_path / "c.csv")
    assert rows[2:] == [["Builder, Bob", "102", "S002", "bbuilder", "Lab 2", "2.5", ""],
                        ["Liddell, Alice", "101", "S001", "aliddell", "Lab 1", "5", "7"],
                        ["Jones, Dave", "104", "S004", "djones", "Lab 1", "", ""]]
    assert read(tmp_path / "m.csv") == [["Email address", "01_linear_estimator", "02_two_layer_linear"],
                                        ["bob@example.edu", "2.5", ""], ["alice@example.edu", "5", "7"],
                                        ["dave@example.edu", "", ""]]


def test_canvas_export_itself_serves_as_roster(saved, tmp_path):
    roster = tmp_path / "canvas_export.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (77)\n"
                      "    Points Possible,,,,,10\n"
                      "\"Liddell, Alice\",101,S001,alice,Lab 1,9\n")
    export(json.loads(saved[0].read_text()), canvas=tmp_path / "c.csv", roster=roster, roster_key="SIS Login ID")
    assert read(tmp_path / "c.csv")[2] == ["Liddell, Alice", "101", "S001", "alice", "Lab 1", "5"]


def test_a_later_result_replaces_an_earlier_one(tmp_path):
    lines = export([result("alice", "01_linear_estimator", 1.0), result("alice", "01_linear_estimator", 4.0)],
                   moodle=tmp_path / "m.csv")
    assert read(tmp_path / "m.csv")[1] == ["alice", "4"]
    assert any("replaced" in line for line in lines)


def test_mistakes_are_usage_errors(saved, tmp_path):
    proc = run(*saved)
    assert proc.returncode == 2 and "--canvas FILE and/or --moodle FILE" in proc.stderr
    with pytest.raises(UsageError, match="needs --roster"):
        export([result("a", "01_linear_estimator", 1.0)], moodle=tmp_path / "m.csv", moodle_id="email")
    bad = tmp_path / "roster.csv"
    bad.write_text("login,name\nalice,Alice\n")
    with pytest.raises(UsageError, match="no column 'student'.*--roster-key"):
        export([result("alice", "01_linear_estimator", 1.0)], canvas=tmp_path / "c.csv", roster=bad)
    (tmp_path / "x.json").write_text('[{"score": 1}]')
    proc = run(tmp_path / "x.json", "--canvas", tmp_path / "c.csv")
    assert proc.returncode == 2 and "not `grade --json` output" in proc.stderr
