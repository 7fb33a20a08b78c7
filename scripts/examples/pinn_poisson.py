"""A physics-informed network for the 1-D Poisson problem u''(x) = -pi^2 sin(pi x) on (0, 1), u(0) = u(1) = 0,
written as a PyTorch user writes it: the loss holds the equation's residual, whose second derivative in x
comes from two `torch.autograd.grad(..., create_graph=True)` calls, so that training differentiates through
them (Raissi et al., 2019). The exact solution is sin(pi x).

    python scripts/examples/pinn_poisson.py --steps 200
"""
import argparse
import math

import numpy as np

import ddp as torch
import ddp.nn as nn


class Field(nn.Module):
    """u(x): a small tanh MLP (smooth, so its second derivative is informative)."""

    def __init__(self, hidden=32):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)


def reset_parameters_from_numpy(model, seed):
    """Both frameworks start from the same weights: every parameter drawn once from numpy."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in model.parameters():
            bound = math.sqrt(6 / sum(p.shape)) if p.dim() > 1 else 0.0
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


def second_derivative(u, x):
    """d2u/dx2 for a batch of scalar points, kept in the graph (create_graph) so the loss can be trained."""
    (du,) = torch.autograd.grad(u, x, grad_outputs=torch.ones_like(u), create_graph=True)
    (d2u,) = torch.autograd.grad(du, x, grad_outputs=torch.ones_like(du), create_graph=True)
    return d2u


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--points", type=int, default=64)
    parser.add_argument("--log-every", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    model = Field()
    reset_parameters_from_numpy(model, args.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    inside = torch.linspace(0, 1, args.points + 2)[1:-1].reshape(-1, 1)
    ends = torch.tensor([[0.0], [1.0]])
    source = -(math.pi ** 2) * torch.sin(math.pi * inside)
    for step in range(args.steps):
        x = inside.clone().requires_grad_(True)
        residual = second_derivative(model(x), x) - source
        loss = (residual ** 2).mean() + 10 * (model(ends) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % args.log_every == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.6f}")
    with torch.no_grad():
        error = (model(inside) - torch.sin(math.pi * inside)).abs().max().item()
    print(f"max error against sin(pi x): {error:.4f}")


if __name__ == "__main__":
    main()
