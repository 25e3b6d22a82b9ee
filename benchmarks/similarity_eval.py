"""How well `python -m autograder similarity` finds planted copies, and how often it flags
independent work.

    .venv/bin/python benchmarks/similarity_eval.py [--stages 03_mlp 05_mnist_softmax ...]
        [--independent 80] [--copies 20] [--seed 0] [--json]

For each stage a class is generated in nbgrader's submitted/<student>/<assignment>/ layout:

- independent students: every answer cell holds, at random, the reference solution, one of the
  stage's correct variants or one of its mutants (``notebooks/<id>/variants.py``); no two
  students hold the same combination;
- two untouched student versions (``blank1``, ``blank2``);
- planted copies: an independent student's notebook copied with one kind of edit, in turn:
  variables renamed, functions (and methods) reordered, comments and whitespace changed, or all
  three at once.

Then the similarity check runs as the CLI runs it, and the script counts the planted copies whose
(original, copy) pair is flagged, and the flagged pairs among independent work (any flagged pair
other than a copy with its original or two copies of the same original).
"""
from __future__ import annotations

import argparse
import ast
import io
import json
import random
import sys
import tempfile
import time
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from autograder.catalogue import catalogue  # noqa: E402
from autograder.catalogue.examples import blank_submission, reference_submission, with_cell  # noqa: E402
from autograder.nbio import write_notebook  # noqa: E402
from autograder.paths import release_notebook  # noqa: E402
from autograder.similarity import compare, load  # noqa: E402
from autograder.similarity.fingerprint import bound_names  # noqa: E402

STAGES = ["03_mlp", "04_credit_l2", "05_mnist_softmax", "08_optimizers", "09_sequential_cifar"]
EDITS = ["rename", "reorder", "format", "all"]
_WORDS = ["tmp", "val", "res", "out", "acc", "buf", "aux", "item", "part", "cur", "prev", "step", "mid", "q", "z"]


def _answer_ids(nb) -> list[str]:
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def _answers(nb) -> dict[str, object]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}


# --- the edits a copier makes ------------------------------------------------------------------

