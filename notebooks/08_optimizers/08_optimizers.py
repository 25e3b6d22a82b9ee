# %% [markdown]
# # Stage 08: optimizers, from SGD to Adam
#
# Until now every network was trained with the same update, $w \leftarrow w - \eta\, g$: take the
# gradient and step against it. That rule uses nothing but the current gradient, so it cannot tell
# a long gentle slope from a steep, narrow ravine, and one learning rate has to serve every
# parameter at once. The optimizers in this stage remember something about past gradients, a
# running average of them (momentum) or of their squares (RMSProp), or both (Adam), and use it to
# take better steps.
#
# **You will**
# - implement five optimizers behind one interface, `step(params, grads)`, each updating the
#   parameter arrays in place and keeping its own state for every parameter;
# - watch all five walk down a long, narrow valley, where plain gradient descent zigzags;
# - train the same small network on MNIST with each of them;
# - run a random search over the learning rate, and see how sensitive each method is to it.
#
# **Time:** about two and a half hours: 40 minutes of reading, an hour of coding (five short
# classes; Nesterov's derivation and Adam's bookkeeping take the longest), 30 minutes for the
# report. Running every cell takes about 15 seconds on an idle computer (the reference solution
# used 10 seconds of processor time), almost all of it the MNIST training of sections 8 and 9.
# **Needs:** gradient descent and the learning rate (stage 01); a network's forward and backward
# pass (stages 02 and 03) and softmax with cross-entropy on minibatches (stage 05), which are given
# here in a read-only cell. Python classes with attributes (`self.lr`) and numpy's in-place
# operators (`-=`).
#
# Cells marked **TODO** are yours. Above each one, collapsed **hints** (click to open) lead from
# the idea to the formula: try without them first, then open one at a time. The test cell after
# each one checks your work straight away; the grader runs more checks of the same kind later, so
# make your code correct in general, not just for the examples shown.

# %%
import contextlib

import matplotlib.pyplot as plt
import numpy as np

from helpers import progress, seed_everything, under_grader
from helpers.mnist import load_mnist
from helpers.plotting import plot_curves
from helpers.testing import assert_close, assert_unchanged, call

rng = seed_everything(0)

# %% [markdown]
# ## 1. One interface for every optimizer
#
# A training loop now looks like this:
#
# ```python
# optimizer = Adam(lr=1e-3)
# for x_batch, y_batch in batches:
#     loss = forward and backward pass        # fills every layer's gradients
#     optimizer.step(model.parameters(), model.gradients())
# ```
#
# `params` is a list of the model's parameter arrays, **the very arrays the layers compute with**,
# and `grads` the list of their gradients, in the same order: `grads[i]` has the shape of
# `params[i]`. The model hands over the same arrays in the same order at every step.
#
# **Update in place.** The layer holds a reference to its weight array. `w -= lr * g` (or
# `w[...] = ...`) changes that array, so the layer sees the new weights. `w = w - lr * g` computes
# a new array and binds the local name `w` to it; the layer still holds the old one, and training
# silently does nothing. The cell below shows the difference.
#
# **State, one per parameter.** Every optimizer except SGD remembers something between steps: an
# array with the shape of each parameter. Create it filled with zeros on the first call to `step`
# (only then do you know the shapes), keep it in a list in the order of `params` (or a dict keyed
# by the position `i`), and never let two parameters, or two optimizer objects, share it. State
# belongs to the object (`self.something`, set in `__init__`), not to the class.
#
# The picture previews the state of the optimizers to come (each section below explains its row):
# at every step the gradient updates the state, the state sets the step, and the new state is kept
# for the next call.
#
# ![One call of step for momentum, RMSProp and Adam: the gradient updates the velocity or the running averages, which are kept for the next step, and these set the change of the parameter, written into it in place](figure:optimizer_state)

# %%
weights = np.ones(3)
params = [weights]

for w in params:
    w = w - 0.1  # a new array, bound to the local name w; `weights` is untouched
print("after  w = w - 0.1:", weights)

for w in params:
    w -= 0.1     # changes the array itself, so `weights` changes too
print("after  w -= 0.1:   ", weights)

# %% [markdown]
# ### How the tests check an optimizer
#
# The read-only cell below is used by every test cell of this stage. `check_steps` runs your
# optimizer for several steps on copies of some parameters, then checks after **each** step that
# every parameter array the caller holds has changed in place to the value the test worked out by
# itself, and that the gradients were left alone. `random_problem` makes parameters of several
# shapes with a different sequence of gradients for each.

# %% nbgrader={"grade_id": "given_optimizer_checks", "locked": true}
def random_problem(seed, shapes, scales, steps, dtype=np.float64):
    """Initial parameters (one per shape) and `steps` lists of gradients, gradient i scaled by scales[i]."""
    problem_rng = np.random.default_rng(seed)
    initial = [problem_rng.normal(size=shape).astype(dtype) for shape in shapes]
    grad_steps = [[(scale * problem_rng.normal(size=shape)).astype(dtype) for shape, scale in zip(shapes, scales)]
                  for _ in range(steps)]
    return initial, grad_steps


def check_steps(name, optimizer, initial, grad_steps, expected_steps, rtol=1e-10, atol=1e-12, case=""):
    """Call optimizer.step once per entry of grad_steps on copies of `initial`, checking as it goes.

    expected_steps[t][i] is the value parameter i must have after step t + 1. The arrays are passed
    in a new list at every call, as a model's parameters() would. Returns the parameter arrays.
    """
    params = [np.array(p, copy=True) for p in initial]
    prefix = f"{case}: " if case else ""
    for t, grads in enumerate(grad_steps, start=1):
        grads_before = [np.array(g, copy=True) for g in grads]
        params_before = [np.array(p, copy=True) for p in params]
        call(optimizer.step, list(params), grads, name=f"{name}.step")
        for i, (g_before, g) in enumerate(zip(grads_before, grads)):
            assert_unchanged(f"{name}.step", f"grads[{i}]", g_before, g)
        for i, (p, p_before, expected) in enumerate(zip(params, params_before, expected_steps[t - 1])):
            where = f"{prefix}after step {t}, parameter {i} of shape {p.shape}"
            if np.array_equal(p, p_before) and not np.array_equal(np.asarray(expected, dtype=p.dtype), p_before):
                raise AssertionError(
                    f"{name}.step ({where}): the caller's array did not change. Update each parameter in "
                    "place (`w -= ...` or `w[...] = ...`); `w = w - ...` or `params[i] = ...` makes a new "
                    "array that the model never sees.")
            assert_close(f"{name}.step", p, expected, rtol=rtol, atol=atol, case=where)
    return params


# %% [markdown]
# ## 2. Stochastic gradient descent
#
# The baseline, used since stage 01. With learning rate $\eta$ and gradient $g = \partial L / \partial w$:
#
# $$w \leftarrow w - \eta\, g .$$
#
# It needs no memory. It is "stochastic" because $g$ is computed on a random minibatch rather than
# on the whole training set, which makes it a noisy but cheap estimate of the true gradient.
#
# **TODO:** implement `SGD`.
#
# <details><summary>Hint 1: the idea</summary>
#
# `step` walks through the parameters and their gradients side by side (`zip(params, grads)`)
# and moves each parameter array by one gradient step. SGD keeps nothing between steps.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# The step must change the arrays the model holds: an in-place operator such as `w -= ...`
# writes into the array `w` refers to; see the cell above.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# For each pair: `w -= self.lr * g`.
#
# </details>

# %% nbgrader={"grade_id": "SGD", "solution": true}
class SGD:
    """Stochastic gradient descent, the update of section 2; it keeps no state between steps.

    Interface shared by every optimizer of this stage (used by the tests, the training loops below
    and later stages): the constructor takes the hyperparameters, and step(params, grads) updates
    every parameter array in place and returns None.
    """

    def __init__(self, lr):
        """lr: the learning rate, a positive float, kept as self.lr."""
        ### BEGIN SOLUTION
        self.lr = lr
        ### END SOLUTION

    def step(self, params, grads):
        """Take one step: update every array of params in place (their dtype stays the same).

        params: list of parameter arrays (the same arrays, in the same order, at every call).
        grads: list of arrays, grads[i] the gradient for params[i], same shape. Not modified.
        """
        ### BEGIN SOLUTION
        for w, g in zip(params, grads):
            w -= self.lr * g
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_SGD", "points": 2}
assert "SGD" in globals(), "SGD is not defined: run the cell that defines it (and fix the error it shows)"
optimizer = call(SGD, 0.1)
w = np.array([1.0, 2.0, -3.0])
g = np.array([0.5, -1.0, 0.0])
call(optimizer.step, [w], [g], name="SGD.step")
assert not np.array_equal(w, [1.0, 2.0, -3.0]), (
    "SGD.step: the caller's array did not change. Update each parameter in place (`w -= ...` or "
    "`w[...] = ...`); `w = w - ...` or `params[i] = ...` makes a new array that the model never sees")
