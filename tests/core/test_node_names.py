"""grad_fn names are PyTorch's, so that programs and tutorials that print `loss.grad_fn` or walk
`next_functions` show what PyTorch shows: the names below are PyTorch 2.13's for the same calls (and are
compared with PyTorch itself where it is installed)."""
import numpy as np
import pytest

import ddp


def _calls(lib):
    F = lib.nn.functional
    rng = np.random.default_rng(0)

    def leaf(*shape):
        return lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
    x, w, b, x3 = leaf(4, 3), leaf(2, 3), leaf(2), leaf(2, 4, 3)
    labels, target = lib.tensor([0, 1, 2, 0]), lib.tensor(rng.random((4, 3)).astype(np.float32))
    return {
        "linear": (lambda: F.linear(x, w, b), "AddmmBackward0"),
        "linear_no_bias": (lambda: F.linear(x, w), "MmBackward0"),
        "linear_3d": (lambda: F.linear(x3, w, b), "ViewBackward0"),
        "mm": (lambda: x @ w.t(), "MmBackward0"),
        "bmm": (lambda: lib.bmm(x3, x3.transpose(1, 2)), "BmmBackward0"),
        "mv": (lambda: w @ x[0], "MvBackward0"),
        "dot": (lambda: x[0] @ x[1], "DotBackward0"),
        "select": (lambda: x[0], "SelectBackward0"),
        "slice": (lambda: x[1:], "SliceBackward0"),
        "select_last": (lambda: x[1:, 0], "SelectBackward0"),
        "none": (lambda: x[None], "UnsqueezeBackward0"),
        "advanced": (lambda: x[[0, 1]], "IndexBackward0"),
        "alias": (lambda: x[:, :], "AliasBackward0"),
        "view": (lambda: x.view(12), "ViewBackward0"),
        "unsqueeze": (lambda: x.unsqueeze(0), "UnsqueezeBackward0"),
        "squeeze": (lambda: x[None].squeeze(), "SqueezeBackward0"),
        "squeeze_dim": (lambda: x[None].squeeze(0), "SqueezeBackward1"),
        "t": (lambda: x.t(), "TBackward0"),
        "transpose": (lambda: x.transpose(0, 1), "TransposeBackward0"),
        "permute": (lambda: x3.permute(2, 0, 1), "PermuteBackward0"),
        "conv2d": (lambda: F.conv2d(x3[None], lib.ones(1, 2, 1, 1)), "ConvolutionBackward0"),
        "conv1d": (lambda: F.conv1d(x3, lib.ones(2, 4, 1)), "ConvolutionBackward0"),
        "max_pool2d": (lambda: F.max_pool2d(x3[None], 2), "MaxPool2DWithIndicesBackward0"),
        "avg_pool2d": (lambda: F.avg_pool2d(x3[None], 2), "AvgPool2DBackward0"),
        "layer_norm": (lambda: F.layer_norm(x, (3,)), "NativeLayerNormBackward0"),
        "batch_norm": (lambda: F.batch_norm(x, None, None, training=True), "NativeBatchNormBackward0"),
        "mse_loss": (lambda: F.mse_loss(x, target), "MseLossBackward0"),
        "cross_entropy": (lambda: F.cross_entropy(x, labels), "NllLossBackward0"),
        "bce_with_logits": (lambda: F.binary_cross_entropy_with_logits(x, target),
                            "BinaryCrossEntropyWithLogitsBackward0"),
        "smooth_l1": (lambda: F.smooth_l1_loss(x, target), "SmoothL1LossBackward0"),
        "clamp": (lambda: x.clamp(0, 1), "ClampBackward1"),
        "double": (lambda: x.double(), "ToCopyBackward0"),
        "contiguous": (lambda: x.t().contiguous(), "CloneBackward0"),
        "sum": (lambda: x.sum(), "SumBackward0"),
        "sum_dim": (lambda: x.sum(1), "SumBackward1"),
        "mean_dim": (lambda: x.mean(1), "MeanBackward1"),
        "max": (lambda: x.max(), "MaxBackward1"),
        "max_dim": (lambda: x.max(1)[0], "MaxBackward0"),
        "amax": (lambda: x.amax(1), "AmaxBackward0"),
        "norm": (lambda: x.norm(dim=1), "LinalgVectorNormBackward0"),
        "rsub": (lambda: 1 - x, "RsubBackward1"),
        "topk": (lambda: x.topk(2)[0], "TopkBackward0"),
        "pad": (lambda: F.pad(x, (1, 1)), "ConstantPadNdBackward0"),
        "masked_fill": (lambda: x.masked_fill(x > 0, 0), "MaskedFillBackward0"),
        "triu": (lambda: x.triu(), "TriuBackward0"),
        "flip": (lambda: x.flip(0), "FlipBackward0"),
        "split": (lambda: x.split(2)[0], "SplitBackward0"),
        "unbind": (lambda: x.unbind()[0], "UnbindBackward0"),
        "silu": (lambda: F.silu(x), "SiluBackward0"),
        "cumsum": (lambda: x.cumsum(0), "CumsumBackward0"),
        "logsumexp": (lambda: x.logsumexp(1), "LogsumexpBackward0"),
        "dropout": (lambda: F.dropout(x, 0.5), "MulBackward0"),
        "addmm": (lambda: lib.addmm(b, x, w.t()), "AddmmBackward0"),
        "index_select": (lambda: x.index_select(0, lib.tensor([0, 2])), "IndexSelectBackward0"),
        "add": (lambda: x + x, "AddBackward0"),
        "relu": (lambda: F.relu(x), "ReluBackward0"),
    }


@pytest.mark.parametrize("case", sorted(_calls(ddp)))
def test_node_names_are_pytorchs(case):
    make, name = _calls(ddp)[case]
    node = make().grad_fn
    assert node.name() == name and repr(node).startswith(f"<{name} object at 0x")


def test_node_names_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _calls(ddp), _calls(torch)
    assert {k: type(f().grad_fn).__name__ for k, (f, _) in theirs.items()} == {k: n for k, (_, n) in ours.items()}


def test_the_blitz_prints():
    """The 60-minute blitz walks a loss's graph: MseLoss, then (through ddp's own steps) down to the leaves'
    AccumulateGrad."""
    net = ddp.nn.Linear(3, 2)
    loss = ddp.nn.MSELoss()(net(ddp.ones(4, 3)), ddp.zeros(4, 2))
    assert loss.grad_fn.name() == "MseLossBackward0"
    node, seen = loss.grad_fn, set()
    stack = [node]
    while stack:
        n = stack.pop()
        seen.add(n.name())
        stack.extend(f for f, _ in n.next_functions if f is not None)
    assert {"AddmmBackward0", "AccumulateGrad"} <= seen
