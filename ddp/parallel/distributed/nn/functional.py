"""`torch.distributed.nn.functional`: collectives that return new tensors and carry gradients back across
the ranks, as contrastive losses (SimCLR, CLIP) need to compare every rank's embeddings while each rank
keeps the gradient of its own:

- `all_gather(tensor)`: a tuple of every rank's tensor; backward sums each rank's gradient for this rank's
  tensor (a reduce-scatter of the gradients), as PyTorch's.
- `all_reduce(tensor, op=SUM)`: the sum over ranks; backward is the sum of the gradients over ranks.

Every rank must call them, and backward through them, in the same order (they are collectives both ways).
"""
from ....core import creation
from ....core.autograd_function import Function
from .. import ReduceOp, all_gather as _all_gather, all_reduce as _all_reduce, get_world_size
from .. import reduce_scatter as _reduce_scatter
from ...process_group import GroupMember

__all__ = ["all_gather", "all_reduce"]


class _AllGather(Function):
    on_tensors = True  # forward and backward in Tensor ops, as a user's Function (they call collectives)

    @staticmethod
    def forward(ctx, tensor, group):
        ctx.group = group
        gathered = [creation.zeros_like(tensor) for _ in range(get_world_size(group))]
        _all_gather(gathered, tensor.contiguous(), group=group)
        return tuple(gathered)

    @staticmethod
    def backward(ctx, *grads):
        mine = creation.zeros_like(grads[0])
        _reduce_scatter(mine, [g.contiguous() for g in grads], op=ReduceOp.SUM, group=ctx.group)
        return mine, None


class _AllReduceSum(Function):
    on_tensors = True

    @staticmethod
    def forward(ctx, tensor, group):
        ctx.group = group
        out = tensor.clone()
        _all_reduce(out, op=ReduceOp.SUM, group=group)
        return out

    @staticmethod
    def backward(ctx, grad):
        total = grad.clone()
        _all_reduce(total, op=ReduceOp.SUM, group=ctx.group)
        return total, None


def all_gather(tensor, group=GroupMember.WORLD):
    """Every rank's `tensor`, in rank order, as a tuple; differentiable (see the module docstring)."""
    return _AllGather.apply(tensor, group)


def all_reduce(tensor, op=ReduceOp.SUM, group=GroupMember.WORLD):
    """The sum of `tensor` over the ranks of `group`, as a new tensor; differentiable.

    Raises:
        NotImplementedError: an op other than SUM (PyTorch differentiates those through other rules).
    """
    if op != ReduceOp.SUM:
        raise NotImplementedError(f"distributed.nn.functional.all_reduce: only ReduceOp.SUM is differentiable "
                                  f"here, got {op}")
    return _AllReduceSum.apply(tensor, group)
