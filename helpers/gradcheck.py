"""Gradient checks: does a gradient you computed agree with central differences?

``check_gradient(f, x, analytic)`` perturbs ``x`` in place one element at a time (and restores it
exactly), compares the central differences of ``f`` with ``analytic`` by relative error, and
returns a :class:`GradientCheck` report: the largest relative error, where it is, and whether it
is below the tolerance. With ``dout`` it checks the gradient of ``sum(f(x) * dout)``, which is
how a layer's backward pass is checked against an upstream gradient.

The report never hands the numerical gradient back: writing that function is an exercise of
stage 02 (``numerical_gradient``), and the stages after it give it as a read-only cell.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["check_gradient", "GradientCheck", "relative_error"]


def relative_error(a, b) -> float:
    """max |a - b| / max(1e-8, |a| + |b|), elementwise, as in CS231n's gradient checks."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


@dataclass(frozen=True)
class GradientCheck:
    """The verdict of :func:`check_gradient`: a relative error and where it is largest."""

    name: str
    max_relative_error: float
    worst_index: tuple
    tolerance: float

    @property
    def passed(self) -> bool:
        return bool(self.max_relative_error <= self.tolerance)

    def __str__(self) -> str:
        verdict = "ok" if self.passed else "TOO LARGE: check the backward pass"
        where = f", largest at index {self.worst_index}" if self.worst_index else ""
        return (f"{self.name}: relative error {self.max_relative_error:.2e}{where} "
                f"(tolerance {self.tolerance:.0e}): {verdict}")


def check_gradient(f, x: np.ndarray, analytic, dout=None, *, h: float = 1e-5, tolerance: float = 1e-6,
                   name: str = "gradient") -> GradientCheck:
    """Compare ``analytic``, a gradient with respect to ``x``, with central differences.

    f: a function of an array shaped like x; it returns a number, or, when ``dout`` is given, an
       array that is multiplied by ``dout`` and summed.
    x: a float array, changed one element at a time while f runs and restored afterwards.
    analytic: the gradient to check, shaped like x.
    """
    analytic = np.asarray(analytic, dtype=float)
    if analytic.shape != np.shape(x):
        raise ValueError(f"{name}: the gradient has shape {analytic.shape}, but x has shape {np.shape(x)}; "
                         "a gradient has the shape of what it differentiates")
    if dout is None:
        def scalar(value):
            return float(f(value))
    else:
        def scalar(value):
            return float(np.sum(np.asarray(f(value), dtype=float) * dout))
    worst_error, worst_index = 0.0, ()
    for index in np.ndindex(x.shape):
        saved = x[index]
        try:
            x[index] = saved + h
            plus = scalar(x)
            x[index] = saved - h
            minus = scalar(x)
        finally:
            x[index] = saved
        error = relative_error(analytic[index], (plus - minus) / (2 * h))
        if error > worst_error or not np.isfinite(error):
            worst_error, worst_index = error, tuple(int(i) for i in index)
            if not np.isfinite(error):
                break
    return GradientCheck(name, worst_error, worst_index, tolerance)
