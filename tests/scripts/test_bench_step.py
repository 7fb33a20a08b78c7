"""scripts/bench_step.py: the per-round ratios' median and quartiles come out right from known timings, and
the table has a row per model and batch with both."""
import numpy as np
import pytest

import bench_step


def test_ratio_stats_from_known_rounds():
    times = {"ddp": [2.0, 3.0, 4.0, 6.0, 10.0], "numpy": [1.0, 2.0, 2.0, 2.0, 2.0]}
    medians, quartiles = bench_step.ratio_stats(times)
    # per-round ratios 2, 1.5, 2, 3, 5: the median of the ratios, not the ratio of the medians (4 / 2)
    assert medians == {"numpy": 2.0}
    assert quartiles["numpy"] == pytest.approx((2.0, 3.0))


def test_table_rows_carry_medians_and_quartiles(capsys):
    rows = bench_step.main(["--models", "mlp", "--batches", "4", "--rounds", "2", "--steps", "1"])
    assert [(r[0], r[1]) for r in rows] == [("mlp", 4)]
    _, _, times, ratios, quartiles = rows[0]
    assert "numpy" in times and set(ratios) == set(quartiles)
    low, high = quartiles["numpy"]
    assert low <= high and np.isfinite([low, high]).all()
    assert "(q1-q3)" in capsys.readouterr().out
