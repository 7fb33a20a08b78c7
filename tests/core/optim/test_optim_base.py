"""Optimizers without torch: hand-computed updates, groups, zero_grad, state dicts, errors, allocations."""
import copy
import tracemalloc

import numpy as np
import pytest

import ddp
from ddp.core.tensor import Tensor
from ddp.optim import SGD, Adagrad, Adam, AdamW, RMSprop

P0 = np.array([1.0, -2.0, 0.5], np.float32)
G = np.array([0.5, -1.0, 2.0], np.float32)


def _param(values=P0, grad=G):
    p = Tensor(np.array(values, np.float32), requires_grad=True)
    p.grad = None if grad is None else Tensor(np.array(grad, np.float32))
    return p


def _run(opt_cls, steps=1, **kwargs):
    p = _param()
    opt = opt_cls([p], **kwargs)
    for _ in range(steps):
        opt.step()
    return p.numpy()


# ------------------------------------------------------------------------------- hand-computed updates
def test_sgd_momentum_first_buffer_is_the_gradient():
    # buf1 = g (no dampening on the first step), buf2 = 0.9 g + (1 - 0.5) g = 1.4 g: p = p0 - 0.1 * 2.4 g
    got = _run(SGD, steps=2, lr=0.1, momentum=0.9, dampening=0.5)
    np.testing.assert_allclose(got, P0 - 0.1 * 2.4 * G, rtol=1e-6)


def test_sgd_nesterov_and_weight_decay():
    p, d = P0.astype(np.float64), None
    d = G + 0.1 * p                       # step 1: buf = d, step = d + 0.9 buf
    p = p - 0.1 * (d + 0.9 * d)
    buf = d
    d = G + 0.1 * p                       # step 2: buf = 0.9 buf + d
    buf = 0.9 * buf + d
    p = p - 0.1 * (d + 0.9 * buf)
    got = _run(SGD, steps=2, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)
    np.testing.assert_allclose(got, p, rtol=1e-6)


def test_adam_first_step_is_lr_times_sign_with_eps_outside_the_root():
    # m_hat = g and v_hat = g^2 after one step, so p -= lr * g / (|g| + eps)
    got = _run(Adam, lr=0.1, eps=0.5)
    np.testing.assert_allclose(got, P0 - 0.1 * G / (np.abs(G) + 0.5), rtol=1e-6)


def test_adam_two_steps_reference():
    b1, b2, lr, eps, wd = 0.8, 0.9, 0.01, 1e-3, 0.1
    p, m, v = P0.astype(np.float64), 0.0, 0.0
    for t in (1, 2):
        d = G + wd * p
        m = b1 * m + (1 - b1) * d
        v = b2 * v + (1 - b2) * d * d
        p = p - lr / (1 - b1**t) * m / (np.sqrt(v) / np.sqrt(1 - b2**t) + eps)
    got = _run(Adam, steps=2, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    np.testing.assert_allclose(got, p, rtol=1e-6)


def test_adamw_decays_the_weights_directly():
    got = _run(AdamW, lr=0.1, eps=0.5, weight_decay=0.2)
    np.testing.assert_allclose(got, P0 * (1 - 0.1 * 0.2) - 0.1 * G / (np.abs(G) + 0.5), rtol=1e-6)
    assert AdamW([_param()]).defaults["weight_decay"] == 0.01


def test_amsgrad_keeps_the_largest_second_moment():
    p = _param()
    opt = Adam([p], betas=(0.9, 0.5), amsgrad=True)
    opt.step()
    p.grad = Tensor(np.zeros(3, np.float32))
    opt.step()
    state = opt.state[p]
    np.testing.assert_array_equal(state["max_exp_avg_sq"].numpy(), (0.5 * G * G).astype(np.float32))
    np.testing.assert_allclose(state["exp_avg_sq"].numpy(), 0.25 * G * G, rtol=1e-6)


def test_rmsprop_reference():
    lr, alpha, eps, mom = 0.01, 0.9, 1e-4, 0.5
    p, v, g_avg, buf = P0.astype(np.float64), 0.0, 0.0, 0.0
    for _ in range(2):
        v = alpha * v + (1 - alpha) * G * G
        g_avg = alpha * g_avg + (1 - alpha) * G
        buf = mom * buf + G / (np.sqrt(v - g_avg**2) + eps)
        p = p - lr * buf
    got = _run(RMSprop, steps=2, lr=lr, alpha=alpha, eps=eps, momentum=mom, centered=True)
    np.testing.assert_allclose(got, p, rtol=1e-5)


def test_adagrad_reference():
    lr, decay, init, eps = 0.1, 0.5, 0.25, 1e-3
    p, total = P0.astype(np.float64), init
    for t in (1, 2):
        total = total + G * G
        p = p - lr / (1 + (t - 1) * decay) * G / (np.sqrt(total) + eps)
    got = _run(Adagrad, steps=2, lr=lr, lr_decay=decay, initial_accumulator_value=init, eps=eps)
    np.testing.assert_allclose(got, p, rtol=1e-6)


@pytest.mark.parametrize("opt_cls", [SGD, Adam, RMSprop, Adagrad])
def test_maximize_ascends(opt_cls):
    down, up = _run(opt_cls, lr=0.1), _run(opt_cls, lr=0.1, maximize=True)
    np.testing.assert_allclose(up - P0.astype(np.float64), P0 - down.astype(np.float64), atol=1e-6)
    assert np.all((up - P0) * G > 0)


# --------------------------------------------------------------------------------- step mechanics
ALL = [(SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.1)), (Adam, dict(weight_decay=0.1, amsgrad=True)),
       (AdamW, dict()), (RMSprop, dict(centered=True, momentum=0.9, weight_decay=0.1)),
       (Adagrad, dict(weight_decay=0.1, maximize=True))]


