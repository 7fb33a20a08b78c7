"""torch.autograd.functional: jacobian, vjp, jvp, hessian, hvp and vhp of a function of Tensors.

Everything is built on reverse-mode backward passes: a Jacobian takes one pass per output element (nothing
is vectorised: `vectorize` is accepted and ignored, and `strategy="forward-mode"` gives the same numbers by
the same passes). Second derivatives (hessian, hvp, vhp) differentiate a gradient recorded with
create_graph=True (autograd_graph). Results are detached unless `create_graph=True`, where their graph
reaches the caller's inputs (those that require grad), as PyTorch's does.

This module is imported at the end of autograd.py, before Tensor exists: it reaches Tensor as
`autograd.Tensor` at call time, and registers itself under the dotted names `ddp.autograd.functional`
and `ddp.core.autograd.functional` so that `from ddp.autograd.functional import jacobian` works.
"""
import sys

import numpy as np

from . import autograd

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _as_tuple(value, what, fn):
    """(whether `value` was a tuple, its items as a tuple); every item must be a Tensor."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    if not all(isinstance(t, autograd.Tensor) for t in items):
        raise TypeError(f"{fn}: {what} must be a Tensor or a tuple of Tensors, got {type(value).__name__}")
    return is_tuple, items


def roots(inputs, create_graph):
    """The tensors `func` is run on: detached copies that require grad (same memory), the roots of a fresh
    graph; with create_graph, a recorded view of each input that requires grad instead, so that the
    results' graph reaches the caller's tensor."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(True)
                 for t in inputs)


def call(func, inputs, fn):
    """Run `func(*inputs)` with recording on; (whether it returned a tuple, its outputs as a tuple)."""
    with autograd.enable_grad():
        out = func(*inputs)
    return _as_tuple(out, "the outputs of the user-provided function", fn)


def pullback(outputs, inputs, cotangents, create_graph=False, stop_at_inputs=False):
    """sum over outputs of cotangent . d(output)/d(input), one Tensor per input (None where no output
    depends on it); with create_graph the Tensors carry their own graph, and with stop_at_inputs as well
    its walk goes no further than the inputs (fresh roots: none lies behind another), so the graph
    behind an aliased input is neither recomputed nor needed. The graph is kept, so this can run again."""
    live = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if not live:
        return [None] * len(inputs)
    outputs, cotangents = [o for o, _ in live], [c for _, c in live]
    with autograd.enable_grad():
        if not (create_graph and stop_at_inputs):
            return list(autograd.grad(outputs, list(inputs), cotangents, retain_graph=True,
                                      create_graph=create_graph, allow_unused=True))
        grads = autograd._as_grad_list(outputs, cotangents, keep_tensors=True)
        found = autograd.autograd_graph.run_backward_graph(outputs, grads, retain_graph=True, capture=list(inputs),
                                                           stop_at_capture=True)
    return [None if g is None else g if g.dtype == x.dtype else g.to(x.dtype) for g, x in zip(found, inputs)]


def jacobian_blocks(outputs, inputs, create_graph=False, stop_at_inputs=False):
    """blocks[o][i]: d outputs[o] / d inputs[i] as a Tensor of shape outputs[o].shape + inputs[i].shape, or
    None where outputs[o] does not depend on inputs[i]. One backward pass per output element; with
    create_graph the rows are stacked by a recorded op, so the blocks can be differentiated again
    (stop_at_inputs: as pullback's)."""
    from .ops.shape import Stack  # the ops import autograd: at call time, not while it loads

    blocks = []
    for out in outputs:
        size, shape = int(np.prod(out.shape, dtype=np.int64)), tuple(out.shape)
        rows = [[None] * size for _ in inputs]
        for k in range(size if out.requires_grad else 0):
            seed = np.zeros(size, dtype=out.dtype)
            seed[k] = 1
            seed = [autograd.Tensor(seed.reshape(shape))]
            for i, g in enumerate(pullback([out], inputs, seed, create_graph, stop_at_inputs)):
                rows[i][k] = g
        row_blocks = []
        for x, column in zip(inputs, rows):
            if all(g is None for g in column):
                row_blocks.append(None)
                continue
            zeros = autograd.Tensor(np.zeros(tuple(x.shape), dtype=x.dtype))
            column = [zeros if g is None else g for g in column]
            with autograd.set_grad_enabled(create_graph):
                stacked = Stack.apply(*column, dim=0) if column else autograd.Tensor(
                    np.zeros((0,) + tuple(x.shape), dtype=x.dtype))
                row_blocks.append(stacked.reshape(shape + tuple(x.shape)))
        blocks.append(row_blocks)
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
                       else b for b, x in zip(row, inputs)])
    return filled


