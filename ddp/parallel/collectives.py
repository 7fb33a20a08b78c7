"""The collectives of `ddp.distributed` on ddp Tensors, in place, as PyTorch's (re-exported there).

Each call resolves its group (None: the default), turns global ``src``/``dst`` ranks into group ranks,
and runs the group's `Communicator` on the tensors' numpy arrays, outside autograd. A rank outside the
group (``GroupMember.NON_GROUP_MEMBER``) does nothing and gets None. SUM, AVG, MIN and MAX reduce in
the communicator; PRODUCT and the bitwise ops gather every rank's array and reduce it in rank order,
so every rank still gets the same bits. ``async_op=True`` returns a `Work`: all_reduce overlaps with
the caller; the other collectives complete before they return it.
"""
import enum

import numpy as np

from .process_group import GroupMember, resolve
from .tensor_io import Work, done, group_rank, read, writable, write


class ReduceOp:
    """Reduction operations: ``ReduceOp.SUM``, ``PRODUCT``, ``MIN``, ``MAX``, ``BAND``, ``BOR``, ``BXOR``,
    ``AVG`` (members of the enum ``ReduceOp.RedOpType``, as in PyTorch)."""

    RedOpType = enum.Enum("RedOpType", "SUM AVG PRODUCT MIN MAX BAND BOR BXOR", start=0)
    SUM, AVG, PRODUCT = RedOpType.SUM, RedOpType.AVG, RedOpType.PRODUCT
    MIN, MAX = RedOpType.MIN, RedOpType.MAX
    BAND, BOR, BXOR = RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR


_IN_COMM = {ReduceOp.SUM: "sum", ReduceOp.AVG: "mean", ReduceOp.MIN: "min", ReduceOp.MAX: "max"}
_GATHERED = {ReduceOp.PRODUCT: np.multiply, ReduceOp.BAND: np.bitwise_and, ReduceOp.BOR: np.bitwise_or,
             ReduceOp.BXOR: np.bitwise_xor}


def _check_op(op, arr, call):
    if op not in _IN_COMM and op not in _GATHERED:
        raise TypeError(f"{call}: op must be a dist.ReduceOp (SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR), "
                        f"got {op!r}")
    if op is ReduceOp.AVG and arr.dtype.kind not in "fc":
        raise RuntimeError(f"{call}: ReduceOp.AVG needs a floating-point tensor, got {arr.dtype}")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and arr.dtype.kind not in "iub":
        raise RuntimeError(f"{call}: cannot use ReduceOp.{op.name} with non-integral dtype {arr.dtype}")


_LOGICAL = {ReduceOp.SUM: np.logical_or, ReduceOp.MAX: np.logical_or, ReduceOp.BOR: np.logical_or,
            ReduceOp.MIN: np.logical_and, ReduceOp.PRODUCT: np.logical_and, ReduceOp.BAND: np.logical_and,
            ReduceOp.BXOR: np.logical_xor}  # bools, as PyTorch's gloo reduces them (a sum saturates at True)


def _reduced(comm, arr, op):
    """`arr` reduced over the ranks of `comm` by `op`, in place (arr is contiguous and writable)."""
    if arr.dtype == np.bool_:
        _LOGICAL[op].reduce(comm.allgather(arr), axis=0, out=arr)
    elif op in _IN_COMM:
        comm.allreduce(arr, op=_IN_COMM[op])
    else:
        _GATHERED[op].reduce(comm.allgather(arr), axis=0, out=arr)
    return arr


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce `tensor` over the ranks of `group` in place; every rank gets the result."""
    pg = resolve(group, "all_reduce")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    arr, finish = writable(tensor, "all_reduce")
    _check_op(op, arr, "all_reduce")
    if async_op and op in _IN_COMM and arr.dtype != np.bool_:
        work = pg.comm.iallreduce(arr, op=_IN_COMM[op])
        return Work([tensor], work.wait, work.is_completed, then=finish)
    _reduced(pg.comm, arr, op)
    finish()
    return done([tensor], async_op)


def reduce(tensor, dst=0, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce `tensor` over the ranks of `group` into `tensor` on rank `dst` (the others keep theirs)."""
    pg = resolve(group, "reduce")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    root = group_rank(pg, dst, group_dst, "reduce", "dst")
    if root == pg.rank():
        arr, finish = writable(tensor, "reduce")
    else:
        arr, finish = np.array(read(tensor, "reduce")), (lambda: None)
    _check_op(op, arr, "reduce")
    _reduced(pg.comm, arr, op)
    finish()
    return done([tensor], async_op)


