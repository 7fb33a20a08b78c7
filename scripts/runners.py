"""How train_mnist.py runs a step: data parallel (`DataParallelRunner`) or pipelined (`PipelineRunner`).

Both offer the same small interface, so the training loop does not care which one it drives:
`train_step(x, y, optimizer) -> loss`, `predict(x) -> logits`, `parameters()`, `state_dict()` (the whole
model's, on rank 0), `num_replicas` and `replica` (how the data is sharded), `metrics_comm` (the ranks whose
evaluation sums add up to the whole test set), `mean_over_replicas(losses)`, `plan` and `describe()`.
"""
import ddp.nn.functional as F
from ddp.parallel import LocalCommunicator, timeline
from ddp.parallel.data_parallel import DistributedDataParallel
from ddp.parallel.pipeline import Pipeline
from ddp.parallel.split import split


class DataParallelRunner:
    """One model replica per rank, gradients averaged by `DistributedDataParallel` (unwrapped on 1 rank)."""

    plan = None
    min_batch = 1

    def __init__(self, model, comm):
        self.module, self.comm = model, comm
        self.model = DistributedDataParallel(model, comm) if comm.world_size > 1 else model
        self.num_replicas, self.replica, self.metrics_comm = comm.world_size, comm.rank, comm

    def describe(self):
        return ""

    def parameters(self):
        return self.module.parameters()

    def train_step(self, x, y, optimizer):
        optimizer.zero_grad()
        loss = F.cross_entropy(self.model(x), y)
        loss.backward()  # averages the gradients over the ranks
        with timeline.span("optimizer step", "compute"):
            optimizer.step()
        return loss.item()

    def predict(self, x):
        return self.module(x)

    def train(self):
        self.module.train()

    def eval(self):
        self.module.eval()

    def mean_over_replicas(self, losses):
        """Each rank's step losses -> the global batch's (collective)."""
        return self.comm.allreduce(losses, op="mean") if self.comm.world_size > 1 else losses

    def state_dict(self):
        return self.module.state_dict()

    def module_for_checkpoint(self):
        """What the training state saves and restores: every rank holds the whole model."""
        return self.module


class PipelineRunner:
    """The model cut into `args.stages` stages; with more ranks than stages, each stage is replicated."""

    def __init__(self, model, args, comm, sample):
        stages = args.stages or (2 if args.parallel == "hybrid" else comm.world_size)
        self.stage, self.plan = split(model, stages, balance=args.balance, sample=sample, comm=comm)
        self.pipe = Pipeline(self.stage, args.micro_batches, args.schedule, comm)
        self.num_replicas, self.replica = self.pipe.num_replicas, self.pipe.replica
        self.metrics_comm = self.pipe.replicas or LocalCommunicator()  # every stage sees the same outputs
        self.min_batch = args.micro_batches

    def describe(self):
        return (f"stages={self.pipe.stages} replicas={self.num_replicas} micro_batches={self.pipe.micro_batches} "
                f"schedule={self.pipe.schedule} ")

    def parameters(self):
        return self.stage.parameters()

    def train_step(self, x, y, optimizer):
        optimizer.zero_grad()
        loss = self.pipe.step(x, y, F.cross_entropy)  # the global batch's mean loss on every rank
        with timeline.span("optimizer step", "compute"):
            optimizer.step()
        return loss

    def predict(self, x):
        return self.pipe.predict(x)

    def train(self):
        self.stage.train()

    def eval(self):
        self.stage.eval()

    def mean_over_replicas(self, losses):
        return losses

    def state_dict(self):
        return self.pipe.full_state_dict()


def make_runner(model, args, comm, sample=None):
    """The runner for `args.parallel`: "data", or "pipeline"/"hybrid" (which differ only in default stages)."""
    if args.parallel == "data":
        return DataParallelRunner(model, comm)
    return PipelineRunner(model, args, comm, sample)
