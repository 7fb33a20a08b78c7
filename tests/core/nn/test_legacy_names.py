"""Names torch.nn keeps for old code: nn.NLLLoss2d (NLLLoss with a FutureWarning) and
F.native_channel_shuffle (channel_shuffle's kernel name), against torch, with torch's error types."""
import warnings

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F


def test_nll_loss_2d_warns_and_is_nll_loss():
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
        loss = nn.NLLLoss2d(ignore_index=1, reduction="sum")
    assert isinstance(loss, nn.NLLLoss) and loss.ignore_index == 1 and loss.reduction == "sum"
    assert repr(loss) == "NLLLoss2d()"


@pytest.mark.parametrize("kwargs", [dict(), dict(reduction="none"), dict(ignore_index=2), dict(weight=True)])
def test_nll_loss_2d_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 3, 5))
    target = rng.integers(0, 4, (2, 3, 5))
    weight = rng.random(4) + 0.5
    ours, theirs = dict(kwargs), dict(kwargs)
    if kwargs.get("weight"):
        ours["weight"], theirs["weight"] = ddp.tensor(weight), torch.tensor(weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        loss, tloss = nn.NLLLoss2d(**ours), torch.nn.NLLLoss2d(**theirs)
    a, t = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = loss(F.log_softmax(a, 1), ddp.tensor(target)), tloss(torch.log_softmax(t, 1), torch.tensor(target))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_native_channel_shuffle_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.arange(2 * 6 * 2 * 3, dtype=np.float32).reshape(2, 6, 2, 3)
    np.testing.assert_array_equal(F.native_channel_shuffle(ddp.tensor(x), 3).numpy(),
                                  torch.nn.functional.native_channel_shuffle(torch.tensor(x), 3).numpy())
    for args, error in [((np.zeros((6, 2)), 2), RuntimeError), ((np.zeros((1, 6, 2)), 4), RuntimeError),
                        ((np.zeros((1, 6, 2)), 0), RuntimeError), ((np.zeros((1, 6, 2)), 2.0), TypeError)]:
        with pytest.raises(error):
            torch.nn.functional.native_channel_shuffle(torch.tensor(args[0]), args[1])
        with pytest.raises(error):
            F.native_channel_shuffle(ddp.tensor(args[0]), args[1])
