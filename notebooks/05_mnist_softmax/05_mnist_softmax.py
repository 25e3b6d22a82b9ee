# %% [markdown]
# # Stage 05: classifying handwritten digits with softmax and cross-entropy
#
# Until now every network predicted one number and was judged by its squared error. Recognising a
# handwritten digit is a different kind of problem: the answer is one of ten **classes**, and a
# useful network says how confident it is in each. This stage builds the standard recipe for
# that, a **softmax** output turned into probabilities, the **cross-entropy** loss, and
# **minibatch** stochastic gradient descent, and uses it to train a two-layer network on MNIST,
# the classic set of 28x28 images of the digits 0 to 9.
#
# **You will**
# - encode labels as one-hot vectors and turn scores into probabilities with a numerically stable
#   softmax and log-softmax;
# - write the cross-entropy loss and the (surprisingly simple) gradient of softmax followed by
#   cross-entropy, and check it against a numerical gradient;
# - write a minibatch iterator and an accuracy function, then train a 784-256-10 network with them,
#   compare it with scikit-learn's, and look at what it learned and where it goes wrong.
#
# **Time:** about two and a half hours: 45 minutes of reading, an hour of deriving and coding, 20
# minutes for the checkpoints. Running every cell takes about a minute and a half on the bundled
# subset, and about three minutes more on the full MNIST (20 epochs over 55,000 images, and the
# same for scikit-learn's network).
# **Needs:** stage 02 (the `Linear` layer and its `backward`, gradient checking) and stage 03
# (ReLU), both given here read-only; the chain rule, and the derivative of $e^x$ and $\log x$.
#
# Cells marked **TODO** are yours. Above each one, collapsed **hints** (click to open) lead from
# the idea to the formula: try without them first, then open one at a time. The test cell after each one checks your work straight away;
# the grader runs more checks of the same kind later, so make your code correct in general, not
# just for the examples shown.

# %% nbgrader={"grade_id": "given_imports", "locked": true}
import matplotlib.pyplot as plt
import numpy as np

from helpers import progress, seed_everything, under_grader
from helpers.gradcheck import relative_error
from helpers.mnist import load_mnist
from helpers.plotting import plot_accuracies, plot_losses
from helpers.testing import (assert_close, assert_finite, assert_gradient_close, assert_scalar, assert_shape,
                             assert_unchanged, call)

try:
    from threadpoolctl import threadpool_limits
    # The matrices in this notebook are small: one BLAS thread is faster than several competing for
    # a few cores (many times faster on a busy machine).
    threadpool_limits(limits=1, user_api="blas")
except ImportError:  # then numpy keeps its default number of threads: same results, maybe slower
    pass

rng = seed_everything(0)
N_CLASSES = 10


def call_strict(name, fn, *args, case=None, **kwargs):
    """Call fn(*args, **kwargs) with numpy's overflow, invalid-value and divide-by-zero warnings
    turned into a test failure that says so (a warning would cost the whole test cell)."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        try:
            return call(fn, *args, name=name, **kwargs)
        except FloatingPointError as error:
            where = f" ({case})" if case else ""
            raise AssertionError(f"{name}{where}: numpy reported a floating-point problem: {error}. Look for "
                                 "exp of a large number, log of 0 or a division by 0.") from None


# %% nbgrader={"grade_id": "given_numerical_gradient", "locked": true}
# Given (stage 02, read-only): numerical gradients by central differences, for the gradient check.
def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function f at the array x; x is restored."""
    grad = np.zeros(x.shape, dtype=float)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = float(f(x))
        x[index] = original - h
        f_minus = float(f(x))
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


# %% [markdown]
# ## 1. The data
#
# `load_mnist()` returns the full MNIST set (60,000 training and 10,000 test images) when it can
# download it or finds it in its cache, and otherwise a real 5,000-image subset that ships with the
# course (4,000 training and 1,000 test images, 400 and 100 of each digit); it says which it used.
# The grader always uses the subset. Each image is a row of $28 \cdot 28 = 784$ pixel values
# between 0 (white) and 1 (black ink); each label is an integer from 0 to 9.

# %% nbgrader={"grade_id": "given_data", "locked": true}
data = load_mnist()
print(f"training images {data.X_train.shape}, test images {data.X_test.shape}, "
      f"pixel values in [{data.X_train.min():.0f}, {data.X_train.max():.0f}], labels {np.unique(data.y_train)}")

fig, axes = plt.subplots(2, 10, figsize=(12, 2.8))
for digit in range(N_CLASSES):
    examples = np.flatnonzero(data.y_train == digit)[:2]
    for row, index in enumerate(examples):
        axes[row, digit].imshow(data.X_train[index].reshape(28, 28), cmap="gray_r")
        axes[row, digit].set_title(f"label {digit}", fontsize=8)
        axes[row, digit].axis("off")
fig.suptitle(f"Two training images of each digit ({data.name})")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 2. Labels as one-hot vectors
#
# The network will output one score per class, so the target is written the same way: a label
# $y \in \{0, \dots, C-1\}$ becomes the **one-hot** vector with a 1 in position $y$ and 0
# elsewhere. For a batch of $B$ labels that is a $(B, C)$ matrix $Y$ with
#
# $$Y_{ik} = \begin{cases} 1 & \text{if } k = y_i, \\ 0 & \text{otherwise,} \end{cases}$$
#
# so with $C = 4$ the labels $[2, 0]$ become $\begin{pmatrix} 0&0&1&0 \\ 1&0&0&0 \end{pmatrix}$.
# Each row is a probability distribution that puts all its mass on the right answer: exactly what
# the network's output will be compared with.
#
# **TODO:** implement `one_hot(y, C)`.
#
# <details><summary>Hint 1: the idea</summary>
#
# Start from a $(B, C)$ array of zeros (its width comes from `C`, not from the labels) and put one
# 1 into each row.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Row `i` needs its 1 in column `y[i]`. numpy can set all of them at once with two index arrays of
# the same length: `Y[rows, cols] = 1.0` sets `Y[rows[k], cols[k]]` for every `k`.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# `Y = np.zeros((len(y), C))`, then `Y[np.arange(len(y)), y] = 1.0`.
#
# </details>

