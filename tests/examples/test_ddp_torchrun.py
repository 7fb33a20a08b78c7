"""scripts/examples/ddp_torchrun.py: a torchrun-style DDP script runs under `mpirun -n 2` (its loss falls), a
run stopped and restarted from its snapshot prints the uninterrupted run's losses, and, with torch installed,
the same program under PyTorch's launcher (torch.distributed.run, localhost) prints the same losses."""
import re
import sys

import numpy as np
import pytest

from example_runner import run_example
from mpi_launch import MPIRUN, requires_mpirun

pytestmark = requires_mpirun
ARGS = ("--epochs", "3", "--samples", "96", "--batch-size", "8", "--save-every", "3")
STEPS = 3 * 96 // (2 * 8)  # epochs x batches per rank and epoch
STEP_LOSS = re.compile(r"^epoch \d+ step (\d+) loss (\S+)$", re.M)


def step_losses(stdout):
    """{step: loss} from rank 0's log."""
    return {int(step): float(loss) for step, loss in STEP_LOSS.findall(stdout)}


def run_ddp(tmp_path, *extra):
    return run_example("ddp_torchrun", "ddp", tmp_path, *ARGS, *extra, launcher=[MPIRUN, "-n", "2"])


def test_trains_under_mpirun_with_torchrun_variables(tmp_path):
    losses, out = run_ddp(tmp_path)
    assert len(losses) == STEPS, out.stdout
    assert np.mean(losses[-3:]) < 0.5 * np.mean(losses[:3]), losses
    assert "[rank 1] local rank 1 of 2, world size 2, backend gloo" in out.stdout
    assert f"step {STEPS}: snapshot saved" in out.stdout and (tmp_path / "snapshot.pt").is_file()


def test_resume_from_snapshot_equals_the_uninterrupted_run(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "cut").mkdir()
    _, full = run_ddp(tmp_path / "full")
    _, first = run_ddp(tmp_path / "cut", "--stop-after", "7")  # the last snapshot is at step 6
    _, second = run_ddp(tmp_path / "cut")
    assert max(step_losses(first.stdout)) == 7
    assert "resuming training at step 6" in second.stdout
    resumed, reference = step_losses(second.stdout), step_losses(full.stdout)
    assert sorted(resumed) == list(range(7, STEPS + 1))
    assert [resumed[s] for s in resumed] == [reference[s] for s in resumed]


def test_matches_pytorch_under_torchrun(tmp_path):
    pytest.importorskip("torch")
    (tmp_path / "ddp").mkdir()
    (tmp_path / "torch").mkdir()
    ours, _ = run_ddp(tmp_path / "ddp")
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                "--no-python"]
    theirs, out = run_example("ddp_torchrun", "torch", tmp_path / "torch", *ARGS, launcher=torchrun, timeout=600)
    assert len(ours) == len(theirs) == STEPS, out.stdout
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
