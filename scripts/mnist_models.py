"""The seed models' training settings, and their PyTorch twins (test and benchmark oracles).

The ddp models themselves live in `ddp.models` (mlp, cnn, cnn2), so that a checkpoint loads without
this folder.
"""
from ddp.models import MODELS  # noqa: F401 (the scripts import them from here)
from ddp.models import build as build_model  # noqa: F401

# optimizer settings that reach the accuracy floors in 3 epochs (README): Adam for the MLP, SGD + momentum
# for the convolutional nets
DEFAULTS = {"mlp": {"optimizer": "adam", "lr": 1e-3, "momentum": 0.0, "gamma": 0.3},
            "cnn": {"optimizer": "sgd", "lr": 0.01, "momentum": 0.9, "gamma": 0.7},
            "cnn2": {"optimizer": "sgd", "lr": 0.01, "momentum": 0.9, "gamma": 0.7}}


def torch_model(name):
    """The same architecture in PyTorch (a test and benchmark oracle; imports torch, which ddp never does).
    Its state dict has the same keys and shapes as `build_model(name)`'s."""
    import torch.nn as tnn

    if name == "mlp":
        return tnn.Sequential(tnn.Flatten(), tnn.Linear(784, 512), tnn.ReLU(), tnn.Linear(512, 256), tnn.ReLU(),
                              tnn.Linear(256, 10))
    if name == "cnn":
        return tnn.Sequential(tnn.Conv2d(1, 10, 5), tnn.MaxPool2d(2), tnn.ReLU(), tnn.Conv2d(10, 20, 5),
                              tnn.MaxPool2d(2), tnn.ReLU(), tnn.Flatten(), tnn.Linear(320, 50), tnn.ReLU(),
                              tnn.Linear(50, 10))
    if name == "cnn2":
        return tnn.Sequential(tnn.Conv2d(1, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                              tnn.Conv2d(32, 64, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                              tnn.Linear(3136, 128), tnn.ReLU(), tnn.Linear(128, 10))
    raise ValueError(f"torch_model: unknown model {name!r}; expected one of {', '.join(MODELS)}")
