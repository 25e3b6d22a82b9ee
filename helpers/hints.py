"""Known mistakes, named live: a failing visible test whose message is exactly the one a known
mistake gives on the same inputs gets a second line naming that mistake.

The course's catalogue of wrong implementations (the mutants the grader's hidden tests are proven
against) is run through the grader; where a mutant's first failed check is in the visible part of
a test cell, its message is the one a student with that mistake sees in the notebook. Those
messages, with numbers at 3 significant digits and only where exactly one mutant gives them, are in
``helpers/mistakes/<assignment>.json`` (written by ``python -m autograder mutants
--write-signatures``). The file holds messages of visible tests only, never of hidden ones.

The grader reads failure messages the same way (autograder/grading/diagnose.py), so both use the
functions here. Under the grader nothing is installed: its feedback names likely causes itself.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

from . import under_grader

__all__ = ["show_known_mistakes", "known_mistake", "normalise", "one_line", "failure_line"]

MISTAKES_FOLDER = "mistakes"  # helpers/mistakes/<assignment>.json
MISTAKES_DIR = Path(__file__).with_name(MISTAKES_FOLDER)
HINT_PREFIX = "Known mistake? "

_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?!\w)")


def one_line(text: str, limit: int = 300) -> str:
    """The first non-blank line of ``text``, cut to ``limit`` characters with "..."."""
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def failure_line(ename: str, evalue: str) -> str:
    """The one line a failed test shows: ``"AssertionError: <first line of the message>"``."""
    evalue = one_line(evalue)
    return f"{ename}: {evalue}" if evalue else ename


def _rounded(match: re.Match) -> str:
    x = float(match.group())
    if not math.isfinite(x):
        return match.group()
    return "0" if abs(x) < 1e-12 else f"{x:.3g}"


def normalise(message: str) -> str:
    """The message's first line with numbers at 3 significant digits and addresses blanked, so
    that float noise of another correct computation elsewhere changes nothing."""
    line = next((ln.strip() for ln in str(message).splitlines() if ln.strip()), "")
    if line.endswith("..."):  # cut by one_line: the last word may be cut anywhere
        line = line[:-3].rsplit(None, 1)[0] if " " in line else line[:-3]
        line += " ..."
    line = _ADDRESS.sub("0x?", line)
    return " ".join(_NUMBER.sub(_rounded, line).split())


def mistakes_path(assignment: str, folder: Path | None = None) -> Path:
    return (folder or MISTAKES_DIR) / f"{assignment}.json"


def read_mistakes(assignment: str, folder: Path | None = None) -> dict[str, str]:
    """normalised failure line -> the mistake in plain words; {} when the stage has no file, or
    one that cannot be read (a hint is never worth a failing setup cell)."""
    path = mistakes_path(assignment, folder)
    try:
        mistakes = json.loads(path.read_text(encoding="utf-8")).get("mistakes", {})
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(mistakes, dict):
        return {}
    return {k: v for k, v in mistakes.items() if isinstance(k, str) and isinstance(v, str)}


def known_mistake(error: BaseException, mistakes: dict[str, str]) -> str | None:
    """The mistake whose visible-test failure is exactly this one, or None."""
    return mistakes.get(normalise(failure_line(type(error).__name__, str(error))))


def _name_the_mistake(mistakes: dict[str, str]):
    def handler(shell, etype, value, tb, tb_offset=None):
        cause = known_mistake(value, mistakes)
        if cause and value.args and isinstance(value.args[0], str):
            value.args = (f"{value.args[0]}\n{HINT_PREFIX}This check fails exactly this way for a known "
                          f"mistake: {cause.rstrip('.')}.",) + value.args[1:]
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    return handler


def show_known_mistakes(assignment: str) -> None:
    """From now on in this notebook, a failed check whose message is that of a known mistake
    says so. Does nothing under the grader, outside IPython, or for a stage without a table.
    (It returns nothing: as the last line of the setup cell it must display nothing.)"""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    mistakes = read_mistakes(assignment)
    if under_grader() or shell is None or not mistakes or not hasattr(shell, "set_custom_exc"):
        return
    shell.set_custom_exc((AssertionError,), _name_the_mistake(mistakes))
