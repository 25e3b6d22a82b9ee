# %% [markdown]
# # Stage 01: fitting a line by gradient descent
#
# Every neural network in this course is trained the same way: write down a loss that measures how
# wrong the model is, compute how the loss changes when each parameter moves a little (the
# gradient), and step the parameters downhill. This stage does all three for the smallest model
# there is, a straight line $\hat y = w x + b$, on data whose true line we know.
#
# **You will**
# - implement the mean squared error loss and its gradients with respect to $w$ and $b$;
# - train the line with a gradient-descent loop and watch the loss fall;
# - see what too small and too large a learning rate do.
#
# **Time:** about an hour: 15 minutes of reading, 20 to 40 minutes of deriving and coding, 10
# minutes for the checkpoints; running every cell takes about 5 seconds.
# **Needs:** no earlier stage. Python with numpy arrays (`np.mean`, elementwise arithmetic) and
# the derivative of $u^2$ and the chain rule from school calculus.
#
# Cells marked **TODO** are yours. Above each one, collapsed **hints** (click to open) lead from
# the idea to the formula: try without them first, then open one at a time. The test cell after each one checks your work straight away;
# the grader runs more checks of the same kind later, so make your code correct in general, not
# just for the examples shown. When a check fails exactly as a mistake many students make would
# make it fail, a second line under the message, starting "Known mistake?", names that mistake:
# a hint about where to look, not a verdict.

# %%
import matplotlib.pyplot as plt
import numpy as np

from helpers import seed_everything
from helpers.data import make_linear_data
from helpers.plotting import plot_losses
from helpers.testing import assert_close, assert_scalar, assert_unchanged, call

rng = seed_everything(0)

# %% [markdown]
# ## 1. The data
#
# We draw 200 values of $x$ uniformly at random on $[-2, 2]$, put them on the line
# $y = 2.5x - 0.7$ and add Gaussian noise with standard deviation 0.5 to each $y$. Because we know the true slope and intercept, we can check at the end
# how close gradient descent gets to them.

# %%
TRUE_W, TRUE_B = 2.5, -0.7
x, y = make_linear_data(n=200, w=TRUE_W, b=TRUE_B, noise=0.5, x_range=(-2.0, 2.0), seed=0)

fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(x, y, s=10, alpha=0.6, label="data")
ax.plot(x, TRUE_W * x + TRUE_B, color="black", lw=2, label="true line $y = 2.5x - 0.7$")
ax.set_title("Noisy samples of a known line")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend()
plt.show()

# %% [markdown]
# ## 2. The loss: mean squared error
#
# For $N$ predictions $\hat y_i$ and targets $y_i$ the mean squared error is
#
# $$L = \frac{1}{N} \sum_{i=1}^{N} (\hat y_i - y_i)^2 .$$
#
# It is zero only when every prediction is exact, and squaring makes large misses cost much more
# than small ones. It averages over **all** entries, whatever the shape of the arrays.
#
# **TODO:** implement `mse_loss`. Return a plain Python `float`, and do not modify the inputs.
#
# <details><summary>Hint 1: the idea</summary>
#
# numpy works on whole arrays: subtracting two arrays of the same shape, or squaring one, acts on
# every entry at once, and `np.mean` averages all entries of an array of any shape. No loop is
# needed.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Build the residuals $\hat y_i - y_i$ as a **new** array. Writing `yhat -= y` would overwrite the
# caller's predictions, which the tests check for. `np.mean` returns a numpy number: `float(...)`
# turns it into a Python float.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# The residual array $r = \hat y - y$, then the mean of $r^2$ over its $N$ entries:
# $L = \frac{1}{N}\sum_i r_i^2$, returned as a Python float.
#
# </details>

