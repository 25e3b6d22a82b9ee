# %% [markdown]
# # Stage 09: a `Sequential` network of layers, on five classes of CIFAR-100
#
# So far every network was written out by hand: a forward pass that called each piece in turn and
# a backward pass that called them again in reverse. This stage turns that pattern into a small
# framework. Every **layer** is an object with the same three methods (`forward`, `backward`,
# `update_param`), the **loss** is a layer too, and a `Sequential` model chains any list of them:
# it runs the forward passes in order, the backward passes in reverse, and the updates of every
# layer. Adding a layer to the network is then one more entry in a list.
#
# **You will**
# - write four layers (fully connected, ReLU, softmax with its full Jacobian, cross-entropy) and
#   check each one against numerical gradients;
# - write `Sequential`, with minibatch training (`fit`) and prediction (`predict`);
# - train a network with one hidden layer of 500 units on five classes of CIFAR-100 picked from
#   your student number, compare learning rates, and find a network that does better.
#
# Cells marked **TODO** are yours. The test cell after each one checks your work straight away;
# the grader runs more checks of the same kind later, so make your code correct in general, not
# just for the examples shown.

# %%
import contextlib

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from helpers import progress, seed_everything, under_grader
from helpers.cifar import load_cifar100, load_mnist_classes
from helpers.datasets import DownloadError
from helpers.testing import assert_close, assert_gradient_close, assert_scalar, assert_shape, assert_unchanged, call

rng = seed_everything(0)

