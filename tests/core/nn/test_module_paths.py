"""`ddp.nn.modules.*`: PyTorch's module paths name ddp's very classes (state-dict and isinstance code)."""
import importlib

import pytest

import ddp.nn as nn

SUBMODULES = """activation batchnorm container conv distance dropout flatten instancenorm linear loss module
normalization pixelshuffle pooling rnn sparse transformer upsampling""".split()
# private bases that code names in isinstance checks
BASES = {"batchnorm": ["_BatchNorm"], "conv": ["_ConvNd"], "loss": ["_Loss", "_WeightedLoss"],
         "dropout": ["_DropoutNd"], "instancenorm": ["_InstanceNorm"]}


def test_paths_name_the_same_classes():
    import ddp.nn.modules.batchnorm
    import ddp.nn.modules.conv
    import ddp.nn.modules.loss

    assert isinstance(nn.BatchNorm2d(3), ddp.nn.modules.batchnorm._BatchNorm)
    assert isinstance(nn.Conv2d(1, 1, 3), ddp.nn.modules.conv._ConvNd)
    assert isinstance(nn.MSELoss(), ddp.nn.modules.loss._Loss)
    assert nn.modules.linear.Linear is nn.Linear and nn.modules.module.Module is nn.Module
    assert nn.modules.Linear is nn.Linear and nn.modules.rnn.LSTM is nn.LSTM
    for name in SUBMODULES:
        assert getattr(nn.modules, name) is importlib.import_module(f"ddp.core.nn.modules.{name}")
        assert importlib.import_module(f"ddp.nn.modules.{name}") is getattr(nn.modules, name)


def test_every_class_ddp_has_is_at_torchs_path():
    """For each torch.nn.modules file, every class of it that ddp.nn has is found at the same path in ddp."""
    torch = pytest.importorskip("torch")
    import pkgutil

    missing = []
    for info in pkgutil.iter_modules(torch.nn.modules.__path__):
        sub = info.name
        theirs = importlib.import_module(f"torch.nn.modules.{sub}")
        ours = getattr(nn.modules, sub, None)
        if ours is None:
            missing += [f"{sub}.{name}" for name in getattr(theirs, "__all__", []) if hasattr(nn, name)]
            continue
        for name in list(getattr(theirs, "__all__", [])) + BASES.get(sub, []):
            if hasattr(nn, name) or name in BASES.get(sub, []):
                if getattr(ours, name, None) is None:
                    missing.append(f"{sub}.{name}")
    assert not missing, f"missing at torch's paths (run python scripts/nn_module_paths.py): {missing}"
