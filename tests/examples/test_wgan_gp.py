"""scripts/examples/wgan_gp.py: the critic's gradient penalty (a backward recorded with create_graph=True)
trains it under ddp, and the very same program under PyTorch prints the same losses."""
import re

import numpy as np

from example_runner import run_example

ARGS = ("--iters", "8")


def _penalties(stdout):
    return [float(v) for v in re.findall(r"penalty ([-+0-9.e]+)", stdout)]


def test_wgan_gp_trains_under_ddp(tmp_path):
    losses, out = run_example("wgan_gp", "ddp", tmp_path, *ARGS)
    assert len(losses) == 16 and all(np.isfinite(losses)), out.stdout  # critic and generator per iteration
    critic = losses[0::2]
    assert critic[-1] < critic[0] - 0.5, f"the critic's loss went from {critic[0]} to {critic[-1]}"
    penalties = _penalties(out.stdout)
    assert penalties[-1] < 0.5 * penalties[0], f"the penalty went from {penalties[0]} to {penalties[-1]}"


def test_wgan_gp_matches_pytorch(tmp_path):
    ours, out = run_example("wgan_gp", "ddp", tmp_path, *ARGS)
    theirs, out_t = run_example("wgan_gp", "torch", tmp_path, *ARGS)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_penalties(out.stdout), _penalties(out_t.stdout), rtol=1e-3, atol=1e-5)
