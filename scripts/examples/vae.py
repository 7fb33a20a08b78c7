"""A variational autoencoder on tiny synthetic binary images, written as a PyTorch user writes one.

The encoder maps an 8x8 image to the mean and log-variance of a Gaussian over a small latent space, the
decoder maps a latent sample back to pixel probabilities, and the loss is the reconstruction's binary
cross entropy plus the KL divergence of the posterior from N(0, I) (Kingma and Welling, 2014).

Only the imports differ from the PyTorch program (tests/examples/test_vae.py runs both). So that both
frameworks compute the same numbers, the data, the initial weights and the reparameterisation noise come
from numpy with fixed seeds, not from either framework's generator.

    python scripts/examples/vae.py --epochs 3 --latent 4
"""
import argparse

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F


def make_images(n, side, seed):
    """n binary side x side images, each a random horizontal or vertical bar pattern with a few flipped
    pixels, flattened to rows of side * side floats."""
    rng = np.random.default_rng(seed)
    lines = rng.random((n, side)) < 0.4  # which rows (or columns) of each image are lit
    horizontal = rng.random(n) < 0.5
    images = np.where(horizontal[:, None, None], lines[:, :, None], lines[:, None, :]).astype(np.float32)
    flips = rng.random(images.shape) < 0.03
    images = np.where(flips, 1.0 - images, images).astype(np.float32)
    return images.reshape(n, side * side)


class VAE(nn.Module):
    def __init__(self, image_size, hidden, latent):
        super().__init__()
        self.fc1 = nn.Linear(image_size, hidden)
        self.fc_mu = nn.Linear(hidden, latent)
        self.fc_logvar = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, image_size)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc_mu(h), self.fc_logvar(h)

    def reparameterize(self, mu, logvar, noise):
        std = torch.exp(0.5 * logvar)
        return mu + noise * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x, noise):
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar, noise)), mu, logvar


def loss_function(recon, x, mu, logvar):
    """Reconstruction BCE plus KL(q(z|x) || N(0, I)), both summed over the batch."""
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def reset_parameters_from_numpy(model, seed):
    """Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights from numpy: makes both frameworks start equal."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in model.parameters():
            bound = 1.0 / np.sqrt(p.shape[-1])
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


def main():
    parser = argparse.ArgumentParser(description="a VAE on synthetic 8x8 bar images")
    parser.add_argument("--side", type=int, default=8)
    parser.add_argument("--samples", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--latent", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = torch.from_numpy(make_images(args.samples, args.side, args.seed))
    model = VAE(args.side * args.side, args.hidden, args.latent)
    reset_parameters_from_numpy(model, args.seed + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    noise_rng = np.random.default_rng(args.seed + 2)  # the reparameterisation noise, the same in both frameworks

    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for start in range(0, len(data), args.batch_size):
            x = data[start:start + args.batch_size]
            noise = torch.from_numpy(noise_rng.standard_normal((len(x), args.latent)).astype(np.float32))
            optimizer.zero_grad()
            recon, mu, logvar = model(x, noise)
            loss = loss_function(recon, x, mu, logvar)
            loss.backward()
            optimizer.step()
            total += loss.item()
            print(f"epoch {epoch} step {start // args.batch_size} loss {loss.item() / len(x):.6f}")
        print(f"epoch {epoch} mean per image {total / len(data):.4f}")

    model.eval()
    with torch.no_grad():
        mu, logvar = model.encode(data)
        recon = model.decode(mu)
        errors = ((recon > 0.5).float() != data).float().mean().item()
    print(f"reconstruction pixel error rate {errors:.4f}")


if __name__ == "__main__":
    main()
