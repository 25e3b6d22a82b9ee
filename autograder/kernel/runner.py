"""The nbgrader process: started before its job is known, so that importing nbgrader (about 1.5 s)
overlaps with the grader's own preparation.

``python -m autograder.kernel.runner`` imports nbgrader's application (in a thread) while it
reads one job, a line of JSON on stdin (written by :class:`autograder.nbgrader_run.NbgraderProcess`)::

    {"cwd": course dir, "argv": [nbgrader arguments], "env": {extra variables},
     "memory_limit": bytes or null, "seal": null or {"assignment", "secret" (hex)},
     "due": null or {"assignment", "date" (ISO, UTC)},
     "warm": null or the plan of warm kernels (kernel/warm_pool.py WarmPool.start)}

moves into the course directory, applies the environment and the address-space cap (which every
kernel nbgrader starts inherits), seals the worker gradebook and sets the assignment's due date
if asked, and runs the nbgrader command as ``python -m nbgrader ARGV`` would. An empty stdin (the grader gave up before the job)
ends it at once.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import threading
from pathlib import Path

from ..paths import open_gradebook
from .protocol import sealed_source


def seal_gradebook(course_dir: Path, assignment: str, secret: bytes) -> None:
    """Give the worker gradebook's copy of every autograded test cell the seal's final statement (see
    autograder/grading/seal.py); nbgrader's OverwriteCells then puts it into every submission, with
    a checksum that agrees."""
    import nbformat
    from nbgrader.utils import compute_checksum, is_grade, is_solution

    release = nbformat.read(course_dir / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    tests = [c for c in release.cells if is_grade(c) and not is_solution(c)]
    with open_gradebook(course_dir) as gb:
        for test in tests:
            grade_id = test.metadata.nbgrader.grade_id
            row = gb.find_source_cell(grade_id, assignment, assignment)
            cell = test.copy()
            cell.source = row.source = sealed_source(row.source, secret, grade_id)
            row.checksum = compute_checksum(cell)
        gb.db.commit()


def set_due_date(course_dir: Path, assignment: str, date: str | None) -> None:
    """Record ``assignment``'s due date (ISO, UTC; None for none) in ``course_dir``'s gradebook,
    where nbgrader's autograde and formgrader read it."""
    from datetime import datetime


    with open_gradebook(course_dir) as gb:
        gb.update_or_create_assignment(assignment, duedate=datetime.fromisoformat(date) if date else None)


def enter(job: dict) -> None:
    """Move into the job's course directory with its environment and address-space cap."""
    os.chdir(job["cwd"])
    os.environ.update(job.get("env") or {})
    tempfile.tempdir = None  # TMPDIR may have changed: jupyter_client's connection files go there
    if job.get("memory_limit"):
        limit = int(job["memory_limit"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run(job: dict) -> int:
    """Run the job's nbgrader command (after :func:`enter`)."""
    from nbgrader.apps.nbgraderapp import NbGraderApp

    seal = job.get("seal")
    if seal:
        seal_gradebook(Path(job["cwd"]), seal["assignment"], bytes.fromhex(seal["secret"]))
    due = job.get("due")
    if due:
        set_due_date(Path(job["cwd"]), due["assignment"], due["date"])
    sys.argv = ["nbgrader", *job["argv"]]
    try:
        NbGraderApp.launch_instance(argv=job["argv"])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def _import(pool_ready: threading.Event) -> None:
    # The warm pool first (jupyter_client), so that the main thread can start a kernel while
    # nbgrader is still being imported: a module one thread imports, another waits for.
    from . import warm_pool  # noqa: F401

    pool_ready.set()
    import nbgrader.apps.nbgraderapp  # noqa: F401
    import nbgrader.api  # noqa: F401


def main() -> int:
    # The slow import runs while the grader prepares the job and, once it has come, while the
    # first warm kernel starts; kernels are started from this thread, which lives as long as they do.
    pool_ready = threading.Event()
    importer = threading.Thread(target=_import, args=(pool_ready,))
    importer.start()
    line = sys.stdin.readline()
    if not line.strip():
        importer.join()
        return 0
    job = json.loads(line)
    enter(job)
    if job.get("warm"):
        pool_ready.wait()
        from .warm_pool import POOL

        POOL.start(job["warm"], os.environ)
    importer.join()
    try:
        return run(job)
    finally:
        if job.get("warm"):
            POOL.close()


if __name__ == "__main__":
    code = main()
    # Everything nbgrader writes is written and closed by now; skip tearing down the interpreter.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
