"""SGD, Adam, AdamW, RMSprop and Adagrad against their update rules written here in numpy, over many steps
of changing gradients (float64, to 1e-10), with every option; runs without torch. This is the independent
reference for the N-ranks-equal-one-process tests, which compare ddp's optimizers with themselves."""
import numpy as np
import pytest

import ddp
from ddp.core.tensor import Tensor

SHAPES = [(3, 4), (5,), (), (200, 200)]  # the last is large enough for BLAS axpy (blas.py)
STEPS = 20


def _direction(g, p, weight_decay, maximize):
    return (-g if maximize else g) + weight_decay * p


def ref_sgd(p, grads, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, maximize=False):
    buf = None
    for g in grads:
        d = _direction(g, p, weight_decay, maximize)
        if momentum:
            buf = d if buf is None else momentum * buf + (1 - dampening) * d
            d = d + momentum * buf if nesterov else buf
        p = p - lr * d
        yield p


def ref_adam(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False,
             decoupled=False):
    (b1, b2), m, v, v_max = betas, 0.0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        if decoupled:  # AdamW: shrink the weights, then an Adam step without weight decay
            p = p * (1 - lr * weight_decay)
            d = _direction(g, p, 0.0, maximize)
        else:
            d = _direction(g, p, weight_decay, maximize)
        m = b1 * m + (1 - b1) * d
        v = b2 * v + (1 - b2) * d * d
        v_max = np.maximum(v_max, v)
        second = v_max if amsgrad else v
        p = p - lr / (1 - b1**t) * m / (np.sqrt(second) / np.sqrt(1 - b2**t) + eps)
        yield p


def ref_rmsprop(p, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                maximize=False):
    v, mean, buf = 0.0, 0.0, 0.0
    for g in grads:
        d = _direction(g, p, weight_decay, maximize)
        v = alpha * v + (1 - alpha) * d * d
        mean = alpha * mean + (1 - alpha) * d
        scale = np.sqrt(v - mean * mean if centered else v) + eps
        if momentum:
            buf = momentum * buf + d / scale
            p = p - lr * buf
        else:
            p = p - lr * d / scale
        yield p


def ref_adagrad(p, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                maximize=False):
    total = initial_accumulator_value
    for t, g in enumerate(grads, start=1):
        d = _direction(g, p, weight_decay, maximize)
        total = total + d * d
        p = p - lr / (1 + (t - 1) * lr_decay) * d / (np.sqrt(total) + eps)
        yield p


def ref_adamw(p, grads, weight_decay=1e-2, **kwargs):
    return ref_adam(p, grads, weight_decay=weight_decay, decoupled=True, **kwargs)


CASES = [
    ("SGD", ref_sgd, dict(lr=0.1)),
    ("SGD", ref_sgd, dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", ref_sgd, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01, maximize=True)),
    ("Adam", ref_adam, dict()),
    ("Adam", ref_adam, dict(lr=0.01, betas=(0.8, 0.95), eps=1e-4, weight_decay=0.1)),
    ("Adam", ref_adam, dict(lr=0.01, amsgrad=True, maximize=True)),
    ("AdamW", ref_adamw, dict()),
    ("AdamW", ref_adamw, dict(lr=0.01, betas=(0.7, 0.9), weight_decay=0.2, amsgrad=True)),
    ("RMSprop", ref_rmsprop, dict()),
    ("RMSprop", ref_rmsprop, dict(lr=0.01, alpha=0.9, eps=1e-4, weight_decay=0.1, momentum=0.5, centered=True)),
    ("RMSprop", ref_rmsprop, dict(lr=0.005, momentum=0.9, maximize=True)),
    ("Adagrad", ref_adagrad, dict()),
    ("Adagrad", ref_adagrad, dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.3,
                                  eps=1e-6, maximize=True)),
    ("SGD", ref_sgd, dict(lr=0.05, momentum=0.8, nesterov=True)),
]
IDS = [f"{n}-{k}" for n, _, k in CASES]


def _problem(dtype, seed=0):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(STEPS)]
    return [a.astype(dtype) for a in start], [[g.astype(dtype) for g in gs] for gs in grads]


def _run_ddp(name, kwargs, start, grads):
    """ddp's optimizer over the same gradients; yields every parameter after each step."""
    params = [Tensor(a.copy(), requires_grad=True) for a in start]
    opt = getattr(ddp.optim, name)(params, **kwargs)
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = Tensor(g.copy())
        opt.step()
        yield [p.numpy().copy() for p in params]


@pytest.mark.parametrize("name,ref,kwargs", CASES, ids=IDS)
def test_float64_steps_follow_the_numpy_rule(name, ref, kwargs):
    start, grads = _problem(np.float64)
    refs = [list(ref(a, [gs[i] for gs in grads], **kwargs)) for i, a in enumerate(start)]
    for step, got in enumerate(_run_ddp(name, kwargs, start, grads)):
        for i, array in enumerate(got):
            np.testing.assert_allclose(array, refs[i][step], rtol=1e-10, atol=1e-12, err_msg=f"{name} step {step}")


@pytest.mark.parametrize("name,ref,kwargs", CASES, ids=IDS)
def test_float32_steps_stay_float32_and_near_the_rule(name, ref, kwargs):
    start, grads = _problem(np.float32, seed=1)
    refs = [list(ref(a.astype(np.float64), [gs[i].astype(np.float64) for gs in grads], **kwargs))
            for i, a in enumerate(start)]
    *_, got = _run_ddp(name, kwargs, start, grads)
    for i, array in enumerate(got):
        assert array.dtype == np.float32
        np.testing.assert_allclose(array, refs[i][-1], rtol=1e-4, atol=1e-5, err_msg=name)
