"""How often the misconception diagnosis names the right mistake, names a wrong one, or says nothing.

    .venv/bin/python benchmarks/diagnosis_eval.py [--stages 01_linear_estimator ...] [--jobs 2] [--json]
    .venv/bin/python benchmarks/diagnosis_eval.py --combine one.json two.json ...   # saved --json runs

For every bug in benchmarks/diagnosis_bugs.py (a second set of realistic bugs, written apart from
the mutant catalogue), the reference submission gets the bug's code in its answer cell, and the
stage's submissions are graded by the real grader (``grade``: nbgrader autograde in the sandbox,
every notebook run to its end, as a class is graded); ``grade`` itself adds the likely causes from
the committed ``notebooks/<id>/signatures.json``. A bug's diagnosis is

- **right** when it names the catalogue mutant the bug is the same mistake as (``same_as``);
- **wrong** when it names any other mutant, or any mutant for a bug no mutant makes;
- **none** when the submission gets no likely cause (its first failure matches no mutant, or
  only an ambiguous signature, or no test failed).

Before grading, the script checks that no bug's code is a catalogue variant's code.

With ``--live`` it measures the notebook's own diagnosis instead (helpers/hints.py): every bug's
notebook is run as a student runs it (nbclient, not under the grader, no hidden tests), and the
verdict is read from the first failing cell, the message a student reads first: right when the
mistake it names is ``same_as``'s, wrong when it names another, none when it names nothing.
``wrong_anywhere`` also counts a wrong mistake named in any later failing cell.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from autograder.catalogue import catalogue  # noqa: E402
from autograder.catalogue.examples import reference_submission, with_cell  # noqa: E402
from autograder.grading.diagnose import match, read_signatures, signature  # noqa: E402
from autograder.grading.grade import grade  # noqa: E402
from autograder.nbio import write_notebook  # noqa: E402
from diagnosis_bugs import BUGS  # noqa: E402


def _code(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines() if line.strip())


def check_apart(assignment: str, bugs) -> None:
    known = {_code(v.source): v.name for v in catalogue(assignment)}
    names = {v.name for v in catalogue(assignment) if not v.correct}
    mine = [b.variant.name for b in bugs]
    if len(set(mine)) != len(mine):  # a bug's name is its notebook's student id
        raise SystemExit(f"{assignment}: bug names repeat: {sorted({n for n in mine if mine.count(n) > 1})}")
    for b in bugs:
        if _code(b.variant.source) in known:
            raise SystemExit(f"{assignment}/{b.variant.name} is catalogue variant {known[_code(b.variant.source)]}")
        if b.same_as is not None and b.same_as not in names:
            raise SystemExit(f"{assignment}/{b.variant.name}: same_as {b.same_as!r} is no mutant of the catalogue")


def evaluate(assignment: str, bugs, jobs: int) -> list[dict]:
    check_apart(assignment, bugs)
    table = read_signatures(assignment)
    if not table:
        raise SystemExit(f"{assignment} has no signatures.json: run python -m autograder mutants {assignment} "
                         "--write-signatures")
    reference = reference_submission(assignment)
    with tempfile.TemporaryDirectory(prefix="nncourse-diagnosis-") as tmp:
        paths = []
        for b in bugs:
            path = Path(tmp) / f"{b.variant.name}.ipynb"
            write_notebook(with_cell(reference, b.variant.cell, b.variant.source), path)
            paths.append(path)
        results = {r.student: r for r in grade(assignment, paths, jobs=jobs, figures=False)}
    rows = []
    for b in bugs:
        result = results[b.variant.name]
        found = None if result.error else match(result, table)
        if found is None:
            verdict = "none"
        elif b.same_as is not None and found["name"] == b.same_as:
            verdict = "right"
        else:
            verdict = "wrong"
        rows.append({"assignment": assignment, "bug": b.variant.name, "cell": b.variant.cell,
                     "mistake": b.variant.description, "same_as": b.same_as, "verdict": verdict,
                     "named": found["name"] if found else None, "likely_causes": result.likely_causes,
                     "failed": bool(result.failed_tests()), "error": result.error,
                     "signature": None if result.error else signature(result)})
    return rows


def run_as_student(nb) -> list[str]:
    """The messages of the failing cells, in notebook order, of the notebook run as a student
    runs it: in this working tree, not under the grader."""
    from nbclient import NotebookClient

    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    NotebookClient(nb, timeout=900, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT)}}).execute(env=env)
    return [o.get("evalue", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


def named(message: str) -> str | None:
    """The mistake a failing cell's message names (helpers/hints.py), or None."""
    from helpers.hints import HINT_PREFIX

    line = next((ln for ln in message.splitlines() if ln.startswith(HINT_PREFIX)), None)
    return line.split("known mistake: ", 1)[1].rstrip(".") if line and "known mistake: " in line else None


