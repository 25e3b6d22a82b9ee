"""Warm grading kernels: each student's sandboxed kernel starts before nbgrader asks for it.

Starting a sandboxed kernel and importing what a notebook imports first takes about 1.5 s, and
nbgrader asks for the kernel only after it has imported itself (about 2 s) and prepared the
notebook. The nbgrader process (kernel/runner.py) therefore starts the first student's kernel
as soon as its job arrives, and each time nbgrader takes a kernel, the next student's kernel
starts while this one runs. A warm kernel is the same sandbox launcher with the same
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
from .sandbox import PASSED_ENV, WARM_OPTION

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
        shutil.copytree(submitted, self.folder, symlinks=True, dirs_exist_ok=True)
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
        argv = json.loads(Path(plan["kernelspec"]).read_text(encoding="utf-8"))["argv"]
        folder = Path(plan["sandbox_dir"]) / WARM_FOLDER / student
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        # Its own folder for its connection file and sockets (the sandbox shows it this one only):
        # the kernel running meanwhile must not find it.
        runtime = Path(plan["sandbox_dir"]) / f"{WARM_FOLDER}-runtime" / str(index)
        shutil.rmtree(runtime, ignore_errors=True)
        runtime.mkdir(parents=True)
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
        """This student's warm kernel if it can stand in for a new one launched with ``env``;
        the next student's kernel starts either way."""
        if self.plan is None or not env.get(WATCH_FILE_ENV):
            return None
        student = Path(env[WATCH_FILE_ENV]).stem
        kernel = self.kernels.pop(student, None)
        students = self.plan["students"]
        if student in students and students.index(student) + 1 < len(students):
            following = students[students.index(student) + 1]
            if following not in self.kernels:
                self._warm(following, {k: v for k, v in env.items() if k != WATCH_FILE_ENV})
        if kernel is None:
            return None
        if kernel.process.poll() is not None or kernel.env != sandboxed_env(env):
            kernel.stop()
            return None
        return kernel

    def close(self) -> None:
        for kernel in self.kernels.values():
            kernel.stop()
        self.kernels.clear()


POOL = WarmPool()


class WarmProvisioner(LocalProvisioner):
    """LocalProvisioner that hands over this student's warm kernel where there is one."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        kernel = POOL.take(kwargs.get("env") or os.environ)
        if kernel is None:
            return await super().launch_kernel(cmd, **kwargs)
        kernel.go(Path(kwargs.get("cwd") or os.getcwd()))
        self.process, self.pid = kernel.process, kernel.process.pid
        self.pgid = os.getpgid(kernel.process.pid)
        self.cwd = kwargs.get("cwd", os.getcwd())
        self.connection_info = kernel.connection_info
        self.log.debug("the warm kernel of %s takes over", kernel.student)
        return self.connection_info