def broadcast(tensor, src=0, group=None, async_op=False, group_src=None):
    """Copy rank `src`'s `tensor` into `tensor` on every rank of `group`."""
    pg = resolve(group, "broadcast")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    root = group_rank(pg, src, group_src, "broadcast", "src")
    arr, finish = writable(tensor, "broadcast")
    pg.comm.broadcast(arr, root=root)
    finish()
    return done([tensor], async_op)


def _check_list(tensors, pg, like, call, name):
    """`tensors` must be a list of group-size Tensors shaped like `like` (an array) with its dtype."""
    if not isinstance(tensors, (list, tuple)) or len(tensors) != pg.size():
        got = f"{len(tensors)} tensors" if isinstance(tensors, (list, tuple)) else type(tensors).__name__
        raise ValueError(f"{call}: {name} must be a list of {pg.size()} tensors (one per rank), got {got}")
    for i, t in enumerate(tensors):
        a = read(t, call)
        if a.shape != like.shape or a.dtype != like.dtype:
            raise RuntimeError(f"{call}: {name}[{i}] has shape {tuple(a.shape)} and dtype {a.dtype}, expected "
                               f"shape {tuple(like.shape)} and dtype {like.dtype}")


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[r]`` with rank r's `tensor`, on every rank of `group`."""
    pg = resolve(group, "all_gather")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    arr = read(tensor, "all_gather")
    _check_list(tensor_list, pg, arr, "all_gather", "tensor_list")
    gathered = pg.comm.allgather(np.ascontiguousarray(arr))
    for t, row in zip(tensor_list, gathered):
        write(t, row)
    return done(tensor_list, async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Gather every rank's `input_tensor` into `output_tensor`, concatenated along dim 0 in rank order."""
    pg = resolve(group, "all_gather_into_tensor")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    arr, out = read(input_tensor, "all_gather_into_tensor"), read(output_tensor, "all_gather_into_tensor")
    if out.size != pg.size() * arr.size or out.dtype != arr.dtype:
        raise RuntimeError(f"all_gather_into_tensor: output_tensor has shape {tuple(out.shape)} and dtype "
                           f"{out.dtype}, expected {pg.size()} x the input's {arr.size} elements of {arr.dtype}")
    write(output_tensor, pg.comm.allgather(np.ascontiguousarray(arr)))
    return done([output_tensor], async_op)


def gather(tensor, gather_list=None, dst=0, group=None, async_op=False, group_dst=None):
    """Collect every rank's `tensor` into `gather_list` on rank `dst` (None on the others)."""
    pg = resolve(group, "gather")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    root = group_rank(pg, dst, group_dst, "gather", "dst")
    arr = read(tensor, "gather")
    if root == pg.rank():
        if not gather_list:
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        _check_list(gather_list, pg, arr, "gather", "gather_list")
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    gathered = pg.comm.allgather(np.ascontiguousarray(arr))
    if root == pg.rank():
        for t, row in zip(gather_list, gathered):
            write(t, row)
    return done(gather_list or [], async_op)


def scatter(tensor, scatter_list=None, src=0, group=None, async_op=False, group_src=None):
    """Copy ``scatter_list[r]`` of rank `src` into `tensor` on rank r (rank `src` broadcasts them all)."""
    pg = resolve(group, "scatter")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    root = group_rank(pg, src, group_src, "scatter", "src")
    arr = read(tensor, "scatter")
    if root == pg.rank():
        if not scatter_list:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        _check_list(scatter_list, pg, arr, "scatter", "scatter_list")
        rows = np.stack([read(t, "scatter") for t in scatter_list])
    else:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
        rows = np.empty((pg.size(),) + arr.shape, arr.dtype)
    pg.comm.broadcast(rows, root=root)
    write(tensor, rows[pg.rank()])
    return done([tensor], async_op)


def _reduce_scatter_rows(pg, rows, op, call):
    """Reduce `rows` (group size, ...) over the ranks and return row `rank` of the result."""
    _check_op(op, rows, call)
    if op in _IN_COMM:
        return pg.comm.reduce_scatter(rows, op=_IN_COMM[op])[0]
    return _GATHERED[op].reduce(pg.comm.allgather(rows)[:, pg.rank()], axis=0)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[r]`` over the ranks into `output` on rank r."""
    pg = resolve(group, "reduce_scatter")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    out = read(output, "reduce_scatter")
    _check_list(input_list, pg, out, "reduce_scatter", "input_list")
    rows = np.stack([read(t, "reduce_scatter") for t in input_list])
    write(output, _reduce_scatter_rows(pg, rows, op, "reduce_scatter"))
    return done([output], async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):  # noqa: A002
    """Reduce `input` (group size x output's elements, rank blocks along dim 0) and keep block `rank`."""
    pg = resolve(group, "reduce_scatter_tensor")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    out, arr = read(output, "reduce_scatter_tensor"), read(input, "reduce_scatter_tensor")
    if arr.size != pg.size() * out.size or arr.dtype != out.dtype:
        raise RuntimeError(f"reduce_scatter_tensor: input has shape {tuple(arr.shape)} and dtype {arr.dtype}, "
                           f"expected {pg.size()} x the output's {out.size} elements of {out.dtype}")
    rows = np.ascontiguousarray(arr).reshape(pg.size(), out.size)
    write(output, _reduce_scatter_rows(pg, rows, op, "reduce_scatter_tensor"))
    return done([output], async_op)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Send ``input_tensor_list[r]`` to rank r, which stores it in ``output_tensor_list[me]``.

    The tensors may differ in shape (one dtype for all): ``output_tensor_list[s]`` must have as many
    elements as rank s sends here.
    """
    pg = resolve(group, "all_to_all")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    sources = _tensor_list(input_tensor_list, pg, "input_tensor_list")
    targets = _tensor_list(output_tensor_list, pg, "output_tensor_list")
    dtype = sources[0].dtype
    if any(a.dtype != dtype for a in sources + targets):
        raise RuntimeError(f"all_to_all: every tensor must have one dtype, got "
                           f"{sorted({str(a.dtype) for a in sources + targets})}")
    received = _exchange(pg, "all_to_all", np.concatenate([a.reshape(-1) for a in sources]), [a.size for a in sources],
                         [a.size for a in targets], dtype)
    at = 0
    for t, a in zip(output_tensor_list, targets):
        write(t, received[at:at + a.size])
        at += a.size
    return done(output_tensor_list, async_op)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,  # noqa: A002
                      group=None, async_op=False):
    """`all_to_all` on one tensor: block r of `input` along dim 0 goes to rank r, and `output` holds, in
    rank order, the block each rank sent here. Blocks are ``input_split_sizes`` rows (None: equal blocks),
    and ``output_split_sizes`` gives the rows expected from each rank."""
    pg = resolve(group, "all_to_all_single")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    out, arr = read(output, "all_to_all_single"), read(input, "all_to_all_single")
    if out.dtype != arr.dtype or out.shape[1:] != arr.shape[1:]:
        raise RuntimeError(f"all_to_all_single: output of shape {tuple(out.shape)} and dtype {out.dtype} must "
                           f"have the rows of the input, of shape {tuple(arr.shape)} and dtype {arr.dtype}")
    row = int(np.prod(arr.shape[1:]))
    sends = _split_rows(input_split_sizes, arr, pg.size(), "input")
    recvs = _split_rows(output_split_sizes, out, pg.size(), "output")
    received = _exchange(pg, "all_to_all_single", np.ascontiguousarray(arr).reshape(-1), [k * row for k in sends],
                         [k * row for k in recvs], arr.dtype)
    write(output, received)
    return done([output], async_op)


def _tensor_list(tensors, pg, name):
    if not isinstance(tensors, (list, tuple)) or len(tensors) != pg.size():
        got = f"{len(tensors)} tensors" if isinstance(tensors, (list, tuple)) else type(tensors).__name__
        raise ValueError(f"all_to_all: {name} must be a list of {pg.size()} tensors (one per rank), got {got}")
    return [read(t, "all_to_all") for t in tensors]


def _split_rows(sizes, arr, n, name):
    """Rows of `arr` per rank: `sizes` (PyTorch's ``*_split_sizes``), or equal blocks when None or empty."""
    if sizes is None or len(sizes) == 0:
        if arr.ndim == 0 or arr.shape[0] % n:
            raise RuntimeError(f"all_to_all_single: {name} of shape {tuple(arr.shape)} must split into {n} equal "
                               "blocks along dim 0 (or pass its split sizes)")
        return [arr.shape[0] // n] * n
    sizes = [int(k) for k in sizes]
    if len(sizes) != n or any(k < 0 for k in sizes) or arr.ndim == 0 or sum(sizes) != arr.shape[0]:
        raise RuntimeError(f"all_to_all_single: {name}_split_sizes {sizes} must be {n} non-negative sizes that "
                           f"add up to dim 0 of the {name}, of shape {tuple(arr.shape)}")
    return sizes


def _exchange(pg, call, flat, send_counts, recv_counts, dtype):
    """The communicator's alltoallv of `flat`; a mismatch between ranks raises on every rank alike."""
    received = np.empty(sum(recv_counts), dtype)
    try:
        pg.comm.alltoallv(flat, send_counts, received, recv_counts)
    except ValueError as exc:
        raise RuntimeError(str(exc).replace("alltoallv:", f"{call}:", 1)) from None
    return received


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of `group` arrives."""
    pg = resolve(group, "barrier")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    pg.comm.barrier()
    return done([], async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    """`barrier` (ddp's thread backend reports stuck ranks itself; MPI ranks abort the job on errors)."""
    return barrier(group)
