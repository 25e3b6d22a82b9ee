"""Figures of stage 09, drawn by the build (see autograder/building/figures.py)."""
from autograder.building.graphs import BACKWARD_COLOUR, FORWARD_COLOUR, draw_graph


def sequential_graph():
    """A Sequential [FullLayer, ReluLayer, FullLayer, SoftMaxLayer] + CrossEntropyLayer: the forward
    pass left to right (each layer keeps what its backward needs), the backward pass right to left."""
    nodes = {
        "x": (0.0, 0.0, "input\n$X$"),
        "full1": (1.8, 0.0, "FullLayer 1\nkeeps $X$", "layer"),
        "relu": (3.6, 0.0, "ReluLayer\nkeeps $[H>0]$", "layer"),
        "full2": (5.4, 0.0, "FullLayer 2\nkeeps $A$", "layer"),
        "softmax": (7.2, 0.0, "SoftMaxLayer\nkeeps $Z$", "layer"),
        "ce": (9.0, 0.0, "CrossEntropy\nkeeps $Z$, $T$", "layer"),
        "loss": (10.6, 0.0, "loss\n$L$"),
        "target": (9.0, 1.05, "one-hot targets $T$"),
    }
    forward = [("x", "full1"), ("full1", "relu", "$H$"), ("relu", "full2", "$A$"),
               ("full2", "softmax", "$S$"), ("softmax", "ce", "$Z$"), ("ce", "loss"), ("target", "ce")]
    backward = [("ce", "softmax", r"$\partial L/\partial Z$"), ("softmax", "full2", r"$\partial L/\partial S$"),
                ("full2", "relu", r"$\partial L/\partial A$"), ("relu", "full1", r"$\partial L/\partial H$"),
                ("full1", "x", r"$\partial L/\partial X$")]
    fig = draw_graph(nodes, forward, backward, size=(13.0, 3.9),
                     title="Sequential: forward through the layers in order, backward in reverse")
    ax = fig.axes[0]
    notes = {
        "full1": "backward sets\nW_grad, b_grad",
        "full2": "backward sets\nW_grad, b_grad",
        "relu": "no parameters",
        "softmax": "no parameters",
        "ce": "backward() takes\nno argument",
        "loss": "one number",
        "x": "(B, D): one\nexample per row",
    }
    for name, text in notes.items():
        x, y = nodes[name][:2]
        ax.text(x, y - 0.62, text, ha="center", va="top", fontsize=9, color="#555555")
    ax.text(5.4, 0.62, "forward(x): each layer hands its output on and keeps what its backward needs", ha="center",
            va="bottom", fontsize=9, color=FORWARD_COLOUR)
    ax.text(5.4, -1.25, "backward(y_grad) receives dL/d(its output) and returns dL/d(its input)",
            ha="center", va="top", fontsize=9, color=BACKWARD_COLOUR)
    ax.set_ylim(-1.55, 1.45)
    return fig
