"""Fast style transfer in miniature: train an image transformation network (Johnson et al., 2016).

The transformation network is the usual one, scaled down: reflection-padded convolutions with instance
normalisation (`nn.InstanceNorm2d(affine=True)`), two stride-2 downsampling layers, residual blocks, and
nearest-neighbour upsampling followed by convolution instead of transposed convolution. Its loss is
measured by a fixed "loss network": here two random convolution layers (where a real program would load a
pretrained VGG), frozen with `requires_grad = False`. The content loss compares the loss network's features
of the output and of the input; the style loss compares Gram matrices (batched with `bmm`) of the output's
features with those of one style image.

Only the imports differ from the PyTorch program (tests/examples/test_style_transfer_net.py runs both).
Images and initial weights come from numpy with fixed seeds, so both frameworks compute the same numbers.

    python scripts/examples/style_transfer_net.py --steps 20
"""
import argparse
import math
import os
import re
import tempfile
from collections import namedtuple

import numpy as np

import ddp as torch
import ddp.nn.functional as F
from ddp.optim import Adam


class ConvLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super().__init__()
        self.reflection_pad = torch.nn.ReflectionPad2d(kernel_size // 2)
        self.conv2d = torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride)

    def forward(self, x):
        return self.conv2d(self.reflection_pad(x))


class ResidualBlock(torch.nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = ConvLayer(channels, channels, kernel_size=3, stride=1)
        self.in1 = torch.nn.InstanceNorm2d(channels, affine=True)
        self.conv2 = ConvLayer(channels, channels, kernel_size=3, stride=1)
        self.in2 = torch.nn.InstanceNorm2d(channels, affine=True)
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        out = self.relu(self.in1(self.conv1(x)))
        return self.in2(self.conv2(out)) + x


class UpsampleConvLayer(torch.nn.Module):
    """Nearest-neighbour upsampling, then a convolution (no checkerboard artefacts, unlike ConvTranspose2d)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, upsample=None):
        super().__init__()
        self.upsample = upsample
        if upsample:
            self.upsample_layer = torch.nn.Upsample(mode="nearest", scale_factor=upsample)
        self.reflection_pad = torch.nn.ReflectionPad2d(kernel_size // 2)
        self.conv2d = torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride)

    def forward(self, x):
        if self.upsample:
            x = self.upsample_layer(x)
        return self.conv2d(self.reflection_pad(x))


class TransformerNet(torch.nn.Module):
    def __init__(self, width=8, residual_blocks=2):
        super().__init__()
        self.conv1 = ConvLayer(3, width, kernel_size=5, stride=1)
        self.in1 = torch.nn.InstanceNorm2d(width, affine=True)
        self.conv2 = ConvLayer(width, 2 * width, kernel_size=3, stride=2)
        self.in2 = torch.nn.InstanceNorm2d(2 * width, affine=True)
        self.conv3 = ConvLayer(2 * width, 4 * width, kernel_size=3, stride=2)
        self.in3 = torch.nn.InstanceNorm2d(4 * width, affine=True)
        self.res = torch.nn.Sequential(*[ResidualBlock(4 * width) for _ in range(residual_blocks)])
        self.deconv1 = UpsampleConvLayer(4 * width, 2 * width, kernel_size=3, stride=1, upsample=2)
        self.in4 = torch.nn.InstanceNorm2d(2 * width, affine=True)
        self.deconv2 = UpsampleConvLayer(2 * width, width, kernel_size=3, stride=1, upsample=2)
        self.in5 = torch.nn.InstanceNorm2d(width, affine=True)
        self.deconv3 = ConvLayer(width, 3, kernel_size=5, stride=1)
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        y = self.relu(self.in1(self.conv1(x)))
        y = self.relu(self.in2(self.conv2(y)))
        y = self.relu(self.in3(self.conv3(y)))
        y = self.res(y)
        y = self.relu(self.in4(self.deconv1(y)))
        y = self.relu(self.in5(self.deconv2(y)))
        return self.deconv3(y)


LossOutputs = namedtuple("LossOutputs", ["relu1", "relu2"])


class LossNetwork(torch.nn.Module):
    """Two frozen convolution layers whose activations stand in for VGG's relu1_2 and relu2_2."""

    def __init__(self, width=8, requires_grad=False):
        super().__init__()
        self.slice1 = torch.nn.Sequential(torch.nn.Conv2d(3, width, 3, padding=1), torch.nn.ReLU(inplace=True))
        self.slice2 = torch.nn.Sequential(torch.nn.MaxPool2d(2, 2), torch.nn.Conv2d(width, 2 * width, 3, padding=1),
                                          torch.nn.ReLU(inplace=True))
        if not requires_grad:
            for param in self.parameters():
                param.requires_grad = False

    def forward(self, x):
        h1 = self.slice1(x)
        h2 = self.slice2(h1)
        return LossOutputs(h1, h2)


def gram_matrix(y):
    (b, ch, h, w) = y.size()
    features = y.view(b, ch, w * h)
    return features.bmm(features.transpose(1, 2)) / (ch * h * w)


def normalize_batch(batch):
    """From [0, 255] to ImageNet's normalisation (divides `batch` in place, as such programs do)."""
    mean = batch.new_tensor([0.485, 0.456, 0.406]).view(-1, 1, 1)
    std = batch.new_tensor([0.229, 0.224, 0.225]).view(-1, 1, 1)
    batch = batch.div_(255.0)
    return (batch - mean) / std


def make_images(n, side, seed):
    """n colour images in [0, 255] (float32): soft coloured discs on a smooth gradient background."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:side, 0:side] / side
    tilt = rng.uniform(-1, 1, (n, 3, 2, 1, 1))
    images = 0.5 + 0.25 * (tilt[:, :, 0] * x + tilt[:, :, 1] * y)
    for _ in range(3):
        centre = rng.uniform(0.2, 0.8, (n, 1, 2, 1, 1))
        colour = rng.uniform(-0.5, 0.5, (n, 3, 1, 1))
        disc = 1 / (1 + np.exp(((x - centre[:, :, 0]) ** 2 + (y - centre[:, :, 1]) ** 2 - 0.03) * 200))
        images = images + colour * disc
    return (255 * np.clip(images, 0, 1)).astype(np.float32)


def make_style(side, seed):
    """One (1, 3, side, side) style image in [0, 255]: diagonal colour stripes."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:side, 0:side] / side
    phase = rng.uniform(0, 2 * np.pi, (3, 1, 1))
    stripes = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * (x + y)[None] + phase)
    return (255 * stripes[None]).astype(np.float32)


