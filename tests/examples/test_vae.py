"""scripts/examples/vae.py: the VAE trains under ddp (its loss falls) and, with torch installed, the very
same program under PyTorch prints the same losses."""
import numpy as np

from example_runner import run_example

ARGS = ("--epochs", "10", "--samples", "96", "--batch-size", "24", "--lr", "0.01")


def test_vae_trains_under_ddp(tmp_path):
    losses, out = run_example("vae", "ddp", tmp_path, *ARGS)
    assert len(losses) == 40, out.stdout
    assert all(np.isfinite(losses))
    first, last = np.mean(losses[:4]), np.mean(losses[-4:])  # one epoch each
    assert last < first - 2.0, f"per-image loss went from {first:.3f} to {last:.3f}"
    assert "reconstruction pixel error rate" in out.stdout


def test_vae_matches_pytorch(tmp_path):
    ours, _ = run_example("vae", "ddp", tmp_path, *ARGS)
    theirs, _ = run_example("vae", "torch", tmp_path, *ARGS)
    assert len(ours) == len(theirs) == 40
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
