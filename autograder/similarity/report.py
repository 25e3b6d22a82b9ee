"""An HTML report: an index of pairs, and one page per pair with the matching code side by side."""
from __future__ import annotations

import html
from pathlib import Path

from .detect import Submission, shared_regions

_STYLE = """
body { font-family: sans-serif; margin: 1.5em; }
table.pairs { border-collapse: collapse; }
table.pairs td, table.pairs th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
tr.flagged { background: #fde2e2; }
.side { display: flex; gap: 1em; align-items: flex-start; }
.side > div { flex: 1; min-width: 0; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
mark { background: #ffd54f; }
h3 { margin-bottom: 0.2em; }
"""


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n")


def _offsets(source: str) -> list[int]:
    """Character offset of the start of each line (line numbers from 1, as tokenize gives them)."""
    starts, pos = [0, 0], 0
    for line in source.splitlines(keepends=True):
        pos += len(line)
        starts.append(pos)
    return starts


def highlighted(source: str, regions) -> str:
    """``source`` as escaped HTML with each region wrapped in <mark>."""
    starts = _offsets(source)

    def at(point):
        line, col = point
        return min(starts[min(line, len(starts) - 1)] + col, len(source))

    out, pos = [], 0
    for start, end in sorted(regions):
        a, b = max(at(start), pos), at(end)
        if b <= a:
            continue
        out += [html.escape(source[pos:a]), "<mark>", html.escape(source[a:b]), "</mark>"]
        pos = b
    out.append(html.escape(source[pos:]))
    return "".join(out)


def _pair_page(pair: dict, a: Submission, b: Submission) -> str:
    shared = {fp.value for cell in a.cells for fp in cell.prints} & {fp.value for cell in b.cells for fp in cell.prints}
    cells_b = {cell.label: cell for cell in b.cells}
    rows = [f"<h1>{html.escape(pair['a'])} and {html.escape(pair['b'])}</h1>",
            f"<p>score {pair['score']:.2f} ({'flagged' if pair['flagged'] else 'not flagged'}); "
            f"{pair['shared']} shared fingerprints: {pair['a_share']:.0%} of {html.escape(pair['a'])}'s distinctive "
            f"code is in {html.escape(pair['b'])}'s, {pair['b_share']:.0%} the other way. Highlighted: the code "
            f"both have (after renaming, reordering, comments and layout are set aside; starter code and code "
            f"common in the class are not highlighted).</p>",
            "<p><a href='index.html'>all pairs</a></p>"]
    labels = [cell.label for cell in a.cells] + [cell.label for cell in b.cells if cell.label not in
                                                 {c.label for c in a.cells}]
    cells_a = {cell.label: cell for cell in a.cells}
    for label in labels:
        left, right = cells_a.get(label), cells_b.get(label)
        rows.append(f"<h3>{html.escape(label)}</h3><div class='side'>")
        for who, cell in ((pair["a"], left), (pair["b"], right)):
            code = highlighted(cell.source, shared_regions(cell, shared)) if cell else "(no such cell)"
            rows.append(f"<div><b>{html.escape(who)}</b><pre>{code}</pre></div>")
        rows.append("</div>")
    return _page(f"{pair['a']} and {pair['b']}", "\n".join(rows))


def write_report(folder: Path, assignment: str, pairs: list[dict], subs: list[Submission], limit: int = 100) -> Path:
    """Write ``folder/index.html`` and a page for every flagged pair and the top ``limit`` others."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_student = {s.student: s for s in subs}
    shown = [p for p in pairs if p["flagged"]]
    shown += [p for p in pairs if not p["flagged"]][: max(0, limit - len(shown))]
    rows = []
    for n, pair in enumerate(shown, 1):
        name = f"pair-{n:04d}.html"
        (folder / name).write_text(_pair_page(pair, by_student[pair["a"]], by_student[pair["b"]]), encoding="utf-8")
        cells = ", ".join(c["a_cell"] if c["a_cell"] == c["b_cell"] else f"{c['a_cell']} / {c['b_cell']}"
                          for c in pair["cells"][:4])
        rows.append(f"<tr class='{'flagged' if pair['flagged'] else ''}'><td><a href='{name}'>{n}</a></td>"
                    f"<td>{html.escape(pair['a'])}</td><td>{html.escape(pair['b'])}</td><td>{pair['score']:.2f}</td>"
                    f"<td>{'yes' if pair['flagged'] else ''}</td><td>{pair['shared']}</td><td>{html.escape(cells)}</td></tr>")
    errors = [s for s in subs if s.error]
    body = [f"<h1>Similar submissions: {html.escape(assignment)}</h1>",
            f"<p>{len(subs)} submissions, {sum(p['flagged'] for p in pairs)} pairs flagged; below, the flagged "
            f"pairs and the most alike others. A flag is a reason to read both notebooks, not a finding.</p>",
            "<table class='pairs'><tr><th>#</th><th>student</th><th>student</th><th>score</th><th>flagged</th>"
            "<th>shared</th><th>cells</th></tr>", *rows, "</table>"]
    if errors:
        body.append("<h2>Not compared</h2><ul>" + "".join(f"<li>{html.escape(s.student)}: {html.escape(s.error)}</li>"
                                                          for s in errors) + "</ul>")
    index = folder / "index.html"
    index.write_text(_page(f"Similar submissions: {assignment}", "\n".join(body)), encoding="utf-8")
    return index
