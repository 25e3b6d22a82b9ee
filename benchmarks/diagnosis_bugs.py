"""A second set of realistic student bugs, written apart from the mutant catalogue, to measure the
misconception diagnosis (benchmarks/diagnosis_eval.py).

Each bug is a Variant (the answer cell it replaces, its code, what the mistake is in words) plus
``same_as``: the name of the catalogue mutant (``notebooks/<id>/variants.py``) that is the same
mistake written another way, or None when no catalogue mutant makes this mistake. The code of a
bug is never a catalogue variant's code (diagnosis_eval.py checks it): the same-mistake bugs spell
the mistake the way a student might (a loop, another numpy call, another order), the others are
slips the catalogue does not have (a missing 1/N here but not there, a wrong constant, a
forgotten bias gradient, an off-by-one, a wrong sign elsewhere, a wrong return order).
"""
from __future__ import annotations

from dataclasses import dataclass

from autograder.catalogue import Variant, mutant


@dataclass(frozen=True)
class Bug:
    variant: Variant
    same_as: str | None


def bug(cell: str, name: str, description: str, code: str, same_as: str | None) -> Bug:
    return Bug(mutant(cell, name, description, code), same_as)


BUGS: dict[str, list[Bug]] = {
    "01_linear_estimator": [
        bug("mse_loss", "b_loop_total", "adds up the squared errors in a loop and never divides by N", """
            def mse_loss(yhat, y):
                total = 0.0
                for a, b in zip(np.ravel(yhat), np.ravel(y)):
                    total += (a - b) ** 2
                return float(total)
        """, "loss_sum_not_mean"),
        bug("mse_loss", "b_half_by_len", "divides the sum of squares by 2 * len, the 1/2 convention", """
            def mse_loss(yhat, y):
                d = np.ravel(yhat) - np.ravel(y)
                return float(np.sum(d * d) / (2 * len(d)))
        """, "loss_half_mse"),
        bug("mse_loss", "b_n_minus_1", "divides by N - 1, like a sample variance", """
            def mse_loss(yhat, y):
                d = np.ravel(np.asarray(yhat, dtype=float) - np.asarray(y, dtype=float))
                return float(np.sum(d ** 2) / (d.size - 1))
        """, None),
        bug("mse_loss", "b_norm_over_root_n", "computes the norm of the error over sqrt(N), which is the RMSE", """
            def mse_loss(yhat, y):
                d = np.ravel(yhat) - np.ravel(y)
                return float(np.linalg.norm(d) / np.sqrt(d.size))
        """, "loss_rmse"),
        bug("mse_gradients", "b_dot_without_2", "uses dot products over N but drops the 2 of the square's derivative", """
            def mse_gradients(x, y, w, b):
                r = w * np.asarray(x, dtype=float) + b - np.asarray(y, dtype=float)
                return float(np.dot(r, x) / len(x)), float(np.sum(r) / len(x))
        """, "grad_missing_2"),
        bug("mse_gradients", "b_db_times_x", "multiplies the residual by x for db as well", """
            def mse_gradients(x, y, w, b):
                x = np.asarray(x, dtype=float)
                r = w * x + b - np.asarray(y, dtype=float)
                return float(2 * np.mean(r * x)), float(2 * np.mean(r * x))
        """, None),
        bug("mse_gradients", "b_target_minus_line", "writes the residual as y - w*x - b, so both gradients have the wrong sign", """
            def mse_gradients(x, y, w, b):
                x = np.asarray(x, dtype=float)
                r = np.asarray(y, dtype=float) - w * x - b
                n = len(x)
                return float(2 * np.sum(r * x) / n), float(2 * np.sum(r) / n)
        """, "grad_sign"),
        bug("mse_gradients", "b_x_squared", "multiplies the residual by x twice for dw", """
            def mse_gradients(x, y, w, b):
                x = np.asarray(x, dtype=float)
                r = w * x + b - np.asarray(y, dtype=float)
                return float(2 * np.mean(r * x * x)), float(2 * np.mean(r))
        """, None),
    ],
    "02_two_layer_linear": [
        bug("Linear", "b_db_divided", "divides the bias gradient by the batch size (a mean, not a sum)", """
            class Linear:
                def __init__(self, in_dim, out_dim, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    a = np.sqrt(6.0 / (in_dim + out_dim))
                    self.W = rng.uniform(-a, a, size=(out_dim, in_dim))
                    self.b = np.zeros(out_dim)
                    self.dW = np.zeros_like(self.W)
                    self.db = np.zeros_like(self.b)

                def forward(self, x):
                    self.x = x
                    return x @ self.W.T + self.b

                def backward(self, dout):
                    self.dW = dout.T @ self.x
                    self.db = np.sum(dout, axis=0) / dout.shape[0]
                    return dout @ self.W
        """, "backward_db_mean"),
        bug("Linear", "b_forgets_db", "never computes the bias gradient: db stays zero", """
            class Linear:
                def __init__(self, in_dim, out_dim, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    a = np.sqrt(6.0 / (in_dim + out_dim))
                    self.W = rng.uniform(-a, a, size=(out_dim, in_dim))
                    self.b = np.zeros(out_dim)
                    self.dW = np.zeros_like(self.W)
                    self.db = np.zeros_like(self.b)

                def forward(self, x):
                    self.x = x
                    return x @ self.W.T + self.b

                def backward(self, dout):
                    self.dW = dout.T @ self.x
                    return dout @ self.W
        """, None),
        bug("Linear", "b_dx_dot_WT", "computes dx with np.dot(dout, W.T), the transposed weights", """
            class Linear:
                def __init__(self, in_dim, out_dim, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    a = np.sqrt(6.0 / (in_dim + out_dim))
                    self.W = rng.uniform(-a, a, size=(out_dim, in_dim))
                    self.b = np.zeros(out_dim)
                    self.dW = np.zeros_like(self.W)
                    self.db = np.zeros_like(self.b)

                def forward(self, x):
                    self.x = x
                    return x @ self.W.T + self.b

                def backward(self, dout):
                    self.dW = dout.T @ self.x
                    self.db = dout.sum(axis=0)
                    return np.dot(dout, self.W.T)
        """, "backward_dx_W_transposed"),
        bug("Linear", "b_normal_init", "draws W from a normal with Xavier's variance (standard_normal times the std)", """
            class Linear:
                def __init__(self, in_dim, out_dim, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    std = np.sqrt(2.0 / (in_dim + out_dim))
                    self.W = rng.standard_normal((out_dim, in_dim)) * std
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
        """, "init_xavier_normal"),
        bug("Linear", "b_bound_3", "uses the bound sqrt(3 / (in + out)), half Xavier's variance", """
            class Linear:
                def __init__(self, in_dim, out_dim, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    a = np.sqrt(3.0 / (in_dim + out_dim))
                    self.W = rng.uniform(-a, a, size=(out_dim, in_dim))
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
        """, None),
        bug("Linear", "b_minus_bias", "subtracts the bias in forward instead of adding it", """
            class Linear:
                def __init__(self, in_dim, out_dim, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    a = np.sqrt(6.0 / (in_dim + out_dim))
                    self.W = rng.uniform(-a, a, size=(out_dim, in_dim))
                    self.b = np.zeros(out_dim)
                    self.dW = np.zeros_like(self.W)
                    self.db = np.zeros_like(self.b)

                def forward(self, x):
                    self.x = x
                    return x @ self.W.T - self.b

                def backward(self, dout):
                    self.dW = dout.T @ self.x
                    self.db = dout.sum(axis=0)
                    return dout @ self.W
        """, None),
        bug("numerical_gradient", "b_one_sided", "steps up only and divides by h (a one-sided difference)", """
            def numerical_gradient(f, x, h=1e-5):
                grad = np.zeros(x.shape)
                it = np.nditer(x, flags=["multi_index"])
                for _ in it:
                    i = it.multi_index
                    f0 = f(x)
                    x[i] += h
                    f1 = f(x)
                    x[i] -= h
                    grad[i] = (f1 - f0) / h
                return grad
        """, "ng_forward_difference"),
        bug("numerical_gradient", "b_precedence", "writes / 2 * h, which multiplies by h instead of dividing by 2h", """
            def numerical_gradient(f, x, h=1e-5):
                grad = np.zeros(x.shape)
                for i in np.ndindex(*x.shape):
                    keep = x[i]
                    x[i] = keep + h
                    up = f(x)
                    x[i] = keep - h
                    down = f(x)
                    x[i] = keep
                    grad[i] = (up - down) / 2 * h
                return grad
        """, None),
        bug("compose_linear", "b_transposed_product", "returns W1.T @ W2.T, the transpose of the composed weights", """
            def compose_linear(lin1, lin2):
                W = lin1.W.T @ lin2.W.T
                b = lin2.W @ lin1.b + lin2.b
                return W, b
        """, "compose_transposed"),
        bug("compose_linear", "b_both_biases_through_W2", "adds the two biases first and passes the sum through W2", """
            def compose_linear(lin1, lin2):
                W = lin2.W @ lin1.W
                b = lin2.W @ (lin1.b + lin2.b)
                return W, b
        """, None),
    ],
    "03_mlp": [
        bug("relu", "b_plus_abs", "(x + |x|) without the halving: positive inputs come out doubled", """
            def relu(x):
                return x + np.abs(x)
        """, None),
        bug("relu", "b_putmask", "zeroes the negative entries of x with np.putmask and returns x", """
            def relu(x):
                np.putmask(x, x < 0, 0)
                return x
        """, "relu_mask_assign"),
        bug("relu_backward", "b_where_lt", "np.where(x < 0, 0, dout): passes the gradient at x = 0", """
            def relu_backward(x, dout):
                return np.where(x < 0, 0.0, dout)
        """, "relu_bw_one_at_zero"),
        bug("relu_backward", "b_sign", "multiplies dout by sign(x): negative inputs flip the gradient", """
            def relu_backward(x, dout):
                return dout * np.sign(x)
        """, None),
        bug("tanh_backward", "b_one_minus_t_squared", "(1 - tanh(x))**2: squares the wrong thing", """
            def tanh_backward(x, dout):
                return dout * (1 - np.tanh(x)) ** 2
        """, None),
        bug("tanh_backward", "b_forgets_dout", "returns 1 - t*t, never multiplying by dout", """
            def tanh_backward(x, dout):
                t = np.tanh(x)
                return 1 - t * t
        """, "tanh_bw_missing_dout"),
        bug("leaky_relu", "b_alpha_itself", "returns alpha itself for negative inputs instead of alpha * x", """
            def leaky_relu(x, alpha=0.01):
                return np.where(x > 0, x, alpha)
        """, "leaky_max_alpha"),
        bug("leaky_relu_backward", "b_dout_only_positive", "multiplies dout only on the positive side: alpha alone on the negative", """
            def leaky_relu_backward(x, dout, alpha=0.01):
                return np.where(x > 0, dout, alpha)
        """, None),
        bug("sigmoid", "b_reciprocal", "np.reciprocal(1 + exp(-x)): overflows for large negative x", """
            def sigmoid(x):
                return np.reciprocal(1.0 + np.exp(-x))
        """, "sigmoid_naive"),
        bug("sigmoid_backward", "b_one_minus_x", "s * (1 - x): mixes the sigmoid with its input", """
            def sigmoid_backward(x, dout):
                s = sigmoid(x)
                return dout * s * (1 - x)
        """, None),
    ],
    "04_credit_l2": [
        bug("standardize", "b_sample_std", "divides the squared deviations by N - 1 (the sample std)", """
            def standardize(X):
                X = np.asarray(X, dtype=float)
                mu = X.mean(axis=0)
                sigma = np.sqrt(((X - mu) ** 2).sum(axis=0) / (X.shape[0] - 1)) + 1e-8
                return (X - mu) / sigma, mu, sigma
        """, "std_ddof1"),
        bug("standardize", "b_returns_swapped", "returns (Xn, sigma, mu): mean and std in the wrong order", """
            def standardize(X):
                X = np.asarray(X, dtype=float)
                mu = X.mean(axis=0)
                sigma = X.std(axis=0) + 1e-8
                return (X - mu) / sigma, sigma, mu
        """, None),
        bug("l2_penalty", "b_half_lam", "multiplies by lam / 2", """
            def l2_penalty(W, lam):
                return float(lam / 2 * (np.asarray(W) ** 2).sum())
        """, "pen_half"),
        bug("l2_penalty", "b_skips_first", "skips the first row of W, as if it were the bias", """
            def l2_penalty(W, lam):
                return float(lam * np.sum(np.asarray(W)[1:] ** 2))
        """, None),
        bug("l2_gradient", "b_multiply", "np.multiply(lam, W): the derivative without its factor 2", """
            def l2_gradient(W, lam):
                return np.multiply(lam, np.asarray(W, dtype=float))
        """, "grad_missing_2"),
        bug("l2_gradient", "b_summed", "sums the gradient into a single number", """
            def l2_gradient(W, lam):
                return 2 * lam * np.sum(W)
        """, None),
        bug("train_linear_l2", "b_no_penalty_gradient", "adds the penalty to the loss but never to the gradient", """
            def train_linear_l2(Xn, y, lam, lr, epochs):
                n = Xn.shape[0]
                y = np.asarray(y, dtype=float).reshape(-1, 1)
                lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
                losses = []
                for _ in range(epochs):
                    r = lin.forward(Xn) - y
                    losses.append(float(np.mean(r ** 2)) + l2_penalty(lin.W, lam))
                    lin.backward(2.0 * r / n)
                    lin.W -= lr * lin.dW
                    lin.b -= lr * lin.db
                return lin, losses
        """, None),
        bug("train_linear_l2", "b_grad_without_1_over_n", "passes 2 * residual to backward without dividing by N", """
            def train_linear_l2(Xn, y, lam, lr, epochs):
                n = Xn.shape[0]
                y = np.asarray(y, dtype=float).reshape(-1, 1)
                lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
                losses = []
                for _ in range(epochs):
                    r = lin.forward(Xn) - y
                    losses.append(float(np.mean(r ** 2)) + l2_penalty(lin.W, lam))
                    lin.backward(2.0 * r)
                    lin.W -= lr * (lin.dW + l2_gradient(lin.W, lam))
                    lin.b -= lr * lin.db
                return lin, losses
        """, None),
        bug("unstandardize_linear_weights", "b_plus_mean", "adds W_orig @ mu to the intercept instead of subtracting it", """
            def unstandardize_linear_weights(W_std, b_std, mu, sigma):
                W_orig = W_std * (1.0 / sigma)
                return W_orig, b_std + W_orig @ mu
        """, "unstd_intercept_sign"),
    ],
    "05_mnist_softmax": [
        bug("one_hot", "b_eye_minus_1", "np.eye(C)[y - 1]: the 1 lands one column to the left", """
            def one_hot(y, C):
                return np.eye(C)[np.asarray(y) - 1]
        """, "one_hot_off_by_one"),
        bug("one_hot", "b_eye_columns", "np.eye(C)[:, y]: one column per example, the (C, B) transpose", """
            def one_hot(y, C):
                return np.eye(C)[:, y]
        """, "one_hot_transposed"),
        bug("softmax", "b_sum_axis0", "shifts by the row maximum but sums the exponentials over axis 0", """
            def softmax(logits):
                e = np.exp(logits - logits.max(axis=1, keepdims=True))
                return e / e.sum(axis=0, keepdims=True)
        """, "softmax_axis0"),
        bug("softmax", "b_raw_exp", "exp of the raw logits over their row sums: overflows", """
            def softmax(logits):
                e = np.exp(logits)
                return e / e.sum(axis=1, keepdims=True)
        """, "softmax_no_max"),
        bug("log_softmax", "b_no_shift", "log of the summed raw exponentials: overflows for large logits", """
            def log_softmax(logits):
                return logits - np.log(np.exp(logits).sum(axis=1))[:, None]
        """, "log_softmax_unstable"),
        bug("cross_entropy", "b_total", "returns the total over the batch, not its mean", """
            def cross_entropy(probs, Y_true, eps=1e-9):
                return float(-(Y_true * np.log(probs + eps)).sum())
        """, "ce_sum_not_mean"),
        bug("cross_entropy", "b_log10", "uses log10 instead of the natural log", """
            def cross_entropy(probs, Y_true, eps=1e-9):
                return float(np.mean(-np.sum(Y_true * np.log10(probs + eps), axis=1)))
        """, None),
        bug("cross_entropy", "b_pick_no_eps", "picks the true class's probability and takes its log without eps", """
            def cross_entropy(probs, Y_true, eps=1e-9):
                p = probs[np.arange(len(probs)), np.argmax(Y_true, axis=1)]
                return float(-np.mean(np.log(p)))
        """, "ce_no_eps"),
        bug("softmax_cross_entropy_backward", "b_undivided", "returns probs - Y_true, forgetting the 1/B", """
            def softmax_cross_entropy_backward(probs, Y_true):
                return np.subtract(probs, Y_true)
        """, "back_no_divide"),
        bug("softmax_cross_entropy_backward", "b_by_classes", "divides by len(Y_true[0]), the number of classes", """
            def softmax_cross_entropy_backward(probs, Y_true):
                return (probs - Y_true) / len(Y_true[0])
        """, "back_divide_by_C"),
        bug("iterate_minibatches", "b_range_drops_tail", "stops the range at len(X) - batch_size + 1, dropping the short last batch", """
            def iterate_minibatches(X, Y, batch_size, rng):
                order = rng.permutation(len(X))
                for start in range(0, len(X) - batch_size + 1, batch_size):
                    idx = order[start:start + batch_size]
                    yield X[idx], Y[idx]
        """, "mb_drops_last"),
        bug("iterate_minibatches", "b_starts_at_1", "starts the range at 1: one row never appears", """
            def iterate_minibatches(X, Y, batch_size, rng):
                order = rng.permutation(len(X))
                for start in range(1, len(X), batch_size):
                    idx = order[start:start + batch_size]
                    yield X[idx], Y[idx]
        """, None),
        bug("accuracy", "b_count_sum", "np.sum of the matches: a count, not a fraction", """
            def accuracy(scores, y):
                return float(np.sum(scores.argmax(axis=1) == np.asarray(y)))
        """, "acc_count"),
        bug("accuracy", "b_times_100", "the mean of the matches times 100", """
            def accuracy(scores, y):
                return float((np.argmax(scores, axis=1) == y).mean() * 100)
        """, "acc_percent"),
        bug("accuracy", "b_column_labels", "compares with y reshaped to a column: (B,) == (B, 1) broadcasts to (B, B)", """
            def accuracy(scores, y):
                return float(np.mean(np.argmax(scores, axis=1) == np.asarray(y).reshape(-1, 1)))
        """, None),
    ],
}