# worked by hand: each entry moves by a tenth of its gradient, against it
assert_close("SGD.step", w, [0.95, 2.1, -3.0], case="lr=0.1, w=[1, 2, -3], g=[0.5, -1, 0]: did w change in place?")
assert_close("SGD.step: g afterwards", g, [0.5, -1.0, 0.0], case="the gradient must not be modified")
initial, grad_steps = [np.array([[1.0, -1.0]]), np.array([0.0])], [[np.array([[1.0, 2.0]]), np.array([4.0])]] * 2
check_steps("SGD", SGD(0.5), initial, grad_steps, [[[[0.5, -2.0]], [-2.0]], [[[0.0, -3.0]], [-4.0]]],
            case="lr=0.5, two parameters, two steps")
print("SGD: visible tests passed")
### BEGIN HIDDEN TESTS
_shapes, _scales = [(3, 4), (4,), (1, 1), (4,)], [1.0, 3.0, 1e-5, 0.5]
for _seed, _lr in [(811, 0.1), (812, 0.003), (813, 1.0)]:
    _initial, _grad_steps = random_problem(_seed, _shapes, _scales, steps=5)
    _w = [p.copy() for p in _initial]
    _expected = []
    for _grads in _grad_steps:
        _w = [_wi - _lr * _gi for _wi, _gi in zip(_w, _grads)]
        _expected.append([_wi.copy() for _wi in _w])
    check_steps("SGD", SGD(_lr), _initial, _grad_steps, _expected, case=f"SGD({_lr}), 4 parameters, 5 steps")
# keyword argument, float32 parameters and gradients
_initial, _grad_steps = random_problem(814, _shapes, [1.0, 3.0, 1e-3, 0.5], steps=3, dtype=np.float32)
_w = [p.astype(np.float64) for p in _initial]
_expected = []
for _grads in _grad_steps:
    _w = [_wi - 0.05 * _gi.astype(np.float64) for _wi, _gi in zip(_w, _grads)]
    _expected.append([_wi.copy() for _wi in _w])
_out = check_steps("SGD", SGD(lr=0.05), _initial, _grad_steps, _expected, rtol=1e-5, atol=1e-6,
                   case="SGD(lr=0.05), float32 parameters")
assert all(_p.dtype == np.float32 for _p in _out), "SGD.step: float32 parameters must stay float32"
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Momentum
#
# Picture a ball rolling downhill. It does not follow the slope beneath it from one instant to the
# next; it has a **velocity** that the slope changes a little at a time. Momentum keeps a velocity
# $v$ per parameter, starting at zero, with a friction factor $\beta \in [0, 1)$:
#
# $$v \leftarrow \beta\, v - \eta\, g, \qquad w \leftarrow w + v .$$
#
# Unrolled, $v$ is a decaying sum of all past steps, $v_t = -\eta \sum_{k \le t} \beta^{t-k} g_k$.
# Where the gradient keeps pointing the same way, the terms add up and the step grows towards
# $\eta\, g / (1 - \beta)$, ten times plain SGD's for $\beta = 0.9$. Where it flips sign from step
# to step (across a ravine), the terms largely cancel: a gradient alternating between $+c$ and
# $-c$ gives a velocity of only about $\eta c / (1 + \beta)$. So momentum can take long steps
# along consistent directions while its steps across a ravine stay short; section 7 shows what
# that does, and what too large a $\beta$ does.
#
# **TODO:** implement `Momentum`, with one velocity array per parameter, zeros before the first step.
#
# <details><summary>Hint 1: the idea</summary>
#
# The velocities are state: make them on the first call to `step`, when the shapes are known
# (for example a list `[np.zeros_like(w) for w in params]`, kept in `self`), and reuse them at
# every later call. Set the attribute to `None` in `__init__` so that `step` can tell.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Per parameter: first the new velocity from the old one and the gradient, then the parameter
# moves by the **new** velocity. Either update the velocity array in place (`v *= ...`,
# `v -= ...`) or store the new array back into your list; a new array bound only to a loop
# variable is lost at the next step.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# For parameter `i`: `v = beta * v - lr * g` (kept as the velocity of parameter `i`), then
# `w += v`.
#
# </details>

# %% nbgrader={"grade_id": "Momentum", "solution": true}
class Momentum:
    """SGD with momentum (section 3): one velocity array per parameter, kept between steps."""

    def __init__(self, lr, beta=0.9):
        """lr: the learning rate; beta: the momentum coefficient (the fraction of the velocity kept
        each step), 0 <= beta < 1. Kept as self.lr and self.beta."""
        ### BEGIN SOLUTION
        self.lr = lr
        self.beta = beta
        self.velocities = None  # one array per parameter, made on the first step
        ### END SOLUTION

    def step(self, params, grads):
        """Update every array of params in place, and the velocities.

        params: list of parameter arrays (the same arrays, in the same order, at every call).
        grads: list of arrays, grads[i] the gradient for params[i], same shape. Not modified.
        The velocity of each parameter has the parameter's shape and is zero before the first step;
        it belongs to this object (two Momentum objects never share velocities).
        """
        ### BEGIN SOLUTION
        if self.velocities is None:
            self.velocities = [np.zeros_like(w) for w in params]
        for w, g, v in zip(params, grads, self.velocities):
            v *= self.beta
            v -= self.lr * g
            w += v
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_Momentum", "points": 3}
assert "Momentum" in globals(), "Momentum is not defined: run the cell that defines it (and fix the error it shows)"
optimizer = call(Momentum, 0.1)
w = np.array([1.0])
call(optimizer.step, [w], [np.array([1.0])], name="Momentum.step")
assert not np.array_equal(w, [1.0]), (
    "Momentum.step: the caller's array did not change. Update each parameter in place (`w -= ...` or "
    "`w[...] = ...`); `w = w - ...` or `params[i] = ...` makes a new array that the model never sees")
# worked by hand: the velocity starts at 0, so the first step is a plain one, -0.1
assert_close("Momentum.step", w, [0.9], case="lr=0.1, beta=0.9 (default), w=1, g=1, first step")
call(optimizer.step, [w], [np.array([1.0])], name="Momentum.step")
# the second step keeps 0.9 of the first (-0.09) and adds a new -0.1: w = 0.9 - 0.19
if np.allclose(w, [0.8]):
    raise AssertionError("Momentum.step (lr=0.1, beta=0.9, g=1 twice): the second step equals the first, as in "
                         "plain SGD; the velocity of the first step must be kept and carried into the second")
assert_close("Momentum.step", w, [0.71], case="lr=0.1, beta=0.9, g=1 again: the velocity must carry over")
initial, grad_steps = [np.array([1.0]), np.array([1.0])], [[np.array([1.0]), np.array([-1.0])]] * 2
check_steps("Momentum", Momentum(0.1), initial, grad_steps, [[[0.9], [1.1]], [[0.71], [1.29]]],
            case="two parameters with opposite gradients: one velocity each")
print("Momentum: visible tests passed")
### BEGIN HIDDEN TESTS
def _momentum_reference(initial, grad_steps, lr, beta):
    _w = [np.array(p, dtype=np.float64) for p in initial]
    _v = [np.zeros(p.shape) for p in initial]
    _expected = []
    for _grads in grad_steps:
        for _i, _g in enumerate(_grads):
            _v[_i] = beta * _v[_i] - lr * np.asarray(_g, dtype=np.float64)
            _w[_i] = _w[_i] + _v[_i]
        _expected.append([_wi.copy() for _wi in _w])
    return _expected


_shapes, _scales = [(3, 4), (4,), (1, 1), (4,)], [1.0, 3.0, 1e-5, 0.5]
_initial, _grad_steps = random_problem(821, _shapes, _scales, steps=5)
check_steps("Momentum", Momentum(0.05), _initial, _grad_steps, _momentum_reference(_initial, _grad_steps, 0.05, 0.9),
            case="Momentum(0.05), 4 parameters, 5 steps")
