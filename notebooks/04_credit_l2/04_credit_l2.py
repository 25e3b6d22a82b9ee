# %% [markdown]
# # Stage 04: credit scores, standardised features and L2 regularisation
#
# A lender wants to predict an applicant's credit score from three numbers: how much of their
# credit limit they use, their age, and how many payments they have been late with. We have five
# applicants. Five rows and four parameters (three weights and a bias) is a recipe for
# **overfitting**: the model can almost memorise the data, and its weights then say more about
# the noise in five people than about credit. This stage tames the model with an **L2 penalty**
# (ridge regression, or "weight decay" in neural-network language), and shows why the features
# have to be put on a common scale first.
#
# **You will**
# - standardise features to mean 0 and standard deviation 1, and keep what you need to undo it;
# - write the L2 penalty and its gradient, and train a `Linear` layer with it by gradient descent;
# - watch the penalty shrink the weight vector (though not every weight at once), and see what
#   that does to the fit and to predictions;
# - turn the weights back into original units, predict two new applicants by hand, and check the
#   whole thing against scikit-learn's `Ridge`.
#
# **Time:** about an hour and a half: 30 minutes of reading, 30 to 45 minutes of deriving and
# coding, 15 minutes for the checkpoints; running every cell takes under a minute.
# **Needs:** stage 01 (gradient descent on the mean squared error) and stage 02 (the `Linear`
# layer and its `backward`, given here read-only); the chain rule for a sum of squares.
#
# Cells marked **TODO** are yours. Above each one, collapsed **hints** (click to open) lead from
# the idea to the formula: try without them first, then open one at a time. The test cell after
# each one checks your work straight away; the grader runs more checks of the same kind later, so
# make your code correct in general, not just for the examples shown.

# %%
import matplotlib.pyplot as plt
import numpy as np

from helpers import seed_everything, under_grader
from helpers.plotting import plot_losses
from helpers.testing import assert_close, assert_scalar, assert_shape, assert_unchanged, call

rng = seed_everything(0)

# %% [markdown]
# ## 1. The data
#
# Each row is one applicant: credit **utilization** (the fraction of the credit limit in use,
# between 0 and 1), **age** in years, and the number of **late payments** in the last two years.
# The target is the applicant's credit score.

# %%
FEATURES = ["utilization", "age", "late_payments"]
X_credit = np.array([
    [0.10, 45, 0],
    [0.90, 22, 3],
    [0.40, 31, 1],
    [0.20, 52, 0],
    [0.70, 28, 2],
], dtype=float)
y_credit = np.array([720, 580, 660, 740, 610], dtype=float)
N_credit = len(y_credit)

print(f"{'utilization':>12s} {'age':>5s} {'late':>5s} {'score':>6s}")
for row, score in zip(X_credit, y_credit):
    print(f"{row[0]:12.2f} {row[1]:5.0f} {row[2]:5.0f} {score:6.0f}")
print("column means:", X_credit.mean(axis=0), " column std:", X_credit.std(axis=0).round(3))
print("correlations between the columns:\n", np.corrcoef(X_credit, rowvar=False).round(3))

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
for j, (ax, name) in enumerate(zip(axes, FEATURES)):
    ax.scatter(X_credit[:, j], y_credit, s=40, color="tab:blue", label="applicants")
    ax.set_title(f"Credit score against {name}")
    ax.set_xlabel(name)
    ax.legend(loc="best")
axes[0].set_ylabel("credit score")
plt.tight_layout()
plt.show()

# %% [markdown]
# Each feature on its own tells a clear story, but they also tell it **together**: the young
# applicants are the ones with high utilization and late payments (the correlations printed above
# are all above 0.9 in size). Keep that in mind when we read the weights.
#
# ## 2. Standardising the features
#
# The columns live on very different scales: utilization moves by tenths, age by decades. That
# hurts twice.
#
# - **Gradient descent.** The gradient for a weight is proportional to its feature's values, so
#   the loss is steep along the age weight and nearly flat along the utilization weight; one
#   learning rate cannot suit both (stage 01, checkpoint 3).
# - **The penalty.** An L2 penalty charges every weight the same price per unit of size, but a
#   weight's size depends on its feature's units: a weight per *year* of age is small, a weight per
#   unit of utilization is large. Penalising them alike would be arbitrary.
#
# Standardising fixes both. For column $j$ with mean $\mu_j$ and population standard deviation
# $s_j$ (dividing by $N$, numpy's default `ddof=0`),
#
# $$\mu_j = \frac{1}{N}\sum_{i} X_{ij}, \qquad s_j = \sqrt{\frac{1}{N}\sum_i (X_{ij} - \mu_j)^2},
# \qquad \sigma_j = s_j + 10^{-8}, \qquad X^{n}_{ij} = \frac{X_{ij} - \mu_j}{\sigma_j}.$$
#
# The tiny $10^{-8}$ keeps a constant column (where $s_j = 0$) from producing $0/0 = \text{NaN}$:
# such a column simply becomes zeros. We return $\mu$ and $\sigma$ (with the $10^{-8}$ included)
# because we need exactly the same numbers later, to standardise new applicants and to convert the
# weights back into original units.
#
# **TODO:** implement `standardize`. Work column by column, and do not modify `X`.
#
# <details><summary>Hint 1: the idea</summary>
#
# Every statistic here is one number per **column**, computed over the rows: numpy's reductions
# take `axis=0` for that (`X.mean(axis=0)` has shape `(d,)`). An array of shape `(d,)` combined with
# one of shape `(N, d)` is applied to every row (broadcasting), so no loop is needed.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# `np.std` divides by $N$ unless told otherwise (`ddof=0`), which is the $s_j$ above. Add the
# $10^{-8}$ to the standard deviation **before** you divide by it, and return that same
# $\sigma$. Build `Xn` as a new array (`X -= mu` would change the caller's data).
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# `mu` is the column mean, `sigma` the column standard deviation (`ddof=0`) plus `1e-8`, and
# $X^n = (X - \mu) / \sigma$ with both broadcast over the rows.
#
# </details>

