"""The node layout of a communicator, and the cross-node step of the hierarchical allreduce.

`Topology.of(comm)` splits `comm` into nodes (``MPI.COMM_TYPE_SHARED``). When the ranks span several
nodes that each hold a contiguous block of the same number of ranks (how ``mpiexec -hosts a:k,b:k``
places them), it joins local rank k of every node into one cross-node communicator, whose rank i sits
on node i (nodes in rank order).

shm_allreduce.py splits an array into one slice per local rank; `chain_steps` then reduces slice k
over all ranks between the local ranks k of the nodes, in rank order: node 0 adds its ranks' slices
left to right and sends the partial sum to node 1, which adds its own ranks' slices to it, left to
right, and so on; the last node holds ``((x0 + x1) + x2) + ...`` in exact rank order and sends it back to
every other node. The slice travels in chunks, so node i adds chunk c while chunk c+1 is on its way.
Two ranks on two nodes keep MPI's own allreduce: it is faster there, and a sum of two operands is the
same either way round, so it is the rank-order sum too.
Every local rank talks across nodes for its own slice only (Horovod's hierarchical allreduce likewise
runs its cross-node step per local rank), so the inter-node traffic is spread over all ranks.
"""
import numpy as np
from mpi4py import MPI


class Topology:
    """`node`: the ranks of `comm` on this one node; `cross`: this local rank's peers on the other nodes
    (None on one node); `nodes`: how many nodes; `usable`: False when the nodes differ in size or hold
    interleaved ranks (their slices, or the rank order, would not line up); then neither is kept."""

    def __init__(self, node, cross, nodes, usable):
        self.node, self.cross, self.nodes, self.usable = node, cross, nodes, usable

    @classmethod
    def of(cls, comm):
        """Collective over `comm`."""
        node = comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.Get_rank())
        rank, local, size = comm.Get_rank(), node.Get_rank(), node.Get_size()
        first = node.bcast(rank, root=0)  # the node's lowest rank
        layout = comm.allgather((first, local, size))
        nodes = len({f for f, _, _ in layout})
        if nodes == 1:
            return cls(node, None, 1, True)
        # decided alike on every rank, which all see the same layout: blocks of `size` consecutive ranks
        blocks = all(f == r - lr and s == size and f % size == 0 for r, (f, lr, s) in enumerate(layout))
        if not blocks or len(layout) == 2:  # two ranks on two nodes: MPI's sum of two is in rank order too
            node.Free()
            return cls(None, None, nodes, False)
        cross = comm.Split(local, key=rank)  # rank i of `cross` sits on node i
        return cls(node, cross, nodes, True)


CHUNK_BYTES = 1 << 20  # per message of the cross-node chain: large buckets pipeline, small ones go whole


def chain_steps(cross, slices, out, ufunc, part):
    """Reduce slice k of this node's ranks (`slices`, in rank order) and of every other node, in rank order,
    into `out`; `part` is scratch of out's size. Collective over `cross`. A generator of steps: each MPI
    request it yields must complete before it is resumed (shm_allreduce.py waits or tests them).

    Node i adds its ranks' chunks to the running sum of nodes 0..i-1, chunk by chunk, and passes it on;
    the last node's sums are the result, sent back to every node. Every receive is posted at once and
    waited for as a step, so a reduction in flight never blocks the rank that tests it.
    """
    i, last = cross.Get_rank(), cross.Get_size() - 1
    step = max(1, CHUNK_BYTES // out.itemsize)
    chunks = [slice(c, c + step) for c in range(0, out.size, step)]
    # tag k: chunk k, of the running sum from node i - 1 or of the result from the last node
    results = [cross.Irecv(out[c], source=last, tag=k) for k, c in enumerate(chunks)] if i != last else []
    partial = [cross.Irecv(part[c], source=i - 1, tag=k) for k, c in enumerate(chunks)] if i else []
    sends = []
    for k, c in enumerate(chunks):
        acc = part[c]
        if i == 0:  # the chain starts with this node's first rank
            np.copyto(acc, slices[0][c])
            rest = slices[1:]
        else:
            yield partial[k]
            rest = slices
        for s in rest:
            ufunc(acc, s[c], out=acc)
        if i == last:
            np.copyto(out[c], acc)
            sends += [cross.Isend(out[c], dest=j, tag=k) for j in range(last)]
        else:
            sends.append(cross.Isend(acc, dest=i + 1, tag=k))
    yield from results + sends


def grow(store, dtype, count):
    """A grow-only scratch array of `count` elements of `dtype`, kept in the one-element list `store`."""
    nbytes = np.dtype(dtype).itemsize * count
    if not store or store[0].nbytes < nbytes:
        store[:] = [np.empty(max(nbytes, 1 << 16), np.uint8)]
    return store[0][:nbytes].view(dtype)
