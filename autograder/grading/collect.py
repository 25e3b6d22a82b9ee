"""After nbgrader autograde: fill a submission's result from the gradebook (scores, through
nbgrader's API) and the autograded notebook (messages, faults), plus the watch's findings.

nbgrader is imported where it is used: importing it costs more than a second, which the grader
spends while nbgrader runs (grade.py warms it up), not before."""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..kernel.protocol import TRUNCATED, Fault, cell_key, kept_findings, watch_file
from ..limits import Limits, format_size
from ..nbio import read_notebook
from ..paths import open_gradebook, source_notebook
from .results import SubmissionResult, TestResult
from .seal import finished, zero_unfinished

UNFINISHED_MESSAGE = ("TestDidNotFinish: this test cell did not run to its end (something stopped or "
                      "skipped its last statement), so it scores 0")
from .text import one_line


def grade_cells(assignment: str) -> dict[str, tuple[float, bool]]:
    """grade_id -> (points, is_autograded_test) for every grade cell of the instructor notebook."""
    from nbgrader.utils import is_grade, is_solution

    cells = {}
    for cell in read_notebook(source_notebook(assignment)).cells:
        if is_grade(cell):
            meta = cell.metadata.nbgrader
            cells[meta["grade_id"]] = (float(meta["points"]), not is_solution(cell))
    return cells


def _errors(cell) -> list:
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def test_error(cell) -> str:
    """The exception a failed test cell raised ("AssertionError" for a failed check), or ""."""
    return next((o.get("ename", "") for o in _errors(cell)), "")


def test_message(cell) -> str:
    """The first line a student would read for a failed test cell."""
    from helpers.hints import failure_line  # here: helpers imports numpy, which the grader needs only now

    for output in _errors(cell):
        return failure_line(output.get("ename", "Error"), output.get("evalue", ""))
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return f"the cell wrote to stderr, which nbgrader scores as a failure: {one_line(output.get('text', ''))}"
    return "the cell did not pass"


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")


def failed_in_hidden_tests(cell) -> bool:
    """Whether a failed test cell raised from a line inside its hidden tests, read from the
    outermost frame of the cell itself in the traceback ("Cell In[n], line k"). A cell with
    hidden tests whose failure cannot be placed (no such frame) counts as hidden: its message is
    never shown to students as a visible test's (helpers/hints.py)."""
    from ..markers import hidden_test_lines  # imports nbgrader: not before it is needed

    hidden = hidden_test_lines(cell.source)
    if not hidden:
        return False
    for output in _errors(cell):
        for entry in output.get("traceback", []):
            frame = _CELL_FRAME.search(_ANSI.sub("", entry))
            if frame and int(frame.group(1)) == cell.get("execution_count"):
                return int(frame.group(2)) in hidden
    return True


def cell_label(index: int, cell) -> str:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"cell {index}" + (f" ({grade_id})" if grade_id else "")


def faults(nb, limits: Limits) -> list[str]:
    """What stopped or cut the run, from the error outputs GuardedExecute leaves in cells."""
    found, not_run = [], 0
    truncated = TRUNCATED.format(limit=limits.output)
    for index, cell in enumerate(nb.cells):
        where = cell_label(index, cell)
        for output in cell.get("outputs", []):
            name = output.get("ename") if output.get("output_type") == "error" else None
            if name == Fault.NOT_RUN:
                not_run += 1
            elif name == Fault.CELL_TIMEOUT:
                found.append(f"time limit: {where} ran over {limits.cell_timeout} s and was stopped")
            elif name == Fault.SUBMISSION_TIMEOUT:
                found.append(f"time limit: the notebook ran over {limits.submission_timeout} s (stopped in {where})")
            elif name == Fault.KERNEL_DIED:
                found.append(f"kernel died in {where} (os._exit, exit(), a crash, or memory)")
            elif name == Fault.MEMORY:
                found.append(f"out of memory in {where} (limit {format_size(limits.memory)} per kernel)")
            elif name == Fault.UNFINISHED:
                found.append(f"test cell did not finish: {where} ({one_line(output.get('evalue', ''), 160)})")
            elif output.get("output_type") == "stream" and truncated in output.get("text", ""):
                found.append(f"output: {where} printed more than {limits.output} characters; the rest was dropped")
    if not_run:
        found.append(f"{not_run} later code cells were not run")
    return list(dict.fromkeys(found))


def first_error(nb) -> str:
    for index, cell in enumerate(nb.cells):
        for output in _errors(cell):
            text = f"{output.get('ename', 'Error')}: {one_line(output.get('evalue', ''), 160)}"
            return f"{cell_label(index, cell)}: {text.rstrip(': ')}"
    return ""


