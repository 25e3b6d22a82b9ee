"""Integrity watch: runs inside the grading kernel and writes down tampering with grading.

The grader starts every kernel with an IPython startup file that calls ``install()``. Before any
submitted code runs it remembers numpy, the test helpers, the builtins and ``sys.modules``; after
every cell it checks them again, and an audit hook (which code in the notebook cannot remove)
sees every attempt to open, list, copy or run something that would read the hidden tests:
the instructor notebooks (``source/``, ``notebooks/``), any ``.ipynb`` file, the gradebook.

Each finding is one JSON line ``{"flag", "detail", "cell"}`` (``cell``: ``protocol.cell_key`` of
the cell that was running) in the file ``$NNCOURSE_WATCH_FILE`` names (GuardedExecute sets it per
student); the grader turns them into flags on the student's row. A flag is a reason for the instructor to look, not a score.
"""
from __future__ import annotations

import builtins
import json
import os
import sys

from .protocol import PROTECTED_ENV, WATCH_FILE_ENV, cell_key

WATCHED_MODULES = ("numpy", "numpy.testing", "numpy.linalg", "numpy.random", "math",
                   "numpy._core.multiarray", "numpy._core.umath", "numpy._core.numeric",
                   "numpy._core.fromnumeric", "helpers", "helpers.testing", "helpers.gradcheck")
# IPython's extension points: what decides how a later cell is turned into code and how its
# errors are shown. A submission that changes one can rewrite or silence the tests.
IPYTHON_HOOKS = ("input_transformers_cleanup", "input_transformers_post", "ast_transformers",
                 "custom_exceptions", "CustomTB", "InteractiveTB", "SyntaxTB", "showtraceback",
                 "showsyntaxerror", "run_cell", "run_cell_async", "should_run_async", "run_ast_nodes",
                 "run_code", "transform_cell", "transform_ast", "compile", "input_transformer_manager")
COMPILER_HOOKS = ("ast_parse", "cache", "__call__")  # the shell's compiler turns cell text into code
# Events whose callbacks run around every cell. (matplotlib's inline backend adds its own to
# post_execute when pyplot is imported, so that one is not watched.)
WATCHED_EVENTS = ("pre_run_cell", "post_run_cell")
PROTECTED_MODULE_ROOTS = ("numpy", "helpers", "builtins", "sys", "math", "nbgrader", "autograder")
# Names IPython itself adds to or swaps in builtins around each cell.
IPYTHON_BUILTINS = {"display", "get_ipython", "exit", "quit", "__IPYTHON__", "help", "copyright",
                    "credits", "license", "dreload", "_", "__", "___", "__builtins__",
                    "input", "raw_input", "getpass"}  # ipykernel swaps these in around each cell
PATH_EVENTS = {"open", "os.listdir", "os.scandir", "glob.glob", "sqlite3.connect", "shutil.copyfile",
               "shutil.copytree", "os.walk", "os.symlink", "os.link"}
COMMAND_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"}
COMMAND_WORDS = ("source/", "notebooks/", ".ipynb", "gradebook", "nbgrader")
_MISSING = object()


def _public(module) -> dict:
    return {k: v for k, v in vars(module).items() if not k.startswith("_")}


