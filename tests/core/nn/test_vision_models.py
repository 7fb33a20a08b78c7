"""torchvision's architectures in ddp.models: parameter counts, state_dict keys and shapes, outputs of a
loaded state dict, the pieces fine-tuning scripts touch (fc, children, features), and the weights error.

torchvision is not installed here, so its facts are pinned: the counts are torchvision's published ones,
the key digests and golden outputs were computed with torchvision 0.29.1 (torch 2.14.1) from the same
seeded state dict (`seeded_state`) and input. Where torch is installed, a plain-torch ResNet-18 on the
same weights, read back from a file torch.save wrote, checks the outputs live.
"""
import hashlib

import numpy as np
import pytest

import ddp
import ddp.models as models
import ddp.nn as nn
from ddp.core.nn.init import skipped

# torchvision's meta["num_params"] for each builder (1000 classes)
COUNTS = {
    "resnet18": 11689512, "resnet34": 21797672, "resnet50": 25557032, "resnet101": 44549160,
    "resnet152": 60192808, "resnext50_32x4d": 25028904, "wide_resnet50_2": 68883240,
    "vgg11": 132863336, "vgg11_bn": 132868840, "vgg13": 133047848, "vgg13_bn": 133053736,
    "vgg16": 138357544, "vgg16_bn": 138365992, "vgg19": 143667240, "vgg19_bn": 143678248,
    "alexnet": 61100840, "mobilenet_v2": 3504872, "squeezenet1_0": 1248424, "squeezenet1_1": 1235496,
    "densenet121": 7978856,
}

# (number of keys, sha256 of "key shape" lines in state_dict order), from torchvision 0.29.1
KEYS = {
    "resnet18": (122, "761022b221a39ceb0afbf6540088f2c88938ca83e3adf823383af010f42a10c3"),
    "resnet34": (218, "1a060acae7a42530781fa7013ea03dae3b11715076d9e3c04fdb6c70ddceb544"),
    "resnet50": (320, "3fa57287149b51c43a043a424dcd918aaa5a894c977b50e35a9154f41f9c8fd0"),
    "resnet101": (626, "0e9191dd134cb07d7d14b0502545020b49f200c87fa62369fd7a6c70ca9c2aef"),
    "resnet152": (932, "47360b6062c7afaa4637676cdcf1afde20d68c0eedec75d9aaa7b530641441fe"),
    "resnext50_32x4d": (320, "01e2eaa8da40cc0c531aeb3ef159ec111018584cbc3aa3b950763a380a92a0e6"),
    "wide_resnet50_2": (320, "07e4b58a5307698f14c11d56f3cf479719fb97a1ed6ae5522ce49dd0f59886a2"),
    "vgg11": (22, "a4a2a4a84e73de05a2fb6869320ae9b0cf602896d293acd8b57cd2308d58be35"),
    "vgg11_bn": (62, "6aaf84aad41592008d4af2f8726fff3e95c8c06bf4825c90118141f2651c1c2a"),
    "vgg13": (26, "9dc9518e7646fe4778181141fb0e3c16f32dcad7ba283a6c8db174b621fac5b6"),
    "vgg13_bn": (76, "9a11dd9903f0e3cfa83dfcb7057e3d4cfa99569d5b9018abf1b21e90fea3202b"),
    "vgg16": (32, "6f36a6fd49b61819fe3429a1d054b4aed43d5607734cb122547b4e09a5b717a1"),
    "vgg16_bn": (97, "5f99e428d932f79ed2b9c1492f12f180bc654131af090a5c4bcd3592856dd598"),
    "vgg19": (38, "e05a894c9ad1325173cf05b938c67b446817c3a103b60ef3617e85b7a06d9026"),
    "vgg19_bn": (118, "4c042cc97e1d63422f746ba819e60c19185d3862e4378979fb623536a4faf334"),
    "alexnet": (16, "214045a0c08ffc98ff336e7ee348039c2e2bb93a04b93a56d14e322a2b59928c"),
    "mobilenet_v2": (314, "5c45000c8dea04dbc07d2038c9b43d2aac4b77dad25001a7e10fc6fb67ffdd1e"),
    "squeezenet1_0": (52, "dc8fa2e3e593554cce0c69cce2b86d49f4f61263adfec5397fd1f42cfd7a6ca6"),
    "squeezenet1_1": (52, "9879b1f214fa02449e826cba2451198b8346abcf7972d5e8a9a3bbd8e2745498"),
    "densenet121": (727, "d52aa585c67149854194b01d5c03f0168123669b6d2e1e81d06721ac2b1304dc"),
}