# %% nbgrader={"grade_id": "one_hot", "solution": true}
def one_hot(y, C):
    """One-hot encode integer labels.

    y: integer array of shape (B,), every label in 0..C-1.
    C: the number of classes.
    Returns an array of shape (B, C) of 0.0s and 1.0s with a single 1 in each row i, in column
    y[i]. Works whatever the largest label in y is, and does not modify y.
    """
    ### BEGIN SOLUTION
    Y = np.zeros((len(y), C))
    Y[np.arange(len(y)), y] = 1.0
    return Y
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_one_hot", "points": 2}
y = np.array([2, 0, 3])
Y = call(one_hot, y, 4)
assert_shape("one_hot", Y, (3, 4), case="3 labels, C=4: one row per label, one column per class")
assert_close("one_hot", Y, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]], case="y=[2, 0, 3], C=4")
assert_close("one_hot", one_hot(np.array([1, 1]), 3), [[0, 1, 0], [0, 1, 0]], case="y=[1, 1], C=3")
print("one_hot: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(501)
for _B, _C in [(7, 10), (1, 3), (12, 2), (5, 9), (4, 4)]:
    _y = _rng.integers(0, _C, size=_B)
    _y0 = _y.copy()
    _expected = np.array([[1.0 if _k == _label else 0.0 for _k in range(_C)] for _label in _y0.tolist()])
    _case = f"{_B} labels, C={_C}"
    _got = call(one_hot, _y, _C)
    assert_shape("one_hot", _got, (_B, _C), case=_case)
    assert_close("one_hot", _got, _expected, rtol=0, atol=0, case=_case)
    assert_unchanged("one_hot", "y", _y0, _y)
# C larger than any label: the width comes from C, not from the labels
_got = one_hot(np.array([0, 1, 1]), 6)
assert_shape("one_hot", _got, (3, 6), case="y=[0, 1, 1], C=6: use C for the width, not y.max() + 1")
assert_close("one_hot", _got, [[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]], rtol=0, atol=0,
             case="y=[0, 1, 1], C=6")
# the last class, and int32 labels
_y32 = np.array([9, 0, 9, 4], dtype=np.int32)
_y32_0 = _y32.copy()
_got = one_hot(_y32, 10)
assert_close("one_hot", _got, np.array([[1.0 if _k == _l else 0.0 for _k in range(10)] for _l in [9, 0, 9, 4]]),
             rtol=0, atol=0, case="int32 labels [9, 0, 9, 4], C=10")
assert_unchanged("one_hot", "y", _y32_0, _y32)
assert_close("one_hot", np.sum(np.asarray(_got, dtype=float), axis=1), np.ones(4), rtol=0, atol=0,
             case="every row holds exactly one 1")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. From scores to probabilities: softmax
#
# The network's last layer produces $C$ real numbers per image, the **logits** $z_{i1}, \dots,
# z_{iC}$: any size, any sign. Softmax turns each row into probabilities, positive and summing to 1,
# keeping their order (a larger logit gets a larger probability):
#
# $$p_{ik} = \operatorname{softmax}(z_i)_k = \frac{e^{z_{ik}}}{\sum_{j=1}^{C} e^{z_{ij}}} .$$
#
# **Numerical stability.** $e^{710}$ is already larger than the largest float64, so the formula as
# written returns `inf / inf = nan` for logits in the hundreds, which a network with too large a
# learning rate produces easily. The cure is a property of softmax: adding the same constant to
# every logit of a row changes nothing, because $e^{z - m} = e^{z} e^{-m}$ and the $e^{-m}$ cancels
# between numerator and denominator. Subtracting the row's **own** maximum $m_i = \max_j z_{ij}$
# makes the largest exponent $e^0 = 1$ (no overflow) and the denominator at least 1 (no division
# by zero); very negative differences underflow harmlessly to 0. The maximum must be taken per
# row: rows can have wildly different offsets, and one global maximum would underflow whole rows.

# %%
with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point here: no warning
    e_1000 = np.exp(1000.0)
    big = e_1000 / (e_1000 + np.exp(1001.0))
print(f"e^1000 = {e_1000} in float64, so the first probability of the logits [1000, 1001] comes out as {big}")
print(f"the same two logits minus 1001 are [-1, 0]: e^-1 / (e^-1 + e^0) = {np.exp(-1.0) / (np.exp(-1.0) + 1.0):.4f}")
print(f"and 1 / (1 + e), the exact value, is {1 / (1 + np.e):.4f}")

# %% [markdown]
# **TODO:** implement a numerically stable, row-wise `softmax`.
#
# <details><summary>Hint 1: the idea</summary>
#
# Each row is treated on its own: exponentiate its logits and divide by their sum. Before
# exponentiating, subtract the row's own maximum: the result is the same, and nothing overflows.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Row-wise reductions: `logits.max(axis=1)` and `.sum(axis=1)` give one number per row, shape
# `(B,)`. To subtract or divide them from a `(B, C)` array they must have shape `(B, 1)`:
# `keepdims=True` keeps that axis, so broadcasting pairs each row with its own number.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $m_i = \max_j z_{ij}$, $\;p_{ik} = e^{z_{ik} - m_i} \big/ \sum_j e^{z_{ij} - m_i}$: `shifted =
# logits - logits.max(axis=1, keepdims=True)`, `exps = np.exp(shifted)`, then
# `exps / exps.sum(axis=1, keepdims=True)`.
#
# </details>

# %% nbgrader={"grade_id": "softmax", "solution": true}
def softmax(logits):
    """Row-wise softmax.

    logits: array of shape (B, C), one row of class scores per example (the batch is the rows);
    any finite values, including logits in the thousands and rows with very different offsets.
    Returns a float array of shape (B, C): row i is the softmax of row i alone, entries in [0, 1],
    each row summing to 1, with no overflow, nan or numpy warning. Does not modify logits.
    The tests also use float32 logits, B = 1 and C = 1.
    """
    ### BEGIN SOLUTION
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=1, keepdims=True)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_softmax", "points": 3}
z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
z_before = z.copy()
p = call(softmax, z)
assert_shape("softmax", p, (2, 3), case="the output has the shape of the logits")
assert_close("softmax", p, [[0.090030573, 0.244728471, 0.665240956], [1 / 3, 1 / 3, 1 / 3]],
             case="logits [[1, 2, 3], [0, 0, 0]]")
assert_unchanged("softmax", "logits", z_before, z)
p = call_strict("softmax", softmax, np.array([[1000.0, 1001.0], [-1000.0, -999.0]]),
                case="logits [[1000, 1001], [-1000, -999]]")
assert_close("softmax", p, [[1 / (1 + np.e), np.e / (1 + np.e)]] * 2,
             case="logits [[1000, 1001], [-1000, -999]]: subtract each row's own maximum")
print("softmax: visible tests passed")
### BEGIN HIDDEN TESTS
import math as _math


def _softmax_row(_row):
    _m = max(_row)
    _exps = [_math.exp(_v - _m) for _v in _row]
    _total = _math.fsum(_exps)
    return [_v / _total for _v in _exps]


_rng = np.random.default_rng(502)
for _B, _C in [(4, 10), (1, 5), (6, 2), (3, 7), (1, 1), (5, 1)]:
    _z = 3.0 * _rng.normal(size=(_B, _C))
    _z0 = _z.copy()
    _case = f"logits of shape {(_B, _C)}"
    _got = call_strict("softmax", softmax, _z, case=_case)
    assert_close("softmax", _got, [_softmax_row(_r) for _r in _z0.tolist()], rtol=1e-9, atol=1e-15, case=_case)
    assert_unchanged("softmax", "logits", _z0, _z)
    assert_close("softmax: row sums", np.sum(np.asarray(_got, dtype=float), axis=1), np.ones(_B), rtol=1e-12,
                 atol=1e-12, case=_case)
    # adding a different constant to each row changes nothing
    _offsets = _rng.choice([-800.0, -50.0, 0.0, 60.0, 900.0], size=(_B, 1))
    _shifted = call_strict("softmax", softmax, _z0 + _offsets, case=f"{_case} plus row offsets up to +-900")
    assert_close("softmax", _shifted, _got, rtol=1e-7, atol=1e-12,
                 case=f"{_case}: adding a constant to a row must not change it (shift invariance)")
# huge logits and rows with very different offsets
_z = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -999.0, -1001.0], [5000.0, 5000.0, 5000.0],
               [1e4, 0.0, -1e4], [-3000.0, 0.0, 3000.0]])
_z0 = _z.copy()
_got = call_strict("softmax", softmax, _z, case="huge logits")
assert_close("softmax", _got, [_softmax_row(_r) for _r in _z0.tolist()], rtol=1e-9, atol=1e-15,
             case="logits in the thousands, rows with very different offsets")
assert_unchanged("softmax", "logits", _z0, _z)
_got = np.asarray(_got, dtype=float)
assert np.all(_got >= 0.0) and np.all(_got <= 1.0), "softmax: every probability must lie in [0, 1]"
# float32 input
_z32 = np.array([[2.0, -1.0, 0.5, 10.0], [-3.0, -3.0, 1.0, 0.0]], dtype=np.float32)
_z32_0 = _z32.copy()
_got32 = call_strict("softmax", softmax, _z32, case="float32 logits")
assert_close("softmax", _got32, [_softmax_row(_r) for _r in _z32_0.astype(float).tolist()], rtol=1e-5, atol=1e-7,
             case="float32 logits")
assert_unchanged("softmax", "logits", _z32_0, _z32)
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Log-probabilities: log-softmax
#
# The loss will need $\log p_{ik}$. Taking the log of a softmax output fails for the smallest
# probabilities: float64 cannot hold a number below about $5 \cdot 10^{-324}$, so such a
# probability is stored as exactly 0, and its logarithm is $-\infty$. For logits $[0, -1000]$
# the exact answer is very nearly $[0, -1000]$, but `np.log(softmax(z))` gives $[0, -\infty]$.
# The cure is to take the logarithm **on paper**, before computing anything, and simplify: the
# result never exponentiates anything larger than 0 (this is the **log-sum-exp** trick).
#
# **TODO:** derive a stable expression for $\log p_{ik}$ and implement `log_softmax` with it.
#
# <details><summary>Hint 1: the idea</summary>
#
# $p_{ik}$ is a quotient, and the log of a quotient is a difference: $\log(a / b) = \log a -
# \log b$. The log of the numerator $e^{z_{ik}}$ is simply $z_{ik}$; what is left is the log of
# the row's sum of exponentials.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Make the remaining sum safe with the shift of section 3: $\sum_j e^{z_{ij}} = e^{m_i} \sum_j
# e^{z_{ij} - m_i}$ with $m_i = \max_j z_{ij}$, and $\log e^{m_i} = m_i$. The sum that is left is
# between 1 and $C$, so its log is harmless.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $$\log p_{ik} = z_{ik} - m_i - \log \sum_j e^{z_{ij} - m_i}, \qquad m_i = \max_j z_{ij},$$
#
# with the row-wise maximum and sum taken with `keepdims=True`.
#
# </details>

