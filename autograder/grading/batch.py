"""Grade one batch of submissions with nbgrader autograde in a worker course directory.

Each worker has its own course directory (nbgrader's gradebook is SQLite with one writer), made
from the prepared assignment. Progress is read off the file system: nbgrader writes a student's
autograded notebook when it has finished them.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
import time
from pathlib import Path

import nbformat

from ..kernel import sandbox
from ..kernel.protocol import PROTECTED_ENV, RUNTIME_FOLDER, SANDBOX_FOLDER, STARTUP_CODE, STARTUP_FILE, WATCH_FOLDER
from ..limits import Limits
from ..nbgrader_run import NbgraderProcess, run_nbgrader
from ..nbio import NOTEBOOK_METADATA, read_notebook, write_notebook
from ..paths import course_root, release_notebook
from .collect import collect, grade_cells
from .deadlines import TIMESTAMP_FILE
from .course import copy_prepared, feedback_config, first_imports, grading_config, protected_paths
from .restore import restore
from .scan import scan_notebook
from .seal import new_secret, seal_job
from .results import SubmissionResult
from .text import one_line

_EXCEPTION_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Timeout))\b.*")


def failure_reason(log: str, student: str) -> str:
    """The most telling line about ``student`` in nbgrader's log. nbgrader's API records no reason
    when it gives up on a notebook, so this is the one place the grader reads its log."""
    lines = log.splitlines()
    marker = f"for student '{student}'"
    end = next((i for i, ln in enumerate(lines) if marker in ln), None)
    if end is None:
        block = lines
    else:
        start = max((i for i, ln in enumerate(lines[:end]) if "for student '" in ln), default=-1) + 1
        block = lines[start:end]
    for line in reversed(block):
        if _EXCEPTION_LINE.match(line):
            return one_line(line)
    errors = [ln for ln in block if "ERROR" in ln and "Please see" not in ln]
    return one_line(errors[-1].split("]", 1)[-1]) if errors else "nbgrader autograde produced no result"


class _Progress:
    """Advances a tqdm bar as autograded notebooks appear in the worker's course directory."""

    def __init__(self, bar, course_dir: Path, assignment: str, students: list[str]):
        self.bar, self.done = bar, set()
        self.paths = {s: course_dir / "autograded" / s / assignment / f"{assignment}.ipynb" for s in students}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True) if bar is not None else None

    def _tick(self) -> None:
        for student, path in self.paths.items():
            if student not in self.done and path.is_file():
                self.done.add(student)
                self.bar.update(1)
                self.bar.set_postfix_str(student)

    def _poll(self) -> None:
        while not self.stop.wait(0.5):
            self._tick()

    def __enter__(self):
        if self.thread is not None:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        if self.thread is not None:
            self.stop.set()
            self.thread.join()
            self._tick()
            self.bar.update(len(self.paths) - len(self.done))


def _place_submissions(batch: list[tuple[SubmissionResult, object]], course_dir: Path, assignment: str) -> None:
    release = read_notebook(release_notebook(assignment))
    for result, nb in batch:
        result.flags += scan_notebook(nb, assignment)
        nb, result.notes = restore(nb, release)
        for area in ("submitted", "autograded", "feedback"):
            folder = course_dir / area / result.student / assignment
            if folder.exists():
                shutil.rmtree(folder)
        # Run every submission on the course's kernel, whatever kernel the student's editor recorded.
        nb.metadata["kernelspec"] = nbformat.from_dict(NOTEBOOK_METADATA["kernelspec"])
        folder = course_dir / "submitted" / result.student / assignment
        write_notebook(nb, folder / f"{assignment}.ipynb")
        if result.timestamp:
            (folder / TIMESTAMP_FILE).write_text(result.timestamp, encoding="utf-8")


def _kernel_env(course_dir: Path, figures: bool, sandbox_jupyter: Path | None) -> dict:
    startup = course_dir / ".ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / STARTUP_FILE).write_text(STARTUP_CODE, encoding="utf-8")
    env = {"IPYTHONDIR": str(course_dir / ".ipython"), PROTECTED_ENV: os.pathsep.join(protected_paths(course_dir))}
    if sandbox_jupyter is not None:
        # Our python3 kernelspec (the sandbox launcher) comes first; its sockets live here.
        env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(sandbox_jupyter), os.environ.get("JUPYTER_PATH")]))
        env["JUPYTER_RUNTIME_DIR"] = str(course_dir / RUNTIME_FOLDER)
        # jupyter_client writes connection files (and so the ipc sockets beside them) with
        # tempfile: keep them in the one folder the sandbox shares with nbgrader.
        env["TMPDIR"] = str(course_dir / RUNTIME_FOLDER)
    # Without figures, matplotlib draws nothing (the Agg backend renders only on request): the
    # scores are the same and each notebook runs faster; the mutant catalogue grades that way.
    if not figures:
        env["MPLBACKEND"] = "agg"
    return env


