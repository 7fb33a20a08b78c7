"""Shared by the distribution tests: moving values between ddp and torch."""
import numpy as np

import ddp


def to_torch(torch, x):
    """A torch tensor holding ddp Tensor x's values and dtype."""
    return torch.from_numpy(np.array(x.numpy()))


def close(a, b, rtol=1e-6, atol=1e-7):
    """ddp Tensor a equals torch tensor b (values and shape) within the tolerances."""
    assert tuple(a.shape) == tuple(b.shape), (tuple(a.shape), tuple(b.shape))
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


def leaf(values, dtype=ddp.float64):
    return ddp.tensor(values, dtype=dtype, requires_grad=True)
