"""Grade submitted notebooks with real nbgrader autograde and report per-test results.

``grade(assignment, paths)`` returns one dict per path, in order:
``{"submission", "student", "assignment", "auto_score", "auto_max_score", "manual_max_score",
"tests": [{"grade_id", "score", "max_score", "passed", "message"}], "notes": [...]}`` where notes
say what was repaired before grading (see restore.py), or, for a path that could not be graded, ``{"submission", "student", "assignment", "error"}`` with a one-line reason.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from .build import NOTEBOOK_METADATA, generate_release, run_nbgrader, write_notebook
from .paths import COURSE_ID, release_notebook, source_notebook
from .restore import restore

_STUDENT_RE = re.compile(r"[^A-Za-z0-9_.-]+")
_EXCEPTION_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Timeout))\b.*")


def grade_cells(assignment: str) -> dict:
    """grade_id -> (points, is_autograded_test) for every grade cell of the instructor notebook."""
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    cells = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            cells[meta["grade_id"]] = (float(meta["points"]), not meta.get("solution", False))
    return cells


def student_ids(paths) -> list[str]:
    """The file stem of each path, made safe for nbgrader and unique."""
    seen: dict[str, int] = {}
    ids = []
    for path in paths:
        base = _STUDENT_RE.sub("_", Path(path).stem).strip("._") or "student"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def _one_line(text: str, limit: int = 300) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def read_submission(path: str | Path):
    """Load a submitted notebook, or raise ValueError with a one-line reason."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"cannot read {path}: no such file")
    try:
        nb = nbformat.read(path, as_version=4)
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not a notebook (not UTF-8 text)") from None
    except Exception as exc:  # nbformat raises several types for broken JSON or non-notebooks
        raise ValueError(f"{path.name} is not a readable notebook: {_one_line(exc)}") from None
    if not isinstance(nb.get("cells"), list):
        raise ValueError(f"{path.name} is not a notebook: it has no list of cells")
    return nb


def _test_message(cell) -> str:
    """The first line a student would read for a failed test cell."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            evalue = _one_line(output.get("evalue", ""))
            return f"{output.get('ename', 'Error')}: {evalue}" if evalue else output.get("ename", "Error")
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return f"the cell wrote to stderr, which nbgrader scores as a failure: {_one_line(output.get('text', ''))}"
    return "the cell did not pass"


def _failure_reason(log: str, student: str) -> str:
    """Pull the most telling line about ``student`` out of nbgrader's log."""
    lines = log.splitlines()
    marker = f"for student '{student}'"
    end = next((i for i, ln in enumerate(lines) if marker in ln), None)
    if end is None:
        block = lines
    else:
        start = max((i for i, ln in enumerate(lines[:end]) if "for student '" in ln), default=-1) + 1
        block = lines[start:end]
    for line in reversed(block):
        if _EXCEPTION_LINE.match(line):
            return _one_line(line)
    errors = [ln for ln in block if "ERROR" in ln and "Please see" not in ln]
    return _one_line(errors[-1].split("]", 1)[-1]) if errors else "nbgrader autograde produced no result"


def _prepare_course(course_dir: Path, assignment: str) -> None:
    course_dir.mkdir(parents=True, exist_ok=True)
    target = source_notebook(assignment, course_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source_notebook(assignment), target)
    generate_release(assignment, course_dir)


def _collect(course_dir: Path, assignment: str, student: str, cells: dict, log: str) -> dict:
    from nbgrader.api import Gradebook, MissingEntry

    autograded = course_dir / "autograded" / student / assignment / f"{assignment}.ipynb"
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", COURSE_ID) as gb:
        try:
            notebook = gb.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            notebook = None
        scores = {g.name: g.score for g in notebook.grades} if notebook is not None else {}
    if notebook is None or not autograded.is_file():
        return {"error": _failure_reason(log, student)}
    graded_nb = nbformat.read(autograded, as_version=4)
    cells_by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in graded_nb.cells}
    tests = []
    for grade_id, (points, is_test) in cells.items():
        if not is_test:
            continue
        score = float(scores.get(grade_id, 0.0))
        passed = score >= points
        message = "" if passed else (
            _test_message(cells_by_id[grade_id]) if grade_id in cells_by_id else "test cell missing")
        tests.append({"grade_id": grade_id, "score": score, "max_score": points, "passed": passed,
                      "message": message})
    return {
        "auto_score": sum(t["score"] for t in tests),
        "auto_max_score": sum(t["max_score"] for t in tests),
        "manual_max_score": sum(p for p, is_test in cells.values() if not is_test),
        "tests": tests,
    }


