"""Warm grading kernels: each student's sandboxed kernel starts before nbgrader asks for it.

Starting a sandboxed kernel and importing what a notebook imports first takes about 1.5 s, and
nbgrader asks for the kernel only after it has imported itself (about 2 s) and prepared the
notebook. The nbgrader process (kernel/runner.py) therefore starts the first student's kernel
as soon as its job arrives, and each time a kernel has ended, the next student's kernel starts
while nbgrader finishes the one and prepares the other (never beside a running kernel, whose
time limits it would eat into). A warm kernel is the same sandbox launcher with the same
environment, limits and folders as a cold one; it only runs kernel/warm.py instead of
ipykernel_launcher, which waits to be told to go.

nbgrader takes its kernels through jupyter_client's kernel provisioners: the sandbox kernelspec
names :class:`WarmProvisioner` (registered as an entry point by pyproject.toml). When nbgrader
launches a kernel, the provisioner looks for this student's warm kernel (the student is the
stem of the watch file GuardedExecute names in the environment); if there is one, whose
environment as the sandbox passes it on is the one nbgrader would give a new kernel, and it is
alive, the provisioner copies the submitted folder where that kernel sees it, tells it to go and
hands its process and connection to nbgrader. Otherwise it launches a kernel as jupyter_client's
LocalProvisioner does. Warm kernels nobody took die with the nbgrader process.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.connect import write_connection_file
from jupyter_client.launcher import launch_kernel
from jupyter_client.provisioning import LocalProvisioner

from .protocol import WARM_FOLDER, WATCH_FILE_ENV
from .sandbox import PASSED_ENV, WARM_OPTION, show_submitted

MAX_SOCKET_PATH = 107  # bytes of a unix socket's path (sun_path holds 108 with its terminating NUL)


def sandboxed_env(env) -> dict:
    """What of an environment reaches a sandboxed kernel (sandbox.PASSED_ENV)."""
    return {name: env.get(name) for name in PASSED_ENV}


@dataclass
class WarmKernel:
    student: str
    process: subprocess.Popen
    connection_info: dict
    folder: Path      # shown to the kernel as its submitted folder, filled at go()
    env: dict         # sandboxed_env of its launch

    def go(self, submitted: Path) -> None:
        show_submitted(submitted, self.folder)
        self.process.stdin.write(b"go\n")
        self.process.stdin.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class WarmPool:
    """The warm kernels of one nbgrader run, at most one ahead of the student being graded."""

    def __init__(self):
        self.plan: dict | None = None
        self.kernels: dict[str, WarmKernel] = {}

    def start(self, plan: dict, env) -> None:
        """``plan`` (from the job): {"kernelspec": path of the sandbox kernel.json, "sandbox_dir",
        "watch_dir", "students": in the order nbgrader grades them, "modules": to
        import}. Starts the first student's kernel with ``env`` as nbgrader will give it."""
        self.plan = plan
        if plan["students"]:
            self._warm(plan["students"][0], env)

    def _warm(self, student: str, env) -> None:
        plan, index = self.plan, self.plan["students"].index(student)
        # Its own folder for its connection file and sockets, which no other sandbox shows, with
        # a short name: a unix socket's path may not exceed 107 bytes, and course directories can
        # be deep (a cold kernel's sockets are <course>/.runtime/kernel-N).
        runtime = Path(plan["sandbox_dir"]).parent / f".{WARM_FOLDER}{index}"
        if len(os.fsencode(runtime / "k-99")) > MAX_SOCKET_PATH:
            return  # this student's kernel starts when nbgrader asks for it
        argv = json.loads(Path(plan["kernelspec"]).read_text(encoding="utf-8"))["argv"]
        folder = Path(plan["sandbox_dir"]) / WARM_FOLDER / student
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(runtime, ignore_errors=True)
        runtime.mkdir(parents=True, exist_ok=True)
        connection_file, info = write_connection_file(
            str(runtime / "kernel.json"), ip=str(runtime / "k"), transport="ipc",
            key=secrets.token_hex(16).encode(), kernel_name="python3")
        info = dict(info, key=info["key"].encode())  # as a KernelManager holds it
        env = dict(env, NBGRADER_EXECUTION="autograde",
                   **{WATCH_FILE_ENV: os.path.join(plan["watch_dir"], f"{student}.jsonl")})
        cmd = [connection_file if a == "{connection_file}" else a for a in argv]
        cmd.append(f"{WARM_OPTION}={','.join(plan['modules'])}")
        process = launch_kernel(cmd, stdin=subprocess.PIPE, env=env, cwd=str(folder))  # PIPE: kept open
        self.kernels[student] = WarmKernel(student, process, info, folder, sandboxed_env(env))

    def take(self, env) -> WarmKernel | None:
        """This student's warm kernel if it can stand in for a new one launched with ``env``."""
        if self.plan is None or not env.get(WATCH_FILE_ENV):
            return None
        kernel = self.kernels.pop(Path(env[WATCH_FILE_ENV]).stem, None)
        if kernel is None:
            return None
        if kernel.process.poll() is not None or kernel.env != sandboxed_env(env):
            kernel.stop()
            return None
        return kernel

    def warm_next(self, env) -> None:
        """Start the kernel of the student after the one whose kernel was launched with ``env``.
        Called once that kernel has ended: a warm kernel that waited beside a running one would
        take CPU and memory from it, under its time limits."""
        if self.plan is None or not env.get(WATCH_FILE_ENV):
            return
        students, student = self.plan["students"], Path(env[WATCH_FILE_ENV]).stem
        if student in students and students.index(student) + 1 < len(students):
            following = students[students.index(student) + 1]
            if following not in self.kernels:
                self._warm(following, {k: v for k, v in env.items() if k != WATCH_FILE_ENV})

    def close(self) -> None:
        for kernel in self.kernels.values():
            kernel.stop()
        self.kernels.clear()


POOL = WarmPool()


class WarmProvisioner(LocalProvisioner):
    """LocalProvisioner that hands over this student's warm kernel where there is one, and
    starts the next student's once this kernel has ended. Whatever goes wrong with a warm
    kernel, the student gets a kernel launched as LocalProvisioner launches it."""

    launched_env: dict | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs):
        env = kwargs.get("env") or dict(os.environ)
        self.launched_env = env
        kernel = POOL.take(env) if kwargs.get("cwd") else None
        if kernel is not None:
            try:
                kernel.go(Path(kwargs["cwd"]))
                pgid = os.getpgid(kernel.process.pid)
            except Exception as exc:  # a copy that failed, a kernel that died just now
                self.log.warning("the warm kernel of %s could not take over (%s); starting one", kernel.student, exc)
                kernel.stop()
                kernel = None
        if kernel is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process, self.pid, self.pgid, self.cwd = kernel.process, kernel.process.pid, pgid, kwargs["cwd"]
        self.connection_info = kernel.connection_info
        self.log.debug("the warm kernel of %s takes over", kernel.student)
        return self.connection_info

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if not restart and self.launched_env is not None:
            try:
                POOL.warm_next(self.launched_env)
            except Exception as exc:  # the next student's kernel will start when asked
                self.log.warning("could not start the next warm kernel (%s)", exc)
            self.launched_env = None
