"""scripts/examples/super_resolution.py: the sub-pixel convolution network (orthogonal init, PixelShuffle)
trains under ddp (its loss falls, its test PSNR rises past bicubic upsampling's, a reloaded checkpoint
scores the same) and, with torch installed, the very same program under PyTorch prints the same losses and
PSNRs."""
import re

import numpy as np

from example_runner import run_example

ARGS = ("--epochs", "30", "--train-images", "96", "--batch-size", "16", "--lr", "3e-3")
STEPS = 30 * 6


def _psnrs(stdout):
    """(network, bicubic) test PSNR of each epoch."""
    return [(float(a), float(b)) for a, b in re.findall(r"test PSNR ([0-9.]+) dB \(bicubic upsampling ([0-9.]+)",
                                                         stdout)]


def _step_losses(losses):
    """The per-step losses: each epoch prints its steps' losses, then their average."""
    return [v for i, v in enumerate(losses) if i % 7 != 6]


def test_super_resolution_trains_under_ddp(tmp_path):
    losses, out = run_example("super_resolution", "ddp", tmp_path, *ARGS)
    assert len(losses) == STEPS + 30, out.stdout
    assert all(np.isfinite(losses))
    steps = _step_losses(losses)
    assert np.mean(steps[-6:]) < 0.05 * np.mean(steps[:6]), f"loss went from {steps[0]:.4f} to {steps[-1]:.4f}"
    psnr = _psnrs(out.stdout)
    assert psnr[-1][0] > psnr[0][0] + 10 and psnr[-1][0] > psnr[-1][1], psnr[-1]
    assert f"restored checkpoint: test PSNR {psnr[-1][0]:.4f} dB" in out.stdout
    deviation = float(re.search(r"from I ([0-9.e+-]+)", out.stdout).group(1))
    assert deviation < 1e-5, "nn.init.orthogonal_ did not give an orthogonal matrix times the gain"


def test_super_resolution_matches_pytorch(tmp_path):
    ours, out = run_example("super_resolution", "ddp", tmp_path, *ARGS)
    theirs, out_t = run_example("super_resolution", "torch", tmp_path, *ARGS)
    assert len(ours) == len(theirs) == STEPS + 30
    np.testing.assert_allclose(ours, theirs, rtol=1e-3)  # float32 Adam over 180 steps
    np.testing.assert_allclose(_psnrs(out.stdout), _psnrs(out_t.stdout), rtol=1e-4)
