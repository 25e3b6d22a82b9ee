# %% [markdown]
# # Stage 09: a `Sequential` network of layers, on five classes of CIFAR-100
#
# So far every network was written out by hand: a forward pass that called each piece in turn and
# a backward pass that called them again in reverse. This stage turns that pattern into a small
# framework. Every **layer** is an object with the same methods (`forward`, `backward`,
# `update_param`), the **loss** is a layer too, and a `Sequential` model chains any list of them:
# it runs the forward passes in order, the backward passes in reverse, and the updates of every
# layer. Adding a layer to the network is then one more entry in a list: the dropout and
# batch-norm layers of stage 07 join it through a thin adapter, and the optimisers of stage 08 as
# they are.
#
# **You will**
# - write four layers (fully connected, ReLU, softmax with its full Jacobian, cross-entropy), each
#   checked by a test straight away (the grader also compares them with numerical gradients);
# - write `Sequential`, with minibatch training (`fit`) and prediction (`predict`), training with
#   plain gradient descent or with an optimiser of stage 08;
# - train a network with one hidden layer of 500 units on five classes of CIFAR-100 picked from
#   your student number and compare learning rates on validation data;
# - find a network that beats it on five digits of the bundled MNIST subset (the data the grader
#   has), and only then look at the test sets, once.
#
# **Time:** about 4 hours: 1 hour of reading, 2 to 3 hours of coding and testing, and a few
# minutes of running (measured on a 2-core machine, the finished notebook runs in about a minute
# on the offline MNIST digits and in about 5 minutes on CIFAR-100, plus a 161 MB download the
# first time). **Needs:** the `Linear` layer and its backward pass (stage 02), ReLU (stage 03),
# softmax and cross-entropy (stage 05), Xavier initialisation (stage 06). Dropout and batch norm
# (stage 07) and the optimisers (stage 08) come as read-only cells holding those stages' answers,
# so you can start here without them, but you should know what they do.
#
# Cells marked **TODO** are yours. The test cell after each one checks your work straight away;
# the grader runs more checks of the same kind later, so make your code correct in general, not
# just for the examples shown. Above each TODO, collapsed **hints** go from the idea to the
# formula: open one only when you are stuck.

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
# A batch is a matrix with one example per row, $X$ of shape $(B, n)$: axis 0 is always the batch.
# Every layer in this stage has the same methods:
#
# - `forward(x)` returns the layer's output $Y = f(X)$ and keeps whatever its backward pass will
#   need;
# - `backward(y_grad)` receives the **upstream gradient** $\partial L/\partial Y$ (same shape as
#   $Y$), stores the gradients of the layer's own parameters, and returns
#   $\partial L/\partial X$ (same shape as $X$) for the layer before it;
# - `update_param(lr)` takes one gradient-descent step on the layer's parameters, and does
#   nothing in a layer that has none;
# - `parameters()` (given) lists the layer's parameter arrays with their gradients, for the
#   optimisers of stage 08; it is empty for a layer without parameters.
#
# The loss is the last link: `forward(x, target)` returns one number, and `backward()` (no
# argument, since $\partial L/\partial L = 1$) starts the chain by returning $\partial L/\partial x$.
# Because all layers look alike, the model that strings them together never needs to know what
# is inside them. The picture shows the network you will train in section 9, and what each layer
# keeps between its forward and its backward pass:
#
# ![The Sequential network Full, ReLU, Full, softmax and cross-entropy: values flow left to right through the layers, gradients right to left](figure:sequential_graph)
#
# ## 2. The fully connected layer
#
# `FullLayer(n_i, n_o)` maps $n_i$ inputs to $n_o$ outputs with weights $W$ of shape $(n_o, n_i)$
# and a bias $\mathbf b$ of shape $(n_o,)$, as `Linear` did in stage 02:
#
# $$Y = X W^\top + \mathbf b, \qquad Y_{nj} = \sum_i X_{ni} W_{ji} + b_j .$$
#
# Write $G = \partial L/\partial Y$, shape $(B, n_o)$, for the upstream gradient. The loss of this
# stage is already a **mean** over the batch, so its $1/B$ is inside $G$: the layer's gradients
# must not divide by $B$ again.
#
# The weights start as **Xavier-normal** draws (stage 06), made with one call
# `rng.normal(0.0, std, size=(n_o, n_i))` so that a seeded generator always gives the same
# network; the bias starts at zero. `update_param(lr)` is one step of plain gradient descent
# (stage 01) on $W$ and $\mathbf b$, with the gradients of the last backward pass.
#
# <details><summary>Hint 1: the idea</summary>
#
# A gradient has the shape of what it differentiates: $\partial L/\partial W$ is $(n_o, n_i)$ like
# $W$, $\partial L/\partial \mathbf b$ is $(n_o,)$ and $\partial L/\partial X$ is $(B, n_i)$. One
# weight $W_{ji}$ is used in every row of the batch, so its gradient collects a contribution from
# every row. One input $X_{ni}$ feeds every output of its own row.
#
# </details>
#
# <details><summary>Hint 2: the chain-rule step</summary>
#
# $W_{ji}$ reaches the loss through the outputs $Y_{nj}$ of every row $n$, with
# $\partial Y_{nj}/\partial W_{ji} = X_{ni}$; $X_{ni}$ reaches it through the outputs $Y_{nj}$ of its
# own row, every $j$, with $\partial Y_{nj}/\partial X_{ni} = W_{ji}$. The chain rule sums over
# those paths:
#
# $$\frac{\partial L}{\partial W_{ji}} = \sum_n G_{nj} X_{ni}, \qquad
#   \frac{\partial L}{\partial b_j} = \sum_n G_{nj}, \qquad
#   \frac{\partial L}{\partial X_{ni}} = \sum_j G_{nj} W_{ji} .$$
#
# The Xavier-normal variance of stage 06 is $2/(n_i + n_o)$.
#
# </details>
#
# <details><summary>Hint 3: the formulas</summary>
#
# As matrix products: $\partial L/\partial W = G^\top X$, $\partial L/\partial \mathbf b$ is $G$
# summed over axis 0, and $\partial L/\partial X = G\,W$. `rng.normal` takes the standard
# deviation, $\sqrt{2/(n_i + n_o)}$. The update is $W \leftarrow W - \eta\,\partial L/\partial W$,
# and the same for $\mathbf b$.
#
# </details>
#
# **TODO:** complete `FullLayer`.

# %% nbgrader={"grade_id": "FullLayer", "solution": true}
class FullLayer:
    """A fully connected layer on a batch of rows (section 2)."""

    def __init__(self, n_i, n_o, rng=None):
        """n_i inputs, n_o outputs; rng: a np.random.Generator (a fresh default_rng() if None).

        Sets self.W, shape (n_o, n_i), Xavier-normal, drawn with ONE call
        rng.normal(0.0, std, size=(n_o, n_i)), and self.b, zeros of shape (n_o,).
        """
        if rng is None:
            rng = np.random.default_rng()
        ### BEGIN SOLUTION
        std = np.sqrt(2.0 / (n_i + n_o))
        self.W = rng.normal(0.0, std, size=(n_o, n_i))
        self.b = np.zeros(n_o)
        ### END SOLUTION

    def forward(self, x):
        """x: shape (B, n_i), one example per row; not modified.

        Keeps what backward needs and returns the layer's output Y, shape (B, n_o).
        """
        ### BEGIN SOLUTION
        self.x = x
        return x @ self.W.T + self.b
        ### END SOLUTION

    def backward(self, y_grad):
        """y_grad: dL/dY, shape (B, n_o), for the x of the LAST forward call; not modified.

        Sets self.W_grad = dL/dW (shape of W) and self.b_grad = dL/db (shape of b), replacing
        earlier values (never adding to them), and returns dL/dx, shape (B, n_i).
        """
        ### BEGIN SOLUTION
        self.W_grad = y_grad.T @ self.x
        self.b_grad = y_grad.sum(axis=0)
        return y_grad @ self.W
        ### END SOLUTION

    def update_param(self, lr):
        """One step of plain gradient descent with learning rate lr on W and b, using W_grad and b_grad."""
        ### BEGIN SOLUTION
        self.W = self.W - lr * self.W_grad
        self.b = self.b - lr * self.b_grad
        ### END SOLUTION

    def parameters(self):
        """(given) The parameter arrays with their gradients, for an optimiser: [(W, W_grad), (b, b_grad)]."""
        return [(self.W, self.W_grad), (self.b, self.b_grad)]


