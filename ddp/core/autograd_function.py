"""PyTorch's custom `autograd.Function`: `forward` and `backward` written with Tensors, by the user.

ddp's own ops subclass the same `Function` but work on numpy arrays (autograd.py); a subclass defined outside
the ddp package is PyTorch's kind, and `Function.apply` sends it here. As in PyTorch, forward runs with
recording off and sees the Tensors themselves; `ctx.save_for_backward` keeps Tensors; backward gets one
gradient Tensor per output and returns one per forward argument. Because backward is made of Tensor ops, a
backward recorded with create_graph=True differentiates it again (double backward), unless it is decorated
with `once_differentiable`.

Several outputs share one node: the engine's nodes have one output, so the node's output is the outputs'
elements packed into one flat array, and each output is a slice of it (`_Unpack`) whose backward puts its
gradient into a packed zero array (outputs that get no gradient receive zeros, PyTorch's materialized grads).
"""
import functools
import sys

import numpy as np

from . import anomaly as _anomaly
from . import autograd
from .autograd import Context, Function, enable_grad, no_grad  # noqa: F401  (Function: ddp.autograd.function.Function)

__all__ = ["Function", "FunctionCtx", "once_differentiable"]

FunctionCtx = Context  # what PyTorch calls the ctx argument's type


def once_differentiable(backward):
    """Mark a custom Function's backward as differentiable once: recording it (create_graph=True) raises."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            return backward(ctx, *grads)

    wrapper.once_differentiable = True
    return wrapper


def _tensors(args):
    return [a for a in args if isinstance(a, autograd.Tensor)]


def apply(cls, args, kwargs):
    """Run the user Function `cls` on `args` and, where an input requires grad, record one node for it."""
    ctx = Context()
    inputs = _tensors(args)
    record = autograd.is_grad_enabled() and any(t.requires_grad for t in inputs)
    ctx.needs_input_grad = tuple(isinstance(a, autograd.Tensor) and a.requires_grad and record for a in args)
    with no_grad():
        if _has_setup_context(cls):
            outputs = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, outputs)
        else:
            outputs = cls.forward(ctx, *args, **kwargs)
    single = not isinstance(outputs, tuple)
    outs = (outputs,) if single else outputs
    if not record:
        return outputs
    dirty = {id(t) for t in getattr(ctx, "dirty_tensors", ())}
    frozen = {id(t) for t in getattr(ctx, "non_differentiable", ())}
    results = tuple(_own(o, dirty) for o in outs)
    differentiable = [i for i, o in enumerate(results) if isinstance(o, autograd.Tensor)
                      and o._data.dtype.kind == "f" and id(outs[i]) not in frozen]
    if differentiable:
        _link(cls, ctx, args, results, differentiable)
        _point_saved_at_results(ctx, outs, results)
        if ctx.saved_tensors and autograd._local.saved_hooks is not None:
            autograd._saved_hooks(ctx)  # saved_tensors_hooks' pack, on what backward will read
    return results[0] if single else results


def _has_setup_context(cls):
    """PyTorch 2's alternative to taking ctx in forward: forward(*args), then setup_context(ctx, inputs, output)."""
    return callable(getattr(cls, "setup_context", None))


def _own(output, dirty):
    """The Tensor a caller gets: an input modified in place (mark_dirty) is itself; any other Tensor is a new
    one sharing its memory, so that giving it a grad_fn never touches a Tensor the forward returned as is."""
    if not isinstance(output, autograd.Tensor):
        return output
    if id(output) in dirty:
        output._version_cell[0] += 1
        return output
    result = autograd.Tensor(output._data)
    result._version_cell = output._version_cell
    return result


def _link(cls, ctx, args, results, differentiable):
    """Make `ctx` the node of `results[differentiable]`: directly for one output, through _Unpack for more."""
    parents, edges = [], []
    for a, needs in zip(args, ctx.needs_input_grad):
        parents.append(a if needs else None)
        edges.append(None if not needs else a if a._grad_fn is None else a._grad_fn)
    ctx.fn = _backward_of(cls)
    ctx.seq = next(autograd._sequence)
    if _anomaly.enabled:
        ctx.forward_stack = _anomaly.call_site()
    ctx.parents, ctx.edges = tuple(parents), tuple(edges)
    ctx._saved_versions = tuple((t._version_cell, t._version_cell[0], t._data.shape)
                                for t in ctx.saved_tensors if isinstance(t, autograd.Tensor))
    # per output: (shape, dtype, whether a gradient can reach it), None for a non-Tensor output
    ctx.outputs = [(r._data.shape, r._data.dtype, i in differentiable) if isinstance(r, autograd.Tensor) else None
                   for i, r in enumerate(results)]
    if len(results) == 1:
        ctx._out_shape = results[0]._data.shape
        _mark(results[0], ctx)
        return
    sizes = [int(np.prod(o[0], dtype=np.int64)) if o is not None and o[2] else 0 for o in ctx.outputs]
    ctx.offsets = np.cumsum([0] + sizes)
    ctx.packed_dtype = np.result_type(*(o[1] for o in ctx.outputs if o is not None and o[2]))
    ctx._out_shape = (int(ctx.offsets[-1]),)
    handle = autograd.Tensor(np.empty(0, dtype=ctx.packed_dtype))  # stands for the packed output
    for i in differentiable:
        node = Context()
        node.fn, node.seq = _unpack_of(cls), next(autograd._sequence)
        node.parents, node.edges, node.needs_input_grad = (handle,), (ctx,), (True,)
        node.span, node.total, node.dtype = (int(ctx.offsets[i]), int(ctx.offsets[i + 1])), ctx._out_shape, ctx.packed_dtype
        node._out_shape = results[i]._data.shape
        _mark(results[i], node)


