# %% [markdown]
# # Stage 10: the same models in a library, and a project of your own
#
# Nine stages ago a neural network was a mystery; now you have written every piece of one: the
# layers, their gradients, the loss, the minibatches, the initialisation, the regularisation and
# the optimisers. Libraries such as scikit-learn, PyTorch and Keras do all of that for you, and
# this stage shows that they do **the same arithmetic**, once their many defaults are set to match
# what you did by hand. Then you use what you know on a dataset of your own choice.
#
# **Time and prerequisites.** About 4 to 6 hours: 1.5 to 2 hours for Part A (reading, two short
# TODOs in scikit-learn and three in Keras, two written answers), the rest for the project of
# Part B. Running every cell takes about a minute (30 to 40 s of processor time on a 2-core
# machine, most of it importing Keras, compiling its models and training the MNIST networks).
# Nothing is imported from earlier notebooks: the models of stages 02, 04 and 05 are given again in
# read-only cells. The text assumes you have done those stages and know the initialisations of
# stage 06 and the optimisers of stage 08 by name. Part A's Keras sections need `keras` with a
# backend (Colab has both; elsewhere `pip install keras jax`).
#
# **You will**
# - **Part A:** rebuild two earlier models with scikit-learn, the MNIST network of stage 05 as an
#   `MLPClassifier` and the credit-score model of stage 04 as a `Ridge` regression; configure them
#   to train exactly like the from-scratch versions, and compare accuracy, learned weights and
#   training time side by side;
# - see which of the library's defaults (optimiser, momentum, penalty, batch size, stopping rule,
#   initialisation) would otherwise make the comparison unfair, and what else it does for you;
# - build the same two models in **Keras**, move your own weights into its layers, and check your
#   hand-written backward passes against the gradients Keras derives by **automatic
#   differentiation**;
# - **Part B:** run a small project end to end on data you choose: split, preprocess, choose the
#   layers and hyperparameters on a validation set, train, evaluate once on a test set, compare
#   with a library baseline, and report. A worked example shows every step.
#
# Cells marked **TODO** are yours. The test cell after each one checks your work straight away;
# the grader runs more checks of the same kind later, so make your code correct in general, not
# just for the examples shown. Each TODO has hints above it, folded away: open them one at a time,
# only when you are stuck. Part B is graded by hand against the rubric given there.

# %%
import copy
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPClassifier

from helpers import seed_everything, under_grader
from helpers.mnist import load_mnist
from helpers.testing import assert_close, assert_shape, call

try:
    from threadpoolctl import threadpool_limits
    # The matrices in this notebook are small: one BLAS thread is faster than several competing for
    # a few cores (many times faster on a busy machine). scikit-learn uses the same BLAS.
    threadpool_limits(limits=1, user_api="blas")
except ImportError:  # then numpy keeps its default number of threads: same results, maybe slower
    pass

rng = seed_everything(0)
QUICK = under_grader()  # True only while nbgrader executes the notebook: the experiments shrink

# %% [markdown]
# # Part A: frameworks side by side
#
# ## 1. The from-scratch versions (given)
#
# The read-only cell below holds compact versions of two models you wrote earlier:
#
# - the **MNIST network** of stage 05: $784 \to H \to 10$ with a ReLU hidden layer, a softmax
#   output and the mean cross-entropy loss, trained by minibatch SGD. Unlike stage 05 the learning
#   rate stays constant (no cosine schedule), because that is what scikit-learn can match. The
#   weights are Xavier-uniform and the biases zero (stage 02); every epoch visits the rows in a new
#   random order (stage 05's `iterate_minibatches`); `gradient = (probs - Y) / B` (stage 05);
#   everything in float32, like the images;
# - the **credit-score model** of stage 04: a `Linear(d, 1)` layer (stage 02: `W` of shape
#   (out, in), `b` of shape (out,), `forward` and `backward`) on standardised features, trained by
#   full-batch gradient descent on the mean squared error plus $\lambda \lVert W \rVert^2$ (the
#   bias is not penalised), exactly as in stage 04. `credit_gradients(lin, Xn, y, lam)` does one
#   forward and backward pass and returns the loss and the gradients of `W` and `b` (section 6
#   compares them with the ones Keras derives).
#
# It also holds `fit_quietly`, which fits a scikit-learn model and silences one warning on purpose:
# see section 2.

# %% nbgrader={"grade_id": "given_from_scratch", "locked": true}
# ---- the MNIST network (stages 02, 03 and 05) ----------------------------------------------
class ScratchMLP:
    """in_dim -> hidden (ReLU) -> n_classes. Weights are (out, in) as in stage 02; forward returns logits."""

    def __init__(self, in_dim, hidden, n_classes, rng):
        bound1 = np.sqrt(6.0 / (in_dim + hidden))
        bound2 = np.sqrt(6.0 / (hidden + n_classes))
        self.W1 = rng.uniform(-bound1, bound1, size=(hidden, in_dim)).astype(np.float32)
        self.b1 = np.zeros(hidden, dtype=np.float32)
        self.W2 = rng.uniform(-bound2, bound2, size=(n_classes, hidden)).astype(np.float32)
        self.b2 = np.zeros(n_classes, dtype=np.float32)

    def forward(self, X):
        self.X = X
        self.pre = X @ self.W1.T + self.b1           # (B, hidden)
        self.hidden = np.maximum(self.pre, 0.0)      # ReLU
        return self.hidden @ self.W2.T + self.b2     # logits (B, n_classes)

    def backward(self, dlogits):
        self.dW2 = dlogits.T @ self.hidden
        self.db2 = dlogits.sum(axis=0)
        dpre = (dlogits @ self.W2) * (self.pre > 0)  # back through the ReLU
        self.dW1 = dpre.T @ self.X
        self.db1 = dpre.sum(axis=0)

    def sgd_step(self, lr):
        for name in ("W1", "b1", "W2", "b2"):
            getattr(self, name)[...] -= lr * getattr(self, "d" + name)

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against integer labels y, and its gradient (probs - Y) / B."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    dlogits = np.exp(log_probs)
    dlogits[rows, y] -= 1.0
    return -float(np.mean(log_probs[rows, y])), dlogits / len(y)


def train_scratch_mlp(X, y, hidden, lr, batch_size, epochs, seed, net=None, shuffle=True):
    """Minibatch SGD with a constant learning rate; returns (net, mean training loss of each epoch).

    A new network is drawn from `seed` unless `net` is given. With shuffle=False the rows are
    visited in their stored order.
    """
    rng = np.random.default_rng(seed)
    if net is None:
        net = ScratchMLP(X.shape[1], hidden, int(y.max()) + 1, rng)
    epoch_losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            loss, dlogits = softmax_cross_entropy(net.forward(X[rows]), y[rows])
            net.backward(dlogits)
            net.sgd_step(lr)
            total += loss * len(rows)
        epoch_losses.append(total / len(X))
    return net, epoch_losses


# ---- the credit-score model (stages 02 and 04) ---------------------------------------------
class Linear:
    """A fully connected layer y = x @ W.T + b on a batch of rows (stage 02).

    W: (out_dim, in_dim), Xavier-uniform from `rng`; b: (out_dim,) zeros. forward keeps its input
    as self.x; backward(dout) sets self.dW and self.db and returns dL/dx.
    """

    def __init__(self, in_dim, out_dim, rng=None):
        if rng is None:
            rng = np.random.default_rng()
        bound = np.sqrt(6.0 / (in_dim + out_dim))
        self.W = rng.uniform(-bound, bound, size=(out_dim, in_dim))
        self.b = np.zeros(out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, dout):
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W


def standardize(X):
    """(Xn, mu, sigma): columns scaled to mean 0 and std 1 (ddof=0), sigma with 1e-8 added."""
    mu = X.mean(axis=0)
    sigma = X.std(axis=0) + 1e-8
    return (X - mu) / sigma, mu, sigma


def l2_penalty(W, lam):
    return lam * float(np.sum(W ** 2))


def l2_gradient(W, lam):
    return 2.0 * lam * W


def credit_gradients(lin, Xn, y, lam):
    """Forward and backward through `lin` on all rows: (loss, dW, db) of the MSE plus lam * sum(W^2)."""
    residual = lin.forward(Xn) - np.reshape(y, (-1, 1))
    loss = float(np.mean(residual ** 2)) + l2_penalty(lin.W, lam)
    lin.backward(2.0 * residual / len(Xn))
    return loss, lin.dW + l2_gradient(lin.W, lam), lin.db


def train_linear_l2(Xn, y, lam, lr, epochs):
    """Full-batch gradient descent from Linear(d, 1, rng=np.random.default_rng(0)); returns (lin, losses).

    losses[t] is the loss (penalty included) before update t.
    """
    lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
    losses = []
    for _ in range(epochs):
        loss, grad_W, grad_b = credit_gradients(lin, Xn, y, lam)
        losses.append(loss)
        lin.W -= lr * grad_W
        lin.b -= lr * grad_b
    return lin, losses


