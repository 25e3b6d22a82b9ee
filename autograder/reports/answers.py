"""Which cells of a submission are graded by hand, and which outputs each one discusses.

An answer is a cell nbgrader grades by hand: ``solution`` and ``grade`` (a written answer, or code
marked for manual grading), or a ``task`` cell. Autograded tests (``grade`` without ``solution``)
are not answers.

The rule for what an answer discusses (its *context*): the outputs (figures, printed numbers,
errors) of the code cells of its own section, from the previous heading (a markdown cell, not an
answer, whose first line starts with ``#``) down to the answer. When that section has no outputs,
as in a "Checkpoints" or "Report" section holding only questions and answers, the context is
every output of the notebook before that section. Autograded test cells' outputs are never
context (they are on the full page). An answer's *prompt* is the run of markdown cells right
before it that are not answers, back to and including a heading (at most three cells).

Answers in a row with the same context form one :class:`Block`: its answers are shown together,
beside that context once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nbgrader.utils import is_grade, is_solution, is_task


@dataclass
class Answer:
    index: int                  # the answer cell's position in the notebook
    prompt: list[int]           # positions of the markdown cells that ask the question
    grade_id: str = ""
    points: float = 0.0


@dataclass
class Block:
    context: list[int]          # positions of the code cells whose outputs are shown
    section: str = ""           # the heading the context starts under ("" for the notebook's start)
    answers: list[Answer] = field(default_factory=list)


def is_answer(cell) -> bool:
    return (is_grade(cell) and is_solution(cell)) or is_task(cell)


def is_test(cell) -> bool:
    return is_grade(cell) and not is_solution(cell)


def heading(cell) -> str:
    """The heading a markdown cell opens with (without the #s), or "" when it is no heading."""
    if cell.get("cell_type") != "markdown" or is_answer(cell):
        return ""
    lines = [line.strip() for line in cell.get("source", "").splitlines() if line.strip()]
    if not lines or not lines[0].startswith("#"):
        return ""
    return lines[0].lstrip("#").strip() or "(heading)"


def _shows_output(cell) -> bool:
    return cell.get("cell_type") == "code" and not is_test(cell) and bool(cell.get("outputs"))


def _section_start(cells, index: int) -> int:
    """Position of the heading above ``index`` (0 when there is none)."""
    return next((j for j in range(index - 1, -1, -1) if heading(cells[j])), 0)


def context(cells, index: int) -> tuple[list[int], str]:
    """(code cells with outputs the answer at ``index`` discusses, the heading they start under)."""
    start = _section_start(cells, index)
    own = [j for j in range(start, index) if _shows_output(cells[j])]
    if own or start == 0:
        return own, heading(cells[start]) if own else ""
    return [j for j in range(start) if _shows_output(cells[j])], ""


def prompt(cells, index: int) -> list[int]:
    found = []
    for j in range(index - 1, max(-1, index - 4), -1):
        if cells[j].get("cell_type") != "markdown" or is_answer(cells[j]):
            break
        found.insert(0, j)
        if heading(cells[j]):
            break
    return found


def blocks(nb) -> list[Block]:
    """The notebook's answers, grouped by shared context, in notebook order."""
    cells, out = nb.cells, []
    for index, cell in enumerate(cells):
        if not is_answer(cell):
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        answer = Answer(index, prompt(cells, index), str(meta.get("grade_id", "")), _points(meta))
        shown, section = context(cells, index)
        if out and out[-1].context == shown:
            out[-1].answers.append(answer)
        else:
            out.append(Block(shown, section, [answer]))
    return out


def _points(meta) -> float:
    try:
        return float(meta.get("points", 0) or 0)
    except (TypeError, ValueError):
        return 0.0
