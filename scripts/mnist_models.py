"""The three seed models of the MNIST examples, as `ddp.nn.Sequential` (so that `split` can cut them into
pipeline stages), and the optimizer settings that train each of them well."""
import ddp.nn as nn


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

# optimizer settings that reach the accuracy floors in 3 epochs (README): Adam for the MLP, SGD + momentum
# for the convolutional nets
DEFAULTS = {"mlp": {"optimizer": "adam", "lr": 1e-3, "momentum": 0.0, "gamma": 0.3},
            "cnn": {"optimizer": "sgd", "lr": 0.01, "momentum": 0.9, "gamma": 0.7},
            "cnn2": {"optimizer": "sgd", "lr": 0.01, "momentum": 0.9, "gamma": 0.7}}


def build_model(name):
    """A fresh model by name ("mlp", "cnn" or "cnn2"), initialised from ddp's default generator."""
    if name not in MODELS:
        raise ValueError(f"build_model: unknown model {name!r}; expected one of {', '.join(MODELS)}")
    return MODELS[name]()


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
