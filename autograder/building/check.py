"""Fail when built notebooks are stale, a release notebook gives answers away, or the student
distribution (``publish``) would hold anything from the instructor repository: its folders, solution
or hidden-test text, mutant or correct-variant source, an answer's function body, a graded name in helpers."""
from __future__ import annotations

import ast
import hashlib
import re
import subprocess
import tempfile
from pathlib import Path

import nbformat

from .build import build
from ..paths import course_root, notebook_sources, release_notebook, source_notebook

_REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)
_MARKER = re.compile(r"(BEGIN|END) ?(SOLUTION|HIDDEN ?TEST)", re.I)


def _ignored(folder: Path) -> set[Path]:
    """Files git ignores under ``folder`` (what a notebook writes when it runs), if it is a checkout."""
    proc = subprocess.run(["git", "ls-files", "--others", "--ignored", "--exclude-standard", "."],
                          cwd=folder, capture_output=True, text=True)
    return {(folder / line).resolve() for line in proc.stdout.splitlines()} if proc.returncode == 0 else set()


def _files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    ignored = _ignored(folder)
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.resolve() not in ignored}


def stale_files(assignments: list[str], root: Path) -> list[str]:
    """Rebuild into a temporary folder and compare with source/ and release/ file by file."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="nncourse-check-") as tmp:
        fresh = Path(tmp)
        build(assignments, out_root=fresh, root=root)
        for assignment in assignments:
            for stage in ("source", "release"):
                committed, rebuilt = root / stage / assignment, fresh / stage / assignment
                for name in sorted(_files(committed) | _files(rebuilt)):
                    rel = f"{stage}/{assignment}/{name}"
                    if not (committed / name).is_file():
                        problems.append(f"{rel} is missing: run `python -m autograder build {assignment}`")
                    elif not (rebuilt / name).is_file():
                        problems.append(f"{rel} is not made by the build: remove it (it would reach students)")
                    elif (committed / name).read_bytes() != (rebuilt / name).read_bytes():
                        problems.append(f"{rel} differs from a fresh build of notebooks/{assignment}.py: "
                                        f"run `python -m autograder build {assignment}` (never edit it by hand)")
    for stage in ("source", "release"):
        for folder in sorted((root / stage).glob("*")):
            if folder.is_dir() and folder.name not in notebook_sources(root):
                problems.append(f"{stage}/{folder.name} has no notebooks/{folder.name}.py")
    return problems


def notebook_problems(assignment: str, root: Path) -> list[str]:
    """Repeated grade_ids, grade cells without points, and solution or hidden text in the release."""
    problems = []
    src_path, rel_path = source_notebook(assignment, root), release_notebook(assignment, root)
    if not src_path.is_file() or not rel_path.is_file():
        return problems  # reported as missing by stale_files
    source = nbformat.read(src_path, as_version=4)
    release_text = "\n".join(c.source for c in nbformat.read(rel_path, as_version=4).cells)
    seen = set()
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id:
            if grade_id in seen:
                problems.append(f"{src_path.relative_to(root)}: grade_id {grade_id!r} is used more than once")
            seen.add(grade_id)
        if meta.get("grade") and not float(meta.get("points") or 0) > 0:
            problems.append(f"{src_path.relative_to(root)}: grade cell {grade_id!r} has no points")
    if _MARKER.search(release_text):
        problems.append(f"{rel_path.relative_to(root)}: contains a BEGIN/END SOLUTION or HIDDEN TESTS marker")
    for cell in source.cells:
        for kind, body in _REGION.findall(cell.source):
            lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
            if lines and "\n".join(lines) in "\n".join(ln.strip() for ln in release_text.splitlines()):
                what = "solution" if kind == "SOLUTION" else "hidden tests"
                problems.append(f"{rel_path.relative_to(root)}: the {what} of cell {cell.id!r} appear in the student version")
    return problems


def check(assignments: list[str], root: Path | None = None) -> list[str]:
    root = root or course_root()
    problems = stale_files(assignments, root)
    for assignment in assignments:
        problems += notebook_problems(assignment, root)
    problems += publish_problems(assignments, root)
    return problems


# --- the student distribution ---------------------------------------------------------------------

# Folders (and files) of the instructor repository that never reach students; a published file
# equal to one of the COPIED_FROM files is a copy (release/ is what is published, build/ holds
# environments with helpers installed).
INSTRUCTOR_ONLY = ("source", "notebooks", "autograder", "tests", "benchmarks", "release", ".ci", "build")
COPIED_FROM = ("source", "notebooks", "autograder", "tests", "benchmarks", ".ci")
INSTRUCTOR_FILES = ("README.md", "pyproject.toml", "nbgrader_config.py", "Makefile", "requirements.txt")
MIN_LINE = 12  # shorter lines ("return x", "else:") are too common to be anyone's answer


def _normal(line: str) -> str:
    return " ".join(line.split())


def _split_regions(text: str) -> tuple[list[tuple[str, str, int, int]], str]:
    """The BEGIN/END regions of a cell as (kind, body, first line, last line), and the cell with them cut out."""
    regions, public, last = [], [], 0
    for match in _REGION.finditer(text):
        first = text.count("\n", 0, match.start()) + 1
        regions.append((match.group(1), match.group(2), first, text.count("\n", 0, match.end()) + 1))
        public.append(text[last:match.start()])
        last = match.end()
    public.append(text[last:])
    return regions, "".join(public)


def _flat(text: str) -> str:
    return "\n".join(_normal(line) for line in text.splitlines() if line.strip())


def _lines(text: str) -> set[str]:
    return {n for n in (_normal(line) for line in text.splitlines()) if len(n) >= MIN_LINE}


def _parse(code: str):
    """The AST of a cell or module; IPython magics and shell lines count as blank."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def _body_key(function) -> str | None:
    """A function's body without its docstring, independent of layout and comments; None when the
    body is too small to be anyone's answer (``pass``, ``raise NotImplementedError()``, one short line)."""
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    if not body:
        return None
    text = "\n".join(ast.unparse(stmt) for stmt in body)
    if len(body) == 1 and (len(text) < 2 * MIN_LINE or isinstance(body[0], (ast.Pass, ast.Raise))):
        return None
    return ast.dump(ast.Module(body=body, type_ignores=[]))