# %% nbgrader={"grade": true, "grade_id": "test_FullLayer_init", "points": 2}
layer = call(FullLayer, 3, 2, rng=np.random.default_rng(0), name="FullLayer.__init__")
assert_shape("FullLayer(3, 2).W", layer.W, (2, 3), case="W is (n_o, n_i)")
assert_shape("FullLayer(3, 2).b", layer.b, (2,))
assert_close("FullLayer(3, 2).b", layer.b, np.zeros(2), case="the bias starts at zero")
big = FullLayer(300, 500, rng=np.random.default_rng(1))
assert_shape("FullLayer(300, 500).W", big.W, (500, 300))
std = float(np.std(big.W))
assert abs(std / 0.05 - 1) < 0.03, (
    f"FullLayer(300, 500).W: the weights' standard deviation is {std:.4f}, expected 0.05, the Xavier-normal "
    "value for 300 inputs and 500 outputs (stage 06); rng.normal takes the standard deviation, not the variance")
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
layer = call(FullLayer, 3, 2, rng=np.random.default_rng(0), name="FullLayer.__init__")
layer.W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
layer.b = np.array([0.5, -1.0])
x = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
y = call(layer.forward, x, name="FullLayer.forward")
assert_close("FullLayer.forward", y, [[-1.5, -3.0], [4.5, 12.0]], case="W=[[1,2,3],[4,5,6]], b=[0.5,-1]")
y_grad = np.array([[1.0, -1.0], [0.5, 2.0]])
x_grad = call(layer.backward, y_grad, name="FullLayer.backward")
assert x_grad is not None, "FullLayer.backward: return dL/dx, shape (B, n_i) (it returned None)"
assert_close("FullLayer.backward: W_grad", layer.W_grad, [[2.0, 0.5, -1.0], [3.0, 2.0, 1.0]],
             case="y_grad=[[1,-1],[0.5,2]] for x=[[1,0,-1],[2,1,0]]; W_grad has the shape of W, and every "
                  "entry collects both rows of the batch")
assert_close("FullLayer.backward: b_grad", layer.b_grad, [1.5, 1.0], case="summed over the batch, not averaged")
assert_close("FullLayer.backward: returned x_grad", x_grad, [[-3.0, -3.0, -3.0], [8.5, 11.0, 13.5]],
             case="dL/dx has the shape of x, (2, 3)")
call(layer.update_param, 0.1, name="FullLayer.update_param")
assert_close("FullLayer.update_param: W", layer.W, [[0.8, 1.95, 3.1], [3.7, 4.8, 5.9]],
             case="one gradient-descent step with lr=0.1")
assert_close("FullLayer.update_param: b", layer.b, [0.35, -1.1], case="one gradient-descent step with lr=0.1")
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
    assert _xg is not None, "FullLayer.backward: return dL/dx, shape (B, n_i) (it returned None)"
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
# $\operatorname{relu}(x) = \max(0, x)$, elementwise. Its derivative is 1 where $x > 0$ and 0
# where $x < 0$; at exactly $x = 0$ we take 0 (the usual convention, and what the tests expect).
# ReLU has no parameters, so its `update_param` (given) does nothing.
#
# <details><summary>Hint 1: the idea</summary>
#
# Each output depends only on the input at the same position, so the backward pass works entry by
# entry: it multiplies the upstream gradient by the derivative of ReLU at that entry. That
# derivative only depends on the sign of the input, so `forward` has to keep the input, or just
# where it was positive.
#
# </details>
#
# <details><summary>Hint 2: the chain-rule step</summary>
#
# $\partial L/\partial X_{ni} = G_{ni}\, \operatorname{relu}'(X_{ni})$, with $\operatorname{relu}'$
# either 1 or 0.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $\partial L/\partial X = G \odot [X > 0]$, where $[X > 0]$ is 1 where $X > 0$ and 0 elsewhere (a
# boolean mask such as `x > 0` multiplies as 1 and 0). For the forward pass, `np.maximum(x, 0)`
# makes a new array and leaves `x` alone; `x[x < 0] = 0` would change the caller's array.
#
# </details>
#
# **TODO:** complete `ReluLayer`.

# %% nbgrader={"grade_id": "ReluLayer", "solution": true}
class ReluLayer:
    """Elementwise ReLU (section 3)."""

    def forward(self, x):
        """x: any shape; not modified. Keeps what backward needs; returns relu(x), a new array of x's shape."""
        ### BEGIN SOLUTION
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)
        ### END SOLUTION

    def backward(self, y_grad):
        """y_grad: dL/dy for the LAST forward call, the shape of that x; not modified.

        Returns dL/dx, same shape; at x == 0 the derivative counts as 0.
        """
        ### BEGIN SOLUTION
        return y_grad * self.mask
        ### END SOLUTION

    def update_param(self, lr):
        """ReLU has no parameters: nothing to update."""

    def parameters(self):
        """(given) No parameters."""
        return []


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
# Computed literally, $e^{x_i}$ overflows to `inf` for scores above about 710, and the tests use
# scores of 1000. Your `forward` must give the right probabilities for them too.
#
# **The backward pass.** Each output $z_i$ depends on **every** input of its row, so the
# derivative of one row is a matrix, the Jacobian $J_{ij} = \partial z_i / \partial x_j$, and the
# backward pass must use all of it.
#
# <details><summary>Hint 1: the idea</summary>
#
# Overflow: subtracting the same number $m$ from every score of a row multiplies the numerator and
# the denominator by $e^{-m}$, so it changes nothing; choose $m$ so that no exponent is positive.
#
# Backward: for one row with upstream gradient $\mathbf g = \partial L/\partial \mathbf z$, the
# chain rule sums over all outputs: $\partial L/\partial x_j = \sum_i g_i\, \partial z_i/\partial x_j$.
# So you need $\partial z_i/\partial x_j$ for $i = j$ and for $i \ne j$.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# The quotient rule on $z_i = e^{x_i} / S$ with $S = \sum_k e^{x_k}$ (and $\partial S/\partial x_j = e^{x_j}$)
# gives $\partial z_i/\partial x_i = z_i - z_i^2$ and, for $i \ne j$, $\partial z_i/\partial x_j = -z_i z_j$.
# Together: $J_{ij} = z_i(\delta_{ij} - z_j)$, with $\delta_{ij} = 1$ if $i = j$ and 0 otherwise.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $J = \operatorname{diag}(\mathbf z) - \mathbf z \mathbf z^\top$, which is symmetric, so each row of
# the result is $J\mathbf g$. You may build the $C \times C$ matrix per row (a loop with `np.diag`
# and `np.outer`, or `np.einsum`), or multiply it out:
# $J\mathbf g = \mathbf z \odot \mathbf g - \mathbf z\, (\mathbf z \cdot \mathbf g)$, which needs no
# matrix at all (for a whole batch, take the dot product of each row with `axis=1, keepdims=True`,
# so that it broadcasts against the rows). In the forward pass subtract each row's own maximum,
# `x.max(axis=1, keepdims=True)`.
#
# </details>
#
# **TODO:** complete `SoftMaxLayer`.

# %% nbgrader={"grade_id": "SoftMaxLayer", "solution": true}
class SoftMaxLayer:
    """Row-wise softmax (section 4)."""

    def forward(self, x):
        """x: scores, shape (B, C), one example per row; not modified.

        Returns z, shape (B, C): the softmax of each row (every row sums to 1), finite even for
        scores of +-1000; keeps what backward needs.
        """
        ### BEGIN SOLUTION
        exps = np.exp(x - x.max(axis=1, keepdims=True))
        self.z = exps / exps.sum(axis=1, keepdims=True)
        return self.z
        ### END SOLUTION

    def backward(self, y_grad):
        """y_grad: dL/dz, shape (B, C), for the LAST forward call; not modified.

        Returns dL/dx, shape (B, C). Row n depends only on row n of z and of y_grad, through the
        full Jacobian of that row (every z_i depends on every x_j of its row).
        """
        ### BEGIN SOLUTION
        z = self.z
        return z * (y_grad - np.sum(z * y_grad, axis=1, keepdims=True))
        ### END SOLUTION

    def update_param(self, lr):
        """Softmax has no parameters: nothing to update."""

    def parameters(self):
        """(given) No parameters."""
        return []


# %% nbgrader={"grade": true, "grade_id": "test_SoftMaxLayer", "points": 3}
softmax = SoftMaxLayer()
x = np.array([[0.0, np.log(3.0)], [1000.0, 1000.0]])
z = call(softmax.forward, x, name="SoftMaxLayer.forward")
assert_close("SoftMaxLayer.forward", z, [[0.25, 0.75], [0.5, 0.5]],
             case="rows [0, ln 3] and [1000, 1000]: subtract each row's maximum before exp")
x_grad = call(softmax.backward, np.array([[1.0, 0.0], [0.0, 2.0]]), name="SoftMaxLayer.backward")
assert_close("SoftMaxLayer.backward", x_grad, [[0.1875, -0.1875], [-0.5, 0.5]],
             case="z = [[0.25, 0.75], [0.5, 0.5]], y_grad = [[1, 0], [0, 2]]: each row through its full Jacobian "
                  "(worked by hand with hint 2)")
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
# $$L = -\frac{1}{B} \sum_{n=1}^{B} \sum_{c} t_{nc} \log x_{nc} .$$
#
# `backward()` takes no argument: it starts the chain, returning $\partial L/\partial x$.
#
# <details><summary>Hint 1: the idea</summary>
#
# With one-hot targets only the log-probability of the true class counts in each row, so every
# other entry of $x$ gets a zero gradient. The mean over the batch puts a factor $1/B$ in front of
# every entry.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Each $x_{nc}$ appears in exactly one term of the sum, $-\frac{1}{B}\, t_{nc} \log x_{nc}$, and
# $\frac{d}{dx} \log x = \frac{1}{x}$.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $\dfrac{\partial L}{\partial x_{nc}} = -\dfrac{t_{nc}}{B\, x_{nc}}$, elementwise: `-target / x / B`.
#
# </details>
#
# **TODO:** complete `CrossEntropyLayer`.