_initial, _grad_steps = random_problem(822, _shapes, _scales, steps=5)
check_steps("Momentum", Momentum(lr=0.2, beta=0.5), _initial, _grad_steps,
            _momentum_reference(_initial, _grad_steps, 0.2, 0.5), case="Momentum(lr=0.2, beta=0.5)")
# two optimizers must not share velocities
_first, _second = Momentum(0.1, beta=0.8), Momentum(0.1, beta=0.8)
_initial, _grad_steps = random_problem(823, _shapes, _scales, steps=3)
check_steps("Momentum", _first, _initial, _grad_steps, _momentum_reference(_initial, _grad_steps, 0.1, 0.8),
            case="the first of two Momentum objects")
_initial, _grad_steps = random_problem(824, _shapes, _scales, steps=3)
check_steps("Momentum", _second, _initial, _grad_steps, _momentum_reference(_initial, _grad_steps, 0.1, 0.8),
            case="a second Momentum object, used after the first (is the state shared between objects?)")
# float32 parameters and gradients
_initial, _grad_steps = random_problem(825, _shapes, [1.0, 3.0, 1e-3, 0.5], steps=4, dtype=np.float32)
_out = check_steps("Momentum", Momentum(0.05), _initial, _grad_steps,
                   _momentum_reference(_initial, _grad_steps, 0.05, 0.9), rtol=1e-5, atol=1e-6,
                   case="float32 parameters")
assert all(_p.dtype == np.float32 for _p in _out), "Momentum.step: float32 parameters must stay float32"
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Nesterov momentum
#
# Momentum computes the gradient where the ball **is**, although it already knows it is about to
# move by roughly $\beta v$. Nesterov's accelerated gradient looks ahead: it takes the gradient at
# the point $w + \beta v$ the velocity is carrying it to, and so corrects an overshoot one step
# earlier:
#
# $$v \leftarrow \beta v - \eta\, \nabla L(w + \beta v), \qquad w \leftarrow w + v .$$
#
# ![Momentum and Nesterov from the same point and velocity: both move by beta v, then momentum adds the gradient step taken at w and Nesterov the one taken at w + beta v, which already turns back towards the valley floor](figure:nesterov_lookahead)
#
# A training loop computes gradients only at the parameters it holds. The trick (used by most
# libraries) is to store the look-ahead point itself, $\tilde w = w + \beta v$, as the parameter.
# Then the gradient we are given, $g = \nabla L(\tilde w)$, is the one the method needs. Your
# optimizer only ever sees $\tilde w$ (it is the array in `params`) and keeps $v$; derive how one
# step changes $\tilde w$, in terms of $g$, the velocity before the step $v_\text{prev}$ and the
# velocity after it $v_\text{new} = \beta v_\text{prev} - \eta\, g$.
#
# **TODO:** implement `Nesterov` with the update you derived, one velocity per parameter, zeros
# before the first step.
#
# <details><summary>Hint 1: the idea</summary>
#
# The relation $\tilde w = w + \beta v$ holds before the step (with $v_\text{prev}$) and after it
# (with $v_\text{new}$). Write the new $\tilde w$ through the new $w$, and the new $w$ through the
# old $w$, which you can express through the old $\tilde w$.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# $\tilde w_\text{new} = w_\text{new} + \beta v_\text{new}$ and $w_\text{new} = w + v_\text{new}$,
# with $w = \tilde w - \beta v_\text{prev}$. Substitute and collect the $v_\text{new}$ terms.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $$v_\text{new} = \beta v_\text{prev} - \eta\, g, \qquad
#   \tilde w \leftarrow \tilde w - \beta\, v_\text{prev} + (1 + \beta)\, v_\text{new} ,$$
#
# and $v_\text{new}$ becomes the velocity kept for the next step. Careful: $v_\text{prev}$ must
# keep the **old** velocity. If you update the velocity array in place, copy it first
# (`v_prev = v.copy()`): `v_prev = v` only gives the same array a second name.
#
# </details>

# %% nbgrader={"grade_id": "Nesterov", "solution": true}
class Nesterov:
    """Nesterov momentum in the look-ahead form of section 4: the parameters ARE the look-ahead
    points w + beta * v, and their gradients are taken there. One velocity array per parameter."""

    def __init__(self, lr, beta=0.9):
        """lr: the learning rate; beta: the momentum coefficient, 0 <= beta < 1. Kept as self.lr and
        self.beta."""
        ### BEGIN SOLUTION
        self.lr = lr
        self.beta = beta
        self.velocities = None
        ### END SOLUTION

    def step(self, params, grads):
        """Update every array of params in place, and the velocities.

        params: list of parameter arrays (the same arrays, in the same order, at every call).
        grads: list of arrays, grads[i] the gradient for params[i], same shape. Not modified.
        The velocity of each parameter has the parameter's shape and is zero before the first step.
        """
        ### BEGIN SOLUTION
        if self.velocities is None:
            self.velocities = [np.zeros_like(w) for w in params]
        for i, (w, g) in enumerate(zip(params, grads)):
            v_prev = self.velocities[i]
            v = self.beta * v_prev - self.lr * g
            w += -self.beta * v_prev + (1 + self.beta) * v
            self.velocities[i] = v
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_Nesterov", "points": 3}
assert "Nesterov" in globals(), "Nesterov is not defined: run the cell that defines it (and fix the error it shows)"
optimizer = call(Nesterov, 0.1)
w = np.array([1.0])
call(optimizer.step, [w], [np.array([1.0])], name="Nesterov.step")
assert not np.array_equal(w, [1.0]), (
    "Nesterov.step: the caller's array did not change. Update each parameter in place (`w -= ...` or "
    "`w[...] = ...`); `w = w - ...` or `params[i] = ...` makes a new array that the model never sees")
# worked by hand: the velocity goes from 0 to -0.1; the stored look-ahead point moves by 1.9 times that
if np.allclose(w, [0.9]):
    raise AssertionError("Nesterov.step (lr=0.1, beta=0.9, w=1, g=1, first step): w moved by the velocity alone, "
                         "as in plain momentum; w holds the look-ahead point, which moves by more (derive how). "
                         "If you update the velocity in place, did you keep a copy of the old one?")
assert_close("Nesterov.step", w, [0.81], case="lr=0.1, beta=0.9 (default), w=1, g=1, first step")
call(optimizer.step, [w], [np.array([1.0])], name="Nesterov.step")
# the velocity goes from -0.1 to -0.19: w = 0.81 + 0.09 - 0.361
assert_close("Nesterov.step", w, [0.539],
             case="lr=0.1, beta=0.9, g=1 again: the step uses the velocity before and after it")
initial, grad_steps = [np.array([1.0]), np.array([1.0])], [[np.array([1.0]), np.array([-1.0])]] * 2
check_steps("Nesterov", Nesterov(0.1), initial, grad_steps, [[[0.81], [1.19]], [[0.539], [1.461]]],
            case="two parameters with opposite gradients: one velocity each")
print("Nesterov: visible tests passed")
### BEGIN HIDDEN TESTS
def _nesterov_reference(initial, grad_steps, lr, beta):
    _w = [np.array(p, dtype=np.float64) for p in initial]
    _v = [np.zeros(p.shape) for p in initial]
    _expected = []
    for _grads in grad_steps:
        for _i, _g in enumerate(_grads):
            _v_old = _v[_i]
            _v[_i] = beta * _v_old - lr * np.asarray(_g, dtype=np.float64)
            _w[_i] = _w[_i] - beta * _v_old + (1 + beta) * _v[_i]
        _expected.append([_wi.copy() for _wi in _w])
    return _expected


_shapes, _scales = [(3, 4), (4,), (1, 1), (4,)], [1.0, 3.0, 1e-5, 0.5]
_initial, _grad_steps = random_problem(831, _shapes, _scales, steps=5)
check_steps("Nesterov", Nesterov(0.05), _initial, _grad_steps, _nesterov_reference(_initial, _grad_steps, 0.05, 0.9),
            case="Nesterov(0.05), 4 parameters, 5 steps")
_initial, _grad_steps = random_problem(832, _shapes, _scales, steps=5)
check_steps("Nesterov", Nesterov(lr=0.2, beta=0.5), _initial, _grad_steps,
            _nesterov_reference(_initial, _grad_steps, 0.2, 0.5), case="Nesterov(lr=0.2, beta=0.5)")
_first, _second = Nesterov(0.1, beta=0.8), Nesterov(0.1, beta=0.8)
_initial, _grad_steps = random_problem(833, _shapes, _scales, steps=3)
check_steps("Nesterov", _first, _initial, _grad_steps, _nesterov_reference(_initial, _grad_steps, 0.1, 0.8),
            case="the first of two Nesterov objects")
