"""ddp.autograd.functional (torch.autograd.functional): Jacobians and vector-Jacobian products of a
function of tensors, computed by ddp's reverse-mode engine.

The function is called once on detached copies of the inputs that require grad; a Jacobian then takes one
backward pass per output element (nothing is vectorised: `vectorize` is accepted and ignored, and
`strategy="forward-mode"` gives the same numbers by the same passes). Results are detached. ddp has no
higher-order gradients, so `create_graph=True`, `hessian`, `hvp` and `vhp` raise NotImplementedError.

This module is imported at the end of autograd.py, before Tensor exists: it reaches Tensor as
`autograd.Tensor` at call time, and registers itself under the dotted names `ddp.autograd.functional`
and `ddp.core.autograd.functional` so that `from ddp.autograd.functional import jacobian` works.
"""
import sys

import numpy as np

from . import autograd

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

NO_HIGHER_ORDER = ("ddp has no higher-order gradients (no double backward through the graph), so {what} "
                   "cannot be computed")


def _check_no_graph(create_graph, fn):
    if create_graph:
        raise NotImplementedError(f"{fn}(create_graph=True): " + NO_HIGHER_ORDER.format(what="a differentiable result"))


def _as_tuple(value, what, fn):
    """(whether `value` was a tuple, its items as a tuple); every item must be a Tensor."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    if not all(isinstance(t, autograd.Tensor) for t in items):
        raise TypeError(f"{fn}: {what} must be a Tensor or a tuple of Tensors, got {type(value).__name__}")
    return is_tuple, items


def _leaves(inputs):
    """Detached copies of `inputs` (same memory) that require grad: the roots of a fresh graph."""
    return tuple(t.detach().requires_grad_(True) for t in inputs)


def call(func, inputs, fn):
    """Run `func(*inputs)` with recording on; (whether it returned a tuple, its outputs as a tuple)."""
    with autograd.enable_grad():
        out = func(*inputs)
    return _as_tuple(out, "the outputs of the user-provided function", fn)


def pullback(outputs, inputs, cotangents):
    """sum over outputs of cotangent . d(output)/d(input), one array per input (None where no output
    depends on it). The graph is kept, so this can run again."""
    live = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if not live:
        return [None] * len(inputs)
    grads = autograd.grad([o for o, _ in live], list(inputs), [c for _, c in live], retain_graph=True,
                          allow_unused=True)
    return [None if g is None else g._data for g in grads]


def jacobian_blocks(outputs, inputs):
    """blocks[o][i]: d outputs[o] / d inputs[i] as an array of shape outputs[o].shape + inputs[i].shape, or
    None where outputs[o] does not depend on inputs[i]. One backward pass per output element."""
    blocks = []
    for out in outputs:
        size, shape = int(np.prod(out.shape, dtype=np.int64)), tuple(out.shape)
        rows = [None] * len(inputs)
        for k in range(size if out.requires_grad else 0):
            seed = np.zeros(size, dtype=out.dtype)
            seed[k] = 1
            for i, g in enumerate(pullback([out], inputs, [autograd.Tensor(seed.reshape(shape))])):
                if g is not None:
                    if rows[i] is None:
                        rows[i] = np.zeros((size,) + tuple(inputs[i].shape), dtype=inputs[i].dtype)
                    rows[i][k] = g
        blocks.append([None if r is None else r.reshape(shape + tuple(x.shape)) for r, x in zip(rows, inputs)])
    return blocks


def _filled(blocks, outputs, inputs, strict, fn):
    """`blocks` with zeros for missing ones (or RuntimeError naming the pair, when strict)."""
    filled = []
    for o, (row, out) in enumerate(zip(blocks, outputs)):
        for i, block in enumerate(row):
            if block is None and strict:
                raise RuntimeError(f"{fn}(strict=True): output {o} of the user-provided function does not depend "
                                   f"on input {i}")
        filled.append([autograd.Tensor(np.zeros(tuple(out.shape) + tuple(x.shape), dtype=x.dtype)) if b is None
                       else autograd.Tensor(b) for b, x in zip(row, inputs)])
    return filled


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of `func` at `inputs`: d out / d in of shape out.shape + in.shape, nested as
    PyTorch's (a Tensor for one output and one input; a tuple over inputs or outputs; a tuple of tuples).

    Args:
        func: takes the input Tensors, returns a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors (floating point).
        strict: raise if an output does not depend on an input (else its block is zeros).
        vectorize: accepted and ignored. strategy: "reverse-mode" or "forward-mode" (same passes here).
    Raises:
        TypeError: inputs or outputs are not Tensors. ValueError: an unknown strategy.
        NotImplementedError: create_graph=True.

    Example:
        >>> jacobian(lambda x: x ** 2, ddp.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    _check_no_graph(create_graph, "jacobian")
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', got {strategy!r}")
    in_tuple, inputs = _as_tuple(inputs, "the inputs", "jacobian")
    inputs = _leaves(inputs)
    out_tuple, outputs = call(func, inputs, "jacobian")
    blocks = _filled(jacobian_blocks(outputs, inputs), outputs, inputs, strict, "jacobian")
    rows = [tuple(row) if in_tuple else row[0] for row in blocks]
    return tuple(rows) if out_tuple else rows[0]


def _vectors(v, like, what, fn):
    """`v` as a tuple matching the tensors `like` in number and shapes; None only for one 1-element tensor."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"{fn}: v may be None only when the {what} is a single Tensor with one element")
        return (autograd.Tensor(np.ones(tuple(like[0].shape), dtype=like[0].dtype)),)
    _, v = _as_tuple(v, "v", fn)
    if len(v) != len(like):
        raise RuntimeError(f"{fn}: v has {len(v)} tensors but the {what} has {len(like)}")
    for i, (a, b) in enumerate(zip(v, like)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"{fn}: v[{i}] has shape {tuple(a.shape)}, but the {what}'s tensor {i} has shape "
                               f"{tuple(b.shape)}")
    return v


