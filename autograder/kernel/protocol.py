"""Every name the grader, nbgrader (running GuardedExecute) and the grading kernel share.

Three processes cooperate while a class is graded: the grader (autograder.grading), nbgrader's
autograde (which runs :mod:`autograder.kernel.guard` in place of its Execute step) and one IPython
kernel per submission (which runs :mod:`autograder.kernel.watch`). They talk through error outputs
in the graded notebook, environment variables and files; this module owns all of those names, so
no string is written in one file and matched by hand in another.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from enum import Enum


class Fault(str, Enum):
    """``ename`` of the error output GuardedExecute leaves in the cell where a run went wrong."""

    CELL_TIMEOUT = "CellTimeout"              # one cell ran over the per-cell limit and was interrupted
    SUBMISSION_TIMEOUT = "SubmissionTimeout"  # the notebook ran out of its time budget
    KERNEL_DIED = "KernelDied"                # os._exit, exit(), a crash, the system's OOM killer
    NOT_RUN = "NotRun"                        # a cell after one of those, never executed
    MEMORY = "MemoryError"                    # Python's own, raised under the address-space cap
    UNFINISHED = "TestDidNotFinish"           # a test cell whose own code did not run to its end


def ran_out_of_time(limit: int) -> str:
    """The SubmissionTimeout message of the cell running when the notebook's time ran out."""
    return f"the notebook ran longer than its limit of {limit} s; this cell was stopped"


def not_run_after_timeout(limit: int) -> str:
    """The NotRun note of a cell after the notebook's time ran out."""
    return f"this cell did not run: the notebook used up its time limit of {limit} s before this cell"


def not_run_after_death(index: int) -> str:
    """The NotRun note of a cell after the kernel died in cell ``index``."""
    return f"this cell did not run: the kernel died in cell {index}"


def stopped_at_failed_test(index: int) -> str:
    """The NotRun note of a cell after the judge's run stopped at the failed test in cell ``index``."""
    return f"this cell did not run: the grader stopped at the first failed test (cell {index})"


# The note that replaces output beyond the per-cell limit (the limit is in characters).
TRUNCATED = "[the grader dropped the rest of this cell's output: more than {limit} characters]"

# Environment variables the grader sets for the kernels.
WATCH_FILE_ENV = "NNCOURSE_WATCH_FILE"     # where the watch writes this kernel's findings
PROTECTED_ENV = "NNCOURSE_PROTECTED"       # os.pathsep-separated paths the kernel must not read
STARTUP_FILE = "00-nncourse-watch.py"      # IPython startup file that installs the watch
STARTUP_CODE = "from autograder.kernel.watch import install\ninstall()\n"
WARM_PROVISIONER = "nncourse-warm"        # the kernel provisioner of warm kernels (kernel/warm_pool.py)
WARM_FOLDER = "warm"                       # in the sandbox folder: <student>/, a warm kernel's submitted folder
SHOWN_FOLDER = "shown"                     # in the sandbox folder: <student>/, a cold kernel's submitted folder
WATCH_FOLDER = ".watch"                    # in a worker's course directory: <student>.jsonl
SANDBOX_FOLDER = ".sandbox"                # the sandbox's settings, kernelspec and exit statuses
RUNTIME_FOLDER = ".runtime"                # the kernels' connection files and ipc sockets


def watch_file(course_dir, student: str) -> str:
    return os.path.join(str(course_dir), WATCH_FOLDER, f"{student}.jsonl")


def kept_findings(watch_path) -> str:
    """Where nbgrader's side keeps a copy of each finding after each cell: beside the watch file,
    in a folder the sandbox does not show (only the watch file itself is bound into it)."""
    return f"{watch_path}.kept"


def cell_key(source: str) -> str:
    """How the watch names the cell that was running: a digest of its source."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()


# A test cell counts only if its own code ran to its end: at grading time each test cell gets a
# last statement that displays a token derived from a per-run secret, under a mimetype nothing
# renders; the grader checks for it out of process (grading/seal.py).
FINISH_MIME = "application/x-nncourse-finished"
FINISH_COMMENT = "# (added by the grader: marks that this test cell ran to its end)"


def finish_statement(token: str) -> str:
    return (f"{FINISH_COMMENT}\n"
            f"__import__('IPython.display', fromlist=['display']).display({{{FINISH_MIME!r}: {token!r}}}, raw=True)")


def token(secret: bytes, grade_id: str) -> str:
    """The token test cell ``grade_id`` must display in a run whose secret is ``secret``."""
    return hmac.new(secret, grade_id.encode(), hashlib.sha256).hexdigest()[:32]


def sealed_source(source: str, secret: bytes, grade_id: str) -> str:
    return source.rstrip("\n") + "\n\n" + finish_statement(token(secret, grade_id))
