"""AlexNet as torchvision builds it (the one-GPU variant of "One weird trick", 61,100,840 parameters)."""
from ddp.core import nn
from ddp.core.functional import flatten

from ._weights import refuse_weights, weights_enum

__all__ = ["AlexNet", "alexnet", "AlexNet_Weights"]


class AlexNet(nn.Module):
    """Five convolutions in `features`, adaptive average pooling to 6x6, and a dropout MLP `classifier`."""

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))


AlexNet_Weights = weights_enum("AlexNet_Weights", {"IMAGENET1K_V1": "alexnet-owt-7be5be79.pth"}, "IMAGENET1K_V1")


def alexnet(*, weights=None, progress=True, **kwargs):
    """AlexNet; `kwargs` go to `AlexNet` (num_classes, dropout). Layers keep PyTorch's default init.

    `weights` (or the old `pretrained=True`) raises: ddp does not download; load the file yourself with
    `model.load_state_dict(ddp.load(path))`.
    """
    refuse_weights("alexnet", AlexNet_Weights, weights, kwargs)
    return AlexNet(**kwargs)
