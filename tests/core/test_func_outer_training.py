"""Training through ddp.func transforms: a physics-informed loss with vmap(jacrev) and hessian, a MAML
step with grad and functional_call, and a penalty on per-sample gradients, each backpropagated to the
network's parameters; against PyTorch where installed and central differences everywhere."""
import importlib
import math

import numpy as np
import pytest

import ddp


def _net(lib, sizes, seed):
    """An MLP with tanh between layers, in float64, its weights drawn by numpy (the same for both libraries)."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(lib.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(lib.nn.Tanh())
    model = lib.nn.Sequential(*layers).double()
    rng = np.random.default_rng(seed)
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.from_numpy(rng.uniform(-1, 1, tuple(p.shape))))
    return model


def _pinn_loss(lib, model):
    """u'' = -pi^2 sin(pi x) on (0, 1) with u(0) = u(1) = 0, plus a small penalty on u'."""
    func = importlib.import_module(lib.__name__ + ".func")
    xs = lib.from_numpy(np.linspace(0.1, 0.9, 5).reshape(5, 1))
    ends = lib.from_numpy(np.array([[0.0], [1.0]]))

    def u(x):
        return model(x).squeeze(0)

    u_x = func.vmap(func.jacrev(u))(xs)
    u_xx = func.vmap(func.hessian(u))(xs).reshape(5, 1)
    residual = u_xx + math.pi ** 2 * (math.pi * xs).sin()
    return (residual ** 2).mean() + (model(ends) ** 2).mean() + 0.1 * (u_x ** 2).mean()


def _maml_loss(lib, model):
    """One inner SGD step by grad of the support loss, the query loss after it (second order)."""
    func = importlib.import_module(lib.__name__ + ".func")
    nnf = importlib.import_module(lib.__name__ + ".nn.functional")
    rng = np.random.default_rng(11)
    xs, ys, xq, yq = (lib.from_numpy(rng.standard_normal(s)) for s in ((6, 3), (6, 1), (4, 3), (4, 1)))

    def support(params):
        return nnf.mse_loss(func.functional_call(model, params, (xs,)), ys)

    params = dict(model.named_parameters())
    grads = func.grad(support)(params)
    fast = {k: params[k] - 0.1 * grads[k] for k in params}
    return nnf.mse_loss(func.functional_call(model, fast, (xq,)), yq)


def _penalty_loss(lib, model):
    """The squared norm of per-sample gradients, vmap(grad) over a batch, parameters not detached."""
    func = importlib.import_module(lib.__name__ + ".func")
    rng = np.random.default_rng(12)
    x, y = lib.from_numpy(rng.standard_normal((4, 3))), lib.from_numpy(rng.standard_normal((4, 1)))

    def loss(params, xi, yi):
        return ((func.functional_call(model, params, (xi.unsqueeze(0),)) - yi) ** 2).sum()

    per_sample = func.vmap(func.grad(loss), in_dims=(None, 0, 0))(dict(model.named_parameters()), x, y)
    return sum((g ** 2).sum() for g in per_sample.values())


LOSSES = {"pinn": (_pinn_loss, (1, 6, 1)), "maml": (_maml_loss, (3, 4, 1)), "penalty": (_penalty_loss, (3, 4, 1))}


def _train(lib, name, steps=3):
    """Losses and final parameters after `steps` SGD steps on the loss `name`."""
    loss_fn, sizes = LOSSES[name]
    model = _net(lib, sizes, seed=5)
    opt = lib.optim.SGD(model.parameters(), lr=0.05)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(lib, model)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_training_through_transforms_matches_torch(name):
    torch = pytest.importorskip("torch")
    mine, theirs = _train(ddp, name), _train(torch, name)
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-10)
    for got, want in zip(mine[1], theirs[1]):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_parameter_gradients_match_central_differences(name):
    loss_fn, sizes = LOSSES[name]
    model = _net(ddp, sizes, seed=5)
    loss = loss_fn(ddp, model)
    loss.backward()
    for p in model.parameters():
        got = p.grad.numpy().copy()
        numeric = np.zeros(tuple(p.shape))
        for idx in np.ndindex(*p.shape):
            with ddp.no_grad():
                p[idx] += 1e-6
            plus = loss_fn(ddp, model).item()
            with ddp.no_grad():
                p[idx] -= 2e-6
            minus = loss_fn(ddp, model).item()
            with ddp.no_grad():
                p[idx] += 1e-6
            numeric[idx] = (plus - minus) / 2e-6
        np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-7)


def test_pinn_training_lowers_the_loss():
    losses, _ = _train(ddp, "pinn", steps=3)
    assert losses[2] < losses[1] < losses[0]