def _time_each(batch, course_dir: Path, assignment: str, started: float) -> None:
    """Each result's ``seconds``: from the end of the submission its worker graded before it (or
    from the worker's start) to its own autograded notebook being written."""
    done = []
    for result, _ in batch:
        path = course_dir / "autograded" / result.student / assignment / f"{assignment}.ipynb"
        if path.is_file():
            done.append((path.stat().st_mtime, result))
    previous = started
    for written, result in sorted(done, key=lambda item: item[0]):
        result.seconds = round(max(0.0, written - previous), 2)
        previous = written


def _warm_plan(course_dir: Path, template: Path, assignment: str, students: list[str],
               watch_dir: Path) -> dict | None:
    """What the nbgrader process needs to start warm kernels (kernel/warm_pool.py), or None where
    the provisioner that hands them over is not installed."""
    if not sandbox.warm_provisioner():
        return None
    return {"kernelspec": str(course_dir / SANDBOX_FOLDER / "jupyter" / "kernels" / "python3" / "kernel.json"),
            "sandbox_dir": str(course_dir / SANDBOX_FOLDER),
            "watch_dir": str(watch_dir), "modules": first_imports(template, assignment),
            # nbgrader autogrades the folders submitted/<student>/<assignment> in sorted order
            "students": sorted(students, key=lambda s: f"{s}{os.sep}{assignment}")}


def _prepare_sandbox(course_dir: Path, limits: Limits) -> tuple[Path, list[str]]:
    runtime = course_dir / RUNTIME_FOLDER
    runtime.mkdir(parents=True, exist_ok=True)
    name = f"{os.getpid()}-{course_dir.name}"
    processes, memory = sandbox.make_cgroup(name, "pids"), sandbox.make_cgroup(name, "memory")
    jupyter = sandbox.write_settings(course_dir / SANDBOX_FOLDER, repo=course_root(), runtime_dir=runtime,
                                     startup_file=course_dir / ".ipython" / "profile_default" / "startup" / STARTUP_FILE,
                                     limits=limits, processes_cgroup=processes, memory_cgroup=memory,
                                     warm_kernels=sandbox.warm_provisioner())
    return jupyter, [g for g in dict.fromkeys([processes, memory]) if g]


def grade_batch(assignment: str, batch: list[tuple[SubmissionResult, object]], course_dir: Path,
                template: Path, figures: bool = True, limits: Limits = Limits(),
                feedback: str | None = None, bar=None, sandboxed: bool = True,
                nbgrader: NbgraderProcess | None = None, due: str | None = None,
                stop_after_failed_test=False) -> None:
    """Autograde ``batch`` (result to fill, notebook) in a new course directory ``course_dir``
    made from ``template`` (a prepared course directory). ``feedback``: None, "full" or
    "hide-hidden"; ``nbgrader``: an already started process to autograde with; ``due``: the
    assignment's due date (ISO, UTC) or None; ``stop_after_failed_test``: the mutant judge's
    shortcut (kernel/guard.py), True or the student ids it applies to. Fills each result in place."""
    copy_prepared(template, course_dir)
    _place_submissions(batch, course_dir, assignment)
    secret = new_secret()
    watch_dir = course_dir / WATCH_FOLDER
    shutil.rmtree(watch_dir, ignore_errors=True)
    watch_dir.mkdir()
    jupyter, cgroups = _prepare_sandbox(course_dir, limits) if sandboxed else (None, [])
    env = _kernel_env(course_dir, figures, jupyter)
    config = grading_config(limits, watch_dir, course_dir / SANDBOX_FOLDER if sandboxed else None,
                            stop_after_failed_test)
    started = time.time()
    try:
        with _Progress(bar, course_dir, assignment, [r.student for r, _ in batch]):
            proc = (nbgrader or NbgraderProcess()).run(
                ["autograde", assignment, "--force", "--create"], course_dir, env=env, extra_config=config,
                memory_limit=limits.memory, seal=seal_job(assignment, secret),
                due={"assignment": assignment, "date": due} if due else None,
                warm=_warm_plan(course_dir, template, assignment, [r.student for r, _ in batch], watch_dir)
                if sandboxed else None)
    finally:
        for group in cgroups:
            sandbox.remove_cgroup(group)
    for result, _ in batch:
        result.sandbox = "bwrap" if sandboxed else "none"
    _time_each(batch, course_dir, assignment, started)
    cells = grade_cells(assignment)
    for result, _ in batch:
        if not collect(result, course_dir, cells, limits, secret):
            result.error = failure_reason(proc.stdout, result.student)
    if feedback:
        fb = run_nbgrader(["generate_feedback", assignment, "--force"], course_dir,
                          extra_config=feedback_config(feedback == "hide-hidden"))
        for result, _ in batch:
            html = course_dir / "feedback" / result.student / assignment / f"{assignment}.html"
            if result.graded and not html.is_file():
                result.notes.append(f"no feedback written: {failure_reason(fb.stdout, result.student)}")
