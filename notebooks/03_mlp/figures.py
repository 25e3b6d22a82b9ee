"""Figures the build draws for stage 03 (see autograder/building/figures.py).

The MLP's computational graph: blue arrows carry values forward, red arrows carry gradients back.
It is shown after the TODO cells, beside the given MLP, so it may name the elementwise chain rule.
"""
from autograder.building.graphs import draw_graph


def mlp_graph():
    """x -> Linear -> activation -> Linear -> MSE, with the shapes for a batch of B rows."""
    return draw_graph(
        nodes={
            "x": (0.0, 0.0, "$X$\n$(B, d_{in})$"),
            "p1": (1.5, 1.4, "$W_1, \\mathbf{b}_1$"),
            "l1": (1.5, 0.0, "Linear", "layer"),
            "g1": (1.5, -1.4, "$dW_1, d\\mathbf{b}_1$"),
            "hpre": (3.2, 0.0, "$H_{pre}$\n$(B, d_{hid})$"),
            "act": (5.0, 0.0, "$\\varphi$", "op"),
            "local": (5.0, -1.4, "$\\varphi'(H_{pre})$, from the\nkept pre-activations"),
            "h": (6.8, 0.0, "$H$\n$(B, d_{hid})$"),
            "p2": (8.3, 1.4, "$W_2, \\mathbf{b}_2$"),
            "l2": (8.3, 0.0, "Linear", "layer"),
            "g2": (8.3, -1.4, "$dW_2, d\\mathbf{b}_2$"),
            "yhat": (9.8, 0.0, "$\\hat Y$\n$(B, d_{out})$"),
            "mse": (11.2, 0.0, "MSE", "op"),
            "L": (12.4, 0.0, "$L$"),
        },
        forward=[("x", "l1"), ("p1", "l1"), ("l1", "hpre"), ("hpre", "act", "elementwise"), ("act", "h"),
                 ("h", "l2"), ("p2", "l2"), ("l2", "yhat"), ("yhat", "mse"), ("mse", "L")],
        backward=[("mse", "yhat"), ("yhat", "l2"), ("l2", "h", "$dH$"), ("h", "act"), ("local", "act"),
                  ("act", "hpre", "$dH \\odot \\varphi'(H_{pre})$"), ("hpre", "l1"), ("l1", "x", "$dX$"),
                  ("l2", "g2"), ("l1", "g1")],
        title="An MLP: the nonlinearity enters the backward pass as its local derivative, multiplied elementwise",
        size=(13.0, 5.0))