# %% nbgrader={"grade_id": "CrossEntropyLayer", "solution": true}
class CrossEntropyLayer:
    """Mean cross-entropy between predicted probabilities and targets (section 5)."""

    def forward(self, x, target):
        """x: probabilities, shape (B, C), rows summing to 1; target: one-hot rows, shape (B, C).
        Neither is modified.

        Keeps what backward needs and returns the loss L of section 5: one number.
        """
        ### BEGIN SOLUTION
        self.x, self.target = x, target
        return float(-np.sum(target * np.log(x)) / len(x))
        ### END SOLUTION

    def backward(self):
        """Returns dL/dx for the LAST forward call, shape (B, C)."""
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
             case="probabilities [[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]], true classes 0 and 2, a batch of B = 2: "
                  "zero except at the true classes")
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
# gives $-t/B + \mathbf z \sum_c t_c / B = (\mathbf z - \mathbf t)/B$ (a one-hot row sums to 1), the
# formula of stage 05. Your two layers should agree with it to round-off, about $10^{-16}$:

# %%
check_rng = np.random.default_rng(1)
scores = check_rng.normal(size=(6, 4))
targets = np.eye(4)[check_rng.integers(0, 4, size=6)]
softmax_check, ce_check = SoftMaxLayer(), CrossEntropyLayer()
try:
    probs_check = softmax_check.forward(scores)
    ce_check.forward(probs_check, targets)
    chained = softmax_check.backward(ce_check.backward())
    print(f"max |chained backward - (z - t)/B| = {np.max(np.abs(chained - (probs_check - targets) / 6)):.2e}")
except NotImplementedError:
    print("Complete SoftMaxLayer and CrossEntropyLayer first.")

# %% [markdown]
# ## 6. Pieces from stages 07 and 08 (given)
#
# The next cell holds the answers of stage 07 (`Dropout`, `BatchNorm1d`) and stage 08 (`SGD`,
# `Momentum`, `Nesterov`, `RMSProp`, `Adam`), copied from those stages' reference solutions. It is
# read-only and not graded here: you need not have finished those stages, but their sections tell
# you what the classes do. Their docstrings are those stages' own, so "section 3", "the text" or
# "the network below" in them mean a section of stage 07 or 08, not of this notebook.

# %% nbgrader={"grade_id": "given_stage07_08", "locked": true}
# Given (read-only): the reference answers of stage 07 (Dropout, BatchNorm1d) and stage 08 (the optimisers).
class Dropout:
    """Inverted dropout with drop probability p.

    Interface (used by the tests, the network below and later stages):
        Dropout(p, rng=None); attributes p and rng;
        forward(x, training=True) -> y, an array of x's shape;
        backward(dout) -> dx, the gradient for the x of the last training-mode forward call.
    """

    def __init__(self, p, rng=None):
        """p: the probability of DROPPING each unit, 0 <= p < 1 (p = 0 keeps everything).
        rng: the np.random.Generator to draw masks from (a fresh default_rng() if None).

        Sets self.p = p and self.rng = the generator; anything else backward needs is yours to add.
        """
        if rng is None:
            rng = np.random.default_rng()
        self.p = p
        self.rng = rng
        self.mask = None

    def forward(self, x, training=True):
        """x: an array of any shape, for example (B, features). Not modified.

        training=True: draws the mask with exactly ONE call, self.rng.random(x.shape), keeping the
            entries whose draw is >= self.p (each call draws a new mask), remembers the mask for
            backward, and returns a new array of x's shape: dropped entries are 0, kept entries are
            scaled so that the expected value of every output entry equals the input entry.
        training=False: returns x unchanged (dropout is switched off at evaluation time).
        """
        if not training:
            return x
        self.mask = self.rng.random(x.shape) >= self.p
        return x * self.mask / (1.0 - self.p)

    def backward(self, dout):
        """dout: dL/dy for the output y of the last training-mode forward call, same shape. Not modified.

        Returns dx = dL/dx, same shape, using the mask that forward drew (it draws nothing new).
        """
        return dout * self.mask / (1.0 - self.p)


class BatchNorm1d:
    """Batch normalisation over the batch axis (axis 0) of (B, dim) inputs, with running statistics.

    Interface (used by the tests, the network below and later stages):
        BatchNorm1d(dim, momentum=0.9, eps=1e-5);
        attributes gamma, beta, running_mean, running_var (each shape (dim,)), momentum, eps;
        forward(x, training=True) -> y, shape (B, dim);
        backward(dout) -> dx, shape (B, dim), which also sets dgamma and dbeta (shape (dim,)).
    The network trains gamma and beta by gradient descent on dgamma and dbeta.
    """

    def __init__(self, dim, momentum=0.9, eps=1e-5):
        """dim: the number of features. momentum: the weight m of the OLD value in the running
        averages. eps: added to the variance inside the square root.

        Sets self.gamma = ones (dim,), self.beta = zeros (dim,), self.running_mean = zeros (dim,),
        self.running_var = ones (dim,), and keeps self.momentum and self.eps.
        """
        self.momentum = momentum
        self.eps = eps
        self.gamma = np.ones(dim)
        self.beta = np.zeros(dim)
        self.running_mean = np.zeros(dim)
        self.running_var = np.ones(dim)

    def forward(self, x, training=True):
        """x: shape (B, dim), one example per row. Not modified. Returns y, a new (B, dim) array.

        training=True: normalises each column with the batch's own mean and BIASED variance
            (ddof=0), eps inside the square root, scales by gamma and shifts by beta; then updates
            running_mean and running_var as in the text, with the same biased variance.
        training=False: normalises with running_mean and running_var instead, and changes neither.
        Keeps in self whatever backward needs (backward is called after a training-mode forward).
        """
        if training:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean = self.momentum * self.running_mean + (1.0 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1.0 - self.momentum) * var
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta

    def backward(self, dout):
        """dout: dL/dy, shape (B, dim), for the output of the last (training-mode) forward call.
        Not modified.

        Sets self.dgamma = dL/dgamma and self.dbeta = dL/dbeta (both shape (dim,), replacing any
        earlier values, not adding to them), and returns dx = dL/dx, shape (B, dim), taking into
        account that the batch mean and variance depend on x.
        """
        batch_size = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        dx_hat = dout * self.gamma
        return (self.inv_std / batch_size) * (
            batch_size * dx_hat - dx_hat.sum(axis=0) - self.x_hat * (dx_hat * self.x_hat).sum(axis=0))


class SGD:
    """Stochastic gradient descent, the update of section 2; it keeps no state between steps.

    Interface shared by every optimizer of this stage (used by the tests, the training loops below
    and later stages): the constructor takes the hyperparameters, and step(params, grads) updates
    every parameter array in place and returns None.
    """

    def __init__(self, lr):
        """lr: the learning rate, a positive float, kept as self.lr."""
        self.lr = lr

    def step(self, params, grads):
        """Take one step: update every array of params in place (their dtype stays the same).

        params: list of parameter arrays (the same arrays, in the same order, at every call).
        grads: list of arrays, grads[i] the gradient for params[i], same shape. Not modified.
        """
        for w, g in zip(params, grads):
            w -= self.lr * g


class Momentum:
    """SGD with momentum (section 3): one velocity array per parameter, kept between steps."""

    def __init__(self, lr, beta=0.9):
        """lr: the learning rate; beta: the momentum coefficient (the fraction of the velocity kept
        each step), 0 <= beta < 1. Kept as self.lr and self.beta."""
        self.lr = lr
        self.beta = beta
        self.velocities = None  # one array per parameter, made on the first step

    def step(self, params, grads):
        """Update every array of params in place, and the velocities.

        params: list of parameter arrays (the same arrays, in the same order, at every call).
        grads: list of arrays, grads[i] the gradient for params[i], same shape. Not modified.
        The velocity of each parameter has the parameter's shape and is zero before the first step;
        it belongs to this object (two Momentum objects never share velocities).
        """
        if self.velocities is None:
            self.velocities = [np.zeros_like(w) for w in params]
        for w, g, v in zip(params, grads, self.velocities):
            v *= self.beta
            v -= self.lr * g
            w += v


class Nesterov:
    """Nesterov momentum in the look-ahead form of section 4: the parameters ARE the look-ahead
    points w + beta * v, and their gradients are taken there. One velocity array per parameter."""

    def __init__(self, lr, beta=0.9):
        """lr: the learning rate; beta: the momentum coefficient, 0 <= beta < 1. Kept as self.lr and
        self.beta."""
        self.lr = lr
        self.beta = beta
        self.velocities = None

    def step(self, params, grads):
        """Update every array of params in place, and the velocities.

        params: list of parameter arrays (the same arrays, in the same order, at every call).
        grads: list of arrays, grads[i] the gradient for params[i], same shape. Not modified.
        The velocity of each parameter has the parameter's shape and is zero before the first step.
        """
        if self.velocities is None:
            self.velocities = [np.zeros_like(w) for w in params]
        for i, (w, g) in enumerate(zip(params, grads)):
            v_prev = self.velocities[i]
            v = self.beta * v_prev - self.lr * g
            w += -self.beta * v_prev + (1 + self.beta) * v
            self.velocities[i] = v


