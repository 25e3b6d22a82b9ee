"""What a submitted notebook may not bring into a report page.

A submission is hostile input. Before a page is made from it (the notebook itself is never
changed): everything between nbgrader's hidden-test markers is cut from every cell's source and
every text output (an unclosed region is cut to the end of the text); outputs keep only the
mimetypes the pages render (no JavaScript, widgets or other active content); cell and notebook
metadata are replaced by fixed values, and malformed or repeated cell ids by new ones, so no student-written
value reaches an attribute of the page unchecked.
"""
from __future__ import annotations

import copy
import re

import nbformat

from ..markers import BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS
from ..nbio import NOTEBOOK_METADATA

HIDDEN_NOTE = "# [hidden tests removed from this page]"
RENDERED_MIMETYPES = {"text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg",
                      "image/svg+xml"}
_BEGIN = re.compile(re.escape(BEGIN_HIDDEN_TESTS.lstrip("# ")), re.IGNORECASE)
_END = re.compile(re.escape(END_HIDDEN_TESTS.lstrip("# ")), re.IGNORECASE)
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def strip_hidden_tests(text) -> str:
    """``text`` (a string or nbformat's list of lines) without its hidden-test regions."""
    text = "".join(text) if isinstance(text, list) else str(text)
    if not _BEGIN.search(text):
        return text
    kept, hidden = [], False
    for line in text.splitlines(keepends=True):
        if not hidden and _BEGIN.search(line):
            hidden = True
            kept.append(HIDDEN_NOTE + ("\n" if line.endswith("\n") else ""))
        elif hidden and _END.search(line):
            hidden = False
        elif not hidden:
            kept.append(line)
    return "".join(kept)


def _clean_output(output) -> None:
    kind = output.get("output_type")
    if kind == "stream":
        output["text"] = strip_hidden_tests(output.get("text", ""))
    elif kind == "error":
        output["evalue"] = strip_hidden_tests(output.get("evalue", ""))
        output["traceback"] = [strip_hidden_tests(line) for line in output.get("traceback", [])]
    elif kind in ("display_data", "execute_result"):
        data = output.get("data", {})
        output["data"] = {k: strip_hidden_tests(v) if k.startswith("text/") else v
                          for k, v in data.items() if k in RENDERED_MIMETYPES}
        output["metadata"] = {}


def clean_cell(cell, index: int):
    """A copy of ``cell`` fit for a page: hidden tests cut, outputs filtered, metadata dropped."""
    cell = copy.deepcopy(cell)
    cell["source"] = strip_hidden_tests(cell.get("source", ""))
    cell["metadata"] = nbformat.NotebookNode()
    if not _CELL_ID.match(str(cell.get("id", ""))):
        cell["id"] = f"cell-{index}"
    for output in cell.get("outputs", []):
        _clean_output(output)
    return cell


def clean_notebook(nb):
    """A copy of the notebook ``nb`` fit for a page (see the module's docstring)."""
    out = nbformat.v4.new_notebook(metadata=copy.deepcopy(NOTEBOOK_METADATA))
    out.cells = [clean_cell(cell, i) for i, cell in enumerate(nb.get("cells", []))]
    seen = set()
    for i, cell in enumerate(out.cells):
        if cell["id"] in seen:
            cell["id"] = f"cell-{i}"
        seen.add(cell["id"])
    return out
