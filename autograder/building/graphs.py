"""Drawing a computational graph for a stage's figures.py: boxes for values and operations,
arrows for the forward pass (left to right) and, optionally, the backward pass (right to left).

    fig = draw_graph(
        nodes={"x": (0, 0, "$X$"), "mm": (1, 0, "$XW^T + b$"), "L": (2, 0, "$L$")},
        forward=[("x", "mm"), ("mm", "L")],
        backward=[("L", "mm", r"$\\partial L/\\partial Y$")],
        title="A linear layer")
"""
from __future__ import annotations

FORWARD_COLOUR = "#1f77b4"
BACKWARD_COLOUR = "#d62728"


def draw_graph(nodes: dict, forward: list, backward: list = (), title: str = "",
               size: tuple[float, float] = (8.0, 2.6), legend: bool = True):
    """``nodes``: name -> (x, y, label) or (x, y, label, kind) where kind is "value" (rounded grey
    box), "op" (circle-ish box) or "layer" (rounded box, coloured like an op). Arrows stop at the
    edges of the boxes they join. ``forward``: (from, to) or (from, to, label) arrows;
    ``backward``: the same, drawn in red below the forward arrows. Returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    fig, ax = plt.subplots(figsize=size)
    ax.set_axis_off()
    boxes = {}
    for name, spec in nodes.items():
        x, y, label = spec[:3]
        kind = spec[3] if len(spec) > 3 else "value"
        style = {"value": "round,pad=0.35", "layer": "round,pad=0.45"}.get(kind, "circle,pad=0.25")
        face = "#f4f4f4" if kind == "value" else "#fff3d6"
        boxes[name] = ax.text(x, y, label, ha="center", va="center", fontsize=12, zorder=3,
                              bbox=dict(boxstyle=style, facecolor=face, edgecolor="#444444"))
    xs = [spec[0] for spec in nodes.values()]
    ys = [spec[1] for spec in nodes.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    fig.canvas.draw()  # lays out the boxes, so that arrows can stop at their edges

    def to_edge(name, ux, uy):
        """Points from a box's centre to its edge in the display direction (ux, uy), plus a gap."""
        extent = boxes[name].get_bbox_patch().get_window_extent()
        half_w, half_h = extent.width / 2, extent.height / 2
        reach = min(half_w / abs(ux) if ux else float("inf"), half_h / abs(uy) if uy else float("inf"))
        return reach * 72.0 / fig.dpi + 3.0

    def arrow(a, b, label, colour, offset):
        (x0, y0), (x1, y1) = nodes[a][:2], nodes[b][:2]
        (px0, py0), (px1, py1) = ax.transData.transform([(x0, y0), (x1, y1)])
        length = max(((px1 - px0) ** 2 + (py1 - py0) ** 2) ** 0.5, 1e-9)
        ux, uy = (px1 - px0) / length, (py1 - py0) / length
        ax.annotate("", xy=(x1, y1 + offset), xytext=(x0, y0 + offset), zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.6,
                                    shrinkA=to_edge(a, ux, uy), shrinkB=to_edge(b, ux, uy)))
        if label:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + offset + (0.12 if offset >= 0 else -0.14), label,
                    ha="center", va="bottom" if offset >= 0 else "top", fontsize=10, color=colour)

    has_back = bool(backward)
    for edge in forward:
        arrow(edge[0], edge[1], edge[2] if len(edge) > 2 else "", FORWARD_COLOUR, 0.08 if has_back else 0.0)
    for edge in backward:
        arrow(edge[0], edge[1], edge[2] if len(edge) > 2 else "", BACKWARD_COLOUR, -0.08)
    if title:
        ax.set_title(title)
    if legend and has_back:
        ax.legend(handles=[Line2D([], [], color=FORWARD_COLOUR, lw=2, label="forward: values"),
                           Line2D([], [], color=BACKWARD_COLOUR, lw=2, label="backward: gradients")],
                  loc="lower center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    fig.tight_layout()
    return fig
