"""Time grading a generated class: seconds, speedup and peak memory for --jobs 1 and --jobs 2.

    .venv/bin/python benchmarks/class_grading.py [--assignment 05_mnist_softmax] [--students 40]
        [--jobs 1 2] [--json]

The class mixes the reference solution, mutants from the catalogue (a different one per student,
in turn) and untouched release notebooks, in nbgrader's submitted/<student>/<assignment>/ layout.
Each run is one `python -m autograder grade` process; peak memory is the largest total resident
memory of that process and everything it started (nbgrader, kernels), sampled every 0.1 s.
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
sys.path.insert(0, str(ROOT))

from autograder.nbio import write_notebook  # noqa: E402
from autograder.catalogue import catalogue  # noqa: E402
from autograder.catalogue.examples import blank_submission, reference_submission, with_cell  # noqa: E402


def make_class(assignment: str, students: int, folder: Path) -> dict[str, str]:
    """Write ``students`` submissions; returns student id -> what it holds."""
    reference = reference_submission(assignment)
    mutants = [v for v in catalogue(assignment) if not v.correct]
    made = {}
    for i in range(students):
        student = f"student{i:03d}"
        if i % 4 == 0:
            nb, kind = reference, "reference"
        elif i % 4 == 3:
            nb, kind = blank_submission(assignment), "blank"
        else:
            variant = mutants[i % len(mutants)]
            nb, kind = with_cell(reference, variant.cell, variant.source), f"mutant {variant.name}"
        write_notebook(nb, folder / "submitted" / student / assignment / f"{assignment}.ipynb")
        made[student] = kind
    return made


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (psutil)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def timed_command(command: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run ``command``; (seconds, peak resident bytes of its process tree, the finished process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return seconds, peak, subprocess.CompletedProcess(command, proc.returncode, out, err)


def timed_grade(assignment: str, folder: Path, jobs: int, sandbox: str = "bwrap") -> dict:
    command = [sys.executable, "-m", "autograder", "grade", assignment, str(folder), "--jobs", str(jobs),
               "--json", "--no-figures", "--sandbox", sandbox]
    seconds, peak, proc = timed_command(command)
    if proc.returncode != 0:
        raise SystemExit(f"grading failed:\n{proc.stderr[-3000:]}")
    results = json.loads(proc.stdout)
    return {"jobs": jobs, "seconds": round(seconds, 1), "peak_memory_mb": round(peak / 2**20),
            "graded": sum("error" not in r for r in results),
            "full_marks": sum(r.get("auto_score") == r.get("auto_max_score") for r in results if "error" not in r),
            "flagged": sum(bool(r.get("flags")) for r in results)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="05_mnist_softmax")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nncourse-class-") as tmp:
        made = make_class(args.assignment, args.students, Path(tmp))
        runs = [timed_grade(args.assignment, Path(tmp), jobs) for jobs in args.jobs]
    base = runs[0]["seconds"]
    for run in runs:
        run["speedup"] = round(base / run["seconds"], 2)
    report = {"assignment": args.assignment, "students": len(made), "cpus": os.cpu_count(),
              "date": time.strftime("%Y-%m-%d"), "runs": runs}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{args.assignment}: {len(made)} submissions, {os.cpu_count()} CPUs")
        for run in runs:
            print(f"  --jobs {run['jobs']}: {run['seconds']:7.1f} s  speedup {run['speedup']:.2f}x  "
                  f"peak memory {run['peak_memory_mb']} MB  ({run['graded']} graded, "
                  f"{run['full_marks']} full marks, {run['flagged']} flagged)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
