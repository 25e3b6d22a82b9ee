"""02_two_layer_linear: Linear, numerical_gradient and compose_linear.

A ``Linear`` variant replaces the whole answer cell, so each one is a complete class. Most of
them change a single method of the reference class; ``_linear`` builds the class from the
reference method bodies and the one that changes.
"""
import textwrap

from autograder.catalogue import correct, mutant

_INIT = """
    bound = np.sqrt(6.0 / (in_dim + out_dim))
    self.W = rng.uniform(-bound, bound, size=(out_dim, in_dim))
    self.b = np.zeros(out_dim)
    self.dW = np.zeros_like(self.W)
    self.db = np.zeros_like(self.b)
"""
_FORWARD = """
    self.x = x
    return x @ self.W.T + self.b
"""
_BACKWARD = """
    self.dW = dout.T @ self.x
    self.db = dout.sum(axis=0)
    return dout @ self.W
"""


def _body(code: str) -> str:
    return textwrap.indent(textwrap.dedent(code).strip("\n"), " " * 8) + "\n"


def _linear(init: str = _INIT, forward: str = _FORWARD, backward: str = _BACKWARD) -> str:
    """The source of a whole Linear class with the given method bodies."""
    return ("class Linear:\n"
            "    def __init__(self, in_dim, out_dim, rng=None):\n"
            "        if rng is None:\n"
            "            rng = np.random.default_rng()\n"
            + _body(init)
            + "\n    def forward(self, x):\n"
            + _body(forward)
            + "\n    def backward(self, dout):\n"
            + _body(backward))


