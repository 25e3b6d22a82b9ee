"""Fast tier: the rule of `grade --isolate-answers` (autograder/grading/isolate.py) that decides
which tests check which answer, which answer is wrong and which failed tests are downstream, on a
notebook built here; and how a re-run's result is credited (no nbgrader)."""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.grading import isolate
from autograder.grading.report import format_table, isolated_points, write_csv
from autograder.grading.results import SubmissionResult
from autograder.grading.results import TestResult as _TestResult


def _cell(kind, source, **meta):
    cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    if meta:
        cell.metadata["nbgrader"] = dict(meta)
    return cell


def _answer(gid):
    return _cell("code", f"def {gid}(): ...", grade_id=gid, solution=True, grade=False, locked=False)


def _test(gid, points=1):
    return _cell("code", f"assert True  # {gid}", grade_id=gid, grade=True, solution=False, locked=True,
                 points=points)


def built_notebook():
    return new_notebook(cells=[
        _cell("markdown", "# A stage"),
        _test("test_setup"),                                    # before every answer: checks none
        _answer("a"),
        _test("test_a1"), _test("test_a2"),
        _cell("markdown", "Why?", grade_id="why", solution=True, grade=True, points=2),  # written answer
        _cell("code", "GIVEN = 1", grade_id="given", locked=True),  # read-only given cell
        _test("test_a3"),                                       # still after answer a
        _answer("b"),
        _test("test_b"),
        _cell("code", "print('plain code')"),
        _answer("c"),
        _test("test_c1"), _test("test_c2", points=3),
    ])


def test_tests_check_the_last_code_answer_before_them():
    nb = built_notebook()
    assert isolate.answer_of_tests(nb) == {"test_setup": None, "test_a1": "a", "test_a2": "a", "test_a3": "a",
                                           "test_b": "b", "test_c1": "c", "test_c2": "c"}
    assert isolate.answer_order(nb) == ["a", "b", "c"]


def test_the_first_failing_answer_is_wrong_and_later_failures_are_downstream():
    nb = built_notebook()
    tests, order = isolate.answer_of_tests(nb), isolate.answer_order(nb)
    step = isolate.plan(["test_a2", "test_b", "test_c2"], tests, order)
    assert step.wrong == ["a"] and step.candidates == {"test_b": "b", "test_c2": "c"}
    # the first failure decides, whatever order the failures are listed in
    assert isolate.plan(["test_c2", "test_b"], tests, order).wrong == ["b"]
    assert isolate.plan(["test_c2", "test_b"], tests, order).candidates == {"test_c2": "c"}
    # nothing downstream (or only the wrong answer's own tests): no re-run
    assert not isolate.plan(["test_a1", "test_a3"], tests, order)
    assert not isolate.plan(["test_c1", "test_c2"], tests, order)
    # a test that checks no answer is never wrong nor downstream
    assert not isolate.plan(["test_setup"], tests, order)
    assert isolate.plan(["test_setup", "test_a1", "test_b"], tests, order).candidates == {"test_b": "b"}
    assert not isolate.plan([], tests, order)


def _result(student, scores):
    r = SubmissionResult(submission=f"{student}.ipynb", student=student, assignment="stage")
    r.tests = [_TestResult(gid, score, mx, score >= mx, "" if score >= mx else "AssertionError: no")
               for gid, score, mx in scores]
    r.auto_score = sum(t.score for t in r.tests)
    r.auto_max_score = sum(t.max_score for t in r.tests)
    return r


def test_credit_only_downstream_tests_that_pass_in_the_rerun(monkeypatch):
    raised = {}
    monkeypatch.setattr(isolate, "_raise_grades", lambda course, a, s, scores: raised.update(scores))
    normal = _result("s", [("test_a1", 0, 1), ("test_b", 0, 1), ("test_c1", 1, 1), ("test_c2", 0, 3)])
    step = isolate.Plan(["a"], {"test_b": "b", "test_c2": "c"})
    # in the re-run the wrong answer's own test passes (the reference), test_b passes, test_c2 still fails
    rerun = _result("s", [("test_a1", 1, 1), ("test_b", 1, 1), ("test_c1", 1, 1), ("test_c2", 0, 3)])
    isolate._credit(normal, step, rerun, None)
    assert normal.isolated == ["test_b: 1 point, lost only because `a` is wrong"]
    assert normal.auto_score == 2 and raised == {"test_b": 1}
    by_id = {t.grade_id: t for t in normal.tests}
    assert by_id["test_a1"].score == 0 and by_id["test_c2"].score == 0  # replaced answer, failed again
    assert by_id["test_b"].score == 1 and not by_id["test_b"].passed   # it failed in the student's notebook
    assert isolated_points(normal) == 1


