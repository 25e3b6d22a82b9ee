"""Figures the build draws for stage 02 (see autograder/building/figures.py): computational graphs.

Blue arrows carry values forward, red arrows carry gradients back. The graphs give names and
shapes, never the backward formulas: deriving those is the exercise.
"""
from autograder.building.graphs import draw_graph


def linear_layer_graph():
    """One linear layer inside a network, as in section 2 (shapes in general form)."""
    return draw_graph(
        nodes={
            "x": (0.0, 0.0, "input $X$\n$(B, d_{in})$"),
            "p": (2.4, 1.35, "weights $W\\ (d_{out}, d_{in})$, bias $\\mathbf{b}\\ (d_{out},)$"),
            "op": (2.4, 0.0, "Linear", "layer"),
            "g": (2.4, -1.35, "$dW\\ (d_{out}, d_{in})$, $d\\mathbf{b}\\ (d_{out},)$"),
            "y": (4.8, 0.0, "output $Y$\n$(B, d_{out})$"),
            "L": (7.0, 0.0, "loss $L$\n(a number)"),
        },
        forward=[("x", "op"), ("p", "op"), ("op", "y"), ("y", "L", "rest of the\nnetwork")],
        backward=[("L", "y", "$G = \\partial L/\\partial Y$"), ("y", "op", "$G\\ (B, d_{out})$"),
                  ("op", "x", "$dX\\ (B, d_{in})$"), ("op", "g")],
        title="A linear layer: values forward, gradients back; each gradient has the shape of its value",
        size=(10.0, 4.8))


def two_layer_graph():
    """The two-layer network of the gradient check, with the shapes for a batch of 3."""
    return draw_graph(
        nodes={
            "x": (0.0, 0.0, "$X$\n$(3, 3)$"),
            "p1": (1.6, 1.35, "$W_1\\ (4, 3)$, $\\mathbf{b}_1\\ (4,)$"),
            "l1": (1.6, 0.0, "Linear(3, 4)", "layer"),
            "g1": (1.6, -1.35, "$dW_1\\ (4, 3)$, $d\\mathbf{b}_1\\ (4,)$"),
            "h": (3.3, 0.0, "$H$\n$(3, 4)$"),
            "p2": (5.0, 1.35, "$W_2\\ (2, 4)$, $\\mathbf{b}_2\\ (2,)$"),
            "l2": (5.0, 0.0, "Linear(4, 2)", "layer"),
            "g2": (5.0, -1.35, "$dW_2\\ (2, 4)$, $d\\mathbf{b}_2\\ (2,)$"),
            "yhat": (6.7, 0.0, "$\\hat Y$\n$(3, 2)$"),
            "y": (8.1, 1.35, "targets $Y$ $(3, 2)$"),
            "mse": (8.1, 0.0, "MSE", "op"),
            "L": (9.5, 0.0, "$L$"),
        },
        forward=[("x", "l1"), ("p1", "l1"), ("l1", "h"), ("h", "l2"), ("p2", "l2"), ("l2", "yhat"),
                 ("yhat", "mse"), ("y", "mse"), ("mse", "L")],
        backward=[("mse", "yhat", "$\\partial L/\\partial \\hat Y$"), ("yhat", "l2"), ("l2", "h", "$dH$"),
                  ("h", "l1"), ("l1", "x", "$dX$"), ("l2", "g2"), ("l1", "g1")],
        title="Two linear layers and the MSE: layer 2's backward pass runs first and hands $dH$ to layer 1",
        size=(12.0, 5.0))
