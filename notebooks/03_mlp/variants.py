"""03_mlp: relu, relu_backward, tanh_backward, leaky_relu, leaky_relu_backward, sigmoid, sigmoid_backward.

Each variant replaces one whole answer cell. Later cells see the reference versions of the other
functions, so a backward variant may call the reference ``relu`` or ``sigmoid``.
"""
from autograder.catalogue import correct, mutant

VARIANTS = [
    # --- relu -----------------------------------------------------------------------------
    mutant("relu", "relu_in_place", "np.maximum with out=x: right values, but the caller's x is overwritten", """
        def relu(x):
            return np.maximum(x, 0, out=x)
    """),
    mutant("relu", "relu_mask_assign", "zeroes the negative entries of x itself and returns x", """
        def relu(x):
            x[x < 0] = 0
            return x
    """),
    mutant("relu", "relu_returns_mask", "returns the mask x > 0 instead of the values", """
        def relu(x):
            return (x > 0).astype(float)
    """),
    mutant("relu", "relu_abs", "returns |x|: negative inputs come out positive", """
        def relu(x):
            return np.abs(x)
    """),
    mutant("relu", "relu_min", "np.minimum instead of np.maximum: keeps the negative part", """
        def relu(x):
            return np.minimum(x, 0)
    """),
    mutant("relu", "relu_leaky", "the leaky formula max(0.01 x, x): negative inputs leak through", """
        def relu(x):
            return np.maximum(0.01 * x, x)
    """),
    mutant("relu", "relu_clip_at_one", "np.clip(x, 0, 1): also caps the positive part at 1", """
        def relu(x):
            return np.clip(x, 0, 1)
    """),
    # --- relu_backward --------------------------------------------------------------------
    mutant("relu_backward", "relu_bw_one_at_zero", "uses x >= 0, letting the gradient through at x = 0", """
        def relu_backward(x, dout):
            return dout * (x >= 0)
    """),
    mutant("relu_backward", "relu_bw_mask_only", "returns the mask without multiplying by dout", """
        def relu_backward(x, dout):
            return (x > 0).astype(float)
    """),
    mutant("relu_backward", "relu_bw_dout_sign", "masks by dout > 0 instead of x > 0", """
        def relu_backward(x, dout):
            return dout * (dout > 0)
    """),
    mutant("relu_backward", "relu_bw_leaky_slope", "lets alpha = 0.01 of the gradient through where x < 0", """
        def relu_backward(x, dout):
            return np.where(x > 0, dout, 0.01 * dout)
    """),
    mutant("relu_backward", "relu_bw_in_place", "zeroes dout in place and returns it", """
        def relu_backward(x, dout):
            dout[x <= 0] = 0
            return dout
    """),
    mutant("relu_backward", "relu_bw_times_output", "multiplies dout by relu(x) instead of by relu'(x)", """
        def relu_backward(x, dout):
            return dout * np.maximum(x, 0)
    """),
    # --- tanh_backward --------------------------------------------------------------------
    mutant("tanh_backward", "tanh_bw_output_formula", "1 - x**2: treats x as the output tanh(x)", """
        def tanh_backward(x, dout):
            return dout * (1 - x ** 2)
    """),
    mutant("tanh_backward", "tanh_bw_no_square", "1 - tanh(x), forgetting the square", """
        def tanh_backward(x, dout):
            return dout * (1 - np.tanh(x))
    """),
    mutant("tanh_backward", "tanh_bw_square_only", "tanh(x)**2 instead of 1 - tanh(x)**2", """
        def tanh_backward(x, dout):
            return dout * np.tanh(x) ** 2
    """),
    mutant("tanh_backward", "tanh_bw_missing_dout", "returns tanh'(x) without multiplying by dout", """
        def tanh_backward(x, dout):
            return 1 - np.tanh(x) ** 2
    """),
    mutant("tanh_backward", "tanh_bw_in_place", "multiplies dout in place and returns it", """
        def tanh_backward(x, dout):
            dout *= 1 - np.tanh(x) ** 2
            return dout
    """),
    mutant("tanh_backward", "tanh_bw_sech", "1/cosh(x): sech not squared", """
        def tanh_backward(x, dout):
            return dout / np.cosh(x)
    """),
    # --- leaky_relu -----------------------------------------------------------------------
    mutant("leaky_relu", "leaky_alpha_on_positive", "applies alpha to the positive side instead of the negative", """
        def leaky_relu(x, alpha=0.01):
            return np.where(x > 0, alpha * x, x)
    """),
    mutant("leaky_relu", "leaky_plain_relu", "slope 0 for negative inputs (plain ReLU)", """
        def leaky_relu(x, alpha=0.01):
            return np.maximum(x, 0)
    """),
    mutant("leaky_relu", "leaky_hard_coded_alpha", "ignores the alpha argument and always uses 0.01", """
        def leaky_relu(x, alpha=0.01):
            return np.where(x > 0, x, 0.01 * x)
    """),
    mutant("leaky_relu", "leaky_in_place", "scales the negative entries of x itself and returns x", """
        def leaky_relu(x, alpha=0.01):
            x[x < 0] *= alpha
            return x
    """),
    mutant("leaky_relu", "leaky_max_alpha", "np.maximum(alpha, x): clamps at alpha instead of scaling by it", """
        def leaky_relu(x, alpha=0.01):
            return np.maximum(alpha, x)
    """),
    mutant("leaky_relu", "leaky_abs_negative", "alpha * |x| for negative inputs: the wrong sign", """
        def leaky_relu(x, alpha=0.01):
            return np.where(x > 0, x, alpha * np.abs(x))
    """),
    # --- leaky_relu_backward --------------------------------------------------------------
    mutant("leaky_relu_backward", "leaky_bw_zero_negative", "0 instead of alpha for negative inputs (ReLU's backward)", """
        def leaky_relu_backward(x, dout, alpha=0.01):
            return dout * (x > 0)
    """),
    mutant("leaky_relu_backward", "leaky_bw_swapped", "alpha on the positive side, 1 on the negative side", """
        def leaky_relu_backward(x, dout, alpha=0.01):
            return np.where(x > 0, alpha * dout, dout)
    """),
    mutant("leaky_relu_backward", "leaky_bw_one_at_zero", "uses x >= 0: slope 1 instead of alpha at x = 0", """
        def leaky_relu_backward(x, dout, alpha=0.01):
            return np.where(x >= 0, dout, alpha * dout)
    """),
    mutant("leaky_relu_backward", "leaky_bw_hard_coded_alpha", "ignores the alpha argument and always uses 0.01", """
        def leaky_relu_backward(x, dout, alpha=0.01):
            return np.where(x > 0, dout, 0.01 * dout)
    """),
    mutant("leaky_relu_backward", "leaky_bw_in_place", "scales dout in place and returns it", """
        def leaky_relu_backward(x, dout, alpha=0.01):
            dout[x <= 0] *= alpha
            return dout
    """),
    mutant("leaky_relu_backward", "leaky_bw_missing_dout", "returns the slopes without multiplying by dout", """
        def leaky_relu_backward(x, dout, alpha=0.01):
            return np.where(x > 0, 1.0, alpha)
    """),
    # --- sigmoid --------------------------------------------------------------------------
    mutant("sigmoid", "sigmoid_naive", "1 / (1 + exp(-x)): overflows in exp for large negative x", """
        def sigmoid(x):
            return 1 / (1 + np.exp(-x))
    """),
    mutant("sigmoid", "sigmoid_exp_ratio", "exp(x) / (1 + exp(x)): inf / inf = nan for large positive x", """
        def sigmoid(x):
            return np.exp(x) / (1 + np.exp(x))
    """),
    mutant("sigmoid", "sigmoid_where_both_branches", "np.where over the two naive formulas: both are computed, so exp overflows", """
        def sigmoid(x):
            return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
    """),
    mutant("sigmoid", "sigmoid_sign_error", "1 / (1 + exp(x)): computes sigmoid(-x)", """
        def sigmoid(x):
            z = np.exp(-np.abs(x))
            return np.where(x >= 0, z / (1 + z), 1 / (1 + z))
    """),
    mutant("sigmoid", "sigmoid_tanh_wrong_scale", "0.5 * (1 + tanh(x)), forgetting to halve x", """
        def sigmoid(x):
            return 0.5 * (1 + np.tanh(x))
    """),
    mutant("sigmoid", "sigmoid_in_place", "stable, but writes the result into x", """
        def sigmoid(x):
            positive = x >= 0
            x[positive] = 1 / (1 + np.exp(-x[positive]))
            e = np.exp(x[~positive])
            x[~positive] = e / (1 + e)
            return x
    """),
    # --- sigmoid_backward -----------------------------------------------------------------
    mutant("sigmoid_backward", "sigmoid_bw_x_as_output", "x * (1 - x): forgets to apply the sigmoid first", """
        def sigmoid_backward(x, dout):
            return dout * x * (1 - x)
    """),
    mutant("sigmoid_backward", "sigmoid_bw_missing_dout", "returns sigma'(x) without multiplying by dout", """
        def sigmoid_backward(x, dout):
            s = sigmoid(x)
            return s * (1 - s)
    """),
    mutant("sigmoid_backward", "sigmoid_bw_plus", "s * (1 + s) instead of s * (1 - s)", """
        def sigmoid_backward(x, dout):
            s = sigmoid(x)
            return dout * s * (1 + s)
    """),
    mutant("sigmoid_backward", "sigmoid_bw_one_minus_s_squared", "(1 - s)**2 instead of s * (1 - s)", """
        def sigmoid_backward(x, dout):
            s = sigmoid(x)
            return dout * (1 - s) ** 2
    """),
    mutant("sigmoid_backward", "sigmoid_bw_naive_exp", "exp(-x) / (1 + exp(-x))**2: overflows for large negative x", """
        def sigmoid_backward(x, dout):
            e = np.exp(-x)
            return dout * e / (1 + e) ** 2
    """),
    mutant("sigmoid_backward", "sigmoid_bw_tanh_formula", "1 - s**2, the tanh rule applied to the sigmoid", """
        def sigmoid_backward(x, dout):
            s = sigmoid(x)
            return dout * (1 - s ** 2)
    """),
    mutant("sigmoid_backward", "sigmoid_bw_in_place", "multiplies dout in place and returns it", """
        def sigmoid_backward(x, dout):
            s = sigmoid(x)
            dout *= s * (1 - s)
            return dout
    """),
    # --- correct alternatives -------------------------------------------------------------
    correct("relu", "relu_times_mask", "x * (x > 0) (gives -0.0 for negative inputs)", """
        def relu(x):
            return x * (x > 0)
    """),
    correct("relu", "relu_where", "np.where(x > 0, x, 0)", """
        def relu(x):
            return np.where(x > 0, x, 0.0)
    """),
    correct("relu", "relu_copy_and_zero", "a copy with the negative entries set to 0", """
        def relu(x):
            out = x.copy()
            out[out < 0] = 0
            return out
    """),
    correct("relu_backward", "relu_bw_where", "np.where(x > 0, dout, 0)", """
        def relu_backward(x, dout):
            return np.where(x > 0, dout, 0.0)
    """),
    correct("relu_backward", "relu_bw_masked_by_output", "masked by the forward output: relu(x) > 0", """
        def relu_backward(x, dout):
            return dout * (relu(x) > 0)
    """),
    correct("relu_backward", "relu_bw_copy_and_zero", "a copy of dout with the entries where x <= 0 set to 0", """
        def relu_backward(x, dout):
            dx = dout.copy()
            dx[x <= 0] = 0
            return dx
    """),
    correct("tanh_backward", "tanh_bw_sech_squared", "dout / cosh(x)**2", """
        def tanh_backward(x, dout):
            return dout / np.cosh(x) ** 2
    """),
    correct("tanh_backward", "tanh_bw_factored", "dout * (1 - t) * (1 + t) with t = tanh(x)", """
        def tanh_backward(x, dout):
            t = np.tanh(x)
            return dout * (1 - t) * (1 + t)
    """),
    correct("leaky_relu", "leaky_maximum", "np.maximum(alpha * x, x), valid for 0 < alpha < 1", """
        def leaky_relu(x, alpha=0.01):
            return np.maximum(alpha * x, x)
    """),
    correct("leaky_relu", "leaky_copy_and_scale", "a float copy with the negative entries scaled by alpha", """
        def leaky_relu(x, alpha=0.01):
            out = np.array(x, dtype=float)
            out[out < 0] *= alpha
            return out
    """),
    correct("leaky_relu_backward", "leaky_bw_where_dout", "np.where(x > 0, dout, alpha * dout)", """
        def leaky_relu_backward(x, dout, alpha=0.01):
            return np.where(x > 0, dout, alpha * dout)
    """),
    correct("leaky_relu_backward", "leaky_bw_copy_and_scale", "a copy of dout scaled by alpha where x <= 0", """
        def leaky_relu_backward(x, dout, alpha=0.01):
            dx = dout.copy()
            dx[x <= 0] *= alpha
            return dx
    """),
    correct("sigmoid", "sigmoid_via_tanh", "0.5 * (1 + tanh(x / 2))", """
        def sigmoid(x):
            return 0.5 * (1 + np.tanh(x / 2))
    """),
    correct("sigmoid", "sigmoid_split_halves", "the two formulas applied to the positive and negative halves separately", """
        def sigmoid(x):
            out = np.empty_like(x, dtype=float)
            positive = x >= 0
            out[positive] = 1 / (1 + np.exp(-x[positive]))
            e = np.exp(x[~positive])
            out[~positive] = e / (1 + e)
            return out
    """),
    correct("sigmoid", "sigmoid_logaddexp", "exp(-log(1 + exp(-x))) through np.logaddexp", """
        def sigmoid(x):
            return np.exp(-np.logaddexp(0, -x))
    """),
    correct("sigmoid", "sigmoid_clipped", "the naive formula on x clipped to [-500, 500]", """
        def sigmoid(x):
            return 1 / (1 + np.exp(-np.clip(x, -500, 500)))
    """),
    correct("sigmoid_backward", "sigmoid_bw_symmetric", "dout * sigmoid(x) * sigmoid(-x)", """
        def sigmoid_backward(x, dout):
            return dout * sigmoid(x) * sigmoid(-x)
    """),
    correct("sigmoid_backward", "sigmoid_bw_via_tanh", "dout * (1 - tanh(x/2)**2) / 4", """
        def sigmoid_backward(x, dout):
            return dout * (1 - np.tanh(x / 2) ** 2) / 4
    """),
]
