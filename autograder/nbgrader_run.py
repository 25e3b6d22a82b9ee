"""Running nbgrader's command-line applications as child processes of the grader."""
from __future__ import annotations

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


def _address_space_limit(limit: int):
    """A function for Popen's preexec_fn: caps the child's (and its children's) address space."""
    def apply():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def run_nbgrader(args: list[str], course_dir: Path, *, env: dict | None = None, extra_config: str = "",
                 on_line=None, memory_limit: int | None = None) -> subprocess.CompletedProcess:
    """Run an nbgrader command with the course's config in ``course_dir``; its log (stdout and
    stderr together) comes back as ``stdout``.

    ``env``: extra variables; ``extra_config``: Python appended to the copied nbgrader_config.py;
    ``on_line``: called with each line nbgrader logs, as it logs it; ``memory_limit``: bytes of
    address space for nbgrader and every process it starts (the kernels inherit the limit)."""
    config = (course_root() / "nbgrader_config.py").read_text(encoding="utf-8")
    (course_dir / "nbgrader_config.py").write_text(config + extra_config, encoding="utf-8")
    command = [sys.executable, "-m", "nbgrader", *args]
    preexec = _address_space_limit(memory_limit) if memory_limit else None
    lines = []
    with subprocess.Popen(command, cwd=course_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, env=tool_env(**(env or {})), preexec_fn=preexec) as proc:
        for line in proc.stdout:
            lines.append(line)
            if on_line is not None:
                on_line(line)
    return subprocess.CompletedProcess(command, proc.returncode, "".join(lines), "")


def generate_release(assignment: str, course_dir: Path) -> None:
    """nbgrader generate_assignment in ``course_dir`` (which holds source/<assignment>/).

    ``assignment`` may be the glob "*": every assignment under source/ in one run."""
    proc = run_nbgrader(["generate_assignment", assignment, "--force"], course_dir)
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{proc.stdout}")
