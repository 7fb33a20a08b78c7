"""DistributedDataParallel on real MPI ranks (run through tests/parallel/test_mpirun.py).

Every check communicates first and asserts after, so a failing rank never leaves the others waiting
(conftest.py settles one verdict across the ranks). The one-process reference uses the same ddp ops and
optimizers, so an op or optimizer bug cancels out here; tests/core checks those against finite
differences and numpy update rules.
"""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.parallel.data_parallel import DistributedDataParallel as DDP
from ddp.parallel.metrics import MetricSums

from ddp_cases import (OPTIMIZERS, TwoHeads, cross_entropy, data_parallel, have_conv, make_data, make_model,
                       max_rel_error, single_process, train_with_gradient_penalty)

pytestmark = pytest.mark.mpi(min_size=2)


def _bitwise_equal_on_every_rank(comm, arrays):
    mine = b"".join(a.tobytes() for a in arrays)
    return all(other == mine for other in comm.allgather_object(mine))


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_ranks_match_one_process_and_each_other(comm, kind, optimizer):
    if kind == "cnn" and not have_conv():
        pytest.skip("ddp.nn.Conv2d has not landed yet")
    x, y = make_data(kind)
    params, dmodel = data_parallel(comm, kind, optimizer, x, y)
    identical = _bitwise_equal_on_every_rank(comm, params)
    assert len(dmodel.bucket_layout()) > 1
    assert max_rel_error(params, single_process(kind, optimizer, x, y)) < 1e-6
    assert identical


def test_a_gradient_penalty_through_a_recorded_backward_matches_one_process(comm):
    """Double backward under DDP: each rank's penalty gradients go through the all-reduce like any other."""
    x, y = make_data()
    model = make_model("mlp", seed=0)
    dmodel = DDP(model, comm, bucket_cap_mb=0.001)
    shard = np.arange(comm.rank, x.shape[1], comm.world_size)
    train_with_gradient_penalty(dmodel, OPTIMIZERS["sgd"](dmodel.parameters()), x, y, shard)
    params = [p.numpy().copy() for p in dmodel.parameters()]
    identical = _bitwise_equal_on_every_rank(comm, params)
    reference = make_model("mlp", seed=0)
    train_with_gradient_penalty(reference, OPTIMIZERS["sgd"](reference.parameters()), x, y)
    assert max_rel_error(params, [p.numpy() for p in reference.parameters()]) < 1e-6
    assert identical


def test_one_large_bucket_matches_too(comm):
    x, y = make_data()
    params, dmodel = data_parallel(comm, "mlp", "sgd", x, y, bucket_cap_mb=25)
    identical = _bitwise_equal_on_every_rank(comm, params)
    assert dmodel.bucket_layout() == [[n for n, _ in reversed(list(dmodel.module.named_parameters()))]]
    assert max_rel_error(params, single_process("mlp", "sgd", x, y)) < 1e-6
    assert identical


@pytest.mark.mpi(min_size=2)
def test_buckets_in_shared_memory_match_too(comm):
    """A bucket above 64 KiB lives in a shared window (comm.reduce_buffer) and is reduced there."""
    x, y = make_data()
    params, dmodel = data_parallel(comm, "wide", "sgd", x, y, bucket_cap_mb=25)
    identical = _bitwise_equal_on_every_rank(comm, params)
    in_window = [id(b.flat) in comm._shm._windows for b in dmodel._buckets]
    views = [any(np.shares_memory(p.grad.numpy(), b.flat) for b in dmodel._buckets) for p in dmodel.parameters()]
    assert in_window == [True] and all(views)
    assert max_rel_error(params, single_process("wide", "sgd", x, y)) < 1e-6
    assert identical


def test_mismatched_model_raises_on_every_rank(comm):
    model = make_model()
    if comm.rank == 1:
        model.fc2 = nn.Linear(24, 25)
    try:
        DDP(model, comm)
        message = None
    except RuntimeError as exc:
        message = str(exc)
    messages = comm.allgather_object(message)
    assert all(m is not None for m in messages), messages
    assert "'fc2.weight' is a parameter of shape (24, 24) and dtype ddp.float32 on rank 0 but a parameter " \
           "of shape (25, 24) and dtype ddp.float32 on rank 1" in message


