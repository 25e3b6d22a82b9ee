"""The mutant judge's fork engine (autograder/catalogue/forking.py, forked_grade.py) on a notebook
made here: each run starts from the state before its own cell, a run forked after a cell that
left a thread behind still runs (from the keeper's state), and a death, a cell over its time limit,
a stop after a failed test and output on stderr come out as nbgrader's grader would see them."""
import json
import subprocess
import sys

import nbformat
import pytest

from autograder.catalogue.forked_grade import _fill
from autograder.kernel.protocol import Fault
from support.paths import ROOT

CELLS = [
    "x = 1",                                                     # 0
    "def f():\n    return x",                                    # 1 answer
    "assert f() == 1, 'f is wrong'",                             # 2 test
    "import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()",  # 3
    "def g():\n    return 2",                                    # 4 answer
    "assert g() == 2, 'g is wrong'",                             # 5 test
    "import sys\nprint('end')\nprint('careful', file=sys.stderr)",  # 6
]
TESTS = {2, 5}
RUNS = {
    "mutant_f": ({1: "def f():\n    return 3"}, True),
    "mutant_g": ({4: "def g():\n    return 5"}, True),
    "honest_g": ({4: "def g():\n    return 1 + 1"}, False),
    "dies": ({4: "import os\nos._exit(3)"}, False),
    "slow": ({4: "import time\ntime.sleep(30)"}, False),
    "x_changed": ({0: "x = 2"}, False),
    # swallows the per-cell limit's exception: only the notebook's limit stops it
    "endless": ({4: "import time\nwhile True:\n    try:\n        time.sleep(1)\n    except Exception:\n        pass"}, False),
}


def _records(path):
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    done = bool(lines) and lines[-1] == {"done": True}
    ran_out = bool(lines) and lines[-1] == {"timeout": True}
    return {r["index"]: r for r in lines if "index" in r}, "done" if done else "timeout" if ran_out else ""


def _errors(record):
    return [(o["ename"], o["evalue"]) for o in record["outputs"] if o["output_type"] == "error"]


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forked")
    out = folder / "out"
    out.mkdir()
    job = {"cells": [{"source": s, "code": True, "test": i in TESTS} for i, s in enumerate(CELLS)],
           "runs": [{"name": name, "replace": {str(k): v for k, v in replace.items()}, "stop_after_failed_test": stop}
                    for name, (replace, stop) in RUNS.items()],
           "jobs": 2, "cell_timeout": 2, "submission_timeout": 6, "watch": False}
    (folder / "job.json").write_text(json.dumps(job), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "autograder.catalogue.forking", str(folder / "job.json"), str(out)],
                          cwd=folder, capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT),
                                                                                         "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    return {name: _records(out / f"{name}.jsonl") for name in [*RUNS, "reference"]}


def test_the_reference_runs_every_cell_once_and_keeps_stdout_and_stderr_apart(ran):
    records, done = ran["reference"]
    assert done == "done" and sorted(records) == list(range(len(CELLS)))
    assert [r["execution_count"] for r in records.values()] == list(range(1, len(CELLS) + 1))
    streams = {o["name"]: o["text"] for o in records[6]["outputs"] if o["output_type"] == "stream"}
    assert streams == {"stdout": "end\n", "stderr": "careful\n"}


def test_a_run_starts_from_the_state_before_its_own_cell(ran):
    records, done = ran["mutant_f"]
    assert done == "done" and sorted(records) == [1, 2], "it stops at its first failed test"
    assert _errors(records[2]) == [("AssertionError", "f is wrong")]
    assert records[1]["execution_count"] == 2, "the cell numbers go on from the reference's"
    records, done = ran["x_changed"]
    assert done == "done" and _errors(records[2]) == [("AssertionError", "f is wrong")], "x = 2 reached f"


def test_after_a_cell_that_leaves_a_thread_the_keeper_runs_the_later_variants(ran):
    records, done = ran["mutant_g"]
    # Forked before cell 3 (the reference's process had a second thread after it), so it ran 3 again.
    assert done == "done" and sorted(records) == [3, 4, 5]
    assert _errors(records[5]) == [("AssertionError", "g is wrong")]
    records, done = ran["honest_g"]
    assert done == "done" and sorted(records) == [3, 4, 5, 6] and not _errors(records[5])


def test_a_death_a_cell_over_its_limit_and_a_notebook_over_its_limit_are_told_apart(ran):
    records, done = ran["dies"]
    assert done == "" and max(records) == 3, "no record of the cell it died in, no end line"
    records, end = ran["endless"]
    assert end == "timeout" and max(records) == 3, "killed in cell 4 at the notebook's limit"
    records, done = ran["slow"]
    assert done == "done" and [e for e, _ in _errors(records[4])] == [Fault.CELL_TIMEOUT.value]
    assert [e for e, _ in _errors(records[5])] == ["NameError"], "g was never defined: the test after it fails"


def _notebook(n):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"c{i}") for i in range(n)])


def test_a_run_without_an_end_line_died_in_the_cell_after_its_last_record():
    nb = _notebook(5)
    reference = {i: {"index": i, "execution_count": i + 1, "outputs": []} for i in range(5)}
    own = {2: {"index": 2, "execution_count": 3, "outputs": [{"output_type": "stream", "name": "stdout", "text": "x"}]}}
    _fill(nb, 2, (own, ""), reference)
    names = [[o.get("ename") for o in c.outputs] for c in nb.cells]
    assert names == [[], [], [None], [Fault.KERNEL_DIED.value], [Fault.NOT_RUN.value]]
    nb = _notebook(5)
    _fill(nb, 2, (own, "timeout"), reference)
    names = [[o.get("ename") for o in c.outputs] for c in nb.cells]
    assert names[3:] == [[Fault.SUBMISSION_TIMEOUT.value], [Fault.NOT_RUN.value]]
    nb = _notebook(5)
    _fill(nb, 2, (own, "done"), reference)
    assert [[o.get("ename") for o in c.outputs] for c in nb.cells][3:] == [[Fault.NOT_RUN.value]] * 2
    assert "(cell 2)" in nb.cells[3].outputs[0].evalue
