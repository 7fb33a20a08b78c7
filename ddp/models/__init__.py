"""Ready-made models, as `torchvision.models`: the MNIST seed models and torchvision's classic
architectures.

`mlp`, `cnn`, `cnn2` (and `build(name)`, `MODELS`) are the seed models of the MNIST examples (`mnist.py`).
The others are torchvision's, with its builder signatures (`weights=None`, `progress`, `num_classes=...`
and the other constructor keywords), module structure and `state_dict` keys and shapes, so that a file
torchvision wrote loads into them and gives its outputs:

    >>> model = ddp.models.resnet18()
    >>> model.load_state_dict(ddp.load("resnet18-f37072fd.pth"))   # downloaded from torchvision's URL
    >>> model.fc = ddp.nn.Linear(model.fc.in_features, 2)          # fine-tune for two classes

ddp never downloads: `weights=ResNet18_Weights.DEFAULT` (or `pretrained=True`) raises an error naming the
file's URL. Families: ResNet (`resnet.py`), VGG (`vgg.py`), AlexNet, MobileNetV2, SqueezeNet, DenseNet-121.
"""
from .alexnet import AlexNet, AlexNet_Weights, alexnet
from .densenet import DenseNet, DenseNet121_Weights, densenet121
from .mnist import MODELS, build, cnn, cnn2, mlp
from .mobilenetv2 import MobileNet_V2_Weights, MobileNetV2, mobilenet_v2
from .resnet import (
    BasicBlock, Bottleneck, ResNet, ResNet18_Weights, ResNet34_Weights, ResNet50_Weights, ResNet101_Weights,
    ResNet152_Weights, ResNeXt50_32X4D_Weights, Wide_ResNet50_2_Weights, resnet18, resnet34, resnet50, resnet101,
    resnet152, resnext50_32x4d, wide_resnet50_2,
)
from .squeezenet import SqueezeNet, SqueezeNet1_0_Weights, SqueezeNet1_1_Weights, squeezenet1_0, squeezenet1_1
from .vgg import (
    VGG, VGG11_BN_Weights, VGG11_Weights, VGG13_BN_Weights, VGG13_Weights, VGG16_BN_Weights, VGG16_Weights,
    VGG19_BN_Weights, VGG19_Weights, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn,
)
from ._weights import WeightsEnum

__all__ = [
    "mlp", "cnn", "cnn2", "MODELS", "build", "WeightsEnum",
    "ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "resnext50_32x4d", "wide_resnet50_2", "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights",
    "ResNet101_Weights", "ResNet152_Weights", "ResNeXt50_32X4D_Weights", "Wide_ResNet50_2_Weights",
    "VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "VGG11_Weights",
    "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights", "VGG16_Weights", "VGG16_BN_Weights", "VGG19_Weights",
    "VGG19_BN_Weights", "AlexNet", "alexnet", "AlexNet_Weights", "MobileNetV2", "mobilenet_v2",
    "MobileNet_V2_Weights", "SqueezeNet", "squeezenet1_0", "squeezenet1_1", "SqueezeNet1_0_Weights",
    "SqueezeNet1_1_Weights", "DenseNet", "densenet121", "DenseNet121_Weights",
]