# ---- fitting scikit-learn models -----------------------------------------------------------
def fit_quietly(model, X, y):
    """model.fit(X, y) without the ConvergenceWarning that MLPClassifier gives whenever it stops
    at max_iter: here stopping there is what we ask for, not a sign of trouble (see section 2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


# %% [markdown]
# ## 2. The MNIST network in scikit-learn
#
# scikit-learn's `MLPClassifier` builds the same kind of network: `hidden_layer_sizes` lists the
# widths of the hidden layers, the output layer is a softmax for three or more classes, and the
# loss is the mean cross-entropy. But its **defaults** train it quite differently from our loop:
#
# | what | our training loop | `MLPClassifier` unless told otherwise |
# |---|---|---|
# | hidden layer | one layer of $H$ units, ReLU | one layer of 100 units, ReLU |
# | update rule | plain SGD: $w \leftarrow w - \eta\, \nabla_w L$ | Adam (stage 08) |
# | momentum | none | when switched to SGD: momentum 0.9, Nesterov's variant |
# | learning rate | $\eta$, constant | 0.001, constant |
# | minibatches | $B$ rows, reshuffled every epoch | $\min(200, N)$ rows, reshuffled every epoch |
# | penalty | none | L2 with strength $10^{-4}$ |
# | how long | exactly $E$ epochs | up to 200 epochs, and fewer by a stopping rule (below) |
# | validation | none inside training | none (holding out 10% for early stopping is an option) |
# | initialisation | Xavier-uniform weights, zero biases | the same distribution for weights **and** biases |
# | randomness | a seed | `random_state` (otherwise different on every run) |
#
# **The stopping rule.** After each epoch scikit-learn compares the epoch's mean training loss with
# the best one so far. An epoch whose loss is not at least `tol` below that best counts as "no
# improvement"; an epoch that is resets the count to 0. When the count goes above
# `n_iter_no_change`, training stops. Whatever stops it, scikit-learn then reports the number of
# epochs it trained in `n_iter_` and the loss of each in `loss_curve_`, and if it ran up to the
# maximum it warns with a `ConvergenceWarning` that "the optimization hasn't converged yet". Our
# loop has no such rule: it trains exactly $E$ epochs, also when the loss goes up (a learning rate
# that is too large makes it go up every epoch). Reaching the maximum is then the plan, not a
# problem, so the given `fit_quietly` silences that one warning, on purpose and only while fitting.
#
# The initialisation cannot be matched through `MLPClassifier`'s settings (its biases start random,
# ours at zero), so the two networks start from different random weights; everything else can be.
#
# **TODO:** implement `make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed)`: return an
# **unfitted** `MLPClassifier` configured to train like `train_scratch_mlp` with the same
# arguments. The [MLPClassifier documentation](https://scikit-learn.org/stable/modules/generated/sklearn.neural_network.MLPClassifier.html)
# lists every setting. Leave the activation (ReLU) and the learning-rate schedule (constant) as
# they are, or set them explicitly: either is fine.
#
# <details><summary>Hint 1: the idea</summary>
#
# Go through the table row by row. Wherever the two columns differ, `MLPClassifier` has a
# parameter that changes its behaviour to ours; look each one up in the documentation (the
# optimiser is called the *solver*, the L2 penalty *alpha*, the epochs *iterations*). Rows that
# already agree need nothing.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# The stopping rule is the subtle row. The first epoch can never count as "no improvement" (the
# best loss so far starts at infinity), so after $e$ epochs the count is at most $e - 1$, and
# training stops only once the count is above `n_iter_no_change`. Choose `n_iter_no_change` so large
# that this cannot happen before the last epoch, whatever the losses are. Setting `tol=0` alone
# is not enough: an epoch whose loss goes up still counts (and `tol` cannot be negative).
#
# </details>
#
# <details><summary>Hint 3: the settings</summary>
#
# `hidden_layer_sizes=(hidden_size,)`, `solver="sgd"`, `momentum=0.0`, `alpha=0.0`,
# `learning_rate_init=lr`, `batch_size=batch_size`, `max_iter=epochs`, `n_iter_no_change=epochs`
# (anything at least `epochs - 2`, and at least 1, works), `random_state=seed`; `shuffle=True` and
# `early_stopping=False` are already the defaults.
#
# </details>

# %% nbgrader={"grade_id": "make_sklearn_mlp", "solution": true}
def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
    """An unfitted MLPClassifier that trains like train_scratch_mlp(X, y, hidden_size, lr, batch_size, epochs, seed).

    hidden_size: width of the single ReLU hidden layer (ints; all arguments are plain numbers).
    lr: the constant learning rate of plain minibatch SGD: no momentum of any kind, no penalty.
    batch_size: rows per minibatch; the rows are reshuffled every epoch.
    epochs: fit(X, y) must train exactly this many epochs on ANY data, also when the training loss
        stops improving or gets worse, and must hold no rows out for validation.
    seed: the initial weights and the shuffling are reproducible from it (same seed, same run;
        another seed, another run).
    Returns the MLPClassifier without fitting it. The tests read its get_params(), fit it on small
    problems and compare every epoch's loss and the final weights with plain SGD.
    """
    ### BEGIN SOLUTION
    return MLPClassifier(
        hidden_layer_sizes=(hidden_size,),
        activation="relu",
        solver="sgd",
        momentum=0.0,
        nesterovs_momentum=False,
        learning_rate="constant",
        learning_rate_init=lr,
        batch_size=batch_size,
        alpha=0.0,
        max_iter=epochs,
        n_iter_no_change=epochs,
        shuffle=True,
        early_stopping=False,
        random_state=seed,
    )
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_make_sklearn_mlp", "points": 4}
model = call(make_sklearn_mlp, 6, 0.05, 16, 7, 3)
assert isinstance(model, MLPClassifier), f"make_sklearn_mlp: return an MLPClassifier, got {type(model).__name__}"
assert not hasattr(model, "coefs_"), "make_sklearn_mlp: return the classifier unfitted (do not call fit)"
params = model.get_params()
case = "make_sklearn_mlp(6, 0.05, 16, 7, 3)"
sizes = tuple(np.ravel(params["hidden_layer_sizes"]).tolist())
assert sizes == (6,), f"{case}: hidden_layer_sizes gives hidden layers {sizes}; expected one hidden layer of 6 units"
assert params["activation"] == "relu", f"{case}: activation is {params['activation']!r}; the network uses ReLU"
assert params["solver"] == "sgd", (
    f"{case}: solver is {params['solver']!r}; our loop uses plain minibatch SGD (MLPClassifier's default is Adam)")
assert params["momentum"] == 0, (
    f"{case}: momentum is {params['momentum']}; our loop has none (with SGD, MLPClassifier's default is 0.9)")
assert params["learning_rate"] == "constant", (
    f"{case}: learning_rate is {params['learning_rate']!r}; the schedule must stay 'constant' (the rate itself is "
    "learning_rate_init)")
assert np.isclose(params["learning_rate_init"], 0.05), (
    f"{case}: learning_rate_init is {params['learning_rate_init']}; expected the lr argument, 0.05")
assert params["batch_size"] == 16, f"{case}: batch_size is {params['batch_size']!r}; expected 16"
assert params["alpha"] == 0, (
    f"{case}: alpha (the L2 penalty) is {params['alpha']}; our loop has no penalty (the default is 1e-4)")
assert not params["early_stopping"], f"{case}: early_stopping holds out 10% of the rows for validation; switch it off"
assert params["shuffle"], f"{case}: shuffle is off; our loop reshuffles the rows every epoch"
assert params["max_iter"] == 7, f"{case}: max_iter is {params['max_iter']}; expected the number of epochs, 7"
# a small, easy problem: three well-separated clouds of points in 5 dimensions
_centres = np.random.default_rng(0).normal(size=(3, 5)) * 3
X_easy = np.concatenate([_centres[k] + np.random.default_rng(k + 1).normal(size=(20, 5)) for k in range(3)])
y_easy = np.repeat([0, 1, 2], 20)
fitted = fit_quietly(model, X_easy, y_easy)
assert fitted is not None and getattr(model, "n_iter_", None) == 7, (
    f"{case}: after fit on 60 easy rows it trained {getattr(model, 'n_iter_', None)} epochs; expected 7")
assert_shape("make_sklearn_mlp: coefs_[0] (input -> hidden weights)", model.coefs_[0], (5, 6), case=case)
same_seed = fit_quietly(make_sklearn_mlp(6, 0.05, 16, 7, 3), X_easy, y_easy)
other_seed = fit_quietly(make_sklearn_mlp(6, 0.05, 16, 7, 4), X_easy, y_easy)
assert np.array_equal(model.coefs_[0], same_seed.coefs_[0]), (
    "make_sklearn_mlp: two classifiers made with seed 3 trained differently; pass the seed as random_state")
assert not np.array_equal(model.coefs_[0], other_seed.coefs_[0]), (
    "make_sklearn_mlp: seeds 3 and 4 gave the same network; pass the seed as random_state")
# a problem whose training loss gets WORSE every epoch: inputs that carry no information, and a
# huge learning rate with full batches. Our loop still trains every epoch; so must yours.
X_flat = np.tile([[1.0, -1.0, 0.5, 2.0]], (30, 1))
y_flat = np.tile([0, 1, 2], 10)
model = make_sklearn_mlp(8, 50.0, 30, 25, 0)
with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore")
    model.fit(X_flat, y_flat)
assert model.n_iter_ == 25, (
    f"make_sklearn_mlp(8, 50.0, 30, 25, 0): on data where the training loss never improves after the first epoch, "
    f"the classifier stopped after {model.n_iter_} of 25 epochs; scikit-learn's stopping rule must not be able to "
    "end training before `epochs` epochs, whatever the loss does")
print("make_sklearn_mlp: visible tests passed")
### BEGIN HIDDEN TESTS
def _fit_silently(_model, _X, _y):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        _model.fit(_X, _y)
    return _model


def _reference(_hidden, _lr, _batch, _epochs, _seed):
    return MLPClassifier(hidden_layer_sizes=(_hidden,), solver="sgd", momentum=0.0, nesterovs_momentum=False,
                         learning_rate_init=_lr, batch_size=_batch, alpha=0.0, max_iter=_epochs,
                         n_iter_no_change=np.inf, random_state=_seed)


_rng = np.random.default_rng(1010)
_X4 = np.concatenate([_rng.normal(size=(15, 4)) + _shift for _shift in (-2.0, 0.0, 2.0, 4.0)])
_y4 = np.repeat([0, 1, 2, 3], 15)
_order = _rng.permutation(60)
_X4, _y4 = _X4[_order], _y4[_order]
# keyword arguments, and the seed: reproducible with the same seed, different with another one
_first = _fit_silently(make_sklearn_mlp(hidden_size=10, lr=0.05, batch_size=8, epochs=4, seed=21), X_easy, y_easy)
_again = _fit_silently(make_sklearn_mlp(hidden_size=10, lr=0.05, batch_size=8, epochs=4, seed=21), X_easy, y_easy)
_other = _fit_silently(make_sklearn_mlp(hidden_size=10, lr=0.05, batch_size=8, epochs=4, seed=22), X_easy, y_easy)
assert np.array_equal(_first.coefs_[0], _again.coefs_[0]), (
    "make_sklearn_mlp: two classifiers made with seed 21 trained differently; pass the seed as random_state")
assert not np.array_equal(_first.coefs_[0], _other.coefs_[0]), (
    "make_sklearn_mlp: seeds 21 and 22 gave the same network; pass the seed as random_state")
_cases = [((6, 0.05, 16, 7, 3), "easy"), ((1, 0.2, 60, 3, 0), "easy"), ((12, 0.01, 1, 2, 11), "easy"),
          ((32, 0.1, 7, 13, 5), "noisy"), ((8, 50.0, 30, 25, 0), "flat"), ((8, 30.0, 30, 40, 4), "flat"),
          ((5, 80.0, 30, 12, 9), "flat")]
for (_h, _lr, _b, _e, _s), _kind in _cases:
    _X, _y = {"easy": (X_easy, y_easy), "noisy": (_X4, _y4), "flat": (X_flat, y_flat)}[_kind]
    _case = f"make_sklearn_mlp({_h}, {_lr}, {_b}, {_e}, {_s})"
    _model = make_sklearn_mlp(_h, _lr, _b, _e, _s)
    assert isinstance(_model, MLPClassifier), f"{_case}: return an MLPClassifier"
    assert not hasattr(_model, "coefs_"), f"{_case}: return the classifier unfitted"
    _params = _model.get_params()
    assert tuple(np.ravel(_params["hidden_layer_sizes"]).tolist()) == (_h,), (
        f"{_case}: expected one hidden layer of {_h} units")
    assert _params["solver"] == "sgd" and _params["momentum"] == 0 and _params["alpha"] == 0, (
        f"{_case}: expected solver='sgd' without momentum and with alpha=0")
    assert np.isclose(_params["learning_rate_init"], _lr), f"{_case}: learning_rate_init must be the lr argument {_lr}"
    assert _params["batch_size"] == _b, f"{_case}: batch_size must be {_b}"
    assert _params["max_iter"] == _e, f"{_case}: max_iter must be the number of epochs, {_e}"
    _fit_silently(_model, _X, _y)
    _expected = _fit_silently(_reference(_h, _lr, _b, _e, _s), _X, _y)
    assert _model.n_iter_ == _e, (
        f"{_case}: trained {_model.n_iter_} epochs on the {_kind} problem; expected exactly {_e}, whatever the "
        "loss does")
    assert_close("make_sklearn_mlp: loss_curve_", _model.loss_curve_, _expected.loss_curve_, rtol=1e-9, atol=1e-12,
                 case=f"{_case} on the {_kind} problem: the epochs' losses differ from those of plain SGD with the "
                      "settings in the docstring")
    for _layer in range(2):
        assert_close(f"make_sklearn_mlp: coefs_[{_layer}]", _model.coefs_[_layer], _expected.coefs_[_layer],
                     rtol=1e-9, atol=1e-12, case=f"{_case} on the {_kind} problem")
        assert_close(f"make_sklearn_mlp: intercepts_[{_layer}]", _model.intercepts_[_layer],
                     _expected.intercepts_[_layer], rtol=1e-9, atol=1e-12, case=f"{_case} on the {_kind} problem")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. The credit model in scikit-learn
#
# Stage 04 ended with this cross-check. Our objective and the one scikit-learn's `Ridge` minimises
# are written differently:
#
# $$\text{ours: } \frac{1}{N}\lVert y - Xw - b\rVert^2 + \lambda \lVert w\rVert^2, \qquad
#   \text{Ridge: } \lVert y - Xw - b\rVert^2 + \alpha \lVert w\rVert^2 .$$
#
# Like us, `Ridge` fits an intercept and leaves it unpenalised (it centres $X$ and $y$, solves for
# $w$, and sets $b = \bar y - \bar x \cdot w$). Unlike our gradient descent it solves the problem
# exactly, with linear algebra, so there is no learning rate and no number of epochs to choose.
#
# **TODO:** implement `ridge_matching_l2(lam, n_samples)`: return an **unfitted** `Ridge` whose
# solution minimises our objective with strength `lam` on `n_samples` rows. Keep the default solver
# or choose one that solves the problem exactly; `"sag"` and `"saga"` are stochastic and stop at an
# approximation, far from it on features that are not standardised.
#
# <details><summary>Hint 1: the idea</summary>
#
# Two objectives have the same minimiser when one is a positive constant times the other: scaling
# a function stretches its values but does not move the point where it is lowest. Find the
# constant that turns ours into Ridge's, and see what it does to each term.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Multiply our objective by $N$. The fit term loses its $\frac{1}{N}$ and becomes exactly Ridge's
# fit term; the penalty term becomes $N\lambda \lVert w \rVert^2$. Compare that with Ridge's
# penalty term.
#
# </details>
#
# <details><summary>Hint 3: the formula</summary>
#
# $\alpha = N \lambda$: `Ridge(alpha=n_samples * lam)`, with the intercept fitted (the default).
#
# </details>

# %% nbgrader={"grade_id": "ridge_matching_l2", "solution": true}
def ridge_matching_l2(lam, n_samples):
    """An unfitted sklearn Ridge whose fit(X, y) minimises OUR objective (section 3) on n_samples rows.

    lam: our L2 strength (a float >= 0); n_samples: the number of rows it will be fitted on (an int).
    The intercept b is fitted and not penalised. The tests read alpha and fit_intercept, then fit
    it and compare coef_ and intercept_ with our objective's minimiser (to 1e-6).
    """
    ### BEGIN SOLUTION
    return Ridge(alpha=n_samples * lam, fit_intercept=True)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_ridge_matching_l2", "points": 3}
ridge = call(ridge_matching_l2, 0.1, 5)
assert isinstance(ridge, Ridge), f"ridge_matching_l2: return a sklearn Ridge, got {type(ridge).__name__}"
assert not hasattr(ridge, "coef_"), "ridge_matching_l2: return the Ridge unfitted (do not call fit)"
assert np.isclose(ridge.get_params()["alpha"], 0.5), (
    f"ridge_matching_l2(0.1, 5): alpha is {ridge.get_params()['alpha']}; for lam = 0.1 on 5 rows, alpha must be 0.5 "
    "(compare the two objectives of section 3, term by term)")
assert ridge.get_params()["fit_intercept"], "ridge_matching_l2: our model has a bias; Ridge must fit an intercept"
X_credit_test = np.array([[0.10, 45, 0], [0.90, 22, 3], [0.40, 31, 1], [0.20, 52, 0], [0.70, 28, 2]])
y_credit_test = np.array([720, 580, 660, 740, 610], dtype=float)
Xn_test, _, _ = standardize(X_credit_test)
ridge.fit(Xn_test, y_credit_test)
# the minimiser of our objective on these five rows with lam = 0.1, worked out once (stage 04's answer)
assert_close("ridge_matching_l2: coef_", np.ravel(ridge.coef_), [-17.2229158, 24.9267859, -18.2110986], rtol=1e-6,
             atol=1e-6, case="the credit data, lambda=0.1")
assert_close("ridge_matching_l2: intercept_", np.ravel(ridge.intercept_)[0], 662.0, rtol=1e-8,
             case="the credit data, lambda=0.1: the intercept is the mean score")
print("ridge_matching_l2: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(1011)
for _lam, _n, _d in [(0.1, 5, 3), (0.02, 40, 4), (3.0, 12, 2), (0.5, 7, 6), (1e-3, 200, 3), (10.0, 25, 1)]:
    _X = _rng.normal(size=(_n, _d)) * _rng.uniform(0.5, 20.0, size=_d) + _rng.normal(size=_d) * 30
    _y = _X @ _rng.normal(size=_d) + 700 + _rng.normal(size=_n) * 5
    _case = f"lambda={_lam}, {_n} rows, {_d} features (not standardised)"
    _ridge = ridge_matching_l2(_lam, _n)
    assert isinstance(_ridge, Ridge) and not hasattr(_ridge, "coef_"), (
        f"ridge_matching_l2({_lam}, {_n}): return an unfitted Ridge")
    assert np.isclose(_ridge.get_params()["alpha"], _n * _lam, rtol=1e-12), (
        f"ridge_matching_l2({_lam}, {_n}): alpha is {_ridge.get_params()['alpha']:g}; expected {_n * _lam:g} for "
        f"lam = {_lam} on {_n} rows")
    _ridge.fit(_X, _y)
    _mean_x, _mean_y = _X.mean(axis=0), _y.mean()
    _Xc = _X - _mean_x
    _w = np.linalg.solve(_Xc.T @ _Xc + _n * _lam * np.eye(_d), _Xc.T @ (_y - _mean_y))
    _b = _mean_y - _mean_x @ _w
    _scale = np.abs(_w).max()
    assert_close("ridge_matching_l2: coef_", np.ravel(_ridge.coef_), _w, rtol=1e-6, atol=1e-7 * _scale, case=_case)
    assert_close("ridge_matching_l2: intercept_", np.ravel(_ridge.intercept_)[0], _b, rtol=1e-6, atol=1e-6, case=_case)
    # our objective is stationary at Ridge's solution: 2/N X^T r + 2 lam w = 0 and mean(r) = 0
    _r = _X @ np.ravel(_ridge.coef_) + np.ravel(_ridge.intercept_)[0] - _y
    _grad_w = 2 * _X.T @ _r / _n + 2 * _lam * np.ravel(_ridge.coef_)
    assert np.abs(_grad_w).max() < 1e-6 * (1 + np.abs(2 * _X.T @ _y / _n).max()), (
        f"ridge_matching_l2 ({_case}): Ridge's solution does not minimise mean((X w + b - y)^2) + lam * sum(w^2)")
    assert abs(_r.mean()) < 1e-6 * np.abs(_y).max(), f"ridge_matching_l2 ({_case}): the intercept is not fitted freely"
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Side by side
#
# ### The credit model
#
# The five applicants of stage 04 (utilization, age, late payments) with $\lambda = 0.1$. Gradient
# descent runs the same 2,000 epochs at learning rate 0.15 as in stage 04; `Ridge` solves the
# problem directly.

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
N_credit, LAM = len(y_credit), 0.1
Xn_credit, mu_credit, sigma_credit = standardize(X_credit)

start = time.perf_counter()
lin_gd, losses_gd = train_linear_l2(Xn_credit, y_credit, LAM, lr=0.15, epochs=2000)
gd_seconds = time.perf_counter() - start
W_gd, b_gd = lin_gd.W, lin_gd.b

credit_ridge = call(ridge_matching_l2, LAM, N_credit)
start = time.perf_counter()
credit_ridge.fit(Xn_credit, y_credit)
ridge_seconds = time.perf_counter() - start

W_ridge, b_ridge = np.ravel(credit_ridge.coef_), float(np.ravel(credit_ridge.intercept_)[0])
print(f"{'weight (standardised)':22s} {'gradient descent':>17s} {'sklearn Ridge':>14s} {'difference':>11s}")
for name, w_gd, w_ridge in zip(FEATURES + ["bias"], list(W_gd[0]) + [b_gd[0]], list(W_ridge) + [b_ridge]):
    print(f"{name:22s} {w_gd:17.6f} {w_ridge:14.6f} {w_gd - w_ridge:11.1e}")
credit_max_difference = float(np.max(np.abs(np.append(W_gd[0] - W_ridge, b_gd[0] - b_ridge))))
rmse_gd = float(np.sqrt(np.mean((Xn_credit @ W_gd[0] + b_gd[0] - y_credit) ** 2)))
rmse_ridge = float(np.sqrt(np.mean((credit_ridge.predict(Xn_credit) - y_credit) ** 2)))
print(f"max |difference| {credit_max_difference:.1e}; training RMSE {rmse_gd:.4f} (gradient descent), "
      f"{rmse_ridge:.4f} (Ridge) score points")

# %% [markdown]
# ### The MNIST network
#
# Both networks are $784 \to 128 \to 10$, trained with minibatch SGD at a constant learning rate of
# 0.1 on batches of 64, for the same number of epochs, from the same seed (which still gives
# different starting weights: the two libraries draw them differently). A third run shows what
# `MLPClassifier` does with its defaults (Adam, $\alpha = 10^{-4}$, batches of 200) for the same
# number of epochs. Under the grader all three train one epoch on 1,000 images, too little for
# their accuracies to settle: what the text below says about them describes the full run.

# %%
mnist = load_mnist()
if QUICK:
    N_TRAIN, N_TEST, EPOCHS = 1_000, 1_000, 1
else:
    N_TRAIN, N_TEST, EPOCHS = min(len(mnist.y_train), 12_000), min(len(mnist.y_test), 10_000), 15
HIDDEN, LEARNING_RATE, BATCH_SIZE, SEED = 128, 0.1, 64, 0
X_train, y_train = mnist.X_train[:N_TRAIN], mnist.y_train[:N_TRAIN]
X_test, y_test = mnist.X_test[:N_TEST], mnist.y_test[:N_TEST]
print(f"training on {N_TRAIN:,} images for {EPOCHS} epoch{'s' if EPOCHS > 1 else ''}, testing on {N_TEST:,}")

runs = {}
start = time.perf_counter()
scratch_net, scratch_losses = train_scratch_mlp(X_train, y_train, HIDDEN, LEARNING_RATE, BATCH_SIZE, EPOCHS, SEED)
runs["from scratch (numpy SGD)"] = (time.perf_counter() - start, float(np.mean(scratch_net.predict(X_test) == y_test)))

sk_matched = call(make_sklearn_mlp, HIDDEN, LEARNING_RATE, BATCH_SIZE, EPOCHS, SEED)
start = time.perf_counter()
fit_quietly(sk_matched, X_train, y_train)
runs["MLPClassifier, matched SGD"] = (time.perf_counter() - start, float(sk_matched.score(X_test, y_test)))

sk_default = MLPClassifier(hidden_layer_sizes=(HIDDEN,), max_iter=EPOCHS, random_state=SEED)
start = time.perf_counter()
fit_quietly(sk_default, X_train, y_train)
runs["MLPClassifier, defaults (Adam)"] = (time.perf_counter() - start, float(sk_default.score(X_test, y_test)))

for name, (seconds, test_accuracy) in runs.items():
    print(f"{name:32s} test accuracy {test_accuracy:.4f}   training time {seconds:.2f} s")
print("mean training loss of the last epoch: from scratch "
      f"{scratch_losses[-1]:.4f}, MLPClassifier (matched) {sk_matched.loss_curve_[-1]:.4f}")

# %% [markdown]
# ### One epoch, step for step
#
# The two matched networks end up close but not equal, because they started from different random
# weights and saw the images in different orders. Remove those two differences and nothing is left:
# below, our network is given the weights scikit-learn's trained network has now (`coefs_` holds
# them as (in, out), the transpose of our (out, in)), and both train one more epoch on the same
# 1,000 images in their stored order: our loop with `shuffle=False`, and a copy of the
# scikit-learn network with `shuffle=False` and `warm_start=True`, which makes `fit` continue from
# the current weights instead of drawing new ones.

# %%
step_images, step_labels = X_train[:1_000], y_train[:1_000]
twin = ScratchMLP(784, HIDDEN, 10, np.random.default_rng(0))
twin.W1, twin.b1 = sk_matched.coefs_[0].T.copy(), sk_matched.intercepts_[0].copy()
twin.W2, twin.b2 = sk_matched.coefs_[1].T.copy(), sk_matched.intercepts_[1].copy()
_, twin_losses = train_scratch_mlp(step_images, step_labels, HIDDEN, LEARNING_RATE, BATCH_SIZE, 1, SEED,
                                   net=twin, shuffle=False)
sk_twin = copy.deepcopy(sk_matched)
sk_twin.set_params(max_iter=1, shuffle=False, warm_start=True)
fit_quietly(sk_twin, step_images, step_labels)
step_difference = max(float(np.max(np.abs(ours - np.asarray(theirs).T)))
                      for ours, theirs in [(twin.W1, sk_twin.coefs_[0]), (twin.b1, sk_twin.intercepts_[0]),
                                           (twin.W2, sk_twin.coefs_[1]), (twin.b2, sk_twin.intercepts_[1])])
print(f"after one more epoch of {int(np.ceil(len(step_labels) / BATCH_SIZE))} steps in the same order: "
      f"max |weight difference| {step_difference:.1e} (the largest weight is {np.abs(twin.W1).max():.2f}); "
      f"epoch loss {twin_losses[0]:.6f} (ours) and {sk_twin.loss_curve_[-1]:.6f} (scikit-learn)")
assert step_difference < 1e-5, (
    "scikit-learn's network and ours disagree after one epoch from the same weights and in the same order: fix "
    "make_sklearn_mlp first (its test above says how)")

# %% [markdown]
# ### Everything in one table

# %%
rows = [
    ("credit, L2", "from scratch: gradient descent", "training RMSE", rmse_gd, gd_seconds,
     "W = [" + ", ".join(f"{w:.3f}" for w in W_gd[0]) + f"], b = {b_gd[0]:.3f}"),
    ("credit, L2", f"sklearn Ridge(alpha={N_credit * LAM:g})", "training RMSE", rmse_ridge, ridge_seconds,
     "W = [" + ", ".join(f"{w:.3f}" for w in W_ridge) + f"], b = {b_ridge:.3f}; "
     f"max |diff| {credit_max_difference:.1e}"),
]
for name, (seconds, test_accuracy) in runs.items():
    rows.append((f"MNIST, {N_TRAIN:,} images", name, "test accuracy", test_accuracy, seconds,
                 f"{EPOCHS} epoch{'s' if EPOCHS > 1 else ''}"
                 + (f"; 1 more epoch in step: max |diff| {step_difference:.0e}" if "matched" in name else "")))

header = f"{'task':20s} {'implementation':32s} {'metric':14s} {'value':>8s} {'time (s)':>9s}  weights / notes"
print(header)
print("-" * len(header))
for task, implementation, metric, value, seconds, notes in rows:
    print(f"{task:20s} {implementation:32s} {metric:14s} {value:8.4f} {seconds:9.4f}  {notes}")

# %%
from matplotlib.patches import Patch

labels = [f"{task}\n{implementation}" for task, implementation, *_ in rows]
colors = ["tab:blue" if "scratch" in implementation else "tab:orange" for _, implementation, *_ in rows]
fig, (ax_time, ax_acc, ax_rmse) = plt.subplots(1, 3, figsize=(15, 4.5), gridspec_kw={"width_ratios": [2.2, 1.4, 1]})
ax_time.barh(labels, [row[4] for row in rows], color=colors)
ax_time.set_xscale("log")
ax_time.invert_yaxis()
ax_time.set_xlabel("training time (s, log scale)")
ax_time.set_title("Training time")
ax_time.legend(handles=[Patch(color="tab:blue", label="from scratch (numpy)"), Patch(color="tab:orange", label="scikit-learn")],
               loc="upper right", fontsize=8)
mnist_rows = [row for row in rows if row[0].startswith("MNIST")]
ax_acc.bar(range(len(mnist_rows)), [row[3] for row in mnist_rows],
           color=["tab:blue" if "scratch" in row[1] else "tab:orange" for row in mnist_rows])
ax_acc.set_xticks(range(len(mnist_rows)), [row[1].replace(", ", ",\n").replace(" (", "\n(") for row in mnist_rows], fontsize=8)
ax_acc.set_ylim(max(0.0, min(row[3] for row in mnist_rows) - 0.1), 1.0)
ax_acc.set_ylabel("test accuracy")
ax_acc.set_title(f"MNIST test accuracy ({EPOCHS} epoch{'s' if EPOCHS > 1 else ''})")
credit_rows = [row for row in rows if row[0].startswith("credit")]
ax_rmse.bar(["gradient\ndescent", "Ridge"], [row[3] for row in credit_rows], color=["tab:blue", "tab:orange"])
ax_rmse.set_title("Credit model: training RMSE")
ax_rmse.set_ylabel("score points")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 5. What the library did that you did by hand
#
# With matching settings scikit-learn's SGD is our SGD, step for step, and `Ridge` lands on the
# weights our gradient descent reached after 2,000 epochs, without a learning rate and in a
# fraction of the time. What the library adds is everything around the arithmetic:
#
# - **Initialisation.** `MLPClassifier` draws Glorot-uniform weights (stage 06) and also random
#   biases, from `random_state`; you wrote `xavier_uniform` and `he_normal` yourself.
# - **Batching.** `batch_size` and `shuffle` replace your `iterate_minibatches`; the default batch
#   size `"auto"` is $\min(200, N)$.
# - **Gradients.** Backpropagation through any stack of layers is built in; you
#   derived `relu_backward`, `softmax_cross_entropy_backward` and every `Linear.backward`, and
#   checked them against numerical gradients. Keras and PyTorch go one step further and derive the
#   backward pass of any function you write (automatic differentiation, section 6).
# - **Optimisers.** Adam is the default (`solver="adam"`), SGD comes with momentum 0.9 and
#   Nesterov's variant switched on: your stage 08 classes. `learning_rate="invscaling"` or
#   `"adaptive"` change the rate during training, as stage 05's cosine schedule did.
# - **Regularisation.** `alpha` is an L2 penalty, on by default ($10^{-4}$): `MLPClassifier` adds
#   $\frac{\alpha}{2B} \sum W^2$ to the loss of each minibatch of $B$ rows; in `Ridge`, $\alpha$
#   multiplies $\lVert w \rVert^2$ without the $1/N$ of our objective (section 3).
# - **Early stopping and validation.** `early_stopping=True` holds out `validation_fraction` of
#   the rows and keeps the best weights; without it the training-loss rule of section 2 decides
#   when to stop.
# - **Convergence checks.** `n_iter_`, `loss_curve_` and the `ConvergenceWarning` say how training
#   ended; `Ridge` needs none of that because it solves a linear system.
# - **Input validation.** `fit` checks shapes, converts lists and integer arrays, finds the
#   classes from the labels (`classes_`) and one-hot encodes them, and refuses NaNs; every
#   parameter is checked against its allowed range (a misspelt setting fails loudly).
#
# The price is that every one of these choices has a default, and the defaults decide the result
# as much as the architecture does: the third MNIST run above has the same network and the same
# data, but a different optimiser, batch size and penalty.
#
# **Checkpoint.** The two matched MNIST networks reach similar but not identical test accuracy.
# Name the differences that remain between them and explain why the step-for-step experiment agrees
# to within about $10^{-7}$ rather than exactly. Then pick two of `MLPClassifier`'s defaults and say how
# each would change the comparison if you had left it in place.

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_library_vs_scratch", "points": 2, "solution": true}
# ### BEGIN SOLUTION
# Only the starting point and the order of the minibatches differ: scikit-learn draws its initial
# weights (and its biases, which ours set to zero) and its shuffles from its own generator, so the
# two networks follow different SGD paths to similar but different minima; on a 1,000-image test set
# a difference of a few tenths of a percent is a few images. Given the same weights and the same
# order they compute the same updates, but in float32 and with the sums in the matrix products
# grouped differently, so results differ in the last bits (a few times 1e-8 for weights of size 0.1 to 1)
# and those rounding differences grow slowly over many steps. Leaving `solver="adam"` in place would
# change the update rule itself (per-parameter step sizes from running moments, learning rate 1e-3),
# so the comparison would measure optimisers, not implementations; leaving `momentum=0.9` (with
# `solver="sgd"`) would make each step about ten times larger on average at the same learning rate.
# Leaving the stopping rule in place could end training after fewer epochs than ours, and the
# default `alpha=1e-4` adds a small weight decay we did not have.
# ### END SOLUTION

# %% [markdown]
# ## 6. The same models in Keras: gradients by automatic differentiation
#
# scikit-learn's `MLPClassifier` has backpropagation for one kind of network built in. Deep-learning
# frameworks such as Keras, PyTorch and JAX go further: you write only the **forward** computation,
# and the framework derives the backward pass of whatever you wrote, by **automatic
# differentiation** (autodiff). While the forward pass runs, the framework records the graph of
# operations; for each operation it knows the local derivative (the same rules you used in
# `relu_backward` or `Linear.backward`), and it chains them backwards through the recorded graph.
# The red arrows you wrote by hand in stages 02 to 05 become code the framework generates:
#
# ![The MNIST network of stage 05 from scratch: a forward chain from the images through Linear, ReLU, Linear and softmax to the cross-entropy loss, and under it a backward arrow for every step, each one a function written by hand](figure:graph_by_hand)
#
# ![The same network in Keras: the same forward chain written as Dense layers and a loss, and the same backward arrows, now generated by automatic differentiation from the forward code](figure:graph_autodiff)
#
# The cell below imports [Keras](https://keras.io), which runs on one of several backends: in Colab
# that is TensorFlow; elsewhere, if TensorFlow is missing, the cell picks JAX (`pip install keras
# jax`). Everything in this section works with either. The second cell (given, read-only) holds
# `autodiff_gradients`, which asks the backend's automatic differentiation for the gradient of a
# compiled model's loss, and `dense_layers`, which lists a model's `Dense` layers in order.

# %%
import importlib.util
import os
from types import SimpleNamespace

if importlib.util.find_spec("tensorflow") is None:  # Colab has TensorFlow and keeps it as the backend
    os.environ.setdefault("KERAS_BACKEND", "jax")  # must be set before keras is imported
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow: no start-up notes about CPU instructions
import keras

if keras.backend.backend() == "tensorflow":  # nor notes about retracing the many small models the tests build
    import logging
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
print(f"Keras {keras.__version__}, backend: {keras.backend.backend()}")

# %% nbgrader={"grade_id": "given_autodiff", "locked": true}
def dense_layers(model):
    """The keras.layers.Dense layers of a model, in the order the data flows through them."""
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def autodiff_gradients(model, X, y):
    """Gradients of a compiled model's loss on the rows (X, y), penalties included, by autodiff.

    Returns one numpy array per entry of model.trainable_variables, in Keras's layout (a Dense
    kernel is (in, out)). The weights are not changed. Works with the jax and tensorflow backends.
    """
    X = keras.ops.convert_to_tensor(np.asarray(X, dtype="float32"))
    y = np.asarray(y)
    y = keras.ops.convert_to_tensor(y.astype("float32") if np.issubdtype(y.dtype, np.floating) else y)
    variables = model.trainable_variables
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        def loss_of(values):  # the same forward pass, with the weights as an explicit argument
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return model.compute_loss(x=X, y=y, y_pred=model(X))

        gradients = jax.jit(jax.grad(loss_of))([variable.value for variable in variables])
    elif backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:  # records the forward pass
            loss = model.compute_loss(x=X, y=y, y_pred=model(X))
        gradients = tape.gradient(loss, variables)
    else:
        raise RuntimeError(f"autodiff_gradients supports the jax and tensorflow backends, not {backend!r}: "
                           "set the environment variable KERAS_BACKEND before importing keras")
    return [np.asarray(keras.ops.convert_to_numpy(gradient)) for gradient in gradients]


# %% [markdown]
# ### Your weights in a Keras layer
#
# Keras's fully connected layer is `keras.layers.Dense(units)`. Once it knows its input width it
# holds two weights, `dense.kernel` of shape `(in_dim, units)` and `dense.bias` of shape
# `(units,)`, and on a batch of rows `x` of shape `(B, in_dim)` it computes
# `x @ dense.kernel + dense.bias`. `dense.get_weights()` returns both as numpy arrays, and
# `dense.set_weights([kernel, bias])` (or `dense.kernel.assign(...)`) sets them; Keras refuses
# arrays of the wrong shape.
#
# **TODO:** implement `linear_to_dense(lin, dense)`: copy the weights of our layer `lin` into the
# Keras layer `dense`, so that the two compute the same function. The comparisons below all rely
# on it: they start our network and Keras's from the very same weights.
#
# <details><summary>Hint 1: the idea</summary>
#
# Both layers compute an affine function of each row: a matrix product plus a bias. Write down
# what each one computes for the same batch `x`, and match the pieces: which array of ours must
# Keras's kernel be, and which its bias?
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Ours is `x @ lin.W.T + lin.b`, Keras's is `x @ dense.kernel + dense.bias`. The kernel must be the
# matrix that `x` is multiplied by in ours, of shape `(in_dim, out_dim)`: not `lin.W` itself, whose
# shape is `(out_dim, in_dim)` (for a square layer both shapes are the same, so Keras would accept
# the wrong one silently).
#
# </details>
#
# <details><summary>Hint 3: the code</summary>
#
# `dense.set_weights([lin.W.T, lin.b])`, then `return dense`.
#
# </details>

# %% nbgrader={"grade_id": "linear_to_dense", "solution": true}
def linear_to_dense(lin, dense):
    """Copy the weights of our layer `lin` into the Keras layer `dense`; return `dense`.

    lin: our Linear, or any object with numpy arrays lin.W, shape (out_dim, in_dim), and lin.b,
        shape (out_dim,). Not modified.
    dense: a built keras.layers.Dense with units == out_dim, a bias, and in_dim input features
        (dense.kernel and dense.bias exist). Its weights are replaced; the layer itself is returned,
        not a new one.
    Afterwards dense(x) equals lin.forward(x) for every x of shape (B, in_dim), to float32 rounding.
    The tests use layers of several shapes (square ones, one output, one input) and compare
    dense.get_weights() and dense(x) with lin.
    """
    ### BEGIN SOLUTION
    dense.set_weights([np.asarray(lin.W).T, np.asarray(lin.b)])
    return dense
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_linear_to_dense", "points": 3}
def _filled_dense(function, lin, in_dim, out_dim):
    """A fresh Dense(out_dim) for in_dim inputs (weights all 0), filled by the function under test."""
    layer = keras.layers.Dense(out_dim, kernel_initializer="zeros")
    layer.build((None, in_dim))
    try:
        returned = call(function, lin, layer)
    except ValueError as error:  # Keras checks every shape
        raise AssertionError(f"{function.__name__} (lin.W of shape {np.shape(lin.W)}): Keras refused the weights: "
                             f"{error} A Dense layer for {in_dim} inputs and {out_dim} outputs has a kernel of "
                             f"shape ({in_dim}, {out_dim}) and a bias of shape ({out_dim},).") from None
    assert returned is layer, (f"{function.__name__}: return the Dense layer you were given, filled in "
                               f"(got {'another ' if isinstance(returned, keras.layers.Dense) else ''}"
                               f"{type(returned).__name__})")
    return layer


def _assert_lin_unchanged(function, lin, W_before, b_before):
    for name, before, after in [("lin.W", W_before, lin.W), ("lin.b", b_before, lin.b)]:
        assert np.shape(after) == np.shape(before) and np.array_equal(after, before), (
            f"{function.__name__} changed {name} (shape {np.shape(before)} before, {np.shape(after)} after): leave "
            "our layer as it is and give Keras new arrays made from it")


lin_test = Linear(3, 2, rng=np.random.default_rng(0))
lin_test.W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
lin_test.b = np.array([0.5, -1.0])
dense_test = _filled_dense(linear_to_dense, lin_test, 3, 2)
_assert_lin_unchanged(linear_to_dense, lin_test, np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([0.5, -1.0]))
# worked by hand: [1, 0, -1] gives [1 - 3 + 0.5, 4 - 6 - 1], and [0, 1, 0] gives [2 + 0.5, 5 - 1]
assert_close("linear_to_dense: dense(x)", np.asarray(dense_test(np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]]))),
             [[-1.5, -3.0], [2.5, 4.0]], rtol=1e-6, atol=1e-6,
             case="W = [[1, 2, 3], [4, 5, 6]], b = [0.5, -1], x = [[1, 0, -1], [0, 1, 0]]")
print("linear_to_dense: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(1012)
for _in, _out, _dtype in [(3, 3, np.float64), (2, 2, np.float32), (4, 1, np.float64), (1, 5, np.float32)]:
    _lin = Linear(_in, _out, rng=_rng)
    _lin.W = _rng.normal(size=(_out, _in)).astype(_dtype)
    _lin.b = (_rng.normal(size=_out) + 1.0).astype(_dtype)
    _W0, _b0 = _lin.W.copy(), _lin.b.copy()
    _case = f"lin.W of shape ({_out}, {_in}) and lin.b of shape ({_out},), random values, {np.dtype(_dtype).name}"
    _dense = _filled_dense(linear_to_dense, _lin, _in, _out)
    _assert_lin_unchanged(linear_to_dense, _lin, _W0, _b0)
    _kernel, _bias = _dense.get_weights()
    assert_close("linear_to_dense: dense.kernel", _kernel, _W0.T, rtol=1e-6, atol=1e-6, case=_case)
    assert_close("linear_to_dense: dense.bias", _bias, _b0, rtol=1e-6, atol=1e-6, case=_case)
    if _in == _out == 3:
        _x = _rng.normal(size=(1, _in))
        assert_close("linear_to_dense: dense(x)", np.asarray(_dense(_x)), _x @ _W0.T + _b0, rtol=1e-5, atol=1e-5,
                     case=f"{_case}, a batch of 1")
### END HIDDEN TESTS

# %% [markdown]
# ### The credit model in Keras
#
# A Keras model is built from layers and then **compiled** with a loss and an optimiser; `fit`
# trains it, `train_on_batch` takes one optimiser step on the rows it is given, and
# `test_on_batch` returns the loss without a step. A penalty on a weight is attached to the layer as
# a **regulariser** (`kernel_regularizer=...`); Keras adds its value to the compiled loss, and so
# its gradient to the weight's gradient. The [Keras API reference](https://keras.io/api/) documents
# `Dense`, `keras.regularizers`, `keras.optimizers.SGD` and `keras.losses`.
#
# **TODO:** implement `make_keras_credit_model(n_features, lam, lr)`: return a compiled Keras model
# of the credit-score model that trains exactly like `train_linear_l2`: the same prediction, the same
# loss with its penalty (penalty included, bias unpenalised), the same update rule.
#
# <details><summary>Hint 1: the idea</summary>
#
# Three pieces: the layers (an input of `n_features` columns and one `Dense` layer with a single
# output and no activation), the penalty on that layer's kernel (a regulariser, not on the bias),
# and `compile` with an optimiser and a loss. Compare each piece with `train_linear_l2`.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# `keras.regularizers.L2(l2)` adds `l2 * sum(kernel ** 2)` to the loss: compare that with our
# penalty to choose `l2` (there is no factor $\frac{1}{2}$ here, unlike some texts and unlike
# `MLPClassifier`'s `alpha`). `keras.optimizers.SGD(learning_rate=...)` is plain gradient descent
# while its `momentum` stays at its default 0, and the loss `"mean_squared_error"` is our fit term.
# With all rows in one batch, each step is one epoch of ours.
#
# </details>
#
# <details><summary>Hint 3: the code</summary>
#
# ```python
# model = keras.Sequential([keras.Input(shape=(n_features,)),
#                           keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(lam))])
# model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mean_squared_error")
# return model
# ```
#
# </details>

# %% nbgrader={"grade_id": "make_keras_credit_model", "solution": true}
def make_keras_credit_model(n_features, lam, lr):
    """A compiled Keras model that trains like train_linear_l2(Xn, y, lam, lr, epochs).

    n_features: the number of input columns d; lam: our L2 strength (>= 0); lr: the learning rate.
    Returns a compiled keras model (Sequential or functional) whose only layer with weights is ONE
    Dense layer, with a bias, built for inputs of shape (B, n_features), such that
      - model(X) has shape (B, 1) and is the linear prediction (no activation);
      - the loss Keras reports and minimises on rows (X, y), y of shape (B,), is ours (section 1),
        penalty included, the bias unpenalised;
      - each train_on_batch(X, y) is one step of plain gradient descent at rate lr on those rows.
    The initial weights do not matter: the tests set them, then compare the loss (test_on_batch)
    and two or three train_on_batch steps with ours.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(lam)),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mean_squared_error")
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_make_keras_credit_model", "points": 3}
def _keras_step(function, model, X, y, what):
    """model.train_on_batch or test_on_batch on (X, y); a crash becomes a message about `function`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if what == "loss":
                return float(model.test_on_batch(X, y, return_dict=True)["loss"])
            model.train_on_batch(X, y)
    except Exception as error:
        method = "test_on_batch" if what == "loss" else "train_on_batch"
        raise AssertionError(f"{function.__name__}: the compiled model failed in {method} with rows X of shape "
                             f"{np.shape(X)} and labels y of shape {np.shape(y)}: {type(error).__name__}: "
                             f"{error}") from None


def _built_model(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = call(function, *args)
    case = f"{function.__name__}{args}"
    assert isinstance(model, keras.Model), f"{case}: return a keras model, got {type(model).__name__}"
    assert getattr(model, "optimizer", None) is not None and model.compiled, (
        f"{case}: compile the model (model.compile(optimizer=..., loss=...)) before returning it")
    return model, dense_layers(model), case


credit_model, credit_dense, case = _built_model(make_keras_credit_model, 1, 0.5, 0.1)
assert len(credit_dense) == 1, f"{case}: expected one Dense layer, found {len(credit_dense)}"
assert credit_dense[0].bias is not None, f"{case}: the Dense layer needs a bias (use_bias=True, the default)"
assert tuple(credit_dense[0].kernel.shape) == (1, 1), (
    f"{case}: the Dense kernel has shape {tuple(credit_dense[0].kernel.shape)}; expected (1, 1) for one feature "
    "and one output")
credit_dense[0].set_weights([np.array([[1.0]]), np.array([0.0])])
X_tiny, y_tiny = np.array([[1.0], [-1.0]]), np.array([3.0, -1.0])
where = "W = [[1]], b = [0], X = [[1], [-1]], y = [3, -1], lam = 0.5, lr = 0.1"
# worked by hand: predictions [1, -1], residuals [-2, 0]: mean squared error 2, penalty 0.5 * 1**2
assert_close(f"{case}: the loss (test_on_batch)", _keras_step(make_keras_credit_model, credit_model, X_tiny, y_tiny,
                                                               "loss"), 2.5, rtol=1e-5, case=where)
_keras_step(make_keras_credit_model, credit_model, X_tiny, y_tiny, "a training step")
# by hand: dL/dW = 2/2 * (-2 * 1 + 0 * -1) + 2 * 0.5 * 1 = -1, dL/db = -2, so W = 1.1, b = 0.2
assert_close(f"{case}: [W, b] after one train_on_batch", np.concatenate([np.ravel(w) for w in credit_dense[0].get_weights()]), [1.1, 0.2],
             rtol=1e-5, atol=1e-6, case=where)
_keras_step(make_keras_credit_model, credit_model, X_tiny, y_tiny, "a training step")
# by hand: residuals [-1.7, 0.1], dL/dW = -1.8 + 1.1 = -0.7, dL/db = -1.6, so W = 1.17, b = 0.36
assert_close(f"{case}: [W, b] after two train_on_batch steps (plain gradient descent, no momentum)",
             np.concatenate([np.ravel(w) for w in credit_dense[0].get_weights()]), [1.17, 0.36], rtol=1e-5, atol=1e-6, case=where)
print("make_keras_credit_model: visible tests passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(1013)
for _d, _lam, _lr in [(3, 0.1, 0.05), (2, 0.0, 0.3)]:
    _model, _dense, _case = _built_model(make_keras_credit_model, _d, _lam, _lr)
    assert len(_dense) == 1 and tuple(_dense[0].kernel.shape) == (_d, 1) and _dense[0].bias is not None, (
        f"{_case}: expected one Dense layer with a kernel of shape ({_d}, 1) and a bias")
    _W, _b = _rng.normal(size=(1, _d)), np.array([1.5])
    _dense[0].set_weights([_W.T, _b])
    _X = _rng.normal(size=(8, _d)) * 2
    _y = _X @ _rng.normal(size=_d) * 3 + _rng.normal(size=8)
    _where = f"{_d} features, 8 rows, lam = {_lam}, lr = {_lr}, bias starting at 1.5"
    _r = _X @ _W.T + _b - _y.reshape(-1, 1)
    assert_close(f"{_case}: the loss (test_on_batch)", _keras_step(make_keras_credit_model, _model, _X, _y, "loss"),
                 np.mean(_r ** 2) + _lam * np.sum(_W ** 2), rtol=1e-4, case=_where)
    for _step in range(3):
        _r = _X @ _W.T + _b - _y.reshape(-1, 1)
        _keras_step(make_keras_credit_model, _model, _X, _y, "a training step")
        _W = _W - _lr * ((2 * _r / 8).T @ _X + 2 * _lam * _W)
        _b = _b - _lr * (2 * _r / 8).sum(axis=0)
        _kernel, _bias = _dense[0].get_weights()
        _steps = f"{_step + 1} train_on_batch step{'s' if _step else ''}"
        assert_close(f"{_case}: the kernel after {_steps}", _kernel, _W.T, rtol=1e-4, atol=1e-5, case=_where)
        assert_close(f"{_case}: the bias after {_steps} (the bias is not penalised)", _bias, _b, rtol=1e-4,
                     atol=1e-5, case=_where)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _pred = np.asarray(_model(_X.astype("float32")))
    assert_close(f"{_case}: model(X)", _pred, _X @ _W.T + _b, rtol=1e-4, atol=1e-4, case=_where)
### END HIDDEN TESTS

# %% [markdown]
# ### The credit model, three ways
#
# Our gradient descent from section 4 starts from `Linear(3, 1, rng=np.random.default_rng(0))`. The
# cell below gives the Keras model those same starting weights with your `linear_to_dense`, and
# first compares one gradient: ours from `credit_gradients` (your `Linear.backward` of stage 02 and
# the penalty's gradient of stage 04) and Keras's from automatic differentiation, which only ever
# saw the forward pass. Then it trains the Keras model with `fit`: the same 2,000 full-batch
# steps at the same learning rate, all five rows in each batch. Keras computes in float32 (ours in
# float64), so the results can only agree to float32 rounding, about 7 significant digits. Under
# the grader both take 200 steps.

# %%
KERAS_CREDIT_EPOCHS = 200 if QUICK else 2000
keras_credit = call(make_keras_credit_model, len(FEATURES), LAM, 0.15)
start_lin = Linear(len(FEATURES), 1, rng=np.random.default_rng(0))  # where train_linear_l2 starts
call(linear_to_dense, start_lin, dense_layers(keras_credit)[0])

_, our_grad_W, our_grad_b = credit_gradients(start_lin, Xn_credit, y_credit, LAM)
keras_grad_kernel, keras_grad_bias = autodiff_gradients(keras_credit, Xn_credit, y_credit)
print("gradient at the starting weights   ours (by hand)   Keras (autodiff)")
for name, ours, theirs in zip(FEATURES + ["bias"], list(our_grad_W[0]) + [our_grad_b[0]],
                              list(keras_grad_kernel[:, 0]) + [keras_grad_bias[0]]):
    print(f"  {name:32s} {ours:14.6f} {theirs:18.6f}")
credit_grad_error = float(np.max(np.abs(np.append(keras_grad_kernel.T - our_grad_W, keras_grad_bias - our_grad_b)))
                          / np.max(np.abs(np.append(our_grad_W, our_grad_b))))
print(f"largest difference relative to the largest gradient: {credit_grad_error:.1e}")

credit_loss_start = float(keras_credit.test_on_batch(Xn_credit, y_credit, return_dict=True)["loss"])
# One epoch of ours is one step on all five rows. Keras's fit does bookkeeping after every epoch
# (history, callbacks), which would dominate here, so it gets the rows repeated once per epoch:
# a single pass over KERAS_CREDIT_EPOCHS batches of five rows, the same steps in the same order.
start = time.perf_counter()
keras_credit.fit(np.tile(Xn_credit, (KERAS_CREDIT_EPOCHS, 1)), np.tile(y_credit, KERAS_CREDIT_EPOCHS),
                 batch_size=N_credit, epochs=1, shuffle=False, verbose=0)
keras_credit_seconds = time.perf_counter() - start
credit_loss_end = float(keras_credit.test_on_batch(Xn_credit, y_credit, return_dict=True)["loss"])
lin_same, losses_same = (lin_gd, losses_gd) if KERAS_CREDIT_EPOCHS == 2000 else train_linear_l2(
    Xn_credit, y_credit, LAM, lr=0.15, epochs=KERAS_CREDIT_EPOCHS)
ours_end = float(np.mean((lin_same.forward(Xn_credit)[:, 0] - y_credit) ** 2)) + l2_penalty(lin_same.W, LAM)
kernel_keras, bias_keras = dense_layers(keras_credit)[0].get_weights()
print(f"\nafter {KERAS_CREDIT_EPOCHS} steps     gradient descent   Keras (fit)   sklearn Ridge")
for name, ours, theirs, exact in zip(FEATURES + ["bias"], list(lin_same.W[0]) + [lin_same.b[0]],
                                     list(kernel_keras[:, 0]) + [bias_keras[0]], list(W_ridge) + [b_ridge]):
    print(f"  {name:18s} {ours:17.6f} {theirs:13.6f} {exact:15.6f}")
print(f"loss before and after training: ours {losses_same[0]:.2f} and {ours_end:.4f}, Keras {credit_loss_start:.2f} "
      f"and {credit_loss_end:.4f}; Keras's fit took {keras_credit_seconds:.2f} s")
credit_keras_error = float(np.max(np.abs(np.append(kernel_keras.T - lin_same.W, bias_keras - lin_same.b)))
                           / np.max(np.abs(np.append(lin_same.W, lin_same.b))))
assert credit_grad_error < 1e-4 and credit_keras_error < 1e-4, (
    f"Keras's credit model and ours disagree (gradient by {credit_grad_error:.1e}, weights after training by "
    f"{credit_keras_error:.1e}, relative to the largest): fix make_keras_credit_model and linear_to_dense first "
    "(their tests above say how)")

# %% [markdown]
# ### The MNIST network in Keras
#
# **TODO:** implement `make_keras_mlp(n_features, hidden, n_classes, lr)`: return a compiled Keras
# version of `ScratchMLP` that trains like `train_scratch_mlp`: a ReLU hidden layer, an output layer
# that returns **logits** (like `ScratchMLP.forward`), the mean cross-entropy of the softmax of
# those logits against **integer** labels, and plain minibatch SGD.
#
# <details><summary>Hint 1: the idea</summary>
#
# The same three pieces as for the credit model: the layers (input, hidden `Dense` with ReLU,
# output `Dense` with no activation), no penalty this time, and `compile` with an optimiser and a
# loss. The model stops at the logits, so the softmax must happen inside the loss.
#
# </details>
#
# <details><summary>Hint 2: the key step</summary>
#
# Keras's cross-entropy losses take probabilities unless told that their input is logits
# (`from_logits=True`; they then compute a stable log-softmax, like your `log_softmax` of
# stage 05). Labels given as class numbers, not one-hot rows, need the *sparse* categorical
# cross-entropy.
#
# </details>
#
# <details><summary>Hint 3: the code</summary>
#
# ```python
# model = keras.Sequential([keras.Input(shape=(n_features,)),
#                           keras.layers.Dense(hidden, activation="relu"),
#                           keras.layers.Dense(n_classes)])
# model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
#               loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
# return model
# ```
#
# </details>

# %% nbgrader={"grade_id": "make_keras_mlp", "solution": true}
def make_keras_mlp(n_features, hidden, n_classes, lr):
    """A compiled Keras model that trains like train_scratch_mlp (n_features -> hidden (ReLU) -> n_classes).

    Returns a compiled keras model (Sequential or functional) whose layers with weights are exactly
    two Dense layers with biases: n_features -> hidden, then hidden -> n_classes, such that
      - model(X), X of shape (B, n_features), returns the LOGITS, shape (B, n_classes), like
        ScratchMLP.forward (no softmax inside the model);
      - the loss Keras reports and minimises on rows (X, y), y integer class labels of shape (B,), is
        the mean cross-entropy of softmax(logits) against y, with no penalty;
      - each train_on_batch(X, y) is one plain SGD step at rate lr on those rows (no momentum).
    The tests copy a ScratchMLP's weights into the two Dense layers and compare the logits, the loss
    (test_on_batch) and three train_on_batch steps with ScratchMLP's.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(n_classes),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_make_keras_mlp", "points": 3}
