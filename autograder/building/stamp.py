"""What the build stamps into every stage: the Colab badge under the title, the setup cell after
the title cell, and the addresses made from ``[tool.nncourse]`` in pyproject.toml.

The badge and the setup cell are written once, in ``templates/``; a stage's source holds neither.
Both point at the STUDENT repository (``student_repository``, ``student_branch``), the public one
``python -m autograder publish`` fills; the instructor repository (``repository``) holds every
solution and hidden test and is private, so no notebook names it.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import nbformat

TEMPLATES = Path(__file__).with_name("templates")
# Placeholders the build replaces with addresses made from [tool.nncourse] in pyproject.toml.
COLAB_TOKEN = "COLAB_URL"
PIP_TOKEN = "COURSE_PIP_URL"
ASSIGNMENT_TOKEN = "COURSE_ASSIGNMENT_ID"
GITHUB = "https://github.com/"


def course_settings(root: Path) -> dict:
    """``[tool.nncourse]``, checked: the student repository is on GitHub (Colab opens notebooks
    from there) and is not the instructor repository."""
    with open(root / "pyproject.toml", "rb") as fh:
        settings = dict(tomllib.load(fh)["tool"]["nncourse"])
    where = f"{root / 'pyproject.toml'} [tool.nncourse]"
    for key in ("student_repository", "student_branch"):
        if not settings.get(key):
            raise ValueError(f"{where}: set {key} (the public repository students open and install from)")
    student = settings["student_repository"].rstrip("/").removesuffix(".git")
    if not student.startswith(GITHUB) or student.count("/") != 4:
        raise ValueError(f"{where}: student_repository must be https://github.com/OWNER/NAME "
                         f"(Colab opens notebooks from GitHub), not {settings['student_repository']!r}")
    if student == settings.get("repository", "").rstrip("/").removesuffix(".git"):
        raise ValueError(f"{where}: student_repository is the instructor repository; students must get "
                         "their own repository (python -m autograder publish), without solutions")
    settings["student_repository"] = student
    return settings


def student_notebook(assignment: str) -> str:
    """Where a stage's notebook sits in the student repository (publish.py writes it there)."""
    return f"{assignment}/{assignment}.ipynb"


def colab_url(assignment: str, root: Path) -> str:
    settings = course_settings(root)
    repo = settings["student_repository"].removeprefix(GITHUB)
    return (f"https://colab.research.google.com/github/{repo}/blob/{settings['student_branch']}"
            f"/{student_notebook(assignment)}")


def pip_url(root: Path) -> str:
    settings = course_settings(root)
    return f"git+{settings['student_repository']}@{settings['student_branch']}"


def tokens(assignment: str, root: Path) -> dict[str, str]:
    return {COLAB_TOKEN: colab_url(assignment, root), PIP_TOKEN: pip_url(root), ASSIGNMENT_TOKEN: assignment}


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
