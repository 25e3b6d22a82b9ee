"""Grade submitted notebooks with real nbgrader autograde and report per-test results.

``grade(assignment, paths)`` returns one dict per path, in order:
``{"submission", "student", "assignment", "auto_score", "auto_max_score", "manual_max_score",
"tests": [{"grade_id", "score", "max_score", "passed", "message"}], "notes": [...], "faults": [...],
"flags": [...], "first_error": str}`` where notes say what was repaired before grading (see
restore.py), faults what stopped the run (a cell over its time limit, a dead kernel, memory,
dropped output; see guard.py), flags what looked like tampering with grading (see watch.py), and
first_error the first exception any cell raised; or, for a path that could not be graded,
``{"submission", "student", "assignment", "error"}`` with a one-line reason.

A PATH may also be a folder: nbgrader's ``submitted/<student>/<assignment>/`` layout (the folder
``submitted`` or the course directory holding it) or a flat folder of ``<student>.ipynb``.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .nbgrader_run import generate_release, run_nbgrader
from .nbio import NOTEBOOK_METADATA, write_notebook
from .guard import TRUNCATED
from .paths import COURSE_ID, UsageError, course_root, release_notebook, source_notebook
from .restore import restore


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Per cell and per notebook in seconds; memory in bytes of
    address space per kernel; output in characters kept per cell."""

    cell_timeout: int = 300
    submission_timeout: int = 1200
    memory: int = 4 * 2**30
    output: int = 1_000_000


def parse_size(text: str) -> int:
    """'512M', '4G', '1.5G' or a number of bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgKMG]?)i?[bB]?\s*", str(text))
    if not match:
        raise UsageError(f"cannot read the size {text!r}: write it like 512M or 4G")
    scale = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def _grading_config(limits: Limits) -> str:
    return f"""

# Added by the grader (autograder/grade.py) in its own course directory.
from nbgrader.preprocessors import (IgnorePattern, LimitOutput, SaveAutoGrades, AssignLatePenalties,
                                    CheckCellMetadata)
from nbconvert.preprocessors import ClearMetadataPreprocessor
from autograder.guard import GuardedExecute
c.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
c.Execute.timeout = {int(limits.cell_timeout)}
c.GuardedExecute.submission_timeout = {int(limits.submission_timeout)}
c.GuardedExecute.max_output_bytes = {int(limits.output)}
"""


_FEEDBACK_CONFIG = """

