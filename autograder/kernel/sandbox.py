"""Start one grading kernel inside a bubblewrap sandbox.

The grader writes a kernelspec named ``python3`` into each worker's course directory whose argv
runs this module (``python -m autograder.kernel.sandbox CONFIG CONNECTION_FILE``), so every kernel
nbgrader starts comes here first. This launcher runs outside the sandbox: it reads the worker's
settings (written by :func:`write_settings`), puts itself into a fresh pids cgroup where one can
be made, sets its resource limits, and replaces itself with ``bwrap``, which starts ipykernel in:

- its own user, mount, PID, network, IPC, UTS and cgroup namespaces: no network at all (the
  kernel talks to nbgrader over ZMQ's ``ipc`` transport, on sockets in the worker's runtime
  folder, the one folder both see); every process the submission starts dies with the kernel;
- a file system made only of what the kernel needs, read-only: the system's and Python's
  installations, the ``helpers`` package and the grader's kernel code. ``source/``,
  ``notebooks/``, gradebooks, feedback, other students' folders and everything else of the
  instructor's are not there at all;
- one writable tmpfs of ``Limits.disk`` bytes at ``/tmp``, holding the home folder and the
  working folder (a copy of the student's submitted folder without its notebooks: the one being
  graded holds the hidden tests), so all writing shares one quota
  (and 1 MiB at ``/dev/shm``; the root and ``/dev`` are read-only); ``/etc`` without the host's
  password hashes, host keys, TLS private keys, munge key and sudo rules;
- an address-space cap (inherited), a CPU-time cap, a file-size cap, a process cap (pids cgroup
  when the machine offers one, otherwise RLIMIT_NPROC for a non-root user) and a scrubbed
  environment.

bwrap writes its exit status to ``<sandbox>/<student>.status`` (JSON); GuardedExecute reads it to
say which cap a dead kernel hit. The kernel's own stdout and stderr go to ``<sandbox>/<student>.log``.
"""
from __future__ import annotations

import functools
import json
import os
import resource
import shutil
import sys
import sysconfig
from pathlib import Path

from .protocol import PROTECTED_ENV, SHOWN_FOLDER, STARTUP_FILE, WARM_PROVISIONER, WATCH_FILE_ENV

SCRATCH = "/tmp"                      # the one writable tmpfs inside the sandbox
WORK = f"{SCRATCH}/work"              # the kernel's working folder
SUBMITTED = "/nncourse-submitted"     # the student's folder, read-only, copied into WORK at start
# Not shown to the kernel: the notebook nbgrader grades is in the student's folder, with the hidden
# tests and the seal's finishing statements that OverwriteCells put into it.
NOT_SHOWN = ("*.ipynb",)
PASSED_ENV = ("NBGRADER_EXECUTION", "MPLBACKEND", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
              "MKL_NUM_THREADS", "NNCOURSE_OFFLINE", "NNCOURSE_DATA", "KERAS_BACKEND", "JAX_PLATFORMS",
              "XLA_FLAGS", "LANG", "LC_ALL", WATCH_FILE_ENV, PROTECTED_ENV)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32")
# /etc is shown entry by entry, without what only the host's administrator should read: password
# hashes, host keys, TLS private keys, the cluster's munge key, sudo rules.
HIDDEN_ETC = {"shadow", "shadow-", "gshadow", "gshadow-", "ssh", "ssl", "munge", "sudoers", "sudoers.d",
              "security", ".pwd.lock", "security-opasswd"}
# Where a controller's groups live (cgroup v1 mounts each controller apart, v2 has one tree) and
# the file that shows the controller is there.
CGROUP_ROOTS = {"pids": (("/sys/fs/cgroup/pids", "pids.max"), ("/sys/fs/cgroup", "pids.max")),
                "memory": (("/sys/fs/cgroup/memory", "memory.limit_in_bytes"), ("/sys/fs/cgroup", "memory.max"))}
SHM_SIZE = 2**20  # /dev/shm: POSIX semaphores and shared memory need a little, nothing here needs more


