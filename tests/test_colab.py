"""What a student gets in Google Colab.

Every reference notebook runs top to bottom in an environment holding only what Colab
preinstalls (see _colab_support.py) plus `helpers`, with no warning or stderr output and with
titled, labelled figures; and the setup cell at the top of each release notebook installs
`helpers` from the repository in Colab and does nothing anywhere else.
"""
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest

import _colab_support as colab
import _figure_audit as audit
from conftest import ROOT

REFERENCE = sorted(ROOT.glob("source/*/*.ipynb"))
RELEASE = sorted(ROOT.glob("release/*/*.ipynb"))
NAMES = [path.stem for path in REFERENCE]


@pytest.fixture(scope="module")
def colab_runs(tmp_path_factory):
    python = colab.colab_python()
    return colab.run_all(REFERENCE, python, tmp_path_factory.mktemp("colab"), workers=2)


@pytest.mark.parametrize("name", NAMES)
def test_reference_notebook_runs_in_a_colab_like_environment(colab_runs, name):
    run = colab_runs[name]
    assert run.error is None, f"{name} fails in the Colab-like environment:\n{run.error}"
    assert run.probe, f"{name}: the closing probe cell printed nothing"
    venv = colab.VENV_ROOT.resolve()
    assert Path(run.probe["prefix"]).resolve().is_relative_to(venv), run.probe["prefix"]
    assert Path(run.probe["helpers"]).resolve().is_relative_to(venv), (
        f"helpers was imported from {run.probe['helpers']}, not from the installed package")
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

def _course():
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["nncourse"]


def _setup_cell(path):
    nb = nbformat.read(path, as_version=4)
    return next(cell for cell in nb.cells if cell.cell_type == "code").source


def _run_setup_cell(source, monkeypatch, in_colab):
    """Execute the setup cell here, with Colab faked or hidden and every way to start a process
    intercepted; return the commands it tried to run."""
    commands = []

    def record(command, *args, **kwargs):
        commands.append(list(command))
        return subprocess.CompletedProcess(command, 0)

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
    return commands, namespace


@pytest.mark.parametrize("path", RELEASE, ids=lambda p: p.stem)
def test_setup_cell_does_nothing_outside_colab(path, monkeypatch, capfd):
    commands, namespace = _run_setup_cell(_setup_cell(path), monkeypatch, in_colab=False)
    assert commands == []
    assert namespace["IN_COLAB"] is False
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("path", RELEASE, ids=lambda p: p.stem)
def test_setup_cell_installs_helpers_from_the_repository_in_colab(path, monkeypatch, capfd):
    course = _course()
    commands, namespace = _run_setup_cell(_setup_cell(path), monkeypatch, in_colab=True)
    assert namespace["IN_COLAB"] is True
    assert commands == [[sys.executable, "-m", "pip", "install", "-q",
                         f"git+{course['repository']}@{course['branch']}"]]
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("path", RELEASE, ids=lambda p: p.stem)
def test_release_notebook_opens_with_its_own_colab_badge_then_the_setup_cell(path):
    course = _course()
    nb = nbformat.read(path, as_version=4)
    repo = course["repository"].removeprefix("https://github.com/")
    own_url = (f"https://colab.research.google.com/github/{repo}/blob/{course['branch']}/"
               f"release/{path.parent.name}/{path.name}")
    assert nb.cells[0].cell_type == "markdown" and f"]({own_url})" in nb.cells[0].source
    assert nb.cells[1].cell_type == "code" and nb.cells[1].source.startswith("# Setup:")
    reference = ROOT / "source" / path.parent.name / path.name
    assert _setup_cell(reference) == nb.cells[1].source, "the reference and release setup cells differ"
