# %% [markdown]
# # Stage 06: weight initialisation (Xavier and He)
#
# Before a network has seen a single example, we have to pick numbers for all of its weights.
# Stage 02 used Xavier's uniform distribution and stated its variance without deriving it. This
# stage asks: how large should the initial weights be? Too small, and the signal fades a little at
# every layer until a deep network outputs the same thing for every input and its gradients are
# almost zero. Too large, and it blows up. The right size depends on how many inputs a unit adds up, and on the
# activation function between the layers.
#
# **You will**
# - work out how the variance of the signal changes from one layer to the next;
# - implement three standard initialisers: Xavier-uniform, Xavier-normal and He-normal;
# - train a deep ReLU network on MNIST from a fixed small initialisation, from Xavier and from He,
#   at several learning rates, and measure how the activations and gradients behave layer by layer;
# - explain what you see in a short written report.
#
# **Time:** about an hour and a half: 30 minutes of reading, 20 to 30 minutes of coding, 30
# minutes for the report; running every cell takes under a minute.
# **Needs:** stage 02 (the `Linear` layer, whose weight matrix is $(n_\text{out}, n_\text{in})$),
# stage 03 (ReLU) and stage 05 (softmax cross-entropy, minibatch SGD), all given here read-only;
# the mean and variance of a sum of independent random numbers.
#
# Cells marked **TODO** are yours. Above each one, collapsed **hints** (click to open) lead from
# the idea to the formula: try without them first, then open one at a time. The test cell after each one checks your work straight away;
# the grader runs more checks of the same kind later, so make your code correct in general, not
# just for the examples shown.

# %%
import contextlib

import matplotlib.pyplot as plt
import numpy as np

from helpers import progress, seed_everything, under_grader
from helpers.mnist import load_mnist
from helpers.testing import assert_dtype_float, assert_shape, call

rng = seed_everything(0)

# %% [markdown]
# ## 1. How the variance travels through a layer
#
# Take one linear layer with zero bias, $z = W x$, where $x$ has $n_\text{in}$ entries (the
# layer's **fan-in**) and $z$ has $n_\text{out}$ (its **fan-out**), so $W$ is
# $(n_\text{out}, n_\text{in})$ as in stage 02. Output $j$ is a sum of $n_\text{in}$ products,
#
# $$z_j = \sum_{i=1}^{n_\text{in}} W_{ji}\, x_i .$$
#
# Draw the weights independently, with mean 0 and variance $\sigma^2$, and independently of the
# input. Each product then has mean 0 and variance $\sigma^2\, \mathbb E[x_i^2]$, and variances of
# independent terms add:
#
# $$\operatorname{Var}(z_j) = n_\text{in}\, \sigma^2\, \mathbb E[x^2] .$$
#
# If $x$ has mean 0 (the output of a linear layer, or of tanh), $\mathbb E[x^2] = \operatorname{Var}(x)$
# and each layer multiplies the variance by $n_\text{in} \sigma^2$. Through $L$ layers that is a
# factor $(n_\text{in} \sigma^2)^L$: if $n_\text{in}\sigma^2$ is a little above 1 the signal explodes
# with depth, a little below and it vanishes.
#
# The backward pass has the same shape of formula. The gradient reaching input $i$ is
# $\partial L / \partial x_i = \sum_j W_{ji}\, \partial L / \partial z_j$, a sum of $n_\text{out}$
# terms, so
#
# $$\operatorname{Var}\Big(\frac{\partial L}{\partial x}\Big) = n_\text{out}\, \sigma^2\,
#   \operatorname{Var}\Big(\frac{\partial L}{\partial z}\Big).$$
#
# **Xavier (Glorot) initialisation.** Keeping the forward signal steady needs
# $\sigma^2 = 1/n_\text{in}$, keeping the backward one steady needs $\sigma^2 = 1/n_\text{out}$.
# Unless the two are equal we cannot have both, and Glorot and Bengio (2010) take the compromise
#
# $$\sigma^2 = \frac{2}{n_\text{in} + n_\text{out}} .$$
#
# That is a variance: any distribution with mean 0 and this variance does the job, and the two
# usual ones are a normal distribution and a uniform one (your first two initialisers).
#
# **He (Kaiming) initialisation.** Between the layers of our networks sits a ReLU. If $z$ is
# symmetric around 0, $\operatorname{relu}(z) = \max(0, z)$ is zero half of the time and equal to
# $z$ the other half, so
#
# $$\mathbb E\big[\operatorname{relu}(z)^2\big] = \tfrac12\, \mathbb E[z^2] = \tfrac12 \operatorname{Var}(z),
#   \qquad \operatorname{Var}(z^{(l)}) = \tfrac12\, n_\text{in}\, \sigma^2 \operatorname{Var}(z^{(l-1)}).$$
#
# ReLU throws away half of the variance at every layer; He et al. (2015) make up for it by
# doubling the weights' variance:
#
# $$\sigma^2 = \frac{2}{n_\text{in}}, \qquad \text{drawn from a normal distribution with mean 0.}$$
#
# **A fixed small scale.** Many older tutorials draw every weight from $N(0, 0.01^2)$, standard
# deviation 0.01, whatever the layer's size. In a layer with 128 inputs followed by ReLU, the
# variance is multiplied by $\tfrac12 \cdot 128 \cdot 0.01^2 = 0.0064$, so the standard deviation by
# $0.08$. After five such layers the signal is $0.08^5 \approx 3 \cdot 10^{-6}$ of what it was.
#
# ## 2. How the tests check a random initialiser
#
# An initialiser returns random numbers, so the tests cannot compare them with fixed values. They
# check what is always true of a correct one:
#
# - the shape is $(n_\text{out}, n_\text{in})$ and the values are floating point;
# - every number comes from the generator `rng` passed in: two generators seeded alike give the
#   same array, differently seeded ones give different arrays (so do not use `np.random.randn`
#   or make a generator of your own);
# - on a large draw (about 200,000 weights) the sample statistics match the distribution: mean
#   about 0, standard deviation within 3% of the formula, the bounds of a uniform distribution,
#   the tails of a normal one (about 4.55% of a normal sample lies more than two standard
#   deviations from the mean, none of a uniform one with the same variance). With that many
#   weights the sample standard deviation is within about 0.2% of the true one, so the 3%
#   tolerance never fails a correct implementation.
#
# How you call the generator is up to you: `rng.normal`, `rng.standard_normal` times a scale, or
# `rng.uniform` all pass. The read-only cell below holds these checks.