class SandboxUnavailable(RuntimeError):
    """bwrap is missing or the machine refuses the namespaces it needs."""


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def check_available() -> None:
    """Raise SandboxUnavailable, saying why and how to fix it, unless bwrap can start here."""
    import subprocess

    path = bwrap_path()
    if path is None:
        raise SandboxUnavailable("bubblewrap is not installed: install it (Debian/Ubuntu: apt-get install "
                                 "bubblewrap) or grade unsandboxed with --sandbox none")
    probe = subprocess.run([path, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise SandboxUnavailable(f"bubblewrap cannot create its namespaces here ({reason}): allow unprivileged "
                                 "user namespaces (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu "
                                 "kernel.apparmor_restrict_unprivileged_userns=0) or grade with --sandbox none")


def _python_dirs() -> list[str]:
    """What Python needs to start: its installation, the virtualenv, their site-packages."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        dirs.add(sysconfig.get_paths()[key])
    return sorted(d for d in dirs if d and os.path.isdir(d))


def readable_paths(repo: Path) -> list[str]:
    """Everything the sandbox shows, read-only."""
    paths = [d for d in SYSTEM_DIRS if os.path.exists(d)] + _python_dirs()
    paths += [os.path.join("/etc", name) for name in sorted(os.listdir("/etc")) if name not in HIDDEN_ETC]
    # The course's own packages: helpers (what notebooks import) and the kernel-side grader code.
    # Not the repository: its source/ and notebooks/ hold every answer.
    paths += [str(repo / "helpers"), str(repo / "autograder")]
    data = os.environ.get("NNCOURSE_DATA") or os.path.expanduser("~/.cache/nncourse")
    if os.path.isdir(data):
        paths.append(data)  # downloaded datasets, if the instructor has them
    return list(dict.fromkeys(paths))


@functools.lru_cache(maxsize=None)
def warm_provisioner() -> str:
    """The name of the provisioner of warm kernels where jupyter_client can find it (the
    package is installed with its entry points), otherwise "": kernels then start when asked."""
    from importlib.metadata import entry_points

    found = entry_points(group="jupyter_client.kernel_provisioners", name=WARM_PROVISIONER)
    return WARM_PROVISIONER if any(ep.value == "autograder.kernel.warm_pool:WarmProvisioner" for ep in found) else ""


def write_settings(folder: Path, *, repo: Path, runtime_dir: Path, startup_file: Path, limits,
                   processes_cgroup: str | None, memory_cgroup: str | None = None,
                   warm_kernels: str = "") -> Path:
    """Write the worker's sandbox settings and its python3 kernelspec; return the kernels dir's
    parent (for JUPYTER_PATH). ``warm_kernels``: the name of the provisioner that hands over warm
    kernels (kernel/warm_pool.py), or "" for jupyter_client's own."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = {
        "bwrap": bwrap_path(),
        "readable": readable_paths(repo),
        "runtime_dir": str(runtime_dir),
        "startup_file": str(startup_file),
        "status_dir": str(folder),
        "disk": int(limits.disk),
        "cpu_time": int(limits.cpu_time),
        "processes": int(limits.processes),
        "cgroup": processes_cgroup or "",
        "memory_cgroup": memory_cgroup if memory_cgroup != processes_cgroup else "",
        "memory": int(limits.memory),
        "python": sys.executable,
        "matplotlib_cache": _matplotlib_cache(),
    }
    config = folder / "settings.json"
    config.write_text(json.dumps(settings, indent=1), encoding="utf-8")
    spec_dir = folder / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "autograder.kernel.sandbox", str(config), "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        # SIGINT sent to the launcher's process group would not reach a kernel in its own PID
        # namespace and session; ipykernel interrupts itself on a control-channel message.
        "interrupt_mode": "message",
    }
    if warm_kernels:
        spec["metadata"] = {"kernel_provisioner": {"provisioner_name": warm_kernels}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return folder / "jupyter"


def matplotlib_cache_dir() -> Path:
    """Where matplotlib keeps its font list, by matplotlib's own rule on Linux (MPLCONFIGDIR,
    else $XDG_CACHE_HOME/matplotlib, else ~/.cache/matplotlib), without importing it: importing
    matplotlib in the grader costs every submission a third of a second on its critical path."""
    configured = os.environ.get("MPLCONFIGDIR")
    if configured:
        return Path(configured).resolve()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "matplotlib")


def _matplotlib_cache() -> str:
    """The font list matplotlib built outside, so a sandboxed kernel need not build it again;
    where the rule finds none (another platform, an unwritable folder), matplotlib is asked."""
    found = sorted(matplotlib_cache_dir().glob("fontlist-*.json"))
    if found:
        return str(found[-1])
    try:
        import matplotlib

        found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
        return str(found[-1]) if found else ""
    except Exception:
        return ""


def make_cgroup(name: str, controller: str = "pids") -> str | None:
    """A cgroup of ``controller`` ("pids" or "memory") for one worker's kernels, or None where this
    machine gives none (each kernel gets its own child group with its own limit when it starts)."""
    for root, marker in CGROUP_ROOTS[controller]:
        base = Path(root)
        if not (base / "cgroup.procs").exists():
            continue
        try:
            group = base / "nncourse" / name
            group.mkdir(parents=True, exist_ok=True)
            if not (group / marker).exists():
                group.rmdir()
                continue
            return str(group)
        except OSError:
            continue
    return None