def _check_keras_mlp(n_features, hidden, n_classes, lr, rows, seed):
    """Compare make_keras_mlp's model with a ScratchMLP holding the same weights."""
    model, layers, case = _built_model(make_keras_mlp, n_features, hidden, n_classes, lr)
    expected_shapes = [(n_features, hidden), (hidden, n_classes)]
    shapes = [tuple(layer.kernel.shape) for layer in layers]
    assert shapes == expected_shapes, (
        f"{case}: the Dense kernels have shapes {shapes}; expected {expected_shapes} (two Dense layers, the hidden "
        "one with `hidden` units, the output one with `n_classes`)")
    assert all(layer.bias is not None for layer in layers), f"{case}: both Dense layers need a bias"
    rng_case = np.random.default_rng(seed)
    net = ScratchMLP(n_features, hidden, n_classes, rng_case)
    net.b1 = rng_case.normal(size=hidden).astype(np.float32) * 0.5
    net.b2 = rng_case.normal(size=n_classes).astype(np.float32) * 0.5
    layers[0].set_weights([net.W1.T, net.b1])
    layers[1].set_weights([net.W2.T, net.b2])
    X = rng_case.normal(size=(rows, n_features)).astype(np.float32)
    y = rng_case.integers(0, n_classes, size=rows)
    where = (f"{rows} row{'s' if rows > 1 else ''}, the weights of a ScratchMLP({n_features}, {hidden}, {n_classes}) "
             "with random biases")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logits = np.asarray(model(X))
    assert_close(f"{case}: model(X) (the logits, as ScratchMLP.forward returns them)", logits, net.forward(X),
                 rtol=1e-4, atol=1e-5, case=where)
    for step in range(3):
        loss, dlogits = softmax_cross_entropy(net.forward(X), y)
        assert_close(f"{case}: the loss (test_on_batch) before step {step + 1}",
                     _keras_step(make_keras_mlp, model, X, y, "loss"), loss, rtol=1e-4, atol=1e-6, case=where)
        _keras_step(make_keras_mlp, model, X, y, "a training step")
        net.backward(dlogits)
        net.sgd_step(lr)
        steps = f"{step + 1} train_on_batch step{'s' if step else ''} (plain SGD)"
        for layer, W, b, name in [(layers[0], net.W1, net.b1, "hidden"), (layers[1], net.W2, net.b2, "output")]:
            kernel, bias = layer.get_weights()
            assert_close(f"{case}: the {name} layer's kernel after {steps}", kernel, W.T, rtol=1e-3, atol=1e-5,
                         case=where)
            assert_close(f"{case}: the {name} layer's bias after {steps}", bias, b, rtol=1e-3, atol=1e-5, case=where)


