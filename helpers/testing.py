"""Checks used by the notebooks' test cells.

Every check raises ``AssertionError`` with a message a student can act on: which function,
which case, what was expected and what came back (the worst element and its index for
arrays). Nothing here knows a solution; the tests compute expected values themselves.
"""
from __future__ import annotations

import numbers
import traceback

import numpy as np

__all__ = [
    "call",
    "assert_scalar",
    "assert_shape",
    "assert_finite",
    "assert_close",
    "assert_unchanged",
    "assert_dtype_float",
    "assert_gradient_close",
]


def _where(case: str | None) -> str:
    return f" ({case})" if case else ""


def call(fn, *args, name: str | None = None, **kwargs):
    """Call a student's function; turn the untouched stub into a clear message.

    When the stub that raised is not ``fn``'s own but one that ``fn`` calls (a backward pass that
    calls the student's forward function, say), the message names that one."""
    name = name or getattr(fn, "__name__", "function")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as error:
        own = "__init__" if isinstance(fn, type) else getattr(fn, "__name__", None)
        frames = traceback.extract_tb(error.__traceback__)
        raised_in = frames[-1].name if len(frames) > 1 else own
        if own and raised_in not in (own, "<module>"):
            raise AssertionError(
                f"{name} calls `{raised_in}`, which is not implemented yet: implement `{raised_in}` first."
            ) from None
        raise AssertionError(
            f"{name} is not implemented yet: replace `raise NotImplementedError()` with your code."
        ) from None


def assert_scalar(name: str, got, case: str | None = None) -> float:
    """``got`` must be a real number (a Python float, a numpy scalar or a 0-d array)."""
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (numbers.Real, np.floating, np.integer)):
        shape = getattr(got, "shape", None)
        what = f"an array of shape {shape}" if shape is not None else type(got).__name__
        raise AssertionError(f"{name}{_where(case)}: expected a single number, got {what}.")
    return float(got)


def assert_shape(name: str, got, expected_shape, case: str | None = None) -> None:
    shape = np.shape(got)
    if tuple(shape) != tuple(expected_shape):
        raise AssertionError(
            f"{name}{_where(case)}: expected shape {tuple(expected_shape)}, got {tuple(shape)}."
        )


def assert_finite(name: str, got, case: str | None = None) -> None:
    arr = np.asarray(got, dtype=float)
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
        kind = "NaN" if np.isnan(arr[index] if arr.ndim else arr) else "inf"
        where = f" at index {index}" if arr.ndim else ""
        raise AssertionError(
            f"{name}{_where(case)}: result contains {kind}{where} ({int(bad.sum())} non-finite values); "
            "look for overflow in exp, log of 0 or a division by 0."
        )


def assert_dtype_float(name: str, got, case: str | None = None) -> None:
    dtype = np.asarray(got).dtype
    if not np.issubdtype(dtype, np.floating):
        raise AssertionError(f"{name}{_where(case)}: expected a floating-point result, got dtype {dtype}.")


def assert_close(name: str, got, expected, rtol: float = 1e-6, atol: float = 1e-8,
                 case: str | None = None) -> None:
    """Shape, finiteness and values, reporting the worst element with its index."""
    expected = np.asarray(expected, dtype=float)
    if np.ndim(got) == 0 and expected.ndim == 0:
        value = assert_scalar(name, got, case)
        assert_finite(name, value, case)
        if not np.isclose(value, float(expected), rtol=rtol, atol=atol):
            raise AssertionError(f"{name}{_where(case)}: expected {float(expected):.6g}, got {value:.6g}.")
        return
    assert_shape(name, got, expected.shape, case)
    got = np.asarray(got, dtype=float)
    assert_finite(name, got, case)
    excess = np.abs(got - expected) - (atol + rtol * np.abs(expected))
    if (excess > 0).any():
        index = np.unravel_index(int(np.argmax(excess)), excess.shape)
        index = tuple(int(i) for i in index)
        n_wrong = int((excess > 0).sum())
        raise AssertionError(
            f"{name}{_where(case)}: {n_wrong} of {got.size} values are wrong; worst at index {index}: "
            f"expected {expected[index]:.6g}, got {got[index]:.6g}."
        )


def assert_unchanged(name: str, argname: str, before, after) -> None:
    """The function must not modify its input in place."""
    if not np.array_equal(np.asarray(before), np.asarray(after), equal_nan=True):
        raise AssertionError(
            f"{name} modified its input `{argname}` in place; work on a copy "
            f"(for example `{argname} = {argname}.copy()` or create a new array)."
        )


def assert_gradient_close(name: str, analytic, numeric, tol: float = 1e-6, case: str | None = None) -> None:
    """Compare an analytic gradient with a numerical one by relative error."""
    from .gradcheck import relative_error

    assert_shape(name, analytic, np.shape(numeric), case)
    assert_finite(name, analytic, case)
    err = relative_error(analytic, numeric)
    if err > tol:
        a = np.asarray(analytic, dtype=float)
        n = np.asarray(numeric, dtype=float)
        index = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(a - n))), a.shape)) if a.ndim else ()
        at = f" at index {index}" if a.ndim else ""
        raise AssertionError(
            f"{name}{_where(case)}: gradient does not match the numerical gradient "
            f"(relative error {err:.2e} > {tol:.0e}); worst{at}: analytic {a[index]:.6g}, numerical {n[index]:.6g}."
        )
