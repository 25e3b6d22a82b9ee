"""Grade a stage's example submissions the fast way (forking.py runs them), scoring each one as
nbgrader autograde would: the same graded notebook (test and read-only cells from the instructor
version, each test sealed), nbgrader's own ``determine_grade`` per test cell, and the grader's own
reading of scores, messages, faults and flags (grading/collect.py)."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.utils import determine_grade, is_grade, is_solution

from ..grading.collect import fill_from_notebook, grade_cells
from ..grading.results import SubmissionResult
from ..grading.seal import new_secret
from ..kernel.guard import error_output
from ..kernel.protocol import (PROTECTED_ENV, WATCH_FILE_ENV, Fault, not_run_after_death, not_run_after_timeout,
                               ran_out_of_time, sealed_source, stopped_at_failed_test)
from ..limits import Limits
from ..nbgrader_run import tool_env
from ..nbio import read_notebook
from ..paths import course_root, source_notebook


# Stage 10's Keras examples run in forks that each start JAX's own threads, so each would compile
# the same functions again: JAX's persistent cache (one per judge run) lets every fork after the
# first load them instead (stage 10's judge: about 70 s instead of 120).
JAX_CACHE = {"JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0", "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_test(cell) -> bool:
    return is_grade(cell) and not is_solution(cell)


def graded_notebook(source_nb, submission, secret: bytes):
    """The notebook nbgrader would execute for ``submission``: its cells, with every test and
    read-only cell taken from the instructor version ``source_nb`` (as nbgrader's OverwriteCells
    does) and each test sealed (grading/seal.py)."""
    source = {_nbgrader(c).get("grade_id"): c for c in source_nb.cells if _nbgrader(c).get("grade_id")}
    nb = copy.deepcopy(submission)
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if meta.get("grade_id") in source and (meta.get("locked") or _is_test(cell)):
            cell.source = source[meta["grade_id"]].source
        if _is_test(cell):
            cell.source = sealed_source(cell.source, secret, meta["grade_id"])
    return nb


def _records(path: Path) -> tuple[dict[int, dict], str]:
    """A run's records by cell index, and how its file ends: "done", "timeout" or "" (it died)."""
    records, end = {}, ""
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if "index" in item:
                records[item["index"]] = item
            else:
                end = "done" if item.get("done") else "timeout" if item.get("timeout") else end
    return records, end


def _fill(nb, start: int, own: tuple[dict, str], reference: dict[int, dict], limits: Limits = Limits()) -> None:
    """Give ``nb`` the outputs of its run: the reference's before ``start``, its own from there;
    after its last cell, what GuardedExecute leaves (kernel/guard.py): a dead kernel or the time
    limit in the next cell, and cells not run (after those, or after a stop at a failed test)."""
    records, end = own
    stopped = ""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        # A run forked before its own cell (forking.py's keeper) re-ran some reference cells.
        record = records.get(index) or (reference.get(index) if index < start else None)
        if record is not None:
            cell.outputs = [nbformat.from_dict(o) for o in record["outputs"]]
            cell.execution_count = record["execution_count"]
        elif not stopped and end == "":
            cell.outputs = [error_output(Fault.KERNEL_DIED.value, "the Python process stopped while running this cell")]
            stopped = not_run_after_death(index)
        elif not stopped and end == "timeout":
            cell.outputs = [error_output(Fault.SUBMISSION_TIMEOUT.value, ran_out_of_time(limits.submission_timeout))]
            stopped = not_run_after_timeout(limits.submission_timeout)
        else:
            stopped = stopped or stopped_at_failed_test(max(records, default=start))
            cell.outputs = [error_output(Fault.NOT_RUN.value, stopped)]


def _score(nb) -> dict[str, float]:
    return {_nbgrader(c)["grade_id"]: determine_grade(c)[0] or 0.0 for c in nb.cells if _is_test(c)}


def grade_forked(assignment: str, submissions: dict, stop_after_failed_test: set, jobs: int = 2,
                 limits: Limits = Limits()) -> dict[str, SubmissionResult]:
    """student -> submission notebook (the first is the reference every other one is forked from)
    -> student -> result. ``stop_after_failed_test``: the students whose run stops at their first
    test that fails by an assertion (the judge's mutants)."""
    secret = new_secret()
    source_nb = read_notebook(source_notebook(assignment))
    graded = {student: graded_notebook(source_nb, nb, secret) for student, nb in submissions.items()}
    reference_name = next(iter(graded))
    base = graded[reference_name]
    cells = [{"source": c.source, "code": c.cell_type == "code", "test": _is_test(c)} for c in base.cells]
    runs, starts = [], {}
    for student, nb in graded.items():
        if student == reference_name:
            continue
        replace = {str(i): c.source for i, (c, b) in enumerate(zip(nb.cells, base.cells)) if c.source != b.source}
        starts[student] = min((int(i) for i in replace), default=len(cells))
        runs.append({"name": student, "replace": replace, "stop_after_failed_test": student in stop_after_failed_test})
    with tempfile.TemporaryDirectory(prefix="nncourse-forked-") as tmp:
        folder, work = Path(tmp) / "out", Path(tmp) / "work"
        folder.mkdir()
        work.mkdir()
        job = Path(tmp) / "job.json"
        job.write_text(json.dumps({"cells": cells, "runs": runs, "jobs": jobs, "watch": True,
                                   "cell_timeout": limits.cell_timeout,
                                   "submission_timeout": limits.submission_timeout}), encoding="utf-8")
        root = course_root()
        env = tool_env(NBGRADER_EXECUTION="autograde", MPLBACKEND="agg", NNCOURSE_OFFLINE="1",
                       IPYTHONDIR=str(Path(tmp) / "ipython"), PYTHONPATH=str(root), **JAX_CACHE,
                       JAX_COMPILATION_CACHE_DIR=str(Path(tmp) / "jax-cache"),
                       **{WATCH_FILE_ENV: str(folder / "reference.watch.jsonl"),
                          PROTECTED_ENV: os.pathsep.join(str(root / d) for d in ("source", "notebooks"))})
        proc = subprocess.run([sys.executable, "-m", "autograder.catalogue.forking", str(job), str(folder)],
                              cwd=work, env=env, capture_output=True, text=True, timeout=limits.submission_timeout * 2)
        reference, end = _records(folder / "reference.jsonl")
        if proc.returncode != 0 or end != "done":
            raise RuntimeError(f"the forked run of {assignment} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        for student, nb in graded.items():
            own = (reference, "done") if student == reference_name else _records(folder / f"{student}.jsonl")
            _fill(nb, starts.get(student, len(cells)), own, reference, limits)
        watch_logs = {s: folder / f"{'reference' if s == reference_name else s}.watch.jsonl" for s in graded}
        cells = grade_cells(assignment)
        return {student: _result(assignment, student, nb, cells, watch_logs[student], secret, limits)
                for student, nb in graded.items()}


def _result(assignment: str, student: str, nb, cells: dict, watch_log: Path, secret: bytes,
            limits: Limits) -> SubmissionResult:
    result = SubmissionResult(submission=f"{student}.ipynb", student=student, assignment=assignment, sandbox="none")
    fill_from_notebook(result, nb, cells, _score(nb), secret, limits, watch_log)
    return result
