"""Grades for a learning management system: Canvas' and Moodle's grade-import CSV layouts.

    python -m autograder export --canvas canvas.csv --moodle moodle.csv results/*.json [--roster roster.csv]

Input: saved ``grade --json`` output (arrays of objects with ``student``, ``assignment``,
``auto_score``, ``auto_max_score``, or ``error``) of one or several assignments. Output: one row per
student and one column per assignment, in the layout each system imports:

- Canvas (Grades > Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column
  per assignment, named ``<assignment> (<Canvas assignment id>)`` when the id is known (the column
  then updates that assignment) or ``<assignment>`` (Canvas offers to create it); the second row is
  ``Points Possible``, as in Canvas' own export. Canvas finds a student by ID, SIS User ID or SIS
  Login ID.
- Moodle (Grades > Import > CSV file): one identifier column (``Username``, ``Email address`` or
  ``ID number``, which the import's "Identify user by" maps to the same user field), then one
  column per assignment, mapped to a grade item in the import form.

A submission that could not be graded, or an assignment a student has no result for, is left
blank: both systems leave a blank grade unchanged. Only autograded points are exported; written
answers graded by hand in formgrader are not in ``grade --json`` results.

Without a roster the nbgrader student id is used as the login (Canvas' SIS Login ID, Moodle's
username). A roster CSV maps ids to the LMS's identifiers: a ``student`` column (or the one
``--roster-key`` names) with the nbgrader id, and any of ``name``, ``ID``, ``SIS User ID``,
``SIS Login ID``, ``Section``, ``Username``, ``Email address``, ``ID number`` (spelling and case
are loose: ``sis_login_id`` works too). Canvas' own gradebook export serves as a roster with
``--roster-key "SIS Login ID"``.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from .paths import UsageError

CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDS = {"username": "Username", "email": "Email address", "idnumber": "ID number"}
_ALIASES = {  # roster field -> normalised column names that hold it
    "name": ("name", "student", "fullname"),
    "canvas_id": ("id", "canvasid", "canvasuserid"),
    "sis_user_id": ("sisuserid",),
    "sis_login_id": ("sisloginid", "login", "loginid"),
    "section": ("section",),
    "username": ("username",),
    "email": ("emailaddress", "email"),
    "idnumber": ("idnumber",),
}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def read_results(paths) -> list[dict]:
    results: list[dict] = []
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read grading results from {path}: {exc}") from None
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict) or "student" not in item or "assignment" not in item:
                raise UsageError(f"{path} is not `grade --json` output: each entry needs 'student' and 'assignment'")
            results.append(item)
    return results


def gradebook(results: list[dict]) -> tuple[list[str], list[str], dict, dict, list[str]]:
    """(students, assignments, scores[(student, assignment)], max points per assignment, notes).
    A later result for the same student and assignment replaces an earlier one."""
    students: list[str] = []
    assignments: set[str] = set()
    scores: dict[tuple[str, str], float | None] = {}
    points: dict[str, float] = {}
    notes: list[str] = []
    replaced = 0
    for r in results:
        student, assignment = str(r["student"]), str(r["assignment"])
        if student not in students:
            students.append(student)
        assignments.add(assignment)
        if (student, assignment) in scores:
            replaced += 1
        if r.get("error") or r.get("auto_score") is None:
            scores[(student, assignment)] = None
        else:
            scores[(student, assignment)] = float(r["auto_score"])
            if r.get("auto_max_score") is not None:
                points[assignment] = max(points.get(assignment, 0.0), float(r["auto_max_score"]))
    if replaced:
        notes.append(f"{replaced} results replaced an earlier result for the same student and assignment")
    ungraded = sorted({s for (s, _), v in scores.items() if v is None})
    if ungraded:
        notes.append(f"left blank (could not be graded): {', '.join(ungraded)}")
    return students, sorted(assignments), scores, points, notes


def read_roster(path, key: str | None = None) -> tuple[list[str], dict[str, dict[str, str]]]:
    """(student ids in roster order, student id -> {field: value}) from a roster CSV."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
            header = list(rows[0].keys()) if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"cannot read roster {path}: {exc}") from None
    wanted = key or "student"
    by_key = {_key(h): h for h in header if h is not None}
    key_column = by_key.get(_key(wanted))
    if key_column is None:
        raise UsageError(f"roster {path} has no column {wanted!r} with the nbgrader student ids "
                         f"(columns: {', '.join(h for h in header if h)}); name it with --roster-key")
    fields = {}
    for field, names in _ALIASES.items():
        column = next((by_key[n] for n in names if n in by_key and (field != "name" or by_key[n] != key_column)),
                      None)
        if column:
            fields[field] = column
    order: list[str] = []
    roster: dict[str, dict[str, str]] = {}
    for row in rows:
        sid = (row.get(key_column) or "").strip()
        if not sid or sid.lower() == "points possible":
            continue
        order.append(sid)
        roster[sid] = {field: (row.get(column) or "").strip() for field, column in fields.items()}
        roster[sid]["student"] = sid
    return order, roster