# %% nbgrader={"grade_id": "standardize", "solution": true}
def standardize(X):
    """Standardise each column of X to mean 0 and (population) standard deviation 1.

    X: array of shape (N, d), one example per row. Not modified.
    Returns (Xn, mu, sigma), float arrays:
      mu    shape (d,): the column means;
      sigma shape (d,): the column standard deviations with ddof=0 (np.std's default) PLUS 1e-8,
            so a constant column gets sigma = 1e-8, not 0;
      Xn    shape (N, d): X standardised with exactly this mu and sigma (a constant column becomes zeros).
    The tests also pass float32 input, a single row, and constant columns.
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    mu = X.mean(axis=0)
    sigma = X.std(axis=0) + 1e-8
    Xn = (X - mu) / sigma
    return Xn, mu, sigma
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_standardize", "points": 3}
X = np.array([[1.0, 4.0], [3.0, 4.0]])
result = call(standardize, X)
assert isinstance(result, tuple) and len(result) == 3, "standardize: return a tuple (Xn, mu, sigma)"
Xn, mu, sigma = result
assert_shape("standardize: Xn", Xn, (2, 2), case="X of shape (2, 2)")
assert_shape("standardize: mu", mu, (2,), case="one mean per column")
assert_shape("standardize: sigma", sigma, (2,), case="one standard deviation per column")
assert_close("standardize: mu", mu, [2.0, 4.0], case="X=[[1, 4], [3, 4]]")
# column 0: values 1 and 3, population std 1; column 1 is constant: std 0, so sigma = 1e-8
assert_close("standardize: sigma", sigma, [1.0 + 1e-8, 1e-8], rtol=1e-6, atol=0,
             case="X=[[1, 4], [3, 4]]: sigma is np.std(X, axis=0) + 1e-8")
assert_close("standardize: Xn", Xn, [[-1.0, 0.0], [1.0, 0.0]], case="X=[[1, 4], [3, 4]] (a constant column becomes 0)")
assert_unchanged("standardize", "X", [[1.0, 4.0], [3.0, 4.0]], X)
Xn_credit_check, _, _ = standardize(X_credit)
assert_close("standardize: column means of Xn", Xn_credit_check.mean(axis=0), np.zeros(3), atol=1e-9,
             case="the credit data")
assert_close("standardize: column std of Xn", Xn_credit_check.std(axis=0), np.ones(3), rtol=1e-6,
             case="the credit data")
print("standardize: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(404)


def _expected_standardize(_X):
    _N, _d = _X.shape
    _mu = np.array([sum(float(_X[i, j]) for i in range(_N)) / _N for j in range(_d)])
    _s = np.array([np.sqrt(sum((float(_X[i, j]) - _mu[j]) ** 2 for i in range(_N)) / _N) for j in range(_d)])
    _sigma = _s + 1e-8
    _Xn = np.array([[(float(_X[i, j]) - _mu[j]) / _sigma[j] for j in range(_d)] for i in range(_N)])
    return _Xn, _mu, _sigma


# a constant column among others, and several constant columns
_X = np.array([[2.0, 7.0, -1.0], [4.0, 7.0, -1.0], [9.0, 7.0, -1.0], [1.0, 7.0, -1.0]])
_X0 = _X.copy()
_Xn, _mu, _sigma = standardize(_X)
_eXn, _emu, _esigma = _expected_standardize(_X0)
assert_close("standardize: sigma", _sigma, _esigma, rtol=1e-7, atol=0,
             case="X with constant columns 1 and 2: sigma = np.std(X, axis=0) + 1e-8, so 1e-8 for a constant column")
assert_close("standardize: Xn", _Xn, _eXn, rtol=1e-7, atol=1e-9, case="columns 1 and 2 are constant: they become 0, not NaN")
assert_close("standardize: mu", _mu, [4.0, 7.0, -1.0], case="columns 1 and 2 are constant")
assert_unchanged("standardize", "X", _X0, _X)

for _shape in [(7, 3), (4, 1), (6, 5), (3, 2), (2, 4)]:
    _X = _rng.normal(size=_shape) * _rng.uniform(0.01, 100.0, size=_shape[1]) + _rng.normal(size=_shape[1]) * 10
    _X0 = _X.copy()
    _case = f"X of shape {_shape}"
    _Xn, _mu, _sigma = standardize(_X)
    _eXn, _emu, _esigma = _expected_standardize(_X0)
    assert_shape("standardize: Xn", _Xn, _shape, case=_case)
    assert_shape("standardize: mu", _mu, (_shape[1],), case=_case)
    assert_shape("standardize: sigma", _sigma, (_shape[1],), case=_case)
    assert_close("standardize: mu", _mu, _emu, rtol=1e-10, atol=1e-12, case=_case)
    assert_close("standardize: sigma", _sigma, _esigma, rtol=1e-7, atol=0,
                 case=f"{_case}: population std (ddof=0) of each column, plus 1e-8")
    assert_close("standardize: Xn", _Xn, _eXn, rtol=1e-7, atol=1e-9, case=_case)
    assert_unchanged("standardize", "X", _X0, _X)
# a single row: every column is constant
_X = np.array([[0.3, 25.0, 2.0, -4.0]])
_Xn, _mu, _sigma = standardize(_X)
assert_close("standardize: Xn", _Xn, np.zeros((1, 4)), atol=1e-9, case="a single row (N=1)")
assert_close("standardize: mu", _mu, [0.3, 25.0, 2.0, -4.0], case="a single row (N=1)")
assert_close("standardize: sigma", _sigma, np.full(4, 1e-8), rtol=1e-6, atol=0, case="a single row (N=1)")
# float32 input
_X32 = (_rng.normal(size=(6, 3)) * [1.0, 20.0, 0.5] + [0.0, 40.0, 1.0]).astype(np.float32)
_X32_0 = _X32.copy()
_Xn, _mu, _sigma = standardize(_X32)
_eXn, _emu, _esigma = _expected_standardize(_X32_0.astype(float))
assert_close("standardize: Xn", _Xn, _eXn, rtol=1e-4, atol=1e-5, case="float32 input")
assert_close("standardize: mu", _mu, _emu, rtol=1e-5, atol=1e-6, case="float32 input")
assert_close("standardize: sigma", _sigma, _esigma, rtol=1e-5, atol=1e-6, case="float32 input")
assert_unchanged("standardize", "X", _X32_0, _X32)
# the credit data, against the numbers worked out by hand
_Xn, _mu, _sigma = standardize(X_credit)
assert_close("standardize: mu", _mu, [0.46, 35.6, 1.2], case="the credit data")
assert_close("standardize: sigma", _sigma, [np.sqrt(0.0904) + 1e-8, np.sqrt(124.24) + 1e-8, np.sqrt(1.36) + 1e-8],
             rtol=1e-9, case="the credit data")
### END HIDDEN TESTS

# %%
Xn_credit, mu_credit, sigma_credit = standardize(X_credit)
for name, m, s in zip(FEATURES, mu_credit, sigma_credit):
    print(f"{name:14s} mean {m:7.3f}   std {s:7.3f}")
print("standardised rows:\n", Xn_credit.round(3))

# %% [markdown]
# ## 3. The model: a `Linear` layer (given)
#
# The model is the layer you built in stage 02 with one output: $\hat y = X^{n} W^\top + b$,
# with $W$ of shape $(1, d)$ and $b$ of shape $(1,)$. Here it is, ready to use (this cell is
# read-only).

# %% nbgrader={"grade_id": "given_linear", "locked": true}
class Linear:
    """A fully connected layer y = x @ W.T + b acting on a batch of rows (from stage 02)."""

    def __init__(self, in_dim, out_dim, rng=None):
        """W: (out_dim, in_dim), Xavier-uniform from `rng`; b: (out_dim,) zeros; dW, db: zeros."""
        if rng is None:
            rng = np.random.default_rng()
        bound = np.sqrt(6.0 / (in_dim + out_dim))
        self.W = rng.uniform(-bound, bound, size=(out_dim, in_dim))
        self.b = np.zeros(out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x):
        """x: shape (B, in_dim). Keeps x as self.x and returns x @ W.T + b, shape (B, out_dim)."""
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, dout):
        """dout: dL/dy, shape (B, out_dim). Sets self.dW = dout.T @ x, self.db = dout.sum(0); returns dout @ W."""
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W


# %% [markdown]
# ## 4. The L2 penalty
#
# Plain least squares minimises the mean squared error. Ridge regression adds the squared size of
# the weights, scaled by a strength $\lambda \ge 0$:
#
# $$L(W, b) = \underbrace{\frac{1}{N}\sum_{i=1}^{N} (\hat y_i - y_i)^2}_{\text{fit}}
#   \;+\; \underbrace{\lambda \sum_{j} W_j^2}_{\text{penalty } \lambda \lVert W \rVert^2}.$$
#
# The penalty pulls every weight towards zero; the fit term pulls the weights towards whatever
# explains the data. A weight survives only if it buys enough fit to pay for its size. With
# $\lambda = 0$ we are back to least squares; as $\lambda \to \infty$ all weights go to zero.
#
# The **bias is not penalised**: it only shifts every prediction by the same amount. Penalising it
# would drag the predictions towards a score of 0, which has nothing to do with model complexity
# (with standardised features the best bias is simply the mean score, whatever $\lambda$ is).
#
# **TODO:** implement `l2_penalty`: the penalty term above for a weight array of any shape, as a
# Python float. Do not modify `W`.
#
# <details><summary>Hint 1: the idea</summary>
#
# "All entries" means every entry of the array, whatever its shape: square them elementwise and
# add them all up; numpy's `np.sum` without an `axis` does exactly that.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# The sum of **squares**, not the norm: for `W = [[3, 4]]` and $\lambda = 1$ the penalty is 25, not
# 5. `float(...)` turns a numpy number into a Python float.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $\lambda \sum_j W_j^2$, for example `float(lam * np.sum(W ** 2))`.
#
# </details>

# %% nbgrader={"grade_id": "l2_penalty", "solution": true}
def l2_penalty(W, lam):
    """The L2 penalty lam * (sum of the squares of all entries of W).

    W: array of any shape (here the weights of a Linear layer, shape (out_dim, in_dim)). Not modified.
    lam: the strength, a float >= 0.
    Returns a Python float.
    """
    ### BEGIN SOLUTION
    return float(lam * np.sum(np.square(W)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_l2_penalty", "points": 2}
W = np.array([[1.0, -2.0, 3.0]])
penalty = assert_scalar("l2_penalty", call(l2_penalty, W, 0.1), case="W=[[1, -2, 3]], lam=0.1")
assert_close("l2_penalty", penalty, 1.4, case="W=[[1, -2, 3]], lam=0.1: 0.1 * (1 + 4 + 9)")
assert_close("l2_penalty", l2_penalty(W, 0.0), 0.0, case="lam=0: no penalty")
assert_close("l2_penalty", l2_penalty(np.zeros((1, 4)), 3.0), 0.0, case="W = 0")
assert_unchanged("l2_penalty", "W", [[1.0, -2.0, 3.0]], W)
print("l2_penalty: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(4040)
for _shape, _lam in [((1, 5), 0.37), ((3, 4), 2.5), ((1, 1), 0.8), ((6,), 1e-3), ((2, 3, 2), 10.0)]:
    _W = _rng.normal(size=_shape) * 2.0
    _W0 = _W.copy()
    _expected = _lam * sum(float(v) * float(v) for v in _W0.ravel())
    _case = f"W of shape {_shape}, lam={_lam}"
    _got = assert_scalar("l2_penalty", l2_penalty(_W, _lam), case=_case)
    assert_close("l2_penalty", _got, _expected, rtol=1e-10, atol=1e-14, case=_case)
    assert_unchanged("l2_penalty", "W", _W0, _W)
assert_close("l2_penalty", l2_penalty(np.array([[-3.0, 4.0]]), 1.0), 25.0, case="W=[[-3, 4]], lam=1 (not the norm 5)")
assert_close("l2_penalty", l2_penalty(np.array([[0.5]]), 2.0), 0.5, case="W=[[0.5]], lam=2")
_W32 = np.array([[0.5, -1.5, 2.0]], dtype=np.float32)
_got = assert_scalar("l2_penalty", l2_penalty(_W32, 0.2), case="float32 W")
assert_close("l2_penalty", _got, 0.2 * (0.25 + 2.25 + 4.0), rtol=1e-6, case="float32 W")
### END HIDDEN TESTS

# %% [markdown]
# Gradient descent also needs the gradient of the penalty: the array of its derivatives with
# respect to every entry of $W$, of the same shape as $W$.
#
# **TODO:** implement `l2_gradient`. Derive it first; do not modify `W`.
#
# <details><summary>Hint 1: the idea</summary>
#
# Take one entry $W_j$ and hold all the others fixed. Of all the terms of $\lambda \sum_k W_k^2$,
# only one changes when $W_j$ moves.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# $\dfrac{\partial}{\partial W_j} \lambda \sum_k W_k^2 = \lambda \dfrac{\partial W_j^2}{\partial W_j}$:
# the derivative of a square, times $\lambda$. It is the same rule for every entry, so the whole
# gradient is one elementwise expression in $W$.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $\nabla_W \big(\lambda \lVert W \rVert^2\big) = 2 \lambda W$, returned as a new array.
#
# </details>

# %% nbgrader={"grade_id": "l2_gradient", "solution": true}
def l2_gradient(W, lam):
    """The gradient of l2_penalty(W, lam) with respect to W.

    W: array of any shape. Not modified. lam: a float >= 0.
    Returns a new float array of W's shape: entry j is the derivative of the penalty with respect
    to that entry of W. The tests compare it with a numerical gradient, also for float32 W.
    """
    ### BEGIN SOLUTION
    return 2.0 * lam * np.asarray(W, dtype=float)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_l2_gradient", "points": 2}
W = np.array([[1.0, -2.0, 3.0]])
grad_W = call(l2_gradient, W, 0.1)
assert_shape("l2_gradient", grad_W, (1, 3), case="the gradient has the shape of W")
assert_close("l2_gradient", grad_W, [[0.2, -0.4, 0.6]], case="W=[[1, -2, 3]], lam=0.1")
assert_close("l2_gradient", l2_gradient(W, 0.0), np.zeros((1, 3)), case="lam=0")
assert_unchanged("l2_gradient", "W", [[1.0, -2.0, 3.0]], W)
print("l2_gradient: visible tests passed")
### BEGIN HIDDEN TESTS
from helpers.testing import assert_gradient_close as _assert_gradient_close


def _numerical_gradient(f, x, h=1e-5):
    """The tests' own central differences of a scalar f at x (x is restored)."""
    grad = np.zeros(x.shape, dtype=float)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = float(f(x))
        x[index] = saved - h
        minus = float(f(x))
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


