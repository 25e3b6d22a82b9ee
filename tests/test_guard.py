"""GuardedExecute and HideHiddenTests on their own, with kernels the tests set up."""
import json
import math
import sys

import nbformat
import pytest

from autograder.kernel.feedback import HideHiddenTests
from support.paths import ROOT
from autograder.kernel.guard import GuardedExecute

FLAKY_KERNEL = """
import os, sys
marker = sys.argv[1]
if not os.path.exists(marker):   # the first start dies before it answers, as in a port clash
    open(marker, "w").close()
    os._exit(1)
from ipykernel import kernelapp
sys.argv = [sys.argv[0]] + sys.argv[2:]
kernelapp.launch_new_instance()
"""


@pytest.fixture
def flaky_kernel(tmp_path, monkeypatch):
    script = tmp_path / "flaky_kernel.py"
    script.write_text(FLAKY_KERNEL)
    spec = tmp_path / "jupyter" / "kernels" / "flaky"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(script), str(tmp_path / "started-once"), "-f", "{connection_file}"],
        "display_name": "flaky", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "flaky"


def notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_a_kernel_that_dies_at_start_is_replaced(flaky_kernel, tmp_path):
    nb = notebook("print(6 * 7)")
    GuardedExecute(kernel_name=flaky_kernel, timeout=60, startup_timeout=60).preprocess(
        nb, {"metadata": {"path": str(tmp_path)}})
    assert (tmp_path / "started-once").exists(), "the first kernel should have died"
    assert nb.cells[0].outputs[0]["text"] == "42\n"


def test_without_retries_the_start_failure_is_raised(flaky_kernel, tmp_path):
    with pytest.raises(RuntimeError, match="kernel_info"):
        GuardedExecute(kernel_name=flaky_kernel, timeout=60, startup_timeout=60, kernel_start_attempts=1).preprocess(
            notebook("1"), {"metadata": {"path": str(tmp_path)}})


def test_hidden_tests_and_their_tracebacks_are_hidden():
    cell = nbformat.v4.new_code_cell(
        "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(-1) == 0, 'f fails for negative x'\n"
        "assert f(0) == 1\n### END HIDDEN TESTS\nprint('ok')")
    cell.execution_count = 7
    cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="f fails for negative x",
                                           traceback=["Traceback", "\x1b[0;31mCell In[7], line 3\x1b[0m",
                                                      "assert f(-1) == 0, 'f fails for negative x'",
                                                      "AssertionError: f fails for negative x"])]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb, _ = HideHiddenTests().preprocess(nb, {})
    source = nb.cells[0].source
    assert "f(-1)" not in source and "f(0)" not in source
    assert source.splitlines() == ["assert f(1) == 2", "# (2 lines of hidden tests, not shown)", "print('ok')"]
    assert nb.cells[0].outputs[0]["traceback"] == ["AssertionError: f fails for negative x"]


def hidden_test_cell(*outputs, execution_count=9):
    cell = nbformat.v4.new_code_cell("f(2)\n### BEGIN HIDDEN TESTS\nassert f(-3) == 0, 'negative x'\n### END HIDDEN TESTS")
    cell.execution_count, cell.outputs = execution_count, list(outputs)
    nb, _ = HideHiddenTests().preprocess(nbformat.v4.new_notebook(cells=[cell]), {})
    return nb.cells[0]


def test_what_a_hidden_test_cell_printed_is_not_shown():
    cell = hidden_test_cell(nbformat.v4.new_output("stream", name="stdout", text="inputs: [-3] secret"),
                            nbformat.v4.new_output("display_data", data={"text/plain": "secret"}))
    assert "secret" not in json.dumps(cell.outputs)
    assert [o.output_type for o in cell.outputs] == ["stream"] and "not shown" in cell.outputs[0].text


def test_hidden_test_lines_are_scrubbed_from_every_cells_output():
    # Code in the kernel can read a test cell that has run (IPython's In) and print it from a
    # later answer cell, or return a value that a test's own message quotes.
    hidden = "assert f(-3) == 0, 'negative x'"
    test = nbformat.v4.new_code_cell(f"f(2)\n### BEGIN HIDDEN TESTS\n{hidden}\n]\n### END HIDDEN TESTS")
    test.execution_count = 3
    test.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue=f"got ('{hidden}',)",
                                           traceback=["Cell In[3], line 1", f"AssertionError: got ('{hidden}',)"])]
    answer = nbformat.v4.new_code_cell("for s in In: print(s)")
    answer.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"f(2)\n{hidden}\n]\nmy own line ]\n"),
                      nbformat.v4.new_output("execute_result", data={"text/plain": repr(hidden), "text/html": [hidden]})]
    nb, _ = HideHiddenTests().preprocess(nbformat.v4.new_notebook(cells=[test, answer]), {})
    shown = json.dumps([c.outputs for c in nb.cells])
    assert "f(-3)" not in shown and "(a line of hidden tests, not shown)" in shown
    assert "my own line ]" in nb.cells[1].outputs[0].text  # short hidden lines ("]") are left alone
    assert nb.cells[0].outputs[0].traceback == ["AssertionError: got ('(a line of hidden tests, not shown)',)"]


