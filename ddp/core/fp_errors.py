"""numpy's floating-point warnings off inside ddp's ops: PyTorch computes log(0) = -inf, 0 / 0 = nan and
exp(1000) = inf silently, and so must a `import ddp as torch` program (under `-W error` a warning is an
exception). Only ddp's own computations are silenced; numpy code outside them keeps numpy's settings.

Function.apply runs every op's forward between `silence()` and `restore(token)`, and the engine runs a whole
backward pass in `silenced()`. The fast path sets numpy's error-state context variable directly (what
`np.errstate` does, without rebuilding its state object per call: a 0.3 us cost per op instead of 1.5 us);
on a numpy without that variable, `np.errstate` itself.
"""
import contextlib

import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _QUIET = _make_extobj(all="ignore")

    def silence():
        """Turn numpy's floating-point warnings off in this context; returns the token `restore` takes."""
        return _extobj_contextvar.set(_QUIET)

    def restore(token):
        _extobj_contextvar.reset(token)
except ImportError:  # a numpy without the context variable: its public context manager
    def silence():
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def restore(token):
        token.__exit__(None, None, None)


@contextlib.contextmanager
def silenced():
    token = silence()
    try:
        yield
    finally:
        restore(token)
