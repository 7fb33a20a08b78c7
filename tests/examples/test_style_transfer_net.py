"""scripts/examples/style_transfer_net.py: the fast-neural-style transformation network (reflection padding,
instance norm, residual blocks, nearest upsampling) trains against a frozen loss network under ddp (its
content + style loss falls) and, with torch installed, the very same program under PyTorch prints the same
losses.

The convolution biases in front of the instance norms get gradients that are zero but for rounding, and Adam
divides every gradient by its own size, so tiny float32 differences grow with the steps and the learning rate
(PyTorch differs from itself as much with 4 threads instead of 1): hence the modest rtol and lr."""
import re

import numpy as np

from example_runner import run_example

ARGS = ("--steps", "20", "--lr", "3e-3", "--images", "8", "--batch-size", "4")


def _terms(stdout):
    return [(float(c), float(s)) for c, s in re.findall(r"content ([0-9.]+) style ([0-9.]+)", stdout)]


def test_style_transfer_net_trains_under_ddp(tmp_path):
    losses, out = run_example("style_transfer_net", "ddp", tmp_path, *ARGS)
    assert len(losses) == 20, out.stdout
    assert all(np.isfinite(losses))
    assert np.mean(losses[-2:]) < 0.96 * np.mean(losses[:2]), f"loss went from {losses[0]} to {losses[-1]}"
    terms = _terms(out.stdout)
    assert terms[-1][1] < terms[0][1], "the style loss did not fall"
    assert "stylized (2, 3, 16, 16) images" in out.stdout


def test_style_transfer_net_matches_pytorch(tmp_path):
    ours, out = run_example("style_transfer_net", "ddp", tmp_path, *ARGS)
    theirs, out_t = run_example("style_transfer_net", "torch", tmp_path, *ARGS)
    assert len(ours) == len(theirs) == 20
    np.testing.assert_allclose(ours, theirs, rtol=1e-3)
    np.testing.assert_allclose(_terms(out.stdout), _terms(out_t.stdout), rtol=5e-3, atol=1e-5)
