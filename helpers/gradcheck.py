"""Numerical gradients by central differences, for checking backward passes.

``numerical_gradient(f, x)`` differentiates a scalar function of an array;
``numerical_gradient_array(f, x, dout)`` differentiates ``sum(f(x) * dout)``, which is how a
layer's backward pass is checked against an upstream gradient ``dout``. Both perturb ``x`` in
place one element at a time and restore it exactly.
"""
from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "numerical_gradient_array", "relative_error"]


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """d f(x) / d x for a scalar-valued ``f``, with (f(x+h) - f(x-h)) / 2h per element."""
    grad = np.zeros(x.shape, dtype=float)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        f_plus = float(f(x))
        x[index] = saved - h
        f_minus = float(f(x))
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x: np.ndarray, dout: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of ``sum(f(x) * dout)`` with respect to ``x`` (``f`` returns an array)."""
    return numerical_gradient(lambda x_: np.sum(np.asarray(f(x_), dtype=float) * dout), x, h)


def relative_error(a, b) -> float:
    """max |a - b| / max(1e-8, |a| + |b|), elementwise, as in CS231n's gradient checks."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))
