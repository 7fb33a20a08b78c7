"""Make scripts/ importable (`import train_mnist`) and give the tests a quick way to run it."""
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))


@pytest.fixture
def train(mnist_root, tmp_path_factory):
    """train(*flags) runs train_mnist.main in this process on the small real MNIST; returns the summary.

    A run from the repository root logs to a fresh temporary folder (not ./runs) unless the flags say
    where, or --no-log; a test that moved to a folder of its own sees the default run folder there."""
    import train_mnist

    def run(*flags):
        flags = [str(f) for f in flags]
        if "--log-dir" not in flags and "--no-log" not in flags and Path.cwd() == SCRIPTS.parent:
            flags += ["--log-dir", str(tmp_path_factory.mktemp("run"))]
        return train_mnist.main(["--data-dir", str(mnist_root), "--no-progress", *flags])
    return run
