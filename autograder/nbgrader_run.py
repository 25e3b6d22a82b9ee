"""Running nbgrader's command-line applications as child processes of the grader."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .paths import course_root

# Kernels graded side by side each get one BLAS thread: two workers whose kernels each start a
# thread per core oversubscribe the CPU, and small matrix products then run many times slower.
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def tool_env(**extra) -> dict:
    """The environment for nbgrader: this interpreter's bin/ first (nbgrader runs `alembic` from PATH)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    for name in BLAS_THREAD_VARS:
        env.setdefault(name, "1")
    env.update(extra)
    return env


class NbgraderProcess:
    """One nbgrader command in a child process (kernel/runner.py) that is started at once and told
    its job later, so that importing nbgrader overlaps with whatever the grader does meanwhile.

    ``start()`` spawns it; ``run(...)`` sends the job, streams its log and waits; ``close()`` ends a
    process that never got a job. One process runs one command. As a context manager it is
    started on entry and closed on exit."""

    def __init__(self):
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "NbgraderProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> "NbgraderProcess":
        command = [sys.executable, "-m", "autograder.kernel.runner"]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=tool_env(), cwd=course_root())
        return self

    def run(self, args: list[str], course_dir: Path, *, env: dict | None = None, extra_config: str = "",
            on_line=None, memory_limit: int | None = None, seal: dict | None = None,
            due: dict | None = None, warm: dict | None = None) -> subprocess.CompletedProcess:
        """Run ``nbgrader ARGS`` with the course's config in ``course_dir``; its log (stdout and
        stderr together) comes back as ``stdout``.

        ``env``: extra variables; ``extra_config``: Python appended to the copied nbgrader_config.py;
        ``on_line``: called with each line nbgrader logs, as it logs it; ``memory_limit``: bytes of
        address space for nbgrader and every process it starts (the kernels inherit the limit);
        ``seal``: the worker gradebook's seal (grading/seal.py ``seal_job``), applied first;
        ``due``: {"assignment", "date"}, the due date to record in the gradebook first; ``warm``: the
        plan of warm kernels (kernel/warm_pool.py) for a sandboxed autograde."""
        if self.proc is None:
            self.start()
        config = (course_root() / "nbgrader_config.py").read_text(encoding="utf-8")
        (course_dir / "nbgrader_config.py").write_text(config + extra_config, encoding="utf-8")
        job = {"cwd": str(course_dir), "argv": list(args), "env": dict(env or {}),
               "memory_limit": memory_limit, "seal": seal, "due": due, "warm": warm}
        proc, lines = self.proc, []
        proc.stdin.write(json.dumps(job) + "\n")
        proc.stdin.close()
        for line in proc.stdout:
            lines.append(line)
            if on_line is not None:
                on_line(line)
        proc.wait()
        proc.stdout.close()
        return subprocess.CompletedProcess(["nbgrader", *args], proc.returncode, "".join(lines), "")

    def close(self) -> None:
        """End a process that got no job (it exits on an empty stdin)."""
        if self.proc is not None and self.proc.returncode is None and not self.proc.stdin.closed:
            self.proc.stdin.close()
            self.proc.wait()
            self.proc.stdout.close()


def run_nbgrader(args: list[str], course_dir: Path, **options) -> subprocess.CompletedProcess:
    """Run one nbgrader command now (see :meth:`NbgraderProcess.run` for the options)."""
    return NbgraderProcess().run(args, course_dir, **options)


def generate_release(assignment: str, course_dir: Path) -> None:
    """nbgrader generate_assignment in ``course_dir`` (which holds source/<assignment>/).

    ``assignment`` may be the glob "*": every assignment under source/ in one run."""
    proc = run_nbgrader(["generate_assignment", assignment, "--force"], course_dir)
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{proc.stdout}")
