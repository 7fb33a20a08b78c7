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
