"""A transformer-style block and its tensor-parallel twin, shared by the tensor-parallel tests (threads and
real MPI): the same seed builds both with the same weights; `run` trains either on a global batch, the
parallel one on tensor x data parallel groups split from the world."""
import numpy as np

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from ddp.parallel.data_parallel import DistributedDataParallel
from ddp.parallel.tensor_parallel import ParallelMLP, ParallelMultiheadAttention, full_state_dict

E, HEADS, HIDDEN, CLASSES, L, BATCH, STEPS = 8, 4, 16, 3, 5, 8, 3


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(E, HIDDEN), nn.GELU(), nn.Linear(HIDDEN, E)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """x + attention(x), then + mlp, then a linear head on the mean over positions."""

    def __init__(self, tp=None):
        super().__init__()
        if tp is None:
            self.attn, self.mlp = nn.MultiheadAttention(E, HEADS, batch_first=True), MLP()
        else:
            self.attn = ParallelMultiheadAttention(E, HEADS, batch_first=True, process_group=tp)
            self.mlp = ParallelMLP(E, HIDDEN, process_group=tp)
        self.head = nn.Linear(E, CLASSES)

    def forward(self, x):
        h = x + self.attn(x, x, x, need_weights=False)[0]
        return self.head((h + self.mlp(h)).mean(dim=1))


def data(step):
    rng = np.random.default_rng(step)
    return rng.standard_normal((BATCH, L, E)).astype(np.float32), rng.integers(0, CLASSES, BATCH)


def groups(comm, tp_size=2):
    """(tensor-parallel group, data-parallel group): consecutive ranks share a batch, every tp_size-th
    rank holds the same shard."""
    return comm.split(comm.rank // tp_size), comm.split(comm.rank % tp_size)


def run(comm=None, tp_size=2):
    """SGD steps on the global batches; the losses (of this rank's shard), the first step's input gradient
    (of the global mean loss), the first step's gradient of attn.in_proj_weight (this rank's rows) and the
    final full state dict."""
    ddp.manual_seed(0)
    tp, dp = groups(comm, tp_size) if comm is not None else (None, None)
    model = Block(tp)
    trained = model if dp is None else DistributedDataParallel(model, dp)
    # SGD, not Adam: the key bias's gradient is zero in exact arithmetic (softmax ignores a constant score
    # shift), and Adam would blow its rounding noise up into steps of size lr
    opt = ddp.optim.SGD(trained.parameters(), lr=0.1, momentum=0.9)
    shard = BATCH // (1 if dp is None else dp.world_size)
    part = slice(0, BATCH) if dp is None else slice(dp.rank * shard, (dp.rank + 1) * shard)
    losses, first = [], None
    for step in range(STEPS):
        x, y = data(step)
        x = ddp.tensor(x[part], requires_grad=True)
        opt.zero_grad()
        loss = F.cross_entropy(trained(x), ddp.tensor(y[part]))
        loss.backward()
        if first is None:
            scale = 1 if dp is None else dp.world_size  # the shard's mean loss is dp.world_size x its share
            first = x.grad.numpy() / scale, model.attn.in_proj_weight.grad.numpy().copy()
        opt.step()
        losses.append(float(loss.item()))
    state = full_state_dict(model) if tp is not None else model.state_dict()
    return losses, first, {k: v.numpy().copy() for k, v in state.items()}
