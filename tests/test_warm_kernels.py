"""Warm grading kernels (autograder/kernel/warm_pool.py, warm.py) stand in for cold ones unseen.

Two students of stage 01 are graded in one sandboxed worker twice: once as the grader does (each
kernel started ahead of nbgrader and handed over by the warm provisioner) and once with the
provisioner left out of the kernelspec, so that every kernel starts when nbgrader asks. Each
student's first answer cell reports what its code can see of its kernel (argv, sys.path, working
folder and its files, environment, stdin, limits, cgroups, the matplotlib backend, IPython's
callbacks, the execution count); the two runs must report the same, with the same scores, flags
and outputs everywhere. A run whose kernels were not warm would leave no submitted folder in the
sandbox's warm/ folder, and that is checked too.
"""
import json
import re
from pathlib import Path

import nbformat
import pytest

from autograder.catalogue.examples import blank_submission, reference_submission, with_cell
from autograder.grading.batch import grade_batch
from autograder.grading.course import prepared
from autograder.grading.results import SubmissionResult
from autograder.kernel import sandbox
from autograder.kernel.protocol import SANDBOX_FOLDER, SHOWN_FOLDER, WARM_FOLDER
from autograder.limits import Limits

A = "01_linear_estimator"
STUDENTS = ("amy", "ben")
PROBE = '''
import json, os, resource, stat, sys
import matplotlib
_ip = get_ipython()
print("PROBE " + json.dumps({
    "argv": sys.argv, "path": sys.path, "cwd": os.getcwd(), "files": sorted(os.listdir(".")),
    "env": dict(os.environ), "stdin_is_char_device": stat.S_ISCHR(os.fstat(0).st_mode),
    "limits": {name: resource.getrlimit(getattr(resource, name)) for name in
               ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NPROC", "RLIMIT_CORE")},
    "cgroup": open("/proc/self/cgroup").read(), "uid": os.getuid(), "pid": os.getpid(),
    "backend": matplotlib.get_backend(), "count": _ip.execution_count,
    "callbacks": {event: [getattr(f, "__qualname__", repr(f)) for f in callbacks]
                  for event, callbacks in _ip.events.callbacks.items()},
}, sort_keys=True))
''' + "\ndef mse_loss(yhat, y):\n    raise NotImplementedError\n"


# The first student's kernel looks for any other kernel's connection file it can read and asks
# that kernel to run code, which would show in the other student's probe as a variable in its
# environment. (A warm kernel waiting beside it in the shared runtime folder could be reached so;
# now the next one starts only after this one has ended, in a socket folder of its own.)
REACH_OTHERS = PROBE.replace("def mse_loss", """
import glob, time
from jupyter_client import BlockingKernelClient
_own = os.path.realpath(sys.argv[-1])
_reached = []
_deadline = time.monotonic() + 6
while time.monotonic() < _deadline:
    for _path in glob.glob(os.path.join(os.path.dirname(_own), "**", "*.json"), recursive=True) + \\
            glob.glob(os.path.join(os.path.dirname(os.path.dirname(_own)), "**", "*.json"), recursive=True):
        if os.path.realpath(_path) == _own or _path in _reached:
            continue
        try:
            _client = BlockingKernelClient(connection_file=_path)
            _client.load_connection_file()
            _client.start_channels()
            _client.execute("import os; os.environ['REACHED_BY'] = 'amy'")
            _reached.append(_path)
        except Exception as exc:
            print("could not use", _path, exc)
    time.sleep(0.2)
time.sleep(1)
print("REACHED " + json.dumps(_reached))

def mse_loss""", 1)


def _submissions(first_probe=PROBE):
    return {"amy": with_cell(blank_submission(A), "mse_loss", first_probe),
            "ben": with_cell(reference_submission(A), "mse_loss", PROBE)}


def _grade(worker: Path, first_probe=PROBE):
    # ben's folder has a file besides the notebook: nbgrader's timestamp.txt
    batch = [(SubmissionResult(submission=f"{s}.ipynb", student=s, assignment=A,
                               timestamp="2026-01-05 10:00:00.000000 UTC" if s == "ben" else ""), nb)
             for s, nb in _submissions(first_probe).items()]
    grade_batch(A, batch, worker, prepared(A), figures=True, limits=Limits())
    return {result.student: result for result, _ in batch}


