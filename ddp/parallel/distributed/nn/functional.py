"""`torch.distributed.nn.functional`: collectives that return new tensors and carry gradients back across
the ranks, as contrastive losses (SimCLR, CLIP) and mixture-of-experts layers need: every rank computes
with the others' tensors while each rank keeps the gradient of its own. Each backward is the collective
that moves the gradients back the way the values came (PyTorch's rules):

- `broadcast(tensor, src)`: backward sums every rank's gradient on `src` (a reduce); other ranks get zeros.
- `reduce(tensor, dst)`: every rank's tensor gets `dst`'s gradient (a broadcast).
- `gather(tensor, dst)` / `scatter(tensors, src)`: each other's backward.
- `all_gather(tensor)`: the sum of every rank's gradient for this rank's tensor (a reduce-scatter).
- `reduce_scatter(output, input_list)`: every rank's gradient for the block (an all-gather).
- `all_reduce(tensor, op=SUM)`: the sum of the gradients over ranks.
- `all_to_all(outputs, inputs)` / `all_to_all_single(output, input, ...)`: the reverse exchange.

Every rank must call them, and backward through them, in the same order (they are collectives both ways).
"""
from ....core import creation
from ....core.autograd_function import Function
from .. import ReduceOp, get_rank, get_world_size
from ... import collectives as dist
from ...process_group import GroupMember

__all__ = ["all_gather", "all_reduce", "all_to_all", "all_to_all_single", "broadcast", "gather", "reduce",
           "reduce_scatter", "scatter"]


class _Broadcast(Function):
    on_tensors = True  # forward and backward in Tensor ops, as a user's Function (they call collectives)

    @staticmethod
    def forward(ctx, tensor, src, group):
        ctx.src, ctx.group = src, group
        out = tensor.clone()
        dist.broadcast(out, src, group=group)
        return out

    @staticmethod
    def backward(ctx, grad):
        total = _Reduce.apply(grad, ctx.src, ReduceOp.SUM, ctx.group)
        return (total if get_rank() == ctx.src else creation.zeros_like(grad)), None, None


class _Reduce(Function):
    on_tensors = True

    @staticmethod
    def forward(ctx, tensor, dst, op, group):
        ctx.dst, ctx.group = dst, group
        out = tensor.clone()
        dist.reduce(out, dst, op=op, group=group)
        return out

    @staticmethod
    def backward(ctx, grad):
        return _Broadcast.apply(grad, ctx.dst, ctx.group), None, None, None


class _Gather(Function):
    on_tensors = True

    @staticmethod
    def forward(ctx, tensor, dst, group):
        ctx.dst, ctx.group = dst, group
        gathered = [creation.zeros_like(tensor) for _ in range(get_world_size(group))]
        dist.gather(tensor.contiguous(), gathered if get_rank() == dst else None, dst, group=group)
        return tuple(gathered)

    @staticmethod
    def backward(ctx, *grads):
        return _Scatter.apply(ctx.dst, ctx.group, *grads), None, None


class _Scatter(Function):
    on_tensors = True

    @staticmethod
    def forward(ctx, src, group, *tensors):
        ctx.src, ctx.group = src, group
        out = creation.zeros_like(tensors[0])
        dist.scatter(out, [t.contiguous() for t in tensors] if get_rank() == src else None, src, group=group)
        return out

    @staticmethod
    def backward(ctx, grad):
        return (None, None) + _Gather.apply(grad, ctx.src, ctx.group)


class _AllGather(Function):
    on_tensors = True

    @staticmethod
    def forward(ctx, tensor, group):
        ctx.group = group
        gathered = [creation.zeros_like(tensor) for _ in range(get_world_size(group))]
        dist.all_gather(gathered, tensor.contiguous(), group=group)
        return tuple(gathered)

    @staticmethod
    def backward(ctx, *grads):
        mine = creation.zeros_like(grads[0])
        dist.reduce_scatter(mine, [g.contiguous() for g in grads], op=ReduceOp.SUM, group=ctx.group)
        return mine, None


class _ReduceScatter(Function):
    on_tensors = True

    @staticmethod
    def forward(ctx, op, group, output, *inputs):
        ctx.group = group
        out = creation.zeros_like(output)
        dist.reduce_scatter(out, [t.contiguous() for t in inputs], op=op, group=group)
        return out

    @staticmethod
    def backward(ctx, grad):
        return (None, None, None) + _AllGather.apply(grad, ctx.group)


