"""DDP communication hooks on real MPI ranks: the default hook is the unhooked reduction bitwise, fp16/bf16
within their rounding of it, PowerSGD counts the bytes it moves; every rank ends bitwise identical."""
import numpy as np
import pytest

import ddp
import ddp.nn.functional as F
from ddp.parallel.comm_hooks import allreduce_hook, bf16_compress_hook, fp16_compress_hook
from ddp.parallel.data_parallel import DistributedDataParallel
from ddp.parallel.powersgd_hook import PowerSGDState, powerSGD_hook

pytestmark = pytest.mark.mpi(min_size=2)


def _train(comm, hook=None, state=None, steps=5, grads_only=False):
    ddp.manual_seed(0)
    net = ddp.nn.Sequential(ddp.nn.Linear(10, 32), ddp.nn.ReLU(), ddp.nn.Linear(32, 16), ddp.nn.ReLU(),
                            ddp.nn.Linear(16, 3))
    dmodel = DistributedDataParallel(net, comm, bucket_cap_mb=0.001)  # several buckets
    if hook is not None:
        dmodel.register_comm_hook(state, hook)
    opt = ddp.optim.SGD(dmodel.parameters(), lr=0.1, momentum=0.9)
    for step in range(steps):
        rng = np.random.default_rng(10 * step + comm.rank)
        x, y = ddp.tensor(rng.standard_normal((6, 10)).astype(np.float32)), ddp.tensor(rng.integers(0, 3, 6))
        opt.zero_grad()
        F.cross_entropy(dmodel(x), y).backward()
        if grads_only:
            return [p.grad.numpy().copy() for p in dmodel.parameters()]
        opt.step()
    return [p.numpy().copy() for p in dmodel.parameters()]


def _bytes(arrays):
    return b"".join(a.tobytes() for a in arrays)


def test_default_hook_equals_the_unhooked_reduction_bitwise(comm):
    plain, hooked = _bytes(_train(comm)), _bytes(_train(comm, allreduce_hook))
    everyone = comm.allgather_object(hooked)
    assert hooked == plain
    assert all(b == hooked for b in everyone)


@pytest.mark.parametrize("hook, bits", [(fp16_compress_hook, 11), (bf16_compress_hook, 8)])
def test_compressed_gradients_within_their_rounding(comm, hook, bits):
    exact, got = _train(comm, grads_only=True), _train(comm, hook, grads_only=True)
    everyone = comm.allgather_object(_bytes(got))
    assert all(b == everyone[0] for b in everyone)
    for g, e in zip(got, exact):
        assert np.abs(g - e).max() <= 2.0 ** -bits * 2 * np.abs(e).max()


def test_powersgd_replicas_identical_and_bytes_counted(comm):
    state = PowerSGDState(None, matrix_approximation_rank=2, start_powerSGD_iter=2, min_compression_rate=1)
    params = _bytes(_train(comm, powerSGD_hook, state))
    everyone = comm.allgather_object(params)
    assert all(b == params for b in everyone)
    shapes = [(32, 10), (32,), (16, 32), (16,), (3, 16), (3,)]
    plain = sum(int(np.prod(s)) for s in shapes)
    compressed = sum((s[0] + s[1]) * 2 if len(s) == 2 else s[0] for s in shapes)
    assert state.bytes_sent == 4 * (2 * plain + 3 * compressed)
