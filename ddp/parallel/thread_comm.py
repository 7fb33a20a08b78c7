"""`ThreadCommunicator`: simulated ranks as threads of one process, collectives in memory.

Used by `ddp.parallel.spawn` for single-process debugging (breakpoints and pdb work).

Semantics follow MPI with these choices:
- Reductions combine the ranks' buffers in rank order 0, 1, 2, ... once, and every rank
  copies that one result, so all ranks hold the same bits. MPI may sum in another order,
  so results can differ from a real ``mpirun`` run in the last bits of float sums.
- ``send`` is buffered (it copies and returns at once, as MPI may do for small messages).
- Every wait has a timeout: a rank stuck in a call the others never reach raises a
  RuntimeError naming its call and what every other rank is doing. A rank stopped in the
  debugger pauses that clock. A failure on one rank makes the others raise `Aborted` at
  their current or next call, so `spawn` can end.
"""

import copy
import itertools
import pickle
from collections import defaultdict, deque

import numpy as np

from .callsite import call_site, format_site
from .comm import Communicator

_UFUNCS = {"sum": np.add, "max": np.maximum, "min": np.minimum}


class Group:
    """Shared state of one communicator: its members, pending collectives, mailboxes."""

    def __init__(self, world, members, name):
        self.world, self.members, self.name = world, members, name
        self.pending = {}  # collective number -> _Op
        self.count = [0] * len(members)  # next collective number of each member
        self.mail = defaultdict(deque)  # (source, dest, tag) -> deque of (stamp, kind, payload)
        self.stamps = itertools.count()  # arrival order, for receives from any rank


class _Op:
    """One collective in progress: each rank's name and input, then the shared result."""

    def __init__(self, n):
        self.names, self.inputs, self.sites = [None] * n, [None] * n, [None] * n
        self.arrived = self.taken = 0
        self.result = self.error = None
        self.done = False


