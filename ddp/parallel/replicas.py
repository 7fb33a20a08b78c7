"""Keeping replicas in step: the check that every rank built the same model, broadcasts of parameter
and buffer arrays from one rank, and the parameters a forward's outputs depend on (for
``find_unused_parameters``)."""
import numpy as np

from ..core.tensor import Tensor


def check_same_model(module, comm):
    """Collective: raise the same RuntimeError on every rank if any rank's parameters or buffers differ."""
    table = [(n, "parameter", tuple(p.shape), str(p.dtype), bool(p.requires_grad))
             for n, p in module.named_parameters()]
    table += [(n, "buffer", tuple(b.shape), str(b.dtype), False) for n, b in module.named_buffers()]
    tables = comm.allgather_object(table)
    mine = dict((e[0], e) for e in tables[0])
    for r, other in enumerate(tables[1:], start=1):
        if other == tables[0]:
            continue
        theirs = dict((e[0], e) for e in other)
        for name in list(mine) + [n for n in theirs if n not in mine]:
            if mine.get(name) != theirs.get(name):
                raise RuntimeError(f"DistributedDataParallel: the model differs between ranks: {name!r} is "
                                   f"{describe_entry(mine.get(name))} on rank 0 but {describe_entry(theirs.get(name))} "
                                   f"on rank {r}")
        i = next(i for i, (a, b) in enumerate(zip(tables[0], other)) if a != b)
        raise RuntimeError(f"DistributedDataParallel: ranks 0 and {r} register the same parameters and buffers "
                           f"in a different order (entry {i} is {tables[0][i][0]!r} on rank 0 but "
                           f"{other[i][0]!r} on rank {r}), so their gradient buckets would not line up")


def describe_entry(entry):
    if entry is None:
        return "missing"
    _, kind, shape, dtype, requires_grad = entry
    frozen = " with requires_grad=False" if kind == "parameter" and not requires_grad else ""
    return f"a {kind} of shape {shape} and dtype {dtype}{frozen}"


def broadcast_arrays(comm, arrays, root=0):
    """Copy root's `arrays` into every rank's, with one broadcast per dtype."""
    if comm.world_size == 1:
        return
    for dtype in dict.fromkeys(a.dtype for a in arrays):
        group = [a for a in arrays if a.dtype == dtype]
        flat = np.concatenate([a.ravel() for a in group])
        comm.broadcast(flat, root)
        if comm.rank != root:
            start = 0
            for a in group:
                np.copyto(a, flat[start:start + a.size].reshape(a.shape))
                start += a.size


def reachable_leaves(outputs):
    """ids of the leaf tensors that the Tensors in `outputs` (nested in lists, tuples, dicts) depend on."""
    leaves, stack, seen = set(), [], set()

    def visit(t):
        if t.grad_fn is None:
            leaves.add(id(t))
        elif id(t.grad_fn) not in seen:
            seen.add(id(t.grad_fn))
            stack.append(t.grad_fn)

    todo = [outputs]
    while todo:
        x = todo.pop()
        if isinstance(x, Tensor):
            visit(x)
        elif isinstance(x, (list, tuple)):
            todo.extend(x)
        elif isinstance(x, dict):
            todo.extend(x.values())
    while stack:
        for p in stack.pop().parents:
            if p is not None:
                visit(p)
    return leaves
