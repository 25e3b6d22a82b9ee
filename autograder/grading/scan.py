"""A static scan of the submitted source, done by the grader before any of it runs.

It looks, in every code cell the student wrote or changed (cells equal to the student version's
are skipped), for APIs that change how later cells run or how they are judged, and flags each
with the cell. Names are found in attribute and name nodes and in string constants, also when a
string is built from pieces (``"input_" + "transformers"``, ``"".join([...])``, f-strings of
constants), so ``getattr(ip, "ast_" + "transformers")`` is caught (a name computed from run-time values is
not: the in-kernel watch sees what such code changes); ``exec``/``eval``/``compile``/``__import__``
of anything but a constant module name are flagged as hiding code from this scan.
"""
from __future__ import annotations

import ast
import re

from ..nbio import read_notebook
from ..paths import release_notebook

# name -> what it changes, in words
HOOKS = {
    "input_transformers_cleanup": "IPython input transformers (rewrite later cells)",
    "input_transformers_post": "IPython input transformers (rewrite later cells)",
    "input_transformer_manager": "IPython input transformers (rewrite later cells)",
    "ast_transformers": "IPython AST transformers (rewrite later cells)",
    "set_custom_exc": "a custom exception handler (hides test failures)",
    "custom_exceptions": "a custom exception handler (hides test failures)",
    "CustomTB": "a custom exception handler (hides test failures)",
    "showtraceback": "IPython's traceback display (hides test failures)",
    "showsyntaxerror": "IPython's traceback display (hides test failures)",
    "InteractiveTB": "IPython's traceback display (hides test failures)",
    "SyntaxTB": "IPython's traceback display (hides test failures)",
    "run_cell": "IPython's cell runner",
    "run_cell_async": "IPython's cell runner",
    "should_run_async": "IPython's cell runner",
    "run_ast_nodes": "IPython's cell runner",
    "run_code": "IPython's cell runner",
    "transform_cell": "IPython's cell transformation (rewrites later cells)",
    "transform_ast": "IPython's cell transformation (rewrites later cells)",
    "input_splitter": "IPython's cell transformation (rewrites later cells)",
    "ast_parse": "IPython's compiler (rewrites later cells)",
    "CachingCompiler": "IPython's compiler (rewrites later cells)",
    "events": "IPython event callbacks",
    "register_magic_function": "IPython magics",
    "settrace": "a trace function (sys.settrace)",
    "setprofile": "a profile function (sys.setprofile)",
    "excepthook": "the exception hook",
    "displayhook": "the display hook",
    "addaudithook": "an audit hook",
    "_getframe": "frame introspection",
    "currentframe": "frame introspection",
    "f_back": "frame introspection",
    "f_globals": "frame introspection",
    "f_locals": "frame introspection",
    "f_builtins": "frame introspection",
    "tb_frame": "frame introspection",
    "get_referrers": "garbage-collector introspection",
    "get_objects": "garbage-collector introspection",
    "get_referents": "garbage-collector introspection",
    "__code__": "a function's code object",
    "co_code": "a function's code object",
    "__builtins__": "the builtins",
    "_core": "numpy's private modules",
    "_multiarray_umath": "numpy's private modules",
    "multiarray": "numpy's private modules",
    "__subclasses__": "class introspection",
    "__dict__": "an object's attribute table (changes attributes without naming them)",
    "__getattribute__": "attribute lookup by a name built at run time",
    "__setattr__": "attribute assignment by a name built at run time",
    "attrgetter": "attribute lookup by a name built at run time",
    "ctypes": "raw memory access (ctypes)",
    "InteractiveShell": "IPython's shell (how later cells run)",
    "getipython": "IPython's shell (how later cells run)",
}
SHELL = "get_ipython"
# Magics a student may use: they time, show or explain code and change nothing about how later
# cells run. Others (%config, %xmode, %run, %load_ext, ...) are flagged like get_ipython() itself.
SAFE_LINE_MAGICS = {"time", "timeit", "matplotlib", "pinfo", "pinfo2", "who", "whos", "pwd", "env", "precision",
                    "pprint", "prun", "debug", "pdef", "pdoc", "psource", "history", "magic", "lsmagic",
                    "autoreload", "pip"}
SAFE_MAGIC_CALLS = {("load_ext", "autoreload")}  # (magic, its exact argument)
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}  # their body is Python, scanned as such
SHELL_ESCAPES = {"system", "getoutput"}  # !cmd runs outside the kernel's interpreter
DYNAMIC = {"exec", "eval", "compile", "__import__"}
ATTRIBUTE_CALLS = {"getattr", "setattr", "delattr", "hasattr"}


