"""10_frameworks_and_project: make_sklearn_mlp, ridge_matching_l2, linear_to_dense, make_keras_credit_model,
make_keras_mlp (the checkpoints and Part B are graded by hand)."""
from autograder.catalogue import correct, mutant

VARIANTS = [
    # --- make_sklearn_mlp --------------------------------------------------------------------
    mutant("make_sklearn_mlp", "mlp_adam_default", "leaves the solver at its default, Adam", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), learning_rate_init=lr, batch_size=batch_size,
                                 alpha=0.0, max_iter=epochs, n_iter_no_change=epochs, random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_momentum_default", "switches to SGD but keeps the default momentum 0.9", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", learning_rate_init=lr,
                                 batch_size=batch_size, alpha=0.0, max_iter=epochs, n_iter_no_change=epochs,
                                 random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_alpha_default", "keeps the default L2 penalty alpha=1e-4", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0,
                                 learning_rate_init=lr, batch_size=batch_size, max_iter=epochs,
                                 n_iter_no_change=epochs, random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_early_stopping", "turns on early_stopping to 'stop at the right epoch'", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate_init=lr, batch_size=batch_size, max_iter=epochs,
                                 n_iter_no_change=epochs, early_stopping=True, random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_max_iter_default", "never sets max_iter, so it may train up to 200 epochs", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate_init=lr, batch_size=batch_size, n_iter_no_change=epochs,
                                 random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_hidden_ignored", "ignores hidden_size (default 100 units)", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(solver="sgd", momentum=0.0, alpha=0.0, learning_rate_init=lr,
                                 batch_size=batch_size, max_iter=epochs, n_iter_no_change=epochs,
                                 random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_tol_zero_only", "sets tol=0 but keeps n_iter_no_change=10: stops when the loss "
           "fails to improve for 11 epochs", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0,
                                 nesterovs_momentum=False, alpha=0.0, learning_rate_init=lr,
                                 batch_size=batch_size, max_iter=epochs, tol=0.0, random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_stopping_rule_default", "sets max_iter but leaves the stopping rule at its "
           "defaults", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate_init=lr, batch_size=batch_size, max_iter=epochs, random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_n_iter_no_change_short", "n_iter_no_change=epochs // 2: can still stop early", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate_init=lr, batch_size=batch_size, max_iter=epochs, tol=0.0,
                                 n_iter_no_change=max(1, epochs // 2), random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_lr_as_schedule", "passes lr as learning_rate (the schedule) instead of "
           "learning_rate_init", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate=lr, batch_size=batch_size, max_iter=epochs,
                                 n_iter_no_change=epochs, random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_batch_auto", "leaves batch_size at 'auto' (min(200, N))", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate_init=lr, max_iter=epochs, n_iter_no_change=epochs, random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_no_shuffle", "turns shuffling off", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate_init=lr, batch_size=batch_size, max_iter=epochs,
                                 n_iter_no_change=epochs, shuffle=False, random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_seed_fixed", "always uses random_state=0, ignoring seed", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate_init=lr, batch_size=batch_size, max_iter=epochs,
                                 n_iter_no_change=epochs, random_state=0)
    """),
    mutant("make_sklearn_mlp", "mlp_invscaling", "uses the 'invscaling' schedule, which shrinks the rate over time", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate="invscaling", learning_rate_init=lr, batch_size=batch_size,
                                 max_iter=epochs, n_iter_no_change=epochs, random_state=seed)
    """),
    mutant("make_sklearn_mlp", "mlp_adaptive", "uses the 'adaptive' schedule with a never-firing "
           "stopping rule", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate="adaptive", learning_rate_init=lr, batch_size=batch_size,
                                 max_iter=epochs, random_state=seed)
    """),
    # --- ridge_matching_l2 -------------------------------------------------------------------
    mutant("ridge_matching_l2", "ridge_alpha_lam", "uses alpha=lam, forgetting Ridge has no 1/N", """
        def ridge_matching_l2(lam, n_samples):
            return Ridge(alpha=lam)
    """),
    mutant("ridge_matching_l2", "ridge_alpha_lam_over_n", "divides by N instead of multiplying", """
        def ridge_matching_l2(lam, n_samples):
            return Ridge(alpha=lam / n_samples)
    """),
    mutant("ridge_matching_l2", "ridge_alpha_2n_lam", "doubles alpha (mixing in the factor 2 of the gradient)", """
        def ridge_matching_l2(lam, n_samples):
            return Ridge(alpha=2 * n_samples * lam)
    """),
    mutant("ridge_matching_l2", "ridge_alpha_half", "halves alpha (the lam/2 convention)", """
        def ridge_matching_l2(lam, n_samples):
            return Ridge(alpha=n_samples * lam / 2)
    """),
    mutant("ridge_matching_l2", "ridge_no_intercept", "turns off the intercept", """
        def ridge_matching_l2(lam, n_samples):
            return Ridge(alpha=n_samples * lam, fit_intercept=False)
    """),
    mutant("ridge_matching_l2", "ridge_n_minus_1", "uses N - 1 rows (a sample-variance habit)", """
        def ridge_matching_l2(lam, n_samples):
            return Ridge(alpha=(n_samples - 1) * lam)
    """),
    mutant("ridge_matching_l2", "ridge_default_alpha", "ignores both arguments (alpha=1)", """
        def ridge_matching_l2(lam, n_samples):
            return Ridge()
    """),
    # --- linear_to_dense ----------------------------------------------------------------------
    mutant("linear_to_dense", "dense_no_transpose", "copies W as the kernel without transposing it", """
        def linear_to_dense(lin, dense):
            dense.set_weights([lin.W, lin.b])
            return dense
    """),
    mutant("linear_to_dense", "dense_no_bias", "copies the kernel and forgets the bias", """
        def linear_to_dense(lin, dense):
            dense.kernel.assign(lin.W.T)
            return dense
    """),
    mutant("linear_to_dense", "dense_bias_row", "gives the bias as a row of shape (1, out)", """
        def linear_to_dense(lin, dense):
            dense.set_weights([lin.W.T, lin.b.reshape(1, -1)])
            return dense
    """),
    mutant("linear_to_dense", "dense_transposes_lin", "transposes lin.W in place on the way (lin.W = lin.W.T)", """
        def linear_to_dense(lin, dense):
            lin.W = lin.W.T
            dense.set_weights([lin.W, lin.b])
            return dense
    """),
    mutant("linear_to_dense", "dense_new_layer", "returns a new Dense layer and leaves the given one untouched", """
        def linear_to_dense(lin, dense):
            fresh = keras.layers.Dense(lin.W.shape[0])
            fresh.build((None, lin.W.shape[1]))
            fresh.set_weights([lin.W.T, lin.b])
            return fresh
    """),
    # --- make_keras_credit_model --------------------------------------------------------------
    mutant("make_keras_credit_model", "credit_l2_half", "uses L2(lam / 2), the convention with a factor 1/2", """
        def make_keras_credit_model(n_features, lam, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)),
                                      keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(lam / 2))])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mean_squared_error")
            return model
    """),
    mutant("make_keras_credit_model", "credit_bias_penalised", "also penalises the bias", """
        def make_keras_credit_model(n_features, lam, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)),
                                      keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(lam),
                                                         bias_regularizer=keras.regularizers.L2(lam))])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mean_squared_error")
            return model
    """),
    mutant("make_keras_credit_model", "credit_no_penalty", "forgets the regulariser", """
        def make_keras_credit_model(n_features, lam, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(1)])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mean_squared_error")
            return model
    """),
    mutant("make_keras_credit_model", "credit_momentum", "SGD with momentum 0.9", """
        def make_keras_credit_model(n_features, lam, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)),
                                      keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(lam))])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr, momentum=0.9), loss="mean_squared_error")
            return model
    """),
    mutant("make_keras_credit_model", "credit_sgd_string", "compiles with optimizer='sgd': the default rate 0.01, "
           "not lr", """
        def make_keras_credit_model(n_features, lam, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)),
                                      keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(lam))])
            model.compile(optimizer="sgd", loss="mean_squared_error")
            return model
    """),
    # --- make_keras_mlp -----------------------------------------------------------------------
    mutant("make_keras_mlp", "mlp_softmax_from_logits", "ends in a softmax layer and still says from_logits=True", """
        def make_keras_mlp(n_features, hidden, n_classes, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(hidden, activation="relu"),
                                      keras.layers.Dense(n_classes, activation="softmax")])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            return model
    """),
    mutant("make_keras_mlp", "mlp_softmax_output", "returns probabilities (softmax output) instead of logits", """
        def make_keras_mlp(n_features, hidden, n_classes, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(hidden, activation="relu"),
                                      keras.layers.Dense(n_classes, activation="softmax")])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy")
            return model
    """),
    mutant("make_keras_mlp", "mlp_logits_as_probs", "outputs logits but forgets from_logits=True", """
        def make_keras_mlp(n_features, hidden, n_classes, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(hidden, activation="relu"),
                                      keras.layers.Dense(n_classes)])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy")
            return model
    """),
    mutant("make_keras_mlp", "mlp_categorical", "uses the (non-sparse) categorical cross-entropy with integer labels", """
        def make_keras_mlp(n_features, hidden, n_classes, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(hidden, activation="relu"),
                                      keras.layers.Dense(n_classes)])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                          loss=keras.losses.CategoricalCrossentropy(from_logits=True))
            return model
    """),
    mutant("make_keras_mlp", "mlp_sgd_momentum", "SGD with momentum 0.9", """
        def make_keras_mlp(n_features, hidden, n_classes, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(hidden, activation="relu"),
                                      keras.layers.Dense(n_classes)])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr, momentum=0.9),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            return model
    """),
    mutant("make_keras_mlp", "mlp_lr_fixed", "always uses learning rate 0.5, the one in the visible test", """
        def make_keras_mlp(n_features, hidden, n_classes, lr):
            model = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(hidden, activation="relu"),
                                      keras.layers.Dense(n_classes)])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            return model
    """),
    # --- correct alternatives ----------------------------------------------------------------
    correct("make_sklearn_mlp", "mlp_list_tol0_plus_patience", "positional list of sizes, tol=0 with "
            "n_iter_no_change=epochs + 1, Nesterov flag left on (irrelevant at momentum 0)", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier([hidden_size], "relu", solver="sgd", momentum=0, alpha=0,
                                 learning_rate_init=lr, batch_size=batch_size, max_iter=epochs, tol=0.0,
                                 n_iter_no_change=epochs + 1, random_state=seed)
    """),
    correct("make_sklearn_mlp", "mlp_int_inf_randomstate", "an int for hidden_layer_sizes, n_iter_no_change=inf, "
            "a RandomState made from the seed", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=hidden_size, solver="sgd", momentum=0.0,
                                 learning_rate="constant", learning_rate_init=float(lr), batch_size=int(batch_size),
                                 alpha=0.0, max_iter=int(epochs), n_iter_no_change=np.inf,
                                 random_state=np.random.RandomState(seed))
    """),
    correct("make_sklearn_mlp", "mlp_set_params", "set_params on a default classifier, a huge n_iter_no_change", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            settings = {
                "hidden_layer_sizes": (hidden_size,),
                "solver": "sgd",
                "momentum": 0.0,
                "nesterovs_momentum": False,
                "learning_rate_init": lr,
                "batch_size": batch_size,
                "alpha": 0.0,
                "max_iter": epochs,
                "n_iter_no_change": 10**9,
                "early_stopping": False,
                "shuffle": True,
                "random_state": seed,
                "verbose": False,
            }
            model = MLPClassifier()
            model.set_params(**settings)
            return model
    """),
    correct("make_sklearn_mlp", "mlp_patience_epochs_minus_2", "the smallest patience that can never stop early "
            "(the first epoch never counts, and a stop after the last epoch changes nothing)", """
        def make_sklearn_mlp(hidden_size, lr, batch_size, epochs, seed):
            return MLPClassifier(hidden_layer_sizes=(hidden_size,), solver="sgd", momentum=0.0, alpha=0.0,
                                 learning_rate_init=lr, batch_size=batch_size, max_iter=epochs,
                                 n_iter_no_change=max(1, epochs - 2), random_state=seed)
    """),
    correct("ridge_matching_l2", "ridge_positional_cholesky", "positional alpha, explicit intercept and solver", """
        def ridge_matching_l2(lam, n_samples):
            return Ridge(n_samples * lam, fit_intercept=True, solver="cholesky")
    """),
    correct("ridge_matching_l2", "ridge_svd_float", "alpha as a float product, SVD solver, copy_X", """
        def ridge_matching_l2(lam, n_samples):
            alpha = float(lam) * float(n_samples)
            return Ridge(alpha=alpha, solver="svd", copy_X=True)
    """),
    correct("linear_to_dense", "dense_assign_each", "assigns kernel and bias one at a time, np.transpose", """
        def linear_to_dense(lin, dense):
            dense.kernel.assign(np.transpose(lin.W))
            dense.bias.assign(np.array(lin.b, copy=True))
            return dense
    """),
    correct("linear_to_dense", "dense_swapaxes_float32", "np.swapaxes, float32 copies, set_weights", """
        def linear_to_dense(lin, dense):
            kernel = np.swapaxes(np.asarray(lin.W, dtype=np.float32), 0, 1).copy()
            dense.set_weights([kernel, np.asarray(lin.b, dtype=np.float32).copy()])
            return dense
    """),
    correct("make_keras_credit_model", "credit_functional_l1l2", "functional API, L1L2(l1=0, l2=lam), explicit "
            "momentum 0 and a loss object", """
        def make_keras_credit_model(n_features, lam, lr):
            inputs = keras.Input(shape=(n_features,))
            outputs = keras.layers.Dense(1, use_bias=True, kernel_regularizer=keras.regularizers.L1L2(l1=0.0, l2=lam))(inputs)
            model = keras.Model(inputs, outputs)
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr, momentum=0.0, nesterov=False),
                          loss=keras.losses.MeanSquaredError())
            return model
    """),
    correct("make_keras_credit_model", "credit_lambda_regulariser", "a hand-written regulariser function and "
            "loss='mse'", """
        def make_keras_credit_model(n_features, lam, lr):
            def penalty(kernel):
                return lam * keras.ops.sum(keras.ops.square(kernel))
            model = keras.Sequential()
            model.add(keras.Input(shape=(n_features,)))
            model.add(keras.layers.Dense(1, kernel_regularizer=penalty))
            model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
            return model
    """),
    correct("make_keras_mlp", "mlp_relu_layer_functional", "functional API with a separate ReLU layer and the "
            "sparse loss's function form", """
        def make_keras_mlp(n_features, hidden, n_classes, lr):
            inputs = keras.Input(shape=(n_features,))
            h = keras.layers.ReLU()(keras.layers.Dense(hidden)(inputs))
            model = keras.Model(inputs, keras.layers.Dense(n_classes, activation=None)(h))
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr, momentum=0.0),
                          loss=lambda y_true, y_pred: keras.ops.mean(keras.losses.sparse_categorical_crossentropy(
                              y_true, y_pred, from_logits=True)))
            return model
    """),
    correct("make_keras_mlp", "mlp_add_layers", "Sequential().add with activation functions", """
        def make_keras_mlp(n_features, hidden, n_classes, lr):
            model = keras.Sequential()
            model.add(keras.Input(shape=(n_features,)))
            model.add(keras.layers.Dense(hidden, activation=keras.activations.relu))
            model.add(keras.layers.Dense(n_classes, activation=keras.activations.linear))
            model.compile(keras.optimizers.SGD(lr), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            return model
    """),
]