def flags(log: Path, nb) -> list[str]:
    """The integrity watch's findings for one student, each with the cell it happened in."""
    lines = []
    for path in (Path(kept_findings(log)), log):  # the copy the kernel could not erase, then the file
        if path.is_file():
            lines += path.read_text(encoding="utf-8", errors="replace").splitlines()
    cells = {cell_key(c.source): cell_label(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    found = []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if not isinstance(item, dict):
            continue
        where = cells.get(item.get("cell", ""), "a cell")
        found.append(f"{item.get('flag', 'flag')}: {item.get('detail', '')}, in {where}")
    return list(dict.fromkeys(found))


def gradebook_scores(course_dir: Path, assignment: str, student: str) -> dict[str, float] | None:
    """grade cell name -> score for the student's submission, or None if nbgrader recorded none."""
    from nbgrader.api import MissingEntry

    with open_gradebook(course_dir) as gb:
        try:
            notebook = gb.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            return None
        return {g.name: g.score for g in notebook.grades}


def lateness(course_dir: Path, assignment: str, student: str) -> tuple[float, float]:
    """(seconds after the due date, late penalty in points), as nbgrader recorded them."""

    with open_gradebook(course_dir) as gb:
        submission = gb.find_submission(assignment, student)
        notebook = gb.find_submission_notebook(assignment, assignment, student)
        return float(submission.total_seconds_late or 0.0), float(notebook.late_submission_penalty or 0.0)


def test_results(graded_nb, cells: dict, scores: dict[str, float], secret: bytes | None) -> tuple[list, list[str]]:
    """One TestResult per autograded test of ``cells`` (grade_cells), from nbgrader's scores and
    the graded notebook, and the grade ids of tests that passed but did not run to their end."""
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in graded_nb.cells}
    tests, unfinished = [], []
    for grade_id, (points, is_test) in cells.items():
        if not is_test:
            continue
        score = float(scores.get(grade_id, 0.0))
        cell = by_id.get(grade_id)
        if secret is not None and score > 0 and (cell is None or not finished(cell, secret, grade_id)):
            unfinished.append(grade_id)
            tests.append(TestResult(grade_id, 0.0, points, False, UNFINISHED_MESSAGE, Fault.UNFINISHED.value))
            continue
        passed = score >= points
        message = "" if passed else (test_message(cell) if cell is not None else "test cell missing")
        error = "" if passed or cell is None else test_error(cell)
        hidden = not passed and cell is not None and failed_in_hidden_tests(cell)
        tests.append(TestResult(grade_id, score, points, passed, message, error, hidden))
    return tests, unfinished


def collect(result: SubmissionResult, course_dir: Path, cells: dict, limits: Limits, secret: bytes | None = None) -> bool:
    """Fill ``result`` from ``course_dir``; False when nbgrader produced no grades for it."""
    assignment, student = result.assignment, result.student
    autograded = course_dir / "autograded" / student / assignment / f"{assignment}.ipynb"
    scores = gradebook_scores(course_dir, assignment, student)
    if scores is None or not autograded.is_file():
        return False
    graded_nb = read_notebook(autograded)
    unfinished = fill_from_notebook(result, graded_nb, cells, scores, secret, limits,
                                    Path(watch_file(course_dir, student)))
    if unfinished:
        zero_unfinished(course_dir, assignment, student, unfinished)
    result.seconds_late, penalty = lateness(course_dir, assignment, student)
    result.late_penalty = min(penalty, result.auto_score)  # nbgrader's, before unfinished tests were zeroed
    return True


def fill_from_notebook(result: SubmissionResult, graded_nb, cells: dict, scores: dict[str, float],
                       secret: bytes | None, limits: Limits, watch_log: Path) -> list[str]:
    """Fill ``result``'s tests, scores, faults, flags and first error from its graded notebook and
    nbgrader's scores; return the tests that passed but did not run to their end (scored 0)."""
    result.tests, unfinished = test_results(graded_nb, cells, scores, secret)
    result.auto_score = sum(t.score for t in result.tests)
    result.auto_max_score = sum(t.max_score for t in result.tests)
    result.manual_max_score = sum(p for p, is_test in cells.values() if not is_test)
    result.faults = faults(graded_nb, limits) + [
        f"test cell did not finish: {gid} (its last statement never ran, so it scores 0)" for gid in unfinished]
    result.flags += flags(watch_log, graded_nb)
    result.first_error = first_error(graded_nb)
    return unfinished
