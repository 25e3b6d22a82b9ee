"""python -m autograder {build,check,grade,mutants,demo}"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .paths import UsageError, resolve_assignments


def _cmd_build(args) -> int:
    from .build import build

    for path in build(resolve_assignments(args.assignments)):
        print(f"wrote {path}")
    return 0


def _cmd_check(args) -> int:
    from .check import check

    problems = check(resolve_assignments(args.assignments))
    for problem in problems:
        print(f"FAIL {problem}")
    if not problems:
        print("check: source/ and release/ match notebooks/, and release notebooks hide solutions and hidden tests")
    return 1 if problems else 0


def _cmd_grade(args) -> int:
    import json

    from .grade import format_table, grade

    [assignment] = resolve_assignments([args.assignment])
    results = grade(assignment, args.paths, course_dir=Path(args.course_dir) if args.course_dir else None,
                    jobs=args.jobs, figures=not args.no_figures)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(format_table(results))
    return 0


def _cmd_mutants(args) -> int:
    from .mutants.run import run_catalogue

    ok = run_catalogue(resolve_assignments(args.assignments), jobs=args.jobs)
    return 0 if ok else 1


def _cmd_demo(args) -> int:
    from .demo import demo

    return demo(jobs=args.jobs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="notebooks/*.py -> source/ (instructor) and release/ (student)")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("check", help="fail if source/ or release/ are stale, or a release leaks solutions")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("grade", help="autograde submitted notebooks with nbgrader")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("paths", nargs="+", metavar="PATH", help="submitted notebooks; the file stem is the student id")
    p.add_argument("--json", action="store_true", help="print one JSON array, one object per PATH")
    p.add_argument("--course-dir", metavar="DIR", help="nbgrader course directory to grade in (default: a temporary one)")
    p.add_argument("--jobs", type=int, default=1, help="grade in N parallel workers (default 1)")
    p.add_argument("--no-figures", action="store_true",
                   help="do not render plots while grading (faster; scores are the same)")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("mutants", help="prove the hidden tests: every mutant loses points, every correct variant keeps full marks")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    p.add_argument("--jobs", type=int, default=2)
    p.set_defaults(func=_cmd_mutants)

    p = sub.add_parser("demo", help="build the course and grade example submissions (reference, a mutant, blank)")
    p.add_argument("--jobs", type=int, default=2)
    p.set_defaults(func=_cmd_demo)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
