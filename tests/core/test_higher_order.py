"""Higher-order gradients (autograd_graph): backward with create_graph=True records a graph of its own.

Every op with a `differentiable_backward` has its second derivatives checked by gradgradcheck (float64,
central differences); the engine's semantics (accumulation into .grad, inputs=, materialize_grads,
is_grads_batched, hooks, a freed graph) are compared with PyTorch where it is installed."""
import numpy as np
import pytest

import ddp
import ddp.nn.functional as F
from ddp.core.gradcheck import GradcheckError

RNG = np.random.default_rng(0)


def t(*shape, low=-1.0, high=1.0, grad=True):
    """A float64 tensor of uniform values, away from 0 when low > 0."""
    return ddp.tensor(RNG.uniform(low, high, shape), dtype=ddp.float64, requires_grad=grad)


def away(*shape, scale=1.0):
    """Values in +-[0.2, 1] * scale: away from the kinks of abs, relu, max and sign, and from 0 for division."""
    return ddp.tensor(RNG.uniform(0.2, 1.0, shape) * RNG.choice([-1.0, 1.0], shape) * scale, dtype=ddp.float64,
                      requires_grad=True)


def distinct(*shape, shift=0.0):
    """A random permutation of well separated values (+ shift): max/min and sorting have no ties."""
    values = RNG.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)) * 0.3 - 1 + shift
    return ddp.tensor(values.reshape(shape), requires_grad=True)


def fixed(*values):
    """A float64 leaf of the given values: for piecewise functions, placed away from their kinks."""
    return ddp.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def well_conditioned(batch, n):
    """A batch of float64 leaves A + 3 I, safely invertible."""
    return ddp.tensor(RNG.standard_normal((batch, n, n)) + 3 * np.eye(n), requires_grad=True)


SPREAD = (-4.2, -2.5, -0.7, -0.3, 0.2, 0.6, 1.7, 3.5)  # clear of the kinks at +-3, +-1, +-0.5, 0 and the integers

LABELS = ddp.tensor(np.array([0, 2, 1, 2]))
INDEX = ddp.tensor(np.array([[0, 2, 1], [1, 1, 0]]))

