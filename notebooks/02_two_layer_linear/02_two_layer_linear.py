# %% [markdown]
# # Stage 02: a linear layer, its backward pass, and a two-layer linear network
#
# In stage 01 the model was one line, $\hat y = w x + b$, and we worked out its two gradients by
# hand. Real networks are built from **layers**: small objects that turn a batch of inputs into a
# batch of outputs (the forward pass) and, given how the loss changes with their outputs, work out
# how it changes with their parameters and their inputs (the backward pass). Chaining the backward
# passes of the layers is backpropagation.
#
# **You will**
# - write a `Linear` layer with Xavier initialisation, a forward pass and a backward pass;
# - write a numerical gradient by central differences, and use it to check your backward pass;
# - train a two-layer linear network on the stage-01 data, then prove that it is still just a line.
#
# **Time:** about two hours: 30 minutes of reading, an hour or more of deriving and coding the
# three TODOs, 15 minutes for the checkpoints; running every cell takes about 5 seconds.
# **Needs:** stage 01 (the mean squared error, its gradient, the gradient-descent loop) and numpy
# matrix products and shapes (`@`, `.T`, `sum(axis=0)`, broadcasting).
#
# Cells marked **TODO** are yours. The test cell after each one checks your work straight away;
# the grader runs more checks of the same kind later, so make your code correct in general, not
# just for the examples shown. Above each TODO, collapsed **hints** (click to open) lead from the
# idea to the formula: work it out on paper first, then open one hint at a time.

# %%
import matplotlib.pyplot as plt
import numpy as np

from helpers.data import make_linear_data
from helpers.plotting import plot_losses
from helpers.testing import assert_close, assert_shape, assert_unchanged, call

# %% [markdown]
# ## 1. The linear layer, forward
#
# A batch is a matrix with one example per **row**: $X$ has shape $(B, d_\text{in})$. A linear
# (or "fully connected") layer has weights $W$ of shape $(d_\text{out}, d_\text{in})$ and a bias
# $\mathbf b$ of shape $(d_\text{out},)$. Output unit $j$ of example $n$ is a weighted sum of that
# example's inputs plus the unit's bias,
#
# $$Y_{nj} = \sum_{i} X_{ni} W_{ji} + b_j ,$$
#
# so the output $Y$ has shape $(B, d_\text{out})$. Row $j$ of $W$ holds the weights of output
# unit $j$, which is why $W$ is stored as (out, in).
#
# **Initialisation.** The bias starts at zero. The weights must start random (identical weights
# would stay identical forever) and of the right size: too large and the outputs grow layer after
# layer, too small and they shrink towards zero. Xavier (Glorot) initialisation picks the
# variance $\operatorname{Var}(W_{ji}) = \frac{2}{d_\text{in} + d_\text{out}}$, a compromise that
# keeps the spread of both the forward signal and the backward gradient roughly constant, and
# draws every weight from a uniform distribution $U(-a, a)$ with the $a$ that gives it that
# variance. A uniform distribution on $[-a, a]$ has variance $a^2/3$.
#
# You write `__init__` and `forward` in the class below section 2. Hints for these two:
#
# <details><summary>Hint 1: the idea</summary>
#
# `__init__`: you know two expressions for the variance of each weight; setting them equal gives
# $a$. `forward`: the sum $\sum_i X_{ni} W_{ji}$ over the shared index $i$ is a matrix product,
# computed for all $n$ and $j$ at once. Which one?
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# `__init__`: solve $a^2 / 3 = 2 / (d_\text{in} + d_\text{out})$ for $a > 0$, then draw a
# $(d_\text{out}, d_\text{in})$ array from `rng` uniformly on $[-a, a]$. `forward`: the shapes
# must chain: $(B, d_\text{in})$ times $(d_\text{in}, d_\text{out})$ gives $(B, d_\text{out})$,
# so the second factor is $W$ turned on its side. A `(d_out,)` bias added to a `(B, d_out)` array
# is broadcast to every row.
#
# </details>
#
# <details><summary>Hint 3: the formulas</summary>
#
# $a = \sqrt{6 / (d_\text{in} + d_\text{out})}$ (numpy's `rng.uniform(low, high, size)` draws
# the weights), and $Y = X W^\top + \mathbf b$.
#
# </details>
#
# ## 2. The linear layer, backward
#
# The layer sits somewhere inside a network whose loss $L$ is a single number. The backward pass
# receives the **upstream gradient** $G = \partial L / \partial Y$, of the same shape as $Y$,
# $(B, d_\text{out})$: $G_{nj}$ says how fast the loss changes when output $Y_{nj}$ changes. From
# it the layer computes three gradients: $dW = \partial L / \partial W$ and
# $d\mathbf b = \partial L / \partial \mathbf b$, which gradient descent uses to update the
# parameters, and $dX = \partial L / \partial X$, which it hands back to the layer before it.
#
# ![The computational graph of a linear layer: X, W and b flow forward into Y and on to the loss; the gradient G flows back and is turned into the gradients of X, W and b](figure:linear_layer_graph)
#
# Every gradient has the shape of the thing it is the gradient of: a quick check that catches
# most mistakes. The layer needs $X$ to compute $dW$, so `forward` keeps it.
#
# **TODO:** derive $dW$, $d\mathbf b$ and $dX$ on paper, then complete the class below.
# `backward` stores the parameter gradients in `self.dW` and `self.db`, replacing (not adding to)
# whatever was there, and returns $dX$ for the layer before.
#
# <details><summary>Hint 1: the idea</summary>
#
# A weight, a bias or an input changes the loss through every output entry that depends on it,
# and the chain rule adds those paths up. For a weight:
# $\frac{\partial L}{\partial W_{ji}} = \sum_{n,k} G_{nk}\, \frac{\partial Y_{nk}}{\partial W_{ji}}$.
# Write $Y_{nk} = \sum_m X_{nm} W_{km} + b_k$ out and ask which of its terms contain $W_{ji}$,
# which contain $b_j$, and which contain $X_{ni}$.
#
# </details>
#
# <details><summary>Hint 2: the chain-rule step</summary>
#
# $Y_{nk}$ contains $W_{ji}$ only when $k = j$, in the term $X_{ni} W_{ji}$; it contains $b_j$
# only when $k = j$, with slope 1; and it contains $X_{ni}$ for every $k$, in the term
# $X_{ni} W_{ki}$. So
#
# $$\frac{\partial L}{\partial W_{ji}} = \sum_n G_{nj} X_{ni}, \qquad
#   \frac{\partial L}{\partial b_j} = \sum_n G_{nj}, \qquad
#   \frac{\partial L}{\partial X_{ni}} = \sum_k G_{nk} W_{ki}.$$
#
# Which matrix products, with which shapes, compute these sums for all indices at once?
#
# </details>
#
# <details><summary>Hint 3: the formulas</summary>
#
# $$dW = G^\top X \;\; (d_\text{out}, d_\text{in}), \qquad
#   d\mathbf b = \textstyle\sum_n G_{n,:} \;\; (d_\text{out},), \qquad
#   dX = G\, W \;\; (B, d_\text{in}).$$
#
# The parameter gradients **sum** over the batch: no division by $B$ (if the loss is a mean, the
# $1/B$ is already inside $G$).
#
# </details>