class RMSProp:
    """RMSProp (section 5): one running mean of the squared gradient per parameter, kept between steps."""

    def __init__(self, lr, decay=0.99, eps=1e-8):
        """lr: the learning rate; decay: the fraction rho of the running mean of g**2 kept each step;
        eps: added to sqrt(s), OUTSIDE the square root, to avoid division by zero.
        Kept as self.lr, self.decay and self.eps."""
        self.lr = lr
        self.decay = decay
        self.eps = eps
        self.squares = None  # the running mean of g**2, one array per parameter

    def step(self, params, grads):
        """Update every array of params in place, and the running means of the squared gradients.

        params: list of parameter arrays (the same arrays, in the same order, at every call).
        grads: list of arrays, grads[i] the gradient for params[i], same shape. Not modified.
        Each running mean s has its parameter's shape, is zero before the first step and belongs to
        this object. Everything is elementwise.
        """
        if self.squares is None:
            self.squares = [np.zeros_like(w) for w in params]
        for w, g, s in zip(params, grads, self.squares):
            s *= self.decay
            s += (1 - self.decay) * g ** 2
            w -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam:
    """Adam with bias correction (section 6): one m and one v per parameter, one step counter t."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        """lr: the learning rate; beta1, beta2: the fractions of the running means of g and g**2 kept
        each step; eps: added to sqrt(v_hat), OUTSIDE the square root.
        Kept as self.lr, self.beta1, self.beta2 and self.eps; the step counter starts at 0."""
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t = 0
        self.m = None
        self.v = None

    def step(self, params, grads):
        """Update every array of params in place, and the moments.

        params: list of parameter arrays (the same arrays, in the same order, at every call).
        grads: list of arrays, grads[i] the gradient for params[i], same shape. Not modified.
        The bias corrections use t, the number of this call to step (1 during the first call), one
        counter for the whole optimizer. m and v of each parameter have its shape, are zero before
        the first step, belong to this object and are stored uncorrected.
        """
        if self.m is None:
            self.m = [np.zeros_like(w) for w in params]
            self.v = [np.zeros_like(w) for w in params]
        self.t += 1
        for w, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g ** 2
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


# %% [markdown]
# Two differences from this stage's layers: the stage-07 layers take `forward(x, training)`, since
# they behave differently while training and at evaluation time, and an optimiser updates a whole
# list of parameter arrays **in place** with one call, `optimizer.step(params, grads)`, keeping its
# own state (a velocity, running means) for each array by its position in the list. The cell below
# turns the stage-07 layers into layers of this stage:
#
# - `DropoutLayer(p, rng)` and `BatchNormLayer(dim)` have `forward(x)`, `backward(y_grad)`,
#   `update_param(lr)` and `parameters()`, and a switch `training` (True at first): while it is
#   True they work in training mode (a new dropout mask every call; batch statistics), while it is
#   False in evaluation mode (no dropout; the running statistics).
# - `Sequential.set_training(flag)` (given in the next section) sets that switch on every layer
#   of a model that has one.

# %% nbgrader={"grade_id": "given_layer_adapters", "locked": true}
class DropoutLayer(Dropout):
    """Stage 07's Dropout(p, rng) with this stage's interface; no parameters."""

    def __init__(self, p, rng=None):
        super().__init__(p, rng)
        self.training = True  # switched by Sequential.set_training

    def forward(self, x):
        return super().forward(x, training=self.training)

    def update_param(self, lr):
        """No parameters: nothing to update."""

    def parameters(self):
        return []


class BatchNormLayer(BatchNorm1d):
    """Stage 07's BatchNorm1d(dim) with this stage's interface; parameters gamma and beta."""

    def __init__(self, dim, momentum=0.9, eps=1e-5):
        super().__init__(dim, momentum, eps)
        self.training = True  # switched by Sequential.set_training

    def forward(self, x):
        return super().forward(x, training=self.training)

    def update_param(self, lr):
        """One step of plain gradient descent on gamma and beta."""
        self.gamma = self.gamma - lr * self.dgamma
        self.beta = self.beta - lr * self.dbeta

    def parameters(self):
        return [(self.gamma, self.dgamma), (self.beta, self.dbeta)]


# %% [markdown]
# ## 7. The `Sequential` model
#
# `Sequential(layers, loss, rng=None, optimizer=None)` holds a list of layers, a loss layer, the
# generator that shuffles the training data, and optionally an optimiser of stage 08. Its
# constructor and `set_training` are given; you write:
#
# - `forward(x)`: passes `x` through the layers in order and returns the network's output;
#   `forward(x, target)` also applies the loss and returns the loss value;
# - `backward()`: starts with `loss.backward()` and hands each layer's result to the layer before
#   it, from the last layer to the first (the red arrows of the picture in section 1);
# - `update_params(lr)`: **without an optimiser**, calls `update_param(lr)` on every layer. **With
#   an optimiser**, makes exactly one call `self.optimizer.step(params, grads)`: `params` lists the
#   parameter arrays of all layers, first layer first and each layer's in the order of its
#   `parameters()`, and `grads` their gradients in the same order. The optimiser has its own
#   learning rate, so `lr` is not used then;
# - `fit(x, y, epochs, lr, batch_size)`: minibatch training in **training mode**. `y` holds integer
#   labels $0 \dots C-1$, with $C$ the number of outputs of the network; `fit` turns them into
#   one-hot rows. Each epoch visits every row once in a new random order drawn from `self.rng`, in
#   minibatches of `batch_size` rows (the last may be shorter): forward with the targets,
#   backward, update. It returns one number per epoch, the **mean of that epoch's minibatch
#   losses**;
# - `predict(x)`: in **evaluation mode**, the index of the largest output of each row: the
#   predicted labels.
#
# <details><summary>Hint 1: the idea</summary>
#
# `forward` and `backward` are loops over `self.layers`, the second one over `reversed(...)`, each
# step feeding the result of the previous one into the next. In `backward` the loss goes first:
# its `backward()` returns the first gradient.
#
# </details>
#
# <details><summary>Hint 2: the key steps of fit</summary>
#
# - One-hot rows: row $k$ of the identity matrix `np.eye(C)` is the one-hot row of label $k$, so
#   indexing it with the whole label array makes all of them at once.
# - $C$: the width of the network's output for one row, `x[:1]`. Measure it in evaluation mode,
#   so that no dropout mask is drawn and no running statistic changes, and switch back to
#   training mode before the minibatches.
# - One epoch: `order = self.rng.permutation(len(x))`, then `rows = order[start:start + batch_size]`
#   for `start` = 0, `batch_size`, `2 * batch_size`, ... (`range` with a step).
#
# </details>
#
# <details><summary>Hint 3: the optimiser</summary>
#
# Walk over the layers in order and over the `(parameter, gradient)` pairs of each one's
# `parameters()`, appending the parameter to one list and the gradient to another; then call
# `self.optimizer.step(params, grads)` once. One call per layer would be wrong: an optimiser keeps
# its state by position in the list, so every call must get all the parameters, in the same order.
#
# </details>
#
# **TODO:** complete `Sequential`.

# %% nbgrader={"grade_id": "Sequential", "solution": true}
class Sequential:
    """A chain of layers followed by a loss layer (section 7)."""

    def __init__(self, layers, loss, rng=None, optimizer=None):
        """layers: list of layers, applied in order; loss: a loss layer with forward(x, target) and backward().

        rng: the np.random.Generator fit shuffles with (a fresh default_rng() if None).
        optimizer: None (plain gradient descent with each layer's update_param) or an optimiser of
        stage 08, with step(params, grads).
        """
        self.layers = list(layers)
        self.loss = loss
        self.rng = np.random.default_rng() if rng is None else rng
        self.optimizer = optimizer

    def set_training(self, training):
        """(given) Training mode (True) or evaluation mode (False) for every layer with a `training` switch."""
        for layer in self.layers:
            if hasattr(layer, "training"):
                layer.training = training

    def forward(self, x, target=None):
        """x: the network's input, shape (B, D); not modified. Runs it through every layer in list order.

        Without target returns the output of the last layer; with target (the shape of that output)
        returns the loss value, self.loss.forward(output, target).
        """
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer.forward(x)
        if target is None:
            return x
        return self.loss.forward(x, target)
        ### END SOLUTION

    def backward(self):
        """After forward(x, target): self.loss.backward(), then each layer's backward from the last
        layer to the first, each receiving what was returned just before. Returns nothing."""
        ### BEGIN SOLUTION
        grad = self.loss.backward()
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        ### END SOLUTION

    def update_params(self, lr):
        """Without an optimiser: update_param(lr) on every layer. With one: exactly one call
        self.optimizer.step(params, grads) with every layer's parameters() (layers in order, each
        layer's pairs in order) split into the list of arrays and the list of their gradients."""
        ### BEGIN SOLUTION
        if self.optimizer is None:
            for layer in self.layers:
                layer.update_param(lr)
            return
        params, grads = [], []
        for layer in self.layers:
            for param, grad in layer.parameters():
                params.append(param)
                grads.append(grad)
        self.optimizer.step(params, grads)
        ### END SOLUTION

    def fit(self, x, y, epochs, lr, batch_size):
        """Minibatch training on inputs x (N, D) and integer labels y (N,); neither is modified.

        Runs in training mode (self.set_training(True)). The targets are one-hot rows with as many
        columns as the network has outputs. Each epoch shuffles the rows with self.rng (so a seeded
        rng repeats a run; the tests do not depend on the order drawn) and, for every minibatch of
        batch_size rows (the last may be shorter), runs forward with the targets, backward and
        update_params(lr).
        Returns a list of `epochs` floats: the mean of the minibatch losses of each epoch.
        """
        ### BEGIN SOLUTION
        self.set_training(False)  # measure the output width without drawing masks or moving statistics
        n_outputs = self.forward(x[:1]).shape[1]
        self.set_training(True)
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
        """Labels, integers of shape (N,): in evaluation mode (self.set_training(False)), the index
        of the largest network output of each row of x."""
        ### BEGIN SOLUTION
        self.set_training(False)
        return np.argmax(self.forward(x), axis=1)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_Sequential", "points": 3}
class ScaleLayer:
    """Test stand-in: y = s * x with one trainable number s (an array of shape (1,)); logs its calls."""

    def __init__(self, s, name, log):
        self.s, self.name, self.log = np.array([float(s)]), name, log

    def forward(self, x):
        self.log.append(f"{self.name}.forward")
        self.x = x
        return self.s * x

    def backward(self, y_grad):
        self.log.append(f"{self.name}.backward")
        self.s_grad = np.array([np.sum(y_grad * self.x)])
        return self.s * y_grad

    def update_param(self, lr):
        self.log.append(f"{self.name}.update_param")
        self.s -= lr * self.s_grad

    def parameters(self):
        return [(self.s, self.s_grad)]


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


class RecordingOptimizer:
    """Test stand-in for an optimiser: records the lists of every step call and changes nothing."""

    def __init__(self):
        self.calls = []

    def step(self, params, grads):
        self.calls.append((list(params), list(grads)))


log = []
model = Sequential([ScaleLayer(2.0, "a", log), ScaleLayer(3.0, "b", log)], HalfSquaredLoss(log))
x = np.array([[1.0, -1.0], [0.5, 2.0]])
out = call(model.forward, x, name="Sequential.forward")
assert_close("Sequential.forward(x)", out, [[6.0, -6.0], [3.0, 12.0]], case="two layers y = 2x, then y = 3x")
assert log == ["a.forward", "b.forward"], f"Sequential.forward(x): expected the calls a.forward, b.forward, got {log}"
log.clear()
loss = model.forward(x, np.zeros((2, 2)))
assert_close("Sequential.forward(x, target)", assert_scalar("Sequential.forward(x, target)", loss), 56.25,
             case="with a target, return the loss of the output: (36 + 36 + 9 + 144) / (2 * 2)")
call(model.backward, name="Sequential.backward")
assert log == ["a.forward", "b.forward", "loss.forward", "loss.backward", "b.backward", "a.backward"], (
    f"Sequential: expected the calls a.forward, b.forward, loss.forward, then loss.backward, b.backward, "
    f"a.backward; got {log}")
# by hand: the loss is s_a^2 s_b^2 sum(x**2) / (2 B) with s_a = 2, s_b = 3, sum(x**2) = 6.25 and B = 2, so
# dL/ds_b = 2 s_a^2 s_b * 6.25 / 4 = 37.5 and dL/ds_a = 2 s_a s_b^2 * 6.25 / 4 = 56.25
assert_close("Sequential.backward: gradient of layer b", model.layers[1].s_grad, [37.5],
             case="each layer's backward gets what the layer after it returned")
assert_close("Sequential.backward: gradient of layer a", model.layers[0].s_grad, [56.25],
             case="each layer's backward gets what the layer after it returned")
log.clear()
call(model.update_params, 0.01, name="Sequential.update_params")
assert sorted(log) == ["a.update_param", "b.update_param"], (
    f"Sequential.update_params: without an optimiser, call update_param once on every layer; got {log}")
# with an optimiser: one step call with every layer's parameters, in layer order, and no update_param
recorder = RecordingOptimizer()
layers = [ScaleLayer(2.0, "a", log), ScaleLayer(3.0, "b", log)]
model = Sequential(layers, HalfSquaredLoss(log), optimizer=recorder)
model.forward(x, np.zeros((2, 2)))
model.backward()
log.clear()
call(model.update_params, 0.01, name="Sequential.update_params")
assert len(recorder.calls) == 1, (
    f"Sequential.update_params with an optimiser: call self.optimizer.step exactly once, with the parameters "
    f"of all layers (an optimiser keeps its state by position in the list); it was called {len(recorder.calls)} times")
params, grads = recorder.calls[0]
assert len(params) == 2 and params[0] is layers[0].s and params[1] is layers[1].s, (
    "Sequential.update_params with an optimiser: params must be the parameter arrays themselves (not copies) of "
    f"every layer, first layer first: here [layer a's s, layer b's s]; got {len(params)} arrays {params}")
assert len(grads) == 2, f"Sequential.update_params with an optimiser: pass one gradient per parameter, got {len(grads)}"
assert_close("Sequential.update_params with an optimiser: grads[0]", grads[0], [56.25], case="layer a's gradient")
assert_close("Sequential.update_params with an optimiser: grads[1]", grads[1], [37.5], case="layer b's gradient")
assert not log, (f"Sequential.update_params with an optimiser: let the optimiser update the parameters and do not "
                 f"call update_param as well; got the calls {log}")
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

    def parameters(self):
        return [(self.W, self.W_grad), (self.b, self.b_grad)]


class _Relu:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, g):
        return g * (self.x > 0)

    def update_param(self, lr):
        pass

    def parameters(self):
        return []


