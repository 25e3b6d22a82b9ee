"""The integrity watch's checks, called directly (the class-grading test runs it in real kernels)."""
import json
import os

import numpy as np
import pytest

from autograder.kernel.watch import Watch


@pytest.fixture
def watch(tmp_path, monkeypatch):
    protected = tmp_path / "course" / "source"
    protected.mkdir(parents=True)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    return Watch(str(tmp_path / "flags.jsonl"), [str(protected)])


def flags(watch):
    if not os.path.exists(watch.log_path):
        return []
    with open(watch.log_path, encoding="utf-8") as fh:
        return [json.loads(line)["detail"] for line in fh]


def test_reading_hidden_tests_or_grades_is_flagged(watch):
    watch.audit("open", ("../course/source/01/01.ipynb", "r", 0))
    watch.audit("open", ("/elsewhere/answers.ipynb", "r", 0))
    watch.audit("sqlite3.connect", ("/x/gradebook.db",))
    watch.audit("os.listdir", ("../course/source",))
    watch.audit("subprocess.Popen", ("cat", ["cat", "notebooks/05.py"], None, None))
    assert len(flags(watch)) == 5


def test_ordinary_file_use_is_not_flagged(watch):
    watch.audit("open", ("data.csv", "w", 0))
    watch.audit("open", (np.__file__, "r", 0))
    watch.audit("open", (3, "r", 0))
    watch.audit("os.listdir", (".",))
    watch.audit("import", ("numpy", None, None, None, None))
    assert flags(watch) == []


def test_replacing_a_numpy_function_is_flagged_once(watch, monkeypatch):
    watch.post_run_cell(None)
    assert flags(watch) == []
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    watch.post_run_cell(None)
    watch.post_run_cell(None)
    assert flags(watch) == ["numpy.allclose was replaced or deleted"]


def test_the_watch_never_raises_into_the_kernel(watch, monkeypatch):
    def out_of_memory():
        raise MemoryError

    monkeypatch.setattr(watch, "check_modules", out_of_memory)
    watch.post_run_cell(None)  # must not raise
    assert watch._busy is False
