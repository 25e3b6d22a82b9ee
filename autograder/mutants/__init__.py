"""The mutant catalogue: realistic wrong implementations, and correct alternatives, per stage.

Each stage module ``stageNN.py`` defines ``VARIANTS``, a list of :class:`Variant`. A variant
replaces the whole content of one answer cell (found by its grade_id) in the reference
submission. A mutant (``correct=False``) must lose points when graded; a correct variant
(``correct=True``) must keep full marks.
"""
from __future__ import annotations

import importlib
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    cell: str          # grade_id of the answer cell the code replaces
    name: str          # short id, unique within the stage
    description: str   # the mistake (or the alternative) in words
    code: str          # the full new content of the cell
    correct: bool = False

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).strip() + "\n"


def mutant(cell: str, name: str, description: str, code: str) -> Variant:
    return Variant(cell, name, description, code, correct=False)


def correct(cell: str, name: str, description: str, code: str) -> Variant:
    return Variant(cell, name, description, code, correct=True)


def catalogue(assignment: str) -> list[Variant]:
    """The variants for one assignment id such as ``01_linear_estimator``."""
    module = importlib.import_module(f"{__name__}.stage{assignment[:2]}")
    variants = list(module.VARIANTS)
    names = [v.name for v in variants]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"{assignment}: variant names repeat: {sorted(duplicates)}")
    return variants
