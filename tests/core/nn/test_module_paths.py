"""`ddp.nn.modules.*`: PyTorch's module paths name ddp's very classes (state-dict and isinstance code)."""
import importlib

import pytest

import ddp
import ddp.nn as nn

SUBMODULES = """activation batchnorm container conv distance dropout flatten instancenorm linear loss module
normalization pixelshuffle pooling rnn sparse transformer upsampling""".split()
# private bases that code names in isinstance checks
BASES = {"batchnorm": ["_BatchNorm", "_NormBase"], "conv": ["_ConvNd", "_ConvTransposeNd"], "loss": ["_Loss", "_WeightedLoss"],
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


def test_private_helpers_that_custom_layers_import():
    from ddp.nn.modules.utils import _list_with_default, _pair, _quadruple, _reverse_repeat_tuple, _single, _triple
    assert (_single(2), _pair(3), _triple(1), _quadruple(0), _pair([4, 5])) == ((2,), (3, 3), (1, 1, 1), (0,) * 4,
                                                                               (4, 5))
    assert _reverse_repeat_tuple((1, 2), 2) == (2, 2, 1, 1) and _list_with_default([None, 4], [1, 2, 3, 5]) == [3, 4]


def test_consume_prefix_in_state_dict():
    from ddp.nn.modules.utils import consume_prefix_in_state_dict_if_present
    sd = ddp.nn.DataParallel(ddp.nn.Sequential(ddp.nn.Linear(2, 2))).state_dict()
    consume_prefix_in_state_dict_if_present(sd, "module.")
    assert list(sd) == ["0.weight", "0.bias"] and dict(sd._metadata) == {"": {"version": 1}, "0": {"version": 1}}


def test_base_classes_as_pytorchs():
    """Filters such as "no weight decay for batch norms" name these bases; InstanceNorm is no batch norm."""
    bn = ddp.nn.modules.batchnorm
    assert not isinstance(ddp.nn.InstanceNorm2d(2), bn._BatchNorm) and isinstance(ddp.nn.InstanceNorm2d(2), bn._NormBase)
    assert isinstance(ddp.nn.BatchNorm1d(2), bn._BatchNorm) and isinstance(ddp.nn.SyncBatchNorm(2), bn._BatchNorm)
    conv = ddp.nn.modules.conv
    for cls in (ddp.nn.ConvTranspose1d, ddp.nn.ConvTranspose2d, ddp.nn.ConvTranspose3d, ddp.nn.LazyConvTranspose2d):
        assert issubclass(cls, conv._ConvTransposeNd) and issubclass(cls, conv._ConvNd)
    assert not issubclass(ddp.nn.Conv2d, conv._ConvTransposeNd)


def test_get_clones():
    from ddp.nn.modules.transformer import _get_clones
    layers = _get_clones(ddp.nn.Linear(2, 2), 3)
    assert isinstance(layers, ddp.nn.ModuleList) and len(layers) == 3 and layers[0].weight is not layers[1].weight
    assert layers[0].weight.tolist() == layers[2].weight.tolist()