_initial, _grad_steps = random_problem(834, _shapes, _scales, steps=3)
check_steps("Nesterov", _second, _initial, _grad_steps, _nesterov_reference(_initial, _grad_steps, 0.1, 0.8),
            case="a second Nesterov object, used after the first (is the state shared between objects?)")
_initial, _grad_steps = random_problem(835, _shapes, [1.0, 3.0, 1e-3, 0.5], steps=4, dtype=np.float32)
_out = check_steps("Nesterov", Nesterov(0.05), _initial, _grad_steps,
                   _nesterov_reference(_initial, _grad_steps, 0.05, 0.9), rtol=1e-5, atol=1e-6,
                   case="float32 parameters")
assert all(_p.dtype == np.float32 for _p in _out), "Nesterov.step: float32 parameters must stay float32"
### END HIDDEN TESTS

# %% [markdown]
# ## 5. RMSProp
#
# Momentum uses one learning rate for every parameter. But the gradient of one weight may be a
# hundred times larger than another's, and then no single $\eta$ suits both: small enough for the
# steep direction is far too small for the flat one. RMSProp divides each coordinate's step by a
# running estimate of that coordinate's gradient size, the root of a decaying mean of squared
# gradients:
#
# $$s \leftarrow \rho\, s + (1 - \rho)\, g^2, \qquad w \leftarrow w - \eta\, \frac{g}{\sqrt{s} + \epsilon},$$
#
# elementwise, with $s$ starting at zero, a decay rate $\rho$ (0.99 here) and a small
# $\epsilon$ (outside the square root) that keeps the division finite where gradients are zero.
# A coordinate whose gradients are consistently of size $c$ ends up with $\sqrt s \approx c$, so
# its step is about $\eta$ whatever $c$ is: the step size no longer depends on the scale of the
# gradient. "Ends up": $s$ starts at zero, so after $t$ steps of a constant $c$ it is only
# $(1 - \rho^t)\, c^2$, and the first steps are larger, $\eta / \sqrt{1 - \rho^t}$: ten times
# $\eta$ at the first step for $\rho = 0.99$, still twice $\eta$ after 30 steps. (Adam, below,
# corrects for this.)
#
# **TODO:** implement `RMSProp`.
#
# <details><summary>Hint 1: the idea</summary>
#
# Like the velocities of momentum, the running means $s$ are state: one zero array per parameter,
# made on the first call to `step` and reused afterwards. Everything is elementwise: `g ** 2`
# squares every entry, `np.sqrt` takes the root of every entry.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Update $s$ first, then use the **new** $s$ in the step. $\epsilon$ is added after the square
# root, and the tests check that: with gradients of about $10^{-5}$, $\sqrt{s}$ is about
# $10^{-6}$ and $\epsilon = 10^{-8}$ is not negligible.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# For parameter `i`: `s = decay * s + (1 - decay) * g ** 2` (kept as its running mean), then
# `w -= lr * g / (np.sqrt(s) + eps)`.
#
# </details>

# %% nbgrader={"grade_id": "RMSProp", "solution": true}
class RMSProp:
    """RMSProp (section 5): one running mean of the squared gradient per parameter, kept between steps."""

    def __init__(self, lr, decay=0.99, eps=1e-8):
        """lr: the learning rate; decay: the fraction rho of the running mean of g**2 kept each step;
        eps: added to sqrt(s), OUTSIDE the square root, to avoid division by zero.
        Kept as self.lr, self.decay and self.eps."""
        ### BEGIN SOLUTION
        self.lr = lr
        self.decay = decay
        self.eps = eps
        self.squares = None  # the running mean of g**2, one array per parameter
        ### END SOLUTION

    def step(self, params, grads):
        """Update every array of params in place, and the running means of the squared gradients.

        params: list of parameter arrays (the same arrays, in the same order, at every call).
        grads: list of arrays, grads[i] the gradient for params[i], same shape. Not modified.
        Each running mean s has its parameter's shape, is zero before the first step and belongs to
        this object. Everything is elementwise.
        """
        ### BEGIN SOLUTION
        if self.squares is None:
            self.squares = [np.zeros_like(w) for w in params]
        for w, g, s in zip(params, grads, self.squares):
            s *= self.decay
            s += (1 - self.decay) * g ** 2
            w -= self.lr * g / (np.sqrt(s) + self.eps)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_RMSProp", "points": 3}
assert "RMSProp" in globals(), "RMSProp is not defined: run the cell that defines it (and fix the error it shows)"
optimizer = call(RMSProp, 0.01)
w = np.array([1.0, 0.0])
call(optimizer.step, [w], [np.array([2.0, 0.0])], name="RMSProp.step")
assert not np.array_equal(w, [1.0, 0.0]), (
    "RMSProp.step: the caller's array did not change. Update each parameter in place (`w -= ...` or "
    "`w[...] = ...`); `w = w - ...` or `params[i] = ...` makes a new array that the model never sees")
# worked by hand: after one step the running mean of g**2 is 0.01 * 4 = 0.04, whose root is 0.2, so
# the first entry moves by 0.01 * 2 / 0.2 = 0.1; a zero gradient moves nothing
assert_close("RMSProp.step", w, [0.9, 0.0], case="lr=0.01, decay=0.99 (default), w=[1, 0], g=[2, 0], first step")
call(optimizer.step, [w], [np.array([2.0, 0.0])], name="RMSProp.step")
# the running mean becomes 0.99 * 0.04 + 0.01 * 4 = 0.0796: the step is 0.02 / sqrt(0.0796) = 0.0708881
assert_close("RMSProp.step", w, [0.8291119, 0.0], rtol=1e-6, case="lr=0.01, g=[2, 0] again")
initial, grad_steps = [np.array([1.0]), np.array([1.0])], [[np.array([2.0]), np.array([-0.5])]]
check_steps("RMSProp", RMSProp(0.01), initial, grad_steps, [[[0.9], [1.1]]], rtol=1e-6, atol=1e-8,
            case="two parameters, gradients 2 and -0.5: both move by 10 * lr on the first step")
# a gradient of 1e-8: the running mean's root is 1e-9, so eps = 1e-8 dominates the denominator
w = np.array([0.0])
RMSProp(0.01).step([w], [np.array([1e-8])])
if abs(w[0]) < 1e-4:
    raise AssertionError("RMSProp.step (lr=0.01, g=1e-8, first step): the step is far too small; add eps to the "
                         "square root of s, outside it (sqrt(s + eps) is about 1e-4 here, sqrt(s) + eps about 1.1e-8)")
assert_close("RMSProp.step", w, [-0.01 / 1.1], rtol=1e-6, case="lr=0.01, w=0, g=1e-8, first step: eps matters")
print("RMSProp: visible tests passed")
### BEGIN HIDDEN TESTS
def _rmsprop_reference(initial, grad_steps, lr, decay, eps):
    _w = [np.array(p, dtype=np.float64) for p in initial]
    _s = [np.zeros(p.shape) for p in initial]
    _expected = []
    for _grads in grad_steps:
        for _i, _g in enumerate(_grads):
            _g = np.asarray(_g, dtype=np.float64)
            _s[_i] = decay * _s[_i] + (1 - decay) * _g * _g
            _w[_i] = _w[_i] - lr * _g / (np.sqrt(_s[_i]) + eps)
        _expected.append([_wi.copy() for _wi in _w])
    return _expected


# parameter 2 has gradients of about 1e-5, so sqrt(s) is about 1e-6 and eps = 1e-8 matters
_shapes, _scales = [(3, 4), (4,), (1, 1), (4,)], [1.0, 3.0, 1e-5, 0.5]
_initial, _grad_steps = random_problem(841, _shapes, _scales, steps=5)
check_steps("RMSProp", RMSProp(0.01), _initial, _grad_steps,
            _rmsprop_reference(_initial, _grad_steps, 0.01, 0.99, 1e-8), case="RMSProp(0.01), 4 parameters, 5 steps")
_initial, _grad_steps = random_problem(842, _shapes, [1.0, 3.0, 1e-2, 0.5], steps=5)
check_steps("RMSProp", RMSProp(lr=0.03, decay=0.9, eps=1e-3), _initial, _grad_steps,
            _rmsprop_reference(_initial, _grad_steps, 0.03, 0.9, 1e-3), case="RMSProp(lr=0.03, decay=0.9, eps=1e-3)")
