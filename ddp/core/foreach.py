"""PyTorch's `torch._foreach_*` ops: one op over a list of tensors (`_foreach_mul_(params, 0.9)`), which EMA
loops and hand-written optimizers call. PyTorch fuses them into few kernels; ddp runs the op per tensor, with
the same results.

An argument that is a list or tuple as long as the tensors gives each tensor its own element (a tensor or
number per tensor); anything else (a number, one tensor) is shared by all. `_foreach_X` returns a new list,
`_foreach_X_` updates each tensor in place through its `X_` method.
"""
from . import functional as F
from .tensor import Tensor

_UNARY = """abs acos asin atan ceil cos cosh erf erfc exp expm1 floor frac lgamma log log10 log1p log2 neg reciprocal
round rsqrt sigmoid sign sin sinh sqrt tan tanh trunc""".split()
_BINARY = "add sub mul div pow clamp_min clamp_max maximum minimum".split()
_TERNARY = "addcmul addcdiv lerp".split()


def _per_tensor(tensors, args, op):
    """args for each tensor in turn: per-tensor lists split, shared values repeated."""
    tensors = list(tensors)
    for a in args:
        if isinstance(a, (list, tuple)) and len(a) != len(tensors):
            raise RuntimeError(f"{op}: Tensor lists must have the same number of tensors, got {len(tensors)} and "
                               f"{len(a)}")
    columns = [a if isinstance(a, (list, tuple)) else [a] * len(tensors) for a in args]
    return tensors, list(zip(*columns)) if columns else [()] * len(tensors)


def _out_of_place(name):
    fn = getattr(F, name)

    def op(self, *args, **kwargs):
        if not isinstance(self, (list, tuple)):  # _foreach_pow(2.0, exponents): a shared base
            exponents, rows = _per_tensor(args[0], args[1:], f"_foreach_{name}")
            return tuple(fn(self, e, *row, **kwargs) for e, row in zip(exponents, rows))
        tensors, rows = _per_tensor(self, args, f"_foreach_{name}")
        return tuple(fn(t, *row, **kwargs) for t, row in zip(tensors, rows))

    op.__name__ = f"_foreach_{name}"
    op.__doc__ = f"(ddp.{name}(t, ...) for each tensor t), a tuple as PyTorch's (torch._foreach_{name})."
    return op


def _in_place(name):
    fn = getattr(F, name)

    def op(self, *args, **kwargs):
        tensors, rows = _per_tensor(self, args, f"_foreach_{name}_")
        for t, row in zip(tensors, rows):
            method = getattr(t, name + "_", None)
            if method is not None:
                method(*row, **kwargs)
            else:  # maximum_ / minimum_: no Tensor method of that name in PyTorch either
                t._inplace(lambda x, *a: fn(x, *a, **kwargs), *row)
        return list(tensors)  # PyTorch returns the list it changed

    op.__name__ = f"_foreach_{name}_"
    op.__doc__ = f"t.{name}_(...) for each tensor t, in place (torch._foreach_{name}_)."
    return op


def _foreach_norm(self, ord=2, dtype=None):  # noqa: A002 - PyTorch's name
    """(linalg.vector_norm(t, ord) for each tensor t): the per-parameter norms of clip_grad_norm_."""
    from .linalg import vector_norm

    return tuple(vector_norm(t, ord, dtype=dtype) for t in self)


def _foreach_max(self):
    """(t.max() for each tensor t), a tuple as PyTorch's."""
    return tuple(F.max(t) for t in self)


def _foreach_mm(self, mat2):
    """(t @ m for each pair)."""
    tensors, rows = _per_tensor(self, (mat2,), "_foreach_mm")
    return tuple(F.mm(t, m) for t, (m,) in zip(tensors, rows))


def _foreach_clone(self):
    return tuple(F.clone(t) for t in self)


def _foreach_zero_(self):
    for t in self:
        t.zero_()
    return list(self)


def _foreach_copy_(self, src, non_blocking=False):
    tensors, rows = _per_tensor(self, (src,), "_foreach_copy_")
    for t, (s,) in zip(tensors, rows):
        t.copy_(s if isinstance(s, Tensor) else Tensor(s))
    return tensors


_generated = {}
for _name in _UNARY + _BINARY + _TERNARY:
    _generated[f"_foreach_{_name}"] = _out_of_place(_name)
    _generated[f"_foreach_{_name}_"] = _in_place(_name)
globals().update(_generated)

__all__ = sorted(_generated) + ["_foreach_norm", "_foreach_max", "_foreach_mm", "_foreach_clone", "_foreach_zero_",
                                "_foreach_copy_"]