def _fmt(value) -> str:
    return "" if value is None else f"{value:g}"


def canvas_rows(students, assignments, scores, points, roster, canvas_ids: dict[str, str]) -> list[list[str]]:
    header = CANVAS_FIXED + [f"{a} ({canvas_ids[a]})" if a in canvas_ids else a for a in assignments]
    rows = [header, ["    Points Possible", "", "", "", ""] + [_fmt(points.get(a)) for a in assignments]]
    for sid in students:
        info = roster.get(sid, {}) if roster is not None else {}
        login = info.get("sis_login_id", "")
        if not (login or info.get("canvas_id") or info.get("sis_user_id")):
            login = sid  # nothing else to match on: the nbgrader id is the login
        rows.append([info.get("name") or sid, info.get("canvas_id", ""), info.get("sis_user_id", ""), login,
                     info.get("section", "")] + [_fmt(scores.get((sid, a))) for a in assignments])
    return rows


def moodle_rows(students, assignments, scores, roster, moodle_id: str) -> list[list[str]]:
    rows = [[MOODLE_IDS[moodle_id]] + list(assignments)]
    for sid in students:
        ident = roster.get(sid, {}).get(moodle_id, "") if roster is not None else sid
        rows.append([ident] + [_fmt(scores.get((sid, a))) for a in assignments])
    return rows


def _write(path, rows) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def export(results: list[dict], canvas=None, moodle=None, roster=None, roster_key: str | None = None,
           moodle_id: str = "username", canvas_ids=()) -> list[str]:
    """Write the CSV files asked for; returns the lines to print (what was written, and notes)."""
    if moodle_id not in MOODLE_IDS:
        raise UsageError(f"--moodle-id must be one of {', '.join(MOODLE_IDS)}")
    ids: dict[str, str] = {}
    for item in canvas_ids:
        name, sep, value = str(item).partition("=")
        if not sep or not name or not value.strip():
            raise UsageError(f"--canvas-assignment-id takes ASSIGNMENT=ID, not {item!r}")
        ids[name] = value.strip()
    students, assignments, scores, points, lines = gradebook(results)
    table = None
    if roster:
        order, table = read_roster(roster, roster_key)
        missing = [s for s in students if s not in table]
        if missing:
            lines.append(f"not in the roster, left out: {', '.join(missing)}")
        students = order
        if moodle and moodle_id != "username" and not any(table[s].get(moodle_id) for s in order):
            raise UsageError(f"--moodle-id {moodle_id} needs a roster column with it ({MOODLE_IDS[moodle_id]})")
        blank = [s for s in order if moodle and not table[s].get(moodle_id)]
        if blank and moodle_id != "username":
            lines.append(f"no {MOODLE_IDS[moodle_id]} in the roster for: {', '.join(blank)}")
        if moodle and moodle_id == "username":
            for s in order:  # without a Username column the nbgrader id is the username
                table[s].setdefault("username", s)
                table[s]["username"] = table[s]["username"] or s
    elif moodle and moodle_id != "username":
        raise UsageError(f"--moodle-id {moodle_id} needs --roster with a column {MOODLE_IDS[moodle_id]!r}")
    unknown = sorted(set(ids) - set(assignments))
    if unknown:
        raise UsageError(f"--canvas-assignment-id names assignments with no results: {', '.join(unknown)}")
    if canvas:
        _write(canvas, canvas_rows(students, assignments, scores, points, table, ids))
        lines.insert(0, f"wrote {canvas} (Canvas: {len(students)} students, {len(assignments)} assignments)")
    if moodle:
        _write(moodle, moodle_rows(students, assignments, scores, table, moodle_id))
        lines.insert(1 if canvas else 0, f"wrote {moodle} (Moodle: {len(students)} students, "
                                         f"{len(assignments)} grade items, users by {MOODLE_IDS[moodle_id]})")
    return lines
