"""Figures the build draws into stage 04's markdown (see autograder/building/figures.py)."""
from __future__ import annotations

import numpy as np

# The five applicants of the stage: utilization, age, late payments -> credit score.
X_CREDIT = np.array([[0.10, 45, 0], [0.90, 22, 3], [0.40, 31, 1], [0.20, 52, 0], [0.70, 28, 2]], dtype=float)
Y_CREDIT = np.array([720, 580, 660, 740, 610], dtype=float)


def _two_feature_problem():
    """Standardised utilization and late payments (correlation 0.99) and the centred scores."""
    X = X_CREDIT[:, [0, 2]]
    Xn = (X - X.mean(axis=0)) / X.std(axis=0)
    return Xn, Y_CREDIT - Y_CREDIT.mean()


def _ridge(Xn, yc, lam):
    """The minimiser of mean((Xn w - yc)^2) + lam |w|^2 (the bias is the mean score, whatever lam)."""
    n, d = Xn.shape
    return np.linalg.solve(Xn.T @ Xn / n + lam * np.eye(d), Xn.T @ yc / n)


def ridge_path():
    """The fit term's contours, the penalty's circles and the path of the minimiser as lambda grows."""
    import matplotlib.pyplot as plt

    Xn, yc = _two_feature_problem()
    w_ls = _ridge(Xn, yc, 0.0)
    lams = np.concatenate([[0.0], np.logspace(-4, 2, 300)])
    path = np.array([_ridge(Xn, yc, lam) for lam in lams])

    grid_u, grid_l = np.meshgrid(np.linspace(-70, 50, 240), np.linspace(-100, 20, 240))
    weights = np.stack([grid_u.ravel(), grid_l.ravel()], axis=1)
    mse = np.mean((Xn @ weights.T - yc[:, None]) ** 2, axis=0).reshape(grid_u.shape)

    fig, ax = plt.subplots(figsize=(7.2, 6.2))
    levels = np.min(mse) + np.array([5, 20, 60, 150, 300, 600, 1200])
    ax.contour(grid_u, grid_l, mse, levels=levels, colors="tab:blue", linewidths=1.0)
    for radius in (20, 40, 60, 80):
        ax.add_patch(plt.Circle((0, 0), radius, fill=False, ls=":", lw=1.0, color="gray"))
    ax.plot(path[:, 0], path[:, 1], color="tab:red", lw=2.2)
    marked = [0.01, 0.1, 1.0, 10.0]
    for lam in marked:
        w = _ridge(Xn, yc, lam)
        ax.plot(*w, "o", color="tab:red", ms=6)
        ax.annotate(f"λ = {lam:g}", w, xytext=(8, 4), textcoords="offset points", fontsize=9, color="tab:red")
    ax.plot(*w_ls, "*", color="black", ms=13)
    ax.annotate("least squares (λ = 0)", w_ls, xytext=(-12, -3), textcoords="offset points", fontsize=9,
                ha="right")
    ax.plot(0, 0, "+", color="black", ms=12, mew=2)
    ax.axhline(0, color="black", lw=0.5)
    ax.axvline(0, color="black", lw=0.5)
    ax.set_xlim(-70, 50)
    ax.set_ylim(-100, 20)
    ax.set_aspect("equal")
    ax.set_xlabel("weight of utilization (points per std)")
    ax.set_ylabel("weight of late_payments (points per std)")
    ax.set_title("Ridge with two correlated features (r = 0.99):\n"
                 "the minimiser slides along the valley, then shrinks to 0")
    from matplotlib.lines import Line2D
    ax.legend(handles=[Line2D([], [], color="tab:blue", lw=1, label="contours of the training MSE"),
                       Line2D([], [], color="gray", ls=":", lw=1, label="circles of equal penalty |W|²"),
                       Line2D([], [], color="tab:red", lw=2, marker="o", label="minimiser as λ grows")],
              loc="upper right", fontsize=9)
    fig.tight_layout()
    return fig
