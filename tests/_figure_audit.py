"""Checks that every figure a notebook renders has a title, labelled axes and, when an axes shows
more than one series, a legend.

This file has two uses. test_colab.py runs its source text at the top of every notebook it
executes (so it must import nothing but matplotlib and the standard library), where
``install()`` wraps matplotlib's figure rendering and records what is missing; and the tests
import it directly to check the rules on figures made for the purpose.
"""
import functools

import matplotlib
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.category import StrCategoryFormatter
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer
from matplotlib.ticker import FixedFormatter, FuncFormatter

PROBLEMS = []


def _figure_name(fig):
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    return repr(suptitle or (titles[0] if titles else "figure without any title"))


def _has_label(ax, axis):
    """The axis is labelled, shares its axis with one that is, or shows named categories as ticks."""
    group = ax.get_shared_x_axes() if axis == "x" else ax.get_shared_y_axes()
    for other in group.get_siblings(ax):
        if (other.get_xlabel() if axis == "x" else other.get_ylabel()):
            return True
    return _names_its_ticks((ax.xaxis if axis == "x" else ax.yaxis).get_major_formatter())


def _names_its_ticks(formatter):
    """Tick labels that are words (bar charts of named cases) say what the axis shows."""
    if isinstance(formatter, StrCategoryFormatter):
        return True
    labels = []
    if isinstance(formatter, FixedFormatter):
        labels = formatter.seq
    elif isinstance(formatter, FuncFormatter) and isinstance(formatter.func, functools.partial):
        # what Axis.set_ticks(ticks, labels) installs: a lookup of each tick's label
        lookups = [arg for arg in formatter.func.args if isinstance(arg, dict)]
        labels = [label for lookup in lookups for label in lookup.values()]
    return any(any(ch.isalpha() for ch in str(label)) for label in labels)


def _series(ax):
    """What a reader would take for separate data series: lines with more than two points
    (a two-point line is a reference line such as axhline), scatters and bar groups."""
    lines = [line for line in ax.lines if len(line.get_xdata()) > 2]
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    return lines + scatters + bars


def figure_problems(fig):
    """What is missing from a figure, one sentence per axes and problem."""
    problems = []
    has_suptitle = bool(getattr(fig, "_suptitle", None) and fig._suptitle.get_text())
    name = _figure_name(fig)
    for number, ax in enumerate(fig.axes, start=1):
        if hasattr(ax, "_colorbar"):
            continue
        drawn = ax.lines or ax.collections or ax.patches or ax.images or ax.containers
        if not drawn:
            continue
        where = f"figure {name}, axes {number}" + (f" {ax.get_title()!r}" if ax.get_title() else "")
        if not (ax.get_title() or ax.get_title("left") or ax.get_title("right") or has_suptitle):
            problems.append(f"{where}: no title (neither the axes nor the figure has one)")
        if not ax.axison or (ax.images and not _series(ax)):
            continue  # a picture: its title says what it is
        for axis in ("x", "y"):
            if not _has_label(ax, axis):
                problems.append(f"{where}: the {axis} axis has no label")
        labels = {artist.get_label() for artist in ax.lines + ax.collections + ax.patches + ax.containers}
        labels = {label for label in labels if label and not label.startswith("_")}
        if ax.get_legend() is None and not fig.legends and (len(labels) > 1 or len(_series(ax)) > 1):
            problems.append(f"{where}: {max(len(labels), len(_series(ax)))} series but no legend")
    return problems


def install():
    """Record the problems of every figure when it is rendered (shown inline or saved)."""
    original = FigureCanvasBase.print_figure

    def print_figure(self, *args, **kwargs):
        if not getattr(self.figure, "_nncourse_audited", False):
            self.figure._nncourse_audited = True
            PROBLEMS.extend(figure_problems(self.figure))
        return original(self, *args, **kwargs)

    FigureCanvasBase.print_figure = print_figure
    return matplotlib.__version__
