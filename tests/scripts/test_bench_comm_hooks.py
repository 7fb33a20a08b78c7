"""scripts/bench_comm_hooks.py: every hook runs, and the bytes per step are what each hook moves (the
default the unhooked reduction's, fp16/bf16 half of it, PowerSGD a small fraction)."""
import json

import bench_comm_hooks


def test_bytes_per_step_of_each_hook(tmp_path, capsys):
    rows = bench_comm_hooks.main(["--simulate-ranks", "2", "--steps", "1", "--warmup", "2", "--batch", "8",
                                  "--json", str(tmp_path / "rows.json")])
    sent = {r["hook"]: r["bytes_per_step"] for r in rows}
    weights = 784 * 512 + 512 * 256 + 256 * 10
    full = (weights + 512 + 256 + 10) * 4
    assert sent["none"] == sent["allreduce"] == full
    assert sent["fp16"] == sent["bf16"] == full // 2
    # rank 1: P and Q of each weight matrix, biases whole
    assert sent["powerSGD r=1"] == 4 * ((512 + 784) + (256 + 512) + (10 + 256) + 512 + 256 + 10)
    assert sent["powerSGD r=4"] < full / 40
    assert json.loads((tmp_path / "rows.json").read_text()) == rows
    assert "powerSGD r=4" in capsys.readouterr().out


def test_bench_scaling_hook_sweep_on_simulated_ranks():
    """bench_scaling --hook's measurement: each hook's step time and the bytes it hands over per step."""
    import argparse

    import pytest
    pytest.importorskip("mpi4py")
    import ddp.parallel as dp
    from bench_study import measure

    args = argparse.Namespace(batch=8, steps=1, rounds=1)
    rows = dp.spawn(lambda: measure.hook_sweep(dp.init(), args), 2)[0]
    sent = {r["hook"]: r["bytes_per_step"] for r in rows}
    full = (784 * 512 + 512 * 256 + 256 * 10 + 512 + 256 + 10) * 4
    assert sent["allreduce"] == full and sent["fp16"] == sent["bf16"] == full // 2
    assert sent["powerSGD r=1"] < sent["powerSGD r=4"] < full / 40  # compressing in the last round
    assert all(r["step"]["median"] > 0 for r in rows)
