"""Pipeline execution of split stages: micro-batches, the GPipe and 1F1B schedules, hybrid parallelism."""
import contextlib
import time
from collections import OrderedDict

import numpy as np

import ddp
from ddp.core.tensor import Tensor

from .p2p import PREDICTION, Outbox, Recv, Send, Timer, broadcast_array, recv_array, send_array


def gpipe_schedule(micro_batches, stage, stages):
    """All forwards, then all backwards: ("F", i) / ("B", i) in the order one stage runs them."""
    return [("F", i) for i in range(micro_batches)] + [("B", i) for i in range(micro_batches)]


def one_f_one_b_schedule(micro_batches, stage, stages):
    """1F1B: a warm-up of (stages - stage - 1) forwards, then one forward and one backward in turn.

    A stage holds at most stages - stage micro-batches of activations at once (GPipe holds all of them).
    """
    warmup = min(stages - stage - 1, micro_batches)
    ops = [("F", i) for i in range(warmup)]
    forward, backward = warmup, 0
    while forward < micro_batches:
        ops += [("F", forward), ("B", backward)]
        forward, backward = forward + 1, backward + 1
    ops += [("B", i) for i in range(backward, micro_batches)]
    return ops


SCHEDULES = {"gpipe": gpipe_schedule, "1f1b": one_f_one_b_schedule}