def _finished(values, is_tuple, create_graph):
    """The results as the caller gets them: detached unless create_graph; a tuple or its one item."""
    values = tuple(values) if create_graph else tuple(t.detach() for t in values)
    return values if is_tuple else values[0]


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of `func` at `inputs`: d out / d in of shape out.shape + in.shape, nested as
    PyTorch's (a Tensor for one output and one input; a tuple over inputs or outputs; a tuple of tuples).

    Args:
        func: takes the input Tensors, returns a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors (floating point).
        create_graph: make the Jacobian differentiable (its graph reaches the inputs that require grad).
        strict: raise if an output does not depend on an input (else its block is zeros).
        vectorize: accepted and ignored. strategy: "reverse-mode" or "forward-mode" (same passes here).
    Raises:
        TypeError: inputs or outputs are not Tensors. ValueError: an unknown strategy.

    Example:
        >>> jacobian(lambda x: x ** 2, ddp.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', got {strategy!r}")
    in_tuple, inputs = _as_tuple(inputs, "the inputs", "jacobian")
    inputs = roots(inputs, create_graph)
    out_tuple, outputs = call(func, inputs, "jacobian")
    blocks = _filled(jacobian_blocks(outputs, inputs, create_graph), outputs, inputs, strict, "jacobian")
    rows = [_finished(row, in_tuple, create_graph) for row in blocks]
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


def _zeros_for_unused(grads, inputs, strict, fn, what):
    """`grads` with zeros where an input was not used (RuntimeError naming it, when strict)."""
    result = []
    for i, (g, x) in enumerate(zip(grads, inputs)):
        if g is None and strict:
            raise RuntimeError(f"{fn}(strict=True): {what} of the user-provided function do not depend on input {i}")
        result.append(autograd.Tensor(np.zeros(tuple(x.shape), dtype=x.dtype)) if g is None else g)
    return result


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), v^T J): the vector-Jacobian product, one backward pass. `v` matches the outputs
    (None for a single one-element output). Both results are nested as the outputs and inputs are, and
    detached unless create_graph.

    Example:
        >>> vjp(lambda x: x ** 2, ddp.tensor([1.0, 2.0]), ddp.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    in_tuple, inputs = _as_tuple(inputs, "the inputs", "vjp")
    inputs = roots(inputs, create_graph)
    out_tuple, outputs = call(func, inputs, "vjp")
    v = _vectors(v, outputs, "output", "vjp")
    grads = _zeros_for_unused(pullback(outputs, inputs, v, create_graph), inputs, strict, "vjp", "the outputs")
    return _finished(outputs, out_tuple, create_graph), _finished(grads, in_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), J v): the Jacobian-vector product, here from the full Jacobian (one backward pass
    per output element). `v` matches the inputs (None for a single one-element input).

    Example:
        >>> jvp(lambda x: x ** 2, ddp.tensor([1.0, 2.0]), ddp.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    in_tuple, inputs = _as_tuple(inputs, "the inputs", "jvp")
    inputs = roots(inputs, create_graph)
    v = _vectors(v, inputs, "input", "jvp")
    out_tuple, outputs = call(func, inputs, "jvp")
    blocks = _filled(jacobian_blocks(outputs, inputs, create_graph), outputs, inputs, strict, "jvp")
    with autograd.set_grad_enabled(create_graph):
        products = [contract(out, row, v) for out, row in zip(outputs, blocks)]
    return _finished(outputs, out_tuple, create_graph), _finished(products, out_tuple, create_graph)


def contract(out, blocks, tangents):
    """sum over inputs of block . tangent (each block of shape out.shape + input.shape) in out's dtype,
    as recorded matrix-vector products."""
    total = None
    for block, t in zip(blocks, tangents):
        if block is None:
            continue
        n, m = int(np.prod(out.shape, dtype=np.int64)), int(np.prod(t.shape, dtype=np.int64))
        term = (block.reshape(n, m) @ t.to(block.dtype).reshape(m)).reshape(tuple(out.shape))
        total = term if total is None else total + term
    return total.to(out.dtype) if total is not None else autograd.Tensor(np.zeros(tuple(out.shape), out.dtype))


def _scalar_output(func, inputs, fn):
    """func(*inputs), which must be one Tensor of one element (TypeError / RuntimeError otherwise)."""
    with autograd.enable_grad():
        out = func(*inputs)
    if not isinstance(out, autograd.Tensor):
        raise TypeError(f"{fn}: the function given to {fn} should return a single Tensor, got "
                        f"{type(out).__name__}")
    if out.numel() != 1:
        raise RuntimeError(f"{fn}: the Tensor returned by the function given to {fn} should contain a single "
                           f"element, got shape {tuple(out.shape)}")
    return out


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of scalar-valued `func` at `inputs`: the Jacobian of its gradient (recorded with
    create_graph=True), a block d2 out / d in_i d in_j of shape in_i.shape + in_j.shape for each pair,
    nested as a tuple of tuples for a tuple of inputs.

    Example:
        >>> hessian(lambda x: (x ** 3).sum(), ddp.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    in_tuple, inputs = _as_tuple(inputs, "the inputs", "hessian")

    def gradient(*xs):
        out = _scalar_output(func, xs, "hessian")
        grads = pullback([out], xs, [autograd.Tensor(np.ones(tuple(out.shape), out.dtype))], create_graph=True)
        return tuple(_zeros_for_unused(grads, xs, strict, "hessian", "the output"))

    blocks = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, strategy=outer_jacobian_strategy)
    return blocks if in_tuple else blocks[0][0]


def _second_product(func, inputs, v, create_graph, strict, fn):
    """(func(*inputs), v^T H) for scalar-valued func: the gradient recorded, then pulled back along v."""
    in_tuple, inputs = _as_tuple(inputs, "the inputs", fn)
    inputs = roots(inputs, create_graph)
    out = _scalar_output(func, inputs, fn)
    v = _vectors(v, inputs, "input", fn)
    grads = pullback([out], inputs, [autograd.Tensor(np.ones(tuple(out.shape), out.dtype))], create_graph=True)
    grads = _zeros_for_unused(grads, inputs, strict, fn, "the output")
    product = _zeros_for_unused(pullback(grads, inputs, v, create_graph), inputs, strict, fn, "the gradients")
    return _finished((out,), False, create_graph), _finished(product, in_tuple, create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), v^T H): the vector-Hessian product of scalar-valued `func`, by two backward passes
    (the first recorded). `v` matches the inputs.

    Example:
        >>> vhp(lambda x: (x ** 3).sum(), ddp.tensor([1.0, 2.0]), ddp.ones(2))
        (tensor(9.), tensor([ 6., 12.]))
    """
    return _second_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), H v): the Hessian-vector product of scalar-valued `func`. The Hessian of a twice
    continuously differentiable function is symmetric, so H v = v^T H, computed by the same two backward
    passes as vhp (PyTorch's hvp takes a longer route to the same numbers).

    Example:
        >>> hvp(lambda x: (x ** 3).sum(), ddp.tensor([1.0, 2.0]), ddp.ones(2))
        (tensor(9.), tensor([ 6., 12.]))
    """
    return _second_product(func, inputs, v, create_graph, strict, "hvp")


for _name in ("ddp.autograd.functional", "ddp.core.autograd.functional"):
    sys.modules.setdefault(_name, sys.modules[__name__])
