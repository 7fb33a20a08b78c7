"""Levels for ddp.func: one per call of a differentiating transform (grad, vjp, jacrev, jvp...).

A transform differentiates with respect to stand-ins of its inputs (its roots), while the caller's graph
goes on outside it: PyTorch's "levels". ddp has one tape, so a level tells the two apart:

- a root is a recorded alias (`x.view_as(x)`) of an input that requires grad outside, so results reach
  the caller's tensor; otherwise a fresh leaf, a constant for everyone outside the level;
- a tensor is a variable outside the level when it requires grad and is a user's leaf (or another
  autograd API's) or a root of an enclosing level that is still open; the roots of other levels (finished
  or inner ones) are constants to it;
- the inner passes are recorded (create_graph) only when the differentiated outputs (or given
  cotangents and tangents) reach such a variable, so plain uses (per-sample gradients of detached
  parameters) cost what they did; and a result comes back detached unless it reaches one, as PyTorch's.
"""
import itertools
import threading

from . import autograd
from .func_pytree import tree_map
from .tensor import Tensor

_open = threading.local()  # .ids: the ids of this thread's open levels, innermost last
_ids = itertools.count(1)


class Level:
    """One transform call: makes its roots and says what the caller's graph can see of a result."""

    def __init__(self):
        self.id = next(_ids)
        self.outer = frozenset(getattr(_open, "ids", ()))
        # under no_grad nothing outside records, so nothing outside is a variable (PyTorch's rule)
        self.recording = autograd.is_grad_enabled()
        self.aliases = set()  # the nodes of roots that alias a tensor requiring grad outside

    def __enter__(self):
        self._previous = getattr(_open, "ids", ())
        _open.ids = self._previous + (self.id,)
        self._grad = autograd.enable_grad()
        self._grad.__enter__()
        return self

    def __exit__(self, *exc):
        self._grad.__exit__(*exc)
        _open.ids = self._previous

    def root(self, x):
        """The stand-in the function runs on for input `x`."""
        if self.recording and x.requires_grad:
            alias = x.view_as(x)
            self.aliases.add(id(alias.grad_fn))
            return alias
        fresh = x.detach().requires_grad_(True)
        fresh._func_level = self.id
        return fresh

    def _variable(self, leaf):
        level = getattr(leaf, "_func_level", None)
        return leaf.requires_grad and (level is None or level in self.outer)

    def reaches_outside(self, tensors):
        """Whether any of `tensors` depends on a variable outside this level (through its graph)."""
        if not self.recording or not autograd.is_grad_enabled():
            return False
        stack = [t if t.grad_fn is None else t.grad_fn for t in tensors
                 if isinstance(t, Tensor) and t.requires_grad]
        seen = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, Tensor):
                if self._variable(node):
                    return True
            elif id(node) in self.aliases:
                return True
            else:
                stack.extend(e for e in node.edges if e is not None)
        return False

    def finish(self, tree):
        """`tree` as the caller gets it: each Tensor kept in the graph where it reaches a variable outside,
        else detached."""
        return tree_map(lambda t: t if not isinstance(t, Tensor) or self.reaches_outside([t]) else t.detach(),
                        tree)
