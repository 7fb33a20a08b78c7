"""Models, data and training loops shared by the DistributedDataParallel tests (threads and real MPI).

The central check: N ranks, each training on its B/N shard of every global batch, end with the same
parameters as one process training on the whole batch B from the same initialisation. The one-process
reference runs the same ddp ops and optimizers, so a bug in those cancels out here: tests/core checks them
on their own (finite-difference gradchecks, numpy forward references, numpy update rules).
"""
import numpy as np

import ddp
import ddp.nn as nn
from ddp.parallel import DistributedSampler
from ddp.parallel.data_parallel import DistributedDataParallel

IN, CLASSES, BATCH, STEPS = 12, 5, 24, 4  # a batch of 24 splits evenly over 1, 2, 3, 4 ranks


class MLP(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.fc1 = nn.Linear(IN, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, CLASSES)

    def forward(self, x):
        return self.fc3(ddp.relu(self.fc2(ddp.relu(self.fc1(x)))))


class TwoHeads(nn.Module):
    """`head` is used only where `use_head` is set; `spare` is never used."""

    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 3)
        self.head = nn.Linear(3, 3)
        self.spare = nn.Linear(3, 3)
        self.use_head = True

    def forward(self, x):
        h = self.body(x)
        return self.head(h) if self.use_head else h


def _conv2d():
    """ddp.nn.Conv2d, or None while the conv layers have not landed."""
    try:
        from ddp.core.nn.conv import Conv2d
    except ImportError:
        return None
    return Conv2d


def have_conv():
    return _conv2d() is not None


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        conv2d = _conv2d()
        self.conv1 = conv2d(1, 4, 3, padding=1)
        self.conv2 = conv2d(4, 6, 3, stride=2)
        self.fc = nn.Linear(6 * 3 * 3, CLASSES)

    def forward(self, x):
        h = ddp.relu(self.conv2(ddp.relu(self.conv1(x.reshape(-1, 1, 8, 8)))))
        return self.fc(h.reshape(h.shape[0], -1))


def cross_entropy(logits, y):
    """Mean cross-entropy over the batch (written here so the tests need no loss module)."""
    return -ddp.gather(ddp.log_softmax(logits, 1), 1, y.reshape(-1, 1)).mean()


def make_model(kind="mlp", seed=0):
    """"mlp", "cnn", or "wide": an MLP whose single bucket (about 170 KB) takes MPI's shared-memory path."""
    ddp.manual_seed(seed)
    return CNN() if kind == "cnn" else MLP(hidden=200) if kind == "wide" else MLP()


def make_data(kind="mlp", steps=STEPS, batch=BATCH, seed=1):
    """`steps` global batches: inputs (steps, batch, features) float32 and labels (steps, batch)."""
    rng = np.random.default_rng(seed)
    features = 64 if kind == "cnn" else IN
    x = rng.standard_normal((steps, batch, features)).astype(np.float32)
    return x, rng.integers(0, CLASSES, (steps, batch))


OPTIMIZERS = {
    "sgd": lambda params: ddp.optim.SGD(params, lr=0.1, momentum=0.9),
    "adam": lambda params: ddp.optim.Adam(params, lr=0.01),
}


def train(model, opt, x, y, shard=None):
    """One optimizer step per global batch, on rows `shard` of it (all rows by default)."""
    shard = np.arange(x.shape[1]) if shard is None else shard
    for xb, yb in zip(x, y):
        opt.zero_grad()
        cross_entropy(model(ddp.tensor(xb[shard])), ddp.tensor(yb[shard])).backward()
        opt.step()


def train_with_gradient_penalty(model, opt, x, y, shard=None, weight=0.1):
    """As `train`, with a WGAN-GP style penalty on each sample's input gradient, ((|d out/d x| - 1)^2), taken
    by a backward recorded with create_graph=True: the parameters' gradients then run through it."""
    shard = np.arange(x.shape[1]) if shard is None else shard
    for xb, yb in zip(x, y):
        opt.zero_grad()
        inputs = ddp.tensor(xb[shard], requires_grad=True)
        out = model(inputs)
        (g,) = ddp.autograd.grad(out.sum(), inputs, create_graph=True)
        penalty = (((g * g).sum(dim=1) + 1e-12).sqrt() - 1) ** 2
        (cross_entropy(out, ddp.tensor(yb[shard])) + weight * penalty.mean()).backward()
        opt.step()


def single_process(kind, optimizer, x, y):
    """The reference: one process on the full batches."""
    model = make_model(kind)
    train(model, OPTIMIZERS[optimizer](model.parameters()), x, y)
    return [p.numpy().copy() for p in model.parameters()]


def data_parallel(comm, kind, optimizer, x, y, bucket_cap_mb=0.001, init_seed=None):
    """This rank's part of the data-parallel run; returns its parameters and the DDP wrapper.

    Ranks start from different initialisations (seed 100 + rank) unless `init_seed` is given: the
    construction must broadcast rank 0's. The shard comes from a `DistributedSampler`.
    """
    model = make_model(kind, seed=100 + comm.rank if init_seed is None else init_seed)
    if comm.rank == 0:
        model = make_model(kind, seed=0)
    dmodel = DistributedDataParallel(model, comm, bucket_cap_mb=bucket_cap_mb)
    shard = np.array(list(DistributedSampler(range(x.shape[1]), comm.world_size, comm.rank, shuffle=False)))
    train(dmodel, OPTIMIZERS[optimizer](dmodel.parameters()), x, y, shard)
    return [p.numpy().copy() for p in dmodel.parameters()], dmodel


def max_rel_error(got, want):
    """Largest |got - want| over all parameters, relative to the largest |want| of that parameter."""
    return max(float(np.abs(a - b).max() / np.abs(b).max()) for a, b in zip(got, want))