def _groups(comm, stages):
    """(pipeline group, data-parallel group): rank r is stage r % stages of replica r // stages."""
    if comm.world_size == stages:
        return comm, None
    pipe = comm.split(color=comm.rank // stages, key=comm.rank)
    replicas = comm.split(color=comm.rank % stages, key=comm.rank)
    return pipe, replicas


def _chunks(x, m):
    """Split a batch into m micro-batches along dim 0 (sizes as numpy.array_split)."""
    array = x._data if isinstance(x, Tensor) else np.asarray(x)
    if len(array) < m:
        raise ValueError(f"Pipeline: a batch of {len(array)} cannot be split into {m} micro-batches")
    return [Tensor(part) for part in np.array_split(array, m)]


class Pipeline:
    """Run this rank's `stage` in a pipeline with the other stages, micro-batch by micro-batch.

    Args:
        stage: this rank's part of the model, from `ddp.parallel.split`.
        micro_batches: how many micro-batches each batch is cut into.
        schedule: "1f1b" (at most `stages` micro-batches of activations in flight per stage) or "gpipe".
        comm: the communicator of all ranks (default: `ddp.parallel.init()`); with world_size =
            stages x replicas, each stage's gradients are also averaged over its replicas.

    Example:
        >>> stage, plan = ddp.parallel.split(model, stages=2)
        >>> pipe = ddp.parallel.Pipeline(stage, micro_batches=8)
        >>> opt = ddp.optim.SGD(stage.parameters(), lr=0.1)
        >>> opt.zero_grad(); loss = pipe.step(x, y, F.cross_entropy); opt.step()

    Warning:
        `step`, `predict` and `full_state_dict` synchronize the ranks: every rank calls them with the same
        arguments (only the first stage reads `inputs`, only the last reads `targets`).
    """

    def __init__(self, stage, micro_batches=1, schedule="1f1b", comm=None):
        if schedule not in SCHEDULES:
            raise ValueError(f"Pipeline: unknown schedule {schedule!r}; expected one of {sorted(SCHEDULES)}")
        if int(micro_batches) < 1:
            raise ValueError(f"Pipeline: micro_batches must be >= 1, got {micro_batches}")
        if comm is None:
            from . import init

            comm = init()
        self.stage, self.micro_batches, self.schedule = stage, int(micro_batches), schedule
        self.stages = stage.num_stages
        self.comm = comm
        self.pipe, self.replicas = _groups(comm, self.stages)
        if self.pipe.rank != stage.index:
            raise RuntimeError(
                f"Pipeline: rank {comm.rank} holds stage {stage.index} but is stage {self.pipe.rank} of its "
                f"pipeline group; split the model with the same communicator"
            )
        self.index = stage.index
        self.is_first, self.is_last = self.index == 0, self.index == self.stages - 1
        self.num_replicas = 1 if self.replicas is None else self.replicas.world_size
        self.replica = 0 if self.replicas is None else self.replicas.rank
        self._anchor = ddp.zeros((), requires_grad=True)
        self.stats = {}
        self._replicated = self._replicate()

    # ---------------------------------------------------------------------------------------- training
    def step(self, inputs, targets, loss_fn):
        """Forward and backward of one batch; gradients accumulate in the stage's parameters.

        The gradients equal those of `loss_fn` (a mean over its micro-batch) on the whole batch, averaged over
        replicas. Returns the batch's mean loss as a float on every rank.
        """
        m = self.micro_batches
        xs = _chunks(inputs, m) if self.is_first else [None] * m
        ts = _chunks(targets, m) if self.is_last else [None] * m
        total = sum(len(t) for t in ts) if self.is_last else 0
        outbox, timer = Outbox(), Timer()
        ends, loss = {}, 0.0
        times = {"forward": 0.0, "backward": 0.0}
        begin = time.perf_counter()
        for kind, i in SCHEDULES[self.schedule](m, self.index, self.stages):
            start = time.perf_counter()
            if kind == "F":
                y = self._replicated(self._input(xs[i], outbox, timer))
                if self.is_last:
                    ends[i] = loss_fn(y, ts[i]) * (len(ts[i]) / total)
                    loss += float(ends[i].item())
                else:
                    ends[i] = Send.apply(y, comm=self.pipe, peer=self.index + 1, outbox=outbox, timer=timer)
                times["forward"] += time.perf_counter() - start
            else:
                with self._sync(i == m - 1):  # replicas reduce once, in the last micro-batch's backward
                    ends.pop(i).backward()
                times["backward"] += time.perf_counter() - start
        outbox.wait_all()
        loss = self._share_loss(loss)
        self.stats = {**times, "waiting": timer.waiting, "step": time.perf_counter() - begin}
        return loss

    def _input(self, x, outbox, timer):
        if self.is_first:
            return x
        return Recv.apply(self._anchor, comm=self.pipe, peer=self.index - 1, outbox=outbox, timer=timer)

    def _share_loss(self, loss):
        value = np.array([loss], dtype=np.float64)
        self.pipe.broadcast(value, root=self.stages - 1)
        if self.replicas is not None:
            self.replicas.allreduce(value, op="mean")
        return float(value[0])

    def _replicate(self):
        """What the forward runs: in hybrid mode, the stage inside `DistributedDataParallel` over its
        replicas (buckets, overlap, shared memory, the model check), else the stage itself."""
        if self.replicas is None:
            return self.stage
        if not any(p.requires_grad for p in self.stage.parameters()):  # e.g. pooling only: nothing to reduce
            for t in self.stage.buffers():
                self.replicas.broadcast(t._data, root=0)
            return self.stage
        from .data_parallel import DistributedDataParallel
        return DistributedDataParallel(self.stage, self.replicas)

    def _sync(self, last):
        """Every micro-batch's backward but the last accumulates locally (`no_sync`)."""
        if last or self._replicated is self.stage:
            return contextlib.nullcontext()
        return self._replicated.no_sync()

    # -------------------------------------------------------------------------------------- evaluation
    @ddp.no_grad()
    def predict(self, inputs):
        """The whole model's output on `inputs` (read by the first stage), returned on every rank."""
        if self.is_first:
            x = inputs if isinstance(inputs, Tensor) else Tensor(np.asarray(inputs))
        else:
            x = Tensor(recv_array(self.pipe, self.index - 1, PREDICTION))
        y = self.stage(x)
        outbox = Outbox()
        if not self.is_last:
            send_array(self.pipe, y._data, self.index + 1, PREDICTION, outbox)
        outbox.wait_all()
        return Tensor(broadcast_array(self.pipe, y._data if self.is_last else None, root=self.stages - 1))

    def full_state_dict(self):
        """The whole model's state dict (the unsplit model's keys) on rank 0, None on every other rank.

        Warning: synchronizes every rank of the pipeline group.
        """
        local = [(k, v._data) for k, v in self.stage.state_dict().items()]
        parts = self.pipe.allgather_object(local)
        if self.comm.rank != 0:
            return None
        return OrderedDict((k, Tensor(np.array(v))) for part in parts for k, v in part)