# %% nbgrader={"grade_id": "given_init_checks", "locked": true}
def check_draws_from_rng(name, init, fan_in, fan_out):
    """Call init(fan_in, fan_out, rng); check shape, float dtype and that it draws from rng.

    Returns the weights of the call with default_rng(0) as a float64 array.
    """
    case = f"{name}({fan_in}, {fan_out}, rng)"
    W = call(init, fan_in, fan_out, np.random.default_rng(0), name=name)
    assert W is not None, f"{case}: returned None; return the array of weights"
    assert_shape(name, W, (fan_out, fan_in), case=f"fan_in={fan_in}, fan_out={fan_out}; W is (fan_out, fan_in)")
    assert_dtype_float(name, W, case=case)
    again = init(fan_in, fan_out, np.random.default_rng(0))
    assert np.array_equal(W, again), (
        f"{case}: two calls with generators seeded alike gave different weights; draw every number from "
        "the `rng` argument (not from np.random.* and not from a generator of your own)")
    other = init(fan_in, fan_out, np.random.default_rng(1))
    assert not np.array_equal(W, other), (
        f"{case}: generators with different seeds gave the same weights; draw the numbers from the `rng` argument")
    return np.asarray(W, dtype=np.float64)


def check_std(name, W, expected, formula, case, slips=()):
    """The sample std of W must be within 3% of `expected`; `slips` are (std, hint) of common mistakes."""
    std = float(np.std(W))
    if abs(std / expected - 1) > 0.03:
        hints = [hint for slip_std, hint in slips if abs(std / slip_std - 1) < 0.03]
        raise AssertionError(f"{name}({case}): sample std {std:.4f}, expected {formula} = {expected:.4f}"
                             + (f"; {hints[0]}" if hints else ""))


def check_mean_zero(name, W, std, case):
    """The sample mean of a large draw must be about 0 (within 2% of the std, ~9 standard errors)."""
    mean = float(np.mean(W))
    assert abs(mean) < 0.02 * std, (
        f"{name}({case}): the mean weight is {mean:.4f}; expected about 0 (a distribution symmetric around 0)")


def check_normal_tails(name, W, std, case):
    """About 4.55% of a normal sample lies beyond 2 std; a uniform or truncated one has none there."""
    beyond = float(np.mean(np.abs(W) > 2 * std))
    assert abs(beyond - 0.0455) < 0.005, (
        f"{name}({case}): {100 * beyond:.2f}% of the weights lie more than 2 standard deviations ({2 * std:.4f}) "
        "from 0, expected about 4.55% for a normal distribution; draw from a normal (Gaussian) distribution")


