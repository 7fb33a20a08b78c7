"""WGAN-GP on a toy distribution (eight Gaussians on a ring), written as a PyTorch user writes it: the critic's
gradient penalty is the norm of its input gradient at points between real and fake samples, taken with
`torch.autograd.grad(..., create_graph=True)` so that the critic's parameters are trained through it
(Gulrajani et al., 2017).

    python scripts/examples/wgan_gp.py --iters 20
"""
import argparse
import math

import numpy as np

import ddp as torch
import ddp.nn as nn


def mlp(d_in, hidden, d_out):
    return nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, d_out))


def reset_parameters_from_numpy(model, rng):
    """Both frameworks start from the same weights: every parameter drawn once from numpy."""
    with torch.no_grad():
        for p in model.parameters():
            bound = 1 / math.sqrt(p.shape[-1]) if p.dim() > 1 else 0.05
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


def eight_gaussians(rng, n):
    angles = rng.integers(0, 8, n) * (2 * math.pi / 8)
    centres = np.stack([np.cos(angles), np.sin(angles)], axis=1) * 2
    return torch.from_numpy((centres + 0.05 * rng.standard_normal((n, 2))).astype(np.float32))


def gradient_penalty(critic, real, fake, alpha):
    """E[(|grad_x D(x)| - 1)^2] at x = alpha * real + (1 - alpha) * fake, differentiable in D's parameters."""
    between = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(between)
    (grads,) = torch.autograd.grad(scores, between, grad_outputs=torch.ones_like(scores), create_graph=True,
                                   retain_graph=True)
    return ((grads.norm(2, dim=1) - 1) ** 2).mean()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--critic-steps", type=int, default=5)
    parser.add_argument("--penalty", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    generator, critic = mlp(2, 64, 2), mlp(2, 64, 1)
    reset_parameters_from_numpy(generator, rng)
    reset_parameters_from_numpy(critic, rng)
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.9))
    opt_d = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))

    def noise():
        return torch.from_numpy(rng.standard_normal((args.batch_size, 2)).astype(np.float32))

    for it in range(args.iters):
        for _ in range(args.critic_steps):
            real = eight_gaussians(rng, args.batch_size)
            with torch.no_grad():
                fake = generator(noise())
            alpha = torch.from_numpy(rng.random((args.batch_size, 1)).astype(np.float32))
            opt_d.zero_grad()
            wasserstein = critic(fake).mean() - critic(real).mean()
            penalty = gradient_penalty(critic, real, fake, alpha)
            (wasserstein + args.penalty * penalty).backward()
            opt_d.step()
        opt_g.zero_grad()
        g_loss = -critic(generator(noise())).mean()
        g_loss.backward()
        opt_g.step()
        print(f"[{it}] critic loss {wasserstein.item():.6f} penalty {penalty.item():.6f} generator loss "
              f"{g_loss.item():.6f}")


if __name__ == "__main__":
    main()