# %% nbgrader={"grade_id": "log_softmax", "solution": true}
def log_softmax(logits):
    """Row-wise log of the softmax, computed stably.

    logits: array of shape (B, C) of any finite values, one example per row.
    Returns a float array of shape (B, C): entry (i, k) is the natural log of softmax(logits)[i, k],
    finite for every finite input (also where the softmax itself underflows to 0), with no numpy
    warning. Does not modify logits. The tests also use float32 logits and logits in the thousands.
    """
    ### BEGIN SOLUTION
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_log_softmax", "points": 2}
z = np.array([[1.0, 2.0, 3.0], [0.0, -1000.0, 0.0]])
z_before = z.copy()
logp = call_strict("log_softmax", log_softmax, z, case="logits [[1, 2, 3], [0, -1000, 0]]")
assert_shape("log_softmax", logp, (2, 3))
assert_close("log_softmax", logp[0], [-2.407605964, -1.407605964, -0.407605964], case="logits [1, 2, 3]")
assert_close("log_softmax", logp[1], [-0.693147181, -1000.693147181, -0.693147181],
             case="logits [0, -1000, 0]: finite, no log of 0")
assert_unchanged("log_softmax", "logits", z_before, z)
print("log_softmax: visible tests passed")
### BEGIN HIDDEN TESTS
import math as _math


def _log_softmax_row(_row):
    _m = max(_row)
    _lse = _m + _math.log(_math.fsum(_math.exp(_v - _m) for _v in _row))
    return [_v - _lse for _v in _row]


_rng = np.random.default_rng(503)
for _B, _C in [(4, 10), (1, 5), (6, 2), (3, 7), (2, 1)]:
    _z = 3.0 * _rng.normal(size=(_B, _C))
    _z0 = _z.copy()
    _case = f"logits of shape {(_B, _C)}"
    _got = call_strict("log_softmax", log_softmax, _z, case=_case)
    assert_close("log_softmax", _got, [_log_softmax_row(_r) for _r in _z0.tolist()], rtol=1e-9, atol=1e-12,
                 case=_case)
    assert_unchanged("log_softmax", "logits", _z0, _z)
    assert_close("log_softmax: sum of exp over each row", np.sum(np.exp(np.asarray(_got, dtype=float)), axis=1),
                 np.ones(_B), rtol=1e-10, atol=1e-12, case=_case)
    _offsets = _rng.choice([-900.0, -40.0, 0.0, 70.0, 800.0], size=(_B, 1))
    _shifted = call_strict("log_softmax", log_softmax, _z0 + _offsets, case=f"{_case} plus row offsets up to +-900")
    assert_close("log_softmax", _shifted, _got, rtol=1e-7, atol=1e-9,
                 case=f"{_case}: adding a constant to a row must not change it (shift invariance)")
_z = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -999.0, -1001.0], [0.0, -1000.0, -2000.0],
               [1e4, 0.0, -1e4], [-3000.0, 0.0, 3000.0]])
_z0 = _z.copy()
_got = call_strict("log_softmax", log_softmax, _z, case="huge logits")
assert_close("log_softmax", _got, [_log_softmax_row(_r) for _r in _z0.tolist()], rtol=1e-9, atol=1e-9,
             case="logits in the thousands, rows with very different offsets")
assert_unchanged("log_softmax", "logits", _z0, _z)
_z32 = np.array([[2.0, -1.0, 0.5, 10.0], [-3.0, -3.0, 1.0, 0.0]], dtype=np.float32)
_z32_0 = _z32.copy()
_got32 = call_strict("log_softmax", log_softmax, _z32, case="float32 logits")
assert_close("log_softmax", _got32, [_log_softmax_row(_r) for _r in _z32_0.astype(float).tolist()], rtol=1e-5,
             atol=1e-5, case="float32 logits")
assert_unchanged("log_softmax", "logits", _z32_0, _z32)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. The loss: cross-entropy
#
# How wrong is a predicted distribution $p_i$ when the truth is the one-hot $Y_i$? The
# **cross-entropy** is the average, over the batch, of minus the log-probability the network gave
# to the correct class:
#
# $$L = -\frac{1}{B} \sum_{i=1}^{B} \sum_{k=1}^{C} Y_{ik} \log(p_{ik} + \varepsilon) .$$
#
# Only the true class's term survives the inner sum. A confident right answer ($p \to 1$) costs
# almost nothing, a hesitant one ($p = 0.5$) costs $\log 2 \approx 0.69$, and a confident wrong one
# ($p \to 0$) costs a lot, without limit. Guessing uniformly among 10 classes costs
# $\log 10 \approx 2.30$: where an untrained network starts. Minimising it is maximum likelihood:
# it makes the observed labels as probable as possible.
#
# The small $\varepsilon = 10^{-9}$ keeps $\log 0 = -\infty$ out when a probability underflows to
# 0: it caps the cost of one example at $-\log 10^{-9} \approx 20.7$. (Computing the loss from the
# logits with `log_softmax` avoids the problem without any $\varepsilon$; we keep the
# probability form because it is how the loss is usually written.)
#
# **TODO:** implement `cross_entropy`, with $\varepsilon$ added to the probabilities inside the
# logarithm exactly as in the formula.
#
# <details><summary>Hint 1: the idea</summary>
#
# Work on whole arrays: `Y_true * np.log(probs + eps)` is a $(B, C)$ array that is zero except at
# each row's true class. Summing it gives minus the total loss of the batch.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# The formula has a **mean** over the batch, not a sum: divide the total by $B$ (the number of
# rows), or sum each row (`axis=1`) and take the mean. Return `float(...)`.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# `-np.sum(Y_true * np.log(probs + eps)) / probs.shape[0]`, as a Python float.
#
# </details>

# %% nbgrader={"grade_id": "cross_entropy", "solution": true}
def cross_entropy(probs, Y_true, eps=1e-9):
    """Mean cross-entropy of predicted probabilities against one-hot targets.

    probs: array of shape (B, C), each row a probability distribution (entries may be exactly 0).
    Y_true: one-hot array of shape (B, C).
    eps: added to every probability inside the log, as in the formula (the tests use other eps too).
    Returns a Python float: the mean over the B rows of each example's cross-entropy, finite even
    where a probability is exactly 0. Does not modify its inputs.
    """
    ### BEGIN SOLUTION
    per_example = -np.sum(Y_true * np.log(probs + eps), axis=1)
    return float(np.mean(per_example))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_cross_entropy", "points": 2}
probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
Y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
loss = assert_scalar("cross_entropy", call(cross_entropy, probs, Y))
assert_close("cross_entropy", loss, 0.433750282,
             case="probs [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], true classes 0 and 2")
assert_close("cross_entropy", cross_entropy(np.array([[0.0, 1.0]]), np.array([[0.0, 1.0]])), 0.0, atol=1e-8,
             case="a certain, correct prediction costs nothing")
zero_loss = call_strict("cross_entropy", cross_entropy, np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]),
                        case="probability 0 for the true class")
assert_close("cross_entropy", zero_loss, 20.723265837, case="probability 0 for the true class, eps = 1e-9")
print("cross_entropy: visible tests passed")
### BEGIN HIDDEN TESTS
import math as _math

_rng = np.random.default_rng(504)
for _B, _C in [(5, 10), (1, 3), (8, 2), (3, 6)]:
    _raw = _rng.random(size=(_B, _C)) + 0.05
    _probs = _raw / _raw.sum(axis=1, keepdims=True)
    _labels = _rng.integers(0, _C, size=_B)
    _Y = np.zeros((_B, _C))
    _Y[np.arange(_B), _labels] = 1.0
    _probs0, _Y0 = _probs.copy(), _Y.copy()
    _expected = -_math.fsum(_math.log(_probs0[_i, _labels[_i]] + 1e-9) for _i in range(_B)) / _B
    _case = f"batch of {_B}, C={_C}"
    _got = assert_scalar("cross_entropy", call_strict("cross_entropy", cross_entropy, _probs, _Y, case=_case),
                         case=_case)
    assert_close("cross_entropy", _got, _expected, rtol=1e-10, case=_case)
    assert_unchanged("cross_entropy", "probs", _probs0, _probs)
    assert_unchanged("cross_entropy", "Y_true", _Y0, _Y)
