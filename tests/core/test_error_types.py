"""ddp raises PyTorch's exception type for the same bad call: a table run in both libraries (the expected
types are written here, so the ddp half runs without torch)."""
import pytest

import ddp

# name: (bad call taking the library, the exception type both raise)
CASES = {
    # convolution
    "conv2d channels": (lambda L: L.nn.Conv2d(2, 3, 3)(L.zeros(1, 3, 8, 8)), RuntimeError),
    "conv2d input dims": (lambda L: L.nn.Conv2d(2, 3, 3)(L.zeros(2, 8, 8, 8, 1)), RuntimeError),
    "conv2d kernel too big": (lambda L: L.nn.Conv2d(2, 3, 5)(L.zeros(1, 2, 3, 3)), RuntimeError),
    "conv2d stride 0": (lambda L: L.nn.Conv2d(2, 3, 3, stride=0)(L.zeros(1, 2, 5, 5)), RuntimeError),
    "conv2d negative padding": (lambda L: L.nn.Conv2d(2, 3, 3, padding=-1)(L.zeros(1, 2, 5, 5)), RuntimeError),
    "conv2d weight dims": (lambda L: L.nn.functional.conv2d(L.zeros(1, 2, 4, 4), L.zeros(3, 2, 3)), RuntimeError),
    "conv2d bias": (lambda L: L.nn.functional.conv2d(L.zeros(1, 2, 4, 4), L.zeros(3, 2, 3, 3), L.zeros(2)),
                    RuntimeError),
    "conv2d same strided": (lambda L: L.nn.functional.conv2d(L.zeros(1, 2, 5, 5), L.zeros(3, 2, 3, 3), padding="same",
                                                           stride=2), RuntimeError),
    "conv2d padding string": (lambda L: L.nn.functional.conv2d(L.zeros(1, 2, 5, 5), L.zeros(3, 2, 3, 3), padding="x"),
                              RuntimeError),
    "conv1d channels": (lambda L: L.nn.Conv1d(2, 3, 3)(L.zeros(1, 3, 8)), RuntimeError),
    "conv1d kernel too big": (lambda L: L.nn.Conv1d(2, 3, 5)(L.zeros(1, 2, 3)), RuntimeError),
    "conv1d input dims": (lambda L: L.nn.functional.conv1d(L.zeros(5), L.zeros(3, 1, 3)), RuntimeError),
    "conv_transpose2d channels": (lambda L: L.nn.ConvTranspose2d(2, 3, 3)(L.zeros(1, 3, 4, 4)), RuntimeError),
    "Conv2d groups (constructor)": (lambda L: L.nn.Conv2d(4, 6, 3, groups=4), ValueError),
    "Conv2d padding_mode (constructor)": (lambda L: L.nn.Conv2d(2, 3, 3, padding_mode="bad"), ValueError),
    # pooling
    "max_pool2d too small": (lambda L: L.nn.MaxPool2d(2)(L.zeros(1, 1, 1, 1)), RuntimeError),
    "max_pool2d input dims": (lambda L: L.nn.MaxPool2d(2)(L.zeros(4)), RuntimeError),
    "max_pool2d padding": (lambda L: L.nn.MaxPool2d(3, padding=2)(L.zeros(1, 1, 5, 5)), RuntimeError),
    "max_pool2d stride 0": (lambda L: L.nn.MaxPool2d(2, stride=0)(L.zeros(1, 1, 4, 4)), RuntimeError),
    "avg_pool2d too small": (lambda L: L.nn.AvgPool2d(2)(L.zeros(1, 1, 1, 1)), RuntimeError),
    "avg_pool2d padding": (lambda L: L.nn.AvgPool2d(3, padding=2)(L.zeros(1, 1, 5, 5)), RuntimeError),
    "avg_pool2d divisor 0": (lambda L: L.nn.functional.avg_pool2d(L.zeros(1, 1, 4, 4), 2, divisor_override=0),
                             RuntimeError),
    "max_pool1d too small": (lambda L: L.nn.MaxPool1d(2)(L.zeros(1, 1, 1)), RuntimeError),
    "avg_pool1d too small": (lambda L: L.nn.functional.avg_pool1d(L.zeros(1, 1, 1), 2), RuntimeError),
    "adaptive_avg_pool2d dims": (lambda L: L.nn.AdaptiveAvgPool2d(2)(L.zeros(4)), RuntimeError),
    "adaptive_max_pool2d dims": (lambda L: L.nn.AdaptiveMaxPool2d(2)(L.zeros(3)), RuntimeError),
    "adaptive_avg_pool2d output_size": (lambda L: L.nn.functional.adaptive_avg_pool2d(L.zeros(1, 1, 4, 4), (2,)),
                                        RuntimeError),
    "adaptive_avg_pool2d negative": (lambda L: L.nn.functional.adaptive_avg_pool2d(L.zeros(1, 1, 4, 4), -1),
                                     RuntimeError),
    # normalisation, embedding, activations
    "batch_norm running_mean": (lambda L: L.nn.BatchNorm1d(3)(L.zeros(2, 4)), RuntimeError),
    "batch_norm eval without stats": (lambda L: L.nn.functional.batch_norm(L.zeros(2, 3), None, None, training=False),
                                      RuntimeError),
    "batch_norm one value per channel": (lambda L: L.nn.BatchNorm1d(3)(L.zeros(1, 3)), ValueError),
    "layer_norm shape": (lambda L: L.nn.LayerNorm(4)(L.zeros(2, 3)), RuntimeError),
    "layer_norm weight": (lambda L: L.nn.functional.layer_norm(L.zeros(2, 3), (3,), weight=L.zeros(4)), RuntimeError),
    "instance_norm one spatial element": (lambda L: L.nn.InstanceNorm1d(2)(L.zeros(2, 2, 1)), ValueError),
    "embedding float indices": (lambda L: L.nn.Embedding(5, 2)(L.zeros(3)), RuntimeError),
    "embedding out of range": (lambda L: L.nn.Embedding(5, 2)(L.tensor([7])), IndexError),
    "gelu approximate": (lambda L: L.nn.functional.gelu(L.zeros(2), approximate="x"), RuntimeError),
    "dropout p": (lambda L: L.nn.Dropout(1.5), ValueError),
    "pixel_shuffle factor": (lambda L: L.nn.functional.pixel_shuffle(L.zeros(1, 4, 2, 2), 0), RuntimeError),
    "pixel_shuffle channels": (lambda L: L.nn.PixelShuffle(2)(L.zeros(1, 3, 2, 2)), RuntimeError),
    "interpolate both sizes": (lambda L: L.nn.functional.interpolate(L.zeros(1, 1, 2, 2), size=3, scale_factor=2),
                               ValueError),
    "sdpa dropout_p": (lambda L: L.nn.functional.scaled_dot_product_attention(
        L.zeros(2, 3, 4), L.zeros(2, 3, 4), L.zeros(2, 3, 4), dropout_p=2.0), RuntimeError),
    "softmax dim": (lambda L: L.nn.functional.softmax(L.zeros(2, 3), dim=2), IndexError),
    # losses
    "cross_entropy float target": (lambda L: L.nn.CrossEntropyLoss()(L.zeros(2, 3), L.zeros(2)), RuntimeError),
    "cross_entropy class out of range": (lambda L: L.nn.CrossEntropyLoss()(L.zeros(2, 3), L.tensor([0, 5])),
                                         IndexError),
    "cross_entropy batch mismatch": (lambda L: L.nn.CrossEntropyLoss()(L.zeros(2, 3), L.tensor([0, 1, 2])), ValueError),
    "cross_entropy weight": (lambda L: L.nn.functional.cross_entropy(L.zeros(2, 3), L.tensor([0, 1]),
                                                                     weight=L.zeros(4)),
                             RuntimeError),
    "cross_entropy label_smoothing": (lambda L: L.nn.functional.cross_entropy(L.zeros(2, 3), L.tensor([0, 1]),
                                                                              label_smoothing=1.5), RuntimeError),
    "nll_loss target shape": (lambda L: L.nn.functional.nll_loss(L.zeros(2, 3, 4), L.zeros(2, 3, dtype=L.int64)),
                              RuntimeError),
    "mse_loss shapes": (lambda L: L.nn.MSELoss()(L.zeros(2, 3), L.zeros(3, 2)), RuntimeError),
    "l1_loss shapes": (lambda L: L.nn.L1Loss()(L.zeros(2, 3), L.zeros(4)), RuntimeError),
    "mse_loss reduction": (lambda L: L.nn.functional.mse_loss(L.zeros(2), L.zeros(2), reduction="x"), ValueError),
    "bce range": (lambda L: L.nn.BCELoss()(L.full((2,), 2.0), L.zeros(2)), RuntimeError),
    "bce size": (lambda L: L.nn.BCELoss()(L.zeros(2), L.zeros(3)), ValueError),
    "bce_with_logits pos_weight": (lambda L: L.nn.functional.binary_cross_entropy_with_logits(
        L.zeros(2, 3), L.zeros(2, 3), pos_weight=L.zeros(4)), RuntimeError),
    "one_hot class": (lambda L: L.nn.functional.one_hot(L.tensor([3]), 2), RuntimeError),
    # tensor ops
    "add broadcast": (lambda L: L.zeros(2, 3) + L.zeros(4), RuntimeError),
    "mul broadcast": (lambda L: L.zeros(2, 3) * L.zeros(2), RuntimeError),
    "where broadcast": (lambda L: L.where(L.zeros(2, dtype=L.bool), L.zeros(3), L.zeros(2)), RuntimeError),
    "masked_fill broadcast": (lambda L: L.zeros(2, 3).masked_fill(L.zeros(3, 2, dtype=L.bool), 1.0), RuntimeError),
    "div rounding_mode": (lambda L: L.div(L.ones(2), 2, rounding_mode="x"), RuntimeError),
    "clamp without bounds": (lambda L: L.clamp(L.ones(2)), RuntimeError),
    "einsum operands": (lambda L: L.einsum("ij,jk->ik", L.zeros(2, 3)), RuntimeError),
    "einsum sizes": (lambda L: L.einsum("ij,jk->ik", L.zeros(2, 3), L.zeros(4, 2)), RuntimeError),
    "masked_select broadcast": (lambda L: L.zeros(3).masked_select(L.zeros(2, dtype=L.bool)), RuntimeError),
    "allclose broadcast": (lambda L: L.allclose(L.zeros(2), L.zeros(3)), RuntimeError),
    "gather out of range": (lambda L: L.zeros(2, 3).gather(1, L.tensor([[5]])), RuntimeError),
    "matmul shapes": (lambda L: L.zeros(2, 3) @ L.zeros(2, 3), RuntimeError),
    "cat shapes": (lambda L: L.cat([L.zeros(2, 3), L.zeros(2, 4)]), RuntimeError),
    "stack shapes": (lambda L: L.stack([L.zeros(2), L.zeros(3)]), RuntimeError),
    "sum dim": (lambda L: L.zeros(2, 3).sum(dim=2), IndexError),
    "index out of range": (lambda L: L.zeros(2, 3)[5], IndexError),
    "item of many": (lambda L: L.zeros(3).item(), RuntimeError),
    "backward of non-scalar": (lambda L: L.zeros(2, 3, requires_grad=True).backward(), RuntimeError),
    "backward without grad": (lambda L: L.zeros(2).sum().backward(), RuntimeError),
    "topk too many": (lambda L: L.zeros(3).topk(5), RuntimeError),
}