class Watch:
    def __init__(self, log_path: str, protected: list[str]):
        self.log_path = log_path
        self.protected = sorted({os.path.normpath(p) for p in protected if p}
                                | {os.path.realpath(p) for p in protected if p})
        self.cell = ""
        self.reported: set[tuple[str, str]] = set()
        self._busy = False
        for name in WATCHED_MODULES:
            try:
                __import__(name)
            except Exception:  # helpers may be missing outside the course venv
                pass
        self.modules = {name: _public(sys.modules[name]) for name in WATCHED_MODULES if name in sys.modules}
        self.builtins = {k: v for k, v in vars(builtins).items() if k not in IPYTHON_BUILTINS}
        self.sys_modules = {k: v for k, v in sys.modules.items() if self._protected_module(k)}
        self.helper_names: dict[str, object] = {}
        self.hooks: dict[str, object] | None = None  # taken before the first cell runs
        self.events: dict[str, tuple] = {}

    @staticmethod
    def _protected_module(name: str) -> bool:
        return name.split(".", 1)[0] in PROTECTED_MODULE_ROOTS

    # -- recording ---------------------------------------------------------------------------
    def flag(self, kind: str, detail: str) -> None:
        key = (kind, detail)
        if key in self.reported:
            return
        self.reported.add(key)
        was_busy, self._busy = self._busy, True
        try:
            with open(self.log_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"flag": kind, "detail": detail, "cell": self.cell}) + "\n")
        finally:
            self._busy = was_busy

    # -- IPython events ----------------------------------------------------------------------
    def pre_run_cell(self, info) -> None:
        self.cell = cell_key(getattr(info, "raw_cell", "") or "")
        if self.hooks is None:
            self.hooks = self.hook_state()
            self.events = self.callbacks()

    @staticmethod
    def hook_state() -> dict[str, object]:
        """Identities of IPython's extension points and the interpreter's hooks, comparable later."""
        def ident(value):
            if isinstance(value, (list, tuple)):
                return tuple(id(v) for v in value)
            return id(getattr(value, "__func__", value))

        state: dict[str, object] = {"sys.gettrace": id(sys.gettrace()), "sys.getprofile": id(sys.getprofile()),
                                    "sys.excepthook": id(sys.excepthook)}
        ip = _ipython()
        if ip is not None:
            for name in IPYTHON_HOOKS:
                state[f"IPython {name}"] = ident(getattr(ip, name, None))
            for name in COMPILER_HOOKS:
                state[f"IPython compile.{name}"] = ident(getattr(ip.compile, name, None))
        return state

    @staticmethod
    def callbacks() -> dict[str, tuple]:
        """The shell's event callbacks per event, comparable later."""
        ip = _ipython()
        if ip is None:
            return {}
        return {event: tuple(ip.events.callbacks.get(event, [])) for event in WATCHED_EVENTS}

    def post_run_cell(self, result) -> None:
        # The watch must never raise into the kernel: with memory exhausted by the cell it checks,
        # IPython would print the watch's own traceback under the student's cell.
        was_busy, self._busy = self._busy, True
        try:
            self.check_modules()
            self.check_builtins()
            self.check_sys_modules()
            self.check_helper_names()
            self.check_hooks()
        except Exception:  # MemoryError among them; the next cell checks again
            pass
        finally:
            self._busy = was_busy

    def check_modules(self) -> None:
        for name, snapshot in self.modules.items():
            module = sys.modules.get(name)
            if module is None:
                continue
            current = vars(module)
            for attr, value in snapshot.items():
                if current.get(attr, _MISSING) is not value:
                    self.flag("numpy" if name.startswith("numpy") or name == "math" else "test helpers",
                              f"{name}.{attr} was replaced or deleted")

    def check_hooks(self) -> None:
        if self.hooks is None:
            return
        now = self.hook_state()
        for name, before in self.hooks.items():
            if now.get(name) != before:
                self.flag("changes how grading works", f"{name} was changed")
        # Libraries add event callbacks of their own (matplotlib's inline backend does); the
        # watch's own two must stay.
        for event, now_called in self.callbacks().items():
            added = [c for c in now_called if c not in self.events.get(event, ())]
            if added:
                names = ", ".join(getattr(c, "__qualname__", type(c).__name__) for c in added)
                self.flag("changes how grading works", f"a {event} callback was registered ({names})")
                self.events[event] = now_called
        ip = _ipython()
        if ip is not None:
            for event, callback in (("pre_run_cell", self.pre_run_cell), ("post_run_cell", self.post_run_cell)):
                if not any(getattr(c, "__func__", None) is callback.__func__ and getattr(c, "__self__", None) is self
                           for c in ip.events.callbacks.get(event, [])):
                    self.flag("changes how grading works", f"the grader's {event} callback was removed")

    def check_builtins(self) -> None:
        current = vars(builtins)
        for name, value in self.builtins.items():
            if current.get(name, _MISSING) is not value:
                self.flag("builtins", f"builtin {name} was replaced or deleted")

    def check_sys_modules(self) -> None:
        for name, module in self.sys_modules.items():
            if sys.modules.get(name, _MISSING) is not module:
                self.flag("sys.modules", f"sys.modules[{name!r}] was replaced or removed")
        for name, module in list(sys.modules.items()):
            if self._protected_module(name) and name not in self.sys_modules:
                self.sys_modules[name] = module

    def check_helper_names(self) -> None:
        ip = _ipython()
        if ip is None:
            return
        namespace = ip.user_ns
        for name, value in self.helper_names.items():
            if namespace.get(name, _MISSING) is not value:
                self.flag("test helpers", f"the test helper {name} was redefined")
        for name, value in list(namespace.items()):
            module = getattr(value, "__module__", None) or ""
            if (callable(value) and name not in self.helper_names
                    and module.split(".", 1)[0] == "helpers"):
                self.helper_names[name] = value

    # -- audit hook --------------------------------------------------------------------------
    def _protected_path(self, value) -> bool:
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str):
            return False
        lowered = value.lower()
        if lowered.endswith(".ipynb") or "gradebook" in lowered:
            return True
        path = value if os.path.isabs(value) else os.path.join(os.getcwd(), value)
        path = os.path.normpath(path)
        return any(path == p or path.startswith(p + os.sep) for p in self.protected)

    def _protected_command(self, value) -> bool:
        if isinstance(value, (list, tuple)):
            return any(self._protected_command(v) for v in value)
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str):
            return False
        lowered = value.lower()
        return (any(word in lowered for word in COMMAND_WORDS)
                or any(p in value for p in self.protected))

    def audit(self, event: str, args) -> None:
        if self._busy:
            return
        if event in PATH_EVENTS:
            paths = args[:2] if event in ("shutil.copyfile", "shutil.copytree", "os.symlink", "os.link") else args[:1]
            hit = next((v for v in paths if self._protected_path(v)), None)
        elif event in COMMAND_EVENTS:
            hit = next((v for v in args if self._protected_command(v)), None)
        else:
            return
        if hit is not None:
            if isinstance(hit, (list, tuple)):
                hit = " ".join(map(str, hit))
            shown = hit.decode("utf-8", "replace") if isinstance(hit, bytes) else str(hit)
            self.flag("reads grading files", f"{event} {shown[:200]}")


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def install() -> Watch | None:
    """Start watching if the grader asked for it (``NNCOURSE_WATCH_FILE`` is set)."""
    log_path = os.environ.get(WATCH_FILE_ENV)
    if not log_path:
        return None
    protected = os.environ.get(PROTECTED_ENV, "").split(os.pathsep)
    watch = Watch(log_path, protected)
    ip = _ipython()
    if ip is not None:
        ip.events.register("pre_run_cell", watch.pre_run_cell)
        ip.events.register("post_run_cell", watch.post_run_cell)
    sys.addaudithook(watch.audit)
    return watch
