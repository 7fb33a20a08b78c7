"""`ddp.models`: the seed models as importable builders; a checkpoint that train_mnist.py writes under
mpirun -n 4 loads into a plain model built from them."""
import pytest

import ddp
import ddp.models
from mpi_launch import ROOT, requires_mpirun, run_python


@pytest.mark.parametrize("name, count", [("mlp", 535818), ("cnn", 21840), ("cnn2", 421642)])
def test_builders_make_the_documented_models(name, count):
    model = ddp.models.build(name)
    assert sum(p.numel() for p in model.parameters()) == count
    assert model(ddp.zeros(2, 1, 28, 28)).shape == (2, 10)
    with pytest.raises(ValueError, match="unknown model 'vgg'"):
        ddp.models.build("vgg")


@pytest.mark.parametrize("marks", [pytest.param(None, marks=requires_mpirun)])
def test_a_checkpoint_written_under_mpirun_loads_into_a_plain_model(marks, mnist_root, tmp_path):
    path = tmp_path / "cnn.ddp"
    out = run_python(4, [ROOT / "scripts" / "train_mnist.py", "--data-dir", mnist_root, "--model", "cnn",
                         "--max-steps", 20, "--save", path, "--no-progress", "--no-log"], timeout=300)
    assert out.returncode == 0, out.stderr
    model = ddp.models.cnn()
    model.load_state_dict(ddp.load(path))
    from ddp.data import MNIST
    import train_mnist
    test = MNIST(mnist_root, train=False, transform=train_mnist.mnist_transform())
    x, y = next(iter(ddp.data.DataLoader(test, batch_size=len(test))))
    with ddp.no_grad():
        correct = int((model(x).numpy().argmax(1) == y.numpy()).sum())
    # the plain model classifies the test set exactly as the 4-rank job's own evaluation did
    assert f"test_acc={correct / len(test):.2%} ({len(test)} images)" in out.stdout, out.stdout
