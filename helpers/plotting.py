"""Plots every stage uses: training curves with titles, labelled axes and legends."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_curves", "plot_losses", "plot_accuracies"]


def plot_curves(curves: dict, *, title: str, xlabel: str, ylabel: str, logy: bool = False, ax=None):
    """One line per entry of ``curves`` (label -> sequence of values); returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(1, len(values) + 1), values, label=str(label))
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if len(curves) > 1 or any(str(k) for k in curves):
        ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_losses(losses, *, title: str = "Training loss", xlabel: str = "epoch", ylabel: str = "loss",
                logy: bool = False, ax=None):
    """A loss curve, or several when ``losses`` is a dict of label -> values."""
    curves = losses if isinstance(losses, dict) else {"training loss": losses}
    return plot_curves(curves, title=title, xlabel=xlabel, ylabel=ylabel, logy=logy, ax=ax)


def plot_accuracies(accuracies: dict, *, title: str = "Accuracy", xlabel: str = "epoch", ax=None):
    """Accuracy curves (label -> values in [0, 1]), for example training and validation."""
    ax = plot_curves(accuracies, title=title, xlabel=xlabel, ylabel="accuracy", ax=ax)
    ax.set_ylim(0, 1.02)
    return ax