_rng = np.random.default_rng(4041)
for _shape, _lam in [((1, 5), 0.37), ((3, 4), 2.5), ((1, 1), 0.8), ((6,), 1e-2), ((2, 3, 2), 4.0)]:
    _W = _rng.normal(size=_shape) * 2.0
    _W0 = _W.copy()
    _case = f"W of shape {_shape}, lam={_lam}"
    _got = l2_gradient(_W, _lam)
    assert_unchanged("l2_gradient", "W", _W0, _W)
    _num = _numerical_gradient(lambda _Wp: _lam * np.sum(_Wp ** 2), _W0.copy())
    _assert_gradient_close("l2_gradient", _got, _num, tol=1e-7, case=_case)
    assert_close("l2_gradient", _got, 2 * _lam * _W0, rtol=1e-10, atol=1e-14, case=_case)
_W32 = np.array([[0.5, -1.5, 2.0]], dtype=np.float32)
_W32_0 = _W32.copy()
assert_close("l2_gradient", l2_gradient(_W32, 0.3), [[0.3, -0.9, 1.2]], rtol=1e-6, case="float32 W")
assert_unchanged("l2_gradient", "W", _W32_0, _W32)
### END HIDDEN TESTS

# %% [markdown]
# With the gradient $2\lambda W$, a gradient step on the whole loss is
# $W \leftarrow W - \eta\,2\lambda W - \eta\,\nabla_W(\text{fit}) = (1 - 2\eta\lambda)\,W -
# \eta\,\nabla_W(\text{fit})$: every step first shrinks the weights by a constant factor, which is
# why deep-learning libraries call the L2 penalty **weight decay**.

