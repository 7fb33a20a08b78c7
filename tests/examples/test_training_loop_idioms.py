"""scripts/examples/training_loop_idioms.py: the scaffolding of a modern CPU training loop (disabled autocast
and GradScaler, gradient accumulation, clip_grad_norm_, per-batch OneCycleLR / CosineAnnealingWarmRestarts,
a weight EMA by hand or by swa_utils.AveragedModel, BatchNorm and Dropout in train/eval, checkpoint dicts and
resume, channels_last, torch.compile)
runs under ddp, trains, and with torch installed prints PyTorch's losses, gradient norms and learning rates.

Compared with PyTorch: runs with `--dropout 0` (dropout masks come from each framework's own generator) and
the default `--rng numpy` (split and epoch order from numpy). With `--rng torch` the program splits with
random_split and shuffles with a seeded torch.Generator, which each framework draws its own way (ddp's
generator is numpy's PCG64, PyTorch's a Mersenne Twister): those runs are compared in structure only, and
checked to repeat exactly under ddp. `--compile` is run under ddp only (PyTorch's inductor takes ~15 s to
compile on a CPU); `--grad-scaler` (a working GradScaler("cpu"), as PyTorch's) is compared and trains exactly
as without it; `--amp` is not compared (PyTorch's CPU autocast would compute in bfloat16)."""
import json
import re

import numpy as np

from example_runner import run_example

STEPS = 7  # 240 training samples, micro-batches of 16 with drop_last: 15, two per optimizer step
# each epoch prints a loss per step, then the validation loss of the model and of its EMA


def _column(stdout, name):
    return [float(v) for v in re.findall(rf"\b{name} ([-0-9.e]+)", stdout)]


def _val(stdout):
    return re.findall(r"^epoch \d+ val .*$", stdout, flags=re.M)


def test_training_loop_trains_under_ddp_with_dropout(tmp_path):
    losses, out = run_example("training_loop_idioms", "ddp", tmp_path)
    assert "train 240 val 80 micro-batches per epoch 15 (workers: 0)" in out.stdout
    assert len(losses) == 4 * (STEPS + 2) and all(np.isfinite(losses)), out.stdout
    train = [float(v) for v in re.findall(r"step \d+ loss ([0-9.]+)", out.stdout)]
    assert np.mean(train[-STEPS:]) < 0.6 * np.mean(train[:STEPS])
    norms = _column(out.stdout, "grad_norm")
    assert len(norms) == 4 * STEPS and all(n > 0 for n in norms)
    lrs = _column(out.stdout, "lr")
    assert max(lrs) == 0.01 and lrs[0] < 0.002 and lrs[-2] < 1e-4  # OneCycleLR: warm up, then anneal
    accuracy = float(re.search(r"final val acc ([0-9.]+)", out.stdout).group(1))
    assert accuracy > 0.7  # chance: 0.25
    assert (tmp_path / "checkpoint.pt").exists()


def test_training_loop_matches_pytorch(tmp_path):
    runs = [("--dropout", "0"),
            ("--dropout", "0", "--model", "cnn", "--scheduler", "restarts", "--accum-steps", "3", "--epochs", "3",
             "--grad-scaler", "--ema", "averaged")]
    for args in runs:
        ours, out = run_example("training_loop_idioms", "ddp", tmp_path, *args)
        theirs, out_t = run_example("training_loop_idioms", "torch", tmp_path, *args)
        assert len(ours) == len(theirs) > 10, args
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6, err_msg=str(args))
        np.testing.assert_allclose(_column(out.stdout, "grad_norm"), _column(out_t.stdout, "grad_norm"),
                                   rtol=1e-4, err_msg=str(args))
        assert _column(out.stdout, "lr") == _column(out_t.stdout, "lr"), args
        assert _column(out.stdout, "scale") == _column(out_t.stdout, "scale"), args
        assert _column(out.stdout, "acc") == _column(out_t.stdout, "acc"), args


def test_resuming_from_the_checkpoint_goes_on_as_the_uninterrupted_run(tmp_path):
    straight, out = run_example("training_loop_idioms", "ddp", tmp_path, "--dropout", "0")
    first, _ = run_example("training_loop_idioms", "ddp", tmp_path, "--dropout", "0", "--stop-after", "2")
    rest, out_rest = run_example("training_loop_idioms", "ddp", tmp_path, "--dropout", "0", "--resume",
                                 "checkpoint.pt")
    assert "resumed from checkpoint.pt at epoch 2" in out_rest.stdout
    assert first + rest == straight
    assert out_rest.stdout.splitlines()[-1] == out.stdout.splitlines()[-1]


def test_ddp_resumes_from_the_checkpoint_pytorch_wrote(tmp_path):
    # the scaler's state and an AveragedModel's (its n_averaged buffer) resume too
    args = ("--dropout", "0", "--scheduler", "restarts", "--grad-scaler", "--ema", "averaged")
    theirs, _ = run_example("training_loop_idioms", "torch", tmp_path, *args)
    run_example("training_loop_idioms", "torch", tmp_path, *args, "--stop-after", "2")
    ours, out = run_example("training_loop_idioms", "ddp", tmp_path, *args, "--resume", "checkpoint.pt")
    assert "resumed from checkpoint.pt at epoch 2" in out.stdout
    assert len(ours) == 2 * (STEPS + 2)
    np.testing.assert_allclose(ours, theirs[-len(ours):], rtol=1e-4, atol=1e-6)


def test_compile_a_grad_scaler_and_a_torch_generator_under_ddp(tmp_path):
    plain, out = run_example("training_loop_idioms", "ddp", tmp_path, "--epochs", "2")
    compiled, out_c = run_example("training_loop_idioms", "ddp", tmp_path, "--epochs", "2", "--compile")
    assert compiled == plain and _val(out_c.stdout) == _val(out.stdout)  # the wrapper calls the model
    scaled, out_g = run_example("training_loop_idioms", "ddp", tmp_path, "--epochs", "2", "--grad-scaler")
    assert scaled == plain  # scaling by 2**16 and back is exact
    assert set(_column(out_g.stdout, "scale")) == {65536.0} and set(_column(out.stdout, "scale")) == {1.0}
    shuffled, out_s = run_example("training_loop_idioms", "ddp", tmp_path, "--epochs", "2", "--rng", "torch")
    again, out_again = run_example("training_loop_idioms", "ddp", tmp_path, "--epochs", "2", "--rng", "torch")
    assert out_s.stdout == out_again.stdout  # the same seed splits and orders the data the same way
    split = json.loads((tmp_path / "split.json").read_text())
    assert sorted(split["train"] + split["val"]) == list(range(320)) and len(split["val"]) == 80
    assert "train 240 val 80" in out_s.stdout and len(shuffled) == 2 * (STEPS + 2) and all(np.isfinite(shuffled))
    assert shuffled != plain


def test_a_torch_generator_under_pytorch_has_ddps_structure(tmp_path):
    theirs, out = run_example("training_loop_idioms", "torch", tmp_path, "--epochs", "2", "--rng", "torch")
    assert "train 240 val 80" in out.stdout and len(theirs) == 2 * (STEPS + 2) and all(np.isfinite(theirs))