# %% nbgrader={"grade_id": "Linear", "solution": true}
class Linear:
    """A fully connected layer acting on a batch: one example per row of its input."""

    def __init__(self, in_dim, out_dim, rng=None):
        """Create the parameters and their gradients.

        in_dim, out_dim: the number of input and output features.
        rng: a np.random.Generator (a fresh default_rng() if None). Draw the weights from it, so
             that two layers made with generators seeded alike get the same W; which of its
             methods you call is up to you.

        Sets:
          self.W  shape (out_dim, in_dim): Xavier-uniform, every weight drawn uniformly from
                  [-a, a], with the a that makes its variance 2 / (in_dim + out_dim)
          self.b  shape (out_dim,), zeros
          self.dW, self.db  zero arrays of the same shapes as W and b
        """
        if rng is None:
            rng = np.random.default_rng()
        ### BEGIN SOLUTION
        bound = np.sqrt(6.0 / (in_dim + out_dim))
        self.W = rng.uniform(-bound, bound, size=(out_dim, in_dim))
        self.b = np.zeros(out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        ### END SOLUTION

    def forward(self, x):
        """The layer's output for a batch.

        x: shape (B, in_dim), one example per row; not modified.
        Keeps x as self.x (backward needs it) and returns the output, shape (B, out_dim):
        row n holds the out_dim outputs for example n (section 1).
        """
        ### BEGIN SOLUTION
        self.x = x
        return x @ self.W.T + self.b
        ### END SOLUTION

    def backward(self, dout):
        """The gradients for the x of the last forward call.

        dout: dL/dy, the gradient of the loss with respect to this layer's output, shape
              (B, out_dim), row n for example n; not modified.
        Sets self.dW to dL/dW, shape (out_dim, in_dim), and self.db to dL/db, shape (out_dim,),
        each summed over the batch and replacing (not adding to) the previous values.
        Returns dx = dL/dx, shape (B, in_dim), for the layer before.
        """
        ### BEGIN SOLUTION
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_linear_init", "points": 2}
layer = call(Linear, 3, 5, rng=np.random.default_rng(0), name="Linear.__init__")
bound = 0.8660254037844386  # the Xavier bound a for in_dim = 3, out_dim = 5
assert_shape("Linear(3, 5).W", layer.W, (5, 3), case="W is (out_dim, in_dim)")
assert_shape("Linear(3, 5).b", layer.b, (5,))
assert_shape("Linear(3, 5).dW", layer.dW, (5, 3))
assert_shape("Linear(3, 5).db", layer.db, (5,))
assert_close("Linear(3, 5).b", layer.b, np.zeros(5), case="the bias starts at zero")
assert_close("Linear(3, 5).dW", layer.dW, np.zeros((5, 3)), case="gradients start at zero")
assert_close("Linear(3, 5).db", layer.db, np.zeros(5), case="gradients start at zero")
assert np.all(np.abs(layer.W) <= bound), (
    f"Linear(3, 5).W: every weight must lie in [-a, a] with a = {bound:.4f}, the a whose uniform "
    f"distribution has variance 2 / (3 + 5); the largest |W| is {np.max(np.abs(layer.W)):.4f}")
assert np.unique(layer.W).size == layer.W.size, "Linear(3, 5).W: the weights must be random, not all equal"
again = Linear(3, 5, rng=np.random.default_rng(0))
assert np.array_equal(layer.W, again.W), (
    "Linear(3, 5): two layers made with np.random.default_rng(0) got different weights: draw W from the "
    "`rng` argument (for example rng.uniform), not from np.random's global functions")
# with 2,400 weights the spread of the draws shows: their variance must be close to 2 / (40 + 60) = 0.02
wide = Linear(40, 60, rng=np.random.default_rng(1))
assert_shape("Linear(40, 60).W", wide.W, (60, 40))
assert abs(float(np.var(wide.W)) / 0.02 - 1) < 0.1, (
    f"Linear(40, 60).W: the 2,400 weights have variance {np.var(wide.W):.4g}, expected about "
    "2 / (40 + 60) = 0.02 (Xavier): check the bound a of your uniform distribution [-a, a]")
print("Linear.__init__: visible tests passed")
### BEGIN HIDDEN TESTS
_big = Linear(400, 300, rng=np.random.default_rng(11))
_a = np.sqrt(6 / 700)
assert_shape("Linear(400, 300).W", _big.W, (300, 400))
assert np.all(np.abs(_big.W) <= _a * (1 + 1e-12)), (
    f"Linear(400, 300).W: weights outside [-a, a] with a = {_a:.4f}: largest |W| is {np.max(np.abs(_big.W)):.4f}; "
    "use a = sqrt(6 / (in_dim + out_dim))")
# The standard deviation of U(-a, a) is a/sqrt(3); with 120,000 weights the sample value is within
# about 0.15% of it, so a 3% tolerance never fails a correct uniform draw.
_std = float(np.std(_big.W))
assert abs(_std / (_a / np.sqrt(3)) - 1) < 0.03, (
    f"Linear(400, 300).W: standard deviation {_std:.4f}, expected a/sqrt(3) = {_a / np.sqrt(3):.4f} "
    "for a uniform distribution on [-a, a]")
assert abs(float(np.mean(_big.W))) < 0.02 * _a, (
    f"Linear(400, 300).W: the mean weight is {np.mean(_big.W):.4f}; expected about 0 (symmetric around 0)")
assert np.max(np.abs(_big.W)) > 0.98 * _a, "Linear(400, 300).W: the weights do not fill [-a, a]"
assert_close("Linear(400, 300).b", _big.b, np.zeros(300))
assert_close("Linear(400, 300).dW", _big.dW, np.zeros((300, 400)))
assert_close("Linear(400, 300).db", _big.db, np.zeros(300))
_one = Linear(1, 1, rng=np.random.default_rng(3))
assert_shape("Linear(1, 1).W", _one.W, (1, 1))
assert_shape("Linear(1, 1).b", _one.b, (1,))
assert abs(float(_one.W[0, 0])) <= np.sqrt(3.0), "Linear(1, 1).W: expected a weight in [-sqrt(3), sqrt(3)]"
_same1 = Linear(4, 6, rng=np.random.default_rng(5))
_same2 = Linear(4, 6, rng=np.random.default_rng(5))
assert np.array_equal(_same1.W, _same2.W), (
    "Linear: two layers built with generators seeded alike must get the same W; draw the weights from `rng`")
_other = Linear(4, 6, rng=np.random.default_rng(6))
assert not np.array_equal(_same1.W, _other.W), "Linear: differently seeded generators gave the same W"
_default = Linear(2, 7)
assert_shape("Linear(2, 7) without rng: W", _default.W, (7, 2))
assert np.all(np.abs(_default.W) <= np.sqrt(6 / 9)), "Linear(2, 7) without rng: weights outside [-a, a]"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_linear_forward", "points": 2}
layer = call(Linear, 3, 2, rng=np.random.default_rng(0), name="Linear.__init__")
layer.W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
layer.b = np.array([0.5, -1.0])
x = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
try:
    out = call(layer.forward, x, name="Linear.forward")
except ValueError as error:
    raise AssertionError(f"Linear.forward raised ValueError ({error}) for x of shape (2, 3) and W of shape "
                         "(2, 3): the shapes in your matrix product do not chain; W is (out_dim, in_dim)") from error
assert_shape("Linear.forward", out, (2, 2), case="a batch of 2 rows, 3 inputs -> 2 outputs")
# row 0: [1 - 3, 4 - 6] + b = [-1.5, -3];  row 1: [2 + 2, 8 + 5] + b = [4.5, 12]
assert_close("Linear.forward", out, [[-1.5, -3.0], [4.5, 12.0]],
             case="W=[[1, 2, 3], [4, 5, 6]], b=[0.5, -1], x=[[1, 0, -1], [2, 1, 0]]")
assert hasattr(layer, "x"), "Linear.forward: keep the input as self.x, backward needs it"
assert_close("Linear.forward: self.x", layer.x, x, case="self.x must be the input of the last forward call")
print("Linear.forward: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(1234)
for _in, _out, _B in [(5, 3, 7), (2, 6, 1), (4, 4, 3), (1, 1, 5)]:
    _layer = Linear(_in, _out, rng=np.random.default_rng(0))
    _W = _rng.normal(size=(_out, _in))
    _b = _rng.normal(size=_out)
    _layer.W, _layer.b = _W.copy(), _b.copy()
    _x = _rng.normal(size=(_B, _in))
    _x0 = _x.copy()
    _expected = np.array([[sum(_x0[n, i] * _W[j, i] for i in range(_in)) + _b[j] for j in range(_out)]
                          for n in range(_B)])
    _case = f"in_dim={_in}, out_dim={_out}, batch of {_B}"
    _got = _layer.forward(_x)
    assert_close("Linear.forward", _got, _expected, rtol=1e-10, atol=1e-12, case=_case)
    assert_unchanged("Linear.forward", "x", _x0, _x)
    assert_close("Linear.forward: self.x", _layer.x, _x0, rtol=0, atol=0, case=_case)
    assert_unchanged("Linear.forward", "self.W", _W, _layer.W)
    assert_unchanged("Linear.forward", "self.b", _b, _layer.b)
# float32 input
_layer = Linear(3, 2, rng=np.random.default_rng(0))
_layer.W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
_layer.b = np.array([0.1, -0.2])
_x32 = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]], dtype=np.float32)
_x32_0 = _x32.copy()
assert_close("Linear.forward", _layer.forward(_x32), [[4.6, 0.3], [-0.9, -1.575]], rtol=1e-5, atol=1e-6,
             case="float32 input")
