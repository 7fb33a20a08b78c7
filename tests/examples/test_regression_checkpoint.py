"""scripts/examples/regression_checkpoint.py: the plumbing a PyTorch tutorial script leans on (device idiom,
seeding, a DataLoader generator, disabled AMP, Variable, whole-model and state-dict checkpoints, resume,
inference_mode) runs under ddp, its loss falls across the resume, and it prints PyTorch's numbers."""
import numpy as np

from example_runner import run_example

ARGS = ("--steps", "30", "--samples", "64")


def test_regression_trains_and_resumes_under_ddp(tmp_path):
    losses, out = run_example("regression_checkpoint", "ddp", tmp_path, *ARGS)
    assert len(losses) == 31, out.stdout  # 30 steps, then the evaluation
    assert all(np.isfinite(losses)) and losses[29] < 0.5 * losses[0]
    assert losses[15] < losses[14] * 1.1  # the resumed run goes on from the checkpoint, not from scratch
    assert "restored at step 15" in out.stdout


def test_regression_matches_pytorch(tmp_path):
    ours, out = run_example("regression_checkpoint", "ddp", tmp_path, *ARGS)
    theirs, their_out = run_example("regression_checkpoint", "torch", tmp_path, *ARGS)
    assert len(ours) == len(theirs) == 31
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    assert out.stdout.splitlines()[-1] == their_out.stdout.splitlines()[-1]
