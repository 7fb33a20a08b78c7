"""Backward that records a graph of its own (`create_graph=True`), so that gradients can be differentiated
again: gradient penalties, Hessian-vector products, physics-informed losses, MAML.

It walks the recorded graph exactly as `autograd.run_backward` does (same order, same hooks, same checks),
but gradients are Tensors and each node's op computes its input gradients with Tensor ops in
`differentiable_backward(ctx, g)`, with recording on. The first-order engine stays as it is: numpy arrays,
no graph, no cost for this. An op without a differentiable backward raises NotImplementedError naming it.
"""
import heapq

import numpy as np

from . import autograd
from .autograd import FREED_MESSAGE, Context, _check_saved_versions, _dependencies, _node_of, enable_grad


def unbroadcast(grad, shape):
    """Tensor `grad` summed over the axes broadcasting added or stretched, so that it has `shape`."""
    if tuple(grad.shape) == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    stretched = tuple(extra + i for i, s in enumerate(shape) if s == 1 and grad.shape[extra + i] != 1)
    axes = tuple(range(extra)) + stretched
    return (grad.sum(dim=axes, keepdim=True) if axes else grad).reshape(tuple(shape))


def _as_tensor(g):
    return g if isinstance(g, autograd.Tensor) else autograd.Tensor(np.asarray(g))


def differentiable_backward_of(node):
    """The node's op's Tensor-level backward; NotImplementedError when the op has none."""
    fn = node.fn
    backward = getattr(fn, "differentiable_backward", None)
    if backward is None:
        raise NotImplementedError(
            f"create_graph=True: {node.name()} cannot be differentiated again: {fn.__name__} has no "
            f"differentiable_backward in ddp yet (its first-order gradient works without create_graph)")
    return backward


def run_backward_graph(outputs, grads, retain_graph=True, capture=None, stop_at_capture=False):
    """`autograd.run_backward` with Tensor gradients that carry their own graph.

    `grads` are Tensors (one per output). Without `capture`, gradients accumulate into leaves' `.grad` out of
    place (`grad = grad + g`, so an earlier `.grad` is not changed under a graph that read it); with
    `capture`, the gradient reaching each captured tensor is returned (None where none arrived), and with
    `stop_at_capture` the walk goes no further than the captured tensors (none may lie behind another).
    """
    with enable_grad():
        return _walk(outputs, [_as_tensor(g) for g in grads], retain_graph, capture, stop_at_capture)


def backward_by_recompute(ctx, g, forward, inputs):
    """A fused op's recorded backward from its forward written in Tensor ops: run `forward(*inputs)` again on
    the op's recorded inputs and differentiate it (create_graph), walking no further than those inputs.

    `inputs` holds one value per forward argument (`ctx.operand(i, ...)`: the recorded Tensor, or a constant);
    returns one gradient per argument, None where none is needed. Costs a second forward, only under
    create_graph=True; the fused first-order backward is untouched.
    """
    needs = ctx.needs_input_grad
    stand_ins = [x.view_as(x) if need else x for x, need in zip(inputs, needs)]
    with enable_grad():
        out = forward(*stand_ins)
    wanted = [x for x, need in zip(stand_ins, needs) if need]
    found = iter(run_backward_graph([out], [g], retain_graph=True, capture=wanted, stop_at_capture=True))
    return tuple(next(found) if need else None for need in needs)


def _walk(outputs, grads, retain_graph, capture, stop_at_capture=False):
    roots, pending = [], {}
    for t, g in zip(outputs, grads):
        node = _node_of(t)
        if id(node) not in pending:
            roots.append(node)
            pending[id(node)] = g
        else:
            pending[id(node)] = pending[id(node)] + g
    captured = {} if capture is None else {id(_node_of(t)): None for t in capture}
    deps, _ = _dependencies(roots, captured if stop_at_capture else ())
    with autograd.reaching(roots, deps, capture):
        return _walk_nodes(roots, pending, deps, captured, grads, retain_graph, capture, stop_at_capture)


def _walk_nodes(roots, pending, deps, captured, grads, retain_graph, capture, stop_at_capture):
    handed_in = {id(g) for g in grads}  # the caller's tensors: a leaf's .grad gets a copy, not the caller's own

    def finish_leaf(leaf, g):
        if capture is not None and id(leaf) not in captured:
            return  # a leaf that autograd.grad does not ask for: its hooks do not run
        for hook in list(leaf._hooks.values()) if leaf._hooks else ():
            new = hook(g)
            if new is not None:
                g = new
        if capture is not None:
            captured[id(leaf)] = g
            return
        if not leaf._requires_grad:
            return
        acc = leaf._accumulator
        if acc is not None and acc.node_pre_hooks:
            g = autograd.node_pre_hooks(acc, g, _as_tensor, _as_tensor)
        if g.dtype != leaf.dtype:
            g = g.to(leaf.dtype)
        if leaf.grad is None:
            leaf.grad = g.clone() if id(g) in handed_in else g
        else:
            leaf.grad = leaf.grad + g
        for hook in list(leaf._post_accumulate_hooks.values()) if leaf._post_accumulate_hooks else ():
            hook(leaf)
        if acc is not None and acc.node_post_hooks:
            autograd.accumulator_post_hooks(acc, g, _as_tensor)

    ready = []
    for node in roots:
        if deps[id(node)] == 0:
            if isinstance(node, Context):
                heapq.heappush(ready, (-node.seq, id(node), node))
            else:
                finish_leaf(node, pending.pop(id(node)))
    while ready:
        _, key, node = heapq.heappop(ready)
        g = pending.pop(key, None)
        parents = node.parents
        if g is None:
            grads_in = (None,) * len(parents)
        else:
            for hook in list(node.hooks.values()) if node.hooks else ():
                new = hook(g)
                if new is not None:
                    g = new
            if key in captured:
                captured[key] = g
                if stop_at_capture:
                    continue
            if node.node_pre_hooks:
                g = autograd.node_pre_hooks(node, g, _as_tensor, _as_tensor)
            if node._freed:
                raise RuntimeError(FREED_MESSAGE)
            _check_saved_versions(node)
            grads_in = differentiable_backward_of(node)(node, g)
            if type(grads_in) is not tuple:
                grads_in = (grads_in,)
            if len(grads_in) != len(parents):
                raise RuntimeError(f"{node.fn.__name__}.differentiable_backward returned {len(grads_in)} "
                                   f"gradients, expected {len(parents)} (one per forward argument)")
            if node.node_post_hooks:
                grads_in = autograd.node_post_hooks(node, grads_in, g, _as_tensor, _as_tensor, unbroadcast)
            if not retain_graph:
                node._release()
        for p, child, gp in zip(parents, node.edges, grads_in):
            if p is None:
                continue
            ckey = id(child)
            if gp is not None:
                gp = _as_tensor(gp)
                shape = child._out_shape if type(child) is Context else p._data.shape
                if tuple(gp.shape) != tuple(shape):
                    gp = unbroadcast(gp, shape)
                if gp.dtype != p.dtype and p._data.dtype.kind == "f":
                    gp = gp.to(p.dtype)
                pending[ckey] = gp if ckey not in pending else pending[ckey] + gp
            deps[ckey] -= 1
            if deps[ckey] == 0:
                if isinstance(child, Context):
                    heapq.heappush(ready, (-child.seq, ckey, child))
                elif ckey in pending:
                    finish_leaf(child, pending.pop(ckey))
    if capture is not None:
        return [captured[id(_node_of(t))] for t in capture]
    return None