CASES = {
    # elementwise
    "add-sub-broadcast": (lambda a, b: a + b - a * 0.5, lambda: (t(2, 3), t(3))),
    "mul-div": (lambda a, b: a * b / (b * b + 1), lambda: (t(2, 3), t(2, 3))),
    "pow": (lambda a, b: a ** b, lambda: (t(4, low=0.5, high=2), t(4))),
    "pow-scalar": (lambda a: a ** 3 + a ** 0.5, lambda: (t(4, low=0.5, high=2),)),
    "exp-log-sqrt": (lambda a: a.exp() * a.log() + a.sqrt(), lambda: (t(4, low=0.5, high=2),)),
    "sin-cos-tanh-sigmoid": (lambda a: a.sin() * a.cos() + a.tanh() * a.sigmoid(), lambda: (t(5),)),
    "abs-relu-neg": (lambda a: (a.abs() * a).relu() - a * a.neg(), lambda: (away(6),)),
    "clamp": (lambda a: a.clamp(-0.5, 0.5) * a, lambda: (away(6, scale=0.9),)),
    "maximum-minimum": (lambda a, b: ddp.maximum(a, b) * ddp.minimum(a, b) ** 2, lambda: (distinct(5), distinct(5, shift=0.1))),
    "where": (lambda a, b: ddp.where(a > 0, a * b, b * b), lambda: (away(5), t(5))),
    # activations
    "leaky-relu": (lambda a: F.leaky_relu(a, 0.2) * a, lambda: (fixed(*SPREAD),)),
    "gelu": (lambda a: F.gelu(a) * a, lambda: (t(6, low=-3, high=3),)),
    "gelu-tanh": (lambda a: F.gelu(a, approximate="tanh") * a, lambda: (t(6, low=-3, high=3),)),
    "elu-celu-selu": (lambda a: F.elu(a, 0.7) * F.celu(a, 1.5) + F.selu(a) * a, lambda: (fixed(*SPREAD),)),
    "softplus": (lambda a: F.softplus(a, beta=2.0) * F.softplus(a * 30, threshold=20.0), lambda: (fixed(*SPREAD),)),
    "mish-logsigmoid": (lambda a: F.mish(a) * F.logsigmoid(a), lambda: (t(6, low=-3, high=3),)),
    "softsign-tanhshrink": (lambda a: F.softsign(a) * F.tanhshrink(a), lambda: (fixed(*SPREAD),)),
    "hardtanh-relu6": (lambda a: F.hardtanh(a) * F.relu6(a * 3) * a, lambda: (fixed(*SPREAD),)),
    "hardsigmoid-hardswish": (lambda a: F.hardsigmoid(a) * F.hardswish(a) * a, lambda: (fixed(*SPREAD),)),
    "threshold-shrink": (lambda a: F.threshold(a, 0.1, 20.0) * F.hardshrink(a) * F.softshrink(a) * a,
                         lambda: (fixed(*SPREAD),)),
    "prelu": (lambda a, w: F.prelu(a, w) * a, lambda: (t(2, 3, 2), t(3))),
    "prelu-shared": (lambda a, w: F.prelu(a, w) * a, lambda: (fixed(*SPREAD), t(1))),
    # more elementwise math
    "log1p-expm1": (lambda a: a.log1p() * a.expm1(), lambda: (t(5, low=-0.5, high=1),)),
    "erf-erfinv": (lambda a: a.erf() * a.erfinv(), lambda: (t(5, low=-0.9, high=0.9),)),
    "sinh-cosh": (lambda a: a.sinh() * a.cosh() * a, lambda: (t(5),)),
    "asin-acos-atan": (lambda a: a.asin() * a.acos() + a.atan() * a, lambda: (t(5, low=-0.9, high=0.9),)),
    "exp2-log2-log10": (lambda a: a.exp2() * a.log2() + a.log10() * a, lambda: (t(5, low=0.5, high=2),)),
    "reciprocal": (lambda a: a.reciprocal() * a.reciprocal() * a, lambda: (t(5, low=0.5, high=2),)),
    "floor-sign": (lambda a: a.floor() * a + a.sign() * a * a, lambda: (fixed(*SPREAD),)),
    "xlogy-xlog1py": (lambda x, y: ddp.xlogy(x, y) * x + ddp.special.xlog1py(x, y) * y,
                      lambda: (t(4), t(4, low=0.5, high=2))),
    "hypot-copysign": (lambda a, b: ddp.hypot(a, b) * a + ddp.copysign(a, b) * a * b, lambda: (away(4), away(4))),
    "fmax-fmin": (lambda a, b: ddp.fmax(a, b) * ddp.fmin(a, b) ** 2, lambda: (distinct(5), distinct(5, shift=0.1))),
    "atan2": (lambda a, b: ddp.atan2(a, b) * a, lambda: (t(4), t(4))),
    "nan-to-num": (lambda a: ddp.nan_to_num(a) * a, lambda: (t(4),)),
    "logaddexp": (lambda a, b: ddp.logaddexp(a, b) * ddp.logaddexp2(a, b) * a, lambda: (t(4), t(4))),
    "tan-atanh": (lambda a: a.tan() * a.atanh(), lambda: (t(5, low=-0.9, high=0.9),)),
    "asinh-acosh": (lambda a: a.asinh() * (a + 2).acosh(), lambda: (t(5),)),
    "sinc": (lambda a: ddp.sinc(a) * a, lambda: (t(5, low=-2, high=2),)),
    # reductions
    "sum-mean": (lambda a: a.sum(0) * a.mean(1, keepdim=True), lambda: (t(3, 4),)),
    "max-dim": (lambda a: a.max(dim=1).values * a.sum(1), lambda: (distinct(3, 4),)),
    "max-all": (lambda a: a.max() * a, lambda: (distinct(3, 4),)),
    "amax": (lambda a: a.amax(dim=0) * a[0], lambda: (distinct(3, 4),)),
    "var-std": (lambda a: a.var(dim=1) * a.std(dim=0).sum(), lambda: (t(3, 4),)),
    "logsumexp": (lambda a: a.logsumexp(dim=1) * a[:, 0], lambda: (t(3, 4),)),
    "softmax": (lambda a: a.softmax(dim=1) * a, lambda: (t(3, 4),)),
    "log-softmax": (lambda a: a.log_softmax(dim=0) * a, lambda: (t(3, 4),)),
    "vector-norm-2": (lambda a: ddp.linalg.vector_norm(a, dim=1) * a[:, 0], lambda: (t(3, 4),)),
    "vector-norm-3": (lambda a: ddp.linalg.vector_norm(a, ord=3, dim=1) * a[:, 1], lambda: (away(3, 4),)),
    "vector-norm-1-inf": (lambda a: ddp.linalg.vector_norm(a, ord=1) * ddp.linalg.vector_norm(a, ord=float("inf")),
                          lambda: (distinct(3, 4),)),
    "nanmean": (lambda a: a.nanmean(dim=0) * a[1], lambda: (t(3, 4),)),
    "prod": (lambda a: a.prod(dim=1) * a[:, 0] + a.prod(), lambda: (t(2, 3),)),
    "cumsum": (lambda a: a.cumsum(dim=1) * a, lambda: (t(2, 4),)),
    "cumprod": (lambda a: a.cumprod(dim=1) * a, lambda: (t(2, 4),)),
    "cumprod-with-zero": (lambda a: (a * ddp.tensor([1.0, 0.0, 1.0], dtype=ddp.float64)).cumprod(dim=0) * a,
                          lambda: (t(3),)),
    "logcumsumexp": (lambda a: a.logcumsumexp(dim=1) * a, lambda: (t(2, 4),)),
    # products
    "matmul": (lambda a, b: (a @ b) * (a @ b), lambda: (t(2, 3), t(3, 4))),
    "matmul-batched": (lambda a, b: (a @ b).tanh(), lambda: (t(2, 2, 3), t(3, 2))),
    "linear": (lambda x, w, b: F.linear(x, w, b).tanh(), lambda: (t(2, 3), t(4, 3), t(4))),
    "attention": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v), lambda: (t(1, 3, 2), t(1, 4, 2), t(1, 4, 2))),
    "attention-causal": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                         lambda: (t(1, 3, 2), t(1, 3, 2), t(1, 3, 2))),
    "cdist-2": (lambda a, b: ddp.cdist(a, b), lambda: (t(3, 2), t(4, 2))),
    "cdist-1": (lambda a, b: ddp.cdist(a, b, p=1), lambda: (distinct(3, 2), distinct(4, 2, shift=0.05))),
    "cdist-3": (lambda a, b: ddp.cdist(a, b, p=3), lambda: (distinct(3, 2), distinct(4, 2, shift=0.05))),
    "inv": (lambda a: ddp.linalg.inv(a), lambda: (well_conditioned(2, 3),)),
    "det-slogdet-logdet": (lambda a: ddp.linalg.det(a) * ddp.linalg.slogdet(a)[1] + ddp.logdet(a @ a.mT),
                           lambda: (well_conditioned(2, 3),)),
    "solve": (lambda a, b: ddp.linalg.solve(a, b), lambda: (well_conditioned(2, 3), t(2, 3, 2))),
    "solve-constant-b": (lambda a: ddp.linalg.solve(a, ddp.ones(2, 3, 1, dtype=ddp.float64)), lambda: (well_conditioned(2, 3),)),
    "einsum": (lambda a, b, c: ddp.einsum("ij,jk,kl->il", a, b, c).tanh() * ddp.einsum("bij,bj->bi", a[None], b.mT).sum(),
               lambda: (t(2, 3), t(3, 2), t(2, 2))),
    "einsum-summed-away": (lambda a, b: ddp.einsum("ij,k->k", a, b).tanh(), lambda: (t(2, 3), t(2))),
    # special functions
    "erfc-erfcx-log-ndtr": (lambda x: ddp.special.erfc(x) * ddp.special.erfcx(x) + ddp.special.log_ndtr(x * 3) * x,
                            lambda: (t(4),)),
    "lgamma-digamma-polygamma": (lambda x: ddp.lgamma(x) * ddp.digamma(x) + ddp.polygamma(2, x) * x,
                                 lambda: (t(4, low=0.5, high=3),)),
    "bessel": (lambda x: ddp.special.i0(x) * ddp.special.i0e(x) + ddp.special.i1(x) * ddp.special.i1e(x) * x,
               lambda: (away(4),)),
    "entr": (lambda x: ddp.special.entr(x) * x, lambda: (t(4, low=0.2, high=2),)),
    "pdist": (lambda a: F.pdist(a) * F.pdist(a, p=3) + F.pdist(a, p=1) ** 2, lambda: (distinct(4, 3),)),
    # shapes and indexing
    "reshape-permute-expand": (lambda a: a.reshape(3, 2).permute(1, 0).expand(2, 2, 3) * a.reshape(2, 1, 3),
                               lambda: (t(2, 3),)),
    "contiguous-clone": (lambda a: a.t().contiguous().clone() ** 2, lambda: (t(2, 3),)),
    "cat-stack": (lambda a, b: ddp.cat([a, b * a]) * ddp.stack([a, b]).sum(0).repeat(2, 1), lambda: (t(2, 3), t(2, 3))),
    "index": (lambda a: a[[0, 1, 0], 1:] * a[1:, :2].sum(), lambda: (t(3, 3),)),
    "index-put": (lambda a, v: a.index_put((ddp.tensor([0, 2]),), v) * a, lambda: (t(3, 2), t(2, 2))),
    "gather": (lambda a: a.gather(1, INDEX) * a[:2, :3], lambda: (t(2, 3),)),
    "scatter": (lambda a, s: a.scatter(1, INDEX[:, :2] * 0 + ddp.tensor([[0, 2]]), s) * a, lambda: (t(2, 3), t(2, 2))),
    "scatter-add": (lambda a, s: a.scatter_add(1, INDEX, s) * a, lambda: (t(2, 3), t(2, 3))),
    "pad": (lambda a: F.pad(a, (1, 2)) ** 2, lambda: (t(2, 3),)),
    "scatter-reduce-sum-mean": (lambda a, s: a.scatter_reduce(1, INDEX, s, "sum") ** 2
                                + a.scatter_reduce(1, INDEX, s, "mean", include_self=False) ** 2, lambda: (t(2, 3), t(2, 4))),
    "scatter-reduce-amax-amin": (lambda a, s: a.scatter_reduce(1, INDEX, s, "amax") ** 2
                                 * a.scatter_reduce(1, INDEX, s, "amin", include_self=False),
                                 lambda: (distinct(2, 3), distinct(2, 4, shift=0.1))),
    "pad-reflect-replicate-circular": (lambda a: F.pad(a, (2, 1), mode="reflect") ** 2 * F.pad(a, (1, 2), mode="replicate")
                                       + F.pad(a, (1, 2), mode="circular") ** 2, lambda: (t(1, 2, 5),)),
    "unfold-fold": (lambda x: F.fold(F.unfold(x, 2, padding=1, stride=1) ** 2, (3, 3), 2, padding=1),
                    lambda: (t(1, 2, 3, 3),)),
    "tensor-unfold": (lambda x: x.unfold(1, 3, 2) ** 2, lambda: (t(2, 7),)),
    "masked-scatter": (lambda a, s: a.masked_scatter(ddp.tensor([[True, False, True], [False, True, False]]), s) * a,
                       lambda: (t(2, 3), t(2, 3))),
    "fill": (lambda a, v: a.clone().fill_(v) * a + v * a, lambda: (t(3), t())),
    "median": (lambda a: a.median() * a, lambda: (distinct(7),)),
    "roll": (lambda a: a.roll(1, 1) * a, lambda: (t(2, 3),)),
    "diagonal": (lambda a: a.diagonal(offset=1) * a[0, 1:], lambda: (t(3, 3),)),
    "diagonal-scatter": (lambda a, s: ddp.diagonal_scatter(a, s) * a, lambda: (t(3, 3), t(3))),
    "embedding": (lambda w: F.embedding(INDEX, w) * w[0], lambda: (t(3, 2),)),
    # scale_grad_by_freq is left out: its "gradient" is not a derivative, so neither is its second (as PyTorch)
    "embedding-padding": (lambda w: F.embedding(INDEX, w, padding_idx=1) ** 2, lambda: (t(3, 2),)),
    # convolutions and pooling
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1).tanh(), lambda: (t(2, 2, 5, 5), t(3, 2, 3, 3), t(3))),
    "conv2d-groups-dilation": (lambda x, w: F.conv2d(x, w, groups=2, dilation=2, padding=1).tanh(),
                               lambda: (t(2, 2, 5, 5), t(2, 1, 3, 3))),
    "conv1d": (lambda x, w: F.conv1d(x, w, padding=1).tanh(), lambda: (t(2, 2, 5), t(3, 2, 3))),
    "conv3d": (lambda x, w: F.conv3d(x, w, stride=(1, 2, 2)).tanh(), lambda: (t(1, 2, 3, 4, 4), t(2, 2, 2, 2, 2))),
    "conv-transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1).tanh(),
                         lambda: (t(2, 2, 3, 3), t(2, 3, 3, 3), t(3))),
    "conv-transpose2d-groups": (lambda x, w: F.conv_transpose2d(x, w, groups=2, stride=2).tanh(),
                                lambda: (t(1, 2, 3, 3), t(2, 2, 2, 2))),
    "conv-transpose3d": (lambda x, w: F.conv_transpose3d(x, w, stride=2).tanh(), lambda: (t(1, 2, 2, 2, 2), t(2, 2, 2, 2, 2))),
    "max-pool": (lambda x: F.max_pool2d(x, 2) * x[:, :, :2, :2], lambda: (distinct(2, 2, 4, 4),)),
    "max-pool-overlap-pad-ceil": (lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True) ** 2,
                                  lambda: (distinct(1, 2, 6, 6),)),
    "max-pool-1d-3d": (lambda x: F.max_pool1d(x[0], 2).sum() * F.max_pool3d(x[None], 2),
                       lambda: (distinct(2, 2, 4, 4),)),
    "max-unpool": (lambda x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2) ** 2 * x,
                   lambda: (distinct(1, 2, 4, 4),)),
    "grid-sample": (lambda im, gr: F.grid_sample(im, gr, align_corners=False) ** 2
                    + F.grid_sample(im, gr * 1.3, padding_mode="reflection", align_corners=True) ** 2
                    + F.grid_sample(im, gr * 1.2, padding_mode="border", align_corners=False) ** 2
                    + F.grid_sample(im, gr, mode="nearest", align_corners=False) ** 2,
                    lambda: (t(1, 2, 3, 4), t(1, 2, 3, 2))),
    "avg-pool": (lambda x: F.avg_pool2d(x, 3, stride=2, padding=1) ** 2, lambda: (t(2, 2, 5, 5),)),
    "avg-pool-ceil-exclude-pad": (lambda x: F.avg_pool2d(x, 2, padding=1, ceil_mode=True, count_include_pad=False) ** 2,
                                  lambda: (t(1, 2, 5, 5),)),
    "adaptive-avg-pool": (lambda x: F.adaptive_avg_pool2d(x, (2, 3)) ** 2, lambda: (t(2, 2, 5, 5),)),
    "adaptive-max-pool": (lambda x: F.adaptive_max_pool2d(x, (2, 3)) ** 2, lambda: (distinct(2, 2, 5, 5),)),
    "upsample-nearest": (lambda x: F.interpolate(x, scale_factor=2) ** 2, lambda: (t(1, 2, 3, 3),)),
    "upsample-bilinear": (lambda x: F.interpolate(x, size=(5, 4), mode="bilinear") ** 2, lambda: (t(1, 2, 3, 3),)),
    "upsample-bicubic-aa": (lambda x: F.interpolate(x, size=(2, 2), mode="bicubic", antialias=True) ** 2,
                            lambda: (t(1, 1, 5, 5),)),
    "embedding-bag": (lambda w: F.embedding_bag(ddp.tensor([0, 2, 1, 2, 0]), w, ddp.tensor([0, 2, 2]), mode="mean") ** 2
                      * F.embedding_bag(ddp.tensor([[0, 2], [1, 0]]), w, mode="sum").sum(), lambda: (t(3, 2),)),
    "embedding-bag-max": (lambda w: F.embedding_bag(ddp.tensor([[0, 2], [1, 0]]), w, mode="max") ** 2,
                          lambda: (distinct(3, 2),)),
    # losses
    "cross-entropy": (lambda x: F.cross_entropy(x, LABELS), lambda: (t(4, 3),)),
    "cross-entropy-weight-smooth": (lambda x, w: F.cross_entropy(x, LABELS, weight=w, label_smoothing=0.1),
                                    lambda: (t(4, 3), t(3, low=0.5, high=1.5, grad=False))),
    "cross-entropy-probs": (lambda x, y: F.cross_entropy(x, y.softmax(1)), lambda: (t(4, 3), t(4, 3))),
    "cross-entropy-spatial": (lambda x: F.cross_entropy(x, LABELS.reshape(1, 2, 2) % 3), lambda: (t(1, 3, 2, 2),)),
    "nll": (lambda x: F.nll_loss(x.log_softmax(1), LABELS, reduction="sum"), lambda: (t(4, 3),)),
    "bce-with-logits": (lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=ddp.tensor(
        [2.0, 0.5, 1.0], dtype=ddp.float64)), lambda: (t(2, 3), t(2, 3, low=0, high=1))),
    "bce": (lambda x, y: F.binary_cross_entropy(x.sigmoid(), y), lambda: (t(2, 3), t(2, 3, low=0, high=1))),
    "smooth-l1": (lambda x, y: F.smooth_l1_loss(x, y, beta=0.5), lambda: (away(6), t(6, low=-0.01, high=0.01))),
    "huber": (lambda x, y: F.huber_loss(x, y, delta=0.5, reduction="sum"), lambda: (away(6), t(6, low=-0.01, high=0.01))),
    "kl-div": (lambda x, y: F.kl_div(x.log_softmax(1), y.softmax(1), reduction="batchmean"), lambda: (t(2, 3), t(2, 3))),
    "kl-div-log-target": (lambda x, y: F.kl_div(x, y, reduction="sum", log_target=True), lambda: (t(2, 3), t(2, 3))),
    # normalisation
    "batch-norm-train": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         lambda: (t(4, 3), t(3), t(3))),
    "batch-norm-2d": (lambda x: F.batch_norm(x, None, None, training=True) * x, lambda: (t(2, 2, 2, 2),)),
    "batch-norm-eval": (lambda x, w: F.batch_norm(x, ddp.zeros(3, dtype=ddp.float64), ddp.ones(3, dtype=ddp.float64),
                                                  w, training=False) * x, lambda: (t(4, 3), t(3))),
    "layer-norm": (lambda x, w, b: F.layer_norm(x, (3,), w, b) * x, lambda: (t(2, 3), t(3), t(3))),
    "group-norm": (lambda x, w, b: F.group_norm(x, 2, w, b) * x, lambda: (t(2, 4, 3), t(4), t(4))),
    "rms-norm": (lambda x, w: F.rms_norm(x, (3,), w) * x, lambda: (t(2, 3), t(3))),
    "dropout": (lambda x: _seeded(lambda: F.dropout(x, 0.5)) * x, lambda: (t(2, 3),)),
}


