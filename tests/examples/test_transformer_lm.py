"""scripts/examples/transformer_lm.py: the Transformer language model trains under ddp (its loss falls, the
validation loss is printed) and, with torch installed, the very same program under PyTorch prints the same
losses (with the GELU activation, so that ddp's float32 GELU is compared over every step too)."""
import re

import numpy as np

from example_runner import run_example

ARGS = ("--epochs", "3", "--sentences", "120", "--bptt", "12", "--batch-size", "8")


def _valid_losses(stdout):
    return [float(v) for v in re.findall(r"valid_loss ([0-9.]+)", stdout)]


def test_transformer_lm_trains_under_ddp(tmp_path):
    losses, out = run_example("transformer_lm", "ddp", tmp_path, *ARGS)
    assert len(losses) == 24, out.stdout  # 8 steps per epoch
    assert all(np.isfinite(losses))
    first, last = np.mean(losses[:8]), np.mean(losses[-8:])
    assert last < first - 0.5, f"training loss went from {first:.3f} to {last:.3f}"
    valid = _valid_losses(out.stdout)
    assert len(valid) == 3 and valid[-1] < valid[0]


def test_transformer_lm_matches_pytorch(tmp_path):
    args = ARGS + ("--activation", "gelu")
    ours, out = run_example("transformer_lm", "ddp", tmp_path, *args)
    theirs, out_t = run_example("transformer_lm", "torch", tmp_path, *args)
    assert len(ours) == len(theirs) == 24
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    np.testing.assert_allclose(_valid_losses(out.stdout), _valid_losses(out_t.stdout), rtol=1e-4)