VARIANTS = [
    # --- Linear: __init__ -----------------------------------------------------------------
    mutant("Linear", "init_W_shape_in_out", "creates W with shape (in_dim, out_dim)", _linear(init="""
        bound = np.sqrt(6.0 / (in_dim + out_dim))
        self.W = rng.uniform(-bound, bound, size=(in_dim, out_dim))
        self.b = np.zeros(out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
    """, forward="""
        self.x = x
        return x @ self.W + self.b
    """, backward="""
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T
    """)),
    mutant("Linear", "init_unit_bound", "draws the weights from U(-1, 1) instead of Xavier's bound", _linear(init="""
        self.W = rng.uniform(-1.0, 1.0, size=(out_dim, in_dim))
        self.b = np.zeros(out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
    """)),
    mutant("Linear", "init_fan_in_bound", "uses a = sqrt(6 / in_dim), forgetting out_dim", _linear(init="""
        bound = np.sqrt(6.0 / in_dim)
        self.W = rng.uniform(-bound, bound, size=(out_dim, in_dim))
        self.b = np.zeros(out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
    """)),
    mutant("Linear", "init_bound_not_sqrt", "uses a = 6 / (in_dim + out_dim), forgetting the square root", _linear(init="""
        bound = 6.0 / (in_dim + out_dim)
        self.W = rng.uniform(-bound, bound, size=(out_dim, in_dim))
        self.b = np.zeros(out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
    """)),
    mutant("Linear", "init_xavier_normal", "draws from a normal with Xavier's variance instead of the uniform", _linear(init="""
        std = np.sqrt(2.0 / (in_dim + out_dim))
        self.W = rng.normal(0.0, std, size=(out_dim, in_dim))
        self.b = np.zeros(out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
    """)),
    mutant("Linear", "init_global_rng", "ignores rng and draws from numpy's global generator", _linear(init="""
        bound = np.sqrt(6.0 / (in_dim + out_dim))
        self.W = np.random.uniform(-bound, bound, size=(out_dim, in_dim))
        self.b = np.zeros(out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
    """)),
    mutant("Linear", "init_random_bias", "initialises the bias randomly as well", _linear(init="""
        bound = np.sqrt(6.0 / (in_dim + out_dim))
        self.W = rng.uniform(-bound, bound, size=(out_dim, in_dim))
        self.b = rng.uniform(-bound, bound, size=out_dim)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
    """)),
    # --- Linear: forward ------------------------------------------------------------------
    mutant("Linear", "forward_no_bias", "forward forgets to add the bias", _linear(forward="""
        self.x = x
        return x @ self.W.T
    """)),
    mutant("Linear", "forward_no_transpose", "forward computes x @ W, missing the transpose", _linear(forward="""
        self.x = x
        return x @ self.W + self.b
    """)),
    mutant("Linear", "forward_caches_output", "forward caches its output instead of its input", _linear(forward="""
        out = x @ self.W.T + self.b
        self.x = out
        return out
    """)),
    # --- Linear: backward -----------------------------------------------------------------
    mutant("Linear", "backward_dW_transposed", "dW = x.T @ dout, shape (in_dim, out_dim)", _linear(backward="""
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W
    """)),
    mutant("Linear", "backward_db_mean", "db averages over the batch instead of summing", _linear(backward="""
        self.dW = dout.T @ self.x
        self.db = dout.mean(axis=0)
        return dout @ self.W
    """)),
    mutant("Linear", "backward_dW_mean", "dW divides by the batch size", _linear(backward="""
        self.dW = dout.T @ self.x / len(dout)
        self.db = dout.sum(axis=0)
        return dout @ self.W
    """)),
    mutant("Linear", "backward_accumulates", "adds to dW and db across calls instead of overwriting", _linear(backward="""
        self.dW += dout.T @ self.x
        self.db += dout.sum(axis=0)
        return dout @ self.W
    """)),
    mutant("Linear", "backward_dx_W_transposed", "dx = dout @ W.T", _linear(backward="""
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W.T
    """)),
    mutant("Linear", "backward_returns_none", "sets dW and db but forgets to return dx", _linear(backward="""
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
    """)),
    mutant("Linear", "backward_db_axis1", "sums dout over the features (axis 1) instead of the batch", _linear(backward="""
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=1)
        return dout @ self.W
    """)),
    # --- numerical_gradient ---------------------------------------------------------------
    mutant("numerical_gradient", "ng_forward_difference", "uses the forward difference (f(x+h) - f(x)) / h", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            f_x = f(x)
            for index in np.ndindex(x.shape):
                original = x[index]
                x[index] = original + h
                grad[index] = (f(x) - f_x) / h
                x[index] = original
            return grad
    """),
    mutant("numerical_gradient", "ng_divide_by_h", "divides the central difference by h instead of 2h", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            for index in np.ndindex(x.shape):
                original = x[index]
                x[index] = original + h
                f_plus = f(x)
                x[index] = original - h
                f_minus = f(x)
                x[index] = original
                grad[index] = (f_plus - f_minus) / h
            return grad
    """),
    mutant("numerical_gradient", "ng_not_restored", "leaves each element at x - h instead of restoring it", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            for index in np.ndindex(x.shape):
                x[index] += h
                f_plus = f(x)
                x[index] -= 2 * h
                f_minus = f(x)
                grad[index] = (f_plus - f_minus) / (2 * h)
            return grad
    """),
    mutant("numerical_gradient", "ng_flattened_copy", "perturbs a flattened copy, so f never sees the change", """
        def numerical_gradient(f, x, h=1e-5):
            flat = x.flatten()
            grad = np.zeros(flat.size)
            for i in range(flat.size):
                original = flat[i]
                flat[i] = original + h
                f_plus = f(x)
                flat[i] = original - h
                f_minus = f(x)
                flat[i] = original
                grad[i] = (f_plus - f_minus) / (2 * h)
            return grad.reshape(x.shape)
    """),
    mutant("numerical_gradient", "ng_first_axis_only", "loops over the first axis only, perturbing whole rows", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            for i in range(x.shape[0]):
                original = x[i].copy()
                x[i] = original + h
                f_plus = f(x)
                x[i] = original - h
                f_minus = f(x)
                x[i] = original
                grad[i] = (f_plus - f_minus) / (2 * h)
            return grad
    """),
    mutant("numerical_gradient", "ng_returns_flat", "returns the gradient flattened to shape (x.size,)", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.size)
            for i, index in enumerate(np.ndindex(x.shape)):
                original = x[index]
                x[index] = original + h
                f_plus = f(x)
                x[index] = original - h
                f_minus = f(x)
                x[index] = original
                grad[i] = (f_plus - f_minus) / (2 * h)
            return grad
    """),
    mutant("numerical_gradient", "ng_sign_swapped", "computes (f(x-h) - f(x+h)) / 2h", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            for index in np.ndindex(x.shape):
                original = x[index]
                x[index] = original - h
                f_first = f(x)
                x[index] = original + h
                f_second = f(x)
                x[index] = original
                grad[index] = (f_first - f_second) / (2 * h)
            return grad
    """),
    mutant("numerical_gradient", "ng_ignores_h", "always steps by 1e-5, ignoring the h argument", """
        def numerical_gradient(f, x, h=1e-5):
            step = 1e-5
            grad = np.zeros(x.shape)
            for index in np.ndindex(x.shape):
                original = x[index]
                x[index] = original + step
                f_plus = f(x)
                x[index] = original - step
                f_minus = f(x)
                x[index] = original
                grad[index] = (f_plus - f_minus) / (2 * step)
            return grad
    """),
    mutant("numerical_gradient", "ng_copies_to_f", "passes perturbed copies to f, so an f that reads x through a closure sees nothing", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            for index in np.ndindex(x.shape):
                x_plus = x.copy()
                x_plus[index] += h
                x_minus = x.copy()
                x_minus[index] -= h
                grad[index] = (f(x_plus) - f(x_minus)) / (2 * h)
            return grad
    """),
    mutant("numerical_gradient", "ng_works_on_copy",
           "converts x with np.array(x, dtype=float) first, a copy: correct values for f(x) = g(x), "
           "but an f that reads the caller's array (the gradient check) sees no change", """
        def numerical_gradient(f, x, h=1e-5):
            x = np.array(x, dtype=float)
            grad = np.zeros(x.shape)
            for index in np.ndindex(x.shape):
                original = x[index]
                x[index] = original + h
                f_plus = f(x)
                x[index] = original - h
                f_minus = f(x)
                x[index] = original
                grad[index] = (f_plus - f_minus) / (2 * h)
            return grad
    """),
    mutant("numerical_gradient", "ng_all_at_once", "perturbs every element at once (x + h) instead of one at a time", """
        def numerical_gradient(f, x, h=1e-5):
            original = x.copy()
            x += h
            f_plus = f(x)
            x[...] = original - h
            f_minus = f(x)
            x[...] = original
            return np.full(x.shape, (f_plus - f_minus) / (2 * h))
    """),
    # --- compose_linear -------------------------------------------------------------------
    mutant("compose_linear", "compose_order_swapped", "multiplies in the wrong order, W = W1 @ W2", """
        def compose_linear(lin1, lin2):
            return lin1.W @ lin2.W, lin2.W @ lin1.b + lin2.b
    """),
    mutant("compose_linear", "compose_forgets_W2_b1", "b = b2, forgetting that lin2 also transforms b1", """
        def compose_linear(lin1, lin2):
            return lin2.W @ lin1.W, lin2.b.copy()
    """),
    mutant("compose_linear", "compose_bias_sum", "b = b1 + b2, adding the biases without passing b1 through W2", """
        def compose_linear(lin1, lin2):
            return lin2.W @ lin1.W, lin1.b + lin2.b
    """),
    mutant("compose_linear", "compose_forgets_b2", "b = W2 @ b1, forgetting lin2's own bias", """
        def compose_linear(lin1, lin2):
            return lin2.W @ lin1.W, lin2.W @ lin1.b
    """),
    mutant("compose_linear", "compose_elementwise", "multiplies the weights elementwise, W = W2 * W1", """
        def compose_linear(lin1, lin2):
            return lin2.W * lin1.W, lin2.W @ lin1.b + lin2.b
    """),
    mutant("compose_linear", "compose_transposed", "returns W transposed, shape (lin1 in, lin2 out)", """
        def compose_linear(lin1, lin2):
            return lin1.W.T @ lin2.W.T, lin2.W @ lin1.b + lin2.b
    """),
    mutant("compose_linear", "compose_modifies_b2", "builds b in lin2.b's memory, changing the layer", """
        def compose_linear(lin1, lin2):
            b = lin2.b
            b += lin2.W @ lin1.b
            return lin2.W @ lin1.W, b
    """),
    # --- correct alternatives -------------------------------------------------------------
    correct("Linear", "linear_einsum", "einsum everywhere, U(-a, a) as a scaled rng.random, dW written in place", _linear(init="""
        bound = np.sqrt(6.0 / (in_dim + out_dim))
        self.W = (2.0 * rng.random((out_dim, in_dim)) - 1.0) * bound
        self.b = np.zeros(out_dim)
        self.dW = np.zeros((out_dim, in_dim))
        self.db = np.zeros(out_dim)
    """, forward="""
        self.x = x.copy()
        return np.einsum("bi,oi->bo", x, self.W) + self.b
    """, backward="""
        self.dW[...] = np.einsum("bo,bi->oi", dout, self.x)
        self.db[...] = np.einsum("bo->o", dout)
        return np.einsum("bo,oi->bi", dout, self.W)
    """)),
    correct("Linear", "linear_loops", "Python loops over the batch with np.outer and np.dot; W drawn transposed then .T", _linear(init="""
        limit = (6.0 / (in_dim + out_dim)) ** 0.5
        self.W = rng.uniform(low=-limit, high=limit, size=(in_dim, out_dim)).T
        self.b = np.zeros((out_dim,))
        self.dW = np.zeros(self.W.shape)
        self.db = np.zeros(self.b.shape)
    """, forward="""
        x = np.asarray(x, dtype=float)
        self.x = x
        rows = [np.dot(self.W, row) + self.b for row in x]
        return np.array(rows)
    """, backward="""
        dW = np.zeros(self.W.shape)
        db = np.zeros(self.b.shape)
        dx = np.zeros(self.x.shape)
        for n in range(dout.shape[0]):
            dW += np.outer(dout[n], self.x[n])
            db += dout[n]
            dx[n] = np.dot(dout[n], self.W)
        self.dW, self.db = dW, db
        return dx
    """)),
    correct("Linear", "linear_np_dot", "np.dot with explicit transposes and (x.T @ dout).T for dW", _linear(forward="""
        self.x = x
        return np.dot(x, self.W.T) + self.b[None, :]
    """, backward="""
        self.dW = (self.x.T @ dout).T
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W)
    """)),
    correct("numerical_gradient", "ng_nditer", "np.nditer with multi_index, stepping by += h / -= 2h / += h", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros_like(x, dtype=float)
            it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
            while not it.finished:
                i = it.multi_index
                x[i] += h
                f_plus = f(x)
                x[i] -= 2 * h
                f_minus = f(x)
                x[i] += h
                grad[i] = (f_plus - f_minus) / (2 * h)
                it.iternext()
            return grad
    """),
    correct("numerical_gradient", "ng_flat_view", "works on a flat view (reshape(-1)) of x and reshapes the result", """
        def numerical_gradient(f, x, h=1e-5):
            flat = x.reshape(-1)
            grad = np.empty(flat.size)
            for i in range(flat.size):
                saved = float(flat[i])
                flat[i] = saved + h
                up = float(f(x))
                flat[i] = saved - h
                down = float(f(x))
                flat[i] = saved
                grad[i] = (up - down) / (2.0 * h)
            return grad.reshape(x.shape)
    """),
    correct("compose_linear", "compose_identity_batch", "pushes an identity batch and a zero row through both layers", """
        def compose_linear(lin1, lin2):
            n_in = lin1.W.shape[1]
            b = lin2.forward(lin1.forward(np.zeros((1, n_in))))[0]
            W = (lin2.forward(lin1.forward(np.eye(n_in))) - b).T
            return W, b
    """),
    correct("compose_linear", "compose_einsum", "einsum for both products, returned as a list", """
        def compose_linear(lin1, lin2):
            W = np.einsum("om,mi->oi", lin2.W, lin1.W)
            b = np.einsum("om,m->o", lin2.W, lin1.b) + lin2.b
            return [W, b]
    """),
]
