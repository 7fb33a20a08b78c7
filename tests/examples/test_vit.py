"""scripts/examples/vit.py: the tiny vision transformer learns the stripe orientations under ddp (the loss
falls, the validation accuracy ends above 90%) with nn.TransformerEncoder and Conv2d patches, and with
hand-written scaled_dot_product_attention blocks, unfolded patches, mean pooling and mixup's soft targets;
dropout and stochastic depth (each framework's own random draws) are checked under ddp alone. With torch
installed, the very same program under PyTorch prints the same model, losses, gradient norms and accuracies."""
import re

import numpy as np
import pytest

from example_runner import run_example

STEPS = 4 * 8  # 4 epochs of 256 images in batches of 32
CUSTOM = ("--blocks", "custom", "--patch-embed", "unfold", "--pool", "mean", "--mixup", "0.4")


def _accuracies(stdout):
    return [float(v) for v in re.findall(r"top-1 accuracy ([0-9.]+)", stdout)]


def _grad_norms(stdout):
    return [float(v) for v in re.findall(r"grad norm ([0-9.]+)", stdout)]


def _model(stdout):
    return stdout.split(" trainable parameters")[0]


@pytest.mark.parametrize("args", [(), CUSTOM, ("--blocks", "custom", "--dropout", "0.1", "--drop-path", "0.2")],
                         ids=["torch-blocks", "custom-blocks-mixup", "dropout-drop-path"])
def test_vit_learns_under_ddp(tmp_path, args):
    losses, out = run_example("vit", "ddp", tmp_path, *args)
    assert len(losses) == STEPS + 4 and all(np.isfinite(losses)), out.stdout  # each step, each validation
    train = [v for i, v in enumerate(losses) if i % 9 != 8]
    assert np.mean(train[-8:]) < np.mean(train[:8]) - 0.3
    assert _accuracies(out.stdout)[-1] > 0.9
    lrs = [float(v) for v in re.findall(r"\blr ([0-9.]+)", out.stdout)]
    assert lrs[:4] == [0.00075, 0.0015, 0.00225, 0.003] and lrs[-1] < 1e-4  # warm-up, then the cosine's end


@pytest.mark.parametrize("args", [(), CUSTOM], ids=["torch-blocks", "custom-blocks-mixup"])
def test_vit_matches_pytorch(tmp_path, args):
    ours, out = run_example("vit", "ddp", tmp_path, *args)
    theirs, out_t = run_example("vit", "torch", tmp_path, *args)
    assert len(ours) == len(theirs) == STEPS + 4
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(_grad_norms(out.stdout), _grad_norms(out_t.stdout), rtol=1e-3, atol=1e-3)
    assert _accuracies(out.stdout) == _accuracies(out_t.stdout)
    assert _model(out.stdout) == _model(out_t.stdout)