class _Softmax:
    def forward(self, x):
        _e = np.exp(x - x.max(axis=1, keepdims=True))
        self.z = _e / _e.sum(axis=1, keepdims=True)
        return self.z

    def backward(self, g):
        return self.z * (g - np.sum(self.z * g, axis=1, keepdims=True))

    def update_param(self, lr):
        pass

    def parameters(self):
        return []


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
# a real optimiser of stage 08 over several steps, with a batch-norm layer: the same as stepping it by hand
def _optimizer_run(_name, _make_optimizer, _steps=3):
    _rng = np.random.default_rng(23)
    _x = _rng.normal(size=(6, 4))
    _t = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    _layers = [_Full(4, 5, _rng), BatchNormLayer(5), _Relu(), _Full(5, 3, _rng), _Softmax()]
    _copies = _deepcopy(_layers)
    _model = Sequential(_layers, _CE(), rng=np.random.default_rng(0), optimizer=_make_optimizer())
    _manual = _make_optimizer()
    for _step in range(_steps):
        _model.forward(_x, _t)
        _model.backward()
        _model.update_params(0.5)  # the optimiser's own learning rate counts, not this one
        _loss = _CE()
        _loss.forward(_run(_copies, _x), _t)
        _g = _loss.backward()
        for _l in reversed(_copies):
            _g = _l.backward(_g)
        _pairs = [_pair for _l in _copies for _pair in _l.parameters()]
        _manual.step([_p for _p, _ in _pairs], [_q for _, _q in _pairs])
    _case = f"{_name} as the optimiser, {_steps} steps of [Full, BatchNorm, Relu, Full, Softmax]"
    for _i, (_l, _c) in enumerate(zip(_layers, _copies)):
        for _k, ((_p, _), (_q, _)) in enumerate(zip(_l.parameters(), _c.parameters())):
            assert_close(f"Sequential.update_params: parameter {_k} of layer {_i} ({type(_l).__name__.strip('_')})",
                         _p, _q, rtol=1e-9, atol=1e-12, case=_case + ": one optimizer.step per update_params with "
                         "every layer's parameters in order; the lr argument is not used")


from copy import deepcopy as _deepcopy

_optimizer_run("Momentum(0.1)", lambda: Momentum(0.1, beta=0.9))
_optimizer_run("Adam(0.01)", lambda: Adam(0.01))
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_Sequential_fit_predict", "points": 3}
def sequential_basics_problem():
    """None if forward, backward and update_params pass the checks of the test above, else what to fix first."""
    model = Sequential([ScaleLayer(2.0, "a", []), ScaleLayer(3.0, "b", [])], HalfSquaredLoss([]))
    x = np.array([[1.0, -1.0], [0.5, 2.0]])

    def with_optimizer():
        calls, recorder = [], RecordingOptimizer()
        layers = [ScaleLayer(2.0, "a", calls), ScaleLayer(3.0, "b", calls)]
        other = Sequential(layers, HalfSquaredLoss(calls), optimizer=recorder)
        other.forward(x, np.zeros((2, 2)))
        other.backward()
        other.update_params(0.01)
        if len(recorder.calls) != 1 or any(call.endswith("update_param") for call in calls):
            return False
        return [id(param) for param in recorder.calls[0][0]] == [id(layer.s) for layer in layers]

    for name, check in [
        ("`Sequential.forward`", lambda: np.allclose(model.forward(x), 6.0 * x)
         and np.isclose(float(model.forward(x, np.zeros((2, 2)))), 56.25)),
        ("`Sequential.backward`", lambda: model.backward() is None and np.allclose(model.layers[0].s_grad, 56.25)
         and np.allclose(model.layers[1].s_grad, 37.5)),
        ("`Sequential.update_params`", lambda: model.update_params(0.01) is None
         and np.allclose(model.layers[0].s, 1.4375) and np.allclose(model.layers[1].s, 2.625)),
        ("`Sequential.update_params` with an optimiser", with_optimizer),
    ]:
        try:
            passed = bool(check())
        except NotImplementedError:
            return f"fix {name} first: it is not implemented yet"
        except Exception as error:  # what the student's code raised, as a message
            return f"fix {name} first: it raised {type(error).__name__}: {error}"
        if not passed:
            return f"fix {name} first: it fails the test above (fit needs it)"
    return None