# %% nbgrader={"grade_id": "given_numerical_gradient", "locked": true}
# Given (stage 02, read-only): numerical gradients by central differences, for the gradient checks.
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


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Gradient of sum(f(x) * dout) with respect to x, for an f that returns an array."""
    return numerical_gradient(lambda x_: np.sum(np.asarray(f(x_), dtype=float) * dout), x, h)


# %% [markdown]
# ## 1. One interface for every layer
#
# A batch is a matrix with one example per row, $X$ of shape $(B, n)$. Every layer in this stage
# has the same three methods:
#
# - `forward(x)` returns the layer's output $Y = f(X)$ and keeps whatever the backward pass will
#   need (usually $X$ or $Y$);
# - `backward(y_grad)` receives the **upstream gradient** $\partial L/\partial Y$ (same shape as
#   $Y$), stores the gradients of the layer's own parameters, and returns
#   $\partial L/\partial X$ (same shape as $X$) for the layer before it;
# - `update_param(lr)` takes one gradient-descent step on the layer's parameters, and does
#   nothing in a layer that has none.
#
# The loss is the last link: `forward(x, target)` returns one number, and `backward()` (no
# argument, since $\partial L/\partial L = 1$) starts the chain by returning $\partial L/\partial x$.
# Because all layers look alike, the model that strings them together never needs to know what
# is inside them.
#
# ## 2. The fully connected layer
#
# `FullLayer(n_i, n_o)` maps $n_i$ inputs to $n_o$ outputs with weights $W$ of shape $(n_o, n_i)$
# and a bias $\mathbf b$ of shape $(n_o,)$, exactly as `Linear` in stage 02:
#
# $$Y = X W^\top + \mathbf b, \qquad
#   \frac{\partial L}{\partial W} = G^\top X, \qquad
#   \frac{\partial L}{\partial \mathbf b} = \sum_{n} G_{n,:}, \qquad
#   \frac{\partial L}{\partial X} = G\, W ,$$
#
# where $G = \partial L/\partial Y$ has shape $(B, n_o)$. The parameter gradients **sum** over the
# batch: the loss below is already a mean, so its $1/B$ is inside $G$.
#
# The weights start as Xavier-normal draws (stage 06): mean 0 and standard deviation
# $\sqrt{2/(n_i + n_o)}$, drawn with `rng.normal(0.0, std, size=(n_o, n_i))` so that a seeded
# generator always gives the same network. The bias starts at zero. The update is plain gradient
# descent, $W \leftarrow W - \eta\, \partial L/\partial W$ and the same for $\mathbf b$.
#
# **TODO:** complete `FullLayer`.

# %% nbgrader={"grade_id": "FullLayer", "solution": true}
class FullLayer:
    """A fully connected layer y = x @ W.T + b on a batch of rows."""

    def __init__(self, n_i, n_o, rng=None):
        """n_i inputs, n_o outputs; rng: a np.random.Generator (a fresh default_rng() if None).

        Sets self.W, shape (n_o, n_i), drawn as rng.normal(0.0, std, size=(n_o, n_i)) with
        std = sqrt(2 / (n_i + n_o)), and self.b, zeros of shape (n_o,).
        """
        if rng is None:
            rng = np.random.default_rng()
        ### BEGIN SOLUTION
        std = np.sqrt(2.0 / (n_i + n_o))
        self.W = rng.normal(0.0, std, size=(n_o, n_i))
        self.b = np.zeros(n_o)
        ### END SOLUTION

    def forward(self, x):
        """x: shape (B, n_i). Keeps x for backward and returns x @ W.T + b, shape (B, n_o)."""
        ### BEGIN SOLUTION
        self.x = x
        return x @ self.W.T + self.b
        ### END SOLUTION

    def backward(self, y_grad):
        """y_grad: dL/dy, shape (B, n_o), for the x of the last forward call.

        Sets self.W_grad = y_grad.T @ x (shape (n_o, n_i)) and self.b_grad = y_grad summed over the
        batch (shape (n_o,)), replacing earlier values, and returns dL/dx = y_grad @ W, shape (B, n_i).
        """
        ### BEGIN SOLUTION
        self.W_grad = y_grad.T @ self.x
        self.b_grad = y_grad.sum(axis=0)
        return y_grad @ self.W
        ### END SOLUTION

    def update_param(self, lr):
        """One gradient-descent step with learning rate lr: W -= lr * W_grad and b -= lr * b_grad."""
        ### BEGIN SOLUTION
        self.W = self.W - lr * self.W_grad
        self.b = self.b - lr * self.b_grad
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_FullLayer_init", "points": 2}
layer = call(FullLayer, 3, 2, rng=np.random.default_rng(0))
assert_shape("FullLayer(3, 2).W", layer.W, (2, 3), case="W is (n_o, n_i)")
assert_shape("FullLayer(3, 2).b", layer.b, (2,))
assert_close("FullLayer(3, 2).b", layer.b, np.zeros(2), case="the bias starts at zero")
big = FullLayer(300, 500, rng=np.random.default_rng(1))
assert_shape("FullLayer(300, 500).W", big.W, (500, 300))
std = float(np.std(big.W))
assert abs(std / np.sqrt(2 / 800) - 1) < 0.03, (
    f"FullLayer(300, 500).W: the weights' standard deviation is {std:.4f}, expected sqrt(2/(n_i+n_o)) = "
    f"{np.sqrt(2 / 800):.4f}; pass the standard deviation (not the variance) to rng.normal")
print("FullLayer.__init__: visible tests passed")
### BEGIN HIDDEN TESTS
for _n_i, _n_o in [(600, 400), (1000, 250), (250, 1000)]:
    _case = f"FullLayer({_n_i}, {_n_o})"
    _layer = FullLayer(_n_i, _n_o, rng=np.random.default_rng(_n_i + _n_o))
    assert_shape(f"{_case}.W", _layer.W, (_n_o, _n_i), case="W is (n_o, n_i)")
    assert_shape(f"{_case}.b", _layer.b, (_n_o,))
    assert_close(f"{_case}.b", _layer.b, np.zeros(_n_o), case="the bias starts at zero")
    _W = np.asarray(_layer.W, dtype=float)
    _std = np.sqrt(2 / (_n_i + _n_o))
    _got = float(np.std(_W))
    assert abs(_got / _std - 1) < 0.03, (
        f"{_case}.W: standard deviation {_got:.4f}, expected sqrt(2/(n_i+n_o)) = {_std:.4f}")
    assert abs(float(np.mean(_W))) < 0.02 * _std, f"{_case}.W: the mean weight is {np.mean(_W):.4f}, expected about 0"
    _beyond = float(np.mean(np.abs(_W) > 2 * _std))
    assert abs(_beyond - 0.0455) < 0.005, (
        f"{_case}.W: {100 * _beyond:.2f}% of the weights lie beyond 2 standard deviations, expected about 4.55% "
        "for a normal distribution; draw from a normal (Gaussian) distribution")
_layer = FullLayer(400, 600)  # without rng
assert_shape("FullLayer(400, 600) without rng: W", _layer.W, (600, 400))
assert abs(float(np.std(_layer.W)) / np.sqrt(2 / 1000) - 1) < 0.03, "FullLayer(400, 600) without rng: wrong std"
_layer = FullLayer(1, 1, rng=np.random.default_rng(2))
assert_shape("FullLayer(1, 1).W", _layer.W, (1, 1))
assert_shape("FullLayer(1, 1).b", _layer.b, (1,))
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_FullLayer", "points": 3}
layer = FullLayer(3, 2, rng=np.random.default_rng(0))
layer.W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
layer.b = np.array([0.5, -1.0])
x = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
y = call(layer.forward, x, name="FullLayer.forward")
assert_close("FullLayer.forward", y, [[-1.5, -3.0], [4.5, 12.0]], case="W=[[1,2,3],[4,5,6]], b=[0.5,-1]")
y_grad = np.array([[1.0, -1.0], [0.5, 2.0]])
x_grad = call(layer.backward, y_grad, name="FullLayer.backward")
assert x_grad is not None, "FullLayer.backward: return dL/dx = y_grad @ W (it returned None)"
assert_close("FullLayer.backward: W_grad", layer.W_grad, [[2.0, 0.5, -1.0], [3.0, 2.0, 1.0]], case="W_grad = y_grad.T @ x")
assert_close("FullLayer.backward: b_grad", layer.b_grad, [1.5, 1.0], case="b_grad = y_grad summed over the batch")
assert_close("FullLayer.backward: returned x_grad", x_grad, [[-3.0, -3.0, -3.0], [8.5, 11.0, 13.5]],
             case="x_grad = y_grad @ W")
call(layer.update_param, 0.1, name="FullLayer.update_param")
assert_close("FullLayer.update_param: W", layer.W, [[0.8, 1.95, 3.1], [3.7, 4.8, 5.9]], case="W - 0.1 * W_grad")
assert_close("FullLayer.update_param: b", layer.b, [0.35, -1.1], case="b - 0.1 * b_grad")
print("FullLayer: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(9)
for _n_i, _n_o, _B in [(4, 3, 5), (2, 6, 1), (3, 3, 4), (5, 1, 2)]:
    _case = f"n_i={_n_i}, n_o={_n_o}, batch of {_B}"
    _layer = FullLayer(_n_i, _n_o, rng=np.random.default_rng(0))
    _W, _b = _rng.normal(size=(_n_o, _n_i)), _rng.normal(size=_n_o)
    _layer.W, _layer.b = _W.copy(), _b.copy()
    _x, _g = _rng.normal(size=(_B, _n_i)), _rng.normal(size=(_B, _n_o))
    _x0, _g0 = _x.copy(), _g.copy()
    _y = _layer.forward(_x)
    _expected = np.array([[sum(_x0[n, i] * _W[j, i] for i in range(_n_i)) + _b[j] for j in range(_n_o)]
                          for n in range(_B)])
    assert_close("FullLayer.forward", _y, _expected, rtol=1e-10, atol=1e-12, case=_case)
    _xg = _layer.backward(_g)
    assert _xg is not None, "FullLayer.backward: return dL/dx = y_grad @ W (it returned None)"
    _num_W = numerical_gradient_array(lambda _Wp: _x0 @ _Wp.T + _b, _W.copy(), _g0)
    _num_b = numerical_gradient_array(lambda _bp: _x0 @ _W.T + _bp, _b.copy(), _g0)
    _num_x = numerical_gradient_array(lambda _xp: _xp @ _W.T + _b, _x0.copy(), _g0)
    assert_gradient_close("FullLayer.backward: W_grad", _layer.W_grad, _num_W, tol=1e-7, case=_case)
    assert_gradient_close("FullLayer.backward: b_grad", _layer.b_grad, _num_b, tol=1e-7, case=_case)
    assert_gradient_close("FullLayer.backward: returned x_grad", _xg, _num_x, tol=1e-7, case=_case)
    assert_unchanged("FullLayer.forward/backward", "x", _x0, _x)
    assert_unchanged("FullLayer.backward", "y_grad", _g0, _g)
    # a second backward call replaces the gradients instead of adding to them
    _layer.backward(_g)
    assert_close("FullLayer.backward: W_grad", _layer.W_grad, _g0.T @ _x0, rtol=1e-10, atol=1e-12,
                 case=f"{_case}, after a second backward call: replace W_grad, do not add to it")
    assert_close("FullLayer.backward: b_grad", _layer.b_grad, _g0.sum(axis=0), rtol=1e-10, atol=1e-12,
                 case=f"{_case}, after a second backward call")
    for _lr in (0.5, 0.01):
        _W_before, _b_before = np.array(_layer.W, dtype=float), np.array(_layer.b, dtype=float)
        _layer.update_param(_lr)
        assert_close("FullLayer.update_param: W", _layer.W, _W_before - _lr * (_g0.T @ _x0), rtol=1e-10, atol=1e-12,
                     case=f"{_case}, lr={_lr}: W - lr * W_grad")
        assert_close("FullLayer.update_param: b", _layer.b, _b_before - _lr * _g0.sum(axis=0), rtol=1e-10,
                     atol=1e-12, case=f"{_case}, lr={_lr}: b - lr * b_grad")
# the input of the LAST forward call is used
_layer = FullLayer(2, 2, rng=np.random.default_rng(0))
_layer.forward(np.ones((3, 2)))
_x = np.array([[1.0, -2.0]])
_layer.forward(_x)
_layer.backward(np.array([[1.0, 3.0]]))
assert_close("FullLayer.backward: W_grad", _layer.W_grad, [[1.0, -2.0], [3.0, -6.0]],
             case="after two forward calls, use the input of the last one")
# float32 input
_layer = FullLayer(3, 2, rng=np.random.default_rng(0))
_layer.W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
_layer.b = np.array([0.1, -0.2])
_x32 = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]], dtype=np.float32)
assert_close("FullLayer.forward", _layer.forward(_x32), [[4.6, 0.3], [-0.9, -1.575]], rtol=1e-5, atol=1e-6,
             case="float32 input")
_xg = _layer.backward(np.ones((2, 2), dtype=np.float32))
assert_close("FullLayer.backward: W_grad", _layer.W_grad, [[0.0, 2.5, 3.0], [0.0, 2.5, 3.0]], rtol=1e-5, atol=1e-6,
             case="float32 input")
assert_close("FullLayer.backward: returned x_grad", _xg, [[2.0, -0.75, 1.5], [2.0, -0.75, 1.5]], rtol=1e-5,
             atol=1e-6, case="float32 input")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. ReLU
#
# $\operatorname{relu}(x) = \max(0, x)$ elementwise. Its derivative is 1 where $x > 0$ and 0
# where $x < 0$; at exactly $x = 0$ we take 0 (the usual convention). So the backward pass lets
# the upstream gradient through where the input was positive and blocks it elsewhere:
#
# $$\frac{\partial L}{\partial X} = G \odot [X > 0] .$$
#
# ReLU has no parameters, so its `update_param` (given) does nothing.
#
# **TODO:** complete `ReluLayer`.

# %% nbgrader={"grade_id": "ReluLayer", "solution": true}
class ReluLayer:
    """Elementwise max(0, x)."""

    def forward(self, x):
        """x: any shape. Keeps what backward needs; returns max(0, x), same shape, without changing x."""
        ### BEGIN SOLUTION
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)
        ### END SOLUTION

    def backward(self, y_grad):
        """y_grad: dL/dy for the last forward call. Returns y_grad where that x > 0, and 0 where x <= 0."""
        ### BEGIN SOLUTION
        return y_grad * self.mask
        ### END SOLUTION

    def update_param(self, lr):
        """ReLU has no parameters: nothing to update."""


# %% nbgrader={"grade": true, "grade_id": "test_ReluLayer", "points": 2}
relu = ReluLayer()
x = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])
y = call(relu.forward, x, name="ReluLayer.forward")
assert_close("ReluLayer.forward", y, [[0.0, 0.0, 3.0], [1.5, 0.0, 0.0]])
x_grad = call(relu.backward, np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), name="ReluLayer.backward")
assert_close("ReluLayer.backward", x_grad, [[0.0, 0.0, 3.0], [4.0, 0.0, 0.0]],
             case="the gradient passes where x > 0 and is 0 where x <= 0 (also at x = 0)")
print("ReluLayer: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(3)
for _shape in [(4, 5), (1, 3), (6, 1)]:
    _x = _rng.normal(size=_shape)
    _x[_rng.random(_shape) < 0.2] = 0.0
    _g = _rng.normal(size=_shape)  # negative upstream gradients too
    _x0, _g0 = _x.copy(), _g.copy()
    _relu = ReluLayer()
    assert_close("ReluLayer.forward", _relu.forward(_x), np.maximum(_x0, 0.0), rtol=0, atol=0, case=f"shape {_shape}")
    assert_close("ReluLayer.backward", _relu.backward(_g), _g0 * (_x0 > 0), rtol=0, atol=0,
                 case=f"shape {_shape}, random upstream gradient with negative entries, zeros in x")
    assert_unchanged("ReluLayer.forward", "x", _x0, _x)
    assert_unchanged("ReluLayer.backward", "y_grad", _g0, _g)
    # numerical gradient away from the kink
    _xs = np.where(np.abs(_x0) < 0.1, 0.5, _x0)
    _relu.forward(_xs.copy())
    _num = numerical_gradient_array(lambda _v: np.maximum(_v, 0.0), _xs.copy(), _g0)
    assert_gradient_close("ReluLayer.backward", _relu.backward(_g0.copy()), _num, tol=1e-8, case=f"shape {_shape}")
# the last forward call decides the mask
_relu = ReluLayer()
_relu.forward(np.array([[1.0, -1.0]]))
_relu.forward(np.array([[-1.0, 1.0]]))
assert_close("ReluLayer.backward", _relu.backward(np.array([[5.0, 7.0]])), [[0.0, 7.0]],
             case="after two forward calls, use the input of the last one")
# float32
_x32 = np.array([[-1.0, 2.0], [0.5, 0.0]], dtype=np.float32)
assert_close("ReluLayer.forward", _relu.forward(_x32), [[0.0, 2.0], [0.5, 0.0]], case="float32 input")
assert_close("ReluLayer.backward", _relu.backward(np.ones((2, 2), dtype=np.float32)), [[0.0, 1.0], [1.0, 0.0]],
             case="float32 input")
assert _relu.update_param(0.1) is None
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Softmax, with its Jacobian
#
# Softmax turns each row of scores into probabilities:
#
# $$z_i = \frac{e^{x_i}}{\sum_k e^{x_k}} .$$
#
# Computed literally, $e^{x_i}$ overflows for scores above about 710. Since subtracting the same
# number $m$ from every score of a row multiplies numerator and denominator by $e^{-m}$, we
# subtract the row's maximum first: the largest exponent is then $e^0 = 1$ and nothing overflows.
#
# **The backward pass.** Each output $z_i$ depends on **every** input of its row, so the
# derivative is a matrix per row, the Jacobian $J_{ij} = \partial z_i / \partial x_j$. For $i = j$
# the quotient rule gives $z_i - z_i^2$, for $i \ne j$ it gives $-z_i z_j$; together
#
# $$J = \operatorname{diag}(\mathbf z) - \mathbf z \mathbf z^\top .$$
#
# The chain rule sums over all outputs, $\partial L/\partial x_j = \sum_i \frac{\partial L}{\partial z_i} J_{ij}$,
# that is $J^\top \mathbf g$ for the row's upstream gradient $\mathbf g$; $J$ is symmetric, so
# $\mathbf x_\text{grad} = J \mathbf g$ for every row. You may build the $C \times C$ matrix per row
# (a loop, or `np.einsum`), or multiply it out:
# $J\mathbf g = \mathbf z \odot \mathbf g - \mathbf z\, (\mathbf z \cdot \mathbf g)$, which needs no
# matrix at all.
#
# **TODO:** complete `SoftMaxLayer`.

# %% nbgrader={"grade_id": "SoftMaxLayer", "solution": true}
class SoftMaxLayer:
    """Row-wise softmax."""

    def forward(self, x):
        """x: scores, shape (B, C). Returns z = softmax of each row (rows sum to 1), computed without
        overflow, and keeps z for backward."""
        ### BEGIN SOLUTION
        exps = np.exp(x - x.max(axis=1, keepdims=True))
        self.z = exps / exps.sum(axis=1, keepdims=True)
        return self.z
        ### END SOLUTION

    def backward(self, y_grad):
        """y_grad: dL/dz, shape (B, C). Returns dL/dx: row n is J_n @ y_grad[n], with
        J_n = diag(z_n) - outer(z_n, z_n) the Jacobian of row n."""
        ### BEGIN SOLUTION
        z = self.z
        return z * (y_grad - np.sum(z * y_grad, axis=1, keepdims=True))
        ### END SOLUTION

    def update_param(self, lr):
        """Softmax has no parameters: nothing to update."""


# %% nbgrader={"grade": true, "grade_id": "test_SoftMaxLayer", "points": 3}
softmax = SoftMaxLayer()
x = np.array([[0.0, np.log(3.0)], [1000.0, 1000.0]])
z = call(softmax.forward, x, name="SoftMaxLayer.forward")
assert_close("SoftMaxLayer.forward", z, [[0.25, 0.75], [0.5, 0.5]],
             case="rows [0, ln 3] and [1000, 1000]: subtract each row's maximum before exp")
x_grad = call(softmax.backward, np.array([[1.0, 0.0], [0.0, 2.0]]), name="SoftMaxLayer.backward")
# row 0: J = [[0.25-0.0625, -0.1875], [-0.1875, 0.75-0.5625]] times [1, 0]
assert_close("SoftMaxLayer.backward", x_grad, [[0.1875, -0.1875], [-0.5, 0.5]],
             case="x_grad[n] = (diag(z_n) - z_n z_n^T) @ y_grad[n]")
print("SoftMaxLayer: visible tests passed")
### BEGIN HIDDEN TESTS
def _softmax_rows(_v):
    _e = np.exp(_v - _v.max(axis=1, keepdims=True))
    return _e / _e.sum(axis=1, keepdims=True)


_rng = np.random.default_rng(5)
for _B, _C in [(4, 3), (1, 5), (3, 7), (6, 2)]:
    _case = f"batch of {_B}, {_C} classes"
    _x = _rng.normal(scale=2.0, size=(_B, _C))
    _g = _rng.normal(size=(_B, _C))
    _x0, _g0 = _x.copy(), _g.copy()
    _layer = SoftMaxLayer()
    _z = _layer.forward(_x)
    _exp_z = np.array([[np.exp(_x0[n, i]) / sum(np.exp(_x0[n, k]) for k in range(_C)) for i in range(_C)]
                       for n in range(_B)])
    assert_close("SoftMaxLayer.forward", _z, _exp_z, rtol=1e-10, atol=1e-12, case=_case)
    assert_close("SoftMaxLayer.forward: row sums", np.sum(_z, axis=1), np.ones(_B), rtol=1e-12, case=_case)
    _xg = _layer.backward(_g)
    _exp_xg = np.array([(np.diag(_exp_z[n]) - np.outer(_exp_z[n], _exp_z[n])) @ _g0[n] for n in range(_B)])
    assert_close("SoftMaxLayer.backward", _xg, _exp_xg, rtol=1e-9, atol=1e-12, case=f"{_case}, random upstream gradient")
    _num = numerical_gradient_array(_softmax_rows, _x0.copy(), _g0)
    assert_gradient_close("SoftMaxLayer.backward", _xg, _num, tol=1e-6, case=_case)
    assert_unchanged("SoftMaxLayer.forward", "x", _x0, _x)
    assert_unchanged("SoftMaxLayer.backward", "y_grad", _g0, _g)
# huge scores and rows far apart: no overflow, no nan
_x = np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0], [0.0, 800.0, -800.0]])
_z = SoftMaxLayer().forward(_x)
_row = np.exp([0.0, -1.0, -2.0]) / np.sum(np.exp([0.0, -1.0, -2.0]))
assert_close("SoftMaxLayer.forward", _z, [_row, _row, [0.0, 1.0, 0.0]], rtol=1e-9, atol=1e-12,
             case="scores around +1000, -1000 and 800 in different rows: subtract each row's own maximum")
# shift invariance per row
_x = _rng.normal(size=(3, 4))
assert_close("SoftMaxLayer.forward", SoftMaxLayer().forward(_x + np.array([[5.0], [-7.0], [30.0]])),
             _softmax_rows(_x), rtol=1e-9, atol=1e-12, case="adding a constant to a row does not change it")
# the z of the last forward call is used
_layer = SoftMaxLayer()
_layer.forward(np.zeros((1, 2)))
_layer.forward(np.array([[0.0, np.log(3.0)]]))
assert_close("SoftMaxLayer.backward", _layer.backward(np.array([[1.0, 0.0]])), [[0.1875, -0.1875]],
             case="after two forward calls, use the last one")
# float32
_x32 = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], dtype=np.float32)
_layer = SoftMaxLayer()
assert_close("SoftMaxLayer.forward", _layer.forward(_x32), _softmax_rows(_x32.astype(float)), rtol=1e-5, atol=1e-6,
             case="float32 input")
_g32 = np.array([[1.0, -1.0, 0.5], [0.0, 1.0, 2.0]], dtype=np.float32)
_zz = _softmax_rows(_x32.astype(float))
assert_close("SoftMaxLayer.backward", _layer.backward(_g32),
             _zz * (_g32 - np.sum(_zz * _g32, axis=1, keepdims=True)), rtol=1e-4, atol=1e-6, case="float32 input")
assert SoftMaxLayer().update_param(0.1) is None
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Cross-entropy
#
# The loss compares the predicted probabilities $x$ (the softmax output) with the one-hot targets
# $t$ (1 in the true class, 0 elsewhere), averaged over the batch of $B$ rows:
#
# $$L = -\frac{1}{B} \sum_{n=1}^{B} \sum_{c} t_{nc} \log x_{nc},
#   \qquad \frac{\partial L}{\partial x_{nc}} = -\frac{t_{nc}}{B\, x_{nc}} .$$
#
# Only the log-probability of the true class counts, and the gradient is zero for every other
# entry. `backward()` takes no argument: it starts the chain.
#
# **TODO:** complete `CrossEntropyLayer`.

# %% nbgrader={"grade_id": "CrossEntropyLayer", "solution": true}
class CrossEntropyLayer:
    """Mean cross-entropy between predicted probabilities and targets."""

    def forward(self, x, target):
        """x: probabilities, shape (B, C); target: one-hot rows, shape (B, C).

        Keeps both for backward and returns the loss, one number:
        mean over the batch of -sum_c target * log(x).
        """
        ### BEGIN SOLUTION
        self.x, self.target = x, target
        return float(-np.sum(target * np.log(x)) / len(x))
        ### END SOLUTION

    def backward(self):
        """Returns dL/dx = -target / x / B for the last forward call, shape (B, C)."""
        ### BEGIN SOLUTION
        return -self.target / self.x / len(self.x)
        ### END SOLUTION

    def update_param(self, lr):
        """The loss has no parameters: nothing to update."""


# %% nbgrader={"grade": true, "grade_id": "test_CrossEntropyLayer", "points": 2}
ce = CrossEntropyLayer()
probs = np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
target = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
loss = call(ce.forward, probs, target, name="CrossEntropyLayer.forward")
assert_close("CrossEntropyLayer.forward", assert_scalar("CrossEntropyLayer.forward", loss),
             -(np.log(0.5) + np.log(0.8)) / 2, case="the mean over the batch of -log(probability of the true class)")
x_grad = call(ce.backward, name="CrossEntropyLayer.backward")
assert_close("CrossEntropyLayer.backward", x_grad, [[-1.0, 0.0, 0.0], [0.0, 0.0, -0.625]],
             case="-target / x / B with B = 2")
print("CrossEntropyLayer: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(8)
for _B, _C in [(5, 3), (1, 4), (7, 2), (3, 6)]:
    _case = f"batch of {_B}, {_C} classes"
    _p = _rng.uniform(0.05, 1.0, size=(_B, _C))
    _p /= _p.sum(axis=1, keepdims=True)
    _t = np.eye(_C)[_rng.integers(0, _C, size=_B)]
    _p0, _t0 = _p.copy(), _t.copy()
    _layer = CrossEntropyLayer()
    _loss = assert_scalar("CrossEntropyLayer.forward", _layer.forward(_p, _t), case=_case)
    _expected = -sum(np.log(_p0[n, int(np.argmax(_t0[n]))]) for n in range(_B)) / _B
    assert_close("CrossEntropyLayer.forward", _loss, _expected, rtol=1e-10, case=_case)
    _xg = _layer.backward()
    assert_close("CrossEntropyLayer.backward", _xg, -_t0 / _p0 / _B, rtol=1e-10, atol=1e-12, case=_case)
    _num = numerical_gradient(lambda _v: -np.sum(_t0 * np.log(_v)) / _B, _p0.copy(), h=1e-7)
    assert_gradient_close("CrossEntropyLayer.backward", _xg, _num, tol=1e-5, case=_case)
    assert_unchanged("CrossEntropyLayer", "x", _p0, _p)
    assert_unchanged("CrossEntropyLayer", "target", _t0, _t)
# the last forward call is used
_layer = CrossEntropyLayer()
_layer.forward(np.full((4, 2), 0.5), np.eye(2)[[0, 1, 0, 1]])
_layer.forward(np.array([[0.2, 0.8]]), np.array([[0.0, 1.0]]))
assert_close("CrossEntropyLayer.backward", _layer.backward(), [[0.0, -1.25]], case="after two forward calls")
# a perfect prediction costs 0; float32
assert_close("CrossEntropyLayer.forward", CrossEntropyLayer().forward(np.array([[1.0, 1e-300]]), np.array([[1.0, 0.0]])),
             0.0, atol=1e-12, case="probability 1 for the true class")
_p32 = np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]], dtype=np.float32)
_t32 = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
_layer = CrossEntropyLayer()
assert_close("CrossEntropyLayer.forward", _layer.forward(_p32, _t32), -(np.log(0.2) + np.log(0.4)) / 2, rtol=1e-5,
             case="float32 input")
assert_close("CrossEntropyLayer.backward", _layer.backward(), [[0.0, -2.5, 0.0], [0.0, 0.0, -1.25]], rtol=1e-5,
             case="float32 input")
### END HIDDEN TESTS

# %% [markdown]
# ### Softmax and cross-entropy together
#
# Chained, the two backward passes simplify a great deal. With $\partial L/\partial z = -t/(Bz)$
# and the Jacobian above, $J\mathbf g = \mathbf z \odot \mathbf g - \mathbf z (\mathbf z \cdot \mathbf g)$
# gives $-t/B + \mathbf z \sum_c t_c / B = (\mathbf z - \mathbf t)/B$, the formula of stage 05. Your
# two layers should agree with it to round-off:

# %%
check_rng = np.random.default_rng(1)
scores = check_rng.normal(size=(6, 4))
targets = np.eye(4)[check_rng.integers(0, 4, size=6)]
softmax_check, ce_check = SoftMaxLayer(), CrossEntropyLayer()
probs_check = softmax_check.forward(scores)
ce_check.forward(probs_check, targets)
chained = softmax_check.backward(ce_check.backward())
print(f"max |chained backward - (z - t)/B| = {np.max(np.abs(chained - (probs_check - targets) / 6)):.2e}")

# %% [markdown]
# ## 6. The `Sequential` model
#
# `Sequential(layers, loss)` holds a list of layers and a loss layer:
#
# - `forward(x)` passes `x` through the layers in order and returns the network's output;
#   `forward(x, target)` also applies the loss and returns the loss value;
# - `backward()` starts with `loss.backward()` and hands each layer's result to the layer before
#   it, from the last layer to the first;
# - `update_params(lr)` calls `update_param(lr)` on every layer;
# - `fit(x, y, epochs, lr, batch_size)` trains with minibatch gradient descent. `y` holds integer
#   labels $0 \dots C-1$; `fit` turns them into one-hot rows with $C$ = the number of outputs of
#   the network. Each epoch visits every row once in a fresh random order (drawn from `self.rng`),
#   in minibatches of `batch_size` rows (the last may be shorter): forward with the targets,
#   backward, update. It returns one number per epoch, the **mean of that epoch's minibatch
#   losses**;
# - `predict(x)` returns the index of the largest output of each row: the predicted labels.
#
# **TODO:** complete `Sequential`.

# %% nbgrader={"grade_id": "Sequential", "solution": true}
class Sequential:
    """A chain of layers followed by a loss layer."""

    def __init__(self, layers, loss, rng=None):
        """layers: list of layers, applied in order; loss: a loss layer with forward(x, target) and backward().

        rng: the np.random.Generator fit shuffles with (a fresh default_rng() if None).
        """
        self.layers = list(layers)
        self.loss = loss
        self.rng = np.random.default_rng() if rng is None else rng

    def forward(self, x, target=None):
        """Runs x through every layer in order. Without target returns the output of the last layer;
        with target (shape of that output) returns the loss value loss.forward(output, target)."""
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer.forward(x)
        if target is None:
            return x
        return self.loss.forward(x, target)
        ### END SOLUTION

    def backward(self):
        """After forward(x, target): loss.backward(), then each layer's backward in reverse order,
        each one receiving what the layer after it returned. Returns nothing."""
        ### BEGIN SOLUTION
        grad = self.loss.backward()
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        ### END SOLUTION

    def update_params(self, lr):
        """Calls update_param(lr) on every layer."""
        ### BEGIN SOLUTION
        for layer in self.layers:
            layer.update_param(lr)
        ### END SOLUTION

    def fit(self, x, y, epochs, lr, batch_size):
        """Minibatch gradient descent on inputs x (N, D) and integer labels y (N,).

        The targets are one-hot rows with as many columns as the network has outputs. Each epoch
        shuffles the rows with self.rng and, for every minibatch of batch_size rows (the last may be
        shorter), runs forward with the targets, backward and update_params(lr).
        Returns a list of `epochs` floats: the mean of the minibatch losses of each epoch.
        """
        ### BEGIN SOLUTION
        n_outputs = self.forward(x[:1]).shape[1]
        targets = np.eye(n_outputs)[y]
        epoch_losses = []
        for _ in range(epochs):
            order = self.rng.permutation(len(x))
            batch_losses = []
            for start in range(0, len(x), batch_size):
                rows = order[start:start + batch_size]
                batch_losses.append(float(self.forward(x[rows], targets[rows])))
                self.backward()
                self.update_params(lr)
            epoch_losses.append(float(np.mean(batch_losses)))
        return epoch_losses
        ### END SOLUTION

    def predict(self, x):
        """Labels, shape (N,): the index of the largest network output of each row of x."""
        ### BEGIN SOLUTION
        return np.argmax(self.forward(x), axis=1)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_Sequential", "points": 3}
class ScaleLayer:
    """Test stand-in: y = s * x with one trainable number s; records its calls in `log`."""

    def __init__(self, s, name, log):
        self.s, self.name, self.log = float(s), name, log

    def forward(self, x):
        self.log.append(f"{self.name}.forward")
        self.x = x
        return self.s * x

    def backward(self, y_grad):
        self.log.append(f"{self.name}.backward")
        self.s_grad = float(np.sum(y_grad * self.x))
        return self.s * y_grad

    def update_param(self, lr):
        self.log.append(f"{self.name}.update_param")
        self.s -= lr * self.s_grad


class HalfSquaredLoss:
    """Test stand-in: L = sum((x - target)**2) / (2 B)."""

    def __init__(self, log):
        self.log = log

    def forward(self, x, target):
        self.log.append("loss.forward")
        self.diff = x - target
        return float(np.sum(self.diff ** 2) / (2 * len(x)))

    def backward(self):
        self.log.append("loss.backward")
        return self.diff / len(self.diff)


log = []
model = Sequential([ScaleLayer(2.0, "a", log), ScaleLayer(3.0, "b", log)], HalfSquaredLoss(log))
x = np.array([[1.0, -1.0], [0.5, 2.0]])
out = call(model.forward, x, name="Sequential.forward")
assert_close("Sequential.forward(x)", out, 6.0 * x, case="two layers y = 2x then y = 3x")
assert log == ["a.forward", "b.forward"], f"Sequential.forward(x): expected the calls a.forward, b.forward, got {log}"
log.clear()
loss = model.forward(x, np.zeros((2, 2)))
assert_close("Sequential.forward(x, target)", assert_scalar("Sequential.forward(x, target)", loss),
             np.sum((6.0 * x) ** 2) / 4, case="with a target, return the loss of the output")
call(model.backward, name="Sequential.backward")
assert log == ["a.forward", "b.forward", "loss.forward", "loss.backward", "b.backward", "a.backward"], (
    f"Sequential: expected the calls a.forward, b.forward, loss.forward, then loss.backward, b.backward, "
    f"a.backward; got {log}")
# dL/ds_b = sum(diff * 2x) / B and dL/ds_a = sum(diff * 3x) / B, with diff = 6x
assert_close("Sequential.backward: gradient of layer b", model.layers[1].s_grad, np.sum(6 * x * 2 * x) / 2)
assert_close("Sequential.backward: gradient of layer a", model.layers[0].s_grad, np.sum(6 * x * 3 * x) / 2)
log.clear()
call(model.update_params, 0.01, name="Sequential.update_params")
assert sorted(log) == ["a.update_param", "b.update_param"], (
    f"Sequential.update_params: call update_param once on every layer; got {log}")
print("Sequential.forward/backward/update_params: visible tests passed")
### BEGIN HIDDEN TESTS
class _Full:
    def __init__(self, n_i, n_o, rng):
        self.W, self.b = rng.normal(size=(n_o, n_i)) * 0.7, rng.normal(size=n_o) * 0.3

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, g):
        self.W_grad, self.b_grad = g.T @ self.x, g.sum(axis=0)
        return g @ self.W

    def update_param(self, lr):
        self.W = self.W - lr * self.W_grad
        self.b = self.b - lr * self.b_grad


class _Relu:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, g):
        return g * (self.x > 0)

    def update_param(self, lr):
        pass


class _Softmax:
    def forward(self, x):
        _e = np.exp(x - x.max(axis=1, keepdims=True))
        self.z = _e / _e.sum(axis=1, keepdims=True)
        return self.z

    def backward(self, g):
        return self.z * (g - np.sum(self.z * g, axis=1, keepdims=True))

    def update_param(self, lr):
        pass


class _CE:
    def forward(self, x, t):
        self.x, self.t = x, t
        return float(-np.sum(t * np.log(x)) / len(x))

    def backward(self):
        return -self.t / self.x / len(self.x)


class _Square:
    def forward(self, x, t):
        self.d = x - t
        return float(np.sum(self.d ** 2) / (2 * len(x)))

    def backward(self):
        return self.d / len(self.d)


def _run(_layers, _x):
    for _layer in _layers:
        _x = _layer.forward(_x)
    return _x


def _check_model(_desc, _layers, _loss, _x, _t):
    _x0 = _x.copy()
    _model = Sequential(_layers, _loss, rng=np.random.default_rng(0))
    _case = f"{_desc}"
    _plain = [_l for _l in _layers]
    _expected_out = _run(_plain, _x0.copy())
    _expected_loss = type(_loss)().forward(_expected_out, _t)
    assert_close("Sequential.forward(x)", _model.forward(_x), _expected_out, rtol=1e-10, atol=1e-12, case=_case)
    assert_close("Sequential.forward(x, target)", assert_scalar("Sequential.forward(x, target)", _model.forward(_x, _t)),
                 _expected_loss, rtol=1e-10, case=_case)
    _model.backward()
    _params = [(f"layer {_i} ({type(_l).__name__.strip('_')}) {_name}", _l, _name)
               for _i, _l in enumerate(_layers) if isinstance(_l, _Full) for _name in ("W", "b")]
    _analytic = {_label: np.array(getattr(_l, _name + "_grad"), copy=True) for _label, _l, _name in _params}
    for _label, _l, _name in _params:
        _num = numerical_gradient(lambda _unused: type(_loss)().forward(_run(_plain, _x0.copy()), _t), getattr(_l, _name))
        assert_gradient_close(f"Sequential.backward: gradient of {_label}", _analytic[_label], _num, tol=1e-6,
                              case=_case + ": run loss.backward, then every layer's backward from last to first")
    _before = {_label: np.array(getattr(_l, _name), copy=True) for _label, _l, _name in _params}
    _model.update_params(0.05)
    for _label, _l, _name in _params:
        assert_close(f"Sequential.update_params: {_label}", getattr(_l, _name),
                     _before[_label] - 0.05 * _analytic[_label], rtol=1e-10, atol=1e-12,
                     case=_case + ": call update_param(lr) on every layer")
    assert_unchanged("Sequential.forward", "x", _x0, _x)


_rng = np.random.default_rng(21)
_x = _rng.normal(size=(5, 4))
_check_model("one layer [Full(4, 3)] with a squared loss", [_Full(4, 3, _rng)], _Square(), _x, _rng.normal(size=(5, 3)))
_t = np.eye(3)[[0, 1, 2, 1, 0]]
_check_model("two layers [Full(4, 3), Softmax] with cross-entropy", [_Full(4, 3, _rng), _Softmax()], _CE(), _x, _t)
_check_model("[Full(4, 5), Relu, Full(5, 6), Relu, Full(6, 3), Softmax] with cross-entropy",
             [_Full(4, 5, _rng), _Relu(), _Full(5, 6, _rng), _Relu(), _Full(6, 3, _rng), _Softmax()], _CE(), _x, _t)
_check_model("[Full(4, 2), Full(2, 3), Softmax] with cross-entropy, batch of 1",
             [_Full(4, 2, _rng), _Full(2, 3, _rng), _Softmax()], _CE(), _x[:1], _t[:1])
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_Sequential_fit_predict", "points": 3}
log = []
scores = np.array([[0.1, 0.9, 0.0], [2.0, -1.0, 0.5], [0.0, 0.0, 3.0], [-1.0, 0.5, 0.2]])
model = Sequential([ScaleLayer(1.0, "a", log)], HalfSquaredLoss(log))
labels = call(model.predict, scores, name="Sequential.predict")
assert_shape("Sequential.predict", labels, (4,), case="one label per row")
assert np.issubdtype(np.asarray(labels).dtype, np.integer), (
    f"Sequential.predict: return integer labels (np.argmax), got dtype {np.asarray(labels).dtype}")
assert_close("Sequential.predict", labels, [1, 0, 2, 1], case="the index of each row's largest output")
# fit a stand-in model y = s * x to one-hot targets: the loss must fall, one number per epoch
fit_rng = np.random.default_rng(0)
y_fit = np.arange(12) % 3
x_fit = 3.0 * np.eye(3)[y_fit] + 0.1 * fit_rng.normal(size=(12, 3))
model = Sequential([ScaleLayer(0.0, "a", log)], HalfSquaredLoss(log), rng=np.random.default_rng(1))
losses = call(model.fit, x_fit, y_fit, 2, 0.0, 4, name="Sequential.fit")
assert isinstance(losses, (list, tuple, np.ndarray)) and len(losses) == 2, (
    f"Sequential.fit: return a list with one loss per epoch (2 epochs here), got {type(losses).__name__} "
    f"of length {len(losses) if hasattr(losses, '__len__') else '?'}")
losses = [assert_scalar("Sequential.fit: each epoch's loss", value) for value in losses]
assert_close("Sequential.fit", losses, [0.5, 0.5], case="lr=0 and a model that outputs 0: every minibatch loss, "
             "so every epoch's mean, is sum(one_hot**2) / (2 * 4) = 0.5")
losses = [float(value) for value in model.fit(x_fit, y_fit, 5, 0.1, 4)]
assert len(losses) == 5, f"Sequential.fit: 5 epochs must give 5 losses, got {len(losses)}"
assert losses[-1] < 0.5 * losses[0], (
    f"Sequential.fit: with lr=0.1 the loss should fall, got {np.round(losses, 4).tolist()}")
print("Sequential.fit/predict: visible tests passed")
### BEGIN HIDDEN TESTS
# lr = 0 leaves the model alone: every epoch's mean over equal minibatches is the loss on all rows
_rng = np.random.default_rng(31)
_xs = _rng.normal(size=(12, 4))
_ys = np.array([0, 1, 2] * 4)
_layers = [_Full(4, 5, _rng), _Relu(), _Full(5, 3, _rng), _Softmax()]
_W0 = [np.array(_l.W, copy=True) for _l in _layers if isinstance(_l, _Full)]
_full_loss = _CE().forward(_run(_layers, _xs.copy()), np.eye(3)[_ys])
_xs0, _ys0 = _xs.copy(), _ys.copy()
_losses = Sequential(_layers, _CE(), rng=np.random.default_rng(2)).fit(_xs, _ys, 3, 0.0, 4)
assert len(_losses) == 3, f"Sequential.fit: return one loss per epoch (3 epochs), got {len(_losses)} values"
assert_close("Sequential.fit", np.array([float(_v) for _v in _losses]), np.full(3, _full_loss), rtol=1e-9,
             case="lr=0, 12 rows in minibatches of 4: each epoch's value is the MEAN of its 3 minibatch losses")
for _W, _l in zip(_W0, [_l for _l in _layers if isinstance(_l, _Full)]):
    assert_close("Sequential.fit with lr=0: weights", _l.W, _W, rtol=0, atol=0, case="lr=0 must not change the weights")
assert_unchanged("Sequential.fit", "x", _xs0, _xs)
assert_unchanged("Sequential.fit", "y", _ys0, _ys)
# one minibatch holding every row: fit is plain gradient descent, whatever the shuffling
_rng = np.random.default_rng(32)
_layers = [_Full(4, 3, _rng), _Softmax()]
_copy = [_Full(4, 3, np.random.default_rng(0)), _Softmax()]
_copy[0].W, _copy[0].b = _layers[0].W.copy(), _layers[0].b.copy()
_t = np.eye(3)[_ys]
_expected = []
for _epoch in range(4):
    _loss = _CE()
    _expected.append(_loss.forward(_run(_copy, _xs.copy()), _t))
    _g = _loss.backward()
    for _l in reversed(_copy):
        _g = _l.backward(_g)
    for _l in _copy:
        _l.update_param(0.3)
_losses = Sequential(_layers, _CE(), rng=np.random.default_rng(3)).fit(_xs, _ys, 4, 0.3, 100)
assert_close("Sequential.fit", np.array([float(_v) for _v in _losses]), _expected, rtol=1e-8,
             case="batch_size larger than the data: one full-batch gradient step per epoch, lr=0.3")
assert_close("Sequential.fit: weights after training", _layers[0].W, _copy[0].W, rtol=1e-8, atol=1e-10,
             case="4 epochs of full-batch steps with lr=0.3")
# a small separable problem, rows not a multiple of the batch size
_rng = np.random.default_rng(33)
_yb = _rng.integers(0, 3, size=50)
_yb[:3] = [0, 1, 2]
_xb = 3.0 * np.eye(3, 4)[_yb] + 0.3 * _rng.normal(size=(50, 4))  # class c sits around 3 * e_c
_model = Sequential([_Full(4, 8, _rng), _Relu(), _Full(8, 3, _rng), _Softmax()], _CE(), rng=np.random.default_rng(4))
_losses = _model.fit(_xb, _yb, 15, 0.2, 16)
assert len(_losses) == 15, f"Sequential.fit: 15 epochs must give 15 losses, got {len(_losses)}"
_losses = [assert_scalar("Sequential.fit: each epoch's loss", _v) for _v in _losses]
assert np.all(np.isfinite(_losses)) and _losses[-1] < 0.5 * _losses[0], (
    f"Sequential.fit: on a separable problem the loss should fall by half or more, got {np.round(_losses, 3).tolist()}")
_pred = _model.predict(_xb)
assert_shape("Sequential.predict", _pred, (50,))
assert np.issubdtype(np.asarray(_pred).dtype, np.integer), "Sequential.predict: return integer labels"
assert_close("Sequential.predict", _pred, np.argmax(_run(_model.layers, _xb.copy()), axis=1), rtol=0, atol=0,
             case="the argmax of the network's output")
assert float(np.mean(_pred == _yb)) > 0.9, "Sequential: after fit, a separable problem should be learned (accuracy > 0.9)"
### END HIDDEN TESTS

# %% [markdown]
# ## 7. The data: five classes of CIFAR-100, chosen from your student number
#
# CIFAR-100 holds 60,000 colour images of 32x32 pixels in 100 classes (apples, bicycles, whales,
# ...), 500 training and 100 test images per class. Each of you works on **five** classes picked
# from your student number: `load_cifar100(seed=STUDENT_ID)` draws them with
# `np.random.default_rng(STUDENT_ID).choice(100, 5, replace=False)`, sorts them and relabels them
# 0 to 4 in that order.
# Every image is one row of $3 \cdot 32 \cdot 32 = 3072$ numbers, channel by channel (the 1024 red
# values, then green, then blue), scaled from 0-255 to $[-0.5, 0.5]$.
#
# The first run downloads the archive (161 MB) into a cache folder; later runs read it from
# there. **Without a network**, and always while the course's tests or the grader run (they set
# `NNCOURSE_OFFLINE=1`), the notebook says so and runs the very same experiment on five of the
# ten digits of the bundled MNIST subset, chosen the same way from your number: 784 inputs instead
# of 3072, so every piece of code below uses `D = X_train.shape[1]`. The grader runs your notebook
# offline: set `USE_MNIST = True` once to see the numbers the grader will see.

# %%
STUDENT_ID = 12345  # put your student number here: it picks your five classes
USE_MNIST = False   # True: use the offline MNIST stand-in, as the grader does
N_CLASSES = 5
QUICK = under_grader()  # True only while nbgrader executes the notebook: shorter experiments

try:
    data = load_cifar100(seed=STUDENT_ID, n_classes=N_CLASSES, offline=USE_MNIST)
except DownloadError as error:
    print(f"CIFAR-100 is not used here: {error.reason}.")
    print("Running the same experiment on the MNIST subset instead:")
    data = load_mnist_classes(seed=STUDENT_ID, n_classes=N_CLASSES)

X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
D = X_train.shape[1]
print(f"classes: {', '.join(f'{label} = {name}' for label, name in enumerate(data.class_names))}")
print(f"X_train {X_train.shape}, X_test {X_test.shape}, pixel values in [{X_train.min():.2f}, {X_train.max():.2f}]")

# %%
def as_image(row):
    """A row of the data as an image for imshow: (32, 32, 3) colour for CIFAR, (28, 28) for MNIST."""
    if row.size == 3072:
        return row.reshape(3, 32, 32).transpose(1, 2, 0) + 0.5  # channel-major -> height, width, channel
    side = int(round(np.sqrt(row.size)))
    return row.reshape(side, side) + 0.5


if not QUICK:  # only a picture: the grader skips it
    fig, axes = plt.subplots(N_CLASSES, 6, figsize=(6, N_CLASSES * 1.1))
    for label in range(N_CLASSES):
        examples = np.flatnonzero(y_train == label)[:6]
        for ax, index in zip(axes[label], examples):
            ax.imshow(as_image(X_train[index]), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[label, 0].set_ylabel(f"{label}: {data.class_names[label]}", rotation=0, ha="right", va="center",
                                  fontsize=8)
    fig.suptitle(f"{data.name}: six training images per class")
    plt.tight_layout()
    plt.show()

# %% [markdown]
# ## 8. The given network, at several learning rates
#
# The network of this experiment is
#
# $$D \xrightarrow{\text{Full}} 500 \xrightarrow{\text{ReLU}} 500 \xrightarrow{\text{Full}} 5
#   \xrightarrow{\text{softmax}} \text{probabilities} \xrightarrow{\text{cross-entropy}} L ,$$
#
# trained for 20 epochs with minibatches of 128 at each of the learning rates 0.1, 0.01, 0.3 and
# 10, always from the same initial weights. The read-only cell below builds it and measures test
# accuracy. Matrix products this small run faster on one core than shared between several, so
# training runs inside `one_blas_thread()`; and `np.errstate` keeps numpy quiet if the loss
# overflows, so a diverging run ends with `nan` instead of a screen of warnings.
#
# When nbgrader grades the notebook it runs a much shorter version (when `QUICK` is true: 2 epochs
# on 500 training images); your results come from the full one.

# %% nbgrader={"grade_id": "given_experiment_tools", "locked": true}
try:
    from threadpoolctl import threadpool_limits
except ImportError:  # then numpy keeps its default number of threads: same results, sometimes slower
    threadpool_limits = None


def one_blas_thread():
    """A context in which numpy's matrix products use one thread."""
    return threadpool_limits(limits=1, user_api="blas") if threadpool_limits else contextlib.nullcontext()


