"""nbgrader extensions the grader configures into its own course directories.

``GuardedExecute`` replaces nbgrader's ``Execute`` at autograde time. It keeps a submission
within its limits and turns every way a run can go wrong into an error output in the cell where
it happened, so nbgrader still scores the notebook (tests that ran keep their points, tests that
could not run score 0) and the grader can say what happened:

- ``Fault.CELL_TIMEOUT``: one cell ran longer than the per-cell limit and was interrupted;
- ``Fault.SUBMISSION_TIMEOUT``: the whole notebook ran out of its time budget;
- ``Fault.KERNEL_DIED``: the Python process stopped (``os._exit``, ``exit()``, a crash, the OOM killer);
- ``Fault.NOT_RUN``: a cell after one of those, which was never executed;
- output beyond ``max_output`` characters per cell is dropped, with a note on the same stream;
- with ``stop_after_failed_test`` (the mutant judge's setting, never a class's), or for the
  students in ``stop_students`` (the judge's mutants, graded beside its honest notebooks), the
  cells after the first autograded test that fails by an assertion are not run: whether a
  submission loses points by an assertion is then already known.

Before each notebook's kernel starts, it tells the kernel's watch where to write (protocol.py).

A cell that is not run must carry an error: nbgrader scores a test cell without an error as
passed.
"""
from __future__ import annotations

import math
import os
import time

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade, is_solution
from traitlets import Bool, Integer, List, Unicode, default

from ..limits import DEFAULT
from .protocol import (TRUNCATED, WATCH_FILE_ENV, Fault, kept_findings, not_run_after_death, not_run_after_timeout,
                       ran_out_of_time, stopped_at_failed_test)
from .sandbox import exit_cause

KEPT_FINDINGS = 1000  # findings kept per notebook; the watch reports each kind of finding once


def error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


def _message_size(msg: dict) -> int:
    content = msg.get("content", {})
    size = len(content.get("text", "") or "")
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(str(value))
    return size


