"""Similarity checks: pairs of submissions whose answer cells are unusually alike.

    python -m autograder similarity ASSIGNMENT PATH... [--json] [--report DIR]

See ``fingerprint`` for how code becomes fingerprints and ``detect`` for how pairs are scored.
"""
from .detect import MIN_EVIDENCE, THRESHOLD, Submission, compare, default_max_share, load
from .report import write_report

__all__ = ["MIN_EVIDENCE", "THRESHOLD", "Submission", "compare", "default_max_share", "load", "write_report"]
