"""What a student gets in Google Colab.

The course is published (`autograder publish`) into a git repository standing in for the student
repository; a release notebook's setup cell, run with Colab faked, installs `helpers` from it with
pip, in an environment holding only what Colab preinstalls (see _colab_support.py). Every
reference notebook then runs top to bottom against that install, with no warning or stderr output
and with titled, labelled figures. The setup cell of each release notebook installs from the
student repository in Colab, says what went wrong when it cannot, and does nothing anywhere else.
"""
import subprocess
import sys
import types
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest

import _colab_support as colab
import _figure_audit as audit
from autograder.building.stamp import student_notebook
from support.paths import ROOT

REFERENCE = sorted(ROOT.glob("source/*/*.ipynb"))
RELEASE = sorted(ROOT.glob("release/*/*.ipynb"))
NAMES = [path.stem for path in REFERENCE]


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory):
    """The published course committed in a git repository: what the student repository holds."""
    return colab.student_repository(tmp_path_factory.mktemp("published"))


@pytest.fixture(scope="module")
def colab_install(student_repo, tmp_path_factory):
    """The Colab-like interpreter after the first published notebook's setup cell installed helpers."""
    python = colab.colab_python()
    setup = _setup_cell(student_repo / student_notebook(NAMES[0]))
    return python, colab.install_like_colab(python, student_repo, setup, tmp_path_factory.mktemp("install"))


@pytest.fixture(scope="module")
def colab_runs(colab_install, tmp_path_factory):
    python, installed = colab_install
    if installed.returncode != 0:
        pytest.fail(f"the setup cell did not install helpers:\n{installed.stderr}")
    return colab.run_all(REFERENCE, python, tmp_path_factory.mktemp("colab"), workers=2)


def test_the_setup_cell_installs_helpers_alone_from_the_student_repository(colab_install):
    python, installed = colab_install
    assert (installed.returncode, installed.stdout, installed.stderr) == (0, "", ""), installed.stderr
    files = colab.installed_files(python)
    dist_info = [f for f in files if not f.startswith("helpers/")]
    assert dist_info and all(f.split("/", 1)[0].endswith(".dist-info") for f in dist_info), dist_info
    modules = sorted(f for f in files if f.startswith("helpers/") and "__pycache__" not in f)
    published = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "helpers").glob("*.py"))
    assert [m for m in modules if m.count("/") == 1] == published
    assert sorted(m for m in modules if m.startswith("helpers/bundled/")) == [
        "helpers/bundled/MNIST_SUBSET_LICENSE.txt", "helpers/bundled/mnist_subset.npz"]
    # Every stage's known mistakes (helpers/hints.py) are installed where the notebook reads them.
    assert sorted(m for m in modules if m.startswith("helpers/mistakes/")) == sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "helpers" / "mistakes").glob("*.json"))


def test_the_setup_cell_shows_pips_error_and_what_to_do_when_the_install_fails(colab_install, tmp_path):
    python, _ = colab_install
    setup = _setup_cell(RELEASE[0])
    # a wrong address (here: a repository that does not exist) fails in git, and so in pip
    failed = colab.run_setup_cell(python, setup, tmp_path, colab.git_redirect(tmp_path, (tmp_path / "gone").as_uri()))
    assert failed.returncode != 0
    assert "ERROR" in failed.stderr and "git clone" in failed.stderr, failed.stderr  # pip's own message
    last = failed.stderr.strip().splitlines()[-1]
    assert last.startswith("RuntimeError: Installing the course helpers failed (pip's message is above)."), last
    assert "CalledProcessError" not in failed.stderr


@pytest.mark.parametrize("name", NAMES)
def test_reference_notebook_runs_in_a_colab_like_environment(colab_runs, name):
    run = colab_runs[name]
    assert run.error is None, f"{name} fails in the Colab-like environment:\n{run.error}"
    assert run.probe, f"{name}: the closing probe cell printed nothing"
    venv = colab.VENV_ROOT.resolve()
    assert Path(run.probe["prefix"]).resolve().is_relative_to(venv), run.probe["prefix"]
    assert Path(run.probe["helpers"]).resolve().is_relative_to(venv), (
        f"helpers was imported from {run.probe['helpers']}, not from the installed package")
    assert run.probe["helpers_dist"] == [colab.STUDENT_DIST], "helpers did not come from the published package"
    assert run.probe["instructor_packages"] == [], "the Colab-like environment holds instructor packages"
    assert run.probe["grader"] is False


