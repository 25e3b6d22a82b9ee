"""The similarity check: fingerprints survive the edits copiers make, starter code and given or test
cells never count, planted copies are flagged and independent work is not. No nbgrader runs."""
import importlib.util
import json
import random
import subprocess
import sys

import nbformat
import pytest

from support.paths import ROOT

from autograder.catalogue.examples import blank_submission, reference_submission, with_cell
from autograder.nbio import write_notebook
from autograder.similarity import compare, load, write_report
from autograder.similarity.fingerprint import bound_names, cell_print

spec = importlib.util.spec_from_file_location("similarity_eval", ROOT / "benchmarks" / "similarity_eval.py")
similarity_eval = importlib.util.module_from_spec(spec)
spec.loader.exec_module(similarity_eval)

STAGE = "05_mnist_softmax"

ORIGINAL = '''
def helper(values, axis=1):
    """Largest entry of each row."""
    return np.max(values, axis=axis, keepdims=True)


def stable_softmax(logits):
    shifted = logits - helper(logits)   # no overflow
    exps = np.exp(shifted)
    total = np.sum(exps, axis=1, keepdims=True)
    return exps / total
'''

COPIED = '''
def stable_softmax(z):
  # subtract the maximum first
  s = z-biggest(z)
  e = np.exp( s )

  t = np.sum(e, axis = 1, keepdims = True)
  return e/t  # done

def biggest(arr, ax=1):
    return np.max(arr, axis=ax, keepdims=True)
'''

DIFFERENT = '''
def stable_softmax(logits):
    out = np.empty_like(logits, dtype=float)
    for i, row in enumerate(logits):
        top = row.max()
        ex = [math.exp(v - top) for v in row]
        out[i] = np.array(ex) / sum(ex)
    return out
'''


def prints(source):
    return {fp.value for fp in cell_print("cell", source, bound_names(source)).prints}


def test_renaming_reordering_comments_and_layout_leave_the_fingerprints_alike():
    a, b = prints(ORIGINAL), prints(COPIED)
    assert a and a == b, "renamed variables, moved functions, new comments and spacing must not change fingerprints"


def test_different_code_for_the_same_task_shares_almost_nothing():
    a, c = prints(ORIGINAL), prints(DIFFERENT)
    assert len(a & c) <= len(a) // 5


def test_library_names_are_kept_so_a_changed_call_is_a_different_program():
    assert prints("def f(x):\n    return np.mean(x ** 2) + 1\n") != prints("def f(x):\n    return np.sum(x ** 2) + 1\n")


