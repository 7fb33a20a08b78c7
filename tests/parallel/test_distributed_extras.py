"""The smaller pieces of torch.distributed that scripts import: the differentiable collectives of
distributed.nn.functional, Work.get_future and ddp.futures in a comm hook written as PyTorch's docs write one,
elastic's @record, GradBucket, and clear errors for the subpackages ddp does not have."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.parallel import distributed as dist
from ddp.parallel.data_parallel import DistributedDataParallel as DDP
from tests.parallel.test_distributed import on_ranks as _on_ranks


def on_ranks(fn):
    return _on_ranks(fn, n=2)


def _embeddings(rank):
    return np.arange(6, dtype=np.float64).reshape(2, 3) / 7 + rank


def test_all_gather_carries_each_ranks_gradient_back():
    """A contrastive-style loss over every rank's embeddings: each rank's gradient for its own embeddings is
    the sum over ranks of d(loss on that rank)/d(its embeddings), as one process computes it."""
    import ddp.distributed.nn.functional as dnn

    def run(rank):
        mine = ddp.tensor(_embeddings(rank), requires_grad=True)
        everyone = ddp.cat(dnn.all_gather(mine))
        loss = (everyone * everyone.sum(0)).sum() * (rank + 1)  # a different loss on each rank
        loss.backward()
        total = dnn.all_reduce(mine.sum())
        return mine.grad.numpy().copy(), total.item()

    got = on_ranks(run)
    alls = [ddp.tensor(_embeddings(r), requires_grad=True) for r in range(2)]
    joined = ddp.cat(alls)
    sum(((joined * joined.sum(0)).sum() * (r + 1) for r in range(2))).backward()
    for rank, (grad, total) in enumerate(got):
        np.testing.assert_allclose(grad, alls[rank].grad.numpy(), rtol=1e-12)
        assert total == pytest.approx(sum(_embeddings(r).sum() for r in range(2)))


def test_a_comm_hook_as_pytorchs_docs_write_it():
    def hook(state, bucket):
        fut = dist.all_reduce(bucket.buffer(), async_op=True).get_future()
        return fut.then(lambda f: f.value()[0] / dist.get_world_size())

    def run(rank):
        ddp.manual_seed(0)
        model = DDP(nn.Linear(3, 2))
        model.register_comm_hook(None, hook)
        model(ddp.tensor(np.full((2, 3), rank + 1.0, np.float32))).sum().backward()
        return model.module.weight.grad.numpy().copy()

    g0, g1 = on_ranks(run)
    np.testing.assert_allclose(g0, np.full((2, 3), 3.0), rtol=1e-6)  # the mean of 2 * 1 and 2 * 2
    assert g0.tobytes() == g1.tobytes()


def test_futures_module():
    from ddp.futures import Future, collect_all, wait_all

    a, b = Future(), Future()
    a.set_result(1)
    b.set_result(2)
    assert wait_all([a, b]) == [1, 2] and collect_all([a, b]).wait() == [a, b]
    assert a.then(lambda f: f.value() + 1).wait() == 2


def test_record_and_what_ddp_does_not_have():
    from ddp.distributed.elastic.multiprocessing.errors import record

    @record
    def main(x):
        return x * 2

    assert main(3) == 6 and main.__name__ == "main" and dist.GradBucket is not None
    for name, hint in (("fsdp", "DistributedDataParallel"), ("checkpoint.state_dict", "state_dict"),
                       ("tensor.parallel", "ColumnParallelLinear"), ("device_mesh", "new_group")):
        with pytest.raises(ModuleNotFoundError, match=f"torch.distributed.{name.split('.')[0]}.* in ddp: .*{hint}"):
            __import__(f"ddp.distributed.{name}")


def test_bools_reduce_as_logic():
    def run(rank):
        got = []
        for op in (dist.ReduceOp.SUM, dist.ReduceOp.MAX, dist.ReduceOp.MIN, dist.ReduceOp.PRODUCT):
            t = ddp.tensor([rank == 0, True, False])
            dist.all_reduce(t, op=op)
            got.append(t.tolist())
        t = ddp.tensor([rank == 1])
        dist.all_reduce(t, async_op=True).wait()
        return got + [t.tolist()]

    for got in on_ranks(run):
        assert got == [[True, True, False], [True, True, False], [False, True, False], [False, True, False], [True]]


# -- every differentiable collective of distributed.nn.functional against one process -------------------------
N = 3
SPLITS = [[1, 0, 2], [3, 0, 0], [0, 1, 2]]  # SPLITS[s][d]: rows rank s sends rank d (MoE-style, uneven)


def _x(rank, rows=3):
    return np.random.default_rng(rank).standard_normal((rows, 2))


def _weights(rank, shape):
    return np.random.default_rng(50 + rank).standard_normal(shape)


def _collective(name, x, rank):
    """Rank `rank`'s outputs of collective `name` on its input `x` (a leaf), as a list of tensors."""
    import ddp.distributed.nn.functional as dnn
    if name == "broadcast":
        return [dnn.broadcast(x, src=1)]
    if name == "reduce":
        return [dnn.reduce(x, dst=1)]
    if name == "gather":
        return list(dnn.gather(x, dst=2))
    if name == "scatter":
        return [dnn.scatter(list(x.unbind(0)), src=0)]
    if name == "all_gather":
        return list(dnn.all_gather(x))
    if name == "reduce_scatter":
        return [dnn.reduce_scatter(ddp.zeros(2, dtype=ddp.float64), list(x.unbind(0)))]
    if name == "all_reduce":
        return [dnn.all_reduce(x)]
    if name == "all_to_all":
        pieces = list(x.split(SPLITS[rank]))
        outs = [ddp.zeros(SPLITS[s][rank], 2, dtype=ddp.float64) for s in range(N)]
        return list(dnn.all_to_all(outs, pieces))
    out = ddp.zeros(sum(SPLITS[s][rank] for s in range(N)), 2, dtype=ddp.float64)
    return [dnn.all_to_all_single(out, x, [SPLITS[s][rank] for s in range(N)], SPLITS[rank])]


