"""train_mnist.py under a real `mpirun -n 2`: rank 0 prints the global batch and one summary line; a missing
dataset ends every rank with the same message instead of a hang."""
from mpi_launch import ROOT, requires_mpirun, run_python

SCRIPT = ROOT / "scripts" / "train_mnist.py"
pytestmark = requires_mpirun


def _run(n, *flags):
    return run_python(n, [SCRIPT, "--no-log", *flags], timeout=300)


def test_two_ranks_train_and_print_one_summary(mnist_root, tmp_path):
    out = _run(2, "--model", "mlp", "--data-dir", mnist_root, "--max-steps", 10, "--epochs", 1,
               "--save", tmp_path / "mlp.pt")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "global_batch=128" in out.stdout
    assert out.stdout.count("summary: model=mlp parallel=data ranks=2 epochs=1 global_batch=128") == 1
    assert (tmp_path / "mlp.pt").is_file()


def test_missing_dataset_fails_every_rank_without_a_hang(tmp_path):
    out = _run(2, "--data-dir", tmp_path / "none", "--max-steps", 1)
    assert out.returncode != 0
    assert out.stderr.count("error: train_mnist: cannot load MNIST") == 1  # printed once, by rank 0
    assert "--download" in out.stderr and "Traceback" not in out.stderr