# %% [markdown]
# ## 5. Training with the penalty
#
# The model is $\hat y = X^n W^\top + b$ (shape $(N, 1)$), with the targets as a column $y$ of
# shape $(N, 1)$. `Linear.backward` already knows how to turn $\partial L / \partial \hat y$ into
# the gradients of $W$ and $b$; what it needs from you is that $\partial L / \partial \hat y$ for
# the fit term, and the penalty's part of the gradient added afterwards.
#
# **Watch the shapes.** `lin.forward` returns $(N, 1)$. If `y` has shape $(N,)$, then
# `yhat - y` silently broadcasts to an $(N, N)$ matrix of every prediction minus every target.
# Reshape `y` to a column first (`y.reshape(-1, 1)`).
#
# **TODO:** implement `train_linear_l2`, following the recipe in the docstring exactly.
#
# <details><summary>Hint 1: the idea</summary>
#
# The loss is a sum of two terms, so its gradient is the sum of their gradients. The fit term
# depends on $W$ and $b$ only through the predictions $\hat y$: get $\partial(\text{fit}) /
# \partial \hat y$ and let `lin.backward` do the chain rule to $W$ and $b$. The penalty depends on
# $W$ alone, and you wrote its gradient above.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# The fit term is $\frac{1}{N}\sum_i (\hat y_i - y_i)^2$. Differentiate it with respect to one
# prediction $\hat y_i$: only one term of the sum contains it (stage 01 did the same for $w$ and
# $b$). That gives a column of shape $(N, 1)$ to pass to `lin.backward`; afterwards `lin.dW` and
# `lin.db` hold the fit part of the gradients.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $\dfrac{\partial(\text{fit})}{\partial \hat y} = \dfrac{2}{N}(\hat y - y)$, so
# $\nabla_W L = \Big(\dfrac{2}{N}(\hat y - y)\Big)^{\!\top} X^n + 2\lambda W$ (`lin.dW` plus
# `l2_gradient(lin.W, lam)`) and $\nabla_b L = \sum_i \dfrac{2}{N}(\hat y_i - y_i)$ (`lin.db`
# as it is).
#
# </details>

# %% nbgrader={"grade_id": "train_linear_l2", "solution": true}
def train_linear_l2(Xn, y, lam, lr, epochs):
    """Fit a Linear(d, 1) layer by full-batch gradient descent on the MSE plus an L2 penalty on W.

    Xn: inputs, shape (N, d) (standardised features here, but any floats work). Not modified.
    y: targets, shape (N,) or (N, 1); treat them as a column of shape (N, 1). Not modified.
    lam: the L2 strength (>= 0); lr: the learning rate; epochs: the number of updates.

    Start from lin = Linear(d, 1, rng=np.random.default_rng(0)). Then, in every epoch:
      1. yhat = lin.forward(Xn), shape (N, 1);
      2. loss = mean over the N samples of (yhat - y)**2  +  l2_penalty(lin.W, lam);
         append it to `losses` as a float (so losses[t] is the loss before update t);
      3. gradients: pass dL/dyhat of the MSE term (shape (N, 1)) to lin.backward, then add
         l2_gradient(lin.W, lam) to the weight gradient; the bias gets no penalty;
      4. lin.W -= lr * (weight gradient);  lin.b -= lr * (bias gradient).
    Returns (lin, losses): the trained layer and a list of `epochs` floats, each including the penalty.
    The tests check the losses of a layer that does not move (lr = 0) and, after many epochs, that
    the layer is the exact minimiser of MSE + lam * |W|^2 with an unpenalised bias.
    """
    ### BEGIN SOLUTION
    n_samples, n_features = Xn.shape
    y_col = np.asarray(y, dtype=float).reshape(-1, 1)
    lin = Linear(n_features, 1, rng=np.random.default_rng(0))
    losses = []
    for _ in range(epochs):
        yhat = lin.forward(Xn)
        residual = yhat - y_col
        losses.append(float(np.mean(residual ** 2)) + l2_penalty(lin.W, lam))
        lin.backward(2.0 * residual / n_samples)
        grad_W = lin.dW + l2_gradient(lin.W, lam)
        grad_b = lin.db
        lin.W -= lr * grad_W
        lin.b -= lr * grad_b
    return lin, losses
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_linear_l2", "points": 4}
# train_linear_l2 uses your l2_penalty and l2_gradient: they must be right first.
for name, fn, expected in [("l2_penalty", l2_penalty, 2.5), ("l2_gradient", l2_gradient, [[1.0, -2.0]])]:
    try:
        got = np.asarray(fn(np.array([[1.0, -2.0]]), 0.5), dtype=float)
        right = got.shape == np.shape(expected) and np.allclose(got, expected)
        got = got.tolist()
    except NotImplementedError:
        got, right = "no result: it is not implemented yet", False
    except Exception as error:  # noqa: BLE001 (any error means the function is not ready)
        got, right = f"an error ({type(error).__name__}: {error})", False
    assert right, (f"train_linear_l2 calls {name}: fix `{name}` first (its test above fails): "
                   f"{name}(W=[[1, -2]], lam=0.5) should be {expected}, got {got}")
# Two points, x = -1 and x = 1, with y = 1 and y = 3. The best bias is the mean, 2, and the weight
# w minimises ((1 - w)**2 + (w - 1)**2) / 2 + lam * w**2: w = 1 for lam = 0 and w = 0.5 for lam = 1.
X_small = np.array([[-1.0], [1.0]])
y_small = np.array([1.0, 3.0])
try:
    result = call(train_linear_l2, X_small, y_small, 1.0, 0.1, 500)
except ValueError as error:
    raise AssertionError(
        f"train_linear_l2 raised ValueError: {error}. Check the shapes: lin.forward returns (N, 1), "
        "so reshape y of shape (N,) to (N, 1) before subtracting, and pass a (N, 1) array to backward."
    ) from None
assert isinstance(result, tuple) and len(result) == 2, "train_linear_l2: return a tuple (lin, losses)"
lin_small, losses_small = result
assert_shape("train_linear_l2: lin.W", lin_small.W, (1, 1), case="a Linear(1, 1) layer for 1 feature")
assert_shape("train_linear_l2: lin.b", lin_small.b, (1,), case="a Linear(1, 1) layer for 1 feature")
assert len(losses_small) == 500, f"train_linear_l2: expected 500 losses (one per epoch), got {len(losses_small)}"
assert_close("train_linear_l2: lin.W", lin_small.W, [[0.5]], atol=1e-6, case="lam=1 halves the least-squares weight 1")
assert_close("train_linear_l2: lin.b", lin_small.b, [2.0], atol=1e-6, case="the bias is not penalised: it reaches mean(y) = 2")
assert_close("train_linear_l2: final loss", losses_small[-1], 0.5, rtol=1e-6,
             case="at w=0.5, b=2: MSE 0.25 plus penalty 1 * 0.5**2 = 0.25")
lin_small, _ = train_linear_l2(X_small, y_small, 0.0, 0.1, 500)
assert_close("train_linear_l2: lin.W", lin_small.W, [[1.0]], atol=1e-6, case="lam=0: plain least squares")
print("train_linear_l2: visible tests passed")
### BEGIN HIDDEN TESTS
def _ridge_solution(_X, _y, _lam):
    """Minimiser of mean((X w + b - y)**2) + lam*|w|**2 with b free: centre, solve, recover b."""
    _X = np.asarray(_X, dtype=float)
    _y = np.asarray(_y, dtype=float).reshape(-1)
    _N, _d = _X.shape
    _xbar, _ybar = _X.mean(axis=0), _y.mean()
    _Xc, _yc = _X - _xbar, _y - _ybar
    _w = np.linalg.solve(_Xc.T @ _Xc / _N + _lam * np.eye(_d), _Xc.T @ _yc / _N)
    _b = _ybar - _xbar @ _w
    _objective = np.mean((_X @ _w + _b - _y) ** 2) + _lam * np.sum(_w ** 2)
    return _w, _b, _objective