assert_unchanged("Linear.forward", "x", _x32_0, _x32)
# a second call replaces the cached input
_layer.forward(np.ones((4, 3)))
assert_close("Linear.forward: self.x", _layer.x, np.ones((4, 3)), case="after a second forward call")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_linear_backward", "points": 3}
layer = call(Linear, 3, 2, rng=np.random.default_rng(0), name="Linear.__init__")
layer.W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
layer.b = np.array([0.5, -1.0])
x = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
dout = np.array([[1.0, -1.0], [0.5, 2.0]])
try:
    call(layer.forward, x, name="Linear.forward")
except ValueError as error:
    raise AssertionError(f"Linear.backward cannot be tested yet: fix `Linear.forward` first: it raised "
                         f"ValueError ({error}); see the message of the forward test above") from error
assert hasattr(layer, "x") and np.shape(layer.x) == x.shape and np.allclose(layer.x, x), (
    "Linear.backward cannot be tested yet: fix `Linear.forward` first: it must keep its input x as "
    "self.x, which backward needs (see the message of the forward test above)")
try:
    dx = call(layer.backward, dout, name="Linear.backward")
except ValueError as error:
    raise AssertionError(f"Linear.backward raised ValueError ({error}) for dout of shape (2, 2), x of shape (2, 3) "
                         "and W of shape (2, 3): the shapes in one of your matrix products do not chain; "
                         "each gradient has the shape of the value it belongs to") from error