# zeros in probs, where the target is 0 and where it is 1
_probs = np.array([[0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 1.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
_Y = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
_expected = -(_math.log(1e-9) + _math.log(1.0 + 1e-9) + _math.log(0.25 + 1e-9)) / 3
_got = assert_scalar("cross_entropy", call_strict("cross_entropy", cross_entropy, _probs, _Y, case="zeros in probs"))
assert_close("cross_entropy", _got, _expected, rtol=1e-10, case="probabilities that are exactly 0")
# the eps argument is used, inside the log
_probs = np.array([[0.0, 1.0], [0.3, 0.7]])
_Y = np.array([[1.0, 0.0], [1.0, 0.0]])
_got = assert_scalar("cross_entropy", call_strict("cross_entropy", cross_entropy, _probs, _Y, eps=1e-2,
                                                  case="eps=1e-2"))
assert_close("cross_entropy", _got, -(_math.log(0.01) + _math.log(0.31)) / 2, rtol=1e-10,
             case="eps=1e-2: use the eps you are given, as log(probs + eps)")
# float32 inputs
_probs32 = np.array([[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]], dtype=np.float32)
_Y32 = np.array([[0, 1], [0, 1], [1, 0]], dtype=np.float32)
_got = assert_scalar("cross_entropy", call_strict("cross_entropy", cross_entropy, _probs32, _Y32, case="float32"))
assert_close("cross_entropy", _got, -(_math.log(0.9) + _math.log(0.2) + _math.log(0.5)) / 3, rtol=1e-5,
             case="float32 inputs")
### END HIDDEN TESTS

# %% [markdown]
# ## 6. The gradient of softmax followed by cross-entropy
#
# To train, we need $\partial L / \partial z$, the gradient of the loss with respect to the logits,
# to hand to the last linear layer's `backward`. Two ingredients (ignore $\varepsilon$ here):
#
# - the derivative of the loss with respect to a probability: $\dfrac{\partial L}{\partial p_{ij}} =
#   -\dfrac{1}{B} \dfrac{Y_{ij}}{p_{ij}}$;
# - the softmax **Jacobian**: each probability of a row depends on every logit of that row,
#   $\dfrac{\partial p_{ij}}{\partial z_{ik}} = p_{ij}(\delta_{jk} - p_{ik})$, where
#   $\delta_{jk}$ is 1 if $j = k$ and 0 otherwise.
#
# Chaining them, almost everything cancels, and the gradient with respect to the logits comes out
# far simpler than either ingredient. That is why libraries **fuse** softmax and cross-entropy
# into one operation: its backward pass goes from the loss straight to the logits, without ever
# forming $\partial L / \partial p$ or a $C \times C$ Jacobian per example. The picture shows where
# that gradient enters; the linear layer's `backward` (stage 02) takes it from there.
#
# ![Computational graph: inputs X (B, D) and parameters W (C, D), b (C,) enter the linear layer, giving logits Z (B, C); softmax per row gives probabilities P (B, C); with the one-hot targets Y (B, C) the mean cross-entropy gives the loss L. Backward, one red arrow goes from L straight to the logits Z (the fused gradient dL/dZ, shape (B, C)); from there Linear.backward gives dL/dW, dL/db and dL/dX](figure:softmax_cross_entropy_graph)
#
# **TODO:** derive $\partial L / \partial z_{ik}$ from the two ingredients (take $\varepsilon = 0$),
# then implement `softmax_cross_entropy_backward`. Checkpoint 1 below asks for your derivation.
#
# <details><summary>Hint 1: the idea</summary>
#
# Logit $z_{ik}$ changes every probability of row $i$ (and nothing in other rows), so the chain
# rule sums over the $C$ probabilities of that row:
# $\dfrac{\partial L}{\partial z_{ik}} = \sum_{j} \dfrac{\partial L}{\partial p_{ij}}
# \dfrac{\partial p_{ij}}{\partial z_{ik}}$.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Substitute the two ingredients: the $p_{ij}$ of the first cancels the $p_{ij}$ in front of the
# second, leaving $-\frac{1}{B}\sum_j Y_{ij}(\delta_{jk} - p_{ik})$. Split the sum in two: the
# $\delta_{jk}$ picks out one term, and the other is $p_{ik}$ times the sum of row $i$ of $Y$,
# which is 1 for a one-hot row.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $$\frac{\partial L}{\partial z_{ik}} = \frac{p_{ik} - Y_{ik}}{B},$$
#
# the predicted distribution minus the target, divided by the batch size $B$ = the number of rows.
#
# </details>

# %% nbgrader={"grade_id": "softmax_cross_entropy_backward", "solution": true}
def softmax_cross_entropy_backward(probs, Y_true):
    """Gradient of the mean cross-entropy with respect to the logits, through the softmax.

    probs: softmax output, shape (B, C), one example per row (B is the batch size).
    Y_true: one-hot targets, shape (B, C).
    Returns dL/dlogits, shape (B, C): the gradient of L = cross_entropy(softmax(logits), Y_true)
    (the MEAN over the batch, eps taken as 0) with respect to the logits that gave probs.
    Does not modify its inputs. The tests compare it with a numerical gradient of that L.
    """
    ### BEGIN SOLUTION
    return (probs - Y_true) / probs.shape[0]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_softmax_cross_entropy_backward", "points": 3}
probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
Y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
probs_before, Y_before = probs.copy(), Y.copy()
grad = call(softmax_cross_entropy_backward, probs, Y)
assert_shape("softmax_cross_entropy_backward", grad, (2, 3), case="the gradient has the shape of the logits")
assert_close("softmax_cross_entropy_backward", grad, [[-0.15, 0.1, 0.05], [0.05, 0.15, -0.2]],
             case="probs [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], true classes 0 and 2 (B=2)")
assert_unchanged("softmax_cross_entropy_backward", "probs", probs_before, probs)
assert_unchanged("softmax_cross_entropy_backward", "Y_true", Y_before, Y)
print("softmax_cross_entropy_backward: visible tests passed")
### BEGIN HIDDEN TESTS
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


def _mean_ce_of_logits(_logits, _targets):
    # an independent, exact loss: log-sum-exp, no eps
    _m = _logits.max(axis=1, keepdims=True)
    _log_probs = _logits - _m - np.log(np.exp(_logits - _m).sum(axis=1, keepdims=True))
    return -np.sum(_targets * _log_probs) / _logits.shape[0]


_rng = np.random.default_rng(505)
for _B, _C in [(5, 3), (1, 4), (3, 10), (7, 2)]:
    _z = 2.0 * _rng.normal(size=(_B, _C))
    _Y = np.zeros((_B, _C))
    _Y[np.arange(_B), _rng.integers(0, _C, size=_B)] = 1.0
    _exps = np.exp(_z - _z.max(axis=1, keepdims=True))
    _probs = _exps / _exps.sum(axis=1, keepdims=True)
    _probs0, _Y0 = _probs.copy(), _Y.copy()
    _case = f"batch of {_B}, C={_C}"
    _got = call_strict("softmax_cross_entropy_backward", softmax_cross_entropy_backward, _probs, _Y, case=_case)
    assert_shape("softmax_cross_entropy_backward", _got, (_B, _C), case=_case)
    _expected = np.array([[(_probs0[_i, _k] - _Y0[_i, _k]) / _B for _k in range(_C)] for _i in range(_B)])
    assert_close("softmax_cross_entropy_backward", _got, _expected, rtol=1e-10, atol=1e-14, case=_case)
    assert_unchanged("softmax_cross_entropy_backward", "probs", _probs0, _probs)
    assert_unchanged("softmax_cross_entropy_backward", "Y_true", _Y0, _Y)
    _numeric = _numerical_gradient(lambda _zz: _mean_ce_of_logits(_zz, _Y0), _z.copy())
    assert_gradient_close("softmax_cross_entropy_backward", _got, _numeric, tol=1e-6,
                          case=f"{_case}: against the numerical gradient of the mean cross-entropy")
_probs32 = np.array([[0.25, 0.75], [0.9, 0.1], [0.5, 0.5]], dtype=np.float32)
_Y32 = np.array([[0, 1], [0, 1], [1, 0]], dtype=np.float32)
assert_close("softmax_cross_entropy_backward", softmax_cross_entropy_backward(_probs32, _Y32),
             [[0.25 / 3, -0.25 / 3], [0.3, -0.3], [-0.5 / 3, 0.5 / 3]], rtol=1e-5, atol=1e-7,
             case="float32 inputs, batch of 3")
### END HIDDEN TESTS

# %% [markdown]
# ### Checking the gradient numerically
#
# The same check as in stage 02: perturb each logit by $\pm h$, recompute
# `cross_entropy(softmax(z))` with your functions, and compare the central differences with your
# gradient. A relative error below about $10^{-7}$ means the formula is right (the $\varepsilon$
# inside the loss makes a difference of order $10^{-8}$, below that). The numerical side uses your
# `softmax` and `cross_entropy`: if their tests above fail, fix them first, or this check blames a
# correct gradient.

# %%
check_rng = np.random.default_rng(5)
logits_check = check_rng.normal(size=(4, 10))
Y_check = one_hot(check_rng.integers(0, N_CLASSES, size=4), N_CLASSES)
analytic_grad = softmax_cross_entropy_backward(softmax(logits_check), Y_check)
numeric_grad = numerical_gradient(lambda z: cross_entropy(softmax(z), Y_check), logits_check)
print(f"relative error between your gradient and the numerical one: {relative_error(analytic_grad, numeric_grad):.2e}")

# %% [markdown]
# The gradient is the predicted distribution minus the target, divided by the batch size. A step
# against it raises the logit of the true class (its entry $(p - 1)/B$ is negative) and lowers
# every other logit in proportion to its probability.
#
# **Checkpoint 1.** Derive $\dfrac{\partial L}{\partial z_{ik}} = \dfrac{p_{ik} - Y_{ik}}{B}$ from
# the two ingredients above (take $\varepsilon = 0$). Show the chain-rule sum, say where you use
# that each row of $Y$ sums to 1, and say what the gradient is for an example the network already
# classifies correctly with probability close to 1.

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_softmax_ce_gradient", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# Logit z_ik affects the loss only through the probabilities of row i, so
# dL/dz_ik = sum_j dL/dp_ij * dp_ij/dz_ik = sum_j (-Y_ij / (B p_ij)) * p_ij (delta_jk - p_ik)
#          = -(1/B) sum_j Y_ij (delta_jk - p_ik) = -(1/B) (Y_ik - p_ik sum_j Y_ij).
# The p_ij cancel, and since the one-hot row sums to 1, sum_j Y_ij = 1, which leaves
# dL/dz_ik = (p_ik - Y_ik) / B. For an example classified correctly with p close to 1 the row
# p_i - Y_i is close to 0 everywhere, so the example contributes almost no gradient: training
# concentrates on the examples the network still gets wrong or is unsure about.
# ### END SOLUTION

# %% [markdown]
# ## 7. Minibatches
#
# One gradient step on all training images at once is slow: 60,000 forward and backward passes for
# a single small move. **Minibatch stochastic gradient descent** instead shuffles the training set
# at the start of every **epoch** (one pass over the data) and walks through it in batches of, say,
# 64 rows, taking one step per batch. Each batch's gradient is a noisy but unbiased estimate of the
# full gradient, and we get hundreds of steps per epoch instead of one. Shuffling matters: the data
# may be sorted (all the zeros first), and a fixed order would make consecutive steps pull in the
# same direction. With $N$ rows and batch size $b$ there are $\lceil N / b \rceil$ batches; the last
# one holds the $N \bmod b$ leftover rows when $b$ does not divide $N$ (we keep it, so every row is
# used exactly once per epoch).
#
# **TODO:** implement the generator `iterate_minibatches`. Draw the random order from the `rng`
# you are given (for example with `rng.permutation`), so that a seeded generator makes training
# reproducible, and keep each image with its own label.
#
# <details><summary>Hint 1: the idea</summary>
#
# Shuffle the row **numbers**, not the data: draw one random order of $0, \dots, N-1$ per call,
# then walk through it `batch_size` entries at a time. A generator function hands out one batch
# per `yield`.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Index both arrays with the same slice of the order, `X[rows]` and `Y[rows]`, so each image keeps
# its label. Slicing past the end of an array is allowed in numpy and gives the shorter last batch
# by itself.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# `order = rng.permutation(len(X))`; for `start` in `range(0, len(X), batch_size)`:
# `rows = order[start:start + batch_size]`, then `yield X[rows], Y[rows]`.
#
# </details>

# %% nbgrader={"grade_id": "iterate_minibatches", "solution": true}
def iterate_minibatches(X, Y, batch_size, rng):
    """Yield (X_batch, Y_batch) pairs covering one epoch in a random order.

    X: array of shape (N, ...), Y: array with the same number of rows N (for example one-hot
    targets of shape (N, C), or labels of shape (N,)); row n of Y belongs to row n of X.
    batch_size: the number of rows per batch.
    rng: a np.random.Generator; the order is drawn from it, and from nothing else.
    Yields ceil(N / batch_size) pairs. Every row of X appears exactly once in the epoch, with its
    own row of Y; every batch has batch_size rows except possibly the last, which holds the
    remaining N % batch_size rows. Does not modify X or Y.
    """
    ### BEGIN SOLUTION
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        rows = order[start:start + batch_size]
        yield X[rows], Y[rows]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_iterate_minibatches", "points": 3}
X = np.arange(10 * 2).reshape(10, 2) * 1.0   # row n is [2n, 2n + 1]
Y = np.arange(10) * 10.0                     # row n's target is 10n
batches = list(call(iterate_minibatches, X, Y, 4, np.random.default_rng(0)))
assert len(batches) == 3, f"iterate_minibatches: 10 rows in batches of 4 make 3 batches (4, 4, 2), got {len(batches)}"
assert all(isinstance(b, (tuple, list)) and len(b) == 2 for b in batches), (
    "iterate_minibatches: yield pairs (X_batch, Y_batch)")
sizes = [len(xb) for xb, _ in batches]
assert sizes == [4, 4, 2], f"iterate_minibatches: expected batch sizes [4, 4, 2], got {sizes}"
rows_seen = np.concatenate([xb[:, 0] / 2 for xb, _ in batches])
assert sorted(rows_seen.tolist()) == list(range(10)), (
    f"iterate_minibatches: every row must appear exactly once per epoch; rows seen: {sorted(rows_seen.tolist())}")
for xb, yb in batches:
    assert np.array_equal(yb, xb[:, 0] / 2 * 10), "iterate_minibatches: X_batch and Y_batch rows do not belong together"
assert rows_seen.tolist() != list(range(10)), (
    "iterate_minibatches: the rows came out in their original order; shuffle them")
print("iterate_minibatches: visible tests passed")
### BEGIN HIDDEN TESTS
def _epoch(_N, _batch_size, _seed_or_rng, _d=3, _C=4, _labels_1d=False):
    """Run one epoch on data whose rows carry their own index; check it; return the order of rows."""
    _X = np.arange(_N * _d, dtype=float).reshape(_N, _d)          # row n starts with n * d
    _Y = (np.arange(_N) if _labels_1d else
          np.column_stack([np.arange(_N) * 7.0] + [np.arange(_N) % (_k + 2) for _k in range(_C - 1)]))
    _X0, _Y0 = _X.copy(), _Y.copy()
    _rng_obj = np.random.default_rng(_seed_or_rng) if isinstance(_seed_or_rng, int) else _seed_or_rng
    _case = f"N={_N}, batch_size={_batch_size}"
    _batches = list(call(iterate_minibatches, _X, _Y, _batch_size, _rng_obj))
    _expected_sizes = [_batch_size] * (_N // _batch_size) + ([_N % _batch_size] if _N % _batch_size else [])
    assert all(isinstance(_b, (tuple, list)) and len(_b) == 2 for _b in _batches), (
        f"iterate_minibatches ({_case}): yield pairs (X_batch, Y_batch)")
    _sizes = [len(_b[0]) for _b in _batches]
    assert _sizes == _expected_sizes, (
        f"iterate_minibatches ({_case}): expected batch sizes {_expected_sizes}, got {_sizes} "
        "(full batches, then the leftover rows in a last, shorter batch)")
    _order = []
    for _xb, _yb in _batches:
        _xb, _yb = np.asarray(_xb), np.asarray(_yb)
        assert _xb.shape[1:] == (_d,), f"iterate_minibatches ({_case}): X_batch has shape {_xb.shape}, rows of X expected"
        assert len(_yb) == len(_xb), f"iterate_minibatches ({_case}): X_batch has {len(_xb)} rows but Y_batch {len(_yb)}"
        _ids = _xb[:, 0] / _d
        assert np.array_equal(_ids, np.round(_ids)) and np.array_equal(_xb, _X0[_ids.astype(int)]), (
            f"iterate_minibatches ({_case}): X_batch holds rows that are not rows of X")
        assert np.array_equal(_yb, _Y0[_ids.astype(int)]), (
            f"iterate_minibatches ({_case}): Y_batch rows are not the targets of the X_batch rows (keep X and Y aligned: "
            "index both with the same permutation)")
        _order += _ids.astype(int).tolist()
    assert sorted(_order) == list(range(_N)), (
        f"iterate_minibatches ({_case}): every row must appear exactly once per epoch; "
        f"{_N - len(set(_order))} rows missing, {len(_order) - len(set(_order))} repeated")
    assert_unchanged("iterate_minibatches", "X", _X0, _X)
    assert_unchanged("iterate_minibatches", "Y", _Y0, _Y)
    return _order


for _N, _bs in [(23, 5), (20, 5), (7, 1), (9, 4), (6, 10), (64, 64), (50, 16)]:
    _epoch(_N, _bs, 123)
_epoch(17, 4, 9, _labels_1d=True)
_epoch(1, 3, 0)
# the order is random, reproducible from the seed, and comes from the rng argument
_order_a = _epoch(40, 8, 1)
_order_b = _epoch(40, 8, 1)
_order_c = _epoch(40, 8, 2)
assert _order_a != list(range(40)), "iterate_minibatches: the rows came out in their original order; shuffle them"
assert _order_a == _order_b, ("iterate_minibatches: two generators with the same seed gave different orders; "
                              "draw the order from the rng argument only")
assert _order_a != _order_c, ("iterate_minibatches: generators with different seeds gave the same order; "
                              "draw the order from the rng argument")
_shared = np.random.default_rng(11)
assert _epoch(40, 8, _shared) != _epoch(40, 8, _shared), (
    "iterate_minibatches: two epochs with the same generator object came out in the same order; "
    "draw a new order from rng every epoch (do not re-seed it)")
# float32 data
_X32 = np.arange(12, dtype=np.float32).reshape(6, 2)
_Y32 = np.eye(6, dtype=np.float32)
_got = list(iterate_minibatches(_X32, _Y32, 4, np.random.default_rng(3)))
assert [len(_b[0]) for _b in _got] == [4, 2], "iterate_minibatches: float32 data, N=6, batch_size=4"
for _xb, _yb in _got:
    assert np.array_equal(np.asarray(_yb).argmax(axis=1), (np.asarray(_xb)[:, 0] / 2).astype(int)), (
        "iterate_minibatches: float32 data: X_batch and Y_batch rows do not belong together")
### END HIDDEN TESTS

# %% [markdown]
# ## 8. Accuracy
#
# The loss is what we optimise; **accuracy**, the fraction of examples whose highest-scoring class
# is the true one, is what we report:
#
# $$\text{accuracy} = \frac{1}{B} \sum_{i=1}^{B} \mathbb{1}\big[\arg\max_k s_{ik} = y_i\big] .$$
#
# The scores $s$ can be logits or probabilities: softmax keeps the order within a row, so the
# arg max is the same.
#
# **TODO:** implement `accuracy`.
#
# <details><summary>Hint 1: the idea</summary>
#
# First the predicted class of every row (the column of its largest score), then compare the
# predictions with the labels and count the matches.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# `np.argmax(scores, axis=1)` gives one column index per row, shape `(B,)`; comparing it with `y`
# gives a boolean array, and the mean of booleans is the fraction of `True`.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# `float(np.mean(np.argmax(scores, axis=1) == y))`.
#
# </details>

# %% nbgrader={"grade_id": "accuracy", "solution": true}
def accuracy(scores, y):
    """Fraction of rows whose highest score is in the column of the true label.

    scores: array of shape (B, C), one row of class scores (logits or probabilities) per example.
    y: integer labels of shape (B,).
    Returns a Python float in [0, 1]: the fraction of rows i whose largest score is in column y[i].
    Modifies neither input.
    """
    ### BEGIN SOLUTION
    return float(np.mean(np.argmax(scores, axis=1) == y))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_accuracy", "points": 2}
scores = np.array([[0.1, 0.7, 0.2], [2.0, -1.0, 0.5], [0.3, 0.3, 0.4], [5.0, 1.0, 9.0]])
y = np.array([1, 2, 2, 0])
acc = assert_scalar("accuracy", call(accuracy, scores, y))
assert_close("accuracy", acc, 0.5, case="predicted classes [1, 0, 2, 2] against labels [1, 2, 2, 0]")
assert_close("accuracy", accuracy(scores, np.array([1, 0, 2, 2])), 1.0, case="all correct")
print("accuracy: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(508)
for _B, _C in [(10, 4), (1, 3), (7, 10), (30, 2), (3, 8)]:
    _scores = _rng.normal(size=(_B, _C))
    _y = _rng.integers(0, _C, size=_B)
    _scores0, _y0 = _scores.copy(), _y.copy()
    _pred = [max(range(_C), key=lambda _k: _scores0[_i, _k]) for _i in range(_B)]
    _expected = sum(int(_p == _t) for _p, _t in zip(_pred, _y0.tolist())) / _B
    _case = f"{_B} examples, {_C} classes"
    _got = assert_scalar("accuracy", call(accuracy, _scores, _y), case=_case)
    assert_close("accuracy", _got, _expected, rtol=1e-12, case=_case)
    assert_unchanged("accuracy", "scores", _scores0, _scores)
    assert_unchanged("accuracy", "y", _y0, _y)
_scores = np.array([[0.0, 1.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 2.0], [0.0, 5.0, 0.0], [1.0, 0.0, 0.0]])
assert_close("accuracy", assert_scalar("accuracy", accuracy(_scores, np.array([0, 1, 2, 0, 1]))), 0.2,
             case="one of five correct")
assert_close("accuracy", assert_scalar("accuracy", accuracy(_scores, np.array([2, 2, 0, 2, 2]))), 0.0,
             case="none correct")
_s32 = np.array([[0.2, 0.8], [0.6, 0.4], [0.1, 0.9]], dtype=np.float32)
assert_close("accuracy", assert_scalar("accuracy", accuracy(_s32, np.array([1, 0, 0], dtype=np.int32))), 2 / 3,
             case="float32 scores, int32 labels")
### END HIDDEN TESTS

# %% [markdown]
# ## 9. The network and the training loop
#
# The network is $784 \to 256 \to 10$: a `Linear` layer from stage 02 (Xavier-uniform weights, zero
# biases), a ReLU from stage 03, and a second `Linear` layer whose 10 outputs are the logits:
#
# $$z = \operatorname{ReLU}(X W_1^\top + \mathbf b_1)\, W_2^\top + \mathbf b_2 .$$
#
# Training is minibatch SGD built from your functions: for each batch, forward to the logits,
# `softmax`, record the `cross_entropy`, start the backward pass with
# `softmax_cross_entropy_backward`, and step every weight against its gradient. After each epoch
# we record the `accuracy` on the training images and on a **validation** set: images held out from
# training, so we can watch for overfitting without touching the test set, which we use only once,
# at the end.
#
# The network, the training loop and the cell that runs it are given and read-only: the graded test
# of the trained network relies on them.
#
# **Hyperparameters.** Minibatches of 64 images and 256 hidden units. The learning rate follows a
# **cosine schedule** from its starting value down to almost 0 by the last epoch: large steps early
# make fast progress, small steps at the end let the network settle. The best starting value
# depends on the data, and we use the ones that worked best when this stage was written: 0.5 on the
# 3,500 training images of the subset, 0.2 on the full MNIST, which has 15 times more steps per
# epoch (section 12 shows what a learning rate far too large does). We train 20 epochs on the full
# MNIST and 30 on the subset, whose epochs are much shorter; while the grader runs the notebook it
# trains fewer epochs to save time.

# %% nbgrader={"grade_id": "given_network", "locked": true}
class Linear:
    """Fully connected layer y = x @ W.T + b (given, from stage 02)."""

    def __init__(self, in_dim, out_dim, rng):
        bound = np.sqrt(6.0 / (in_dim + out_dim))
        self.W = rng.uniform(-bound, bound, size=(out_dim, in_dim))
        self.b = np.zeros(out_dim)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, dout):
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W


class ReLU:
    """max(0, x), elementwise (given, from stage 03)."""

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dout):
        return dout * (self.x > 0)


class MLP:
    """in_dim -> hidden (ReLU) -> n_classes; forward returns the logits."""

    def __init__(self, in_dim, hidden, n_classes, rng):
        self.layers = [Linear(in_dim, hidden, rng), ReLU(), Linear(hidden, n_classes, rng)]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dlogits):
        for layer in reversed(self.layers):
            dlogits = layer.backward(dlogits)

    def sgd_step(self, lr):
        for layer in self.layers:
            if isinstance(layer, Linear):
                layer.W -= lr * layer.dW
                layer.b -= lr * layer.db

    def scores(self, X, chunk=10_000):
        """Logits for many rows, a chunk at a time to bound memory."""
        return np.concatenate([self.forward(X[start:start + chunk]) for start in range(0, len(X), chunk)])


def cosine_lr(lr_max, epoch, epochs):
    """Learning rate for `epoch` (0-based): lr_max at the start, falling along a half cosine towards 0."""
    return lr_max * 0.5 * (1.0 + np.cos(np.pi * epoch / epochs))


def train_mlp(X_fit, y_fit, X_val, y_val, *, hidden=256, lr=0.2, batch_size=64, epochs=10, seed=0,
              show_progress=True):
    """Train an MLP with minibatch SGD using your functions; return (net, history)."""
    rng = np.random.default_rng(seed)
    net = MLP(X_fit.shape[1], hidden, N_CLASSES, rng)
    Y_fit = one_hot(y_fit, N_CLASSES)
    history = {"loss": [], "train_acc": [], "val_acc": [], "lr": []}
    epoch_range = range(epochs)
    if show_progress:
        epoch_range = progress(epoch_range, desc=f"training H={hidden}, lr={lr}", unit="epoch")
    for epoch in epoch_range:
        step_lr = cosine_lr(lr, epoch, epochs)
        for X_batch, Y_batch in iterate_minibatches(X_fit, Y_fit, batch_size, rng):
            probs = softmax(net.forward(X_batch))
            history["loss"].append(cross_entropy(probs, Y_batch))
            net.backward(softmax_cross_entropy_backward(probs, Y_batch))
            net.sgd_step(step_lr)
        history["lr"].append(step_lr)
        history["train_acc"].append(accuracy(net.scores(X_fit), y_fit))
        history["val_acc"].append(accuracy(net.scores(X_val), y_val))
    return net, history


# %% [markdown]
# We hold out 500 of the subset's training images (5,000 of the full set's) for validation; the
# network trains on the rest.

# %% nbgrader={"grade_id": "given_training", "locked": true}
FULL_DATA = data.source == "full"
HIDDEN, BATCH_SIZE = 256, 64
LEARNING_RATE = 0.2 if FULL_DATA else 0.5
if under_grader():
    EPOCHS = 5 if FULL_DATA else 4
else:
    EPOCHS = 20 if FULL_DATA else 30

n_val = min(5000, len(data.y_train) // 8)
split = np.random.default_rng(0).permutation(len(data.y_train))
X_fit, y_fit = data.X_train[split[n_val:]], data.y_train[split[n_val:]]
X_val, y_val = data.X_train[split[:n_val]], data.y_train[split[:n_val]]
print(f"training on {len(y_fit)} images, validating on {len(y_val)}, testing on {len(data.y_test)}; "
      f"{EPOCHS} epochs of {int(np.ceil(len(y_fit) / BATCH_SIZE))} steps")

net, history = train_mlp(X_fit, y_fit, X_val, y_val, hidden=HIDDEN, lr=LEARNING_RATE, batch_size=BATCH_SIZE,
                         epochs=EPOCHS, seed=0)
test_accuracy = accuracy(net.scores(data.X_test), data.y_test)
print(f"after {EPOCHS} epochs: training accuracy {history['train_acc'][-1]:.4f}, "
      f"validation accuracy {history['val_acc'][-1]:.4f}, test accuracy {test_accuracy:.4f}")

# %%
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4))
steps_per_epoch = int(np.ceil(len(y_fit) / BATCH_SIZE))
plot_losses(history["loss"], title="Cross-entropy per minibatch", xlabel="step", ylabel="loss", logy=True, ax=ax_loss)
window = min(steps_per_epoch, len(history["loss"]))
smoothed = np.convolve(history["loss"], np.ones(window) / window, mode="valid")
ax_loss.plot(np.arange(window, len(history["loss"]) + 1), smoothed, color="black", lw=2,
             label=f"mean of the last {window} steps")
ax_loss.legend()
plot_accuracies({"training": history["train_acc"], "validation": history["val_acc"]},
                title="Accuracy after each epoch", ax=ax_acc)
ax_acc.set_ylim(min(0.8, min(history["val_acc"]) - 0.02), 1.005)
plt.tight_layout()
plt.show()

# %% [markdown]
# ### The graded result
#
# The test below measures your trained network on the **test** images, which it has never seen.
# With correct functions it clears the bar (0.90 on the subset, 0.97 on the full MNIST) with room to
# spare: about 0.95 on the subset and 0.98 on the full MNIST (about 0.93 on the subset after the
# grader's 4 epochs). The test first checks, on tiny examples, each of your functions the training
# used, and names the first one to fix; if it fails while the tests above pass, look at the loss
# curve: a loss that rises or turns into `nan` points at the gradient or the softmax.

# %% nbgrader={"grade": true, "grade_id": "test_trained_network", "points": 3}
# The network was trained with your functions: each must be right before its accuracy means anything.
prerequisites = [
    ("one_hot", lambda: one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]]),
    ("softmax", lambda: softmax(np.array([[0.0, np.log(3.0)]])), [[0.25, 0.75]]),
    ("cross_entropy", lambda: cross_entropy(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])), np.log(2.0)),
    ("softmax_cross_entropy_backward",
     lambda: softmax_cross_entropy_backward(np.array([[0.25, 0.75], [0.5, 0.5]]), np.array([[0.0, 1.0], [1.0, 0.0]])),
     [[0.125, -0.125], [-0.25, 0.25]]),
    ("iterate_minibatches",
     lambda: sorted(float(row) for xb, _ in iterate_minibatches(np.arange(5.0).reshape(5, 1), np.arange(5), 2,
                                                                np.random.default_rng(0)) for row in xb[:, 0]),
     [0.0, 1.0, 2.0, 3.0, 4.0]),
    ("accuracy", lambda: accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1])), 0.5),
]
for name, compute, expected in prerequisites:
    try:
        got = np.asarray(compute(), dtype=float)
        right = got.shape == np.shape(expected) and np.allclose(got, expected, rtol=1e-6, atol=1e-6)
        got = got.tolist()
    except NotImplementedError:
        got, right = "no result: it is not implemented yet", False
    except Exception as error:  # noqa: BLE001 (any error means the function is not ready)
        got, right = f"an error ({type(error).__name__}: {error})", False
    assert right, (f"trained network: the training used your {name}: fix `{name}` first (its test above fails; "
                   f"on a tiny example it gave {got}, expected {np.asarray(expected).tolist()})")