_check_keras_mlp(4, 5, 3, 0.5, rows=6, seed=0)
print("make_keras_mlp: visible tests passed")
### BEGIN HIDDEN TESTS
_check_keras_mlp(6, 3, 2, 1.0, rows=1, seed=1)  # other sizes, another rate, a batch of one row
### END HIDDEN TESTS

# %% [markdown]
# ### The MNIST network, four ways
#
# Three comparisons, each with your `linear_to_dense` moving our weights into Keras's layers (the
# grader leaves them out):
#
# 1. **One gradient.** On one minibatch of 64 images, with the weights our network has after
#    section 4's training, our hand-written backward pass (`ScratchMLP.backward` after
#    `softmax_cross_entropy`, stages 02, 03 and 05) against Keras's automatic differentiation.
# 2. **One epoch, step for step.** Both start from those weights and train one more epoch on the
#    same 1,000 images in their stored order (`shuffle=False`), batches of 64.
# 3. **A whole run.** Keras trains its own network (drawn from `keras.utils.set_random_seed`) with
#    the settings of section 4, next to the three runs there. Keras's `Dense` layers start like ours:
#    Glorot (Xavier) uniform kernels and zero biases, its default.

# %%
def copy_scratch_mlp(net, model):
    """Put a ScratchMLP's weights into the two Dense layers of a Keras model (with linear_to_dense)."""
    hidden_layer, output_layer = dense_layers(model)
    call(linear_to_dense, SimpleNamespace(W=net.W1, b=net.b1), hidden_layer)
    call(linear_to_dense, SimpleNamespace(W=net.W2, b=net.b2), output_layer)
    return model