class ModeSpy:
    """Test stand-in: y = x, with a `training` switch; records the switch at every forward and backward call."""

    def __init__(self):
        self.training = False
        self.seen = []

    def forward(self, x):
        self.seen.append(("forward", self.training))
        return x

    def backward(self, y_grad):
        self.seen.append(("backward", self.training))
        return y_grad

    def update_param(self, lr):
        pass

    def parameters(self):
        return []


problem = sequential_basics_problem()
assert problem is None, problem
log = []
scores = np.array([[0.1, 0.9, 0.0], [2.0, -1.0, 0.5], [0.0, 0.0, 3.0], [-1.0, 0.5, 0.2]])
model = Sequential([ScaleLayer(1.0, "a", log)], HalfSquaredLoss(log))
labels = call(model.predict, scores, name="Sequential.predict")
assert_shape("Sequential.predict", labels, (4,), case="one label per row")
assert np.issubdtype(np.asarray(labels).dtype, np.integer), (
    f"Sequential.predict: return integer labels, got dtype {np.asarray(labels).dtype}")
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
             "so every epoch's mean, is (1 + 1 + 1 + 1) / (2 * 4) = 0.5")
losses = [float(value) for value in model.fit(x_fit, y_fit, 5, 0.1, 4)]
assert len(losses) == 5, f"Sequential.fit: 5 epochs must give 5 losses, got {len(losses)}"
assert losses[-1] < 0.5 * losses[0], (
    f"Sequential.fit: with lr=0.1 the loss should fall, got {np.round(losses, 4).tolist()}")
# training mode in fit, evaluation mode in predict
spy = ModeSpy()
model = Sequential([ScaleLayer(1.0, "a", log), spy], HalfSquaredLoss(log), rng=np.random.default_rng(2))
model.fit(x_fit, y_fit, 1, 0.1, 4)
backward_modes = [training for kind, training in spy.seen if kind == "backward"]
assert len(backward_modes) == 3 and all(backward_modes), (
    "Sequential.fit: train in training mode (self.set_training(True)) before the minibatches; a layer with a "
    f"`training` switch saw the switches {backward_modes} in its 3 backward calls")
spy.seen.clear()
model.predict(x_fit)
assert spy.seen and all(kind == "forward" and not training for kind, training in spy.seen), (
    "Sequential.predict: predict in evaluation mode (self.set_training(False)); a layer with a `training` switch "
    f"saw {spy.seen}")
print("Sequential.fit/predict: visible tests passed")
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

    def parameters(self):
        return [(self.W, self.W_grad), (self.b, self.b_grad)]


class _Relu:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, g):
        return g * (self.x > 0)

    def update_param(self, lr):
        pass

    def parameters(self):
        return []


class _Softmax:
    def forward(self, x):
        _e = np.exp(x - x.max(axis=1, keepdims=True))
        self.z = _e / _e.sum(axis=1, keepdims=True)
        return self.z

    def backward(self, g):
        return self.z * (g - np.sum(self.z * g, axis=1, keepdims=True))

    def update_param(self, lr):
        pass

    def parameters(self):
        return []


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


from copy import deepcopy as _deepcopy

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
# the stage-07 layers and a stage-08 optimiser: training mode in fit, evaluation mode in predict
_rng = np.random.default_rng(34)
_layers = [_Full(4, 16, _rng), BatchNormLayer(16), _Relu(), DropoutLayer(0.2, rng=np.random.default_rng(5)),
           _Full(16, 3, _rng), _Softmax()]
_model = Sequential(_layers, _CE(), rng=np.random.default_rng(6), optimizer=Adam(0.01))
_losses = [assert_scalar("Sequential.fit: each epoch's loss", _v) for _v in _model.fit(_xb, _yb, 15, 0.1, 10)]
assert np.all(np.isfinite(_losses)) and np.mean(_losses[-3:]) < 0.5 * _losses[0], (
    "Sequential.fit with [Full, BatchNormLayer, Relu, DropoutLayer, Full, Softmax] and Adam(0.01): on a separable "
    f"problem the loss should fall by half or more, got {np.round(_losses, 3).tolist()}")
_pred = _model.predict(_xb)
assert_close("Sequential.predict", _model.predict(_xb), _pred, rtol=0, atol=0,
             case="a network with a DropoutLayer, predicted twice: the same labels (no dropout in evaluation mode)")
assert_close("Sequential.predict", [_model.predict(_xb[_i:_i + 1])[0] for _i in range(6)], _pred[:6], rtol=0, atol=0,
             case="rows one at a time or in a batch: the same labels (batch norm uses its running statistics "
                  "in evaluation mode)")
for _l in _layers:
    if hasattr(_l, "training"):
        _l.training = False
assert_close("Sequential.predict", _pred, np.argmax(_run(_layers, _xb.copy()), axis=1), rtol=0, atol=0,
             case="the argmax of the network's output in evaluation mode")
assert float(np.mean(_pred == _yb)) > 0.9, (
    "Sequential: after fit with dropout, batch norm and Adam, a separable problem should be learned (accuracy > 0.9)")
# one full batch with momentum and batch norm: the same steps as by hand, whatever the shuffling
_rng = np.random.default_rng(35)
_layers = [_Full(4, 5, _rng), BatchNormLayer(5), _Relu(), _Full(5, 3, _rng), _Softmax()]
_copies = _deepcopy(_layers)
_manual = Momentum(0.2, beta=0.9)
_expected = []
for _epoch in range(4):
    _loss = _CE()
    _expected.append(_loss.forward(_run(_copies, _xs.copy()), np.eye(3)[_ys]))
    _g = _loss.backward()
    for _l in reversed(_copies):
        _g = _l.backward(_g)
    _pairs = [_pair for _l in _copies for _pair in _l.parameters()]
    _manual.step([_p for _p, _ in _pairs], [_q for _, _q in _pairs])
_losses = Sequential(_layers, _CE(), rng=np.random.default_rng(7), optimizer=Momentum(0.2, beta=0.9)).fit(
    _xs, _ys, 4, 0.3, 100)
assert_close("Sequential.fit", np.array([float(_v) for _v in _losses]), _expected, rtol=1e-8,
             case="Momentum(0.2), batch norm, batch_size larger than the data: one full-batch optimiser step per epoch")
assert_close("Sequential.fit: weights after training", _layers[3].W, _copies[3].W, rtol=1e-8, atol=1e-10,
             case="4 full-batch steps with Momentum(0.2)")
### END HIDDEN TESTS

# %% [markdown]
# ## 8. The data: five classes of CIFAR-100, chosen from your student number
#
# CIFAR-100 holds 60,000 colour images of 32x32 pixels in 100 classes (apples, bicycles, whales,
# ...), 500 training and 100 test images per class. Each of you works on **five** classes picked
# from your student number: `load_cifar100(seed=STUDENT_ID)` draws them with
# `np.random.default_rng(STUDENT_ID).choice(100, 5, replace=False)`, sorts them and relabels them
# 0 to 4 in that order. Every image is one row of $3 \cdot 32 \cdot 32 = 3072$ numbers, channel by
# channel (the 1024 red values, then green, then blue), scaled from 0-255 to $[-0.5, 0.5]$.
#
# The first run downloads the archive (161 MB) into a cache folder; later runs read it from
# there. **Without a network**, and always while the course's tests or the grader run (they set
# `NNCOURSE_OFFLINE=1`), the notebook says so and runs the same experiment on five of the ten
# digits of the bundled MNIST subset, chosen the same way from your number (400 training and 100
# test images a digit): 784 inputs instead of 3072, so the code below uses `D = X_train.shape[1]`.
# `USE_MNIST = True` does the same on purpose.
#
# **Training, validation, test.** Whatever is chosen by looking at a set of images (a learning
# rate, a network) fits those images a little better than new ones, so their accuracy becomes an
# optimistic estimate. So the given cell below holds back 20% of each class of the training
# images, drawn at random from a fixed seed, as a **validation** set: every choice in this stage is
# made on validation accuracy. The test images are looked at once, at the very end (section 11).

# %% nbgrader={"grade_id": "given_split", "locked": true}
def split_validation(X, y, fraction=0.2, seed=0):
    """(X_train, y_train, X_val, y_val): a random `fraction` of the rows of each class, drawn from
    `seed`, is held out for validation; the other rows keep their order."""
    pick = np.random.default_rng(seed)
    held_out = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        held_out[pick.choice(rows, size=int(round(fraction * len(rows))), replace=False)] = True
    return X[~held_out], y[~held_out], X[held_out], y[held_out]


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