def given_network(n_inputs, n_classes, seed=0):
    """The network of the experiment: Full(n_inputs, 500), ReLU, Full(500, n_classes), softmax, cross-entropy."""
    init_rng = np.random.default_rng(seed)
    layers = [FullLayer(n_inputs, 500, rng=init_rng), ReluLayer(), FullLayer(500, n_classes, rng=init_rng),
              SoftMaxLayer()]
    return Sequential(layers, CrossEntropyLayer(), rng=np.random.default_rng(seed + 1))


def accuracy(model, X, y):
    """The fraction of rows of X whose predicted label equals y."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return float(np.mean(model.predict(X) == y))


def train_given(lr, X, y, epochs, batch_size=128):
    """A fresh given_network trained with model.fit; returns (model, per-epoch losses)."""
    model = given_network(X.shape[1], N_CLASSES)
    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        losses = model.fit(X, y, epochs, lr, batch_size)
    return model, [float(value) for value in losses]


def architecture(model):
    """The layers of a Sequential as text, for example 'Full(784->500) Relu Full(500->5) SoftMax'."""
    parts = []
    for layer in model.layers:
        if isinstance(layer, FullLayer):
            parts.append(f"Full({np.shape(layer.W)[1]}->{np.shape(layer.W)[0]})")
        else:
            parts.append(type(layer).__name__.removesuffix("Layer"))
    return " ".join(parts)


# %%
EPOCHS = 2 if QUICK else 20
N_EXPERIMENT = 500 if QUICK else len(X_train)
BATCH_SIZE = 128
LEARNING_RATES = [0.1, 0.01, 0.3, 10]

curves, test_accuracy = {}, {}
for lr in progress(LEARNING_RATES, desc="learning rates", unit="run"):
    model, losses = train_given(lr, X_train[:N_EXPERIMENT], y_train[:N_EXPERIMENT], EPOCHS, BATCH_SIZE)
    curves[lr], test_accuracy[lr] = losses, accuracy(model, X_test, y_test)
    finite = np.isfinite(losses)
    status = "" if finite.all() else (
        f"   the loss overflowed to {losses[int(np.argmin(finite))]} in epoch {int(np.argmin(finite)) + 1}")
    print(f"learning rate {lr:>5g}: training loss {losses[0]:.3f} -> {losses[-1]:.4f}, "
          f"test accuracy {test_accuracy[lr]:.4f}{status}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for lr in (0.1, 0.01, 0.3):
    ax.plot(np.arange(1, len(curves[lr]) + 1), curves[lr], marker="o", ms=3, label=f"learning rate {lr:g}")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_ylabel("mean training loss of the epoch (log scale)")
ax.set_title(f"Full({D}->500), ReLU, Full(500->{N_CLASSES}) on {data.name}: training loss")
ax.grid(alpha=0.3, which="both")
ax.legend()
plt.tight_layout()
fig.savefig("acc_lr.png", dpi=60 if QUICK else 120)  # the grader: a smaller, faster file
plt.show()

with open("acc_results.csv", "w") as handle:
    for lr in LEARNING_RATES:
        handle.write(f"{lr:g},{test_accuracy[lr]:.4f}\n")
print("acc_results.csv (learning rate, test accuracy):")
print(open("acc_results.csv").read().strip())

# %% [markdown]
# **Checkpoint.** Describe the three loss curves in `acc_lr.png`, then say what happens with a
# learning rate of 10 (its loss and its test accuracy) and explain why. What accuracy does a model
# get that always predicts the same class?

# %% [markdown] nbgrader={"grade": true, "grade_id": "lr10_observation", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# With 0.01 the loss falls slowly and steadily and is still high after 20 epochs (about 0.3): the
# steps are too small. With 0.1 it falls much faster, to about 0.1, with a few small bumps. With
# 0.3 it starts highest (the first steps overshoot), jumps back up several times (epochs 8 and 12
# here) and still ends lowest: it is close to the largest step the network tolerates. With a
# learning rate of 10 training diverges in the first epoch: the first updates are so large that
# the weights and the scores grow enormously, the softmax gives probability 0 to the true class,
# log(0) makes the loss infinite and the next gradients nan, which then fill every weight. From
# then on the network outputs nan for every image, argmax returns class 0 for all of them, and the
# test accuracy is the share of class 0 in the test set, 0.2 = 1/5 here: chance level, what any
# constant prediction gets with five balanced classes. The step size has to stay below a limit set
# by the curvature of the loss; the inputs in [-0.5, 0.5] are mostly -0.5 (the background), which
# makes that curvature large and the limit low.
# ### END SOLUTION

# %% [markdown]
# ## 9. A better network
#
# Can you beat the given network? Both networks get the same **budget**: `COMPARE_EPOCHS` = 3
# epochs over all of `X_train`, under the grader too (so the comparison below is exactly what
# the grader sees, when you run on the same data). The read-only cell trains the given network
# with learning rate 0.1 and batches of 128 for that budget and measures its test accuracy.

# %% nbgrader={"grade_id": "given_comparison", "locked": true}
COMPARE_EPOCHS = 3
given_net, _ = train_given(0.1, X_train, y_train, COMPARE_EPOCHS, BATCH_SIZE)
given_accuracy = accuracy(given_net, X_test, y_test)
print(f"given network {architecture(given_net)}: test accuracy {given_accuracy:.4f} after {COMPARE_EPOCHS} epochs")

# %% [markdown]
# **TODO:** build a different network `better = Sequential([...], CrossEntropyLayer())` from your
# layers and train it with `better.fit(X_train, y_train, epochs, lr, batch_size)` for at most
# `COMPARE_EPOCHS` epochs; choose the layers (how many, how wide), the learning rate and the batch
# size. It must reach a higher test accuracy than the given network. Pass seeded generators
# (`rng=np.random.default_rng(...)`) to your `FullLayer`s and to `Sequential`, so that every run,
# and the grader's, gives the same result, and train inside `with one_blas_thread():`.

# %% nbgrader={"grade_id": "better_model", "solution": true}
### BEGIN SOLUTION
# Deeper but narrower, and smaller minibatches: in the same 3 epochs that is 8 times as many
# steps, each smaller (lr 0.02) and so less likely to overshoot than the given network's.
better_rng = np.random.default_rng(0)
better = Sequential([FullLayer(D, 128, rng=better_rng), ReluLayer(),
                     FullLayer(128, 64, rng=better_rng), ReluLayer(),
                     FullLayer(64, N_CLASSES, rng=better_rng), SoftMaxLayer()],
                    CrossEntropyLayer(), rng=np.random.default_rng(1))
with one_blas_thread():
    better_losses = better.fit(X_train, y_train, epochs=COMPARE_EPOCHS, lr=0.02, batch_size=16)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_better_model", "points": 3}
assert "better" in globals(), "better_model: define `better`, a trained Sequential"
assert isinstance(better, Sequential), f"better_model: `better` must be a Sequential, got {type(better).__name__}"
assert architecture(better) != architecture(given_net), (
    f"better_model: `better` has the same layers as the given network ({architecture(given_net)}); "
    "change the architecture (depth or widths)")
better_predictions = call(better.predict, X_test, name="better.predict")
assert_shape("better.predict(X_test)", better_predictions, (len(X_test),))
better_accuracy = accuracy(better, X_test, y_test)
assert better_accuracy > given_accuracy, (
    f"better_model: test accuracy {better_accuracy:.4f}, not above the given network's {given_accuracy:.4f}; "
    "try other widths, depths, learning rates or batch sizes")
print(f"better_model: {architecture(better)}: test accuracy {better_accuracy:.4f} > {given_accuracy:.4f}")
print("better_model: visible tests passed")
### BEGIN HIDDEN TESTS
assert abs(accuracy(given_net, X_test, y_test) - given_accuracy) < 1e-12, "better_model: do not change given_net"
assert abs(float(np.mean(np.asarray(better.predict(X_test)) == y_test)) - better_accuracy) < 1e-12, (
    "better_model: better.predict must give the same labels every time")
### END HIDDEN TESTS
