"""Point-to-point calls of `ddp.distributed` on ddp Tensors: send/recv, isend/irecv, batch_isend_irecv.

Peers are global ranks (or ``group_dst``/``group_src`` ranks in `group`), as in PyTorch. A blocking `recv`
without a source takes the first message from any rank and returns who sent it; `irecv` needs its source.
"""
import numpy as np

from .process_group import GroupMember, resolve
from .tensor_io import Work, group_rank, read, writable


def _peer(pg, peer, group_peer, call, name):
    r = group_rank(pg, peer, group_peer, call, name)
    if r == pg.rank():
        raise ValueError(f"{call}: invalid {name} rank {peer if group_peer is None else group_peer}: it should "
                         "not be the same as the rank of the current process")
    return r


def _source(src, group_src, call):
    if src is None and group_src is None:
        raise ValueError(f"{call}: src is required: ddp's non-blocking receives come from a given rank "
                         "(a blocking recv without src takes the first message from any rank)")


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send `tensor` to rank `dst`; returns when `tensor` may be changed."""
    pg = resolve(group, "send")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    peer = _peer(pg, dst, group_dst, "send", "dst")
    pg.comm.send(_contiguous(tensor, "send"), peer, tag=tag)


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into `tensor` (in place) from rank `src` (None: the first message from any rank); returns
    the sender's global rank."""
    pg = resolve(group, "recv")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return -1
    arr, finish = writable(tensor, "recv")
    if src is None and group_src is None:
        peer = pg.comm.recv_any(arr, tag=tag)
    else:
        peer = _peer(pg, src, group_src, "recv", "src")
        pg.comm.recv(arr, peer, tag=tag)
    finish()
    return pg.ranks[peer]


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending `tensor` to rank `dst`; returns a `Work` (leave `tensor` unchanged until ``wait()``)."""
    pg = resolve(group, "isend")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    peer = _peer(pg, dst, group_dst, "isend", "dst")
    work = pg.comm.isend(_contiguous(tensor, "isend"), peer, tag=tag)
    return Work([tensor], work.wait, work.is_completed)


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into `tensor` from rank `src`; ``wait()`` on the returned `Work` completes it."""
    pg = resolve(group, "irecv")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    _source(src, group_src, "irecv")
    peer = _peer(pg, src, group_src, "irecv", "src")
    arr, finish = writable(tensor, "irecv")
    work = pg.comm.irecv(arr, peer, tag=tag)
    return Work([tensor], work.wait, work.is_completed, then=finish)


def _contiguous(tensor, call):
    return np.ascontiguousarray(read(tensor, call))


class P2POp:
    """One point-to-point operation for `batch_isend_irecv`: ``P2POp(dist.isend, tensor, peer)``."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError(f"P2POp: op must be dist.isend or dist.irecv, got {op!r}")
        self.op, self.tensor, self.peer, self.group = op, tensor, peer, group
        self.tag, self.group_peer = tag, group_peer

    def __repr__(self):
        return f"P2POp({self.op.__name__}, peer={self.peer}, tag={self.tag})"


def batch_isend_irecv(p2p_op_list):
    """Start every `P2POp` of the list; returns their `Work` handles, in order."""
    if not isinstance(p2p_op_list, (list, tuple)) or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise TypeError("batch_isend_irecv: expected a list of dist.P2POp")
    if p2p_op_list and len({id(p.group or None) for p in p2p_op_list}) > 1:
        raise ValueError("batch_isend_irecv: all the operations must use one group")
    works = []
    for p in p2p_op_list:
        if p.op is isend:
            works.append(isend(p.tensor, p.peer, p.group, p.tag, group_dst=p.group_peer))
        else:
            works.append(irecv(p.tensor, p.peer, p.group, p.tag, group_src=p.group_peer))
    return works
