"""08_optimizers: SGD, Momentum, Nesterov, RMSProp and Adam.

Each variant replaces a whole answer cell, so each one is a complete class with ``__init__`` and
``step(params, grads)``.
"""
from autograder.catalogue import correct, mutant

VARIANTS = [
    # --- SGD ------------------------------------------------------------------------------
    mutant("SGD", "sgd_rebinds_local", "w = w - lr * g in the loop: rebinds the loop variable, the caller's arrays never change", """
        class SGD:
            def __init__(self, lr):
                self.lr = lr

            def step(self, params, grads):
                for w, g in zip(params, grads):
                    w = w - self.lr * g
    """),
    mutant("SGD", "sgd_rebinds_list", "params[i] = params[i] - lr * g: replaces the list entries, not the model's arrays", """
        class SGD:
            def __init__(self, lr):
                self.lr = lr

            def step(self, params, grads):
                for i in range(len(params)):
                    params[i] = params[i] - self.lr * grads[i]
    """),
    mutant("SGD", "sgd_sign", "w += lr * g: steps uphill", """
        class SGD:
            def __init__(self, lr):
                self.lr = lr

            def step(self, params, grads):
                for w, g in zip(params, grads):
                    w += self.lr * g
    """),
    mutant("SGD", "sgd_lr_twice", "multiplies by the learning rate twice", """
        class SGD:
            def __init__(self, lr):
                self.lr = lr

            def step(self, params, grads):
                for w, g in zip(params, grads):
                    w -= self.lr * self.lr * g
    """),
    mutant("SGD", "sgd_ignores_lr", "ignores the lr argument and always uses 0.01", """
        class SGD:
            def __init__(self, lr=0.01):
                self.lr = 0.01

            def step(self, params, grads):
                for w, g in zip(params, grads):
                    w -= self.lr * g
    """),
    mutant("SGD", "sgd_scales_grad_in_place", "scales the gradient in place (g *= lr), modifying the caller's gradients", """
        class SGD:
            def __init__(self, lr):
                self.lr = lr

            def step(self, params, grads):
                for w, g in zip(params, grads):
                    g *= self.lr
                    w -= g
    """),
    # --- Momentum -------------------------------------------------------------------------
    mutant("Momentum", "momentum_shared_velocity", "one velocity for all parameters, created from the first one", """
        class Momentum:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.v = None

            def step(self, params, grads):
                for w, g in zip(params, grads):
                    if self.v is None:
                        self.v = np.zeros_like(w)
                    self.v = self.beta * self.v - self.lr * g
                    w += self.v
    """),
    mutant("Momentum", "momentum_state_by_shape", "keys the velocities by shape, so parameters of the same shape share one", """
        class Momentum:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = {}

            def step(self, params, grads):
                for w, g in zip(params, grads):
                    v = self.velocities.setdefault(w.shape, np.zeros_like(w))
                    v *= self.beta
                    v -= self.lr * g
                    w += v
    """),
    mutant("Momentum", "momentum_reset_each_step", "creates the velocities afresh at every step (plain SGD)", """
        class Momentum:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta

            def step(self, params, grads):
                self.velocities = [np.zeros_like(w) for w in params]
                for w, g, v in zip(params, grads, self.velocities):
                    v *= self.beta
                    v -= self.lr * g
                    w += v
    """),
    mutant("Momentum", "momentum_lr_twice", "v = beta * v - lr * g, then w += lr * v: the learning rate twice", """
        class Momentum:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = None

            def step(self, params, grads):
                if self.velocities is None:
                    self.velocities = [np.zeros_like(w) for w in params]
                for i, (w, g) in enumerate(zip(params, grads)):
                    self.velocities[i] = self.beta * self.velocities[i] - self.lr * g
                    w += self.lr * self.velocities[i]
    """),
    mutant("Momentum", "momentum_no_beta", "v = v - lr * g: forgets the friction beta", """
        class Momentum:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = None

            def step(self, params, grads):
                if self.velocities is None:
                    self.velocities = [np.zeros_like(w) for w in params]
                for w, g, v in zip(params, grads, self.velocities):
                    v -= self.lr * g
                    w += v
    """),
    mutant("Momentum", "momentum_class_state", "keeps the velocities in a class attribute, shared by every Momentum object", """
        class Momentum:
            velocities = []

            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta

            def step(self, params, grads):
                if not self.velocities:
                    self.velocities.extend(np.zeros_like(w) for w in params)
                for w, g, v in zip(params, grads, self.velocities):
                    v *= self.beta
                    v -= self.lr * g
                    w += v
    """),
    mutant("Momentum", "momentum_rebinds", "w = w + v: rebinds the loop variable, the caller's arrays never change", """
        class Momentum:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = None

            def step(self, params, grads):
                if self.velocities is None:
                    self.velocities = [np.zeros_like(w) for w in params]
                for i, (w, g) in enumerate(zip(params, grads)):
                    self.velocities[i] = self.beta * self.velocities[i] - self.lr * g
                    w = w + self.velocities[i]
    """),
    # --- Nesterov -------------------------------------------------------------------------
    mutant("Nesterov", "nesterov_plain_momentum", "applies the plain momentum update w += v", """
        class Nesterov:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = None

            def step(self, params, grads):
                if self.velocities is None:
                    self.velocities = [np.zeros_like(w) for w in params]
                for i, (w, g) in enumerate(zip(params, grads)):
                    self.velocities[i] = self.beta * self.velocities[i] - self.lr * g
                    w += self.velocities[i]
    """),
    mutant("Nesterov", "nesterov_sign_v_prev", "w += beta * v_prev + (1 + beta) * v: wrong sign on the v_prev term", """
        class Nesterov:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = None

            def step(self, params, grads):
                if self.velocities is None:
                    self.velocities = [np.zeros_like(w) for w in params]
                for i, (w, g) in enumerate(zip(params, grads)):
                    v_prev = self.velocities[i]
                    v = self.beta * v_prev - self.lr * g
                    w += self.beta * v_prev + (1 + self.beta) * v
                    self.velocities[i] = v
    """),
    mutant("Nesterov", "nesterov_v_prev_alias", "v_prev = v without a copy, then v updated in place: v_prev is the new v", """
        class Nesterov:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = None

            def step(self, params, grads):
                if self.velocities is None:
                    self.velocities = [np.zeros_like(w) for w in params]
                for w, g, v in zip(params, grads, self.velocities):
                    v_prev = v
                    v *= self.beta
                    v -= self.lr * g
                    w += -self.beta * v_prev + (1 + self.beta) * v
    """),
    mutant("Nesterov", "nesterov_one_minus_beta", "uses (1 - beta) instead of (1 + beta)", """
        class Nesterov:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = None

            def step(self, params, grads):
                if self.velocities is None:
                    self.velocities = [np.zeros_like(w) for w in params]
                for i, (w, g) in enumerate(zip(params, grads)):
                    v_prev = self.velocities[i]
                    v = self.beta * v_prev - self.lr * g
                    w += -self.beta * v_prev + (1 - self.beta) * v
                    self.velocities[i] = v
    """),
    mutant("Nesterov", "nesterov_never_stores_v", "computes the new velocity but never stores it back", """
        class Nesterov:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = None

            def step(self, params, grads):
                if self.velocities is None:
                    self.velocities = [np.zeros_like(w) for w in params]
                for w, g, v_prev in zip(params, grads, self.velocities):
                    v = self.beta * v_prev - self.lr * g
                    w += -self.beta * v_prev + (1 + self.beta) * v
    """),
    # --- RMSProp --------------------------------------------------------------------------
    mutant("RMSProp", "rmsprop_eps_inside_sqrt", "divides by sqrt(s + eps) instead of sqrt(s) + eps", """
        class RMSProp:
            def __init__(self, lr, decay=0.99, eps=1e-8):
                self.lr, self.decay, self.eps = lr, decay, eps
                self.squares = None

            def step(self, params, grads):
                if self.squares is None:
                    self.squares = [np.zeros_like(w) for w in params]
                for w, g, s in zip(params, grads, self.squares):
                    s *= self.decay
                    s += (1 - self.decay) * g ** 2
                    w -= self.lr * g / np.sqrt(s + self.eps)
    """),
    mutant("RMSProp", "rmsprop_decay_swapped", "s = (1 - decay) * s + decay * g**2: the weights swapped", """
        class RMSProp:
            def __init__(self, lr, decay=0.99, eps=1e-8):
                self.lr, self.decay, self.eps = lr, decay, eps
                self.squares = None

            def step(self, params, grads):
                if self.squares is None:
                    self.squares = [np.zeros_like(w) for w in params]
                for i, (w, g) in enumerate(zip(params, grads)):
                    self.squares[i] = (1 - self.decay) * self.squares[i] + self.decay * g ** 2
                    w -= self.lr * g / (np.sqrt(self.squares[i]) + self.eps)
    """),
    mutant("RMSProp", "rmsprop_abs_not_square", "averages |g| instead of g**2", """
        class RMSProp:
            def __init__(self, lr, decay=0.99, eps=1e-8):
                self.lr, self.decay, self.eps = lr, decay, eps
                self.squares = None

            def step(self, params, grads):
                if self.squares is None:
                    self.squares = [np.zeros_like(w) for w in params]
                for w, g, s in zip(params, grads, self.squares):
                    s *= self.decay
                    s += (1 - self.decay) * np.abs(g)
                    w -= self.lr * g / (np.sqrt(s) + self.eps)
    """),
    mutant("RMSProp", "rmsprop_missing_square", "averages g instead of g**2 (square roots of negative numbers)", """
        class RMSProp:
            def __init__(self, lr, decay=0.99, eps=1e-8):
                self.lr, self.decay, self.eps = lr, decay, eps
                self.squares = None

            def step(self, params, grads):
                if self.squares is None:
                    self.squares = [np.zeros_like(w) for w in params]
                for w, g, s in zip(params, grads, self.squares):
                    s *= self.decay
                    s += (1 - self.decay) * g
                    with np.errstate(invalid="ignore"):
                        w -= self.lr * g / (np.sqrt(s) + self.eps)
    """),
    mutant("RMSProp", "rmsprop_shared_state", "keys the running means by shape, so same-shaped parameters share one", """
        class RMSProp:
            def __init__(self, lr, decay=0.99, eps=1e-8):
                self.lr, self.decay, self.eps = lr, decay, eps
                self.squares = {}

            def step(self, params, grads):
                for w, g in zip(params, grads):
                    s = self.squares.setdefault(w.shape, np.zeros_like(w))
                    s *= self.decay
                    s += (1 - self.decay) * g ** 2
                    w -= self.lr * g / (np.sqrt(s) + self.eps)
    """),
    mutant("RMSProp", "rmsprop_no_sqrt", "divides by s + eps instead of sqrt(s) + eps", """
        class RMSProp:
            def __init__(self, lr, decay=0.99, eps=1e-8):
                self.lr, self.decay, self.eps = lr, decay, eps
                self.squares = None

            def step(self, params, grads):
                if self.squares is None:
                    self.squares = [np.zeros_like(w) for w in params]
                for w, g, s in zip(params, grads, self.squares):
                    s *= self.decay
                    s += (1 - self.decay) * g ** 2
                    w -= self.lr * g / (s + self.eps)
    """),
    # --- Adam -----------------------------------------------------------------------------
    mutant("Adam", "adam_t_off_by_one", "t starts at 1 and is incremented before use: the first step uses t = 2", """
        class Adam:
            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.t = 1
                self.m = self.v = None

            def step(self, params, grads):
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
    """),
    mutant("Adam", "adam_t_incremented_after", "increments t after the update, so the first step divides by 1 - beta**0 = 0", """
        class Adam:
            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.t = 0
                self.m = self.v = None

            def step(self, params, grads):
                if self.m is None:
                    self.m = [np.zeros_like(w) for w in params]
                    self.v = [np.zeros_like(w) for w in params]
                for w, g, m, v in zip(params, grads, self.m, self.v):
                    m *= self.beta1
                    m += (1 - self.beta1) * g
                    v *= self.beta2
                    v += (1 - self.beta2) * g ** 2
                    with np.errstate(divide="ignore", invalid="ignore"):
                        m_hat = m / (1 - self.beta1 ** self.t)
                        v_hat = v / (1 - self.beta2 ** self.t)
                        w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
                self.t += 1
    """),
    mutant("Adam", "adam_t_per_parameter", "increments t inside the loop, once per parameter instead of once per step", """
        class Adam:
            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.t = 0
                self.m = self.v = None

            def step(self, params, grads):
                if self.m is None:
                    self.m = [np.zeros_like(w) for w in params]
                    self.v = [np.zeros_like(w) for w in params]
                for w, g, m, v in zip(params, grads, self.m, self.v):
                    self.t += 1
                    m *= self.beta1
                    m += (1 - self.beta1) * g
                    v *= self.beta2
                    v += (1 - self.beta2) * g ** 2
                    m_hat = m / (1 - self.beta1 ** self.t)
                    v_hat = v / (1 - self.beta2 ** self.t)
                    w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
    """),
    mutant("Adam", "adam_no_bias_correction", "uses m and v without the bias correction", """
        class Adam:
            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.m = self.v = None

            def step(self, params, grads):
                if self.m is None:
                    self.m = [np.zeros_like(w) for w in params]
                    self.v = [np.zeros_like(w) for w in params]
                for w, g, m, v in zip(params, grads, self.m, self.v):
                    m *= self.beta1
                    m += (1 - self.beta1) * g
                    v *= self.beta2
                    v += (1 - self.beta2) * g ** 2
                    w -= self.lr * m / (np.sqrt(v) + self.eps)
    """),
    mutant("Adam", "adam_beta_not_beta_t", "bias-corrects with 1 - beta instead of 1 - beta**t", """
        class Adam:
            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.m = self.v = None

            def step(self, params, grads):
                if self.m is None:
                    self.m = [np.zeros_like(w) for w in params]
                    self.v = [np.zeros_like(w) for w in params]
                for w, g, m, v in zip(params, grads, self.m, self.v):
                    m *= self.beta1
                    m += (1 - self.beta1) * g
                    v *= self.beta2
                    v += (1 - self.beta2) * g ** 2
                    m_hat = m / (1 - self.beta1)
                    v_hat = v / (1 - self.beta2)
                    w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
    """),
    mutant("Adam", "adam_eps_inside_sqrt", "divides by sqrt(v_hat + eps) instead of sqrt(v_hat) + eps", """
        class Adam:
            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.t = 0
                self.m = self.v = None

            def step(self, params, grads):
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
                    w -= self.lr * m_hat / np.sqrt(v_hat + self.eps)
    """),
    mutant("Adam", "adam_shared_moments", "keys m and v by shape, so same-shaped parameters share their moments", """
        class Adam:
            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.t = 0
                self.m, self.v = {}, {}

            def step(self, params, grads):
                self.t += 1
                for w, g in zip(params, grads):
                    m = self.m.setdefault(w.shape, np.zeros_like(w))
                    v = self.v.setdefault(w.shape, np.zeros_like(w))
                    m *= self.beta1
                    m += (1 - self.beta1) * g
                    v *= self.beta2
                    v += (1 - self.beta2) * g ** 2
                    m_hat = m / (1 - self.beta1 ** self.t)
                    v_hat = v / (1 - self.beta2 ** self.t)
                    w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
    """),
    mutant("Adam", "adam_rebinds", "w = w - ... in the loop: the caller's arrays never change", """
        class Adam:
            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.t = 0
                self.m = self.v = None

            def step(self, params, grads):
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
                    w = w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
    """),
    mutant("Adam", "adam_corrects_state_in_place", "bias-corrects m and v in place (m /= 1 - beta1**t), corrupting the stored moments", """
        class Adam:
            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.t = 0
                self.m = self.v = None

            def step(self, params, grads):
                if self.m is None:
                    self.m = [np.zeros_like(w) for w in params]
                    self.v = [np.zeros_like(w) for w in params]
                self.t += 1
                for w, g, m, v in zip(params, grads, self.m, self.v):
                    m *= self.beta1
                    m += (1 - self.beta1) * g
                    v *= self.beta2
                    v += (1 - self.beta2) * g ** 2
                    m /= 1 - self.beta1 ** self.t
                    v /= 1 - self.beta2 ** self.t
                    w -= self.lr * m / (np.sqrt(v) + self.eps)
    """),
    mutant("Adam", "adam_class_counter", "keeps the step counter in a class attribute, shared by every Adam object", """
        class Adam:
            t = 0

            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.m = self.v = None

            def step(self, params, grads):
                if self.m is None:
                    self.m = [np.zeros_like(w) for w in params]
                    self.v = [np.zeros_like(w) for w in params]
                Adam.t += 1
                for w, g, m, v in zip(params, grads, self.m, self.v):
                    m *= self.beta1
                    m += (1 - self.beta1) * g
                    v *= self.beta2
                    v += (1 - self.beta2) * g ** 2
                    m_hat = m / (1 - self.beta1 ** Adam.t)
                    v_hat = v / (1 - self.beta2 ** Adam.t)
                    w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
    """),
    # --- correct alternatives -------------------------------------------------------------
    correct("SGD", "sgd_setitem", "w[...] = w - lr * g through the list index", """
        class SGD:
            def __init__(self, lr):
                self.lr = float(lr)

            def step(self, params, grads):
                for i in range(len(params)):
                    params[i][...] = params[i] - self.lr * grads[i]
    """),
    correct("SGD", "sgd_ufunc_out", "np.subtract(w, lr * g, out=w)", """
        class SGD:
            def __init__(self, lr):
                self.lr = lr

            def step(self, params, grads):
                for w, g in zip(params, grads):
                    np.subtract(w, np.multiply(self.lr, g), out=w)
    """),
    correct("Momentum", "momentum_positive_velocity", "v = beta * v + lr * g, then w -= v (the velocity with the opposite sign)", """
        class Momentum:
            def __init__(self, lr, beta=0.9):
                self.lr = lr
                self.beta = beta
                self.state = {}

            def step(self, params, grads):
                for i, (w, g) in enumerate(zip(params, grads)):
                    v = self.state.get(i, np.zeros(w.shape))
                    v = self.beta * v + self.lr * g
                    self.state[i] = v
                    w -= v
    """),
    correct("Momentum", "momentum_lr_outside", "v = beta * v - g and w += lr * v (equivalent for a constant lr), state keyed by id", """
        class Momentum:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocity = {}

            def step(self, params, grads):
                for w, g in zip(params, grads):
                    key = id(w)
                    if key not in self.velocity:
                        self.velocity[key] = np.zeros_like(w)
                    self.velocity[key] = self.beta * self.velocity[key] - g
                    w += self.lr * self.velocity[key]
    """),
    correct("Nesterov", "nesterov_lookahead_form", "updates v in place, then w += beta * v - lr * g (the same step, rewritten)", """
        class Nesterov:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = None

            def step(self, params, grads):
                if self.velocities is None:
                    self.velocities = [np.zeros_like(w) for w in params]
                for w, g, v in zip(params, grads, self.velocities):
                    v *= self.beta
                    v -= self.lr * g
                    w += self.beta * v - self.lr * g
    """),
    correct("Nesterov", "nesterov_copy_prev", "copies v_prev, then w[...] = w + v + beta * (v - v_prev)", """
        class Nesterov:
            def __init__(self, lr, beta=0.9):
                self.lr, self.beta = lr, beta
                self.velocities = []

            def step(self, params, grads):
                if not self.velocities:
                    self.velocities = [np.zeros(w.shape, dtype=w.dtype) for w in params]
                for w, g, v in zip(params, grads, self.velocities):
                    v_prev = v.copy()
                    v[...] = self.beta * v - self.lr * g
                    w[...] = w + v + self.beta * (v - v_prev)
    """),
    correct("RMSProp", "rmsprop_dict_float64_state", "state in a dict keyed by index, float64 zeros, np.subtract(..., out=w)", """
        class RMSProp:
            def __init__(self, lr, decay=0.99, eps=1e-8):
                self.lr, self.decay, self.eps = lr, decay, eps
                self.cache = {}

            def step(self, params, grads):
                for i, (w, g) in enumerate(zip(params, grads)):
                    if i not in self.cache:
                        self.cache[i] = np.zeros(w.shape)
                    self.cache[i] = self.decay * self.cache[i] + (1 - self.decay) * g * g
                    np.subtract(w, self.lr * g / (self.cache[i] ** 0.5 + self.eps), out=w)
    """),
    correct("Adam", "adam_per_parameter_state", "one dict of (t, m, v) per parameter, keyed by index; w[...] = ...", """
        class Adam:
            def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
                self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
                self.state = {}

            def step(self, params, grads):
                for i, (w, g) in enumerate(zip(params, grads)):
                    s = self.state.setdefault(i, {"t": 0, "m": np.zeros(w.shape), "v": np.zeros(w.shape)})
                    s["t"] += 1
                    s["m"] = self.beta1 * s["m"] + (1 - self.beta1) * g
                    s["v"] = self.beta2 * s["v"] + (1 - self.beta2) * np.square(g)
                    m_hat = s["m"] / (1 - self.beta1 ** s["t"])
                    v_hat = s["v"] / (1 - self.beta2 ** s["t"])
                    w[...] = w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
    """),
]