# Where PyTorch checks with `assert` (AssertionError, gone under `python -O`), ddp raises ValueError: an
# error for users, not an invariant (house style); these stay different on purpose.
ASSERTED_IN_TORCH = {
    "MultiheadAttention heads": (lambda L: L.nn.MultiheadAttention(4, 3), ValueError),
    "MultiheadAttention embed dim": (lambda L: L.nn.MultiheadAttention(4, 2)(*[L.zeros(5, 2, 3)] * 3), ValueError),
    "Embedding padding_idx": (lambda L: L.nn.Embedding(5, 2, padding_idx=7), ValueError),
    "Embedding.from_pretrained dims": (lambda L: L.nn.Embedding.from_pretrained(L.zeros(3)), ValueError),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_ddp_raises_pytorchs_type(name):
    call, kind = CASES[name]
    with pytest.raises(Exception) as caught:
        call(ddp)
    assert type(caught.value) is kind, f"ddp raised {type(caught.value).__name__}: {caught.value}"
    assert str(caught.value), "the message must say what was expected and what was given"


@pytest.mark.parametrize("name", sorted(CASES))
def test_torch_raises_the_same_type(name):
    torch = pytest.importorskip("torch")
    call, kind = CASES[name]
    with pytest.raises(Exception) as caught:
        call(torch)
    assert type(caught.value) is kind, f"torch raised {type(caught.value).__name__}: {caught.value}"


@pytest.mark.parametrize("name", sorted(ASSERTED_IN_TORCH))
def test_torch_asserts_become_value_errors(name):
    call, kind = ASSERTED_IN_TORCH[name]
    with pytest.raises(kind):
        call(ddp)
    torch = pytest.importorskip("torch")
    with pytest.raises(AssertionError):
        call(torch)


def test_more_error_types_are_pytorchs():
    with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
        float(ddp.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="only one element tensors"):
        int(ddp.tensor([]))
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        ddp.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        ddp.tensor([2]) ** -1
    a = ddp.zeros(3)
    with pytest.raises(RuntimeError, match=r"shape mismatch: value tensor of shape \[2\]"):
        a[1] = ddp.tensor([5.0, 6.0])
    with pytest.raises(RuntimeError, match="shape mismatch"):
        ddp.zeros(3, 2, requires_grad=True).clone()[0:2] = ddp.tensor([5.0, 6.0, 7.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="einsum"):
        ddp.einsum("ij->ii", ddp.ones(2, 2))
    with pytest.raises(NotImplementedError, match="floating dtype"):
        ddp.randn(4, dtype=ddp.int64)


def test_repeat_interleave_histogram_and_foreach_overloads():
    assert ddp.repeat_interleave(ddp.tensor([1, 3])).tolist() == [0, 1, 1, 1]
    assert ddp.repeat_interleave(ddp.tensor([1, 2]), ddp.tensor([1, 3]), output_size=4).tolist() == [1, 2, 2, 2]
    with pytest.raises(RuntimeError, match="output_size"):
        ddp.tensor([1, 2]).repeat_interleave(2, output_size=3)
    assert ddp.histogram(ddp.tensor([1.0, 2.0, 1.0]), density=True)[0].shape == (100,)
    ts = [ddp.ones(2), ddp.ones(3)]
    assert ddp._foreach_mul_(ts, 2.0) == ts and ts[1].tolist() == [2.0] * 3
    assert isinstance(ddp._foreach_mul(ts, 2.0), tuple) and isinstance(ddp._foreach_norm(ts), tuple)
    assert ddp._foreach_zero_(ts) == ts and ts[0].tolist() == [0.0, 0.0]