# Under the grader these comparisons are left out: compiling the Keras models would take most of its time.
if QUICK:
    print("under the grader: the Keras comparisons on MNIST are left out")
else:
    # 1. one gradient, by hand and by autodiff
    keras_mlp = copy_scratch_mlp(scratch_net, call(make_keras_mlp, 784, HIDDEN, 10, LEARNING_RATE))
    batch_images, batch_labels = X_train[:BATCH_SIZE], y_train[:BATCH_SIZE]
    logits_ours = scratch_net.forward(batch_images)
    _, dlogits = softmax_cross_entropy(logits_ours, batch_labels)
    scratch_net.backward(dlogits)
    logits_keras = np.asarray(keras_mlp(batch_images))
    keras_grads = autodiff_gradients(keras_mlp, batch_images, batch_labels)
    print(f"one minibatch of {BATCH_SIZE}: largest |logit difference| {np.max(np.abs(logits_keras - logits_ours)):.1e}")
    for name, ours, theirs in zip(["W1", "b1", "W2", "b2"], [scratch_net.dW1, scratch_net.db1, scratch_net.dW2,
                                                              scratch_net.db2], keras_grads):
        largest, difference = np.max(np.abs(ours)), np.max(np.abs(ours - theirs.T))
        print(f"  d{name:3s} shape {str(ours.shape):11s} largest |gradient| {largest:.2e}, largest |ours - autodiff| "
              f"{difference:.1e} ({difference / largest:.0e} of the largest)")

    # 2. one more epoch in the same order
    twin_net = copy.deepcopy(scratch_net)
    _, twin_epoch_losses = train_scratch_mlp(step_images, step_labels, HIDDEN, LEARNING_RATE, BATCH_SIZE, 1, SEED,
                                             net=twin_net, shuffle=False)
    keras_step_history = keras_mlp.fit(step_images, step_labels, batch_size=BATCH_SIZE, epochs=1, shuffle=False,
                                       verbose=0)
    keras_step_difference = max(float(np.max(np.abs(ours - theirs.T))) for ours, theirs in zip(
        [twin_net.W1, twin_net.b1, twin_net.W2, twin_net.b2],
        [weight for layer in dense_layers(keras_mlp) for weight in layer.get_weights()]))
    print(f"after one more epoch of {int(np.ceil(len(step_labels) / BATCH_SIZE))} steps in the same order: max |weight "
          f"difference| {keras_step_difference:.1e}; epoch loss {twin_epoch_losses[0]:.6f} (ours), "
          f"{keras_step_history.history['loss'][0]:.6f} (Keras)")
    assert keras_step_difference < 1e-4, (
        "our network and Keras's disagree after one epoch from the same weights: fix make_keras_mlp and "
        "linear_to_dense first (their tests above say how)")

    # 3. a whole run
    keras.utils.set_random_seed(SEED)
    keras_run = call(make_keras_mlp, 784, HIDDEN, 10, LEARNING_RATE)
    start = time.perf_counter()
    keras_run_history = keras_run.fit(X_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=True,
                                      verbose=0)
    keras_seconds = time.perf_counter() - start
    keras_accuracy = float(np.mean(np.argmax(np.asarray(keras_run.predict(X_test, verbose=0)), axis=1) == y_test))
    runs["Keras, SGD"] = (keras_seconds, keras_accuracy)
    print(f"\n{N_TRAIN:,} training images, {EPOCHS} epochs, batches of {BATCH_SIZE}, learning rate "
          f"{LEARNING_RATE}; {N_TEST:,} test images")
    for name, (seconds, test_accuracy) in runs.items():
        print(f"{name:32s} test accuracy {test_accuracy:.4f}   training time {seconds:.2f} s")
    print(f"mean training loss of the last epoch: from scratch {scratch_losses[-1]:.4f}, "
          f"Keras {keras_run_history.history['loss'][-1]:.4f}")


