"""What the grader's isolation costs: one generated class graded three ways, side by side.

1. ``python -m autograder grade`` with every kernel in the bubblewrap sandbox (the default);
2. the same with ``--sandbox none``;
3. plain ``nbgrader autograde`` in a course directory holding the same submissions.

All three use one worker (``--jobs 1``) and draw no figures, so the difference is the grader's
own work (sandbox, seal, scan, watch, restore, result collection). Usage:

    .venv/bin/python benchmarks/sandbox_cost.py --students 8 [--assignment 05_mnist_softmax] [--json]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.grading.course import copy_prepared, prepared  # noqa: E402
from autograder.nbgrader_run import tool_env  # noqa: E402

spec = importlib.util.spec_from_file_location("class_grading", Path(__file__).with_name("class_grading.py"))
class_grading = importlib.util.module_from_spec(spec)
spec.loader.exec_module(class_grading)


def plain_nbgrader(assignment: str, folder: Path, course: Path) -> dict:
    copy_prepared(prepared(assignment), course)
    shutil.copytree(folder / "submitted", course / "submitted")
    shutil.copyfile(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    command = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force", "--create"]
    seconds, peak, proc = class_grading.timed_command(command, env=tool_env(MPLBACKEND="agg"), cwd=course)
    if proc.returncode != 0:
        raise SystemExit(f"nbgrader autograde failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return {"seconds": round(seconds, 1), "peak_memory_mb": round(peak / 2**20)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="05_mnist_softmax")
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nncourse-cost-") as tmp:
        folder = Path(tmp) / "class"
        made = class_grading.make_class(args.assignment, args.students, folder)
        prepared(args.assignment)  # warm the cache so no run pays for preparing
        runs = {
            "sandbox": class_grading.timed_grade(args.assignment, folder / "submitted", 1, "bwrap"),
            "no sandbox": class_grading.timed_grade(args.assignment, folder / "submitted", 1, "none"),
            "plain nbgrader": plain_nbgrader(args.assignment, folder, Path(tmp) / "plain"),
        }
    n = len(made)
    for run in runs.values():
        run["per_submission"] = round(run["seconds"] / n, 2)
    base = runs["plain nbgrader"]["seconds"]
    report = {"assignment": args.assignment, "students": n, "cpus": os.cpu_count(),
              "date": time.strftime("%Y-%m-%d"), "runs": runs,
              "sandbox_vs_none": round(runs["sandbox"]["seconds"] / runs["no sandbox"]["seconds"], 3),
              "sandbox_vs_plain": round(runs["sandbox"]["seconds"] / base, 3)}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{args.assignment}: {n} submissions, {os.cpu_count()} CPUs, one worker")
        for name, run in runs.items():
            print(f"  {name:<15} {run['seconds']:7.1f} s  ({run['per_submission']:.2f} s per submission, "
                  f"peak {run['peak_memory_mb']} MB)")
        print(f"  sandbox / no sandbox: {report['sandbox_vs_none']:.3f}x; sandbox / plain nbgrader: "
              f"{report['sandbox_vs_plain']:.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
