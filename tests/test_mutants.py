"""The hidden tests are proven: every mutant loses points, every correct variant keeps full marks,
the reference gets full marks and the blank release scores zero (all graded by real nbgrader)."""
from collections import Counter

import pytest

from autograder.catalogue import catalogue
from autograder.catalogue.judge import judge, print_report
from autograder.paths import resolve_assignments
from autograder.catalogue.examples import answer_cell_ids

ASSIGNMENTS = resolve_assignments([])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_catalogue_covers_every_graded_function(assignment):
    variants = catalogue(assignment)
    mutants = Counter(v.cell for v in variants if not v.correct)
    for cell in answer_cell_ids(assignment):
        assert mutants[cell] >= 4, f"{assignment}: answer cell {cell!r} has {mutants[cell]} mutants, need 4"
    assert sum(v.correct for v in variants) >= 2, f"{assignment}: need at least 2 correct variants"
    for v in variants:
        compile(v.source, f"{assignment}/{v.name}", "exec")
        assert v.cell in answer_cell_ids(assignment), f"{v.name} targets unknown cell {v.cell}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_catch_every_mutant_and_spare_every_correct_variant(assignment):
    report = judge(assignment, jobs=2)
    print_report(report)
    assert not report.problems, report.problems
    assert not report.survived, [v.name for v, *_ in report.survived]
    assert not report.punished, [v.name for v, *_ in report.punished]
    assert not report.crashed, [f"{v.name}: {errors}" for v, _, _, errors in report.crashed]
