"""python -m autograder {build,check,grade,merge,report,mutants,demo,similarity,export}"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .limits import DEFAULT, format_size
from .paths import UsageError, resolve_assignments


def _cmd_build(args) -> int:
    from .building.build import build

    for path in build(resolve_assignments(args.assignments)):
        print(f"wrote {path}")
    return 0


def _cmd_check(args) -> int:
    from .building.check import check

    problems = check(resolve_assignments(args.assignments))
    for problem in problems:
        print(f"FAIL {problem}")
    if not problems:
        print("check: source/ and release/ match notebooks/, and release notebooks hide solutions and hidden tests")
    return 1 if problems else 0


def _cmd_publish(args) -> int:
    from .building.publish import publish

    try:
        stages = publish(Path(args.out_dir), through=args.through)
    except ValueError as error:  # the distribution would leak, or [tool.nncourse] is wrong
        print(f"FAIL {error}", file=sys.stderr)
        return 1
    print(f"published {len(stages)} stages ({stages[0]} to {stages[-1]}), helpers and the student README to "
          f"{args.out_dir}; commit and push it there: git -C {args.out_dir} add -A && git -C {args.out_dir} commit")
    return 0


def _cmd_grade(args) -> int:
    import json
    from contextlib import ExitStack

    from .nbgrader_run import NbgraderProcess

    with ExitStack() as stack:
        # Importing nbgrader is the longest step before the first kernel: start on it now.
        early = [stack.enter_context(NbgraderProcess()) for _ in range(max(1, args.jobs))]
        return _grade_and_show(args, early)


def _grade_and_show(args, nbgrader) -> int:
    import json

    from .grading.grade import grade
    from .grading.report import write_csv
    from .limits import Limits, parse_size

    [assignment] = resolve_assignments([args.assignment])
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    _check_report_args(args.report, args.pdf, "--report DIR")
    limits = Limits(cell_timeout=args.cell_timeout, submission_timeout=args.submission_timeout,
                    memory=parse_size(args.memory_limit), output=args.max_output, disk=parse_size(args.disk_limit))
    results = grade(assignment, args.paths, course_dir=Path(args.course_dir) if args.course_dir else None,
                    jobs=args.jobs, figures=not args.no_figures, limits=limits,
                    feedback_dir=Path(args.feedback) if args.feedback else None,
                    hide_hidden_tests=args.hide_hidden_tests, progress=not args.json, sandbox=args.sandbox,
                    due=args.due, isolate_answers=args.isolate_answers, nbgrader=nbgrader)
    links = _write_report(results, args.report, args.pdf, args.csv, sys.stderr if args.json else sys.stdout)
    if args.json:
        if args.csv:
            write_csv(results, Path(args.csv), links)
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        _show(results, args.csv, links)
    return 0


def _check_report_args(folder: str | None, pdf: bool, option: str) -> None:
    """Stop before any work when --pdf cannot be honoured."""
    if pdf and not folder:
        raise UsageError(f"--pdf prints the report's pages: give {option} too")
    if pdf:
        from .reports.pdf import check_chromium

        check_chromium()


def _write_report(results, folder: str | None, pdf: bool, csv: str | None, out) -> list | None:
    """With ``folder``: the submission pages and index.html (and PDFs); the CSV's link columns."""
    if not folder:
        return None
    from .reports.write import csv_links, write_report

    index, pages = write_report(results, Path(folder), pdf=pdf)
    made = sum(1 for p in pages.values() if p.notebook)
    print(f"wrote {index} and the pages of {made} of {len(results)} submissions", file=out)
    return csv_links(pages, Path(folder), Path(csv), len(results)) if csv else None


def _show(results: list[dict], csv: str | None, links: list | None = None) -> None:
    """The table and the class summary; with ``csv``, the CSV too (``links``: its page columns)."""
    from .grading.report import format_summary, format_table, write_csv

    print(format_table(results))
    print()
    print(format_summary(results))
    if csv:
        write_csv(results, Path(csv), links)
        print(f"wrote {csv}")


def _cmd_merge(args) -> int:
    from .grading.course import check_course_dir
    from .grading.merge import merge_courses

    [assignment] = resolve_assignments([args.assignment])
    target = Path(args.course_dir)
    check_course_dir(target)
    workers = [Path(w) for w in args.workers]
    missing = [str(w) for w in workers if not (w / "gradebook.db").is_file()]
    if missing:
        raise UsageError(f"no gradebook.db in {', '.join(missing)}")
    merged = merge_courses(target, workers, assignment)
    print(f"merged {len(merged)} submissions of {assignment} into {target / 'gradebook.db'}")
    return 0


