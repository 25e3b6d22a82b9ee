"""05_mnist_softmax: one_hot, softmax, log_softmax, cross_entropy, softmax_cross_entropy_backward,
iterate_minibatches and accuracy."""
from autograder.catalogue import correct, mutant

VARIANTS = [
    # --- one_hot --------------------------------------------------------------------------
    mutant("one_hot", "one_hot_transposed", "returns the (C, B) transpose", """
        def one_hot(y, C):
            return np.eye(C)[y].T
    """),
    mutant("one_hot", "one_hot_off_by_one", "puts the 1 in column y - 1", """
        def one_hot(y, C):
            Y = np.zeros((len(y), C))
            Y[np.arange(len(y)), y - 1] = 1.0
            return Y
    """),
    mutant("one_hot", "one_hot_width_from_labels", "takes the width from y.max() + 1 instead of C", """
        def one_hot(y, C):
            Y = np.zeros((len(y), np.max(y) + 1))
            Y[np.arange(len(y)), y] = 1.0
            return Y
    """),
    mutant("one_hot", "one_hot_whole_columns", "Y[:, y] = 1 sets whole columns, so every row gets every label", """
        def one_hot(y, C):
            Y = np.zeros((len(y), C))
            Y[:, y] = 1.0
            return Y
    """),
    mutant("one_hot", "one_hot_rows_indexed_by_label", "Y[y] = 1 indexes rows by the label", """
        def one_hot(y, C):
            Y = np.zeros((len(y), C))
            Y[y] = 1.0
            return Y
    """),
    mutant("one_hot", "one_hot_extra_column", "makes C + 1 columns", """
        def one_hot(y, C):
            Y = np.zeros((len(y), C + 1))
            Y[np.arange(len(y)), y] = 1.0
            return Y
    """),
    # --- softmax --------------------------------------------------------------------------
    mutant("softmax", "softmax_axis0", "normalises each column (axis 0) instead of each row", """
        def softmax(logits):
            exps = np.exp(logits - np.max(logits, axis=0, keepdims=True))
            return exps / np.sum(exps, axis=0, keepdims=True)
    """),
    mutant("softmax", "softmax_no_max", "exponentiates the raw logits: overflow, inf / inf = nan", """
        def softmax(logits):
            exps = np.exp(logits)
            return exps / np.sum(exps, axis=1, keepdims=True)
    """),
    mutant("softmax", "softmax_global_max", "subtracts the global maximum, so rows far below it underflow to 0/0", """
        def softmax(logits):
            exps = np.exp(logits - np.max(logits))
            return exps / np.sum(exps, axis=1, keepdims=True)
    """),
    mutant("softmax", "softmax_global_sum", "divides by the sum over the whole batch", """
        def softmax(logits):
            exps = np.exp(logits - np.max(logits, axis=1, keepdims=True))
            return exps / np.sum(exps)
    """),
    mutant("softmax", "softmax_in_place", "subtracts the maximum in place, changing the caller's logits", """
        def softmax(logits):
            logits -= np.max(logits, axis=1, keepdims=True)
            exps = np.exp(logits)
            return exps / np.sum(exps, axis=1, keepdims=True)
    """),
    mutant("softmax", "softmax_no_keepdims", "max and sum without keepdims, so they broadcast along the wrong axis", """
        def softmax(logits):
            exps = np.exp(logits - np.max(logits, axis=1))
            return exps / np.sum(exps, axis=1)
    """),
    mutant("softmax", "softmax_row_min", "subtracts the row minimum instead of the maximum: still overflows", """
        def softmax(logits):
            exps = np.exp(logits - np.min(logits, axis=1, keepdims=True))
            return exps / np.sum(exps, axis=1, keepdims=True)
    """),
    # --- log_softmax ----------------------------------------------------------------------
    mutant("log_softmax", "log_softmax_log_of_softmax", "np.log(softmax(z)): -inf where the softmax underflows", """
        def log_softmax(logits):
            return np.log(softmax(logits))
    """),
    mutant("log_softmax", "log_softmax_axis0", "log-sum-exp over the columns (axis 0)", """
        def log_softmax(logits):
            shifted = logits - np.max(logits, axis=0, keepdims=True)
            return shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    """),
    mutant("log_softmax", "log_softmax_missing_max_term", "shifts inside the log-sum-exp but forgets to subtract the max outside", """
        def log_softmax(logits):
            m = np.max(logits, axis=1, keepdims=True)
            return logits - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    """),
    mutant("log_softmax", "log_softmax_unstable", "z - log(sum(exp(z))) without the max: overflow for large logits", """
        def log_softmax(logits):
            return logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    """),
    mutant("log_softmax", "log_softmax_global_max", "subtracts the global maximum: log(0) for rows far below it", """
        def log_softmax(logits):
            shifted = logits - np.max(logits)
            return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    """),
    mutant("log_softmax", "log_softmax_mean_not_sum", "log of the mean of the exponentials instead of their sum", """
        def log_softmax(logits):
            shifted = logits - np.max(logits, axis=1, keepdims=True)
            return shifted - np.log(np.mean(np.exp(shifted), axis=1, keepdims=True))
    """),
    # --- cross_entropy --------------------------------------------------------------------
    mutant("cross_entropy", "ce_sum_not_mean", "sums over the batch instead of averaging", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            return float(-np.sum(Y_true * np.log(probs + eps)))
    """),
    mutant("cross_entropy", "ce_no_eps", "log(probs) without eps: log 0 = -inf", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            return float(-np.sum(Y_true * np.log(probs)) / probs.shape[0])
    """),
    mutant("cross_entropy", "ce_sign", "forgets the minus sign", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            return float(np.sum(Y_true * np.log(probs + eps)) / probs.shape[0])
    """),
    mutant("cross_entropy", "ce_log_one_minus_p", "uses log(1 - p) for the true class", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            return float(-np.sum(Y_true * np.log(1 - probs + eps)) / probs.shape[0])
    """),
    mutant("cross_entropy", "ce_mean_all_entries", "np.mean over all B*C entries, dividing by B*C", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            return float(-np.mean(Y_true * np.log(probs + eps)))
    """),
    mutant("cross_entropy", "ce_ignores_eps_argument", "hard-codes 1e-9 instead of using the eps argument", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            return float(-np.sum(Y_true * np.log(probs + 1e-9)) / probs.shape[0])
    """),
    mutant("cross_entropy", "ce_eps_outside_log", "adds eps after the log: log(0) is still -inf", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            return float(-np.sum(Y_true * (np.log(probs) + eps)) / probs.shape[0])
    """),
    mutant("cross_entropy", "ce_per_example", "returns the per-example losses, an array of shape (B,)", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            return -np.sum(Y_true * np.log(probs + eps), axis=1)
    """),
    mutant("cross_entropy", "ce_binary", "adds the binary cross-entropy's (1 - Y) log(1 - p) terms", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            terms = Y_true * np.log(probs + eps) + (1 - Y_true) * np.log(1 - probs + eps)
            return float(-np.sum(terms) / probs.shape[0])
    """),
    # --- softmax_cross_entropy_backward ---------------------------------------------------
    mutant("softmax_cross_entropy_backward", "back_no_divide", "forgets to divide by the batch size", """
        def softmax_cross_entropy_backward(probs, Y_true):
            return probs - Y_true
    """),
    mutant("softmax_cross_entropy_backward", "back_sign", "sign error: -(probs - Y_true) / B", """
        def softmax_cross_entropy_backward(probs, Y_true):
            return -(probs - Y_true) / probs.shape[0]
    """),
    mutant("softmax_cross_entropy_backward", "back_Y_minus_probs", "Y_true - probs: the gradient points uphill", """
        def softmax_cross_entropy_backward(probs, Y_true):
            return (Y_true - probs) / len(probs)
    """),
    mutant("softmax_cross_entropy_backward", "back_divide_by_C", "divides by the number of classes instead of the batch size", """
        def softmax_cross_entropy_backward(probs, Y_true):
            return (probs - Y_true) / probs.shape[1]
    """),
    mutant("softmax_cross_entropy_backward", "back_divide_by_size", "divides by B*C (probs.size)", """
        def softmax_cross_entropy_backward(probs, Y_true):
            return (probs - Y_true) / probs.size
    """),
    mutant("softmax_cross_entropy_backward", "back_in_place", "works in probs' memory, changing the caller's array", """
        def softmax_cross_entropy_backward(probs, Y_true):
            probs -= Y_true
            probs /= probs.shape[0]
            return probs
    """),
    mutant("softmax_cross_entropy_backward", "back_times_softmax_derivative", "multiplies by p(1 - p) again, as if the softmax were separate", """
        def softmax_cross_entropy_backward(probs, Y_true):
            return (probs - Y_true) * probs * (1 - probs) / probs.shape[0]
    """),
    # --- iterate_minibatches --------------------------------------------------------------
    mutant("iterate_minibatches", "mb_not_shuffled", "walks through the rows in their original order", """
        def iterate_minibatches(X, Y, batch_size, rng):
            for start in range(0, len(X), batch_size):
                yield X[start:start + batch_size], Y[start:start + batch_size]
    """),
    mutant("iterate_minibatches", "mb_independent_shuffles", "shuffles X and Y with two different permutations", """
        def iterate_minibatches(X, Y, batch_size, rng):
            X_shuffled = X[rng.permutation(len(X))]
            Y_shuffled = Y[rng.permutation(len(Y))]
            for start in range(0, len(X), batch_size):
                yield X_shuffled[start:start + batch_size], Y_shuffled[start:start + batch_size]
    """),
    mutant("iterate_minibatches", "mb_drops_last", "drops the short last batch", """
        def iterate_minibatches(X, Y, batch_size, rng):
            order = rng.permutation(len(X))
            for start in range(0, len(X) - batch_size + 1, batch_size):
                rows = order[start:start + batch_size]
                yield X[rows], Y[rows]
    """),
    mutant("iterate_minibatches", "mb_with_replacement", "samples row indices with replacement (rng.integers)", """
        def iterate_minibatches(X, Y, batch_size, rng):
            order = rng.integers(0, len(X), size=len(X))
            for start in range(0, len(X), batch_size):
                rows = order[start:start + batch_size]
                yield X[rows], Y[rows]
    """),
    mutant("iterate_minibatches", "mb_global_rng", "ignores rng and shuffles with numpy's global generator", """
        def iterate_minibatches(X, Y, batch_size, rng):
            order = np.random.permutation(len(X))
            for start in range(0, len(X), batch_size):
                rows = order[start:start + batch_size]
                yield X[rows], Y[rows]
    """),
    mutant("iterate_minibatches", "mb_reseeds", "builds a fresh default_rng(0) inside, so every epoch has the same order", """
        def iterate_minibatches(X, Y, batch_size, rng):
            order = np.random.default_rng(0).permutation(len(X))
            for start in range(0, len(X), batch_size):
                rows = order[start:start + batch_size]
                yield X[rows], Y[rows]
    """),
    mutant("iterate_minibatches", "mb_shuffles_in_place", "shuffles the caller's X and Y in place", """
        def iterate_minibatches(X, Y, batch_size, rng):
            order = rng.permutation(len(X))
            X[...] = X[order]
            Y[...] = Y[order]
            for start in range(0, len(X), batch_size):
                yield X[start:start + batch_size], Y[start:start + batch_size]
    """),
    mutant("iterate_minibatches", "mb_array_split_count", "np.array_split(order, batch_size) makes batch_size batches, not batches of that size", """
        def iterate_minibatches(X, Y, batch_size, rng):
            order = rng.permutation(len(X))
            for rows in np.array_split(order, batch_size):
                yield X[rows], Y[rows]
    """),
    # --- accuracy -------------------------------------------------------------------------
    mutant("accuracy", "acc_axis0", "takes the argmax over axis 0", """
        def accuracy(scores, y):
            return float(np.mean(np.argmax(scores, axis=0) == y))
    """),
    mutant("accuracy", "acc_count", "returns the number of correct rows, not the fraction", """
        def accuracy(scores, y):
            return float(np.sum(np.argmax(scores, axis=1) == y))
    """),
    mutant("accuracy", "acc_flat_argmax", "np.argmax(scores) without an axis: one index into the flattened array", """
        def accuracy(scores, y):
            return float(np.mean(np.argmax(scores) == y))
    """),
    mutant("accuracy", "acc_max_score", "compares the highest score itself, not its column, with y", """
        def accuracy(scores, y):
            return float(np.mean(np.max(scores, axis=1) == y))
    """),
    mutant("accuracy", "acc_argmin", "uses argmin", """
        def accuracy(scores, y):
            return float(np.mean(np.argmin(scores, axis=1) == y))
    """),
    mutant("accuracy", "acc_percent", "returns a percentage", """
        def accuracy(scores, y):
            return 100.0 * float(np.mean(np.argmax(scores, axis=1) == y))
    """),
    mutant("accuracy", "acc_error_rate", "returns the error rate, 1 - accuracy", """
        def accuracy(scores, y):
            return float(np.mean(np.argmax(scores, axis=1) != y))
    """),
    # --- correct alternatives -------------------------------------------------------------
    correct("one_hot", "one_hot_eye", "np.eye(C)[y]", """
        def one_hot(y, C):
            return np.eye(C)[y]
    """),
    correct("one_hot", "one_hot_int_comparison", "an int array from comparing y with np.arange(C)", """
        def one_hot(y, C):
            return (np.asarray(y)[:, None] == np.arange(C)).astype(int)
    """),
    correct("one_hot", "one_hot_loop", "a Python loop setting one entry per row", """
        def one_hot(y, C):
            Y = np.zeros((len(y), C), dtype=np.float32)
            for i, label in enumerate(y):
                Y[i, label] = 1
            return Y
    """),
    correct("softmax", "softmax_via_logsumexp", "exp of a stable log-softmax", """
        def softmax(logits):
            m = logits.max(axis=1, keepdims=True)
            log_probs = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
            return np.exp(log_probs)
    """),
    correct("softmax", "softmax_row_loop", "a loop over the rows, copying the input first", """
        def softmax(logits):
            out = np.array(logits, dtype=float)
            for i in range(out.shape[0]):
                out[i] = np.exp(out[i] - out[i].max())
                out[i] /= out[i].sum()
            return out
    """),
    correct("log_softmax", "log_softmax_logaddexp", "np.logaddexp.reduce for the log-sum-exp", """
        def log_softmax(logits):
            return logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    """),
    correct("log_softmax", "log_softmax_row_loop", "a loop over the rows with the max trick", """
        def log_softmax(logits):
            rows = []
            for row in np.asarray(logits, dtype=float):
                m = row.max()
                rows.append(row - m - np.log(np.sum(np.exp(row - m))))
            return np.array(rows)
    """),
    correct("cross_entropy", "ce_loop", "a loop picking each row's true-class probability, numpy float result", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            total = 0.0
            for p_row, y_row in zip(probs, Y_true):
                k = int(np.argmax(y_row))
                total += -np.log(p_row[k] + eps)
            return total / len(probs)
    """),
    correct("cross_entropy", "ce_einsum", "einsum for the row-wise dot product", """
        def cross_entropy(probs, Y_true, eps=1e-9):
            return -np.einsum("bc,bc->", Y_true, np.log(probs + eps)) / probs.shape[0]
    """),
    correct("softmax_cross_entropy_backward", "back_multiply_reciprocal", "np.subtract times 1/len(probs)", """
        def softmax_cross_entropy_backward(probs, Y_true):
            return np.subtract(probs, Y_true) * (1.0 / len(probs))
    """),
    correct("softmax_cross_entropy_backward", "back_copy_in_place", "a copy, then in-place operations on the copy", """
        def softmax_cross_entropy_backward(probs, Y_true):
            grad = probs.astype(float)
            grad -= Y_true
            grad /= grad.shape[0]
            return grad
    """),
    correct("iterate_minibatches", "mb_array_split_positions", "np.array_split of a permutation at multiples of batch_size", """
        def iterate_minibatches(X, Y, batch_size, rng):
            order = rng.permutation(len(X))
            for rows in np.array_split(order, np.arange(batch_size, len(X), batch_size)):
                yield X[rows], Y[rows]
    """),
    correct("iterate_minibatches", "mb_shuffle_index_list", "rng.shuffle of an index array, returning a list of pairs", """
        def iterate_minibatches(X, Y, batch_size, rng):
            index = np.arange(X.shape[0])
            rng.shuffle(index)
            batches = []
            n_batches = int(np.ceil(X.shape[0] / batch_size))
            for b in range(n_batches):
                rows = index[b * batch_size:(b + 1) * batch_size]
                batches.append((X[rows], Y[rows]))
            return batches
    """),
    correct("iterate_minibatches", "mb_choice_without_replacement", "rng.choice without replacement, shuffled copies sliced", """
        def iterate_minibatches(X, Y, batch_size, rng):
            order = rng.choice(len(X), size=len(X), replace=False)
            X_shuffled, Y_shuffled = X[order], Y[order]
            start = 0
            while start < len(X):
                yield X_shuffled[start:start + batch_size], Y_shuffled[start:start + batch_size]
                start += batch_size
    """),
    correct("accuracy", "acc_loop", "a loop counting correct rows, numpy scalar result", """
        def accuracy(scores, y):
            correct = 0
            for row, label in zip(scores, y):
                if np.argmax(row) == label:
                    correct += 1
            return np.float64(correct) / len(y)
    """),
    correct("accuracy", "acc_method_chain", "(scores.argmax(1) == y).mean(), a numpy float", """
        def accuracy(scores, y):
            return (scores.argmax(1) == y).mean()
    """),
]
