"""Known mistakes named live in the student's notebook (helpers/hints.py), and the table it reads
(grading/diagnose.live_table): what it may name, that it names no hidden test case, where a
failure is placed (visible or hidden part of its cell), and that it works in a real kernel and
stays off under the grader."""
import ast
import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.building.stamp import template
from autograder.grading import diagnose as dg
from autograder.markers import BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS, hidden_test_lines
from autograder.paths import resolve_assignments, source_notebook
from helpers import hints

from support.paths import ROOT

STAGES = resolve_assignments([])
ONE = {"name": "m1", "cell": "f", "description": "sums instead of averaging"}
TWO = {"name": "m2", "cell": "f", "description": "forgets the factor 2."}


def entry(*variants, hidden=False, crash=False):
    return {"variants": list(variants), "ambiguous": len(variants) > 1, "hidden": hidden, "crash": crash}


def test_live_table_names_only_one_mutants_visible_wrong_values():
    table = {
        "test_f: AssertionError: f (x = [1, 2]): expected 1.5, got 3.": entry(ONE),
        "test_f: AssertionError: f (x = [4]): expected 4, got 8.": entry(ONE, TWO),           # ambiguous
        "test_f: AssertionError: f (hidden case): expected 2, got 4.": entry(ONE, hidden=True),
        "test_f: AssertionError: f raised ValueError: shapes": entry(ONE, crash=True),
        "test_g: AssertionError: g: expected 1, got 2.": entry(TWO),
        "test_h: AssertionError: g: expected 1, got 2.": entry(ONE),                           # same line, two causes
        "test_k: AssertionError: k: expected 0, got 1.": entry(TWO),
        "test_k2: AssertionError: k: expected 0, got 1.": entry(TWO, hidden=True),             # also hidden
        "test_old: AssertionError: old: expected 0, got 1.": {"variants": [ONE], "ambiguous": False},
    }
    assert dg.live_table(table) == {"AssertionError: f (x = [1, 2]): expected 1.5, got 3.": ONE["description"]}


def test_known_mistake_reads_the_message_as_the_grader_does():
    mistakes = {hints.normalise("AssertionError: f (x = [1, 2]): expected 1.5, got 3.14159."): "sums"}
    assert hints.known_mistake(AssertionError("f (x = [1, 2]): expected 1.5, got 3.1415926.\nmore"), mistakes) == "sums"
    assert hints.known_mistake(AssertionError("f (x = [1, 2]): expected 1.5, got 3.2."), mistakes) is None
    assert hints.known_mistake(ValueError("f (x = [1, 2]): expected 1.5, got 3.14159."), mistakes) is None


@pytest.mark.parametrize("stage", STAGES)
def test_committed_live_table_is_the_one_its_signatures_give(stage):
    signatures, live = dg.signatures_path(stage), hints.mistakes_path(stage)
    assert signatures.is_file() == live.is_file(), (
        f"{stage}: signatures.json and helpers/mistakes/{stage}.json come together: run "
        f"python -m autograder mutants {stage} --write-signatures")
    if live.is_file():
        assert hints.read_mistakes(stage) == dg.live_table(dg.read_signatures(stage))


