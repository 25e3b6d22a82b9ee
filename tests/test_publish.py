"""The student distribution (`python -m autograder publish`): what it holds, and that the check
catches anything from the instructor repository in it (each planted leak is named by file)."""
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile

import nbformat
import pytest
import setuptools

from autograder.building.check import Secrets, graded_names_in_helpers, publication_problems
from autograder.building.publish import helpers_files, publish, select_stages
from autograder.building.stamp import course_settings, student_notebook
from autograder.catalogue import catalogue
from autograder.paths import UsageError, resolve_assignments

from support.paths import ROOT

STAGES = resolve_assignments([])
STUDENT_DIST = "nn-from-scratch-helpers"


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and ".git" not in p.relative_to(folder).parts[:1])


def _expected(stages):
    return sorted({"README.md", "pyproject.toml", "DATA_LICENSE.txt", *helpers_files(ROOT),
                   *(student_notebook(stage) for stage in stages),
                   *(f"helpers/mistakes/{stage}.json" for stage in stages
                     if (ROOT / "helpers" / "mistakes" / f"{stage}.json").is_file())})


@pytest.fixture(scope="module")
def secrets():
    return Secrets(ROOT)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("publish") / "students"
    publish(out)  # raises if the check finds a leak
    return out


@pytest.fixture
def leaky(published, tmp_path):
    """A copy of the published tree to break on purpose."""
    copy = tmp_path / "students"
    shutil.copytree(published, copy)
    return copy


def _problems(out, secrets, stages=STAGES):
    return publication_problems(out, stages, ROOT, secrets)


# --- what a publish holds --------------------------------------------------------------------

def test_publish_writes_the_notebooks_helpers_a_readme_and_the_data_licence_only(published):
    assert _files(published) == _expected(STAGES)
    assert {f for f in _files(published) if f.startswith("helpers/bundled/")} == {
        "helpers/bundled/MNIST_SUBSET_LICENSE.txt", "helpers/bundled/mnist_subset.npz"}
    for stage in STAGES:
        assert (published / student_notebook(stage)).read_bytes() == \
            (ROOT / "release" / stage / f"{stage}.ipynb").read_bytes(), stage
    assert (published / "DATA_LICENSE.txt").read_bytes() == \
        (ROOT / "helpers" / "bundled" / "MNIST_SUBSET_LICENSE.txt").read_bytes()
    project = tomllib.loads((published / "pyproject.toml").read_text())
    assert project["project"]["name"] == STUDENT_DIST
    assert project["project"]["dependencies"] == ["numpy", "matplotlib", "tqdm"]
    assert project["tool"]["setuptools"]["packages"] == ["helpers", "helpers.bundled", "helpers.mistakes"]
    assert project["tool"]["setuptools"]["package-data"]["helpers.mistakes"] == ["*.json"]
    for stage in STAGES:  # each published stage's known mistakes, as the notebook reads them
        assert json.loads((published / "helpers" / "mistakes" / f"{stage}.json").read_text()) == \
            json.loads((ROOT / "helpers" / "mistakes" / f"{stage}.json").read_text()), stage


def test_the_student_readme_says_how_to_open_work_test_and_hand_in(published):
    readme = (published / "README.md").read_text()
    settings = course_settings(ROOT)
    for words in ("Open in Colab", "JupyterLab", "TODO", "raise NotImplementedError()", "test cell",
                  "Handing in", f"git clone {settings['student_repository']}.git", "pip install ."):
        assert words in readme, words
    for stage in STAGES:
        assert f"]({student_notebook(stage)})" in readme, stage
        assert f"/blob/{settings['student_branch']}/{student_notebook(stage)})" in readme, stage


def test_nothing_published_names_the_private_instructor_repository(published):
    private = course_settings(ROOT)["repository"].removeprefix("https://github.com/")
    for rel in _files(published):
        assert private.encode() not in (published / rel).read_bytes(), rel


def test_publish_is_byte_identical_run_to_run(published, tmp_path):
    again = tmp_path / "again"
    publish(again, check=False)
    assert _files(again) == _files(published)
    for rel in _files(published):
        assert (again / rel).read_bytes() == (published / rel).read_bytes(), rel
        assert os.stat(again / rel).st_mode == os.stat(published / rel).st_mode, rel


def test_publish_through_05_holds_stages_01_to_05_only(tmp_path):
    out = tmp_path / "students"
    assert publish(out, through="05") == STAGES[:5] == select_stages("05_mnist_softmax", ROOT)
    assert _files(out) == _expected(STAGES[:5])
    readme = (out / "README.md").read_text()
    assert "05_mnist_softmax.ipynb" in readme and "06_initialization" not in readme
    with pytest.raises(UsageError, match="--through takes a stage number"):
        select_stages("five", ROOT)
    with pytest.raises(UsageError, match="no stage is numbered 00"):
        select_stages("00", ROOT)


