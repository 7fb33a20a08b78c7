"""In-place ops on views, as PyTorch's autograd handles them (its CopySlices and view regeneration).

A view op's result (x[1:], x.t(), x.view(...), x.diagonal(), ...: an op whose output shares its only input's
memory) remembers its root, the tensor that owns the memory, and the steps that read it from the root
(`Tensor._view_of`, set by `Function.apply` while recording). Then:

- writing into a view in place (`h[1:].mul_(2)`, `relu_(h[1:])`) rewrites the root in the graph as well: the
  root becomes `CopySlices(root before, new view values)`, so a gradient of the root flows through the op for
  the view's elements and straight through for the rest; the view then reads from that new root;
- a view whose root was written in place after the view was made (the version they share moved on) reads its
  graph afresh from the root the next time an op uses it (`refresh`), as PyTorch regenerates its grad_fn.

Views made with recording off are not tracked (PyTorch refuses to write them with recording on; ddp writes
the memory without recording, as before).
"""
import numpy as np

from . import autograd
from .autograd import Function


def read(root, steps):
    """The view that `steps` (pairs of view op and its keyword arguments) read from `root`, recorded."""
    out = root
    for op, kwargs in steps:
        out = op.apply(out, **kwargs)
    return out


def refresh(view):
    """Give `view` the graph of reading it from its root now (after the root was written in place)."""
    root, steps = view._view_of
    view._view_version = view._version_cell[0]
    if not root._requires_grad and view._grad_fn is None:
        return  # nothing recorded on either side (a view made leaf by requires_grad_ keeps its flag)
    fresh = read(root, steps)
    view._grad_fn, view._requires_grad = fresh._grad_fn, fresh._requires_grad


def _region(array, steps):
    """The part of `array` (shaped as the root) that the view reads: a numpy view of it, for writing."""
    with autograd.no_grad():
        region = read(autograd.Tensor(array), steps)._data
    if not np.may_share_memory(region, array):
        raise RuntimeError("in-place op on a view: ddp could not map the view back onto its base; clone() the "
                           "view before writing into it")
    return region


class CopySlices(Function):
    """The root after its view (read by `steps`) was written with `values`. Forward writes `values` into the
    root's own memory and returns it (the in-place op's effect); backward sends the gradient of the view's
    elements to `values` and the rest to the root as it was before."""

    @staticmethod
    def forward(ctx, root, values, *, steps):
        ctx.steps = steps
        _region(root, steps)[...] = values
        return root

    @staticmethod
    def backward(ctx, g):
        g_root = np.array(g, order="C")  # a fresh C-ordered copy, which every view step reads as a view
        region = _region(g_root, ctx.steps)
        g_values = region.copy()
        region[...] = 0
        return g_root, g_values

    @staticmethod
    def differentiable_backward(ctx, g):
        keep = np.ones(g.shape, dtype=g._data.dtype)
        _region(keep, ctx.steps)[...] = 0
        return g * autograd.Tensor(keep), read(g, ctx.steps)


def write(view, op, args):
    """`view` set to `op(view, *args)` in place, recorded: the view and its root both take the new graph."""
    root, steps = view._view_of
    if root.is_leaf and root._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    before = autograd.Tensor(view._data.copy())  # what the op reads (and may save), as it was
    before._grad_fn, before._requires_grad = view._grad_fn, view._requires_grad
    out = op(before, *args)
    view._check_fits(out)
    if out.dtype != view.dtype:
        out = out.to(view.dtype)
    if out.shape != view.shape:
        out = out.expand(view.shape)
    new_root = CopySlices.apply(root, out, steps=steps)  # writes out's values into the root's (and view's) memory
    root._grad_fn, root._requires_grad = new_root._grad_fn, new_root._requires_grad
    view._bump_version()
    refresh(view)
    return view
