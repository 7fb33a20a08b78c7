"""What one training step of each contender is: ddp data parallel (timed phase by phase), PyTorch DDP
(gloo), and ddp's pipeline (pure, or hybrid with replicas). Each object's `steps(k)` runs k steps.

Data parallel trains the MLP 784-512-256-10 (2.14 MB of float32 gradients); the pipeline and hybrid runs
a 6-layer MLP 784-256-256-256-256-256-10, which cuts into up to 6 stages. Inputs are random numpy
batches, drawn once per job: the "data" phase is taking the step's batch and wrapping it as tensors.
"""
import time

import numpy as np

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from ddp.parallel.data_parallel import DistributedDataParallel
from ddp.parallel.pipeline import Pipeline
from ddp.parallel.split import split

PHASES = ("data", "forward", "backward", "optimizer")


def mlp(lib=nn):
    """The data-parallel model, in ddp (`lib=ddp.nn`) or torch (`lib=torch.nn`)."""
    return lib.Sequential(lib.Linear(784, 512), lib.ReLU(), lib.Linear(512, 256), lib.ReLU(), lib.Linear(256, 10))


DEEP_WIDTHS = (784, 256, 256, 256, 256, 256)  # deep_mlp's inputs to its Linear layers, one each
PIPELINE_MAX_STAGES = len(DEEP_WIDTHS)  # a pipeline stage needs parameters: one Linear layer at least


