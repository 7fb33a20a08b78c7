"""The recorded backward of the convolutions, for create_graph=True: each gradient is itself a convolution.

d conv(x, w) / dx is the transposed convolution of g by w, and d/dw is `ConvWeightGrad`, bilinear in x and g;
a transposed convolution's gradients are the same ops the other way round. Every op here can be
differentiated again, so gradients of any order pass through convolutions (a gradient penalty on a CNN
critic, a Hessian-vector product through a conv net). 2-D runs conv.py's kernels, other dims conv_nd.py's.
"""
from ..autograd import Function
from . import conv, conv_nd


def _two_d(w_shape):
    return len(w_shape) == 4


def _conv(x, w, settings):
    """conv(x, w), recorded, without bias."""
    op = conv.Conv2d if _two_d(w.shape) else conv_nd.ConvNd
    return op.apply(x, w, None, **settings)


def _transposed(g, w, x_spatial, settings):
    """The transposed conv of g by w, recorded, sized to the conv input's spatial shape."""
    if _two_d(w.shape):
        return conv.ConvTranspose2d.apply(g, w, None, out_hw=tuple(x_spatial), **settings)
    return conv_nd.ConvTransposeNd.apply(g, w, None, out_shape=tuple(x_spatial), **settings)


def _bias_grad(g):
    return g.sum(dim=(0,) + tuple(range(2, g.ndim)))


def recorded_conv_backward(ctx, g, x, w, x_shape, w_shape, settings):
    """A conv's (gx, gw, gb) in recorded ops. x and w are the forward's arrays, used as constants where the
    input does not require grad (None where the forward kept no copy because no gradient needs it)."""
    needs = ctx.needs_input_grad
    gx = gw = gb = None
    if needs[0]:
        gx = _transposed(g, ctx.operand(1, w), x_shape[2:], settings)
    if needs[1]:
        gw = ConvWeightGrad.apply(ctx.operand(0, x), g, w_shape=w_shape, **settings)
    if len(needs) > 2 and needs[2]:
        gb = _bias_grad(g)
    return gx, gw, gb


def recorded_transpose_backward(ctx, g, x, w, w_shape, settings):
    """A transposed conv's (gx, gw, gb) in recorded ops: the conv of g by w, and the weight gradient of the
    conv that runs from g's space to x's."""
    needs = ctx.needs_input_grad
    gx = gw = gb = None
    if needs[0]:
        gx = _conv(g, ctx.operand(1, w), settings)
    if needs[1]:
        gw = ConvWeightGrad.apply(g, ctx.operand(0, x), w_shape=w_shape, **settings)
    if len(needs) > 2 and needs[2]:
        gb = _bias_grad(g)
    return gx, gw, gb


class ConvWeightGrad(Function):
    """The weight gradient of a convolution of x (N, C, *spatial) whose output gradient is g (N, OC, *out):
    gw = g @ im2col(x)^T. Bilinear: for an upstream G (of w's shape), d/dx is the transposed conv of g by G
    and d/dg the conv of x by G."""

    @staticmethod
    def forward(ctx, x, g, w_shape, stride, padding, dilation, groups):
        needs = ctx.needs_input_grad
        ctx.save_for_backward(x if needs[1] else None, g if needs[0] else None)
        ctx.shapes = (x.shape, g.shape[2:], w_shape)
        ctx.settings = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        xp = conv.pad_into(x, padding)
        if _two_d(w_shape):
            return conv.weight_grad(xp, g, w_shape, stride, dilation, groups)
        cols = conv_nd.columns(xp, w_shape[2:], g.shape[2:], stride, dilation, groups)
        return conv_nd.weight_grad_nd(cols, g, w_shape, groups)

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved_tensors
        x_shape, out_shape, w_shape = ctx.shapes
        stride, padding, dilation, groups = (ctx.settings[k] for k in ("stride", "padding", "dilation", "groups"))
        needs = ctx.needs_input_grad
        gx = gg = None
        if needs[0]:
            if _two_d(w_shape):
                padded = (x_shape[2] + padding[0] + padding[1], x_shape[3] + padding[2] + padding[3])
                gx = conv.input_grad(gw, g, x_shape, padded, out_shape, stride, dilation, padding, groups)
            else:
                gx = conv_nd.input_grad(gw, g, x_shape, out_shape, stride, dilation, padding, groups)
        if needs[1]:
            xp = conv.pad_into(x, padding)
            if _two_d(w_shape):
                gg = conv.conv_forward(xp, gw, None, out_shape, stride, dilation, groups)
            else:
                cols = conv_nd.columns(xp, w_shape[2:], out_shape, stride, dilation, groups)
                gg = conv_nd.conv_forward_nd(cols, gw, None, x_shape[0], out_shape, groups)
        return gx, gg

    @staticmethod
    def differentiable_backward(ctx, gw):
        x, g = ctx.saved_tensors
        x_shape = ctx.shapes[0]
        needs = ctx.needs_input_grad
        gx = _transposed(ctx.operand(1, g), gw, x_shape[2:], ctx.settings) if needs[0] else None
        gg = _conv(ctx.operand(0, x), gw, ctx.settings) if needs[1] else None
        return gx, gg