class GuardedExecute(Execute):
    submission_timeout = Integer(DEFAULT.submission_timeout, help="Seconds one notebook may run in all.").tag(config=True)
    max_output = Integer(DEFAULT.output, help="Output characters kept per cell.").tag(config=True)
    watch_dir = Unicode("", help="Folder for the watch's <student>.jsonl files (empty: no watch).").tag(config=True)
    sandbox_dir = Unicode("", help="The sandbox's folder, where bwrap writes each kernel's exit status.").tag(config=True)
    stop_after_failed_test = Bool(False, help="Run no cell after the first autograded test that fails by an "
                                              "assertion (for the mutant judge).").tag(config=True)
    stop_students = List(Unicode(), help="Students whose run stops as stop_after_failed_test makes every "
                                         "run stop (the mutant judge's mutants).").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", AsyncKernelManager)
        super().__init__(*args, **kwargs)

    # Nothing is left to save once the last cell has run (the watch writes each finding as it
    # finds it, the sandbox's tmpfs goes with the kernel): kill it rather than wait for it to exit.
    @default("shutdown_kernel")
    def _kill_after_the_last_cell(self):
        return "immediate"

    kernel_start_attempts = Integer(3, help="Kernels to start before giving up on a notebook.").tag(config=True)
    # After a cell's reply, nbclient waits this long for the rest of its output and, nbgrader's
    # setting, raises CellTimeoutError past it, which ends that student's grading. Its default of
    # 4 s is exceeded on a loaded machine, so honest work could go ungraded; the wait costs
    # nothing when the output is already there.
    iopub_timeout = Integer(60, help="Seconds to wait for a cell's last output after its reply.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        student = ((resources or {}).get("nbgrader") or {}).get("student", "")
        if self.watch_dir and student:
            os.environ[WATCH_FILE_ENV] = os.path.join(self.watch_dir, f"{student}.jsonl")
        # A kernel can die before it answers its first message when several start at once on a
        # loaded machine (two processes picking the same free port). No cell has run then, so
        # starting another kernel is safe; anything later is the submission's own doing.
        for attempt in range(1, self.kernel_start_attempts + 1):
            self._deadline = time.monotonic() + self.submission_timeout
            self._stopped = ""
            self._kept: dict[int, int] = {}
            self._dropped: set[tuple[int, str]] = set()
            self._started = False
            self._stop_after_failed_test = self.stop_after_failed_test or student in self.stop_students
            self._kept_findings: set[str] = set()
            try:
                return super().preprocess(nb, resources, km)
            except RuntimeError as exc:
                if (self._started or attempt == self.kernel_start_attempts
                        or not ("kernel_info" in str(exc) or "didn't respond" in str(exc))):
                    raise
                self.log.warning("the kernel failed to start (%s); starting another (attempt %d)", exc, attempt + 1)
                km = None

    def _remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _get_timeout(self, cell):
        per_cell = super()._get_timeout(cell)
        # Compared unrounded: with 4.3 s of the notebook's time left, a 5 s cell limit is not the
        # one that stops this cell (rounded up, it was called a cell timeout).
        remaining = max(1, math.ceil(self._remaining()))
        if per_cell is not None and per_cell <= self._remaining():
            self.error_on_timeout = {
                "ename": Fault.CELL_TIMEOUT.value,
                "evalue": f"this cell ran longer than the per-cell limit of {per_cell} s and was stopped",
                "traceback": [f"CellTimeout: this cell ran longer than the per-cell limit of {per_cell} s"],
            }
            return per_cell
        self.error_on_timeout = {
            "ename": Fault.SUBMISSION_TIMEOUT.value,
            "evalue": ran_out_of_time(self.submission_timeout),
            "traceback": [f"SubmissionTimeout: the notebook ran longer than {self.submission_timeout} s"],
        }
        return remaining

    def _keep_findings(self) -> None:
        """Copy the watch's new findings out of the kernel's reach (protocol.kept_findings): the
        watch file is writable from inside the kernel, so code there could erase what earlier
        cells were found doing."""
        path = os.environ.get(WATCH_FILE_ENV)
        if not self.watch_dir or not path:
            return
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines = fh.read(1_000_000).splitlines()
        except OSError:
            return
        new = [line for line in dict.fromkeys(lines) if line and line not in self._kept_findings]
        new = new[:max(0, KEPT_FINDINGS - len(self._kept_findings))]  # a kernel can write any amount
        if new:
            self._kept_findings.update(new)
            with open(kept_findings(path), "a", encoding="utf-8") as fh:
                fh.write("".join(line + "\n" for line in new))

    def preprocess_cell(self, cell, resources, index):
        self._started = True
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        try:
            return self._run_cell(cell, resources, index)
        finally:
            self._keep_findings()

    def _run_cell(self, cell, resources, index):
        if not self._stopped and self._remaining() <= 0:
            self._stopped = not_run_after_timeout(self.submission_timeout)
        if self._stopped:
            cell.outputs = [error_output(Fault.NOT_RUN.value, self._stopped)]
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cause = exit_cause(self.sandbox_dir, os.environ.get(WATCH_FILE_ENV)) if self.sandbox_dir else ""
            cell.outputs = list(cell.get("outputs", [])) + [error_output(
                Fault.KERNEL_DIED.value, "the Python kernel stopped while running this cell "
                + (f"({cause})" if cause else "(os._exit, exit(), a crash, or the system killing it for memory)"))]
            self._stopped = not_run_after_death(index)
            return cell, resources
        if any(o.get("ename") == Fault.SUBMISSION_TIMEOUT.value for o in cell.outputs):
            self._stopped = not_run_after_timeout(self.submission_timeout)
        elif (self._stop_after_failed_test and is_grade(cell) and not is_solution(cell)
              and any(o.get("ename") == "AssertionError" for o in cell.outputs)):
            self._stopped = stopped_at_failed_test(index)
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        if msg.get("msg_type") == "error":
            content = msg.get("content", {})
            if len(content.get("evalue", "")) > 10_000:
                content["evalue"] = content["evalue"][:10_000] + " ... (truncated by the grader)"
            return super().output(outs, msg, display_id, cell_index)
        size = _message_size(msg)
        kept = self._kept.get(cell_index, 0)
        if kept + size > self.max_output:
            # Keep the stream name: nbgrader scores a test cell that wrote to stderr as failed, and
            # dropping that output must not turn a failure into a pass.
            stream = msg.get("content", {}).get("name", "stdout") if msg.get("msg_type") == "stream" else "stdout"
            if (cell_index, stream) not in self._dropped:
                self._dropped.add((cell_index, stream))
                outs.append(NotebookNode(output_type="stream", name=stream,
                                         text="\n" + TRUNCATED.format(limit=self.max_output) + "\n"))
            return None
        self._kept[cell_index] = kept + size
        return super().output(outs, msg, display_id, cell_index)
