"""scripts/examples/gru_classifier.py: the bidirectional GRU classifier trains under ddp (its loss falls and
it classifies held-out sequences) and, with torch installed, the very same program under PyTorch prints
the same losses and accuracies."""
import re

import numpy as np

from example_runner import run_example

ARGS = ("--epochs", "5", "--samples", "192", "--batch-size", "32")


def _accuracies(stdout):
    return [float(v) for v in re.findall(r"test accuracy ([0-9.]+)", stdout)]


def test_gru_classifier_trains_under_ddp(tmp_path):
    losses, out = run_example("gru_classifier", "ddp", tmp_path, *ARGS)
    assert len(losses) == 25, out.stdout  # 5 steps per epoch
    assert all(np.isfinite(losses))
    first, last = np.mean(losses[:5]), np.mean(losses[-5:])
    assert last < 0.5 * first, f"training loss went from {first:.3f} to {last:.3f}"
    assert _accuracies(out.stdout)[-1] >= 0.8


def test_gru_classifier_matches_pytorch(tmp_path):
    ours, out = run_example("gru_classifier", "ddp", tmp_path, *ARGS)
    theirs, out_t = run_example("gru_classifier", "torch", tmp_path, *ARGS)
    assert len(ours) == len(theirs) == 25
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    assert _accuracies(out.stdout) == _accuracies(out_t.stdout)