def _loss_at(_X, _y, _W, _b, _lam):
    """mean over samples of (x W^T + b - y)^2 plus lam * sum(W^2), by explicit loops."""
    _X = np.asarray(_X, dtype=float)
    _y = np.asarray(_y, dtype=float).reshape(-1)
    _W = np.asarray(_W, dtype=float).reshape(-1)
    _b = float(np.asarray(_b, dtype=float).reshape(-1)[0])
    _N, _d = _X.shape
    _fit = sum((sum(_X[i, j] * _W[j] for j in range(_d)) + _b - _y[i]) ** 2 for i in range(_N)) / _N
    return _fit + _lam * sum(_W[j] ** 2 for j in range(_d))


_rng = np.random.default_rng(4042)
# (a) lr = 0: the parameters never move, so every loss must be the loss of the returned layer
for _N, _d, _lam, _column in [(6, 3, 0.7, False), (4, 2, 2.0, True), (1, 3, 0.5, False)]:
    _X = _rng.normal(size=(_N, _d))
    _y = _rng.normal(size=_N) * 3 + 1
    if _column:
        _y = _y.reshape(-1, 1)
    _X0, _y0 = _X.copy(), _y.copy()
    _case = f"lr=0 (parameters stay put), N={_N}, d={_d}, lam={_lam}, y of shape {_y.shape}"
    _lin, _losses = train_linear_l2(_X, _y, _lam, 0.0, 3)
    assert_unchanged("train_linear_l2", "Xn", _X0, _X)
    assert_unchanged("train_linear_l2", "y", _y0, _y)
    assert_shape("train_linear_l2: lin.W", _lin.W, (1, _d), case=_case)
    assert_shape("train_linear_l2: lin.b", _lin.b, (1,), case=_case)
    assert len(_losses) == 3, f"train_linear_l2 ({_case}): expected 3 losses for 3 epochs, got {len(_losses)}"
    _expected = _loss_at(_X0, _y0, _lin.W, _lin.b, _lam)
    for _t in range(3):
        _got = assert_scalar("train_linear_l2: losses[t]", _losses[_t], case=_case)
        assert_close(f"train_linear_l2: losses[{_t}]", _got, _expected, rtol=1e-9, atol=1e-12,
                     case=f"{_case}: MSE (mean over samples) + lam * sum(W**2)")
# (b) after convergence the layer is the exact ridge solution, whatever it started from
_cases = []
_X = _rng.normal(size=(8, 3)) + [0.5, -0.3, 0.2]
_cases.append(("N=8, d=3, uncentred inputs", _X, _X @ [1.5, -2.0, 0.5] + 0.7 + 0.3 * _rng.normal(size=8), 0.1, 0.1, 3000))
_X = _rng.normal(size=(5, 1))
_cases.append(("N=5, d=1, y of shape (N, 1)", _X, (2.0 * _X[:, 0] - 1.0 + 0.5 * _rng.normal(size=5)).reshape(-1, 1), 1.0, 0.1, 2000))
_X = _rng.normal(size=(4, 5)) * 0.7
_cases.append(("N=4, d=5 (more features than rows)", _X, _rng.normal(size=4) * 2, 0.5, 0.1, 3000))
_cases.append(("N=1, d=2", np.array([[0.4, -0.8]]), np.array([3.0]), 0.3, 0.2, 3000))
_X = _rng.normal(size=(7, 3))
_X = (_X - _X.mean(axis=0)) / _X.std(axis=0)
_cases.append(("N=7, d=3, standardised inputs, mean(y) = 50, lam = 10 (the bias must still reach mean(y))",
               _X, 50.0 + _X @ [3.0, -1.0, 2.0] + _rng.normal(size=7), 10.0, 0.04, 1500))
_X = (_rng.normal(size=(6, 2)) * 0.8).astype(np.float32)
_cases.append(("N=6, d=2, float32 inputs", _X, (_X @ np.array([1.0, -0.5], dtype=np.float32) + 0.25).astype(np.float32), 0.2, 0.1, 2000))
for _name, _X, _y, _lam, _lr, _epochs in _cases:
    _X0, _y0 = _X.copy(), _y.copy()
    _case = f"{_name}, lam={_lam}, lr={_lr}, {_epochs} epochs"
    _lin, _losses = train_linear_l2(_X, _y, _lam, _lr, _epochs)
    assert_unchanged("train_linear_l2", "Xn", _X0, _X)
    assert_unchanged("train_linear_l2", "y", _y0, _y)
    _d = _X.shape[1]
    assert_shape("train_linear_l2: lin.W", _lin.W, (1, _d), case=_case)
    assert_shape("train_linear_l2: lin.b", _lin.b, (1,), case=_case)
    assert len(_losses) == _epochs, f"train_linear_l2 ({_case}): expected {_epochs} losses, got {len(_losses)}"
    _losses_arr = np.array([assert_scalar("train_linear_l2: losses[t]", _v, case=_case) for _v in _losses])
    _w_star, _b_star, _obj_star = _ridge_solution(_X0, _y0, _lam)
    _tol = 1e-4 if _X.dtype == np.float32 else 1e-6
    assert_close("train_linear_l2: lin.W", _lin.W, _w_star.reshape(1, -1), rtol=_tol, atol=_tol,
                 case=f"{_case}: the minimiser of MSE + lam*|W|^2 with an unpenalised bias")
    assert_close("train_linear_l2: lin.b", _lin.b, [_b_star], rtol=_tol, atol=_tol,
                 case=f"{_case}: the bias is not penalised")
    assert_close("train_linear_l2: final loss", _losses_arr[-1], _obj_star, rtol=_tol, atol=_tol,
                 case=f"{_case}: the loss includes the penalty")
    _rises = np.diff(_losses_arr) > 1e-9 * (1.0 + np.abs(_losses_arr[:-1]))
    assert not _rises.any(), (
        f"train_linear_l2 ({_case}): the loss rose at epoch {int(np.argmax(_rises)) + 1}; "
        "with a small learning rate gradient descent on this convex loss never goes up")
### END HIDDEN TESTS

# %% [markdown]
# ## 6. What the penalty does
#
# ### Loss curves
#
# Train on the five standardised applicants with increasing $\lambda$. The plotted loss includes
# the penalty. The early, steep part is the bias climbing from 0 to the average score of about
# 660; after that each curve settles at its own floor, and a larger $\lambda$ means a higher floor:
# the penalty forbids the weights from fitting the data as closely as they could.

# %%
curve_lams = [0.0, 1e-2, 1e-1, 1.0, 10.0]
curves = {}
for lam in curve_lams:
    _, losses = train_linear_l2(Xn_credit, y_credit, lam, lr=0.05, epochs=400)
    curves[f"lambda = {lam:g}"] = losses
    print(f"lambda = {lam:<5g} final loss (MSE + penalty) = {losses[-1]:9.2f}")

plot_losses(curves, title="Training loss with an L2 penalty (5 applicants)", ylabel="MSE + penalty (log scale)",
            logy=True)
plt.show()

# %% [markdown]
# ### Weight paths
#
# Now sweep $\lambda$ over five orders of magnitude and record each weight, the length
# $\lVert W \rVert$ of the weight vector, and the training MSE (the fit term alone). The learning
# rate shrinks as $\lambda$ grows: the penalty makes the loss steeper, and a step that is safe for
# a gentle bowl overshoots a steep one.
#
# While nbgrader grades a submission, this sweep and the leave-one-out sweep below are cut short
# (4 values of $\lambda$ and 300 epochs here, 2 values and 200 epochs there), so the numbers and
# curves in a graded copy differ from the ones discussed in the text.