@pytest.mark.parametrize("name", NAMES)
def test_clean_run_prints_no_warning_and_nothing_on_stderr(colab_runs, name):
    run = colab_runs[name]
    assert run.notebook is not None
    assert colab.output_problems(run.notebook) == []


@pytest.mark.parametrize("name", NAMES)
def test_every_figure_has_a_title_axis_labels_and_a_legend(colab_runs, name):
    run = colab_runs[name]
    assert run.probe, f"{name} did not run to the end"
    assert run.probe["figure_problems"] == []


# --- the checks above can fail -------------------------------------------------------------------

def test_output_scan_reports_stderr_errors_and_warnings():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("ok()", outputs=[nbformat.v4.new_output("stream", name="stdout", text="fine\n")]),
        nbformat.v4.new_code_cell("bar()", outputs=[nbformat.v4.new_output("stream", name="stderr", text="10%|#\n")]),
        nbformat.v4.new_code_cell("warn()", outputs=[nbformat.v4.new_output(
            "stream", name="stdout", text="x.py:3: RuntimeWarning: overflow encountered in exp\n")]),
        nbformat.v4.new_code_cell("fit()", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/plain": "ConvergenceWarning: stopped early"})]),
    ]
    problems = colab.output_problems(nb)
    assert len(problems) == 3, problems
    assert problems[0].startswith("cell 2 ('bar()') writes to stderr")
    assert "RuntimeWarning: overflow" in problems[1] and problems[1].startswith("cell 3")
    assert "ConvergenceWarning" in problems[2]


def test_figure_audit_names_what_a_figure_lacks():
    fig, (left, right) = plt.subplots(1, 2)
    left.plot([1, 2, 3], [3, 2, 1])
    left.plot([1, 2, 3], [1, 2, 3])
    right.scatter([1, 2], [1, 2], label="data")
    right.set_title("scatter")
    right.set_xlabel("x")
    problems = audit.figure_problems(fig)
    plt.close(fig)
    assert problems == [
        "figure 'scatter', axes 1: no title (neither the axes nor the figure has one)",
        "figure 'scatter', axes 1: the x axis has no label",
        "figure 'scatter', axes 1: the y axis has no label",
        "figure 'scatter', axes 1: 2 series but no legend",
        "figure 'scatter', axes 2 'scatter': the y axis has no label",
    ]


def test_figure_audit_accepts_a_complete_figure_and_pictures():
    fig, (curves, picture) = plt.subplots(1, 2, sharey=True)
    curves.plot([1, 2, 3], [3, 2, 1], label="training")
    curves.plot([1, 2, 3], [3, 3, 2], label="validation")
    curves.axhline(1.0, color="grey")  # a reference line is not a series
    curves.set(title="loss", xlabel="epoch", ylabel="loss")
    curves.legend()
    picture.imshow([[0, 1], [1, 0]])
    picture.axis("off")
    fig.suptitle("a figure")
    assert audit.figure_problems(fig) == []
    plt.close(fig)


# --- the setup cell and the badge -------------------------------------------------------------

def _setup_cell(path):
    nb = nbformat.read(path, as_version=4)
    return next(cell for cell in nb.cells if cell.cell_type == "code").source


