"""Fair partial credit (``grade --isolate-answers``): a test that failed only because an earlier
answer is wrong gets its points back, measured by running the student's own code once more with
the instructor's reference in place of that earlier answer.

**Which tests check which answer.** In the instructor notebook (``source/<id>/<id>.ipynb``), the
autograded test cells after a code answer cell (an nbgrader solution cell), up to the next code
answer cell, check that answer directly. Written answers (markdown solution cells) and read-only
given cells do not start a new group; a test before the first answer checks none.

**Which answer is wrong, which tests are downstream.** Walking the code answers in notebook order,
the first one with a failed direct test is *wrong*: nothing before it failed, so its failure is its
own. Every failed test of a later answer is a *downstream candidate*: it may have failed because
of the wrong answer, or because its own answer is wrong too; its own answer is therefore kept as
the student wrote it. Only one answer is replaced: with two wrong answers before a test, a test
that needs both right gets nothing back (that would take a second re-run, which is not done).

**The re-run.** Every submission with a wrong answer and at least one downstream candidate is
graded once more, through the same :func:`~autograder.grading.grade.grade` (so in the sandbox,
with the same limits and tamper checks, in temporary course directories, never in
``--course-dir``, without feedback): its notebook as the normal run placed it (repaired by
restore.py), with the wrong answer's cell replaced by the reference, made as
:func:`~autograder.catalogue.examples.reference_submission` makes it. The changed notebooks live
in a temporary folder that is deleted with everything the re-run wrote. A downstream candidate
that passes there (its seal included) earns its points: the test's score rises by them (its
``passed`` stays false: it failed in the student's notebook), so does ``auto_score``, the worker
gradebook's grade is raised before merging (so ``--course-dir`` gets it, through nbgrader's
API), and ``isolated`` gets one line per such test. A candidate that fails in the re-run too keeps
0; nothing else of the re-run is kept. Feedback was written by the normal run before this step.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..nbio import read_notebook, write_notebook
from ..paths import open_gradebook, source_notebook
from .results import SubmissionResult


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_code_answer(cell) -> bool:
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("solution")) and bool(meta.get("grade_id"))


def is_test(cell) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and bool(meta.get("grade_id"))


def answer_of_tests(nb) -> dict[str, str | None]:
    """Autograded test grade_id -> the grade_id of the code answer it checks directly (the last
    code answer cell before it), or None for a test before every answer."""
    mapping, current = {}, None
    for cell in nb.cells:
        if is_code_answer(cell):
            current = _nbgrader(cell)["grade_id"]
        elif is_test(cell):
            mapping[_nbgrader(cell)["grade_id"]] = current
    return mapping


def answer_order(nb) -> list[str]:
    return [_nbgrader(c)["grade_id"] for c in nb.cells if is_code_answer(c)]


@dataclass
class Plan:
    """What one submission's re-run replaces and which of its failed tests it measures."""
    wrong: list[str] = field(default_factory=list)             # answer grade_ids replaced by the reference
    candidates: dict[str, str] = field(default_factory=dict)   # downstream test -> the answer it checks

    def __bool__(self) -> bool:
        return bool(self.wrong and self.candidates)


def plan(failed: list[str], tests: dict[str, str | None], order: list[str]) -> Plan:
    """The rule above: ``failed`` test grade_ids, ``tests`` from :func:`answer_of_tests`,
    ``order`` from :func:`answer_order`."""
    position = {gid: i for i, gid in enumerate(order)}
    failing = sorted({tests[t] for t in failed if tests.get(t) is not None}, key=position.__getitem__)
    if not failing:
        return Plan()
    first = failing[0]
    candidates = {t: tests[t] for t in failed
                  if tests.get(t) is not None and position[tests[t]] > position[first]}
    return Plan([first], candidates)


def reference_sources(assignment: str, answers) -> dict[str, str]:
    """The instructor's solution of each answer cell, markers removed (as in a reference submission)."""
    from ..catalogue.examples import strip_solution_markers

    wanted = set(answers)
    return {_nbgrader(c)["grade_id"]: strip_solution_markers(c.source)
            for c in read_notebook(source_notebook(assignment)).cells
            if is_code_answer(c) and _nbgrader(c)["grade_id"] in wanted}


def isolated_line(test: str, points: float, wrong: list[str]) -> str:
    cause = " and ".join(f"`{w}`" for w in wrong)
    unit = "point" if points == 1 else "points"
    return f"{test}: {points:g} {unit}, lost only because {cause} {'is' if len(wrong) == 1 else 'are'} wrong"


def _placed_notebook(workers, student: str, assignment: str) -> tuple[Path, Path] | None:
    """(worker course directory, the notebook the normal run graded) for ``student``."""
    for worker in workers:
        path = Path(worker) / "submitted" / student / assignment / f"{assignment}.ipynb"
        if path.is_file():
            return Path(worker), path
    return None


def isolate_answers(assignment: str, results: list[SubmissionResult], workers, **grade_options) -> None:
    """After the normal run (``workers``: its course directories, not yet merged): re-grade every
    submission that has downstream candidates once, with its wrong answer replaced, and credit the
    candidates that pass. ``grade_options``: ``grade()``'s jobs, figures, limits and sandbox."""
    from ..catalogue.examples import with_cell
    from .grade import grade

    instructor = read_notebook(source_notebook(assignment))
    tests, order = answer_of_tests(instructor), answer_order(instructor)
    plans = {}
    for result in results:
        if result.error or not result.failed_tests():
            continue
        found = _placed_notebook(workers, result.student, assignment)
        step = plan([t.grade_id for t in result.failed_tests()], tests, order)
        if step and found is not None:
            plans[result.student] = (result, step, found)
    if not plans:
        return
    references = reference_sources(assignment, {w for _, step, _ in plans.values() for w in step.wrong})
    with tempfile.TemporaryDirectory(prefix="nncourse-isolate-") as tmp:
        folder = Path(tmp)
        for student, (_, step, (_, path)) in list(plans.items()):
            nb = read_notebook(path)
            try:
                for answer in step.wrong:
                    nb = with_cell(nb, answer, references[answer])
            except KeyError:  # the placed notebook has no such answer cell: nothing to isolate
                del plans[student]
                continue
            write_notebook(nb, folder / f"{student}.ipynb")
        if not plans:
            return
        again = grade(assignment, [str(folder / f"{s}.ipynb") for s in plans], **grade_options)
    for rerun in again:
        if rerun.student not in plans or rerun.error:
            continue
        result, step, (worker, _) = plans[rerun.student]
        _credit(result, step, rerun, worker)


def _credit(result: SubmissionResult, step: Plan, rerun: SubmissionResult, worker: Path) -> None:
    after = {t.grade_id: t for t in rerun.tests}
    raised = {}
    for test in result.tests:
        again = after.get(test.grade_id)
        if test.grade_id not in step.candidates or test.passed or again is None or not again.passed:
            continue
        gain = again.score - test.score
        if gain <= 0:
            continue
        test.score = again.score
        raised[test.grade_id] = test.score
        result.isolated.append(isolated_line(test.grade_id, gain, step.wrong))
    if not raised:
        return
    result.auto_score = sum(t.score for t in result.tests)
    _raise_grades(worker, result.assignment, result.student, raised)


def _raise_grades(course_dir: Path, assignment: str, student: str, scores: dict[str, float]) -> None:

    with open_gradebook(course_dir) as gb:
        for grade_id, score in scores.items():
            gb.find_grade(grade_id, assignment, assignment, student).auto_score = score
        gb.db.commit()
