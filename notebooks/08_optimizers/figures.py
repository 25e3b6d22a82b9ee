"""Figures of stage 08, drawn by the build (see autograder/building/figures.py).

``optimizer_state``: what momentum, RMSProp and Adam compute from a gradient at every step, and
which arrays they keep between steps (the optimizer's state). ``nesterov_lookahead``: momentum and
Nesterov's step from the same point, drawn as vectors on a small quadratic.
"""
import numpy as np

from autograder.building.graphs import BACKWARD_COLOUR, FORWARD_COLOUR, draw_graph

STATE_COLOUR = "#2ca02c"


def _keep_arrow(ax, start, end, text):
    """A dashed green arc from a new state value back to where the next step reads it."""
    ax.annotate("", xy=end, xytext=start, zorder=1,
                arrowprops=dict(arrowstyle="-|>", color=STATE_COLOUR, lw=1.5, ls="--",
                                connectionstyle="arc3,rad=0.4", shrinkA=2, shrinkB=2))
    ax.text(max(start[0], end[0]) + 0.15, (start[1] + end[1]) / 2 + 0.15, text, ha="left", va="center",
            fontsize=9, color=STATE_COLOUR)


def optimizer_state():
    """One step of Momentum, RMSProp and Adam as a flow: gradient -> state -> step of w."""
    top, middle, low_m, low_v = 3.4, 0.5, -1.9, -3.3
    adam = (low_m + low_v) / 2
    nodes = {
        # momentum
        "g1": (0.0, top, "$g$"),
        "v_old": (1.8, top + 1.15, "$v$ from the last step"),
        "v_op": (1.8, top, "$\\beta v - \\eta g$"),
        "v_new": (3.9, top, "new $v$"),
        "w1_op": (6.2, top, "$w + v$"),
        "w1": (8.4, top, "new $w$"),
        # RMSProp
        "g2": (0.0, middle, "$g$"),
        "s_old": (1.8, middle + 1.15, "$s$ from the last step"),
        "s_op": (1.8, middle, "$\\rho s + (1-\\rho)\\, g^2$"),
        "s_new": (3.9, middle, "new $s$"),
        "w2_op": (6.2, middle, "$w - \\eta\\, g\\, /\\, (\\sqrt{s} + \\epsilon)$"),
        "w2": (8.4, middle, "new $w$"),
        # Adam
        "g3": (0.0, adam, "$g$"),
        "m_op": (1.8, low_m, "$\\beta_1 m + (1-\\beta_1)\\, g$"),
        "m_new": (3.9, low_m, "new $m$"),
        "m_hat": (5.3, low_m, "$\\hat m$"),
        "v2_op": (1.8, low_v, "$\\beta_2 v + (1-\\beta_2)\\, g^2$"),
        "v2_new": (3.9, low_v, "new $v$"),
        "v_hat": (5.3, low_v, "$\\hat v$"),
        "w3_op": (7.1, adam, "$w - \\eta\\, \\hat m\\, /\\, (\\sqrt{\\hat v} + \\epsilon)$"),
        "w3": (9.1, adam, "new $w$"),
    }
    ops = {"v_op", "w1_op", "s_op", "w2_op", "m_op", "m_hat", "v2_op", "v_hat", "w3_op"}
    forward = [("g1", "v_op"), ("v_old", "v_op"), ("v_op", "v_new"), ("v_new", "w1_op"), ("w1_op", "w1"),
               ("g2", "s_op"), ("s_old", "s_op"), ("s_op", "s_new"), ("s_new", "w2_op"), ("w2_op", "w2"),
               ("g3", "m_op"), ("g3", "v2_op"), ("m_op", "m_new"), ("v2_op", "v2_new"), ("m_new", "m_hat"),
               ("v2_new", "v_hat"), ("m_hat", "w3_op"), ("v_hat", "w3_op"), ("w3_op", "w3")]
    fig = draw_graph(nodes, forward, size=(13.0, 8.6), legend=False,
                     title="One call of step(params, grads), for one parameter $w$ with gradient $g$: "
                           "what is computed, and what is kept (green)")
    ax = fig.axes[0]
    for text in ax.texts:  # the computations in the colour of operations, boxes kept rectangular
        if text.get_text() in {nodes[name][2] for name in ops}:
            text.get_bbox_patch().set_facecolor("#fff3d6")
    for y, name in [(top, "Momentum\n(Nesterov keeps\nthe same $v$)"), (middle, "RMSProp"), (adam, "Adam")]:
        ax.text(-0.9, y, name, ha="right", va="center", fontsize=12, fontweight="bold")
    _keep_arrow(ax, (3.9, top + 0.3), (2.95, top + 1.15), "kept for the next step")
    _keep_arrow(ax, (3.9, middle + 0.3), (2.95, middle + 1.15), "kept for the next step")
    for y in (low_m, low_v):
        ax.text(5.3, y + 0.35, "bias-corrected", ha="center", va="bottom", fontsize=9, color="#555555")
    ax.text(3.9, low_v - 0.5, "$m$, $v$ and the step count $t$ are kept for the next step",
            ha="center", va="top", fontsize=9, color=STATE_COLOUR)
    # the gradient also enters RMSProp's step directly
    ax.annotate("", xy=(5.3, middle - 0.3), xytext=(0.2, middle - 0.3), zorder=1,
                arrowprops=dict(arrowstyle="-|>", color=FORWARD_COLOUR, lw=1.2, ls=":",
                                connectionstyle="arc3,rad=0.18", shrinkA=4, shrinkB=4))
    ax.text(2.8, middle - 1.05, "$g$ itself enters the step too", ha="center", va="top", fontsize=9,
            color=FORWARD_COLOUR)
    for x, y in [(8.4, top), (8.4, middle), (9.1, adam)]:
        ax.text(x, y - 0.4, "written into $w$\n(in place)", ha="center", va="top", fontsize=9,
                color=BACKWARD_COLOUR)
    ax.set_xlim(-2.9, 10.0)
    ax.set_ylim(low_v - 1.0, top + 1.9)
    return fig