@pytest.mark.parametrize("opt_cls,kwargs", ALL)
def test_step_is_in_place_float32_and_leaves_the_gradient_alone(opt_cls, kwargs):
    p = _param()
    array, grad = p.numpy(), p.grad
    opt = opt_cls([p], **kwargs)
    for i in range(3):
        opt.step()
        assert p.numpy() is array and array.dtype == np.float32 and p._version == i + 1
        assert p.grad is grad and not grad.requires_grad
        np.testing.assert_array_equal(grad.numpy(), G)
        assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, Tensor))


@pytest.mark.parametrize("opt_cls,kwargs", ALL)
def test_steps_allocate_no_parameter_sized_arrays(opt_cls, kwargs):
    n = 200_000
    p = _param(np.ones(n), np.full(n, 0.1))
    opt = opt_cls([p], **kwargs)
    opt.step()  # creates the state and the scratch buffers
    tracemalloc.start()
    opt.step()
    opt.step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < n * 4 // 4, f"a step allocated {peak} bytes for a parameter of {n * 4} bytes"


def test_float64_parameters_stay_float64():
    p = Tensor(np.ones(3), requires_grad=True)
    p.grad = Tensor(np.full(3, 0.5))
    opt = Adam([p], lr=0.1)
    opt.step()
    assert p.dtype == np.float64 and opt.state[p]["exp_avg"].dtype == np.float64


def test_parameters_without_gradients_are_skipped():
    p, q = _param(), _param(grad=None)
    opt = Adam([p, q])
    opt.step()
    np.testing.assert_array_equal(q.numpy(), P0)
    assert q._version == 0 and len(opt.state[q]) == 0
    assert list(opt.state_dict()["state"]) == [0]


def test_step_runs_without_recording_and_evaluates_the_closure_with_grad():
    p = _param(grad=None)
    opt = SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        assert ddp.is_grad_enabled()
        loss = (Tensor(p.numpy()) * 0 + p).sum()
        loss.backward()
        return loss

    with ddp.no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(P0.sum())
    np.testing.assert_allclose(p.numpy(), P0 - 0.1, rtol=1e-6)
    assert p.grad_fn is None and p.requires_grad


def test_gradient_shape_mismatch_is_reported():
    p = _param(grad=None)
    with pytest.raises(RuntimeError, match=r"assigned grad has data of a different size: \(4,\)"):
        p.grad = Tensor(np.ones(4, np.float32))  # refused where it is assigned, as PyTorch
    p._grad = Tensor(np.ones(4, np.float32))  # past that check (as code writing the private field would be)
    with pytest.raises(RuntimeError, match=r"SGD.step: gradient of shape \(4,\).*\(3,\)"):
        SGD([p], lr=0.1).step()


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    p, q = _param(), _param(grad=None)
    grad = p.grad
    SGD([p, q], lr=0.1).zero_grad(set_to_none=set_to_none)
    assert q.grad is None
    if set_to_none:
        assert p.grad is None
    else:
        assert p.grad is grad
        np.testing.assert_array_equal(grad.numpy(), 0)


