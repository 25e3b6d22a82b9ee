"""A small class made up for the report tests: notebooks with outputs, figures, hand-graded
answers, hidden tests and hostile HTML, and grading results that point at them. Nothing here
runs nbgrader or a kernel."""
from __future__ import annotations

import base64
import io

import matplotlib.pyplot as plt
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder.grading.results import SubmissionResult, TestResult

ASSIGNMENT = "99_made_up"       # no stage of that name, so pages use the notebook's own metadata
SECRET = "assert secret_hidden_check(42)"
SCRIPT = "window.PWNED = 1"


def figure_png() -> str:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [3, 1, 0.5])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _grade(cell, grade_id: str, solution: bool, grade: bool, points: float = 0):
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": not solution,
                                 "points": points, "schema_version": 3}
    return cell


def _printed(text: str):
    return new_output("stream", name="stdout", text=text)


def notebook(student: str = "alice"):
    """Sections: 1 (a loss printed and a figure), 2 (an accuracy printed, then a written answer),
    3 (a test cell with a hidden-test region and hostile outputs), 4 (Checkpoints: two prompts and
    answers, no code)."""
    return new_notebook(cells=[
        new_markdown_cell("# A made-up stage"),
        new_markdown_cell("## 1. Training"),
        new_code_cell("print('loss')", outputs=[_printed("final loss 0.4213\n"),
                                               new_output("display_data", data={"image/png": figure_png(),
                                                                                "text/plain": "<Figure>"})]),
        new_markdown_cell("## 2. Accuracy"),
        new_code_cell("print('accuracy')", outputs=[_printed("test accuracy 0.9137\n")]),
        new_markdown_cell("**Question 1.** Is 0.91 good?"),
        _grade(new_markdown_cell(f"{student} thinks the accuracy is fine."), "answer_accuracy", True, True, 2),
        new_markdown_cell("## 3. Tests and hostile output"),
        _grade(new_code_cell("def f():\n    return 1"), "f", True, False),
        _grade(new_code_cell(f"assert f() == 1\nprint('f: visible tests passed')\n### BEGIN HIDDEN TESTS\n{SECRET}\n"
                             "### END HIDDEN TESTS", outputs=[_printed("f: visible tests passed\n")]),
               "test_f", False, True, 3),
        new_code_cell("show()", outputs=[new_output("display_data", data={
            "text/html": f"<b>bold</b><script>{SCRIPT}</script><img src=x onerror=\"{SCRIPT}\">"
                         f"<a href=\"javascript:{SCRIPT}\">link</a>",
            "application/javascript": SCRIPT, "text/plain": "html"})]),
        new_markdown_cell(f"A note <script>{SCRIPT}</script>\n\n### BEGIN HIDDEN TESTS\n{SECRET}"),
        new_markdown_cell("## 4. Checkpoints\n\n**Checkpoint 1.** Why does the loss fall?"),
        _grade(new_markdown_cell(f"{student}: because of the gradient."), "checkpoint_loss", True, True, 2),
        new_markdown_cell("**Checkpoint 2.** What does the figure show?"),
        _grade(new_markdown_cell(f"{student}: a falling curve."), "checkpoint_figure", True, True, 2),
    ])


def write_class(folder, students=("alice", "bob", "carol")) -> list[SubmissionResult]:
    """Each student's notebook in ``folder`` and a result for it: alice passes, bob fails with a
    flag, carol's notebook is broken (a result with an error)."""
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for student in students:
        path = folder / f"{student}.ipynb"
        passed = student == "alice"
        if student == "carol":
            path.write_text("{not a notebook", encoding="utf-8")
            results.append(SubmissionResult(str(path), student, ASSIGNMENT,
                                            error="carol.ipynb is not a readable notebook"))
            continue
        nbformat.write(notebook(student), path)
        result = SubmissionResult(str(path), student, ASSIGNMENT, auto_score=3.0 if passed else 0.0,
                                  auto_max_score=3.0, manual_max_score=6.0, sandbox="bwrap")
        result.tests = [TestResult("test_f", 3.0 if passed else 0.0, 3.0, passed,
                                   "" if passed else "AssertionError: f: expected 1, got 2",
                                   "" if passed else "AssertionError")]
        if not passed:
            result.flags = ["numpy patched: np.allclose replaced, in cell 9 (f)"]
            result.faults = ["time limit: cell 10 ran over 8 s and was stopped"]
        results.append(result)
    return results