def _folded(node) -> str | None:
    """The value of a string expression built only from constants, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _folded(node.left), _folded(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            part = _folded(value.value if isinstance(value, ast.FormattedValue) else value)
            if part is None:
                return None
            parts.append(part)
        return "".join(parts)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"
            and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple))):
        sep = _folded(node.func.value)
        parts = [_folded(e) for e in node.args[0].elts]
        if sep is not None and all(p is not None for p in parts):
            return sep.join(parts)
    return None


def _hooks_in(text: str) -> list[str]:
    """Hook names appearing in ``text`` as whole identifiers."""
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    return [name for name in HOOKS if name in words]


def _is_plain_name(node) -> bool:
    """A variable or a loop's name (``getattr(layer, name)``): honest code looks attributes up that
    way; only a name computed in place (``"stneve"[::-1]``, ``chr(...)``) hides what it reads."""
    return isinstance(node, ast.Name)


def python_source(source: str) -> str:
    """A cell as IPython runs it: magics and shell escapes become the Python calls they stand for."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # IPython cannot read it either: the cell fails on its own when run
        return source


def _shell_calls(tree) -> tuple[set[int], list[str]]:
    """The get_ipython names that only run a safe magic or a shell escape (by node id), and the
    bodies of Python cell magics (to scan as well)."""
    safe, bodies = set(), []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == SHELL and not node.func.value.args):
            continue
        method, args = node.func.attr, [_folded(a) for a in node.args]
        magic = args[0] if args else None
        line_magic_ok = magic in SAFE_LINE_MAGICS or (magic, args[1] if len(args) > 1 else None) in SAFE_MAGIC_CALLS
        if method in SHELL_ESCAPES or (method == "run_line_magic" and line_magic_ok):
            safe.add(id(node.func.value.func))
        elif method == "run_cell_magic" and magic in PYTHON_CELL_MAGICS and len(args) == 3 and args[2] is not None:
            safe.add(id(node.func.value.func))
            bodies.append(args[2])
    return safe, bodies


def scan_source(source: str) -> list[str]:
    """What one cell's source does that changes how grading works, in words."""
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return []  # a broken cell: it fails on its own when run
    safe_shell, bodies = _shell_calls(tree)
    found: list[str] = [finding for body in bodies for finding in scan_source(body)]
    for node in ast.walk(tree):
        if ((isinstance(node, ast.Name) and node.id == SHELL and id(node) not in safe_shell)
                or (isinstance(node, ast.Attribute) and node.attr == SHELL)):
            found.append("uses get_ipython(): IPython's shell (how later cells run)")
        if isinstance(node, ast.Attribute) and node.attr in HOOKS:
            found.append(f"uses {node.attr}: {HOOKS[node.attr]}")
        elif isinstance(node, ast.Name) and node.id in HOOKS:
            found.append(f"uses {node.id}: {HOOKS[node.id]}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                for part in name.split("."):
                    if part in HOOKS:
                        found.append(f"imports {name}: {HOOKS[part]}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in DYNAMIC:
                first = node.args[0] if node.args else None
                text = _folded(first) if first is not None else None
                if name == "__import__" and text is not None and not _hooks_in(text):
                    continue  # __import__("numpy") hides nothing
                if text is None:
                    found.append(f"calls {name} on code built at run time, which this scan cannot read")
                else:
                    found += [f"calls {name} with {hook}: {HOOKS[hook]}" for hook in _hooks_in(text)] or (
                        [f"calls {name}"] if name != "__import__" else [])
            elif name in ATTRIBUTE_CALLS and len(node.args) >= 2:
                text = _folded(node.args[1])
                if text is not None:
                    found += [f"{name} of {hook}: {HOOKS[hook]}" for hook in _hooks_in(text)]
                elif not _is_plain_name(node.args[1]):
                    found.append(f"calls {name} with an attribute name computed at run time, which this scan cannot read")
            elif name == "vars" and node.args:
                found.append(f"uses vars(): {HOOKS['__dict__']}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in HOOKS:
            found.append(f"names {node.value}: {HOOKS[node.value]}")
        if isinstance(node, (ast.BinOp, ast.JoinedStr, ast.Call)):
            text = _folded(node)
            if text is not None:
                found += [f"builds the name {hook}: {HOOKS[hook]}" for hook in _hooks_in(text)]
    return list(dict.fromkeys(found))


def scan_notebook(nb, assignment: str) -> list[str]:
    """Flags for every code cell of ``nb`` that differs from the student version."""
    given = {c.source for c in read_notebook(release_notebook(assignment)).cells if c.cell_type == "code"}
    flags = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source in given:
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        where = f"cell {index}" + (f" ({grade_id})" if grade_id else "")
        flags += [f"changes how grading works: {finding}, in {where}" for finding in scan_source(cell.source)]
    return flags
