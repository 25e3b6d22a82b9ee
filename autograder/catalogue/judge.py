"""Grade the reference, the blank release and every variant of a stage; judge the results.

Two engines grade the examples. "fork" (forking.py, forked_grade.py) runs the stage's notebook
once and each example in a fork taken before the cell it replaces, and scores the result as
nbgrader autograde does; "nbgrader" grades every example through real nbgrader autograde in the
sandbox, as a class is graded. Both give the same verdicts and failure signatures
(tests/test_mutants.py compares them on a stage; signatures.json is the same from either).
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..kernel.protocol import Fault
from ..nbio import write_notebook
from ..grading.diagnose import live_table, signature_table, write_signatures
from ..grading.grade import grade
from .forked_grade import grade_forked
from .examples import blank_submission, reference_submission, with_cell
from . import Variant, catalogue


@dataclass
class StageReport:
    assignment: str
    seconds: float = 0.0
    caught: list = field(default_factory=list)        # mutants that lost points
    survived: list = field(default_factory=list)      # mutants that kept full marks (bad)
    kept: list = field(default_factory=list)          # correct variants with full marks
    punished: list = field(default_factory=list)      # correct variants that lost points (bad)
    crashed: list = field(default_factory=list)       # mutants that lost points only by a crash (bad)
    problems: list = field(default_factory=list)      # reference/blank/errors
    graded: list = field(default_factory=list)        # (mutant Variant, its SubmissionResult), catalogue order
    results: dict = field(default_factory=dict)       # every example's SubmissionResult by student id

    @property
    def ok(self) -> bool:
        return not (self.survived or self.punished or self.crashed or self.problems)


def caught_by_assertion(result) -> bool:
    """Did a test lose points by one of its own checks failing (not by the code crashing)?"""
    return any(t.error == "AssertionError" for t in result.failed_tests())


def crash_names(result) -> str:
    return ", ".join(sorted({f"{t.grade_id}: {t.error or 'no error'}" for t in result.failed_tests()}))


def examples_for(assignment: str) -> dict[str, tuple]:
    """student id -> (notebook, variant or role): the reference first, the blank, one per variant."""
    reference = reference_submission(assignment)
    made = {"reference": (reference, "reference"), "blank": (blank_submission(assignment), "blank")}
    for variant in catalogue(assignment):
        student = f"{'correct' if variant.correct else 'mutant'}-{variant.name}"
        made[student] = (with_cell(reference, variant.cell, variant.source), variant)
    return made


ENGINES = ("fork", "nbgrader")


def judge(assignment: str, jobs: int = 2, engine: str = "fork") -> StageReport:
    """``engine``: "fork" (forking.py: the notebook runs once and each variant in a fork of it,
    scored as nbgrader scores) or "nbgrader" (every example through real nbgrader autograde in
    the sandbox, as a class is graded)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    report = StageReport(assignment)
    start = time.perf_counter()
    made = examples_for(assignment)
    # Honest notebooks run to the end (full marks, no flag, no limit hit); a mutant stops at
    # its first test that fails by an assertion, which already decides that it was caught.
    mutants = {s for s, (_, role) in made.items() if isinstance(role, Variant) and not role.correct}
    if engine == "fork":
        graded = grade_forked(assignment, {s: nb for s, (nb, _) in made.items()}, mutants, jobs=jobs)
    else:
        with tempfile.TemporaryDirectory(prefix="nncourse-mutants-") as tmp:
            paths = []
            for student, (nb, _) in made.items():
                paths.append(Path(tmp) / f"{student}.ipynb")
                write_notebook(nb, paths[-1])
            # One class, so the stage is prepared and nbgrader started once.
            graded = {r.student: r for r in grade(assignment, paths, jobs=jobs, figures=False,
                                                  stop_after_failed_test=mutants)}
    results = [graded[s] for s in made]
    report.results = dict(graded)
    report.seconds = time.perf_counter() - start
    for result, (_, role) in zip(results, made.values()):
        name = result.student
        if result.error:
            report.problems.append(f"{name}: could not be graded: {result.error}")
            continue
        if isinstance(role, Variant) and not role.correct:
            report.graded.append((role, result))
        score, full = result.auto_score, result.auto_max_score
        # A mutant's run stops at its first failed test: the tests after it did not run at all.
        failed = [t.grade_id for t in result.failed_tests() if t.error != Fault.NOT_RUN.value]
        if role == "reference" or getattr(role, "correct", False):
            # An honest submission is never flagged and runs within every limit.
            for flag in result.flags:
                report.problems.append(f"{name}: honest submission flagged: {flag}")
            for fault in result.faults:
                report.problems.append(f"{name}: honest submission hit a limit: {fault}")
        if role == "reference":
            if score != full:
                report.problems.append(f"reference scored {score:g}/{full:g}, failing {failed}")
        elif role == "blank":
            if score != 0:
                report.problems.append(f"blank release scored {score:g}/{full:g}; it must score 0")
        elif role.correct:
            (report.kept if score == full else report.punished).append(
                (role, f"{score:g}/{full:g}", failed))
        elif score >= full:
            report.survived.append((role, f"{score:g}/{full:g}", failed))
        elif caught_by_assertion(result) or role.crashes:
            report.caught.append((role, f"{score:g}/{full:g}", failed))
        else:
            report.crashed.append((role, f"{score:g}/{full:g}", failed, crash_names(result)))
    return report


