"""DenseNet-121 as torchvision builds it (DenseNet-BC: bottlenecked layers, halving transitions).

torchvision's published file for it predates the current key names ("norm.1" for "norm1"); torchvision
renames them when it loads the file itself, so do that first with `rename_legacy_keys` when loading it:
`model.load_state_dict(rename_legacy_keys(ddp.load("densenet121-a639ec97.pth")))`.
"""
import re
from collections import OrderedDict

from ddp.core import nn
from ddp.core.functional import cat, flatten
from ddp.core.nn import functional as F

from ._weights import refuse_weights, weights_enum

__all__ = ["DenseNet", "densenet121", "DenseNet121_Weights", "rename_legacy_keys"]


class _DenseLayer(nn.Module):
    """BN-ReLU-1x1 conv to `bn_size * growth_rate`, BN-ReLU-3x3 conv to `growth_rate` new channels."""

    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate, memory_efficient=False):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = float(drop_rate)
        self.memory_efficient = memory_efficient

    def bn_function(self, inputs):
        return self.conv1(self.relu1(self.norm1(cat(list(inputs), 1))))

    def forward(self, input):
        inputs = [input] if not isinstance(input, (list, tuple)) else input
        if self.memory_efficient and any(t.requires_grad for t in inputs):
            from ddp.utils.checkpoint import checkpoint  # recompute the concatenation in backward
            bottleneck = checkpoint(lambda *ts: self.bn_function(ts), *inputs, use_reentrant=False)
        else:
            bottleneck = self.bn_function(inputs)
        out = self.conv2(self.relu2(self.norm2(bottleneck)))
        if self.drop_rate > 0:
            out = F.dropout(out, p=self.drop_rate, training=self.training)
        return out


class _DenseBlock(nn.ModuleDict):
    """`num_layers` dense layers, each fed the concatenation of the block's input and all earlier outputs."""

    def __init__(self, num_layers, num_input_features, bn_size, growth_rate, drop_rate, memory_efficient=False):
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(num_input_features + i * growth_rate, growth_rate=growth_rate, bn_size=bn_size,
                                drop_rate=drop_rate, memory_efficient=memory_efficient)
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features):
        features = [init_features]
        for _, layer in self.items():
            features.append(layer(features))
        return cat(features, 1)


class _Transition(nn.Sequential):
    """BN, ReLU, 1x1 conv to `num_output_features`, 2x2 average pool."""

    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    """A 7x7 stem, dense blocks of `block_config` layers joined by transitions, final BN and `classifier`.

    Args:
        growth_rate: channels each layer adds (k in the paper).
        block_config: the number of layers in each of the four blocks.
        num_init_features: channels of the stem convolution.
        bn_size: bottleneck width, as a multiple of `growth_rate`.
        drop_rate: dropout after each dense layer.
        num_classes: outputs of `classifier`.
        memory_efficient: recompute each layer's concatenation in backward (less memory, slower).
    """

    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, bn_size=4, drop_rate=0,
                 num_classes=1000, memory_efficient=False):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1))]))
        channels = num_init_features
        for i, num_layers in enumerate(block_config):
            self.features.add_module(f"denseblock{i + 1}", _DenseBlock(
                num_layers, channels, bn_size=bn_size, growth_rate=growth_rate, drop_rate=drop_rate,
                memory_efficient=memory_efficient))
            channels += num_layers * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", _Transition(channels, channels // 2))
                channels //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(channels))
        self.classifier = nn.Linear(channels, num_classes)
        for m in self.modules():  # torchvision's init: He normal convolutions, BN at 1 and 0, zero linear bias
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        out = F.adaptive_avg_pool2d(F.relu(self.features(x)), (1, 1))
        return self.classifier(flatten(out, 1))


def rename_legacy_keys(state_dict):
    """A copy of `state_dict` with the old DenseNet names ("...denselayer1.norm.1.weight") renamed to the
    current ones ("...denselayer1.norm1.weight"), as torchvision does when it loads its own file."""
    return OrderedDict((re.sub(r"(denselayer\d+\.(?:norm|relu|conv))\.([12])\.", r"\1\2.", key), value)
                       for key, value in state_dict.items())


DenseNet121_Weights = weights_enum("DenseNet121_Weights", {"IMAGENET1K_V1": "densenet121-a639ec97.pth"},
                                   "IMAGENET1K_V1")


def densenet121(*, weights=None, progress=True, **kwargs):
    """DenseNet-121: growth 32, blocks (6, 12, 24, 16) (7,978,856 parameters); `kwargs` go to `DenseNet`.

    `weights` (or the old `pretrained=True`) raises: ddp does not download; load the file yourself with
    `model.load_state_dict(rename_legacy_keys(ddp.load(path)))`.
    """
    refuse_weights("densenet121", DenseNet121_Weights, weights, kwargs)
    return DenseNet(32, (6, 12, 24, 16), 64, **kwargs)
