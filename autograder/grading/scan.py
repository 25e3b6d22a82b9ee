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
    "run_ast_nodes": "IPython's cell runner",
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
    "ctypes": "raw memory access (ctypes)",
}
DYNAMIC = {"exec", "eval", "compile", "__import__"}
ATTRIBUTE_CALLS = {"getattr", "setattr", "delattr"}


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


def scan_source(source: str) -> list[str]:
    """What one cell's source does that changes how grading works, in words."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # IPython syntax (magics) or a broken cell: it fails on its own when run
    found: list[str] = []
    for node in ast.walk(tree):
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
