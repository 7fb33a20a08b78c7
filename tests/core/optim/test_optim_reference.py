"""The added optimizers against update rules written here in numpy (float64), step by step; runs without torch."""
import numpy as np
import pytest

import ddp
from ddp.core.tensor import Tensor

SHAPES = [(3, 4), (5,), ()]
STEPS = 25


def _f32(x):
    """A scalar rounded to float32: the rule keeps these scalars (NAdam's mu product, ASGD's eta, mu) so."""
    return float(np.float32(x))


def ref_adadelta(p, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    v, u = np.zeros_like(p), np.zeros_like(p)
    for g in grads:
        d = (-g if maximize else g) + weight_decay * p
        v = rho * v + (1 - rho) * d * d
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * d
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta
        yield p


def ref_adamax(p, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
    (b1, b2), m, u = betas, np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        d = (-g if maximize else g) + weight_decay * p
        m = b1 * m + (1 - b1) * d
        u = np.maximum(b2 * u, np.abs(d) + eps)
        p = p - lr / (1 - b1**t) * m / u
        yield p


def ref_nadam(p, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
              decoupled_weight_decay=False, maximize=False):
    (b1, b2), m, v, product = betas, np.zeros_like(p), np.zeros_like(p), 1.0
    for t, g in enumerate(grads, start=1):
        d = -g if maximize else g
        if decoupled_weight_decay:
            p = p * (1 - lr * weight_decay)
        else:
            d = d + weight_decay * p
        mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        product = _f32(np.float32(product) * np.float32(mu))
        m = b1 * m + (1 - b1) * d
        v = b2 * v + (1 - b2) * d * d
        denom = np.sqrt(v / (1 - b2**t)) + eps
        p = p - lr * (1 - mu) / (1 - product) * d / denom - lr * mu_next / (1 - product * mu_next) * m / denom
        yield p


def ref_radam(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False,
              maximize=False):
    (b1, b2), m, v = betas, np.zeros_like(p), np.zeros_like(p)
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(grads, start=1):
        d = -g if maximize else g
        if decoupled_weight_decay:
            p = p * (1 - lr * weight_decay)
        else:
            d = d + weight_decay * p
        m = b1 * m + (1 - b1) * d
        v = b2 * v + (1 - b2) * d * d
        m_hat = m / (1 - b1**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            rect = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            p = p - lr * m_hat * rect * np.sqrt(1 - b2**t) / (np.sqrt(v) + eps)
        else:
            p = p - lr * m_hat
        yield p


def ref_asgd(p, grads, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, maximize=False):
    eta, mu, ax = _f32(lr), 1.0, np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        d = (-g if maximize else g) + weight_decay * p
        p = p * (1 - lambd * eta) - eta * d
        ax = ax + mu * (p - ax)
        eta = _f32(lr / (1 + lambd * lr * t) ** alpha)
        mu = _f32(1 / max(1, t - t0))
        yield p, ax


def ref_rprop(p, grads, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
    prev, size = np.zeros_like(p), np.full_like(p, lr)
    for g in grads:
        d = -g if maximize else g
        same = d * prev
        size = np.clip(size * np.where(same > 0, etas[1], np.where(same < 0, etas[0], 1.0)), *step_sizes)
        d = np.where(same < 0, 0.0, d)
        p = p - np.sign(d) * size
        prev = d
        yield p


CASES = [
    ("Adadelta", ref_adadelta, dict()),
    ("Adadelta", ref_adadelta, dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("Adamax", ref_adamax, dict()),
    ("Adamax", ref_adamax, dict(lr=0.01, betas=(0.3, 0.9), eps=1e-3, weight_decay=0.1, maximize=True)),
    ("NAdam", ref_nadam, dict()),
    ("NAdam", ref_nadam, dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", ref_nadam, dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", ref_radam, dict()),  # rho_t passes 5 at step 6: both branches are taken
    ("RAdam", ref_radam, dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1)),
    ("RAdam", ref_radam, dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("ASGD", ref_asgd, dict(lr=0.1, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1)),
    ("ASGD", ref_asgd, dict(t0=3, maximize=True)),
    ("Rprop", ref_rprop, dict()),
    ("Rprop", ref_rprop, dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.5), maximize=True)),
]


def _problem(dtype, seed=0):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(STEPS)]
    # every few steps a gradient repeats the last one's signs, so Rprop grows as well as shrinks its steps
    for k in range(2, STEPS, 3):
        grads[k] = [np.abs(g) * np.sign(h) for g, h in zip(grads[k], grads[k - 1])]
    return [a.astype(dtype) for a in start], [[g.astype(dtype) for g in gs] for gs in grads]


def _run_ddp(name, kwargs, start, grads):
    params = [Tensor(a.copy(), requires_grad=True) for a in start]
    opt = getattr(ddp.optim, name)(params, **kwargs)
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = Tensor(g.copy())
        opt.step()
        yield [p.numpy().copy() for p in params], opt, params


@pytest.mark.parametrize("name,ref,kwargs", CASES, ids=[f"{n}-{k}" for n, _, k in CASES])
def test_float64_steps_follow_the_numpy_rule(name, ref, kwargs):
    start, grads = _problem(np.float64)
    refs = [list(ref(a, [gs[i] for gs in grads], **kwargs)) for i, a in enumerate(start)]
    for step, (got, opt, params) in enumerate(_run_ddp(name, kwargs, start, grads)):
        for i, array in enumerate(got):
            expected = refs[i][step][0] if name == "ASGD" else refs[i][step]
            np.testing.assert_allclose(array, expected, rtol=1e-10, atol=1e-12, err_msg=f"{name} step {step}")
    if name == "ASGD":  # the averaged iterate is the state's "ax"
        for i, p in enumerate(params):
            np.testing.assert_allclose(opt.state[p]["ax"].numpy(), refs[i][-1][1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,ref,kwargs", CASES[::2], ids=[f"{n}-{k}" for n, _, k in CASES[::2]])
def test_float32_steps_stay_float32_and_near_the_rule(name, ref, kwargs):
    start, grads = _problem(np.float32, seed=1)
    refs = [list(ref(a.astype(np.float64), [gs[i].astype(np.float64) for gs in grads], **kwargs))
            for i, a in enumerate(start)]
    for got, _, params in _run_ddp(name, kwargs, start, grads):
        pass
    for i, p in enumerate(params):
        assert p.dtype == np.float32 and p.numpy().dtype == np.float32
        expected = refs[i][-1][0] if name == "ASGD" else refs[i][-1]
        np.testing.assert_allclose(got[i], expected, rtol=1e-4, atol=1e-5)


def test_radam_is_momentum_sgd_until_the_variance_is_tractable():
    # with beta2 = 0.999, rho_t <= 5 for the first 5 steps: p moves by lr * m_hat, which for a constant
    # gradient g is lr * g exactly
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = ddp.optim.RAdam([p], lr=0.1)
    for step in range(5):
        p.grad = Tensor(np.array([0.5, -1.0]))
        opt.step()
        np.testing.assert_allclose(p.numpy(), [1.0 - 0.05 * (step + 1), -2.0 + 0.1 * (step + 1)], rtol=1e-12)


def test_rprop_moves_by_the_step_size_only():
    p = Tensor(np.array([0.0, 0.0, 0.0]), requires_grad=True)
    opt = ddp.optim.Rprop([p], lr=0.1, etas=(0.5, 2.0), step_sizes=(0.01, 0.3))
    for g in ([1e-3, -5.0, 1.0], [2.0, -1e-3, -1.0], [1.0, -1.0, 1.0]):
        p.grad = Tensor(np.array(g))
        opt.step()
    # same signs twice: 0.1 -> 0.2 -> 0.3 (clipped); flip on step 2 (no move), then 0.05 from a zero
    np.testing.assert_allclose(p.numpy(), [-0.1 - 0.2 - 0.3, 0.1 + 0.2 + 0.3, -0.1 + 0.0 - 0.05], rtol=1e-12)