# %% [markdown]
# ## 3. Xavier, uniform
#
# **TODO:** implement `xavier_uniform(fan_in, fan_out, rng)`: weights of shape
# $(n_\text{out}, n_\text{in})$ drawn from a uniform distribution $U(-a, a)$ whose variance is
# Xavier's $2/(n_\text{in} + n_\text{out})$. Work out $a$ first (you did it once inside stage 02's
# `Linear`; here it becomes a function of its own).
#
# <details><summary>Hint 1: the idea</summary>
#
# The variance of $U(-a, a)$ depends on $a$ only. Compute it (mean 0, so it is $\mathbb E[w^2]$),
# then choose $a$ so that it equals the variance Xavier asks for.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# The density of $U(-a, a)$ is $1/(2a)$ on $[-a, a]$, so
# $\mathbb E[w^2] = \frac{1}{2a}\int_{-a}^{a} w^2\, dw = \frac{a^2}{3}$. Set
# $a^2/3 = 2/(n_\text{in} + n_\text{out})$ and solve for $a > 0$.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $a = \sqrt{6/(n_\text{in} + n_\text{out})}$, and
# `rng.uniform(-a, a, size=(fan_out, fan_in))`.
#
# </details>

# %% nbgrader={"grade_id": "xavier_uniform", "solution": true}
def xavier_uniform(fan_in, fan_out, rng):
    """Xavier (Glorot) uniform initialisation.

    fan_in, fan_out: the layer's number of inputs and outputs (positive ints).
    rng: a np.random.Generator; every random number must come from it.
    Returns a float array of shape (fan_out, fan_in) drawn independently from a uniform
    distribution on [-a, a] (so mean 0) whose variance is 2 / (fan_in + fan_out). The tests check
    the bounds, the spread over [-a, a] and the standard deviation on about 200,000 weights.
    """
    ### BEGIN SOLUTION
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_out, fan_in))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_xavier_uniform", "points": 3}
W = check_draws_from_rng("xavier_uniform", xavier_uniform, 3, 5)
bound = 0.8660  # worked out by hand: the a whose U(-a, a) has variance 2 / (3 + 5) = 0.25
assert np.all(np.abs(W) <= bound * (1 + 1e-4)), (
    f"xavier_uniform(3, 5, rng): every weight must lie in [-a, a], where U(-a, a) has variance 2/(3+5) = 0.25, "
    f"so a = {bound:.4f}; the largest |W| is {np.max(np.abs(W)):.4f}")
W = np.asarray(xavier_uniform(200, 1000, np.random.default_rng(3)), dtype=np.float64)
check_std("xavier_uniform", W, 0.040825, "the square root of the variance 2/(200+1000)", "200, 1000, rng",
          slips=[(np.sqrt(2 / 200), "did you use a = sqrt(6/fan_in)?"),
                 (np.sqrt(1 / 1200), "did you use a = sqrt(3/(fan_in+fan_out))?"),
                 (np.sqrt(1 / 3600), "did you use a = sqrt(1/(fan_in+fan_out))?")])
print("xavier_uniform: visible tests passed")
### BEGIN HIDDEN TESTS
for _fan_in, _fan_out in [(1000, 200), (400, 500), (784, 256)]:
    _case = f"{_fan_in}, {_fan_out}, rng"
    _W = check_draws_from_rng("xavier_uniform", xavier_uniform, _fan_in, _fan_out)
    _a = np.sqrt(6 / (_fan_in + _fan_out))
    assert np.all(np.abs(_W) <= _a * (1 + 1e-6)), (
        f"xavier_uniform({_case}): weights outside [-a, a] with a = sqrt(6/(fan_in+fan_out)) = {_a:.4f}: "
        f"the largest |W| is {np.max(np.abs(_W)):.4f}")
    assert _W.max() > 0.99 * _a and _W.min() < -0.99 * _a, (
        f"xavier_uniform({_case}): the weights do not fill [-a, a] (they range over [{_W.min():.4f}, {_W.max():.4f}], "
        f"a = {_a:.4f})")
    check_std("xavier_uniform", _W, _a / np.sqrt(3), "a/sqrt(3)", _case)
    check_mean_zero("xavier_uniform", _W, _a / np.sqrt(3), _case)
    # 10 equal bins over [-a, a]: each holds 10% of a uniform sample (standard error about 0.07%)
    _counts, _ = np.histogram(np.clip(_W, -_a, _a), bins=10, range=(-_a, _a))
    _fractions = _counts / _W.size
    assert np.all(np.abs(_fractions - 0.1) < 0.01), (
        f"xavier_uniform({_case}): the weights are not spread evenly over [-a, a]: the fractions in 10 equal bins are "
        f"{np.round(_fractions, 3).tolist()}, expected 0.1 each; draw from a uniform distribution")
_W = check_draws_from_rng("xavier_uniform", xavier_uniform, 1, 1)
assert abs(_W[0, 0]) <= np.sqrt(3.0) * (1 + 1e-6), "xavier_uniform(1, 1, rng): expected a weight in [-sqrt(3), sqrt(3)]"
_rng = np.random.default_rng(12)
assert not np.array_equal(xavier_uniform(4, 6, _rng), xavier_uniform(4, 6, _rng)), (
    "xavier_uniform: two calls with the same generator gave the same weights; draw from `rng` so that it advances")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Xavier, normal
