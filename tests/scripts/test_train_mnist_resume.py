"""train_mnist.py checkpoints the whole training state and resumes exactly: bitwise on the same ranks
(also after a SIGKILL), with the epoch's remaining samples on another number of ranks; and it checks
its options and output paths before any training."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import ddp
import train_mnist
from mpi_launch import ROOT, requires_mpirun, run_python

SGD = ["--model", "mlp", "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9"]


def bitwise_equal(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]), f"{k} differs"


def test_an_interrupted_run_resumes_bitwise(train, tmp_path):
    """125 steps an epoch: the run stops 8 steps into epoch 2, resumes from step 130's checkpoint."""
    straight = train(*SGD, "--epochs", 2, "--max-steps", 140)
    ck = tmp_path / "ck"
    train(*SGD, "--epochs", 2, "--max-steps", 133, "--checkpoint-every", 10, "--checkpoint-dir", ck, "--keep", 2)
    assert sorted(p.name for p in ck.iterdir()) == ["step-00000120.ddp", "step-00000130.ddp"]  # --keep 2
    resumed = train(*SGD, "--epochs", 2, "--max-steps", 140, "--resume", ck)
    assert resumed["steps"] == 140
    bitwise_equal(resumed["state_dict"], straight["state_dict"])
    assert resumed["losses"] == straight["losses"][130:]


def test_a_run_resumes_on_another_number_of_ranks(train, tmp_path):
    """4 ranks x 16 stop at step 40, mid-epoch; 1 rank x 64 goes on with the samples the epoch had left: the
    same global batches, so it ends where 1 rank x 64 straight does, up to the ranks' summation order. (That
    order's 1e-7 differences grow chaotically under SGD with momentum: 2e-6 by step 100, 3e-3 by step 125,
    so the comparison stays early.)"""
    straight = train(*SGD, "--epochs", 2, "--max-steps", 50)
    ck = tmp_path / "ck"
    train(*SGD, "--epochs", 2, "--max-steps", 40, "--checkpoint-every", 40, "--checkpoint-dir", ck,
          "--batch-size", 16, "--simulate-ranks", 4)
    resumed = train(*SGD, "--epochs", 2, "--max-steps", 50, "--resume", ck / "step-00000040.ddp")
    np.testing.assert_allclose(resumed["losses"], straight["losses"][40:], rtol=1e-5)
    for k, v in straight["state_dict"].items():
        np.testing.assert_allclose(resumed["state_dict"][k], v, rtol=1e-4, atol=1e-6, err_msg=k)


def test_a_killed_run_resumes_bitwise_from_its_last_checkpoint(train, tmp_path, mnist_root):
    straight = train(*SGD, "--epochs", 2, "--max-steps", 60)
    ck = tmp_path / "ck"
    cmd = [sys.executable, str(ROOT / "scripts" / "train_mnist.py"), "--data-dir", str(mnist_root), "--no-progress",
           *SGD, "--epochs", 2, "--checkpoint-every", 20, "--checkpoint-dir", str(ck), "--no-log"]
    job = subprocess.Popen(list(map(str, cmd)), env=dict(os.environ, OMP_NUM_THREADS="1"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not (ck / "step-00000040.ddp").exists():
            assert job.poll() is None, job.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 120 s"
            time.sleep(0.05)
        job.send_signal(signal.SIGKILL)  # mid-epoch, mid-step, maybe mid-save: none of it may matter
    finally:
        job.kill()
        job.wait()
    latest = train_mnist.resume_path(ck)
    assert latest.name >= "step-00000040.ddp"
    saved = ddp.load(latest)
    assert saved["step"] >= 40 and saved["loader"]["sampler"]["position"] == saved["step"] * 64
    resumed = train(*SGD, "--epochs", 2, "--max-steps", 60, "--resume", latest)
    bitwise_equal(resumed["state_dict"], straight["state_dict"])


@pytest.mark.parametrize("flags, message", [
    (["--gamma", "-1"], "--gamma must be in (0, 1]"),
    (["--max-steps", "-5"], "--max-steps must be at least 1, got -5"),
    (["--lr", "0"], "--lr must be positive"),
    (["--momentum", "1.5"], "--momentum must be in [0, 1)"),
    (["--keep", "0"], "--keep must be at least 1"),
    (["--balance", "3,x"], "--balance takes layer counts"),
    (["--parallel", "pipeline", "--resume", "x"], "need --parallel data"),
])
def test_bad_options_stop_before_any_work(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        train_mnist.parse_args(flags)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unwritable_save_path_fails_before_training(train, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError, match="cannot write or read the run's files"):
        train("--model", "mlp", "--save", blocker / "model.ddp")  # a file where a folder must be
    assert "epoch 1" not in capsys.readouterr().out
    with pytest.raises(OSError, match="--resume .*no such file"):
        train("--model", "mlp", "--resume", tmp_path / "missing")


@pytest.mark.parametrize("marks", [pytest.param(None, marks=requires_mpirun)])
def test_a_bad_option_under_mpirun_is_reported_once(marks):
    out = run_python(2, [ROOT / "scripts" / "train_mnist.py", "--gamma", "-1", "--no-log"], timeout=120)
    assert out.returncode != 0
    assert out.stderr.count("--gamma must be in (0, 1]") == 1, out.stderr