X_train, y_train, X_val, y_val = split_validation(data.X_train, data.y_train)
X_test, y_test = data.X_test, data.y_test  # kept aside until section 11
D = X_train.shape[1]
print(f"classes: {', '.join(f'{label} = {name}' for label, name in enumerate(data.class_names))}")
print(f"X_train {X_train.shape}, X_val {X_val.shape}, X_test {X_test.shape}, "
      f"pixel values in [{X_train.min():.2f}, {X_train.max():.2f}]")

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
# ## 9. The given network, at several learning rates
#
# The network of this experiment is the one in the picture of section 1:
#
# $$D \xrightarrow{\text{Full}} 500 \xrightarrow{\text{ReLU}} 500 \xrightarrow{\text{Full}} 5
#   \xrightarrow{\text{softmax}} \text{probabilities} \xrightarrow{\text{cross-entropy}} L ,$$
#
# trained for 20 epochs with minibatches of 128 at each of the learning rates 0.1, 0.01, 0.3 and
# 10, always from the same initial weights, with plain gradient descent. The read-only cell below
# builds it and measures accuracy; `first_problem()` first runs your layers and `Sequential` on
# the small examples of their test cells and names the first one to fix, if any. Training runs
# inside `one_blas_thread()`, which keeps numpy's matrix products on one thread, as the grader
# does; `np.errstate` keeps numpy quiet if the loss overflows, so a diverging run ends with `nan`
# instead of a screen of warnings.
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


def _close(got, expected):
    return got is not None and np.shape(got) == np.shape(expected) and np.allclose(
        np.asarray(got, dtype=float), expected, rtol=1e-5, atol=1e-7)


def _layer_checks():
    """(answer, section, check) triples on the small examples of the test cells; check() is True when right."""
    x = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    g = np.array([[1.0, -1.0], [0.5, 2.0]])
    full = {}

    def full_init():
        full["layer"] = FullLayer(3, 2, rng=np.random.default_rng(0))
        return np.shape(full["layer"].W) == (2, 3) and _close(full["layer"].b, np.zeros(2))

    def full_forward():
        layer = full["layer"]
        layer.W, layer.b = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([0.5, -1.0])
        return _close(layer.forward(x), [[-1.5, -3.0], [4.5, 12.0]])

    def full_backward():
        layer = full["layer"]
        x_grad = layer.backward(g)
        return (_close(layer.W_grad, [[2.0, 0.5, -1.0], [3.0, 2.0, 1.0]]) and _close(layer.b_grad, [1.5, 1.0])
                and _close(x_grad, [[-3.0, -3.0, -3.0], [8.5, 11.0, 13.5]]))

    def full_update():
        layer = full["layer"]
        layer.update_param(0.1)
        return _close(layer.W, [[0.8, 1.95, 3.1], [3.7, 4.8, 5.9]]) and _close(layer.b, [0.35, -1.1])

    relu = ReluLayer()
    softmax = SoftMaxLayer()
    ce = CrossEntropyLayer()
    return [
        ("`FullLayer.__init__`", 2, full_init),
        ("`FullLayer.forward`", 2, full_forward),
        ("`FullLayer.backward`", 2, full_backward),
        ("`FullLayer.update_param`", 2, full_update),
        ("`ReluLayer.forward`", 3, lambda: _close(relu.forward(np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])),
                                                [[0.0, 0.0, 3.0], [1.5, 0.0, 0.0]])),
        ("`ReluLayer.backward`", 3, lambda: _close(relu.backward(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
                                                 [[0.0, 0.0, 3.0], [4.0, 0.0, 0.0]])),
        ("`SoftMaxLayer.forward`", 4, lambda: _close(softmax.forward(np.array([[0.0, np.log(3.0)], [1000.0, 1000.0]])),
                                                   [[0.25, 0.75], [0.5, 0.5]])),
        ("`SoftMaxLayer.backward`", 4, lambda: _close(softmax.backward(np.array([[1.0, 0.0], [0.0, 2.0]])),
                                                    [[0.1875, -0.1875], [-0.5, 0.5]])),
        ("`CrossEntropyLayer.forward`", 5, lambda: _close(
            float(ce.forward(np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]), np.array([[1.0, 0, 0], [0, 0, 1.0]]))),
            0.458145365937)),
        ("`CrossEntropyLayer.backward`", 5, lambda: _close(ce.backward(), [[-1.0, 0.0, 0.0], [0.0, 0.0, -0.625]])),
    ]


def _tiny_network(*middle, optimizer=None):
    """Full(2, 2) with W = 0 and b = [0, ln 3], then `middle` layers, then softmax: probabilities [0.25, 0.75]."""
    full = FullLayer(2, 2, rng=np.random.default_rng(0))
    full.W, full.b = np.zeros((2, 2)), np.array([0.0, np.log(3.0)])
    return Sequential([full, *middle, SoftMaxLayer()], CrossEntropyLayer(), rng=np.random.default_rng(0),
                      optimizer=optimizer)


def _model_checks(optimizer, modes):
    """(answer, section, check) triples for Sequential, by hand: one row x = [1, 2] of class 1."""
    x, t = np.array([[1.0, 2.0]]), np.array([[0.0, 1.0]])
    made = {}
    b_after = [-0.025, np.log(3.0) + 0.025]

    def net():
        if "net" not in made:
            made["net"] = _tiny_network()
        return made["net"]

    def fit_learns():
        xs = np.array([[2.0, 0.0], [0.0, 2.0]] * 4)
        ys = np.array([0, 1] * 4)
        losses = [float(value) for value in _tiny_network().fit(xs, ys, 10, 0.5, 4)]
        return len(losses) == 10 and np.all(np.isfinite(losses)) and losses[-1] < losses[0]

    def with_optimizer():
        net_sgd = _tiny_network(optimizer=SGD(0.1))
        net_sgd.forward(x, t)
        net_sgd.backward()
        net_sgd.update_params(1000.0)  # SGD(0.1) is plain gradient descent with 0.1: this lr must not be used
        return _close(net_sgd.layers[0].b, b_after)

    def modes_switched():
        drop = DropoutLayer(0.5, rng=np.random.default_rng(1))
        net_drop = _tiny_network(drop)
        rows = np.random.default_rng(2).normal(size=(40, 2))
        first = net_drop.predict(rows)
        if not (_close(first, net_drop.predict(rows)) and getattr(drop, "mask", None) is None):
            return False  # predict must not drop anything
        net_drop.fit(rows, np.zeros(40, dtype=int), 1, 0.1, 40)
        return getattr(drop, "mask", None) is not None  # fit drew a dropout mask: it trained in training mode

    checks = [
        ("`Sequential.forward`", 7, lambda: _close(net().forward(x), [[0.25, 0.75]])
         and _close(float(net().forward(x, t)), -np.log(0.75))),
        ("`Sequential.backward`", 7, lambda: net().backward() is None and _close(net().layers[0].b_grad, [0.25, -0.25])
         and _close(net().layers[0].W_grad, [[0.25, 0.5], [-0.25, -0.5]])),
        ("`Sequential.update_params`", 7, lambda: net().update_params(0.1) is None
         and _close(net().layers[0].b, b_after)),
        ("`Sequential.predict`", 7, lambda: _close(net().predict(np.array([[1.0, 2.0], [0.0, 0.0]])), [1, 1])),
        ("`Sequential.fit`", 7, fit_learns),
    ]
    if optimizer:
        checks.append(("`Sequential.update_params` with an optimiser", 7, with_optimizer))
    if modes:
        checks.append(("`Sequential.fit` and `Sequential.predict` (training and evaluation mode)", 7, modes_switched))
    return checks


def first_problem(optimizer=False, modes=False):
    """None if your layers and Sequential give the right results on the small examples of their test
    cells, else a sentence naming the first answer to fix. optimizer=True also checks update_params
    with an optimiser; modes=True the training and evaluation modes of fit and predict."""
    try:
        checks = _layer_checks() + _model_checks(optimizer, modes)
    except Exception as error:  # a layer's constructor raised
        return f"fix the layers of sections 2 to 5 first: making one of them raised {type(error).__name__}: {error}"
    for answer, section, check in checks:
        try:
            with np.errstate(all="ignore"):
                right = bool(check())
        except NotImplementedError:
            return f"fix {answer} first (section {section}): it is not implemented yet"
        except Exception as error:  # the student's code raised: say what and where
            return f"fix {answer} first (section {section}): it raised {type(error).__name__}: {error}"
        if not right:
            return (f"fix {answer} first (section {section}): it gives a wrong result on the example of its "
                    "test cell; run that test to see what is wrong")
    return None


# %%
EPOCHS = 2 if QUICK else 20
N_EXPERIMENT = 500 if QUICK else len(X_train)
BATCH_SIZE = 128
LEARNING_RATES = [0.1, 0.01, 0.3, 10]

curves, val_accuracy, lr_models = {}, {}, {}
problem = first_problem()
if problem:
    print(f"The experiment needs your layers and Sequential: {problem}.")