def _grade_batch(assignment: str, batch: list[tuple[str, object]], course_dir: Path,
                 figures: bool = True, template: Path | None = None) -> dict[str, dict]:
    """Autograde ``batch`` (student id, notebook) in one course directory.

    ``template``: a course directory already prepared for ``assignment`` to copy instead of
    running nbgrader generate_assignment again."""
    if template is not None:
        shutil.copytree(template, course_dir)
    else:
        _prepare_course(course_dir, assignment)
    release = nbformat.read(release_notebook(assignment), as_version=4)
    notes = {}
    for student, nb in batch:
        nb, notes[student] = restore(nb, release)
        folder = course_dir / "submitted" / student / assignment
        if folder.exists():
            shutil.rmtree(folder)
        # Run every submission on the course's kernel, whatever kernel the student's editor recorded.
        nb.metadata["kernelspec"] = nbformat.from_dict(NOTEBOOK_METADATA["kernelspec"])
        write_notebook(nb, folder / f"{assignment}.ipynb")
    # Without figures, matplotlib draws nothing (the Agg backend renders only on request): the
    # scores are the same and each notebook runs faster; the mutant catalogue grades that way.
    env = {} if figures else {"MPLBACKEND": "agg"}
    proc = run_nbgrader(["autograde", assignment, "--force", "--create"], course_dir, env=env)
    log = proc.stdout + proc.stderr
    cells = grade_cells(assignment)
    return {student: {**_collect(course_dir, assignment, student, cells, log), "notes": notes[student]}
            for student, _ in batch}


def grade(assignment: str, paths, course_dir: Path | None = None, jobs: int = 1,
          figures: bool = True) -> list[dict]:
    paths = [str(p) for p in paths]
    students = student_ids(paths)
    results = [{"submission": p, "student": s, "assignment": assignment} for p, s in zip(paths, students)]
    readable = []
    for result, path in zip(results, paths):
        try:
            readable.append((result["student"], read_submission(path)))
        except ValueError as exc:
            result["error"] = str(exc)
    outcome: dict[str, dict] = {}
    if readable:
        if course_dir is not None:
            outcome = _grade_batch(assignment, readable, Path(course_dir).resolve(), figures)
        else:
            jobs = max(1, min(jobs, len(readable)))
            batches = [readable[i::jobs] for i in range(jobs)]
            with tempfile.TemporaryDirectory(prefix="nncourse-grade-") as tmp:
                template = Path(tmp) / "template"
                _prepare_course(template, assignment)
                with ThreadPoolExecutor(max_workers=jobs) as pool:
                    futures = [pool.submit(_grade_batch, assignment, batch, Path(tmp) / f"worker{i}", figures,
                                           template)
                               for i, batch in enumerate(batches)]
                    for future in futures:
                        outcome.update(future.result())
    for result in results:
        result.update(outcome.get(result["student"], {}))
    return results


def format_table(results: list[dict]) -> str:
    """A readable table: one row per submission, failed tests with their first message."""
    width = max([len("student")] + [len(r["student"]) for r in results])
    rows = [f"{'student':<{width}}  {'score':>11}  result", f"{'-' * width}  {'-' * 11}  {'-' * 40}"]
    for r in results:
        if "error" in r:
            rows.append(f"{r['student']:<{width}}  {'-':>11}  ERROR: {r['error']}")
            continue
        score = f"{r['auto_score']:g} / {r['auto_max_score']:g}"
        lines = [f"{t['grade_id']}: {_one_line(t['message'], 100)}" for t in r["tests"] if not t["passed"]]
        lines = (lines or ["all tests passed"]) + [f"note: {note}" for note in r.get("notes", [])]
        rows.append(f"{r['student']:<{width}}  {score:>11}  {lines[0]}")
        rows += [f"{'':<{width}}  {'':>11}  {line}" for line in lines[1:]]
    manual = {r.get("manual_max_score") for r in results if "error" not in r}
    if manual and manual != {0.0}:
        rows.append(f"(plus {max(manual):g} points of written answers, graded by hand in formgrader)")
    return "\n".join(rows)
