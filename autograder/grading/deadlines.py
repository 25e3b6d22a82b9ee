"""Deadlines: each assignment's due date and each submission's time.

Due dates are set in the course's ``nbgrader_config.py`` (``grade --due`` overrides it for one
run)::

    c.Deadlines.due = {"01_linear_estimator": "2027-02-01 23:59 +01:00"}

A date without a UTC offset is read as UTC, as nbgrader reads it. A submission's time is the
``timestamp.txt`` that nbgrader's collect (or the exchange) leaves beside it in
``submitted/<student>/<assignment>/``; a notebook given on its own has none and is on time.
nbgrader itself compares the two (its submission's ``total_seconds_late``) and asks the course's
late-penalty plugin (kernel/late.py, selected in the same config) for the penalty.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from traitlets import Dict, Unicode
from traitlets.config import Configurable, PyFileConfigLoader

from ..paths import UsageError, course_root

TIMESTAMP_FILE = "timestamp.txt"


class Deadlines(Configurable):
    due = Dict(key_trait=Unicode(), value_trait=Unicode(),
               help="assignment id -> due date, e.g. '2027-02-01 23:59 +01:00' (no offset: UTC)").tag(config=True)


def to_utc(text: str) -> datetime:
    """A date as nbgrader stores it (naive, UTC); ValueError if it is not a date."""
    from dateutil.parser import parse

    try:
        when = parse(text)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{text!r} is not a date and time") from exc
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def configured_due(assignment: str, config_file: Path | None = None) -> str | None:
    """The due date the course config sets for ``assignment`` (ISO, UTC), or None."""
    path = Path(config_file or course_root() / "nbgrader_config.py")
    config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    due = Deadlines(config=config).due.get(assignment)
    return None if due is None else checked_due(due, f"c.Deadlines.due[{assignment!r}] in {path}")


def checked_due(text: str, where: str = "--due") -> str:
    try:
        return to_utc(text).isoformat()
    except ValueError as exc:
        raise UsageError(f"{where}: {exc}; write for example '2027-02-01 23:59 +01:00'") from None


def submission_time(notebook: Path) -> tuple[str, str]:
    """(the submission's time as ISO UTC, or ""; a note when its timestamp file is unreadable)."""
    stamp = Path(notebook).parent / TIMESTAMP_FILE
    if not stamp.is_file():
        return "", ""
    try:
        text = stamp.read_text(encoding="utf-8", errors="replace")[:100].strip()
        return to_utc(text).isoformat(), ""
    except (OSError, ValueError) as exc:
        return "", f"its {TIMESTAMP_FILE} is not a time ({exc}): graded as on time"