example = "W=[[1, 2, 3], [4, 5, 6]], x=[[1, 0, -1], [2, 1, 0]], dout=[[1, -1], [0.5, 2]]"
assert dx is not None, "Linear.backward: return dx, the gradient with respect to the input x (it returned None)"
assert_shape("Linear.backward: dx", dx, (2, 3), case="dx has the shape of x")
assert_shape("Linear.backward: self.dW", layer.dW, (2, 3), case="dW has the shape of W")
assert_shape("Linear.backward: self.db", layer.db, (2,), case="db has the shape of b")
# worked by hand from the sums over the batch in section 2, for this small example
assert_close("Linear.backward: self.dW", layer.dW, [[2.0, 0.5, -1.0], [3.0, 2.0, 1.0]], case=example)
assert_close("Linear.backward: self.db", layer.db, [1.5, 1.0], case=example)
assert_close("Linear.backward: dx", dx, [[-3.0, -3.0, -3.0], [8.5, 11.0, 13.5]], case=example)
layer.backward(dout)  # a second call, as in every step of training, must give the same gradients
assert_close("Linear.backward: self.dW", layer.dW, [[2.0, 0.5, -1.0], [3.0, 2.0, 1.0]],
             case="backward called twice with the same dout: replace self.dW, do not add to it")
assert_close("Linear.backward: self.db", layer.db, [1.5, 1.0],
             case="backward called twice with the same dout: replace self.db, do not add to it")
print("Linear.backward: visible tests passed")
### BEGIN HIDDEN TESTS
from helpers.testing import assert_gradient_close as _assert_gradient_close


def _numerical_gradient_array(f, x, dout, h=1e-5):
    """The tests' own central differences of sum(f(x) * dout) in x (x is restored)."""
    grad = np.zeros(x.shape, dtype=float)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = float(np.sum(np.asarray(f(x), dtype=float) * dout))
        x[index] = saved - h
        minus = float(np.sum(np.asarray(f(x), dtype=float) * dout))
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


_rng = np.random.default_rng(4321)
for _in, _out, _B in [(4, 3, 5), (2, 5, 1), (3, 3, 4), (6, 1, 2)]:
    _layer = Linear(_in, _out, rng=np.random.default_rng(0))
    _W = _rng.normal(size=(_out, _in))
    _b = _rng.normal(size=_out)
    _layer.W, _layer.b = _W.copy(), _b.copy()
    _x = _rng.normal(size=(_B, _in))
    _dout = _rng.normal(size=(_B, _out))
    _x0, _dout0 = _x.copy(), _dout.copy()
    _case = f"in_dim={_in}, out_dim={_out}, batch of {_B}"
    _layer.forward(_x)
    _dx = _layer.backward(_dout)
    assert _dx is not None, "Linear.backward: return dx, the gradient with respect to x (it returned None)"
    _exp_dW = np.array([[sum(_dout0[n, j] * _x0[n, i] for n in range(_B)) for i in range(_in)] for j in range(_out)])
    _exp_db = np.array([sum(_dout0[n, j] for n in range(_B)) for j in range(_out)])
    _exp_dx = np.array([[sum(_dout0[n, j] * _W[j, i] for j in range(_out)) for i in range(_in)] for n in range(_B)])
    assert_close("Linear.backward: self.dW", _layer.dW, _exp_dW, rtol=1e-10, atol=1e-12, case=_case)
    assert_close("Linear.backward: self.db", _layer.db, _exp_db, rtol=1e-10, atol=1e-12, case=_case)
    assert_close("Linear.backward: dx", _dx, _exp_dx, rtol=1e-10, atol=1e-12, case=_case)
    assert_unchanged("Linear.backward", "dout", _dout0, _dout)
    assert_unchanged("Linear.forward/backward", "x", _x0, _x)
    # numerical gradients of sum(y * dout) with an independent forward pass
    _num_dW = _numerical_gradient_array(lambda _Wp: _x0 @ _Wp.T + _b, _W.copy(), _dout0)
    _num_db = _numerical_gradient_array(lambda _bp: _x0 @ _W.T + _bp, _b.copy(), _dout0)
    _num_dx = _numerical_gradient_array(lambda _xp: _xp @ _W.T + _b, _x0.copy(), _dout0)
    _assert_gradient_close("Linear.backward: self.dW", _layer.dW, _num_dW, tol=1e-7, case=_case)
    _assert_gradient_close("Linear.backward: self.db", _layer.db, _num_db, tol=1e-7, case=_case)
    _assert_gradient_close("Linear.backward: dx", _dx, _num_dx, tol=1e-7, case=_case)
    # a second backward call with the same dout gives the same gradients (no accumulation)
    _dW_first, _db_first = np.array(_layer.dW, copy=True), np.array(_layer.db, copy=True)
    _layer.backward(_dout)
    assert_close("Linear.backward: self.dW", _layer.dW, _dW_first, rtol=1e-12, atol=1e-14,
                 case=f"{_case}, backward called twice: overwrite self.dW, do not add to it")
    assert_close("Linear.backward: self.db", _layer.db, _db_first, rtol=1e-12, atol=1e-14,
                 case=f"{_case}, backward called twice: overwrite self.db, do not add to it")
# a second step on new data: gradients describe only the latest forward/backward
_layer = Linear(3, 2, rng=np.random.default_rng(0))
_layer.forward(np.ones((2, 3)))
_layer.backward(np.ones((2, 2)))
_x2 = np.array([[1.0, 2.0, 3.0]])
_dout2 = np.array([[2.0, -1.0]])
_layer.forward(_x2)
_layer.backward(_dout2)
assert_close("Linear.backward: self.dW", _layer.dW, [[2.0, 4.0, 6.0], [-1.0, -2.0, -3.0]],
             case="after a second forward/backward on new data")
assert_close("Linear.backward: self.db", _layer.db, [2.0, -1.0], case="after a second forward/backward on new data")
# float32 input and upstream gradient
_layer = Linear(3, 2, rng=np.random.default_rng(0))
_layer.W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
_x32 = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]], dtype=np.float32)
_d32 = np.array([[1.0, 0.5], [-2.0, 1.0]], dtype=np.float32)
_layer.forward(_x32)
_dx32 = _layer.backward(_d32)
assert_close("Linear.backward: self.dW", _layer.dW, [[3.0, 1.0, 3.0], [-0.5, 1.5, 1.5]], rtol=1e-5,
             case="float32 inputs")
