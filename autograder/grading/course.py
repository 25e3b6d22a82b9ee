"""nbgrader course directories for grading: the prepared assignment (cached by content), the
configuration the grader adds, and what a kernel must never read.

Preparing an assignment (nbgrader generate_assignment, which also creates the gradebook) costs
seconds; a prepared course directory is kept in ``build/prepared/<assignment>-<digest>/``, where the
digest covers the instructor notebook, the course's nbgrader config and nbgrader's version, so a
changed stage is prepared again and an unchanged one never is.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path

from ..kernel.protocol import RUNTIME_FOLDER
from ..limits import Limits
from ..nbgrader_run import generate_release
from ..nbio import read_notebook
from ..paths import UsageError, course_root, source_notebook

PREPARED_PARTS = ("gradebook.db", "source", "release")


def grading_config(limits: Limits, watch_dir: Path, sandbox_dir: Path | None = None,
                   stop_after_failed_test=False) -> str:
    """Python appended to nbgrader_config.py in the grader's own course directories.
    ``stop_after_failed_test``: True for every student, or the student ids it is true for."""
    stop_all = stop_after_failed_test is True
    stop_students = sorted(stop_after_failed_test) if not isinstance(stop_after_failed_test, bool) else []
    return f"""

# Added by the grader (autograder/grading/course.py) in its own course directory.
from nbgrader.preprocessors import (IgnorePattern, LimitOutput, SaveAutoGrades, AssignLatePenalties,
                                    CheckCellMetadata)
from nbconvert.preprocessors import ClearMetadataPreprocessor
from autograder.kernel.guard import GuardedExecute
c.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
c.Execute.timeout = {int(limits.cell_timeout)}
# A kernel on a loaded machine can take a while to answer its first message.
c.Execute.startup_timeout = 180
c.GuardedExecute.submission_timeout = {int(limits.submission_timeout)}
c.GuardedExecute.max_output = {int(limits.output)}
c.GuardedExecute.watch_dir = {str(watch_dir)!r}
c.GuardedExecute.stop_after_failed_test = {stop_all}
c.GuardedExecute.stop_students = {stop_students!r}
""" + ("" if sandbox_dir is None else f"""
# Sandboxed kernels have no network: they talk to nbgrader over ipc sockets in JUPYTER_RUNTIME_DIR.
c.KernelManager.transport = "ipc"
c.KernelManager.ip = {str(sandbox_dir.parent / RUNTIME_FOLDER / "kernel")!r}
c.GuardedExecute.sandbox_dir = {str(sandbox_dir)!r}
""")


def feedback_config(hide_hidden_tests: bool) -> str:
    """Feedback without the grader's seal (and, if asked, without hidden-test source)."""
    hide = "HideHiddenTests, " if hide_hidden_tests else ""
    return f"""

# Added by the grader (autograder/grading/course.py).
from nbgrader.preprocessors import GetGrades
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from autograder.kernel.feedback import HideHiddenTests, Unseal
c.GenerateFeedback.preprocessors = [Unseal, {hide}GetGrades, CSSHTMLHeaderPreprocessor]
"""


def prepared_cache() -> Path:
    return Path(os.environ.get("NNCOURSE_PREPARED") or course_root() / "build" / "prepared")


def preparation_digest(assignment: str) -> str:
    digest = hashlib.sha256()
    digest.update(source_notebook(assignment).read_bytes())
    digest.update((course_root() / "nbgrader_config.py").read_bytes())
    digest.update(version("nbgrader").encode())
    return digest.hexdigest()[:16]


def prepare_course(course_dir: Path, assignment: str) -> None:
    """Make ``course_dir`` an nbgrader course directory with ``assignment`` generated."""
    course_dir.mkdir(parents=True, exist_ok=True)
    target = source_notebook(assignment, course_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source_notebook(assignment), target)
    generate_release(assignment, course_dir)


def prepared(assignment: str) -> Path:
    """A course directory with ``assignment`` generated, from the cache or made now."""
    cache = prepared_cache()
    folder = cache / f"{assignment}-{preparation_digest(assignment)}"
    if (folder / "gradebook.db").is_file():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    for stale in cache.glob(f"{assignment}-*"):
        if stale != folder:  # a parallel run may have just made ours: it is not stale
            shutil.rmtree(stale, ignore_errors=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{assignment}-", dir=cache))
    prepare_course(fresh, assignment)
    first_imports(fresh, assignment)
    try:
        fresh.rename(folder)  # atomic: a parallel run that got there first wins, ours is dropped
    except OSError:
        shutil.rmtree(fresh, ignore_errors=True)
    return folder


FIRST_IMPORTS = "first_imports.json"  # in a prepared course directory, beside gradebook.db


def first_imports(template: Path, assignment: str) -> list[str]:
    """The modules the assignment's code cells import before its first answer cell, which a warm
    kernel imports ahead of the notebook (kernel/warm.py). Read from the release notebook once per
    prepared assignment and kept beside it: telling answer cells apart takes nbgrader, whose import
    costs the grader a second before its first kernel."""
    kept = template / FIRST_IMPORTS
    if kept.is_file():
        return json.loads(kept.read_text(encoding="utf-8"))
    from nbgrader.utils import is_solution

    modules = []
    for cell in read_notebook(template / "release" / assignment / f"{assignment}.ipynb").cells:
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            break
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.append(node.module)
    modules = list(dict.fromkeys(modules))
    partial = kept.with_name(f".{FIRST_IMPORTS}.{os.getpid()}")
    partial.write_text(json.dumps(modules), encoding="utf-8")
    partial.replace(kept)  # atomic: parallel graders write the same list
    return modules


def copy_prepared(template: Path, course_dir: Path) -> None:
    course_dir.mkdir(parents=True, exist_ok=True)
    for name in PREPARED_PARTS:
        src = template / name
        if src.is_dir():
            shutil.copytree(src, course_dir / name, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copyfile(src, course_dir / name)


def protected_paths(course_dir: Path) -> list[str]:
    """What a kernel must not read while it grades: hidden tests and solutions, the gradebook,
    other students' work, the grader's prepared assignments."""
    repo = course_root()
    paths = [course_dir / name for name in ("source", "submitted", "gradebook.db", "nbgrader_config.py", "feedback")]
    # notebooks/ holds the catalogues, whose correct variants are solutions; autograder/ is the
    # grader's own code, whose files Python itself reads (for example to print a traceback).
    paths += [repo / name for name in ("source", "notebooks", "gradebook.db")] + [prepared_cache()]
    return [str(p) for p in paths]


def check_course_dir(course_dir) -> None:
    if course_dir is not None and Path(course_dir).resolve() == course_root().resolve():
        raise UsageError("--course-dir must not be the repository itself (grading there would rewrite source/ "
                         "and release/): give a separate folder, for example ../grading")
