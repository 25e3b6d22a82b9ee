"""The student distribution: what a public student repository holds, and nothing else.

``python -m autograder publish OUT_DIR [--through NN]`` writes

    README.md                      for students: Colab or JupyterLab, TODOs, tests, handing in
    pyproject.toml                 packages `helpers` alone (numpy, matplotlib, tqdm)
    DATA_LICENSE.txt               where the bundled MNIST digits come from, and their terms
    helpers/                       the package, with its bundled data and licence
    NN_name/NN_name.ipynb          the release (student) notebook of each published stage

from the committed ``release/`` notebooks (whose badges and setup cells already point at
``student_repository``) and the working tree's ``helpers/``. Same input, byte-identical tree.
``--through 05`` publishes stages 01..05 only: a later stage gives the answers of earlier ones
as read-only cells, so a course publishes a stage once the earlier ones are handed in.

OUT_DIR is the work tree of the student repository (a clone, or a new empty folder): everything
in it but ``.git`` is replaced, once the tree has passed the leak check (check.py).
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import tomllib
from pathlib import Path

import nbformat

from helpers.hints import MISTAKES_FOLDER, mistakes_path

from ..paths import UsageError, course_root, notebook_sources, release_notebook
from .stamp import colab_url, course_settings, student_notebook, template

README, PYPROJECT, DATA_LICENSE, PACKAGE = "README.md", "pyproject.toml", "DATA_LICENSE.txt", "helpers"
LICENSE_SOURCE = "helpers/bundled/MNIST_SUBSET_LICENSE.txt"
BUNDLED_DATA = ("*.npz", "*.txt")  # what helpers/bundled/ ships; its maker script stays here
BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
_STAGE_DIR = re.compile(r"^\d\d_[a-z0-9_]+$")


def select_stages(through: str | None, root: Path) -> list[str]:
    """Every stage, or those numbered up to ``through`` ("05" or "05_mnist_softmax")."""
    stages = list(notebook_sources(root))
    if through is None:
        return stages
    number = through.split("_", 1)[0]
    if not re.fullmatch(r"\d\d", number) or (through != number and through not in stages):
        raise UsageError(f"--through takes a stage number such as 05 or a stage id; got {through!r}")
    chosen = [s for s in stages if s[:2] <= number]
    if not chosen:
        raise UsageError(f"no stage is numbered {number} or lower; stages: {', '.join(stages)}")
    return chosen


def helpers_files(root: Path) -> list[str]:
    """The package's modules (folders with an __init__.py) and its bundled data, as relative paths."""
    package = root / PACKAGE
    files = []
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" not in path.parts and (path.parent / "__init__.py").is_file():
            files.append(path)
    for pattern in BUNDLED_DATA:
        files += sorted((package / "bundled").glob(pattern))
    return sorted(p.relative_to(root).as_posix() for p in files)


def _title(notebook: Path) -> str:
    nb = nbformat.read(notebook, as_version=4)
    first = nb.cells[0].source.splitlines()[0] if nb.cells else ""
    return re.sub(r"^#\s*(Stage \d+:\s*)?", "", first).strip() or notebook.stem


def _readme(stages: list[str], root: Path) -> str:
    settings = course_settings(root)
    rows = []
    for stage in stages:
        path = student_notebook(stage)
        title = _title(release_notebook(stage, root)).replace("|", "\\|")
        rows.append(f"| {stage[:2]} | [{title}]({path}) | [![Open In Colab]({BADGE})]({colab_url(stage, root)}) |")
    repository = settings["student_repository"]
    text = template("student_README.md")
    for token, value in {"{{STAGES}}": "\n".join(rows), "{{REPOSITORY}}": repository,
                         "{{FOLDER}}": repository.rsplit("/", 1)[-1]}.items():
        text = text.replace(token, value)
    return text + "\n"


def _pyproject(root: Path) -> str:
    settings = course_settings(root)
    with open(root / "pyproject.toml", "rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    text = template("student_pyproject.toml")
    for token, value in {"{{VERSION}}": version, "{{REPOSITORY}}": settings["student_repository"],
                         "{{BRANCH}}": settings["student_branch"]}.items():
        text = text.replace(token, value)
    return text + "\n"


def student_tree(stages: list[str], root: Path | None = None) -> dict[str, bytes]:
    """Relative path -> content of every file of the student distribution, in sorted order."""
    root = root or course_root()
    tree = {README: _readme(stages, root).encode(), PYPROJECT: _pyproject(root).encode(),
            DATA_LICENSE: (root / LICENSE_SOURCE).read_bytes()}
    for rel in helpers_files(root):
        tree[rel] = (root / rel).read_bytes()
    for stage in stages:
        notebook = release_notebook(stage, root)
        if not notebook.is_file():
            raise UsageError(f"{notebook.relative_to(root)} is missing: run `python -m autograder build {stage}`")
        tree[student_notebook(stage)] = notebook.read_bytes()
        mistakes = mistakes_path(stage, root / PACKAGE / MISTAKES_FOLDER)  # its known mistakes (helpers/hints.py)
        if mistakes.is_file():
            tree[mistakes.relative_to(root).as_posix()] = mistakes.read_bytes()
    return dict(sorted(tree.items()))


def _is_published_entry(name: str) -> bool:
    return name in (README, PYPROJECT, DATA_LICENSE, PACKAGE) or bool(_STAGE_DIR.match(name))


def _prepare(out_dir: Path, root: Path) -> None:
    """Make ``out_dir`` empty but for its ``.git``, refusing anything a publish did not write."""
    out, repo = out_dir.resolve(), root.resolve()
    if out == repo or out.is_relative_to(repo):
        raise UsageError(f"{out_dir} is inside the instructor repository: publish into the student "
                         "repository's own folder (a separate clone), never into this one")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out_dir} is a file, not a folder")
    if not out.exists():
        out.mkdir(parents=True)
        return
    foreign = sorted(p.name for p in out.iterdir() if p.name != ".git" and not _is_published_entry(p.name))
    if foreign:
        raise UsageError(f"{out_dir} holds files that publish does not write ({', '.join(foreign)}): publish into "
                         "an empty folder or a clone of the student repository")
    for entry in sorted(out.iterdir()):
        if entry.name == ".git":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def write_tree(out_dir: Path, tree: dict[str, bytes]) -> None:
    for rel, content in tree.items():
        path = out_dir / rel
        for parent in reversed(path.relative_to(out_dir).parents[:-1]):
            folder = out_dir / parent
            folder.mkdir(exist_ok=True)
            os.chmod(folder, 0o755)
        path.write_bytes(content)
        os.chmod(path, 0o644)


def publish(out_dir: Path, through: str | None = None, root: Path | None = None,
            stages: list[str] | None = None, check: bool = True) -> list[str]:
    """Write the student distribution into ``out_dir``; return the stages published.

    With ``check`` (the default) the written tree is checked for leaks and a ValueError lists them.
    """
    root = root or course_root()
    stages = stages if stages is not None else select_stages(through, root)
    tree = student_tree(stages, root)
    if check:  # check the tree before anything reaches out_dir
        from .check import publication_problems

        with tempfile.TemporaryDirectory(prefix="nncourse-publish-") as tmp:
            write_tree(Path(tmp), tree)
            problems = publication_problems(Path(tmp), stages, root)
        if problems:
            raise ValueError("the student distribution would leak; nothing was written:\n"
                             + "\n".join(f"  {p}" for p in problems))
    _prepare(Path(out_dir), root)
    write_tree(Path(out_dir), tree)
    return stages
