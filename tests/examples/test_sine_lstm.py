"""scripts/examples/sine_lstm.py: two stacked LSTM cells trained with L-BFGS learn sine waves under ddp (the
test loss falls and the free-running prediction keeps oscillating) and, with torch installed, the very same
program under PyTorch prints the same losses (float64 throughout, so the match is close), with and without
the strong-Wolfe line search."""
import re

import numpy as np
import pytest

from example_runner import run_example

ARGS = ("--steps", "4", "--max-iter", "10", "--hidden", "16", "--waves", "12", "--length", "50")


def _test_losses(stdout):
    return [float(v) for v in re.findall(r"test loss ([0-9.eE+-]+)", stdout)]


def _future_ranges(stdout):
    return [(float(a), float(b)) for a, b in re.findall(r"range \[([-0-9.]+), ([-0-9.]+)\]", stdout)]


def test_sine_lstm_trains_under_ddp(tmp_path):
    losses, out = run_example("sine_lstm", "ddp", tmp_path, *ARGS)
    assert all(np.isfinite(losses))
    tests = _test_losses(out.stdout)
    assert len(tests) == 4 and len(losses) == 4 * 10 + 4, out.stdout  # max_iter closure calls per step
    assert tests[-1] < 0.2 * tests[0], f"test loss went from {tests[0]:.4f} to {tests[-1]:.4f}"
    low, high = _future_ranges(out.stdout)[-1]
    assert -1.5 < low < -0.5 and 0.5 < high < 1.5, f"the predicted future spans [{low}, {high}], not a sine"


@pytest.mark.parametrize("line_search", ["none", "strong_wolfe"])
def test_sine_lstm_matches_pytorch(tmp_path, line_search):
    args = ARGS + ("--line-search", line_search)
    ours, out = run_example("sine_lstm", "ddp", tmp_path, *args)
    theirs, out_t = run_example("sine_lstm", "torch", tmp_path, *args)
    assert len(ours) == len(theirs) >= 20
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(_test_losses(out.stdout), _test_losses(out_t.stdout), rtol=1e-6)
