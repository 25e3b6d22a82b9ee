"""A grading kernel started before its submission is known, inside the sandbox.

``python -m autograder.kernel.warm CONNECTION_FILE [MODULE ...]`` is what the sandbox runs in
place of ``ipykernel_launcher`` for a warm kernel (see :mod:`autograder.kernel.warm_pool`). It
does everything a kernel does before its first message while nbgrader is still starting:
IPython's kernel application is initialised from the connection file the pool wrote (sockets
bound, the shell made, the startup file run, so the watch is installed), then the modules the
notebook imports before its first answer cell are imported. Then it waits for one line on
the pipe it was started with: the pool writes it once nbgrader asks for this student's kernel
and the submitted folder has been copied where the sandbox shows it. The kernel copies that
folder into its working folder, as a cold kernel's shell prologue does, and starts answering.

An empty read (the grader went away) ends the kernel without running anything.
"""
from __future__ import annotations

import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

SUBMITTED = "/nncourse-submitted"  # as sandbox.SUBMITTED; not imported, to keep this import small
WORK = "/tmp/work"


def _take_the_pipe() -> int:
    """The pipe the pool writes "go" to, moved off stdin: a cold kernel's stdin is /dev/null."""
    pipe = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return pipe


def _preload(modules: list[str]) -> None:
    for name in modules:
        try:
            import_module(name)
        except Exception:  # the notebook's own import will fail the same way, where students see it
            pass


def main(argv: list[str]) -> None:
    connection_file, modules = argv[0], argv[1:]
    pipe = _take_the_pipe()
    # What ipykernel_launcher does before it imports the kernel: the working folder leaves
    # sys.path (InteractiveShellApp.init_path puts it back) and the kernel's argv is its own.
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    import ipykernel_launcher
    from ipykernel.kernelapp import IPKernelApp

    sys.argv = [ipykernel_launcher.__file__, "-f", connection_file]
    app = IPKernelApp.instance()
    app.initialize(["-f", connection_file])
    _preload(modules)
    if not os.read(pipe, 16):
        os._exit(0)
    os.close(pipe)
    subprocess.run(["cp", "-R", f"{SUBMITTED}/.", f"{WORK}/"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    app.start()


if __name__ == "__main__":
    main(sys.argv[1:])