def _run_setup_cell(source, monkeypatch, in_colab, pip_result=(0, "", "")):
    """Execute the setup cell here, with Colab faked or hidden and every way to start a process
    intercepted (pip "returns" ``pip_result``); return the calls it made and its namespace."""
    calls = []

    def record(command, *args, **kwargs):
        calls.append((list(command), kwargs))
        return subprocess.CompletedProcess(command, *pip_result)

    def refuse(*args, **kwargs):
        raise AssertionError(f"the setup cell started a process another way: {args}")

    monkeypatch.setattr(subprocess, "run", record)
    for name in ("Popen", "call", "check_call", "check_output"):
        monkeypatch.setattr(subprocess, name, refuse)
    monkeypatch.setattr("os.system", refuse)
    if in_colab:
        google = types.ModuleType("google")
        google.__path__ = []
        google.colab = types.ModuleType("google.colab")
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", google.colab)
    else:
        monkeypatch.setitem(sys.modules, "google", None)  # makes `import google.colab` fail
        monkeypatch.setitem(sys.modules, "google.colab", None)
    namespace = {"__name__": "__main__"}
    exec(compile(source, "<setup cell>", "exec"), namespace)
    return calls, namespace


@pytest.mark.parametrize("path", RELEASE, ids=lambda p: p.stem)
def test_setup_cell_does_nothing_outside_colab(path, monkeypatch, capfd):
    calls, namespace = _run_setup_cell(_setup_cell(path), monkeypatch, in_colab=False)
    assert calls == []
    assert namespace["IN_COLAB"] is False
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("path", RELEASE, ids=lambda p: p.stem)
def test_setup_cell_installs_helpers_from_the_student_repository_in_colab(path, monkeypatch, capfd):
    course = colab.student_settings()
    calls, namespace = _run_setup_cell(_setup_cell(path), monkeypatch, in_colab=True)
    assert namespace["IN_COLAB"] is True
    [(command, kwargs)] = calls
    assert command == [sys.executable, "-m", "pip", "install", "-q",
                       f"git+{course['student_repository']}@{course['student_branch']}"]
    assert course["repository"] not in command[-1], "the setup cell names the private instructor repository"
    assert kwargs["env"]["GIT_TERMINAL_PROMPT"] == "0", "git would wait for a password on a wrong address"
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("path", RELEASE, ids=lambda p: p.stem)
def test_setup_cell_shows_pips_message_and_one_line_on_what_to_do(path, monkeypatch, capfd):
    pip_error = "ERROR: Could not find a version that satisfies the requirement (no network?)\n"
    with pytest.raises(RuntimeError) as raised:
        _run_setup_cell(_setup_cell(path), monkeypatch, in_colab=True, pip_result=(1, "", pip_error))
    message = str(raised.value)
    assert "\n" not in message and message.startswith("Installing the course helpers failed (pip's message is above).")
    assert "internet" in message and "run this cell again" in message
    out, err = capfd.readouterr()
    assert out == "" and pip_error.strip() in err


@pytest.mark.parametrize("path", RELEASE, ids=lambda p: p.stem)
def test_release_notebook_opens_with_its_own_colab_badge_then_the_setup_cell(path, student_repo):
    course = colab.student_settings()
    nb = nbformat.read(path, as_version=4)
    repo = course["student_repository"].removeprefix("https://github.com/")
    own_url = (f"https://colab.research.google.com/github/{repo}/blob/{course['student_branch']}/"
               f"{student_notebook(path.parent.name)}")
    assert nb.cells[0].cell_type == "markdown" and f"]({own_url})" in nb.cells[0].source
    assert (student_repo / student_notebook(path.parent.name)).is_file(), "the badge points at a notebook the student repository lacks"
    assert nb.cells[1].cell_type == "code" and nb.cells[1].source.startswith("# Setup:")
    reference = ROOT / "source" / path.parent.name / path.name
    assert _setup_cell(reference) == nb.cells[1].source, "the reference and release setup cells differ"
    published = student_repo / student_notebook(path.parent.name)
    # Every stage's setup cell is the first one's (the one the install test runs) but for the
    # stage id it passes to show_known_mistakes.
    own = _setup_cell(published).replace(f'"{path.parent.name}"', '"STAGE"')
    first = _setup_cell(RELEASE[0]).replace(f'"{RELEASE[0].parent.name}"', '"STAGE"')
    assert own == first, "published setup cells differ: the one installed with is not theirs"
    assert f'show_known_mistakes("{path.parent.name}")' in _setup_cell(published)