#
# **TODO:** implement `xavier_normal(fan_in, fan_out, rng)`: weights of shape
# $(n_\text{out}, n_\text{in})$ drawn from a normal distribution with mean 0 and **variance**
# $2/(n_\text{in} + n_\text{out})$.
#
# <details><summary>Hint 1: the idea</summary>
#
# One call to the generator draws the whole array: a normal distribution is fixed by its mean (0
# here) and its spread, and `size=(fan_out, fan_in)` gives the shape.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# numpy's `rng.normal(loc, scale, size)` takes the **standard deviation** as `scale`, not the
# variance: the standard deviation is the square root of the variance.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# `rng.normal(0.0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_out, fan_in))`.
#
# </details>

# %% nbgrader={"grade_id": "xavier_normal", "solution": true}
def xavier_normal(fan_in, fan_out, rng):
    """Xavier (Glorot) normal initialisation.

    fan_in, fan_out: the layer's number of inputs and outputs (positive ints).
    rng: a np.random.Generator; every random number must come from it.
    Returns a float array of shape (fan_out, fan_in) drawn independently from a normal
    distribution with mean 0 and VARIANCE 2 / (fan_in + fan_out). The tests check the standard
    deviation, the mean and the tails of the distribution on about 200,000 weights.
    """
    ### BEGIN SOLUTION
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_out, fan_in))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_xavier_normal", "points": 3}
W = check_draws_from_rng("xavier_normal", xavier_normal, 3, 5)
W = np.asarray(xavier_normal(200, 1000, np.random.default_rng(3)), dtype=np.float64)
check_std("xavier_normal", W, 0.040825, "the square root of the variance 2/(200+1000)", "200, 1000, rng",
          slips=[(2 / 1200, "the variance is 2/(fan_in+fan_out); the standard deviation is its square root"),
                 (np.sqrt(1 / 1200), "did you use sqrt(1/(fan_in+fan_out))? The variance is 2/(fan_in+fan_out)"),
                 (np.sqrt(2 / 200), "did you use the variance 2/fan_in? That is He's; Xavier's uses fan_in + fan_out")])
print("xavier_normal: visible tests passed")
### BEGIN HIDDEN TESTS
for _fan_in, _fan_out in [(1000, 200), (400, 500), (784, 256)]:
    _case = f"{_fan_in}, {_fan_out}, rng"
    _W = check_draws_from_rng("xavier_normal", xavier_normal, _fan_in, _fan_out)
    _std = np.sqrt(2 / (_fan_in + _fan_out))
    check_std("xavier_normal", _W, _std, "sqrt(2/(fan_in+fan_out))", _case,
              slips=[(2 / (_fan_in + _fan_out), "the variance is 2/(fan_in+fan_out); the std is its square root")])
    check_mean_zero("xavier_normal", _W, _std, _case)
    check_normal_tails("xavier_normal", _W, _std, _case)
_W = check_draws_from_rng("xavier_normal", xavier_normal, 1, 1)
_rng = np.random.default_rng(12)
assert not np.array_equal(xavier_normal(4, 6, _rng), xavier_normal(4, 6, _rng)), (
    "xavier_normal: two calls with the same generator gave the same weights; draw from `rng` so that it advances")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. He, normal
#
# **TODO:** implement `he_normal(fan_in, fan_out, rng)`: weights of shape $(n_\text{out}, n_\text{in})$
# drawn from a normal distribution with mean 0 and variance $2/n_\text{in}$ (the fan-**in** only).
#
# <details><summary>Hint 1: the idea</summary>
#
# The same recipe as `xavier_normal`, with He's variance instead of Xavier's.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# The variance uses `fan_in` alone (the number of inputs each unit adds up); `fan_out` only sets
# the shape. Turn the variance into a standard deviation for `scale`.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# `rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_out, fan_in))`.
#
# </details>

# %% nbgrader={"grade_id": "he_normal", "solution": true}
def he_normal(fan_in, fan_out, rng):
    """He (Kaiming) normal initialisation, for layers followed by ReLU.

    fan_in, fan_out: the layer's number of inputs and outputs (positive ints).
    rng: a np.random.Generator; every random number must come from it.
    Returns a float array of shape (fan_out, fan_in) drawn independently from a normal
    distribution with mean 0 and VARIANCE 2 / fan_in. The tests check the standard deviation, the
    mean and the tails of the distribution on about 200,000 weights.
    """
    ### BEGIN SOLUTION
    std = np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_out, fan_in))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_he_normal", "points": 3}
