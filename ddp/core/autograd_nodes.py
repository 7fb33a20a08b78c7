"""torch.autograd.graph: the recorded graph's nodes as PyTorch shows them, and the hooks on them.

    acc = p.view_as(p).grad_fn.next_functions[0][0]      # p's AccumulateGrad (one per leaf)
    acc.register_hook(lambda grad_inputs, grad_outputs: ...)   # p.grad is ready: Horovod's trigger

- `Node`: what `tensor.grad_fn` and `next_functions` hold (ddp's Context and AccumulateGrad) for isinstance;
  each has `name()`, `next_functions`, `metadata`, `register_prehook(fn(grad_outputs))` and
  `register_hook(fn(grad_inputs, grad_outputs))` (autograd.py runs them).
- `register_multi_grad_hook(tensors, fn)`: one call once the gradients of all the tensors that this backward
  reaches are known (mode "all"), or at the first of them (mode "any").
- `GradientEdge` / `get_gradient_edge`, `increment_version`; `saved_tensors_hooks`,
  `disable_saved_tensors_hooks` and `save_on_cpu` (which has nothing to move) live in autograd_saved_hooks.py.
"""
import abc
import sys
from collections import namedtuple

from . import autograd
from .autograd import AccumulateGrad, Context
from .autograd_saved_hooks import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks  # noqa: F401

__all__ = ["Node", "GradientEdge", "get_gradient_edge", "register_multi_grad_hook", "increment_version",
           "save_on_cpu", "saved_tensors_hooks", "disable_saved_tensors_hooks"]


class Node(abc.ABC):
    """A node of the backward graph: a recorded op (`tensor.grad_fn`) or a leaf's AccumulateGrad."""

    @abc.abstractmethod
    def name(self):
        """The node's name, e.g. "MulBackward0" or "AccumulateGrad"."""

    @property
    @abc.abstractmethod
    def next_functions(self):
        """((node, 0) or (None, 0), ...): where each forward input's gradient goes."""


Node.register(Context)
Node.register(AccumulateGrad)

GradientEdge = namedtuple("GradientEdge", ["node", "output_nr"])


def get_gradient_edge(tensor):
    """Where `tensor`'s gradient goes: (its grad_fn, or its AccumulateGrad for a leaf, 0)."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require "
                           "gradients")
    node = tensor.grad_fn if tensor.grad_fn is not None else AccumulateGrad.of(tensor)
    return GradientEdge(node, 0)


class _Handles:
    """Removes every tensor hook that one multi-grad hook registered."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for handle in self.handles:
            handle.remove()


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Call `fn` once per backward for a group of tensors.

    mode "all": `fn(grads)` once the gradient of every tensor this backward reaches is computed, `grads` a list
    in the tensors' order with None for those it does not reach. mode "any": `fn(grad)` with the first
    gradient computed. Returns a handle whose `remove()` removes the hook.
    """
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    current = {"nodes": None}  # this backward's reachable nodes, and what the hook gathered in it

    def started(nodes):
        """Whether this call is the first of a new backward."""
        if nodes is None:
            raise AssertionError("expected this hook to be called inside a backward call")
        if current["nodes"] is nodes:
            return False
        current["nodes"] = nodes
        return True

    def hook_for(i):
        def hook(grad):
            nodes = autograd._local.backward_nodes
            if mode == "any":
                if started(nodes):
                    fn(grad)
                return
            if started(nodes):
                current["waiting"] = sum(id(autograd._node_of(t)) in nodes for t in tensors)
                current["grads"] = [None] * len(tensors)
            current["grads"][i] = grad
            current["waiting"] -= 1
            if current["waiting"] == 0:
                fn(current["grads"])

        return hook

    return _Handles([t.register_hook(hook_for(i)) for i, t in enumerate(tensors)])


def increment_version(tensor):
    """Mark `tensor` (or each of an iterable of them) as modified in place, so that a backward that saved it
    raises instead of using the changed values."""
    for t in (tensor,) if hasattr(tensor, "_bump_version") else tensor:
        t._bump_version()




for _name in ("ddp.autograd.graph", "ddp.core.autograd.graph"):
    sys.modules.setdefault(_name, sys.modules[__name__])
