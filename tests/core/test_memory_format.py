"""Memory formats (ddp/core/memory_format.py): `contiguous`, `to`, `clone` and `Module.to` lay tensors out
channels-last as PyTorch does (same strides, same `is_contiguous` answers), values and gradients unchanged."""
import numpy as np
import pytest

import ddp

CL, CL3, CF, PF = ddp.channels_last, ddp.channels_last_3d, ddp.contiguous_format, ddp.preserve_format


def _x(*shape):
    return ddp.tensor(np.arange(np.prod(shape), dtype=np.float32).reshape(shape))


def test_contiguous_channels_last_has_nhwc_strides_and_the_same_values():
    x = _x(2, 3, 4, 5)
    y = x.contiguous(memory_format=CL)
    assert y.shape == (2, 3, 4, 5) and y.stride() == (60, 1, 15, 3)
    assert y.is_contiguous(memory_format=CL) and not y.is_contiguous() and not y.is_contiguous(memory_format=PF)
    assert ddp.equal(x, y)
    assert y.contiguous(memory_format=CL) is y and x.contiguous() is x and x.contiguous(memory_format=PF) is x
    assert y.contiguous().stride() == (60, 20, 5, 1)
    assert x.to(memory_format=CL).stride() == (60, 1, 15, 3) and y.to(memory_format=CL) is y
    assert x.to(ddp.float64, memory_format=CL).stride() == (60, 1, 15, 3)
    z = _x(1, 2, 3, 4, 5).contiguous(memory_format=CL3)
    assert z.stride() == (120, 1, 40, 10, 2) and z.is_contiguous(memory_format=CL3)


def test_size_one_dims_do_not_decide_a_layout():
    assert _x(2, 1, 4, 5).is_contiguous(memory_format=CL)  # one channel: NCHW is NHWC as well
    assert _x(2, 3, 1, 1).is_contiguous(memory_format=CL)
    assert not _x(2, 3, 4, 5).is_contiguous(memory_format=CL)
    assert not _x(3).is_contiguous(memory_format=CL) and not _x(2, 3, 4, 5).is_contiguous(memory_format=CL3)
    assert not _x(2, 3, 4, 5).permute(0, 2, 3, 1).is_contiguous(memory_format=CL)


def test_clone_preserves_a_channels_last_layout_or_converts():
    y = _x(2, 3, 4, 5).contiguous(memory_format=CL)
    assert y.clone().stride() == (60, 1, 15, 3)
    assert y.clone(memory_format=CF).stride() == (60, 20, 5, 1)
    assert _x(2, 3, 4, 5).clone(memory_format=CL).stride() == (60, 1, 15, 3)
    assert ddp.equal(y.clone(), y) and y.clone()._data is not y._data


def test_gradients_pass_through_a_layout_change():
    x = ddp.tensor(np.random.default_rng(0).standard_normal((2, 3, 4, 5)), requires_grad=True)
    w = _x(2, 3, 4, 5).double()
    (x.contiguous(memory_format=CL).clone() * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), w.numpy())


def test_wrong_ranks_and_formats_raise_as_pytorch():
    with pytest.raises(RuntimeError, match="required rank 4 tensor to use channels_last format"):
        _x(3, 4, 5).contiguous(memory_format=CL)
    with pytest.raises(RuntimeError, match="required rank 5 tensor to use channels_last_3d format"):
        _x(2, 3, 4, 5).to(memory_format=CL3)
    with pytest.raises(TypeError, match="contiguous\\(\\): argument 'memory_format' must be one of"):
        _x(2, 2).contiguous(memory_format="nhwc")
    with pytest.raises(RuntimeError, match="required rank 4"):
        ddp.nn.Conv3d(1, 2, 3).to(memory_format=CL)


def test_module_to_channels_last_converts_4d_parameters_and_trains_the_same():
    def run(memory_format):
        ddp.manual_seed(0)
        rng = np.random.default_rng(1)
        model = ddp.nn.Sequential(ddp.nn.Conv2d(3, 4, 3), ddp.nn.BatchNorm2d(4), ddp.nn.Flatten(), ddp.nn.Linear(64, 2))
        assert model.to(memory_format=memory_format) is model
        opt = ddp.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = ddp.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32)).contiguous(memory_format=memory_format)
        for _ in range(3):
            opt.zero_grad()
            model(x).square().sum().backward()
            opt.step()
        return model

    cl, cf = run(CL), run(CF)
    assert cl[0].weight.stride() == (27, 1, 9, 3) and cl[0].weight.is_contiguous(memory_format=CL)
    assert cl[3].weight.stride() == (64, 1) and cf[0].weight.stride() == (27, 9, 3, 1)
    for a, b in zip(cl.parameters(), cf.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_layouts_match_pytorch():
    torch = pytest.importorskip("torch")
    x = np.arange(120, dtype=np.float32).reshape(2, 3, 4, 5)
    t, d = torch.from_numpy(x), ddp.from_numpy(x)
    pairs = [(CL, torch.channels_last), (CF, torch.contiguous_format), (PF, torch.preserve_format)]
    for ours, theirs in pairs:
        assert d.contiguous(memory_format=ours).stride() == t.contiguous(memory_format=theirs).stride()
        assert d.to(memory_format=ours).stride() == t.to(memory_format=theirs).stride()
        for a, b in pairs:
            assert (d.contiguous(memory_format=ours).is_contiguous(memory_format=a)
                    == t.contiguous(memory_format=theirs).is_contiguous(memory_format=b)), (ours, a)
            assert (d.contiguous(memory_format=ours).clone(memory_format=a).stride()
                    == t.contiguous(memory_format=theirs).clone(memory_format=b).stride()), (ours, a)
    m_t = torch.nn.Conv2d(3, 4, 3).to(memory_format=torch.channels_last)
    m_d = ddp.nn.Conv2d(3, 4, 3).to(memory_format=CL)
    assert m_d.weight.stride() == m_t.weight.stride() and m_d.bias.stride() == m_t.bias.stride()