# %% nbgrader={"grade_id": "mse_loss", "solution": true}
def mse_loss(yhat, y):
    """Mean squared error between predictions and targets.

    yhat: the predictions, an array of any shape, for example (N,) or (N, 1).
    y: the targets, an array of the same shape as yhat.
    Returns the mean squared error over ALL entries as a Python float (not an array).
    Neither yhat nor y is modified.
    """
    ### BEGIN SOLUTION
    diff = np.asarray(yhat, dtype=float) - np.asarray(y, dtype=float)
    return float(np.mean(diff ** 2))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mse_loss", "points": 2}
loss = assert_scalar("mse_loss", call(mse_loss, np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])))
assert_close("mse_loss", loss, 4.0 / 3.0, case="yhat=[1, 2, 3], y=[1, 2, 5]")
assert_close("mse_loss", mse_loss(np.zeros(4), np.zeros(4)), 0.0, case="perfect predictions")
assert_close("mse_loss", mse_loss(np.array([3.0]), np.array([1.0])), 4.0, case="a single point")
# a column of predictions, shape (2, 1): the mean runs over all entries, and the inputs stay as they were
_yhat, _y = np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])
_loss = assert_scalar("mse_loss", mse_loss(_yhat, _y), case="yhat=[[1], [3]], y=[[0], [1]] of shape (2, 1)")
assert_close("mse_loss", _loss, 2.5, case="yhat=[[1], [3]], y=[[0], [1]] of shape (2, 1)")
assert_unchanged("mse_loss", "yhat", [[1.0], [3.0]], _yhat)
assert_unchanged("mse_loss", "y", [[0.0], [1.0]], _y)
print("mse_loss: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(101)
for _shape in [(7,), (5, 1), (3, 4), (1,)]:
    _yhat = _rng.normal(size=_shape)
    _y = _rng.normal(size=_shape)
    _yhat0, _y0 = _yhat.copy(), _y.copy()
    _expected = sum((a - b) ** 2 for a, b in zip(_yhat.ravel(), _y.ravel())) / _yhat.size
    _got = assert_scalar("mse_loss", mse_loss(_yhat, _y), case=f"inputs of shape {_shape}")
    assert_close("mse_loss", _got, _expected, rtol=1e-10, case=f"inputs of shape {_shape}")
    assert_unchanged("mse_loss", "yhat", _yhat0, _yhat)
    assert_unchanged("mse_loss", "y", _y0, _y)
_got32 = mse_loss(_rng.normal(size=10).astype(np.float32), np.zeros(10, dtype=np.float32))
assert_scalar("mse_loss", _got32, case="float32 inputs")
_a32 = np.array([0.5, -1.5, 2.0], dtype=np.float32)
assert_close("mse_loss", mse_loss(_a32, np.ones(3, dtype=np.float32)), (0.25 + 6.25 + 1.0) / 3, rtol=1e-5,
             case="float32 inputs")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. The gradients
#
# The loss of the line $\hat y_i = w x_i + b$ is a function of its two parameters,
# $L(w, b) = \frac{1}{N}\sum_i (w x_i + b - y_i)^2$. Gradient descent needs its two partial
# derivatives $\partial L / \partial w$ and $\partial L / \partial b$: how fast the loss
# changes when we nudge the slope, or the intercept, while the other stays put.
#
# **TODO:** derive $\partial L / \partial w$ and $\partial L / \partial b$ on paper, then implement
# `mse_gradients(x, y, w, b)` returning the pair `(dw, db)` as Python floats.
#
# <details><summary>Hint 1: the idea</summary>
#
# $L$ is an average of $N$ terms, one per point, and the derivative of an average is the average
# of the derivatives. So differentiate a single term $r_i^2$, where $r_i = w x_i + b - y_i$ is
# the residual of point $i$, first with respect to $w$ (treating $b$, $x_i$ and $y_i$ as
# constants), then with respect to $b$.
#
# </details>
#
# <details><summary>Hint 2: the chain-rule step</summary>
#
# $r_i^2$ depends on $w$ only through $r_i$, so
# $\frac{\partial (r_i^2)}{\partial w} = 2 r_i \cdot \frac{\partial r_i}{\partial w}$, and the
# same with $b$ in place of $w$. What are $\frac{\partial r_i}{\partial w}$ and
# $\frac{\partial r_i}{\partial b}$?
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $\frac{\partial r_i}{\partial w} = x_i$ and $\frac{\partial r_i}{\partial b} = 1$, so
#
# $$\frac{\partial L}{\partial w} = \frac{2}{N}\sum_i r_i\, x_i, \qquad
#   \frac{\partial L}{\partial b} = \frac{2}{N}\sum_i r_i .$$
#
# The slope's gradient weights each residual by its $x_i$; the intercept's does not.
#
# </details>

# %% nbgrader={"grade_id": "mse_gradients", "solution": true}
def mse_gradients(x, y, w, b):
    """Gradients of the MSE of the line yhat = w*x + b with respect to its two parameters.

    x: the inputs, shape (N,). y: the targets, shape (N,).
    w, b: the current slope and intercept (floats).
    Returns a tuple (dw, db) of two Python floats: the partial derivatives of
    mse_loss(w*x + b, y) with respect to w and with respect to b, in that order.
    Neither x nor y is modified.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    residual = w * x + b - np.asarray(y, dtype=float)
    dw = 2.0 * np.mean(residual * x)
    db = 2.0 * np.mean(residual)
    return float(dw), float(db)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mse_gradients", "points": 3}
_grads = call(mse_gradients, np.array([1.0, 2.0]), np.array([1.0, 1.0]), 1.0, 0.0)
assert isinstance(_grads, tuple) and len(_grads) == 2, (
    f"mse_gradients: expected a tuple (dw, db), got {type(_grads).__name__}")
# worked by hand: the line 1*x + 0 predicts [1, 2], so the residuals are [0, 1]; dw = 2 and db = 1
assert_close("mse_gradients dw", assert_scalar("mse_gradients dw", _grads[0]), 2.0, case="x=[1, 2], y=[1, 1], w=1, b=0")
assert_close("mse_gradients db", assert_scalar("mse_gradients db", _grads[1]), 1.0, case="x=[1, 2], y=[1, 1], w=1, b=0")
_x, _y = np.array([1.0, -1.0]), np.array([1.0, -1.0])
_dw, _db = mse_gradients(_x, _y, 1.0, 0.0)
assert_close("mse_gradients", (_dw, _db), (0.0, 0.0), case="on the true line both gradients are 0")
# the training loop below passes the same x and y in every epoch: they must stay as they were
assert_unchanged("mse_gradients", "x", [1.0, -1.0], _x)
assert_unchanged("mse_gradients", "y", [1.0, -1.0], _y)
print("mse_gradients: visible tests passed")
### BEGIN HIDDEN TESTS
def _central_differences(_f, _p, _h=1e-5):
    # an independent numerical gradient of a scalar function of a parameter vector
    _g = np.zeros(_p.size)
    for _i in range(_p.size):
        _step = np.zeros(_p.size)
        _step[_i] = _h
        _g[_i] = (_f(_p + _step) - _f(_p - _step)) / (2 * _h)
    return _g


_rng = np.random.default_rng(202)
for _n in [1, 3, 50]:
    _x = _rng.uniform(-2, 2, size=_n)
    _y = 1.5 * _x + 0.3 + _rng.normal(size=_n)
    _x0, _y0 = _x.copy(), _y.copy()
    _w, _b = float(_rng.normal()), float(_rng.normal())
    _dw, _db = mse_gradients(_x, _y, _w, _b)
    assert_unchanged("mse_gradients", "x", _x0, _x)
    assert_unchanged("mse_gradients", "y", _y0, _y)
    _params = np.array([_w, _b])
    _num = _central_differences(lambda p: np.mean((p[0] * _x0 + p[1] - _y0) ** 2), _params)
    _case = f"N={_n}, w={_w:.3f}, b={_b:.3f}"
    assert_close("mse_gradients dw", assert_scalar("mse_gradients dw", _dw, _case), _num[0], rtol=1e-6, atol=1e-8, case=_case)
    assert_close("mse_gradients db", assert_scalar("mse_gradients db", _db, _case), _num[1], rtol=1e-6, atol=1e-8, case=_case)
_x32 = np.array([0.5, 1.0, -2.0], dtype=np.float32)
_y32 = np.array([1.0, 0.0, 2.0], dtype=np.float32)
_r = [1.0 * a + 0.5 - t for a, t in zip([0.5, 1.0, -2.0], [1.0, 0.0, 2.0])]
_dw32, _db32 = mse_gradients(_x32, _y32, 1.0, 0.5)
assert_close("mse_gradients dw", _dw32, 2 * sum(r * a for r, a in zip(_r, [0.5, 1.0, -2.0])) / 3, rtol=1e-5, case="float32 inputs")
assert_close("mse_gradients db", _db32, 2 * sum(_r) / 3, rtol=1e-5, case="float32 inputs")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Gradient descent
#
# Start from $w = b = 0$ and repeat: compute the gradients, then move against them by a small
# step, the **learning rate** $\eta$:
#
# $$w \leftarrow w - \eta \frac{\partial L}{\partial w}, \qquad b \leftarrow b - \eta \frac{\partial L}{\partial b}.$$
#
# The loop below is given. It stops early, and says so, if the loss passes $10^{12}$ or stops being a
# finite number.

# %%
def fit_line(x, y, lr, epochs, w=0.0, b=0.0):
    """Full-batch gradient descent on the MSE; returns (w, b, losses) with one loss per epoch."""
    losses = []
    for epoch in range(1, epochs + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            loss = mse_loss(w * x + b, y)
        losses.append(loss)
        if not np.isfinite(loss) or loss > 1e12:
            print(f"learning rate {lr}: the loss blew up to {loss:.3g} by epoch {epoch}; stopping early")
            break
        dw, db = mse_gradients(x, y, w, b)
        w, b = w - lr * dw, b - lr * db
    return w, b, losses


w_fit, b_fit, losses = fit_line(x, y, lr=0.1, epochs=100)
print(f"learned  w = {w_fit:.3f}, b = {b_fit:.3f}")
print(f"true     w = {TRUE_W:.3f}, b = {TRUE_B:.3f}")
print(f"final training MSE = {losses[-1]:.4f} (the noise variance is 0.25)")

# %%
fig, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(11, 4))
plot_losses(losses, title="Training loss (learning rate 0.1)", ylabel="MSE", ax=ax_loss)
ax_fit.scatter(x, y, s=10, alpha=0.5, label="data")
ax_fit.plot(x, TRUE_W * x + TRUE_B, color="black", lw=2, label="true line")
ax_fit.plot(x, w_fit * x + b_fit, color="tab:red", lw=2, ls="--", label=f"fitted: y = {w_fit:.2f}x {'-' if b_fit < 0 else '+'} {abs(b_fit):.2f}")
ax_fit.set_title("Fitted line over the data")
ax_fit.set_xlabel("x")
ax_fit.set_ylabel("y")
ax_fit.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 5. Choosing the learning rate
#
# The same loop, 60 epochs each, with three learning rates.

# %%
learning_rates = {"too small (0.002)": 0.002, "good (0.1)": 0.1, "too large (0.8)": 0.8}
curves = {}
for label, lr in learning_rates.items():
    *_, curve = fit_line(x, y, lr=lr, epochs=60)
    curves[label] = curve

plot_losses(curves, title="Effect of the learning rate", ylabel="MSE (log scale)", logy=True)
plt.show()

# %% [markdown]
# **Why 0.8 is too large.** Hold $b$ fixed: along $w$ the loss is a parabola whose second
# derivative, its *curvature*, is $c = 2\,\overline{x^2}$ (twice the mean of $x_i^2$). On a
# parabola with curvature $c$ one gradient step multiplies the distance to the minimum by
# $1 - \eta c$. The distance shrinks when $0 < \eta c < 2$ and grows when $\eta c > 2$, so the
# learning rate must stay below $2 / c$. Because $w$ and $b$ interact (the mean of $x$ is not
# exactly 0), the steepest direction of the bowl is slightly tilted and a little more curved than
# the $w$ axis; its curvature sets the exact limit. The next cell computes both for our data.

# %%
curvature_w = 2 * np.mean(x ** 2)
# the curvatures of the bowl along its two axes: the eigenvalues of the matrix of second derivatives
second_derivatives = 2 * np.array([[np.mean(x ** 2), np.mean(x)], [np.mean(x), 1.0]])
curvature_max = np.linalg.eigvalsh(second_derivatives).max()
print(f"curvature along w, 2 * mean(x**2):  {curvature_w:.2f}  ->  learning rates above {2 / curvature_w:.2f} diverge along w")
print(f"steepest curvature of the bowl:     {curvature_max:.2f}  ->  exact limit {2 / curvature_max:.2f}")
print(f"with learning rate 0.8 the distance to the minimum grows by |1 - 0.8 * {curvature_max:.2f}| = "
      f"{abs(1 - 0.8 * curvature_max):.2f} per epoch, so the loss grows by about {(1 - 0.8 * curvature_max) ** 2:.1f}")

# %% [markdown]
# Seen from above, the loss is a bowl over the $(w, b)$ plane, steeper along $w$ than along $b$.
# With learning rate 0.1 each step moves a good part of the way down; with 0.002 sixty steps
# cover only a short stretch of the slope; with 0.8 every step jumps across the valley in $w$ and
# lands higher up on the other side than it started:
#
# ![Contours of the MSE over w and b with the paths of gradient descent for learning rates 0.002, 0.1 and 0.8](figure:loss_surface)

# %% [markdown]
# ## 6. Checkpoints
#
# Answer in two or three sentences each, in your own words. These are graded by hand.
#
# **Checkpoint 1.** Why does the MSE go down from one epoch to the next with learning rate 0.1?
# What property of the gradient guarantees that a small enough step lowers the loss?

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_mse_decreases", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# The gradient points in the direction in which the loss increases fastest, so a step against it
# lowers the loss to first order: L(θ - ηg) ≈ L(θ) - η|g|². For a small enough η the second-order
# term (η² times the curvature) is smaller than that gain, and the MSE, a convex bowl in (w, b),
# decreases every epoch until the gradient vanishes at the least-squares solution.
# ### END SOLUTION

# %% [markdown]
# **Checkpoint 2.** What happens with a much larger learning rate, such as 0.8 here, and why?

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_large_lr", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# The loss grows instead of shrinking, by about a factor 2 per epoch, until the loop stops it at
# 1e12 (after 37 epochs here). Each step jumps past the minimum to the other side of the bowl and
# lands farther away than it started, because η times the curvature is larger than 2: the
# distance to the minimum is multiplied by |1 - η·c| = |1 - 0.8·3.05| = 1.44 > 1 every epoch, so
# it grows geometrically (a straight line on the log-scale plot).
# ### END SOLUTION

# %% [markdown]
# **Checkpoint 3.** Which of $w$ and $b$ is easier to learn when the $x$ values are all close to
# zero, and why? (Look at the two gradients you derived.)

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_w_or_b", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# b is easier. Its gradient is the mean residual, whatever x is, while the gradient for w is the
# residual multiplied by x; when x is near zero that gradient is tiny, so w moves very slowly
# (the loss is almost flat along w, so the problem is badly conditioned). Scaling the inputs up
# (standardising them) fixes this.
# ### END SOLUTION