# %% [markdown]
# ## 7. What the framework automates
#
# You wrote five things for each model that Keras now did for you: the parameters and their
# initialisation (`Dense` creates a Glorot-uniform kernel and a zero bias as soon as it knows its
# input width), the forward pass, the **backward pass**, the update rule (`keras.optimizers`), and
# the training loop with its minibatches (`fit`, with `batch_size` and `shuffle`). Only the
# backward pass is new in kind: scikit-learn has backpropagation built in for the one kind of
# network it offers; Keras derives the gradient of any forward computation built from its
# operations, which is what lets you change a network without deriving anything.
#
# **Checkpoint.** (a) Name what Keras did that you wrote by hand in stages 02 to 05, and say which
# of your functions each one replaces. (b) Your gradients and Keras's agree to within $10^{-6}$ of
# the largest gradient (the cells print it), not exactly: why, and why is that enough to trust your
# backward passes?
# What would a larger mismatch, say in one bias only, have told you? (c) Why does a Dense kernel
# have the shape of our `W.T`, and what goes wrong, silently, if you copy `W` itself into a
# square layer?

# %% [markdown] nbgrader={"grade": true, "grade_id": "checkpoint_framework", "points": 3, "solution": true}
# ### BEGIN SOLUTION
# (a) `Dense` replaces `Linear`'s `__init__` and `forward` (with `xavier_uniform` of stage 06 as its
# default initialiser) and `activation="relu"` replaces `relu`; the loss
# `SparseCategoricalCrossentropy(from_logits=True)` replaces `log_softmax`, `cross_entropy` and the
# one-hot encoding; `fit` with `batch_size` and `shuffle` replaces the training loop and
# `iterate_minibatches`; `SGD` replaces the update `W -= lr * dW`; the `L2` regulariser replaces
# `l2_penalty` and `l2_gradient`. Automatic differentiation replaces every backward function:
# `Linear.backward`, `relu_backward`, `softmax_cross_entropy_backward`, and the gradient of the
# penalty.
#
# (b) Keras computes in float32 (7 significant digits) and sums in a different order, so the
# two gradients differ by rounding, here from 4e-8 (credit) to 6e-7 (MNIST) of the largest
# gradient. A wrong derivative is not off by rounding: a missing factor 2, a transpose or a
# missing term changes the gradient by a large fraction of its size, so agreement to 1e-6 on real
# data rules those out. A mismatch in one bias only would point at that layer's bias gradient, for
# example a sum over the wrong axis.
#
# (c) Keras computes `x @ kernel` and we compute `x @ W.T`, so the kernel is `W.T`, shape
# (in, out). For a square layer `W` has the same shape as `W.T`, Keras accepts it, and the layer
# computes `x @ W` instead: a different function, with no error; only comparing predictions (as
# the tests do) shows it.
# ### END SOLUTION