assert_close("Linear.backward: self.db", _layer.db, [-1.0, 1.5], rtol=1e-5, case="float32 inputs")
assert_close("Linear.backward: dx", _dx32, [[1.25, -0.875, 1.75], [0.5, 2.25, -4.5]], rtol=1e-5,
             case="float32 inputs")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Checking gradients numerically
#
# A backward pass is easy to get subtly wrong, and a wrong gradient often still trains, only
# worse. The safeguard is to compare it with a numerical estimate. For a scalar function $f$ of an
# array $x$, nudge one element $x_i$ up and down by a small $h$:
#
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h},$$
#
# where $e_i$ is 1 at position $i$ and 0 elsewhere. By Taylor's theorem this **central
# difference** is off by $\frac{h^2}{6} f'''$, while the one-sided **forward difference**
# $\frac{f(x + h e_i) - f(x)}{h}$ is off by $\frac{h}{2} f''$: with $h = 10^{-5}$ that is roughly
# $10^{-10}$ against $10^{-5}$. It costs two evaluations of $f$ per element, which is far too slow
# for training but fine for checking a small example.
#
# **TODO:** implement `numerical_gradient(f, x, h=1e-5)`. Perturb `x` **in place**, one element at
# a time, and put every element back the way it was before you return. In place matters: the
# gradient check below passes a network's own weight array as `x` and an `f` that ignores its
# argument and runs the network, which reads those weights. A perturbed *copy* would never reach
# the network. `x` can have any shape.
#
# <details><summary>Hint 1: the idea</summary>
#
# One element at a time: for each position $i$ of `x`, evaluate $f$ twice, once with $x_i$ a
# little larger and once a little smaller, everything else unchanged, and turn the two values into
# one entry of the result. `np.ndindex(x.shape)` walks over every index tuple of an array of any
# shape.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# At each index, save the original value, write `original + h` into `x` at that index and call
# `f(x)`, write `original - h` and call `f(x)` again, then write `original` back, all before moving
# on. Collect the results in a new float array of `x`'s shape (`np.zeros(x.shape)`).
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# Entry $i$ of the result is $\bigl(f_+ - f_-\bigr) / (2h)$, where $f_+$ and $f_-$ are the two
# values of $f$ with $x_i$ raised and lowered by $h$. Use the `h` you are given.
#
# </details>

# %% nbgrader={"grade_id": "numerical_gradient", "solution": true}
def numerical_gradient(f, x, h=1e-5):
    """Central-difference estimate of the gradient of a scalar function at x.

    f: a function that takes an array shaped like x and returns a number. It may ignore its
       argument and read x from elsewhere (a closure), so f must be called on x itself.
    x: a float array of any shape. It is changed IN PLACE, one element at a time, while f is
       evaluated, and holds exactly its original values again when the function returns.
    h: the step by which each element is moved up and down.
    Returns a new float array of x's shape: entry i estimates df/dx_i by central differences.
    """
    ### BEGIN SOLUTION
    grad = np.zeros(x.shape, dtype=float)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f(x)
        x[index] = original - h
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_numerical_gradient", "points": 3}
x = np.array([1.0, -2.0, 3.0])
grad = call(numerical_gradient, lambda v: np.sum(v ** 2), x)
assert_shape("numerical_gradient", grad, (3,), case="x of shape (3,)")
# central differences are exact for a quadratic up to round-off; forward differences are off by h
assert_close("numerical_gradient", grad, [2.0, -4.0, 6.0], rtol=1e-7, atol=1e-9, case="f(x) = sum(x**2) at x=[1, -2, 3]")
assert_close("numerical_gradient: x afterwards", x, [1.0, -2.0, 3.0], rtol=0, atol=1e-12,
             case="x must hold its original values when numerical_gradient returns")
X = np.array([[0.5, -1.0], [2.0, 0.0], [1.0, 3.0]])
grad = numerical_gradient(lambda m: np.sum(m[:, 0] * m[:, 1]), X)
assert_shape("numerical_gradient", grad, (3, 2), case="x of shape (3, 2): return an array of x's shape")
assert_close("numerical_gradient", grad, X[:, ::-1], rtol=1e-7, atol=1e-9,
             case="f(m) = sum(m[:, 0] * m[:, 1]) on a (3, 2) array")
# f ignores its argument and reads the array w directly, as the gradient check below does with a
# network's weights: only a change made to x itself (here x is w) reaches f
w = np.array([1.0, -3.0])
grad = numerical_gradient(lambda ignored: float(np.sum(w ** 2)), w)
assert np.shape(grad) == (2,) and not np.allclose(grad, 0.0), (
    "numerical_gradient: f reads x through a closure here (f(x) = sum(w**2) with w = x) and saw no "
    "change at all, so every estimate was 0: perturb the elements of x itself, in place "
    "(x[index] = ...), not of a copy of x, and put each one back before you return")
assert_close("numerical_gradient", grad, [2.0, -6.0], rtol=1e-7, atol=1e-9,
             case="f reads x through a closure: f(x) = sum(w**2) with w = x = [1, -3]")
assert_close("numerical_gradient: x afterwards", w, [1.0, -3.0], rtol=0, atol=1e-12,
             case="x must hold its original values when numerical_gradient returns")
