"""Activation checkpointing (torch.utils.checkpoint): trade compute for memory by not keeping a segment's
activations between forward and backward, and running the segment again in backward to get them back.

`checkpoint(fn, *args)` runs `fn` once, recording its graph only to learn what it reads from outside (its
tensor arguments, the parameters and any other tensor it uses), then drops that graph: one node stands for
the whole segment, holding its inputs and outputs alone. Its backward runs `fn` again on the same inputs
with the random state of the first run (dropout draws the same masks) and differentiates the new graph,
so the segment's intermediate arrays live only while it runs. A model checkpointed in segments then peaks
at its segment boundaries plus one segment. The gradients are those of the plain model: parameters
receive theirs through the node's edges, so their hooks (and DistributedDataParallel's) fire as usual.

Saving a training run to disk is another matter: see ddp.parallel.checkpoint.
"""
import warnings

from ..core import autograd
from ..core.autograd import Context, Function, enable_grad, is_grad_enabled, no_grad
from ..core.random import fork_rng, get_rng_state, set_rng_state
from ..core.tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential"]


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default", debug=False,
               early_stop=True, preserve_rng_state=True, **kwargs):
    """`function(*args, **kwargs)`, whose activations are recomputed in backward instead of kept.

    Args:
        use_reentrant: PyTorch's two variants, which differ here only in what needs a gradient: with True,
            the output requires grad only if a tensor argument does (the parameters alone do not suffice,
            and PyTorch warns that gradients will be None); with False, as soon as anything the function
            reads requires grad. Not given: True, with PyTorch's warning to pass it.
        preserve_rng_state: replay the random draws of the first run in the recomputation (default).
        determinism_check: "default" checks that the recomputation gives outputs of the same shapes and
            dtypes; "none" skips it.
        context_fn, debug, early_stop: PyTorch's; only their defaults are supported (context_fn=None).
    Returns:
        what `function` returns: a Tensor, or a tuple (or list) whose floating Tensors carry gradients.
    Raises:
        NotImplementedError: a `context_fn`. ValueError: keyword arguments with use_reentrant=True (as
        PyTorch), or an unknown determinism_check. RuntimeError (in backward): the recomputation gave
        outputs of other shapes, or an argument was modified in place since the forward.

    Example:
        >>> y = checkpoint(block, x, use_reentrant=False)  # block's activations are not kept
    """
    if use_reentrant is None:
        warnings.warn("checkpoint: pass use_reentrant explicitly (False is recommended); without it ddp, like "
                      "PyTorch, uses use_reentrant=True", stacklevel=2)
        use_reentrant = True
    if context_fn is not None:
        raise NotImplementedError("checkpoint: context_fn is not supported by ddp")
    if determinism_check not in ("default", "none"):
        raise ValueError(f"checkpoint: determinism_check must be 'default' or 'none', got {determinism_check!r}")
    if use_reentrant and kwargs:
        raise ValueError(f"Unexpected keyword arguments: {','.join(kwargs)}")
    if not is_grad_enabled():
        return function(*args, **kwargs)
    if use_reentrant and not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)
        with no_grad():
            return function(*args, **kwargs)
    segment = _Segment(function, args, kwargs, preserve_rng_state, determinism_check == "default")
    return segment.forward()


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or a list of modules) in `segments` chunks, each but the last checkpointed, as
    PyTorch splits it: chunks of len(functions) // segments modules, the last taking the rest."""
    functions = list(functions.children()) if hasattr(functions, "children") else list(functions)
    if use_reentrant is None:
        warnings.warn("checkpoint_sequential: pass use_reentrant explicitly (False is recommended); without it "
                      "ddp, like PyTorch, uses use_reentrant=True", stacklevel=2)
        use_reentrant = True
    size = len(functions) // segments
    end = 0
    for start in range(0, size * (segments - 1), size):
        end = start + size
        input = checkpoint(_chain(functions[start:end]), input, use_reentrant=use_reentrant, **kwargs)
    return _chain(functions[end:])(input)


