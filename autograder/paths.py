"""Where the course lives, and the names of its stages."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

COURSE_ID = "nn-from-scratch"  # also set in nbgrader_config.py
ASSIGNMENT_RE = re.compile(r"^\d\d_[a-z0-9_]+$")


def course_root() -> Path:
    """The repository root: ``NNCOURSE_ROOT`` if set, else the folder this package sits in."""
    env = os.environ.get("NNCOURSE_ROOT")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[1]


def notebook_sources(root: Path | None = None) -> dict[str, Path]:
    """assignment id -> notebooks/<id>/<id>.py, in stage order."""
    root = root or course_root()
    return {d.name: d / f"{d.name}.py" for d in sorted((root / "notebooks").iterdir())
            if d.is_dir() and ASSIGNMENT_RE.match(d.name) and (d / f"{d.name}.py").is_file()}


def source_notebook(assignment: str, root: Path | None = None) -> Path:
    root = root or course_root()
    return root / "source" / assignment / f"{assignment}.ipynb"


def release_notebook(assignment: str, root: Path | None = None) -> Path:
    root = root or course_root()
    return root / "release" / assignment / f"{assignment}.ipynb"


class UsageError(Exception):
    """A mistake in how a command was called; the CLI prints it on one line and exits non-zero."""


def resolve_assignments(names, root: Path | None = None) -> list[str]:
    """Check assignment ids against notebooks/; no names means every stage."""
    known = notebook_sources(root)
    if not names:
        return list(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(
            f"unknown assignment {', '.join(unknown)}; known: {', '.join(known) or '(none)'}"
        )
    return list(names)


def python() -> str:
    return sys.executable


def open_gradebook(course_dir: Path):
    """The nbgrader gradebook of the course directory ``course_dir``, through nbgrader's API (use
    it as a context manager)."""
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{Path(course_dir) / 'gradebook.db'}", COURSE_ID)