assert "net" in globals() and "history" in globals(), (
    "trained network: the training cell of section 9 did not finish: run it again and read its error")

ACCURACY_BAR = 0.97 if FULL_DATA else 0.90
test_scores = net.scores(data.X_test)
network_accuracy = accuracy(test_scores, data.y_test)
assert network_accuracy >= ACCURACY_BAR, (
    f"trained network: test accuracy {network_accuracy:.4f} is below the bar of {ACCURACY_BAR} on the {data.name}; "
    "check the loss curve above and your softmax, cross_entropy, softmax_cross_entropy_backward and "
    "iterate_minibatches")
print(f"trained network: test accuracy {network_accuracy:.4f} >= {ACCURACY_BAR}: visible tests passed")
### BEGIN HIDDEN TESTS
_test_accuracy = float(np.mean(np.argmax(net.scores(data.X_test), axis=1) == data.y_test))
assert _test_accuracy >= ACCURACY_BAR, (
    f"trained network: test accuracy {_test_accuracy:.4f} is below the bar of {ACCURACY_BAR}")
_losses = np.asarray(history["loss"], dtype=float)
assert np.all(np.isfinite(_losses)), "trained network: the training loss became inf or nan"
_tenth = max(1, len(_losses) // 10)
assert _losses[-_tenth:].mean() < 0.5 * _losses[:_tenth].mean(), (
    "trained network: the training loss did not fall to less than half of its starting value")
assert len(_losses) == EPOCHS * int(np.ceil(len(y_fit) / BATCH_SIZE)), (
    "trained network: the number of training steps is not one per minibatch per epoch")
_val_accuracy = float(np.mean(np.argmax(net.scores(X_val), axis=1) == y_val))
assert _val_accuracy >= ACCURACY_BAR - 0.02, (
    f"trained network: validation accuracy {_val_accuracy:.4f} is below {ACCURACY_BAR - 0.02:.2f}")
### END HIDDEN TESTS

# %% [markdown]
# ## 10. The same network in scikit-learn
#
# scikit-learn's `MLPClassifier` builds the same architecture, `hidden_layer_sizes=(256,)` with
# ReLU and a softmax output trained on the cross-entropy, but trains it with the Adam optimiser
# (stage 08) and a small L2 penalty until the training loss stops improving (on the full MNIST we
# stop it after the same 20 epochs as ours). Trained on the same images and tested on the same test
# set, the two should land close together: on the subset ours does a little better (the cell checks
# it), and on the full MNIST they were within 0.1 percentage points of each other when this was
# written (0.979 for ours, 0.980 for scikit-learn's). (Skipped while the grader runs the notebook.)

# %%
if under_grader():
    print("scikit-learn comparison skipped under the grader")
else:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    sk_model = MLPClassifier(hidden_layer_sizes=(HIDDEN,), max_iter=EPOCHS if FULL_DATA else 200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk_model.fit(X_fit, y_fit)
    sk_accuracy = float(sk_model.score(data.X_test, data.y_test))
    print(f"test accuracy on the {data.name}: ours {test_accuracy:.4f}, "
          f"scikit-learn MLPClassifier {sk_accuracy:.4f} ({sk_model.n_iter_} epochs of Adam)")
    if not FULL_DATA:
        assert test_accuracy >= sk_accuracy, (
            f"our network ({test_accuracy:.4f}) did worse than scikit-learn's ({sk_accuracy:.4f}) on the subset; "
            "with correct functions it does better")

# %% [markdown]
# ## 11. What the network learned, and where it goes wrong
#
# **The confusion matrix** counts, for each true digit (row), how often the network predicted each
# digit (column). The diagonal holds the correct answers; large numbers off the diagonal show which
# digits it confuses. The cell also prints the four pairs it confuses most often: compare them with
# the images above and look for the strokes each pair shares.

# %%
test_scores = net.scores(data.X_test)
predicted = np.argmax(test_scores, axis=1)
confusion = np.zeros((N_CLASSES, N_CLASSES), dtype=int)
np.add.at(confusion, (data.y_test, predicted), 1)
mistakes = confusion + confusion.T  # confusing a with b or b with a
pairs = sorted(((mistakes[a, b], a, b) for a in range(N_CLASSES) for b in range(a + 1, N_CLASSES)), reverse=True)
print("digit pairs confused most often (either way):",
      ", ".join(f"{a} and {b} ({count} times)" for count, a, b in pairs[:4]))

fig, ax = plt.subplots(figsize=(6.5, 5.5))
image = ax.imshow(confusion, cmap="Blues")
for true_digit in range(N_CLASSES):
    for predicted_digit in range(N_CLASSES):
        count = confusion[true_digit, predicted_digit]
        ax.text(predicted_digit, true_digit, str(count), ha="center", va="center", fontsize=8,
                color="white" if count > confusion.max() / 2 else "black")
ax.set_xticks(range(N_CLASSES))
ax.set_yticks(range(N_CLASSES))
ax.set_xlabel("predicted digit")
ax.set_ylabel("true digit")
ax.set_title(f"Confusion matrix on the {len(data.y_test)} test images (accuracy {test_accuracy:.3f})")
fig.colorbar(image, ax=ax, label="number of images")
plt.tight_layout()
plt.show()

# %% [markdown]
# **The first layer's weights.** Row $j$ of $W_1$ holds the 784 weights hidden unit $j$ gives to the
# pixels, so it can be shown as a 28x28 image: red where ink increases the unit's input, blue where
# ink decreases it. We show the 32 units the output layer relies on most (the largest columns of
# $W_2$). They look like blurry pieces of strokes, or like one digit's shape minus another's:
# detectors of the features that separate the classes. (On the few thousand images of the subset
# much of each picture is still speckled: the weights move little from their random start.) The speckled
# frame is the random initialisation, untouched: pixels near the border are blank in almost every
# image, and a weight whose input is always 0 gets a zero gradient (stage 02's $dW = G^\top X$, with
# $G$ the gradient arriving at the layer's output: column $i$ of $dW$ is a sum of terms
# $G_{nj} X_{ni}$, all 0 when pixel $i$ is 0 in every image), so it never moves.

# %%
first_layer = net.layers[0].W
# the 32 hidden units the output layer listens to most: the largest columns of W2
most_used = np.argsort(-np.linalg.norm(net.layers[2].W, axis=0))[:32]
fig, axes = plt.subplots(4, 8, figsize=(12, 6.5))
for unit, ax in zip(most_used, axes.ravel()):
    weights = first_layer[unit].reshape(28, 28)
    limit = np.abs(weights).max()
    ax.imshow(weights, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"unit {unit}", fontsize=8)
    ax.axis("off")
fig.suptitle(f"First-layer weights of the 32 (of {HIDDEN}) hidden units with the largest outgoing weights "
             "(red +, blue -)")
plt.tight_layout()
plt.show()

# %% [markdown]
# **The mistakes** the network was most sure of: test images whose wrong prediction got the highest
# probability. Some are genuinely ambiguous, some are badly written, a few look mislabelled.

# %%
test_probs = softmax(test_scores)
wrong = np.flatnonzero(predicted != data.y_test)
most_confident = wrong[np.argsort(-test_probs[wrong, predicted[wrong]])][:16]
fig, axes = plt.subplots(2, 8, figsize=(12, 3.8))
for ax in axes.ravel():
    ax.axis("off")
for ax, index in zip(axes.ravel(), most_confident):
    ax.imshow(data.X_test[index].reshape(28, 28), cmap="gray_r")
    ax.set_title(f"true {data.y_test[index]}, said {predicted[index]}\n(p = {test_probs[index, predicted[index]]:.2f})",
                 fontsize=8)
fig.suptitle(f"The network's most confident mistakes ({len(wrong)} of {len(data.y_test)} test images are wrong)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 12. Hidden size and learning rate
#
# Finally, how the two main knobs change training. Each run below trains for 10 epochs on (at most)
# 4,000 of the training images, with the same schedule, changing one thing: the hidden size (with
# learning rate 0.5), or the learning rate (with 256 hidden units). The left plots show the loss per
# step, averaged over each epoch; the right ones the validation accuracy. (Skipped while the grader
# runs the notebook.)

# %%
if under_grader():
    print("hidden-size and learning-rate experiments skipped under the grader")
else:
    X_small, y_small = X_fit[:4000], y_fit[:4000]
    runs = {"hidden size": [dict(hidden=h, lr=0.5) for h in (8, 32, 256)],
            "learning rate": [dict(hidden=256, lr=lr) for lr in (0.02, 0.5, 5.0)]}
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    for row, (knob, settings) in enumerate(runs.items()):
        loss_curves, val_curves = {}, {}
        for setting in progress(settings, desc=f"varying the {knob}", unit="run"):
            with np.errstate(all="ignore"):  # a diverging run may overflow; its curve shows it
                _, run_history = train_mlp(X_small, y_small, X_val, y_val, epochs=10, seed=1, show_progress=False,
                                           **setting)
            label = f"H = {setting['hidden']}" if knob == "hidden size" else f"lr = {setting['lr']}"
            per_epoch = np.array(run_history["loss"]).reshape(10, -1).mean(axis=1)
            loss_curves[label] = per_epoch
            val_curves[label] = run_history["val_acc"]
            print(f"{label:>10}: final validation accuracy {run_history['val_acc'][-1]:.3f}")
        plot_losses(loss_curves, title=f"Training loss, varying the {knob}", ylabel="mean loss in the epoch",
                    logy=True, ax=axes[row, 0])
        plot_accuracies(val_curves, title=f"Validation accuracy, varying the {knob}", ax=axes[row, 1])
    plt.tight_layout()
    plt.show()

# %% [markdown]
# **Checkpoint 2.** Describe what the plots above show. How does the number of hidden units change
# the training loss and the validation accuracy, and why? What happens with a learning rate that is
# too small, and with one that is too large? Relate the learning rate to the step
# $W \leftarrow W - \eta\, \partial L / \partial W$.

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_hidden_size_and_lr", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# More hidden units give the network more features to combine, so the training loss falls faster
# and lower and the validation accuracy rises: 8 units are a bottleneck (clearly worse), 32 are
# decent, 256 best; the gain shrinks as H grows, and a much larger network would mostly fit the
# training set better (overfitting shows as a gap between training and validation accuracy).
# The learning rate sets the size of each step -eta * gradient. Too small (0.02) and every step
# barely moves the weights: the loss falls slowly and after 10 epochs the network is well behind.
# Too large (5.0) and the steps overshoot: the first epoch's mean loss (about 3.9) is above the
# starting 2.3, then the loss sits at about ln 10 = 2.30, the loss of a uniform guess, and
# validation accuracy stays at chance (8-11%): the huge early steps push all but a few of the 256
# ReLU units into never firing, so the network gives almost the same scores to every image. In
# between (0.5) the loss falls fast and the noisy large early steps are tamed by the decaying
# schedule.
# ### END SOLUTION