# eval-mode outputs (num_classes=10) on seeded_state(..., seed=0) and a seeded 1x3x32x32 input, from torchvision
GOLDEN = {
    "resnet18": [-0.1561487, -10.96652, -28.01032, -45.62849, -6.598521,
                 18.91961, 5.078411, 44.75165, -10.14668, -2.954978],
    "resnext50_32x4d": [480.5946, -2236.941, -1170.891, 204.5294, -650.4617,
                        -2186.828, -386.1838, 1392.646, -39.86222, -1991.366],
    "mobilenet_v2": [0.2433334, 0.7883322, -1.725823, -1.569954, -1.545236,
                     1.513412, 1.526805, 1.754069, 0.8678828, 0.271467],
    "squeezenet1_1": [0.06862274, 0, 0.9632852, 0, 0, 0.07745914, 0.1947796, 0, 0, 0],
    "densenet121": [1.213245, -0.3355301, 2.672415, 1.956359, -0.2209901,
                    2.235054, 0.07314143, 0.8511685, -3.045584, -2.013841],
}


def shell(name, **kwargs):
    """A model built without drawing its initial values (fast for VGG's 100M-entry layers)."""
    with skipped():
        return getattr(models, name)(**kwargs)


def key_digest(state):
    """(number of entries, sha256 of one "key shape" line per entry, in order)."""
    lines = "".join(f"{k} {tuple(int(n) for n in v.shape)}\n" for k, v in state.items())
    return len(state), hashlib.sha256(lines.encode()).hexdigest()


def seeded_state(shapes, seed=0):
    """Numpy arrays for a state dict's keys and shapes, from one seed: He-scaled conv and linear weights,
    BN weights near 1, small biases and means, variances near 1 (so eval outputs stay of order one)."""
    rng = np.random.default_rng(seed)
    out = {}
    for key, shape in shapes.items():
        leaf = key.rsplit(".", 1)[-1]
        if leaf == "num_batches_tracked":
            out[key] = np.array(3, dtype=np.int64)
        elif leaf == "running_var":
            out[key] = rng.uniform(0.5, 1.5, shape).astype(np.float32)
        elif leaf in ("running_mean", "bias"):
            out[key] = rng.uniform(-0.1, 0.1, shape).astype(np.float32)
        elif len(shape) == 1:
            out[key] = rng.uniform(0.5, 1.5, shape).astype(np.float32)
        else:
            out[key] = rng.normal(0.0, np.sqrt(2.0 / np.prod(shape[1:])), shape).astype(np.float32)
    return out


def golden_input():
    return np.random.default_rng(1).standard_normal((1, 3, 32, 32)).astype(np.float32)


def loaded(name, seed=0):
    """`name` with 10 classes, loaded from seeded_state, in eval mode."""
    model = shell(name, num_classes=10)
    state = seeded_state({k: tuple(v.shape) for k, v in model.state_dict().items()}, seed)
    model.load_state_dict({k: ddp.tensor(v) for k, v in state.items()})
    return model.eval(), state


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_parameter_counts_and_state_dict_keys_are_torchvision_s(name):
    model = shell(name)
    assert sum(p.numel() for p in model.parameters()) == COUNTS[name]
    assert key_digest(model.state_dict()) == KEYS[name]


def test_resnet18_state_dict_names_the_blocks_as_torchvision():
    state = shell("resnet18").state_dict()
    assert list(state)[:6] == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                               "bn1.num_batches_tracked"]
    assert tuple(state["layer2.0.downsample.0.weight"].shape) == (128, 64, 1, 1)
    assert tuple(state["layer4.1.conv2.weight"].shape) == (512, 512, 3, 3)
    assert tuple(state["fc.weight"].shape) == (1000, 512) and "layer1.0.downsample.0.weight" not in state
    assert state["bn1.num_batches_tracked"].dtype == ddp.int64


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_a_loaded_state_dict_gives_torchvision_s_outputs(name):
    model, _ = loaded(name)
    with ddp.no_grad():
        out = model(ddp.tensor(golden_input())).numpy()
    assert out.shape == (1, 10) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], GOLDEN[name], rtol=1e-4, atol=1e-5)


def test_fine_tuning_replaces_fc_and_trains():
    """d2l 14.2: a new `fc` for two classes, its own learning rate, one training step."""
    ddp.manual_seed(0)
    net = models.resnet18()
    net.fc = nn.Linear(net.fc.in_features, 2)
    nn.init.xavier_uniform_(net.fc.weight)
    base = [p for n, p in net.named_parameters() if n not in ("fc.weight", "fc.bias")]
    opt = ddp.optim.SGD([{"params": base}, {"params": net.fc.parameters(), "lr": 0.1}], lr=0.01)
    net.train()
    loss = nn.functional.cross_entropy(net(ddp.randn(2, 3, 32, 32)), ddp.tensor([0, 1]))
    loss.backward()
    assert net.conv1.weight.grad is not None and net.fc.weight.grad.shape == (2, 512)
    assert int(net.bn1.num_batches_tracked) == 1 and np.abs(net.bn1.running_mean.numpy()).max() > 0
    before = net.conv1.weight.numpy().copy()
    opt.step()
    assert not np.array_equal(before, net.conv1.weight.numpy())