# %% [markdown]
# # Part B: a project of your own
#
# Now use what you have built on a classification problem you choose. The cells below work one
# example end to end, the Wisconsin breast-cancer data that ships with scikit-learn, with a
# from-scratch network (given, read-only) and a scikit-learn baseline. **Your project replaces the
# example**: edit the code cells of steps 1 to 6 (each starts with a `REPLACE` comment that says
# what to change and which names later cells rely on), run them, and write the five graded answers
# at the end about your results.
#
# **Choosing data.** Any table of numbers with a class label for each row works: a dataset from
# `sklearn.datasets` (bundled with it: `load_wine`, `load_digits`, `load_iris`; downloaded once and
# cached: `fetch_openml(...)`, `fetch_covtype`), a CSV file from a source you cite, or data of your
# own. A few hundred to a few tens of thousands of rows is a good size. The grader runs your notebook **without a network connection and without
# your other files**, and runs every cell: if your data needs a download or a file, fall back to the
# example data when `under_grader()` is true (step 1 shows how), and keep the whole project under a
# minute, shrinking it under the grader (`QUICK`) as the examples do. Your results and your report
# come from your own full run.
#
# **Rubric** (20 points, graded by hand; the five answer cells at the end carry the points):
#
# | criterion | points | full marks when | graded in |
# |---|---|---|---|
# | Implementation | 6 | the pipeline runs top to bottom on your data: loading, a stratified train/validation/test split, preprocessing fitted on the training rows only, the from-scratch network trained, a library baseline trained on the same split | your code in steps 1 to 6, summarised in `project_implementation` |
# | Correctness and reasoning | 5 | the test set is used once, at the end; every choice (layers, learning rate, epochs, regularisation, metric) is justified with validation numbers or a property of the data; sanity checks (a trivial baseline, overfitting a few rows) are run and read correctly | `project_reasoning` |
# | Code quality and documentation | 3 | short functions with docstrings, names that say what they hold, seeds fixed, constants in one place, no copy-paste; the data's source, licence and how to rerun are written down | your code, and `project_documentation` |
# | Report | 4 | a clear, honest account: question, data, method, results with numbers (a table), what worked and what did not, limitations | `project_report` |
# | Completeness | 2 | every step is present, and the checklist says where | `project_completeness` |

# %% [markdown]
# ## The from-scratch network (given)
#
# `ProjectMLP` generalises the networks of this course: any number of ReLU hidden layers, a softmax
# output, He-normal weights (stage 06) and zero biases, minibatch SGD with an optional L2 penalty
# $\lambda \sum W^2$ on the weights (stage 04; biases are not penalised), and a history of the loss
# and accuracy after every epoch on the training rows and, if given, on validation rows.

# %% nbgrader={"grade_id": "given_project_mlp", "locked": true}
class ProjectMLP:
    """input -> [Linear -> ReLU] * len(hidden) -> Linear -> softmax, trained with minibatch SGD."""

    def __init__(self, n_features, hidden, n_classes, seed=0):
        sizes = [n_features, *hidden, n_classes]
        self.rng = np.random.default_rng(seed)
        self.weights = [self.rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
                        for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(n_out) for n_out in sizes[1:]]

    def logits(self, X):
        """Forward pass; keeps each layer's input for backward."""
        self.inputs = []
        for layer, (W, b) in enumerate(zip(self.weights, self.biases)):
            self.inputs.append(X)
            X = X @ W.T + b
            if layer < len(self.weights) - 1:
                X = np.maximum(X, 0.0)
        return X

    def backward(self, dlogits):
        """Gradients of the loss for every weight and bias, given dL/dlogits (last layer first)."""
        grads = []
        for layer in reversed(range(len(self.weights))):
            x = self.inputs[layer]
            grads.append((dlogits.T @ x, dlogits.sum(axis=0)))
            if layer > 0:
                dlogits = (dlogits @ self.weights[layer]) * (x > 0)  # x is the ReLU output of the layer below
        return grads[::-1]

    def predict_proba(self, X):
        logits = self.logits(X)
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, X):
        return np.argmax(self.logits(X), axis=1)

    def loss(self, X, y):
        """Mean cross-entropy (without the penalty)."""
        return -float(np.mean(np.log(self.predict_proba(X)[np.arange(len(y)), y] + 1e-12)))

    def fit(self, X, y, *, lr, epochs, batch_size, weight_decay=0.0, X_val=None, y_val=None):
        """Minibatch SGD on mean cross-entropy + weight_decay * sum(W**2); returns the history dict."""
        history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
        for _ in range(epochs):
            order = self.rng.permutation(len(X))
            for start in range(0, len(X), batch_size):
                rows = order[start:start + batch_size]
                probs = self.predict_proba(X[rows])
                probs[np.arange(len(rows)), y[rows]] -= 1.0
                for W, b, (dW, db) in zip(self.weights, self.biases, self.backward(probs / len(rows))):
                    W -= lr * (dW + 2.0 * weight_decay * W)
                    b -= lr * db
            history["train_loss"].append(self.loss(X, y))
            history["train_acc"].append(float(np.mean(self.predict(X) == y)))
            if X_val is not None:
                history["val_loss"].append(self.loss(X_val, y_val))
                history["val_acc"].append(float(np.mean(self.predict(X_val) == y_val)))
        return history


# %% [markdown]
# ## Step 1: choose the data
#
# The example: 569 breast-tumour samples, each described by 30 measurements of cell nuclei in a
# digitised image (radius, texture, smoothness, ... as mean, standard error and worst value), and
# labelled malignant or benign. The question a clinic would ask: how well can a small network tell
# malignant from benign from these measurements, and how many malignant tumours does it miss?

# %%
# REPLACE: load your own data here and describe it. Later cells rely on these names:
#   X_all (n_rows, n_features) float array; y_all (n_rows,) int labels 0 .. C-1;
#   CLASS_NAMES (C strings); DATA_DESCRIPTION (what the data is, its source and licence).
# If your data needs a download or a file, keep the example as the fallback for the grader:
#     if under_grader():   # no network, and none of your files
#         ... the example below ...
#     else:
#         ... your own loading ...
from sklearn.datasets import load_breast_cancer

PROJECT_SEED = 0
cancer = load_breast_cancer()
X_all = cancer.data.astype(float)
y_all = cancer.target.astype(int)  # 0 = malignant, 1 = benign
CLASS_NAMES = [str(name) for name in cancer.target_names]
DATA_DESCRIPTION = ("Breast Cancer Wisconsin (Diagnostic), W. Wolberg, W. Street and O. Mangasarian (1995), "
                    "UCI Machine Learning Repository (CC BY 4.0), as shipped with scikit-learn")

print(DATA_DESCRIPTION)
print(f"{X_all.shape[0]} rows, {X_all.shape[1]} features, classes: "
      + ", ".join(f"{name} {np.sum(y_all == k)} ({np.mean(y_all == k):.0%})" for k, name in enumerate(CLASS_NAMES)))
print(f"feature ranges from {X_all.min(axis=0).min():.3g} to {X_all.max(axis=0).max():.3g}: "
      f"the largest column mean is {X_all.mean(axis=0).max():.3g}, the smallest {X_all.mean(axis=0).min():.2g}")

# %% [markdown]
# ## Step 2: split, then preprocess with the training rows only
#
# Three parts, each with the classes in the same proportions (**stratified**): 60% to train on, 20%
# to choose the layers and hyperparameters (**validation**), 20% to measure the final model once
# (**test**). The features span five orders of magnitude, so they are standardised (stage 04) with
# the mean and standard deviation of the **training** rows only: computing them on all rows would
# let the test rows leak into training.

# %%
# REPLACE if your data needs other preprocessing (for example one-hot encoding categories, or
# scaling pixels to [0, 1]); keep the names below. "p" stands for project, so Part A's names survive.
from sklearn.model_selection import train_test_split

X_rest, Xp_test_raw, y_rest, yp_test = train_test_split(X_all, y_all, test_size=0.2, stratify=y_all,
                                                        random_state=PROJECT_SEED)
Xp_train_raw, Xp_val_raw, yp_train, yp_val = train_test_split(X_rest, y_rest, test_size=0.25, stratify=y_rest,
                                                              random_state=PROJECT_SEED)
_, train_mean, train_std = standardize(Xp_train_raw)
Xp_train, Xp_val, Xp_test = [(X - train_mean) / train_std for X in (Xp_train_raw, Xp_val_raw, Xp_test_raw)]
N_FEATURES, N_CLASSES = X_all.shape[1], len(CLASS_NAMES)
for name, labels in [("train", yp_train), ("validation", yp_val), ("test", yp_test)]:
    print(f"{name:10s} {len(labels):4d} rows, class fractions "
          + ", ".join(f"{np.mean(labels == k):.3f}" for k in range(N_CLASSES)))

# %% [markdown]
# ## Step 3: sanity checks
#
# Two cheap checks before any tuning. A **trivial baseline** that always predicts the most common
# class sets the bar every model must clear. And a network that cannot **overfit a handful of rows**
# (reach a training loss near 0 on them) has a bug, or a learning rate that is far off.

# %%
# REPLACE only if you change the model or the data's names.
majority_class = np.bincount(yp_train).argmax()
majority_val_accuracy = float(np.mean(yp_val == majority_class))
print(f"always predicting '{CLASS_NAMES[majority_class]}': validation accuracy {majority_val_accuracy:.3f}")

tiny_rows = np.concatenate([np.flatnonzero(yp_train == k)[:8] for k in range(N_CLASSES)])
tiny_net = ProjectMLP(N_FEATURES, [32], N_CLASSES, seed=PROJECT_SEED)
tiny_history = tiny_net.fit(Xp_train[tiny_rows], yp_train[tiny_rows], lr=0.1, epochs=200, batch_size=len(tiny_rows))
print(f"overfitting {len(tiny_rows)} rows: training loss {tiny_history['train_loss'][0]:.3f} after 1 epoch, "
      f"{tiny_history['train_loss'][-1]:.4f} after 200; training accuracy {tiny_history['train_acc'][-1]:.2f}")
assert tiny_history["train_loss"][-1] < 0.05, "the network cannot overfit a few rows: check the data and lr"

# %% [markdown]
# ## Step 4: choose the layers and hyperparameters on the validation set
#
# A small grid: one or two hidden layers, two widths, two learning rates, with and without an L2
# penalty. Each candidate trains on the training rows; we record the epoch with the lowest
# validation cross-entropy (a finer measure than accuracy on 114 rows, where one row is almost 1%)
# and pick the candidate whose best validation loss is lowest.

# %%
# REPLACE: the candidates, epochs and batch size that make sense for your data and its size.
PROJECT_EPOCHS = 20 if QUICK else 150
PROJECT_BATCH = 32
CANDIDATES = [
    {"hidden": [8], "lr": 0.01, "weight_decay": 0.0},
    {"hidden": [8], "lr": 0.1, "weight_decay": 0.0},
    {"hidden": [32], "lr": 0.01, "weight_decay": 0.0},
    {"hidden": [32], "lr": 0.1, "weight_decay": 0.0},
    {"hidden": [32], "lr": 0.1, "weight_decay": 1e-3},
    {"hidden": [32, 16], "lr": 0.01, "weight_decay": 0.0},
    {"hidden": [32, 16], "lr": 0.1, "weight_decay": 1e-3},
]
if QUICK:
    CANDIDATES = CANDIDATES[2:4]


def evaluate_candidate(settings):
    """Train one candidate on the training rows; return (best validation loss, its epoch, history)."""
    net = ProjectMLP(N_FEATURES, settings["hidden"], N_CLASSES, seed=PROJECT_SEED)
    history = net.fit(Xp_train, yp_train, lr=settings["lr"], epochs=PROJECT_EPOCHS, batch_size=PROJECT_BATCH,
                      weight_decay=settings["weight_decay"], X_val=Xp_val, y_val=yp_val)
    best_epoch = int(np.argmin(history["val_loss"])) + 1
    return history["val_loss"][best_epoch - 1], best_epoch, history


search = [(settings, *evaluate_candidate(settings)) for settings in CANDIDATES]
print(f"{'hidden':>9s} {'lr':>5s} {'L2':>6s} {'best val loss':>14s} {'at epoch':>9s} {'val acc there':>14s}")
for settings, best_loss, best_epoch, history in search:
    print(f"{str(settings['hidden']):>9s} {settings['lr']:5g} {settings['weight_decay']:6g} {best_loss:14.4f} "
          f"{best_epoch:9d} {history['val_acc'][best_epoch - 1]:14.3f}")
chosen, chosen_loss, chosen_epochs, chosen_history = min(search, key=lambda result: result[1])
print(f"chosen: {chosen}, trained for {chosen_epochs} epochs")

# %% [markdown]
# ## Step 5: train the chosen model
#
# The chosen candidate, retrained from the same seed for the number of epochs that was best on the
# validation set (so it is exactly the network that was validated), with its learning curves.

# %%
# REPLACE only if your choice needs it (for example training on train + validation for the final model).
final_net = ProjectMLP(N_FEATURES, chosen["hidden"], N_CLASSES, seed=PROJECT_SEED)
final_history = final_net.fit(Xp_train, yp_train, lr=chosen["lr"], epochs=chosen_epochs, batch_size=PROJECT_BATCH,
                              weight_decay=chosen["weight_decay"], X_val=Xp_val, y_val=yp_val)
print(f"after {chosen_epochs} epochs: training loss {final_history['train_loss'][-1]:.4f}, validation loss "
      f"{final_history['val_loss'][-1]:.4f}, validation accuracy {final_history['val_acc'][-1]:.3f}")