class _AllReduceSum(Function):
    on_tensors = True

    @staticmethod
    def forward(ctx, tensor, group):
        ctx.group = group
        out = tensor.clone()
        dist.all_reduce(out, op=ReduceOp.SUM, group=group)
        return out

    @staticmethod
    def backward(ctx, grad):
        total = grad.clone()
        dist.all_reduce(total, op=ReduceOp.SUM, group=ctx.group)
        return total, None


class _AllToAll(Function):
    on_tensors = True

    @staticmethod
    def forward(ctx, group, outputs, *inputs):
        ctx.group, ctx.shapes = group, [t.shape for t in inputs]
        dist.all_to_all(outputs, [t.contiguous() for t in inputs], group=group)
        return tuple(t.clone() for t in outputs)

    @staticmethod
    def backward(ctx, *grads):
        back = [creation.zeros(shape, dtype=grads[0].dtype) for shape in ctx.shapes]
        return (None, None) + _AllToAll.apply(ctx.group, back, *grads)


class _AllToAllSingle(Function):
    on_tensors = True

    @staticmethod
    def forward(ctx, tensor, output, output_split_sizes, input_split_sizes, group):
        ctx.group, ctx.shape, ctx.splits = group, tensor.shape, (output_split_sizes, input_split_sizes)
        dist.all_to_all_single(output, tensor.contiguous(), output_split_sizes, input_split_sizes, group=group)
        return output.clone()

    @staticmethod
    def backward(ctx, grad):
        sent_back, received_back = ctx.splits
        back = creation.zeros(ctx.shape, dtype=grad.dtype)
        return _AllToAllSingle.apply(grad, back, received_back, sent_back, ctx.group), None, None, None, None


def broadcast(tensor, src, group=None):
    """`src`'s `tensor` on every rank, as a new tensor; differentiable (see the module docstring)."""
    return _Broadcast.apply(tensor, src, group)


def reduce(tensor, dst, op=ReduceOp.SUM, group=None):
    """`tensor` reduced over the ranks onto `dst` (other ranks get a copy of their own); differentiable."""
    return _Reduce.apply(tensor, dst, op, group)


def gather(tensor, dst=0, group=None):
    """Every rank's `tensor` on `dst`, as a tuple (zeros on the other ranks); differentiable."""
    return _Gather.apply(tensor, dst, group)


def scatter(tensors, src=0, group=None):
    """Rank r's tensor is ``tensors[r]`` of `src` (the others pass tensors of that shape); differentiable."""
    return _Scatter.apply(src, group, *tensors)


def all_gather(tensor, group=GroupMember.WORLD):
    """Every rank's `tensor`, in rank order, as a tuple; differentiable (see the module docstring)."""
    return _AllGather.apply(tensor, group)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None):
    """``input_list[r]`` reduced over the ranks, on rank r, as a new tensor shaped like `output`."""
    return _ReduceScatter.apply(op, group, output, *input_list)


def all_reduce(tensor, op=ReduceOp.SUM, group=GroupMember.WORLD):
    """The sum of `tensor` over the ranks of `group`, as a new tensor; differentiable.

    Raises:
        NotImplementedError: an op other than SUM (PyTorch differentiates those through other rules).
    """
    if op != ReduceOp.SUM:
        raise NotImplementedError(f"distributed.nn.functional.all_reduce: only ReduceOp.SUM is differentiable "
                                  f"here, got {op}")
    return _AllReduceSum.apply(tensor, group)


def all_to_all(output_tensor_list, input_tensor_list, group=None):
    """``input_tensor_list[r]`` goes to rank r, into `output_tensor_list`, as `dist.all_to_all`; returns the
    tensors received, differentiable."""
    return _AllToAll.apply(group, output_tensor_list, *input_tensor_list)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,  # noqa: A002
                      group=None):
    """`dist.all_to_all_single` into `output`, returning the received rows, differentiable: a mixture of
    experts dispatches tokens to their experts' ranks with it and gets their gradients back through the
    reverse exchange."""
    return _AllToAllSingle.apply(input, output, output_split_sizes, input_split_sizes, group)
