"""A timeline of every rank: what each one did and when, as one Chrome-trace JSON file.

Switched on by ``DDP_TIMELINE=trace.json`` or ``ddp.parallel.init(timeline="trace.json")``. Each rank
records spans of its own work (DDP's forward, backward and each gradient bucket's reduction with its
bytes, the time blocked waiting for one, pipeline sends and receives; a script adds data loading and
the optimizer step with `span`) against a clock that a barrier started together on every rank. At
the end (`finish`, or at exit) rank 0 gathers the ranks' events and writes one file with a track per
rank (one lane for computation, one for communication), which Perfetto (ui.perfetto.dev) and
``chrome://tracing`` open. Horovod's timeline records rank 0's view only; this one shows every rank,
so a straggler or a late bucket is visible.

When it is off, `span` returns one shared no-op context and the hot paths test a single global.
"""
import atexit
import contextlib
import itertools
import json
import os
import threading
import time

COMPUTE, COMMUNICATION = 0, 1  # the lanes (Chrome-trace thread ids) of a rank's track
_NULL = contextlib.nullcontext()
active = None  # this process's Timeline, while one records
_ids = itertools.count(1)


class Timeline:
    """The events of one rank (see the module docstring); `comm` is the communicator of the run."""

    def __init__(self, path, comm):
        self.path, self.comm, self.rank = os.fspath(path), comm, comm.rank
        self.events = []
        self._lock = threading.Lock()
        comm.barrier()  # the ranks' clocks start together, to within a barrier's latency
        self.t0 = time.perf_counter()

    def now(self):
        """Microseconds since the common start."""
        return (time.perf_counter() - self.t0) * 1e6

    def complete(self, name, cat, start, end, lane=COMPUTE, **args):
        """Record a span that ran from `start` to `end` (microseconds, from `now`)."""
        event = {"name": name, "cat": cat, "ph": "X", "ts": start, "dur": max(end - start, 0.0),
                 "pid": self.rank, "tid": lane}
        if args:
            event["args"] = args
        with self._lock:
            self.events.append(event)

    def flow(self, name, cat, start, end, **args):
        """An operation in flight from `start` to `end` that may overlap others (a bucket's reduction)."""
        ident = next(_ids)
        base = {"name": name, "cat": cat, "id": ident, "pid": self.rank, "tid": COMMUNICATION}
        with self._lock:
            self.events.append({**base, "ph": "b", "ts": start, "args": args})
            self.events.append({**base, "ph": "e", "ts": max(end, start)})

    def finish(self):
        """Collective: gather every rank's events on rank 0, which writes the file. Returns its path."""
        parts = self.comm.allgather_object(self.events)
        if self.rank == 0:
            events = []
            for rank, part in enumerate(parts):
                events.append({"name": "process_name", "ph": "M", "pid": rank, "args": {"name": f"rank {rank}"}})
                events.append({"name": "process_sort_index", "ph": "M", "pid": rank, "args": {"sort_index": rank}})
                for lane, title in ((COMPUTE, "compute"), (COMMUNICATION, "communication")):
                    events.append({"name": "thread_name", "ph": "M", "pid": rank, "tid": lane,
                                   "args": {"name": title}})
                events.extend(part)
            folder = os.path.dirname(self.path) or "."
            os.makedirs(folder, exist_ok=True)
            tmp = f"{self.path}.{os.getpid()}.tmp"
            with open(tmp, "w") as f:
                json.dump({"traceEvents": events, "displayTimeUnit": "ms",
                           "otherData": {"ranks": len(parts), "clock": "microseconds since a common barrier"}}, f)
            os.replace(tmp, self.path)
        return self.path


class _Span:
    __slots__ = ("timeline", "name", "cat", "lane", "args", "start")

    def __init__(self, timeline, name, cat, lane, args):
        self.timeline, self.name, self.cat, self.lane, self.args = timeline, name, cat, lane, args

    def __enter__(self):
        self.start = self.timeline.now()
        return self

    def __exit__(self, *exc):
        self.timeline.complete(self.name, self.cat, self.start, self.timeline.now(), self.lane, **self.args)


def span(name, cat="user", lane=COMPUTE, **args):
    """A context manager that records `name` on this rank's track while the timeline is on.

    Example:
        >>> with ddp.parallel.timeline.span("data", "data"):
        ...     x, y = next(batches)
    """
    timeline = active
    return _NULL if timeline is None else _Span(timeline, name, cat, lane, args)


def now():
    """The timeline's clock (microseconds), or None while it is off."""
    return None if active is None else active.now()


def start(path, comm):
    """Collective: start recording this process's timeline into `path` (written by `finish` or at exit)."""
    global active
    if active is not None:
        return active
    active = Timeline(path, comm)
    atexit.register(_finish_at_exit)
    return active


def finish():
    """Collective: write the timeline (every rank's events, on rank 0) and stop recording. Returns the
    path, or None when no timeline was recording."""
    global active
    timeline, active = active, None
    return None if timeline is None else timeline.finish()


def _finish_at_exit():
    if active is not None:
        finish()