def nesterov_lookahead():
    """From the same point and velocity: momentum's gradient at w, Nesterov's at w + beta v."""
    import matplotlib.pyplot as plt

    curvature = np.array([1.0, 6.0])  # f(w) = (w_1^2 + 6 w_2^2) / 2, minimum at the origin
    w = np.array([-2.6, 0.25])
    v = np.array([0.9, -0.55])
    lr, beta = 0.12, 0.9
    look = w + beta * v
    step_momentum = beta * v - lr * curvature * w
    step_nesterov = beta * v - lr * curvature * look

    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    grid_x, grid_y = np.meshgrid(np.linspace(-3.2, 0.6, 300), np.linspace(-1.2, 1.0, 200))
    ax.contour(grid_x, grid_y, 0.5 * (curvature[0] * grid_x ** 2 + curvature[1] * grid_y ** 2),
               levels=np.geomspace(0.05, 6, 9), colors="#bbbbbb", linewidths=0.8)

    def vector(start, delta, colour, label, ls="-"):
        ax.annotate("", xy=start + delta, xytext=start,
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=2, ls=ls, shrinkA=0, shrinkB=0))
        ax.plot([], [], color=colour, lw=2, ls=ls, label=label)

    vector(w, beta * v, "grey", "$\\beta v$: where the velocity carries $w$ anyway", ls="--")
    vector(look, -lr * curvature * w, "tab:orange", "momentum adds $-\\eta\\, \\nabla L(w)$, taken at $w$")
    vector(look, -lr * curvature * look, "tab:green",
           "Nesterov adds $-\\eta\\, \\nabla L(w + \\beta v)$, taken ahead")
    ax.plot(*(w + step_momentum), "o", color="tab:orange", ms=8, label="momentum's new $w$")
    ax.plot(*(w + step_nesterov), "s", color="tab:green", ms=8, label="Nesterov's new $w$")
    ax.plot(*w, "ko", ms=7)
    ax.annotate("$w$", w, textcoords="offset points", xytext=(-14, 6), fontsize=12)
    ax.annotate("$w + \\beta v$", look, textcoords="offset points", xytext=(-62, -20), fontsize=12)
    ax.plot(0, 0, "r+", ms=14, mew=2.5, label="minimum")
    ax.set_aspect("equal")
    ax.set_xlim(-3.2, 0.6)
    ax.set_ylim(-1.2, 1.0)
    ax.set_title("One step from the same $w$ and $v$: the gradient taken ahead already turns back")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.95)
    fig.tight_layout()
    return fig
