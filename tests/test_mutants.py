"""The hidden tests are proven: every mutant loses points, every correct variant keeps full marks,
the reference gets full marks and the blank release scores zero, and each stage's committed
failure signatures (notebooks/<id>/signatures.json) and the known mistakes its notebook names live
(helpers/mistakes/<id>.json) are those of this run.

Every stage is judged with the fork engine (catalogue/forking.py: the notebook runs once, each
example in a fork of it, scored as nbgrader scores). One stage is also judged through real
nbgrader autograde in the sandbox, and the two must agree on every example: scores, each test's
message, error and placement, faults and flags. The committed signatures of every stage were
written through nbgrader and are reproduced by the fork engine, so the two also agree on every
mutant's first failure in all ten stages."""
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


def _outcome(result):
    return {"score": result.auto_score, "max": result.auto_max_score, "faults": result.faults, "flags": result.flags,
            "error": result.error, "tests": [(t.grade_id, t.score, t.passed, t.message, t.error, t.hidden)
                                            for t in result.tests]}


def test_the_fork_engine_grades_every_example_as_nbgrader_does():
    assignment = "01_linear_estimator"
    forked = judge(assignment, jobs=2, engine="fork")
    through_nbgrader = judge(assignment, jobs=2, engine="nbgrader")
    assert set(forked.results) == set(through_nbgrader.results)
    assert len(forked.results) == len(catalogue(assignment)) + 2
    differ = {student: (_outcome(result), _outcome(through_nbgrader.results[student]))
              for student, result in forked.results.items()
              if _outcome(result) != _outcome(through_nbgrader.results[student])}
    assert not differ, differ
    assert forked.ok and through_nbgrader.ok


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