def evaluate_live(assignment: str, bugs, jobs: int) -> list[dict]:
    check_apart(assignment, bugs)
    description = {v.name: v.description.rstrip(".") for v in catalogue(assignment) if not v.correct}
    reference = reference_submission(assignment)
    notebooks = [with_cell(reference, b.variant.cell, b.variant.source) for b in bugs]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        messages = list(pool.map(run_as_student, notebooks))
    rows = []
    for b, failures in zip(bugs, messages):
        causes = [named(m) for m in failures]
        first = causes[0] if causes else None
        expected = description.get(b.same_as)
        verdict = "none" if first is None else "right" if first == expected else "wrong"
        rows.append({"assignment": assignment, "bug": b.variant.name, "cell": b.variant.cell,
                     "mistake": b.variant.description, "same_as": b.same_as, "verdict": verdict,
                     "named": first, "likely_causes": [first] if first else [], "failed": bool(failures),
                     "error": "", "wrong_anywhere": any(c is not None and c != expected for c in causes),
                     "first_failure": failures[0].splitlines()[0] if failures else None})
    return rows


def summary(rows: list[dict]) -> dict:
    n = len(rows)
    count = {v: sum(1 for r in rows if r["verdict"] == v) for v in ("right", "wrong", "none")}
    twins = [r for r in rows if r["same_as"]]
    return {"bugs": n, "stages": len({r["assignment"] for r in rows}), **count,
            "right_fraction": count["right"] / n, "wrong_fraction": count["wrong"] / n,
            "none_fraction": count["none"] / n,
            "with_catalogue_twin": len(twins), "twins_right": sum(1 for r in twins if r["verdict"] == "right"),
            "without_twin": n - len(twins),
            "without_twin_wrong": sum(1 for r in rows if not r["same_as"] and r["verdict"] == "wrong"),
            "not_caught": sum(1 for r in rows if not r["failed"] and not r["error"]),
            "wrong_anywhere": sum(1 for r in rows if r.get("wrong_anywhere"))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", nargs="*", default=list(BUGS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--live", action="store_true",
                        help="measure the notebook's own live diagnosis (helpers/hints.py), not the grader's")
    parser.add_argument("--combine", nargs="+", metavar="RUN.json", help="summarise saved --json runs instead")
    args = parser.parse_args(argv)
    rows, start = [], time.perf_counter()
    if args.combine:
        runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in args.combine]
        rows = [r for run in runs for r in run["bugs"]]
    else:
        for assignment in args.stages:
            rows += (evaluate_live if args.live else evaluate)(assignment, BUGS[assignment], args.jobs)
    s = summary(rows)
    s["seconds"] = (sum(run["summary"]["seconds"] for run in runs) if args.combine
                    else round(time.perf_counter() - start, 1))
    if args.json:
        print(json.dumps({"summary": s, "bugs": rows}, indent=1))
        return 0
    for r in rows:
        print(f"{r['verdict']:<5}  {r['assignment'][:2]} {r['cell']}/{r['bug']} (same as {r['same_as']}): "
              f"{r['likely_causes'][0] if r['likely_causes'] else 'no likely cause'}")
    print(f"{s['bugs']} bugs in {s['stages']} stages: right cause {s['right']} ({s['right_fraction']:.0%}), "
          f"WRONG cause {s['wrong']} ({s['wrong_fraction']:.0%}), no cause {s['none']} ({s['none_fraction']:.0%}); "
          f"of the {s['with_catalogue_twin']} bugs that are a catalogue mistake written another way, "
          f"{s['twins_right']} named right; of the {s['without_twin']} that are not, {s['without_twin_wrong']} "
          f"given a cause; {s['not_caught']} bugs passed every test"
          + (f"; a wrong mistake named in any failing cell for {s['wrong_anywhere']}" if args.live else "")
          + f"; {s['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