print("numerical_gradient: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(99)
# exp(3x): a central difference is within ~1e-10 (relative), a forward difference is off by ~1.5e-5
_x = _rng.uniform(-0.5, 0.5, size=(2, 3))
_x0 = _x.copy()
_got = numerical_gradient(lambda _v: np.sum(np.exp(3 * _v)), _x)
assert_close("numerical_gradient", _got, 3 * np.exp(3 * _x0), rtol=1e-8, atol=0,
             case="f(x) = sum(exp(3x)): use the central difference (f(x+h) - f(x-h)) / 2h")
assert_close("numerical_gradient: x afterwards", _x, _x0, rtol=0, atol=1e-12, case="x must be restored")
# the step h is used: for x**3 the central difference is exactly 3x**2 + h**2
_x = _rng.uniform(-1.0, 1.0, size=(4,))
_x0 = _x.copy()
_got = numerical_gradient(lambda _v: np.sum(_v ** 3), _x, h=1e-3)
assert_close("numerical_gradient", _got, 3 * _x0 ** 2 + 1e-6, rtol=1e-8, atol=1e-10,
             case="f(x) = sum(x**3) with h=1e-3: use the h you are given")
assert_close("numerical_gradient: x afterwards", _x, _x0, rtol=0, atol=1e-12, case="x must be restored")
# a function that mixes elements, on a 3-D array
_M = _rng.normal(size=(4, 3))
_x = _rng.normal(size=(2, 5, 4))
_x0 = _x.copy()
_got = numerical_gradient(lambda _v: np.sum(np.sin(_v @ _M)), _x)
assert_shape("numerical_gradient", _got, (2, 5, 4), case="x of shape (2, 5, 4)")
assert_close("numerical_gradient", _got, np.cos(_x0 @ _M) @ _M.T, rtol=1e-6, atol=1e-8,
             case="f(x) = sum(sin(x @ M)) for x of shape (2, 5, 4)")
assert_close("numerical_gradient: x afterwards", _x, _x0, rtol=0, atol=1e-12, case="x must be restored")
# f reads x through a closure and ignores its argument: x itself must be perturbed
_w = _rng.normal(size=(3, 2))
_w0 = _w.copy()
_got = numerical_gradient(lambda _unused: np.sum(_w ** 2) / 2, _w)
assert_close("numerical_gradient", _got, _w0, rtol=1e-7, atol=1e-9,
             case="f reads x through a closure: change x in place, not a copy")
assert_close("numerical_gradient: x afterwards", _w, _w0, rtol=0, atol=1e-12, case="x must be restored")
# a single element
_x = np.array([[0.7]])
assert_close("numerical_gradient", numerical_gradient(lambda _v: float(np.sum(np.sin(_v))), _x), [[np.cos(0.7)]],
             rtol=1e-8, case="x of shape (1, 1)")
### END HIDDEN TESTS

# %% [markdown]
# ### Gradient check of two stacked layers
#
# Now put the two pieces together. The network below is `Linear(3, 4)` followed by
# `Linear(4, 2)`, on a batch of 3 points, with the mean squared error as the loss. The MSE and its
# gradient are given (from stage 01, now for arrays of any shape, with $N$ the number of entries):
#
# $$L = \frac{1}{N}\sum (\hat y - y)^2, \qquad \frac{\partial L}{\partial \hat y} = \frac{2}{N}(\hat y - y).$$
#
# The backward pass runs the layers in reverse order, handing each one the gradient with respect
# to its output:
#
# ![The computational graph of two stacked linear layers and the MSE, with the shape of every value for a batch of 3: values flow forward, gradients flow back through layer 2, then layer 1](figure:two_layer_graph)
#
# We compare each gradient with `numerical_gradient` by the **relative error**
# $\max_i \frac{|a_i - n_i|}{\max(10^{-8},\, |a_i| + |n_i|)}$. Below about $10^{-7}$ the backward
# pass is right; around $10^{-3}$ or more something is wrong, in the backward pass or in
# `numerical_gradient` (trust this check only once the test of `numerical_gradient` passes). Here
# the errors should be far smaller still: with everything else held fixed, the network's output is
# linear in any single weight, bias or input, so along each perturbed element the loss is a
# parabola, on which central differences are exact up to round-off.

# %%
def mse(yhat, y):
    """Mean squared error over all entries."""
    return float(np.mean((yhat - y) ** 2))


def mse_backward(yhat, y):
    """dL/dyhat for the MSE: 2 (yhat - y) / N, with N the number of entries."""
    return 2.0 * (yhat - y) / yhat.size


def relative_error(analytic, numeric):
    """Largest elementwise relative error between two gradients."""
    return float(np.max(np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))))


# %%
check_rng = np.random.default_rng(42)
layer1 = Linear(3, 4, rng=check_rng)
layer2 = Linear(4, 2, rng=check_rng)
layer1.b = check_rng.normal(size=4)  # nonzero biases so their gradients are tested too
layer2.b = check_rng.normal(size=2)
x_check = check_rng.normal(size=(3, 3))
y_check = check_rng.normal(size=(3, 2))


def loss_of_network():
    return mse(layer2.forward(layer1.forward(x_check)), y_check)


# analytic gradients: forward, then backward through the layers in reverse order
yhat_check = layer2.forward(layer1.forward(x_check))
dx_check = layer1.backward(layer2.backward(mse_backward(yhat_check, y_check)))
analytic = {"layer1.W": layer1.dW, "layer1.b": layer1.db, "layer2.W": layer2.dW, "layer2.b": layer2.db,
            "x": dx_check}

# numerical gradients: perturb each array in place, re-running the whole network
arrays = {"layer1.W": layer1.W, "layer1.b": layer1.b, "layer2.W": layer2.W, "layer2.b": layer2.b, "x": x_check}
for name, param in arrays.items():
    numeric = numerical_gradient(lambda _: loss_of_network(), param)
    print(f"{name:9s} relative error {relative_error(analytic[name], numeric):.2e}")
    if not np.any(numeric):
        print(f"          the loss did not change when {name} did: does the forward pass use it, "
              "and does numerical_gradient change x in place?")

# %% [markdown]
# ## 4. Training a two-layer linear network
#
# Back to the stage-01 data: 200 points from $y = 2.5x - 0.7$ plus noise. The model is now
# `Linear(1, 4)` followed by `Linear(4, 1)`, trained by full-batch gradient descent: forward,
# loss, backward through both layers, then $\theta \leftarrow \theta - \eta\, d\theta$ for each
# of the four parameter arrays.

# %%
TRUE_W, TRUE_B = 2.5, -0.7
x_data, y_data = make_linear_data(n=200, w=TRUE_W, b=TRUE_B, noise=0.5, seed=0)
X_train, Y_train = x_data.reshape(-1, 1), y_data.reshape(-1, 1)

