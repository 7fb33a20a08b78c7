"""ddp.amp: GradScaler("cpu") scales, unscales, skips overflowing steps and adapts its scale as PyTorch's CPU
scaler does (a CUDA scaler is disabled, as without CUDA); the autocast queries, custom_fwd/custom_bwd,
ddp.cpu and the backend flags answer as PyTorch's do on a CPU."""
import warnings

import numpy as np
import pytest

import ddp


def _model(nn, seed=0):
    rng = np.random.default_rng(seed)
    model = nn.Linear(3, 2)
    for p in model.parameters():
        p.data.copy_(p.data.new_tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
    return model


def _train(torch, scaler_kwargs, steps, inf_at=(), clip=None):
    """Scaled SGD steps on a fixed batch (a gradient set to inf at the steps in `inf_at`): the losses, scales,
    the final weights and the scaler's state dict."""
    model = _model(torch.nn)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu", **scaler_kwargs)
    x = torch.from_numpy(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    losses, scales = [], []
    for step in range(steps):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        scaled = scaler.scale(loss)
        losses.append((loss.item(), scaled.item()))
        scaled.backward()
        if step in inf_at:
            model.bias.grad[0] = float("inf")
        if clip is not None:
            scaler.unscale_(opt)
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    return losses, scales, model.weight.detach().numpy().copy(), scaler.state_dict()


def test_cpu_scaler_scales_the_loss_and_trains_as_without_scaling():
    losses, scales, weight, state = _train(ddp, {}, 4)
    assert [s / l for l, s in losses] == pytest.approx([65536.0] * 4)
    assert scales == [65536.0] * 4
    assert state == {"scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 2000,
                     "_growth_tracker": 4}
    plain_losses, _, plain_weight, _ = _train(ddp, {"enabled": False}, 4)
    np.testing.assert_array_equal(weight, plain_weight)  # powers of two scale and unscale exactly
    assert [l for l, _ in losses] == [l for l, _ in plain_losses]


def test_cpu_scaler_skips_overflowing_steps_backs_off_and_grows():
    losses, scales, _, state = _train(ddp, {"init_scale": 8.0, "growth_interval": 2}, 6, inf_at=(1, 4))
    assert scales == [8.0, 4.0, 4.0, 8.0, 4.0, 4.0]
    assert losses[1][0] == losses[2][0]  # step 1 was skipped: the weights did not move
    assert state["_growth_tracker"] == 1 and state["scale"] == 4.0


def test_scaler_misuse_raises_as_pytorch():
    model = _model(ddp.nn)
    opt = ddp.optim.SGD(model.parameters(), lr=0.1)
    scaler = ddp.amp.GradScaler("cpu")
    with pytest.raises(AssertionError, match="Attempted update but _scale is None"):
        scaler.update()
    scaler.scale(model(ddp.ones(2, 3)).sum()).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called on this optimizer"):
        scaler.unscale_(opt)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called since the last update"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: None)
    scaler.update()
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        scaler.load_state_dict({})
    with pytest.raises(AssertionError, match="The growth factor must be > 1.0"):
        ddp.amp.GradScaler("cpu", growth_factor=1.0)
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        scaler.scale(3.0)
    loss = model(ddp.ones(2, 3)).sum()
    a, (b, c) = scaler.scale([loss, (loss, loss)])
    assert a.item() == b.item() == c.item() == pytest.approx(loss.item() * 65536.0)


def test_scaler_state_dict_round_trip_and_new_scale():
    scaler = ddp.amp.GradScaler("cpu", init_scale=4.0, growth_interval=3)
    other = ddp.amp.GradScaler("cpu")
    other.load_state_dict(scaler.state_dict())
    assert other.state_dict() == scaler.state_dict() and other.get_scale() == 4.0
    model = _model(ddp.nn)
    opt = ddp.optim.SGD(model.parameters(), lr=0.1)
    other.scale(model(ddp.ones(1, 3)).sum()).backward()
    other.step(opt)
    other.update(new_scale=16.0)
    assert other.get_scale() == 16.0
    other.load_state_dict(scaler.state_dict())
    assert other.get_scale() == 4.0


def test_cuda_scalers_are_disabled_with_a_warning_and_pass_through():
    for make in (lambda: ddp.amp.GradScaler(), lambda: ddp.cuda.amp.GradScaler()):
        with pytest.warns(UserWarning, match="GradScaler is enabled, but ddp runs on the CPU"):
            scaler = make()
        assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ddp.cpu.amp.GradScaler().is_enabled()
        assert not ddp.amp.GradScaler(enabled=False).is_enabled()


def test_cpu_scaler_matches_pytorch():
    torch = pytest.importorskip("torch")
    for kwargs, steps, inf_at, clip in [({}, 3, (), None), ({"init_scale": 8.0, "growth_interval": 2}, 6, (1, 4), 0.5)]:
        ours, theirs = _train(ddp, kwargs, steps, inf_at, clip), _train(torch, kwargs, steps, inf_at, clip)
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
        assert ours[1] == theirs[1] and ours[3] == theirs[3]
        np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6)


def test_autocast_queries_and_decorators_match_pytorch():
    assert ddp.amp.is_autocast_available("cpu") and not ddp.amp.is_autocast_available("cuda")
    assert ddp.get_autocast_dtype("cpu") == ddp.bfloat16 == ddp.get_autocast_cpu_dtype()
    assert ddp.get_autocast_dtype("cuda") == ddp.float16 and not ddp.is_autocast_cpu_enabled()

    class Square(ddp.autograd.Function):
        @staticmethod
        @ddp.amp.custom_fwd(device_type="cpu", cast_inputs=ddp.float32)
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @ddp.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ddp.tensor([1.0, 3.0], requires_grad=True)
    with ddp.autocast("cpu", dtype=ddp.bfloat16):
        Square.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 6.0]
    assert ddp.cuda.amp.custom_fwd(lambda ctx, v: v)(None, 1) == 1
    with ddp.cpu.amp.autocast(enabled=False):
        pass
    torch = pytest.importorskip("torch")
    assert torch.amp.is_autocast_available("cpu")
    assert str(torch.get_autocast_dtype("cpu")).split(".")[-1] == str(ddp.get_autocast_dtype("cpu")).split(".")[-1]


def test_cpu_module_and_backend_flags():
    assert ddp.cpu.is_available() and ddp.cpu.device_count() == 1 and ddp.cpu.current_device() == "cpu"
    ddp.cpu.synchronize()
    ddp.cpu.set_device("cpu")
    with pytest.raises(RuntimeError, match="ddp runs on the CPU"):
        ddp.cpu.set_device("cuda")
    cuda = ddp.backends.cuda
    assert cuda.flash_sdp_enabled() and cuda.math_sdp_enabled()
    with cuda.sdp_kernel(enable_flash=False, enable_mem_efficient=False):
        assert not cuda.flash_sdp_enabled() and not cuda.mem_efficient_sdp_enabled() and cuda.math_sdp_enabled()
    assert cuda.flash_sdp_enabled()
    cuda.enable_flash_sdp(False)
    assert not cuda.flash_sdp_enabled()
    cuda.enable_flash_sdp(True)
    assert cuda.matmul.fp32_precision == "none"
    assert not ddp.backends.mkl.is_available() and not ddp.backends.openmp.is_available()
    assert isinstance(ddp.backends.cpu.get_cpu_capability(), str)
