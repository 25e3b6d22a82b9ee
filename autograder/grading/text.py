"""Turning long messages into the one line a table cell or a report shows (the same cut the
student's notebook makes, helpers/hints.py)."""
from helpers.hints import one_line

__all__ = ["one_line"]