W = check_draws_from_rng("he_normal", he_normal, 3, 5)
W = np.asarray(he_normal(50, 4000, np.random.default_rng(3)), dtype=np.float64)
check_std("he_normal", W, 0.2, "the square root of the variance 2/50", "50, 4000, rng",
          slips=[(np.sqrt(2 / 4000), "did you use fan_out (or fan_in + fan_out)? He's variance uses fan_in only"),
                 (np.sqrt(1 / 50), "did you use sqrt(1/fan_in)? That is LeCun's initialisation; He doubles the variance"),
                 (2 / 50, "the variance is 2/fan_in; the standard deviation is its square root")])
print("he_normal: visible tests passed")
### BEGIN HIDDEN TESTS
for _fan_in, _fan_out in [(800, 250), (50, 4000), (784, 256)]:
    _case = f"{_fan_in}, {_fan_out}, rng"
    _W = check_draws_from_rng("he_normal", he_normal, _fan_in, _fan_out)
    _std = np.sqrt(2 / _fan_in)
    check_std("he_normal", _W, _std, "sqrt(2/fan_in)", _case,
              slips=[(np.sqrt(2 / _fan_out), "did you use fan_out?"),
                     (np.sqrt(1 / _fan_in), "did you use sqrt(1/fan_in)? He doubles the variance"),
                     (2 / _fan_in, "the variance is 2/fan_in; the std is its square root")])
    check_mean_zero("he_normal", _W, _std, _case)
    check_normal_tails("he_normal", _W, _std, _case)
_W = check_draws_from_rng("he_normal", he_normal, 1, 1)
_rng = np.random.default_rng(12)
assert not np.array_equal(he_normal(4, 6, _rng), he_normal(4, 6, _rng)), (
    "he_normal: two calls with the same generator gave the same weights; draw from `rng` so that it advances")
### END HIDDEN TESTS

# %% [markdown]
# ### A look at the three distributions
#
# The weights of the first layer of the network below, 784 inputs and 128 outputs, from each of
# your initialisers. The two Xavier draws have the same standard deviation but different shapes;
# He's is wider, by a factor $\sqrt{(n_\text{in} + n_\text{out}) / n_\text{in}} = \sqrt{912/784}
# \approx 1.08$ here (for a square layer it would be $\sqrt 2$).

# %%
look_rng = np.random.default_rng(6)
initialisers = {"xavier_uniform": xavier_uniform, "xavier_normal": xavier_normal, "he_normal": he_normal}
formulas = {"xavier_uniform": np.sqrt(2 / (784 + 128)), "xavier_normal": np.sqrt(2 / (784 + 128)),
            "he_normal": np.sqrt(2 / 784)}
fig, ax = plt.subplots(figsize=(7, 4))
for name, init in initialisers.items():
    weights = np.asarray(init(784, 128, look_rng), dtype=float)
    print(f"{name:15s} shape {weights.shape}, sample std {weights.std():.4f}, formula {formulas[name]:.4f}")
    ax.hist(weights.ravel(), bins=80, histtype="step", lw=1.5, density=True, label=name)
ax.set_title("Initial weights of a 784 -> 128 layer")
ax.set_xlabel("weight value")
ax.set_ylabel("density")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 6. A deep network to initialise
#
# The experiment uses a multilayer perceptron with **five** hidden layers of 128 ReLU units,
# $784 \to 128 \to 128 \to 128 \to 128 \to 128 \to 10$, and the softmax cross-entropy loss of
# stage 05, trained by plain minibatch SGD. The read-only cell below holds the `Linear` layer of
# stage 02, now taking the initialiser as an argument (its weights are stored as `float32`, like the
# images, which halves the memory traffic), ReLU, the loss with its gradient, and the network. Its
# `forward` keeps every hidden layer's output in `self.activations` so that we can measure them.

# %% nbgrader={"grade_id": "given_deep_mlp", "locked": true}
class Linear:
    """y = x @ W.T + b on a batch of rows; W = init(in_dim, out_dim, rng), stored as float32."""

    def __init__(self, in_dim, out_dim, init, rng):
        self.W = np.asarray(init(in_dim, out_dim, rng), dtype=np.float32)
        self.b = np.zeros(out_dim, dtype=np.float32)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, dout):
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W


class ReLU:
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient w.r.t. the logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    loss = -float(np.mean(log_probs[rows, labels]))
    dlogits = np.exp(log_probs)
    dlogits[rows, labels] -= 1.0
    return loss, dlogits / len(labels)