# Added by the grader: feedback without hidden-test source.
from nbgrader.preprocessors import GetGrades
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from autograder.guard import HideHiddenTests
c.GenerateFeedback.preprocessors = [HideHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]
"""

_STARTUP = "from autograder.watch import install\ninstall()\n"

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


def _safe_id(name: str) -> str:
    return _STUDENT_RE.sub("_", name).strip("._") or "student"


def student_ids(paths) -> list[str]:
    """The file stem of each path, made safe for nbgrader and unique."""
    return _unique([_safe_id(Path(path).stem) for path in paths])


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for base in names:
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def _notebook_in(folder: Path, assignment: str) -> Path:
    """The notebook a student submitted in ``folder`` (the one named after the assignment, else
    the only one there); a path that does not exist when there is none, so it is reported."""
    named = folder / f"{assignment}.ipynb"
    if named.is_file():
        return named
    found = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    return found[0] if len(found) == 1 else named


def find_submissions(assignment: str, paths) -> list[tuple[str, Path]]:
    """(student id, notebook path) for every PATH: a notebook, a flat folder of
    ``<student>.ipynb``, or nbgrader's ``submitted/<student>/<assignment>/`` layout (give the
    ``submitted`` folder, the course directory that holds it, or one ``submitted/<student>``)."""
    named: list[tuple[str, Path]] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            named.append((Path(raw).stem, path))
            continue
        if (path / assignment).is_dir():  # one student's folder: submitted/<student>/
            named.append((path.resolve().name, _notebook_in(path / assignment, assignment)))
            continue
        root = path / "submitted" if (path / "submitted").is_dir() else path
        students = sorted(d for d in root.iterdir() if d.is_dir() and (d / assignment).is_dir())
        if students:
            named += [(d.name, _notebook_in(d / assignment, assignment)) for d in students]
            continue
        flat = sorted(p for p in root.glob("*.ipynb") if p.is_file())
        if not flat:
            raise UsageError(f"no submissions for {assignment} in {path}: expected <student>.ipynb files or "
                             f"nbgrader's submitted/<student>/{assignment}/{assignment}.ipynb")
        named += [(p.stem, p) for p in flat]
    ids = _unique([_safe_id(name) for name, _ in named])
    return [(sid, path) for sid, (_, path) in zip(ids, named)]


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


def _test_error(cell) -> str:
    """The exception a failed test cell raised ("AssertionError" for a failed check), or ""."""
    return next((o.get("ename", "") for o in cell.get("outputs", []) if o.get("output_type") == "error"), "")


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


def _cell_label(index: int, cell) -> str:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"cell {index}" + (f" ({grade_id})" if grade_id else "")


def _faults(nb, limits: Limits) -> list[str]:
    """What stopped or cut the run, from the error outputs GuardedExecute leaves in cells."""
    faults, not_run = [], 0
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            name = output.get("ename") if output.get("output_type") == "error" else None
            if name == "NotRun":
                not_run += 1
            elif name == "CellTimeout":
                faults.append(f"time limit: {_cell_label(index, cell)} ran over {limits.cell_timeout} s and was stopped")
            elif name == "SubmissionTimeout":
                faults.append(f"time limit: the notebook ran over {limits.submission_timeout} s "
                              f"(stopped in {_cell_label(index, cell)})")
            elif name == "KernelDied":
                faults.append(f"kernel died in {_cell_label(index, cell)} (os._exit, exit(), a crash, or memory)")
            elif name == "MemoryError":
                faults.append(f"out of memory in {_cell_label(index, cell)} "
                              f"(limit {limits.memory / 2**30:g} GiB per kernel)")
            elif (output.get("output_type") == "stream"
                  and TRUNCATED.format(limit=limits.output) in output.get("text", "")):
                faults.append(f"output: {_cell_label(index, cell)} printed more than {limits.output} characters; "
                              "the rest was dropped")
    if not_run:
        faults.append(f"{not_run} later code cells were not run")
    return list(dict.fromkeys(faults))


def _first_error(nb) -> str:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                text = f"{output.get('ename', 'Error')}: {_one_line(output.get('evalue', ''), 160)}"
                return f"{_cell_label(index, cell)}: {text.rstrip(': ')}"
    return ""


def _flags(watch_file: Path, nb) -> list[str]:
    """The integrity watch's findings for one student, each with the cell it happened in."""
    if not watch_file.is_file():
        return []
    cells = {hashlib.sha1(c.source.encode()).hexdigest(): _cell_label(i, c)
             for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    flags = []
    for line in watch_file.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        where = cells.get(item.get("cell", ""), "a cell")
        flags.append(f"{item.get('flag', 'flag')}: {item.get('detail', '')}, in {where}")
    return list(dict.fromkeys(flags))


def _collect(course_dir: Path, assignment: str, student: str, cells: dict, log: str,
             limits: Limits = Limits()) -> dict:
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
        error = "" if passed or grade_id not in cells_by_id else _test_error(cells_by_id[grade_id])
        tests.append({"grade_id": grade_id, "score": score, "max_score": points, "passed": passed,
                      "message": message, "error": error})
    return {
        "auto_score": sum(t["score"] for t in tests),
        "auto_max_score": sum(t["max_score"] for t in tests),
        "manual_max_score": sum(p for p, is_test in cells.values() if not is_test),
        "tests": tests,
        "faults": _faults(graded_nb, limits),
        "flags": _flags(course_dir / ".watch" / f"{student}.jsonl", graded_nb),
        "first_error": _first_error(graded_nb),
    }


def _protected_paths(course_dir: Path) -> list[str]:
    """What a kernel must not read while it grades: hidden tests and solutions, the gradebook,
    other students' work."""
    repo = course_root()
    paths = [course_dir / name for name in ("source", "submitted", "gradebook.db", "nbgrader_config.py", "feedback")]
    # notebooks/ holds the catalogues, whose correct variants are solutions; autograder/ is the
    # grader's own code, whose files Python itself reads (for example to print a traceback).
    paths += [repo / name for name in ("source", "notebooks", "gradebook.db")]
    return [str(p) for p in paths]


class _Progress:
    """Counts students as nbgrader's log moves on to the next one; tqdm shows the count."""

    def __init__(self, bar, students: list[str]):
        self.bar, self.lock = bar, threading.Lock()
        self.pending = list(students)

    def line(self, text: str) -> None:
        if "Autograding" not in text or self.bar is None:
            return
        parts = Path(text.strip().split("Autograding", 1)[1].strip()).parts
        current = parts[-3] if len(parts) >= 3 else None
        with self.lock:
            while self.pending and self.pending[0] != current:
                self.pending.pop(0)
                self.bar.update(1)
            if self.pending:
                self.bar.set_postfix_str(current or "")

    def finish(self) -> None:
        if self.bar is not None:
            with self.lock:
                self.bar.update(len(self.pending))
                self.pending = []


def _grade_batch(assignment: str, batch: list[tuple[str, object]], course_dir: Path, template: Path,
                 figures: bool = True, limits: Limits = Limits(), feedback: str | None = None,
                 bar=None) -> dict[str, dict]:
    """Autograde ``batch`` (student id, notebook) in a new course directory ``course_dir``, made
    from ``template`` (a course directory already prepared for ``assignment``, so nbgrader
    generate_assignment runs once). ``feedback``: None, "full" or "hide-hidden"."""
    course_dir.mkdir(parents=True, exist_ok=True)
    for name in ("gradebook.db", "source", "release"):
        src = template / name
        if src.is_dir():
            shutil.copytree(src, course_dir / name, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copyfile(src, course_dir / name)
    release = nbformat.read(release_notebook(assignment), as_version=4)
    notes = {}
    for student, nb in batch:
        nb, notes[student] = restore(nb, release)
        for area in ("submitted", "autograded", "feedback"):
            folder = course_dir / area / student / assignment
            if folder.exists():
                shutil.rmtree(folder)
        # Run every submission on the course's kernel, whatever kernel the student's editor recorded.
        nb.metadata["kernelspec"] = nbformat.from_dict(NOTEBOOK_METADATA["kernelspec"])
        write_notebook(nb, course_dir / "submitted" / student / assignment / f"{assignment}.ipynb")
    watch_dir = course_dir / ".watch"
    shutil.rmtree(watch_dir, ignore_errors=True)
    watch_dir.mkdir()
    startup = course_dir / ".ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-nncourse-watch.py").write_text(_STARTUP, encoding="utf-8")
    env = {"IPYTHONDIR": str(course_dir / ".ipython"), "NNCOURSE_WATCH_DIR": str(watch_dir),
           "NNCOURSE_PROTECTED": os.pathsep.join(_protected_paths(course_dir))}
    # Without figures, matplotlib draws nothing (the Agg backend renders only on request): the
    # scores are the same and each notebook runs faster; the mutant catalogue grades that way.
    if not figures:
        env["MPLBACKEND"] = "agg"
    progress = _Progress(bar, [s for s, _ in batch])
    proc = run_nbgrader(["autograde", assignment, "--force", "--create"], course_dir, env=env,
                        extra_config=_grading_config(limits), on_line=progress.line,
                        memory_limit=limits.memory)
    progress.finish()
    log = proc.stdout
    cells = grade_cells(assignment)
    results = {student: {**_collect(course_dir, assignment, student, cells, log, limits), "notes": notes[student]}
               for student, _ in batch}
    if feedback:
        extra = _FEEDBACK_CONFIG if feedback == "hide-hidden" else ""
        fb = run_nbgrader(["generate_feedback", assignment, "--force"], course_dir, extra_config=extra)
        for student, result in results.items():
            html = course_dir / "feedback" / student / assignment / f"{assignment}.html"
            if "error" not in result and not html.is_file():
                result.setdefault("notes", []).append(
                    f"no feedback written: {_failure_reason(fb.stdout, student)}")
    return results


def merge_gradebooks(target: Path, workers: list[Path], assignment: str) -> list[str]:
    """Copy every worker gradebook's submissions of ``assignment`` into ``target``'s gradebook.

    Assignment, notebook and cell rows are matched by name, so a worker need not be a copy of
    the target (on other machines each worker runs generate_assignment itself). A student graded
    again replaces their earlier submission of this assignment. Returns the students merged."""
    con = sqlite3.connect(target)
    merged: list[str] = []
    try:
        def cell_keys(schema: str, assignment_id: str) -> dict:
            rows = con.execute(
                f"SELECT c.id, c.name, c.type, n.name FROM {schema}.base_cell c "
                f"JOIN {schema}.notebook n ON c.notebook_id = n.id WHERE n.assignment_id = ?", (assignment_id,))
            return {r[0]: (r[1], r[2], r[3]) for r in rows}

        def notebook_keys(schema: str, assignment_id: str) -> dict:
            rows = con.execute(f"SELECT id, name FROM {schema}.notebook WHERE assignment_id = ?", (assignment_id,))
            return {r[0]: r[1] for r in rows}

        found = con.execute("SELECT id FROM main.assignment WHERE name = ?", (assignment,)).fetchone()
        if found is None:
            raise ValueError(f"{target} has no assignment {assignment}: run the grader there first")
        target_id = found[0]
        target_cells = {key: cid for cid, key in cell_keys("main", target_id).items()}
        target_nbs = {name: nid for nid, name in notebook_keys("main", target_id).items()}
        for i, worker in enumerate(workers):
            schema = f"w{i}"
            con.execute(f"ATTACH DATABASE ? AS {schema}", (str(worker),))
            found = con.execute(f"SELECT id FROM {schema}.assignment WHERE name = ?", (assignment,)).fetchone()
            if found is None:
                con.execute(f"DETACH DATABASE {schema}")
                continue
            worker_id = found[0]
            cell_map = {cid: target_cells[key] for cid, key in cell_keys(schema, worker_id).items()
                        if key in target_cells}
            nb_map = {nid: target_nbs[name] for nid, name in notebook_keys(schema, worker_id).items()
                      if name in target_nbs}
            subs = con.execute(f"SELECT id, student_id, timestamp, extension FROM {schema}.submitted_assignment "
                               "WHERE assignment_id = ?", (worker_id,)).fetchall()
            for sub_id, student, timestamp, extension in subs:
                for (old,) in con.execute("SELECT id FROM main.submitted_assignment WHERE assignment_id = ? "
                                          "AND student_id = ?", (target_id, student)).fetchall():
                    for (nb_id,) in con.execute("SELECT id FROM main.submitted_notebook WHERE assignment_id = ?",
                                                (old,)).fetchall():
                        con.execute("DELETE FROM main.grade WHERE notebook_id = ?", (nb_id,))
                        con.execute("DELETE FROM main.comment WHERE notebook_id = ?", (nb_id,))
                    con.execute("DELETE FROM main.submitted_notebook WHERE assignment_id = ?", (old,))
                    con.execute("DELETE FROM main.submitted_assignment WHERE id = ?", (old,))
                con.execute(f"INSERT OR IGNORE INTO main.student SELECT * FROM {schema}.student WHERE id = ?",
                            (student,))
                con.execute("INSERT INTO main.submitted_assignment (id, assignment_id, student_id, timestamp, "
                            "extension) VALUES (?, ?, ?, ?, ?)", (sub_id, target_id, student, timestamp, extension))
                nbs = con.execute(f"SELECT id, notebook_id, flagged, late_submission_penalty FROM "
                                  f"{schema}.submitted_notebook WHERE assignment_id = ?", (sub_id,)).fetchall()
                for nb_id, notebook_id, flagged, penalty in nbs:
                    con.execute("INSERT INTO main.submitted_notebook (id, assignment_id, notebook_id, flagged, "
                                "late_submission_penalty) VALUES (?, ?, ?, ?, ?)",
                                (nb_id, sub_id, nb_map[notebook_id], flagged, penalty))
                    for row in con.execute(f"SELECT id, cell_id, auto_score, manual_score, extra_credit, "
                                           f"needs_manual_grade FROM {schema}.grade WHERE notebook_id = ?",
                                           (nb_id,)).fetchall():
                        con.execute("INSERT INTO main.grade (id, notebook_id, cell_id, auto_score, manual_score, "
                                    "extra_credit, needs_manual_grade) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                    (row[0], nb_id, cell_map[row[1]], *row[2:]))
                    for row in con.execute(f"SELECT id, cell_id, auto_comment, manual_comment FROM "
                                           f"{schema}.comment WHERE notebook_id = ?", (nb_id,)).fetchall():
                        con.execute("INSERT INTO main.comment (id, notebook_id, cell_id, auto_comment, "
                                    "manual_comment) VALUES (?, ?, ?, ?, ?)",
                                    (row[0], nb_id, cell_map[row[1]], *row[2:]))
                merged.append(student)
            con.commit()
            con.execute(f"DETACH DATABASE {schema}")
    finally:
        con.close()
    return merged


def check_course_dir(course_dir) -> None:
    if course_dir is not None and Path(course_dir).resolve() == course_root().resolve():
        raise UsageError("--course-dir must not be the repository itself (grading there would rewrite source/ "
                         "and release/): give a separate folder, for example ../grading")


def merge_courses(target: Path, workers: list[Path], assignment: str) -> list[str]:
    """Merge worker course directories into ``target``: gradebook rows and each student's
    submitted/, autograded/ and feedback/ folders, so formgrader and ``nbgrader export`` in
    ``target`` see the whole class. A target without a gradebook is prepared first."""
    check_course_dir(target)
    if not (target / "gradebook.db").is_file():
        _prepare_course(target, assignment)
    workers = [w for w in workers if w.resolve() != target.resolve()]
    merged = merge_gradebooks(target / "gradebook.db", [w / "gradebook.db" for w in workers], assignment)
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


def grade(assignment: str, paths, course_dir: Path | None = None, jobs: int = 1,
          figures: bool = True, limits: Limits = Limits(), feedback_dir: Path | None = None,
          hide_hidden_tests: bool = False, progress: bool = False) -> list[dict]:
    check_course_dir(course_dir)
    found = find_submissions(assignment, paths)
    results = [{"submission": str(p), "student": s, "assignment": assignment} for s, p in found]
    readable = []
    for result, (student, path) in zip(results, found):
        try:
            readable.append((student, read_submission(path)))
        except ValueError as exc:
            result["error"] = str(exc)
    feedback = None if feedback_dir is None else ("hide-hidden" if hide_hidden_tests else "full")
    outcome: dict[str, dict] = {}
    bar = None
    if progress and readable:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(readable), desc=f"grading {assignment}", unit="student", disable=None)
    try:
        with tempfile.TemporaryDirectory(prefix="nncourse-grade-") as tmp:
            jobs = max(1, min(jobs, len(readable) or 1))
            final = Path(course_dir).resolve() if course_dir is not None else None
            # Workers always grade in fresh course directories (nbgrader autograde regrades every
            # student it finds in submitted/); --course-dir receives the merged result.
            if readable:
                template = final if final is not None else Path(tmp) / "template"
                _prepare_course(template, assignment)
                batches = [readable[i::jobs] for i in range(jobs)]
                workers = [Path(tmp) / f"worker{i}" for i in range(jobs)]
                with ThreadPoolExecutor(max_workers=jobs) as pool:
                    futures = [pool.submit(_grade_batch, assignment, batch, worker, template, figures, limits,
                                           feedback, bar)
                               for batch, worker in zip(batches, workers)]
                    for future in futures:
                        outcome.update(future.result())
                if final is not None:
                    merge_courses(final, workers, assignment)
            else:
                workers = []
            if feedback_dir is not None:
                _copy_feedback(workers, Path(feedback_dir), assignment, results, outcome)
    finally:
        if bar is not None:
            bar.close()
    for result in results:
        result.update(outcome.get(result["student"], {}))
    return results


def _copy_feedback(workers: list[Path], target: Path, assignment: str, results, outcome) -> None:
    for result in results:
        student = result["student"]
        for worker in workers:
            html = worker / "feedback" / student / assignment / f"{assignment}.html"
            if html.is_file():
                dest = target / student / assignment / f"{assignment}.html"
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(html, dest)
                outcome.setdefault(student, {})["feedback"] = str(dest)
                break


def format_table(results: list[dict]) -> str:
    """A readable table: one row per submission, failed tests with their first message, then
    what stopped the run (faults), what looks like tampering (FLAG) and what was repaired."""
    width = max([len("student")] + [len(r["student"]) for r in results])
    rows = [f"{'student':<{width}}  {'score':>11}  result", f"{'-' * width}  {'-' * 11}  {'-' * 40}"]
    for r in results:
        if "error" in r:
            rows.append(f"{r['student']:<{width}}  {'-':>11}  ERROR: {r['error']}")
            continue
        score = f"{r['auto_score']:g} / {r['auto_max_score']:g}"
        lines = [f"{t['grade_id']}: {_one_line(t['message'], 100)}" for t in r["tests"] if not t["passed"]]
        lines = ((lines or ["all tests passed"]) + [f"FLAG {flag}" for flag in r.get("flags", [])]
                 + [f"fault: {fault}" for fault in r.get("faults", [])]
                 + [f"note: {note}" for note in r.get("notes", [])])
        rows.append(f"{r['student']:<{width}}  {score:>11}  {lines[0]}")
        rows += [f"{'':<{width}}  {'':>11}  {line}" for line in lines[1:]]
    manual = {r.get("manual_max_score") for r in results if "error" not in r}
    if manual and manual != {0.0}:
        rows.append(f"(plus {max(manual):g} points of written answers, graded by hand in formgrader)")
    return "\n".join(rows)


def format_summary(results: list[dict]) -> str:
    """Class summary: counts, score spread, and how many students passed each test."""
    graded = [r for r in results if "error" not in r]
    lines = [f"{len(results)} submissions: {len(graded)} graded, {len(results) - len(graded)} could not be "
             f"graded, {sum(1 for r in graded if r.get('flags'))} flagged, "
             f"{sum(1 for r in graded if r.get('faults'))} with faults"]
    if not graded:
        return lines[0]
    totals = sorted(r["auto_score"] for r in graded)
    top = graded[0]["auto_max_score"]
    full = sum(1 for r in graded if r["auto_score"] >= r["auto_max_score"])
    median = totals[len(totals) // 2] if len(totals) % 2 else (totals[len(totals) // 2 - 1] + totals[len(totals) // 2]) / 2
    lines.append(f"score out of {top:g}: min {totals[0]:g}, median {median:g}, mean {sum(totals) / len(totals):.2f}, "
                 f"max {totals[-1]:g}; full marks {full}")
    width = max(len(t["grade_id"]) for t in graded[0]["tests"]) if graded[0]["tests"] else 4
    lines.append(f"{'test':<{width}}  passed")
    for test in graded[0]["tests"]:
        passed = sum(1 for r in graded for t in r["tests"] if t["grade_id"] == test["grade_id"] and t["passed"])
        lines.append(f"{test['grade_id']:<{width}}  {passed:>3} / {len(graded)}")
    return "\n".join(lines)


def write_csv(results: list[dict], path: Path) -> None:
    """One row per student: per-test scores, total, flags, faults, error."""
    import csv

    test_ids: list[str] = []
    for r in results:
        for t in r.get("tests", []):
            if t["grade_id"] not in test_ids:
                test_ids.append(t["grade_id"])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "submission", *test_ids, "auto_score", "auto_max_score", "flagged", "flags",
                         "faults", "first_error", "notes", "error"])
        for r in results:
            scores = {t["grade_id"]: t["score"] for t in r.get("tests", [])}
            writer.writerow([r["student"], r["submission"], *[f"{scores[t]:g}" if t in scores else "" for t in test_ids],
                             f"{r['auto_score']:g}" if "auto_score" in r else "",
                             f"{r['auto_max_score']:g}" if "auto_max_score" in r else "",
                             "yes" if r.get("flags") else "no", "; ".join(r.get("flags", [])),
                             "; ".join(r.get("faults", [])), r.get("first_error", ""),
                             "; ".join(r.get("notes", [])), r.get("error", "")])