_first, _second = RMSProp(0.02, decay=0.8), RMSProp(0.02, decay=0.8)
_initial, _grad_steps = random_problem(843, _shapes, _scales, steps=3)
check_steps("RMSProp", _first, _initial, _grad_steps, _rmsprop_reference(_initial, _grad_steps, 0.02, 0.8, 1e-8),
            case="the first of two RMSProp objects")
_initial, _grad_steps = random_problem(844, _shapes, _scales, steps=3)
check_steps("RMSProp", _second, _initial, _grad_steps, _rmsprop_reference(_initial, _grad_steps, 0.02, 0.8, 1e-8),
            case="a second RMSProp object, used after the first (is the state shared between objects?)")
_initial, _grad_steps = random_problem(845, _shapes, [1.0, 3.0, 1e-3, 0.5], steps=4, dtype=np.float32)
_out = check_steps("RMSProp", RMSProp(0.01), _initial, _grad_steps,
                   _rmsprop_reference(_initial, _grad_steps, 0.01, 0.99, 1e-8), rtol=1e-5, atol=1e-6,
                   case="float32 parameters")
assert all(_p.dtype == np.float32 for _p in _out), "RMSProp.step: float32 parameters must stay float32"
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Adam
#
# Adam ("adaptive moment estimation") combines the two ideas: a running mean $m$ of the gradients
# (momentum's velocity, up to a factor) and a running mean $v$ of their squares (RMSProp's $s$):
#
# $$m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2 .$$
#
# Both start at zero, so for the first steps they are biased towards zero: after $t$ steps of a
# constant gradient $g$, $m = (1 - \beta_1^t)\, g$, only $0.1\,g$ after the first step. Dividing by
# that factor removes the bias exactly,
#
# $$\hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
#   w \leftarrow w - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon},$$
#
# where $t$ is the number of the current step: **1** on the first call to `step`, 2 on the second,
# and so on (increment it before computing the corrections; there is one counter per optimizer, as
# every parameter takes one step per call). The defaults $\eta = 10^{-3}$, $\beta_1 = 0.9$,
# $\beta_2 = 0.999$, $\epsilon = 10^{-8}$ are those of the original paper (Kingma and Ba, 2015),
# and they work surprisingly often. Since $|\hat m| / \sqrt{\hat v}$ is about 1 when the gradient is
# consistent, each step moves a parameter by roughly $\eta$ at most.
#
# **TODO:** implement `Adam`.
#
# <details><summary>Hint 1: the idea</summary>
#
# Adam keeps three things: an $m$ and a $v$ for every parameter (made, filled with zeros, on the
# first call to `step`) and **one** step counter $t$ for the whole optimizer (0 in `__init__`).
# Each call to `step` is one step of every parameter.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Increase $t$ once per call, before the parameters are updated, so the first step uses $t = 1$.
# The corrected $\hat m$ and $\hat v$ are used for this step only: compute them as new arrays and
# leave the stored $m$ and $v$ uncorrected (dividing the stored moments in place would correct
# them again at every step).
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# Once per call: `t += 1`. Then for each parameter, with its own `m` and `v`:
#
# ```python
# m = beta1 * m + (1 - beta1) * g          # kept for the next step
# v = beta2 * v + (1 - beta2) * g ** 2     # kept for the next step
# m_hat = m / (1 - beta1 ** t)             # for this step only
# v_hat = v / (1 - beta2 ** t)
# w -= lr * m_hat / (np.sqrt(v_hat) + eps)
# ```
#
# </details>

