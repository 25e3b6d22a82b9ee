"""Figures the build draws for stage 01 (see autograder/building/figures.py).

Only the build imports this file; students see the rendered PNG. It uses the stage's own data
(the same call and seed as the notebook) and its own gradient descent, so the picture matches
what the notebook's cells print.
"""
import numpy as np

from helpers.data import make_linear_data

TRUE_W, TRUE_B = 2.5, -0.7


def _data():
    return make_linear_data(n=200, w=TRUE_W, b=TRUE_B, noise=0.5, x_range=(-2.0, 2.0), seed=0)


def _loss_grid(x, y, ws, bs):
    W, B = np.meshgrid(ws, bs)
    residual = W[..., None] * x + B[..., None] - y
    return W, B, np.mean(residual ** 2, axis=-1)


def _path(x, y, lr, epochs):
    w = b = 0.0
    points = [(w, b)]
    for _ in range(epochs):
        residual = w * x + b - y
        w, b = w - lr * 2 * np.mean(residual * x), b - lr * 2 * np.mean(residual)
        points.append((w, b))
    return np.array(points)


def loss_surface():
    """The MSE over (w, b) as contours, with the gradient-descent paths of section 5."""
    import matplotlib.pyplot as plt

    x, y = _data()
    best_w, best_b = np.polyfit(x, y, 1)  # the bottom of the bowl: the least-squares line
    fig, (near, far) = plt.subplots(1, 2, figsize=(11, 4.4))

    W, B, L = _loss_grid(x, y, np.linspace(-0.5, 3.5, 241), np.linspace(-2.0, 1.0, 181))
    contours = near.contour(W, B, L, levels=[0.3, 0.5, 1, 2, 4, 8], colors="grey", linewidths=0.8)
    near.clabel(contours, fmt="MSE %g", fontsize=7)
    for lr, epochs, colour in [(0.002, 60, "tab:blue"), (0.1, 60, "tab:orange")]:
        path = _path(x, y, lr, epochs)
        near.plot(path[:, 0], path[:, 1], "o-", ms=2, lw=1.2, color=colour,
                  label=f"learning rate {lr}: {epochs} steps")
    near.plot(0, 0, "ks", ms=6, label="start (w = b = 0)")
    near.plot(best_w, best_b, "k*", ms=11, label=f"lowest MSE ({best_w:.2f}, {best_b:.2f})")
    near.set_title("MSE over (w, b): two learning rates that converge")
    near.set_xlabel("w (slope)")
    near.set_ylabel("b (intercept)")
    near.legend(loc="lower right", fontsize=8)

    W, B, L = _loss_grid(x, y, np.linspace(-12, 16, 241), np.linspace(-6.0, 5.0, 181))
    far.contour(W, B, L, levels=np.geomspace(0.3, 400, 14), colors="grey", linewidths=0.8)
    path = _path(x, y, 0.8, 5)
    far.plot(path[:, 0], path[:, 1], "o-", ms=4, lw=1.2, color="tab:green", label="learning rate 0.8: 5 steps")
    for step, (w, b) in enumerate(path):
        far.annotate(str(step), (w, b), textcoords="offset points", xytext=(4, 4), fontsize=8, color="tab:green")
    far.plot(best_w, best_b, "k*", ms=11, label="lowest MSE")
    far.set_title("Learning rate 0.8: each step overshoots further along w")
    far.set_xlabel("w (slope)")
    far.set_ylabel("b (intercept)")
    far.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
