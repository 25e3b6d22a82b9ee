"""The two pages of one submission, from the notebook exactly as the student submitted it.

``notebook_page``: the whole notebook with the student's own outputs and figures (nothing is
re-executed; hidden tests and active content removed by ``safe.clean_notebook``).
``answers_page``: only the hand-graded answers, each block of answers beside the outputs it
discusses (the rule is in ``answers.py``); code is left out of the context, which shows outputs.
Answers are found by their nbgrader metadata after the submission is lined up with the student
version (``grading.restore``), so a submission whose editor dropped metadata still has them.
"""
from __future__ import annotations

import re

import nbformat

from ..grading.restore import restore
from ..paths import release_notebook
from . import answers as found
from .render import render
from .safe import clean_cell, clean_notebook

NOTEBOOK_BANNER = ("{student}, {assignment}: the notebook as submitted, with the student's own outputs "
                   "(nothing re-run; hidden tests and scripts removed).")
ANSWERS_BANNER = ("{student}, {assignment}: {count} hand-graded answer{s}, each beside the outputs of the cells "
                  "before it in its section (or, in a section of questions only, of the notebook before it).")


def notebook_page(nb, student: str, assignment: str, links=()) -> str:
    return render(clean_notebook(nb), f"{student} {assignment}",
                  NOTEBOOK_BANNER.format(student=student, assignment=assignment), links)


def lined_up(nb, assignment: str):
    """``nb`` with nbgrader metadata restored from the student version, when the course has one."""
    release = release_notebook(assignment)
    if not release.is_file():
        return nb
    return restore(nb, nbformat.read(release, as_version=4))[0]


def _md(text: str, cell_id: str):
    cell = nbformat.v4.new_markdown_cell(text)
    cell["id"] = cell_id
    return cell


def _code_as_markdown(cell, cell_id: str):
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", cell.source)), default=0))
    return _md(f"{fence}python\n{cell.source}\n{fence}", cell_id)


def _answer_cells(nb, answer: found.Answer, k: int) -> list:
    label = answer.grade_id or f"cell {answer.index + 1}"
    cells = [_md(f"#### Answer {label} ({answer.points:g} points)", "")]
    cells += [clean_cell(nb.cells[j], j) for j in answer.prompt]
    cell = clean_cell(nb.cells[answer.index], answer.index)
    if cell.cell_type == "code":
        cells.append(_code_as_markdown(cell, f"a{k}-code"))
    cells.append(cell)
    for i, c in enumerate(cells):
        c["id"] = f"a{k}-{i}"
    return cells


def _caption(block: found.Block, b: int):
    if not block.context:
        return _md("*No outputs before this answer.*", f"b{b}-caption")
    where = f'section "{block.section}"' if block.section else "the notebook before this section"
    numbers = ", ".join(str(j + 1) for j in block.context)
    cells = "cells" if len(block.context) > 1 else "cell"
    return _md(f"*What the student's run showed: the outputs of {where} ({cells} {numbers}).*", f"b{b}-caption")


def answers_notebook(nb) -> tuple[object, dict, int]:
    """(a notebook of the answer blocks, the layout that puts each block's answers beside its
    context, the number of answers)."""
    out, layout, k = nbformat.v4.new_notebook(), {}, 0
    for b, block in enumerate(found.blocks(nb)):
        side = []
        for answer in block.answers:
            side += _answer_cells(nb, answer, k)
            k += 1
        context = [_caption(block, b)] + [clean_cell(nb.cells[j], j) for j in block.context]
        for i, c in enumerate(context[1:]):
            c["id"] = f"b{b}-{i}"
        layout[side[0].id] = "open"
        layout[context[0].id] = "switch"
        layout[context[-1].id] = layout.get(context[-1].id, "") + " close"
        out.cells += side + context
    if not out.cells:
        out.cells = [_md("*This notebook has no hand-graded answers.*", "none")]
    return out, layout, k


def answers_page(nb, student: str, assignment: str, links=()) -> str:
    book, layout, count = answers_notebook(lined_up(nb, assignment))
    banner = ANSWERS_BANNER.format(student=student, assignment=assignment, count=count, s="" if count == 1 else "s")
    return render(book, f"{student} {assignment} answers", banner, links, layout=layout, show_inputs=False)
