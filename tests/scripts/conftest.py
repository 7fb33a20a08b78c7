"""Make scripts/ importable (`import train_mnist`) and give the tests a quick way to run it."""
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))


@pytest.fixture
def train(mnist_root):
    """train(*flags) runs train_mnist.main in this process on the small real MNIST; returns the summary."""
    import train_mnist

    def run(*flags):
        return train_mnist.main(["--data-dir", str(mnist_root), "--no-progress", *map(str, flags)])
    return run
