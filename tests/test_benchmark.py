"""The MNIST speed benchmark (benchmarks/mnist_speed.py): its quick run, and its numpy step's gradients.

PyTorch is an optional benchmark extra that CI does not install: these tests pass with and
without it (its rows must then come out as skipped, with a reason).
"""
import importlib.util
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from helpers.gradcheck import relative_error

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "mnist_speed.py")


def numerical_gradient(f, x, h=1e-5):
    """Central differences of a scalar f at x, perturbing x in place (helpers has none: stage 02 grades it)."""
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = float(f(x))
        x[index] = saved - h
        minus = float(f(x))
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def load_benchmark():
    spec = importlib.util.spec_from_file_location("mnist_speed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_quick(env=None):
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, SCRIPT, "--quick", "--json"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=env)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), elapsed


def check_rows(result):
    rows = result["results"]
    assert {r["name"] for r in rows} >= {"numpy float32", "numpy float64", "torch float32", "torch float64",
                                        "sklearn float64"}
    for r in rows:
        if r["status"] == "skipped":
            assert r["reason"], r
            continue
        assert r["status"] == "ok", r
        assert r["seconds_per_epoch"] > 0 and math.isfinite(r["seconds_per_epoch"]), r
        assert r["peak_rss_mib"] > 0 and math.isfinite(r["peak_rss_mib"]), r
        assert len(r["losses"]) == r["warmup_epochs"] + len(r["epoch_seconds"])
        assert all(math.isfinite(v) for v in r["losses"]), r
    for r in rows:
        if r["impl"] == "numpy":
            assert r["status"] == "ok"
            assert r["loss_last"] < r["loss_first"], r
    return {r["name"]: r for r in rows}


@pytest.fixture(scope="module")
def quick_result():
    return run_quick()


def test_quick_run_reports_every_row(quick_result):
    result, elapsed = quick_result
    assert elapsed < 60, f"the quick run took {elapsed:.1f} s"
    by_name = check_rows(result)
    machine = result["machine"]
    assert machine["cpu_model"] and machine["threads"] >= 1 and machine["numpy"] == np.__version__
    has_torch = importlib.util.find_spec("torch") is not None
    for dt in ("float32", "float64"):
        row = by_name[f"torch {dt}"]
        if has_torch:
            assert row["status"] == "ok", row
            assert result["ratio_numpy_over_torch"][dt] > 0
        else:
            assert row["status"] == "skipped" and "PyTorch not installed" in row["reason"]
            assert result["ratio_numpy_over_torch"][dt] is None


def test_quick_run_without_torch_skips_its_rows(tmp_path):
    """Hide an installed PyTorch behind a package that fails to import: the rows are skipped."""
    if importlib.util.find_spec("torch") is None:
        pytest.skip("PyTorch is not installed: test_quick_run_reports_every_row covers this case")
    fake = tmp_path / "torch"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('No module named torch (hidden by the test)')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    result, _ = run_quick(env)
    by_name = check_rows(result)
    for dt in ("float32", "float64"):
        assert by_name[f"torch {dt}"]["status"] == "skipped"
        assert "PyTorch not installed" in by_name[f"torch {dt}"]["reason"]


def tiny_net(bench, dtype=np.float64, weights="out_in"):
    net = bench.NumpyMLP((5, 4, 3, 3), dtype=dtype, batch_size=6, seed=3, weights=weights)
    rng = np.random.default_rng(7)
    for b in net.b:
        b[...] = rng.normal(0, 0.5, b.shape)  # nonzero biases, so their gradients are tested too
    x = rng.normal(size=(6, 5))
    y = np.array([0, 1, 2, 2, 1, 0])
    return net, x, y


@pytest.mark.parametrize("weights", ["out_in", "in_out"])
def test_numpy_step_gradients_match_numerical_gradient(weights):
    bench = load_benchmark()
    net, x, y = tiny_net(bench, weights=weights)
    assert all(W.shape == (n_out, n_in) for W, n_in, n_out in zip(net.W, net.sizes[:-1], net.sizes[1:]))
    net.forward_backward(x, y)
    analytic = {name: grad.copy() for name, (_, grad) in net.parameters().items()}
    for name, (param, _) in net.parameters().items():
        numeric = numerical_gradient(lambda _: net.forward_backward(x, y), param)
        assert relative_error(analytic[name], numeric) < 1e-6, name
    # A short last batch uses row slices of the buffers: same result as a fresh computation.
    loss_short = net.forward_backward(x[:4], y[:4])
    grads_short = {name: grad.copy() for name, (_, grad) in net.parameters().items()}
    fresh, _, _ = tiny_net(bench, weights=weights)
    assert np.isclose(fresh.forward_backward(x[:4], y[:4]), loss_short)
    for name, (_, grad) in fresh.parameters().items():
        np.testing.assert_allclose(grad, grads_short[name], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("weights", ["out_in", "in_out"])
def test_numpy_step_is_plain_sgd_and_matches_the_textbook_version(weights):
    bench = load_benchmark()
    net, x, y = tiny_net(bench, weights=weights)
    before = {name: param.copy() for name, (param, _) in net.parameters().items()}
    loss_ref = net.forward_backward(x, y)
    grads = {name: grad.copy() for name, (_, grad) in net.parameters().items()}
    assert np.isclose(net.step(x, y, lr=0.1), loss_ref)
    for name, (param, _) in net.parameters().items():
        np.testing.assert_allclose(param, before[name] - 0.1 * grads[name], rtol=1e-12, atol=1e-14)
    textbook = bench.TextbookNumpyMLP((5, 4, 3, 3), dtype=np.float64, batch_size=6, seed=3)
    fresh, _, _ = tiny_net(bench, weights=weights)
    for b_t, b_f in zip(textbook.b, fresh.b):
        b_t[...] = b_f
    assert np.isclose(textbook.forward_backward(x, y), fresh.forward_backward(x, y))
    for (_, g_t), (_, g_f) in zip(textbook.parameters().values(), fresh.parameters().values()):
        np.testing.assert_allclose(g_t, g_f, rtol=1e-10, atol=1e-14)


def test_float32_training_epoch_lowers_the_loss():
    bench = load_benchmark()
    X, y = bench.make_data(1024, np.float32)
    assert X.dtype == np.float32 and X.flags.c_contiguous and len(np.unique(y)) > 1
    net = bench.NumpyMLP(dtype=np.float32, batch_size=128)
    rng = np.random.default_rng(0)
    losses = [net.train_epoch(X, y, bench.LEARNING_RATE, rng) for _ in range(3)]
    assert all(W.dtype == np.float32 for W in net.W)
    assert losses[-1] < losses[0]
