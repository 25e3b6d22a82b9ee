"""Grade submitted notebooks with real nbgrader autograde: the path of a class through the grader.

``grade(assignment, paths)`` finds the submissions (submissions.py), reads each one (a broken one
gets its one-line error and the rest go on), splits them into ``jobs`` batches, grades every batch
in its own worker course directory made from the prepared assignment (course.py, batch.py), fills
one :class:`~autograder.grading.results.SubmissionResult` per submission (collect.py), names a
likely cause where a failure is a known mutant's (diagnose.py), with ``isolate_answers`` gives back
the points of tests lost only to an earlier wrong answer (isolate.py), merges the workers into
``--course-dir`` if one is given (merge.py) and copies feedback. Results come back in the order
the submissions were found.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from importlib import import_module
from pathlib import Path

from ..kernel import sandbox as kernel_sandbox
from ..limits import Limits
from ..nbgrader_run import NbgraderProcess
from ..paths import UsageError
from .batch import grade_batch
from .course import check_course_dir, prepared
from .deadlines import checked_due, configured_due, submission_time
from .diagnose import diagnose
from .results import SubmissionResult
from .submissions import find_submissions, read_submission

SANDBOXES = ("bwrap", "none")


def grade(assignment: str, paths, course_dir: Path | None = None, jobs: int = 1,
          figures: bool = True, limits: Limits = Limits(), feedback_dir: Path | None = None,
          hide_hidden_tests: bool = False, progress: bool = False, sandbox: str = "bwrap",
          due: str | None = None, stop_after_failed_test=False,
          isolate_answers: bool = False, nbgrader: list[NbgraderProcess] | None = None) -> list[SubmissionResult]:
    """``sandbox``: "bwrap" (every kernel in a bubblewrap sandbox; stops with UsageError where it
    cannot start) or "none"; ``due``: the due date for this run (default: the course config's,
    deadlines.py); ``stop_after_failed_test``: run no cell after the first test that fails by an
    assertion (the mutant judge's shortcut; scores after it are 0, so never for a class): True
    for every submission, or a set of the student ids it applies to;
    ``isolate_answers``: give back the points of tests that failed only because an earlier answer
    is wrong (isolate.py: one more sandboxed run of such submissions with that answer's reference);
    ``nbgrader``: nbgrader processes the caller has started already (the caller closes them), one
    per worker; the first ``jobs`` of them are used."""
    check_course_dir(course_dir)
    due = checked_due(due) if due else configured_due(assignment)
    if sandbox not in SANDBOXES:
        raise UsageError(f"--sandbox must be one of {', '.join(SANDBOXES)}, not {sandbox!r}")
    if sandbox == "bwrap":
        try:
            kernel_sandbox.check_available()
        except kernel_sandbox.SandboxUnavailable as exc:
            raise UsageError(f"cannot sandbox the grading kernels: {exc}") from None
    found = find_submissions(assignment, paths)
    if not found:
        return []
    jobs = max(1, min(jobs, len(found)))
    with ExitStack() as stack:
        # nbgrader takes over a second to import, in its own process and here (for the gradebook,
        # read after the run): both start now and overlap with reading and placing the class.
        given = list(nbgrader or [])[:jobs]
        processes = given + [stack.enter_context(NbgraderProcess()) for _ in range(jobs - len(given))]
        threading.Thread(target=_import_when_idle, args=("nbgrader.api",), daemon=True).start()
        return _grade_found(assignment, found, processes, course_dir, figures, limits, feedback_dir,
                            hide_hidden_tests, progress, sandbox, due, stop_after_failed_test, isolate_answers)


def _import_when_idle(name: str) -> None:
    """Import ``name`` at the lowest CPU priority. Here nbgrader is needed only once the run is
    over, and importing it at full priority took CPU from the nbgrader process's own import and
    the first kernel's start, which is what a student waits for (on Linux the nice value is
    per thread; elsewhere the import runs at normal priority)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except OSError:
        pass
    import_module(name)


def _grade_found(assignment, found, processes, course_dir, figures, limits, feedback_dir, hide_hidden_tests,
                 progress, sandbox, due, stop_after_failed_test, isolate_answers=False) -> list[SubmissionResult]:
    results = [SubmissionResult(submission=str(p), student=s, assignment=assignment) for s, p in found]
    readable = []
    for result, (_, path) in zip(results, found):
        try:
            readable.append((result, read_submission(path)))
        except ValueError as exc:
            result.error = str(exc)
            continue
        result.timestamp, note = submission_time(path)
        if note:
            result.notes.append(note)
    feedback = None if feedback_dir is None else ("hide-hidden" if hide_hidden_tests else "full")
    if not readable:
        return results
    bar = _progress_bar(assignment, len(readable)) if progress else None
    try:
        with tempfile.TemporaryDirectory(prefix="nncourse-grade-") as tmp:
            jobs = min(len(processes), len(readable))
            template = prepared(assignment)
            batches = [readable[i::jobs] for i in range(jobs)]
            # Workers always grade in fresh course directories (nbgrader autograde regrades every
            # student it finds in submitted/); --course-dir receives the merged result.
            workers = [Path(tmp) / f"worker{i}" for i in range(jobs)]
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(grade_batch, assignment, batch, worker, template, figures, limits,
                                       feedback, bar, sandbox == "bwrap", process, due, stop_after_failed_test)
                           for batch, worker, process in zip(batches, workers, processes)]
                for future in futures:
                    future.result()
            diagnose(assignment, [r for r, _ in readable], workers if feedback_dir is not None else ())
            if isolate_answers:  # after feedback was written, before merging (it raises worker grades)
                from .isolate import isolate_answers as isolate

                isolate(assignment, [r for r, _ in readable], workers, jobs=jobs, figures=figures, limits=limits,
                        sandbox=sandbox)
            if course_dir is not None:
                from .merge import merge_courses

                merge_courses(Path(course_dir).resolve(), workers, assignment, due)
            if feedback_dir is not None:
                _copy_feedback(workers, Path(feedback_dir), assignment, [r for r, _ in readable])
    finally:
        if bar is not None:
            bar.close()
    return results


def _progress_bar(assignment: str, total: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"grading {assignment}", unit="student", disable=None)


def _copy_feedback(workers: list[Path], target: Path, assignment: str, results: list[SubmissionResult]) -> None:
    for result in results:
        for worker in workers:
            html = worker / "feedback" / result.student / assignment / f"{assignment}.html"
            if html.is_file():
                dest = target / result.student / assignment / f"{assignment}.html"
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(html, dest)
                result.feedback = str(dest)
                break