def _detached(values, is_tuple):
    values = tuple(t.detach() for t in values)
    return values if is_tuple else values[0]


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), v^T J): the vector-Jacobian product, one backward pass. `v` matches the outputs
    (None for a single one-element output). Both results are detached and nested as the outputs and
    inputs are.

    Example:
        >>> vjp(lambda x: x ** 2, ddp.tensor([1.0, 2.0]), ddp.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    _check_no_graph(create_graph, "vjp")
    in_tuple, inputs = _as_tuple(inputs, "the inputs", "vjp")
    inputs = _leaves(inputs)
    out_tuple, outputs = call(func, inputs, "vjp")
    v = _vectors(v, outputs, "output", "vjp")
    grads = pullback(outputs, inputs, v)
    result = []
    for i, (g, x) in enumerate(zip(grads, inputs)):
        if g is None and strict:
            raise RuntimeError(f"vjp(strict=True): the outputs of the user-provided function do not depend on "
                               f"input {i}")
        result.append(autograd.Tensor(np.zeros(tuple(x.shape), dtype=x.dtype) if g is None else g))
    return _detached(outputs, out_tuple), _detached(result, in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), J v): the Jacobian-vector product, here from the full Jacobian (one backward pass
    per output element). `v` matches the inputs (None for a single one-element input).

    Example:
        >>> jvp(lambda x: x ** 2, ddp.tensor([1.0, 2.0]), ddp.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    _check_no_graph(create_graph, "jvp")
    in_tuple, inputs = _as_tuple(inputs, "the inputs", "jvp")
    inputs = _leaves(inputs)
    v = _vectors(v, inputs, "input", "jvp")
    out_tuple, outputs = call(func, inputs, "jvp")
    blocks = _filled(jacobian_blocks(outputs, inputs), outputs, inputs, strict, "jvp")
    products = []
    for out, row in zip(outputs, blocks):
        total = np.zeros(tuple(out.shape), dtype=out.dtype)
        for block, t in zip(row, v):
            total = total + np.tensordot(block._data, t._data, axes=t.ndim)
        products.append(autograd.Tensor(total.astype(out.dtype)))
    return _detached(outputs, out_tuple), _detached(products, out_tuple)


def _second_order(name):
    def refuse(func, inputs, *args, **kwargs):
        raise NotImplementedError(f"autograd.functional.{name}: " + NO_HIGHER_ORDER.format(what="second derivatives"))

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = f"PyTorch's {name}; raises NotImplementedError: it needs second derivatives, which ddp lacks."
    return refuse


hessian, hvp, vhp = _second_order("hessian"), _second_order("hvp"), _second_order("vhp")

for _name in ("ddp.autograd.functional", "ddp.core.autograd.functional"):
    sys.modules.setdefault(_name, sys.modules[__name__])