# ------------------------------------------------------------------------------------ param groups
def test_param_groups_get_defaults_and_their_own_lr():
    p, q = _param(), _param()
    opt = SGD([{"params": [p]}, {"params": q, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["params"] == [q]
    opt.step()
    np.testing.assert_allclose(p.numpy(), P0 - 0.1 * G, rtol=1e-6)
    np.testing.assert_allclose(q.numpy(), P0 - 0.5 * G, rtol=1e-6)


def test_add_param_group():
    p, q = _param(), _param()
    opt = Adam([p], lr=0.1)
    opt.add_param_group({"params": [q], "lr": 0.01})
    assert opt.param_groups[1]["betas"] == (0.9, 0.999) and opt.param_groups[1]["lr"] == 0.01
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [p]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([p])
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is ndarray"):
        opt.add_param_group({"params": [np.ones(2)]})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {_param()}})
    with pytest.raises(ValueError, match="duplicate parameters"):
        opt.add_param_group({"params": [_param()] * 2})
    leaf = _param()
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        opt.add_param_group({"params": [leaf * 2]})
    assert len(opt.param_groups) == 2


def test_constructor_errors():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        SGD(_param(), lr=0.1)


@pytest.mark.parametrize("opt_cls,kwargs,message", [
    (SGD, dict(lr=-1), "Invalid learning rate: -1"),
    (SGD, dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (SGD, dict(weight_decay=-1e-4), "Invalid weight_decay value: -0.0001"),
    (SGD, dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (SGD, dict(nesterov=True, momentum=0.9, dampening=0.1), "Nesterov momentum requires"),
    (Adam, dict(lr=-1e-3), "Invalid learning rate: -0.001"),
    (Adam, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (Adam, dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (AdamW, dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (AdamW, dict(weight_decay=-0.01), "Invalid weight_decay value: -0.01"),
    (RMSprop, dict(alpha=-0.1), "Invalid alpha value: -0.1"),
    (RMSprop, dict(momentum=-1), "Invalid momentum value: -1"),
    (Adagrad, dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    (Adagrad, dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    (Adagrad, dict(lr=float("nan")), "Invalid learning rate: nan"),
])
def test_invalid_hyper_parameters(opt_cls, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        opt_cls([_param()], **kwargs)


# -------------------------------------------------------------------------------------- state dicts
def _train(opt, params, grads):
    for g in grads:
        for p, gp in zip(params, g):
            p.grad = Tensor(gp)
        opt.step()


@pytest.mark.parametrize("opt_cls,kwargs", ALL)
def test_state_dict_round_trip_continues_identically(opt_cls, kwargs):
    rng = np.random.default_rng(0)
    grads = [[rng.standard_normal(s).astype(np.float32) for s in [(4, 3), (3,)]] for _ in range(6)]
    start = [rng.standard_normal(s).astype(np.float32) for s in [(4, 3), (3,)]]

    straight = [Tensor(a.copy(), requires_grad=True) for a in start]
    _train(opt_cls([{"params": straight[:1]}, {"params": straight[1:], "lr": 0.05}], **kwargs), straight, grads)

    first = [Tensor(a.copy(), requires_grad=True) for a in start]
    opt = opt_cls([{"params": first[:1]}, {"params": first[1:], "lr": 0.05}], **kwargs)
    _train(opt, first, grads[:3])
    saved = copy.deepcopy(opt.state_dict())
    second = [Tensor(p.numpy().copy(), requires_grad=True) for p in first]
    resumed = opt_cls([{"params": second[:1]}, {"params": second[1:]}], **dict(kwargs, lr=1.0))
    resumed.load_state_dict(saved)
    assert resumed.param_groups[1]["lr"] == 0.05 and resumed.param_groups[1]["params"] == second[1:]
    _train(resumed, second, grads[3:])
    for a, b in zip(straight, second):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_load_state_dict_copies_the_arrays():
    p = _param()
    opt = SGD([p], lr=0.1, momentum=0.9)
    opt.step()
    saved = opt.state_dict()
    other = SGD([_param()], lr=0.1, momentum=0.9)
    other.load_state_dict(saved)
    saved["state"][0]["momentum_buffer"].numpy()[:] = 7
    assert not np.any(list(other.state.values())[0]["momentum_buffer"].numpy() == 7)


def test_load_state_dict_errors():
    opt = Adam([_param(), _param()])
    opt.step()
    saved = opt.state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        Adam([{"params": [_param()]}, {"params": [_param()]}]).load_state_dict(saved)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group: group 0 has 2 parameters, "
                                         "expected 3"):
        Adam([_param(), _param(), _param()]).load_state_dict(saved)
    with pytest.raises(ValueError, match=r"'exp_avg' has shape \(3,\), but its parameter has shape \(2,\)"):
        Adam([_param(), _param([1.0, 2.0], grad=[0.5, 1.0])]).load_state_dict(saved)


def test_adagrad_state_exists_from_construction():
    p = _param()
    opt = Adagrad([p], initial_accumulator_value=0.5)
    assert opt.state[p]["step"] == 0
    np.testing.assert_array_equal(opt.state[p]["sum"].numpy(), np.full(3, 0.5, np.float32))
    assert list(opt.state_dict()["state"]) == [0]
