"""Uneven inputs for `DistributedDataParallel`: ``with model.join():``, PyTorch's Join semantics.

Without it, a rank that runs out of batches leaves the others waiting in their next gradient reduction
(the watchdog then ends the job). Inside `join`, every training forward first tells the ranks who is
still training (one small allreduce); a rank that has left its loop waits in ``__exit__`` and, for each
step the others still take, makes the same collectives they make with zeros: the buffer broadcast
and every bucket's reduction. The gradient is thus divided by the initial world size (PyTorch's
``divide_by_initial_world_size=True``). When every rank has joined, the parameters and buffers of the
last rank to join are broadcast to all, so the replicas leave the context bitwise identical (optimizer
state, such as momentum, is each rank's own, as in PyTorch).
"""
import numpy as np

from ..core.autograd import no_grad


class Join:
    """The context manager returned by `DistributedDataParallel.join` (see the module docstring)."""

    def __init__(self, model, enable=True, throw_on_early_termination=False):
        self.model, self.enable, self.throw = model, enable, throw_on_early_termination
        self.root = 0  # the lowest rank still training: it broadcasts the buffers

    def __enter__(self):
        if self.enable:
            if self.model._join is not None:
                raise RuntimeError("DistributedDataParallel.join: the model is already inside a join context")
            self.model._join = self
        return self

    def _exchange(self, training):
        """Collective: every rank says whether it still trains; returns (lowest training rank or world
        size, whether some rank has joined)."""
        comm = self.model.comm
        flags = np.array([comm.rank if training else comm.world_size, 0 if training else -1], np.int64)
        comm.allreduce(flags, op="min")
        lowest, someone_joined = int(flags[0]), bool(flags[1] < 0)
        if lowest < comm.world_size:
            self.root = lowest
        if someone_joined and self.throw:
            raise RuntimeError(f"DistributedDataParallel.join: rank {comm.rank} stops because a rank ran out of "
                               "inputs (throw_on_early_termination=True)")
        return lowest

    def step(self):
        """Called by every training forward of a rank that still has inputs."""
        self._exchange(training=True)

    def __exit__(self, exc_type, exc, tb):
        if not self.enable:
            return False
        model = self.model
        try:
            if exc_type is not None:
                return False  # the abort hook or the watchdog ends the job; shadowing would hide the error
            while self._exchange(training=False) < model.comm.world_size:
                if model.broadcast_buffers and model.module.training:
                    model._broadcast_buffers(self.root)
                model._shadow_reduction()
            with no_grad():
                model._broadcast_state(self.root)  # the last rank to join has the parameters everyone needs
        finally:
            model._join = None
        return False
