"""Dropout1d/2d/3d (whole channels), AlphaDropout and FeatureAlphaDropout: mask structure and scaling,
statistics, gradients equal to the mask, eval identity, seeding, errors and reprs (torch's draws differ, so
torch is compared on structure and statistics, not on masks)."""
import warnings

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F


@pytest.mark.parametrize("fn, shape, mask_dims", [
    (F.dropout1d, (4, 6, 5), 2), (F.dropout1d, (6, 5), 1), (F.dropout2d, (4, 6, 3, 5), 2),
    (F.dropout3d, (3, 4, 2, 3, 2), 2), (F.dropout3d, (4, 2, 3, 2), 1),
])
def test_channel_dropout_zeroes_whole_channels_and_scales_the_rest(fn, shape, mask_dims):
    ddp.manual_seed(0)
    x = ddp.ones(*shape, requires_grad=True)
    out = fn(x, p=0.4)
    a = out.numpy().reshape(shape[:mask_dims] + (-1,))
    assert out.dtype == np.float32
    assert np.all((a == 0).all(axis=-1) | np.isclose(a, 1 / 0.6).all(axis=-1))  # each channel all-or-nothing
    assert 0 < (a[..., 0] == 0).sum() < a[..., 0].size
    out.backward(ddp.ones_like(out))
    np.testing.assert_array_equal(x.grad.numpy(), out.numpy())  # d/dx is the scaled mask


def test_channel_dropout_rate_eval_identity_edges_and_seeding():
    x = ddp.ones(400, 50, 3)
    ddp.manual_seed(1)
    first = F.dropout1d(x, 0.3).numpy()
    assert abs((first[:, :, 0] == 0).mean() - 0.3) < 0.02
    ddp.manual_seed(1)
    np.testing.assert_array_equal(F.dropout1d(x, 0.3).numpy(), first)
    assert F.dropout2d(ddp.ones(2, 3, 4, 4), 0.5, training=False).numpy().min() == 1
    assert F.dropout2d(ddp.ones(2, 3, 4, 4), 1.0).numpy().max() == 0
    m = nn.Dropout2d(0.5).eval()
    y = ddp.randn(2, 3, 4, 4)
    assert m(y) is y


def test_dropout2d_takes_a_3d_input_as_n_c_l_with_a_warning():
    ddp.manual_seed(0)
    with pytest.warns(UserWarning, match="interpreted as shape \\(N, C, L\\)"):
        out = F.dropout2d(ddp.ones(20, 6, 5), 0.5).numpy()
    assert np.all((out == 0).all(axis=2) | (out == 2).all(axis=2))


def test_alpha_dropout_keeps_zero_mean_unit_variance_and_gradient_is_the_scale():
    ddp.manual_seed(0)
    x = ddp.tensor(np.random.default_rng(0).standard_normal((200, 500)).astype(np.float32), requires_grad=True)
    out = F.alpha_dropout(x, 0.2, training=True)
    assert abs(out.numpy().mean()) < 0.02 and abs(out.numpy().std() - 1) < 0.02
    p, alpha = 0.2, 1.7580993408473766
    a = 1 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    dropped = np.isclose(out.numpy(), a * alpha * (p - 1))
    assert abs(dropped.mean() - 0.2) < 0.01
    out.backward(ddp.ones_like(out))
    np.testing.assert_allclose(x.grad.numpy(), np.where(dropped, 0, a), rtol=1e-6)
    assert F.alpha_dropout(x, 0.2) is x  # training defaults to False, as in PyTorch


def test_feature_alpha_dropout_drops_channels():
    ddp.manual_seed(0)
    out = F.feature_alpha_dropout(ddp.zeros(8, 16, 3, 3), 0.5, training=True).numpy().reshape(8, 16, -1)
    assert np.all(np.isclose(out, out[..., :1]))  # one value per channel
    assert len(np.unique(out.round(5))) == 2


def test_gradcheck_with_a_fixed_mask():
    x = ddp.tensor(np.random.default_rng(0).standard_normal((3, 4, 5)), dtype=ddp.float64, requires_grad=True)

    def fn(t):
        ddp.manual_seed(3)  # the same mask on every evaluation
        return F.dropout1d(t, 0.5) + F.alpha_dropout(t, 0.3, training=True)

    assert ddp.autograd.gradcheck(fn, (x,))


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.dropout1d(ddp.randn(2, 3, 4, 5)), RuntimeError, "dropout1d: Expected 2D or 3D input"),
    (lambda: F.dropout2d(ddp.randn(2, 3, 4, 4), 1.5), ValueError, "between 0 and 1, but got 1.5"),
    (lambda: nn.Dropout3d(-0.1), ValueError, "between 0 and 1"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("name, args", [("Dropout1d", ()), ("Dropout2d", (0.2, True)), ("Dropout3d", (0.1,)),
                                        ("AlphaDropout", (0.1,)), ("FeatureAlphaDropout", ())])
def test_reprs_and_statistics_match_torch(name, args):
    torch = pytest.importorskip("torch")
    m, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(m) == repr(tm)
    shape = {"Dropout1d": (64, 32, 16), "Dropout3d": (64, 32, 4, 4, 2)}.get(name, (64, 32, 4, 4))
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, tout = m(ddp.tensor(x)).numpy(), tm(torch.tensor(x)).numpy()
    for stat in (np.mean, np.std):
        assert abs(stat(out) - stat(tout)) < 0.05
    m.eval(), tm.eval()
    np.testing.assert_array_equal(m(ddp.tensor(x)).numpy(), tm(torch.tensor(x)).numpy())
