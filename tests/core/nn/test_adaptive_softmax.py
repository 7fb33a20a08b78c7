"""nn.AdaptiveLogSoftmaxWithLoss: with torch's weights copied in, equal (output, loss), gradients, log_prob
and predict; the structure (repr, state-dict keys, hidden sizes), unbatched and empty inputs, a float64
gradcheck, and the errors with torch's types and messages."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
from tests.core.op_helpers import gradcheck

pytestmark = pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")  # torch, for hidden size 0


def _pair(torch, *args, dtype="float64", **kwargs):
    """A torch module and a ddp one holding the same weights."""
    torch.manual_seed(0)
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs).to(getattr(torch, dtype))
    m = nn.AdaptiveLogSoftmaxWithLoss(*args, dtype=getattr(ddp, dtype), **kwargs)
    m.load_state_dict({k: ddp.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return m, tm


CONFIGS = [  # (in_features, n_classes, cutoffs, keyword arguments)
    (8, 20, [3, 9, 14], dict(div_value=2.0, head_bias=True)),
    (16, 30, [10], dict()),
    (6, 7, [1, 2, 3, 4, 5, 6], dict(div_value=1.5)),  # hidden sizes down to 0
]


@pytest.mark.parametrize("in_features, n_classes, cutoffs, kwargs", CONFIGS)
def test_forward_backward_log_prob_predict_match_torch(in_features, n_classes, cutoffs, kwargs):
    torch = pytest.importorskip("torch")
    m, tm = _pair(torch, in_features, n_classes, cutoffs, **kwargs)
    assert list(m.state_dict()) == list(tm.state_dict())
    if " x Sequential" not in repr(tm):  # torch's ModuleList repr folds equal neighbours ("(2-3): 2 x"); ddp's not
        assert repr(m) == repr(tm)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((15, in_features))
    target = rng.integers(0, n_classes, 15)
    target[:2] = [0, n_classes - 1]
    a, t = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(a, ddp.tensor(target)), tm(t, torch.tensor(target))
    assert out._fields == tout._fields == ("output", "loss")
    np.testing.assert_allclose(out.output.detach().numpy(), tout.output.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(out.loss.item(), tout.loss.item(), rtol=1e-12)
    out.loss.backward()
    tout.loss.backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-14)
    for (name, p), (_, tp) in zip(m.named_parameters(), tm.named_parameters()):
        assert (p.grad is None) == (tp.grad is None), name  # a cluster no target falls in gets no gradient
        if p.grad is not None:
                np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=name)
    with torch.no_grad():
        np.testing.assert_allclose(m.log_prob(ddp.tensor(x)).numpy(), tm.log_prob(torch.tensor(x)).numpy(),
                                   rtol=1e-12)
        predicted = m.predict(ddp.tensor(x))
        assert predicted.dtype == np.int64
        np.testing.assert_array_equal(predicted.numpy(), tm.predict(torch.tensor(x)).numpy())


def test_predict_branches_and_argmax_of_log_prob():
    """All in the shortlist, none in it, and mixed: predict is the argmax of log_prob in each case."""
    torch = pytest.importorskip("torch")
    m, tm = _pair(torch, 8, 20, [3, 9], head_bias=True)
    x = np.random.default_rng(1).standard_normal((12, 8))
    for logit, bias in ((0, 50.0), (3, 50.0), (4, 50.0), (0, 0.0)):  # 3, 4: the two cluster logits
        with ddp.no_grad():
            m.head.bias.zero_()
            m.head.bias[logit] = bias
        with torch.no_grad():
            tm.head.bias.copy_(torch.tensor(m.head.bias.numpy()))
        ours = m.predict(ddp.tensor(x)).numpy()
        np.testing.assert_array_equal(ours, tm.predict(torch.tensor(x)).numpy())
        np.testing.assert_array_equal(ours, np.argmax(m.log_prob(ddp.tensor(x)).detach().numpy(), 1))


def test_float32_unbatched_and_empty():
    torch = pytest.importorskip("torch")
    m, tm = _pair(torch, 8, 12, [4, 8], dtype="float32")
    x = np.random.default_rng(2).standard_normal((5, 8)).astype(np.float32)
    out = m(ddp.tensor(x), ddp.tensor(np.array([0, 5, 9, 11, 3])))
    assert out.output.dtype == np.float32 and out.loss.dtype == np.float32
    single, tsingle = m(ddp.tensor(x[0]), ddp.tensor(9)), tm(torch.tensor(x[0]), torch.tensor(9))
    assert single.output.shape == () and single.loss.shape == ()
    np.testing.assert_allclose(single.output.item(), tsingle.output.item(), rtol=1e-6)
    assert m.log_prob(ddp.tensor(x[0])).shape == (12,) and m.predict(ddp.tensor(x[0])).shape == ()
    empty = m(ddp.zeros(0, 8), ddp.tensor(np.zeros(0, dtype=np.int64)))
    assert empty.output.shape == (0,) and np.isnan(empty.loss.item())


def test_hidden_sizes_and_parameters():
    m = nn.AdaptiveLogSoftmaxWithLoss(64, 1000, [100, 500], div_value=4.0)
    assert (m.shortlist_size, m.n_clusters, m.head_size, m.cutoffs) == (100, 2, 102, [100, 500, 1000])
    assert [tuple(p.shape) for p in m.parameters()] == [(102, 64), (16, 64), (400, 16), (4, 64), (500, 4)]
    assert m.head.bias is None and nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5], head_bias=True).head.bias is not None
    m.reset_parameters()


def test_gradcheck():
    m = nn.AdaptiveLogSoftmaxWithLoss(5, 9, [2, 5], div_value=2.0, head_bias=True, dtype=ddp.float64)
    target = ddp.tensor(np.array([0, 3, 8, 6, 1]))
    x = np.random.default_rng(3).standard_normal((5, 5))
    assert gradcheck(lambda a: m(a, target).loss, x)
    assert gradcheck(lambda a: m.log_prob(a), x)


@pytest.mark.parametrize("cutoffs", [[], [3, 3], [0, 3], [3, 10], [6, 3], [2.5]])
def test_bad_cutoffs(cutoffs):
    with pytest.raises(ValueError, match="cutoffs should be a sequence"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs)


@pytest.mark.parametrize("shape, target, match", [
    ((4, 8), [0, 1, 2, 10], r"Target values should be in \[0, 9\], but values in range \[0, 10\] were found"),
    ((4, 8), [0, 1, 2, -1], r"values in range \[-1, 2\]"),
    ((4, 8), [0, 1, 2], "same size in the batch dimension"),
    ((8,), [0, 1, 2, 3], "same size in the batch dimension"),
    ((4, 8), 3, "0D target tensor expects 1D input tensors"),
    ((4, 8), [[3]], "0D or 1D target tensor expected"),
    ((4, 8), [0.0, 1.0, 2.0, 3.0], "integer"),
])
def test_forward_errors_match_torch(shape, target, match):
    torch = pytest.importorskip("torch")
    m, tm = _pair(torch, 8, 10, [3, 6], dtype="float32")
    x = np.zeros(shape, dtype=np.float32)
    with pytest.raises(RuntimeError):
        tm(torch.tensor(x), torch.tensor(target))
    with pytest.raises(RuntimeError, match=match):
        m(ddp.tensor(x), ddp.tensor(np.array(target)))
