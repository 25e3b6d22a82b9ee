"""The class report's plots: matplotlib (Agg), drawn at a size that reads on a laptop screen
(about 900 pixels wide), returned as PNG data URIs for the page to embed."""
from __future__ import annotations

import base64
import functools
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WIDTH, DPI = 9.0, 100
# Applied around each plot only: matplotlib's global settings stay as they were (the build draws
# the course's figures in the same process and must draw them the same every time).
STYLE = {"font.size": 11, "axes.titlesize": 13, "axes.spines.top": False, "axes.spines.right": False}


def _styled(plot):
    @functools.wraps(plot)
    def drawn(*args, **kwargs):
        with plt.rc_context(STYLE):
            return plot(*args, **kwargs)
    return drawn


def data_uri(fig) -> str:
    """The figure as a PNG data URI; the figure is closed."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@_styled
def score_histogram(scores: list[float], top: float) -> str:
    """How many submissions got each score (bins of one point, or 20 bins for a large maximum)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    bins = int(top) + 1 if 0 < top <= 40 else 20
    ax.hist(scores, bins=bins, range=(-0.5, top + 0.5) if top <= 40 else (0, max(top, 1)), color="#3b75af",
            edgecolor="white")
    ax.set(xlabel=f"autograded score (out of {top:g})", ylabel="submissions", title="Scores")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return data_uri(fig)


@_styled
def pass_rates(rates: list[tuple[str, float]]) -> str:
    """One horizontal bar per test: the share of graded submissions that passed it."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.8 + 0.36 * max(1, len(rates))))
    names = [name for name, _ in rates][::-1]
    values = [100 * share for _, share in rates][::-1]
    ax.barh(names, values, color=["#c44e52" if v < 50 else "#55a868" for v in values])
    for y, v in enumerate(values):
        ax.text(min(v + 1, 92), y, f"{v:.0f}%", va="center")
    ax.set(xlim=(0, 100), xlabel="submissions that passed (%)", title="Pass rate per test")
    return data_uri(fig)


@_styled
def seconds_histogram(seconds: list[float]) -> str:
    """How long grading each submission took."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.2))
    ax.hist(seconds, bins=min(20, max(5, len(seconds))), color="#8172b2", edgecolor="white")
    ax.set(xlabel="seconds to grade one submission", ylabel="submissions", title="Time per submission")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return data_uri(fig)
