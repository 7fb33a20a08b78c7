"""The profiler's hook in the engine: while a profile records, every op's forward and backward (and each
`record_function` range) is timed into a Recorder; otherwise `recorder` is None and the engine pays one
test per op.

An event is a tuple (name, start_ns, end_ns, thread, input_shapes, output_bytes; None for a range); nesting (a range around
ops, a custom Function around its Tensor ops) is worked out from the times afterwards (profiler_report.py).
"""
import threading
import time

import numpy as np

#: The active Recorder, or None. Read by Function.apply and the backward engine (autograd.py).
recorder = None


def _shapes(inputs):
    return [list(a.shape) if hasattr(a, "shape") else [] for a in inputs]


def _bytes(result, inputs):
    """The bytes of the arrays in `result` that are new: a view of an input (reshape, flatten) allocates none."""
    results = result if isinstance(result, (tuple, list)) else (result,)
    arrays = [a for a in inputs if isinstance(a, np.ndarray)]
    return sum(r.nbytes for r in results
               if isinstance(r, np.ndarray) and not any(np.may_share_memory(r, a) for a in arrays))


class Recorder:
    """Collects events; `record_shapes` keeps each op's input shapes, `profile_memory` its output bytes."""

    def __init__(self, record_shapes=False, profile_memory=False):
        self.record_shapes, self.profile_memory = record_shapes, profile_memory
        self.events = []

    def call(self, name, inputs, fn, *args, **kwargs):
        """fn(*args, **kwargs), timed as the event `name` (inputs: the arrays whose shapes are recorded)."""
        start = time.perf_counter_ns()
        result = fn(*args, **kwargs)
        end = time.perf_counter_ns()
        self.events.append((name, start, end, threading.get_ident(),
                            _shapes(inputs) if self.record_shapes else None,
                            _bytes(result, inputs) if self.profile_memory else 0))
        return result

    def add_range(self, name, start):
        """A user range (record_function, a profiler step) that began at `start` and ends now."""
        self.events.append((name, start, time.perf_counter_ns(), threading.get_ident(),
                            [] if self.record_shapes else None, None))


def install(new):
    """Make `new` (a Recorder or None) the active recorder; returns the one it replaces."""
    global recorder
    old, recorder = recorder, new
    return old