def _probe(worker: Path, student: str) -> dict:
    nb = nbformat.read(worker / "autograded" / student / A / f"{A}.ipynb", as_version=4)
    texts = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    (line,) = [ln for t in texts for ln in t.splitlines() if ln.startswith("PROBE ")]
    return json.loads(line[len("PROBE "):])


def _outputs(worker: Path, student: str) -> list:
    """Every code cell's outputs, without what differs from run to run: the seal's tokens, pids,
    the probe's line, execution timing."""
    nb = nbformat.read(worker / "autograded" / student / A / f"{A}.ipynb", as_version=4)
    outputs = [[dict(o, text="PROBE") if o.get("text", "").startswith("PROBE ") else o for o in c.get("outputs", [])]
               for c in nb.cells if c.cell_type == "code"]
    return json.loads(re.sub(r"[0-9a-f]{32}", "TOKEN", json.dumps(outputs, sort_keys=True)))


def _comparable(report: dict, worker: Path) -> dict:
    # the connection file (a warm kernel's is in a folder of its own, a cold one's has a random
    # name in the worker's runtime folder) and the kernel's own cgroup
    argv = [re.sub(r"^/.*\.json$", "CONNECTION.json", a) for a in report["argv"]]
    report = dict(report, argv=argv, pid=None, cgroup=re.sub(r"k\d+", "kN", report["cgroup"]))
    return json.loads(json.dumps(report).replace(str(worker), "WORKER"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    if not sandbox.warm_provisioner():
        pytest.fail("the warm provisioner's entry point is not installed: pip install --no-deps -e .")
    warm = tmp_path_factory.mktemp("warm") / "worker"
    cold = tmp_path_factory.mktemp("cold") / "worker"
    warm_results = _grade(warm)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sandbox, "warm_provisioner", lambda: "")
        cold_results = _grade(cold)
    return warm, warm_results, cold, cold_results


def test_every_kernel_was_warm_in_the_graders_run_and_none_in_the_other(runs):
    warm, _, cold, _ = runs
    for student in STUDENTS:
        assert (warm / SANDBOX_FOLDER / WARM_FOLDER / student).is_dir(), student
        assert not (warm / SANDBOX_FOLDER / SHOWN_FOLDER / student).exists(), student
        assert not (cold / SANDBOX_FOLDER / WARM_FOLDER / student).exists(), student
        assert (cold / SANDBOX_FOLDER / SHOWN_FOLDER / student).is_dir(), student


def test_a_warm_kernel_looks_like_a_cold_one_from_inside(runs):
    warm, _, cold, _ = runs
    for student in STUDENTS:
        seen_warm, seen_cold = _probe(warm, student), _probe(cold, student)
        # the submitted folder arrived before any cell ran, without the notebook being graded
        assert seen_warm["files"] == (["timestamp.txt"] if student == "ben" else []), seen_warm["files"]
        assert seen_warm["stdin_is_char_device"]   # /dev/null, not the pipe the kernel was told to go on
        assert _comparable(seen_warm, warm) == _comparable(seen_cold, cold), student


def test_scores_flags_and_outputs_are_those_of_cold_kernels(runs):
    warm, warm_results, cold, cold_results = runs
    assert warm_results["ben"].to_dict()["auto_score"] == 3.0  # the probe's blank mse_loss costs its test
    for student in STUDENTS:
        w, c = warm_results[student].to_dict(), cold_results[student].to_dict()
        assert {k: v for k, v in w.items() if k != "seconds"} == {k: v for k, v in c.items() if k != "seconds"}
        assert _outputs(warm, student) == _outputs(cold, student), student


def test_a_kernel_cannot_reach_the_next_students_waiting_kernel(tmp_path):
    worker = tmp_path / "worker"
    _grade(worker, REACH_OTHERS)
    nb = nbformat.read(worker / "autograded" / "amy" / A / f"{A}.ipynb", as_version=4)
    texts = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    (reached,) = [json.loads(ln[len("REACHED "):]) for t in texts for ln in t.splitlines() if ln.startswith("REACHED ")]
    assert (worker / SANDBOX_FOLDER / WARM_FOLDER / "ben").is_dir()  # ben's kernel was warm
    assert "REACHED_BY" not in _probe(worker, "ben")["env"], reached
    assert reached == [], reached
