"""The seed models of the MNIST examples: `mlp`, `cnn`, `cnn2`, and `build` by name.

Each builder returns a fresh `ddp.nn.Sequential` (so `ddp.parallel.split` can cut it into pipeline
stages), initialised from ddp's default generator. A checkpoint that `scripts/train_mnist.py --save`
wrote loads straight into one:

    >>> model = ddp.models.cnn()
    >>> model.load_state_dict(ddp.load("cnn.ddp"))
"""
from ddp.core import nn

__all__ = ["mlp", "cnn", "cnn2", "MODELS", "build"]


def mlp():
    """784-512-256-10 with ReLU (535,818 parameters)."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def cnn():
    """conv 1->10 k5, pool, conv 10->20 k5, pool, fc 320-50-10 (21,840 parameters)."""
    return nn.Sequential(nn.Conv2d(1, 10, kernel_size=5), nn.MaxPool2d(2), nn.ReLU(),
                         nn.Conv2d(10, 20, kernel_size=5), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(),
                         nn.Linear(320, 50), nn.ReLU(), nn.Linear(50, 10))


def cnn2():
    """conv 1->32 k3 p1, pool, conv 32->64 k3 p1, pool, fc 3136-128-10 (421,642 parameters)."""
    return nn.Sequential(nn.Conv2d(1, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


MODELS = {"mlp": mlp, "cnn": cnn, "cnn2": cnn2}


def build(name):
    """A fresh MNIST seed model by name ("mlp", "cnn" or "cnn2")."""
    if name not in MODELS:
        raise ValueError(f"ddp.models.build: unknown model {name!r}; expected one of {', '.join(MODELS)}")
    return MODELS[name]()
