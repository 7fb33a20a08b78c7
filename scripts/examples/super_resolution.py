"""Single-image super-resolution with a sub-pixel convolution network (Shi et al., 2016), on synthetic images.

A high-resolution image is shrunk by `--upscale` (box averaging, `mode="area"`); the network sees only the
small image, computes `upscale**2` feature maps at its resolution and rearranges them into one image
`upscale` times larger with `nn.PixelShuffle`. The weights start orthogonal, scaled by the gain of the
ReLU that follows them. Training minimises the mean squared error; the test reports the peak
signal-to-noise ratio, beside that of plain bicubic upsampling (`F.interpolate(mode="bicubic")`).

Only the imports differ from the PyTorch program (tests/examples/test_super_resolution.py runs both). The
images and the initial weights come from numpy with fixed seeds, so both frameworks compute the same
numbers: the orthogonal init is redone from numpy after `nn.init.orthogonal_` (whose draws each framework
makes from its own generator) has been checked.

    python scripts/examples/super_resolution.py --epochs 30 --upscale 3
"""
import argparse
import math
import os
import tempfile

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.nn.init as init
import ddp.optim as optim
from ddp.utils.data import DataLoader, TensorDataset


def make_images(n, side, seed):
    """n smooth grey images of side x side pixels in [0, 1]: a few random plane waves plus Gaussian blobs."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:side, 0:side] / side
    images = np.zeros((n, side, side))
    for _ in range(3):
        freq = rng.uniform(0.5, 3.0, (n, 2, 1, 1))
        phase = rng.uniform(0, 2 * np.pi, (n, 1, 1))
        images += 0.3 * np.sin(2 * np.pi * (freq[:, 0] * x + freq[:, 1] * y) + phase)
    for _ in range(2):
        centre = rng.uniform(0.1, 0.9, (n, 2, 1, 1))
        width = rng.uniform(0.05, 0.2, (n, 1, 1))
        images += np.exp(-((x - centre[:, 0]) ** 2 + (y - centre[:, 1]) ** 2) / (2 * width**2))
    low, high = images.min(axis=(1, 2), keepdims=True), images.max(axis=(1, 2), keepdims=True)
    return ((images - low) / (high - low))[:, None].astype(np.float32)  # (n, 1, side, side)


class Net(nn.Module):
    def __init__(self, upscale_factor, width=32):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, width, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(width, width, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(width, width // 2, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(width // 2, upscale_factor**2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        return self.pixel_shuffle(self.conv4(x))

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv2.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv3.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv4.weight)

    def convs(self):
        return [self.conv1, self.conv2, self.conv3, self.conv4]


def orthogonality_error(weight, gain):
    """max |W W^T / gain^2 - I| over the rows of the weight flattened to (out_channels, -1) (or its columns,
    when there are more rows than columns)."""
    w = weight.detach().reshape(weight.size(0), -1) / gain
    gram = w @ w.t() if w.size(0) <= w.size(1) else w.t() @ w
    return (gram - torch.eye(gram.size(0))).abs().max().item()


def reset_parameters_from_numpy(model, seed):
    """The same orthogonal init as `_initialize_weights`, drawn by numpy (biases uniform in +-1/sqrt(fan_in)),
    so that both frameworks start from equal weights."""
    rng = np.random.default_rng(seed)
    gains = [init.calculate_gain("relu")] * 3 + [1.0]
    with torch.no_grad():
        for conv, gain in zip(model.convs(), gains):
            rows = conv.weight.size(0)
            cols = conv.weight.numel() // rows
            flat = rng.standard_normal((max(rows, cols), min(rows, cols)))
            q, r = np.linalg.qr(flat)
            q = q * np.sign(np.diag(r))
            q = q.T if rows < cols else q
            conv.weight.copy_(torch.from_numpy((gain * q).reshape(tuple(conv.weight.shape)).astype(np.float32)))
            bound = 1.0 / math.sqrt(cols)
            conv.bias.copy_(torch.from_numpy(rng.uniform(-bound, bound, rows).astype(np.float32)))


def psnr(prediction, target):
    """Peak signal-to-noise ratio in dB of images in [0, 1]."""
    return 10 * math.log10(1 / F.mse_loss(prediction, target).item())


def evaluate(model, loader):
    total, bicubic = 0.0, 0.0
    with torch.no_grad():
        for small, target in loader:
            total += psnr(model(small), target)
            scale = target.size(-1) / small.size(-1)
            guess = F.interpolate(small, scale_factor=scale, mode="bicubic", align_corners=False).clamp(0, 1)
            bicubic += psnr(guess, target)
    return total / len(loader), bicubic / len(loader)


def main():
    parser = argparse.ArgumentParser(description="sub-pixel convolution super-resolution on synthetic images")
    parser.add_argument("--upscale", type=int, default=3)
    parser.add_argument("--side", type=int, default=24, help="side of the high-resolution images")
    parser.add_argument("--train-images", type=int, default=96)
    parser.add_argument("--test-images", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=123)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    def dataset(n, seed):
        target = torch.from_numpy(make_images(n, args.side, seed))
        small = F.interpolate(target, scale_factor=1 / args.upscale, mode="area")
        return TensorDataset(small, target)

    train_loader = DataLoader(dataset(args.train_images, args.seed), batch_size=args.batch_size, shuffle=False)
    test_loader = DataLoader(dataset(args.test_images, args.seed + 1), batch_size=args.batch_size)

    model = Net(args.upscale, args.width)
    gains = [init.calculate_gain("relu")] * 3 + [1.0]
    worst = max(orthogonality_error(c.weight, g) for c, g in zip(model.convs(), gains))
    print(f"orthogonal init: largest deviation of W W^T / gain^2 from I {worst:.2e}")
    reset_parameters_from_numpy(model, args.seed + 2)
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(1, args.epochs + 1):
        model.train()
        epoch_loss = 0.0
        for iteration, (small, target) in enumerate(train_loader, 1):
            optimizer.zero_grad()
            loss = criterion(model(small), target)
            epoch_loss += loss.item()
            loss.backward()
            optimizer.step()
            print(f"epoch {epoch} ({iteration}/{len(train_loader)}) loss {loss.item():.8f}")
        print(f"epoch {epoch} average loss {epoch_loss / len(train_loader):.8f}")
        model.eval()
        net_psnr, bicubic_psnr = evaluate(model, test_loader)
        print(f"epoch {epoch} test PSNR {net_psnr:.4f} dB (bicubic upsampling {bicubic_psnr:.4f} dB)")

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pth")
        torch.save(model.state_dict(), path)
        restored = Net(args.upscale, args.width)
        restored.load_state_dict(torch.load(path))
    restored.eval()
    print(f"restored checkpoint: test PSNR {evaluate(restored, test_loader)[0]:.4f} dB")


if __name__ == "__main__":
    main()