def _case_names(tree) -> set:
    """The plain-string test cases a piece of test code names: ``case="..."`` and ``_case = "..."``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "case":
            value = node.value
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in ("case", "_case")
                                                 for t in node.targets):
            value = node.value
        else:
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found.add(value.value)
    return found


def _hidden_and_visible_cases(stage):
    """The cases named in the hidden regions, and in the rest, of the instructor notebook."""
    hidden, visible = set(), set()
    for cell in nbformat.read(source_notebook(stage), as_version=4).cells:
        if cell.cell_type != "code":
            continue
        parts, hidden_lines = {"hidden": [], "visible": []}, hidden_test_lines(cell.source)
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if line.strip() not in (BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS):
                parts["hidden" if number in hidden_lines else "visible"].append(line)
        for kind, found in (("hidden", hidden), ("visible", visible)):
            try:
                tree = ast.parse("\n".join(parts[kind]))
            except SyntaxError:
                continue
            found.update(_case_names(tree))
    return hidden, visible


def test_the_case_check_sees_the_hidden_cases():
    hidden, visible = _hidden_and_visible_cases("03_mlp")
    assert "float32 input" in hidden - visible


@pytest.mark.parametrize("stage", [s for s in STAGES if hints.mistakes_path(s).is_file()])
def test_no_live_line_names_a_case_only_the_hidden_tests_have(stage):
    hidden, visible = _hidden_and_visible_cases(stage)
    leaks = [(line, case) for line in hints.read_mistakes(stage) for case in hidden - visible if f"({case})" in line]
    assert not leaks, f"{stage}: lines of helpers/mistakes/{stage}.json name hidden test cases: {leaks[:3]}"


def _notebook_failing_with(message, env_grader):
    setup = template("setup_cell.py").replace("COURSE_ASSIGNMENT_ID", "known")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import helpers.hints\nhelpers.hints.MISTAKES_DIR = __import__('pathlib').Path("
                                  f"{str(ROOT / 'tests' / 'data' / 'mistakes')!r})"),
        nbformat.v4.new_code_cell(setup),
        nbformat.v4.new_code_cell(f"raise AssertionError({message!r})"),
        nbformat.v4.new_code_cell("assert 1 == 2, 'f: some other failure'"),
    ])
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    if env_grader:
        env["NBGRADER_EXECUTION"] = "autograde"
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute(env=env)
    assert nb.cells[1].outputs == [], "the setup cell must show nothing outside Colab"
    return [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.fixture(scope="module")
def known_table():
    folder = ROOT / "tests" / "data" / "mistakes"
    path = folder / "known.json"
    line = "AssertionError: f (x = [1, 2]): expected 1.5, got 3."
    assert json.loads(path.read_text(encoding="utf-8"))["mistakes"] == {line: "sums instead of averaging"}
    return line


def test_a_real_kernel_names_the_mistake_under_the_message(known_table):
    errors = _notebook_failing_with("f (x = [1, 2]): expected 1.5, got 3.0000001.", env_grader=False)
    assert len(errors) == 2
    first, other = (e["evalue"] for e in errors)
    assert first.splitlines()[0] == "f (x = [1, 2]): expected 1.5, got 3.0000001."
    assert first.splitlines()[1].startswith(hints.HINT_PREFIX) and "sums instead of averaging" in first
    assert hints.HINT_PREFIX in "".join(errors[0]["traceback"])
    assert other == "f: some other failure"


def test_under_the_grader_nothing_is_named(known_table):
    errors = _notebook_failing_with("f (x = [1, 2]): expected 1.5, got 3.0000001.", env_grader=True)
    assert [e["evalue"] for e in errors] == ["f (x = [1, 2]): expected 1.5, got 3.0000001.", "f: some other failure"]


def _failed_test_cell(failing_line, execution_count=7, traceback=None):
    source = "\n".join(["x = 1", "assert x == 1, 'visible'", BEGIN_HIDDEN_TESTS, "assert x == 2, 'hidden'",
                        END_HIDDEN_TESTS, "print('after')"])
    cell = nbformat.v4.new_code_cell(source)
    cell.execution_count = execution_count
    frames = traceback if traceback is not None else [
        "\x1b[0;31mAssertionError\x1b[0m Traceback (most recent call last)",
        f"Cell \x1b[0;32mIn[{execution_count}], line {failing_line}\x1b[0m\n----> {failing_line} assert ...",
        "File \x1b[0;32m/x/helpers/testing.py:90\x1b[0m, in assert_close", "AssertionError: ..."]
    cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="...", traceback=frames)]
    return cell


def test_a_failure_is_placed_in_the_part_of_the_cell_that_raised_it():
    from autograder.grading.collect import failed_in_hidden_tests

    assert not failed_in_hidden_tests(_failed_test_cell(2))
    assert failed_in_hidden_tests(_failed_test_cell(4))
    assert not failed_in_hidden_tests(_failed_test_cell(6))   # after the hidden region
    # The frame of another cell (a function defined earlier) does not place it; nothing to go by
    # in a cell with hidden tests counts as hidden, so its message never reaches a student.
    other = ["Cell In[3], line 2", "Cell In[7], line 4"]
    assert failed_in_hidden_tests(_failed_test_cell(None, traceback=other))
    assert not failed_in_hidden_tests(_failed_test_cell(None, traceback=["Cell In[3], line 9", "Cell In[7], line 2"]))
    assert failed_in_hidden_tests(_failed_test_cell(None, traceback=["AssertionError: no frames"]))
    visible_only = nbformat.v4.new_code_cell("assert False, 'x'")
    visible_only.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="x", traceback=[])]
    assert not failed_in_hidden_tests(visible_only)


@pytest.mark.parametrize("content", [b"", b"{not json", b"\xff\xfe", b"[1, 2]", b'{"mistakes": [1]}',
                                     b'{"mistakes": {"a": 1, "b": "named"}}'])
def test_a_damaged_table_names_nothing_and_never_fails_the_setup_cell(tmp_path, content):
    (tmp_path / "x.json").write_bytes(content)
    expected = {"b": "named"} if b'"b"' in content else {}
    assert hints.read_mistakes("x", tmp_path) == expected
    assert hints.read_mistakes("missing", tmp_path) == {}
