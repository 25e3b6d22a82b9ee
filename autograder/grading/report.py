"""What an instructor reads after grading: a table, a class summary and a CSV, from results."""
from __future__ import annotations

import csv
from pathlib import Path

from .results import SubmissionResult
from .text import one_line


def format_table(results: list[SubmissionResult]) -> str:
    """A readable table: one row per submission, failed tests with their first message, then
    what stopped the run (faults), what looks like tampering (FLAG) and what was repaired."""
    width = max([len("student")] + [len(r.student) for r in results])
    rows = [f"{'student':<{width}}  {'score':>11}  result", f"{'-' * width}  {'-' * 11}  {'-' * 40}"]
    for r in results:
        if r.error:
            rows.append(f"{r.student:<{width}}  {'-':>11}  ERROR: {r.error}")
            continue
        score = f"{r.auto_score:g} / {r.auto_max_score:g}"
        lines = [f"{t.grade_id}: {one_line(t.message, 100)}" for t in r.failed_tests()]
        lines = ((lines or ["all tests passed"]) + list(r.likely_causes)
                 + [f"credited {line}" for line in r.isolated] + [f"FLAG {flag}" for flag in r.flags]
                 + [f"fault: {fault}" for fault in r.faults]
                 + [f"note: {note}" for note in r.notes]
                 + ([f"late: {late_by(r.seconds_late)} after the due date, penalty {r.late_penalty:g} points"]
                    if r.seconds_late > 0 else [])
                 + ([f"note: graded WITHOUT a sandbox (--sandbox none)"] if r.sandbox == "none" else []))
        rows.append(f"{r.student:<{width}}  {score:>11}  {lines[0]}")
        rows += [f"{'':<{width}}  {'':>11}  {line}" for line in lines[1:]]
    manual = {r.manual_max_score for r in results if not r.error}
    if manual and manual != {0.0}:
        rows.append(f"(plus {max(manual):g} points of written answers, graded by hand in formgrader)")
    return "\n".join(rows)


def late_by(seconds: float) -> str:
    """'2 d 3 h', '3 h 20 min', '45 s': how late, in the two largest units."""
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (secs, "s")]
    start = next((i for i, (n, _) in enumerate(parts) if n), len(parts) - 1)
    return " ".join(f"{n} {unit}" for n, unit in parts[start:start + 2] if n) or "0 s"


def format_summary(results: list[SubmissionResult]) -> str:
    """Class summary: counts, score spread, and how many students passed each test."""
    graded = [r for r in results if not r.error]
    lines = [f"{len(results)} submissions: {len(graded)} graded, {len(results) - len(graded)} could not be "
             f"graded, {sum(1 for r in graded if r.flags)} flagged, "
             f"{sum(1 for r in graded if r.faults)} with faults, {sum(1 for r in graded if r.seconds_late > 0)} late"]
    if not graded:
        return lines[0]
    totals = sorted(r.auto_score for r in graded)
    top = graded[0].auto_max_score
    full = sum(1 for r in graded if r.auto_score >= r.auto_max_score)
    median = totals[len(totals) // 2] if len(totals) % 2 else (totals[len(totals) // 2 - 1] + totals[len(totals) // 2]) / 2
    lines.append(f"score out of {top:g}: min {totals[0]:g}, median {median:g}, mean {sum(totals) / len(totals):.2f}, "
                 f"max {totals[-1]:g}; full marks {full}")
    width = max(len(t.grade_id) for t in graded[0].tests) if graded[0].tests else 4
    lines.append(f"{'test':<{width}}  passed")
    for test in graded[0].tests:
        passed = sum(1 for r in graded for t in r.tests if t.grade_id == test.grade_id and t.passed)
        lines.append(f"{test.grade_id:<{width}}  {passed:>3} / {len(graded)}")
    return "\n".join(lines)


def write_csv(results: list[SubmissionResult], path: Path, pages: list[tuple[str, str]] | None = None) -> None:
    """One row per student: per-test scores, total, flags, faults, error, likely causes, points given back by
    --isolate-answers; with ``pages`` (per
    result, the paths of its notebook page and answers page), two last columns linking them."""
    test_ids: list[str] = []
    for r in results:
        for t in r.tests:
            if t.grade_id not in test_ids:
                test_ids.append(t.grade_id)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "submission", *test_ids, "auto_score", "auto_max_score", "flagged", "flags",
                         "faults", "first_error", "notes", "error", "timestamp", "seconds_late", "late_penalty",
                         "score_after_penalty", "likely_causes", "isolated_points",
                         *(["page", "answers_page"] if pages else [])])
        for i, r in enumerate(results):
            scores = {t.grade_id: t.score for t in r.tests}
            graded = not r.error
            writer.writerow([r.student, r.submission, *[f"{scores[t]:g}" if t in scores else "" for t in test_ids],
                             f"{r.auto_score:g}" if graded else "", f"{r.auto_max_score:g}" if graded else "",
                             "yes" if r.flags else "no", "; ".join(r.flags), "; ".join(r.faults), r.first_error,
                             "; ".join(r.notes), r.error, r.timestamp, f"{r.seconds_late:g}" if graded else "",
                             f"{r.late_penalty:g}" if graded else "",
                             f"{r.auto_score - r.late_penalty:g}" if graded else "", "; ".join(r.likely_causes),
                             f"{isolated_points(r):g}" if graded else "", *(pages[i] if pages else [])])


def isolated_points(result: SubmissionResult) -> float:
    """Points ``--isolate-answers`` gave back: the number each ``isolated`` line starts with."""
    total = 0.0
    for line in result.isolated:
        try:
            total += float(line.split(": ", 1)[1].split(" ", 1)[0])
        except (IndexError, ValueError):
            continue
    return total