def signatures(report: StageReport) -> dict:
    """The stage's table of failure signatures (grading/diagnose.py), from its mutants' results."""
    return signature_table(report.graded)


def print_report(report: StageReport) -> None:
    n_mut = len(report.caught) + len(report.survived) + len(report.crashed)
    n_cor = len(report.kept) + len(report.punished)
    print(f"{report.assignment}: mutants caught {len(report.caught)}/{n_mut}, "
          f"correct variants with full marks {len(report.kept)}/{n_cor} ({report.seconds:.1f} s)")
    for variant, score, failed in report.caught:
        print(f"  caught     {variant.cell}/{variant.name} (failed {', '.join(failed)}; the run stops there)")
    for variant, score, _ in report.survived:
        print(f"  SURVIVED   {variant.cell}/{variant.name}: {variant.description} kept full marks {score}")
    for variant, score, failed, errors in report.crashed:
        print(f"  CRASH ONLY {variant.cell}/{variant.name}: {variant.description} lost points only by a crash "
              f"({score}; {errors}); make a test assert it, or declare crashes='why'")
    for variant, score, _ in report.kept:
        print(f"  full marks {variant.cell}/{variant.name} (correct: {variant.description})")
    for variant, score, failed in report.punished:
        print(f"  PUNISHED   {variant.cell}/{variant.name}: correct ({variant.description}) but scored {score}, "
              f"failing {', '.join(failed)}")
    for problem in report.problems:
        print(f"  PROBLEM    {problem}")


def run_catalogue(assignments: list[str], jobs: int = 2, write: bool = False, engine: str = "fork") -> bool:
    """Judge every stage; ``write``: also write each stage's notebooks/<id>/signatures.json."""
    reports = []
    for assignment in assignments:
        report = judge(assignment, jobs=jobs, engine=engine)
        print_report(report)
        if write:
            table = signatures(report)
            path, live = write_signatures(assignment, table)
            ambiguous = sum(1 for entry in table.values() if entry["ambiguous"])
            print(f"  wrote {path} ({len(table)} signatures, {ambiguous} ambiguous) and {live} "
                  f"({len(live_table(table))} named live in the notebook)")
        reports.append(report)
    caught = sum(len(r.caught) for r in reports)
    crashed = sum(len(r.crashed) for r in reports)
    mutants = caught + crashed + sum(len(r.survived) for r in reports)
    kept = sum(len(r.kept) for r in reports)
    correct = kept + sum(len(r.punished) for r in reports)
    ok = all(r.ok for r in reports)
    print(f"total: mutants caught by an assertion {caught}/{mutants} ({crashed} only by a crash), correct variants with full marks {kept}/{correct}: "
          f"{'OK' if ok else 'FAILED'}")
    return ok
