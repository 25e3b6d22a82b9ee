"""`grade ... --report DIR --csv FILE` once, with real nbgrader, on two generated submissions of
stage 01 (the reference, with an output of the student's own run added, and the blank release):
the pages show the student's outputs, not the grader's re-run, carry no hidden-test source, and
the CSV and index.html link to them. Slow tier (runs nbgrader)."""
import csv
import subprocess
import sys

import nbformat

from autograder.catalogue.examples import blank_submission, reference_submission, with_cell
from autograder.markers import BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS
from autograder.nbio import write_notebook
from autograder.paths import source_notebook
from support.paths import ROOT

A = "01_linear_estimator"
OWN_OUTPUT = "alice's own run: final loss 0.004213\n"
ANSWER = "Alice: each step goes against the gradient, so the loss falls."


def hidden_lines() -> list[str]:
    """Every distinctive line of the instructor's hidden tests for stage 01."""
    lines, inside = [], False
    for cell in nbformat.read(source_notebook(A), as_version=4).cells:
        for line in cell.source.splitlines():
            if BEGIN_HIDDEN_TESTS in line or END_HIDDEN_TESTS in line:
                inside = BEGIN_HIDDEN_TESTS in line
            elif inside and len(line.strip()) > 12:
                lines.append(line.strip())
    return lines


def test_grade_with_report_writes_linked_pages_of_the_submitted_run(tmp_path):
    alice = with_cell(reference_submission(A), "checkpoint_mse_decreases", ANSWER)
    fit = next(c for c in alice.cells if c.cell_type == "code" and "fig, (ax_loss, ax_fit)" in c.source)
    fit.outputs = [nbformat.v4.new_output("stream", name="stdout", text=OWN_OUTPUT)]
    write_notebook(alice, tmp_path / "alice.ipynb")
    write_notebook(blank_submission(A), tmp_path / "bob.ipynb")
    report, table = tmp_path / "report", tmp_path / "grades.csv"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", A, str(tmp_path / "alice.ipynb"),
                           str(tmp_path / "bob.ipynb"), "--report", str(report), "--csv", str(table)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"wrote {report / 'index.html'} and the pages of 2 of 2 submissions" in proc.stdout

    rows = {r["student"]: r for r in csv.DictReader(table.open(encoding="utf-8"))}
    assert rows["alice"]["auto_score"] == "5" and rows["bob"]["auto_score"] == "0"
    pages = {s: ((table.parent / r["page"]).read_text(encoding="utf-8"),
                 (table.parent / r["answers_page"]).read_text(encoding="utf-8")) for s, r in rows.items()}
    notebook, answers = pages["alice"]
    assert OWN_OUTPUT.strip().replace("'", "&#39;") in notebook or OWN_OUTPUT.strip() in notebook
    assert "3 hand-graded answers" in answers and ANSWER in answers
    assert "final loss 0.004213" in answers.split('class="context-side"', 1)[1]
    assert "YOUR ANSWER HERE" in pages["bob"][1]
    secrets = hidden_lines()
    assert secrets
    for page in (*pages["alice"], *pages["bob"]):
        assert not [line for line in secrets if line in page]

    index = (report / "index.html").read_text(encoding="utf-8")
    for student in ("alice", "bob"):
        assert f'href="{A}/{student}.html"' in index and f'href="{A}/{student}.answers.html"' in index
    assert "test_mse_loss" in index and index.count("data:image/png;base64,") >= 2