# %%
def fit_credit_model(Xn, y, lam, epochs=3000):
    """train_linear_l2 with a learning rate that is stable for this lambda (curvature <= 2(3 + lam))."""
    return train_linear_l2(Xn, y, lam, lr=1.0 / (2.0 * (3.0 + lam)), epochs=epochs)


# Under the grader (which runs every cell of each submission) a short, coarse sweep stands in.
path_lams = np.logspace(-3, 2, 4) if under_grader() else np.logspace(-3, 2, 16)
path_epochs = 300 if under_grader() else 3000
path_weights, path_mse = [], []
for lam in path_lams:
    lin, _ = fit_credit_model(Xn_credit, y_credit, lam, epochs=path_epochs)
    path_weights.append(lin.W[0].copy())
    path_mse.append(float(np.mean((lin.forward(Xn_credit)[:, 0] - y_credit) ** 2)))
path_weights = np.array(path_weights)
path_norms = np.linalg.norm(path_weights, axis=1)
print(f"{'lambda':>8s} " + " ".join(f"{name:>14s}" for name in FEATURES) + f" {'|W|':>8s}")
for lam, weights, norm in zip(path_lams, path_weights, path_norms):
    print(f"{lam:8.3g} " + " ".join(f"{w:14.2f}" for w in weights) + f" {norm:8.2f}")

fig, (ax_w, ax_mse) = plt.subplots(1, 2, figsize=(12, 4))
for j, name in enumerate(FEATURES):
    ax_w.plot(path_lams, path_weights[:, j], marker="o", ms=4, label=name)
