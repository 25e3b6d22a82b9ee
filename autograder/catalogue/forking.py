"""The mutant judge's fast engine: one process runs a stage's notebook once, and every variant
runs in a fork of it taken just before the cell the variant replaces.

Variants differ from the reference in one answer cell, so everything before that cell (the
imports, the data, the earlier parts) is the same for all of them: here it is run once, not once
per variant. ``python -m autograder.catalogue.forking JOB OUT`` reads ``JOB`` (JSON)::

    {"cells": [{"source": str, "code": bool, "test": bool}, ...],   # the notebook as graded
     "runs": [{"name": str, "replace": {"<index>": source}, "stop_after_failed_test": bool}],
     "jobs": 2, "cell_timeout": seconds, "submission_timeout": seconds, "watch": bool}

and writes ``OUT/<name>.jsonl`` for every run and ``OUT/reference.jsonl``: one line per cell it
executed, ``{"index", "execution_count", "outputs"}`` (outputs in nbformat's JSON, as a kernel's
messages become them in a notebook), then ``{"done": true}``. A run's file holds only the cells
from its fork on; the cells before take the reference's outputs. A run whose file has no
``done`` line died in its last cell plus one, one that ends ``{"timeout": true}`` ran out of the
notebook's time limit there (autograder/catalogue/forked_grade.py reads them so).

Only the course's own examples run here, never a student's submission: there is no sandbox,
and a cell could reach every other run's state. Students' work is graded through nbgrader in the
sandbox (autograder/grading/).

The cells run in an IPython shell like a kernel's: the same cell transformations, tracebacks
("Cell In[n], line k"), display and result hooks, with stdout and stderr kept apart; while
nbgrader's environment variable is set, as under the grader. The process must have no threads
when it forks: it runs with one BLAS thread and no IPython history thread.
"""
from __future__ import annotations

import io
import json
import os
import signal
import sys
import time
from pathlib import Path

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from ..kernel.protocol import Fault


class _Outputs:
    """The outputs of the cell now running, in nbformat's JSON."""

    def __init__(self):
        self.items: list[dict] = []

    def stream(self, name: str, text: str) -> None:
        last = self.items[-1] if self.items else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})


OUTPUTS = _Outputs()


class _Stream(io.TextIOBase):
    def __init__(self, name: str):
        self.name = name

    def write(self, text) -> int:
        if text:
            OUTPUTS.stream(self.name, str(text))
        return len(text)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"


class _Publisher(DisplayPublisher):
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
        OUTPUTS.items.append({"output_type": "display_data", "data": dict(data), "metadata": dict(metadata or {})})

    def clear_output(self, wait=False) -> None:
        OUTPUTS.items.clear()


class _ResultHook(DisplayHook):
    """Keeps a cell's value as an ``execute_result`` (nbgrader gives partial credit for a number)."""

    def start_displayhook(self) -> None:
        self._result = {"data": {}, "metadata": {}}

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self._result = {"data": dict(format_dict), "metadata": dict(md_dict or {})}

    def finish_displayhook(self) -> None:
        OUTPUTS.items.append({"output_type": "execute_result", "execution_count": self.prompt_count, **self._result})


class JudgeShell(InteractiveShell):
    display_pub_class = _Publisher
    displayhook_class = _ResultHook

    def _showtraceback(self, etype, evalue, stb) -> None:
        OUTPUTS.items.append({"output_type": "error", "ename": str(etype.__name__), "evalue": str(evalue),
                              "traceback": list(stb)})


class CellTimeout(Exception):
    """Raised in a cell that runs over the per-cell limit; its name is the grader's fault name."""


CellTimeout.__name__ = Fault.CELL_TIMEOUT.value


def _on_alarm(signum, frame):
    raise CellTimeout("this cell ran longer than the per-cell limit and was stopped")