def _chain(modules):
    def run(x):
        for m in modules:
            x = m(x)
        return x
    return run


class _Segment:
    """One checkpointed call: what it needs to run again, and the tensors it reads from outside."""

    def __init__(self, function, args, kwargs, preserve_rng_state, check):
        self.function, self.args, self.kwargs, self.check = function, args, kwargs, check
        self.rng = get_rng_state() if preserve_rng_state else None

    def forward(self):
        mark = autograd.sequence_mark()
        outputs = self.function(*self.args, **self.kwargs)
        flat = [outputs] if isinstance(outputs, Tensor) else list(outputs)
        tracked = [i for i, o in enumerate(flat) if isinstance(o, Tensor) and o.requires_grad]
        self.reads = _reads(self.args, [flat[i] for i in tracked], mark)
        self.metadata = [(tuple(o.shape), o.dtype) for o in flat if isinstance(o, Tensor)]
        for i in tracked:  # each output becomes one node over the segment's reads; its recorded graph goes
            flat[i] = CheckpointFunction.apply(*self.reads, segment=self, index=i, data=flat[i]._data)
        if isinstance(outputs, Tensor):
            return flat[0]
        return type(outputs)(flat) if isinstance(outputs, (tuple, list)) else flat

    def gradients(self, index, g):
        """Gradients of output `index` (upstream gradient `g`, an array) for each of `self.reads`."""
        copies = {id(t): t.detach().requires_grad_(t.requires_grad) for t in self.args if isinstance(t, Tensor)}
        args = [copies[id(a)] if isinstance(a, Tensor) else a for a in self.args]
        with enable_grad(), fork_rng(enabled=self.rng is not None):
            if self.rng is not None:
                set_rng_state(self.rng)
            outputs = self.function(*args, **self.kwargs)
        flat = [outputs] if isinstance(outputs, Tensor) else list(outputs)
        if self.check and [(tuple(o.shape), o.dtype) for o in flat if isinstance(o, Tensor)] != self.metadata:
            raise RuntimeError("checkpoint: the recomputation gave outputs of other shapes or dtypes than the "
                               "forward did (the function is not deterministic in its shapes)")
        targets = [copies.get(id(t), t) for t in self.reads]
        return autograd.run_backward([flat[index]], [g], retain_graph=True, capture=targets)


class CheckpointFunction(Function):
    """One output of a checkpointed segment: its inputs are everything the segment reads; backward runs
    the segment again (`_Segment.gradients`)."""

    float32_results = False  # the output keeps the dtype the segment gave it

    @staticmethod
    def forward(ctx, *reads, segment, index, data):
        ctx.save_for_backward(*reads)  # an argument modified in place before backward is then an error
        ctx.segment, ctx.index = segment, index
        return data.view()  # a view: Function.apply ties it to an input it may be (an identity segment)

    @staticmethod
    def backward(ctx, g):
        return tuple(ctx.segment.gradients(ctx.index, g))


def _reads(args, outputs, mark):
    """The tensors the segment's graph reads from outside (recorded after `mark`): the arguments that
    require grad, then the leaves and earlier tensors its nodes point to, once each in a fixed order."""
    reads, seen = [], set()

    def read(t):
        if id(t) not in seen:
            seen.add(id(t))
            reads.append(t)
    for a in args:
        if isinstance(a, Tensor) and a.requires_grad:
            read(a)
    stack, visited = [], set()

    def visit(t):
        node = t.grad_fn
        if isinstance(node, Context) and node.seq > mark:
            if id(node) not in visited:
                visited.add(id(node))
                stack.append(node)
        else:
            read(t)
    for o in outputs:
        visit(o)
    while stack:
        node = stack.pop()
        for parent, edge in zip(node.parents, node.edges):
            if edge is not None:
                visit(parent)
    return reads