else:
    for lr in progress(LEARNING_RATES, desc="learning rates", unit="run"):
        model, losses = train_given(lr, X_train[:N_EXPERIMENT], y_train[:N_EXPERIMENT], EPOCHS, BATCH_SIZE)
        lr_models[lr], curves[lr], val_accuracy[lr] = model, losses, accuracy(model, X_val, y_val)
        finite = np.isfinite(losses)
        status = "" if finite.all() else (
            f"   the loss became {losses[int(np.argmin(finite))]} in epoch {int(np.argmin(finite)) + 1}")
        print(f"learning rate {lr:>5g}: training loss {losses[0]:.3f} -> {losses[-1]:.4f}, "
              f"validation accuracy {val_accuracy[lr]:.4f}{status}")

# %%
if curves:
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
            handle.write(f"{lr:g},{val_accuracy[lr]:.4f}\n")
    print("acc_results.csv (learning rate, validation accuracy):")
    print(open("acc_results.csv").read().strip())

# %% [markdown]
# **Checkpoint.** Describe the three loss curves in `acc_lr.png`, then say what happens with a
# learning rate of 10 (its loss and its validation accuracy) and explain why. What accuracy does a
# model get that always predicts the same class? Which learning rate would you choose, and why
# by validation accuracy rather than by test accuracy?

# %% [markdown] nbgrader={"grade": true, "grade_id": "lr10_observation", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# (The numbers are those of the full run on the offline MNIST stand-in, student number 12345,
# digits 1, 2, 4, 6, 9; on CIFAR-100 or other classes they differ, and the reasoning is what counts.)
# With 0.01 the loss falls slowly and steadily and is still about 0.34 after 20 epochs: the steps
# are too small. With 0.1 it falls fastest, to about 0.1, with small bumps (epochs 4 and 15 here).
# With 0.3 it starts highest (2.6 in the first epoch: the first steps overshoot), jumps back up
# several times (epochs 5, 13, 15 and 19 here) and ends near 0.1, but above the curve of 0.1: it is close
# to the largest step this network tolerates. With a learning rate of 10 training breaks down in
# the first epoch: after one update the scores are so large that the softmax gives some classes a
# probability of exactly 0, and then the cross-entropy sum contains 0 * log 0 = 0 * (-inf), which is
# nan, and the gradient -t / x / B contains 0 / 0, also nan. The update spreads the nan into every
# weight, so from then on the network outputs nan for every image, argmax returns class 0 for all
# of them, and the validation accuracy is the share of class 0 in the validation set: exactly
# 0.2 = 1/5, since the split holds back 20% of every class. That is what any constant prediction
# gets with five balanced classes. By validation accuracy I would choose 0.1 (0.9675, against
# 0.9575 for 0.3 and 0.93 for 0.01). Had I chosen by test accuracy, the test accuracy of the chosen
# model would no longer be a fair estimate for new images: it would have been picked for doing
# well on exactly those images.
# ### END SOLUTION

# %% [markdown]
# ## 10. A better network
#
# Can you beat the given network? This comparison is graded, and the grader has no internet, so it
# runs on data that is always at hand: **five digits of the bundled MNIST subset**, picked from your
# student number as above (offline, this is the data you already used). So you tune on the very
# data, and with the very cells, that the grader runs: with seeded generators, the test cell prints
# what the grader will find.
#
# Both networks get the same **budget**, `COMPARE_EPOCHS` = 3 epochs over the training part of the
# digits, under the grader too. The read-only cell below splits the digits as in section 8, trains
# the given network with learning rate 0.1 and batches of 128 for that budget, and measures its
# **validation** accuracy.

# %% nbgrader={"grade_id": "given_comparison", "locked": true}
COMPARE_EPOCHS = 3
digits = data if data.source == "mnist-subset" else load_mnist_classes(seed=STUDENT_ID, n_classes=N_CLASSES)
Xd_train, yd_train, Xd_val, yd_val = split_validation(digits.X_train, digits.y_train)
Xd_test, yd_test = digits.X_test, digits.y_test  # for section 11 only
D_digits = Xd_train.shape[1]
given_problem = first_problem()
if given_problem:
    print(f"The given network cannot be trained yet: {given_problem}.")
else:
    given_net, _ = train_given(0.1, Xd_train, yd_train, COMPARE_EPOCHS, 128)
    given_accuracy = accuracy(given_net, Xd_val, yd_val)
    print(f"given network {architecture(given_net)} on {len(Xd_train)} {digits.name} training images: "
          f"validation accuracy {given_accuracy:.4f} after {COMPARE_EPOCHS} epochs")

# %% [markdown]
# **TODO:** build a network `better = Sequential([...], CrossEntropyLayer(), ...)` whose layers
# differ from the given network's (other widths or depth, or extra layers such as `DropoutLayer`
# and `BatchNormLayer`), and train it with `better.fit(Xd_train, yd_train, epochs, lr, batch_size)`
# for at most `COMPARE_EPOCHS` epochs in all. Choose the layers, the learning rate, the batch size
# and, if you like, an optimiser (`Sequential(..., optimizer=Adam(...))`), so that its
# **validation** accuracy on `Xd_val` is higher than the given network's. The inputs have
# `D_digits` features and there are `N_CLASSES` classes. Pass seeded generators
# (`rng=np.random.default_rng(...)`) to your `FullLayer`s, `DropoutLayer`s and to `Sequential`, so
# that every run, and the grader's, gives the same result, and train inside
# `with one_blas_thread():`.
#
# The test checks the layers and the validation accuracy. It cannot see how many epochs you
# trained: keeping to the budget is up to you.

# %% nbgrader={"grade_id": "better_model", "solution": true}
### BEGIN SOLUTION
# Deeper but narrower, and smaller minibatches: in the same 3 epochs that is 8 times as many
# steps, each smaller (lr 0.02) than the given network's.
better_rng = np.random.default_rng(0)
better = Sequential([FullLayer(D_digits, 128, rng=better_rng), ReluLayer(),
                     FullLayer(128, 64, rng=better_rng), ReluLayer(),
                     FullLayer(64, N_CLASSES, rng=better_rng), SoftMaxLayer()],
                    CrossEntropyLayer(), rng=np.random.default_rng(1))
with one_blas_thread():
    better_losses = better.fit(Xd_train, yd_train, epochs=COMPARE_EPOCHS, lr=0.02, batch_size=16)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_better_model", "points": 3}
problem = globals().get("given_problem", "run the cells of sections 8 to 10 first")
assert problem is None, f"`better` cannot be compared yet, because the given network was not trained: {problem}"
assert "given_accuracy" in globals(), (
    "`better` cannot be compared yet, because the given network was not trained: the read-only cell above "
    "`better` stopped with an error; fix what it names first")
assert "better" in globals(), "define `better`, a Sequential trained in the cell above"
assert isinstance(better, Sequential), f"`better` must be a Sequential, got {type(better).__name__}"
problem = first_problem(optimizer=getattr(better, "optimizer", None) is not None,
                        modes=any(hasattr(layer, "training") for layer in better.layers))
assert problem is None, f"`better` needs more of your Sequential: {problem}"
assert architecture(better) != architecture(given_net), (
    f"`better` has the same layers as the given network ({architecture(given_net)}); "
    "change the architecture (widths, depth, or extra layers)")
better_predictions = call(better.predict, Xd_val, name="better.predict")
assert_shape("better.predict(Xd_val)", better_predictions, (len(Xd_val),))
better_accuracy = accuracy(better, Xd_val, yd_val)
assert better_accuracy > given_accuracy, (
    f"`better`: validation accuracy {better_accuracy:.4f}, not above the given network's {given_accuracy:.4f}; "
    "try other widths, depths, learning rates, batch sizes or an optimiser")
print(f"better: {architecture(better)}: validation accuracy {better_accuracy:.4f} > {given_accuracy:.4f}")
print("better: visible tests passed")
### BEGIN HIDDEN TESTS
assert abs(accuracy(given_net, Xd_val, yd_val) - given_accuracy) < 1e-12, "`given_net` was changed after the read-only cell trained it; leave it as it is"
assert abs(float(np.mean(np.asarray(better.predict(Xd_val)) == yd_val)) - better_accuracy) < 1e-12, (
    "`better.predict` gave different labels for the same images; predicting must not change the network "
    "(evaluation mode, no dropout)")
### END HIDDEN TESTS

# %% [markdown]
# ## 11. The test set, once
#
# Every choice has been made now, each on validation accuracy: the learning rate in section 9 and
# your network in section 10. Only now does the cell below look at the test images, for the first
# and only time. Nothing was chosen by them, so these are the honest estimates of how the chosen
# models do on images they have never seen; they need not equal the validation accuracies the
# choices were made by.

# %%
if not val_accuracy or "given_accuracy" not in globals() or "better" not in globals():
    print("Sections 9 and 10 have not run yet: they need your layers and Sequential (see the messages above).")
else:
    chosen_lr = max(LEARNING_RATES, key=lambda lr: val_accuracy[lr])
    print(f"{data.name}: learning rate {chosen_lr:g}, chosen by its validation accuracy {val_accuracy[chosen_lr]:.4f}: "
          f"test accuracy {accuracy(lr_models[chosen_lr], X_test, y_test):.4f}")
    for name, model in [("the given network", given_net), ("your network", better)]:
        print(f"{digits.name}, {name}: validation accuracy {accuracy(model, Xd_val, yd_val):.4f}, "
              f"test accuracy {accuracy(model, Xd_test, yd_test):.4f}")