def run_cell(shell: JudgeShell, index: int, source: str, timeout: int) -> dict:
    OUTPUTS.items = []
    count = shell.execution_count
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        shell.run_cell(source, store_history=True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout, sys.stderr = saved
    return {"index": index, "execution_count": count, "outputs": OUTPUTS.items}


def _failed_by_assertion(record: dict) -> bool:
    return any(o.get("output_type") == "error" and o.get("ename") == "AssertionError" for o in record["outputs"])


def run_from(shell, cells: list[dict], start: int, replace: dict[int, str], out: Path, stop_after_failed_test: bool,
             timeout: int) -> None:
    """Run cells ``start``.. (``replace``: index -> source) writing each record to ``out``."""
    with open(out, "w", encoding="utf-8") as fh:
        for index in range(start, len(cells)):
            cell = cells[index]
            if not cell["code"] or not cell["source"].strip():
                continue
            record = run_cell(shell, index, replace.get(index, cell["source"]), timeout)
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            if stop_after_failed_test and cell["test"] and _failed_by_assertion(record):
                break
        fh.write(json.dumps({"done": True}) + "\n")


def os_threads() -> int:
    """Threads of this process (a fork copies only the thread that forks)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading

        return threading.active_count()


class Forker:
    """Forks one child per run, at most ``jobs`` at a time; each writes ``<name>.jsonl``. A run
    still going after ``budget`` seconds (the notebook's time limit) is killed, and its file ends
    with ``{"timeout": true}``."""

    def __init__(self, shell, cells, out: Path, jobs: int, timeout: int, budget: float, watch):
        self.shell, self.cells, self.out, self.jobs, self.timeout, self.watch = shell, cells, out, jobs, timeout, watch
        self.budget = budget
        self.children: dict[int, tuple[str | None, float]] = {}  # pid -> (run, or None for a keeper; start)

    def adopt(self, pid: int) -> None:
        self.children[pid] = (None, time.monotonic())

    def wait_one(self) -> None:
        while True:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid:
                self.children.pop(pid, None)
                return
            now = time.monotonic()
            for pid, (name, started) in list(self.children.items()):
                if name is not None and now - started > self.budget:
                    os.kill(pid, signal.SIGKILL)
                    with open(self.out / f"{name}.jsonl", "a", encoding="utf-8") as fh:
                        fh.write(json.dumps({"timeout": True}) + "\n")
                    self.children[pid] = (None, started)
            time.sleep(0.02)

    def wait_all(self) -> None:
        while self.children:
            self.wait_one()

    def fork(self, run: dict, start: int) -> None:
        while len(self.children) >= self.jobs:
            self.wait_one()
        pid = _fork()
        if pid:
            self.children[pid] = (run["name"], time.monotonic())
            return
        code = 0
        try:
            if self.watch is not None:
                self.watch.log_path, self.watch.reported = str(self.out / f"{run['name']}.watch.jsonl"), set()
            run_from(self.shell, self.cells, start, run["replace"], self.out / f"{run['name']}.jsonl",
                     run["stop_after_failed_test"], self.timeout)
        except BaseException:
            code = 1
        finally:
            os._exit(code)


def _fork() -> int:
    """os.fork, with nothing of the parent's left in its stream buffers to be written twice."""
    sys.stdout.flush()
    sys.stderr.flush()
    return os.fork()


def _keeper(forker: Forker, runs: list[dict], index: int) -> tuple[int, int]:
    """Fork a process that holds the state before cell ``index`` while the reference runs that
    cell. Told "go", it runs every one of ``runs`` from ``index`` (their own cells replaced), then
    ends; told anything else, it ends at once. Returns (pid, the pipe's write end)."""
    read, write = os.pipe()
    pid = _fork()
    if pid:
        os.close(read)
        return pid, write
    os.close(write)
    code = 0
    try:
        if os.read(read, 2) == b"go":
            forker.children = {}
            for run in runs:
                forker.fork(run, index)
            forker.wait_all()
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    out = Path(argv[1])
    cells, timeout, jobs = job["cells"], int(job["cell_timeout"]), max(1, int(job.get("jobs", 2)))
    runs = [dict(run, replace={int(k): v for k, v in run["replace"].items()}) for run in job["runs"]]
    starts = {run["name"]: min(run["replace"], default=len(cells)) for run in runs}
    config = Config()
    config.HistoryAccessor.enabled = False  # no history thread: the process forks
    shell = JudgeShell.instance(config=config)
    signal.signal(signal.SIGALRM, _on_alarm)
    watch = None
    if job.get("watch"):
        from ..kernel.watch import install

        watch = install()
    forker = Forker(shell, cells, out, jobs, timeout, float(job.get("submission_timeout", 1200)), watch)
    if os_threads() != 1:
        print(f"forking.py: this process has {os_threads()} threads before the first cell, so it cannot "
              "fork safely; run the judge with --engine nbgrader", file=sys.stderr)
        return 2
    forking, keeper = True, None
    with open(out / "reference.jsonl", "w", encoding="utf-8") as reference:
        for index, cell in enumerate(cells):
            if forking:
                for run in runs:
                    if starts[run["name"]] == index:
                        forker.fork(run, index)
            if not (cell["code"] and cell["source"].strip()):
                continue
            later = [run for run in runs if starts[run["name"]] > index]
            if forking and later:
                # Should this cell leave threads behind (a library's thread pool), no fork after
                # it is safe: the keeper, which holds the state before it, runs the later ones.
                keeper = _keeper(forker, later, index)
            record = run_cell(shell, index, cell["source"], timeout)
            reference.write(json.dumps(record) + "\n")
            reference.flush()
            if keeper is not None:
                pid, pipe = keeper
                forking = os_threads() == 1
                os.write(pipe, b"no" if forking else b"go")
                os.close(pipe)
                if forking:
                    os.waitpid(pid, 0)
                else:
                    forker.adopt(pid)
                keeper = None
        reference.write(json.dumps({"done": True}) + "\n")
    forker.wait_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
