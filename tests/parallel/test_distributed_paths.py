"""PyTorch's paths under torch.distributed for what lives elsewhere in ddp.parallel: ZeRO, Join, the DDP
communication hooks. Each is the implementation itself, not a copy."""
import importlib

import numpy as np
import pytest

import ddp
import ddp.nn.functional as F
import ddp.parallel as dp


def test_the_paths_name_the_implementations():
    from ddp.distributed.algorithms.ddp_comm_hooks import default_hooks, powerSGD_hook
    from ddp.distributed.optim import ZeroRedundancyOptimizer
    from ddp.parallel import comm_hooks, powersgd_hook, zero

    assert ZeroRedundancyOptimizer is zero.ZeroRedundancyOptimizer
    assert default_hooks.allreduce_hook is comm_hooks.allreduce_hook
    assert default_hooks.fp16_compress_hook is comm_hooks.fp16_compress_hook
    assert powerSGD_hook.powerSGD_hook is powersgd_hook.powerSGD_hook
    assert powerSGD_hook.PowerSGDState is powersgd_hook.PowerSGDState
    assert importlib.import_module("ddp.distributed") is importlib.import_module("ddp.parallel.distributed")


def test_join_of_one_model_runs_uneven_inputs():
    from ddp.distributed.algorithms.join import Join

    def run():
        comm = dp.init()
        ddp.manual_seed(0)
        model = dp.DistributedDataParallel(ddp.nn.Linear(4, 2), comm)
        with Join([model]):
            for step in range(2 + comm.rank):  # rank 1 has one batch more
                F.mse_loss(model(ddp.ones(3, 4) * step), ddp.zeros(3, 2)).backward()
        return model.module.weight.numpy().copy()
    a, b = dp.spawn(run, 2)
    np.testing.assert_array_equal(a, b)


def test_view_as_matches_pytorch():
    torch = pytest.importorskip("torch")
    a = np.arange(6, dtype=np.float32)
    other = np.zeros((2, 3), np.float32)
    got = ddp.tensor(a).view_as(ddp.tensor(other))
    want = torch.tensor(a).view_as(torch.tensor(other))
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