def deep_mlp():
    layers = []
    for a, b in zip(DEEP_WIDTHS, DEEP_WIDTHS[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(DEEP_WIDTHS[-1], 10))


class Batches:
    """A few fixed random batches of `size` samples, handed out in turn."""

    def __init__(self, size, seed, count=4):
        rng = np.random.default_rng(seed)
        self.x = rng.standard_normal((count, size, 784)).astype(np.float32)
        self.y = rng.integers(0, 10, (count, size))
        self.i = 0

    def next_numpy(self):
        self.i = (self.i + 1) % len(self.x)
        return self.x[self.i], self.y[self.i]

    def next(self):
        x, y = self.next_numpy()
        return ddp.tensor(x), ddp.tensor(y)


class DdpDataParallel:
    """ddp's DistributedDataParallel (the bare model on one rank) at `batch` samples per rank; `phases`
    collects each step's seconds per phase; "plain_backward" those of an unwrapped copy's backward on the
    same batch, after its own optimizer step as in a DDP step so that caches are alike (the compute that
    DDP's backward adds its exposed communication to); "allreduce" the seconds each DDP step spends in
    its blocking allreduce (the last bucket's: the whole MLP), on a communicator of DDP's own so that the
    study's timing collectives stay out of it."""

    def __init__(self, comm, batch, bucket_cap_mb=25, comm_hook=None):
        ddp.manual_seed(0)
        self.comm, self.batch = comm, batch
        model = mlp()
        self.phases = {name: [] for name in PHASES + ("plain_backward", "allreduce")}
        if comm.world_size > 1:
            self.model = DistributedDataParallel(model, self._timed(comm.split(0)), bucket_cap_mb=bucket_cap_mb)
        else:
            self.model = model
        if comm_hook is not None:  # (state, hook) for DDP.register_comm_hook (--hook)
            self.model.register_comm_hook(*comm_hook)
        self.plain = mlp()
        self.plain.load_state_dict(model.state_dict())
        self.opt = ddp.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
        self.plain_opt = ddp.optim.SGD(self.plain.parameters(), lr=0.01, momentum=0.9)
        self.data = Batches(batch, seed=comm.rank)
        self.grad_bytes = sum(p.numel() * 4 for p in model.parameters())
        buckets = getattr(self.model, "_buckets", [])
        self.allreduce_bytes = sum(int(b.flat.nbytes) for b in buckets)  # what one step hands to allreduce
        self.buckets = len(buckets)

    def steps(self, k):
        for _ in range(k):
            t0 = time.perf_counter()
            x, y = self.data.next()
            t1 = time.perf_counter()
            self.opt.zero_grad()
            loss = F.cross_entropy(self.model(x), y)
            t2 = time.perf_counter()
            loss.backward()
            t3 = time.perf_counter()
            self.opt.step()
            t4 = time.perf_counter()
            for name, t in zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                self.phases[name].append(t)

    def plain_steps(self, k):
        for _ in range(k):
            x, y = self.data.next()
            self.plain_opt.zero_grad()
            loss = F.cross_entropy(self.plain(x), y)
            t = time.perf_counter()
            loss.backward()
            self.phases["plain_backward"].append(time.perf_counter() - t)
            self.plain_opt.step()

    def _timed(self, comm):
        """`comm` with its allreduce timed into phases["allreduce"] (DDP calls it once per step)."""
        inner, seconds = comm.allreduce, self.phases["allreduce"]

        def allreduce(buf, op="sum"):
            start = time.perf_counter()
            try:
                return inner(buf, op)
            finally:
                seconds.append(time.perf_counter() - start)
        comm.allreduce = allreduce
        return comm

    def breakdown(self):
        """Median seconds per phase of this rank's steps; exposed communication = DDP's backward minus the
        plain backward (never below 0)."""
        med = {name: float(np.median(v)) if v else 0.0 for name, v in self.phases.items()}
        exposed = max(0.0, med["backward"] - med["plain_backward"]) if self.comm.world_size > 1 else 0.0
        return {"data": med["data"], "forward": med["forward"], "backward": med["backward"] - exposed,
                "exposed_communication": exposed, "optimizer": med["optimizer"]}

    def sync_cases(self):
        """(raw, ddp): a raw MPI_Allreduce of the gradient bytes, and DDP's sync of the same bytes with the
        gradients already in the buckets (what Linear's backward leaves), as bench_ddp_sync.py times them."""
        from mpi4py import MPI
        raw = np.ones(self.grad_bytes // 4, np.float32)
        params = [p for p in self.model.parameters() if p.requires_grad][::-1]
        in_bucket = [self.model._slots[id(p)].grad for p in params]

        def raw_allreduce():
            self.comm.comm.Allreduce(MPI.IN_PLACE, raw, op=MPI.SUM)
            np.multiply(raw, 1.0 / self.comm.world_size, out=raw)  # bounded, like the mean DDP takes

        def ddp_sync():
            for p, g in zip(params, in_bucket):
                p.grad = g
                self.model._grad_ready(p)
        return raw_allreduce, ddp_sync


class TorchDataParallel:
    """PyTorch DistributedDataParallel over gloo (the process group is made by measure.py), same MLP,
    batch and optimizer; one rank trains the bare model."""

    def __init__(self, comm, batch):
        import torch
        torch.manual_seed(0)
        self.torch = torch
        model = mlp(torch.nn)
        self.model = torch.nn.parallel.DistributedDataParallel(model) if comm.world_size > 1 else model
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
        self.data = Batches(batch, seed=comm.rank)

    def steps(self, k):
        for _ in range(k):
            x, y = self.data.next_numpy()
            self.opt.zero_grad()
            loss = self.torch.nn.functional.cross_entropy(self.model(self.torch.from_numpy(x)),
                                                          self.torch.from_numpy(y))
            loss.backward()
            self.opt.step()


class PipelineRun:
    """ddp's Pipeline of the deep MLP in `stages` stages (world_size / stages replicas of it), 1F1B,
    `micro_batches` per step, `batch` samples per step over all replicas."""

    def __init__(self, comm, stages, batch, micro_batches=4):
        ddp.manual_seed(0)
        stage, self.plan = split(deep_mlp(), stages=stages, comm=comm)
        self.pipe = Pipeline(stage, micro_batches=micro_batches, schedule="1f1b", comm=comm)
        self.opt = ddp.optim.SGD(stage.parameters(), lr=0.01, momentum=0.9)
        self.data = Batches(batch // self.pipe.num_replicas, seed=self.pipe.replica)

    def steps(self, k):
        for _ in range(k):
            x, y = self.data.next()
            self.opt.zero_grad()
            self.pipe.step(x, y, F.cross_entropy)
            self.opt.step()
