"""`DistributedDataParallel.join` on simulated ranks: uneven inputs finish, equal the reference, and
leave the replicas bitwise identical."""
import numpy as np
import pytest

import ddp
import ddp.nn.functional as F
import ddp.parallel as dp
from ddp.parallel.data_parallel import DistributedDataParallel

from join_cases import STEPS, batch, model, reference, uneven_training


@pytest.mark.parametrize("world_size", [2, 3, 4])
@pytest.mark.parametrize("bucket_cap_mb", [25, 0.0002])  # one bucket; one per parameter
def test_uneven_inputs_finish_and_equal_the_reference(world_size, bucket_cap_mb):
    results = dp.spawn(lambda: uneven_training(dp.init(), bucket_cap_mb=bucket_cap_mb), world_size)
    want = reference(world_size)
    for got in results:
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    for got in results[1:]:
        assert all(a.tobytes() == b.tobytes() for a, b in zip(got, results[0]))


def test_join_with_find_unused_parameters():
    results = dp.spawn(lambda: uneven_training(dp.init(), find_unused=True), 2)
    assert all(a.tobytes() == b.tobytes() for a, b in zip(results[0], results[1]))


def test_throw_on_early_termination_raises_on_every_rank():
    def run():
        comm = dp.init()
        dmodel = DistributedDataParallel(model(), comm)
        try:
            with dmodel.join(throw_on_early_termination=True):
                for step in range(STEPS[comm.rank]):
                    F.cross_entropy(dmodel(batch(comm.rank, step)[0]), batch(comm.rank, step)[1]).backward()
        except RuntimeError as exc:
            return str(exc)
        return None
    messages = dp.spawn(run, 2)
    assert all(m is not None and "ran out of inputs" in m for m in messages), messages


def test_without_join_uneven_inputs_are_reported_not_hung():
    def run():
        comm = dp.init()
        dmodel = DistributedDataParallel(model(), comm)
        for step in range(STEPS[comm.rank]):
            F.cross_entropy(dmodel(batch(comm.rank, step)[0]), batch(comm.rank, step)[1]).backward()
    with pytest.raises(RuntimeError, match="rank 0 has exited without reaching it"):
        dp.spawn(run, 2, timeout=30)


def test_join_refuses_what_it_does_not_support():
    dmodel = DistributedDataParallel(model(), dp.LocalCommunicator())
    with pytest.raises(NotImplementedError, match="divide_by_initial_world_size=True"):
        dmodel.join(divide_by_initial_world_size=False)
    with dmodel.join():
        with pytest.raises(RuntimeError, match="already inside a join"):
            with dmodel.join():
                pass
    with dmodel.join(enable=False):  # a no-op
        dmodel(ddp.ones(2, 6)).sum().backward()