ax_w.plot(path_lams, path_norms, color="black", ls="--", lw=1.5, label="|W|, the length of the weight vector")
ax_w.axhline(0.0, color="black", lw=0.8)
ax_w.set_xscale("log")
ax_w.set_title("Standardised weights: their length shrinks, one weight first grows")
ax_w.set_xlabel("lambda (log scale)")
ax_w.set_ylabel("weight (score points per std of the feature)")
ax_w.set_ylim(-22, 58)  # room above the curves for the legend
ax_w.legend(loc="upper center", ncol=2, fontsize=9)
ax_mse.plot(path_lams, path_mse, marker="o", ms=4, color="tab:red", label="training MSE (fit term only)")
ax_mse.set_xscale("log")
ax_mse.set_yscale("log")
ax_mse.set_title("...and the fit to the training data gets worse")
ax_mse.set_xlabel("lambda (log scale)")
ax_mse.set_ylabel("training MSE (log scale)")
ax_mse.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The penalty shrinks the **length** of the weight vector, $\lVert W \rVert$, all the way (the
# dashed line and the last column of the table), but not every weight: from $\lambda = 0.001$ to
# about $0.2$ the `late_payments` weight grows from about $-12$ to about $-18$ before it shrinks,
# and the `utilization` weight first shrinks, then grows a little again. The features are strongly
# correlated, so the data hardly say how to split their effect between them, and least squares
# picks an uneven split. The penalty prefers an even one: for a fixed total $w_1 + w_2$, the sum
# of squares $w_1^2 + w_2^2$ is smallest when $w_1 = w_2$. So as $\lambda$ grows the correlated
# weights move towards each other (at $\lambda = 10$ all three are between 4.6 and 4.7 in size) while the
# whole vector shrinks.
#
# With two features the same thing can be drawn in the plane of the two weights. Below,
# standardised utilization and late payments (correlation 0.99) alone: the training MSE is a long
# narrow valley (many splits fit almost equally well), the penalty is a bowl centred at 0, and the
# red curve is the minimiser of their sum as $\lambda$ grows (computed in closed form). It does not
# head straight for 0: it first slides along the valley towards the even split, and only then
# shrinks.
#
# ![The minimiser of MSE plus penalty for two correlated features: from the least-squares point it slides along the narrow valley of the MSE towards equal weights, then shrinks towards zero](figure:ridge_path)

# %% [markdown]
# ### Does the penalty help on an applicant the model has not seen?
#
# The training MSE can only get worse as $\lambda$ grows. The real question is how well the model
# predicts someone **new**. With five applicants we cannot afford a separate test set, so we use
# **leave-one-out**: train on four applicants (standardised with *their own* mean and standard
# deviation), predict the fifth, and repeat for each of the five. The root mean squared error of
# those five held-out predictions estimates the error on a new applicant. (We stop at
# $\lambda = 0.01$: below it, gradient descent along the nearly flat directions of these
# correlated features is slow. At $\lambda = 0.001$ the 2,000 epochs used here stop short, with a
# held-out RMSE of 23.3 instead of the 24.2 of the exact minimiser; it takes about 10,000.)

# %%
def leave_one_out_rmse(X, y, lam):
    """RMSE of predicting each row from a model trained on the other rows."""
    squared_errors = []
    for held_out in range(len(y)):
        keep = np.arange(len(y)) != held_out
        Xn_train, mu_train, sigma_train = standardize(X[keep])
        lin, _ = fit_credit_model(Xn_train, y[keep], lam, epochs=loo_epochs)
        x_new = (X[held_out:held_out + 1] - mu_train) / sigma_train
        squared_errors.append(float(lin.forward(x_new)[0, 0] - y[held_out]) ** 2)
    return float(np.sqrt(np.mean(squared_errors)))


# Under the grader (which runs every cell of each submission) two values stand in for the sweep.
loo_lams = [1e-1, 1.0] if under_grader() else [1e-2, 3e-2, 1e-1, 3e-1, 1.0, 3.0, 10.0]
loo_epochs = 200 if under_grader() else 2000
loo_rmse = [leave_one_out_rmse(X_credit, y_credit, lam) for lam in loo_lams]
for lam, err in zip(loo_lams, loo_rmse):
    print(f"lambda = {lam:<6g} leave-one-out RMSE = {err:6.2f} score points")

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(loo_lams, loo_rmse, marker="o", label="leave-one-out RMSE")
ax.plot(path_lams, np.sqrt(path_mse), ls="--", label="training RMSE (all 5 rows)")
ax.set_xscale("log")
ax.set_title("Error on unseen applicants versus lambda")
ax.set_xlabel("lambda (log scale)")
ax.set_ylabel("RMSE (score points)")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The held-out error is U-shaped: with almost no penalty the model chases the noise of four rows
# and misses the fifth (high variance); with a large penalty it hardly uses the features at all
# and predicts nearly the mean for everyone (high bias). In between, around $\lambda = 0.1$, it
# does best. We take **$\lambda = 0.1$** as our model.
#
# ### Which features matter?
#
# Because the features are standardised, the weights are comparable: each is the change in
# predicted score for a one-standard-deviation change in that feature, the others held fixed.

# %%
LAM = 0.1
lin_credit, losses_credit = train_linear_l2(Xn_credit, y_credit, LAM, lr=0.15, epochs=2000)
W_std, b_std = lin_credit.W.copy(), lin_credit.b.copy()
print(f"lambda = {LAM}: bias {b_std[0]:.2f} (the mean score is {y_credit.mean():.2f})")
print("features ranked by |standardised weight|:")
for rank, j in enumerate(np.argsort(-np.abs(W_std[0])), start=1):
    effect = "raises" if W_std[0, j] > 0 else "lowers"
    print(f"  {rank}. {FEATURES[j]:14s} {W_std[0, j]:+8.2f}  (one std more {effect} the score by {abs(W_std[0, j]):.1f})")

# %% [markdown]
# ## 7. Back to original units
#
# A lender wants "points per year of age", not "points per standard deviation of age". The trained
# model works on standardised inputs, $\hat y = \sum_j W^{std}_j x^n_j + b^{std}$ with
# $x^n_j = (x_j - \mu_j)/\sigma_j$. We want weights $W^{orig}$ and a bias $b^{orig}$ that give
# **the same prediction** straight from the raw values, $\hat y = \sum_j W^{orig}_j x_j + b^{orig}$,
# for every applicant. Use the $\sigma$ that `standardize` returned (with its $10^{-8}$), so that
# the two forms agree exactly: `X @ W_orig.T + b_orig` equals `Xn @ W_std.T + b_std`.
#
# **TODO:** derive $W^{orig}$ and $b^{orig}$, then implement `unstandardize_linear_weights`. Do not
# modify the inputs.
#
# <details><summary>Hint 1: the idea</summary>
#
# Substitute the standardisation into the standardised model and expand it. The result is again
# "a number times $x_j$, summed over $j$, plus a number": read off which number multiplies each
# $x_j$ (that is $W^{orig}_j$) and which part does not depend on $x$ at all (that is $b^{orig}$).
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# $W^{std}_j \dfrac{x_j - \mu_j}{\sigma_j} = \dfrac{W^{std}_j}{\sigma_j}\, x_j - \dfrac{W^{std}_j\,
# \mu_j}{\sigma_j}$. The first part multiplies $x_j$; the second is a constant, and the constants
# of all $j$ join $b^{std}$.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $$W^{orig}_j = \frac{W^{std}_j}{\sigma_j}, \qquad
#   b^{orig} = b^{std} - \sum_j \frac{W^{std}_j\, \mu_j}{\sigma_j} .$$
#
# In numpy, `W_std / sigma` broadcasts over the one row; the sum is a dot product with `mu`.
#
# </details>

# %% nbgrader={"grade_id": "unstandardize_linear_weights", "solution": true}
def unstandardize_linear_weights(W_std, b_std, mu, sigma):
    """Express a one-output linear model on standardised features in the original units.

    W_std: shape (1, d), the weights of a Linear(d, 1) trained on Xn = (X - mu) / sigma.
    b_std: shape (1,), its bias.
    mu, sigma: shape (d,), as returned by standardize (sigma includes the 1e-8).
    Returns (W_orig, b_orig) of shapes (1, d) and (1,) such that, for every X of shape (N, d),
    X @ W_orig.T + b_orig equals ((X - mu) / sigma) @ W_std.T + b_std (to rounding).
    Modifies none of its inputs; the tests also pass float32 arrays.
    """
    ### BEGIN SOLUTION
    W_orig = W_std / sigma
    b_orig = b_std - W_orig @ mu
    return W_orig, b_orig
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_unstandardize_linear_weights", "points": 3}
W_s, b_s = np.array([[2.0, -1.0]]), np.array([5.0])
mu_s, sigma_s = np.array([1.0, 10.0]), np.array([2.0, 5.0])
result = call(unstandardize_linear_weights, W_s, b_s, mu_s, sigma_s)
assert isinstance(result, tuple) and len(result) == 2, "unstandardize_linear_weights: return a tuple (W_orig, b_orig)"
W_o, b_o = result
assert_shape("unstandardize_linear_weights: W_orig", W_o, (1, 2), case="W_std of shape (1, 2)")
assert_shape("unstandardize_linear_weights: b_orig", b_o, (1,), case="b_std of shape (1,)")
case_s = "W_std=[[2, -1]], b_std=[5], mu=[1, 10], sigma=[2, 5]"
assert_close("unstandardize_linear_weights: W_orig", W_o, [[1.0, -0.2]], case=case_s)
assert_close("unstandardize_linear_weights: b_orig", b_o, [6.0], case=case_s)
X_s = np.array([[3.0, 5.0], [-1.0, 20.0], [1.0, 10.0]])
assert_close("unstandardize_linear_weights", X_s @ W_o.T + b_o, ((X_s - mu_s) / sigma_s) @ W_s.T + b_s,
             case="the two models must predict the same scores")
print("unstandardize_linear_weights: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(4043)
for _d in [1, 3, 5]:
    _W = _rng.normal(size=(1, _d)) * 10
    _b = _rng.normal(size=1) * 100
    _mu = _rng.normal(size=_d) * 20
    _sigma = _rng.uniform(0.05, 30.0, size=_d)
    _W0, _b0, _mu0, _sigma0 = _W.copy(), _b.copy(), _mu.copy(), _sigma.copy()
    _case = f"d={_d}"
    _Wo, _bo = unstandardize_linear_weights(_W, _b, _mu, _sigma)
    for _arg, _before, _after in [("W_std", _W0, _W), ("b_std", _b0, _b), ("mu", _mu0, _mu), ("sigma", _sigma0, _sigma)]:
        assert_unchanged("unstandardize_linear_weights", _arg, _before, _after)
    assert_shape("unstandardize_linear_weights: W_orig", _Wo, (1, _d), case=_case)
    assert_shape("unstandardize_linear_weights: b_orig", _bo, (1,), case=_case)
    _eWo = np.array([[_W0[0, j] / _sigma0[j] for j in range(_d)]])
    _ebo = np.array([_b0[0] - sum(_W0[0, j] * _mu0[j] / _sigma0[j] for j in range(_d))])
    assert_close("unstandardize_linear_weights: W_orig", _Wo, _eWo, rtol=1e-10, atol=1e-12, case=_case)
    assert_close("unstandardize_linear_weights: b_orig", _bo, _ebo, rtol=1e-10, atol=1e-9, case=_case)
    _X = _mu0 + _sigma0 * _rng.normal(size=(6, _d))
    _pred_std = np.array([sum(_W0[0, j] * (_X[i, j] - _mu0[j]) / _sigma0[j] for j in range(_d)) + _b0[0]
                          for i in range(6)])
    _pred_orig = np.asarray(_X @ np.asarray(_Wo).T + _bo).reshape(-1)
    assert_close("unstandardize_linear_weights", _pred_orig, _pred_std, rtol=1e-9, atol=1e-8,
                 case=f"{_case}: X @ W_orig.T + b_orig must equal ((X - mu) / sigma) @ W_std.T + b_std")
# the round trip through standardize, with a sigma that includes the 1e-8
_X = np.array([[0.2, 30.0, 1.0], [0.8, 50.0, 0.0], [0.5, 20.0, 4.0], [0.1, 65.0, 2.0]])
_mu = _X.mean(axis=0)
_sigma = _X.std(axis=0) + 1e-8
_W, _b = np.array([[-12.0, 20.0, -15.0]]), np.array([650.0])
_Wo, _bo = unstandardize_linear_weights(_W, _b, _mu, _sigma)
assert_close("unstandardize_linear_weights", (_X @ np.asarray(_Wo).T + _bo).reshape(-1),
             (((_X - _mu) / _sigma) @ _W.T + _b).reshape(-1), rtol=1e-12, atol=1e-9,
             case="credit-like data: predictions in original units must match the standardised model")
# float32 inputs
_Wo, _bo = unstandardize_linear_weights(np.array([[2.0, -1.0]], dtype=np.float32), np.array([5.0], dtype=np.float32),
                                        np.array([1.0, 10.0], dtype=np.float32), np.array([2.0, 5.0], dtype=np.float32))
assert_close("unstandardize_linear_weights: W_orig", _Wo, [[1.0, -0.2]], rtol=1e-6, case="float32 inputs")
assert_close("unstandardize_linear_weights: b_orig", _bo, [6.0], rtol=1e-6, case="float32 inputs")
### END HIDDEN TESTS

# %%
W_orig, b_orig = unstandardize_linear_weights(W_std, b_std, mu_credit, sigma_credit)
print(f"lambda = {LAM}, original units:")
print(f"  intercept                        {b_orig[0]:8.2f} points")
print(f"  utilization   per 0.10 (10 pp)   {W_orig[0, 0] * 0.10:+8.2f} points")
print(f"  age           per year           {W_orig[0, 1]:+8.2f} points")
print(f"  late payments per late payment   {W_orig[0, 2]:+8.2f} points")
max_gap = np.max(np.abs(X_credit @ W_orig.T + b_orig - lin_credit.forward(Xn_credit)))
print(f"max |original-units prediction - standardised prediction| on the data: {max_gap:.1e}")
assert max_gap < 1e-8, (f"fix `unstandardize_linear_weights` first (see its test above): on the credit data its "
                        f"weights predict up to {max_gap:.3g} points away from the standardised model")

# %% [markdown]
# ### Two new applicants
#
# Both use 30% of their limit and have never paid late. One is 21, the other 65. We predict each
# twice: through the trained layer (standardising the input with the **training** mean and
# $\sigma$), and by hand from the original-unit weights: intercept plus weight times value, term
# by term. The two must agree.

# %%
applicants = np.array([[0.30, 21.0, 0.0], [0.30, 65.0, 0.0]])
model_scores = lin_credit.forward((applicants - mu_credit) / sigma_credit)[:, 0]
for applicant, model_score in zip(applicants, model_scores):
    terms = [W_orig[0, j] * applicant[j] + 0.0 for j in range(3)]  # + 0.0 turns -0.0 into 0.0
    hand_score = b_orig[0] + terms[0] + terms[1] + terms[2]
    print(f"applicant {applicant.tolist()}:")
    print(f"  by hand: {b_orig[0]:.2f} + ({W_orig[0, 0]:.2f})(0.30) + ({W_orig[0, 1]:.3f})({applicant[1]:.0f})"
          f" + ({W_orig[0, 2]:.2f})(0) = {b_orig[0]:.2f} {terms[0]:+.2f} {terms[1]:+.2f} {terms[2]:+.2f}"
          f" = {hand_score:.2f}")
    print(f"  model:   {model_score:.2f}")
    assert np.isclose(hand_score, model_score, rtol=1e-9, atol=1e-9), "hand and model predictions disagree"
print(f"difference (65 - 21): {model_scores[1] - model_scores[0]:.2f} points "
      f"= 44 years x {W_orig[0, 1]:.3f} points per year")

# %% [markdown]
# ## 8. Cross-check with scikit-learn
#
# scikit-learn's `Ridge` fits the same model, but it writes the objective without the $1/N$:
#
# $$\text{ours: } \frac{1}{N}\lVert y - Xw - b\rVert^2 + \lambda \lVert w\rVert^2, \qquad
#   \text{Ridge: } \lVert y - Xw - b\rVert^2 + \alpha \lVert w\rVert^2 .$$
#
# Multiplying ours by $N$ does not move its minimum and turns it into Ridge's with
# $\alpha = N\lambda$. Ridge also leaves the intercept unpenalised, as we do. So `Ridge(alpha=N *
# lam)` on the same standardised data must find our weights, provided gradient descent has
# converged: at $\lambda = 0.1$ the slowest direction shrinks the error by a factor of about 0.97
# per epoch, so after 2000 epochs nothing of the starting point is left.

# %%
Ridge = None
if under_grader():  # importing scikit-learn takes about a second: the grader skips the cross-check
    print("running under the grader: skipping the scikit-learn cross-check")
else:
    try:
        from sklearn.linear_model import Ridge
    except ImportError:  # Colab and the course environment have it; a bare local install may not
        print("scikit-learn is not installed (pip install scikit-learn): skipping the cross-check")

if Ridge is not None:
    ridge = Ridge(alpha=N_credit * LAM).fit(Xn_credit, y_credit)
    print(f"alpha = N * lambda = {N_credit} * {LAM} = {N_credit * LAM:g}")
    print("gradient descent weights:", np.array2string(W_std[0], precision=6))
    print("sklearn Ridge weights:   ", np.array2string(ridge.coef_, precision=6))
    print(f"gradient descent bias {b_std[0]:.6f}, Ridge intercept {ridge.intercept_:.6f}")
    max_difference = max(np.max(np.abs(W_std[0] - ridge.coef_)), abs(b_std[0] - ridge.intercept_))
    print(f"max difference: {max_difference:.2e}")
    assert max_difference < 1e-6, "gradient descent and Ridge disagree: has training converged?"

# %% [markdown]
# ## 9. Checkpoints
#
# Answer in two or three sentences each, in your own words. These are graded by hand.
#
# **Checkpoint 1.** At $\lambda = 0.1$, which feature has the largest standardised weight, and what
# are the signs of the three weights? Do the signs make sense for credit scores? Why can the
# weights be compared with each other only because the features were standardised?

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_feature_ranking", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# Age has the largest weight (about +25 points per standard deviation), followed by late payments
# (about -18) and utilization (about -17), which are nearly tied. The signs make sense: older
# applicants have longer credit histories and score higher, while using more of one's limit and
# paying late both signal risk and lower the score. Each standardised weight is the effect of a
# one-standard-deviation change, so they share a unit and can be ranked; raw weights are per year,
# per payment and per unit of utilization, and their sizes would mostly reflect those units. The
# three features are also strongly correlated (|r| > 0.9), so the split of credit between them is
# shaky with five rows: in the weight-path plot the last two swap places below lambda ~ 0.02.
# ### END SOLUTION

# %% [markdown]
# **Checkpoint 2.** Describe what increasing $\lambda$ does to the weights and to the training
# error, and why the leave-one-out error is lowest at an intermediate $\lambda$. Why is
# regularisation especially important with only five applicants?

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_lambda_tradeoff", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# A larger lambda shrinks the weight vector smoothly towards 0 (never exactly 0) while the bias
# stays at the mean score, so the training error can only rise: from about 21 at lambda ~ 0 towards
# the variance of the scores (about 3800) for very large lambda. Not every weight shrinks at once:
# the late_payments weight grows from about -12 to -18 up to lambda ~ 0.2, because the penalty
# spreads the effect of the correlated features more evenly before it shrinks them all. Raising
# lambda trades variance for bias. With a tiny lambda the four parameters nearly interpolate five
# noisy points and the weights swing with every row (high variance, poor leave-one-out error);
# with a huge lambda the model ignores the features and predicts about the mean for everyone (high
# bias). The best held-out error sits in between (lambda ~ 0.1). With five rows, four parameters
# and strongly correlated features, least squares is barely determined, so without a penalty it
# overfits badly.
# ### END SOLUTION

# %% [markdown]
# **Checkpoint 3.** What scores did you compute by hand for the 21-year-old and the 65-year-old?
# What does their difference mean, and how far would you trust the prediction for the 65-year-old?

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_two_applicants", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# About 657 for the 21-year-old and 756 for the 65-year-old (hand and model agree). The applicants
# differ only in age, so the gap of about 98 points is exactly 44 years times the age weight of
# about 2.2 points per year: the model is linear, so every extra year adds the same amount whatever
# the other features are. The 65-year-old lies outside the ages in the data (22 to 52), so the
# prediction extrapolates a straight line fitted to five people, and a score of 756 is above every
# score in the data (the best is 740); it should not be trusted much. Also, because age is so correlated with
# utilization and late payments in the data, a young applicant with a clean record is unlike
# anyone the model has seen.
# ### END SOLUTION
