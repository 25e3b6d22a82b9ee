"""09_sequential_cifar: FullLayer, ReluLayer, SoftMaxLayer, CrossEntropyLayer, Sequential, better_model.

A class variant replaces the whole answer cell, so each one is a complete class. Most change one
method of the reference class: ``_full``, ``_relu``, ``_softmax``, ``_cross_entropy`` and
``_sequential`` build a class from the reference method bodies and the ones given.
"""
import textwrap

from autograder.catalogue import correct, mutant


def _body(code: str) -> str:
    return textwrap.indent(textwrap.dedent(code).strip("\n"), " " * 8) + "\n"


def _class(header: str, methods: list[tuple[str, str]]) -> str:
    parts = [header]
    for signature, body in methods:
        parts.append(f"\n    def {signature}:\n" + _body(body))
    return "".join(parts)


# --- FullLayer ------------------------------------------------------------------------------------
_FL_INIT = """
    if rng is None:
        rng = np.random.default_rng()
    std = np.sqrt(2.0 / (n_i + n_o))
    self.W = rng.normal(0.0, std, size=(n_o, n_i))
    self.b = np.zeros(n_o)
"""
_FL_FORWARD = """
    self.x = x
    return x @ self.W.T + self.b
"""
_FL_BACKWARD = """
    self.W_grad = y_grad.T @ self.x
    self.b_grad = y_grad.sum(axis=0)
    return y_grad @ self.W
"""
_FL_UPDATE = """
    self.W = self.W - lr * self.W_grad
    self.b = self.b - lr * self.b_grad
"""


_FL_PARAMETERS = """
    return [(self.W, self.W_grad), (self.b, self.b_grad)]
"""
_NO_PARAMETERS = """
    return []
"""


def _full(init=_FL_INIT, forward=_FL_FORWARD, backward=_FL_BACKWARD, update=_FL_UPDATE) -> str:
    return _class("class FullLayer:\n", [("__init__(self, n_i, n_o, rng=None)", init), ("forward(self, x)", forward),
                                         ("backward(self, y_grad)", backward), ("update_param(self, lr)", update),
                                         ("parameters(self)", _FL_PARAMETERS)])


# --- ReluLayer, SoftMaxLayer, CrossEntropyLayer ------------------------------------------------------
_RELU_FORWARD = """
    self.mask = x > 0
    return np.where(self.mask, x, 0.0)
"""
_RELU_BACKWARD = """
    return y_grad * self.mask
"""
_NOTHING = """
    pass
"""


def _relu(forward=_RELU_FORWARD, backward=_RELU_BACKWARD) -> str:
    return _class("class ReluLayer:\n", [("forward(self, x)", forward), ("backward(self, y_grad)", backward),
                                         ("update_param(self, lr)", _NOTHING), ("parameters(self)", _NO_PARAMETERS)])


_SM_FORWARD = """
    exps = np.exp(x - x.max(axis=1, keepdims=True))
    self.z = exps / exps.sum(axis=1, keepdims=True)
    return self.z
"""
_SM_BACKWARD = """
    z = self.z
    return z * (y_grad - np.sum(z * y_grad, axis=1, keepdims=True))
"""


def _softmax(forward=_SM_FORWARD, backward=_SM_BACKWARD) -> str:
    return _class("class SoftMaxLayer:\n", [("forward(self, x)", forward), ("backward(self, y_grad)", backward),
                                            ("update_param(self, lr)", _NOTHING), ("parameters(self)", _NO_PARAMETERS)])


_CE_FORWARD = """
    self.x, self.target = x, target
    return float(-np.sum(target * np.log(x)) / len(x))
"""
_CE_BACKWARD = """
    return -self.target / self.x / len(self.x)
"""


def _cross_entropy(forward=_CE_FORWARD, backward=_CE_BACKWARD) -> str:
    return _class("class CrossEntropyLayer:\n", [("forward(self, x, target)", forward), ("backward(self)", backward),
                                                 ("update_param(self, lr)", _NOTHING)])


