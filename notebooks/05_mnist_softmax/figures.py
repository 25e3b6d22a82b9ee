"""Figures of stage 05, drawn by the build (see autograder/building/figures.py).

The computational graph of the classifier's last layer: a linear layer, softmax and the
cross-entropy, with shapes, the values of the forward pass in blue and the gradients of the
backward pass in red. It shows where the gradient of the fused softmax + cross-entropy enters (at
the logits, skipping the probabilities), never its formula, which the student derives.
"""
from autograder.building.graphs import BACKWARD_COLOUR, FORWARD_COLOUR, draw_graph


def softmax_cross_entropy_graph():
    """Linear layer -> softmax -> cross-entropy, forward and backward, with the fused gradient."""
    nodes = {
        "X": (0.0, 0.0, "inputs $X$\n(B, D)"),
        "params": (1.9, 1.45, "$W$ (C, D),  $b$ (C,)"),
        "linear": (1.9, 0.0, "$XW^\\top + b$", "op"),
        "Z": (3.8, 0.0, "logits $Z$\n(B, C)"),
        "softmax": (5.5, 0.0, "softmax\nper row", "op"),
        "P": (7.2, 0.0, "probabilities $P$\n(B, C)"),
        "Y": (8.9, 1.45, "one-hot targets $Y$\n(B, C)"),
        "ce": (8.9, 0.0, "cross-\nentropy", "op"),
        "L": (10.6, 0.0, "loss $L$\n(a number)"),
    }
    forward = [("X", "linear"), ("linear", "Z"), ("Z", "softmax"), ("softmax", "P"), ("P", "ce"),
               ("ce", "L")]
    backward = [("Z", "linear"), ("linear", "X", "$\\partial L/\\partial X$ (B, D)")]
    fig = draw_graph(nodes, forward, backward, size=(13.0, 4.9),
                     title="The last layer of the classifier: forward to the loss, backward from the loss")
    ax = fig.axes[0]
    # the two inputs that come from above: the parameters and the targets
    for x, y_from, y_to in [(1.9, 1.45, 0.33), (8.9, 1.45, 0.42)]:
        ax.annotate("", xy=(x - 0.05, y_to), xytext=(x - 0.05, y_from - 0.3), zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=FORWARD_COLOUR, lw=1.6))
    ax.annotate("", xy=(2.05, 1.45 - 0.3), xytext=(2.05, 0.33), zorder=2,
                arrowprops=dict(arrowstyle="-|>", color=BACKWARD_COLOUR, lw=1.6))
    ax.text(2.15, 0.75, "$\\partial L/\\partial W$ (C, D)\n$\\partial L/\\partial b$ (C,)\n(Linear.backward)",
            ha="left", va="center", fontsize=9, color=BACKWARD_COLOUR)
    # the fused gradient: from the loss straight back to the logits, under softmax and P
    ax.annotate("", xy=(3.8, -0.42), xytext=(10.6, -0.42), zorder=2,
                arrowprops=dict(arrowstyle="-|>", color=BACKWARD_COLOUR, lw=2.4,
                                connectionstyle="arc3,rad=-0.18"))
    ax.text(7.2, -1.25, "fused softmax + cross-entropy backward: $\\partial L/\\partial Z$, shape (B, C)\n"
            "one step from $P$ and $Y$ to the logits; $\\partial L/\\partial P$ is never formed",
            ha="center", va="top", fontsize=10, color=BACKWARD_COLOUR)
    ax.text(3.8, -0.62, "the gradient\nenters here", ha="center", va="top", fontsize=9, color=BACKWARD_COLOUR)
    ax.text(7.2, 0.55, "rows sum to 1", ha="center", va="bottom", fontsize=9, color="#555555")
    ax.text(10.6, 0.55, "mean over the\nB rows", ha="center", va="bottom", fontsize=9, color="#555555")
    ax.set_ylim(-2.0, 2.0)
    return fig
