"""SqueezeNet 1.0 and 1.1 as torchvision builds them: Fire modules (1x1 squeeze, then 1x1 and 3x3 expand,
concatenated) and a convolutional classifier."""
from ddp.core import nn
from ddp.core.functional import cat, flatten

from ._weights import refuse_weights, weights_enum

__all__ = ["SqueezeNet", "Fire", "squeezenet1_0", "squeezenet1_1", "SqueezeNet1_0_Weights", "SqueezeNet1_1_Weights"]


class Fire(nn.Module):
    """Squeeze to `squeeze_planes` with a 1x1 conv, then concatenate 1x1 and 3x3 expansions (each with ReLU)."""

    def __init__(self, inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes):
        super().__init__()
        self.inplanes = inplanes
        self.squeeze = nn.Conv2d(inplanes, squeeze_planes, kernel_size=1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return cat([self.expand1x1_activation(self.expand1x1(x)), self.expand3x3_activation(self.expand3x3(x))], 1)


def _pool():
    return nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)


def _features(version):
    """The `features` Sequential of version "1_0" (7x7 stem) or "1_1" (3x3 stem, earlier pooling)."""
    if version == "1_0":
        return nn.Sequential(
            nn.Conv2d(3, 96, kernel_size=7, stride=2), nn.ReLU(inplace=True), _pool(),
            Fire(96, 16, 64, 64), Fire(128, 16, 64, 64), Fire(128, 32, 128, 128), _pool(),
            Fire(256, 32, 128, 128), Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256),
            _pool(), Fire(512, 64, 256, 256))
    if version == "1_1":
        return nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=3, stride=2), nn.ReLU(inplace=True), _pool(),
            Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), _pool(),
            Fire(128, 32, 128, 128), Fire(256, 32, 128, 128), _pool(),
            Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), Fire(512, 64, 256, 256))
    raise ValueError(f"Unsupported SqueezeNet version {version}: 1_0 or 1_1 expected")


class SqueezeNet(nn.Module):
    """`features`, then `classifier`: dropout, a 1x1 conv to `num_classes`, ReLU and global average pooling."""

    def __init__(self, version="1_0", num_classes=1000, dropout=0.5):
        super().__init__()
        self.num_classes = num_classes
        self.features = _features(version)
        final_conv = nn.Conv2d(512, num_classes, kernel_size=1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), final_conv, nn.ReLU(inplace=True),
                                        nn.AdaptiveAvgPool2d((1, 1)))
        for m in self.modules():  # torchvision's init: the final conv N(0, 0.01), the others He uniform
            if isinstance(m, nn.Conv2d):
                if m is final_conv:
                    nn.init.normal_(m.weight, mean=0.0, std=0.01)
                else:
                    nn.init.kaiming_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return flatten(self.classifier(self.features(x)), 1)


SqueezeNet1_0_Weights = weights_enum("SqueezeNet1_0_Weights", {"IMAGENET1K_V1": "squeezenet1_0-b66bff10.pth"},
                                     "IMAGENET1K_V1")
SqueezeNet1_1_Weights = weights_enum("SqueezeNet1_1_Weights", {"IMAGENET1K_V1": "squeezenet1_1-b8a52dc0.pth"},
                                     "IMAGENET1K_V1")


def squeezenet1_0(*, weights=None, progress=True, **kwargs):
    """SqueezeNet 1.0 (1,248,424 parameters at 1000 classes); `kwargs` go to `SqueezeNet`.

    `weights` (or the old `pretrained=True`) raises: ddp does not download; load the file yourself with
    `model.load_state_dict(ddp.load(path))`.
    """
    refuse_weights("squeezenet1_0", SqueezeNet1_0_Weights, weights, kwargs)
    return SqueezeNet("1_0", **kwargs)


def squeezenet1_1(*, weights=None, progress=True, **kwargs):
    """SqueezeNet 1.1: 2.4x less computation than 1.0 at the same accuracy (1,235,496 parameters)."""
    refuse_weights("squeezenet1_1", SqueezeNet1_1_Weights, weights, kwargs)
    return SqueezeNet("1_1", **kwargs)