# --- Sequential ----------------------------------------------------------------------------------
_SEQ_INIT = """
    self.layers = list(layers)
    self.loss = loss
    self.rng = np.random.default_rng() if rng is None else rng
    self.optimizer = optimizer
"""
_SEQ_SET_TRAINING = """
    for layer in self.layers:
        if hasattr(layer, "training"):
            layer.training = training
"""
_SEQ_FORWARD = """
    for layer in self.layers:
        x = layer.forward(x)
    if target is None:
        return x
    return self.loss.forward(x, target)
"""
_SEQ_BACKWARD = """
    grad = self.loss.backward()
    for layer in reversed(self.layers):
        grad = layer.backward(grad)
"""
_SEQ_UPDATE = """
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
"""
# the lines of fit before and after its loop over the minibatches of one epoch
_FIT_HEAD = """
    self.set_training(False)
    n_outputs = self.forward(x[:1]).shape[1]
    self.set_training(True)
    targets = np.eye(n_outputs)[y]
"""
_SEQ_FIT = _FIT_HEAD + """    epoch_losses = []
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
"""
_SEQ_PREDICT = """
    self.set_training(False)
    return np.argmax(self.forward(x), axis=1)
"""


def _sequential(forward=_SEQ_FORWARD, backward=_SEQ_BACKWARD, update=_SEQ_UPDATE, fit=_SEQ_FIT,
                predict=_SEQ_PREDICT) -> str:
    return _class("class Sequential:\n", [
        ("__init__(self, layers, loss, rng=None, optimizer=None)", _SEQ_INIT),
        ("set_training(self, training)", _SEQ_SET_TRAINING), ("forward(self, x, target=None)", forward),
        ("backward(self)", backward), ("update_params(self, lr)", update),
        ("fit(self, x, y, epochs, lr, batch_size)", fit), ("predict(self, x)", predict)])


# --- better_model --------------------------------------------------------------------------------
def _better(hidden: list[int], lr: float, batch_size: int, epochs: str = "COMPARE_EPOCHS", train: bool = True,
            dropout: float = 0.0, optimizer: str = "None") -> str:
    sizes = ["D_digits"] + [str(h) for h in hidden] + ["N_CLASSES"]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [f"FullLayer({n_in}, {n_out}, rng=better_rng)", "ReluLayer()"]
        if dropout:
            layers.append(f"DropoutLayer({dropout}, rng=better_rng)")
    layers = layers[:-2 if dropout else -1] + ["SoftMaxLayer()"]
    code = ("better_rng = np.random.default_rng(0)\n"
            f"better = Sequential([{', '.join(layers)}], CrossEntropyLayer(), rng=np.random.default_rng(1),\n"
            f"                    optimizer={optimizer})\n")
    if train:
        code += ("with one_blas_thread(), np.errstate(all='ignore'):\n"
                 f"    better.fit(Xd_train, yd_train, epochs={epochs}, lr={lr}, batch_size={batch_size})\n")
    return code


