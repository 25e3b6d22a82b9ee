"""How long grading one blank submission takes, per stage, once the assignment is prepared.

The prepared assignment is cached by content (autograder/grading/course.py), so the first run
of a stage prepares it and every later run starts from the cache. This times, for each stage, one
``python -m autograder grade`` of the untouched student version, after one warm-up run, and
beside it the same notebook executed alone by nbclient (a kernel, no nbgrader, no grader, no
sandbox), so that what the grader adds is the difference:

    .venv/bin/python benchmarks/one_submission.py [ASSIGNMENT...] [--sandbox bwrap|none] [--repeat N] [--json]

With ``--repeat N`` each stage is graded N times (after the warm-up) and the median is reported,
with the fastest and slowest run: on a shared 2-core virtual machine one run can be a second off.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.catalogue.examples import blank_submission  # noqa: E402
from autograder.grading.course import prepared  # noqa: E402
from autograder.nbio import write_notebook  # noqa: E402
from autograder.paths import resolve_assignments  # noqa: E402


def time_one(assignment: str, sandbox: str) -> float:
    with tempfile.TemporaryDirectory(prefix="nncourse-one-") as tmp:
        path = Path(tmp) / "blank.ipynb"
        write_notebook(blank_submission(assignment), path)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, str(path), "--json",
                               "--no-figures", "--sandbox", sandbox], cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if proc.returncode != 0 or "error" in json.loads(proc.stdout)[0]:
        raise SystemExit(f"grading {assignment} failed:\n{proc.stdout[-1500:]}{proc.stderr[-1500:]}")
    return seconds


def time_alone(assignment: str) -> float:
    """The blank notebook executed by nbclient alone, as the grader's kernel runs it (grader's
    sizes, figures not drawn)."""
    from nbclient import NotebookClient

    env = {"NBGRADER_EXECUTION": "autograde", "MPLBACKEND": "agg", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with tempfile.TemporaryDirectory(prefix="nncourse-alone-") as tmp:
            client = NotebookClient(blank_submission(assignment), timeout=600, allow_errors=True,
                                    resources={"metadata": {"path": tmp}})
            start = time.perf_counter()
            client.execute()
            return time.perf_counter() - start
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--sandbox", default="bwrap", choices=("bwrap", "none"))
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per stage (median reported)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    seconds, spread, alone = {}, {}, {}
    for assignment in resolve_assignments(args.assignments):
        prepared(assignment)
        time_one(assignment, args.sandbox)  # warm-up: imports, font cache, page cache
        runs = sorted(time_one(assignment, args.sandbox) for _ in range(max(1, args.repeat)))
        seconds[assignment] = round(statistics.median(runs), 2)
        spread[assignment] = [round(runs[0], 2), round(runs[-1], 2)]
        alone[assignment] = round(time_alone(assignment), 2)
    if args.json:
        print(json.dumps({"date": time.strftime("%Y-%m-%d"), "sandbox": args.sandbox, "repeat": args.repeat,
                          "seconds": seconds, "fastest_slowest": spread, "notebook_alone": alone}, indent=2))
    else:
        print(f"{'assignment':<28} {'graded':>8} {'range':>15} {'alone':>8} {'grader adds':>12}")
        for assignment, value in seconds.items():
            low, high = spread[assignment]
            print(f"{assignment:<28} {value:6.2f} s {low:6.2f}-{high:5.2f} s {alone[assignment]:6.2f} s "
                  f"{value - alone[assignment]:10.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
