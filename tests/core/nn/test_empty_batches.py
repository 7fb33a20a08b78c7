"""Every layer takes an empty batch as PyTorch does: shape (0, ...) out, a backward that works, and the
same output shape as torch's where torch is installed."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn

LAYERS = {  # name: (module factory taking the library (ddp or torch), input shape)
    "Linear": (lambda L: L.nn.Linear(4, 3), (0, 4)),
    "Identity": (lambda L: L.nn.Identity(), (0, 4)),
    "Conv1d": (lambda L: L.nn.Conv1d(2, 3, 3), (0, 2, 8)),
    "Conv1d.groups": (lambda L: L.nn.Conv1d(2, 4, 3, groups=2, padding=1), (0, 2, 8)),
    "Conv2d": (lambda L: L.nn.Conv2d(2, 3, 3, padding=1), (0, 2, 8, 8)),
    "Conv2d.stride": (lambda L: L.nn.Conv2d(2, 4, 3, stride=2, groups=2), (0, 2, 8, 8)),
    "Conv2d.reflect": (lambda L: L.nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), (0, 2, 6, 6)),
    "ConvTranspose1d": (lambda L: L.nn.ConvTranspose1d(2, 3, 3, stride=2), (0, 2, 5)),
    "ConvTranspose2d": (lambda L: L.nn.ConvTranspose2d(2, 3, 3, stride=2), (0, 2, 5, 5)),
    "ConvTranspose2d.groups": (lambda L: L.nn.ConvTranspose2d(2, 4, 3, groups=2), (0, 2, 5, 5)),
    "MaxPool1d": (lambda L: L.nn.MaxPool1d(2), (0, 2, 8)),
    "AvgPool1d": (lambda L: L.nn.AvgPool1d(2), (0, 2, 8)),
    "AdaptiveAvgPool1d": (lambda L: L.nn.AdaptiveAvgPool1d(3), (0, 2, 8)),
    "AdaptiveMaxPool1d": (lambda L: L.nn.AdaptiveMaxPool1d(3), (0, 2, 8)),
    "MaxPool2d": (lambda L: L.nn.MaxPool2d(2), (0, 2, 8, 8)),
    "MaxPool2d.stride": (lambda L: L.nn.MaxPool2d(3, stride=2, padding=1), (0, 2, 8, 8)),
    "AvgPool2d": (lambda L: L.nn.AvgPool2d(2), (0, 2, 8, 8)),
    "AdaptiveAvgPool2d": (lambda L: L.nn.AdaptiveAvgPool2d(2), (0, 2, 8, 8)),
    "AdaptiveMaxPool2d": (lambda L: L.nn.AdaptiveMaxPool2d(2), (0, 2, 8, 8)),
    "BatchNorm1d.eval": (lambda L: L.nn.BatchNorm1d(4).eval(), (0, 4)),
    "BatchNorm1d.train": (lambda L: L.nn.BatchNorm1d(4), (0, 4)),
    "BatchNorm2d.train": (lambda L: L.nn.BatchNorm2d(2), (0, 2, 4, 4)),
    "BatchNorm2d.eval": (lambda L: L.nn.BatchNorm2d(2).eval(), (0, 2, 4, 4)),
    "BatchNorm3d.eval": (lambda L: L.nn.BatchNorm3d(2).eval(), (0, 2, 3, 3, 3)),
    "InstanceNorm1d": (lambda L: L.nn.InstanceNorm1d(2), (0, 2, 5)),
    "InstanceNorm2d": (lambda L: L.nn.InstanceNorm2d(2, affine=True), (0, 2, 4, 4)),
    "InstanceNorm3d": (lambda L: L.nn.InstanceNorm3d(2), (0, 2, 3, 3, 3)),
    "LayerNorm": (lambda L: L.nn.LayerNorm(4), (0, 4)),
    "GroupNorm": (lambda L: L.nn.GroupNorm(2, 4), (0, 4, 3)),
    "GroupNorm.2d": (lambda L: L.nn.GroupNorm(2, 4), (0, 4, 3, 3)),
    "LocalResponseNorm": (lambda L: L.nn.LocalResponseNorm(2), (0, 4, 3, 3)),
    "Dropout": (lambda L: L.nn.Dropout(0.5), (0, 4)),
    "Dropout1d": (lambda L: L.nn.Dropout1d(0.5), (0, 2, 4)),
    "Dropout2d": (lambda L: L.nn.Dropout2d(0.5), (0, 2, 4, 4)),
    "Dropout3d": (lambda L: L.nn.Dropout3d(0.5), (0, 2, 3, 3, 3)),
    "AlphaDropout": (lambda L: L.nn.AlphaDropout(0.5), (0, 4)),
    "FeatureAlphaDropout": (lambda L: L.nn.FeatureAlphaDropout(0.5), (0, 2, 4, 4)),
    "RNN": (lambda L: L.nn.RNN(4, 3, batch_first=True), (0, 5, 4)),
    "RNN.2layers.bidirectional": (lambda L: L.nn.RNN(4, 3, 2, bidirectional=True, batch_first=True), (0, 5, 4)),
    "LSTM": (lambda L: L.nn.LSTM(4, 3, batch_first=True), (0, 5, 4)),
    "LSTM.seq_first": (lambda L: L.nn.LSTM(4, 3), (5, 0, 4)),
    "GRU": (lambda L: L.nn.GRU(4, 3, batch_first=True), (0, 5, 4)),
    "RNNCell": (lambda L: L.nn.RNNCell(4, 3), (0, 4)),
    "LSTMCell": (lambda L: L.nn.LSTMCell(4, 3), (0, 4)),
    "GRUCell": (lambda L: L.nn.GRUCell(4, 3), (0, 4)),
    "TransformerEncoderLayer": (lambda L: L.nn.TransformerEncoderLayer(4, 2, 8, batch_first=True), (0, 5, 4)),
    "TransformerEncoderLayer.norm_first": (
        lambda L: L.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, norm_first=True, batch_first=True), (0, 5, 4)),
    "TransformerEncoder": (lambda L: L.nn.TransformerEncoder(
        L.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True), 2), (0, 5, 4)),
    "Upsample": (lambda L: L.nn.Upsample(scale_factor=2), (0, 2, 4, 4)),
    "Upsample.bilinear": (lambda L: L.nn.Upsample(scale_factor=2, mode="bilinear"), (0, 2, 4, 4)),
    "UpsamplingNearest2d": (lambda L: L.nn.UpsamplingNearest2d(size=6), (0, 2, 4, 4)),
    "UpsamplingBilinear2d": (lambda L: L.nn.UpsamplingBilinear2d(scale_factor=2), (0, 2, 4, 4)),
    "PixelShuffle": (lambda L: L.nn.PixelShuffle(2), (0, 4, 4, 4)),
    "PixelUnshuffle": (lambda L: L.nn.PixelUnshuffle(2), (0, 1, 4, 4)),
    "Flatten": (lambda L: L.nn.Flatten(), (0, 2, 4)),
    "Unflatten": (lambda L: L.nn.Unflatten(1, (2, 4)), (0, 8)),
    "ZeroPad1d": (lambda L: L.nn.ZeroPad1d(2), (0, 2, 4)),
    "ZeroPad2d": (lambda L: L.nn.ZeroPad2d(1), (0, 2, 4, 4)),
    "ConstantPad1d": (lambda L: L.nn.ConstantPad1d(2, 3.5), (0, 2, 4)),
    "ConstantPad2d": (lambda L: L.nn.ConstantPad2d((1, 2, 0, 1), 3.5), (0, 2, 4, 4)),
    "ReflectionPad1d": (lambda L: L.nn.ReflectionPad1d(2), (0, 2, 4)),
    "ReflectionPad2d": (lambda L: L.nn.ReflectionPad2d(1), (0, 2, 4, 4)),
    "ReplicationPad1d": (lambda L: L.nn.ReplicationPad1d(2), (0, 2, 4)),
    "ReplicationPad2d": (lambda L: L.nn.ReplicationPad2d(1), (0, 2, 4, 4)),
    "CircularPad1d": (lambda L: L.nn.CircularPad1d(2), (0, 2, 4)),
    "CircularPad2d": (lambda L: L.nn.CircularPad2d(1), (0, 2, 4, 4)),
    "Softmax2d": (lambda L: L.nn.Softmax2d(), (0, 3, 2, 2)),
    "GLU": (lambda L: L.nn.GLU(), (0, 4)),
    "PReLU": (lambda L: L.nn.PReLU(2), (0, 2, 3)),
}

ACTIVATIONS = [  # built with no arguments, run on (0, 4)
    "CELU", "ELU", "GELU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyReLU", "LogSigmoid",
    "LogSoftmax", "Mish", "ReLU", "ReLU6", "SELU", "SiLU", "Sigmoid", "Softmax", "Softmin", "Softplus",
    "Softshrink", "Softsign", "Tanh", "Tanhshrink",
]
LAYERS.update({name: ((lambda L, name=name: getattr(L.nn, name)(dim=1) if name.startswith("Soft")
                       and name.endswith(("max", "min")) or name == "LogSoftmax" else getattr(L.nn, name)()),
                      (0, 4)) for name in ACTIVATIONS})
LAYERS["Threshold"] = (lambda L: L.nn.Threshold(0.1, 20.0), (0, 4))
LAYERS["GELU.tanh"] = (lambda L: L.nn.GELU(approximate="tanh"), (0, 4))

# torch 2.13's own PixelShuffle backward rejects an empty batch (it reshapes the gradient to the wrong
# shape), so only its forward shape is compared; its PixelUnshuffle returns the input's shape (0, 1, 4, 4)
# for an empty batch instead of (0, 4, 2, 2), so ddp keeps the shape rule of non-empty batches there; its
# affine InstanceNorm raises an IndexError on an empty batch, where ddp returns the empty output.
TORCH_BACKWARD_BROKEN = {"PixelShuffle"}
TORCH_FORWARD_BROKEN = {"PixelUnshuffle", "InstanceNorm2d"}


def run(library, name, backward=True):
    make, shape = LAYERS[name]
    module = make(library)
    x = library.zeros(*shape, requires_grad=True)
    out = module(x)
    out = out[0] if isinstance(out, tuple) else out
    if not backward:
        return tuple(out.shape)
    out.sum().backward()
    return tuple(out.shape), tuple(x.grad.shape)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_an_empty_batch_gives_an_empty_output(name):
    out_shape, grad_shape = run(ddp, name)
    batch_dim = 1 if name == "LSTM.seq_first" else 0
    assert out_shape[batch_dim] == 0 and grad_shape == LAYERS[name][1]


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_empty_batch_shapes_match_torch(name):
    torch = pytest.importorskip("torch")
    if name in TORCH_FORWARD_BROKEN:
        pytest.skip("torch's own empty-batch shape is wrong here")
    if name in TORCH_BACKWARD_BROKEN:
        assert run(ddp, name, backward=False) == run(torch, name, backward=False)
    else:
        assert run(ddp, name) == run(torch, name)


# Layers of several inputs: name -> (factory, inputs); an input is a float shape (a leaf that requires grad)
# or ("long", shape, high) for indices, or ("const", shape) for a float input without grad.
MULTI = {
    "MultiheadAttention": (lambda L: L.nn.MultiheadAttention(4, 2, batch_first=True), [(0, 5, 4)] * 3),
    "MultiheadAttention.kdim": (lambda L: L.nn.MultiheadAttention(4, 2, kdim=3, vdim=2, batch_first=True),
                                [(0, 5, 4), (0, 6, 3), (0, 6, 2)]),
    "TransformerDecoderLayer": (lambda L: L.nn.TransformerDecoderLayer(4, 2, 8, batch_first=True),
                                [(0, 5, 4), (0, 6, 4)]),
    "TransformerDecoder": (lambda L: L.nn.TransformerDecoder(L.nn.TransformerDecoderLayer(4, 2, 8, batch_first=True),
                                                             2), [(0, 5, 4), (0, 6, 4)]),
    "Transformer": (lambda L: L.nn.Transformer(4, 2, 1, 1, 8, batch_first=True), [(0, 6, 4), (0, 5, 4)]),
    "CosineSimilarity": (lambda L: L.nn.CosineSimilarity(), [(0, 4), (0, 4)]),
    "PairwiseDistance": (lambda L: L.nn.PairwiseDistance(), [(0, 4), (0, 4)]),
    "Embedding": (lambda L: L.nn.Embedding(10, 3), [("long", (0, 5), 10)]),
    "Embedding.padding_idx": (lambda L: L.nn.Embedding(10, 3, padding_idx=0), [("long", (0,), 10)]),
    "Bilinear": (lambda L: L.nn.Bilinear(4, 3, 2), [(0, 4), (0, 3)]),
    "LSTMCell.state": (lambda L: L.nn.LSTMCell(4, 3), [(0, 4), ((0, 3), (0, 3))]),
    "GRUCell.state": (lambda L: L.nn.GRUCell(4, 3), [(0, 4), (0, 3)]),
}

LOSSES = {  # name -> (extra constructor keywords, inputs as in MULTI)
    "L1Loss": ({}, [(0, 3), (0, 3)]),
    "MSELoss": ({}, [(0, 3), (0, 3)]),
    "SmoothL1Loss": ({}, [(0, 3), (0, 3)]),
    "HuberLoss": ({}, [(0, 3), (0, 3)]),
    "SoftMarginLoss": ({}, [(0, 3), ("const", (0, 3))]),
    "BCELoss": ({}, [(0, 3), (0, 3)]),
    "BCEWithLogitsLoss": ({}, [(0, 3), (0, 3)]),
    "KLDivLoss": ({}, [(0, 3), (0, 3)]),
    "PoissonNLLLoss": ({}, [(0, 3), (0, 3)]),
    "GaussianNLLLoss": ({}, [(0, 3), (0, 3), (0, 3)]),
    "HingeEmbeddingLoss": ({}, [(0, 3), (0, 3)]),
    "MultiLabelSoftMarginLoss": ({}, [(0, 3), (0, 3)]),
    "CrossEntropyLoss": ({}, [(0, 3), ("long", (0,), 3)]),
    "CrossEntropyLoss.smoothing": ({"label_smoothing": 0.1}, [(0, 3), ("long", (0,), 3)]),
    "CrossEntropyLoss.probs": ({}, [(0, 3), (0, 3)]),
    "CrossEntropyLoss.2d": ({}, [(0, 3, 2, 2), ("long", (0, 2, 2), 3)]),
    "NLLLoss": ({}, [(0, 3), ("long", (0,), 3)]),
    "CosineEmbeddingLoss": ({}, [(0, 4), (0, 4), (0,)]),
    "MarginRankingLoss": ({}, [(0,), (0,), (0,)]),
    "TripletMarginLoss": ({}, [(0, 4), (0, 4), (0, 4)]),
}
REDUCTIONS = ("none", "sum", "mean")


def _inputs(library, specs):
    leaves, args = [], []
    for spec in specs:
        if spec and spec[0] == "long":
            args.append(library.zeros(*spec[1], dtype=library.int64))
        elif spec and spec[0] == "const":
            args.append(library.zeros(*spec[1]))
        elif spec and isinstance(spec[0], tuple):  # a tuple of states, e.g. LSTMCell's (h, c)
            states = tuple(library.zeros(*s, requires_grad=True) for s in spec)
            leaves.extend(states)
            args.append(states)
        else:
            leaves.append(library.zeros(*spec, requires_grad=True))
            args.append(leaves[-1])
    return leaves, args


def run_multi(library, module, specs):
    """Output shape, input-gradient shapes, and the value of a 0-d output (nan for a mean of nothing)."""
    leaves, args = _inputs(library, specs)
    out = module(*args)
    out = out[0] if isinstance(out, tuple) else out
    out.sum().backward()
    value = float(out.detach()) if out.ndim == 0 else None
    grads = [tuple(x.grad.shape) if x.grad is not None else None for x in leaves]
    return tuple(out.shape), grads, value


def _same(a, b):
    (sa, ga, va), (sb, gb, vb) = a, b
    assert (sa, ga) == (sb, gb)
    assert (va is None) == (vb is None)
    if va is not None:
        assert np.isnan(va) == np.isnan(vb) and (np.isnan(va) or va == vb), (va, vb)


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multi_input_layers_take_an_empty_batch(name):
    make, specs = MULTI[name]
    shape, grads, _ = run_multi(ddp, make(ddp), specs)
    assert 0 in shape and all(g is None or 0 in g for g in grads)


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multi_input_layers_match_torch(name):
    torch = pytest.importorskip("torch")
    make, specs = MULTI[name]
    _same(run_multi(ddp, make(ddp), specs), run_multi(torch, make(torch), specs))


def _loss(library, name, reduction):
    kwargs, specs = LOSSES[name]
    return getattr(library.nn, name.split(".")[0])(reduction=reduction, **kwargs), specs


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_take_an_empty_batch(name, reduction):
    module, specs = _loss(ddp, name, reduction)
    shape, grads, value = run_multi(ddp, module, specs)
    if reduction == "none":
        assert 0 in shape
    else:
        assert shape == () and (value == 0.0 if reduction == "sum" else value is not None)
    assert all(g is None or 0 in g for g in grads)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_of_an_empty_batch_match_torch(name, reduction):
    torch = pytest.importorskip("torch")
    module, specs = _loss(ddp, name, reduction)
    expected_module, _ = _loss(torch, name, reduction)
    _same(run_multi(ddp, module, specs), run_multi(torch, expected_module, specs))


def test_losses_of_an_empty_batch():
    logits = ddp.zeros(0, 3, requires_grad=True)
    target = ddp.zeros(0, dtype=ddp.int64)
    total = nn.CrossEntropyLoss(reduction="sum")(logits, target)
    total.backward()
    assert float(total) == 0.0 and logits.grad.shape == (0, 3)
    assert np.isnan(float(nn.CrossEntropyLoss()(logits.detach(), target)))  # a mean of nothing, as torch


def test_batch_norm_training_on_an_empty_batch_leaves_the_statistics():
    bn = nn.BatchNorm2d(2)
    bn.running_mean.fill_(0.5)
    x = ddp.zeros(0, 2, 3, 3, requires_grad=True)
    bn(x).sum().backward()
    assert bn.running_mean.tolist() == [0.5, 0.5] and bn.running_var.tolist() == [1.0, 1.0]
    assert int(bn.num_batches_tracked) == 1 and bn.weight.grad.tolist() == [0.0, 0.0]  # as torch


def test_max_and_min_over_a_non_empty_dim_of_an_empty_batch():
    x = ddp.zeros(0, 3, requires_grad=True)
    values, indices = x.max(dim=1)
    assert values.shape == (0,) and indices.shape == (0,) and x.amin(dim=1).shape == (0,)
    values.sum().backward()
    assert x.grad.shape == (0, 3)
    with pytest.raises(IndexError, match=r"max\(\): Expected reduction dim 0 to have non-zero size"):
        x.max(dim=0)
    with pytest.raises(IndexError, match=r"amax\(\): Expected reduction dim 0 to have non-zero size"):
        x.amax(dim=0)
    with pytest.raises(RuntimeError, match="reduction dim to be specified"):
        x.max()
