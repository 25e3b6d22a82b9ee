"""The README's Slurm job array, run for real on a single-node cluster this test starts.

munged, slurmctld and slurmd run on localhost with a key, config, state and logs in a temporary
folder, as the user running the test (root in CI). A class of six stage-01 submissions is graded
by the README's block verbatim (only the assignment changed), merged, and compared with one local
``grade --jobs 2`` run: the same scores in the gradebook and the same CSV.

Skipped where Slurm is not installed, except with NNCOURSE_REQUIRE_SLURM=1 (CI), where a missing
Slurm fails: install it with ``.ci/install-slurm``.
"""
import csv
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from support.paths import ROOT

ASSIGNMENT = "01_linear_estimator"
PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "sinfo")
MISSING = [p for p in PROGRAMS if not (shutil.which(p) or os.path.exists(f"/usr/sbin/{p}"))]
REQUIRED = os.environ.get("NNCOURSE_REQUIRE_SLURM") == "1"

if MISSING and not REQUIRED:
    pytest.skip(f"Slurm is not installed (no {', '.join(MISSING)}); run .ci/install-slurm", allow_module_level=True)
if os.geteuid() != 0 and not REQUIRED:
    pytest.skip("slurmd must run as root to start jobs; run this test as root", allow_module_level=True)


def _program(name):
    return shutil.which(name) or f"/usr/sbin/{name}"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_mb():
    with open("/proc/meminfo") as fh:
        total_kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
    return int(total_kb / 1024 * 0.9)


def readme_block():
    """The bash block of README's "A course that outgrows one machine"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("#### A course that outgrows one machine"):]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


@pytest.fixture
def cluster(tmp_path):
    """A running single-node Slurm cluster; yields the environment that reaches it."""
    if MISSING:
        pytest.fail(f"NNCOURSE_REQUIRE_SLURM=1 but {', '.join(MISSING)} missing: run .ci/install-slurm")
    # A short folder: slurmd and slurmstepd put unix sockets in the spool folder, whose paths may
    # not exceed 107 bytes (under pytest-xdist, tmp_path gains a folder per worker).
    d = Path(tempfile.mkdtemp(prefix="slurm-", dir="/tmp"))
    for sub in ("state", "spool"):
        (d / sub).mkdir(parents=True)
    os.chmod(d, 0o755)
    key = d / "munge.key"
    key.write_bytes(os.urandom(1024))
    os.chmod(key, 0o400)
    host = socket.gethostname().split(".")[0]
    conf = d / "slurm.conf"
    conf.write_text(f"""\
ClusterName=nncourse
SlurmctldHost={host}(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={d}/munge.sock
SlurmUser=root
SlurmdUser=root
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
PlugStackConfig={d}/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=nncourse-node NodeAddr=127.0.0.1 CPUs={min(os.cpu_count() or 1, 2)} RealMemory={_memory_mb()} State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
""")
    (d / "plugstack.conf").write_text("")
    env = dict(os.environ, SLURM_CONF=str(conf), NNCOURSE_OFFLINE="1")
    logs = open(d / "daemons.out", "w")
    daemons = [subprocess.Popen([_program("munged"), "--foreground", "--force", f"--key-file={key}",
                                 f"--socket={d}/munge.sock", f"--pid-file={d}/munged.pid",
                                 f"--log-file={d}/munged.log", f"--seed-file={d}/munged.seed"],
                                stdout=logs, stderr=subprocess.STDOUT)]
    try:
        deadline = time.monotonic() + 10
        while not (d / "munge.sock").exists():
            assert time.monotonic() < deadline, (d / "munged.log").read_text() if (d / "munged.log").exists() else "no munge"
            time.sleep(0.1)
        daemons.append(subprocess.Popen([_program("slurmctld"), "-D", "-i"], env=env, stdout=logs, stderr=subprocess.STDOUT))
        daemons.append(subprocess.Popen([_program("slurmd"), "-D", "-N", "nncourse-node"], env=env, stdout=logs,
                                        stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 40
        while True:
            state = subprocess.run([_program("sinfo"), "-h", "-o", "%T"], env=env, capture_output=True, text=True)
            if state.stdout.strip() == "idle":
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the Slurm node never became idle (sinfo: {state.stdout.strip()} {state.stderr.strip()});"
                            f" logs in {d}:\n{(d / 'daemons.out').read_text()[-2000:]}")
            time.sleep(0.3)
        yield env
    finally:
        for proc in reversed(daemons):
            proc.terminate()
        for proc in reversed(daemons):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        logs.close()
        shutil.rmtree(d, ignore_errors=True)


def _class(folder):
    spec = importlib.util.spec_from_file_location("class_grading", ROOT / "benchmarks" / "class_grading.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_class(ASSIGNMENT, 6, folder)


def _gradebook_scores(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        out = {}
        for student in gb.students:
            sub = gb.find_submission(ASSIGNMENT, student.id)
            grades = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
            out[student.id] = (sub.score, grades)
        return out


def _csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return sorted(csv.DictReader(fh), key=lambda row: row["student"])


@pytest.fixture
def clone():
    """A folder standing in for the clone the README runs from: its ``.venv`` is the repository's.
    Not under /tmp: the grading sandbox mounts a fresh /tmp over everything there, so a kernel
    could not start from a virtualenv under /tmp."""
    ws = ROOT / "build" / f"slurm-test-{os.getpid()}"
    shutil.rmtree(ws, ignore_errors=True)
    ws.mkdir(parents=True)
    (ws / ".venv").symlink_to(ROOT / ".venv")
    try:
        yield ws
    finally:
        shutil.rmtree(ws, ignore_errors=True)


def test_readme_job_array_grades_like_a_local_run(cluster, clone):
    ws = clone
    made = _class(ws / "incoming")
    block = readme_block()
    assert block.count("export A=05_mnist_softmax") == 1, "the README block sets the assignment on its first line"
    script = block.replace("export A=05_mnist_softmax", f"export A={ASSIGNMENT}")
    start = time.monotonic()
    run = subprocess.run(["bash", "-e", "-c", script], cwd=ws, env=cluster, capture_output=True, text=True, timeout=300)
    slurm_seconds = time.monotonic() - start
    logs = "\n".join(p.read_text() for p in sorted((ws / "logs").glob("*.out"))) if (ws / "logs").is_dir() else ""
    assert run.returncode == 0, f"the README block failed:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}\n{logs[-3000:]}"
    assert "Submitted batch job" in run.stdout
    assert sorted(p.stem for p in (ws / "results").glob("*.json")) == sorted(made)

    local = subprocess.run([str(ws / ".venv" / "bin" / "python"), "-m", "autograder", "grade", ASSIGNMENT,
                            "incoming/submitted", "--jobs", "2", "--course-dir", "local", "--csv", "local.csv"],
                           cwd=ws, env=dict(cluster, NNCOURSE_OFFLINE="1"), capture_output=True, text=True, timeout=300)
    assert local.returncode == 0, local.stderr[-3000:]

    merged, alone = _gradebook_scores(ws / "course"), _gradebook_scores(ws / "local")
    assert sorted(merged) == sorted(made), "every student of the array is in the merged gradebook"
    assert merged == alone, "the job array must give the scores of a local run"
    assert {s for s, (score, _) in merged.items() if score == 5.0} == {s for s, k in made.items() if k == "reference"}
    assert merged[next(s for s, k in made.items() if k == "blank")][0] == 0.0
    assert _csv(ws / "grades.csv") == _csv(ws / "local.csv")
    print(f"Slurm array: {slurm_seconds:.1f} s for {len(made)} submissions", file=sys.stderr)
