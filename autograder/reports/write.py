"""Everything ``--report DIR`` writes, for a list of results:

``DIR/index.html`` (the class report), and per submission ``DIR/<assignment>/<student>.html`` (the
notebook as submitted) and ``DIR/<assignment>/<student>.answers.html`` (the hand-graded answers),
each with a ``.pdf`` beside it when ``pdf`` is asked for. Pages are made from the notebook at
the result's ``submission`` path; a submission that cannot be read or rendered gets no pages and
its reason in the report. Nothing here grades or executes anything.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..grading.results import SubmissionResult
from ..grading.submissions import read_submission
from ..grading.text import one_line
from . import pdf as printer
from .class_report import class_report
from .pages import answers_page, notebook_page


@dataclass
class Pages:
    """One submission's pages, as paths relative to the report folder ("" when not written)."""
    notebook: str = ""
    answers: str = ""
    notebook_pdf: str = ""
    answers_pdf: str = ""
    error: str = ""


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "student"


def page_stems(results: list[SubmissionResult]) -> list[str]:
    """``<assignment>/<student>`` per result, safe as a path and unique."""
    stems, seen = [], {}
    for r in results:
        stem = f"{_safe(r.assignment)}/{_safe(r.student)}"
        seen[stem] = seen.get(stem, 0) + 1
        stems.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return stems


def write_pages(result: SubmissionResult, folder: Path, stem: str, pdf: bool = False) -> Pages:
    """The two pages of ``result``'s submission under ``folder``; a failure becomes ``Pages.error``."""
    names = Pages(f"{stem}.html", f"{stem}.answers.html")
    try:
        nb = read_submission(result.submission)
        links = [(Path(names.answers).name, "hand-graded answers"), ("../index.html", "class report")]
        back = [(Path(names.notebook).name, "whole notebook"), ("../index.html", "class report")]
        pages = {names.notebook: notebook_page(nb, result.student, result.assignment, links),
                 names.answers: answers_page(nb, result.student, result.assignment, back)}
    except Exception as exc:  # a hostile or broken notebook: report it, make the other pages
        return Pages(error=f"no pages: {one_line(exc, 200)}")
    for name, text in pages.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    if pdf:
        for name, field in ((names.notebook, "notebook_pdf"), (names.answers, "answers_pdf")):
            target = Path(name).with_suffix(".pdf")
            try:
                printer.print_pdf(folder / name, folder / target)
                setattr(names, field, target.as_posix())
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                names.error = one_line(exc, 200)
    return names


def write_report(results: list[SubmissionResult], folder: Path, pdf: bool = False) -> tuple[Path, dict[int, Pages]]:
    """Write the pages and ``index.html``; return (index path, result position -> Pages)."""
    if pdf:
        printer.check_chromium()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pages = {i: write_pages(r, folder, stem, pdf) for i, (r, stem) in enumerate(zip(results, page_stems(results)))}
    index = folder / "index.html"
    index.write_text(class_report(results, pages), encoding="utf-8")
    if pdf:
        printer.print_pdf(index, folder / "index.pdf")
    return index, pages


def csv_links(pages: dict[int, Pages], folder: Path, csv_path: Path, count: int) -> list[tuple[str, str]]:
    """Per result, (notebook page, answers page) as paths relative to the CSV's folder, for its link columns."""
    def rel(name: str) -> str:
        return os.path.relpath(Path(folder) / name, Path(csv_path).parent) if name else ""
    return [(rel(pages[i].notebook), rel(pages[i].answers)) if i in pages else ("", "") for i in range(count)]
