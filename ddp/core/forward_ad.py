"""torch.autograd.forward_ad: Jacobian-vector products through "dual" tensors, with PyTorch's API.

    with forward_ad.dual_level():
        x = forward_ad.make_dual(primal, tangent)
        y = f(x)
        jvp = forward_ad.unpack_dual(y).tangent      # J(primal) @ tangent

ddp has no forward-mode engine: a dual tensor is an ordinary tensor recorded in the graph, and its tangent
is kept beside it for the level. `unpack_dual(y)` computes J t from reverse mode, by the double-vjp trick:
g(u) = J^T u is recorded as a function of a stand-in cotangent u (create_graph=True), and J t is the
gradient of <g(u), t> with respect to u. So it takes two backward passes per unpack (not one forward), and
every op between the dual inputs and y must differentiate twice, which nearly all of ddp's do (an op that
does not raises NotImplementedError naming it). The values are forward mode's: tests compare them with
PyTorch's. J t stays differentiable (its second pass recorded) where it depends on tensors that require
grad, other than the dual inputs made from ones that did not: the primals behind them, or the tangents.
"""
import contextlib
import sys
from collections import namedtuple

from . import autograd
from . import tensor as _tensor  # the module: autograd imports this one while tensor.py is still loading

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])

#: The open level: None, or the list of (dual tensor, tangent, made as a fresh leaf) pairs made in it.
_duals = None


def enter_dual_level():
    """Open the forward-AD level (PyTorch allows one at a time); returns its index, 0."""
    global _duals
    if _duals is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _duals = []
    return 0


def exit_dual_level(*, level=None):
    """Close the level: the dual tensors made in it lose their tangents."""
    global _duals
    if _duals is None:
        raise RuntimeError("Trying to exit a forward AD level that was not entered")
    _duals = None


@contextlib.contextmanager
def dual_level():
    """The scope in which dual tensors carry tangents."""
    enter_dual_level()
    try:
        yield 0
    finally:
        exit_dual_level()


def make_dual(tensor, tangent, *, level=None):
    """A tensor with `tensor`'s values, carrying `tangent` (same shape) as its forward derivative. Gradients
    still flow back to `tensor` when it requires grad."""
    if _duals is None:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if not isinstance(tensor, _tensor.Tensor) or not isinstance(tangent, _tensor.Tensor):
        raise TypeError("make_dual: expected the primal and the tangent to be Tensors")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(f"make_dual: expected the tangent to have the primal's shape {tuple(tensor.shape)}, "
                           f"got {tuple(tangent.shape)}")
    if not tensor.dtype.kind == "f" or not tangent.dtype.kind == "f":
        raise ValueError(f"make_dual: expected floating-point primal and tangent, got {tensor.dtype} and "
                         f"{tangent.dtype}")
    fresh = not tensor.requires_grad
    with autograd.enable_grad():
        dual = tensor.detach().requires_grad_() if fresh else tensor.view_as(tensor)
    _duals.append((dual, tangent.to(tensor.dtype), fresh))  # a tangent that requires grad stays in the graph
    return dual


def unpack_dual(tensor, *, level=None):
    """(primal, tangent) of `tensor`: its value, and J t, the derivative along the tangents of the dual
    tensors it was computed from (None when it depends on none, or outside the level)."""
    if _duals is None or not isinstance(tensor, _tensor.Tensor) or not tensor.requires_grad or tensor.dtype.kind != "f":
        return UnpackedDualTensor(tensor, None)
    if any(tensor is d for d, _, _ in _duals):
        tangent = next(t for d, t, _ in _duals if d is tensor)
        return UnpackedDualTensor(_primal(tensor), tangent)
    duals = [d for d, _, _ in _duals]
    connected = _reaches_outside(tensor)
    record = connected or any(t.requires_grad for _, t, _ in _duals)  # J t is then differentiable again
    primal = tensor if connected else tensor.detach()
    with autograd.enable_grad():
        u = _tensor.Tensor(tensor._data * 0).requires_grad_()
        pulled = autograd.grad(tensor, duals, grad_outputs=u, create_graph=True, allow_unused=True)
        pairs = [(g * t).sum() for g, (_, t, _) in zip(pulled, _duals) if g is not None and g.requires_grad]
        if not pairs:
            return UnpackedDualTensor(primal, None)
        (tangent,) = autograd.grad(sum(pairs[1:], pairs[0]), u, retain_graph=True, create_graph=record,
                                   allow_unused=True)
    if tangent is None:  # J^T u did not depend on u: J is zero along these tangents
        tangent = _tensor.Tensor(tensor._data * 0)
    return UnpackedDualTensor(primal, tangent if record and _reaches_outside(tangent) else tangent.detach())


def _primal(tensor):
    """`tensor` as unpack_dual returns it: see _reaches_outside."""
    return tensor if _reaches_outside(tensor) else tensor.detach()


def _reaches_outside(tensor):
    """Whether `tensor`'s graph reaches a tensor that requires grad other than the fresh leaves make_dual
    made: then it stays in the graph, else it is a result that PyTorch would not record."""
    if not tensor.requires_grad:
        return False
    fresh = {id(d) for d, _, made in _duals if made}
    seen, stack = set(), [tensor.grad_fn if tensor.grad_fn is not None else tensor]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, _tensor.Tensor):
            if node.requires_grad and id(node) not in fresh:
                return True
            continue
        stack.extend(e for e in getattr(node, "edges", ()) if e is not None)
    return False


for _name in ("ddp.autograd.forward_ad", "ddp.core.autograd.forward_ad"):
    sys.modules.setdefault(_name, sys.modules[__name__])
