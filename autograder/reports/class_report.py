"""``index.html``, the class report: for each assignment, the score histogram, the pass rate of
every test, the most common likely causes (when results carry ``likely_causes``), flags and
faults, time per submission, and a table linking every submission's pages.

``pages`` maps a result's position in the list to its :class:`~autograder.reports.write.Pages`
(links relative to the report's folder); a result without pages is listed without links.
"""
from __future__ import annotations

import html

from ..grading.results import SubmissionResult
from . import plots

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; } td, th { padding: 0.25em 0.7em; border-bottom: 1px solid #e4e4e4;
  text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
img.plot { max-width: 100%; height: auto; display: block; margin: 0.5em 0; }
.muted { color: #777; } .flag { color: #a00; }
"""


def _e(text) -> str:
    return html.escape(str(text))


def _graded(results):
    return [r for r in results if not r.error]


def _link(pages, i: int, which: str, label: str) -> str:
    target = getattr(pages.get(i), which, "") if pages.get(i) else ""
    return f'<a href="{_e(target)}">{_e(label)}</a>' if target else ""


def _student(pages, i: int, result: SubmissionResult) -> str:
    return _link(pages, i, "notebook", result.student) or _e(result.student)


def _seconds(result: SubmissionResult) -> str:
    seconds = getattr(result, "seconds", 0.0) or 0.0
    return f"{seconds:.1f} s" if seconds > 0 else "not measured"


def summary(results) -> str:
    graded = _graded(results)
    line = (f"{len(results)} submissions: {len(graded)} graded, {len(results) - len(graded)} could not be graded, "
            f"{sum(1 for r in graded if r.flags)} flagged, {sum(1 for r in graded if r.faults)} with faults.")
    if graded:
        scores = sorted(r.auto_score for r in graded)
        mid = (scores[(len(scores) - 1) // 2] + scores[len(scores) // 2]) / 2
        line += (f" Score out of {graded[0].auto_max_score:g}: min {scores[0]:g}, median {mid:g}, "
                 f"mean {sum(scores) / len(scores):.2f}, max {scores[-1]:g}.")
    return f"<p>{_e(line)}</p>"


def test_rates(graded) -> list[tuple[str, float]]:
    """(test, share of graded submissions that passed it), in the tests' order."""
    names = list(dict.fromkeys(t.grade_id for r in graded for t in r.tests))
    return [(n, sum(1 for r in graded for t in r.tests if t.grade_id == n and t.passed) / len(graded)) for n in names]


def tests_section(graded) -> str:
    rates = test_rates(graded)
    if not rates:
        return ""
    rows = "".join(f"<tr><td>{_e(n)}</td><td class='num'>{round(s * len(graded))} / {len(graded)}</td>"
                   f"<td class='num'>{s:.0%}</td></tr>" for n, s in rates)
    return (f"<h2>Tests</h2><img class='plot' alt='pass rate per test' src='{plots.pass_rates(rates)}'>"
            f"<table><tr><th>test</th><th>passed</th><th>share</th></tr>{rows}</table>")


def _cause_text(cause) -> str:
    if isinstance(cause, dict):
        return str(cause.get("cause") or cause.get("text") or cause.get("message") or cause)
    return str(cause)


def causes_section(results, pages) -> str:
    """The most common likely causes; nothing when no result carries any."""
    who: dict[str, list[str]] = {}
    for i, r in enumerate(results):
        for cause in dict.fromkeys(_cause_text(c) for c in (getattr(r, "likely_causes", None) or [])):
            who.setdefault(cause, []).append(_student(pages, i, r))
    if not who:
        return ""
    rows = "".join(f"<tr><td>{_e(c)}</td><td class='num'>{len(s)}</td><td>{', '.join(s[:8])}"
                   f"{' ...' if len(s) > 8 else ''}</td></tr>"
                   for c, s in sorted(who.items(), key=lambda item: -len(item[1]))[:15])
    return ("<h2>Most common likely causes</h2><table><tr><th>likely cause</th><th>submissions</th>"
            f"<th>who</th></tr>{rows}</table>")


def problems_section(results, pages) -> str:
    rows = []
    for i, r in enumerate(results):
        items = ([f"<span class='flag'>FLAG</span> {_e(f)}" for f in r.flags] + [f"fault: {_e(f)}" for f in r.faults]
                 + ([f"could not be graded: {_e(r.error)}"] if r.error else []))
        if items:
            rows.append(f"<tr><td>{_student(pages, i, r)}</td><td>{'<br>'.join(items)}</td></tr>")
    body = f"<table><tr><th>student</th><th>what happened</th></tr>{''.join(rows)}</table>" if rows else \
        "<p>No flags, faults or ungradable submissions.</p>"
    return f"<h2>Flags and faults</h2>{body}"


def time_section(graded) -> str:
    seconds = [getattr(r, "seconds", 0.0) or 0.0 for r in graded]
    measured = [s for s in seconds if s > 0]
    if not measured:
        return "<h2>Time per submission</h2><p class='muted'>not measured</p>"
    measured.sort()
    text = (f"{len(measured)} measured: median {measured[len(measured) // 2]:.1f} s, max {measured[-1]:.1f} s, "
            f"total {sum(measured):.0f} s")
    return (f"<h2>Time per submission</h2><p>{_e(text)}</p>"
            f"<img class='plot' alt='time per submission' src='{plots.seconds_histogram(measured)}'>")


def submissions_table(results, pages) -> str:
    rows = []
    for i, r in enumerate(results):
        score = "-" if r.error else f"{r.auto_score:g} / {r.auto_max_score:g}"
        links = " ".join(x for x in (_link(pages, i, "notebook", "notebook"), _link(pages, i, "answers", "answers"),
                                     _link(pages, i, "notebook_pdf", "notebook PDF"),
                                     _link(pages, i, "answers_pdf", "answers PDF")) if x)
        failed = "" if r.error else str(len(r.failed_tests()))
        links = links or _e(getattr(pages.get(i), "error", ""))
        rows.append(f"<tr><td>{_student(pages, i, r)}</td><td class='num'>{score}</td><td class='num'>{failed}</td>"
                    f"<td class='num'>{_e(_seconds(r))}</td><td>{links}</td></tr>")
    return ("<h2>Submissions</h2><table><tr><th>student</th><th>score</th><th>failed tests</th><th>time</th>"
            f"<th>pages</th></tr>{''.join(rows)}</table>")


def assignment_section(assignment: str, results, pages) -> str:
    graded = [r for r in results if not r.error]
    parts = [f"<h1>Class report: {_e(assignment)}</h1>", summary(results)]
    if graded:
        top = max(r.auto_max_score for r in graded)
        parts.append(f"<img class='plot' alt='score histogram' "
                     f"src='{plots.score_histogram([r.auto_score for r in graded], top)}'>")
        parts.append(tests_section(graded))
    parts += [causes_section(results, pages), problems_section(results, pages), time_section(graded),
              submissions_table(results, pages)]
    return "\n".join(p for p in parts if p)


def class_report(results: list[SubmissionResult], pages: dict) -> str:
    """The whole ``index.html``: one section per assignment, in the order they first appear."""
    sections = []
    for assignment in dict.fromkeys(r.assignment for r in results):
        mine = [(i, r) for i, r in enumerate(results) if r.assignment == assignment]
        local = {k: pages[i] for k, (i, _) in enumerate(mine) if i in pages}
        sections.append(assignment_section(assignment, [r for _, r in mine], local))
    title = "Class report: " + ", ".join(dict.fromkeys(r.assignment for r in results))
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{STYLE}</style></head>"
            f"<body>\n{''.join(sections) or '<p>No submissions.</p>'}\n</body></html>\n")
