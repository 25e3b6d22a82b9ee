"""Merging worker course directories into one course, through nbgrader's Gradebook API.

Each worker grades its share of a class in its own course directory; merging copies every
worker's submissions of an assignment (timestamps, late penalties, flags, grades and comments,
matched by notebook and cell name, so a worker need not be a copy of the target) into the target
gradebook, and each student's submitted/, autograded/ and feedback/ folders beside it, so that
formgrader and ``nbgrader export`` in the target see the whole class.
"""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from ..kernel.runner import set_due_date
from ..paths import open_gradebook
from .course import check_course_dir, copy_prepared, prepared

GRADE_FIELDS = ("auto_score", "manual_score", "extra_credit", "needs_manual_grade")
COMMENT_FIELDS = ("auto_comment", "manual_comment")
STUDENT_FIELDS = ("first_name", "last_name", "email", "lms_user_id")


def merge_gradebooks(target: Path, workers: list[Path], assignment: str) -> list[str]:
    """Copy every worker gradebook's submissions of ``assignment`` into ``target``'s (course
    directories). A student graded again replaces their earlier submission. Returns the students."""
    merged: list[str] = []
    with open_gradebook(target) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise ValueError(f"{target} has no assignment {assignment}: run the grader there first") from None
        for worker in workers:
            with open_gradebook(worker) as source:
                try:
                    submissions = source.find_assignment(assignment).submissions
                except MissingEntry:
                    continue
                for sub in submissions:
                    _copy_submission(gb, sub, assignment)
                    merged.append(sub.student.id)
    return merged


def _copy_submission(gb: Gradebook, sub, assignment: str) -> None:
    student = sub.student
    gb.update_or_create_student(student.id, **{f: getattr(student, f) for f in STUDENT_FIELDS})
    try:
        gb.remove_submission(assignment, student.id)
    except MissingEntry:
        pass
    with warnings.catch_warnings():
        # nbgrader's add_submission builds its rows before adding them to the session, which
        # SQLAlchemy warns about; the rows are added and committed all the same.
        warnings.simplefilter("ignore", SAWarning)
        copy = gb.add_submission(assignment, student.id, timestamp=sub.timestamp, extension=sub.extension)
    for notebook in sub.notebooks:
        target_nb = gb.find_submission_notebook(notebook.name, assignment, student.id)
        target_nb.flagged = notebook.flagged
        target_nb.late_submission_penalty = notebook.late_submission_penalty
        for grade in notebook.grades:
            row = gb.find_grade(grade.name, notebook.name, assignment, student.id)
            for name in GRADE_FIELDS:
                setattr(row, name, getattr(grade, name))
        for comment in notebook.comments:
            row = gb.find_comment(comment.name, notebook.name, assignment, student.id)
            for name in COMMENT_FIELDS:
                setattr(row, name, getattr(comment, name))
    gb.db.commit()
    return copy


def merge_courses(target: Path, workers: list[Path], assignment: str, due: str | None = None) -> list[str]:
    """Merge worker course directories into ``target``: gradebook rows and each student's
    submitted/, autograded/ and feedback/ folders. A target without a gradebook is prepared first.
    ``due`` (ISO, UTC): the due date the workers graded against, recorded in the target too."""
    check_course_dir(target)
    if not (target / "gradebook.db").is_file():
        copy_prepared(prepared(assignment), target)
    if due:
        set_due_date(target, assignment, due)
    workers = [w for w in workers if w.resolve() != target.resolve()]
    merged = merge_gradebooks(target, workers, assignment)
    for worker in workers:
        for area in ("submitted", "autograded", "feedback"):
            for student_dir in sorted((worker / area).glob(f"*/{assignment}")):
                dest = target / area / student_dir.parent.name / assignment
                if dest.resolve() == student_dir.resolve():
                    continue
                if dest.exists():
                    shutil.rmtree(dest)
                shutil.copytree(student_dir, dest)
    return merged
