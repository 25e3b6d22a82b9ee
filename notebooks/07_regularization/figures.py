"""Figures of stage 07, drawn by the build (see autograder/building/figures.py).

Computational graphs of the two layers the student writes: dropout (a mask multiply) and batch
normalisation (batch statistics, normalise, scale and shift), each with the forward pass in blue
and the gradients of the backward pass in red. They show which values feed which, never the
formulas of the backward pass, which the student derives.
"""
from autograder.building.graphs import BACKWARD_COLOUR, FORWARD_COLOUR, draw_graph


def dropout_graph():
    """Inverted dropout in training mode: a fresh random mask, a multiply, a constant scale."""
    nodes = {
        "x": (0.0, 0.0, "input $x$\n(B, D)"),
        "u": (0.0, 1.5, "draws $u$, shape of $x$:\nself.rng.random(x.shape)"),
        "mask": (2.6, 1.5, "keep mask $m$:\n$m_{ij} = 1$ where $u_{ij} \\geq p$,\nelse 0"),
        "times": (2.6, 0.0, "$\\times\\, m$", "op"),
        "scale": (4.7, 0.0, "$\\times\\, c$", "op"),
        "y": (6.6, 0.0, "output $y$\n(B, D)"),
        "L": (8.4, 0.0, "loss $L$"),
    }
    forward = [("u", "mask"), ("mask", "times"), ("x", "times"), ("times", "scale", "$m \\odot x$"),
               ("scale", "y"), ("y", "L", "...")]
    backward = [("L", "y", "$\\partial L/\\partial y$"), ("y", "scale"),
                ("scale", "times"), ("times", "x", "$\\partial L/\\partial x$")]
    fig = draw_graph(nodes, forward, backward, size=(11.5, 4.2),
                     title="Dropout in training mode: every entry of $x$ is kept or zeroed by the same mask $m$")
    ax = fig.axes[0]
    ax.text(4.7, -0.55, "a constant $c$ that makes the\nexpected value of $y_{ij}$ equal $x_{ij}$:\n"
            "which $c$? (see the hints)", ha="center", va="top", fontsize=9, color="#555555")
    ax.text(2.6, -0.55, "backward needs the mask\nthat forward drew: keep it", ha="center", va="top",
            fontsize=9, color=BACKWARD_COLOUR)
    ax.text(0.0, -0.55, "not modified: $y$ is\na new array", ha="center", va="top",
            fontsize=9, color="#555555")
    ax.text(6.6, 0.6, "evaluation mode\n(training=False): $y = x$", ha="center", va="bottom", fontsize=9,
            color=FORWARD_COLOUR)
    ax.set_ylim(-1.6, 2.2)
    return fig


def batchnorm_graph():
    """Batch normalisation in training mode: x reaches x_hat directly and through mean and variance."""
    nodes = {
        "x": (0.0, 0.0, "$x$"),
        "mu": (2.2, 1.3, "$\\mu$", "op"),
        "var": (2.2, -1.3, "$\\sigma^2$", "op"),
        "xhat": (4.6, 0.0, "$\\hat x$", "op"),
        "params": (6.9, 1.3, "$\\gamma,\\ \\beta$"),
        "y": (6.9, 0.0, "$y$", "op"),
        "L": (9.0, 0.0, "$L$"),
    }
    # the two vertical pairs of arrows (mu and sigma^2; gamma, beta and y) are drawn below, side by side
    forward = [("x", "mu"), ("x", "var"), ("x", "xhat"), ("mu", "xhat"), ("var", "xhat"),
               ("xhat", "y"), ("y", "L", "...")]
    backward = [("L", "y", "$G = \\partial L/\\partial y$"), ("y", "xhat", "$\\partial L/\\partial \\hat x$"),
                ("xhat", "var"), ("xhat", "mu"), ("xhat", "x"), ("mu", "x"), ("var", "x")]
    fig = draw_graph(nodes, forward, backward, size=(12.0, 5.4),
                     title="Batch normalisation in training mode: each $x_{ij}$ reaches the loss by three paths")
    ax = fig.axes[0]
    notes = [
        (0.0, -0.45, "input, (B, D):\none example per row", "#555555"),
        (2.2, 1.75, "batch mean of each column, (D,)", "#555555"),
        (2.2, -1.75, "biased batch variance of each column, (D,)", "#555555"),
        (4.6, -0.45, "normalise:\n$(x - \\mu)\\,/\\,\\sqrt{\\sigma^2 + \\varepsilon}$", "#555555"),
        (6.9, 1.75, "learned, (D,); backward sets\ndgamma and dbeta (sums over the rows)", BACKWARD_COLOUR),
        (6.9, -0.45, "scale and shift:\n$\\gamma \\hat x + \\beta$", "#555555"),
        (9.0, -0.45, "evaluation mode: running_mean\nand running_var replace $\\mu$, $\\sigma^2$;\nno path 2 or 3",
         FORWARD_COLOUR),
    ]
    for x, y, text, colour in notes:
        ax.text(x, y, text, ha="center", va="top" if y < 0.5 else "bottom", fontsize=9, color=colour)
    for (x, y_from, y_to), colour, dx in [((2.2, 1.3, -1.3), FORWARD_COLOUR, -0.06),
                                          ((2.2, -1.3, 1.3), BACKWARD_COLOUR, 0.06),
                                          ((6.9, 1.3, 0.0), FORWARD_COLOUR, -0.06),
                                          ((6.9, 0.0, 1.3), BACKWARD_COLOUR, 0.06)]:
        ax.annotate("", xy=(x + dx, y_to), xytext=(x + dx, y_from), zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.6, shrinkA=14, shrinkB=14))
    for x, y, text in [(1.2, -0.17, "path 1"), (0.95, 0.95, "path 2"), (0.95, -0.95, "path 3")]:
        ax.text(x, y, text, ha="center", va="center", fontsize=10, color=BACKWARD_COLOUR,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))
    ax.text(3.4, 1.3, "$\\mu$ and $\\sigma^2$ mix all rows: gradient flows\nfrom every $\\hat x_{kj}$ back to every $x_{ij}$",
            ha="left", va="center", fontsize=9, color="#555555")
    ax.set_xlim(-0.9, 10.1)
    ax.set_ylim(-2.5, 2.5)
    return fig
