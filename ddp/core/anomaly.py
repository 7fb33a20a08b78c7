"""Anomaly detection: find the op whose backward first produced NaN or Inf, and where its forward ran.

While the mode is on, `Function.apply` records the user's call site of every recorded op, and the engine
checks each gradient an op's backward returns; the first NaN or Inf raises a RuntimeError naming the op
(as PyTorch: "Function 'LogBackward0' returned nan values in its 0th output") and that call site. While it
is off (the default), the engine only reads the flag `enabled` once per op: nothing is recorded. An error
raised inside a backward gets a note with its op's forward call site too.

Example:
    >>> with ddp.autograd.detect_anomaly():
    ...     loss.backward()
"""
import functools
import os
import traceback

import numpy as np

enabled = False  # read by Function.apply and the engine; set only through the functions below
check_nan = True
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the ddp folder


def is_anomaly_enabled():
    return enabled


def is_anomaly_check_nan_enabled():
    return check_nan


def _current():
    return enabled, check_nan


def _set(mode, nan):
    global enabled, check_nan
    enabled, check_nan = bool(mode), bool(nan)


class detect_anomaly:
    """Turn anomaly detection on inside a block or a decorated function (slow: debugging only).

    Args:
        check_nan: raise when a backward returns NaN or Inf (default True).
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = _current()
        _set(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        _set(*self._previous)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Switch anomaly detection on or off: as a call, or as a context manager that restores on exit."""

    def __init__(self, mode, check_nan=True):
        self._previous = _current()
        _set(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _set(*self._previous)
        return False


def call_site():
    """The stack of the current call, without ddp's own frames at its end (what the user's code called)."""
    frames = traceback.extract_stack()[:-2]  # drop call_site and Function.apply
    while frames and frames[-1].filename.startswith(_PACKAGE + os.sep):
        frames.pop()
    return frames


def _forward_site(node):
    stack = getattr(node, "forward_stack", None)
    if not stack:
        return "  (not recorded: its forward ran while anomaly detection was off)"
    return "".join(traceback.format_list(stack)).rstrip()


def run_backward(node, grad):
    """`node`'s backward; an error it raises gets a note saying where the op's forward was called."""
    try:
        return node.fn.backward(node, grad)
    except Exception as e:
        if hasattr(e, "add_note"):  # Python 3.11+
            e.add_note(f"Error detected in {node.name()}. The forward call that created it:\n{_forward_site(node)}")
        raise


def check_gradients(node, grads):
    """Raise if a gradient that `node`'s backward returned holds NaN or Inf, naming the op and its forward."""
    if not check_nan:
        return
    for i, g in enumerate(grads):
        if g is None:
            continue
        g = np.asarray(g)
        if g.dtype.kind not in "fc" or np.isfinite(g).all():
            continue
        what = "nan" if np.isnan(g).any() else "inf"
        raise RuntimeError(
            f"Function '{node.name()}' returned {what} values in its {i}th output. "
            f"The forward call that created it:\n{_forward_site(node)}"
        )