HELPERS = str(ROOT / "helpers")


@pytest.mark.parametrize("frame, shown", [
    ("Cell In[9], line 3", True),                                     # the test cell's own assert
    (f"File {HELPERS}/testing.py:41, in assert_close", True),          # the course's test helpers
    ("Cell In[4], line 2, in f", False),                              # the student's function
    ("File /tmp/work/mine.py:3, in f", False),
    ("File /tmp/work/helpers/testing.py:3, in assert_close", False),  # a look-alike the student wrote
])
def test_an_error_message_is_shown_only_when_the_tests_raised_it(frame, shown):
    error = nbformat.v4.new_output("error", ename="AssertionError", evalue="secret",
                                   traceback=["Traceback", "Cell In[9], line 3", "f(-3)", frame, "AssertionError: secret"])
    cell = hidden_test_cell(error)
    assert [o.output_type for o in cell.outputs] == ["error"]
    assert ("secret" in json.dumps(cell.outputs)) is shown
    assert cell.outputs[0].traceback[0].startswith("AssertionError: ")


def graded_test(source, grade_id):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id,
                                 "points": 1, "schema_version": 3}
    return cell


@pytest.mark.parametrize("stop, stop_students, student", [
    (True, [], "ann"), (False, [], "ann"), (False, ["mutant-a"], "mutant-a"), (False, ["mutant-a"], "ann")])
def test_the_judges_shortcut_stops_only_after_a_test_fails_by_an_assertion(tmp_path, stop, stop_students, student):
    nb = notebook("x = 1")
    nb.cells += [graded_test("raise NameError('not an assertion')", "t_crash"),
                 graded_test("assert x == 2, 'x is wrong'", "t_fails"),
                 nbformat.v4.new_code_cell("print('after')")]
    GuardedExecute(timeout=60, startup_timeout=60, stop_after_failed_test=stop, stop_students=stop_students).preprocess(
        nb, {"metadata": {"path": str(tmp_path)}, "nbgrader": {"student": student}})
    stop = stop or student in stop_students
    assert nb.cells[1].outputs[0]["ename"] == "NameError"  # a crash does not stop the run
    assert nb.cells[2].outputs[0]["ename"] == "AssertionError"
    last = nb.cells[3].outputs[0]
    if stop:
        assert last["ename"] == "NotRun" and "first failed test" in last["evalue"]
    else:
        assert last["text"] == "after\n"


class SlowOutput(GuardedExecute):
    """Output that reaches the grader 2.5 s after the cell's reply, as on a loaded machine."""

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        import asyncio

        await asyncio.sleep(2.5)
        return await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)


def test_late_output_is_waited_for_not_an_error_that_ends_the_students_grading(tmp_path):
    from nbclient.exceptions import CellTimeoutError

    nb = notebook("print('late but here')")
    SlowOutput(timeout=60, startup_timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert [o.get("text") for o in nb.cells[0].outputs] == ["late but here\n"]
    with pytest.raises(CellTimeoutError):  # nbgrader's setting with nbclient's 4 s would end the run
        SlowOutput(timeout=60, startup_timeout=60, iopub_timeout=1).preprocess(
            notebook("print('late')"), {"metadata": {"path": str(tmp_path)}})


@pytest.mark.parametrize("left, limit_named", [(10.0, "CellTimeout"), (4.3, "SubmissionTimeout"), (0.2, "SubmissionTimeout")])
def test_the_limit_that_stops_a_cell_is_the_one_reached_first(left, limit_named):
    import time

    from nbformat.v4 import new_code_cell

    guard = GuardedExecute(timeout=5, submission_timeout=20)
    guard._deadline = time.monotonic() + left
    seconds = guard._get_timeout(new_code_cell("while True: pass"))
    assert guard.error_on_timeout["ename"] == limit_named
    assert seconds == (5 if left > 5 else max(1, math.ceil(left)))


def test_findings_are_kept_where_the_kernel_cannot_erase_them(tmp_path, monkeypatch):
    from autograder.grading.collect import flags
    from autograder.kernel.protocol import WATCH_FILE_ENV, cell_key

    watch = tmp_path / ".watch" / "amy.jsonl"
    watch.parent.mkdir()
    monkeypatch.setenv(WATCH_FILE_ENV, str(watch))
    guard = GuardedExecute(watch_dir=str(watch.parent))
    guard._kept_findings = set()
    first = json.dumps({"flag": "reads grading files", "detail": "open x.ipynb", "cell": cell_key("a = 1")})
    watch.write_text(first + "\n")
    guard._keep_findings()
    watch.write_text("")  # the next cell empties the file the kernel can write
    guard._keep_findings()
    second = json.dumps({"flag": "builtins", "detail": "builtin len was replaced", "cell": cell_key("b = 2")})
    watch.write_text(second + "\n")
    guard._keep_findings()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("a = 1"), nbformat.v4.new_code_cell("b = 2")])
    found = flags(watch, nb)
    assert len(found) == 2 and "open x.ipynb" in found[0] and "len was replaced" in found[1], found
