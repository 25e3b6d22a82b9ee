"""The hidden tests are proven: every mutant loses points, every correct variant keeps full marks,
the reference gets full marks and the blank release scores zero (all graded by real nbgrader), and
each stage's committed failure signatures (notebooks/<id>/signatures.json) and the known mistakes
its notebook names live (helpers/mistakes/<id>.json) are those of this run."""
import json
from collections import Counter

import pytest

from autograder.catalogue import catalogue
from autograder.catalogue.judge import judge, print_report, signatures
from autograder.grading.diagnose import dump_signatures, live_table, read_signatures, signatures_path
from helpers.hints import mistakes_path, read_mistakes
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
    # The failure signatures diagnosis matches against (grading/diagnose.py) are never stale; a
    # stage without the file gives no diagnosis (and says nothing wrong).
    fresh = json.loads(dump_signatures(signatures(report)))["signatures"]
    assert not signatures_path(assignment).is_file() or read_signatures(assignment) == fresh, (
        f"{signatures_path(assignment)} is stale: run "
        f"python -m autograder mutants {assignment} --write-signatures and commit it")
    # ... nor are the known mistakes the student's notebook names live (helpers/hints.py).
    assert not mistakes_path(assignment).is_file() or read_mistakes(assignment) == live_table(fresh), (
        f"{mistakes_path(assignment)} is stale: run python -m autograder mutants {assignment} --write-signatures")