def _functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))] if tree else []


class Secrets:
    """What no student may read before a stage is over, gathered from the instructor repository.

    ``solution_lines[line]`` and ``answer_bodies[key]`` map to the stages whose answer they are (a
    later stage may give them in a read-only cell), ``hidden_lines`` and ``hidden_bodies`` to the
    stages whose hidden tests they are (never published); ``graded`` maps graded names to stages.
    """

    def __init__(self, root: Path):
        from ..catalogue import catalogue

        self.stages = list(notebook_sources(root))
        order = {stage: i for i, stage in enumerate(self.stages)}
        public_lines: dict[str, int] = {}   # line -> earliest stage that shows it outside any region
        public_bodies: dict[str, int] = {}
        public_text: list[tuple[int, str]] = []  # (stage, normalised text outside regions)
        solution: dict[str, dict] = {}
        answers: dict[str, dict] = {}
        self.hidden_lines: dict[str, set] = {}
        self.hidden_bodies: dict[str, set] = {}
        self.blocks: list[tuple[str, str, str]] = []  # (normalised region text, stage, what)
        self.graded: dict[str, str] = {}
        for stage in self.stages:
            path = source_notebook(stage, root)
            if not path.is_file():
                continue
            for cell in nbformat.read(path, as_version=4).cells:
                meta = cell.metadata.get("nbgrader", {})
                what = f"cell {meta.get('grade_id') or cell.id!r}"
                regions, public = _split_regions(cell.source)
                for line in _lines(public):
                    public_lines.setdefault(line, order[stage])
                public_text.append((order[stage], _flat(public)))
                for kind, body, _, _ in regions:
                    target = solution if kind == "SOLUTION" else self.hidden_lines
                    for line in _lines(body):
                        if kind == "SOLUTION":
                            target.setdefault(line, {})[stage] = what
                        else:
                            target.setdefault(line, set()).add(stage)
                    block = _flat(body)
                    if len(block) >= MIN_LINE:
                        self.blocks.append((block, stage, f"{'solution' if kind == 'SOLUTION' else 'hidden tests'} of {what}"))
                if cell.cell_type != "code":
                    continue
                tree = _parse(cell.source)
                if tree is None:
                    continue
                if meta.get("solution"):
                    for node in tree.body:
                        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                            self.graded.setdefault(node.name, stage)
                for function in _functions(tree):
                    key = _body_key(function)
                    if key is None:
                        continue
                    inside = [kind for kind, _, first, last in regions
                              if first <= function.end_lineno and function.lineno <= last]
                    if not inside:
                        public_bodies.setdefault(key, order[stage])
                    elif "HIDDEN TESTS" in inside:
                        self.hidden_bodies.setdefault(key, set()).add(stage)
                    else:
                        answers.setdefault(key, {})[stage] = f"{function.name} in {what}"
            try:
                variants = catalogue(stage, root)
            except (FileNotFoundError, ImportError, ValueError):
                variants = []
            for variant in variants:
                for function in _functions(_parse(variant.source)):
                    key = _body_key(function)
                    if key is not None:
                        kind = "correct variant" if variant.correct else "mutant"
                        answers.setdefault(key, {}).setdefault(stage, f"{function.name} of the {kind} {variant.name!r}")
        # An answer is secret up to its own stage unless a stage no later than it already shows it.
        self.solution_lines = {line: {s: w for s, w in stages.items() if public_lines.get(line, 99) > order[s]}
                               for line, stages in solution.items()}
        self.answer_bodies = {key: {s: w for s, w in stages.items() if public_bodies.get(key, 99) > order[s]}
                              for key, stages in answers.items()}
        self.hidden_lines = {line: s for line, s in self.hidden_lines.items() if line not in public_lines}
        # A region shown word for word outside the regions of a stage no later than its own is public.
        self.blocks = [(block, stage, what) for block, stage, what in self.blocks
                       if not any(block in text for position, text in public_text
                                  if what.startswith("hidden") or position <= order[stage])]
        self.hidden_bodies = {key: s for key, s in self.hidden_bodies.items() if key not in public_bodies}
        self.order = order

    def secret_in(self, stages: dict, published_stage: str | None) -> list[str]:
        """The stages among ``stages`` whose answers are still secret in a file of ``published_stage``
        (None: a file every student has from the start, such as helpers)."""
        position = self.order.get(published_stage, -1)
        return [s for s in stages if position <= self.order[s]]


