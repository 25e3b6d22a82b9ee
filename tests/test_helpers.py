import numpy as np
import pytest

import helpers
from helpers.data import make_linear_data, make_sine_data
from helpers.gradcheck import relative_error
from helpers.plotting import plot_accuracies, plot_losses
from helpers.testing import (assert_close, assert_finite, assert_gradient_close, assert_scalar, assert_shape,
                             assert_unchanged, call)


def test_call_turns_the_stub_into_a_clear_message():
    def relu(x):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match=r"relu is not implemented yet"):
        call(relu, 1)
    assert call(lambda x: x + 1, 1) == 2


def test_assert_shape_says_expected_and_got():
    with pytest.raises(AssertionError, match=r"relu_backward: expected shape \(4, 3\), got \(3,\)"):
        assert_shape("relu_backward", np.zeros(3), (4, 3))
    assert_shape("f", np.zeros((4, 3)), (4, 3))


def test_assert_close_reports_the_worst_element_and_its_index():
    expected = np.zeros((2, 3))
    got = expected.copy()
    got[1, 2] = 5.0
    got[0, 0] = 1e-3
    with pytest.raises(AssertionError) as info:
        assert_close("softmax", got, expected, case="random logits")
    message = str(info.value)
    assert "softmax (random logits): 2 of 6 values are wrong; worst at index (1, 2)" in message
    assert "expected 0, got 5" in message
    assert_close("softmax", expected + 1e-12, expected)


def test_assert_close_scalars_and_shapes():
    with pytest.raises(AssertionError, match="expected 1.5, got 2"):
        assert_close("mse_loss", 2.0, 1.5)
    with pytest.raises(AssertionError, match=r"expected shape \(3,\), got \(1, 3\)"):
        assert_close("f", np.zeros((1, 3)), np.zeros(3))


@pytest.mark.parametrize("bad, kind", [(np.nan, "NaN"), (np.inf, "inf")])
def test_assert_finite_names_nan_and_inf_with_index(bad, kind):
    values = np.ones((2, 2))
    values[1, 0] = bad
    with pytest.raises(AssertionError, match=rf"contains {kind} at index \(1, 0\)"):
        assert_finite("sigmoid", values)
    with pytest.raises(AssertionError, match=kind):
        assert_close("sigmoid", values, np.ones((2, 2)))


def test_assert_scalar_accepts_numbers_and_rejects_arrays():
    assert assert_scalar("f", np.float32(1.5)) == 1.5
    assert assert_scalar("f", np.array(2.0)) == 2.0
    assert assert_scalar("f", 3) == 3.0
    with pytest.raises(AssertionError, match=r"expected a single number, got an array of shape \(1,\)"):
        assert_scalar("mse_loss", np.array([1.0]))
    with pytest.raises(AssertionError, match="got tuple"):
        assert_scalar("f", (1.0,))


def test_assert_unchanged_names_the_argument():
    before = np.arange(3.0)
    after = before.copy()
    assert_unchanged("relu", "x", before, after)
    after[0] = -1
    with pytest.raises(AssertionError, match=r"relu modified its input `x` in place"):
        assert_unchanged("relu", "x", before, after)


def test_relative_error_formula():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0], [3.0]) == pytest.approx(0.5)
    assert relative_error([0.0], [0.0]) == 0.0


def test_assert_gradient_close_fails_on_a_wrong_gradient():
    numeric = np.array([1.0, 2.0, 3.0])
    assert_gradient_close("f", numeric * (1 + 1e-9), numeric)
    with pytest.raises(AssertionError, match=r"relative error .* worst at index \(2,\): analytic 6, numerical 3"):
        assert_gradient_close("f", np.array([1.0, 2.0, 6.0]), numeric)


def test_synthetic_data_is_repeatable_and_recovers_the_true_line():
    x, y = make_linear_data(n=200, w=2.5, b=-0.7, noise=0.5, seed=0)
    x2, y2 = make_linear_data(n=200, w=2.5, b=-0.7, noise=0.5, seed=0)
    assert x.shape == y.shape == (200,)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert x.min() >= -2 and x.max() <= 2
    w, b = np.polyfit(x, y, 1)
    assert abs(w - 2.5) < 0.15 and abs(b + 0.7) < 0.15
    xs, ys = make_sine_data(n=400, noise=0.1, seed=0)
    assert xs.shape == ys.shape == (400, 1)
    assert (ys - np.sin(2 * np.pi * xs)).std() == pytest.approx(0.1, rel=0.2)


def test_seed_everything_repeats():
    a = helpers.seed_everything(3).normal(size=3)
    b = helpers.seed_everything(3).normal(size=3)
    assert np.array_equal(a, b)


def test_progress_is_silent_under_the_grader(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert list(helpers.progress(range(3))) == [0, 1, 2]
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    monkeypatch.delenv("NBGRADER_EXECUTION")
    list(helpers.progress(range(3), desc="epochs"))
    assert "epochs" in capsys.readouterr().err


def test_plots_have_titles_labels_and_legends():
    ax = plot_losses({"lr 0.1": [3, 2, 1], "lr 0.01": [3, 2.9, 2.8]}, title="Loss", logy=True)
    assert ax.get_title() == "Loss" and ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lr 0.1", "lr 0.01"]
    assert ax.get_yscale() == "log"
    ax = plot_accuracies({"train": [0.5, 0.9], "validation": [0.4, 0.8]})
    assert ax.get_ylabel() == "accuracy" and ax.get_ylim()[1] > 1


def test_progress_without_ipywidgets_is_a_text_bar_and_does_not_warn(monkeypatch, capsys):
    import sys
    import warnings

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    import types

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets now raises ImportError
    # In a notebook, tqdm.auto would pick the widget bar and warn "IProgress not found".
    notebook_bar = types.ModuleType("tqdm.auto")
    notebook_bar.tqdm = lambda *a, **k: pytest.fail("progress used tqdm.auto although ipywidgets is missing")
    monkeypatch.setitem(sys.modules, "tqdm.auto", notebook_bar)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bar = helpers.progress(range(2), desc="epochs")
        assert list(bar) == [0, 1]
    assert type(bar).__module__ == "tqdm.std"
    assert "epochs" in capsys.readouterr().err