def _mark(result, node):
    result._requires_grad = True
    result._grad_fn = node


def _point_saved_at_results(ctx, outs, results):
    """A saved output is the Tensor the caller got, so a recorded backward reaches the inputs through it."""
    if ctx.saved_tensors:
        by_id = {id(o): r for o, r in zip(outs, results)}
        ctx.saved_tensors = tuple(by_id.get(id(t), t) for t in ctx.saved_tensors)


class _Unpack(autograd.Function):
    """Output i of a many-output custom Function: a slice of the node's packed output. Backward writes its
    gradient into a packed zero array."""

    @staticmethod
    def backward(ctx, g):
        packed = np.zeros(ctx.total, dtype=ctx.dtype)
        packed[ctx.span[0]:ctx.span[1]] = np.ravel(g)
        return packed

    @staticmethod
    def differentiable_backward(ctx, g):
        lo, hi = ctx.span
        total = ctx.total[0]
        flat = g.reshape(-1).to(ctx.dtype)
        from .shape_functional import cat  # at call time: it imports this layer
        return cat([autograd.Tensor(np.zeros(lo, ctx.dtype)), flat, autograd.Tensor(np.zeros(total - hi, ctx.dtype))])


@functools.lru_cache(maxsize=None)
def _unpack_of(cls):
    """_Unpack under the user Function's name, so each output's grad_fn shows it (as PyTorch's do)."""
    return type(cls.__name__, (_Unpack,), {"__module__": cls.__module__})


@functools.lru_cache(maxsize=None)
def _backward_of(cls):
    """The engine-facing op of user Function `cls`: its backward converts arrays to Tensors and back."""
    return type(cls.__name__, (_UserBackward,), {"user": cls, "__module__": cls.__module__})


class _UserBackward(autograd.Function):
    """Runs a user Function's Tensor backward for the engine: arrays in and out at first order, Tensors with
    recording on under create_graph=True."""

    user = None

    @classmethod
    def backward(cls, ctx, g):
        with no_grad():
            grads = cls._call(ctx, autograd.Tensor(g))
        return tuple(None if t is None else t._data if isinstance(t, autograd.Tensor) else np.asarray(t)
                     for t in grads)

    @classmethod
    def differentiable_backward(cls, ctx, g):
        if getattr(cls.user.backward, "once_differentiable", False):
            raise RuntimeError(f"trying to differentiate twice a function that was marked with "
                               f"@once_differentiable ({cls.user.__name__}.backward)")
        with enable_grad():
            return cls._call(ctx, g)

    @classmethod
    def _call(cls, ctx, g):
        grads = cls.user.backward(ctx, *_split(ctx, g))
        grads = grads if isinstance(grads, tuple) else (grads,)
        expected = len(ctx.needs_input_grad)
        if len(grads) > expected and all(x is None for x in grads[expected:]):
            grads = grads[:expected]  # PyTorch allows trailing Nones
        if len(grads) != expected:
            raise RuntimeError(f"function {cls.user.__name__}Backward returned an incorrect number of gradients "
                               f"(expected {expected}, got {len(grads)})")
        return tuple(None if not needs else x for x, needs in zip(grads, ctx.needs_input_grad))


def _split(ctx, g):
    """One gradient per output: the node's own for one output, else the packed gradient's slices (zeros for
    integer and non-differentiable outputs)."""
    if len(ctx.outputs) == 1:
        return (g,)
    grads = []
    for i, out in enumerate(ctx.outputs):
        if out is None:
            grads.append(None)
            continue
        shape, dtype, differentiable = out
        if not differentiable:
            grads.append(autograd.Tensor(np.zeros(shape, dtype=dtype)))
            continue
        part = g[int(ctx.offsets[i]):int(ctx.offsets[i + 1])].reshape(tuple(shape))
        grads.append(part if part.dtype == dtype else part.to(dtype))
    return tuple(grads)


for _name in ("ddp.autograd.function", "ddp.core.autograd.function"):
    sys.modules.setdefault(_name, sys.modules[__name__])
