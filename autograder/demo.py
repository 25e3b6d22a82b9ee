"""The main job: build the course, then grade example submissions made on the fly.

For every stage: the reference solution, one mutant from the catalogue and the blank release.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from .building.build import build
from .nbio import write_notebook
from .grading.grade import grade
from .grading.report import format_table
from .catalogue import catalogue
from .paths import resolve_assignments
from .catalogue.examples import blank_submission, reference_submission, with_cell


def demo(jobs: int = 2) -> int:
    assignments = resolve_assignments([])
    start = time.perf_counter()
    build(assignments)
    print(f"built source/ and release/ for {len(assignments)} stages in {time.perf_counter() - start:.1f} s\n")
    summary = []
    for assignment in assignments:
        reference = reference_submission(assignment)
        mutant = next(v for v in catalogue(assignment) if not v.correct)
        made = {
            "reference": reference,
            f"mutant-{mutant.name}": with_cell(reference, mutant.cell, mutant.source),
            "blank": blank_submission(assignment),
        }
        with tempfile.TemporaryDirectory(prefix="nncourse-demo-") as tmp:
            paths = []
            for student, nb in made.items():
                paths.append(Path(tmp) / f"{student}.ipynb")
                write_notebook(nb, paths[-1])
            t0 = time.perf_counter()
            results = grade(assignment, paths, jobs=jobs)
        print(f"== {assignment} (graded {len(paths)} submissions in {time.perf_counter() - t0:.1f} s; "
              f"the mutant {mutant.description})")
        print(format_table(results))
        print()
        summary.append((assignment, results))
    print(summary_table(summary))
    return 0


def summary_table(summary) -> str:
    """One row per stage: the auto score of each example submission."""
    roles = ["reference", "mutant", "blank"]
    width = max(len("stage"), *(len(a) for a, _ in summary))
    rows = [f"{'stage':<{width}}  " + "  ".join(f"{r:>11}" for r in roles)]
    for assignment, results in summary:
        cells = [("error" if r.error else f"{r.auto_score:g} / {r.auto_max_score:g}") for r in results]
        rows.append(f"{assignment:<{width}}  " + "  ".join(f"{c:>11}" for c in cells))
    return "Grade table (autograded points)\n" + "\n".join(rows)
