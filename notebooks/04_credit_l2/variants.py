"""04_credit_l2: standardize, l2_penalty, l2_gradient, train_linear_l2, unstandardize_linear_weights."""
from autograder.catalogue import correct, mutant

VARIANTS = [
    # --- standardize ----------------------------------------------------------------------
    mutant("standardize", "std_rowwise", "takes the statistics over each row (axis=1) instead of each column", """
        def standardize(X):
            mu = X.mean(axis=1, keepdims=True)
            sigma = X.std(axis=1, keepdims=True) + 1e-8
            return (X - mu) / sigma, mu.ravel(), sigma.ravel()
    """),
    mutant("standardize", "std_no_epsilon", "divides by the bare std: a constant column gives 0/0 = NaN", """
        def standardize(X):
            mu = X.mean(axis=0)
            sigma = X.std(axis=0)
            return (X - mu) / sigma, mu, sigma
    """),
    mutant("standardize", "std_ddof1", "uses the sample standard deviation (ddof=1) instead of ddof=0", """
        def standardize(X):
            mu = X.mean(axis=0)
            sigma = X.std(axis=0, ddof=1) + 1e-8
            return (X - mu) / sigma, mu, sigma
    """),
    mutant("standardize", "std_sigma_without_epsilon", "divides by std + 1e-8 but returns the std without it", """
        def standardize(X):
            mu = X.mean(axis=0)
            std = X.std(axis=0)
            return (X - mu) / (std + 1e-8), mu, std
    """),
    mutant("standardize", "std_in_place", "standardises X in place, overwriting the caller's data", """
        def standardize(X):
            mu = X.mean(axis=0)
            sigma = X.std(axis=0) + 1e-8
            X -= mu
            X /= sigma
            return X, mu, sigma
    """),
    mutant("standardize", "std_variance", "divides by the variance instead of the standard deviation", """
        def standardize(X):
            mu = X.mean(axis=0)
            sigma = X.var(axis=0) + 1e-8
            return (X - mu) / sigma, mu, sigma
    """),
    mutant("standardize", "std_zero_to_one", "replaces a zero std by 1 instead of adding 1e-8", """
        def standardize(X):
            mu = X.mean(axis=0)
            std = X.std(axis=0)
            sigma = np.where(std == 0, 1.0, std)
            return (X - mu) / sigma, mu, sigma
    """),
    mutant("standardize", "std_global", "uses one mean and std for the whole matrix, not per column", """
        def standardize(X):
            mu = np.full(X.shape[1], X.mean())
            sigma = np.full(X.shape[1], X.std() + 1e-8)
            return (X - mu) / sigma, mu, sigma
    """),
    # --- l2_penalty -----------------------------------------------------------------------
    mutant("l2_penalty", "pen_missing_lam", "forgets to multiply by lam", """
        def l2_penalty(W, lam):
            return float(np.sum(W ** 2))
    """),
    mutant("l2_penalty", "pen_l1", "sums absolute values (an L1 penalty)", """
        def l2_penalty(W, lam):
            return float(lam * np.sum(np.abs(W)))
    """),
    mutant("l2_penalty", "pen_norm", "uses the norm (square root of the sum of squares)", """
        def l2_penalty(W, lam):
            return float(lam * np.linalg.norm(W))
    """),
    mutant("l2_penalty", "pen_mean", "averages the squares instead of summing them", """
        def l2_penalty(W, lam):
            return float(lam * np.mean(W ** 2))
    """),
    mutant("l2_penalty", "pen_half", "uses the lam/2 convention", """
        def l2_penalty(W, lam):
            return float(0.5 * lam * np.sum(W ** 2))
    """),
    mutant("l2_penalty", "pen_square_of_sum", "squares the sum of the weights instead of summing their squares", """
        def l2_penalty(W, lam):
            return float(lam * np.sum(W) ** 2)
    """),
    # --- l2_gradient ----------------------------------------------------------------------
    mutant("l2_gradient", "grad_missing_2", "forgets the factor 2 (lam * W)", """
        def l2_gradient(W, lam):
            return lam * W
    """),
    mutant("l2_gradient", "grad_squared", "returns lam * W**2 (the penalty term, not its derivative)", """
        def l2_gradient(W, lam):
            return lam * W ** 2
    """),
    mutant("l2_gradient", "grad_sign", "gets the sign wrong", """
        def l2_gradient(W, lam):
            return -2 * lam * W
    """),
    mutant("l2_gradient", "grad_missing_lam", "forgets lam (2 * W)", """
        def l2_gradient(W, lam):
            return 2 * W
    """),
    mutant("l2_gradient", "grad_in_place", "scales W in place and returns it", """
        def l2_gradient(W, lam):
            W *= 2 * lam
            return W
    """),
    mutant("l2_gradient", "grad_sign_vector", "returns 2 * lam * sign(W) (an L1-style gradient)", """
        def l2_gradient(W, lam):
            return 2 * lam * np.sign(W)
    """),
    # --- train_linear_l2 -------------------------------------------------------------------
    mutant("train_linear_l2", "train_bias_penalised", "penalises the bias too (in the loss and its gradient)", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            n = Xn.shape[0]
            y = np.asarray(y, dtype=float).reshape(-1, 1)
            lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
            losses = []
            for _ in range(epochs):
                r = lin.forward(Xn) - y
                losses.append(float(np.mean(r ** 2)) + l2_penalty(lin.W, lam) + l2_penalty(lin.b, lam))
                lin.backward(2 * r / n)
                lin.W -= lr * (lin.dW + l2_gradient(lin.W, lam))
                lin.b -= lr * (lin.db + l2_gradient(lin.b, lam))
            return lin, losses
    """),
    mutant("train_linear_l2", "train_losses_without_penalty", "records only the MSE, without the penalty", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            n = Xn.shape[0]
            y = np.asarray(y, dtype=float).reshape(-1, 1)
            lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
            losses = []
            for _ in range(epochs):
                r = lin.forward(Xn) - y
                losses.append(float(np.mean(r ** 2)))
                lin.backward(2 * r / n)
                lin.W -= lr * (lin.dW + l2_gradient(lin.W, lam))
                lin.b -= lr * lin.db
            return lin, losses
    """),
    mutant("train_linear_l2", "train_penalty_grad_missing_2", "adds lam * W to the gradient instead of 2 * lam * W", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            n = Xn.shape[0]
            y = np.asarray(y, dtype=float).reshape(-1, 1)
            lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
            losses = []
            for _ in range(epochs):
                r = lin.forward(Xn) - y
                losses.append(float(np.mean(r ** 2)) + l2_penalty(lin.W, lam))
                lin.backward(2 * r / n)
                lin.W -= lr * (lin.dW + lam * lin.W)
                lin.b -= lr * lin.db
            return lin, losses
    """),
    mutant("train_linear_l2", "train_penalty_grad_sign", "subtracts the penalty gradient instead of adding it", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            n = Xn.shape[0]
            y = np.asarray(y, dtype=float).reshape(-1, 1)
            lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
            losses = []
            for _ in range(epochs):
                r = lin.forward(Xn) - y
                losses.append(float(np.mean(r ** 2)) + l2_penalty(lin.W, lam))
                lin.backward(2 * r / n)
                lin.W -= lr * (lin.dW - l2_gradient(lin.W, lam))
                lin.b -= lr * lin.db
            return lin, losses
    """),
    mutant("train_linear_l2", "train_sum_not_mean", "sums the squared errors (loss and gradient) instead of averaging", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            y = np.asarray(y, dtype=float).reshape(-1, 1)
            lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
            losses = []
            for _ in range(epochs):
                r = lin.forward(Xn) - y
                losses.append(float(np.sum(r ** 2)) + l2_penalty(lin.W, lam))
                lin.backward(2 * r)
                lin.W -= lr * (lin.dW + l2_gradient(lin.W, lam))
                lin.b -= lr * lin.db
            return lin, losses
    """),
    mutant("train_linear_l2", "train_losses_off_by_one", "also records the loss after the last update (epochs + 1 losses)", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            n = Xn.shape[0]
            y = np.asarray(y, dtype=float).reshape(-1, 1)
            lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
            losses = []
            for _ in range(epochs):
                r = lin.forward(Xn) - y
                losses.append(float(np.mean(r ** 2)) + l2_penalty(lin.W, lam))
                lin.backward(2 * r / n)
                lin.W -= lr * (lin.dW + l2_gradient(lin.W, lam))
                lin.b -= lr * lin.db
            r = lin.forward(Xn) - y
            losses.append(float(np.mean(r ** 2)) + l2_penalty(lin.W, lam))
            return lin, losses
    """),
    mutant("train_linear_l2", "train_y_not_column", "subtracts a (N,) target from (N, 1) predictions, broadcasting to (N, N)", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            n = Xn.shape[0]
            lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
            losses = []
            for _ in range(epochs):
                r = lin.forward(Xn) - y
                losses.append(float(np.mean(r ** 2)) + l2_penalty(lin.W, lam))
                lin.backward(2 * r / n)
                lin.W -= lr * (lin.dW + l2_gradient(lin.W, lam))
                lin.b -= lr * lin.db
            return lin, losses
    """),
    mutant("train_linear_l2", "train_mse_grad_missing_2", "passes (yhat - y) / N to backward, without the factor 2", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            n = Xn.shape[0]
            y = np.asarray(y, dtype=float).reshape(-1, 1)
            lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
            losses = []
            for _ in range(epochs):
                r = lin.forward(Xn) - y
                losses.append(float(np.mean(r ** 2)) + l2_penalty(lin.W, lam))
                lin.backward(r / n)
                lin.W -= lr * (lin.dW + l2_gradient(lin.W, lam))
                lin.b -= lr * lin.db
            return lin, losses
    """),
    mutant("train_linear_l2", "train_penalty_once", "adds the penalty gradient only in the first epoch", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            n = Xn.shape[0]
            y = np.asarray(y, dtype=float).reshape(-1, 1)
            lin = Linear(Xn.shape[1], 1, rng=np.random.default_rng(0))
            losses = []
            for epoch in range(epochs):
                r = lin.forward(Xn) - y
                losses.append(float(np.mean(r ** 2)) + l2_penalty(lin.W, lam))
                lin.backward(2 * r / n)
                grad_W = lin.dW + (l2_gradient(lin.W, lam) if epoch == 0 else 0.0)
                lin.W -= lr * grad_W
                lin.b -= lr * lin.db
            return lin, losses
    """),
    # --- unstandardize_linear_weights -------------------------------------------------------
    mutant("unstandardize_linear_weights", "unstd_no_intercept_correction", "rescales the weights but keeps b_std as it is", """
        def unstandardize_linear_weights(W_std, b_std, mu, sigma):
            return W_std / sigma, b_std.copy()
    """),
    mutant("unstandardize_linear_weights", "unstd_times_sigma", "multiplies by sigma instead of dividing", """
        def unstandardize_linear_weights(W_std, b_std, mu, sigma):
            W_orig = W_std * sigma
            return W_orig, b_std - W_orig @ mu
    """),
    mutant("unstandardize_linear_weights", "unstd_intercept_sign", "adds the mean correction to the intercept instead of subtracting it", """
        def unstandardize_linear_weights(W_std, b_std, mu, sigma):
            W_orig = W_std / sigma
            return W_orig, b_std + W_orig @ mu
    """),
    mutant("unstandardize_linear_weights", "unstd_intercept_no_sigma", "corrects the intercept with W_std * mu, forgetting to divide by sigma", """
        def unstandardize_linear_weights(W_std, b_std, mu, sigma):
            return W_std / sigma, b_std - np.sum(W_std * mu)
    """),
    mutant("unstandardize_linear_weights", "unstd_ignores_mu", "divides by sigma but ignores mu (subtracts sum of W_orig)", """
        def unstandardize_linear_weights(W_std, b_std, mu, sigma):
            W_orig = W_std / sigma
            return W_orig, b_std - np.sum(W_orig)
    """),
    mutant("unstandardize_linear_weights", "unstd_in_place", "divides W_std in place, changing the caller's weights", """
        def unstandardize_linear_weights(W_std, b_std, mu, sigma):
            W_std /= sigma
            return W_std, b_std - W_std @ mu
    """),
    # --- correct alternatives -------------------------------------------------------------
    correct("standardize", "std_column_loop", "explicit loops over the columns with the formula for the std", """
        def standardize(X):
            n_rows, n_cols = X.shape
            Xn = np.empty((n_rows, n_cols))
            mu = np.empty(n_cols)
            sigma = np.empty(n_cols)
            for j in range(n_cols):
                column = X[:, j].astype(float)
                mu[j] = column.sum() / n_rows
                sigma[j] = np.sqrt(((column - mu[j]) ** 2).sum() / n_rows) + 1e-8
                Xn[:, j] = (column - mu[j]) / sigma[j]
            return Xn, mu, sigma
    """),
    correct("standardize", "std_keepdims", "keepdims statistics, flattened on return, keeping X's dtype", """
        def standardize(X):
            mu = np.mean(X, axis=0, keepdims=True)
            sigma = np.sqrt(np.mean((X - mu) ** 2, axis=0, keepdims=True)) + 1e-8
            return (X - mu) / sigma, mu[0], sigma[0]
    """),
    correct("l2_penalty", "pen_vdot", "np.vdot of the flattened weights, returned as a numpy scalar", """
        def l2_penalty(W, lam):
            flat = np.ravel(W)
            return lam * np.vdot(flat, flat)
    """),
    correct("l2_penalty", "pen_loop", "a Python loop over the entries", """
        def l2_penalty(W, lam):
            total = 0.0
            for value in np.ravel(W):
                total += value * value
            return lam * total
    """),
    correct("l2_gradient", "grad_lam_w_plus_w", "lam * (W + W), keeping W's dtype", """
        def l2_gradient(W, lam):
            return lam * (W + W)
    """),
    correct("train_linear_l2", "train_manual_dot", "gradients written out with np.dot, y flattened to (N,), no Linear.backward", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            n, d = Xn.shape
            targets = np.ravel(y)
            lin = Linear(d, 1, rng=np.random.default_rng(0))
            losses = []
            for _ in range(epochs):
                residual = np.dot(Xn, lin.W[0]) + lin.b[0] - targets
                losses.append(np.dot(residual, residual) / n + lam * np.dot(lin.W[0], lin.W[0]))
                grad_w = 2.0 * np.dot(residual, Xn) / n + 2.0 * lam * lin.W[0]
                grad_b = 2.0 * residual.sum() / n
                lin.W = lin.W - lr * grad_w.reshape(1, d)
                lin.b = lin.b - lr * grad_b
            return lin, losses
    """),
    correct("train_linear_l2", "train_einsum", "einsum for the forward pass and the gradients, default-seeded start", """
        def train_linear_l2(Xn, y, lam, lr, epochs):
            n, d = Xn.shape
            y_col = np.reshape(y, (n, 1))
            lin = Linear(d, 1)
            losses = []
            for epoch in range(epochs):
                yhat = np.einsum("nd,od->no", Xn, lin.W) + lin.b
                dyhat = 2.0 * (yhat - y_col) / n
                losses.append(float(np.einsum("no,no->", yhat - y_col, yhat - y_col) / n + l2_penalty(lin.W, lam)))
                grad_W = np.einsum("no,nd->od", dyhat, Xn) + l2_gradient(lin.W, lam)
                grad_b = np.einsum("no->o", dyhat)
                lin.W -= lr * grad_W
                lin.b -= lr * grad_b
            return lin, losses
    """),
    correct("unstandardize_linear_weights", "unstd_loop", "explicit loop over the features", """
        def unstandardize_linear_weights(W_std, b_std, mu, sigma):
            d = W_std.shape[1]
            W_orig = np.zeros((1, d))
            correction = 0.0
            for j in range(d):
                W_orig[0, j] = W_std[0, j] / sigma[j]
                correction += W_std[0, j] * mu[j] / sigma[j]
            return W_orig, np.array([b_std[0] - correction])
    """),
]
