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


@pytest.fixture
def shell(watch, monkeypatch):
    """An in-process IPython shell the watch sees as the kernel's, with the watch registered."""
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    monkeypatch.setattr("autograder.kernel.watch._ipython", lambda: ip)
    ip.events.register("pre_run_cell", watch.pre_run_cell)
    ip.events.register("post_run_cell", watch.post_run_cell)
    yield ip
    ip.events.unregister("pre_run_cell", watch.pre_run_cell)
    ip.events.unregister("post_run_cell", watch.post_run_cell)


def run_cell(shell, source):
    shell.run_cell(source, store_history=False)


@pytest.mark.parametrize("change, expected", [
    ("get_ipython().run_cell_async = lambda *a, **k: None", "IPython run_cell_async was changed"),
    ("get_ipython().transform_cell = lambda raw: raw", "IPython transform_cell was changed"),
    ("get_ipython().compile.ast_parse = lambda *a, **k: None", "IPython compile.ast_parse was changed"),
])
def test_replacing_how_the_shell_runs_cells_is_flagged(shell, watch, change, expected, monkeypatch):
    for name in ("run_cell_async", "transform_cell"):
        monkeypatch.setattr(shell, name, getattr(shell, name))  # restored after the test
    monkeypatch.setattr(shell.compile, "ast_parse", shell.compile.ast_parse)
    run_cell(shell, "x = 1")
    assert flags(watch) == []
    if "ast_parse" in change:
        shell.compile.ast_parse = lambda *a, **k: None
    elif "transform_cell" in change:
        shell.transform_cell = lambda raw: raw
    else:
        shell.run_cell_async = lambda *a, **k: None
    watch.post_run_cell(None)
    assert expected in flags(watch)


def test_a_new_cell_callback_is_flagged_and_ordinary_cells_are_not(shell, watch):
    run_cell(shell, "import numpy as np\ny = np.ones(3)")
    assert flags(watch) == []

    def replay(result=None):
        pass

    shell.events.register("post_run_cell", replay)
    try:
        run_cell(shell, "z = 2")
    finally:
        shell.events.unregister("post_run_cell", replay)
    assert any("a post_run_cell callback was registered" in f and "replay" in f for f in flags(watch)), flags(watch)
