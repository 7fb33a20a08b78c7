"""Forward values and gradients against PyTorch, where it is installed (it is a test oracle only)."""
import numpy as np
import pytest

import ddp
from op_helpers import apart, sample

torch = pytest.importorskip("torch")

# name: (shapes of the inputs, domain, function written once for both libraries)
CASES = {
    "add": ([(2, 3), (3,)], "real", lambda m, a, b: a + b),
    "sub": ([(3, 1), (1, 4)], "real", lambda m, a, b: a - b),
    "mul": ([(2, 3), ()], "real", lambda m, a, b: a * b),
    "div": ([(2, 3), (2, 1)], "pos", lambda m, a, b: a / b),
    "pow": ([(2, 3), (3,)], "pos", lambda m, a, b: a ** b),
    "pow_scalar": ([(4,)], "real", lambda m, a: a ** 3 + 2 ** a),
    "neg": ([(4,)], "real", lambda m, a: -a),
    "exp_log_sqrt": ([(2, 3)], "pos", lambda m, a: m.exp(a) + m.log(a) * m.sqrt(a)),
    "abs": ([(5,)], "real", lambda m, a: m.abs(a)),
    "tanh_sigmoid_relu": ([(2, 3)], "real", lambda m, a: m.tanh(a) + m.sigmoid(a) * m.relu(a)),
    "clamp": ([(6,)], "real", lambda m, a: m.clamp(a, -0.5, 0.5)),
    "maximum_minimum": ([(2, 3), (3,)], "apart", lambda m, a, b: m.maximum(a, b) * m.minimum(a, b)),
    "matmul": ([(4, 2, 3), (3, 5)], "real", lambda m, a, b: a @ b),
    "matmul_vec": ([(3,), (3,)], "real", lambda m, a, b: m.matmul(a, b)),
    "sum_mean": ([(2, 3, 4)], "real", lambda m, a: a.sum(1, keepdim=True) * a.mean(dim=(0, 2), keepdim=True)),
    "max_dim": ([(3, 4)], "real", lambda m, a: a.max(dim=1).values + a.min(0)[0].sum()),
    "max_all": ([(3, 4)], "real", lambda m, a: a.max() - a.min()),
    "var_std": ([(3, 4)], "real", lambda m, a: a.var(1) + a.std(0).sum() + a.var(unbiased=False)),
    "softmax": ([(3, 4)], "real", lambda m, a: m.softmax(a, 1) * m.log_softmax(a, dim=0)),
    "logsumexp": ([(3, 4)], "real", lambda m, a: m.logsumexp(a, 1)),
    "shapes": ([(2, 3, 4)], "real",
               lambda m, a: a.reshape(6, 4).T.flatten().view(4, 6).unsqueeze(0).squeeze().transpose(0, 1)),
    "permute_expand": ([(3, 1)], "real", lambda m, a: a.permute(1, 0).expand(4, 3).contiguous() * 2),
    "cat_stack": ([(2, 3), (1, 3)], "real", lambda m, a, b: m.stack([m.cat([a, b]), m.cat([b, a])], dim=-1)),
    "split_chunk": ([(5, 2)], "real", lambda m, a: a.split(2)[1] * a.chunk(3)[2].sum()),
    "where_masked_fill": ([(2, 3), (3,)], "real",
                          lambda m, a, b: m.where(a > 0, a, b).masked_fill(b < 0, 0.0)),
    "index": ([(4, 5)], "real", lambda m, a: a[1:, None, ::2] * a[[0, 0, 3]][..., 1, None].sum()),
    "bool_index": ([(4, 5)], "real", lambda m, a: a[a > 0]),
    "gather": ([(3, 4)], "real", lambda m, a: m.gather(a, 1, m.tensor([[0, 0], [3, 1], [2, 2]]))),
    "linear_like": ([(4, 3), (5, 3), (5,)], "real", lambda m, x, w, b: m.relu(x @ w.T + b)),
}


def _run(lib, fn, arrays):
    xs = [lib.tensor(a, dtype=lib.float32, requires_grad=True) for a in arrays]
    out = fn(lib, *xs)
    weights = np.random.default_rng(7).standard_normal(tuple(out.shape)).astype(np.float32)
    (out * lib.tensor(weights)).sum().backward()
    to_np = (lambda t: t.detach().numpy()) if lib is torch else (lambda t: t.numpy())
    return to_np(out), [to_np(x.grad) for x in xs]


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    shapes, domain, fn = CASES[name]
    if domain == "apart":
        arrays = list(apart(*shapes))
    else:
        arrays = [sample(s, domain, seed=i) for i, s in enumerate(shapes)]
    out, grads = _run(ddp, fn, arrays)
    t_out, t_grads = _run(torch, fn, arrays)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, t_out, rtol=1e-5, atol=1e-5)
    for g, tg in zip(grads, t_grads):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, tg, rtol=1e-5, atol=1e-5)


def test_hooks_and_accumulation_match_torch():
    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        x.register_hook(lambda g: g * 2)
        h = x * x
        h.register_hook(lambda g: g + 1)
        (h.sum() + x.exp().sum()).backward()
        (x * 3).sum().backward()
        return x.grad.numpy() if lib is ddp else x.grad.numpy()

    np.testing.assert_allclose(run(ddp), run(torch), rtol=1e-6)
