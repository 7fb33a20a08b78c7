"""MobileNetV2 as torchvision builds it: inverted residual blocks of depthwise convolutions with ReLU6."""
from ddp.core import nn
from ddp.core.functional import flatten
from ddp.core.nn import functional as F

from ._weights import refuse_weights, weights_enum

__all__ = ["MobileNetV2", "InvertedResidual", "Conv2dNormActivation", "mobilenet_v2", "MobileNet_V2_Weights"]

# t (expansion), c (output channels), n (blocks), s (stride of the first block)
_SETTING = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
            [6, 320, 1, 1]]


def _make_divisible(v, divisor, min_value=None):
    """`v` rounded to the nearest multiple of `divisor`, never more than 10% below `v` (channel counts)."""
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * v else rounded


class Conv2dNormActivation(nn.Sequential):
    """conv (padded to keep the size), norm, activation: torchvision.ops' block, children 0, 1, 2."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, groups=1, norm_layer=nn.BatchNorm2d,
                 activation_layer=nn.ReLU, dilation=1):
        layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding=(kernel_size - 1) // 2 * dilation,
                            dilation=dilation, groups=groups, bias=norm_layer is None)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(inplace=True))
        super().__init__(*layers)
        self.out_channels = out_channels


class InvertedResidual(nn.Module):
    """1x1 expand by `expand_ratio`, 3x3 depthwise, 1x1 linear projection; a shortcut when shapes allow."""

    def __init__(self, inp, oup, stride, expand_ratio, norm_layer=None):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride should be 1 or 2 instead of {stride}")
        norm_layer = norm_layer or nn.BatchNorm2d
        hidden = int(round(inp * expand_ratio))
        self.stride = stride
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden, kernel_size=1, norm_layer=norm_layer,
                                               activation_layer=nn.ReLU6))
        layers += [Conv2dNormActivation(hidden, hidden, stride=stride, groups=hidden, norm_layer=norm_layer,
                                        activation_layer=nn.ReLU6),
                   nn.Conv2d(hidden, oup, 1, 1, 0, bias=False), norm_layer(oup)]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup
        self._is_cn = stride > 1

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    """A strided 3x3 stem, 17 inverted residual blocks, a 1x1 conv to 1280 channels, and `classifier`.

    Args:
        num_classes: outputs of the last linear layer.
        width_mult: scales every layer's channels (rounded to multiples of `round_nearest`).
        inverted_residual_setting: rows of [t, c, n, s]; default the paper's.
        block, norm_layer: the block and normalisation classes (default InvertedResidual, BatchNorm2d).
        dropout: before the last linear layer.
    """

    def __init__(self, num_classes=1000, width_mult=1.0, inverted_residual_setting=None, round_nearest=8,
                 block=None, norm_layer=None, dropout=0.2):
        super().__init__()
        block, norm_layer = block or InvertedResidual, norm_layer or nn.BatchNorm2d
        setting = _SETTING if inverted_residual_setting is None else inverted_residual_setting
        if len(setting) == 0 or len(setting[0]) != 4:
            raise ValueError(f"inverted_residual_setting should be non-empty or a 4-element list, got {setting}")
        channels = _make_divisible(32 * width_mult, round_nearest)
        self.last_channel = _make_divisible(1280 * max(1.0, width_mult), round_nearest)
        features = [Conv2dNormActivation(3, channels, stride=2, norm_layer=norm_layer, activation_layer=nn.ReLU6)]
        for t, c, n, s in setting:
            out = _make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                features.append(block(channels, out, s if i == 0 else 1, expand_ratio=t, norm_layer=norm_layer))
                channels = out
        features.append(Conv2dNormActivation(channels, self.last_channel, kernel_size=1, norm_layer=norm_layer,
                                             activation_layer=nn.ReLU6))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(self.last_channel, num_classes))
        self._init_weights()

    def _init_weights(self):
        """torchvision's init: He normal (fan_out) convolutions, N(0, 0.01) linear, BN at 1 and 0, zero biases."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def _forward_impl(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(flatten(x, 1))

    def forward(self, x):
        return self._forward_impl(x)


MobileNet_V2_Weights = weights_enum("MobileNet_V2_Weights", {"IMAGENET1K_V1": "mobilenet_v2-b0353104.pth",
                                                             "IMAGENET1K_V2": "mobilenet_v2-7ebf99e0.pth"},
                                    "IMAGENET1K_V2")


def mobilenet_v2(*, weights=None, progress=True, **kwargs):
    """MobileNetV2 (3,504,872 parameters at 1000 classes); `kwargs` go to `MobileNetV2`.

    `weights` (or the old `pretrained=True`) raises: ddp does not download; load the file yourself with
    `model.load_state_dict(ddp.load(path))`.
    """
    refuse_weights("mobilenet_v2", MobileNet_V2_Weights, weights, kwargs)
    return MobileNetV2(**kwargs)