def rename(source: str, keep: set[str], rng: random.Random) -> str:
    """Every name the code binds, except the ones in ``keep`` (the API the tests call, and
    methods), gets a new name; attributes after a dot stay."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    methods = {n.name for c in ast.walk(tree) if isinstance(c, ast.ClassDef) for n in c.body
               if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    targets = sorted(bound_names(source) - keep - methods - {"self", "cls"})
    new = {}
    for name in targets:
        new[name] = f"{rng.choice(_WORDS)}_{len(new)}"
    out, prev = [], None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME and tok.string in new and not (prev and prev.string == "."):
            tok = tok._replace(string=new[tok.string])
        out.append(tok)
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            prev = tok
    return _untokenize_same_layout(out)


def _untokenize_same_layout(tokens) -> str:
    """Source from tokens whose text may have changed length: rebuild each line left to right."""
    lines: dict[int, list] = {}
    for tok in tokens:
        if tok.type in (tokenize.ENCODING, tokenize.ENDMARKER):
            continue
        lines.setdefault(tok.start[0], []).append(tok)
    out = []
    for number in sorted(lines):
        row, col, text = lines[number], 0, ""
        for tok in row:
            if tok.start[0] != number:
                continue
            text += " " * max(0, tok.start[1] - col) + tok.string
            col = tok.end[1] if tok.end[0] == number else len(text)
            if tok.end[0] != number:  # a token over several lines (a triple-quoted string)
                break
        out.append(text.rstrip("\n"))
    return "\n".join(out) + "\n"


def reorder(source: str, rng: random.Random) -> str:
    """Top-level functions and classes of the cell, and the methods of each class, in a new order
    (each moved with its decorators and the lines up to the next definition)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()

    def shuffled(body, first_line, last_line) -> list[str] | None:
        defs = [n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        if len(defs) < 2:
            return None
        blocks, starts = [], []
        for n in defs:
            starts.append(min([n.lineno] + [d.lineno for d in n.decorator_list]))
        ends = starts[1:] + [last_line + 1]
        for s, e in zip(starts, ends):
            blocks.append(lines[s - 1:e - 1])
        order = list(range(len(blocks)))
        while order == sorted(order):
            rng.shuffle(order)
        out = lines[first_line - 1:starts[0] - 1]
        for i in order:
            block = blocks[i]
            while block and not block[-1].strip():
                block = block[:-1]
            out += block + [""]
        return out

    top = shuffled(tree.body, 1, len(lines))
    if top is not None:
        return "\n".join(top).rstrip() + "\n"
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    if classes:
        cls = classes[0]
        methods = [n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        if len(methods) >= 2:
            first = min([methods[0].lineno] + [d.lineno for d in methods[0].decorator_list])
            last = cls.end_lineno
            inner = shuffled(cls.body, first, last)
            if inner is not None:
                return "\n".join(lines[:first - 1] + inner + lines[last:]).rstrip() + "\n"
    return source


def reformat(source: str, rng: random.Random) -> str:
    """Comments removed and new ones written, spacing around operators and commas changed, blank
    lines added; the code stays the same."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError):
        return source
    kept = [t for t in tokens if t.type != tokenize.COMMENT]
    # re-space each line: no spaces inside brackets, one around every operator, two-space indents
    lines: dict[int, list] = {}
    for tok in kept:
        if tok.type in (tokenize.ENCODING, tokenize.ENDMARKER, tokenize.NL, tokenize.NEWLINE,
                        tokenize.INDENT, tokenize.DEDENT):
            continue
        lines.setdefault(tok.start[0], []).append(tok)
    src_lines = source.splitlines()
    out = []
    for number, text in enumerate(src_lines, 1):
        row = lines.get(number)
        if not row or any(t.end[0] != t.start[0] for t in row) or row[0].start[0] != number:
            if text.strip() and not text.strip().startswith("#"):
                out.append(text)
            continue
        indent = (len(text) - len(text.lstrip())) // 4 * "  " if text.startswith("    ") else text[:len(text) - len(text.lstrip())]
        pieces = []
        for i, tok in enumerate(row):
            if tok.type == tokenize.OP and tok.string in {"=", "+", "-", "*", "/", "==", "<", ">", "+=", "-=", "*=",
                                                          "/=", "**", "@", "<=", ">="} and i > 0:
                prev = row[i - 1]
                unary = tok.string in {"-", "+", "*", "**"} and (prev.type == tokenize.OP and prev.string in "([{,=:")
                pieces.append(tok.string if unary else f" {tok.string} ")
            elif tok.type == tokenize.OP and tok.string == ",":
                pieces.append(", ")
            elif tok.type == tokenize.OP and tok.string == ":" and i == len(row) - 1:
                pieces.append(":")
            elif pieces and tok.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING) and \
                    row[i - 1].type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING):
                pieces.append(" " + tok.string)
            else:
                pieces.append(tok.string)
        line = indent + "".join(pieces).replace("  ", " ").replace("( ", "(").rstrip()
        if rng.random() < 0.3:
            out.append(indent + rng.choice(["# compute this part", "# now the main step", "# see the formula above",
                                            "# careful with shapes here", "# TODO tidy up"]))
        if rng.random() < 0.2:
            line += "  # ok"
        out.append(line)
        if rng.random() < 0.15:
            out.append("")
    result = "\n".join(out).rstrip() + "\n"
    try:
        ast.parse(result)
    except SyntaxError:
        return source
    return result


def edit(source: str, kind: str, keep: set[str], rng: random.Random) -> str:
    if kind in ("rename", "all"):
        source = rename(source, keep, rng)
    if kind in ("reorder", "all"):
        source = reorder(source, rng)
    if kind in ("format", "all"):
        source = reformat(source, rng)
    return source


# --- the class --------------------------------------------------------------------------------

def make_class(assignment: str, independent: int, copies: int, folder: Path, seed: int) -> dict:
    """Write the class; return student -> {"kind": ..., "of": original (copies only)}."""
    rng = random.Random(seed)
    reference = reference_submission(assignment)
    release = nbformat.read(release_notebook(assignment), as_version=4)
    keep: set[str] = set()
    for cell in release.cells:
        if cell.cell_type == "code":
            keep |= bound_names(cell.source)
    answers = _answers(reference)
    options: dict[str, list[str]] = {gid: [answers[gid].source] for gid in answers}
    for v in catalogue(assignment):
        if v.cell in options:
            options[v.cell].append(v.source)
    made: dict[str, dict] = {}
    notebooks: dict[str, object] = {}
    seen = set()
    while len(notebooks) < independent:
        choice = tuple(rng.randrange(len(options[gid])) for gid in answers)
        if choice in seen:
            continue
        seen.add(choice)
        nb = reference
        for gid, i in zip(answers, choice):
            nb = with_cell(nb, gid, options[gid][i])
        student = f"ind{len(notebooks):04d}"
        notebooks[student] = nb
        made[student] = {"kind": "independent"}
    originals = list(notebooks)
    for i in range(copies):
        kind = EDITS[i % len(EDITS)]
        of = rng.choice(originals)
        nb = notebooks[of]
        for gid, cell in _answers(nb).items():
            nb = with_cell(nb, gid, edit(cell.source, kind, keep, rng))
        student = f"copy{i:03d}"
        notebooks[student] = nb
        made[student] = {"kind": f"copy ({kind})", "of": of, "edit": kind}
    for student in ("blank1", "blank2"):
        notebooks[student] = blank_submission(assignment)
        made[student] = {"kind": "blank"}
    for student, nb in notebooks.items():
        write_notebook(nb, folder / "submitted" / student / assignment / f"{assignment}.ipynb")
    return made


def evaluate(assignment: str, independent: int, copies: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="nncourse-sim-") as tmp:
        made = make_class(assignment, independent, copies, Path(tmp), seed)
        start = time.perf_counter()
        subs = load(assignment, [Path(tmp)])
        pairs = compare(subs)
        seconds = time.perf_counter() - start
    origin = {s: info.get("of", s) for s, info in made.items()}
    flagged = [p for p in pairs if p["flagged"]]
    found = {p["b"] if made[p["b"]].get("of") == p["a"] else p["a"] for p in flagged
             if made[p["b"]].get("of") == p["a"] or made[p["a"]].get("of") == p["b"]}
    false = [p for p in flagged if origin[p["a"]] != origin[p["b"]] or made[p["a"]]["kind"] == "blank"]
    copy_scores = {}
    for p in pairs:
        for x, y in ((p["a"], p["b"]), (p["b"], p["a"])):
            if made[x].get("of") == y:
                copy_scores[x] = p["score"]
    by_edit = {}
    for kind in EDITS:
        planted = [s for s, info in made.items() if info.get("edit") == kind]
        by_edit[kind] = f"{sum(s in found for s in planted)}/{len(planted)}"
    independent_scores = [p["score"] for p in pairs if origin[p["a"]] != origin[p["b"]]]
    return {"assignment": assignment, "students": len(made), "planted": copies, "found": len(found),
            "found_by_edit": by_edit, "false_pairs": len(false), "independent_pairs": independent * (independent - 1) // 2,
            "max_independent_score": max(independent_scores, default=0.0),
            "min_copy_score": min(copy_scores.get(s, 0.0) for s, info in made.items() if info.get("of")),
            "blank_pair_flagged": any(p["flagged"] and {p["a"], p["b"]} == {"blank1", "blank2"} for p in pairs),
            "seconds": round(seconds, 2), "false": [(p["a"], p["b"], p["score"]) for p in false[:10]]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stages", nargs="+", default=STAGES)
    parser.add_argument("--independent", type=int, default=80)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = [evaluate(stage, args.independent, args.copies, args.seed) for stage in args.stages]
    total = {"planted": sum(r["planted"] for r in rows), "found": sum(r["found"] for r in rows),
             "false_pairs": sum(r["false_pairs"] for r in rows),
             "independent_pairs": sum(r["independent_pairs"] for r in rows)}
    if args.json:
        print(json.dumps({"date": time.strftime("%Y-%m-%d"), "stages": rows, "total": total}, indent=2))
        return 0
    for r in rows:
        print(f"{r['assignment']}: {r['students']} students; planted copies found {r['found']}/{r['planted']} "
              f"(by edit: {', '.join(f'{k} {v}' for k, v in r['found_by_edit'].items())}); "
              f"false pairs {r['false_pairs']} of {r['independent_pairs']} independent pairs; "
              f"highest independent score {r['max_independent_score']:.2f}, lowest copy score "
              f"{r['min_copy_score']:.2f}; blank pair flagged: {r['blank_pair_flagged']}; {r['seconds']} s")
    print(f"total: found {total['found']}/{total['planted']} planted copies, "
          f"{total['false_pairs']} false pairs among {total['independent_pairs']} independent pairs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