def test_fingerprints_are_the_same_in_another_process():
    code = ("from autograder.similarity.fingerprint import bound_names, cell_print\n"
            f"s = {ORIGINAL!r}\nprint(sorted(fp.value for fp in cell_print('c', s, bound_names(s)).prints))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == sorted(prints(ORIGINAL)), "fingerprints must not depend on Python's salted hash()"


def test_code_that_does_not_parse_still_gets_fingerprints():
    assert prints("def f(x):\n    y = np.exp(x) - np.max(x, axis=1\n    return y / y.sum(axis=1, keepdims=True)\n")


def _class(tmp_path, independent=14, seed=3):
    return similarity_eval.make_class(STAGE, independent, 4, tmp_path, seed)


def test_planted_copies_are_flagged_and_independent_work_and_blanks_are_not(tmp_path):
    made = _class(tmp_path)
    pairs = compare(load(STAGE, [tmp_path]))
    flagged = {frozenset((p["a"], p["b"])) for p in pairs if p["flagged"]}
    planted = {frozenset((s, info["of"])) for s, info in made.items() if "of" in info}
    assert planted <= flagged, f"missed copies: {sorted(map(sorted, planted - flagged))}"
    origin = {s: info.get("of", s) for s, info in made.items()}
    false = [sorted(pair) for pair in flagged if len({origin[s] for s in pair}) == 2]
    assert not false, f"independent pairs flagged: {false}"
    assert [p["score"] for p in pairs] == sorted((p["score"] for p in pairs), reverse=True)
    assert all(0.0 <= p["score"] <= 1.0 for p in pairs)
    assert not any({"blank1", "blank2"} & {p["a"], p["b"]} for p in pairs), "untouched notebooks share nothing"


def test_two_untouched_student_versions_are_never_flagged(tmp_path):
    for student in ("ann", "ben"):
        write_notebook(blank_submission(STAGE), tmp_path / f"{student}.ipynb")
    subs = load(STAGE, [tmp_path])
    assert [s.student for s in subs] == ["ann", "ben"]
    assert all(not fp for s in subs for fp in s.kept()), "starter code must be subtracted"
    assert compare(subs) == []


def test_given_and_test_cells_do_not_count(tmp_path):
    """Two students who paste the same long code into a given cell and a test cell, and write
    different answers, are not alike."""
    extra = "\n".join(f"row_{i} = np.linspace(0, {i}, {i + 3}) * np.arange({i + 3}) - {i} ** 2" for i in range(40))
    for student in ("ann", "ben"):
        nb = reference_submission(STAGE)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and (meta.get("grade") or meta.get("locked")) and not meta.get("solution"):
                cell.source += "\n" + extra
        if student == "ben":  # ben's answers are his own: the correct variants, not the reference
            for v in similarity_eval.catalogue(STAGE):
                if v.correct:
                    nb = with_cell(nb, v.cell, v.source)
        write_notebook(nb, tmp_path / f"{student}.ipynb")
    pairs = compare(load(STAGE, [tmp_path]), max_share=10)
    assert not any(p["flagged"] for p in pairs), pairs


def test_cells_a_student_added_count(tmp_path):
    helper = "\n".join(f"def extra_{i}(v):\n    return np.tanh(v * {i}) + np.cos(v) ** {i} - v.mean(axis=0)\n"
                       for i in range(12))
    for student in ("ann", "ben", "cat"):
        nb = blank_submission(STAGE)
        if student != "cat":
            nb.cells.insert(3, nbformat.v4.new_code_cell(helper))
        write_notebook(nb, tmp_path / f"{student}.ipynb")
    subs = load(STAGE, [tmp_path])
    assert any(c.label.startswith("added cell") for c in subs[0].cells)
    [pair] = compare(subs)
    assert {pair["a"], pair["b"]} == {"ann", "ben"} and pair["score"] == 1.0


def test_path_forms_are_those_of_grade(tmp_path):
    nb = reference_submission(STAGE)
    write_notebook(nb, tmp_path / "flat" / "ann.ipynb")
    write_notebook(nb, tmp_path / "course" / "submitted" / "ben" / STAGE / f"{STAGE}.ipynb")
    write_notebook(nb, tmp_path / "one" / "cat.ipynb")
    subs = load(STAGE, [tmp_path / "flat", tmp_path / "course", tmp_path / "one" / "cat.ipynb"])
    assert [s.student for s in subs] == ["ann", "ben", "cat"]


def test_cli_json_and_html_report(tmp_path):
    made = _class(tmp_path / "class", independent=8, seed=5)
    report = tmp_path / "report"
    (tmp_path / "class" / "submitted" / "broken" / STAGE).mkdir(parents=True)
    (tmp_path / "class" / "submitted" / "broken" / STAGE / f"{STAGE}.ipynb").write_text("not json")
    proc = subprocess.run([sys.executable, "-m", "autograder", "similarity", STAGE, str(tmp_path / "class"),
                           "--json", "--report", str(report)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "not compared: broken" in proc.stderr
    pairs = json.loads(proc.stdout)
    assert pairs and all({"a", "b", "score", "flagged", "cells"} <= set(p) for p in pairs)
    assert [p["score"] for p in pairs] == sorted((p["score"] for p in pairs), reverse=True)
    copy = next(s for s, info in made.items() if "of" in info)
    [pair] = [p for p in pairs if {p["a"], p["b"]} == {copy, made[copy]["of"]}]
    assert pair["flagged"] and pair["score"] == max(p["score"] for p in pairs)
    index = (report / "index.html").read_text()
    assert copy in index and "broken" in index
    page = next(report.glob("pair-*.html")).read_text()
    assert page.count("<mark>") >= 2 and "class='side'" in page


def test_report_escapes_code(tmp_path):
    src = "def f(x):\n    return '<script>' if x < 1 else np.exp(x) & np.log(x + 1) - np.sqrt(x) * 2\n"
    nb = blank_submission(STAGE)
    nb.cells.insert(3, nbformat.v4.new_code_cell(src))
    for student in ("ann", "ben"):
        write_notebook(nb, tmp_path / "c" / f"{student}.ipynb")
    subs = load(STAGE, [tmp_path / "c"])
    write_report(tmp_path / "r", STAGE, compare(subs, min_evidence=0), subs)
    page = (tmp_path / "r" / "pair-0001.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("kind", similarity_eval.EDITS)
def test_each_edit_of_the_benchmark_changes_the_code_but_keeps_it_python(kind):
    import ast

    rng = random.Random(1)
    edited = similarity_eval.edit(ORIGINAL, kind, {"stable_softmax"}, rng)
    ast.parse(edited)
    assert edited.strip() != ORIGINAL.strip()
