"""What the build stamps into every stage: the Colab badge under the title, the setup cell after
the title cell, and the addresses made from ``[tool.nncourse]`` in pyproject.toml.

The badge and the setup cell are written once, in ``templates/``; a stage's source holds neither.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import nbformat

TEMPLATES = Path(__file__).with_name("templates")
# Placeholders the build replaces with addresses made from [tool.nncourse] in pyproject.toml.
COLAB_TOKEN = "COLAB_URL"
PIP_TOKEN = "COURSE_PIP_URL"


def course_settings(root: Path) -> dict:
    with open(root / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["nncourse"]


def colab_url(assignment: str, root: Path) -> str:
    settings = course_settings(root)
    repo = settings["repository"].rstrip("/").removeprefix("https://github.com/")
    return (f"https://colab.research.google.com/github/{repo}/blob/{settings['branch']}"
            f"/release/{assignment}/{assignment}.ipynb")


def pip_url(root: Path) -> str:
    settings = course_settings(root)
    return f"git+{settings['repository'].rstrip('/')}@{settings['branch']}"


def tokens(assignment: str, root: Path) -> dict[str, str]:
    return {COLAB_TOKEN: colab_url(assignment, root), PIP_TOKEN: pip_url(root)}


def template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8").strip("\n")


def stamp_header(nb, where: str) -> None:
    """Put the badge under the title line of the first cell and the setup cell after it."""
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "markdown" or not first.source.startswith("# "):
        raise ValueError(f"{where}: the first cell must be markdown starting with the stage title '# Stage NN: ...'")
    title, _, rest = first.source.partition("\n")
    first.source = f"{title}\n\n{template('badge.md')}\n{rest}".rstrip("\n")
    nb.cells.insert(1, nbformat.v4.new_code_cell(template("setup_cell.py")))


def replace_tokens(cell, values: dict[str, str]) -> None:
    for token, value in values.items():
        cell.source = cell.source.replace(token, value)