def _published_texts(path: Path):
    """(where, text) pieces of a published file worth reading: notebook cells, or the whole text."""
    if path.suffix == ".ipynb":
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # not a notebook: read it as text
            pass
        else:
            for number, cell in enumerate(nb.cells, 1):
                yield f"cell {number}", cell.source, cell.cell_type == "code"
            return
    data = path.read_bytes()
    if b"\0" in data[:4096]:
        return  # binary (the bundled digits)
    yield "", data.decode("utf-8", errors="replace"), path.suffix == ".py"


def _exported_names(tree) -> set[str]:
    """Public names a helpers module offers: its functions, classes, assignments, imports and __all__."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
                if isinstance(target, ast.Name) and target.id == "__all__" and isinstance(node.value, (ast.List, ast.Tuple)):
                    names |= {e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return {n for n in names if not n.startswith("_")}


def graded_names_in_helpers(package: Path, secrets: Secrets, rel_to: Path) -> list[str]:
    """helpers must not offer a name that a stage grades: a student would import it instead of writing it."""
    problems = []
    for module in sorted(package.rglob("*.py")):
        tree = _parse(module.read_text(encoding="utf-8", errors="replace"))
        for name in sorted(_exported_names(tree) & set(secrets.graded)) if tree else ():
            problems.append(f"{module.relative_to(rel_to).as_posix()} offers `{name}`, which stage "
                            f"{secrets.graded[name]} grades: a student could import it instead of writing it; "
                            "remove or rename it (a later stage gets it as a read-only cell)")
    return problems


def _instructor_copies(root: Path) -> dict[str, str]:
    """sha256 -> path, for every file of the instructor-only folders and top-level files."""
    found = {}
    paths = [root / name for name in INSTRUCTOR_FILES]
    for folder in COPIED_FROM:
        if (root / folder).is_dir():
            paths += sorted(p for p in (root / folder).rglob("*") if "__pycache__" not in p.parts)
    for path in paths:
        if path.is_file() and path.stat().st_size > 0:
            found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path.relative_to(root).as_posix())
    return found


def publication_problems(out_dir: Path, stages: list[str], root: Path | None = None,
                         secrets: Secrets | None = None) -> list[str]:
    """Everything in a published student tree that must not be there, each naming its file."""
    from .publish import student_tree
    from .stamp import student_notebook

    root = root or course_root()
    secrets = secrets or Secrets(root)
    expected = set(student_tree(stages, root))
    stage_of = {student_notebook(stage): stage for stage in secrets.stages}
    copies = _instructor_copies(root)
    problems = []
    files = sorted(p for p in out_dir.rglob("*") if (p.is_file() or p.is_symlink()) and ".git" not in
                   p.relative_to(out_dir).parts[:1])
    present = {p.relative_to(out_dir).as_posix() for p in files}
    for rel in sorted(expected - present):
        problems.append(f"{rel} is missing from the student distribution")
    for path in files:
        rel = path.relative_to(out_dir).as_posix()
        if path.is_symlink():
            problems.append(f"{rel} is a symbolic link: the student distribution holds plain files only")
            continue
        top = rel.split("/", 1)[0]
        if top in INSTRUCTOR_ONLY:
            problems.append(f"{rel} comes from the instructor repository's {top}/: it must never be published")
        elif rel not in expected:
            problems.append(f"{rel} is not part of the student distribution (notebooks, helpers, README, "
                            "pyproject.toml, DATA_LICENSE.txt): remove it")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in copies:
            problems.append(f"{rel} is a copy of the instructor file {copies[digest]}")
        stage = stage_of.get(rel)
        reported = set()
        for where, text, is_code in _published_texts(path):
            at = f"{rel} ({where})" if where else rel
            if _MARKER.search(text):
                problems.append(f"{at}: contains a BEGIN/END SOLUTION or HIDDEN TESTS marker")
            for line in sorted(_lines(text)):
                if line in secrets.hidden_lines and ("hidden", at) not in reported:
                    reported.add(("hidden", at))
                    problems.append(f"{at}: holds hidden-test text of {', '.join(sorted(secrets.hidden_lines[line]))}: {line[:70]!r}")
                owners = secrets.secret_in(secrets.solution_lines.get(line, {}), stage)
                if owners and ("solution", at) not in reported:
                    reported.add(("solution", at))
                    which = secrets.solution_lines[line][owners[0]]
                    problems.append(f"{at}: holds solution text of {owners[0]} ({which}): {line[:70]!r}")
            flat = _flat(text)
            for block, owner, what in secrets.blocks:
                if block in flat and (what.startswith("hidden") or secrets.secret_in({owner: what}, stage)) \
                        and ("block", at) not in reported:
                    reported.add(("block", at))
                    problems.append(f"{at}: holds the {what} of {owner} word for word")
            if not is_code:
                continue
            for function in _functions(_parse(text)):
                key = _body_key(function)
                if key is None:
                    continue
                if key in secrets.hidden_bodies:
                    problems.append(f"{at}: `{function.name}` has the body of a hidden-test function of "
                                    f"{', '.join(sorted(secrets.hidden_bodies[key]))}")
                owners = secrets.secret_in(secrets.answer_bodies.get(key, {}), stage)
                if owners:
                    problems.append(f"{at}: `{function.name}` has the body of {secrets.answer_bodies[key][owners[0]]} "
                                    f"of {owners[0]}")
    if (out_dir / "helpers").is_dir():
        problems += graded_names_in_helpers(out_dir / "helpers", secrets, out_dir)
    return problems


def publish_problems(assignments: list[str], root: Path) -> list[str]:
    """Publish ``assignments`` into a temporary folder and check what came out."""
    from .publish import publish

    with tempfile.TemporaryDirectory(prefix="nncourse-publish-") as tmp:
        out = Path(tmp) / "students"
        try:
            publish(out, root=root, stages=assignments, check=False)
        except Exception as error:  # a missing release notebook, bad [tool.nncourse] settings
            return [f"publish failed: {error}"]
        return [f"publish: {p}" for p in publication_problems(out, assignments, root)]
