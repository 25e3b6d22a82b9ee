"""Fail when built notebooks are stale or a release notebook gives answers away."""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import nbformat

from .build import build
from ..paths import course_root, notebook_sources, release_notebook, source_notebook

_REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)
_MARKER = re.compile(r"(BEGIN|END) ?(SOLUTION|HIDDEN ?TEST)", re.I)


def _ignored(folder: Path) -> set[Path]:
    """Files git ignores under ``folder`` (what a notebook writes when it runs), if it is a checkout."""
    proc = subprocess.run(["git", "ls-files", "--others", "--ignored", "--exclude-standard", "."],
                          cwd=folder, capture_output=True, text=True)
    return {(folder / line).resolve() for line in proc.stdout.splitlines()} if proc.returncode == 0 else set()


def _files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    ignored = _ignored(folder)
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.resolve() not in ignored}


def stale_files(assignments: list[str], root: Path) -> list[str]:
    """Rebuild into a temporary folder and compare with source/ and release/ file by file."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="nncourse-check-") as tmp:
        fresh = Path(tmp)
        build(assignments, out_root=fresh, root=root)
        for assignment in assignments:
            for stage in ("source", "release"):
                committed, rebuilt = root / stage / assignment, fresh / stage / assignment
                for name in sorted(_files(committed) | _files(rebuilt)):
                    rel = f"{stage}/{assignment}/{name}"
                    if not (committed / name).is_file():
                        problems.append(f"{rel} is missing: run `python -m autograder build {assignment}`")
                    elif not (rebuilt / name).is_file():
                        problems.append(f"{rel} is not made by the build: remove it (it would reach students)")
                    elif (committed / name).read_bytes() != (rebuilt / name).read_bytes():
                        problems.append(f"{rel} differs from a fresh build of notebooks/{assignment}.py: "
                                        f"run `python -m autograder build {assignment}` (never edit it by hand)")
    for stage in ("source", "release"):
        for folder in sorted((root / stage).glob("*")):
            if folder.is_dir() and folder.name not in notebook_sources(root):
                problems.append(f"{stage}/{folder.name} has no notebooks/{folder.name}.py")
    return problems


def notebook_problems(assignment: str, root: Path) -> list[str]:
    """Repeated grade_ids, grade cells without points, and solution or hidden text in the release."""
    problems = []
    src_path, rel_path = source_notebook(assignment, root), release_notebook(assignment, root)
    if not src_path.is_file() or not rel_path.is_file():
        return problems  # reported as missing by stale_files
    source = nbformat.read(src_path, as_version=4)
    release_text = "\n".join(c.source for c in nbformat.read(rel_path, as_version=4).cells)
    seen = set()
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id:
            if grade_id in seen:
                problems.append(f"{src_path.relative_to(root)}: grade_id {grade_id!r} is used more than once")
            seen.add(grade_id)
        if meta.get("grade") and not float(meta.get("points") or 0) > 0:
            problems.append(f"{src_path.relative_to(root)}: grade cell {grade_id!r} has no points")
    if _MARKER.search(release_text):
        problems.append(f"{rel_path.relative_to(root)}: contains a BEGIN/END SOLUTION or HIDDEN TESTS marker")
    for cell in source.cells:
        for kind, body in _REGION.findall(cell.source):
            lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
            if lines and "\n".join(lines) in "\n".join(ln.strip() for ln in release_text.splitlines()):
                what = "solution" if kind == "SOLUTION" else "hidden tests"
                problems.append(f"{rel_path.relative_to(root)}: the {what} of cell {cell.id!r} appear in the student version")
    return problems


def check(assignments: list[str], root: Path | None = None) -> list[str]:
    root = root or course_root()
    problems = stale_files(assignments, root)
    for assignment in assignments:
        problems += notebook_problems(assignment, root)
    return problems
