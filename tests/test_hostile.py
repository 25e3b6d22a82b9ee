"""Hostile submissions against the grader's security claims (sandbox, seal, static scan, watch).

One class of stage-03 submissions is graded once, through the CLI, with two workers (module
fixture): an honest reference graded before every attacker (alphabetically) and one after, and
one notebook per interpreter attack and per group of host attacks (tests/support/hostile.py holds
the catalogue), and, after them, an attack on the kernels' shared log with a victim graded after it
in the same worker. The grader's prepared assignment is a private copy, so that the sabotage
attacks could not spoil the repository's cache even through a hole. The test listens on a TCP and
a UDP port and an abstract unix socket while the class is graded, then looks on the host for
anything an attack left behind (and undoes it before any test looks, so a hole cannot break the
checkout for others).

- Host attacks (persistence, processes, theft, sabotage, resources, network): each test checks
  that the harm did not happen, on the host: files byte-identical or without the run's mark, no
  process of an attack alive, nothing received by the listeners, the other students' scores in
  the merged gradebook intact, the run finished.
- Interpreter attacks (all graded functions blank or wrong, so every point is unearned): no point
  may be given unflagged. Where a known gap lets an attack through, its test is marked xfail
  (strict, so a fix shows up as XPASS) with the reason.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook, MissingEntry

from autograder.catalogue.examples import blank_submission, reference_submission, with_cell
from autograder.grading.course import feedback_config, prepared
from autograder.kernel import sandbox as kernel_sandbox
from autograder.kernel.protocol import FINISH_MIME
from autograder.limits import DEFAULT
from autograder.nbgrader_run import run_nbgrader
from autograder.nbio import write_notebook
from autograder.paths import COURSE_ID

from support.paths import ROOT
from support.hostile import (A, FILLER, KERNEL_LOG, VICTIM, VICTIM_PROBE, Context, Listeners, all_attacks,
                             host_addresses, kill, output_text, processes_named, reports, score_attacks, submission)

CELL_TIMEOUT, SUBMISSION_TIMEOUT = 20, 240
DISK, MEMORY = 64 * 2**20, 1500 * 2**20
FULL_MARKS = 11.0
INSTRUCTOR_CONFIG = "# the instructor's own nbgrader configuration\nc = get_config()  # noqa\n"
HIDDEN_LINE = "default_rng(301)"  # a line of test_relu's hidden tests: only in source/ and gradebooks


@dataclass
class Run:
    ctx: Context
    root: Path
    course: Path
    cache: Path          # the prepared-assignment cache the grader used
    proc: subprocess.CompletedProcess
    elapsed: float
    rows: dict
    attacks: dict
    leftovers: list
    received: list
    changed: dict        # guarded host file -> what the attack made of it (restored since)
    strays: list         # files an attack managed to create on the host (removed since)

    def row(self, student):
        assert student in self.rows, f"{student} has no row: {sorted(self.rows)}"
        return self.rows[student]

    def notebook(self, student):
        return nbformat.read(self.course / "autograded" / student / A / f"{A}.ipynb", as_version=4)

    def report(self, student, attack):
        found = [r for r in reports(self.notebook(student)) if r.get("attack") == attack]
        assert found, f"{student}: the attack {attack} never reported (did its cell run?)"
        return found[-1]

    def gradebook_scores(self, student):
        with Gradebook(f"sqlite:///{self.course / 'gradebook.db'}", COURSE_ID) as gb:
            try:
                nb = gb.find_submission_notebook(A, A, student)
            except MissingEntry:
                return None
            return {g.name: g.score for g in nb.grades}


def _honest(ctx, student):
    ref = reference_submission(A)
    relu = next(c for c in ref.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "relu")
    return with_cell(ref, "relu", relu.source + f"\n# {ctx.secret(student)}\n")


def _guarded_files(course: Path) -> list[Path]:
    return [ROOT / "helpers" / "testing.py", ROOT / "nbgrader_config.py", course / "nbgrader_config.py"]


def _stray_candidates(ctx) -> list[Path]:
    import site

    name = f"nncourse_hostile_{ctx.mark}.pth"
    dirs = set(site.getsitepackages() + [site.getusersitepackages()] + [p for p in sys.path if p.endswith("site-packages")])
    found = [Path(d) / name for d in dirs]
    startup = f"99-hostile-{ctx.mark}.py"
    found += [Path.home() / ".ipython" / "profile_default" / "startup" / startup,
              Path(os.environ.get("IPYTHONDIR", Path.home() / ".ipython")) / "profile_default" / "startup" / startup,
              Path("/tmp") / f"nncourse-hostile-{ctx.mark}.bin"]
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("hostile")
    course = root / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(INSTRUCTOR_CONFIG, encoding="utf-8")
    # The grader's prepared assignment, copied: the sabotage attacks aim at this copy, so that a
    # hole in the sandbox could not spoil the repository's shared cache (build/prepared/).
    cache, template = root / "prepared", prepared(A)
    shutil.copytree(template, cache / template.name)
    listeners = Listeners()
    tcp, udp = listeners.ports
    ctx = Context(mark=uuid.uuid4().hex[:12], repo=str(ROOT), course=str(course), tcp_port=tcp, udp_port=udp,
                  abstract_socket=listeners.abstract_name, host_addresses=host_addresses(), grader_pid=os.getpid(),
                  disk=DISK, memory=MEMORY, prepared=str(cache))
    attacks = all_attacks(ctx)
    submitted = root / "incoming" / "submitted"
    blank = blank_submission(A)
    for student in ctx.honest:
        write_notebook(_honest(ctx, student), submitted / student / A / f"{A}.ipynb")
    for attack in attacks:
        write_notebook(submission(attack, blank), submitted / attack.name / A / f"{A}.ipynb")
    write_notebook(blank, submitted / FILLER / A / f"{A}.ipynb")
    victim = _honest(ctx, VICTIM)
    victim.cells.append(nbformat.v4.new_code_cell(VICTIM_PROBE))
    write_notebook(victim, submitted / VICTIM / A / f"{A}.ipynb")
    guarded = {path: path.read_bytes() for path in _guarded_files(course)}
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "autograder", "grade", A, str(root / "incoming"), "--jobs", "2", "--json",
             "--course-dir", str(course), "--no-figures",
             "--cell-timeout", str(CELL_TIMEOUT), "--submission-timeout", str(SUBMISSION_TIMEOUT),
             "--memory-limit", str(MEMORY), "--disk-limit", str(DISK), "--max-output", "100000"],
            cwd=ROOT, capture_output=True, text=True, timeout=1800, env={**os.environ, "NNCOURSE_PREPARED": str(cache)})
    finally:
        elapsed = time.monotonic() - start
        # Whatever got out is found, recorded and undone before any test looks at it.
        words = [ctx.sleep(n) for n in ("popen_new_session", "forks_setsid", "fork_bomb")] + [f"burn-{ctx.mark}"]
        leftovers = processes_named(words)
        kill(pid for pid, _ in leftovers)
        listeners.close()
        changed = {}
        for path, before in guarded.items():
            now = path.read_bytes() if path.exists() else b""
            if ctx.mark.encode() in now:
                changed[str(path)] = now.decode("utf-8", "replace")
                path.write_bytes(before)
        strays = []
        for path in _stray_candidates(ctx):
            if path.exists():
                strays.append(str(path))
                path.unlink()
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r["student"]: r for r in json.loads(proc.stdout)}
    (root / "results.json").write_text(proc.stdout, encoding="utf-8")
    return Run(ctx, root, course, cache, proc, elapsed, rows, {a.name: a for a in attacks}, leftovers,
               list(listeners.received), changed, strays)


def found_texts(report) -> list[str]:
    """Everything an attack read (the values of its "found" map)."""
    return [json.dumps(v) for v in (report.get("found") or {}).values()]


# --- the class as a whole ---------------------------------------------------------------------

def test_every_submission_is_graded_and_the_run_ends(run):
    assert set(run.rows) == set(run.attacks) | set(run.ctx.honest) | {FILLER, VICTIM}
    # r_cpu: nbclient may give up on a notebook whose interrupted loop leaves its output late
    # (IOPub timeout)
    errors = {s: r["error"] for s, r in run.rows.items() if "error" in r and s != "r_cpu"}
    assert errors == {}, errors
    assert all(r.get("sandbox", "bwrap") == "bwrap" for r in run.rows.values())
    # each notebook ran within its own budget, and the class within the sum over one worker's share
    assert run.elapsed < SUBMISSION_TIMEOUT * (len(run.rows) + 1) / 2, run.elapsed


def test_an_untouched_notebook_scores_nothing_and_is_not_flagged(run):
    r = run.row(FILLER)
    assert r["auto_score"] == 0 and r["flags"] == [], r


@pytest.mark.parametrize("student", ["aaa_honest", "zzz_honest"])
def test_honest_students_keep_full_marks_unflagged(run, student):
    r = run.row(student)
    assert r["auto_score"] == r["auto_max_score"] == FULL_MARKS, r
    assert r["flags"] == [] and r["faults"] == [] and r["first_error"] == "", r
    assert sum(run.gradebook_scores(student).values()) == FULL_MARKS
    assert (run.course / "autograded" / student / A / f"{A}.ipynb").is_file()


# --- interpreter attacks -----------------------------------------------------------------------

def _score_param(attack):
    marks = [pytest.mark.xfail(strict=True, reason=f"known gap: {attack.hole}")] if attack.hole else []
    return pytest.param(attack.name, marks=marks, id=attack.name)


@pytest.mark.parametrize("student", [a.name for a in score_attacks()])
def test_interpreter_attack_ran(run, student):
    assert run.report(student, student).get("installed") is True


@pytest.mark.parametrize("student", [_score_param(a) for a in score_attacks()])
def test_interpreter_attack_earns_no_point_unflagged(run, student):
    r = run.row(student)
    earned = {t["grade_id"]: t["score"] for t in r["tests"] if t["score"] > 0}
    assert not earned or r["flags"], f"{student} scored {earned} for blank or wrong code, unflagged"
    # the gradebook instructors export from says the same
    assert sum(run.gradebook_scores(student).values()) == r["auto_score"]


# --- persistence ---------------------------------------------------------------------------------

def test_helpers_testing_py_is_untouched(run):
    assert str(ROOT / "helpers" / "testing.py") not in run.changed, "the attack rewrote helpers/testing.py"
    errors = run.report("p_persistence", "helpers_testing")["errors"]
    assert set(errors) == {"append", "replace"}, errors


def test_nothing_lands_in_site_packages_or_the_real_home(run):
    assert run.strays == [], run.strays
    results = run.report("p_persistence", "site_packages")["results"]
    shared = [d for d in results if d.startswith(str(ROOT))]  # the virtualenv's, the one the host uses
    assert shared and all("Read-only file system" in results[d] for d in shared), results


def test_ipython_startup_outside_the_sandbox_is_unreachable(run):
    report = run.report("p_persistence", "ipython_startup")
    # the worker's own startup folder (where the watch is installed from) is not even visible
    assert "00-nncourse-watch.py" not in report["seen"]["worker IPYTHONDIR"], report["seen"]
    assert "Read-only file system" in report["results"]["watch startup file"], report["results"]
    # a later student in the same class still gets a working watch and clean marks
    assert run.row("zzz_honest")["flags"] == [] and run.row("zzz_honest")["auto_score"] == FULL_MARKS


def test_nbgrader_configs_are_untouched(run):
    for path in (run.course / "nbgrader_config.py", ROOT / "nbgrader_config.py"):
        assert str(path) not in run.changed, f"the attack appended to {path}"
    assert (run.course / "nbgrader_config.py").read_text(encoding="utf-8") == INSTRUCTOR_CONFIG
    # what the attack saw of the three configs (the worker's, the course's, the repository's): nothing
    seen = run.report("p_persistence", "nbgrader_config")["seen"]
    assert len(seen) == 3 and all(v.startswith("FileNotFoundError") for v in seen.values()), seen


# --- processes -------------------------------------------------------------------------------------

def test_no_process_outlives_its_kernel(run):
    assert run.leftovers == [], run.leftovers
    assert run.report("q_processes", "popen_new_session")["pid"] > 0
    assert run.report("q_processes", "forks_setsid")["started"] == 40


def test_a_fork_bomb_stops_at_the_process_cap(run):
    bomb = run.report("q_fork_bomb", "fork_bomb")
    assert bomb["refused"] > 0 and bomb["made"] <= DEFAULT.processes, bomb
    assert run.row("zzz_honest")["auto_score"] == FULL_MARKS


# --- theft -------------------------------------------------------------------------------------------

def test_other_students_work_is_out_of_reach(run):
    secrets = [run.ctx.secret(s) for s in run.ctx.honest]
    for attack in ("other_students", "feedback"):
        texts = found_texts(run.report("t_theft", attack))
        assert not any(s in t for s in secrets for t in texts), attack
    assert not any(s in output_text(run.notebook("t_theft")) for s in secrets)


def test_hidden_tests_and_catalogues_are_out_of_reach(run):
    variants = (ROOT / "notebooks" / A / "variants.py").read_text(encoding="utf-8")
    description = re.search(r'mutant\("\w+", "\w+", "([^"]{30,})"', variants).group(1)
    for attack in ("instructor_source", "variants", "gradebook"):
        texts = found_texts(run.report("t_theft", attack))
        assert not any(HIDDEN_LINE in t or description in t for t in texts), attack
    listing = run.report("t_theft", "variants")["listing"]
    assert not {"source", "notebooks", "build"} & set(listing if isinstance(listing, list) else []), listing


def test_the_notebook_being_graded_is_not_in_its_own_folder(run):
    # the autograded notebook holds the hidden tests and the seal's finishing statements
    report = run.report("t_theft", "own_folder")
    texts = found_texts(report)
    assert texts and not any(HIDDEN_LINE in t or FINISH_MIME in t for t in texts), [t[:300] for t in texts]
    assert report["listing"] == [] and report["submitted"] == [], report


def test_the_hosts_secrets_are_unreadable(run):
    found = run.report("t_theft", "host_secrets")["found"]
    assert found and all(v.startswith(("PermissionError", "FileNotFoundError")) for v in found.values()), found


@pytest.mark.parametrize("student", ["t_theft", "t_theft_history"])
def test_hidden_tests_do_not_reach_the_students_feedback(run, tmp_path, student):
    # The feedback --feedback DIR --hide-hidden-tests writes, made for this one student only (in a
    # copy of the course: nbgrader's run writes its own nbgrader_config.py there).
    graded = output_text(run.notebook(student))
    if student == "t_theft_history":  # the attacks did get the hidden tests inside the kernel
        assert run.report(student, "printed_history")["printed"] >= 1
        assert HIDDEN_LINE in graded
    course = tmp_path / "course"
    shutil.copytree(run.course, course)
    proc = run_nbgrader(["generate_feedback", A, "--force", "--student", student], course,
                        extra_config=feedback_config(True))
    html = course / "feedback" / student / A / f"{A}.html"
    assert html.is_file(), proc.stdout[-2000:]
    text = html.read_text(encoding="utf-8")
    assert "hidden tests, not shown" in text  # the feedback does hide the hidden-test source...
    assert HIDDEN_LINE not in text            # ...and what the student's code printed or returned of it


def test_a_kernel_cannot_erase_what_the_watch_found_in_earlier_cells(run):
    assert run.report("w_erase_findings", "erased_findings")["size"] == 0  # the file was emptied
    flags = run.row("w_erase_findings")["flags"]
    assert any("answers.ipynb" in f and "relu" in f for f in flags), flags


def test_the_sandboxs_first_process_has_no_environment(run):
    # bwrap is the sandbox's pid 1: its environment (the grader's) is readable in /proc/1/environ
    environ = run.report("t_theft_history", "first_process_environment")["environ"]
    assert "PATH=" not in environ and "NNCOURSE_PROTECTED" not in environ and "HOME=" not in environ, environ


# --- sabotage ----------------------------------------------------------------------------------------

def test_the_gradebook_keeps_every_students_grades(run):
    for student in run.ctx.honest:
        assert sum(run.gradebook_scores(student).values()) == FULL_MARKS, student
    for student, r in run.rows.items():
        if "error" not in r:
            assert sum(run.gradebook_scores(student).values()) == r["auto_score"], student
    results = run.report("x_sabotage", "zero_grades")["results"]
    assert results and all(res != "zeroed" for res in results.values()), results
    # the grader's prepared gradebook (which every worker starts from) still holds the hidden tests
    (gradebook,) = run.cache.glob("*/gradebook.db")
    with sqlite3.connect(gradebook) as db:
        sources = [row[0] for row in db.execute("SELECT source FROM source_cell")]
    assert any(HIDDEN_LINE in src for src in sources)


def test_other_students_folders_survive(run):
    for student in (s for s, r in run.rows.items() if "error" not in r):
        assert (run.course / "autograded" / student / A / f"{A}.ipynb").is_file(), student
        assert (run.course / "submitted" / student / A / f"{A}.ipynb").is_file(), student
    results = run.report("x_sabotage", "delete_others")["results"]
    assert all(res != "deleted" for res in results.values()), results


def test_the_grader_cannot_be_killed(run):
    report = run.report("x_sabotage", "kill_grader")
    assert str(run.ctx.grader_pid) in report["results"] and "signalled" != report["results"][str(run.ctx.grader_pid)]
    assert run.ctx.grader_pid not in report["visible"]


# --- resources ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("attack", ["fill_tmp", "fill_workdir"])
def test_writing_is_capped_by_the_disk_limit(run, attack):
    report = run.report("r_disk_output", attack)
    assert report["error"] and report["written"] <= DISK, report


def test_fifty_megabytes_of_output_are_cut(run):
    r = run.row("r_disk_output")
    assert any("printed more than" in f and "tanh_backward" in f for f in r["faults"]), r["faults"]
    assert (run.course / "autograded" / "r_disk_output" / A / f"{A}.ipynb").stat().st_size < 2_000_000


@pytest.mark.xfail(strict=True, reason="known gap: the runtime folder (ipc sockets, connection file) is bound "
                   "read-write from the host's disk, outside the sandbox's tmpfs quota")
def test_the_runtime_folder_shares_the_disk_limit(run):
    report = run.report("r_disk_output", "fill_runtime_folder")
    assert report["written"] <= DISK, report


def test_the_sandbox_root_shares_the_disk_limit(run):
    report = run.report("r_disk_output", "fill_other_mounts")
    assert report["written"] <= DISK, report


def test_a_full_kernel_log_does_not_stop_later_kernels(run):
    log = run.report(KERNEL_LOG, "fill_kernel_log")
    assert log["fd"] is not None and log["written"] > 0, log
    victim = run.row(VICTIM)
    assert "error" not in victim, victim["error"]
    assert victim["auto_score"] == FULL_MARKS


def test_unbounded_memory_is_stopped(run):
    r = run.row("r_memory")
    assert any("out of memory" in f and "relu_backward" in f for f in r["faults"]), r["faults"]
    assert run.report("r_memory", "unbounded_memory")["arrays"] * 8 * 10**7 <= MEMORY


def test_each_process_is_held_to_the_memory_limit(run):
    held = run.report("r_memory", "memory_across_forks")["held"]
    # a child that the kernel's memory cgroup killed reports nothing
    assert 0 < len(held) <= 4 and all(0 < h <= MEMORY for h in held), held


def _memory_cgroup_here() -> bool:
    group = kernel_sandbox.make_cgroup(f"probe-{os.getpid()}", "memory")
    kernel_sandbox.remove_cgroup(group)
    return group is not None


@pytest.mark.xfail(not _memory_cgroup_here(), strict=True, reason="known gap where the machine offers no memory "
                   "cgroup: --memory-limit is then an address-space rlimit per process, so a kernel's children "
                   "together hold a multiple of it")
def test_a_kernels_processes_together_stay_within_the_memory_limit(run):
    report = run.report("r_memory", "memory_across_forks")
    assert report["total"] <= MEMORY, report


def test_an_endless_loop_is_stopped_and_its_cpu_burning_child_killed(run):
    r = run.row("r_cpu")
    if "error" in r:  # nbgrader gave up on the notebook after the interrupt: no score, no runaway
        assert "Timeout" in r["error"], r["error"]
    else:
        assert any(f"ran over {CELL_TIMEOUT} s" in f and "relu" in f for f in r["faults"]), r["faults"]
        assert run.report("r_cpu", "burn_cpu")["started"] is True
    assert not [p for p in run.leftovers if "burn-" in p[1]]


# --- network ----------------------------------------------------------------------------------------

def test_no_packet_reaches_the_host(run):
    assert run.received == [], run.received
    # a datagram "sent" on the sandbox's own loopback goes nowhere: only the listeners count
    results = run.report("n_network", "tcp_connect")["results"]
    assert results and all(res != "connected" for res in results.values()), results
    assert run.report("n_network", "udp_send")["results"]
    assert run.report("n_network", "abstract_socket")["result"] != "connected"


def test_names_do_not_resolve(run):
    assert run.report("n_network", "dns_lookup")["resolved"] == []
