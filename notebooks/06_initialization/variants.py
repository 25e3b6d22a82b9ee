"""06_initialization: xavier_uniform, xavier_normal and he_normal."""
from autograder.catalogue import correct, mutant

VARIANTS = [
    # --- xavier_uniform -------------------------------------------------------------------
    mutant("xavier_uniform", "xu_shape_in_out", "returns shape (fan_in, fan_out)", """
        def xavier_uniform(fan_in, fan_out, rng):
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(-bound, bound, size=(fan_in, fan_out))
    """),
    mutant("xavier_uniform", "xu_fan_in_only", "uses a = sqrt(6 / fan_in), forgetting fan_out", """
        def xavier_uniform(fan_in, fan_out, rng):
            bound = np.sqrt(6.0 / fan_in)
            return rng.uniform(-bound, bound, size=(fan_out, fan_in))
    """),
    mutant("xavier_uniform", "xu_bound_3", "uses a = sqrt(3 / (fan_in + fan_out))", """
        def xavier_uniform(fan_in, fan_out, rng):
            bound = np.sqrt(3.0 / (fan_in + fan_out))
            return rng.uniform(-bound, bound, size=(fan_out, fan_in))
    """),
    mutant("xavier_uniform", "xu_bound_1", "uses a = sqrt(1 / (fan_in + fan_out))", """
        def xavier_uniform(fan_in, fan_out, rng):
            bound = np.sqrt(1.0 / (fan_in + fan_out))
            return rng.uniform(-bound, bound, size=(fan_out, fan_in))
    """),
    mutant("xavier_uniform", "xu_normal", "draws from a normal with Xavier's variance instead of the uniform", """
        def xavier_uniform(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))
    """),
    mutant("xavier_uniform", "xu_zero_to_a", "scales rng.random by a, drawing from U(0, a) instead of U(-a, a)", """
        def xavier_uniform(fan_in, fan_out, rng):
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            return rng.random((fan_out, fan_in)) * bound
    """),
    mutant("xavier_uniform", "xu_global_rng", "ignores rng and draws from numpy's global generator", """
        def xavier_uniform(fan_in, fan_out, rng):
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            return np.random.uniform(-bound, bound, size=(fan_out, fan_in))
    """),
    # --- xavier_normal --------------------------------------------------------------------
    mutant("xavier_normal", "xn_variance_as_std", "passes the variance 2/(in+out) to rng.normal as the std", """
        def xavier_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, 2.0 / (fan_in + fan_out), size=(fan_out, fan_in))
    """),
    mutant("xavier_normal", "xn_one_over_sum", "uses std sqrt(1 / (fan_in + fan_out))", """
        def xavier_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(1.0 / (fan_in + fan_out)), size=(fan_out, fan_in))
    """),
    mutant("xavier_normal", "xn_uniform", "draws from Xavier's uniform distribution (same variance, wrong shape)", """
        def xavier_normal(fan_in, fan_out, rng):
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(-bound, bound, size=(fan_out, fan_in))
    """),
    mutant("xavier_normal", "xn_shape_in_out", "returns shape (fan_in, fan_out)", """
        def xavier_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
    """),
    mutant("xavier_normal", "xn_he_std", "uses He's std sqrt(2 / fan_in)", """
        def xavier_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
    """),
    mutant("xavier_normal", "xn_fixed_seed", "makes its own generator with seed 0 instead of using rng", """
        def xavier_normal(fan_in, fan_out, rng):
            own = np.random.default_rng(0)
            return own.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))
    """),
    mutant("xavier_normal", "xn_truncated", "redraws values beyond 2 std (a truncated normal, as Keras's TruncatedNormal)", """
        def xavier_normal(fan_in, fan_out, rng):
            std = np.sqrt(2.0 / (fan_in + fan_out))
            W = rng.normal(0.0, std, size=(fan_out, fan_in))
            outside = np.abs(W) > 2 * std
            while outside.any():
                W[outside] = rng.normal(0.0, std, size=int(outside.sum()))
                outside = np.abs(W) > 2 * std
            return W
    """),
    # --- he_normal ------------------------------------------------------------------------
    mutant("he_normal", "he_fan_out", "uses fan_out: std sqrt(2 / fan_out)", """
        def he_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_out, fan_in))
    """),
    mutant("he_normal", "he_lecun", "uses LeCun's variance 1 / fan_in", """
        def he_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_out, fan_in))
    """),
    mutant("he_normal", "he_variance_as_std", "uses the variance 2 / fan_in as the std", """
        def he_normal(fan_in, fan_out, rng):
            return rng.standard_normal((fan_out, fan_in)) * (2.0 / fan_in)
    """),
    mutant("he_normal", "he_global_randn", "ignores rng and uses np.random.randn", """
        def he_normal(fan_in, fan_out, rng):
            return np.random.randn(fan_out, fan_in) * np.sqrt(2.0 / fan_in)
    """),
    mutant("he_normal", "he_shape_in_out", "returns shape (fan_in, fan_out)", """
        def he_normal(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
    """),
    mutant("he_normal", "he_uniform", "draws He-uniform U(-sqrt(6/fan_in), sqrt(6/fan_in)) instead of a normal", """
        def he_normal(fan_in, fan_out, rng):
            bound = np.sqrt(6.0 / fan_in)
            return rng.uniform(-bound, bound, size=(fan_out, fan_in))
    """),
    # --- correct alternatives -------------------------------------------------------------
    correct("xavier_uniform", "xu_scaled_random", "(rng.random(shape) * 2 - 1) * a", """
        def xavier_uniform(fan_in, fan_out, rng):
            a = (6 / (fan_in + fan_out)) ** 0.5
            return (rng.random((fan_out, fan_in)) * 2 - 1) * a
    """),
    correct("xavier_uniform", "xu_float32_transposed", "draws (fan_in, fan_out), transposes, casts to float32", """
        def xavier_uniform(fan_in, fan_out, rng):
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(low=-limit, high=limit, size=(fan_in, fan_out)).T.astype(np.float32)
    """),
    correct("xavier_normal", "xn_standard_normal_float32", "rng.standard_normal in float32 times the std", """
        def xavier_normal(fan_in, fan_out, rng):
            std = np.float32(np.sqrt(2.0 / (fan_in + fan_out)))
            return rng.standard_normal((fan_out, fan_in), dtype=np.float32) * std
    """),
    correct("xavier_normal", "xn_keywords", "rng.normal with keyword arguments, variance named separately", """
        def xavier_normal(fan_in, fan_out, rng):
            variance = 2.0 / (fan_in + fan_out)
            return rng.normal(loc=0.0, scale=variance ** 0.5, size=(fan_out, fan_in))
    """),
    correct("he_normal", "he_standard_normal", "rng.standard_normal(size) * sqrt(2 / fan_in)", """
        def he_normal(fan_in, fan_out, rng):
            return rng.standard_normal(size=(fan_out, fan_in)) * np.sqrt(2 / fan_in)
    """),
    correct("he_normal", "he_row_loop", "one rng.normal call per output unit, stacked", """
        def he_normal(fan_in, fan_out, rng):
            std = np.sqrt(2.0 / fan_in)
            return np.stack([rng.normal(0.0, std, size=fan_in) for _ in range(fan_out)])
    """),
]
