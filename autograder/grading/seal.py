"""Tamper evidence from outside the kernel: a test cell counts only if its own code ran to its end.

Before grading, every autograded test cell gets a final statement that displays a token made from
a secret drawn for this run (protocol.finish_statement); the statement goes into the worker
gradebook's copy of the cell, which nbgrader's OverwriteCells puts into every submission (with a
checksum that agrees), so no submission can leave it out. After
grading, a test that nbgrader scored as passed but whose cell shows no matching token (input or
AST transformers blanked or wrapped it, an exception was swallowed) scores 0 with the fault "test
cell did not finish", in the result and in the gradebook.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.utils import compute_checksum

from ..kernel.protocol import FINISH_MIME, finish_statement
from ..paths import COURSE_ID


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def token(secret: bytes, grade_id: str) -> str:
    return hmac.new(secret, grade_id.encode(), hashlib.sha256).hexdigest()[:32]


def sealed_source(source: str, secret: bytes, grade_id: str) -> str:
    return source.rstrip("\n") + "\n\n" + finish_statement(token(secret, grade_id))


def seal_gradebook(course_dir: Path, assignment: str, release, secret: bytes, test_ids: set[str]) -> None:
    """Give the worker gradebook's copy of every test cell the same final statement."""
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in release.cells}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", COURSE_ID) as gb:
        for grade_id in sorted(test_ids):
            row = gb.find_source_cell(grade_id, assignment, assignment)
            cell = cells[grade_id].copy()
            cell.source = sealed_source(row.source, secret, grade_id)
            row.source = cell.source
            row.checksum = compute_checksum(cell)
        gb.db.commit()


def finished(cell, secret: bytes, grade_id: str) -> bool:
    expected = token(secret, grade_id)
    return any(o.get("output_type") == "display_data" and o.get("data", {}).get(FINISH_MIME) == expected
               for o in cell.get("outputs", []))


def zero_unfinished(course_dir: Path, assignment: str, student: str, grade_ids: list[str]) -> None:
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", COURSE_ID) as gb:
        for grade_id in grade_ids:
            grade = gb.find_grade(grade_id, assignment, assignment, student)
            grade.auto_score = 0.0
        gb.db.commit()