def _cmd_report(args) -> int:
    import json

    results = []
    for path in args.results:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read grading results from {path}: {exc}") from None
        results += data if isinstance(data, list) else [data]
    from .grading.results import SubmissionResult

    _check_report_args(args.html, args.pdf, "--html DIR")
    results = [SubmissionResult.from_dict(r) for r in results]
    links = _write_report(results, args.html, args.pdf, args.csv, sys.stdout)
    _show(results, args.csv, links)
    return 0


def _cmd_mutants(args) -> int:
    from .catalogue.judge import run_catalogue

    ok = run_catalogue(resolve_assignments(args.assignments), jobs=args.jobs, write=args.write_signatures,
                       engine=args.engine)
    return 0 if ok else 1


def _cmd_demo(args) -> int:
    from .demo import demo

    return demo(jobs=args.jobs)


def _cmd_similarity(args) -> int:
    import json

    from .similarity import compare, load, write_report

    [assignment] = resolve_assignments([args.assignment])
    subs = load(assignment, args.paths)
    for sub in subs:
        if sub.error:
            print(f"not compared: {sub.student}: {sub.error}", file=sys.stderr)
    pairs = compare(subs, threshold=args.threshold, min_evidence=args.min_evidence, max_share=args.max_share,
                    limit=args.limit or None)
    if args.report:
        index = write_report(Path(args.report), assignment, pairs, subs)
        if not args.json:
            print(f"wrote {index}")
    shown = [p for p in pairs if p["flagged"]]
    shown += [p for p in pairs if not p["flagged"]][: max(0, args.limit - len(shown))] if args.limit else \
        [p for p in pairs if not p["flagged"]]
    shown.sort(key=lambda p: (-p["score"], -p["evidence"], p["a"], p["b"]))
    if args.json:
        print(json.dumps(shown, indent=2))
        return 0
    flagged = sum(p["flagged"] for p in pairs)
    print(f"{len(subs)} submissions of {assignment}: {flagged} pairs flagged (score >= {args.threshold:g}, "
          f"evidence >= {args.min_evidence:g}); the most alike:")
    for p in shown[:20]:
        cells = ", ".join(c["a_cell"] if c["a_cell"] == c["b_cell"] else f"{c['a_cell']}/{c['b_cell']}"
                          for c in p["cells"][:3])
        print(f"  {'FLAG' if p['flagged'] else '    '} {p['score']:.2f}  {p['a']}  {p['b']}  ({cells})")
    return 0


