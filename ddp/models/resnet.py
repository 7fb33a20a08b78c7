"""ResNet, ResNeXt and Wide ResNet as torchvision builds them (module names, shapes, init), so that
torchvision's checkpoints load with `load_state_dict` and give its outputs.

The stride of a downsampling Bottleneck sits on its 3x3 convolution (torchvision's "ResNet v1.5").
"""
from ddp.core import nn
from ddp.core.functional import flatten

from ._weights import refuse_weights, weights_enum

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "conv1x1", "conv3x3", "resnet18", "resnet34", "resnet50",
           "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2", "ResNet18_Weights",
           "ResNet34_Weights", "ResNet50_Weights", "ResNet101_Weights", "ResNet152_Weights",
           "ResNeXt50_32X4D_Weights", "Wide_ResNet50_2_Weights"]


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    """3x3 convolution without bias, padded to keep the size (at stride 1)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    """1x1 convolution without bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers and a shortcut (ResNet-18/34)."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        norm_layer = norm_layer or nn.BatchNorm2d
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (grouped for ResNeXt, strided), 1x1 expand by 4, and a shortcut (ResNet-50 and up)."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


class ResNet(nn.Module):
    """A 7x7 stem, four stages of `block` (`layers` blocks each, widths 64-512), global pooling and `fc`.

    Args:
        block: `BasicBlock` or `Bottleneck`.
        layers: the number of blocks in each of the four stages, e.g. [2, 2, 2, 2] for ResNet-18.
        num_classes: outputs of `fc` (replace `model.fc` to fine-tune for another task).
        zero_init_residual: start each block's last BN at zero, so that every block begins as the identity.
        groups, width_per_group: ResNeXt's cardinality and width (Wide ResNet: width_per_group=128).
        replace_stride_with_dilation: three bools; dilate stages 2-4 instead of striding (segmentation).
        norm_layer: the normalisation module (default `nn.BatchNorm2d`).

    Example:
        >>> model = ddp.models.resnet18()
        >>> model.fc = ddp.nn.Linear(model.fc.in_features, 2)   # fine-tune for two classes
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        self._norm_layer = norm_layer = norm_layer or nn.BatchNorm2d
        dilate = replace_stride_with_dilation or [False, False, False]
        if len(dilate) != 3:
            raise ValueError("replace_stride_with_dilation should be None "
                             f"or a 3-element tuple, got {replace_stride_with_dilation}")
        self.inplanes, self.dilation = 64, 1
        self.groups, self.base_width = groups, width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=dilate[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=dilate[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=dilate[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        self._init_weights(zero_init_residual)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        """One stage: a first block that may stride (or dilate) and widen, then `blocks - 1` plain ones."""
        first_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       self._norm_layer(planes * block.expansion))
        shared = dict(groups=self.groups, base_width=self.base_width, norm_layer=self._norm_layer)
        stage = [block(self.inplanes, planes, stride, downsample, dilation=first_dilation, **shared)]
        self.inplanes = planes * block.expansion
        stage += [block(self.inplanes, planes, dilation=self.dilation, **shared) for _ in range(1, blocks)]
        return nn.Sequential(*stage)

    def _init_weights(self, zero_init_residual):
        """torchvision's init: He normal (fan_out) for convolutions, BN at weight 1 and bias 0."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                last_bn = m.bn3 if isinstance(m, Bottleneck) else m.bn2 if isinstance(m, BasicBlock) else None
                if last_bn is not None and last_bn.weight is not None:
                    nn.init.constant_(last_bn.weight, 0)

    def _forward_impl(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(flatten(self.avgpool(x), 1))

    def forward(self, x):
        return self._forward_impl(x)


def _file(name):
    return {"IMAGENET1K_V1": name}


ResNet18_Weights = weights_enum("ResNet18_Weights", _file("resnet18-f37072fd.pth"), "IMAGENET1K_V1")
ResNet34_Weights = weights_enum("ResNet34_Weights", _file("resnet34-b627a593.pth"), "IMAGENET1K_V1")
ResNet50_Weights = weights_enum("ResNet50_Weights", {"IMAGENET1K_V1": "resnet50-0676ba61.pth",
                                                     "IMAGENET1K_V2": "resnet50-11ad3fa6.pth"}, "IMAGENET1K_V2")
ResNet101_Weights = weights_enum("ResNet101_Weights", {"IMAGENET1K_V1": "resnet101-63fe2227.pth",
                                                       "IMAGENET1K_V2": "resnet101-cd907fc2.pth"}, "IMAGENET1K_V2")
ResNet152_Weights = weights_enum("ResNet152_Weights", {"IMAGENET1K_V1": "resnet152-394f9c45.pth",
                                                       "IMAGENET1K_V2": "resnet152-f82ba261.pth"}, "IMAGENET1K_V2")
ResNeXt50_32X4D_Weights = weights_enum("ResNeXt50_32X4D_Weights", {"IMAGENET1K_V1": "resnext50_32x4d-7cdf4587.pth",
                                                                   "IMAGENET1K_V2": "resnext50_32x4d-1a0047aa.pth"},
                                       "IMAGENET1K_V2")
Wide_ResNet50_2_Weights = weights_enum("Wide_ResNet50_2_Weights", {"IMAGENET1K_V1": "wide_resnet50_2-95faca4d.pth",
                                                                   "IMAGENET1K_V2": "wide_resnet50_2-9ba9bcbe.pth"},
                                       "IMAGENET1K_V2")


def _resnet(builder, enum_cls, block, layers, weights, kwargs):
    refuse_weights(builder, enum_cls, weights, kwargs)
    return ResNet(block, layers, **kwargs)


def resnet18(*, weights=None, progress=True, **kwargs):
    """ResNet-18 (11,689,512 parameters at 1000 classes); `kwargs` go to `ResNet` (num_classes=...).

    `weights` (or the old `pretrained=True`) raises: ddp does not download; load the file yourself with
    `model.load_state_dict(ddp.load(path))`. `progress` is accepted for torchvision's signature.
    """
    return _resnet("resnet18", ResNet18_Weights, BasicBlock, [2, 2, 2, 2], weights, kwargs)


def resnet34(*, weights=None, progress=True, **kwargs):
    """ResNet-34 (21,797,672 parameters); arguments as `resnet18`."""
    return _resnet("resnet34", ResNet34_Weights, BasicBlock, [3, 4, 6, 3], weights, kwargs)


def resnet50(*, weights=None, progress=True, **kwargs):
    """ResNet-50 (25,557,032 parameters); arguments as `resnet18`."""
    return _resnet("resnet50", ResNet50_Weights, Bottleneck, [3, 4, 6, 3], weights, kwargs)


def resnet101(*, weights=None, progress=True, **kwargs):
    """ResNet-101 (44,549,160 parameters); arguments as `resnet18`."""
    return _resnet("resnet101", ResNet101_Weights, Bottleneck, [3, 4, 23, 3], weights, kwargs)


def resnet152(*, weights=None, progress=True, **kwargs):
    """ResNet-152 (60,192,808 parameters); arguments as `resnet18`."""
    return _resnet("resnet152", ResNet152_Weights, Bottleneck, [3, 8, 36, 3], weights, kwargs)


def resnext50_32x4d(*, weights=None, progress=True, **kwargs):
    """ResNeXt-50 32x4d: 32 groups of width 4 (25,028,904 parameters); arguments as `resnet18`."""
    kwargs.update(groups=32, width_per_group=4)
    return _resnet("resnext50_32x4d", ResNeXt50_32X4D_Weights, Bottleneck, [3, 4, 6, 3], weights, kwargs)


def wide_resnet50_2(*, weights=None, progress=True, **kwargs):
    """Wide ResNet-50-2: bottlenecks twice as wide (68,883,240 parameters); arguments as `resnet18`."""
    kwargs.update(width_per_group=64 * 2)
    return _resnet("wide_resnet50_2", Wide_ResNet50_2_Weights, Bottleneck, [3, 4, 6, 3], weights, kwargs)