# %% [markdown]
# ## Step 6: evaluate once on the test set, against baselines
#
# Only now do we look at the test rows, once, for the chosen network and for two scikit-learn
# baselines trained on the same standardised training rows: a logistic regression (a network
# without hidden layers) and an `MLPClassifier` of 32 hidden units, trained with its default Adam,
# L2 penalty and stopping rule for up to 1,000 epochs. Besides accuracy, a clinic cares
# most about the **recall of the malignant class**: the fraction of malignant tumours the model
# flags (a missed one is far worse than a false alarm).

# %%
# REPLACE: the metrics that matter for your question (for example per-class recall, or macro F1 for
# unbalanced classes) and the baselines that make sense; keep the test set for this cell only.
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, precision_score, recall_score

POSITIVE = 0  # the class whose recall and precision we report: malignant
baselines = {
    "LogisticRegression": LogisticRegression(max_iter=1_000),
    "MLPClassifier (32 units, Adam)": MLPClassifier(hidden_layer_sizes=(32,), max_iter=50 if QUICK else 1_000,
                                              random_state=PROJECT_SEED),
}
test_predictions = {f"ProjectMLP {chosen['hidden']} (ours)": final_net.predict(Xp_test)}
for name, baseline in baselines.items():
    fit_quietly(baseline, Xp_train, yp_train)
    test_predictions[name] = baseline.predict(Xp_test)
test_predictions["always the majority class"] = np.full(len(yp_test), majority_class)

print(f"{'model':32s} {'accuracy':>9s} {'recall (' + CLASS_NAMES[POSITIVE] + ')':>20s} "
      f"{'precision':>10s}  errors")
for name, predicted in test_predictions.items():
    recall = recall_score(yp_test, predicted, pos_label=POSITIVE, average="binary") if N_CLASSES == 2 else float("nan")
    precision = precision_score(yp_test, predicted, pos_label=POSITIVE, average="binary",
                                zero_division=0.0) if N_CLASSES == 2 else float("nan")
    print(f"{name:32s} {np.mean(predicted == yp_test):9.3f} {recall:20.3f} {precision:10.3f}  "
          f"{int(np.sum(predicted != yp_test))} of {len(yp_test)}")
print(f"our network's cross-entropy: {final_net.loss(Xp_test, yp_test):.4f} on the test rows, "
      f"{chosen_loss:.4f} on the validation rows it was chosen with")

# %%
# REPLACE only if your project needs other plots: the chosen network's learning curves and its test confusion matrix.
fig, (ax_curves, ax_confusion) = plt.subplots(1, 2, figsize=(12, 4.3))
epochs_axis = np.arange(1, chosen_epochs + 1)
ax_curves.plot(epochs_axis, final_history["train_loss"], label="training")
ax_curves.plot(epochs_axis, final_history["val_loss"], label="validation")
ax_curves.set_yscale("log")
ax_curves.set_xlabel("epoch")
ax_curves.set_ylabel("cross-entropy (log scale)")
ax_curves.set_title(f"Learning curves of the chosen network {chosen['hidden']}")
ax_curves.legend()
confusion = confusion_matrix(yp_test, test_predictions[f"ProjectMLP {chosen['hidden']} (ours)"],
                             labels=range(N_CLASSES))
ax_confusion.imshow(confusion, cmap="Blues")
for true_class in range(N_CLASSES):
    for predicted_class in range(N_CLASSES):
        ax_confusion.text(predicted_class, true_class, str(confusion[true_class, predicted_class]), ha="center",
                          va="center", color="white" if confusion[true_class, predicted_class] > confusion.max() / 2
                          else "black")
ax_confusion.set_xticks(range(N_CLASSES), CLASS_NAMES)
ax_confusion.set_yticks(range(N_CLASSES), CLASS_NAMES)
ax_confusion.set_xlabel("predicted")
ax_confusion.set_ylabel("true")
ax_confusion.set_title(f"Our network on the {len(yp_test)} test rows")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Your answers (graded by hand)
#
# Replace the text in each of the five cells below with your own, about **your** project. They are
# graded against the rubric at the top of Part B; the code above is read along with them.
#
# **Implementation.** For each step (data, split and preprocessing, sanity checks, model choice,
# final training, evaluation and baselines), say in a sentence or two what your code does and what
# you changed from the example.

# %% [markdown] nbgrader={"grade": true, "grade_id": "project_implementation", "points": 6, "solution": true}
# ### BEGIN SOLUTION
# (The worked example, on the breast-cancer data.)
#
# 1. **Data**: `load_breast_cancer()` from scikit-learn, 569 rows, 30 float features, labels
#    0 = malignant (212, 37%) and 1 = benign (357, 63%); nothing to download, so it runs under the grader.
# 2. **Split and preprocessing**: two stratified `train_test_split` calls give 341 training, 114
#    validation and 114 test rows with the same class fractions (0.37/0.63); the features are
#    standardised with the mean and standard deviation of the 341 training rows only.
# 3. **Sanity checks**: the majority class ("benign") scores 0.623 on validation; a 30-32-2 network
#    drives the loss on 16 rows from 0.54 to 0.004 in 200 full-batch epochs, so the pipeline can learn.
# 4. **Model choice**: seven candidates of the given `ProjectMLP` (widths [8], [32], [32, 16];
#    learning rates 0.01 and 0.1; L2 0 or 1e-3), 150 epochs of SGD on batches of 32; each is scored
#    by its lowest validation cross-entropy and the epoch where it occurs.
# 5. **Final training**: the winner, [32, 16] hidden units, lr 0.1, L2 1e-3, retrained from the same
#    seed for its best 115 epochs, so it is exactly the validated network.
# 6. **Evaluation**: once on the test rows: accuracy, recall and precision of the malignant class
#    and a confusion matrix, next to `LogisticRegression`, an `MLPClassifier` with 32 units and Adam,
#    and the majority class, all trained on the same standardised training rows.
# ### END SOLUTION

# %% [markdown]
# **Correctness and reasoning.** Justify each choice with the numbers you saw (validation results,
# learning curves, properties of the data): the split, the preprocessing, the architecture, the
# learning rate, the number of epochs, the regularisation and the metric. What do the sanity checks
# show? How sure are you of the differences between the models, given the size of your test set?

# %% [markdown] nbgrader={"grade": true, "grade_id": "project_reasoning", "points": 5, "solution": true}
# ### BEGIN SOLUTION
# The classes are unbalanced (37% malignant), so the split is stratified and accuracy is read
# against the majority baseline (0.62 on validation, 0.63 on test), not against 0.5. The features
# have means from 0.004 to 881 (the area), so without standardising, the gradient would be
# dominated by a few columns (stage 04); the statistics come from the training rows only so that no
# test information leaks in. The overfitting check reaches a loss of 0.004 on 16 rows, so the
# network, its gradients and the learning rate work. On validation, lr 0.01 is too slow: its best
# epoch is the last one (150) for every width, its loss is still falling; lr 0.1 reaches lower
# validation losses. The L2 penalty helps slightly at [32] (0.0261 against 0.0270) and the
# two-layer network with it is best (0.0130 at epoch 115, validation accuracy 0.991). From about
# epoch 95 on its validation loss hardly moves (0.013 to 0.014, the minimum at 115 within that
# wobble) while the training loss keeps falling: more epochs no longer help, hence 115. I chose by
# validation cross-entropy because accuracy on 114 rows moves in steps of 0.9% and five candidates
# lie between 0.982 and 0.991. Recall of the malignant class is reported because a missed cancer
# costs far more than a false alarm.
#
# How sure: the test set has 114 rows, 42 of them malignant. Our network and logistic regression
# make 3 errors each (accuracy 0.974, 2 missed cancers, 1 false alarm); `MLPClassifier` makes 5.
# A difference of 2 rows out of 114 is well inside the noise (the standard error of an accuracy near
# 0.97 on 114 rows is about 0.015), so the honest conclusion is that all three learned models are
# equally good here, and far better than the baseline. Choosing the best of seven candidates, and its
# epoch, on the same 114 validation rows also makes its validation score optimistic: its test
# cross-entropy is 0.115 against 0.013 on validation. The test numbers are the fair ones.
# ### END SOLUTION

# %% [markdown]
# **Code quality and documentation.** Write the short README of your project: where the data comes
# from and under which licence, how to rerun the notebook (packages, seeds, running time, what
# changes under the grader), what each of your functions does, and the known limitations of the
# code. (The points also cover how your code above is written: docstrings, names, constants in one
# place, no copy-paste.)

# %% [markdown] nbgrader={"grade": true, "grade_id": "project_documentation", "points": 3, "solution": true}
# ### BEGIN SOLUTION
# **Data.** Breast Cancer Wisconsin (Diagnostic) by W. Wolberg, W. Street and O. Mangasarian
# (1995), from the UCI Machine Learning Repository under CC BY 4.0; the copy that ships with
# scikit-learn (`sklearn.datasets.load_breast_cancer`), so no download is needed.
#
# **Rerunning.** numpy, matplotlib, scikit-learn and the course `helpers`. Every random choice has a
# seed (`PROJECT_SEED = 0` for the splits, the networks' weights and their batch order), so a rerun
# reproduces every number; the whole of Part B takes a few seconds. Under the grader (`QUICK`) the
# search trains two candidates for 20 epochs instead of seven for 150, so its numbers differ.
#
# **Code.** `ProjectMLP` (given) is the network; `evaluate_candidate(settings)` trains one candidate
# on the training rows and returns its best validation loss, that epoch and the history. The
# candidates, epochs and batch size are constants at the top of step 4, the positive class for
# recall in step 6.
#
# **Limitations.** One split and one seed per candidate: the ranking of close candidates could change
# with another seed (cross-validation would say); the grid is small; `ProjectMLP` has no early
# stopping of its own, so the final model is retrained for the chosen number of epochs.
# ### END SOLUTION

# %% [markdown]
# **Report.** The report of your project, for a reader who has not seen the notebook: the question,
# the data, the method, the results (a small table with the test numbers of your model and the
# baselines), what worked and what did not, and the limitations. Half a page is enough.

# %% [markdown] nbgrader={"grade": true, "grade_id": "project_report", "points": 4, "solution": true}
# ### BEGIN SOLUTION
# **Question.** Can a small neural network written from scratch tell malignant from benign breast
# tumours using 30 measurements of cell nuclei, and how many malignant tumours does it miss?
#
# **Data and method.** 569 tumours (212 malignant). A stratified 60/20/20 split into training,
# validation and test rows; features standardised with training statistics. Seven networks (one or
# two ReLU hidden layers, learning rate 0.01 or 0.1, with or without an L2 penalty) were trained
# with minibatch SGD and compared on validation cross-entropy. The best, 30-32-16-2 with lr 0.1 and
# L2 1e-3 trained for 115 epochs, was evaluated once on the test rows next to scikit-learn baselines.
#
# | model (114 test rows, 42 malignant) | accuracy | recall, malignant | precision, malignant |
# |---|---|---|---|
# | our network 30-32-16-2 | 0.974 | 0.952 (2 missed) | 0.976 (1 false alarm) |
# | logistic regression | 0.974 | 0.952 | 0.976 |
# | MLPClassifier, 32 units, Adam | 0.956 | 0.929 | 0.951 |
# | always "benign" | 0.632 | 0 | - |
#
# **What worked, what did not.** Standardisation and a learning rate of 0.1 mattered most: at 0.01
# every network was still improving after 150 epochs. Depth and the penalty improved the validation
# loss a little but did not beat logistic regression on the test set: the classes are almost
# linearly separable in these features, so a linear model is as good, simpler and easier to
# explain. **Limitations.** The test set is small (one tumour is 0.9% of accuracy, two missed
# cancers are 4.8% of recall), so the models cannot be ranked; one split and one seed were used; and
# a real screening tool would choose a decision threshold for high recall rather than the argmax.
# ### END SOLUTION

# %% [markdown]
# **Completeness.** The cell below is yours to edit: tick each item of the checklist (change `[ ]`
# to `[x]`) and replace the dots after it with a few words on where it is or what it gave.

# %% [markdown] nbgrader={"grade": true, "grade_id": "project_completeness", "points": 2, "solution": true}
# - [ ] data chosen, loaded and described: ...
# - [ ] stratified train / validation / test split: ...
# - [ ] preprocessing fitted on the training rows only: ...
# - [ ] sanity checks, a trivial baseline and overfitting a few rows: ...
# - [ ] layers and hyperparameters chosen on validation data: ...
# - [ ] the chosen network trained, with learning curves: ...
# - [ ] one evaluation on the test set with a metric that fits the question: ...
# - [ ] a library baseline on the same split: ...
# - [ ] report with a results table: ...
#
# ### BEGIN SOLUTION
# The worked example, ticked:
#
# - [x] data chosen, loaded and described: step 1, 569 rows, 30 features, 2 classes, source and licence
# - [x] stratified train / validation / test split: step 2, 341 / 114 / 114
# - [x] preprocessing fitted on the training rows only: step 2, standardisation
# - [x] sanity checks, a trivial baseline and overfitting a few rows: step 3
# - [x] layers and hyperparameters chosen on validation data: step 4, 7 candidates
# - [x] the chosen network trained, with learning curves: step 5 and the figure of step 6
# - [x] one evaluation on the test set with a metric that fits the question: step 6, accuracy and recall
# - [x] a library baseline on the same split: step 6, LogisticRegression and MLPClassifier
# - [x] report with a results table: `project_report` above
# ### END SOLUTION