def reset_parameters_from_numpy(model, seed):
    """Every convolution's weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from numpy, so that both
    frameworks start equal (instance norms keep their weight 1 and bias 0)."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Conv2d):
                bound = 1.0 / math.sqrt(module.weight[0].numel())
                for p in (module.weight, module.bias):
                    p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


def main():
    parser = argparse.ArgumentParser(description="train a small fast-neural-style transformation network")
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--image-size", type=int, default=16)
    parser.add_argument("--style-size", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--width", type=int, default=8)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--content-weight", type=float, default=1.0)
    parser.add_argument("--style-weight", type=float, default=1e3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    images = torch.from_numpy(make_images(args.images, args.image_size, args.seed))
    transformer = TransformerNet(args.width)
    reset_parameters_from_numpy(transformer, args.seed + 1)
    optimizer = Adam(transformer.parameters(), args.lr)
    mse_loss = torch.nn.MSELoss()
    loss_net = LossNetwork(args.width, requires_grad=False)
    reset_parameters_from_numpy(loss_net, args.seed + 2)

    style = torch.from_numpy(make_style(args.style_size, args.seed + 3))
    style = F.interpolate(style, size=(args.image_size, args.image_size), mode="bilinear", align_corners=False)
    style = style.repeat(args.batch_size, 1, 1, 1)
    features_style = loss_net(normalize_batch(style))
    gram_style = [gram_matrix(y) for y in features_style]

    transformer.train()
    batches = len(images) // args.batch_size
    for step in range(args.steps):
        start = (step % batches) * args.batch_size
        x = images[start:start + args.batch_size]
        n_batch = len(x)
        optimizer.zero_grad()

        y = transformer(x)
        y = normalize_batch(y)
        x = normalize_batch(x.clone())
        features_y = loss_net(y)
        features_x = loss_net(x)

        content_loss = args.content_weight * mse_loss(features_y.relu2, features_x.relu2)
        style_loss = 0.0
        for ft_y, gm_s in zip(features_y, gram_style):
            gm_y = gram_matrix(ft_y)
            style_loss += mse_loss(gm_y, gm_s[:n_batch, :, :])
        style_loss *= args.style_weight

        total_loss = content_loss + style_loss
        total_loss.backward()
        optimizer.step()
        print(f"step {step + 1} content {content_loss.item():.6f} style {style_loss.item():.6f} "
              f"total loss {total_loss.item():.6f}")

    transformer.eval()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "transformer.pth")
        torch.save(transformer.state_dict(), path)
        state_dict = torch.load(path)
        for k in list(state_dict.keys()):  # checkpoints of old versions kept running stats of the norms
            if re.search(r"in\d+\.running_(mean|var)$", k):
                del state_dict[k]
        style_model = TransformerNet(args.width)
        style_model.load_state_dict(state_dict)
    style_model.eval()
    with torch.no_grad():
        output = style_model(images[:2]).cpu().clamp(0, 255)
        features = loss_net(normalize_batch(output.clone()))
        style_error = sum(mse_loss(gram_matrix(f), g[:2]).item() for f, g in zip(features, gram_style))
    print(f"stylized {tuple(output.shape)} images: mean {output.mean().item():.4f}, "
          f"style error {args.style_weight * style_error:.6f}")


if __name__ == "__main__":
    main()
