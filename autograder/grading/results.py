"""What grading one submission produces: typed results, and their JSON form (the one schema).

A :class:`SubmissionResult` is created when a submission is found and filled in as it moves
through grading; ``to_dict`` gives the JSON object ``grade --json`` prints:

=================  =============================================================================
key                meaning
=================  =============================================================================
submission         the path given (or found) for this notebook
student            the student id (file stem, or nbgrader's ``submitted/<student>`` folder name)
assignment         the assignment id
auto_score         points from the autograded tests
auto_max_score     points the autograded tests can give
manual_max_score   points of answers graded by hand in formgrader
tests              one object per autograded test, see :class:`TestResult`: grade_id, score,
                   max_score, passed, message (the first line a student reads), error (the
                   exception, "AssertionError" for a failed check), hidden (the failing line is in
                   the cell's hidden tests, so the visible tests the student ran passed; also
                   true when a cell with hidden tests failed without a traceback to place it)
notes              what was repaired before grading (restore.py)
faults             what stopped or cut the run: limits, a dead kernel, a test cell that did not finish
flags              what looked like tampering with grading; a reason to look, not a score
first_error        the first exception any cell raised, with the cell
feedback           path of the student's feedback HTML (only with ``--feedback``)
sandbox            how the kernel was isolated: "bwrap" or "none"
seconds            wall-clock seconds its worker spent on it: from the end of the submission graded
                   before it in the same worker (or the worker's start) to its autograded notebook
timestamp          when it was submitted (ISO, UTC), from nbgrader's timestamp.txt; "" if none
seconds_late       seconds after the assignment's due date (0 when on time or without a due date)
late_penalty       points the course's late policy takes off auto_score (kernel/late.py)
likely_causes      for a failing submission whose first failure is exactly that of one catalogue
                   mutant: one line naming the mistake, "likely cause (<cell>): <mistake>"
                   (diagnose.py); [] otherwise
isolated           with ``grade --isolate-answers``: one line per test that failed only because an
                   earlier answer is wrong and passed when re-run with the reference for that
                   answer, "<test>: <points> points, lost only because `<answer>` is wrong"; those
                   points are in the test's score and auto_score (isolate.py); [] otherwise
error              only for a submission that could not be graded: a one-line reason (then only
                   submission, student, assignment, notes and error are present)
=================  =============================================================================
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class TestResult:
    grade_id: str
    score: float
    max_score: float
    passed: bool
    message: str = ""   # the first line a student reads for a failed test
    error: str = ""     # the exception the test cell raised ("AssertionError" for a failed check)
    hidden: bool = False  # it failed in the cell's hidden tests (or could not be placed in its visible part)


@dataclass
class SubmissionResult:
    submission: str
    student: str
    assignment: str
    auto_score: float = 0.0
    auto_max_score: float = 0.0
    manual_max_score: float = 0.0
    tests: list[TestResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    first_error: str = ""
    feedback: str = ""
    sandbox: str = ""
    error: str = ""
    seconds: float = 0.0  # 0.0 means not measured
    timestamp: str = ""
    seconds_late: float = 0.0
    late_penalty: float = 0.0
    likely_causes: list[str] = field(default_factory=list)
    isolated: list[str] = field(default_factory=list)

    @property
    def graded(self) -> bool:
        return not self.error

    def failed_tests(self) -> list[TestResult]:
        return [t for t in self.tests if not t.passed]

    def to_dict(self) -> dict:
        if self.error:
            out = {"submission": self.submission, "student": self.student, "assignment": self.assignment}
            if self.notes:
                out["notes"] = list(self.notes)
            out["error"] = self.error
            return out
        out = asdict(self)
        del out["error"]
        if not self.feedback:
            del out["feedback"]
        if not self.seconds:
            del out["seconds"]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "SubmissionResult":
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["tests"] = [TestResult(**{k: v for k, v in t.items() if k in TestResult.__dataclass_fields__})
                           for t in data.get("tests", [])]
        return cls(**values)
