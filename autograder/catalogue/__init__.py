"""The variant catalogue: realistic wrong implementations (mutants), and correct alternatives.

Each stage keeps its catalogue beside its notebook source, in ``notebooks/<assignment>/variants.py``,
which defines ``VARIANTS``, a list of :class:`Variant`. A variant replaces the whole content of
one answer cell (found by its grade_id) in the reference submission. A mutant must lose points by
a failed assertion of the tests; a correct variant must keep full marks.
"""
from __future__ import annotations

import importlib.util
import textwrap
from dataclasses import dataclass

from ..paths import course_root


@dataclass(frozen=True)
class Variant:
    cell: str          # grade_id of the answer cell the code replaces
    name: str          # short id, unique within the stage
    description: str   # the mistake (or the alternative) in words
    code: str          # the full new content of the cell
    correct: bool = False
    # A mutant that may be caught by a crash (an exception that is not a test's assertion)
    # instead of a failed assertion says why here; otherwise a crash does not count as caught.
    crashes: str = ""

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).strip() + "\n"


def mutant(cell: str, name: str, description: str, code: str, *, crashes: str = "") -> Variant:
    return Variant(cell, name, description, code, correct=False, crashes=crashes)


def correct(cell: str, name: str, description: str, code: str) -> Variant:
    return Variant(cell, name, description, code, correct=True)


def catalogue_path(assignment: str, root=None):
    return (root or course_root()) / "notebooks" / assignment / "variants.py"


def catalogue(assignment: str, root=None) -> list[Variant]:
    """The variants for one assignment id such as ``01_linear_estimator``."""
    path = catalogue_path(assignment, root)
    if not path.is_file():
        raise FileNotFoundError(f"{assignment} has no catalogue: write {path}")
    spec = importlib.util.spec_from_file_location(f"nncourse_variants_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    variants = list(module.VARIANTS)
    names = [v.name for v in variants]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"{assignment}: variant names repeat: {sorted(duplicates)}")
    return variants
