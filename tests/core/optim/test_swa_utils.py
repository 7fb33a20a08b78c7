"""ddp.optim.swa_utils: AveragedModel, the averaging functions, update_bn and SWALR, against hand-computed
averages and, where torch is installed, against torch.optim.swa_utils step by step."""
import warnings

import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.core.tensor import Tensor
from ddp.optim import SGD
from ddp.optim import swa_utils as S


def _net(lib, dtype):
    """The same small model with a BatchNorm in ddp or torch."""
    m = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
    return m.double() if dtype == np.float64 else m


def _set_state(ours, theirs, rng, counter):
    """Give both models the same new parameters and buffers (as a training epoch would)."""
    torch = pytest.importorskip("torch")
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        value = np.full(a.shape, counter, np.int64) if a.dtype == np.int64 else rng.standard_normal(a.shape)
        if name.endswith("running_var"):
            value = np.abs(value) + 0.5
        a.copy_(Tensor(value.astype(a.dtype)))
        b.copy_(torch.tensor(value))


def _compare(mine, ref, tol):
    state, expected = mine.state_dict(), ref.state_dict()
    assert list(state) == list(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(state[key].numpy(), value.numpy(), rtol=tol, atol=tol, err_msg=key)
        assert state[key].dtype == value.numpy().dtype, key


AVERAGING = {
    "swa (default)": lambda m: {},
    "swa avg_fn": lambda m: {"avg_fn": m.get_swa_avg_fn()},
    "swa multi": lambda m: {"multi_avg_fn": m.get_swa_multi_avg_fn()},
    "ema avg_fn": lambda m: {"avg_fn": m.get_ema_avg_fn(0.7)},
    "ema multi": lambda m: {"multi_avg_fn": m.get_ema_multi_avg_fn(0.7)},
    "custom": lambda m: {"avg_fn": lambda a, b, n: 0.25 * a + 0.75 * b + n},  # n: the count, a Tensor
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("how", list(AVERAGING))
def test_averaged_model_matches_torch(how, use_buffers, dtype):
    torch = pytest.importorskip("torch")
    if how == "swa multi" and use_buffers:
        pytest.skip("PyTorch cannot average integer buffers in place (tested below)")
    rng = np.random.default_rng(0)
    model, ref_model = _net(ddp, dtype), _net(torch, dtype)
    _set_state(model, ref_model, rng, 0)
    swa = S.AveragedModel(model, use_buffers=use_buffers, **AVERAGING[how](S))
    ref = torch.optim.swa_utils.AveragedModel(ref_model, use_buffers=use_buffers,
                                              **AVERAGING[how](torch.optim.swa_utils))
    for epoch in range(4):
        _set_state(model, ref_model, rng, 7 * epoch + 3)
        swa.update_parameters(model)
        ref.update_parameters(ref_model)
        _compare(swa, ref, 1e-6 if dtype == np.float32 else 1e-14)
    assert swa.n_averaged.item() == 4 and swa.n_averaged.dtype == np.int64
    x = rng.standard_normal((5, 3)).astype(dtype)
    swa.eval(), ref.eval()
    np.testing.assert_allclose(swa(ddp.tensor(x)).numpy(), ref(torch.tensor(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)


def test_running_mean_by_hand_and_buffers_copied_without_use_buffers():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    swa = S.AveragedModel(model)
    assert swa.module is not model and swa.module[0].weight is not model[0].weight
    seen = []
    for value in (1.0, 2.0, 6.0):
        for p in model.parameters():
            p.data.fill_(value)
        model[1].running_mean.fill_(value)
        swa.update_parameters(model)
        seen.append(value)
        np.testing.assert_allclose(swa.module[0].weight.numpy(), np.mean(seen), rtol=1e-6)
        np.testing.assert_array_equal(swa.module[1].running_mean.numpy(), value)  # a copy, not an average
    assert list(swa.state_dict())[:2] == ["n_averaged", "module.0.weight"]
    assert swa.module[0].weight.requires_grad and swa.module[0].weight.grad is None


def test_ema_of_integer_buffers_truncates_as_torch():
    counter = nn.BatchNorm1d(2)
    ema = S.AveragedModel(counter, multi_avg_fn=S.get_ema_multi_avg_fn(0.9), use_buffers=True)
    for count in (21, 28, 35):
        counter.num_batches_tracked.fill_(count)
        ema.update_parameters(counter)
    # 21; 0.9 * 21 + 0.1 * 28 = 21.7 -> 21; 0.9 * 21 + 0.1 * 35 = 22.4 -> 22 (PyTorch gives the same)
    assert ema.module.num_batches_tracked.item() == 22


def test_swa_multi_of_integer_buffers_raises_as_torch():
    model = nn.BatchNorm1d(2)
    swa = S.AveragedModel(model, multi_avg_fn=S.get_swa_multi_avg_fn(), use_buffers=True)
    swa.update_parameters(model)  # the first update copies
    with pytest.raises(RuntimeError, match="integer tensors"):
        swa.update_parameters(model)
    torch = pytest.importorskip("torch")
    ref_model = torch.nn.BatchNorm1d(2)
    ref = torch.optim.swa_utils.AveragedModel(ref_model, multi_avg_fn=torch.optim.swa_utils.get_swa_multi_avg_fn(),
                                              use_buffers=True)
    ref.update_parameters(ref_model)
    with pytest.raises(RuntimeError):
        ref.update_parameters(ref_model)


def test_swa_multi_weight_is_float32_for_a_tensor_count():
    a, b = Tensor(np.zeros(2)), Tensor(np.ones(2))
    S.get_swa_multi_avg_fn()([a], [b], Tensor(np.array(2)))
    assert a.numpy()[0] == float(np.float32(1 / 3))  # as PyTorch: 1 / (n + 1) in the default dtype
    S.get_swa_multi_avg_fn()([a], [b], 2)
    third = float(np.float32(1 / 3))
    np.testing.assert_allclose(a.numpy(), third + (1 - third) / 3, rtol=1e-15)  # a plain int count: 1 / 3


def test_errors():
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        S.AveragedModel(nn.Linear(2, 2), avg_fn=S.get_swa_avg_fn(), multi_avg_fn=S.get_swa_multi_avg_fn())
    for make in (S.get_ema_avg_fn, S.get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided. Please provide a value in \[0,1\]"):
            make(1.5)
    swa = S.AveragedModel(nn.BatchNorm1d(2))
    with pytest.raises(ValueError):  # the buffers of a different model cannot be copied one for one
        swa.update_parameters(nn.Sequential(nn.BatchNorm1d(2), nn.BatchNorm1d(2)))


def test_state_dict_round_trip_with_torch():
    torch = pytest.importorskip("torch")
    ref = torch.optim.swa_utils.AveragedModel(torch.nn.Linear(3, 2))
    ref.update_parameters(torch.nn.Linear(3, 2))
    swa = S.AveragedModel(nn.Linear(3, 2))
    result = swa.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    assert repr(result) == "<All keys matched successfully>"
    assert swa.n_averaged.item() == 1
    np.testing.assert_array_equal(swa.module.weight.numpy(), ref.module.weight.detach().numpy())


# ------------------------------------------------------------------------------------------- update_bn
def _conv_net(lib):
    """The same convolutional model with two BatchNorms, an InstanceNorm and a Dropout, in ddp or torch."""
    return lib.nn.Sequential(lib.nn.Conv2d(2, 3, 3), lib.nn.BatchNorm2d(3, momentum=0.3),
                             lib.nn.InstanceNorm2d(3, track_running_stats=True), lib.nn.Flatten(),
                             lib.nn.Linear(12, 4), lib.nn.BatchNorm1d(4, momentum=None), lib.nn.Dropout(0.5))


def test_update_bn_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    model, ref = _conv_net(ddp), _conv_net(torch)
    model.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    for bn, ref_bn in ((model[1], ref[1]), (model[2], ref[2])):  # stale statistics that update_bn must reset
        bn.running_mean.fill_(5.0), ref_bn.running_mean.fill_(5.0)
        bn.num_batches_tracked.fill_(10), ref_bn.num_batches_tracked.fill_(10)
    model.eval(), ref.eval()
    batches = [rng.standard_normal((3, 2, 4, 4)).astype(np.float32) for _ in range(3)]
    S.update_bn([(ddp.tensor(b), 0) for b in batches[:2]] + [ddp.tensor(batches[2])], model)
    torch.optim.swa_utils.update_bn([(torch.tensor(b), 0) for b in batches[:2]] + [torch.tensor(batches[2])], ref)
    for key, value in ref.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[key].numpy(), value.numpy(), rtol=1e-5, atol=1e-6, err_msg=key)
    assert model[1].num_batches_tracked.item() == 3
    assert model[2].num_batches_tracked.item() == 10  # an InstanceNorm is not a BatchNorm: not reset
    assert (model[1].momentum, model[2].momentum, model[5].momentum) == (0.3, 0.1, None)  # restored
    assert not any(m.training for m in model.modules())  # eval mode restored


def test_update_bn_is_a_cumulative_average_and_leaves_models_without_batchnorm_alone():
    bn = nn.BatchNorm1d(2)
    batches = [ddp.tensor([[1.0, 0.0], [3.0, 2.0]]), ddp.tensor([[5.0, 4.0], [7.0, 4.0]])]
    S.update_bn(batches, bn)
    np.testing.assert_allclose(bn.running_mean.numpy(), [(2 + 6) / 2, (1 + 4) / 2])
    np.testing.assert_allclose(bn.running_var.numpy(), [(2 + 2) / 2, (2 + 0) / 2])  # unbiased batch variances
    assert bn.training and bn.momentum == 0.1
    plain = nn.Linear(2, 2).eval()
    S.update_bn(iter(()), plain)
    assert not plain.training


# ------------------------------------------------------------------------------------------------ SWALR
def _sgd(lrs):
    return SGD([{"params": [Tensor(np.zeros(2, np.float32), requires_grad=True)], "lr": lr} for lr in lrs], lr=1.0)


SWALR_CASES = [
    dict(swa_lr=0.05),
    dict(swa_lr=[0.05, 0.5], anneal_epochs=3, anneal_strategy="linear"),
    dict(swa_lr=0.01, anneal_epochs=0),
    dict(swa_lr=0.2, anneal_epochs=1, anneal_strategy="cos"),
]


@pytest.mark.parametrize("kwargs", SWALR_CASES)
def test_swalr_matches_torch_after_another_schedule(kwargs):
    torch = pytest.importorskip("torch")
    opt = _sgd((0.1, 0.02))
    ref_opt = torch.optim.SGD([{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in (0.1, 0.02)])
    first = ddp.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    ref_first = torch.optim.lr_scheduler.ExponentialLR(ref_opt, 0.9)
    for _ in range(3):  # SWA takes over from another schedule, from whatever lr that reached
        opt.step(), ref_opt.step(), first.step(), ref_first.step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched, ref = S.SWALR(opt, **kwargs), torch.optim.swa_utils.SWALR(ref_opt, **kwargs)
        got, expected = [sched.get_last_lr()], [ref.get_last_lr()]
        for _ in range(12):
            opt.step(), ref_opt.step(), sched.step(), ref.step()
            got.append(sched.get_last_lr()), expected.append(ref.get_last_lr())
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0)
    assert [g["swa_lr"] for g in opt.param_groups] == [g["swa_lr"] for g in ref_opt.param_groups]
    np.testing.assert_allclose(got[-1], [g["swa_lr"] for g in opt.param_groups], rtol=1e-12)


def test_swalr_state_dict_round_trip_keeps_the_strategy():
    sched = S.SWALR(_sgd((0.1,)), swa_lr=0.01, anneal_epochs=4, anneal_strategy="linear")
    state = sched.state_dict()
    assert "anneal_func" not in state and "optimizer" not in state and state["_anneal_strategy"] == "linear"
    other = S.SWALR(_sgd((0.1,)), swa_lr=0.01, anneal_epochs=4, anneal_strategy="cos")
    other.load_state_dict(state)
    assert other.anneal_func(0.25) == 0.25
    linear = S.SWALR(_sgd((0.1,)), swa_lr=0.0, anneal_epochs=4, anneal_strategy="linear")
    lrs = [linear.optimizer.param_groups[0]["lr"]]
    for _ in range(5):
        linear.step()
        lrs.append(linear.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [0.1, 0.075, 0.05, 0.025, 0.0, 0.0], atol=1e-15)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(swa_lr=0.1, anneal_strategy="exp"), ValueError, "anneal_strategy must be one of 'cos' or 'linear'"),
    (dict(swa_lr=0.1, anneal_epochs=-1), ValueError, "anneal_epochs must be equal or greater than 0, got -1"),
    (dict(swa_lr=0.1, anneal_epochs=2.5), ValueError, "anneal_epochs must be equal or greater than 0"),
    (dict(swa_lr=[0.1, 0.2, 0.3]), ValueError, "swa_lr must have the same length as optimizer.param_groups"),
])
def test_swalr_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        S.SWALR(_sgd((0.1, 0.02)), **kwargs)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        S.SWALR([Tensor(np.zeros(1))], swa_lr=0.1)
