"""Line a submission up with the student version it came from, before nbgrader grades it.

Some editors and notebook hosts drop cell metadata, students delete or move cells, and nbgrader
finds hidden tests and answer cells only by their nbgrader metadata. ``restore`` matches every
cell of the release notebook to a submitted cell (by grade_id, then cell id, then identical
source, then, for answer cells, the line that opens the function or class), gives matched cells
their release metadata back, re-inserts deleted graded cells, and puts the graded cells back in
release order. Cells the student added stay, right after the cell they followed. What it did is
returned as a list of notes for the grade report.
"""
from __future__ import annotations

import copy

import nbformat


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in str(text).strip().splitlines())


def _opening_line(cell) -> str | None:
    """The `def name(` / `class Name` line that a student keeps when filling an answer cell."""
    for line in cell.source.splitlines():
        stripped = line.strip()
        if stripped.startswith(("def ", "class ")):
            return stripped.split("(")[0].split(":")[0]
    return None


def _match(release, submitted) -> dict[int, int]:
    """release cell index -> submitted cell index."""
    taken: set[int] = set()
    matches: dict[int, int] = {}

    def claim(r: int, s: int) -> None:
        matches[r] = s
        taken.add(s)

    by_grade_id = {_meta(c).get("grade_id"): i for i, c in enumerate(submitted) if _meta(c).get("grade_id")}
    by_cell_id = {c.get("id"): i for i, c in enumerate(submitted) if c.get("id")}
    for r, cell in enumerate(release):
        grade_id = _meta(cell).get("grade_id")
        if grade_id and grade_id in by_grade_id:
            claim(r, by_grade_id[grade_id])
    for r, cell in enumerate(release):
        s = by_cell_id.get(cell.get("id"))
        if r not in matches and s is not None and s not in taken and submitted[s].cell_type == cell.cell_type:
            claim(r, s)
    for r, cell in enumerate(release):
        if r in matches:
            continue
        text = _norm(cell.source)
        for s, sub in enumerate(submitted):
            if s not in taken and sub.cell_type == cell.cell_type and _norm(sub.source) == text:
                claim(r, s)
                break
    for r, cell in enumerate(release):
        if r in matches or not _meta(cell).get("solution") or cell.cell_type != "code":
            continue
        opening = _opening_line(cell)
        for s, sub in enumerate(submitted):
            if opening and s not in taken and sub.cell_type == "code" and not _meta(sub).get("grade_id") \
                    and opening in [ln.strip().split("(")[0].split(":")[0] for ln in sub.source.splitlines()]:
                claim(r, s)
                break
    # A written answer has no fixed text: take the cell right after the matched prompt before it.
    for r, cell in enumerate(release):
        if r in matches or not _meta(cell).get("solution") or r == 0 or (r - 1) not in matches:
            continue
        s = matches[r - 1] + 1
        if s < len(submitted) and s not in taken and submitted[s].cell_type == cell.cell_type \
                and not _meta(submitted[s]).get("grade_id"):
            claim(r, s)
    return matches


def restore(submitted_nb, release_nb):
    """Return (notebook to grade, notes). The input notebook is not modified."""
    submitted = copy.deepcopy(submitted_nb.cells)
    release = release_nb.cells
    matches = _match(release, submitted)
    notes = []

    restored_meta = []
    for r, s in matches.items():
        want = _meta(release[r])
        if want and _meta(submitted[s]) != want:
            submitted[s].setdefault("metadata", {})["nbgrader"] = copy.deepcopy(want)
            restored_meta.append(want["grade_id"])
    if restored_meta:
        notes.append(f"restored nbgrader metadata of {len(restored_meta)} cells: {', '.join(restored_meta)}")

    # Matched cells go back to their release position; a cell the student added (or changed beyond
    # recognition) travels with the cell before it; a missing graded cell comes back from the release.
    s_order = [s for r, s in sorted(matches.items()) if _meta(release[r]).get("grade_id")]
    if s_order != sorted(s_order):
        notes.append("graded cells were out of order; put back in the order of the student version")
    release_pos = {s: r for r, s in matches.items()}
    keyed = []
    last = -1
    for s, cell in enumerate(submitted):
        if s in release_pos:
            last = release_pos[s]
            keyed.append(((last, 1, s), cell))
        else:
            keyed.append(((last, 2, s), cell))
    inserted = []
    for r, cell in enumerate(release):
        if _meta(cell).get("grade_id") and r not in matches:
            keyed.append(((r, 0, -1), copy.deepcopy(cell)))
            inserted.append(_meta(cell)["grade_id"])
    if inserted:
        notes.append(f"re-inserted missing cells from the student version: {', '.join(inserted)}")
    output = [cell for _, cell in sorted(keyed, key=lambda item: item[0])]

    nb = copy.deepcopy(submitted_nb)
    nb.cells = output
    ids = set()
    for cell in nb.cells:  # duplicated ids would make the notebook invalid
        if cell.get("id") in ids:
            cell["id"] = nbformat.v4.new_code_cell().id
        ids.add(cell.get("id"))
    return nb, notes
