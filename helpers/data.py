"""Synthetic data with known true parameters, so a student can see what training recovers."""
from __future__ import annotations

import numpy as np

__all__ = ["make_linear_data", "make_sine_data"]


def make_linear_data(n: int = 200, w: float = 2.5, b: float = -0.7, noise: float = 0.5,
                     x_range=(-2.0, 2.0), seed: int = 0):
    """Points on y = w*x + b plus Gaussian noise; returns (x, y) of shape (n,), sorted by x."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(x_range[0], x_range[1], size=n))
    y = w * x + b + noise * rng.standard_normal(n)
    return x, y


def make_sine_data(n: int = 400, noise: float = 0.1, seed: int = 0):
    """Points on y = sin(2 pi x) on [-1, 1] plus Gaussian noise; returns (x, y) of shape (n, 1)."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1.0, 1.0, size=n))
    y = np.sin(2 * np.pi * x) + noise * rng.standard_normal(n)
    return x[:, None], y[:, None]
