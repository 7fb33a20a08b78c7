"""Pipeline equivalence cases shared by the simulated-rank tests and the real-MPI tests.

Each case trains the same model for a few steps twice on every rank: once whole, on the global batch, in
this process (the reference), and once pipelined across the ranks (with replicas in hybrid mode). The
pipelined stage's parameters must equal the reference's parameters of the same names. The reference uses
the same ddp ops and optimizers, so a bug in those cancels out here: tests/core checks them on their own.
"""
import numpy as np

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from ddp.parallel.pipeline import Pipeline
from ddp.parallel.split import split


def mlp():
    return nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 2 * 2, 10),
    )


MODELS = {"mlp": (mlp, (12,)), "cnn": (cnn, (1, 8, 8))}
OPTIMIZERS = {
    "sgd": lambda params: ddp.optim.SGD(params, lr=0.1, momentum=0.9),
    "adam": lambda params: ddp.optim.Adam(params, lr=0.01),
}


def batches(shape, replicas, per_replica, steps):
    rng = np.random.default_rng(7)
    for _ in range(steps):
        n = replicas * per_replica
        x = rng.standard_normal((n, *shape)).astype(np.float32)
        y = rng.integers(0, 10, n)
        yield ddp.tensor(x), ddp.tensor(y)


def train_both(comm, model="mlp", stages=2, schedule="1f1b", micro_batches=4, optimizer="sgd", steps=3,
               per_replica=12):
    """Returns (stage, reference model, pipeline, losses of both)."""
    make, shape = MODELS[model]
    ddp.manual_seed(0)
    reference = make()
    ddp.manual_seed(0)
    stage, _ = split(make(), stages=stages, comm=comm)
    pipe = Pipeline(stage, micro_batches=micro_batches, schedule=schedule, comm=comm)
    opt_ref = OPTIMIZERS[optimizer](reference.parameters())
    params = list(stage.parameters())  # a stage may hold only parameter-free layers
    opt = OPTIMIZERS[optimizer](params) if params else None
    losses = []
    for x, y in batches(shape, pipe.num_replicas, per_replica, steps):
        opt_ref.zero_grad()
        ref_loss = F.cross_entropy(reference(x), y)
        ref_loss.backward()
        opt_ref.step()
        mine = slice(pipe.replica * per_replica, (pipe.replica + 1) * per_replica)
        if opt:
            opt.zero_grad()
        loss = pipe.step(x[mine], y[mine], F.cross_entropy)
        if opt:
            opt.step()
        losses.append((ref_loss.item(), loss))
    return stage, reference, pipe, losses


def assert_matches_reference(stage, reference, losses, rtol=1e-6, atol=1e-7):
    ref = dict(reference.named_parameters())
    for name, p in stage.named_parameters():
        np.testing.assert_allclose(p.numpy(), ref[name].numpy(), rtol=rtol, atol=atol, err_msg=name)
    for ref_loss, loss in losses:
        assert abs(ref_loss - loss) <= 1e-5 * max(1.0, abs(ref_loss)), (ref_loss, loss)
