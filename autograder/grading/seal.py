"""Tamper evidence from outside the kernel: a test cell counts only if its own code ran to its end.

Before grading, every autograded test cell gets a final statement that displays a token made from
a secret drawn for this run (protocol.sealed_source); the nbgrader process puts the statement into
the worker gradebook's copy of the cell (kernel/runner.py), and nbgrader's OverwriteCells puts it
into every submission (with a checksum that agrees), so no submission can leave it out. After
grading, a test that nbgrader scored as passed but whose cell shows no matching token (input or
AST transformers blanked or wrapped it, an exception was swallowed) scores 0 with the fault "test
cell did not finish", in the result and in the gradebook.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from ..kernel.protocol import FINISH_MIME, token
from ..paths import open_gradebook


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def seal_job(assignment: str, secret: bytes) -> dict:
    """The ``seal`` part of the nbgrader process's job (kernel/runner.py)."""
    return {"assignment": assignment, "secret": secret.hex()}


def finished(cell, secret: bytes, grade_id: str) -> bool:
    expected = token(secret, grade_id)
    return any(o.get("output_type") == "display_data" and o.get("data", {}).get(FINISH_MIME) == expected
               for o in cell.get("outputs", []))


def zero_unfinished(course_dir: Path, assignment: str, student: str, grade_ids: list[str]) -> None:

    with open_gradebook(course_dir) as gb:
        for grade_id in grade_ids:
            grade = gb.find_grade(grade_id, assignment, assignment, student)
            grade.auto_score = 0.0
        gb.db.commit()
