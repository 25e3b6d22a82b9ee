"""01_linear_estimator: mse_loss and mse_gradients."""
from autograder.catalogue import correct, mutant

VARIANTS = [
    # --- mse_loss -------------------------------------------------------------------------
    mutant("mse_loss", "loss_sum_not_mean", "sums the squared errors instead of averaging them", """
        def mse_loss(yhat, y):
            return float(np.sum((yhat - y) ** 2))
    """),
    mutant("mse_loss", "loss_half_mse", "divides by 2N (the 1/2 convention) instead of N", """
        def mse_loss(yhat, y):
            return float(np.mean((yhat - y) ** 2) / 2)
    """),
    mutant("mse_loss", "loss_rmse", "takes the square root (RMSE instead of MSE)", """
        def mse_loss(yhat, y):
            return float(np.sqrt(np.mean((yhat - y) ** 2)))
    """),
    mutant("mse_loss", "loss_abs", "averages absolute errors (MAE) instead of squared ones", """
        def mse_loss(yhat, y):
            return float(np.mean(np.abs(yhat - y)))
    """),
    mutant("mse_loss", "loss_axis0", "averages over axis 0 only, so a (N, 1) input gives an array", """
        def mse_loss(yhat, y):
            return np.mean((yhat - y) ** 2, axis=0)
    """),
    mutant("mse_loss", "loss_in_place", "subtracts in place, overwriting the caller's predictions", """
        def mse_loss(yhat, y):
            yhat -= y
            return float(np.mean(yhat ** 2))
    """),
    mutant("mse_loss", "loss_mean_first", "squares the mean error instead of averaging the squares", """
        def mse_loss(yhat, y):
            return float(np.mean(yhat - y) ** 2)
    """),
    # --- mse_gradients --------------------------------------------------------------------
    mutant("mse_gradients", "grad_missing_2", "forgets the factor 2 from the derivative of the square", """
        def mse_gradients(x, y, w, b):
            r = w * x + b - y
            return float(np.mean(r * x)), float(np.mean(r))
    """),
    mutant("mse_gradients", "grad_sign", "uses y - yhat, so the gradients point uphill", """
        def mse_gradients(x, y, w, b):
            r = y - (w * x + b)
            return float(2 * np.mean(r * x)), float(2 * np.mean(r))
    """),
    mutant("mse_gradients", "grad_sum_not_mean", "sums over the points instead of averaging", """
        def mse_gradients(x, y, w, b):
            r = w * x + b - y
            return float(2 * np.sum(r * x)), float(2 * np.sum(r))
    """),
    mutant("mse_gradients", "grad_dw_without_x", "forgets to multiply the residual by x for dw", """
        def mse_gradients(x, y, w, b):
            r = w * x + b - y
            return float(2 * np.mean(r)), float(2 * np.mean(r))
    """),
    mutant("mse_gradients", "grad_swapped", "returns (db, dw) instead of (dw, db)", """
        def mse_gradients(x, y, w, b):
            r = w * x + b - y
            return float(2 * np.mean(r)), float(2 * np.mean(r * x))
    """),
    mutant("mse_gradients", "grad_in_place", "builds the residual in y's memory, modifying y", """
        def mse_gradients(x, y, w, b):
            y -= w * x + b
            y *= -1
            return float(2 * np.mean(y * x)), float(2 * np.mean(y))
    """),
    mutant("mse_gradients", "grad_mean_product", "multiplies mean residual by mean x instead of averaging r*x", """
        def mse_gradients(x, y, w, b):
            r = w * x + b - y
            return float(2 * np.mean(r) * np.mean(x)), float(2 * np.mean(r))
    """),
    # --- correct alternatives -------------------------------------------------------------
    correct("mse_loss", "loss_loop", "a plain Python loop over the flattened arrays", """
        def mse_loss(yhat, y):
            total = 0.0
            flat_yhat, flat_y = np.ravel(yhat), np.ravel(y)
            for a, b in zip(flat_yhat, flat_y):
                total += (a - b) ** 2
            return total / len(flat_y)
    """),
    correct("mse_loss", "loss_vdot", "np.vdot of the residual with itself, returning a numpy scalar", """
        def mse_loss(yhat, y):
            r = (yhat - y).ravel()
            return np.vdot(r, r) / r.size
    """),
    correct("mse_gradients", "grad_dot", "dot products divided by N", """
        def mse_gradients(x, y, w, b):
            n = len(x)
            r = w * x + b - y
            return 2 * np.dot(r, x) / n, 2 * r.sum() / n
    """),
    correct("mse_gradients", "grad_loop", "an explicit loop accumulating both sums", """
        def mse_gradients(x, y, w, b):
            dw = db = 0.0
            for xi, yi in zip(x, y):
                r = w * xi + b - yi
                dw += 2 * r * xi
                db += 2 * r
            return dw / len(x), db / len(x)
    """),
]
