"""Finding the submitted notebooks a PATH names, and reading them safely.

A PATH is a notebook (the student id is the file stem), a flat folder of ``<student>.ipynb``,
or nbgrader's ``submitted/<student>/<assignment>/`` layout (the ``submitted`` folder, the course
directory holding it, or one ``submitted/<student>`` folder).
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from ..paths import UsageError
from .text import one_line

_STUDENT_RE = re.compile(r"[^A-Za-z0-9_.-]+")


def _safe_id(name: str) -> str:
    return _STUDENT_RE.sub("_", name).strip("._") or "student"


def student_ids(paths) -> list[str]:
    """The file stem of each path, made safe for nbgrader and unique."""
    return _unique([_safe_id(Path(path).stem) for path in paths])


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for base in names:
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def _notebook_in(folder: Path, assignment: str) -> Path:
    """The notebook a student submitted in ``folder`` (the one named after the assignment, else
    the only one there); a path that does not exist when there is none, so it is reported."""
    named = folder / f"{assignment}.ipynb"
    if named.is_file():
        return named
    found = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    return found[0] if len(found) == 1 else named


def find_submissions(assignment: str, paths) -> list[tuple[str, Path]]:
    """(student id, notebook path) for every PATH: a notebook, a flat folder of
    ``<student>.ipynb``, or nbgrader's ``submitted/<student>/<assignment>/`` layout (give the
    ``submitted`` folder, the course directory that holds it, or one ``submitted/<student>``)."""
    named: list[tuple[str, Path]] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            named.append((Path(raw).stem, path))
            continue
        if (path / assignment).is_dir():  # one student's folder: submitted/<student>/
            named.append((path.resolve().name, _notebook_in(path / assignment, assignment)))
            continue
        root = path / "submitted" if (path / "submitted").is_dir() else path
        students = sorted(d for d in root.iterdir() if d.is_dir() and (d / assignment).is_dir())
        if students:
            named += [(d.name, _notebook_in(d / assignment, assignment)) for d in students]
            continue
        flat = sorted(p for p in root.glob("*.ipynb") if p.is_file())
        if not flat:
            raise UsageError(f"no submissions for {assignment} in {path}: expected <student>.ipynb files or "
                             f"nbgrader's submitted/<student>/{assignment}/{assignment}.ipynb")
        named += [(p.stem, p) for p in flat]
    ids = _unique([_safe_id(name) for name, _ in named])
    return [(sid, path) for sid, (_, path) in zip(ids, named)]


def read_submission(path: str | Path):
    """Load a submitted notebook, or raise ValueError with a one-line reason."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"cannot read {path}: no such file")
    try:
        nb = nbformat.read(path, as_version=4)
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not a notebook (not UTF-8 text)") from None
    except Exception as exc:  # nbformat raises several types for broken JSON or non-notebooks
        raise ValueError(f"{path.name} is not a readable notebook: {one_line(exc)}") from None
    if not isinstance(nb.get("cells"), list):
        raise ValueError(f"{path.name} is not a notebook: it has no list of cells")
    return nb
