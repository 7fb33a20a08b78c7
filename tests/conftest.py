"""Shared fixtures: a small real MNIST built from the offline files in ../shared/data/mnist."""
from pathlib import Path

import pytest

MNIST_SRC = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread():
    """One BLAS thread, as every rank runs: a product then rounds the same way on any number of cores
    (a one-process run compared with simulated ranks otherwise differs in the last bits)."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="session")
def mnist_src():
    """The read-only folder of genuine MNIST files beside the repo (skips the test if it is missing)."""
    if not (MNIST_SRC / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"offline MNIST files not found in {MNIST_SRC}")
    return MNIST_SRC


@pytest.fixture(scope="session")
def mnist_root(mnist_src, tmp_path_factory):
    """A data root holding a small real MNIST in the standard layout (root/MNIST/raw/*.gz).

    `MNIST(mnist_root, train=True)` has the first 8,000 test images, `train=False` the last 2,000.
    """
    from ddp.core.data.mnist import make_split
    return make_split(mnist_src, tmp_path_factory.mktemp("mnist"), n_train=8000, n_test=2000)
