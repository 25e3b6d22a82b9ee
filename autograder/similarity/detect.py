"""Find pairs of submissions whose answer cells are unusually alike.

Only the code a student wrote counts: the answer cells (nbgrader ``solution`` cells) and any code
cell the student added. Given cells, test cells and the rest of the student version are left out,
and every k-gram of the student version's code (the starter stubs, the given code, the visible
tests) is subtracted, so two untouched notebooks share nothing. Code that many submissions share
(more than ``max_share`` of them, as MOSS's ``-m``) is common knowledge, not evidence, and is
ignored too; rarer code weighs more (see ``compare``). A pair is flagged when most of each
one's weighted fingerprints are in the other (``threshold``) and what they share weighs enough
(``min_evidence``: one tiny identical cell is not enough).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .fingerprint import K, WINDOW, CellPrint, all_hashes, bound_names, cell_print

THRESHOLD = 0.95
MIN_EVIDENCE = 20.0


def _submission_finder():
    """The grader's submission finder (it moves from ``autograder/grade.py`` into
    ``autograder/grading/submissions.py``): whichever exists."""
    try:
        from ..grading.submissions import find_submissions, read_submission
    except ImportError:
        try:
            from ..grading.grade import find_submissions, read_submission
        except ImportError:
            from ..grade import find_submissions, read_submission
    return find_submissions, read_submission


def _restore():
    try:
        from ..grading.restore import restore
    except ImportError:
        from ..restore import restore
    return restore


@dataclass
class Submission:
    student: str
    path: Path
    cells: list[CellPrint] = field(default_factory=list)
    error: str = ""

    def kept(self) -> set[int]:
        return {fp.value for cell in self.cells for fp in cell.prints}


@dataclass
class Starter:
    """What the student version already holds: subtracted from every submission."""
    hashes: set[int]
    bound: set[str]
    sources: set[str]
    cell_ids: set[str]


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in str(text).strip().splitlines())


def starter(release_nb) -> Starter:
    code = [c for c in release_nb.cells if c.cell_type == "code"]
    bound: set[str] = set()
    for cell in code:
        bound |= bound_names(cell.source)
    hashes: set[int] = set()
    for cell in code:
        hashes |= all_hashes(cell.source, bound)
    return Starter(hashes, bound, {_norm(c.source) for c in code}, {c.get("id") for c in code if c.get("id")})


def student_cells(nb, release_nb, known: Starter) -> list[tuple[str, str]]:
    """(label, source) of the code the student wrote: answer cells by grade_id (after lining the
    notebook up with the student version, as the grader does), then cells the student added."""
    restored, _notes = _restore()(nb, release_nb)
    cells = []
    for index, cell in enumerate(restored.cells):
        if cell.cell_type != "code":
            continue
        meta = _meta(cell)
        if meta.get("solution"):
            cells.append((meta.get("grade_id") or f"answer cell {index + 1}", cell.source))
        elif not meta and cell.get("id") not in known.cell_ids and _norm(cell.source) not in known.sources:
            cells.append((f"added cell {index + 1}", cell.source))
    return cells


def fingerprint_submission(student: str, path: Path, nb, release_nb, known: Starter,
                           k: int = K, window: int = WINDOW) -> Submission:
    cells = [(label, source) for label, source in student_cells(nb, release_nb, known) if source.strip()]
    bound = set(known.bound)
    for _label, source in cells:
        bound |= bound_names(source)
    sub = Submission(student, path)
    for label, source in cells:
        cp = cell_print(label, source, bound, k, window)
        cp.prints = [fp for fp in cp.prints if fp.value not in known.hashes]
        sub.cells.append(cp)
    return sub


def load(assignment: str, paths, release_nb=None, k: int = K, window: int = WINDOW) -> list[Submission]:
    """Fingerprint every submission PATH names (the same forms as ``grade``); one that cannot be
    read comes back with ``error`` set and no cells."""
    from ..paths import release_notebook

    find_submissions, read_submission = _submission_finder()
    release_nb = release_nb or nbformat.read(release_notebook(assignment), as_version=4)
    known = starter(release_nb)
    subs = []
    for student, path in find_submissions(assignment, paths):
        try:
            nb = read_submission(path)
        except ValueError as exc:
            subs.append(Submission(student, Path(path), error=str(exc)))
            continue
        subs.append(fingerprint_submission(student, Path(path), nb, release_nb, known, k, window))
    return subs


def default_max_share(n: int) -> int:
    """Fingerprints in more than this many submissions are common code and weigh nothing: half
    the class, and at least 10 (MOSS's default)."""
    return max(10, n // 2)


def compare(subs: list[Submission], threshold: float = THRESHOLD, min_evidence: float = MIN_EVIDENCE,
            max_share: int | None = None, limit: int | None = None) -> list[dict]:
    """Pairs sharing fingerprints that are not common, highest score first: every flagged pair and
    the ``limit`` best others (all others when ``limit`` is None).

    A fingerprint held by ``df`` of the ``n`` submissions weighs ``log((n + 1) / df)`` (inverse
    document frequency), zero when ``df > max_share``: code most of the class wrote says little,
    code only two students have says a lot. A pair's ``score`` is the mean of the two weighted
    fractions (the weight of what they share over the weight of each one's fingerprints); its
    ``evidence`` is the weight they share. Flagged: ``score >= threshold`` and
    ``evidence >= min_evidence``. The pair sums are sparse matrix products, in blocks of rows."""
    import numpy as np
    from scipy import sparse

    graded = [s for s in subs if not s.error]
    n_subs = len(graded)
    max_share = default_max_share(n_subs) if max_share is None else max_share
    kept = [s.kept() for s in graded]
    df = Counter(h for hashes in kept for h in hashes)
    weight = {h: math.log((n_subs + 1) / n) for h, n in df.items() if n <= max_share}
    column = {h: j for j, h in enumerate(weight)}
    w = np.array(list(weight.values()), dtype=np.float64)
    rows = [sorted(column[h] for h in hashes if h in column) for hashes in kept]
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.array([j for r in rows for j in r], dtype=np.int64)
    held = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n_subs, len(w)))
    weighted = sparse.csr_matrix((w[indices], indices, indptr), shape=(n_subs, len(w)))
    totals = np.asarray(weighted.sum(axis=1)).ravel()
    flagged_ij, other_ij = [], []
    block = max(1, 2_000_000 // max(1, n_subs))
    for r0 in range(0, n_subs, block):
        r1 = min(n_subs, r0 + block)
        evidence = (weighted[r0:r1] @ held.T).toarray()
        i, j = np.nonzero(np.triu(evidence, k=r0 + 1))
        if not len(i):
            continue
        e = evidence[i, j]
        i = i + r0
        score = (e / totals[i] + e / totals[j]) / 2
        flag = (score >= threshold) & (e >= min_evidence)
        flagged_ij += list(zip(i[flag], j[flag], score[flag], e[flag]))
        rest = np.flatnonzero(~flag)
        if limit is not None and len(rest) > limit:
            rest = rest[np.argsort(-score[rest], kind="stable")[:limit]]
        other_ij += list(zip(i[rest], j[rest], score[rest], e[rest]))
    if limit is not None:
        other_ij = sorted(other_ij, key=lambda t: (-t[2], -t[3]))[:limit]
    pairs = []
    for i, j, score, e in flagged_ij + other_ij:
        a, b = graded[i], graded[j]
        both = {h for h in kept[i] & kept[j] if h in weight}
        cells = []
        for ca in a.cells:
            values_a = {fp.value for fp in ca.prints} & both
            for cb in b.cells:
                m = len(values_a & {fp.value for fp in cb.prints})
                if m:
                    cells.append({"a_cell": ca.label, "b_cell": cb.label, "shared": m})
        cells.sort(key=lambda c: -c["shared"])
        pairs.append({"a": a.student, "b": b.student, "score": round(float(score), 4),
                      "flagged": bool(score >= threshold and e >= min_evidence), "evidence": round(float(e), 2),
                      "shared": len(both), "a_share": round(float(e / totals[i]), 4),
                      "b_share": round(float(e / totals[j]), 4),
                      "a_submission": str(a.path), "b_submission": str(b.path), "cells": cells})
    pairs.sort(key=lambda p: (-p["score"], -p["evidence"], p["a"], p["b"]))
    return pairs


def shared_regions(cell: CellPrint, values: set[int]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Source spans ((line, col), (line, col)) of ``cell`` covered by fingerprints in ``values``,
    overlapping spans merged."""
    spans = sorted((fp.first, fp.last) for fp in cell.prints if fp.value in values)
    merged: list[list[int]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    out = []
    for first, last in merged:
        tokens = [t for t in cell.tokens[first:last] if t.text not in ("{", "}")] or cell.tokens[first:last]
        out.append((tokens[0].start, tokens[-1].end))
    return out