def _seeded(fn):
    ddp.manual_seed(0)
    return fn()


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivatives_match_central_differences(name):
    fn, make = CASES[name]
    assert ddp.autograd.gradgradcheck(fn, make())


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class WrongSquare(ddp.autograd.Function):
        """x^2 whose backward detaches x: right first derivatives, a recorded one missing d/dx."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x.detach()

    x = t(3)
    assert ddp.autograd.gradcheck(WrongSquare.apply, (x,))
    with pytest.raises(GradcheckError):
        ddp.autograd.gradgradcheck(WrongSquare.apply, (x,))


def _mlp(lib, x, w1, w2):
    return (lib.tanh(x @ w1) @ w2).pow(2).sum()


def test_hessian_of_a_tanh_network_matches_torch():
    torch = pytest.importorskip("torch")
    data = [RNG.standard_normal(s) for s in ((4, 3), (3, 5), (5, 2))]
    got = ddp.autograd.functional.hessian(lambda w1, w2: _mlp(ddp, ddp.tensor(data[0]), w1, w2),
                                          tuple(ddp.tensor(d) for d in data[1:]))
    want = torch.autograd.functional.hessian(lambda w1, w2: _mlp(torch, torch.tensor(data[0]), w1, w2),
                                             tuple(torch.tensor(d) for d in data[1:]))
    for row_got, row_want in zip(got, want):
        for a, b in zip(row_got, row_want):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


def _critic_penalty(lib, data):
    """A WGAN-GP critic step through a small conv critic, score plus gradient penalty: the parameter gradients."""
    x, w1, b1, w2, lin = (lib.tensor(d, requires_grad=True) for d in data)
    h = lib.nn.functional.leaky_relu(lib.nn.functional.conv2d(x, w1, b1, stride=2, padding=1), 0.2)
    h = lib.nn.functional.avg_pool2d(lib.nn.functional.conv2d(h, w2, padding=1), 2)
    score = (lib.nn.functional.max_pool2d(h, 2).flatten(1) @ lin).sum()
    (gx,) = lib.autograd.grad(score, x, create_graph=True)
    penalty = ((gx.flatten(1).norm(dim=1) - 1) ** 2).mean()
    (score + 10 * penalty).backward()
    return [p.grad.numpy() for p in (w1, b1, w2, lin)]


def test_conv_critic_gradient_penalty_matches_torch():
    torch = pytest.importorskip("torch")
    data = [RNG.standard_normal(s) for s in ((2, 1, 8, 8), (3, 1, 3, 3), (3,), (2, 3, 3, 3), (2, 1))]
    for got, want in zip(_critic_penalty(ddp, data), _critic_penalty(torch, data)):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


RECURRENT = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {}),
             ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True}), ("GRU", {"bidirectional": True, "bias": False})]


def _recurrent_penalty(lib, kind, kwargs, data):
    """A gradient penalty through a recurrent layer: d/dx of its outputs, then backward through that."""
    m = getattr(lib.nn, kind)(3, 4, **kwargs).double()
    with lib.no_grad():
        for p, d in zip(m.parameters(), data[1:]):
            p.copy_(lib.tensor(d))
    x = lib.tensor(data[0], requires_grad=True)
    out = m(x)[0]
    (gx,) = lib.autograd.grad((out ** 2).sum(), x, create_graph=True)
    ((gx ** 2).sum() + out.sum()).backward()
    return [x.grad.numpy()] + [p.grad.numpy() for p in m.parameters()]


@pytest.mark.parametrize("kind,kwargs", RECURRENT, ids=[f"{k}-{sorted(kw)}" for k, kw in RECURRENT])
def test_recurrent_layers_differentiate_twice_as_torch(kind, kwargs):
    torch = pytest.importorskip("torch")
    shapes = [p.shape for p in getattr(torch.nn, kind)(3, 4, **kwargs).parameters()]
    data = [RNG.standard_normal((5, 2, 3))] + [RNG.standard_normal(s) * 0.5 for s in shapes]
    for got, want in zip(_recurrent_penalty(ddp, kind, kwargs, data), _recurrent_penalty(torch, kind, kwargs, data)):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
def test_recurrent_cells_by_central_differences(cell):
    ddp.manual_seed(0)
    m = getattr(ddp.nn, cell)(3, 4).double()
    assert ddp.autograd.gradgradcheck(lambda x: m(x)[0].tanh() if cell == "LSTMCell" else m(x).tanh(), (t(2, 3),))


def test_a_scan_without_its_input_projection_says_why_it_cannot_differentiate_twice():
    lstm = ddp.nn.LSTM(3, 4).double()
    lstm.weight_ih_l0.requires_grad_(False)
    lstm.bias_ih_l0.requires_grad_(False)
    h0, c0 = t(1, 2, 4), t(1, 2, 4)
    out = lstm(ddp.ones(5, 2, 3, dtype=ddp.float64), (h0, c0))[0]
    with pytest.raises(NotImplementedError, match="input projection"):
        ddp.autograd.grad(out.sum(), h0, create_graph=True)


def test_ops_differentiated_only_once_refuse_create_graph_with_the_reason():
    singular = ddp.tensor(np.ones((2, 2)), requires_grad=True)
    with pytest.raises(NotImplementedError, match="singular"):
        ddp.autograd.grad(ddp.linalg.det(singular), singular, create_graph=True)
    a, s = t(2, 3), t(2, 3)
    with pytest.raises(NotImplementedError, match="prod"):
        ddp.autograd.grad(a.scatter_reduce(1, INDEX, s, "prod").sum(), a, create_graph=True)
    x = t(3, 2)
    with pytest.raises(NotImplementedError, match="CTCLoss|has no differentiable_backward"):
        logp = x.reshape(3, 1, 2).log_softmax(2)
        ddp.autograd.grad(F.ctc_loss(logp, ddp.tensor([[1]]), ddp.tensor([3]), ddp.tensor([1])), x, create_graph=True)


def _maml_meta_gradient(lib, data):
    """MAML's meta-gradient: one inner SGD step with create_graph, then the query loss at the adapted
    weights, differentiated back through the step (inputs given as dict.values(), as MAML code does)."""
    x, y, w1, w2 = data
    net = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1, bias=False)).double()
    with lib.no_grad():
        net[0].weight.copy_(lib.tensor(w1))
        net[0].bias.zero_()
        net[2].weight.copy_(lib.tensor(w2))
    x, y = lib.tensor(x), lib.tensor(y)
    params = dict(net.named_parameters())
    support = lib.nn.functional.mse_loss(lib.func.functional_call(net, params, (x[:4],)), y[:4])
    grads = lib.autograd.grad(support, params.values(), create_graph=True)
    fast = {k: v - 0.5 * g for (k, v), g in zip(params.items(), grads)}
    lib.nn.functional.mse_loss(lib.func.functional_call(net, fast, (x[4:],)), y[4:]).backward()
    return [p.grad.numpy() for p in net.parameters()]


def test_maml_meta_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    data = [RNG.standard_normal(s) for s in ((8, 3), (8, 1), (4, 3), (1, 4))]
    for got, want in zip(_maml_meta_gradient(ddp, data), _maml_meta_gradient(torch, data)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def _engine_run(lib):
    """A gradient penalty's moves: grad with create_graph, backward through it, .grad accumulating."""
    x = lib.tensor([0.3, -0.8, 1.2], dtype=lib.float64, requires_grad=True)
    w = lib.tensor([0.5, 1.5, -0.7], dtype=lib.float64, requires_grad=True)
    y = (lib.tanh(x * w) ** 2).sum()
    (gx,) = lib.autograd.grad(y, x, create_graph=True)
    record = {"gx_has_graph": gx.grad_fn is not None}
    penalty = (gx.norm() - 1) ** 2
    penalty.backward(retain_graph=True)
    record["w.grad"] = w.grad.detach().clone().numpy()
    record["x.grad"] = x.grad.detach().clone().numpy()
    y.backward(create_graph=True)  # .grad now gets a graph of its own, accumulated out of place
    record["x.grad has graph"] = x.grad.grad_fn is not None
    (ggx,) = lib.autograd.grad(x.grad.sum(), w)
    record["d(x.grad)/dw"] = ggx.numpy()
    x.grad = w.grad = None
    y2 = (x.exp() * w).sum()
    y2.backward(inputs=[w])
    record["inputs= leaves x alone"] = x.grad is None
    z = lib.zeros(3, dtype=lib.float64, requires_grad=True)
    (gz,) = lib.autograd.grad((x * x).sum(), z, allow_unused=True, materialize_grads=True)
    record["materialized"] = gz.numpy()
    out = x.sin()
    rows = lib.eye(3, dtype=lib.float64)
    (jac,) = lib.autograd.grad(out, x, rows, is_grads_batched=True)
    record["batched jacobian"] = jac.numpy()
    return record


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")  # torch's reference-cycle note
def test_engine_semantics_match_torch():
    torch = pytest.importorskip("torch")
    got, want = _engine_run(ddp), _engine_run(torch)
    assert list(got) == list(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-12, err_msg=key)


def test_hooks_run_on_the_recorded_gradient():
    x = t(3)
    seen = []
    y = x * 2
    y.register_hook(lambda g: seen.append(g.requires_grad) or g * 3)
    (gx,) = ddp.autograd.grad((y ** 2).sum(), x, create_graph=True)
    assert seen == [True]
    np.testing.assert_allclose(gx.detach().numpy(), 2 * 3 * 2 * 2 * x.detach().numpy())
    (ggx,) = ddp.autograd.grad(gx.sum(), x)  # the hook, still registered on y, triples this pass too
    np.testing.assert_allclose(ggx.numpy(), np.full(3, 72.0))  # as PyTorch


def test_a_freed_graph_refuses_a_second_pass():
    x = t(3)
    y = (x.exp() * x).sum()
    (gx,) = ddp.autograd.grad(y, x, create_graph=True)
    gx.sum().backward()  # the recorded graph is freed after this pass
    with pytest.raises(RuntimeError, match="second time"):
        gx.sum().backward()
