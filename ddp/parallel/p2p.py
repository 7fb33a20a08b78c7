"""Point-to-point transfers of arrays with a shape header, and `Send` / `Recv` as autograd Functions.

`Send`'s forward sends an activation and its backward receives that activation's gradient; `Recv` does the
reverse. So one `backward()` at the end of the pipeline drives backward through every stage in turn, each
stage waiting in `Send.backward` for the gradient of its output.
"""
import time

import numpy as np

from ddp.core.autograd import Function

from . import timeline

MAX_DIMS = 8
_DTYPES = [np.dtype(t) for t in ("float32", "float64", "float16", "int64", "int32", "uint8", "bool")]
ACTIVATION, GRADIENT, PREDICTION = 11, 12, 13  # message tags


class Outbox:
    """Non-blocking sends that are still in flight; their arrays stay alive until `wait_all`."""

    def __init__(self):
        self.pending = []

    def add(self, work, *arrays):
        self.pending.append((work, arrays))

    def wait_all(self):
        for work, _ in self.pending:
            work.wait()
        self.pending.clear()


class Timer:
    """Seconds spent waiting in receives (the pipeline's idle time), accumulated."""

    def __init__(self):
        self.waiting = 0.0


def _header(array):
    """dtype code, ndim and shape of `array` in a small int64 buffer."""
    if array.ndim > MAX_DIMS or array.dtype not in _DTYPES:
        raise ValueError(f"pipeline: cannot send an array of shape {array.shape} and dtype {array.dtype}")
    header = np.zeros(MAX_DIMS + 2, dtype=np.int64)
    header[0], header[1] = _DTYPES.index(array.dtype), array.ndim
    header[2:2 + array.ndim] = array.shape
    return header


def _empty_like_header(header):
    ndim = int(header[1])
    return np.empty(tuple(int(s) for s in header[2:2 + ndim]), dtype=_DTYPES[int(header[0])])


def send_array(comm, array, dest, tag, outbox):
    """Send `array` with a header (dtype, shape), so that shapes and dtypes may change between steps."""
    array = np.ascontiguousarray(array)
    header = _header(array)
    with timeline.span(f"send to {dest}", "pipeline", lane=timeline.COMMUNICATION, bytes=int(array.nbytes), tag=tag):
        outbox.add(comm.isend(header, dest, tag), header)
        outbox.add(comm.isend(array, dest, tag), array)


def recv_array(comm, source, tag, timer=None):
    """Receive an array sent by `send_array`."""
    start = time.perf_counter()
    with timeline.span(f"recv from {source}", "pipeline", tag=tag):  # mostly waiting for the peer
        header = np.empty(MAX_DIMS + 2, dtype=np.int64)
        comm.recv(header, source, tag)
        array = _empty_like_header(header)
        comm.recv(array, source, tag)
    if timer is not None:
        timer.waiting += time.perf_counter() - start
    return array


def broadcast_array(comm, array, root):
    """Broadcast an array that only `root` knows the shape and dtype of; returns it on every rank."""
    header = _header(np.ascontiguousarray(array)) if comm.rank == root else np.zeros(MAX_DIMS + 2, np.int64)
    comm.broadcast(header, root=root)
    array = np.ascontiguousarray(array) if comm.rank == root else _empty_like_header(header)
    comm.broadcast(array, root=root)
    return array


class Send(Function):
    """Forward: send x to `peer` and return a scalar token; backward: receive x's gradient from `peer`."""

    float32_results = False  # activations keep the dtype they were sent with

    @staticmethod
    def forward(ctx, x, *, comm, peer, outbox, timer):
        ctx.comm, ctx.peer, ctx.timer = comm, peer, timer
        send_array(comm, x, peer, ACTIVATION, outbox)
        return np.zeros((), dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        return recv_array(ctx.comm, ctx.peer, GRADIENT, ctx.timer)


class Recv(Function):
    """Forward: receive an activation from `peer`; backward: send its gradient back to `peer`.

    `anchor` is a leaf that requires grad, only there so that the receive is recorded in the graph.
    """

    float32_results = False

    @staticmethod
    def forward(ctx, anchor, *, comm, peer, outbox, timer):
        ctx.comm, ctx.peer, ctx.outbox = comm, peer, outbox
        return recv_array(comm, peer, ACTIVATION, timer)

    @staticmethod
    def backward(ctx, g):
        send_array(ctx.comm, g, ctx.peer, GRADIENT, ctx.outbox)
        return None
