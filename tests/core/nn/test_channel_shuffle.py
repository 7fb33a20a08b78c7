"""F.channel_shuffle and nn.ChannelShuffle: a numpy reference, a float64 gradcheck, dtypes kept, empty
batches, repr, errors with torch's exception types, and torch parity."""
import sys
from pathlib import Path

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/core, for op_helpers
from op_helpers import forward32, gradcheck, sample  # noqa: E402


def ref_shuffle(x, groups):
    """Output channel k*groups + g is input channel g*(C/groups) + k."""
    c = x.shape[1]
    order = [g * (c // groups) + k for k in range(c // groups) for g in range(groups)]
    return x[:, order]


SHAPES = [((2, 6, 3, 4), 3), ((2, 6, 5), 2), ((1, 8, 2, 2, 2), 4), ((3, 4, 2), 1), ((2, 5, 3), 5)]


@pytest.mark.parametrize("shape, groups", SHAPES)
def test_matches_the_numpy_reference_and_finite_differences(shape, groups):
    x = sample(shape)
    np.testing.assert_array_equal(F.channel_shuffle(ddp.tensor(x), groups).numpy(), ref_shuffle(x, groups))
    assert gradcheck(lambda t: F.channel_shuffle(t, groups), x)


def test_dtypes_are_kept_and_empty_batches_work():
    forward32(lambda t: F.channel_shuffle(t, 2), lambda a: ref_shuffle(a, 2), sample((2, 4, 3)))
    ints = F.channel_shuffle(ddp.arange(12).reshape(1, 6, 2), 3)
    assert ints.dtype == ddp.int64
    np.testing.assert_array_equal(ints.numpy()[0, :, 0], [0, 4, 8, 2, 6, 10])
    assert F.channel_shuffle(ddp.zeros(0, 6, 2), 3).shape == (0, 6, 2)


def test_module_forward_and_repr():
    m = nn.ChannelShuffle(2)
    assert repr(m) == "ChannelShuffle(groups=2)" and list(m.parameters()) == []
    np.testing.assert_array_equal(m(ddp.arange(4.0).reshape(1, 4, 1)).numpy().ravel(), [0, 2, 1, 3])


@pytest.mark.parametrize("call, error, match", [
    (lambda: F.channel_shuffle(ddp.ones(1, 6, 2), 4), RuntimeError, "split evenly into groups, got 6 channels and 4"),
    (lambda: F.channel_shuffle(ddp.ones(1, 6, 2), 0), RuntimeError, "must be positive, got 0"),
    (lambda: F.channel_shuffle(ddp.ones(1, 6, 2), -1), RuntimeError, "must be positive, got -1"),
    (lambda: F.channel_shuffle(ddp.ones(1, 6), 2), RuntimeError, r"more than 2 dims \(N, C, \*\), got shape \[1, 6\]"),
    (lambda: F.channel_shuffle(ddp.ones(6), 2), RuntimeError, "more than 2 dims"),
    (lambda: F.channel_shuffle(ddp.ones(1, 6, 2), 2.0), TypeError, "groups must be an int"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("shape, groups", SHAPES)
def test_matches_torch(shape, groups):
    torch = pytest.importorskip("torch")
    x, g = sample(shape), sample(shape, seed=1)
    ours, theirs = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    a, b = nn.ChannelShuffle(groups)(ours), torch.nn.ChannelShuffle(groups)(theirs)
    np.testing.assert_array_equal(a.numpy(), b.detach().numpy())
    a.backward(ddp.tensor(g))
    b.backward(torch.tensor(g))
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    np.testing.assert_array_equal(F.channel_shuffle(ddp.tensor(x), groups).numpy(),
                                  torch.nn.functional.channel_shuffle(torch.tensor(x), groups).numpy())
    assert repr(nn.ChannelShuffle(groups)) == repr(torch.nn.ChannelShuffle(groups))