def _one_process(name, xs):
    """Every rank's outputs of collective `name`, computed in one process from the leaves `xs`."""
    pieces = [list(x.split(SPLITS[r])) for r, x in enumerate(xs)]
    if name == "broadcast":
        return [[xs[1]] for _ in xs]
    if name == "reduce":  # PyTorch's rule: every rank's gradient is dst's (the others keep a plain copy)
        total = sum(xs)
        return [[total if r == 1 else total.detach() * 0 + xs[r].detach()] for r in range(N)]
    if name == "gather":
        return [list(xs) if r == 2 else [ddp.zeros_like(x).detach() for x in xs] for r in range(N)]
    if name == "scatter":
        return [[xs[0][r]] for r in range(N)]
    if name == "all_gather":
        return [list(xs) for _ in xs]
    if name == "reduce_scatter":
        return [[sum(x[r] for x in xs)] for r in range(N)]
    if name == "all_reduce":
        return [[sum(xs)] for _ in xs]
    if name == "all_to_all":
        return [[pieces[s][r] for s in range(N)] for r in range(N)]
    return [[ddp.cat([pieces[s][r] for s in range(N)])] for r in range(N)]


@pytest.mark.parametrize("name", ["broadcast", "reduce", "gather", "scatter", "all_gather", "reduce_scatter",
                                  "all_reduce", "all_to_all", "all_to_all_single"])
def test_differentiable_collectives_match_one_process(name):
    """Each rank weighs its outputs with its own weights; the gradient each rank gets for its input equals
    one process's gradient of the sum of every rank's loss (for reduce: PyTorch's rule, dst's gradient)."""
    def loss(outs, rank):
        return sum((o * ddp.tensor(_weights(10 * rank + i, tuple(o.shape)))).sum() for i, o in enumerate(outs))

    def run(rank):
        x = ddp.tensor(_x(rank), requires_grad=True)
        outs = _collective(name, x, rank)
        loss(outs, rank).backward()
        return [o.detach().numpy().copy() for o in outs], x.grad.numpy().copy()

    got = _on_ranks(run, n=N)
    xs = [ddp.tensor(_x(r), requires_grad=True) for r in range(N)]
    expected = _one_process(name, xs)
    sum(loss(outs, r) for r, outs in enumerate(expected)).backward()
    for rank, (outs, grad) in enumerate(got):
        assert len(outs) == len(expected[rank])
        for o, e in zip(outs, expected[rank]):
            np.testing.assert_allclose(o, e.detach().numpy(), rtol=1e-12, err_msg=f"{name} rank {rank} forward")
        unused = xs[rank].grad is None  # in one process; a rank gets zeros for it, as in PyTorch
        np.testing.assert_allclose(grad, 0 * grad if unused else xs[rank].grad.numpy(), rtol=1e-12, atol=1e-15,
                                   err_msg=f"{name} rank {rank} gradient")


def test_a_ddp_model_deep_copies_for_ema_and_snapshots():
    """AveragedModel(ddp_model) deep-copies it (as PyTorch's does through __setstate__): the copy has its own
    module, buckets and hooks, shares the communicator, and is built without a collective, so one rank may
    copy alone; gradients of the original still reach only the original."""
    import copy
    from ddp.optim.swa_utils import AveragedModel

    def run(rank):
        ddp.manual_seed(0)
        model = DDP(nn.Linear(3, 2))
        x = ddp.tensor(np.full((4, 3), rank + 1.0, np.float32))
        ema = AveragedModel(model)
        if rank == 0:
            alone = copy.deepcopy(model)  # the other rank does not copy: no collective may run here
            assert alone.module.weight is not model.module.weight
        model(x).sum().backward()
        ema.update_parameters(model)
        twin = copy.deepcopy(model)
        twin.module.weight.grad = None
        twin(x).sum().backward()
        same = [p is q for p, q in zip(ema.module.parameters(), model.parameters())]
        return model.module.weight.grad.numpy().copy(), twin.module.weight.grad.numpy().copy(), same

    (g0, t0, same), (g1, t1, _) = on_ranks(run)
    np.testing.assert_allclose(g0, np.full((2, 3), 6.0), rtol=1e-6)  # mean over ranks of 4 * 1 and 4 * 2
    assert g0.tobytes() == g1.tobytes() and t0.tobytes() == t1.tobytes() and not any(same)
    np.testing.assert_allclose(t0, g0, rtol=1e-6)  # the copy synchronizes as the original does