class DeepMLP:
    """Linear -> ReLU -> ... -> Linear with layer widths `sizes`, every weight matrix drawn by `init`."""

    def __init__(self, sizes, init, rng):
        self.linears = [Linear(n_in, n_out, init, rng) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.relus = [ReLU() for _ in self.linears[:-1]]

    def forward(self, x):
        self.activations = []  # the output of every hidden layer (after its ReLU)
        for linear, relu in zip(self.linears, self.relus):
            x = relu.forward(linear.forward(x))
            self.activations.append(x)
        return self.linears[-1].forward(x)

    def backward(self, dlogits):
        grad = self.linears[-1].backward(dlogits)
        for linear, relu in zip(reversed(self.linears[:-1]), reversed(self.relus)):
            grad = linear.backward(relu.backward(grad))

    def sgd_step(self, lr):
        for linear in self.linears:
            linear.W -= lr * linear.dW
            linear.b -= lr * linear.db


def small_normal(fan_in, fan_out, rng):
    """The fixed-scale initialisation of many older tutorials: N(0, 0.01^2) whatever the layer's size."""
    return 0.01 * rng.standard_normal((fan_out, fan_in))


try:
    from threadpoolctl import threadpool_limits
except ImportError:  # then numpy keeps its default number of threads: same results, often slower
    threadpool_limits = None


def one_blas_thread():
    """A context in which numpy's matrix products use one thread: for matrices this small, sharing
    the work between threads costs more time than it saves (many times more on a busy machine)."""
    return threadpool_limits(limits=1, user_api="blas") if threadpool_limits else contextlib.nullcontext()


# %% [markdown]
# ### Data, and a shorter run under the grader
#
# We train on 3,200 MNIST training images and hold out 800 more as a **validation set** (without
# a network connection `load_mnist` gives the bundled 5,000-digit subset). That keeps the whole
# experiment to well under a minute. When nbgrader grades the notebook it runs a much shorter
# version (`QUICK` below: fewer images, one epoch, one learning rate); your results come from the
# full one.

# %%
QUICK = under_grader()  # True only while nbgrader executes the notebook
N_TRAIN, N_VAL = (256, 128) if QUICK else (3_200, 800)
EPOCHS = 1 if QUICK else 10
LEARNING_RATES = [0.1] if QUICK else [0.01, 0.1, 1.0]
BATCH_SIZE = 64
LAYER_SIZES = [784, 128, 128, 128, 128, 128, 10]
INITS = {"N(0, 0.01²)": small_normal, "Xavier (normal)": xavier_normal, "He (normal)": he_normal}
INIT_COLORS = {"N(0, 0.01²)": "tab:gray", "Xavier (normal)": "tab:blue", "He (normal)": "tab:orange"}

mnist = load_mnist()
split = np.random.default_rng(8).permutation(len(mnist.X_train))
X_train, y_train = mnist.X_train[split[:N_TRAIN]], mnist.y_train[split[:N_TRAIN]]
X_val, y_val = mnist.X_train[split[N_TRAIN:N_TRAIN + N_VAL]], mnist.y_train[split[N_TRAIN:N_TRAIN + N_VAL]]
print(f"training on {len(X_train):,} images, validating on {len(X_val):,}; {EPOCHS} epochs per run, "
      f"learning rates {LEARNING_RATES}")

# %% [markdown]
# ## 7. Activations and gradients at initialisation
#
# Before any training, we push 1,000 training images through a freshly initialised network and
# back again, and measure the standard deviation of every hidden layer's output and of every
# layer's weight gradient $\partial L / \partial W$. The section 1 formulas predict what we should
# see: with He the activations keep their size from layer to layer, with Xavier (which ignores the
# halving by ReLU) they shrink by about $\sqrt{1/2} \approx 0.71$ per 128-wide layer, and with the
# fixed small scale they shrink by about $0.08$ per layer.

# %%
def spread_at_init(init, X, y, seed=0):
    """(activation std per hidden layer, weight-gradient std per linear layer) of a fresh network."""
    net = DeepMLP(LAYER_SIZES, init, np.random.default_rng(seed))
    with one_blas_thread():
        _, dlogits = softmax_cross_entropy(net.forward(X), y)
        net.backward(dlogits)
    return ([float(a.std()) for a in net.activations], [float(linear.dW.std()) for linear in net.linears])


n_probe = 128 if QUICK else 1_000
spreads = {name: spread_at_init(init, X_train[:n_probe], y_train[:n_probe]) for name, init in INITS.items()}
print(f"input pixels: std {X_train[:n_probe].std():.3f}")
for name, (act_std, grad_std) in spreads.items():
    print(f"{name:16s} activation std per hidden layer: " + " ".join(f"{s:9.2e}" for s in act_std))
    print(f"{'':16s} dL/dW std per layer:              " + " ".join(f"{s:9.2e}" for s in grad_std))

# %%
fig, (ax_act, ax_grad) = plt.subplots(1, 2, figsize=(12, 4.3))
for name, (act_std, grad_std) in spreads.items():
    ax_act.plot(range(1, len(act_std) + 1), act_std, marker="o", color=INIT_COLORS[name], label=name)
    ax_grad.plot(range(1, len(grad_std) + 1), grad_std, marker="o", color=INIT_COLORS[name], label=name)
ax_act.set_title("Forward: std of each hidden layer's output")
ax_act.set_xlabel("hidden layer (after ReLU)")
ax_act.set_ylabel("standard deviation (log scale)")
ax_grad.set_title("Backward: std of each layer's weight gradient dL/dW")
ax_grad.set_xlabel("linear layer (6 is the output layer)")
ax_grad.set_ylabel("standard deviation (log scale)")
ax_act.set_xticks(range(1, len(LAYER_SIZES) - 1))
ax_grad.set_xticks(range(1, len(LAYER_SIZES)))
for ax in (ax_act, ax_grad):
    ax.set_yscale("log")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
fig.suptitle(f"At initialisation: a {'-'.join(map(str, LAYER_SIZES))} ReLU network on {n_probe:,} MNIST images")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 8. Training from each initialisation
#
# Now we train a network from each initialisation at each learning rate, from the same seed and on
# minibatches in the same order. A learning rate that is too large can make the weights and the
# logits grow until they overflow; the loss then becomes `inf` or `nan`. The read-only training
# loop below checks the loss after every step, stops such a run, and records it as **diverged**
# instead of crashing (inside `np.errstate`, so numpy does not print overflow warnings either).

# %% nbgrader={"grade_id": "given_training", "locked": true}
def train_deep(init, lr, epochs, seed=0):
    """Train a fresh DeepMLP initialised by `init` with minibatch SGD on X_train.

    Returns a dict: "losses" (mean training loss of each completed epoch), "diverged_in" (the epoch
    in which the loss stopped being finite, or None) and "val_accuracy" (after training; nan if
    the run diverged).
    """
    net = DeepMLP(LAYER_SIZES, init, np.random.default_rng(seed))
    order_rng = np.random.default_rng(seed + 1)
    losses, diverged_in = [], None
    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            batch_losses = []
            order = order_rng.permutation(len(X_train))
            for start in range(0, len(X_train), BATCH_SIZE):
                rows = order[start:start + BATCH_SIZE]
                loss, dlogits = softmax_cross_entropy(net.forward(X_train[rows]), y_train[rows])
                if not np.isfinite(loss):
                    diverged_in = epoch
                    break
                batch_losses.append(loss)
                net.backward(dlogits)
                net.sgd_step(lr)
            if diverged_in is not None:
                break
            losses.append(float(np.mean(batch_losses)))
        val_logits = net.forward(X_val)
    finite = diverged_in is None and bool(np.all(np.isfinite(val_logits)))
    val_accuracy = float(np.mean(val_logits.argmax(axis=1) == y_val)) if finite else float("nan")
    return {"losses": losses, "diverged_in": diverged_in, "val_accuracy": val_accuracy}


# %%
runs = [(name, lr) for lr in LEARNING_RATES for name in INITS]
results = {}
for name, lr in progress(runs, desc="training runs", unit="run"):
    results[name, lr] = train_deep(INITS[name], lr, EPOCHS)
    if results[name, lr]["diverged_in"] is not None:
        print(f"{name}, learning rate {lr}: the loss overflowed in epoch {results[name, lr]['diverged_in']}; "
              "run stopped and marked as diverged")

print(f"\n{'initialisation':16s} {'lr':>6s} {'final train loss':>17s} {'val accuracy':>13s}  status")
for (name, lr), result in results.items():
    if result["diverged_in"] is not None:
        status, final_loss = f"diverged in epoch {result['diverged_in']}", float("nan")
    else:
        final_loss = result["losses"][-1]
        if abs(final_loss - np.log(10)) < 0.05:
            status = "stuck near ln 10"
        else:
            status = "learned" if final_loss < 1.0 else "learning poorly"
    print(f"{name:16s} {lr:6g} {final_loss:17.3f} {result['val_accuracy']:13.3f}  {status}")

# %%
finite_losses = [loss for result in results.values() for loss in result["losses"]]
y_bottom = 0.7 * min(finite_losses) if finite_losses else 0.1
fig, axes = plt.subplots(1, len(LEARNING_RATES), figsize=(5 * len(LEARNING_RATES), 4.8), sharey=True,
                         squeeze=False)
for ax, lr in zip(axes[0], LEARNING_RATES):
    for name in INITS:
        result = results[name, lr]
        label = name
        if result["diverged_in"] is not None:
            label = f"{name}: DIVERGED in epoch {result['diverged_in']}"
            ax.plot([result["diverged_in"]], [4.0], marker="x", ms=12, mew=3, ls="none", color=INIT_COLORS[name])
            ax.annotate("diverged", (result["diverged_in"], 4.0), xytext=(10, -4), textcoords="offset points",
                        color=INIT_COLORS[name])
        ax.plot(np.arange(1, len(result["losses"]) + 1), result["losses"], marker="o", ms=3,
                color=INIT_COLORS[name], label=label)
    ax.axhline(np.log(10), color="black", ls=":", lw=1, label="ln 10: the loss of a uniform guess")
    ax.set_yscale("log")
    ax.set_ylim(y_bottom, 8)
    ax.set_xlim(0.5, EPOCHS + 0.5)
    ax.set_xticks(range(1, EPOCHS + 1))
    ax.set_title(f"learning rate {lr}")
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
axes[0, 0].set_ylabel("mean training loss of the epoch (log scale)")
fig.suptitle(f"Training loss of the {'-'.join(map(str, LAYER_SIZES))} ReLU network, by initialisation "
             "and learning rate")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 9. Report
#
# Write a short report (one or two paragraphs, graded by hand) that answers:
#
# 1. What do the two figures show for each initialisation: how do the activations and the weight
#    gradients change from layer to layer at the start, and which networks learn at which learning
#    rates?
# 2. Why does the network initialised with $N(0, 0.01^2)$ barely learn, with its loss stuck near
#    $\ln 10 \approx 2.30$? Use the variance formula $\operatorname{Var}(z) = n_\text{in}\,
#    \operatorname{Var}(W)\, \mathbb E[x^2]$ and the effect of ReLU.
# 3. Why does He use $2/n_\text{in}$ where Xavier uses $2/(n_\text{in} + n_\text{out})$, and what
#    happens at the largest learning rate?

# %% [markdown] nbgrader={"grade": true, "grade_id": "report_initialization", "points": 4, "solution": true}
# ### BEGIN SOLUTION
# **What the figures show** (the numbers are from the bundled subset, which the grader uses; the
# full MNIST, as in Colab, shows the same pattern with close numbers, except where noted). At
# initialisation the He network keeps its activations at about the same size in all five hidden
# layers, and its weight gradients are of similar size in the five hidden layers (the output
# layer's is about four times larger). With Xavier the activations shrink by about 0.7 per layer
# (to a quarter by layer 5) and the gradients are 7 to 13 times smaller than He's (7 to 15 on the
# full MNIST), but still usable. With N(0, 0.01²) the activations fall by about 0.08 per layer, to
# about 2e-6 in layer 5 (the input pixels have a std of 0.31), and the weight gradients are about
# five orders of magnitude smaller than with He (around 2e-8). In training, the small-std network
# stays at a loss of 2.30 (chance level, about 10% validation accuracy) at every learning rate.
# Xavier and He both learn at 0.01 and 0.1, He faster: at 0.01 He reaches a loss of about 0.3 in
# ten epochs and Xavier about 0.75, at 0.1 both pass 90% validation accuracy. At 1.0 the He run
# overflows in its first epoch and is marked diverged, and the Xavier run hovers between a loss of
# about 2.0 and 2.3 and ends near 30% validation accuracy (on the full MNIST it stays at ln 10,
# near 9%: either way it does not learn).
#
# **Why.** Each output of a layer sums n_in products of a weight and an input, so
# Var(z) = n_in · Var(W) · E[x²]. After a ReLU, E[x²] = Var(z_prev)/2 because half of the
# (symmetric) pre-activations are zeroed. The variance is therefore multiplied by
# n_in · Var(W) / 2 at every layer: with Var(W) = 1e-4 and n_in = 128 that is 0.0064 (std × 0.08),
# so after five layers the logits are essentially 0 for every image, the softmax outputs 1/10 for
# every class, and the loss is ln 10. The backward pass multiplies by the same kind of factor, so
# the gradients vanish too, and dL/dW = dout^T x is the product of two vanished signals: the
# weights barely move, and no sensible learning rate makes up for gradients 1e5 times too small
# (the output bias, whose gradient does not vanish, only learns the class frequencies). He chooses
# Var(W) = 2/n_in exactly so that n_in · Var(W) / 2 = 1 and the signal keeps its size through any
# number of ReLU layers. Xavier's 2/(n_in + n_out) was derived for activations that keep the
# variance (linear, tanh near 0); for square layers it gives 1/n, a factor 1/2 per ReLU layer,
# which five layers survive but a much deeper network would not. At a learning rate of 1.0 the
# steps are too large: the weights grow, the logits overflow float32 and the loss becomes
# inf/nan, which the loop catches and reports as divergence. A good initialisation does not make
# every learning rate work; it makes training possible at all and lets a normal one work.
# ### END SOLUTION
