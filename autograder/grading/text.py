"""Turning long messages into the one line a table cell or a report shows."""
from __future__ import annotations


def one_line(text: str, limit: int = 300) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."
