"""VGG-11/13/16/19, with and without batch norm, as torchvision builds them: `features` (the convolutions,
what style transfer reads activations from), `avgpool` to 7x7 and the three-layer `classifier`."""
from ddp.core import nn
from ddp.core.functional import flatten

from ._weights import refuse_weights, weights_enum

__all__ = ["VGG", "make_layers", "cfgs", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
           "vgg19_bn", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights", "VGG16_Weights",
           "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights"]

# The paper's configurations A, B, D, E (VGG-11, 13, 16, 19): output channels of each 3x3 conv, "M" a 2x2 max pool.
cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def make_layers(cfg, batch_norm=False):
    """The `features` Sequential for a configuration list (conv, [BN,] ReLU per number; pool per "M")."""
    layers, channels = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """`features`, adaptive average pooling to 7x7, and classifier 25088-4096-4096-num_classes with dropout.

    Example:
        >>> features = ddp.models.vgg19().features   # style transfer: activations of chosen layers
    """

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))
        if init_weights:
            self._init_weights()

    def _init_weights(self):
        """torchvision's init: He normal (fan_out) convolutions, N(0, 0.01) linears, zero biases."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))


_FILES = {"vgg11": "vgg11-8a719046.pth", "vgg11_bn": "vgg11_bn-6002323d.pth", "vgg13": "vgg13-19584684.pth",
          "vgg13_bn": "vgg13_bn-abd245e5.pth", "vgg16": "vgg16-397923af.pth", "vgg16_bn": "vgg16_bn-6c64b313.pth",
          "vgg19": "vgg19-dcbb9e9d.pth", "vgg19_bn": "vgg19_bn-c79401a0.pth"}


def _enum(builder, extra=None):
    files = {"IMAGENET1K_V1": _FILES[builder], **(extra or {})}
    return weights_enum(builder.upper() + "_Weights", files, "IMAGENET1K_V1")


VGG11_Weights, VGG11_BN_Weights = _enum("vgg11"), _enum("vgg11_bn")
VGG13_Weights, VGG13_BN_Weights = _enum("vgg13"), _enum("vgg13_bn")
VGG16_Weights = _enum("vgg16", {"IMAGENET1K_FEATURES": "vgg16_features-amdegroot-88682ab5.pth"})
VGG16_BN_Weights = _enum("vgg16_bn")
VGG19_Weights, VGG19_BN_Weights = _enum("vgg19"), _enum("vgg19_bn")


def _vgg(builder, enum_cls, cfg, batch_norm, weights, kwargs):
    refuse_weights(builder, enum_cls, weights, kwargs)
    return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)


def vgg11(*, weights=None, progress=True, **kwargs):
    """VGG-11, configuration A (132,863,336 parameters); `kwargs` go to `VGG` (num_classes, dropout, ...).

    `weights` (or the old `pretrained=True`) raises: ddp does not download; load the file yourself with
    `model.load_state_dict(ddp.load(path))`.
    """
    return _vgg("vgg11", VGG11_Weights, "A", False, weights, kwargs)


def vgg11_bn(*, weights=None, progress=True, **kwargs):
    """VGG-11 with batch norm (132,868,840 parameters); arguments as `vgg11`."""
    return _vgg("vgg11_bn", VGG11_BN_Weights, "A", True, weights, kwargs)


def vgg13(*, weights=None, progress=True, **kwargs):
    """VGG-13, configuration B (133,047,848 parameters); arguments as `vgg11`."""
    return _vgg("vgg13", VGG13_Weights, "B", False, weights, kwargs)


def vgg13_bn(*, weights=None, progress=True, **kwargs):
    """VGG-13 with batch norm (133,053,736 parameters); arguments as `vgg11`."""
    return _vgg("vgg13_bn", VGG13_BN_Weights, "B", True, weights, kwargs)


def vgg16(*, weights=None, progress=True, **kwargs):
    """VGG-16, configuration D (138,357,544 parameters); arguments as `vgg11`."""
    return _vgg("vgg16", VGG16_Weights, "D", False, weights, kwargs)


def vgg16_bn(*, weights=None, progress=True, **kwargs):
    """VGG-16 with batch norm (138,365,992 parameters); arguments as `vgg11`."""
    return _vgg("vgg16_bn", VGG16_BN_Weights, "D", True, weights, kwargs)


def vgg19(*, weights=None, progress=True, **kwargs):
    """VGG-19, configuration E (143,667,240 parameters); arguments as `vgg11`."""
    return _vgg("vgg19", VGG19_Weights, "E", False, weights, kwargs)


def vgg19_bn(*, weights=None, progress=True, **kwargs):
    """VGG-19 with batch norm (143,678,248 parameters); arguments as `vgg11`."""
    return _vgg("vgg19_bn", VGG19_BN_Weights, "E", True, weights, kwargs)
