"""Grade a generated class of 1,000 submissions in one run, and check that nothing is lost.

    .venv/bin/python benchmarks/class_scale.py [--assignment 01_linear_estimator] [--students 1000]
        [--jobs 2] [--json] [-- EXTRA GRADE ARGUMENTS]

The class mixes references, mutants (a different one in turn) and untouched release notebooks in
nbgrader's submitted/<student>/<assignment>/ layout (``class_grading.make_class``). One
``python -m autograder grade ... --jobs N --course-dir DIR --json`` process grades it; the script
reports the wall time, the time per submission, the peak resident memory of that process and
everything it started (psutil, sampled every 0.5 s), and checks the outcome: one result per
submission, none that could not be graded, every student in the merged gradebook with the score
of their result, references at full marks and blanks at zero.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from class_grading import make_class  # noqa: E402


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc] + proc.children(recursive=True):
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def gradebook_scores(course: Path, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(assignment)}


def run(assignment: str, students: int, jobs: int, extra: list[str], folder: Path) -> dict:
    made = make_class(assignment, students, folder / "incoming")
    course = folder / "course"
    command = [sys.executable, "-m", "autograder", "grade", assignment, str(folder / "incoming"), "--jobs", str(jobs),
               "--course-dir", str(course), "--json", "--no-figures", *extra]
    out_path, err_path = folder / "results.json", folder / "grade.err"
    start = time.perf_counter()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err)
        ps = psutil.Process(proc.pid)
        peak, done, loads = 0, threading.Event(), []

        def sample():
            nonlocal peak
            while not done.is_set():
                try:
                    peak = max(peak, tree_rss(ps))
                except psutil.NoSuchProcess:
                    return
                loads.append(os.getloadavg()[0])
                time.sleep(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    if code != 0:
        raise SystemExit(f"grading failed (exit {code}):\n{err_path.read_text()[-3000:]}")
    results = json.loads(out_path.read_text())
    scores = gradebook_scores(course, assignment)
    by_student = {r["student"]: r for r in results}
    errors = [r for r in results if "error" in r]
    mismatched = [s for s, r in by_student.items() if "error" not in r and scores.get(s) != r["auto_score"]]
    references = [s for s, kind in made.items() if kind == "reference"]
    blanks = [s for s, kind in made.items() if kind == "blank"]
    return {
        "assignment": assignment, "students": len(made), "jobs": jobs, "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"), "seconds": round(seconds, 1),
        "seconds_per_submission": round(seconds / len(made), 3),
        "peak_memory_mb": round(peak / 2**20),
        "mean_load": round(sum(loads) / max(1, len(loads)), 1),  # 1-minute load average: is the machine busy?
        "results": len(results), "distinct_students": len(by_student), "could_not_be_graded": len(errors),
        "first_errors": sorted({r["error"] for r in errors})[:3],
        "in_gradebook": len(scores), "gradebook_mismatches": len(mismatched),
        "references_full_marks": sum(by_student.get(s, {}).get("auto_score") == by_student.get(s, {}).get("auto_max_score")
                                     for s in references if "error" not in by_student.get(s, {"error": 1})),
        "references": len(references),
        "blanks_zero": sum(by_student.get(s, {}).get("auto_score") == 0.0 for s in blanks), "blanks": len(blanks),
        "lost": len(made) - len(set(by_student) & set(made)),
    }


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="01_linear_estimator")
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", metavar="DIR", help="grade in DIR and keep it (default: a temporary folder)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
        report = run(args.assignment, args.students, args.jobs, extra, Path(args.keep))
    else:
        with tempfile.TemporaryDirectory(prefix="nncourse-scale-") as tmp:
            report = run(args.assignment, args.students, args.jobs, extra, Path(tmp))
    ok = (report["results"] == report["students"] == report["in_gradebook"] and not report["lost"]
          and not report["could_not_be_graded"] and not report["gradebook_mismatches"])
    if args.json:
        print(json.dumps(dict(report, ok=ok), indent=2))
    else:
        print(f"{report['assignment']}: {report['students']} submissions, --jobs {report['jobs']}, "
              f"{report['cpus']} CPUs: {report['seconds']} s ({report['seconds_per_submission']} s per submission), "
              f"peak memory {report['peak_memory_mb']} MB; mean load average {report['mean_load']}")
        print(f"  {report['results']} results, {report['could_not_be_graded']} could not be graded, "
              f"{report['in_gradebook']} in the gradebook ({report['gradebook_mismatches']} with another score), "
              f"references at full marks {report['references_full_marks']}/{report['references']}, "
              f"blanks at 0 {report['blanks_zero']}/{report['blanks']}; {'nothing lost' if ok else 'PROBLEMS'}")
        if report["first_errors"]:
            print("  errors: " + "; ".join(report["first_errors"]))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
