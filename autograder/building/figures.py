"""Figures the build draws and embeds in markdown cells as attachments.

A markdown cell in a stage's source writes ``![what it shows](figure:NAME)``; the build calls
``NAME()`` from ``notebooks/<assignment>/figures.py`` (it returns a matplotlib figure), renders it
to PNG and attaches it to the cell, so the picture travels inside the notebook and looks the same
in JupyterLab, Colab and on the repository's web page. Rendering is deterministic: the Agg
backend, a fixed size and resolution, and no timestamp or software tag in the PNG.
"""
from __future__ import annotations

import base64
import importlib.util
import io
import re
from pathlib import Path

FIGURE_LINK = re.compile(r"\]\(figure:([A-Za-z_][A-Za-z0-9_]*)\)")
DPI = 100


def figures_module(source: Path):
    path = source.with_name("figures.py")
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"nncourse_figures_{source.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render_png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def attach_figures(nb, source: Path) -> None:
    """Replace every ``figure:NAME`` link in ``nb``'s markdown cells by an attached PNG."""
    module = None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        names = FIGURE_LINK.findall(cell.source)
        if not names:
            continue
        if module is None:
            module = figures_module(source)
            if module is None:
                raise ValueError(f"{source.name} links figure:{names[0]} but {source.with_name('figures.py')} is missing")
        import matplotlib
        matplotlib.use("Agg")
        attachments = {}
        for name in names:
            draw = getattr(module, name, None)
            if draw is None:
                raise ValueError(f"{source.name}: figures.py has no function {name}() for figure:{name}")
            # matplotlib's defaults, whatever else in this process changed its settings: the same
            # bytes every build.
            with matplotlib.rc_context():
                matplotlib.rcdefaults()
                png = render_png(draw())
            attachments[f"{name}.png"] = {"image/png": base64.b64encode(png).decode("ascii")}
        cell.source = FIGURE_LINK.sub(lambda m: f"](attachment:{m.group(1)}.png)", cell.source)
        cell["attachments"] = attachments