def test_json_csv_and_table_carry_isolated(tmp_path):
    r = _result("s", [("test_a1", 0, 1), ("test_c2", 3, 3)])
    r.isolated = [isolate.isolated_line("test_c2", 3, ["a"])]
    ok = _result("ok", [("test_a1", 1, 1), ("test_c2", 3, 3)])
    assert r.isolated == ["test_c2: 3 points, lost only because `a` is wrong"]
    data = r.to_dict()
    assert data["isolated"] == r.isolated and ok.to_dict()["isolated"] == []
    assert SubmissionResult.from_dict(data).isolated == r.isolated
    assert SubmissionResult.from_dict({k: v for k, v in data.items() if k != "isolated"}).isolated == []
    path = tmp_path / "grades.csv"
    for pages in (None, [("s.html", "s.answers.html"), ("ok.html", "ok.answers.html")]):
        write_csv([r, ok], path, pages=pages)
        import csv

        header = next(csv.reader(path.open(encoding="utf-8")))
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        assert header[-3 if pages else -1] == "isolated_points"
        assert [row["isolated_points"] for row in rows] == ["3", "0"]
    assert "credited test_c2: 3 points, lost only because `a` is wrong" in format_table([r, ok])


def test_reference_sources_are_the_solutions_without_markers():
    from autograder.catalogue.examples import reference_submission

    assignment = "09_sequential_cifar"
    refs = isolate.reference_sources(assignment, ["FullLayer"])
    ref_nb = reference_submission(assignment)
    [cell] = [c for c in ref_nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "FullLayer"]
    assert set(refs) == {"FullLayer"} and refs["FullLayer"] == cell.source
    assert "BEGIN SOLUTION" not in refs["FullLayer"]
    nbformat.validate(ref_nb)


def test_the_rerun_grades_the_placed_notebook_with_only_the_wrong_answer_replaced(tmp_path, monkeypatch):
    """isolate_answers with grade() replaced by a fake: what it is asked to grade, and that it is gone."""
    import autograder.grading.grade as grade_module
    from autograder.catalogue import catalogue
    from autograder.catalogue.examples import reference_submission, with_cell
    from autograder.nbio import read_notebook, write_notebook
    from pathlib import Path

    assignment = "09_sequential_cifar"
    mutant = next(v for v in catalogue(assignment) if v.name == "fl_b_grad_mean")
    own_better = "better = 'my own better model'\n"
    bob_nb = with_cell(with_cell(reference_submission(assignment), "FullLayer", mutant.source), "better_model",
                       own_better)
    worker = tmp_path / "worker0"
    write_notebook(bob_nb, worker / "submitted" / "bob" / assignment / f"{assignment}.ipynb")
    write_notebook(bob_nb, worker / "submitted" / "dave" / assignment / f"{assignment}.ipynb")
    ids = ["test_FullLayer_init", "test_FullLayer", "test_Sequential", "test_better_model"]

    def make(student, failed):
        return _result(student, [(gid, 0 if gid in failed else 3, 3) for gid in ids])

    bob, dave = make("bob", {"test_FullLayer", "test_better_model"}), make("dave", {"test_FullLayer"})
    alice = make("alice", set())
    seen = {}

    def fake_grade(a, paths, **options):
        seen.update(paths=list(paths), options=options)
        for path in paths:
            nb = read_notebook(path)
            cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
            seen[path] = cells
        return [make("bob", set())]  # in the re-run every test passes, the later one included

    monkeypatch.setattr(grade_module, "grade", fake_grade)
    raised = {}
    monkeypatch.setattr(isolate, "_raise_grades",
                        lambda course, a, s, scores: raised.update({(str(course), s): scores}))
    isolate.isolate_answers(assignment, [alice, bob, dave], [worker], jobs=2, sandbox="bwrap")
    [path] = seen["paths"]  # only bob has a downstream candidate
    assert path.endswith("bob.ipynb") and seen["options"] == {"jobs": 2, "sandbox": "bwrap"}
    cells = seen[path]
    assert cells["FullLayer"] == isolate.reference_sources(assignment, ["FullLayer"])["FullLayer"]
    assert cells["better_model"].strip() == own_better.strip()  # the student's own later answer stays
    assert mutant.source.strip() not in cells.values()

    assert not Path(path).exists() and not Path(path).parent.exists()  # the re-run's notebooks are deleted
    assert bob.isolated == ["test_better_model: 3 points, lost only because `FullLayer` is wrong"]
    assert raised == {(str(worker), "bob"): {"test_better_model": 3}}
    assert dave.isolated == [] and alice.isolated == [] and bob.auto_score == 9
