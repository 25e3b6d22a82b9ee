# %% [markdown]
# # Stage 03: nonlinearities and a multilayer perceptron
#
# Stage 02 ended with a disappointment: however many linear layers we stack, the network is still
# one linear map. This stage puts a **nonlinearity** between the layers, and suddenly two layers
# can bend: with enough hidden units they can approximate any reasonable curve. The nonlinearity
# is applied to every number separately, so its forward and backward passes are one line each,
# but a few details (the kink of ReLU, overflow in the sigmoid) are worth getting exactly right.
#
# **You will**
# - implement ReLU, leaky ReLU and the sigmoid, and the backward passes of those three and of tanh;
# - make the sigmoid numerically stable, so that it never overflows;
# - check the gradients of a whole two-layer network against numerical gradients;
# - fit a noisy sine wave with a ReLU network and a tanh network, and see what training ten
#   times longer does.
#
# **Time:** about two hours: 30 minutes of reading, an hour of deriving and coding the seven short
# TODOs, 20 minutes for the experiments and checkpoints; running every cell takes about 20 seconds
# on an idle machine, 13 of them the two 15,000-epoch training runs.
# **Needs:** stage 02 (the `Linear` layer and `numerical_gradient`, given here as read-only
# cells), the chain rule, and the derivative of $e^x$.
#
# Cells marked **TODO** are yours. The test cell after each one checks your work straight away;
# the grader runs more checks of the same kind later, so make your code correct in general, not
# just for the examples shown. Above each TODO, collapsed **hints** (click to open) lead from the
# idea to the formula: work it out on paper first, then open one hint at a time.

# %%
import matplotlib.pyplot as plt
import numpy as np

from helpers import progress, under_grader
from helpers.data import make_sine_data
from helpers.gradcheck import relative_error
from helpers.plotting import plot_curves
from helpers.testing import assert_close, assert_gradient_close, assert_shape, assert_unchanged, call

# %% [markdown]
# ## 1. Why a nonlinearity, and how it passes gradients back
#
# A two-layer network with an **activation function** $\varphi$ between its layers computes
#
# $$\hat y = \varphi(x W_1^\top + \mathbf b_1)\, W_2^\top + \mathbf b_2 .$$
#
# Without $\varphi$ the two layers collapse into one (stage 02). With a nonlinear $\varphi$ each
# hidden unit contributes one bent piece, and the output layer adds the pieces up: with enough
# hidden units such a sum can follow any continuous curve on a bounded interval as closely as we
# like (the *universal approximation theorem*).
#
# $\varphi$ acts **elementwise**: $y_i = \varphi(x_i)$, each output depending on its own input
# only. So when the chain rule collects the paths from $x_i$ to the loss, there is only one: the
# one through $y_i$. The backward pass of an activation therefore needs no matrix product, only
# the derivative $\varphi'$ and an elementwise operation. Which one? That is the first thing to
# work out:
#
# <details><summary>Hint: the chain rule for an elementwise function</summary>
#
# $\frac{\partial L}{\partial x_i} = \sum_j \frac{\partial L}{\partial y_j}\frac{\partial y_j}{\partial x_i}$,
# and $\frac{\partial y_j}{\partial x_i} = 0$ unless $j = i$, so
# $\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial y_i}\, \varphi'(x_i)$: in
# arrays, $dx = dout \odot \varphi'(x)$, where $\odot$ multiplies element by element (numpy's `*`).
# Each backward function below then comes down to finding $\varphi'$.
#
# </details>
#
# Every backward function in this notebook takes `x`, the **pre-activation input** that the
# forward pass received (not its output), and `dout`, the gradient of the loss with respect to
# the output, of the same shape as `x`. It returns `dx`, again of that shape. None of the
# functions may modify its arguments: a network keeps `x` for its backward pass, and `dout` may
# be needed elsewhere.

# %% [markdown]
# ## 2. ReLU
#
# The rectified linear unit keeps positive numbers and replaces negative ones by zero:
#
# $$\operatorname{relu}(x) = \max(0, x).$$
#
# It is made of two straight pieces that meet at $x = 0$. At exactly $x = 0$ the function has a
# corner and no derivative. Any number between 0 and 1 is a valid choice there (a
# *subgradient*); this course, like most libraries, uses **0**.
#
# **TODO:** implement `relu` and `relu_backward`. Both work on arrays of any shape; avoid Python
# loops (a comparison such as `x > 0` gives a boolean mask you can multiply by or pass to
# `np.where`).
#
# <details><summary>Hint 1: the idea</summary>
#
# `relu`: numpy has an elementwise maximum, `np.maximum(a, b)`, which broadcasts a number against
# an array and returns a new array. `relu_backward`: on each of the two pieces ReLU is a straight
# line, so its derivative there is that line's slope.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# The slopes: 1 where $x > 0$ and 0 where $x < 0$, and 0 at $x = 0$ by this course's convention.
# Combine them with `dout` by the elementwise chain rule of section 1, and build a **new** array:
# setting entries of `x` or `dout` to 0 in place would change the caller's arrays.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $$\operatorname{relu}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}, \qquad
#   dx = dout \odot [x > 0],$$
#
# where $[x > 0]$ is 1 where the condition holds and 0 elsewhere: the gradient passes where the
# input was positive and is blocked everywhere else.
#
# </details>

