"""Gradient checking: how far an analytic gradient is from a numerical one.

``relative_error(a, b)`` is the measure the notebooks print and ``helpers.testing.assert_gradient_close``
tests with. Computing the numerical gradient itself is an exercise (``numerical_gradient``, stage
02), so it is not here: the stages after it give it as a read-only cell, and the hidden tests
carry their own.
"""
from __future__ import annotations

import numpy as np

__all__ = ["relative_error"]


def relative_error(a, b) -> float:
    """max |a - b| / max(1e-8, |a| + |b|), elementwise, as in CS231n's gradient checks."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))