def remove_cgroup(path: str | None) -> None:
    if not path:
        return
    for child in sorted(Path(path).glob("*"), reverse=True):
        if child.is_dir():
            try:
                child.rmdir()
            except OSError:
                pass
    try:
        Path(path).rmdir()
    except OSError:
        pass


def _env(settings: dict) -> dict:
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    env.update({
        "PATH": f"{os.path.dirname(settings['python'])}:/usr/local/bin:/usr/bin:/bin",
        "HOME": f"{SCRATCH}/home",
        "TMPDIR": "/tmp",
        "IPYTHONDIR": f"{SCRATCH}/ipython",
        "MPLCONFIGDIR": f"{SCRATCH}/matplotlib",
        "NNCOURSE_OFFLINE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def bwrap_command(settings: dict, submitted: str, connection_file: str, status_fd: int,
                  warm: list[str] | None = None) -> list[str]:
    """The bwrap command line for one kernel (``submitted``: the student's folder as the kernel may
    see it, see show_submitted). ``warm``:
    start a warm kernel (kernel/warm.py) that imports these modules and waits on stdin, and whose
    ``submitted`` folder is filled only then."""
    cmd = [settings["bwrap"], "--unshare-all", "--die-with-parent", "--new-session",
           "--json-status-fd", str(status_fd), "--proc", "/proc", "--dev", "/dev"]
    # The tmpfs first: a course or virtualenv that lives under /tmp is then bound over it, not hidden.
    cmd += ["--size", str(settings["disk"]), "--tmpfs", SCRATCH, "--size", str(SHM_SIZE), "--tmpfs", "/dev/shm"]
    for path in settings["readable"]:
        if os.path.islink(path) and path.startswith("/etc/"):
            cmd += ["--symlink", os.readlink(path), path]  # /etc/mtab -> ../proc/self/mounts, etc.
        else:
            cmd += ["--ro-bind-try", path, path]
    cmd += ["--dir", f"{SCRATCH}/home", "--dir", WORK,
            "--dir", f"{SCRATCH}/matplotlib", "--dir", f"{SCRATCH}/ipython/profile_default/startup",
            "--ro-bind", settings["startup_file"], f"{SCRATCH}/ipython/profile_default/startup/{STARTUP_FILE}",
            "--ro-bind", submitted, SUBMITTED]
    # The folder of the kernel's sockets. Kernels started when nbgrader asks run one at a time
    # and share the worker's runtime folder; a warm kernel waits while another student's kernel
    # runs, so it has a folder of its own, which no other kernel sees.
    runtime = settings["runtime_dir"] if warm is None else os.path.dirname(os.path.abspath(connection_file))
    cmd += ["--bind", runtime, runtime]
    if settings.get("matplotlib_cache"):
        name = os.path.basename(settings["matplotlib_cache"])
        cmd += ["--ro-bind", settings["matplotlib_cache"], f"{SCRATCH}/matplotlib-cache/{name}"]
    watch = os.environ.get(WATCH_FILE_ENV)
    if watch:
        Path(watch).touch()
        cmd += ["--bind", watch, watch]
    # Everything is in place: bubblewrap's own root and /dev (tmpfs mounts without a size) become
    # read-only, so /tmp and the small /dev/shm are the only places left to write.
    cmd += ["--remount-ro", "/dev", "--remount-ro", "/", "--clearenv"]
    for key, value in _env(settings).items():
        cmd += ["--setenv", key, value]
    # The shell copies the submitted folder (and matplotlib's font list) into the tmpfs, then
    # becomes the kernel. A warm kernel copies the submitted folder itself when it is told to go.
    copy = "" if warm is not None else f'cp -R {SUBMITTED}/. {WORK}/ 2>/dev/null; '
    prologue = (f'{copy}cp {SCRATCH}/matplotlib-cache/* {SCRATCH}/matplotlib/ 2>/dev/null; '
                f'cd {WORK} && exec "$@"')
    kernel = (["-m", "ipykernel_launcher", "-f", connection_file] if warm is None
              else ["-m", "autograder.kernel.warm", connection_file, *warm])
    cmd += ["--chdir", WORK, "/bin/sh", "-c", prologue, "sandbox", settings["python"], *kernel]
    return cmd


def _apply_limits(settings: dict) -> None:
    cpu = settings["cpu_time"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (settings["disk"], settings["disk"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if settings["cgroup"]:
        group = Path(settings["cgroup"]) / f"k{os.getpid()}"
        group.mkdir(parents=True, exist_ok=True)
        (group / "pids.max").write_text(str(settings["processes"]))
        if (group / "memory.max").exists():  # cgroup v2: one group holds both limits
            (group / "memory.max").write_text(str(settings["memory"]))
        (group / "cgroup.procs").write_text(str(os.getpid()))
    if settings.get("memory_cgroup"):
        # All of the kernel's processes together, where --memory-limit's rlimit holds each alone.
        group = Path(settings["memory_cgroup"]) / f"k{os.getpid()}"
        group.mkdir(parents=True, exist_ok=True)
        (group / "memory.limit_in_bytes").write_text(str(settings["memory"]))
        (group / "cgroup.procs").write_text(str(os.getpid()))
    elif os.getuid() != 0:
        # RLIMIT_NPROC counts all of this user's processes; allow the kernel this many more.
        import psutil

        mine = sum(1 for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == os.getuid())
        limit = mine + settings["processes"]
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))


def _kernel_name(watch_file: str | None) -> str:
    return Path(watch_file).stem if watch_file else "kernel"


def status_file(status_dir: str, watch_file: str | None, suffix: str = ".status") -> str:
    """``<student>.status`` (bwrap's exit status), or with ``suffix=".log"`` the kernel's own log."""
    return os.path.join(status_dir, f"{_kernel_name(watch_file)}{suffix}")


def show_submitted(submitted: Path, shown: Path) -> None:
    """Copy the student's folder ``submitted`` to ``shown``, the folder a kernel's sandbox shows as
    its submitted folder, without what ``NOT_SHOWN`` names (symbolic links stay links)."""
    shutil.copytree(submitted, shown, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SHOWN), dirs_exist_ok=True)


def _shown_folder(settings: dict, submitted: str) -> str:
    """A cold kernel's submitted folder: a copy of ``submitted`` (see show_submitted), replaced at
    each launch of the same student's kernel."""
    shown = Path(settings["status_dir"]) / SHOWN_FOLDER / _kernel_name(os.environ.get(WATCH_FILE_ENV))
    shutil.rmtree(shown, ignore_errors=True)
    show_submitted(Path(submitted), shown)
    return str(shown)


WARM_OPTION = "--warm"  # WARM_OPTION=mod1,mod2: a warm kernel (kernel/warm_pool.py) importing those


def main(argv: list[str]) -> None:
    """``CONFIG CONNECTION_FILE [--warm=MODULES] [ignored...]``, in the submitted folder: nbclient
    starts a kernel in the notebook's folder, the warm pool in the folder it fills later."""
    config, connection_file = argv[0], argv[1]
    warm = next((a.split("=", 1)[1] for a in argv[2:] if a.startswith(WARM_OPTION + "=")), None)
    warm_modules = None if warm is None else [m for m in warm.split(",") if m]
    settings = json.loads(Path(config).read_text(encoding="utf-8"))
    # a warm kernel's folder is filled when it is told to go (WarmKernel.go)
    submitted = os.getcwd() if warm_modules is not None else _shown_folder(settings, os.getcwd())
    status = os.open(status_file(settings["status_dir"], os.environ.get(WATCH_FILE_ENV)),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.set_inheritable(status, True)
    command = bwrap_command(settings, submitted, connection_file, status, warm_modules)
    _apply_limits(settings)
    # The kernel's own output is not the notebook's (that travels over ZMQ); keep it out of
    # nbgrader's pipe, which a process left behind would otherwise hold open. One log per kernel:
    # a kernel that fills its log up to the file-size cap harms no kernel after it.
    log = os.open(status_file(settings["status_dir"], os.environ.get(WATCH_FILE_ENV), ".log"),
                  os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if warm_modules is None:  # a warm kernel reads "go" on stdin and then closes it itself
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    # bwrap itself gets no environment: it is the sandbox's pid 1, whose /proc/1/environ the
    # kernel can read (the kernel's own comes from --clearenv and --setenv).
    os.execve(command[0], command, {})


def exit_cause(status_dir: str, watch_file: str | None) -> str:
    """What bwrap says ended the sandboxed kernel, in words, or ''."""
    path = status_file(status_dir, watch_file)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    code = None
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and "exit-code" in item:
            code = item["exit-code"]
    import signal

    causes = {128 + signal.SIGXCPU: "it used up its CPU-time limit",
              128 + signal.SIGKILL: "it was killed (memory, or the grader stopping it)",
              128 + signal.SIGSEGV: "it crashed (segmentation fault)"}
    return causes.get(code, f"it exited with code {code}" if code is not None else "")


if __name__ == "__main__":
    main(sys.argv[1:])
