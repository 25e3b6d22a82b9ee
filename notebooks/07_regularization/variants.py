"""07_regularization: sgd_step_weight_decay, Dropout and BatchNorm1d.

A class variant replaces the whole answer cell, so each one is a complete class. Most change one
method of the reference class; ``_dropout`` and ``_batchnorm`` build the class from the reference
method bodies and the one that changes.
"""
import textwrap

from autograder.catalogue import correct, mutant

_DROPOUT_INIT = """
    self.p = p
    self.rng = rng
    self.mask = None
"""
_DROPOUT_FORWARD = """
    if not training:
        return x
    self.mask = self.rng.random(x.shape) >= self.p
    return x * self.mask / (1.0 - self.p)
"""
_DROPOUT_BACKWARD = """
    return dout * self.mask / (1.0 - self.p)
"""

_BN_INIT = """
    self.momentum = momentum
    self.eps = eps
    self.gamma = np.ones(dim)
    self.beta = np.zeros(dim)
    self.running_mean = np.zeros(dim)
    self.running_var = np.ones(dim)
"""
_BN_FORWARD = """
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
"""
_BN_BACKWARD = """
    batch_size = dout.shape[0]
    self.dbeta = dout.sum(axis=0)
    self.dgamma = (dout * self.x_hat).sum(axis=0)
    dx_hat = dout * self.gamma
    return (self.inv_std / batch_size) * (
        batch_size * dx_hat - dx_hat.sum(axis=0) - self.x_hat * (dx_hat * self.x_hat).sum(axis=0))
"""


def _body(code: str) -> str:
    return textwrap.indent(textwrap.dedent(code).strip("\n"), " " * 8) + "\n"


def _dropout(init: str = _DROPOUT_INIT, forward: str = _DROPOUT_FORWARD, backward: str = _DROPOUT_BACKWARD) -> str:
    """The source of a whole Dropout class with the given method bodies."""
    return ("class Dropout:\n"
            "    def __init__(self, p, rng=None):\n"
            "        if rng is None:\n"
            "            rng = np.random.default_rng()\n"
            + _body(init)
            + "\n    def forward(self, x, training=True):\n"
            + _body(forward)
            + "\n    def backward(self, dout):\n"
            + _body(backward))


def _batchnorm(init: str = _BN_INIT, forward: str = _BN_FORWARD, backward: str = _BN_BACKWARD) -> str:
    """The source of a whole BatchNorm1d class with the given method bodies."""
    return ("class BatchNorm1d:\n"
            "    def __init__(self, dim, momentum=0.9, eps=1e-5):\n"
            + _body(init)
            + "\n    def forward(self, x, training=True):\n"
            + _body(forward)
            + "\n    def backward(self, dout):\n"
            + _body(backward))