# %% nbgrader={"grade_id": "Adam", "solution": true}
class Adam:
    """Adam with bias correction (section 6): one m and one v per parameter, one step counter t."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        """lr: the learning rate; beta1, beta2: the fractions of the running means of g and g**2 kept
        each step; eps: added to sqrt(v_hat), OUTSIDE the square root.
        Kept as self.lr, self.beta1, self.beta2 and self.eps; the step counter starts at 0."""
        ### BEGIN SOLUTION
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t = 0
        self.m = None
        self.v = None
        ### END SOLUTION

    def step(self, params, grads):
        """Update every array of params in place, and the moments.

        params: list of parameter arrays (the same arrays, in the same order, at every call).
        grads: list of arrays, grads[i] the gradient for params[i], same shape. Not modified.
        The bias corrections use t, the number of this call to step (1 during the first call), one
        counter for the whole optimizer. m and v of each parameter have its shape, are zero before
        the first step, belong to this object and are stored uncorrected.
        """
        ### BEGIN SOLUTION
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
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_Adam", "points": 4}
assert "Adam" in globals(), "Adam is not defined: run the cell that defines it (and fix the error it shows)"
# With a constant gradient the bias correction is exact, so m_hat = g and v_hat = g**2 at every
# step: each coordinate moves by lr against the sign of its gradient (a zero gradient moves
# nothing), whatever the gradient's size.
optimizer = call(Adam, lr=0.1)
w = np.array([1.0, -2.0, 0.5])
g = np.array([3.0, -0.5, 0.0])
call(optimizer.step, [w], [g], name="Adam.step")
assert not np.array_equal(w, [1.0, -2.0, 0.5]), (
    "Adam.step: the caller's array did not change. Update each parameter in place (`w -= ...` or "
    "`w[...] = ...`); `w = w - ...` or `params[i] = ...` makes a new array that the model never sees")
assert_close("Adam.step", w, [0.9, -1.9, 0.5], case="lr=0.1, g=[3, -0.5, 0], first step: is t = 1?")
call(optimizer.step, [w], [g], name="Adam.step")
assert_close("Adam.step", w, [0.8, -1.8, 0.5], case="lr=0.1, the same g again: bias correction uses beta**t")
assert_close("Adam.step: g afterwards", g, [3.0, -0.5, 0.0], case="the gradient must not be modified")
# a gradient of 1e-8: sqrt(v_hat) is 1e-8, as large as eps, so the first step is half of lr
w = np.array([0.0])
Adam(lr=0.1).step([w], [np.array([1e-8])])
if abs(w[0]) < 1e-3:
    raise AssertionError("Adam.step (lr=0.1, g=1e-8, first step): the step is far too small; add eps to the "
                         "square root of v_hat, outside it (sqrt(v_hat + eps) is about 1e-4 here, sqrt(v_hat) + eps 2e-8)")
assert_close("Adam.step", w, [-0.05], rtol=1e-6, case="lr=0.1, w=0, g=1e-8, first step: eps matters")
initial, grad_steps = [np.array([1.0]), np.array([[1.0, 1.0]])], [[np.array([5.0]), np.array([[-0.01, 2.0]])]] * 3
check_steps("Adam", Adam(lr=0.1), initial, grad_steps,
            [[[0.9], [[1.1, 0.9]]], [[0.8], [[1.2, 0.8]]], [[0.7], [[1.3, 0.7]]]], rtol=1e-6, atol=1e-8,
            case="two parameters, constant gradients")
print("Adam: visible tests passed")
### BEGIN HIDDEN TESTS
def _adam_reference(initial, grad_steps, lr, beta1, beta2, eps):
    _w = [np.array(p, dtype=np.float64) for p in initial]
    _m = [np.zeros(p.shape) for p in initial]
    _v = [np.zeros(p.shape) for p in initial]
    _expected = []
    for _t, _grads in enumerate(grad_steps, start=1):
        for _i, _g in enumerate(_grads):
            _g = np.asarray(_g, dtype=np.float64)
            _m[_i] = beta1 * _m[_i] + (1 - beta1) * _g
            _v[_i] = beta2 * _v[_i] + (1 - beta2) * _g * _g
            _m_hat = _m[_i] / (1 - beta1 ** _t)
            _v_hat = _v[_i] / (1 - beta2 ** _t)
            _w[_i] = _w[_i] - lr * _m_hat / (np.sqrt(_v_hat) + eps)
        _expected.append([_wi.copy() for _wi in _w])
    return _expected


# parameter 2 has gradients of about 1e-5, so sqrt(v_hat) is about 1e-5 and eps = 1e-8 matters
_shapes, _scales = [(3, 4), (4,), (1, 1), (4,)], [1.0, 3.0, 1e-5, 0.5]
_initial, _grad_steps = random_problem(851, _shapes, _scales, steps=5)
check_steps("Adam", Adam(), _initial, _grad_steps, _adam_reference(_initial, _grad_steps, 1e-3, 0.9, 0.999, 1e-8),
            case="Adam() with the default hyperparameters, 4 parameters, 5 steps")
_initial, _grad_steps = random_problem(852, _shapes, [1.0, 3.0, 1e-2, 0.5], steps=5)
check_steps("Adam", Adam(lr=0.05, beta1=0.8, beta2=0.95, eps=1e-3), _initial, _grad_steps,
            _adam_reference(_initial, _grad_steps, 0.05, 0.8, 0.95, 1e-3),
            case="Adam(lr=0.05, beta1=0.8, beta2=0.95, eps=1e-3)")
_initial, _grad_steps = random_problem(853, _shapes, _scales, steps=5)
check_steps("Adam", Adam(0.02, 0.5, 0.7, 1e-6), _initial, _grad_steps,
            _adam_reference(_initial, _grad_steps, 0.02, 0.5, 0.7, 1e-6), case="Adam(0.02, 0.5, 0.7, 1e-6), positional")
_first, _second = Adam(0.01), Adam(0.01)
_initial, _grad_steps = random_problem(854, _shapes, _scales, steps=3)
check_steps("Adam", _first, _initial, _grad_steps, _adam_reference(_initial, _grad_steps, 0.01, 0.9, 0.999, 1e-8),
            case="the first of two Adam objects")
_initial, _grad_steps = random_problem(855, _shapes, _scales, steps=3)
check_steps("Adam", _second, _initial, _grad_steps, _adam_reference(_initial, _grad_steps, 0.01, 0.9, 0.999, 1e-8),
            case="a second Adam object, used after the first (is the state, or t, shared between objects?)")
_initial, _grad_steps = random_problem(856, _shapes, [1.0, 3.0, 1e-3, 0.5], steps=4, dtype=np.float32)
_out = check_steps("Adam", Adam(0.01), _initial, _grad_steps,
                   _adam_reference(_initial, _grad_steps, 0.01, 0.9, 0.999, 1e-8), rtol=1e-5, atol=1e-6,
                   case="float32 parameters")
assert all(_p.dtype == np.float32 for _p in _out), "Adam.step: float32 parameters must stay float32"
### END HIDDEN TESTS

# %% [markdown]
# ## 7. A long, narrow valley
#
# Before a real network, a picture. The loss
#
# $$f(x, y) = \tfrac12\,(a x^2 + b y^2), \qquad a = 1,\; b = 25,$$
#
# is a valley 25 times steeper across ($y$) than along ($x$): its contours are long thin ellipses,
# and its minimum is at the origin. Its gradient is $(a x,\, b y)$. Plain gradient descent
# multiplies $y$ by $1 - \eta b$ and $x$ by $1 - \eta a$ at every step, so it is stable only for
# $\eta < 2 / b = 0.08$. Within that limit SGD is stuck with a trade-off: a larger $\eta$ walks
# faster along the valley, but $1 - \eta b$ comes closer to $-1$, so $y$ flips sign at every step
# (a zigzag across the valley) and the zigzag dies out more slowly. This mismatch of curvatures,
# the **condition number** $b / a$, is what makes ill-conditioned problems slow, and real loss
# surfaces are full of such valleys.
#
# Every optimizer starts at $(-8, 1.5)$ and takes 60 steps. The parameter is one array of shape
# `(2,)` holding $(x, y)$. The first cell runs SGD with learning rates up to the limit, to find
# the best it can do here.

# %%
CURVATURE_X, CURVATURE_Y = 1.0, 25.0
VALLEY_START = np.array([-8.0, 1.5])
VALLEY_STEPS = 60


def valley_loss(x, y):
    return 0.5 * (CURVATURE_X * x ** 2 + CURVATURE_Y * y ** 2)


def valley_gradient(point):
    return np.array([CURVATURE_X * point[0], CURVATURE_Y * point[1]])


def walk_down_valley(optimizer, steps=VALLEY_STEPS):
    """The points visited by `optimizer` from VALLEY_START, as an array of shape (steps + 1, 2)."""
    point = VALLEY_START.copy()
    path = [point.copy()]
    with np.errstate(over="ignore", invalid="ignore"):  # a learning rate above the limit diverges
        for _ in range(steps):
            optimizer.step([point], [valley_gradient(point)])
            path.append(point.copy())
    return np.array(path)


print(f"SGD, loss after {VALLEY_STEPS} steps (it starts at {valley_loss(*VALLEY_START):.1f}):")
for lr in [0.05, 0.06, 0.07, 0.074, 0.075, 0.076, 0.077, 0.078, 0.081]:
    print(f"  lr {lr:5.3f}: {valley_loss(*walk_down_valley(SGD(lr))[-1]):9.2e}")

# %% [markdown]
# SGD does best with $\eta$ close to $0.076$; we run it at $\eta = 0.075$. For momentum the
# step along the valley builds up to $\eta / (1 - \beta)$ (section 3), so with $\eta = 0.025$ and
# $\beta = 0.7$ it approaches $0.083$, more than plain SGD can use without diverging. We also run
# momentum with the usual $\beta = 0.9$ (and $\eta = 0.02$), and Nesterov with the same $\eta$ and
# $\beta$ as the first momentum run. RMSProp and Adam get learning rates of their own, since
# their steps are measured in units of $\eta$ per coordinate.
#
# For each run the next cell prints the loss after 10, 30 and 60 steps; how far the point still
# swings across the valley, as the largest $|y|$ from step 10 on and from step 20 on; and how many
# times it overshoots the minimum along the valley ($x$ changes sign).

# %%
valley_optimizers = {
    "SGD (lr 0.075)": SGD(0.075),
    "Momentum (lr 0.025, beta 0.7)": Momentum(0.025, beta=0.7),
    "Momentum (lr 0.02, beta 0.9)": Momentum(0.02, beta=0.9),
    "Nesterov (lr 0.025, beta 0.7)": Nesterov(0.025, beta=0.7),
    "RMSProp (lr 0.3)": RMSProp(0.3),
    "Adam (lr 0.5)": Adam(0.5),
}
valley_paths = {label: walk_down_valley(optimizer) for label, optimizer in valley_optimizers.items()}
print(f"{'':30s} {'loss after 10':>13s} {'30':>9s} {'60 steps':>9s}   {'|y| from 10':>11s} {'from 20':>8s}"
      f"   {'overshoots':>10s}")
for label, path in valley_paths.items():
    losses_along = [valley_loss(*point) for point in path]
    overshoots = int(np.sum(np.sign(path[1:, 0]) * np.sign(path[:-1, 0]) < 0))
    print(f"{label:30s} {losses_along[10]:13.2e} {losses_along[30]:9.2e} {losses_along[-1]:9.2e}   "
          f"{np.abs(path[10:, 1]).max():11.3f} {np.abs(path[20:, 1]).max():8.3f}   {overshoots:10d}")

# %%
valley_colours = dict(zip(valley_paths, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
fig, (ax_momentum, ax_adaptive, ax_losses) = plt.subplots(3, 1, figsize=(11, 13),
                                                         gridspec_kw={"height_ratios": [1, 1, 0.9]})
grid_x, grid_y = np.meshgrid(np.linspace(-9.0, 3.0, 400), np.linspace(-2.5, 2.5, 200))
panels = [(ax_momentum, ["SGD (lr 0.075)", "Momentum (lr 0.025, beta 0.7)", "Momentum (lr 0.02, beta 0.9)",
                         "Nesterov (lr 0.025, beta 0.7)"], "SGD and the momentum methods"),
          (ax_adaptive, ["SGD (lr 0.075)", "RMSProp (lr 0.3)", "Adam (lr 0.5)"], "SGD and the adaptive methods")]
for ax, labels, what in panels:
    ax.contour(grid_x, grid_y, valley_loss(grid_x, grid_y), levels=np.logspace(-2, 2, 13), cmap="Greys",
               linewidths=0.8)
    for label in labels:
        path = valley_paths[label]
        ax.plot(path[:, 0], path[:, 1], "-o", ms=2.5, lw=1.3, color=valley_colours[label], label=label,
                alpha=0.45 if label.startswith("SGD") and ax is ax_adaptive else 1.0)
    ax.plot(*VALLEY_START, "k*", ms=15, label="start (-8, 1.5)")
    ax.plot(0.0, 0.0, "r+", ms=15, mew=2.5, label="minimum (0, 0)")
    ax.set_aspect("equal")
    ax.set_xlim(-9.0, 3.0)
    ax.set_ylim(-2.5, 2.5)
    ax.set_title(f"{what}: {VALLEY_STEPS} steps on f(x, y) = (x² + 25 y²) / 2, over its contour lines")
    ax.set_xlabel("x (shallow direction)")
    ax.set_ylabel("y (steep direction)")
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
for label, path in valley_paths.items():
    ax_losses.plot(np.arange(VALLEY_STEPS + 1), [valley_loss(*point) for point in path], lw=1.5,
                   color=valley_colours[label], label=label)
ax_losses.set_yscale("log")
ax_losses.set_ylim(1e-12, 1e3)
ax_losses.set_title("Loss along the way (log scale)")
ax_losses.set_xlabel("step")
ax_losses.set_ylabel("f(x, y)")
ax_losses.legend(loc="lower left", fontsize=8, ncol=2)
ax_losses.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# What the figure and the table show:
#
# - **SGD** zigzags: $y$ flips sign at every step, since $1 - 0.075 \cdot 25 = -0.875$, and after
#   20 steps it still swings about 0.1 across the valley. Along the valley it creeps (its $x$
#   shrinks by only $0.925$ per step), and no learning rate does much better: the scan above
#   shows the trade-off.
# - **Momentum with $\beta = 0.7$** does what section 3 promised. Across the valley the gradient
#   flips sign and the velocity stays small, so the zigzag turns into a slower, smaller swing (at
#   most 0.24 from step 10 on against SGD's 0.40, and 0.035 against 0.10 from step 20 on); along
#   the valley the velocity builds up, and after 60 steps its loss is more than a hundred times
#   lower than SGD's.
# - **Momentum with $\beta = 0.9$** has too much momentum for this valley: the velocity keeps 90%
#   of itself from one step to the next, so once it has built up along the valley it carries the
#   point past the minimum and back (two overshoots), and its swing across dies out slowly (still
#   0.5 from step 20 on). After 60 steps it is *behind* SGD. How much momentum helps depends on
#   $\beta$; with the noisy minibatch gradients of a real network, $\beta = 0.9$ is the usual
#   choice, as in section 8.
# - **Nesterov**, with the same $\eta$ and $\beta$ as the first momentum run, sees the swing coming:
#   its gradient, taken at the look-ahead point, already points back. Its motion across the valley
#   has died out within ten steps; along the valley it is a little slower than momentum here.
# - **RMSProp** divides each coordinate by its own gradient size, so the shallow direction moves as
#   fast as the steep one. Its first steps are large (about $10\eta = 3$ in each coordinate at the
#   first step, section 5), so it jumps across the valley a few times, but it reaches the minimum
#   long before every other method.
# - **Adam** moves each coordinate by at most about $\eta = 0.5$ per step from the start, so it
#   needs about 20 steps for the length of the valley; then its momentum ($\beta_1 = 0.9$) carries it past the
#   minimum (two overshoots) and it circles around it, ending with the highest loss here. Adam's
#   strengths, robustness to the scale and noise of the gradients, do not show on a smooth
#   two-dimensional bowl.

# %% [markdown]
# ## 8. The optimizers on MNIST
#
# Now a real network: a multilayer perceptron $784 \to 64 \to 10$ with ReLU, and the softmax
# cross-entropy loss of stage 05, trained on minibatches of 64 digits. The next cell is given (and
# read-only): the `Linear` layer of stage 02 (with He initialisation from stage 06 and `float32`
# weights, which halves the memory traffic and makes training faster), ReLU, and the loss with its
# gradient. The network's `parameters()` and `gradients()` return the lists your optimizers take.

# %% nbgrader={"grade_id": "given_mlp", "locked": true}
class Linear:
    """y = x @ W.T + b on a batch of rows, with He-normal float32 weights."""

    def __init__(self, in_dim, out_dim, rng):
        self.W = (rng.normal(size=(out_dim, in_dim)) * np.sqrt(2.0 / in_dim)).astype(np.float32)
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


class MLP:
    """Linear(in_dim, hidden_dim) -> ReLU -> Linear(hidden_dim, out_dim), producing logits."""

    def __init__(self, in_dim, hidden_dim, out_dim, rng):
        self.hidden = Linear(in_dim, hidden_dim, rng)
        self.relu = ReLU()
        self.output = Linear(hidden_dim, out_dim, rng)

    def forward(self, x):
        return self.output.forward(self.relu.forward(self.hidden.forward(x)))

    def backward(self, dlogits):
        self.hidden.backward(self.relu.backward(self.output.backward(dlogits)))

    def parameters(self):
        return [self.hidden.W, self.hidden.b, self.output.W, self.output.b]

    def gradients(self):
        return [self.hidden.dW, self.hidden.db, self.output.dW, self.output.db]


# %% [markdown]
# ### Data, and a shorter run under the grader
#
# We hold out part of the MNIST training images as a **validation set**: the optimizers and the
# learning-rate search below are judged on images no network trained on, and the test set stays
# untouched. To keep every experiment to a few seconds we use 3,200 training and 800 validation
# images (without a network connection `load_mnist` gives the bundled 5,000-digit subset; with the
# full MNIST you may raise `N_TRAIN` and `N_VAL`). When nbgrader grades the notebook it runs
# a much shorter version of every experiment (`QUICK` below); your results come from the full one.

# %%
QUICK = under_grader()  # True only while nbgrader executes the notebook
N_TRAIN, N_VAL = (384, 128) if QUICK else (3_200, 800)
EPOCHS = 1 if QUICK else 15
SEARCH_TRIALS, SEARCH_EPOCHS = (2, 1) if QUICK else (10, 3)
BATCH_SIZE = 64

mnist = load_mnist()
split = np.random.default_rng(8).permutation(len(mnist.X_train))
X_train, y_train = mnist.X_train[split[:N_TRAIN]], mnist.y_train[split[:N_TRAIN]]
X_val, y_val = mnist.X_train[split[N_TRAIN:N_TRAIN + N_VAL]], mnist.y_train[split[N_TRAIN:N_TRAIN + N_VAL]]
print(f"training on {len(X_train):,} images, validating on {len(X_val):,}; "
      f"{EPOCHS} epoch{'s' if EPOCHS != 1 else ''} per run")


# %%
try:
    from threadpoolctl import threadpool_limits
except ImportError:  # then numpy keeps its default number of threads: same results, often slower
    threadpool_limits = None


def one_blas_thread():
    """A context in which numpy's matrix products use one thread: for matrices this small, sharing
    the work between threads costs more time than it saves (several times more on a busy machine)."""
    return threadpool_limits(limits=1, user_api="blas") if threadpool_limits else contextlib.nullcontext()


def train_mlp(optimizer, epochs, seed=0, desc=None):
    """Train a fresh 784-64-10 MLP with `optimizer` on minibatches of X_train.

    Returns a dict of per-epoch lists: "training loss" (mean over the epoch's batches),
    "validation loss" and "validation accuracy" (after the epoch). Stops early if the loss stops
    being finite (a learning rate far too large).
    """
    net = MLP(784, 64, 10, rng=np.random.default_rng(seed))
    order_rng = np.random.default_rng(seed + 1)
    history = {"training loss": [], "validation loss": [], "validation accuracy": []}
    for _ in progress(range(epochs), desc=desc, leave=False, disable=QUICK or desc is None):
        batch_losses = []
        order = order_rng.permutation(len(X_train))
        with one_blas_thread(), np.errstate(all="ignore"):  # a diverging run may overflow; detected below
            for start in range(0, len(X_train), BATCH_SIZE):
                rows = order[start:start + BATCH_SIZE]
                loss, dlogits = softmax_cross_entropy(net.forward(X_train[rows]), y_train[rows])
                if not np.isfinite(loss):
                    break
                batch_losses.append(loss)
                net.backward(dlogits)
                optimizer.step(net.parameters(), net.gradients())
            val_logits = net.forward(X_val)
            val_loss, _ = softmax_cross_entropy(val_logits, y_val)
        diverged = len(batch_losses) * BATCH_SIZE < len(X_train) or not np.isfinite(val_loss)
        history["training loss"].append(np.mean(batch_losses) if not diverged else np.nan)
        history["validation loss"].append(val_loss if not diverged else np.nan)
        history["validation accuracy"].append(float(np.mean(val_logits.argmax(axis=1) == y_val)))
        if diverged:
            break
    return history


# %% [markdown]
# ### Training curves
#
# Each optimizer trains the same network from the same initial weights, on batches in the same
# order, with a learning rate that is a common choice for it: 0.1 for SGD, 0.02 for the two
# momentum methods (whose steps are up to $1/(1-\beta) = 10$ times larger), and $10^{-3}$ for
# RMSProp and Adam (whose steps are about $\eta$ per coordinate, once RMSProp's running average
# has filled up).

# %%
mnist_optimizers = {
    "SGD (lr 0.1)": lambda: SGD(0.1),
    "Momentum (lr 0.02)": lambda: Momentum(0.02),
    "Nesterov (lr 0.02)": lambda: Nesterov(0.02),
    "RMSProp (lr 1e-3)": lambda: RMSProp(1e-3),
    "Adam (lr 1e-3)": lambda: Adam(1e-3),
}
mnist_histories = {}
for label, make_optimizer in mnist_optimizers.items():
    mnist_histories[label] = train_mlp(make_optimizer(), EPOCHS, seed=0, desc=label)
    final = mnist_histories[label]
    print(f"{label:20s} training loss {final['training loss'][-1]:.3f}   validation loss "
          f"{final['validation loss'][-1]:.3f}   validation accuracy {final['validation accuracy'][-1]:.3f}")

# %%
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.3))
plot_curves({label: h["training loss"] for label, h in mnist_histories.items()},
            title="MNIST MLP: training loss", xlabel="epoch", ylabel="cross-entropy (log scale)", logy=True,
            ax=ax_loss)
plot_curves({label: h["validation accuracy"] for label, h in mnist_histories.items()},
            title="MNIST MLP: validation accuracy", xlabel="epoch", ylabel="accuracy", ax=ax_acc)
for ax in (ax_loss, ax_acc):
    sgd_line = ax.get_lines()[0]  # vanilla SGD, the baseline: drawn in black and dashed
    sgd_line.set_color("black")
    sgd_line.set_linestyle("--")
    for line in ax.get_lines():  # a dot per epoch (the grader's run has a single epoch, no line)
        line.set_marker("o")
        line.set_markersize(3)
    ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 9. Choosing the learning rate by random search
#
# The comparison above depends on the learning rates we picked. A fairer question is how good
# each method is **at its best learning rate**, and how hard that rate is to find. The learning
# rate acts multiplicatively, so we search over its logarithm: each trial draws
#
# $$\eta = 10^{u}, \qquad u \sim \mathcal U(-4, 0),$$
#
# trains a fresh network briefly, and records the validation loss. Drawing at random rather than on
# a grid tries a new value in every trial, and with a few trials per method it is the standard
# first step of tuning (Bergstra and Bengio, 2012). The short runs rank learning rates well
# enough to find the good region, though not to pick the very best value.

# %%
search_rng = np.random.default_rng(9)
optimizer_classes = {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov, "RMSProp": RMSProp, "Adam": Adam}
search_results = {}
for name, optimizer_class in progress(optimizer_classes.items(), desc="random search", disable=QUICK):
    trials = []
    for lr in 10.0 ** search_rng.uniform(-4.0, 0.0, size=SEARCH_TRIALS):
        lr = float(lr)  # a Python float: a numpy float64 would turn float32 updates into float64 ones
        history = train_mlp(optimizer_class(lr), SEARCH_EPOCHS, seed=0)
        trials.append((lr, history["validation loss"][-1]))
    search_results[name] = sorted(trials)
    best_lr, best_loss = min(trials, key=lambda trial: np.inf if np.isnan(trial[1]) else trial[1])
    print(f"{name:9s} best of {SEARCH_TRIALS} trials: lr {best_lr:.2e}, validation loss {best_loss:.3f}")
print("\nevery trial, by learning rate (validation loss; nan: diverged):")
for name, trials in search_results.items():
    print(f"{name:9s} " + "  ".join(f"{lr:.1e}: {loss:.2f}" for lr, loss in trials))

# %%
DIVERGED = 2.6  # where runs whose loss exceeded the plot, or blew up, are drawn
fig, ax = plt.subplots(figsize=(8, 4.8))
for name, trials in search_results.items():
    lrs = np.array([lr for lr, _ in trials])
    losses = np.array([loss for _, loss in trials])
    off_scale = ~np.isfinite(losses) | (losses > DIVERGED)
    line, = ax.plot(lrs[~off_scale], losses[~off_scale], "o-", ms=6, alpha=0.85, label=name)
    ax.plot(lrs[off_scale], np.full(off_scale.sum(), DIVERGED), "x", ms=9, mew=2, color=line.get_color())
ax.axhline(np.log(10), color="grey", ls=":", lw=1, label="chance level, ln 10")
ax.set_xscale("log")
ax.set_xlim(1e-4, 1.0)
ax.set_ylim(0.0, DIVERGED + 0.15)
ax.set_title(f"Random search: validation loss after {SEARCH_EPOCHS} epoch(s) of training (x: loss off the scale)")
ax.set_xlabel("learning rate (log scale)")
ax.set_ylabel("validation cross-entropy")
ax.legend(fontsize=8, ncol=2)
ax.grid(alpha=0.3, which="both")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 10. Report
#
# Answer in your own words, using your plots and printed numbers. These are graded by hand.
#
# **Report 1.** In the valley of section 7, why does SGD zigzag across the valley while making
# little progress along it, and what do momentum and RMSProp each do about it?

# %% [markdown] nbgrader={"grade": true, "grade_id": "report_valley", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# The curvature across the valley (25) is 25 times the curvature along it (1). SGD's learning rate
# must stay below 2/25 = 0.08 or the steep direction diverges; at 0.075 it overshoots y at every
# step (y is multiplied by 1 - 0.075·25 = -0.875, hence the zigzag, which dies out slowly), while x
# only shrinks by 0.925 per step, so progress along the valley is slow; the scan shows that no
# learning rate gets SGD much below a loss of 2.5e-3 in 60 steps. Momentum averages successive
# gradients: the y components alternate in sign and largely cancel, the x components agree and add
# up, so with beta = 0.7 it moves along the valley with an effective step of about 0.083, beyond
# SGD's limit, while its motion across turns into a smaller, slower swing: loss 1.9e-5 after 60
# steps against SGD's 2.8e-3. Too much momentum (beta = 0.9) overshoots the minimum along the valley
# and is worse than SGD; Nesterov's look-ahead damps the swing across within ten steps. RMSProp
# divides each coordinate by the root mean square of its own gradients, which equalises the two
# directions: both move by steps of about lr (larger at first), so the conditioning no longer
# matters much, and it reaches the minimum first.
# ### END SOLUTION

# %% [markdown]
# **Report 2.** Which method works best for the MNIST network here, and why? Base your answer on
# both experiments: the training curves at the chosen learning rates and the random search (look
# at the lowest validation loss each method reaches, and at how wide the range of good learning
# rates is). Say what you would use, with which learning rate, to train this network for longer.

# %% [markdown] nbgrader={"grade": true, "grade_id": "report_best_optimizer", "points": 4, "solution": true}
# ### BEGIN SOLUTION
# At the usual learning rates (section 8), RMSProp and Adam at 1e-3 come out best: the lowest
# validation loss (about 0.26 against 0.30) and the highest validation accuracy (about 0.93 against
# 0.91) after 15 epochs, and RMSProp also has the lowest training loss throughout. Momentum and
# Nesterov at 0.02 lower the training loss much faster than SGD at 0.1 (their effective step is
# lr/(1 - beta) = 0.2) but do not validate better; Nesterov and momentum are nearly identical here.
# The random search is the fairer comparison, and it changes the picture: at its own best learning
# rate every method reaches about the same validation loss (0.27-0.30 after 3 epochs), so on this
# small, well-behaved problem no method is fundamentally better. What differs is where the good
# learning rates are and how wide that window is. SGD needs lr of about 0.1-0.5 and is useless
# below 0.01; momentum and Nesterov are good from about 0.02 to 0.2, and diverge or stall near 1;
# RMSProp and Adam are good over more than a decade, from about 1e-3 to 3e-2, which includes their
# default 1e-3, and fall apart above about 0.05. The adaptive methods are robust because they scale
# each weight's step by its own gradient size (first-layer weights of the mostly blank border
# pixels get tiny or zero gradients, output weights large ones), so one learning rate suits every
# parameter and the default almost always works. So "best here" means easiest to get right: I
# would train this network longer with Adam at about 1e-3 to 3e-3 (RMSProp is as good), and
# consider SGD with Nesterov momentum at about 0.05 only after tuning it, lowering the learning
# rate as training proceeds in either case. Three-epoch runs and ten trials are noisy, so the exact
# best values should not be over-read.
# ### END SOLUTION