def test_resnet_children_cut_for_fcn():
    """d2l 14.11: drop the pooling and fc children; the rest maps 32x32 to 1x1 with 512 channels."""
    net = models.resnet18()
    names = [n for n, _ in net.named_children()]
    assert names == ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"]
    body = nn.Sequential(*list(net.children())[:-2]).eval()
    with ddp.no_grad():
        assert body(ddp.zeros(1, 3, 64, 64)).shape == (1, 512, 2, 2)


def test_vgg19_features_index_as_style_transfer_reads_them():
    """d2l 14.12: layers 0, 5, 10, 19, 28 (style) and 25 (content) of `features` are convolutions."""
    features = shell("vgg19").features
    assert len(features) == 37 and all(isinstance(features[i], nn.Conv2d) for i in (0, 5, 10, 19, 25, 28))
    assert isinstance(features[36], nn.MaxPool2d) and shell("vgg19_bn").classifier[6].out_features == 1000


def test_weights_raise_and_say_how_to_load_a_file():
    with pytest.raises(RuntimeError, match=r"resnet18-f37072fd\.pth.*\n.*\n.*load_state_dict\(ddp\.load"):
        models.resnet18(weights=models.ResNet18_Weights.DEFAULT)
    with pytest.raises(RuntimeError, match="ResNet50_Weights.IMAGENET1K_V1 is https://download.pytorch.org"):
        models.resnet50(pretrained=True)  # the old API maps True to IMAGENET1K_V1, as torchvision does
    with pytest.raises(RuntimeError, match="vgg16_features-amdegroot"):
        models.vgg16(weights="IMAGENET1K_FEATURES")
    with pytest.raises(TypeError, match="expected ResNet18_Weights but received VGG16_Weights"):
        models.resnet18(weights=models.VGG16_Weights.DEFAULT)
    with pytest.raises(ValueError, match="no weights named 'IMAGENET22K'"):
        models.mobilenet_v2(weights="IMAGENET22K")
    with pytest.raises(RuntimeError, match=r"model = ddp\.models\.vgg11_bn\(\)"):
        models.VGG11_BN_Weights.DEFAULT.get_state_dict(progress=True)
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert isinstance(models.squeezenet1_1(pretrained=False, progress=False, num_classes=3), models.SqueezeNet)


def test_public_paths():
    from ddp.data import models as tv_models
    from ddp.models.resnet import BasicBlock, Bottleneck
    assert tv_models.resnet18 is models.resnet18 and models.BasicBlock is BasicBlock
    assert Bottleneck.expansion == 4 and callable(models.alexnet)  # the builder, not the submodule
    assert models.build("cnn")(ddp.zeros(1, 1, 28, 28)).shape == (1, 10) and "resnet18" not in models.MODELS


def test_densenet_legacy_keys_are_renamed():
    from ddp.models.densenet import rename_legacy_keys
    old = {"features.denseblock1.denselayer1.norm.1.weight": 1, "features.denseblock1.denselayer2.conv.2.weight": 2,
           "features.norm5.weight": 3}
    assert list(rename_legacy_keys(old)) == ["features.denseblock1.denselayer1.norm1.weight",
                                             "features.denseblock1.denselayer2.conv2.weight", "features.norm5.weight"]


def test_a_file_torch_saved_loads_and_matches_plain_torch():
    """The README's workflow with a real PyTorch file, checked against ResNet-18 written in torch's ops."""
    torch = pytest.importorskip("torch")
    model, state = loaded("resnet18")
    sd = {k: torch.from_numpy(v) for k, v in state.items()}
    import io
    buffer = io.BytesIO()
    torch.save(sd, buffer)
    model.load_state_dict(ddp.load(io.BytesIO(buffer.getvalue())))
    x = golden_input()
    with ddp.no_grad():
        out = model(ddp.tensor(x)).numpy()
    with torch.no_grad():
        ref = torch_resnet18(torch, sd, torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


def torch_resnet18(torch, sd, x):
    """ResNet-18's forward in eval mode, in torch.nn.functional ops, reading torchvision's key names."""
    F = torch.nn.functional

    def bn(y, prefix):
        return F.batch_norm(y, sd[prefix + ".running_mean"], sd[prefix + ".running_var"], sd[prefix + ".weight"],
                            sd[prefix + ".bias"], False, 0.0, 1e-5)

    x = F.max_pool2d(F.relu(bn(F.conv2d(x, sd["conv1.weight"], stride=2, padding=3), "bn1")), 3, 2, 1)
    for stage in range(1, 5):
        for block in range(2):
            p = f"layer{stage}.{block}"
            stride = 2 if stage > 1 and block == 0 else 1
            out = F.relu(bn(F.conv2d(x, sd[p + ".conv1.weight"], stride=stride, padding=1), p + ".bn1"))
            out = bn(F.conv2d(out, sd[p + ".conv2.weight"], padding=1), p + ".bn2")
            if p + ".downsample.0.weight" in sd:
                x = bn(F.conv2d(x, sd[p + ".downsample.0.weight"], stride=stride), p + ".downsample.1")
            x = F.relu(out + x)
    return F.linear(x.mean((2, 3)), sd["fc.weight"], sd["fc.bias"])