VARIANTS = [
    # --- FullLayer ----------------------------------------------------------------------------
    mutant("FullLayer", "fl_W_grad_transposed", "W_grad = x.T @ y_grad, shape (n_i, n_o)", _full(backward="""
        self.W_grad = self.x.T @ y_grad
        self.b_grad = y_grad.sum(axis=0)
        return y_grad @ self.W
    """)),
    mutant("FullLayer", "fl_b_grad_mean", "b_grad averages over the batch instead of summing", _full(backward="""
        self.W_grad = y_grad.T @ self.x
        self.b_grad = y_grad.mean(axis=0)
        return y_grad @ self.W
    """)),
    mutant("FullLayer", "fl_W_grad_mean", "W_grad divides by the batch size", _full(backward="""
        self.W_grad = y_grad.T @ self.x / len(y_grad)
        self.b_grad = y_grad.sum(axis=0)
        return y_grad @ self.W
    """)),
    mutant("FullLayer", "fl_x_grad_W_transposed", "backward returns y_grad @ W.T", _full(backward="""
        self.W_grad = y_grad.T @ self.x
        self.b_grad = y_grad.sum(axis=0)
        return y_grad @ self.W.T
    """)),
    mutant("FullLayer", "fl_update_plus", "update_param adds the gradient (W += lr * W_grad)", _full(update="""
        self.W += lr * self.W_grad
        self.b += lr * self.b_grad
    """)),
    mutant("FullLayer", "fl_update_forgets_bias", "update_param updates W but not b", _full(update="""
        self.W = self.W - lr * self.W_grad
    """)),
    mutant("FullLayer", "fl_std_one_over_sum", "std sqrt(1 / (n_i + n_o))", _full(init="""
        if rng is None:
            rng = np.random.default_rng()
        self.W = rng.normal(0.0, np.sqrt(1.0 / (n_i + n_o)), size=(n_o, n_i))
        self.b = np.zeros(n_o)
    """)),
    mutant("FullLayer", "fl_variance_as_std", "passes the variance 2 / (n_i + n_o) as the std", _full(init="""
        if rng is None:
            rng = np.random.default_rng()
        self.W = rng.normal(0.0, 2.0 / (n_i + n_o), size=(n_o, n_i))
        self.b = np.zeros(n_o)
    """)),
    mutant("FullLayer", "fl_uniform", "Xavier-uniform (same variance) instead of a normal distribution", _full(init="""
        if rng is None:
            rng = np.random.default_rng()
        bound = np.sqrt(6.0 / (n_i + n_o))
        self.W = rng.uniform(-bound, bound, size=(n_o, n_i))
        self.b = np.zeros(n_o)
    """)),
    mutant("FullLayer", "fl_W_in_out", "stores W as (n_i, n_o) and uses x @ W throughout", _full(init="""
        if rng is None:
            rng = np.random.default_rng()
        self.W = rng.normal(0.0, np.sqrt(2.0 / (n_i + n_o)), size=(n_i, n_o))
        self.b = np.zeros(n_o)
    """, forward="""
        self.x = x
        return x @ self.W + self.b
    """, backward="""
        self.W_grad = self.x.T @ y_grad
        self.b_grad = y_grad.sum(axis=0)
        return y_grad @ self.W.T
    """)),
    mutant("FullLayer", "fl_accumulates", "adds to W_grad and b_grad across backward calls", _full(init="""
        if rng is None:
            rng = np.random.default_rng()
        self.W = rng.normal(0.0, np.sqrt(2.0 / (n_i + n_o)), size=(n_o, n_i))
        self.b = np.zeros(n_o)
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)
    """, backward="""
        self.W_grad = self.W_grad + y_grad.T @ self.x
        self.b_grad = self.b_grad + y_grad.sum(axis=0)
        return y_grad @ self.W
    """)),
    # --- ReluLayer ------------------------------------------------------------------------------
    mutant("ReluLayer", "relu_grad_one_at_zero", "derivative 1 at x = 0 (mask x >= 0)", _relu(forward="""
        self.mask = x >= 0
        return np.where(self.mask, x, 0.0)
    """)),
    mutant("ReluLayer", "relu_mask_from_grad", "masks by the sign of the upstream gradient", _relu(forward="""
        return np.maximum(x, 0.0)
    """, backward="""
        return y_grad * (y_grad > 0)
    """)),
    mutant("ReluLayer", "relu_returns_mask", "backward returns the 0/1 mask, forgetting y_grad", _relu(backward="""
        return self.mask.astype(float)
    """)),
    mutant("ReluLayer", "relu_in_place", "zeroes the negative inputs in place, changing the caller's x", _relu(forward="""
        self.mask = x > 0
        x[~self.mask] = 0.0
        return x
    """)),
    mutant("ReluLayer", "relu_leaky", "a leaky ReLU: slope 0.01 for negative inputs", _relu(forward="""
        self.mask = x > 0
        return np.where(self.mask, x, 0.01 * x)
    """, backward="""
        return np.where(self.mask, y_grad, 0.01 * y_grad)
    """)),
    # --- SoftMaxLayer -----------------------------------------------------------------------------
    mutant("SoftMaxLayer", "sm_diag_only", "backward keeps only the diagonal of the Jacobian: z (1 - z) y_grad",
           _softmax(backward="""
        return self.z * (1 - self.z) * y_grad
    """)),
    mutant("SoftMaxLayer", "sm_outer_only", "backward uses -z z^T without the diag(z) term", _softmax(backward="""
        z = self.z
        return -z * np.sum(z * y_grad, axis=1, keepdims=True)
    """)),
    mutant("SoftMaxLayer", "sm_no_shift", "exp(x) without subtracting the row maximum (overflow)", _softmax(forward="""
        exps = np.exp(x)
        self.z = exps / exps.sum(axis=1, keepdims=True)
        return self.z
    """)),
    mutant("SoftMaxLayer", "sm_global_max", "subtracts the maximum of the whole batch instead of each row's",
           _softmax(forward="""
        exps = np.exp(x - np.max(x))
        self.z = exps / exps.sum(axis=1, keepdims=True)
        return self.z
    """)),
    mutant("SoftMaxLayer", "sm_axis0", "normalises over the batch (axis 0) instead of the classes", _softmax(forward="""
        exps = np.exp(x - x.max(axis=0, keepdims=True))
        self.z = exps / exps.sum(axis=0, keepdims=True)
        return self.z
    """)),
    mutant("SoftMaxLayer", "sm_backward_identity", "backward passes y_grad through unchanged", _softmax(backward="""
        return y_grad
    """)),
    mutant("SoftMaxLayer", "sm_backward_sum_axis0", "sums z * y_grad over the batch instead of the classes",
           _softmax(backward="""
        z = self.z
        return z * (y_grad - np.sum(z * y_grad, axis=0, keepdims=True))
    """)),
    # --- CrossEntropyLayer --------------------------------------------------------------------------
    mutant("CrossEntropyLayer", "ce_sum", "sums over the batch instead of averaging (forward and backward)",
           _cross_entropy(forward="""
        self.x, self.target = x, target
        return float(-np.sum(target * np.log(x)))
    """, backward="""
        return -self.target / self.x
    """)),
    mutant("CrossEntropyLayer", "ce_backward_no_batch", "backward forgets to divide by the batch size",
           _cross_entropy(backward="""
        return -self.target / self.x
    """)),
    mutant("CrossEntropyLayer", "ce_backward_sign", "backward returns +target / x / B", _cross_entropy(backward="""
        return self.target / self.x / len(self.x)
    """)),
    mutant("CrossEntropyLayer", "ce_log_one_minus", "uses log(1 - x) as in binary cross-entropy",
           _cross_entropy(forward="""
        self.x, self.target = x, target
        return float(-np.sum(target * np.log(1 - x + 1e-12)) / len(x))
    """)),
    mutant("CrossEntropyLayer", "ce_mean_all_entries", "np.mean over every entry, dividing by B * C",
           _cross_entropy(forward="""
        self.x, self.target = x, target
        return float(np.mean(-target * np.log(x)))
    """, backward="""
        return -self.target / self.x / self.x.size
    """)),
    mutant("CrossEntropyLayer", "ce_per_row", "forward returns the loss of every row instead of their mean",
           _cross_entropy(forward="""
        self.x, self.target = x, target
        return -np.sum(target * np.log(x), axis=1)
    """)),
    # --- Sequential ----------------------------------------------------------------------------------
    mutant("Sequential", "seq_backward_forward_order", "backward runs the layers first to last", _sequential(backward="""
        grad = self.loss.backward()
        for layer in self.layers:
            grad = layer.backward(grad)
    """)),
    mutant("Sequential", "seq_backward_skips_last", "backward skips the last layer (as if the loss included it)",
           _sequential(backward="""
        grad = self.loss.backward()
        for layer in reversed(self.layers[:-1]):
            grad = layer.backward(grad)
    """)),
    mutant("Sequential", "seq_update_skips_first", "update_params skips the first layer", _sequential(update="""
        if self.optimizer is None:
            for layer in self.layers[1:]:
                layer.update_param(lr)
            return
        params = [param for layer in self.layers[1:] for param, _ in layer.parameters()]
        grads = [grad for layer in self.layers[1:] for _, grad in layer.parameters()]
        self.optimizer.step(params, grads)
    """)),
    mutant("Sequential", "seq_update_ignores_optimizer", "update_params always calls update_param(lr), optimiser or not",
           _sequential(update="""
        for layer in self.layers:
            layer.update_param(lr)
    """)),
    mutant("Sequential", "seq_optimizer_per_layer", "one optimizer.step call per layer instead of one for all",
           _sequential(update="""
        if self.optimizer is None:
            for layer in self.layers:
                layer.update_param(lr)
            return
        for layer in self.layers:
            pairs = layer.parameters()
            if pairs:
                self.optimizer.step([param for param, _ in pairs], [grad for _, grad in pairs])
    """)),
    mutant("Sequential", "seq_optimizer_and_update_param", "steps the optimiser and also calls every update_param(lr)",
           _sequential(update="""
        params, grads = [], []
        for layer in self.layers:
            for param, grad in layer.parameters():
                params.append(param)
                grads.append(grad)
        if self.optimizer is not None:
            self.optimizer.step(params, grads)
        for layer in self.layers:
            layer.update_param(lr)
    """)),
    mutant("Sequential", "seq_optimizer_copies", "hands the optimiser copies of the parameters, so nothing changes",
           _sequential(update="""
        if self.optimizer is None:
            for layer in self.layers:
                layer.update_param(lr)
            return
        pairs = [pair for layer in self.layers for pair in layer.parameters()]
        self.optimizer.step([np.array(param) for param, _ in pairs], [grad for _, grad in pairs])
    """)),
    mutant("Sequential", "seq_optimizer_full_layers_only", "collects W and b of the FullLayers only (isinstance)",
           _sequential(update="""
        if self.optimizer is None:
            for layer in self.layers:
                layer.update_param(lr)
            return
        params, grads = [], []
        for layer in self.layers:
            if isinstance(layer, FullLayer):
                params += [layer.W, layer.b]
                grads += [layer.W_grad, layer.b_grad]
        self.optimizer.step(params, grads)
    """)),
    mutant("Sequential", "seq_optimizer_reversed", "collects the parameters last layer first", _sequential(update="""
        if self.optimizer is None:
            for layer in self.layers:
                layer.update_param(lr)
            return
        pairs = [pair for layer in reversed(self.layers) for pair in layer.parameters()]
        self.optimizer.step([param for param, _ in pairs], [grad for _, grad in pairs])
    """)),
    mutant("Sequential", "seq_forward_ignores_target", "forward returns the output even with a target",
           _sequential(forward="""
        for layer in self.layers:
            x = layer.forward(x)
        if target is not None:
            self.loss.forward(x, target)
        return x
    """)),
    mutant("Sequential", "seq_fit_batch_losses", "fit returns every minibatch loss instead of one mean per epoch",
           _sequential(fit="""
        self.set_training(False)
        n_outputs = self.forward(x[:1]).shape[1]
        self.set_training(True)
        targets = np.eye(n_outputs)[y]
        losses = []
        for _ in range(epochs):
            order = self.rng.permutation(len(x))
            for start in range(0, len(x), batch_size):
                rows = order[start:start + batch_size]
                losses.append(float(self.forward(x[rows], targets[rows])))
                self.backward()
                self.update_params(lr)
        return losses
    """)),
    mutant("Sequential", "seq_fit_last_batch", "fit records the last minibatch's loss of each epoch", _sequential(fit="""
        self.set_training(False)
        n_outputs = self.forward(x[:1]).shape[1]
        self.set_training(True)
        targets = np.eye(n_outputs)[y]
        epoch_losses = []
        for _ in range(epochs):
            order = self.rng.permutation(len(x))
            for start in range(0, len(x), batch_size):
                rows = order[start:start + batch_size]
                loss = float(self.forward(x[rows], targets[rows]))
                self.backward()
                self.update_params(lr)
            epoch_losses.append(loss)
        return epoch_losses
    """)),
    mutant("Sequential", "seq_fit_no_update", "fit forgets to call update_params", _sequential(fit="""
        self.set_training(False)
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
            epoch_losses.append(float(np.mean(batch_losses)))
        return epoch_losses
    """)),
    mutant("Sequential", "seq_fit_loss_after_update", "fit records the loss after the update (a second forward)",
           _sequential(fit="""
        self.set_training(False)
        n_outputs = self.forward(x[:1]).shape[1]
        self.set_training(True)
        targets = np.eye(n_outputs)[y]
        epoch_losses = []
        for _ in range(epochs):
            order = self.rng.permutation(len(x))
            batch_losses = []
            for start in range(0, len(x), batch_size):
                rows = order[start:start + batch_size]
                self.forward(x[rows], targets[rows])
                self.backward()
                self.update_params(lr)
                batch_losses.append(float(self.forward(x[rows], targets[rows])))
            epoch_losses.append(float(np.mean(batch_losses)))
        return epoch_losses
    """)),
    mutant("Sequential", "seq_predict_probabilities", "predict returns the network's outputs, not labels",
           _sequential(predict="""
        self.set_training(False)
        return self.forward(x)
    """)),
    mutant("Sequential", "seq_predict_training_mode", "predict never switches to evaluation mode (dropout stays on)",
           _sequential(predict="""
        return np.argmax(self.forward(x), axis=1)
    """)),
    mutant("Sequential", "seq_fit_stays_in_evaluation", "fit measures the output width in evaluation mode and never "
           "switches back to training mode", _sequential(fit=_SEQ_FIT.replace("    self.set_training(True)\n", ""))),
    mutant("Sequential", "seq_fit_no_mode", "fit never calls set_training (after a predict it trains in evaluation mode)",
           _sequential(fit=_SEQ_FIT.replace("    self.set_training(True)\n", "").replace(
               "    self.set_training(False)\n", ""))),
    # --- better_model ------------------------------------------------------------------------------------
    mutant("better_model", "bm_tiny_hidden", "a hidden layer of 2 units", _better([2], lr=0.1, batch_size=128)),
    mutant("better_model", "bm_lr_10", "a deeper network trained with learning rate 10 (diverges)",
           _better([128, 64], lr=10, batch_size=16)),
    mutant("better_model", "bm_same_architecture", "the given network again, only with a smaller learning rate and batches",
           _better([500], lr=0.02, batch_size=16)),
    mutant("better_model", "bm_untrained", "builds a deeper network but never trains it",
           _better([128, 64], lr=0.02, batch_size=16, train=False)),
    mutant("better_model", "bm_too_short", "one epoch with a tiny learning rate", _better([128, 64], lr=0.001,
                                                                                        batch_size=128, epochs="1")),
    mutant("better_model", "bm_adam_lr_1", "dropout and Adam with learning rate 1.0: every step is far too large",
           _better([256], lr=None, batch_size=32, dropout=0.2, optimizer="Adam(1.0)")),
    # --- correct alternatives ---------------------------------------------------------------------
    correct("FullLayer", "fl_einsum", "einsum for every product, standard_normal * std, in-place updates", _full(init="""
        rng = np.random.default_rng() if rng is None else rng
        self.W = rng.standard_normal((n_o, n_i)) * (2 / (n_i + n_o)) ** 0.5
        self.b = np.zeros((n_o,))
    """, forward="""
        self.x = np.array(x, copy=True)
        return np.einsum("bi,oi->bo", x, self.W) + self.b
    """, backward="""
        self.W_grad = np.einsum("bo,bi->oi", y_grad, self.x)
        self.b_grad = np.einsum("bo->o", y_grad)
        return np.einsum("bo,oi->bi", y_grad, self.W)
    """, update="""
        self.W -= lr * self.W_grad
        self.b -= lr * self.b_grad
    """)),
    correct("FullLayer", "fl_loops_float32", "weights stored as float32; backward with a loop over the batch (np.outer)",
            _full(init="""
        if rng is None:
            rng = np.random.default_rng()
        self.W = rng.normal(loc=0.0, scale=np.sqrt(2 / (n_i + n_o)), size=(n_o, n_i)).astype(np.float32)
        self.b = np.zeros(n_o, dtype=np.float32)
    """, backward="""
        self.W_grad = np.zeros(np.shape(self.W))
        self.b_grad = np.zeros(np.shape(self.b))
        for n in range(len(y_grad)):
            self.W_grad += np.outer(y_grad[n], self.x[n])
            self.b_grad += y_grad[n]
        return np.dot(y_grad, self.W)
    """)),
    correct("ReluLayer", "relu_output_mask", "keeps the output and masks the gradient by output > 0", _relu(forward="""
        self.out = np.maximum(x, 0)
        return self.out
    """, backward="""
        return np.where(self.out > 0, y_grad, 0)
    """)),
    correct("ReluLayer", "relu_heaviside", "np.heaviside(x, 0) as the derivative", _relu(forward="""
        self.x = x
        return x * (x > 0)
    """, backward="""
        return y_grad * np.heaviside(self.x, 0.0)
    """)),
    correct("SoftMaxLayer", "sm_einsum_jacobian", "builds the (B, C, C) Jacobians with einsum and applies them",
            _softmax(forward="""
        shifted = x - np.max(x, axis=-1, keepdims=True)
        log_z = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
        self.z = np.exp(log_z)
        return self.z
    """, backward="""
        z = self.z
        jacobians = np.einsum("ni,ij->nij", z, np.eye(z.shape[1])) - np.einsum("ni,nj->nij", z, z)
        return np.einsum("nij,nj->ni", jacobians, y_grad)
    """)),
    correct("SoftMaxLayer", "sm_row_loop", "a loop over the rows with np.diag(z) - np.outer(z, z)", _softmax(backward="""
        x_grad = np.empty_like(y_grad, dtype=float)
        for n, (z, g) in enumerate(zip(self.z, y_grad)):
            x_grad[n] = (np.diag(z) - np.outer(z, z)) @ g
        return x_grad
    """)),
    correct("CrossEntropyLayer", "ce_true_class_loop", "a loop over rows picking the true class; np.where in backward",
            _cross_entropy(forward="""
        self.x, self.target = x, target
        total = 0.0
        for probs, t in zip(x, target):
            total -= np.log(probs[np.argmax(t)])
        return total / x.shape[0]
    """, backward="""
        batch = self.x.shape[0]
        return np.where(self.target != 0, -self.target / np.where(self.target != 0, self.x, 1.0), 0.0) / batch
    """)),
    correct("Sequential", "seq_while_loops", "while loops, a zeros-and-index one-hot, global np.random shuffling",
            _sequential(forward="""
        out = x
        i = 0
        while i < len(self.layers):
            out = self.layers[i].forward(out)
            i += 1
        return out if target is None else self.loss.forward(out, target)
    """, backward="""
        grad = self.loss.backward()
        i = len(self.layers) - 1
        while i >= 0:
            grad = self.layers[i].backward(grad)
            i -= 1
    """, update="""
        if self.optimizer is not None:
            pairs = [pair for layer in self.layers for pair in layer.parameters()]
            self.optimizer.step([w for w, _ in pairs], [g for _, g in pairs])
        else:
            i = 0
            while i < len(self.layers):
                self.layers[i].update_param(lr)
                i += 1
    """, fit="""
        self.set_training(False)
        n_classes = self.forward(x[:1]).shape[-1]
        self.set_training(True)
        onehot = np.zeros((len(y), n_classes))
        onehot[np.arange(len(y)), y] = 1.0
        history = []
        for epoch in range(epochs):
            perm = np.random.permutation(len(x))
            total, count = 0.0, 0
            start = 0
            while start < len(x):
                idx = perm[start:start + batch_size]
                total += self.forward(x[idx], onehot[idx])
                count += 1
                self.backward()
                self.update_params(lr)
                start += batch_size
            history.append(total / count)
        return history
    """, predict="""
        self.set_training(False)
        return self.forward(x).argmax(-1)
    """)),
    correct("Sequential", "seq_lazy_one_hot", "one-hot targets made per minibatch from the output width; zip(*pairs); "
            "a generator of minibatches", _sequential(update="""
        if self.optimizer is None:
            for layer in self.layers:
                layer.update_param(lr)
        else:
            pairs = [pair for layer in self.layers for pair in layer.parameters()]
            params, grads = (list(part) for part in zip(*pairs)) if pairs else ([], [])
            self.optimizer.step(params, grads)
    """, fit="""
        def batches(order):
            for start in range(0, len(order), batch_size):
                yield order[start:start + batch_size]

        losses = []
        for _ in range(epochs):
            self.set_training(True)
            values = []
            for rows in batches(self.rng.permutation(x.shape[0])):
                out = self.forward(x[rows])
                values.append(self.loss.forward(out, np.eye(out.shape[1])[y[rows]]))
                self.backward()
                self.update_params(lr)
            losses.append(sum(values) / len(values))
        return losses
    """, predict="""
        self.set_training(False)
        out = self.forward(x)
        return out.argmax(axis=1)
    """)),
    correct("better_model", "bm_256_128", "Full(D_digits, 256), Full(256, 128), lr 0.02, batches of 16",
            _better([256, 128], lr=0.02, batch_size=16)),
    correct("better_model", "bm_adam_dropout", "Full(D_digits, 256), ReLU, DropoutLayer(0.2), Full, trained with Adam(1e-3)",
            _better([256], lr=None, batch_size=32, dropout=0.2, optimizer="Adam(1e-3)")),
    correct("better_model", "bm_momentum_batchnorm", "Full(D_digits, 128), BatchNormLayer, ReLU, Full, Momentum(0.05)",
            "rng_b = np.random.default_rng(3)\n"
            "better = Sequential([FullLayer(D_digits, 128, rng=rng_b), BatchNormLayer(128), ReluLayer(),\n"
            "                     FullLayer(128, N_CLASSES, rng=rng_b), SoftMaxLayer()], CrossEntropyLayer(),\n"
            "                    rng=np.random.default_rng(4), optimizer=Momentum(0.05, beta=0.9))\n"
            "with one_blas_thread():\n"
            "    better.fit(Xd_train, yd_train, COMPARE_EPOCHS, None, 32)\n"),
    correct("better_model", "bm_one_hidden_128", "one hidden layer of 128, lr 0.02, batches of 16, trained in two calls",
            "rng_b = np.random.default_rng(5)\n"
            "better = Sequential([FullLayer(D_digits, 128, rng=rng_b), ReluLayer(),\n"
            "                     FullLayer(128, N_CLASSES, rng=rng_b), SoftMaxLayer()],\n"
            "                    CrossEntropyLayer(), rng=np.random.default_rng(6))\n"
            "with one_blas_thread():\n"
            "    better.fit(Xd_train, yd_train, 1, 0.02, 16)\n"
            "    better.fit(Xd_train, yd_train, 2, 0.02, 16)\n"),
]
