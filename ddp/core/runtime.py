"""Process-wide switches that PyTorch scripts set: threads, determinism, `compile`, matmul precision.

ddp computes on numpy in one process per rank, so most of these only record what was asked: it is
deterministic already, and it has no compiler. Threads are real: they are numpy's BLAS threads
(threadpoolctl), which is what PyTorch's intra-op threads are for a CPU training step.
"""
import os

_settings = {"deterministic": False, "warn_only": False, "matmul_precision": "highest", "interop_threads": 1}
_limits = []  # the threadpoolctl limiter that set_num_threads last applied (kept so it stays in force)


def set_num_threads(num_threads):
    """Use `num_threads` BLAS threads for matrix products in this process.

    Raises:
        ValueError: `num_threads` is not a positive int.
    """
    if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
        raise ValueError(f"set_num_threads: expected a positive integer number of threads, got {num_threads!r}")
    from threadpoolctl import threadpool_limits

    _limits[:] = [threadpool_limits(limits=num_threads, user_api="blas")]


def get_num_threads():
    """The number of BLAS threads matrix products use (the largest, if numpy loaded several BLAS libraries)."""
    from threadpoolctl import threadpool_info

    counts = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
    return max(counts) if counts else os.cpu_count() or 1


def set_num_interop_threads(num_threads):
    """Recorded only: ddp runs independent ops one after another."""
    _settings["interop_threads"] = int(num_threads)


def get_num_interop_threads():
    return _settings["interop_threads"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Recorded only: every ddp op is deterministic already (same inputs, same bits)."""
    _settings["deterministic"], _settings["warn_only"] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _settings["warn_only"]


def set_float32_matmul_precision(precision):
    """Recorded only: float32 products are always computed in float32 ("highest")."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"set_float32_matmul_precision: expected 'highest', 'high' or 'medium', got {precision!r}")
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _settings["matmul_precision"]


def compile(model=None, *, disable=False, **kwargs):  # noqa: A001 - PyTorch's name
    """A function unchanged (ddp has no compiler), as a decorator too: `@ddp.compile`, `@ddp.compile(...)`.

    A Module comes back wrapped as PyTorch's does, in an `OptimizedModule` that calls it: the module is
    `compiled._orig_mod` and state-dict keys start with `_orig_mod.` (`disable=True`: the module itself).
    """
    if model is None:
        return lambda fn: compile(fn, disable=disable, **kwargs)
    from .nn.compiled import OptimizedModule
    from .nn.module import Module

    if isinstance(model, Module) and not disable:
        return OptimizedModule(model)
    return model