net_rng = np.random.default_rng(7)
hidden_layer = Linear(1, 4, rng=net_rng)
output_layer = Linear(4, 1, rng=net_rng)
layers = [hidden_layer, output_layer]

learning_rate = 0.01
losses = []
for epoch in range(150):
    out = X_train
    for layer in layers:
        out = layer.forward(out)
    losses.append(mse(out, Y_train))
    grad = mse_backward(out, Y_train)
    for layer in reversed(layers):
        grad = layer.backward(grad)
    for layer in layers:
        layer.W -= learning_rate * layer.dW
        layer.b -= learning_rate * layer.db

print(f"MSE: {losses[0]:.3f} at the start, {losses[-1]:.4f} after {len(losses)} epochs (the noise variance is 0.25)")

# %%
fig, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(11, 4))
plot_losses(losses, title="Two-layer linear network: training loss", ylabel="MSE", logy=True, ax=ax_loss)
network_output = output_layer.forward(hidden_layer.forward(X_train))
ax_fit.scatter(x_data, y_data, s=10, alpha=0.5, label="data")
ax_fit.plot(x_data, TRUE_W * x_data + TRUE_B, color="black", lw=2, label="true line")
ax_fit.plot(x_data, network_output[:, 0], color="tab:red", lw=2, ls="--", label="two-layer network")
ax_fit.set_title("The network's predictions")
ax_fit.set_xlabel("x")
ax_fit.set_ylabel("y")
ax_fit.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 5. Two linear layers are one linear layer
#
# The fitted curve is a straight line, and that is no accident: a linear layer followed by a
# linear layer is itself one linear layer, with some weights $W$ of shape
# $(d_\text{out,2}, d_\text{in,1})$ and some bias $\mathbf b$ of shape $(d_\text{out,2},)$.
# However many linear layers we stack, and however wide they are, the model can only ever
# represent a linear map: depth helps only once something nonlinear sits between the layers
# (stage 03).
#
# **TODO:** find $W$ and $\mathbf b$ in terms of the two layers' parameters, then implement
# `compose_linear(lin1, lin2)`, returning the single map equal to `lin1` followed by `lin2`.
#
# <details><summary>Hint 1: the idea</summary>
#
# Follow one example through both layers. For a single input written as a column vector $x$,
# a layer computes $W x + \mathbf b$ (the row form $X W^\top + \mathbf b$ does exactly this for
# every row of $X$). So the first layer gives $h = W_1 x + \mathbf b_1$, and the second takes $h$
# as its input.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Substitute $h$ into the second layer, $W_2 h + \mathbf b_2 = W_2 (W_1 x + \mathbf b_1) + \mathbf b_2$,
# multiply out, and sort the terms into the part that multiplies $x$ and the part that does not.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $$W_2 (W_1 x + \mathbf b_1) + \mathbf b_2 = \underbrace{W_2 W_1}_{W}\, x
#   + \underbrace{W_2 \mathbf b_1 + \mathbf b_2}_{\mathbf b}.$$
#
# The order matters: $W_1$ acts first, so it sits on the right.
#
# </details>

# %% nbgrader={"grade_id": "compose_linear", "solution": true}
def compose_linear(lin1, lin2):
    """The single linear map equal to applying lin1, then lin2.

    lin1, lin2: layers with weights W of shape (out, in) and biases b of shape (out,), where
    lin2's input size is lin1's output size.
    Returns (W, b) with W of shape (lin2 out, lin1 in) and b of shape (lin2 out,) such that
    x @ W.T + b == lin2.forward(lin1.forward(x)) for every batch x. Does not modify the layers.
    """
    ### BEGIN SOLUTION
    W = lin2.W @ lin1.W
    b = lin2.W @ lin1.b + lin2.b
    return W, b
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_compose_linear", "points": 2}
class GivenLinear:
    """A stand-in layer with fixed W and b, so that this test does not depend on your Linear."""

    def __init__(self, W, b):
        self.W = np.array(W, dtype=float)
        self.b = np.array(b, dtype=float)

    def forward(self, x):
        return x @ self.W.T + self.b


lin1 = GivenLinear([[1.0, 2.0], [0.0, 1.0], [-1.0, 0.0]], [1.0, 0.0, 2.0])   # 2 -> 3
lin2 = GivenLinear([[1.0, 1.0, 1.0], [2.0, -1.0, 0.0]], [0.5, -0.5])        # 3 -> 2
example = "lin1: W=[[1, 2], [0, 1], [-1, 0]], b=[1, 0, 2]; lin2: W=[[1, 1, 1], [2, -1, 0]], b=[0.5, -0.5]"
try:
    result = call(compose_linear, lin1, lin2)
except ValueError as error:
    raise AssertionError(f"compose_linear ({example}) raised ValueError ({error}): lin1 maps 2 features to 3 "
                         "and lin2 maps 3 to 2, so check which arrays your products and sums combine") from error
