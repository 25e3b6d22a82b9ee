"""The warm pool's hand-over rules (autograder/kernel/warm_pool.py), on stand-in processes: a
kernel is handed over only to its own student, alive, with the environment nbgrader would give a
new kernel; the next student's kernel starts when the previous one has ended; what nobody took is
stopped."""
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.kernel import warm_pool
from autograder.kernel.protocol import WATCH_FILE_ENV
from autograder.kernel.warm_pool import WarmKernel, WarmPool, sandboxed_env


def _env(student, **extra):
    return {"NBGRADER_EXECUTION": "autograde", WATCH_FILE_ENV: f"/w/.watch/{student}.jsonl", **extra}


@pytest.fixture
def pool(monkeypatch, tmp_path):
    started = []

    def fake_warm(self, student, env):
        env = dict(env, NBGRADER_EXECUTION="autograde", **{WATCH_FILE_ENV: f"/w/.watch/{student}.jsonl"})
        process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
        self.kernels[student] = WarmKernel(student, process, {}, tmp_path / student, sandboxed_env(env))
        started.append(student)

    monkeypatch.setattr(WarmPool, "_warm", fake_warm)
    p = WarmPool()
    p.start({"students": ["a", "b", "c"]}, {})
    yield p, started
    p.close()


def test_each_student_gets_their_own_kernel_and_the_next_one_starts_after_it(pool):
    p, started = pool
    assert started == ["a"]
    first = p.take(_env("a"))
    assert first is not None and first.student == "a" and first.process.poll() is None
    assert started == ["a"]  # nothing else starts while a's kernel runs
    first.stop()
    p.warm_next(_env("a"))
    assert started == ["a", "b"]
    assert p.take(_env("b")).student == "b"
    p.warm_next(_env("b"))
    p.warm_next(_env("b"))  # a retry's second end starts nothing more
    assert p.take(_env("c")).student == "c" and started == ["a", "b", "c"]
    p.warm_next(_env("c"))  # the last student: nothing follows
    assert started == ["a", "b", "c"]
    assert p.take(_env("a")) is None  # taken already: a retry starts cold


def test_a_kernel_started_with_another_environment_is_stopped_not_handed_over(pool):
    p, _ = pool
    kernel = p.kernels["a"]
    assert p.take(_env("a", MPLBACKEND="agg")) is None
    assert kernel.process.poll() is not None


def test_a_dead_kernel_is_not_handed_over(pool):
    p, _ = pool
    p.kernels["a"].process.kill()
    p.kernels["a"].process.wait()
    assert p.take(_env("a")) is None


def test_an_unplanned_launch_gets_nothing_and_close_stops_the_rest(pool):
    p, started = pool
    assert p.take(_env("zed")) is None and p.take({}) is None
    waiting = list(p.kernels.values())
    p.close()
    assert waiting and all(k.process.poll() is not None for k in waiting) and not p.kernels


def test_no_plan_no_kernels():
    assert WarmPool().take(_env("a")) is None
    assert warm_pool.POOL.plan is None  # the grader's own process never plans warm kernels


@pytest.mark.parametrize("variables", [{}, {"XDG_CACHE_HOME": "{tmp}/xdg"}, {"MPLCONFIGDIR": "{tmp}/mplconfig"}])
def test_the_font_cache_is_where_matplotlib_itself_keeps_it(tmp_path, variables):
    import os

    from autograder.kernel.sandbox import matplotlib_cache_dir

    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "MPLCONFIGDIR")}
    env.update({k: v.format(tmp=tmp_path) for k, v in variables.items()})
    asked = subprocess.run([sys.executable, "-c", "import matplotlib; print(matplotlib.get_cachedir())"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    code = "from autograder.kernel.sandbox import matplotlib_cache_dir; print(matplotlib_cache_dir())"
    ours = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert ours == asked


def test_no_warm_kernel_where_its_socket_path_would_be_too_long(tmp_path):
    deep = tmp_path / ("d" * 120) / ".sandbox"
    p = WarmPool()
    p.start({"students": ["a"], "sandbox_dir": str(deep), "kernelspec": str(tmp_path / "missing.json"),
             "watch_dir": str(tmp_path), "modules": []}, {})
    assert p.kernels == {}  # the kernelspec is not even read: the student's kernel starts when asked


def test_a_kernel_is_shown_the_students_folder_without_notebooks(tmp_path, monkeypatch):
    # the notebook nbgrader grades holds the hidden tests; warm and cold kernels see the same copy
    from autograder.kernel import sandbox

    submitted = tmp_path / "autograded" / "amy" / "01"
    (submitted / "data").mkdir(parents=True)
    (submitted / "01.ipynb").write_text("hidden tests")
    (submitted / "data" / "old.ipynb").write_text("another notebook")
    (submitted / "data" / "points.csv").write_text("1,2\n")
    (submitted / "timestamp.txt").write_text("2026-01-05 10:00:00 UTC")
    (submitted / "link").symlink_to("/etc/hostname")
    monkeypatch.setenv(WATCH_FILE_ENV, str(tmp_path / ".watch" / "amy.jsonl"))
    (tmp_path / ".sandbox" / "shown" / "amy").mkdir(parents=True)
    (tmp_path / ".sandbox" / "shown" / "amy" / "stale.ipynb").write_text("from an earlier launch")
    cold = Path(sandbox._shown_folder({"status_dir": str(tmp_path / ".sandbox")}, str(submitted)))
    warm = tmp_path / ".sandbox" / "warm" / "amy"
    warm.mkdir(parents=True)
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    WarmKernel("amy", process, {}, warm, {}).go(submitted)
    process.wait(timeout=10)
    for shown in (cold, warm):
        files = sorted(str(p.relative_to(shown)) for p in shown.rglob("*"))
        assert files == ["data", "data/points.csv", "link", "timestamp.txt"], (shown, files)
        assert (shown / "link").is_symlink()  # copied as a link, never followed on the host
