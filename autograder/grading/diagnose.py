"""Misconception diagnosis: a failing submission whose failure signature is that of exactly one
mutant of the stage's catalogue gets that mutant's mistake, in plain words, as its likely cause,
unless that first failure is a crash (see :func:`match`).

A **failure signature** is the first failed autograded test in notebook order and the first line
of its message with every number rounded to 3 significant digits (float noise of another correct
implementation elsewhere then changes nothing) and memory addresses blanked. Only the first failure
is used: the mutant judge grades mutants with ``stop_after_failed_test`` (judge.py), so a mutant's
cells after its first failed test never run, while a student's notebook runs to the end.

``notebooks/<id>/signatures.json`` (written by ``python -m autograder mutants --write-signatures``,
checked against a fresh run by tests/test_mutants.py) maps each signature to the mutants that give
it. A signature two mutants share is ambiguous: it is kept, and never diagnosed from. No match, no
line: say nothing rather than guess.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from helpers.hints import MISTAKES_FOLDER, mistakes_path, normalise

from ..paths import course_root
from .results import SubmissionResult

SIGNATURES_FILE = "signatures.json"

_RAISED = re.compile(r"\braised [A-Z]\w*(?:Error|Exception)\b")


def signature(result: SubmissionResult) -> str | None:
    """``"<first failed test>: <normalised message>"``, or None when nothing failed."""
    failed = result.failed_tests()
    if result.error or not failed:
        return None
    return f"{failed[0].grade_id}: {normalise(failed[0].message)}"


def signature_table(graded: list[tuple[object, SubmissionResult]]) -> dict:
    """(mutant Variant, its result) pairs -> the JSON table of signatures.json. An entry is
    ``hidden`` when the failing check is in a cell's hidden tests, ``crash`` when it failed by
    raising (:func:`crashed`)."""
    table: dict[str, dict] = {}
    for variant, result in graded:
        key = signature(result)
        if key is None:
            continue
        first = result.failed_tests()[0]
        entry = table.setdefault(key, {"variants": [], "hidden": False, "crash": False})
        entry["variants"].append({"name": variant.name, "cell": variant.cell, "description": variant.description})
        entry["hidden"] = entry["hidden"] or first.hidden
        entry["crash"] = entry["crash"] or crashed(first)
    for entry in table.values():
        entry["variants"].sort(key=lambda v: v["name"])
        entry["ambiguous"] = len(entry["variants"]) > 1
    return {key: table[key] for key in sorted(table)}


def signatures_path(assignment: str, root: Path | None = None) -> Path:
    return (root or course_root()) / "notebooks" / assignment / SIGNATURES_FILE


def dump_signatures(table: dict) -> str:
    return json.dumps({"signatures": table}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def live_table(table: dict) -> dict[str, str]:
    """What the student's notebook may name live (helpers/hints.py): normalised failure line ->
    mistake, for the signatures one mutant alone gives by a wrong value in a VISIBLE test. The
    test id is dropped (a running cell does not know it); a line two tests share is dropped too."""
    causes: dict[str, set] = {}
    for key, entry in table.items():
        line = key.split(": ", 1)[1]
        if entry.get("hidden", True) or entry.get("crash", True) or entry.get("ambiguous", True):
            causes.setdefault(line, set()).add(None)  # a line a hidden or ambiguous entry gives is never named
        else:
            causes.setdefault(line, set()).add(entry["variants"][0]["description"])
    return {line: found.pop() for line, found in sorted(causes.items()) if len(found) == 1 and None not in found}


def dump_mistakes(mistakes: dict[str, str]) -> str:
    return json.dumps({"mistakes": mistakes}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_signatures(assignment: str, table: dict, root: Path | None = None) -> tuple[Path, Path]:
    """Write notebooks/<id>/signatures.json and the student-side helpers/mistakes/<id>.json."""
    path = signatures_path(assignment, root)
    path.write_text(dump_signatures(table), encoding="utf-8")
    live = mistakes_path(assignment, (root or course_root()) / "helpers" / MISTAKES_FOLDER)
    live.parent.mkdir(exist_ok=True)
    live.write_text(dump_mistakes(live_table(table)), encoding="utf-8")
    return path, live


def read_signatures(assignment: str, root: Path | None = None) -> dict:
    """The committed table, or {} when the stage has none."""
    path = signatures_path(assignment, root)
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("signatures", {})


def crashed(test) -> bool:
    """Whether a failed test failed because the code raised (itself, or wrapped by the test in an
    AssertionError that says what it raised) rather than by a wrong value."""
    return test.error != "AssertionError" or bool(_RAISED.search(test.message))


def match(result: SubmissionResult, table: dict) -> dict | None:
    """The one mutant ({"name", "cell", "description"}) whose signature the result has, or None
    (nothing failed, the first failure is a crash, no mutant fails this way, or more than one does).

    A crash is never diagnosed: its message names the numpy call that broke, not the mistake, so
    it both misses the same mistake written with another call and matches a different mistake
    that breaks the same shapes (both seen in benchmarks/diagnosis_eval.py)."""
    failed = result.failed_tests()
    if not failed or crashed(failed[0]):
        return None
    entry = table.get(signature(result) or "")
    if not entry or entry.get("ambiguous") or len(entry.get("variants", [])) != 1:
        return None
    return entry["variants"][0]


def likely_causes(result: SubmissionResult, table: dict) -> list[str]:
    """One line naming the mistake when the result's signature is one mutant's alone, else []."""
    variant = match(result, table)
    return [f"likely cause ({variant['cell']}): {variant['description']}"] if variant else []


def diagnose(assignment: str, results: list[SubmissionResult], workers=(), table: dict | None = None) -> None:
    """Fill ``likely_causes`` of every failing result; with ``workers`` (course directories that
    generated feedback), put the line at the top of each diagnosed student's feedback HTML."""
    table = read_signatures(assignment) if table is None else table
    if not table:
        return
    for result in results:
        result.likely_causes = likely_causes(result, table)
        if not result.likely_causes:
            continue
        for worker in workers:
            page = Path(worker) / "feedback" / result.student / assignment / f"{assignment}.html"
            if page.is_file():
                add_feedback_note(page, result.likely_causes)


NOTE_STYLE = ("margin:1em;padding:0.7em 1em;border-left:4px solid #d08a00;background:#fff6e0;"
              "font:15px/1.4 system-ui,sans-serif")


def feedback_note(causes: list[str]) -> str:
    lines = "".join(f"<li>{html.escape(c)}</li>" for c in causes)
    return (f'<div class="nncourse-likely-cause" style="{NOTE_STYLE}"><strong>What the failing tests suggest'
            f"</strong> (your first failing test fails exactly as this known mistake makes it fail; check your code there first):"
            f"<ul style='margin:0.3em 0'>{lines}</ul></div>")


def add_feedback_note(page: Path, causes: list[str]) -> None:
    """Insert the note right after ``<body ...>`` (once; a page already noted is left alone)."""
    text = page.read_text(encoding="utf-8")
    match = re.search(r"<body[^>]*>", text)
    if match is None or "nncourse-likely-cause" in text:
        return
    page.write_text(text[:match.end()] + feedback_note(causes) + text[match.end():], encoding="utf-8")