assert isinstance(result, (tuple, list)) and len(result) == 2, "compose_linear: return a pair (W, b)"
W, b = result
assert_shape("compose_linear: W", W, (2, 2), case="W is (lin2 out, lin1 in)")
assert_shape("compose_linear: b", b, (2,), case="b is (lin2 out,)")
# worked by hand: the map sends x = [0, 0] to [3.5, 1.5], [1, 0] to [3.5, 3.5] and [0, 1] to [6.5, 4.5]
assert_close("compose_linear: W", W, [[0.0, 3.0], [2.0, 3.0]], case=example)
assert_close("compose_linear: b", b, [3.5, 1.5], case=example)
assert_unchanged("compose_linear", "lin1.W", [[1.0, 2.0], [0.0, 1.0], [-1.0, 0.0]], lin1.W)
assert_unchanged("compose_linear", "lin1.b", [1.0, 0.0, 2.0], lin1.b)
assert_unchanged("compose_linear", "lin2.W", [[1.0, 1.0, 1.0], [2.0, -1.0, 0.0]], lin2.W)
assert_unchanged("compose_linear", "lin2.b", [0.5, -0.5], lin2.b)
print("compose_linear: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(777)
for _d_in, _d_mid, _d_out in [(3, 5, 2), (3, 3, 3), (1, 4, 1), (4, 2, 6)]:
    _W1, _b1 = _rng.normal(size=(_d_mid, _d_in)), _rng.normal(size=_d_mid)
    _W2, _b2 = _rng.normal(size=(_d_out, _d_mid)), _rng.normal(size=_d_out)
    _lin1, _lin2 = GivenLinear(_W1, _b1), GivenLinear(_W2, _b2)
    _case = f"{_d_in} -> {_d_mid} -> {_d_out}"
    _W, _b = compose_linear(_lin1, _lin2)
    _exp_W = np.array([[sum(_W2[o, m] * _W1[m, i] for m in range(_d_mid)) for i in range(_d_in)]
                       for o in range(_d_out)])
    _exp_b = np.array([sum(_W2[o, m] * _b1[m] for m in range(_d_mid)) + _b2[o] for o in range(_d_out)])
    assert_close("compose_linear: W", _W, _exp_W, rtol=1e-9, atol=1e-12, case=_case)
    assert_close("compose_linear: b", _b, _exp_b, rtol=1e-9, atol=1e-12, case=_case)
    _x = _rng.normal(size=(5, _d_in))
    assert_close("compose_linear", np.asarray(_x @ np.asarray(_W).T + _b), _lin2.forward(_lin1.forward(_x)),
                 rtol=1e-9, atol=1e-12, case=f"{_case}: x @ W.T + b must equal lin2(lin1(x))")
    assert_unchanged("compose_linear", "lin1.W", _W1, _lin1.W)
    assert_unchanged("compose_linear", "lin1.b", _b1, _lin1.b)
    assert_unchanged("compose_linear", "lin2.W", _W2, _lin2.W)
    assert_unchanged("compose_linear", "lin2.b", _b2, _lin2.b)
### END HIDDEN TESTS

# %% [markdown]
# ### The trained network, collapsed
#
# Apply `compose_linear` to the network trained in section 4: its output matches the single map
# up to round-off, and the single map's slope and intercept can be read off directly. They land
# close to the true line and, to the three decimals printed, on the least-squares line of these
# 200 noisy points, the best any linear model can do on them: the 13 parameters buy nothing.

# %%
W_single, b_single = compose_linear(hidden_layer, output_layer)
stack_output = output_layer.forward(hidden_layer.forward(X_train))
single_output = X_train @ W_single.T + b_single
print(f"max |two layers - single map| over the data: {np.max(np.abs(stack_output - single_output)):.2e}")

slope_ls, intercept_ls = np.polyfit(x_data, y_data, 1)
print(f"network as one line: slope {W_single[0, 0]:.3f}, intercept {b_single[0]:+.3f}")
print(f"least-squares line:  slope {slope_ls:.3f}, intercept {intercept_ls:+.3f}")
print(f"true line:           slope {TRUE_W:.3f}, intercept {TRUE_B:+.3f}")

# %% [markdown]
# ## 6. Checkpoints
#
# Answer in two or three sentences each, in your own words. These are graded by hand.
#
# **Checkpoint 1.** The network in section 4 has 13 parameters, the line of stage 01 only 2. Why
# can it still represent nothing but straight lines, however wide or deep we make it, as long as
# its layers are linear? What would change that?

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_no_expressive_power", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# A composition of affine maps is an affine map: W2(W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2),
# and by induction any stack of linear layers equals one layer with W = Wk...W1. The extra
# parameters only give many ways of writing the same line (a product of numbers instead of one
# number), not new functions. A nonlinear activation (ReLU, tanh) between the layers breaks the
# collapse, and then depth and width add expressive power.
# ### END SOLUTION

# %% [markdown]
# **Checkpoint 2.** Section 3 says that the central difference $\frac{f(x+h) - f(x-h)}{2h}$ is off
# by about $\frac{h^2}{6} f'''$ and the forward difference $\frac{f(x+h) - f(x)}{h}$ by about
# $\frac{h}{2} f''$. Show where these two errors come from, using the Taylor expansions of
# $f(x+h)$ and $f(x-h)$. And why can we not make $h$ as small as we like, say $10^{-15}$, to get
# an ever better estimate?

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_central_differences", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# By Taylor, f(x±h) = f ± h f' + (h²/2) f'' ± (h³/6) f''' + O(h⁴). So (f(x+h) - f(x))/h =
# f' + (h/2) f'' + O(h²): an error of order h. In f(x+h) - f(x-h) the even terms cancel, leaving
# 2h f' + (h³/3) f''' + O(h⁵); divided by 2h that is f' + (h²/6) f''' + O(h⁴): an error of order
# h². With h = 1e-5 that is about 1e-10 versus 1e-5. Making h tiny does not help because f is computed
# in floating point with a relative round-off of about 1e-16: the difference f(x+h) - f(x-h)
# cancels most significant digits, and its round-off error, about 1e-16·|f|, is divided by h, so
# the error grows like 1e-16/h. The total error is smallest at a moderate h (around 1e-5 for
# central differences) and becomes garbage as h approaches 1e-15.
# ### END SOLUTION

# %% [markdown]
# **Checkpoint 3.** Your `backward` computes $dW$ as a matrix product of `dout` and `self.x`.
# Explain where its shape $(d_\text{out}, d_\text{in})$ comes from, which product of the two
# arrays gives that shape, and what it does with the batch dimension. Why would a check of the
# shape alone not catch a $dW$ that is the transpose of the right one when $d_\text{in} = d_\text{out}$?

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_dW_shape", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# The gradient of a scalar loss with respect to W has one entry per weight, so it must have W's
# shape (out, in) for the update W -= lr·dW to make sense. Entry (j, i) is the sum over the batch
# of dout[n, j]·x[n, i], the upstream gradient of output j times the input i that weight W[j, i]
# multiplied. dout.T is (out, B) and x is (B, in), so dout.T @ x is (out, in) and the matrix
# product performs exactly that sum over the batch index n. x.T @ dout contains the same numbers
# but transposed, shape (in, out), which does not match W. When in = out its shape is W's, so a
# shape check passes, yet the gradient of W[j, i] sits at position (i, j): the update would
# silently move the wrong weights.
# ### END SOLUTION