def _two_heads_loss(model, step, rank):
    """Rank 0 uses the head, the others do not; `spare` is never used."""
    module = getattr(model, "module", model)
    module.use_head = rank == 0
    x = ddp.tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4) * (step + 1) + rank)
    return model(x).sum()


def test_no_sync_with_unused_parameters(comm):
    """Accumulate one micro-batch locally, reduce with the next; grads = one process on all shards."""
    ddp.manual_seed(0)
    dmodel = DDP(TwoHeads(), comm, bucket_cap_mb=1e-5, find_unused_parameters=True)
    with dmodel.no_sync():
        _two_heads_loss(dmodel, 0, comm.rank).backward()
    _two_heads_loss(dmodel, 1, comm.rank).backward()
    grads = {n: p.grad for n, p in dmodel.module.named_parameters()}
    used = [g.numpy().copy() for g in grads.values() if g is not None]
    identical = _bitwise_equal_on_every_rank(comm, used)

    ddp.manual_seed(0)
    ref = TwoHeads()
    for rank in range(comm.world_size):
        for step in range(2):
            (_two_heads_loss(ref, step, rank) / comm.world_size).backward()
    assert identical
    assert grads["spare.weight"] is None and grads["spare.bias"] is None
    assert max_rel_error(used, [p.grad.numpy() for p in ref.parameters() if p.grad is not None]) < 1e-6


def test_unused_parameters_leave_no_stale_gradient_in_their_bucket(comm):
    """Step 0: every rank uses `head`; step 1: rank 0 alone. At step 1 the other ranks' slots for `head` must
    hold zeros, not step 0's gradient (the same check over threads is in test_data_parallel.py)."""
    def batch(step, rank):
        return ddp.tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4) * (step + 2) + rank)
    ddp.manual_seed(0)
    dmodel = DDP(TwoHeads(), comm, bucket_cap_mb=1e-5, find_unused_parameters=True)
    for step in range(2):
        dmodel.zero_grad()
        dmodel.module.use_head = step == 0 or comm.rank == 0
        dmodel(batch(step, comm.rank)).sum().backward()
    grads = {n: p.grad.numpy().copy() for n, p in dmodel.module.named_parameters() if p.grad is not None}
    identical = _bitwise_equal_on_every_rank(comm, list(grads.values()))

    ddp.manual_seed(0)
    ref = TwoHeads()
    for rank in range(comm.world_size):
        ref.use_head = rank == 0
        (ref(batch(1, rank)).sum() / comm.world_size).backward()
    want = {n: p.grad.numpy() for n, p in ref.named_parameters() if p.grad is not None}
    assert identical
    assert sorted(grads) == sorted(want) == ["body.bias", "body.weight", "head.bias", "head.weight"]
    assert max_rel_error([grads[n] for n in want], list(want.values())) < 1e-6


def test_metrics_are_exact_global_numbers(comm):
    rng = np.random.default_rng(0)
    logits, target, losses = rng.standard_normal((13, 3)), rng.integers(0, 3, 13), rng.random(13)
    rows = np.arange(comm.rank, 13, comm.world_size)
    sums = MetricSums()
    if len(rows):
        sums.update(losses[rows].mean(), logits[rows], target[rows])
    m = sums.compute(comm)
    assert m.count == 13
    assert m.loss == pytest.approx(losses.mean(), rel=1e-12)
    assert m.accuracy == pytest.approx((logits.argmax(1) == target).mean(), rel=1e-12)


def test_grads_after_backward_are_identical_and_averaged(comm):
    dmodel = DDP(make_model(), comm, bucket_cap_mb=0.001)
    x, y = make_data(steps=1, batch=4 * comm.world_size)
    rows = slice(4 * comm.rank, 4 * comm.rank + 4)
    cross_entropy(dmodel(ddp.tensor(x[0, rows])), ddp.tensor(y[0, rows])).backward()
    grads = [p.grad.numpy().copy() for p in dmodel.parameters()]
    identical = _bitwise_equal_on_every_rank(comm, grads)
    ref = make_model()
    cross_entropy(ref(ddp.tensor(x[0])), ddp.tensor(y[0])).backward()
    assert identical
    assert max_rel_error(grads, [p.grad.numpy() for p in ref.parameters()]) < 1e-6