def test_publish_updates_a_clone_of_the_student_repository_and_keeps_its_git(published, tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(published, clone)
    (clone / ".git").mkdir()
    (clone / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    publish(clone, through="02", check=False)
    assert _files(clone) == _expected(STAGES[:2])
    assert (clone / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


def test_publish_refuses_a_folder_with_other_files_and_the_instructor_repository(tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n")
    with pytest.raises(UsageError, match=r"holds files that publish does not write \(notes.txt\)"):
        publish(tmp_path, check=False)
    assert (tmp_path / "notes.txt").exists()
    with pytest.raises(UsageError, match="inside the instructor repository"):
        publish(ROOT / "build" / "students", check=False)


def test_the_wheel_students_install_holds_helpers_alone(published, tmp_path):
    # built as pip builds it from a checkout of the student repository in Colab (setuptools, isolated),
    # from a copy: setuptools writes build/ and *.egg-info beside the sources
    checkout, dist = tmp_path / "checkout", tmp_path / "dist"
    shutil.copytree(published, checkout)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(checkout)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "warning" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    [wheel] = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    package = sorted(n for n in names if not n.split("/", 1)[0].endswith(".dist-info"))
    assert package == [f for f in _expected(STAGES) if f.startswith("helpers/")]
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert f"Name: {STUDENT_DIST}" in metadata
    assert sorted(line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Requires-Dist")) == [
        "matplotlib", "numpy", "tqdm"]


def test_the_instructor_packaging_carries_no_catalogue_and_no_notebooks():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = setuptools.find_packages(where=str(ROOT), include=config["include"], exclude=config.get("exclude", ()))
    assert packages and all(p.split(".")[0] in ("helpers", "autograder") for p in packages), packages
    for package in packages:
        assert not (ROOT / package.replace(".", "/") / "variants.py").exists(), package
    assert not (ROOT / "notebooks" / "__init__.py").exists(), "notebooks/ must not become a package"


# --- helpers offers no graded answer ----------------------------------------------------------

def test_graded_names_come_from_the_answer_cells_and_helpers_has_none(secrets):
    graded = set(secrets.graded)
    assert {"mse_loss", "Linear", "numerical_gradient", "softmax", "Adam", "Sequential"} <= graded
    assert secrets.graded["numerical_gradient"] == "02_two_layer_linear"
    assert graded_names_in_helpers(ROOT / "helpers", secrets, ROOT) == []


def test_a_graded_name_in_helpers_fails_the_check(leaky, secrets):
    module = leaky / "helpers" / "gradcheck.py"
    module.write_text(module.read_text() + "\n\ndef numerical_gradient(f, x, h=1e-5):\n    return None\n")
    problems = _problems(leaky, secrets)
    assert any(p.startswith("helpers/gradcheck.py offers `numerical_gradient`, which stage 02_two_layer_linear grades")
               for p in problems), problems


def _release_submission(tmp_path, student, code):
    """Stage 02's student notebook with the numerical_gradient answer cell replaced by ``code``."""
    nb = nbformat.read(ROOT / "release" / "02_two_layer_linear" / "02_two_layer_linear.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "numerical_gradient")
    cell.source = code
    path = tmp_path / f"{student}.ipynb"
    nbformat.write(nb, path)
    return path


def test_an_import_from_helpers_scores_zero_on_stage_02s_numerical_gradient(tmp_path):
    source = nbformat.read(ROOT / "source" / "02_two_layer_linear" / "02_two_layer_linear.ipynb", as_version=4)
    answer = next(c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "numerical_gradient")
    written = "\n".join(line for line in answer.source.splitlines() if "### " not in line)
    submissions = [
        _release_submission(tmp_path, "imports_removed_name", "from helpers.gradcheck import numerical_gradient"),
        _release_submission(tmp_path, "imports_what_is_left",
                            "from helpers.gradcheck import relative_error as numerical_gradient"),
        _release_submission(tmp_path, "writes_it", written),  # the control: the same cell, written out
    ]
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "02_two_layer_linear", *map(str, submissions),
                           "--json", "--no-figures"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    scores = {r["student"]: {t["grade_id"]: t["score"] for t in r["tests"]} for r in json.loads(done.stdout)}
    assert scores["writes_it"]["test_numerical_gradient"] == 3.0, scores
    assert scores["imports_removed_name"]["test_numerical_gradient"] == 0.0, scores
    assert scores["imports_what_is_left"]["test_numerical_gradient"] == 0.0, scores


# --- the check catches leaks, naming the file ----------------------------------------------------

def test_a_clean_publish_passes_the_check(published, secrets):
    assert _problems(published, secrets) == []


def _solution_line(stage, grade_id):
    nb = nbformat.read(ROOT / "source" / stage / f"{stage}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    region = cell.source.split("### BEGIN SOLUTION\n", 1)[1].split("### END SOLUTION", 1)[0]
    return max((line.strip() for line in region.splitlines()), key=len)


def _plant(notebook, grade_id, line):
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cell.source = cell.source.replace("raise NotImplementedError()", line)
    nbformat.write(nb, notebook)


def test_a_solution_line_planted_in_a_release_notebook_fails_the_check(leaky, secrets):
    line = _solution_line("02_two_layer_linear", "numerical_gradient")
    _plant(leaky / student_notebook("02_two_layer_linear"), "numerical_gradient", line)
    problems = _problems(leaky, secrets)
    assert any(p.startswith("02_two_layer_linear/02_two_layer_linear.ipynb (cell ")
               and "solution text of 02_two_layer_linear (cell 'numerical_gradient')" in p for p in problems), problems


def test_check_publishes_and_fails_on_a_solution_planted_in_release(course_copy):
    from autograder.building.check import check

    shutil.copytree(ROOT / "helpers", course_copy / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    line = _solution_line("01_linear_estimator", "mse_loss")
    _plant(course_copy / "release" / "01_linear_estimator" / "01_linear_estimator.ipynb", "mse_loss", line)
    problems = check(["01_linear_estimator"], root=course_copy)
    assert any(p.startswith("publish: 01_linear_estimator/01_linear_estimator.ipynb (cell ")
               and "solution text of 01_linear_estimator" in p for p in problems), problems


def test_publish_writes_nothing_when_the_tree_would_leak(course_copy, tmp_path):
    shutil.copytree(ROOT / "helpers", course_copy / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    _plant(course_copy / "release" / "01_linear_estimator" / "01_linear_estimator.ipynb", "mse_loss",
           _solution_line("01_linear_estimator", "mse_loss"))
    out = tmp_path / "students"
    with pytest.raises(ValueError, match=r"would leak; nothing was written:\n  01_linear_estimator/01_linear_estimator.ipynb"):
        publish(out, root=course_copy, stages=["01_linear_estimator"])
    assert not out.exists()


def test_a_stray_instructor_file_fails_the_check(leaky, secrets):
    (leaky / "autograder").mkdir()
    shutil.copyfile(ROOT / "autograder" / "cli.py", leaky / "autograder" / "cli.py")
    shutil.copyfile(ROOT / "notebooks" / "03_mlp" / "variants.py", leaky / "helpers" / "extras.py")
    problems = _problems(leaky, secrets)
    assert "autograder/cli.py comes from the instructor repository's autograder/: it must never be published" in problems
    assert "helpers/extras.py is a copy of the instructor file notebooks/03_mlp/variants.py" in problems


def test_mutant_correct_variant_and_hidden_test_text_fail_the_check(leaky, secrets):
    mutant = next(v for v in catalogue("03_mlp") if not v.correct and v.cell == "relu")
    variant = next(v for v in catalogue("05_mnist_softmax") if v.correct and v.cell == "softmax")
    data = leaky / "helpers" / "data.py"
    data.write_text(data.read_text() + "\n\n" + mutant.source.replace("def relu(", "def clip_negative(")
                    + "\n\n" + variant.source.replace("def softmax(", "def normalise_rows("))
    hidden = sorted(line for line, stages in secrets.hidden_lines.items() if "01_linear_estimator" in stages)[0]
    readme = leaky / "README.md"
    readme.write_text(readme.read_text() + "\n" + hidden + "\n")
    problems = _problems(leaky, secrets)
    assert any(p.startswith("helpers/data.py: `clip_negative` has the body of relu of the mutant") for p in problems), problems
    assert any(p.startswith("helpers/data.py: `normalise_rows` has the body of softmax of the correct variant")
               for p in problems), problems
    assert any(p.startswith("README.md: holds hidden-test text of 01_linear_estimator") for p in problems), problems


def test_an_answer_may_appear_in_a_later_stage_but_not_in_its_own(leaky, secrets):
    # stage 03 gives stage 02's Linear read-only; the same code in stage 02's own notebook is a leak
    given = nbformat.read(leaky / student_notebook("03_mlp"), as_version=4)
    linear = next(c for c in given.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "given_linear").source
    assert _problems(leaky, secrets) == []
    nb = nbformat.read(leaky / student_notebook("02_two_layer_linear"), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(linear))
    nbformat.write(nb, leaky / student_notebook("02_two_layer_linear"))
    problems = _problems(leaky, secrets)
    assert any(p.startswith("02_two_layer_linear/02_two_layer_linear.ipynb (cell ") and "of 02_two_layer_linear" in p
               for p in problems), problems
    assert not any(p.startswith("03_mlp/") for p in problems), problems