# %% nbgrader={"grade_id": "relu", "solution": true}
def relu(x):
    """ReLU, elementwise: max(0, x).

    x: array of any shape. Returns a new array of the same shape; x is not modified.
    """
    ### BEGIN SOLUTION
    return np.maximum(x, 0.0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_relu", "points": 1}
x = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
x_before = x.copy()
out = call(relu, x)
assert_shape("relu", out, (2, 3), case="the output has the shape of x")
assert_close("relu", out, [[0.0, 0.0, 0.0], [0.5, 1.0, 3.0]], case="x = [[-2, -0.5, 0], [0.5, 1, 3]]")
assert_unchanged("relu", "x", x_before, x)
print("relu: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(301)
for _shape in [(1, 6), (9,), (4, 5), (2, 3, 4)]:
    _x = 2.0 * _rng.normal(size=_shape)
    _x.flat[0] = 0.0
    _x0 = _x.copy()
    _expected = np.array([max(_v, 0.0) for _v in _x0.ravel().tolist()]).reshape(_shape)
    _got = relu(_x)
    assert_close("relu", _got, _expected, rtol=1e-12, atol=1e-12, case=f"x of shape {_shape}")
    assert_unchanged("relu", "x", _x0, _x)
_x32 = np.array([[-1.5, 0.25, 0.0, 2.0, -3.0, 7.5]], dtype=np.float32)
_x32_0 = _x32.copy()
assert_close("relu", relu(_x32), [[0.0, 0.25, 0.0, 2.0, 0.0, 7.5]], rtol=1e-6, atol=1e-7, case="float32 input")
assert_unchanged("relu", "x", _x32_0, _x32)
### END HIDDEN TESTS

# %% nbgrader={"grade_id": "relu_backward", "solution": true}
def relu_backward(x, dout):
    """Backward pass of ReLU.

    x: the pre-activation input of the forward pass, array of any shape.
    dout: dL/d relu(x), the gradient of the loss with respect to relu's output, same shape as x.
    Returns dx = dL/dx, a new array of x's shape. At x == 0 exactly, where ReLU has no
    derivative, take the derivative to be 0. Does not modify x or dout.
    """
    ### BEGIN SOLUTION
    return dout * (x > 0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_relu_backward", "points": 2}
def forward_is_right(forward, expected, **kwargs):
    """Does an activation give the expected values on a fixed input, without changing it?"""
    probe = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    try:
        values = forward(probe, **kwargs)
    except Exception:
        return False
    return (np.shape(values) == probe.shape and np.allclose(values, expected)
            and np.array_equal(probe, [[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]]))


x = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
x_before, dout_before = x.copy(), dout.copy()
try:
    dx = call(relu_backward, x, dout)
    assert_shape("relu_backward", dx, (2, 3), case="dx has the shape of x")
    # worked by hand from the two slopes of ReLU and the convention at 0
    assert_close("relu_backward", dx, [[0.0, 0.0, 0.0], [4.0, 5.0, 6.0]],
                 case="x = [[-2, -0.5, 0], [0.5, 1, 3]], dout = [[1, 2, 3], [4, 5, 6]]")
    assert_unchanged("relu_backward", "x", x_before, x)
    assert_unchanged("relu_backward", "dout", dout_before, dout)
except AssertionError as error:
    if "not implemented yet" not in str(error) and not forward_is_right(relu, [[0.0, 0.0, 0.0], [0.5, 1.0, 3.0]]):
        raise AssertionError(f"relu_backward may use your relu, and relu is wrong: fix `relu` first (see its "
                             f"test above), then run this test again. This test said: {error}") from error
    raise
print("relu_backward: visible tests passed")
### BEGIN HIDDEN TESTS
def _numerical_gradient_array(f, x, dout, h=1e-5):  # f acts elementwise: all central differences at once
    return dout * (f(x + h) - f(x - h)) / (2 * h)

_rng = np.random.default_rng(302)
for _shape in [(1, 7), (8,), (5, 4), (2, 3, 2)]:
    # points at least 0.1 away from the kink, so that the numerical gradient is exact
    _x = _rng.choice([-1.0, 1.0], size=_shape) * _rng.uniform(0.1, 2.0, size=_shape)
    _dout = _rng.choice([-1.0, 1.0], size=_shape) * _rng.uniform(0.5, 2.0, size=_shape)
    _x0, _dout0 = _x.copy(), _dout.copy()
    _case = f"x and dout of shape {_shape}"
    _dx = relu_backward(_x, _dout)
    _expected = np.array([_d if _v > 0 else 0.0 for _v, _d in zip(_x0.ravel().tolist(), _dout0.ravel().tolist())])
    assert_close("relu_backward", _dx, _expected.reshape(_shape), rtol=1e-12, atol=1e-12, case=_case)
    assert_unchanged("relu_backward", "x", _x0, _x)
    assert_unchanged("relu_backward", "dout", _dout0, _dout)
    _num = _numerical_gradient_array(lambda _v: np.maximum(_v, 0.0), _x, _dout0)
    assert_gradient_close("relu_backward", _dx, _num, tol=1e-6, case=_case + ", against a numerical gradient")
_dx_zero = relu_backward(np.zeros((2, 3)), np.ones((2, 3)))
assert_close("relu_backward", _dx_zero, np.zeros((2, 3)), rtol=0, atol=0,
             case="x = 0 exactly: the derivative of ReLU at 0 is 0")
_x = np.array([[0.0, -0.0, 1e-12, -1e-12]])
_dout = np.array([[2.0, 3.0, 4.0, 5.0]])
assert_close("relu_backward", relu_backward(_x, _dout), [[0.0, 0.0, 4.0, 0.0]], rtol=0, atol=0,
             case="x = [[0, -0, 1e-12, -1e-12]]: only x > 0 passes the gradient")
_x32 = np.array([[-1.0, 0.0, 2.0], [0.5, -0.25, 3.0]], dtype=np.float32)
_d32 = np.array([[1.5, -2.0, 0.5], [-1.0, 4.0, 2.0]], dtype=np.float32)
_x32_0, _d32_0 = _x32.copy(), _d32.copy()
assert_close("relu_backward", relu_backward(_x32, _d32), [[0.0, 0.0, 0.5], [-1.0, 0.0, 2.0]],
             rtol=1e-6, atol=1e-7, case="float32 input")
assert_unchanged("relu_backward", "x", _x32_0, _x32)
assert_unchanged("relu_backward", "dout", _d32_0, _d32)
### END HIDDEN TESTS

# %% [markdown]
# ## 3. tanh
#
# The hyperbolic tangent squashes every number into $(-1, 1)$, smoothly:
#
# $$\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} .$$
#
# Its forward pass is numpy's `np.tanh`, which is accurate and never overflows, so only the
# backward pass is yours.
#
# **TODO:** derive $\tanh'(x)$, then implement `tanh_backward`.
#
# <details><summary>Hint 1: the idea</summary>
#
# $\tanh$ is a quotient $u / v$ with $u = e^{x} - e^{-x}$ and $v = e^{x} + e^{-x}$. Use the
# quotient rule, $(u/v)' = (u' v - u v') / v^2$, and notice that $u' = v$ and $v' = u$.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# $\tanh'(x) = \dfrac{v^2 - u^2}{v^2} = 1 - \left(\dfrac{u}{v}\right)^2$: the derivative can be
# written with $\tanh$ itself, which numpy computes for you.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $$\tanh'(x) = 1 - \tanh^2(x), \qquad dx = dout \odot \bigl(1 - \tanh^2(x)\bigr).$$
#
# Remember that `x` is the *input* of tanh. Some texts write the derivative as $1 - y^2$, in terms
# of the output $y = \tanh(x)$; here you are given $x$, not $y$, so `1 - x**2` would be wrong.
#
# </details>

# %% nbgrader={"grade_id": "tanh_backward", "solution": true}
def tanh_backward(x, dout):
    """Backward pass of tanh.

    x: the pre-activation input of the forward pass np.tanh(x) (its input, not its output),
       array of any shape.
    dout: dL/d tanh(x), the gradient of the loss with respect to tanh's output, same shape as x.
    Returns dx = dL/dx, a new array of x's shape. Does not modify x or dout.
    """
    ### BEGIN SOLUTION
    return dout * (1.0 - np.tanh(x) ** 2)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_tanh_backward", "points": 1}
x = np.array([[-1.0, 0.0, 0.5]])
dout = np.array([[2.0, 1.0, -1.0]])
x_before, dout_before = x.copy(), dout.copy()
dx = call(tanh_backward, x, dout)
assert_shape("tanh_backward", dx, (1, 3), case="dx has the shape of x")
# tanh'(0) = 1, tanh'(-1) = tanh'(1) = 0.4199743416, tanh'(0.5) = 0.7864477330
assert_close("tanh_backward", dx, [[2 * 0.41997434161402614, 1.0, -0.7864477329659274]],
             case="x = [[-1, 0, 0.5]], dout = [[2, 1, -1]]")
assert_unchanged("tanh_backward", "x", x_before, x)
assert_unchanged("tanh_backward", "dout", dout_before, dout)
print("tanh_backward: visible tests passed")
### BEGIN HIDDEN TESTS
import math as _math

def _numerical_gradient_array(f, x, dout, h=1e-5):  # f acts elementwise: all central differences at once
    return dout * (f(x + h) - f(x - h)) / (2 * h)

_rng = np.random.default_rng(303)
for _shape in [(1, 5), (6,), (4, 3), (2, 2, 3)]:
    _x = _rng.uniform(-3.0, 3.0, size=_shape)
    _dout = _rng.choice([-1.0, 1.0], size=_shape) * _rng.uniform(0.5, 2.0, size=_shape)
    _x0, _dout0 = _x.copy(), _dout.copy()
    _case = f"x and dout of shape {_shape}"
    _dx = tanh_backward(_x, _dout)
    _expected = np.array([_d * (1.0 - _math.tanh(_v) ** 2)
                          for _v, _d in zip(_x0.ravel().tolist(), _dout0.ravel().tolist())])
    assert_close("tanh_backward", _dx, _expected.reshape(_shape), rtol=1e-9, atol=1e-12, case=_case)
    assert_unchanged("tanh_backward", "x", _x0, _x)
    assert_unchanged("tanh_backward", "dout", _dout0, _dout)
    _num = _numerical_gradient_array(np.tanh, _x, _dout0)
    assert_gradient_close("tanh_backward", _dx, _num, tol=1e-6, case=_case + ", against a numerical gradient")
_x32 = np.array([[-2.0, -0.5, 0.0, 0.25, 1.5]], dtype=np.float32)
_d32 = np.array([[1.0, -2.0, 3.0, 0.5, -1.5]], dtype=np.float32)
_x32_0, _d32_0 = _x32.copy(), _d32.copy()
_expected = [[_d * (1.0 - _math.tanh(_v) ** 2) for _v, _d in zip([-2.0, -0.5, 0.0, 0.25, 1.5], [1.0, -2.0, 3.0, 0.5, -1.5])]]
assert_close("tanh_backward", tanh_backward(_x32, _d32), _expected, rtol=1e-5, atol=1e-6, case="float32 input")
assert_unchanged("tanh_backward", "x", _x32_0, _x32)
assert_unchanged("tanh_backward", "dout", _d32_0, _d32)
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Leaky ReLU
#
# A ReLU unit whose input is negative for every example passes no gradient back at all, so its
# weights stop changing: the unit is "dead". Leaky ReLU keeps a small slope $\alpha$ (typically
# 0.01) on the negative side so that some gradient always flows:
#
# $$\operatorname{leaky}(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}$$
#
# At $x = 0$, where the two pieces meet at a corner, we follow the same convention as for ReLU
# and take the left-hand slope: the derivative at 0 is taken to be $\alpha$.
#
# **TODO:** implement `leaky_relu` and `leaky_relu_backward`. Use the `alpha` you are given.
#
# <details><summary>Hint 1: the idea</summary>
#
# `leaky_relu`: `np.where(condition, a, b)` picks, element by element, from `a` where the
# condition holds and from `b` elsewhere. `leaky_relu_backward`: as for ReLU, each piece is a
# straight line; what are the two slopes?
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# The slope is 1 where $x > 0$ and $\alpha$ where $x \le 0$ (at 0 by the convention above).
# Multiply `dout` by those slopes element by element, into a new array.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $$\operatorname{leaky}'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}, \qquad
#   dx = dout \odot \operatorname{leaky}'(x).$$
#
# </details>

# %% nbgrader={"grade_id": "leaky_relu", "solution": true}
def leaky_relu(x, alpha=0.01):
    """Leaky ReLU, elementwise: x where x > 0, alpha * x elsewhere.

    x: array of any shape. alpha: the slope for negative inputs, 0 < alpha < 1.
    Returns a new array of the same shape; x is not modified.
    """
    ### BEGIN SOLUTION
    return np.where(x > 0, x, alpha * x)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_leaky_relu", "points": 1}
x = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
x_before = x.copy()
out = call(leaky_relu, x)
assert_shape("leaky_relu", out, (2, 3), case="the output has the shape of x")
assert_close("leaky_relu", out, [[-0.02, -0.005, 0.0], [0.5, 1.0, 3.0]],
             case="x = [[-2, -0.5, 0], [0.5, 1, 3]] with the default alpha = 0.01")
assert_close("leaky_relu", leaky_relu(x, alpha=0.2), [[-0.4, -0.1, 0.0], [0.5, 1.0, 3.0]],
             case="the same x with alpha = 0.2")
assert_unchanged("leaky_relu", "x", x_before, x)
print("leaky_relu: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(304)
for _shape, _alpha in [((1, 6), None), ((9,), 0.2), ((4, 5), 0.5), ((2, 3, 4), 0.05)]:
    _x = 2.0 * _rng.normal(size=_shape)
    _x.flat[0] = 0.0
    _x0 = _x.copy()
    _a = 0.01 if _alpha is None else _alpha
    _expected = np.array([_v if _v > 0 else _a * _v for _v in _x0.ravel().tolist()]).reshape(_shape)
    _got = leaky_relu(_x) if _alpha is None else leaky_relu(_x, alpha=_alpha)
    assert_close("leaky_relu", _got, _expected, rtol=1e-12, atol=1e-12, case=f"x of shape {_shape}, alpha = {_a}")
    assert_unchanged("leaky_relu", "x", _x0, _x)
_x = np.array([-4.0, -1.0, 0.0, 2.0])
assert_close("leaky_relu", leaky_relu(_x, 0.3), [-1.2, -0.3, 0.0, 2.0], rtol=1e-12, atol=1e-12,
             case="alpha = 0.3 passed by position")
_x32 = np.array([[-1.5, 0.25, 0.0, 2.0, -3.0]], dtype=np.float32)
_x32_0 = _x32.copy()
assert_close("leaky_relu", leaky_relu(_x32, alpha=0.1), [[-0.15, 0.25, 0.0, 2.0, -0.3]], rtol=1e-5, atol=1e-7,
             case="float32 input, alpha = 0.1")
assert_unchanged("leaky_relu", "x", _x32_0, _x32)
### END HIDDEN TESTS

# %% nbgrader={"grade_id": "leaky_relu_backward", "solution": true}
def leaky_relu_backward(x, dout, alpha=0.01):
    """Backward pass of leaky ReLU.

    x: the pre-activation input of the forward pass, array of any shape.
    dout: dL/d leaky_relu(x), the gradient of the loss with respect to its output, same shape as x.
    alpha: the slope for negative inputs, the same alpha as in the forward pass.
    Returns dx = dL/dx, a new array of x's shape. At x == 0 exactly, take the derivative to be
    alpha (the slope on the left). Does not modify x or dout.
    """
    ### BEGIN SOLUTION
    return dout * np.where(x > 0, 1.0, alpha)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_leaky_relu_backward", "points": 2}
def forward_is_right(forward, expected, **kwargs):
    """Does an activation give the expected values on a fixed input, without changing it?"""
    probe = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    try:
        values = forward(probe, **kwargs)
    except Exception:
        return False
    return (np.shape(values) == probe.shape and np.allclose(values, expected)
            and np.array_equal(probe, [[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]]))


x = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
x_before, dout_before = x.copy(), dout.copy()
try:
    dx = call(leaky_relu_backward, x, dout)
    assert_shape("leaky_relu_backward", dx, (2, 3), case="dx has the shape of x")
    # worked by hand: at x = 0 the slope is alpha, as for x < 0
    assert_close("leaky_relu_backward", dx, [[0.01, 0.02, 0.03], [4.0, 5.0, 6.0]],
                 case="x = [[-2, -0.5, 0], [0.5, 1, 3]], dout = [[1, 2, 3], [4, 5, 6]], default alpha = 0.01")
    assert_close("leaky_relu_backward", leaky_relu_backward(x, dout, alpha=0.2), [[0.2, 0.4, 0.6], [4.0, 5.0, 6.0]],
                 case="the same x and dout with alpha = 0.2")
    assert_unchanged("leaky_relu_backward", "x", x_before, x)
    assert_unchanged("leaky_relu_backward", "dout", dout_before, dout)
except AssertionError as error:
    if "not implemented yet" not in str(error) and not (
            forward_is_right(leaky_relu, [[-0.02, -0.005, 0.0], [0.5, 1.0, 3.0]])
            and forward_is_right(leaky_relu, [[-0.4, -0.1, 0.0], [0.5, 1.0, 3.0]], alpha=0.2)):
        raise AssertionError(f"leaky_relu_backward may use your leaky_relu, and leaky_relu is wrong: fix "
                             f"`leaky_relu` first (see its test above), then run this test again. "
                             f"This test said: {error}") from error
    raise
print("leaky_relu_backward: visible tests passed")
### BEGIN HIDDEN TESTS
def _numerical_gradient_array(f, x, dout, h=1e-5):  # f acts elementwise: all central differences at once
    return dout * (f(x + h) - f(x - h)) / (2 * h)

_rng = np.random.default_rng(305)
for _shape, _alpha in [((1, 7), None), ((8,), 0.2), ((5, 4), 0.5), ((2, 3, 2), 0.05)]:
    _x = _rng.choice([-1.0, 1.0], size=_shape) * _rng.uniform(0.1, 2.0, size=_shape)
    _dout = _rng.choice([-1.0, 1.0], size=_shape) * _rng.uniform(0.5, 2.0, size=_shape)
    _x0, _dout0 = _x.copy(), _dout.copy()
    _a = 0.01 if _alpha is None else _alpha
    _case = f"x and dout of shape {_shape}, alpha = {_a}"
    _dx = leaky_relu_backward(_x, _dout) if _alpha is None else leaky_relu_backward(_x, _dout, alpha=_alpha)
    _expected = np.array([_d if _v > 0 else _a * _d for _v, _d in zip(_x0.ravel().tolist(), _dout0.ravel().tolist())])
    assert_close("leaky_relu_backward", _dx, _expected.reshape(_shape), rtol=1e-12, atol=1e-12, case=_case)
    assert_unchanged("leaky_relu_backward", "x", _x0, _x)
    assert_unchanged("leaky_relu_backward", "dout", _dout0, _dout)
    _num = _numerical_gradient_array(lambda _v: np.where(_v > 0, _v, _a * _v), _x, _dout0)
    assert_gradient_close("leaky_relu_backward", _dx, _num, tol=1e-6, case=_case + ", against a numerical gradient")
assert_close("leaky_relu_backward", leaky_relu_backward(np.zeros((2, 3)), np.full((2, 3), 2.0)), np.full((2, 3), 0.02),
             rtol=1e-12, atol=0, case="x = 0 exactly, default alpha: the slope at 0 is alpha")
assert_close("leaky_relu_backward", leaky_relu_backward(np.zeros(4), np.ones(4), 0.3), np.full(4, 0.3),
             rtol=1e-12, atol=0, case="x = 0 exactly, alpha = 0.3 passed by position")
_x32 = np.array([[-1.0, 0.0, 2.0], [0.5, -0.25, 3.0]], dtype=np.float32)
_d32 = np.array([[1.5, -2.0, 0.5], [-1.0, 4.0, 2.0]], dtype=np.float32)
_x32_0, _d32_0 = _x32.copy(), _d32.copy()
assert_close("leaky_relu_backward", leaky_relu_backward(_x32, _d32, alpha=0.1), [[0.15, -0.2, 0.5], [-1.0, 0.4, 2.0]],
             rtol=1e-5, atol=1e-7, case="float32 input, alpha = 0.1")
assert_unchanged("leaky_relu_backward", "x", _x32_0, _x32)
assert_unchanged("leaky_relu_backward", "dout", _d32_0, _d32)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. The sigmoid, computed without overflow
#
# The logistic sigmoid squashes every number into $(0, 1)$, which makes it the natural output for
# a probability:
#
# $$\sigma(x) = \frac{1}{1 + e^{-x}} = \frac{e^{x}}{1 + e^{x}} .$$
#
# (It is a shifted and scaled tanh: $\sigma(x) = \tfrac12\bigl(1 + \tanh(x/2)\bigr)$.)
#
# **Overflow.** A float64 holds numbers up to about $1.8 \times 10^{308} \approx e^{709.8}$.
# For $x = -1000$ the first formula needs $e^{1000}$, which overflows to `inf`: the final answer
# $1/(1 + \infty) = 0$ happens to be right, but numpy prints `RuntimeWarning: overflow encountered
# in exp`. The second formula is worse: for $x = 1000$ it computes $\infty / \infty$ = `nan`.
# One trap to know about: `np.where(cond, a, b)` computes **both** `a` and `b` for every element
# before choosing between them.
#
# The tests run your sigmoid at $x = \pm 1000$ with numpy set to raise an error on overflow, so
# any overflow, even one whose result is thrown away, fails the test.
#
# **TODO:** implement `sigmoid` (stable), then derive $\sigma'(x)$ and implement
# `sigmoid_backward`.
#
# <details><summary>Hint 1: the idea</summary>
#
# `sigmoid`: $e^{t}$ overflows only for large positive $t$. Where does each of the two formulas
# exponentiate a large positive number? Each one is safe exactly where the other is not.
# `sigmoid_backward`: write $\sigma(x) = (1 + e^{-x})^{-1}$ and use the chain rule.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# `sigmoid`: a stable sigmoid only ever exponentiates numbers $\le 0$: the first formula where
# $x \ge 0$, the second where $x < 0$. Because `np.where` evaluates both branches, do not put the
# two formulas into it as they stand: compute the one exponential that is safe everywhere,
# $z = e^{-|x|} \in (0, 1]$, or work on the two halves of the array separately.
# `sigmoid_backward`: the chain rule gives $\sigma'(x) = \dfrac{e^{-x}}{(1 + e^{-x})^2}$, which
# itself overflows for large negative $x$. Write it as a product of two factors you already know:
# $\frac{1}{1 + e^{-x}}$ and $\frac{e^{-x}}{1 + e^{-x}}$.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# With $z = e^{-|x|}$: $\sigma(x) = \frac{1}{1 + z}$ where $x \ge 0$ and $\frac{z}{1 + z}$ where
# $x < 0$. And
#
# $$\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr), \qquad
#   dx = dout \odot \sigma(x) \odot \bigl(1 - \sigma(x)\bigr),$$
#
# computed with your stable `sigmoid`.
#
# </details>

# %% nbgrader={"grade_id": "sigmoid", "solution": true}
def sigmoid(x):
    """Logistic sigmoid, elementwise: 1 / (1 + exp(-x)).

    x: float array of any shape. Returns a new array of the same shape with values in [0, 1];
    x is not modified. Must not overflow (no warning, no inf or nan) for large |x|, such as +-1000.
    """
    ### BEGIN SOLUTION
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid", "points": 2}
x = np.array([[0.0, 1.0, -1.0], [2.0, -2.0, 0.5]])
x_before = x.copy()
out = call(sigmoid, x)
assert_shape("sigmoid", out, (2, 3), case="the output has the shape of x")
assert_close("sigmoid", out, [[0.5, 0.7310585786300049, 0.2689414213699951],
                              [0.8807970779778823, 0.11920292202211755, 0.6224593312018546]],
             case="x = [[0, 1, -1], [2, -2, 0.5]]")
assert_unchanged("sigmoid", "x", x_before, x)
with np.errstate(over="raise", invalid="raise", divide="raise"):
    try:
        extreme = sigmoid(np.array([-1000.0, 1000.0]))
    except FloatingPointError as error:
        raise AssertionError(f"sigmoid overflowed for x = [-1000, 1000] ({error}); exponentiate only numbers <= 0, "
                             "and remember that np.where evaluates both of its branches") from None
assert_close("sigmoid", extreme, [0.0, 1.0], rtol=0, atol=1e-12, case="x = [-1000, 1000]")
print("sigmoid: visible tests passed")
### BEGIN HIDDEN TESTS
import math as _math


def _sigmoid_reference(_v):
    return 1.0 / (1.0 + _math.exp(-_v)) if _v >= 0 else _math.exp(_v) / (1.0 + _math.exp(_v))


_rng = np.random.default_rng(306)
for _shape in [(1, 6), (9,), (4, 5), (2, 3, 4)]:
    _x = 4.0 * _rng.normal(size=_shape)
    _x0 = _x.copy()
    _expected = np.array([_sigmoid_reference(_v) for _v in _x0.ravel().tolist()]).reshape(_shape)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        _got = sigmoid(_x)
    assert_close("sigmoid", _got, _expected, rtol=1e-7, atol=1e-12, case=f"x of shape {_shape}")
    assert_unchanged("sigmoid", "x", _x0, _x)
_x = np.array([[-1000.0, -745.0, -50.0, -20.0, 20.0, 50.0, 709.0, 1000.0]])
_x0 = _x.copy()
try:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        _got = sigmoid(_x)
except FloatingPointError as _error:
    raise AssertionError(f"sigmoid overflowed for large |x| ({_error})") from None
_expected = [[_sigmoid_reference(_v) for _v in _x0.ravel().tolist()]]
assert_close("sigmoid", _got, _expected, rtol=1e-7, atol=1e-12, case="x = [[-1000, -745, -50, -20, 20, 50, 709, 1000]]")
assert_unchanged("sigmoid", "x", _x0, _x)
_got = np.asarray(_got, dtype=float)
assert np.all((_got >= 0.0) & (_got <= 1.0)), "sigmoid: every value must lie in [0, 1]"
_x = np.array([-1000.0, 0.0, 1000.0])
with np.errstate(over="raise", invalid="raise", divide="raise"):
    try:
        _got = sigmoid(_x)
    except FloatingPointError as _error:
        raise AssertionError(f"sigmoid overflowed for a 1-D x = [-1000, 0, 1000] ({_error})") from None
assert_close("sigmoid", _got, [0.0, 0.5, 1.0], rtol=0, atol=1e-12, case="x = [-1000, 0, 1000]")
_x32 = np.array([[-6.0, -0.5, 0.0, 0.25, 3.0, 8.0]], dtype=np.float32)
_x32_0 = _x32.copy()
with np.errstate(over="raise", invalid="raise", divide="raise"):
    _got32 = sigmoid(_x32)
assert_close("sigmoid", _got32, [[_sigmoid_reference(_v) for _v in [-6.0, -0.5, 0.0, 0.25, 3.0, 8.0]]],
             rtol=1e-5, atol=1e-7, case="float32 input")
assert_unchanged("sigmoid", "x", _x32_0, _x32)
### END HIDDEN TESTS

# %% nbgrader={"grade_id": "sigmoid_backward", "solution": true}
def sigmoid_backward(x, dout):
    """Backward pass of the sigmoid.

    x: the pre-activation input of the forward pass sigmoid(x) (its input, not its output),
       float array of any shape.
    dout: dL/d sigmoid(x), the gradient of the loss with respect to its output, same shape as x.
    Returns dx = dL/dx, a new array of x's shape. Does not modify x or dout. Like sigmoid, it
    must not overflow (no warning, no inf or nan) for large |x|, such as +-1000. It may call
    your sigmoid.
    """
    ### BEGIN SOLUTION
    s = sigmoid(x)
    return dout * s * (1.0 - s)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_backward", "points": 2}
x = np.array([[0.0, 1.0, -1.0]])
dout = np.array([[1.0, 2.0, -1.0]])
x_before, dout_before = x.copy(), dout.copy()


def sigmoid_is_right():
    """Does sigmoid pass a quick check: the right values, no overflow, its input unchanged?"""
    probe = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            values = sigmoid(probe)
    except Exception:
        return False
    return (np.shape(values) == probe.shape and np.array_equal(probe, [-1000.0, -1.0, 0.0, 1.0, 1000.0])
            and np.allclose(values, [0.0, 0.2689414213699951, 0.5, 0.7310585786300049, 1.0], rtol=1e-9, atol=1e-12))


try:
    dx = call(sigmoid_backward, x, dout)
    assert_shape("sigmoid_backward", dx, (1, 3), case="dx has the shape of x")
    # sigma'(0) = 0.25 and sigma'(1) = sigma'(-1) = 0.19661193324148185
    assert_close("sigmoid_backward", dx, [[0.25, 2 * 0.19661193324148185, -0.19661193324148185]],
                 case="x = [[0, 1, -1]], dout = [[1, 2, -1]]")
    assert_unchanged("sigmoid_backward", "x", x_before, x)
    assert_unchanged("sigmoid_backward", "dout", dout_before, dout)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        try:
            extreme = sigmoid_backward(np.array([-1000.0, 1000.0]), np.array([1.0, 1.0]))
        except FloatingPointError as error:
            raise AssertionError(f"sigmoid_backward overflowed for x = [-1000, 1000] ({error})") from None
    assert_close("sigmoid_backward", extreme, [0.0, 0.0], rtol=0, atol=1e-12, case="x = [-1000, 1000], dout = [1, 1]")
except AssertionError as error:
    if "not implemented yet" not in str(error) and not sigmoid_is_right():
        raise AssertionError(f"sigmoid_backward may use your sigmoid, and sigmoid is wrong: fix `sigmoid` first "
                             f"(see its test above), then run this test again. This test said: {error}") from error
    raise
print("sigmoid_backward: visible tests passed")
### BEGIN HIDDEN TESTS
import math as _math

def _numerical_gradient_array(f, x, dout, h=1e-5):  # f acts elementwise: all central differences at once
    return dout * (f(x + h) - f(x - h)) / (2 * h)


def _sigmoid_derivative(_v):
    _s = 1.0 / (1.0 + _math.exp(-_v)) if _v >= 0 else _math.exp(_v) / (1.0 + _math.exp(_v))
    return _s * (1.0 - _s)


_rng = np.random.default_rng(307)
for _shape in [(1, 5), (6,), (4, 3), (2, 2, 3)]:
    _x = _rng.uniform(-4.0, 4.0, size=_shape)
    _dout = _rng.choice([-1.0, 1.0], size=_shape) * _rng.uniform(0.5, 2.0, size=_shape)
    _x0, _dout0 = _x.copy(), _dout.copy()
    _case = f"x and dout of shape {_shape}"
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        _dx = sigmoid_backward(_x, _dout)
    _expected = np.array([_d * _sigmoid_derivative(_v) for _v, _d in zip(_x0.ravel().tolist(), _dout0.ravel().tolist())])
    assert_close("sigmoid_backward", _dx, _expected.reshape(_shape), rtol=1e-7, atol=1e-12, case=_case)
    assert_unchanged("sigmoid_backward", "x", _x0, _x)
    assert_unchanged("sigmoid_backward", "dout", _dout0, _dout)
    _num = _numerical_gradient_array(lambda _v: 0.5 * (1.0 + np.tanh(_v / 2.0)), _x, _dout0)
    assert_gradient_close("sigmoid_backward", _dx, _num, tol=1e-6, case=_case + ", against a numerical gradient")
_x = np.array([[-1000.0, -50.0, -20.0, 0.0, 20.0, 50.0, 1000.0]])
_dout = np.array([[1.0, 2.0, 3.0, 4.0, -1.0, -2.0, -3.0]])
_x0, _dout0 = _x.copy(), _dout.copy()
try:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        _dx = sigmoid_backward(_x, _dout)
except FloatingPointError as _error:
    raise AssertionError(f"sigmoid_backward overflowed for large |x| ({_error})") from None
_expected = [[_d * _sigmoid_derivative(_v) for _v, _d in zip(_x0.ravel().tolist(), _dout0.ravel().tolist())]]
assert_close("sigmoid_backward", _dx, _expected, rtol=1e-7, atol=1e-12,
             case="x = [[-1000, -50, -20, 0, 20, 50, 1000]]")
assert_unchanged("sigmoid_backward", "x", _x0, _x)
assert_unchanged("sigmoid_backward", "dout", _dout0, _dout)
_x32 = np.array([[-3.0, -0.5, 0.0, 0.25, 2.0]], dtype=np.float32)
_d32 = np.array([[1.0, -2.0, 3.0, 0.5, -1.5]], dtype=np.float32)
_x32_0, _d32_0 = _x32.copy(), _d32.copy()
with np.errstate(over="raise", invalid="raise", divide="raise"):
    _dx32 = sigmoid_backward(_x32, _d32)
_expected = [[_d * _sigmoid_derivative(_v) for _v, _d in zip([-3.0, -0.5, 0.0, 0.25, 2.0], [1.0, -2.0, 3.0, 0.5, -1.5])]]
assert_close("sigmoid_backward", _dx32, _expected, rtol=1e-5, atol=1e-6, case="float32 input")
assert_unchanged("sigmoid_backward", "x", _x32_0, _x32)
assert_unchanged("sigmoid_backward", "dout", _d32_0, _d32)
### END HIDDEN TESTS

# %% [markdown]
# ## 6. The activations side by side
#
# Each panel shows an activation and its derivative. The derivative is your backward pass with
# `dout` all ones: $dx = 1 \odot \varphi'(x)$. Notice where each derivative is small: tanh and
# the sigmoid *saturate* (their slope tends to 0 for large $|x|$, and the sigmoid's is never
# more than $1/4$), while ReLU's slope is exactly 1 for every positive input and exactly 0 for
# every negative one. Leaky ReLU is drawn with $\alpha = 0.1$ so that its slope is visible.

# %%
x_grid = np.linspace(-5.0, 5.0, 1001)
ones = np.ones_like(x_grid)
panels = [
    ("ReLU", relu(x_grid), relu_backward(x_grid, ones)),
    ("Leaky ReLU ($\\alpha = 0.1$)", leaky_relu(x_grid, alpha=0.1), leaky_relu_backward(x_grid, ones, alpha=0.1)),
    ("tanh", np.tanh(x_grid), tanh_backward(x_grid, ones)),
    ("Sigmoid", sigmoid(x_grid), sigmoid_backward(x_grid, ones)),
]
fig, axes = plt.subplots(2, 2, figsize=(10, 7))
for ax, (name, values, slopes) in zip(axes.ravel(), panels):
    ax.axhline(0.0, color="grey", lw=0.8)
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.plot(x_grid, values, lw=2, label="$\\varphi(x)$")
    ax.plot(x_grid, slopes, lw=2, ls="--", label="$\\varphi'(x)$")
    ax.set_title(name)
    ax.set_xlabel("x (pre-activation)")
    ax.set_ylabel("value")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
plt.suptitle("Activation functions $\\varphi$ and their derivatives $\\varphi'$ (backward pass with dout = 1)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 7. A multilayer perceptron
#
# The next cells are given (and read-only). The first two are the reference solutions of
# stage 02: the `Linear` layer and `numerical_gradient`. The third is a one-hidden-layer network
#
# $$x \;\to\; \text{Linear}(d_\text{in}, d_\text{hidden}) \;\to\; \varphi \;\to\;
#   \text{Linear}(d_\text{hidden}, d_\text{out}) \;\to\; \hat y$$
#
# built from them and from **your** activation functions. Its backward pass is the chain rule read
# from right to left: the output layer turns $\partial L / \partial \hat y$ into the gradient with
# respect to the hidden activations, your backward function turns that into the gradient with
# respect to the pre-activations, and the hidden layer does the rest. The activation's step is
# the only place where the nonlinearity enters on the way back, as its local derivative at the
# pre-activations; that is why the network keeps them as `self.h_pre`. `step(lr)` is one step of
# gradient descent on all four parameter arrays.
#
# ![The computational graph of the MLP for a batch of B rows: values forward through Linear, the activation and Linear; on the way back the activation multiplies the gradient by its derivative at the kept pre-activations](figure:mlp_graph)

# %% nbgrader={"grade_id": "given_linear", "locked": true}
class Linear:
    """A fully connected layer y = x @ W.T + b acting on a batch of rows (stage 02)."""

    def __init__(self, in_dim, out_dim, rng=None):
        if rng is None:
            rng = np.random.default_rng()
        bound = np.sqrt(6.0 / (in_dim + out_dim))  # Xavier-uniform
        self.W = rng.uniform(-bound, bound, size=(out_dim, in_dim))
        self.b = np.zeros(out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x):
        """x: (B, in_dim) -> (B, out_dim); keeps x for the backward pass."""
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, dout):
        """dout: (B, out_dim). Sets self.dW and self.db and returns dx, shape (B, in_dim)."""
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W


# %% nbgrader={"grade_id": "given_numerical_gradient", "locked": true}
def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function f at the array x (stage 02); x is restored."""
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


# %% nbgrader={"grade_id": "given_mlp", "locked": true}
def activation_functions(nonlin):
    """The (forward, backward) pair for a nonlinearity's name; backward takes (x, dout)."""
    pairs = {
        "relu": (relu, relu_backward),
        "leaky_relu": (leaky_relu, leaky_relu_backward),
        "tanh": (np.tanh, tanh_backward),
        "sigmoid": (sigmoid, sigmoid_backward),
    }
    if nonlin not in pairs:
        raise ValueError(f"unknown nonlinearity {nonlin!r}; choose one of {', '.join(pairs)}")
    return pairs[nonlin]


class MLP:
    """Linear(in_dim, hidden_dim) -> nonlinearity -> Linear(hidden_dim, out_dim)."""

    def __init__(self, in_dim, hidden_dim, out_dim, nonlin="relu", rng=None):
        if rng is None:
            rng = np.random.default_rng()
        self.hidden = Linear(in_dim, hidden_dim, rng=rng)
        self.output = Linear(hidden_dim, out_dim, rng=rng)
        self.nonlin = nonlin
        self.activation, self.activation_backward = activation_functions(nonlin)

    def forward(self, x):
        """x: (B, in_dim) -> predictions (B, out_dim)."""
        self.h_pre = self.hidden.forward(x)  # pre-activations, needed by the backward pass
        return self.output.forward(self.activation(self.h_pre))

    def backward(self, dout):
        """dout = dL/d(predictions), (B, out_dim). Fills every layer's dW and db; returns dL/dx."""
        dh = self.output.backward(dout)
        dh_pre = self.activation_backward(self.h_pre, dh)
        return self.hidden.backward(dh_pre)

    def step(self, lr):
        """One step of gradient descent on all parameters."""
        for layer in (self.hidden, self.output):
            layer.W -= lr * layer.dW
            layer.b -= lr * layer.db

    def parameters(self):
        """name -> (parameter array, its gradient), for gradient checks."""
        return {"hidden.W": (self.hidden.W, self.hidden.dW), "hidden.b": (self.hidden.b, self.hidden.db),
                "output.W": (self.output.W, self.output.dW), "output.b": (self.output.b, self.output.db)}


# %% [markdown]
# The loss for regression is the mean squared error of stages 01 and 02, with its gradient:
#
# $$L = \frac{1}{N}\sum (\hat y - y)^2, \qquad \frac{\partial L}{\partial \hat y} = \frac{2}{N}(\hat y - y).$$

# %% nbgrader={"grade_id": "given_mse", "locked": true}
def mse(yhat, y):
    """Mean squared error over all entries."""
    return float(np.mean((yhat - y) ** 2))


def mse_backward(yhat, y):
    """dL/dyhat for the MSE: 2 (yhat - y) / N, with N the number of entries."""
    return 2.0 * (yhat - y) / yhat.size


# %% [markdown]
# ### Gradient check of the whole network
#
# Before training anything, make sure the gradients of the complete network are right. For each
# nonlinearity we build a small `MLP(3, 5, 2)` with nonzero biases, run it forward and backward on
# a batch of 4 rows with the MSE loss, and compare each parameter's gradient with a numerical one
# by the relative error $\max_i \frac{|a_i - n_i|}{\max(10^{-8},\, |a_i| + |n_i|)}$.
#
# **Threshold:** every error should be below $10^{-6}$ (typically around $10^{-8}$ or smaller).
# A few times $10^{-3}$ or more means that an activation's backward pass does not match its
# forward pass: one of the two is wrong, and their tests above say which. (ReLU and leaky ReLU
# have a kink: if some pre-activation happened to lie within $h = 10^{-5}$ of 0, the numerical
# gradient there would be off, but with random inputs that essentially never happens.)

# %%
GRADCHECK_THRESHOLD = 1e-6
check_rng = np.random.default_rng(3)
x_check = check_rng.normal(size=(4, 3))
y_check = check_rng.normal(size=(4, 2))
worst = 0.0
functions_to_check = {"relu": "relu and relu_backward", "leaky_relu": "leaky_relu and leaky_relu_backward",
                      "tanh": "tanh_backward", "sigmoid": "sigmoid and sigmoid_backward"}
for nonlin in ["relu", "leaky_relu", "tanh", "sigmoid"]:
    net = MLP(3, 5, 2, nonlin=nonlin, rng=np.random.default_rng(4))
    net.hidden.b = check_rng.normal(size=5)
    net.output.b = check_rng.normal(size=2)
    net.backward(mse_backward(net.forward(x_check), y_check))
    for name, (param, grad) in net.parameters().items():
        numeric = numerical_gradient(lambda _: mse(net.forward(x_check), y_check), param)
        error = relative_error(grad, numeric)
        worst = max(worst, error)
        verdict = "ok" if error < GRADCHECK_THRESHOLD else f"TOO LARGE: check {functions_to_check[nonlin]} against the tests above"
        print(f"{nonlin:10s} {name:9s} relative error {error:.2e}  {verdict}")
print(f"largest relative error {worst:.2e} (threshold {GRADCHECK_THRESHOLD:.0e})")

# %% [markdown]
# ## 8. Fitting a sine wave
#
# Now something no linear model can do: 400 noisy points from $y = \sin(2\pi x) + \varepsilon$
# on $[-1, 1]$, with noise $\varepsilon \sim \mathcal N(0, 0.1^2)$, so the best possible mean
# squared error on fresh data is the noise variance, $0.01$. We train on 300 of the points and keep
# the other 100 as a **validation set**: the network never trains on them, so its error there
# estimates how well it predicts new points.
#
# Both networks have one hidden layer of 32 units (97 parameters), one with ReLU and one with
# tanh, trained by full-batch gradient descent with learning rate 0.04 from the same starting
# weights.
#
# **Where the units bend.** Hidden unit $j$ computes $\varphi(w_j x + b_j)$, whose kink (ReLU) or
# centre (tanh) lies where $w_j x + b_j = 0$, at $x = -b_j / w_j$. With the biases at zero, every
# unit would bend at $x = 0$, and gradient descent would first have to spread the bends over the
# data. So before training we set $b_j = -w_j c_j$ with $c_j$ drawn uniformly from the data range
# $[-1, 1]$.
#
# The two runs of 15,000 epochs take about 13 seconds together on an idle machine (a progress bar
# shows how far they are). While nbgrader grades a submission they run 150 epochs instead (and the
# comparison at 15 epochs), so the numbers and curves in a graded copy differ from the ones
# discussed below.

# %%
x_all, y_all = make_sine_data(n=400, noise=0.1, seed=0)
split_rng = np.random.default_rng(0)
order = split_rng.permutation(len(x_all))
train_idx, val_idx = np.sort(order[:300]), np.sort(order[300:])
x_train, y_train = x_all[train_idx], y_all[train_idx]
x_val, y_val = x_all[val_idx], y_all[val_idx]
x_plot = np.linspace(-1.0, 1.0, 500)[:, None]
y_true = np.sin(2 * np.pi * x_plot)

fig, ax = plt.subplots(figsize=(8, 4.2))
ax.plot(x_plot, y_true, color="black", lw=2, label="ground truth $\\sin(2\\pi x)$")
ax.scatter(x_train, y_train, s=10, alpha=0.6, label="training (300 points)")
ax.scatter(x_val, y_val, s=14, marker="x", color="tab:orange", label="validation (100 points)")
ax.set_title("A noisy sine wave")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_ylim(-1.7, 1.4)
ax.legend(loc="lower center", ncol=3, fontsize=9)
plt.show()


# %%
def spread_hidden_units(net, low, high, rng):
    """Move each hidden unit's bend x = -b/w to a random point of [low, high] (one input feature)."""
    bends = rng.uniform(low, high, size=net.hidden.b.shape)
    net.hidden.b = -net.hidden.W[:, 0] * bends


def train(net, lr, epochs, snapshot_epochs=()):
    """Full-batch gradient descent on the training set.

    Returns (history, snapshots): history maps "training" and "validation" to the MSE before each
    epoch's step; snapshots maps each epoch in snapshot_epochs to the predictions on x_plot after it.
    """
    history = {"training": [], "validation": []}
    snapshots = {}
    for epoch in progress(range(1, epochs + 1), desc=f"{net.nonlin} MLP", mininterval=0.5):
        history["validation"].append(mse(net.forward(x_val), y_val))
        predictions = net.forward(x_train)
        history["training"].append(mse(predictions, y_train))
        net.backward(mse_backward(predictions, y_train))
        net.step(lr)
        if epoch in snapshot_epochs:
            snapshots[epoch] = net.forward(x_plot)
    return history, snapshots


# While nbgrader grades a submission (it runs every cell) the experiment is cut short: no graded
# test depends on it, and a class of submissions should not cost minutes each.
SHORT, LONG = (15, 150) if under_grader() else (1_500, 15_000)
LEARNING_RATE = 0.04
results = {}
for nonlin in ["relu", "tanh"]:
    init_rng = np.random.default_rng(5)
    net = MLP(1, 32, 1, nonlin=nonlin, rng=init_rng)
    spread_hidden_units(net, -1.0, 1.0, init_rng)
    history, snapshots = train(net, LEARNING_RATE, LONG, snapshot_epochs=(SHORT, LONG))
    results[nonlin] = {"history": history, "snapshots": snapshots}
    print(f"{nonlin:4s}: after {SHORT:6,} epochs  training MSE {history['training'][SHORT]:.4f}"
          f"  validation MSE {history['validation'][SHORT]:.4f}")
    print(f"{'':4s}  after {LONG:6,} epochs  training MSE {mse(net.forward(x_train), y_train):.4f}"
          f"  validation MSE {mse(net.forward(x_val), y_val):.4f}   (noise variance 0.01)")

# %% [markdown]
# ### ReLU against tanh
#
# The two fitted curves after 15,000 epochs, against the noise-free sine that generated the data.
# The error printed in each title is measured against that ground truth, which we know only
# because the data are synthetic.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
for ax, nonlin in zip(axes, ["relu", "tanh"]):
    prediction = results[nonlin]["snapshots"][LONG]
    ax.scatter(x_train, y_train, s=8, alpha=0.35, color="tab:blue", label="training points")
    ax.plot(x_plot, y_true, color="black", lw=2, label="ground truth")
    ax.plot(x_plot, prediction, color="tab:red", lw=2, ls="--", label=f"{nonlin} MLP")
    ax.set_title(f"{nonlin} MLP, {LONG:,} epochs: MSE to the truth {mse(prediction, y_true):.4f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_ylim(-1.7, 1.4)
    ax.legend(loc="lower center", ncol=3, fontsize=9)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 9. Ten times more epochs
#
# What did the extra 13,500 epochs buy? Top: each network's predictions after 1,500 and after
# 15,000 epochs. Bottom: the training and validation losses over the whole run (log scale), with
# the dotted line at epoch 1,500 and the noise variance 0.01, the best a validation MSE can hope
# for, as a grey line.

# %%
fig, axes = plt.subplots(2, 2, figsize=(12, 8))
for column, nonlin in enumerate(["relu", "tanh"]):
    ax = axes[0, column]
    ax.plot(x_plot, y_true, color="black", lw=2, label="ground truth")
    for epochs, style in [(SHORT, ":"), (LONG, "--")]:
        prediction = results[nonlin]["snapshots"][epochs]
        ax.plot(x_plot, prediction, lw=2, ls=style,
                label=f"{epochs:,} epochs (MSE to the truth {mse(prediction, y_true):.3f})")
    ax.set_title(f"{nonlin} MLP: {SHORT:,} against {LONG:,} epochs")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_ylim(-2.3, 1.4)
    ax.legend(loc="lower center", fontsize=9)

    ax = axes[1, column]
    plot_curves(results[nonlin]["history"], title=f"{nonlin} MLP: loss during training",
                xlabel="epoch", ylabel="MSE (log scale)", logy=True, ax=ax)
    ax.axvline(SHORT, color="grey", ls=":", lw=1.5, label=f"epoch {SHORT:,}")
    ax.axhline(0.01, color="grey", lw=1, label="noise variance 0.01")
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 10. Checkpoints
#
# Answer in two or three sentences each, in your own words. These are graded by hand.
#
# **Checkpoint 1.** Which nonlinearity fits this data better after 15,000 epochs, ReLU or tanh?
# Explain why in terms of bias and variance: compare the training and validation losses, and look
# at the shape of each fitted curve.

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_relu_or_tanh", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# ReLU fits better here. After 15,000 epochs its training MSE (about 0.011) is close to the noise
# variance 0.01 and its curve follows the sine (MSE to the truth about 0.002), while the tanh
# network still misses the outer peaks, with training and validation MSE both about 0.05. For both
# networks the validation loss is close to the training loss, so variance (fitting the noise of
# these 300 particular points) is small; the difference is bias: the tanh network is still
# underfitting. Its units start almost linear (with small Xavier weights, tanh(wx + b) is nearly a
# straight line on [-1, 1], hence the long plateau), so it must first grow its weights before it
# can bend, while each ReLU unit bends at full strength at its own point from the first step.
# Given more epochs or a larger learning rate tanh would also fit this smooth curve, and smoothly,
# whereas the ReLU fit is piecewise linear, with small corners at the peaks.
# ### END SOLUTION

# %% [markdown]
# **Checkpoint 2.** What did training ten times longer (15,000 instead of 1,500 epochs) do to the
# fit and to the training and validation losses, and why? Would many more epochs always help?

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_more_epochs", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# Both networks were underfitting at 1,500 epochs: ReLU's curve is a rough zigzag and tanh's
# almost a straight line (training MSE about 0.15 and 0.43, validation MSE 0.15 and 0.38, far
# above the noise level 0.01), so the error was bias. Gradient descent with a small learning rate
# had simply not finished: it moves slowly along long, nearly flat stretches of the loss (tanh's
# plateau). Ten times more epochs lowered both losses a lot: the ReLU network now follows the sine
# (training 0.011, validation 0.013) and the tanh network has most of its shape (both about 0.05,
# and still falling). The validation loss went down together with the training loss and stayed
# close to it, because 97 parameters trained on 300 points cannot memorise the noise. More epochs
# do not always help: once the training loss reaches the noise level, the only thing left to learn
# is the noise. With a bigger network or fewer points the training loss would keep falling below
# 0.01 while the validation loss rose again (overfitting, high variance), which is why we watch a
# validation set and stop when it stops improving (early stopping).
# ### END SOLUTION