def _cmd_export(args) -> int:
    from .lms import export, read_results

    if not (args.canvas or args.moodle):
        raise UsageError("say where to write: --canvas FILE and/or --moodle FILE")
    results = read_results(args.results)
    for line in export(results, canvas=args.canvas, moodle=args.moodle, roster=args.roster,
                       roster_key=args.roster_key, moodle_id=args.moodle_id,
                       canvas_ids=args.canvas_assignment_id or []):
        print(line)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="notebooks/*.py -> source/ (instructor) and release/ (student)")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("check", help="fail if source/ or release/ are stale, or a release leaks solutions")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("publish", help="write the student repository: release notebooks, helpers, a student README")
    p.add_argument("out_dir", metavar="OUT_DIR", help="the student repository's folder (a clone, or a new folder)")
    p.add_argument("--through", metavar="NN", help="publish stages 01..NN only (default: every stage)")
    p.set_defaults(func=_cmd_publish)

    p = sub.add_parser("grade", help="autograde submitted notebooks with nbgrader")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="submitted notebooks (the file stem is the student id), a folder of <student>.ipynb, "
                        "or nbgrader's submitted/<student>/ASSIGNMENT/ layout")
    p.add_argument("--json", action="store_true", help="print one JSON array, one object per submission")
    p.add_argument("--course-dir", metavar="DIR", help="nbgrader course directory to grade in (default: a temporary one)")
    p.add_argument("--jobs", type=int, default=1, help="grade in N parallel workers (default 1)")
    p.add_argument("--no-figures", action="store_true",
                   help="do not render plots while grading (faster; scores are the same)")
    p.add_argument("--csv", metavar="FILE", help="write one row per student: per-test scores, total, flags, error")
    p.add_argument("--feedback", metavar="DIR",
                   help="write each student's nbgrader feedback HTML to DIR/<student>/ASSIGNMENT/")
    p.add_argument("--hide-hidden-tests", action="store_true",
                   help="leave hidden-test source out of the feedback (nbgrader shows it by default)")
    p.add_argument("--cell-timeout", type=int, default=DEFAULT.cell_timeout, metavar="S",
                   help=f"seconds per cell (default {DEFAULT.cell_timeout})")
    p.add_argument("--submission-timeout", type=int, default=DEFAULT.submission_timeout, metavar="S",
                   help=f"seconds per notebook in all (default {DEFAULT.submission_timeout})")
    p.add_argument("--memory-limit", default=format_size(DEFAULT.memory), metavar="SIZE",
                   help=f"address space per kernel (default {format_size(DEFAULT.memory)})")
    p.add_argument("--max-output", type=int, default=DEFAULT.output, metavar="N",
                   help=f"characters of output kept per cell (default {DEFAULT.output})")
    p.add_argument("--sandbox", choices=("bwrap", "none"), default="bwrap",
                   help="isolate every kernel with bubblewrap (default), or grade unsandboxed (none)")
    p.add_argument("--disk-limit", default=format_size(DEFAULT.disk), metavar="SIZE",
                   help=f"bytes one sandboxed submission may write (default {format_size(DEFAULT.disk)})")
    p.add_argument("--due", metavar="DATE",
                   help="due date for this run, e.g. '2027-02-01 23:59 +01:00' (default: c.Deadlines.due in "
                        "nbgrader_config.py); submissions are timed by nbgrader's timestamp.txt beside them")
    p.add_argument("--report", metavar="DIR",
                   help="write DIR/index.html (class report) and, per submission, its notebook as submitted "
                        "and its hand-graded answers beside their outputs, as HTML")
    p.add_argument("--pdf", action="store_true", help="with --report: the same pages as PDF too (needs Chromium)")
    p.add_argument("--isolate-answers", action="store_true",
                   help="give back the points of a test that failed only because an earlier answer is wrong: "
                        "re-run such submissions once, sandboxed, with the reference for that answer")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("merge", help="merge worker course directories (graded elsewhere) into one gradebook")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("course_dir", metavar="COURSE_DIR", help="the course directory that receives the submissions (prepared if new)")
    p.add_argument("workers", nargs="+", metavar="WORKER_DIR", help="course directories graded with --course-dir")
    p.set_defaults(func=_cmd_merge)

    p = sub.add_parser("report", help="table, summary, CSV and HTML class report from saved `grade --json` output")
    p.add_argument("results", nargs="+", metavar="RESULTS.json")
    p.add_argument("--csv", metavar="FILE")
    p.add_argument("--html", metavar="DIR", help="write the class report DIR/index.html and the pages of every "
                                                 "submission whose notebook is still at its path")
    p.add_argument("--pdf", action="store_true", help="with --html: the same pages as PDF too (needs Chromium)")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("mutants", help="prove the hidden tests: every mutant loses points, every correct variant keeps full marks")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--write-signatures", action="store_true",
                   help="write notebooks/<id>/signatures.json: each mutant's failure signature, for diagnosis")
    p.add_argument("--engine", choices=("fork", "nbgrader"), default="fork",
                   help="fork (default): run each stage's notebook once and every example in a fork of it, "
                        "scored as nbgrader scores (minutes for the course); nbgrader: every example through "
                        "real nbgrader autograde in the sandbox, as a class is graded (about six times slower)")
    p.set_defaults(func=_cmd_mutants)

    p = sub.add_parser("demo", help="build the course and grade example submissions (reference, a mutant, blank)")
    p.add_argument("--jobs", type=int, default=2)
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("similarity", help="flag pairs of submissions whose answer cells are unusually alike")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("paths", nargs="+", metavar="PATH", help="the same forms as `grade`")
    p.add_argument("--json", action="store_true", help="print one JSON array of pairs, highest score first")
    p.add_argument("--report", metavar="DIR", help="write an HTML report with the matching code side by side")
    p.add_argument("--threshold", type=float, default=0.95, help="flag pairs scoring at least this (default 0.95)")
    p.add_argument("--min-evidence", type=float, default=20.0,
                   help="weight of shared fingerprints a flagged pair needs at least (default 20)")
    p.add_argument("--max-share", type=int, default=None, metavar="N",
                   help="code in more than N submissions is common and ignored (default: half the class, at least 10)")
    p.add_argument("--limit", type=int, default=100,
                   help="pairs to print besides the flagged ones (default 100; 0 prints all)")
    p.set_defaults(func=_cmd_similarity)

    p = sub.add_parser("export", help="grades from saved `grade --json` results as Canvas or Moodle import CSV")
    p.add_argument("results", nargs="+", metavar="RESULTS.json")
    p.add_argument("--canvas", metavar="FILE", help="write Canvas' gradebook import CSV")
    p.add_argument("--moodle", metavar="FILE", help="write a CSV for Moodle's grade import")
    p.add_argument("--roster", metavar="CSV", help="CSV mapping student ids to LMS identifiers (see README)")
    p.add_argument("--roster-key", default=None, metavar="COLUMN",
                   help="the roster column holding the nbgrader student id (default: 'student')")
    p.add_argument("--moodle-id", choices=("username", "email", "idnumber"), default="username",
                   help="the user field Moodle matches on (default username)")
    p.add_argument("--canvas-assignment-id", action="append", metavar="ASSIGNMENT=ID",
                   help="Canvas' id of an assignment, so its column updates that assignment (repeatable)")
    p.set_defaults(func=_cmd_export)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
