"""scripts/bench_overhead.py: its "kernels" contender computes the very step that ddp computes (else its
ratio would say nothing), and the table has a row per batch."""
import numpy as np

import bench_overhead
import ddp
from ddp.models import mlp


def _data(batch):
    rng = np.random.default_rng(1)
    return rng.standard_normal((batch, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, batch)


def test_the_kernels_step_is_ddps_step():
    x, y = _data(8)
    ddp.manual_seed(0)
    model = mlp()
    kernels = bench_overhead.kernels_step(model.state_dict())
    step = bench_overhead.ddp_step(model)
    for _ in range(3):
        kernels(x, y)
        step(ddp.from_numpy(x), ddp.from_numpy(y))
    for k, p in zip(bench_overhead.KEYS, kernels.params):
        np.testing.assert_allclose(p, model.state_dict()[k].numpy(), rtol=1e-5, atol=1e-6)


def test_table_rows(capsys):
    rows = bench_overhead.main(["--batches", "4", "8", "--rounds", "1", "--steps", "1"])
    assert [r[0] for r in rows] == [4, 8]
    for _, times, ratios, _ in rows:
        assert set(times) == {"numpy", "kernels", "ddp"} and set(ratios) == {"kernels", "ddp"}
    assert "overhead" in capsys.readouterr().out