class ThreadCommunicator(Communicator):
    """A communicator between simulated ranks (threads); create it through `spawn`."""

    def __init__(self, group, rank):
        self.group, self.rank = group, rank
        self.world_size = len(group.members)
        self._g = group.members[rank]  # rank in the spawn world, for diagnostics
        self._world = group.world

    # -- the collective engine -------------------------------------------------------------------
    def _start(self, name, contribution, compute):
        """Join the group's next collective; the last rank to arrive computes the result once."""
        g, w, n = self.group, self._world, self.world_size
        with w.cond:
            seq = g.count[self.rank]
            g.count[self.rank] += 1
            what = f"{name} #{seq} on {g.name!r}"
            w.check(self._g, what)
            w.call[self._g] = what
            op = g.pending.setdefault(seq, _Op(n))
            op.names[self.rank], op.inputs[self.rank] = name, contribution
            op.sites[self.rank] = call_site()
            op.arrived += 1
            if op.error is None and len(set(op.names) - {None}) > 1:
                calls = "; ".join(f"rank {r} called {c} at {format_site(op.sites[r])}"
                                  for r, c in enumerate(op.names) if c)
                op.error = RuntimeError(
                    f"collective mismatch in call #{seq} on {g.name!r}: {calls}")
            elif op.arrived == n and op.error is None:
                try:
                    op.result = compute(op.inputs)
                except Exception as exc:  # e.g. shapes differ between ranks: every rank raises it
                    op.error = exc
                op.done = True
            w.cond.notify_all()
        return op, (lambda: self._finish(seq, op, what))

    def _finish(self, seq, op, what):
        g, w = self.group, self._world

        def dead_peer():
            for r, name in enumerate(op.names):
                if name is None and w.phase[g.members[r]] == "exited":
                    return g.members[r]
        with w.cond:
            w.wait_until(self._g, lambda: op.done or op.error is not None, what, dead_peer)
            if op.error is not None:
                raise copy.copy(op.error).with_traceback(None)
            op.taken += 1
            if op.taken == self.world_size:
                del g.pending[seq]
            return op.result

    def _collective(self, name, contribution, compute):
        return self._start(name, contribution, compute)[1]()

    # -- collectives ------------------------------------------------------------------------------
    def _allreduce(self, arr, op):
        np.copyto(arr, self._collective("allreduce", (arr, op), _reducer("allreduce")))

    def _iallreduce(self, arr, op):
        pending, finish = self._start("iallreduce", (arr, op), _reducer("iallreduce"))
        return (lambda: np.copyto(arr, finish())), (lambda: pending.done)

    def _broadcast(self, arr, root):
        def compute(inputs):
            _same_arg(inputs, 1, "broadcast", "root")
            _same_layout([x for x, _ in inputs], "broadcast")
            return inputs[root][0].copy()
        result = self._collective("broadcast", (arr, root), compute)
        if self.rank != root:
            np.copyto(arr, result)

    def _allgather(self, arr, out):
        def compute(inputs):
            _same_layout(inputs, "allgather")
            return np.stack(inputs)
        np.copyto(out, self._collective("allgather", arr, compute))

    def _reduce_scatter(self, arr, out, op):
        k = out.shape[0]
        result = self._collective("reduce_scatter", (arr, op), _reducer("reduce_scatter"))
        np.copyto(out, result[self.rank * k:(self.rank + 1) * k])

    def _alltoallv(self, arr, send_counts, out, recv_counts):
        inputs = self._collective("alltoallv", (arr.copy(), send_counts), list)
        at = 0
        for source, (data, counts) in enumerate(inputs):
            start = counts[:self.rank].sum()
            out[at:at + recv_counts[source]] = data[start:start + counts[self.rank]]
            at += recv_counts[source]

    def _barrier(self):
        self._collective("barrier", None, lambda inputs: None)

    def _split(self, color, key):
        g = self.group

        def compute(inputs):
            groups = {}
            for c in sorted({c for c, _ in inputs if c is not None}):
                ranks = sorted((k, r) for r, (cc, k) in enumerate(inputs) if cc == c)
                sub = Group(self._world, [g.members[r] for _, r in ranks], f"{g.name}/{c}")
                groups.update({r: (sub, i) for i, (_, r) in enumerate(ranks)})
            return groups
        groups = self._collective("split", (color, key), compute)
        return None if color is None else ThreadCommunicator(*groups[self.rank])

    def _broadcast_object(self, obj, root):
        def compute(inputs):
            _same_arg(inputs, 1, "broadcast_object", "root")
            return inputs[root][0]
        data = pickle.dumps(obj) if self.rank == root else None
        result = self._collective("broadcast_object", (data, root), compute)
        return obj if self.rank == root else pickle.loads(result)

    def _allgather_object(self, obj):
        result = self._collective("allgather_object", pickle.dumps(obj), list)
        return [pickle.loads(b) for b in result]

    # -- point to point: buffered sends, mailboxes keyed by (source, dest, tag) ------------------
    def _post(self, kind, payload, dest, tag):
        w = self._world
        with w.cond:
            what = f"send to rank {dest} (tag {tag}) on {self.group.name!r}"
            w.check(self._g, what)
            w.call[self._g] = what
            self.group.mail[(self.rank, dest, tag)].append((next(self.group.stamps), kind, payload))
            w.cond.notify_all()

    def _boxes(self, source, tag):
        """The mailboxes a receive from `source` (None: any rank) reads, by source."""
        g = self.group
        sources = range(self.world_size) if source is None else (source,)
        return {s: g.mail[(s, self.rank, tag)] for s in sources if s != self.rank}

    def _take(self, kind, source, tag):
        """(source, payload) of the first message from `source` (None: the earliest from any rank)."""
        w, g = self._world, self.group
        boxes = self._boxes(source, tag)
        what = f"recv from {'any rank' if source is None else f'rank {source}'} (tag {tag}) on {g.name!r}"

        def dead_peer():  # the sender it waits for (every other rank, from any rank) has exited
            gone = [g.members[s] for s in boxes if w.phase[g.members[s]] == "exited"]
            return gone[0] if len(gone) == len(boxes) and not any(boxes.values()) else None
        with w.cond:
            w.check(self._g, what)
            w.wait_until(self._g, lambda: any(boxes.values()), what, dead_peer)
            sender = min((box[0][0], s) for s, box in boxes.items() if box)[1]
            _, got, payload = boxes[sender].popleft()
        if got != kind:
            sent_by = {"array": "send", "object": "send_object"}
            raise RuntimeError(f"{what}: the message was sent with {sent_by[got]}, but "
                               f"{'recv' if kind == 'array' else 'recv_object'} expects one "
                               f"sent with {sent_by[kind]}")
        return sender, payload

    def _send(self, arr, dest, tag):
        self._post("array", arr.copy(), dest, tag)

    def _recv(self, arr, source, tag):
        source, data = self._take("array", source, tag)
        if data.dtype != arr.dtype or data.size != arr.size:
            raise RuntimeError(f"recv: message from rank {source} (tag {tag}) has shape "
                               f"{data.shape} and dtype {data.dtype}, but the buffer has shape "
                               f"{arr.shape} and dtype {arr.dtype}")
        np.copyto(arr, data.reshape(arr.shape))
        return source

    def _isend(self, arr, dest, tag):
        self._send(arr, dest, tag)
        return None, None

    def _irecv(self, arr, source, tag):
        boxes = self._boxes(source, tag)
        return (lambda: self._recv(arr, source, tag)), (lambda: any(boxes.values()))

    def _send_object(self, obj, dest, tag):
        self._post("object", pickle.dumps(obj), dest, tag)

    def _recv_object(self, source, tag):
        return pickle.loads(self._take("object", source, tag)[1])


def _reducer(call):
    """compute() for reductions: check layouts and ops agree, combine in rank order 0, 1, ..."""
    def compute(inputs):
        _same_arg(inputs, 1, call, "op")
        arrays = [x for x, _ in inputs]
        _same_layout(arrays, call)
        ufunc, result = _UFUNCS[inputs[0][1]], arrays[0].copy()
        for x in arrays[1:]:
            ufunc(result, x, out=result)
        return result
    return compute


def _same_layout(arrays, call):
    if any(x.shape != arrays[0].shape or x.dtype != arrays[0].dtype for x in arrays):
        desc = ", ".join(f"rank {r}: {x.shape} {x.dtype}" for r, x in enumerate(arrays))
        raise ValueError(f"{call}: buffers differ in shape or dtype between ranks ({desc})")


def _same_arg(inputs, i, call, name):
    values = [x[i] for x in inputs]
    if any(v != values[0] for v in values):
        desc = ", ".join(f"rank {r}: {v!r}" for r, v in enumerate(values))
        raise ValueError(f"{call}: ranks passed different {name} ({desc})")
