"""DDP communication hooks on simulated ranks: the default hook is the unhooked reduction bitwise, fp16/bf16
stay within their rounding of it, PowerSGD moves the bytes it counts and trains MNIST as well as plain
averaging; replicas bitwise identical; the Future and the errors."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.parallel as dp
from ddp.parallel.comm import Communicator
from ddp.parallel.comm_hooks import (
    Future, allreduce_hook, bf16_compress_hook, fp16_compress_hook, from_bfloat16_bits, to_bfloat16_bits,
)
from ddp.parallel.data_parallel import DistributedDataParallel
from ddp.parallel.powersgd_hook import PowerSGDState, orthogonalize, powerSGD_hook


def model():
    ddp.manual_seed(0)
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 3))


def batch(rank, step, rows=6):
    rng = np.random.default_rng(10 * step + rank)
    return ddp.tensor(rng.standard_normal((rows, 10)).astype(np.float32)), ddp.tensor(rng.integers(0, 3, rows))


class Counting(Communicator):
    """A communicator that counts the bytes handed to it and passes every call on."""

    def __init__(self, inner):
        self.inner, self.rank, self.world_size, self.nbytes = inner, inner.rank, inner.world_size, 0

    def allreduce(self, buf, op="sum"):
        self.nbytes += np.asarray(buf).nbytes
        return self.inner.allreduce(buf, op)

    def iallreduce(self, buf, op="sum"):
        self.nbytes += np.asarray(buf).nbytes
        return self.inner.iallreduce(buf, op)

    def allgather(self, buf, out=None):
        self.nbytes += np.asarray(buf).nbytes
        return self.inner.allgather(buf, out)


def train(hook=None, make_state=None, steps=6, grads_only=False, rows=6, **ddp_kwargs):
    """Train `model()` on every rank; return (parameters or first-step gradients, state, counted bytes)."""
    comm = dp.init()
    dmodel = DistributedDataParallel(model(), comm, bucket_cap_mb=0.001, **ddp_kwargs)  # several buckets
    counting = Counting(comm)
    state = make_state(counting) if make_state else counting
    if hook is not None:
        dmodel.register_comm_hook(state, hook)
    opt = ddp.optim.SGD(dmodel.parameters(), lr=0.1, momentum=0.9)
    for step in range(steps):
        x, y = batch(comm.rank, step, rows)
        opt.zero_grad()
        F.cross_entropy(dmodel(x), y).backward()
        if grads_only:
            return [p.grad.numpy().copy() for p in dmodel.parameters()], state, counting.nbytes
        opt.step()
    return [p.numpy().copy() for p in dmodel.parameters()], state, counting.nbytes


def same_bits(a, b):
    return all(x.tobytes() == y.tobytes() for x, y in zip(a, b))


@pytest.mark.parametrize("world_size", [2, 3])
def test_the_default_hook_is_the_unhooked_reduction_bitwise(world_size):
    plain = dp.spawn(lambda: train(), world_size)
    hooked = dp.spawn(lambda: train(allreduce_hook), world_size)
    for (got, _, nbytes), (want, _, _) in zip(hooked, plain):
        assert same_bits(got, want)
        assert nbytes == 6 * sum(w.nbytes for w in want)  # every gradient, once a step


def test_the_default_hook_with_unused_parameters_and_join():
    """find_unused_parameters and uneven inputs under join: the hooked run is the unhooked one, bitwise."""
    def run(hook):
        comm = dp.init()
        dmodel = DistributedDataParallel(model(), comm, bucket_cap_mb=0.001, find_unused_parameters=True)
        if hook is not None:
            dmodel.register_comm_hook(None, hook)
        opt = ddp.optim.SGD(dmodel.parameters(), lr=0.1)
        with dmodel.join():
            for step in range(3 + comm.rank):  # rank 1 takes one step more
                x, y = batch(comm.rank, step)
                opt.zero_grad()
                F.cross_entropy(dmodel(x), y).backward()
                opt.step()
        return [p.numpy().copy() for p in dmodel.parameters()]
    plain, hooked = dp.spawn(lambda: run(None), 2), dp.spawn(lambda: run(allreduce_hook), 2)
    assert same_bits(hooked[0], plain[0]) and same_bits(hooked[1], plain[0])


@pytest.mark.parametrize("hook, bits", [(fp16_compress_hook, 11), (bf16_compress_hook, 8)])
def test_fp16_and_bf16_stay_within_their_rounding(hook, bits):
    want = dp.spawn(lambda: train(grads_only=True), 2)[0][0]
    runs = dp.spawn(lambda: train(hook, grads_only=True), 2)
    assert same_bits(runs[0][0], runs[1][0])
    for got, exact in zip(runs[0][0], want):
        # two roundings of each rank's share and one of the sum, each within half a unit in the last place
        scale = np.abs(exact).max() + 1e-30
        assert np.abs(got - exact).max() <= 2.0 ** -bits * 2 * scale
        assert not same_bits([got], [exact]) or np.abs(exact).max() == 0
    elements = sum(w.size for w in want)
    assert runs[0][2] == 2 * elements  # 2 bytes per element moved


def test_compression_hooks_equal_their_numpy_formulas():
    """On a bucket of known values: fp16 = f16(f16(x_0) / 2 + f16(x_1) / 2), bf16 the same in bfloat16 (numpy
    emulation), bit for bit."""
    from ddp.parallel.comm_hooks import GradBucket
    values = [np.random.default_rng(r).standard_normal(1000).astype(np.float32) * 10 for r in range(2)]

    def run(hook):
        comm = dp.init()
        flat = values[comm.rank].copy()
        return hook(None, GradBucket(flat, [], 0, True, comm)).wait().numpy().copy()
    halves = [np.divide(v.astype(np.float16), np.float16(2)) for v in values]
    fp16 = (halves[0] + halves[1]).astype(np.float32)
    bf = [to_bfloat16_bits(from_bfloat16_bits(to_bfloat16_bits(v)) / np.float32(2)) for v in values]
    bf16 = from_bfloat16_bits(to_bfloat16_bits(from_bfloat16_bits(bf[0]) + from_bfloat16_bits(bf[1])))
    for hook, want in ((fp16_compress_hook, fp16), (bf16_compress_hook, bf16)):
        for got in dp.spawn(lambda: run(hook), 2):
            assert got.tobytes() == want.tobytes()


def test_bfloat16_rounding_is_to_nearest_even():
    x = np.array([1.0, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -9, -2.5, 3e38, np.inf, 0.0], np.float32)
    got = from_bfloat16_bits(to_bfloat16_bits(x))
    np.testing.assert_array_equal(got[:5], [1.0, 1.0, 1 + 2 ** -6, 1.0, -2.5])  # ties go to the even one
    assert got[6] == np.inf and got[7] == 0
    assert np.isnan(from_bfloat16_bits(to_bfloat16_bits(np.array([np.nan], np.float32))))[0]
    torch = pytest.importorskip("torch")
    r = np.random.default_rng(0).standard_normal(10000).astype(np.float32) * 100
    want = torch.from_numpy(r).to(torch.bfloat16).to(torch.float32).numpy()
    np.testing.assert_array_equal(from_bfloat16_bits(to_bfloat16_bits(r)), want)


def powersgd(comm, **kwargs):
    settings = dict(matrix_approximation_rank=2, start_powerSGD_iter=2, min_compression_rate=1)
    return PowerSGDState(comm, **{**settings, **kwargs})


def test_powersgd_moves_the_bytes_it_counts_and_keeps_replicas_equal():
    runs = dp.spawn(lambda: train(powerSGD_hook, powersgd), 2)
    (params0, state, counted), (params1, _, _) = runs
    assert same_bits(params0, params1)
    assert state.bytes_sent == counted and state.iter == 6
    # 2 plain steps of every gradient; then for each weight (n x m) P (n x 2) and Q (m x 2), biases whole
    shapes = [p.shape for p in model().parameters()]
    plain = sum(int(np.prod(s)) for s in shapes)
    compressed = sum((s[0] + s[1]) * 2 if len(s) == 2 else s[0] for s in shapes)
    assert counted == 4 * (2 * plain + 4 * compressed)
    rate, before, after = state.compression_stats()
    assert (before, after, rate) == (4 * plain, 4 * compressed, before / after)


def test_powersgd_before_its_start_is_plain_allreduce():
    plain = dp.spawn(lambda: train(), 2)[0][0]
    warm = dp.spawn(lambda: train(powerSGD_hook, lambda c: powersgd(c, start_powerSGD_iter=100)), 2)[0][0]
    assert same_bits(warm, plain)


def test_powersgd_of_full_rank_reproduces_the_average():
    """Rank r = min(n, m) and no warm start: P Q^T is the projection of M onto an orthonormal basis of its
    column space, i.e. M itself (to rounding), so the gradients are the plain average. (The batch of 2 x 64
    makes every gradient matrix of full rank: Gram-Schmidt on a rank-deficient P would add noise columns.)"""
    want = dp.spawn(lambda: train(grads_only=True, rows=64), 2)[0][0]
    state = lambda c: PowerSGDState(c, matrix_approximation_rank=32, start_powerSGD_iter=0, min_compression_rate=0,
                                    use_error_feedback=False, warm_start=False)
    got = dp.spawn(lambda: train(powerSGD_hook, state, grads_only=True, rows=64), 2)[0][0]
    full = [(g, w) for g, w in zip(got, want) if w.ndim == 1 or np.linalg.matrix_rank(w) == min(w.shape)]
    assert len(full) == len(want) - 1  # the last weight's rows sum to zero (softmax): rank 2 of 3
    for g, w in full:
        np.testing.assert_allclose(g, w, rtol=1e-3, atol=1e-5)


def test_orthogonalize_gives_orthonormal_columns():
    m = np.random.default_rng(1).standard_normal((20, 4))
    q = m.copy()
    orthogonalize(q)
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(np.linalg.qr(m)[0] @ np.linalg.qr(m)[0].T @ q, q, atol=1e-12)  # same span
    zero = np.zeros((5, 2))
    orthogonalize(zero)
    assert not np.isnan(zero).any()


def test_powersgd_trains_mnist_as_well_as_averaging(mnist_root):
    """The 784-512-256-10 MLP, one epoch of 8,000 images on 2 ranks (batch 64 each): PowerSGD (rank 4, error
    feedback, warm start) ends within five points of plain averaging's test accuracy (2 to 4.3 points behind
    over seeds 0-4, with PyTorch's initial weights), moving ~1/50 the bytes in its compressed steps."""
    from ddp.core.data.mnist import MNIST

    def arrays(ds):
        x = np.asarray(ds.data.numpy() if hasattr(ds.data, "numpy") else ds.data, np.float32)
        y = ds.targets.numpy() if hasattr(ds.targets, "numpy") else np.asarray(ds.targets)
        return (x.reshape(len(x), -1) / np.float32(255) - np.float32(0.1307)) / np.float32(0.3081), y
    (xtr, ytr), (xte, yte) = arrays(MNIST(mnist_root, train=True)), arrays(MNIST(mnist_root, train=False))

    def run(compressed):
        comm = dp.init()
        ddp.manual_seed(0)
        net = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
        dmodel = DistributedDataParallel(net, comm)
        state = PowerSGDState(None, matrix_approximation_rank=4, start_powerSGD_iter=10) if compressed else None
        if compressed:
            dmodel.register_comm_hook(state, powerSGD_hook)
        opt = ddp.optim.SGD(dmodel.parameters(), lr=0.1, momentum=0.9)
        for i in range(len(xtr) // 128):
            s = (2 * i + comm.rank) * 64
            opt.zero_grad()
            F.cross_entropy(dmodel(ddp.tensor(xtr[s:s + 64])), ddp.tensor(ytr[s:s + 64])).backward()
            opt.step()
        with ddp.no_grad():
            accuracy = float((dmodel(ddp.tensor(xte)).numpy().argmax(1) == yte).mean())
        return accuracy, state, [p.numpy().copy() for p in dmodel.parameters()]
    (plain, _, _), _ = dp.spawn(lambda: run(False), 2)
    (compressed, state, p0), (_, _, p1) = dp.spawn(lambda: run(True), 2)
    assert plain > 0.85
    assert compressed >= plain - 0.05, (compressed, plain)
    assert same_bits(p0, p1)
    assert state.compression_stats()[0] > 40


def test_future_then_value_done():
    f = Future(3)
    assert f.done() and f.value() == 3 and f.then(lambda fut: fut.value() + 1).wait() == 4
    pending = Future(wait=lambda: 5)
    chained = pending.then(lambda fut: fut.value() * 2)
    with pytest.raises(RuntimeError, match="Future.value: the future is not done"):
        pending.value()
    assert chained.wait() == 10 and pending.done()


def test_errors():
    comm = dp.init()
    dmodel = DistributedDataParallel(model(), comm)
    with pytest.raises(TypeError, match="register_comm_hook: hook must be callable, got int"):
        dmodel.register_comm_hook(None, 3)
    dmodel.register_comm_hook(None, lambda state, bucket: Future(np.zeros(1, np.float32)))
    with pytest.raises(RuntimeError, match="register_comm_hook: a communication hook is already registered"):
        dmodel.register_comm_hook(None, allreduce_hook)
    x, y = batch(0, 0)
    with pytest.raises(RuntimeError, match=r"must return a Future of the bucket's flat gradient \(\d+ elements\)"):
        F.cross_entropy(dmodel(x), y).backward()
    with pytest.raises(ValueError, match="PowerSGDState: expected start_powerSGD_iter > 1"):
        PowerSGDState(None, start_powerSGD_iter=1)
    with pytest.raises(ValueError, match="PowerSGDState: matrix_approximation_rank must be a positive int, got 0"):
        PowerSGDState(None, matrix_approximation_rank=0)
    other = DistributedDataParallel(model(), comm)
    other.register_comm_hook(object(), allreduce_hook)
    with pytest.raises(TypeError, match="comm hook: expected a process group, a Communicator or None"):
        F.cross_entropy(other(x), y).backward()