VARIANTS = [
    # --- sgd_step_weight_decay ------------------------------------------------------------
    mutant("sgd_step_weight_decay", "wd_missing_2", "decays by lam * W, forgetting the 2 of the penalty's gradient", """
        def sgd_step_weight_decay(W, dW, lr, lam):
            W -= lr * (dW + lam * W)
    """),
    mutant("sgd_step_weight_decay", "wd_sign", "subtracts the penalty's gradient, so the weights grow", """
        def sgd_step_weight_decay(W, dW, lr, lam):
            W -= lr * (dW - 2 * lam * W)
    """),
    mutant("sgd_step_weight_decay", "wd_without_lr", "decays by 2 * lam * W without the learning rate", """
        def sgd_step_weight_decay(W, dW, lr, lam):
            W -= lr * dW + 2 * lam * W
    """),
    mutant("sgd_step_weight_decay", "wd_rebinds", "W = W - ...: builds a new array and returns it; the caller's W is unchanged", """
        def sgd_step_weight_decay(W, dW, lr, lam):
            W = W - lr * (dW + 2 * lam * W)
            return W
    """),
    mutant("sgd_step_weight_decay", "wd_squared", "uses lam * W**2 (the penalty itself) instead of its gradient", """
        def sgd_step_weight_decay(W, dW, lr, lam):
            W -= lr * (dW + lam * W ** 2)
    """),
    mutant("sgd_step_weight_decay", "wd_modifies_dW", "adds the decay to dW in place, changing the caller's gradient", """
        def sgd_step_weight_decay(W, dW, lr, lam):
            dW += 2 * lam * W
            W -= lr * dW
    """),
    mutant("sgd_step_weight_decay", "wd_decays_gradient", "multiplies the gradient instead of the weights by 2 * lam", """
        def sgd_step_weight_decay(W, dW, lr, lam):
            W -= lr * (dW + 2 * lam * dW)
    """),
    mutant("sgd_step_weight_decay", "wd_forgets_decay", "a plain SGD step: lam is ignored", """
        def sgd_step_weight_decay(W, dW, lr, lam):
            W -= lr * dW
    """),
    # --- Dropout: forward -----------------------------------------------------------------
    mutant("Dropout", "drop_p_as_keep", "treats p as the keep probability: keeps where u < p and scales by 1/p", _dropout(forward="""
        if not training:
            return x
        self.mask = self.rng.random(x.shape) < self.p
        return x * self.mask / self.p
    """, backward="""
        return dout * self.mask / self.p
    """)),
    mutant("Dropout", "drop_keep_above_1_minus_p", "keeps where u >= 1 - p: drops a fraction 1 - p", _dropout(forward="""
        if not training:
            return x
        self.mask = self.rng.random(x.shape) >= 1.0 - self.p
        return x * self.mask / (1.0 - self.p)
    """)),
    mutant("Dropout", "drop_no_scaling", "plain dropout: no 1/(1-p) scaling of the kept values", _dropout(forward="""
        if not training:
            return x
        self.mask = self.rng.random(x.shape) >= self.p
        return x * self.mask
    """, backward="""
        return dout * self.mask
    """)),
    mutant("Dropout", "drop_scale_by_keep", "multiplies the kept values by (1 - p) instead of dividing", _dropout(forward="""
        if not training:
            return x
        self.mask = self.rng.random(x.shape) >= self.p
        return x * self.mask * (1.0 - self.p)
    """, backward="""
        return dout * self.mask * (1.0 - self.p)
    """)),
    mutant("Dropout", "drop_in_eval", "ignores training: drops units in evaluation mode too", _dropout(forward="""
        self.mask = self.rng.random(x.shape) >= self.p
        return x * self.mask / (1.0 - self.p)
    """)),
    mutant("Dropout", "drop_eval_scaled", "scales by (1 - p) in evaluation mode as well (mixes the two conventions)", _dropout(forward="""
        if not training:
            return x * (1.0 - self.p)
        self.mask = self.rng.random(x.shape) >= self.p
        return x * self.mask / (1.0 - self.p)
    """)),
    mutant("Dropout", "drop_global_rng", "draws the mask from numpy's global generator, not self.rng", _dropout(forward="""
        if not training:
            return x
        self.mask = np.random.random(x.shape) >= self.p
        return x * self.mask / (1.0 - self.p)
    """)),
    mutant("Dropout", "drop_shared_mask", "draws one mask per feature, shared by every row of the batch", _dropout(forward="""
        if not training:
            return x
        self.mask = self.rng.random(x.shape[-1]) >= self.p
        return x * self.mask / (1.0 - self.p)
    """)),
    mutant("Dropout", "drop_in_place", "multiplies x in place, changing the caller's array", _dropout(forward="""
        if not training:
            return x
        self.mask = self.rng.random(x.shape) >= self.p
        x *= self.mask / (1.0 - self.p)
        return x
    """)),
    # --- Dropout: backward ----------------------------------------------------------------
    mutant("Dropout", "drop_bw_new_mask", "backward draws a new mask instead of reusing forward's", _dropout(backward="""
        mask = self.rng.random(dout.shape) >= self.p
        return dout * mask / (1.0 - self.p)
    """)),
    mutant("Dropout", "drop_bw_no_scaling", "backward forgets the 1/(1-p) scaling", _dropout(backward="""
        return dout * self.mask
    """)),
    mutant("Dropout", "drop_bw_no_mask", "backward scales dout but lets it through the dropped units", _dropout(backward="""
        return dout / (1.0 - self.p)
    """)),
    # --- BatchNorm1d: forward -------------------------------------------------------------
    mutant("BatchNorm1d", "bn_unbiased_var", "normalises with the unbiased variance (ddof=1)", _batchnorm(forward="""
        if training:
            mean = x.mean(axis=0)
            var = x.var(axis=0, ddof=1)
            self.running_mean = self.momentum * self.running_mean + (1.0 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1.0 - self.momentum) * var
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta
    """)),
    mutant("BatchNorm1d", "bn_momentum_swapped", "running = (1 - momentum) * running + momentum * batch", _batchnorm(forward="""
        if training:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean = (1.0 - self.momentum) * self.running_mean + self.momentum * mean
            self.running_var = (1.0 - self.momentum) * self.running_var + self.momentum * var
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta
    """)),
    mutant("BatchNorm1d", "bn_eval_batch_stats", "evaluation mode normalises with the batch's own statistics", _batchnorm(forward="""
        mean = x.mean(axis=0)
        var = x.var(axis=0)
        if training:
            self.running_mean = self.momentum * self.running_mean + (1.0 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1.0 - self.momentum) * var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta
    """)),
    mutant("BatchNorm1d", "bn_eps_outside_sqrt", "divides by sqrt(var) + eps instead of sqrt(var + eps)", _batchnorm(forward="""
        if training:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean = self.momentum * self.running_mean + (1.0 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1.0 - self.momentum) * var
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / (np.sqrt(var) + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta
    """)),
    mutant("BatchNorm1d", "bn_running_var_unbiased", "feeds the unbiased variance (as PyTorch does) into running_var", _batchnorm(forward="""
        if training:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean = self.momentum * self.running_mean + (1.0 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1.0 - self.momentum) * x.var(axis=0, ddof=1)
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta
    """)),
    mutant("BatchNorm1d", "bn_axis1", "normalises each row over its features (axis=1) instead of each feature over the batch", _batchnorm(forward="""
        if training:
            mean = x.mean(axis=1, keepdims=True)
            var = x.var(axis=1, keepdims=True)
            self.running_mean = self.momentum * self.running_mean + (1.0 - self.momentum) * mean.mean()
            self.running_var = self.momentum * self.running_var + (1.0 - self.momentum) * var.mean()
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta
    """)),
    mutant("BatchNorm1d", "bn_no_running_update", "never updates the running statistics", _batchnorm(forward="""
        if training:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta
    """)),
    mutant("BatchNorm1d", "bn_in_place", "centres x in place (x -= mean), changing the caller's array", _batchnorm(forward="""
        if training:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean = self.momentum * self.running_mean + (1.0 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1.0 - self.momentum) * var
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        x -= mean
        self.x_hat = x * self.inv_std
        return self.gamma * self.x_hat + self.beta
    """)),
    # --- BatchNorm1d: backward ------------------------------------------------------------
    mutant("BatchNorm1d", "bn_bw_constant_stats", "treats the batch mean and variance as constants: dx = dout * gamma / std", _batchnorm(backward="""
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        return dout * self.gamma * self.inv_std
    """)),
    mutant("BatchNorm1d", "bn_bw_mean_term_only", "keeps the mean's term but forgets the variance's", _batchnorm(backward="""
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        dx_hat = dout * self.gamma
        return self.inv_std * (dx_hat - dx_hat.mean(axis=0))
    """)),
    mutant("BatchNorm1d", "bn_bw_dgamma_no_xhat", "dgamma = dout summed over the batch, forgetting x_hat", _batchnorm(backward="""
        batch_size = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = dout.sum(axis=0)
        dx_hat = dout * self.gamma
        return (self.inv_std / batch_size) * (
            batch_size * dx_hat - dx_hat.sum(axis=0) - self.x_hat * (dx_hat * self.x_hat).sum(axis=0))
    """)),
    mutant("BatchNorm1d", "bn_bw_dbeta_mean", "dbeta averages dout over the batch instead of summing", _batchnorm(backward="""
        batch_size = dout.shape[0]
        self.dbeta = dout.mean(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        dx_hat = dout * self.gamma
        return (self.inv_std / batch_size) * (
            batch_size * dx_hat - dx_hat.sum(axis=0) - self.x_hat * (dx_hat * self.x_hat).sum(axis=0))
    """)),
    mutant("BatchNorm1d", "bn_bw_no_gamma", "dx forgets the factor gamma (as if gamma = 1)", _batchnorm(backward="""
        batch_size = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        return (self.inv_std / batch_size) * (
            batch_size * dout - dout.sum(axis=0) - self.x_hat * (dout * self.x_hat).sum(axis=0))
    """)),
    mutant("BatchNorm1d", "bn_bw_no_eps", "backward uses 1 / sqrt(var), dropping eps", _batchnorm(forward="""
        if training:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean = self.momentum * self.running_mean + (1.0 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1.0 - self.momentum) * var
        else:
            mean, var = self.running_mean, self.running_var
        self.var = var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta
    """, backward="""
        batch_size = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        dx_hat = dout * self.gamma
        inv_std = 1.0 / np.sqrt(self.var)
        x_hat = self.x_hat / self.inv_std * inv_std
        return (inv_std / batch_size) * (
            batch_size * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    """)),
    # --- correct alternatives -------------------------------------------------------------
    correct("sgd_step_weight_decay", "wd_np_subtract", "np.subtract(W, ..., out=W), returning W", """
        def sgd_step_weight_decay(W, dW, lr, lam):
            np.subtract(W, lr * (dW + 2 * lam * W), out=W)
            return W
    """),
    correct("sgd_step_weight_decay", "wd_shrink_then_step", "shrinks W by (1 - 2 lr lam) first, then takes the gradient step", """
        def sgd_step_weight_decay(W, dW, lr, lam):
            W *= 1.0 - 2.0 * lr * lam
            W -= lr * dW
    """),
    correct("Dropout", "drop_float_mask", "stores the scaled float mask keep / (1 - p) and multiplies by it", _dropout(forward="""
        if training:
            keep = self.rng.random(x.shape) >= self.p
            self.scaled_mask = keep.astype(float) / (1.0 - self.p)
            return x * self.scaled_mask
        return x.copy()
    """, backward="""
        return dout * self.scaled_mask
    """)),
    correct("Dropout", "drop_np_where", "np.where on a boolean mask, p kept under another name", _dropout(init="""
        self.p = p
        self.drop_probability = float(p)
        self.rng = rng
    """, forward="""
        if training:
            u = self.rng.random(size=x.shape)
            self.keep = u >= self.drop_probability
            return np.where(self.keep, x / (1.0 - self.drop_probability), 0.0)
        return np.array(x, copy=True)
    """, backward="""
        return np.where(self.keep, dout / (1.0 - self.drop_probability), 0.0)
    """)),
    correct("BatchNorm1d", "bn_chain_rule", "step-by-step backward through x_hat, the variance and the mean (CS231n style)", _batchnorm(forward="""
        if training:
            mean = np.mean(x, axis=0)
            centred = x - mean
            var = np.mean(centred ** 2, axis=0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            centred = x - self.running_mean
            var = self.running_var
        std = np.sqrt(var + self.eps)
        self.cache = (centred, var, std)
        self.x_hat = centred / std
        return self.gamma * self.x_hat + self.beta
    """, backward="""
        centred, var, std = self.cache
        n = dout.shape[0]
        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * self.x_hat, axis=0)
        dx_hat = dout * self.gamma
        dvar = np.sum(dx_hat * centred, axis=0) * -0.5 * (var + self.eps) ** -1.5
        dmean = np.sum(-dx_hat / std, axis=0) + dvar * np.mean(-2.0 * centred, axis=0)
        return dx_hat / std + dvar * 2.0 * centred / n + dmean / n
    """)),
    correct("BatchNorm1d", "bn_einsum", "einsum sums, x cast to float64, x_hat by dividing by the std, eval on copies", _batchnorm(init="""
        self.momentum, self.eps = momentum, eps
        self.gamma = np.ones((dim,))
        self.beta = np.zeros((dim,))
        self.running_mean = np.zeros((dim,))
        self.running_var = np.ones((dim,))
    """, forward="""
        x = np.asarray(x, dtype=float)
        if training:
            n = x.shape[0]
            mean = np.einsum("bd->d", x) / n
            var = np.einsum("bd,bd->d", x - mean, x - mean) / n
            self.running_mean = self.running_mean * self.momentum + mean * (1 - self.momentum)
            self.running_var = self.running_var * self.momentum + var * (1 - self.momentum)
        else:
            mean, var = self.running_mean.copy(), self.running_var.copy()
        self.std = np.sqrt(var + self.eps)
        self.x_hat = (x - mean) / self.std
        return self.x_hat * self.gamma + self.beta
    """, backward="""
        n = len(dout)
        self.dbeta = np.einsum("bd->d", dout)
        self.dgamma = np.einsum("bd,bd->d", dout, self.x_hat)
        return self.gamma / (n * self.std) * (n * dout - self.dbeta - self.x_hat * self.dgamma)
    """)),
]
