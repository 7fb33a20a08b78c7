"""The recurrent scans of RNN, LSTM and GRU: one `Function` per layer and direction, looping over time in numpy.

The input projection `x @ W_ih^T + b_ih` of every step is computed before the scan by one `linear`, so only
the recurrent product is left in the loop. Fused for speed: slicing step t out of a recorded tensor costs a
full-size gradient per step in backward (quadratic in the length), while these backward passes run
backpropagation through time in place and compute the gradient of W_hh with one product over all steps.

For create_graph=True each scan's recorded backward recomputes its recurrence in Tensor ops (the `_recorded_*`
forms below) and differentiates that: slower, but only paid where gradients are differentiated again.
"""
import numpy as np

from ..autograd import Function
from ..autograd_graph import backward_by_recompute


def _sigmoid(x, out):
    """sigmoid(x) = (1 + tanh(x / 2)) / 2 into `out`: one transcendental, no overflow."""
    np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5


def _steps(length, reverse):
    return range(length - 1, -1, -1) if reverse else range(length)


def _previous(hs, h0, reverse):
    """The hidden state each step read: h0 then hs shifted by one step (in the scan's direction)."""
    prev = np.empty_like(hs)
    if reverse:
        prev[-1], prev[:-1] = h0, hs[1:]
    else:
        prev[0], prev[1:] = h0, hs[:-1]
    return prev


def _weight_grads(ctx, ghw, prev):
    """d/dW_hh = sum over steps of g_t^T h_{t-1} (one product), d/db_hh = sum of g_t, where g_t is the
    gradient of step t's recurrent product h_{t-1} W_hh^T + b_hh."""
    gw = gb = None
    if ctx.needs_input_grad[-2]:
        gw = ghw.reshape(-1, ghw.shape[-1]).T @ prev.reshape(-1, prev.shape[-1])
    if ctx.needs_input_grad[-1]:
        gb = ghw.sum(axis=(0, 1))
    return gw, gb


def _stack(steps):
    from ..shape_functional import stack  # at call time: it imports the nn layer
    return stack(steps)


def _recorded_inputs(ctx, saved, name):
    """The scan's forward arguments for backward_by_recompute: xw (only as recorded: the scan keeps no copy),
    then the saved ones, the constants among them as Tensors."""
    xw = ctx.parents[0]
    if xw is None:
        raise NotImplementedError(f"create_graph=True through {name}: its input projection does not require grad "
                                  "(frozen input weights and a constant input), and the scan keeps no copy of it")
    return [xw] + [None if v is None else ctx.operand(i + 1, v) for i, v in enumerate(saved)]


def _recorded_rnn(xw, h0, w_hh, b_hh, relu, reverse):
    """RNNScan's forward in Tensor ops."""
    hs, h = [None] * len(xw), h0
    for t in _steps(len(xw), reverse):
        pre = xw[t] + h @ w_hh.T
        pre = pre + b_hh if b_hh is not None else pre
        h = hs[t] = pre.relu() if relu else pre.tanh()
    return _stack(hs)


class RNNScan(Function):
    """h_t = act(xw_t + h_{t-1} W_hh^T + b_hh) for every t; returns all h_t, shape (L, N, H).

    Backward: g_pre_t = (g_t + g_pre_{t+1} W_hh) * act'(h_t) is d/dxw_t; W_hh and b_hh sum g_pre over steps.
    """

    @staticmethod
    def forward(ctx, xw, h0, w_hh, b_hh, relu=False, reverse=False):
        hs = np.empty(xw.shape, dtype=xw.dtype)
        h = h0
        for t in _steps(len(xw), reverse):
            pre = xw[t] + h @ w_hh.T
            if b_hh is not None:
                pre += b_hh
            h = hs[t] = np.maximum(pre, 0) if relu else np.tanh(pre)
        ctx.save_for_backward(h0, w_hh, hs)
        ctx.relu, ctx.reverse, ctx.b_hh = relu, reverse, b_hh
        return hs

    @staticmethod
    def backward(ctx, g):
        h0, w_hh, hs = ctx.saved_tensors
        gxw = np.empty_like(hs)
        gh = np.zeros_like(h0)
        for t in _steps(len(hs), not ctx.reverse):
            gh = gh + g[t]
            gpre = gxw[t] = gh * (hs[t] > 0) if ctx.relu else gh * (1 - hs[t] * hs[t])
            gh = gpre @ w_hh
        gw, gb = _weight_grads(ctx, gxw, _previous(hs, h0, ctx.reverse))
        return gxw, gh, gw, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        h0, w_hh, _ = ctx.saved_tensors
        inputs = _recorded_inputs(ctx, (h0, w_hh, ctx.b_hh), "RNN")
        return backward_by_recompute(ctx, g, lambda *a: _recorded_rnn(*a, ctx.relu, ctx.reverse), inputs)


def _lstm_gates(pre, act, hidden):
    """Gates i, f, g, o (views of `act`, written in place) of the pre-activations `pre` (N, 4H)."""
    _sigmoid(pre[:, : 2 * hidden], act[:, : 2 * hidden])
    np.tanh(pre[:, 2 * hidden: 3 * hidden], out=act[:, 2 * hidden: 3 * hidden])
    _sigmoid(pre[:, 3 * hidden:], act[:, 3 * hidden:])
    return np.split(act, 4, axis=1)


def _recorded_lstm(xw, h0, c0, w_hh, b_hh, w_hr, reverse):
    """LSTMScan's forward in Tensor ops: h_t and c_t side by side."""
    from ..shape_functional import cat  # at call time: it imports the nn layer
    hidden = c0.shape[-1]
    hs, cs = [None] * len(xw), [None] * len(xw)
    h, c = h0, c0
    for t in _steps(len(xw), reverse):
        pre = xw[t] + h @ w_hh.T
        pre = pre + b_hh if b_hh is not None else pre
        i, f = pre[:, :hidden].sigmoid(), pre[:, hidden: 2 * hidden].sigmoid()
        gg, o = pre[:, 2 * hidden: 3 * hidden].tanh(), pre[:, 3 * hidden:].sigmoid()
        c = cs[t] = f * c + i * gg
        m = o * c.tanh()
        h = hs[t] = m if w_hr is None else m @ w_hr.T
    return cat([_stack(hs), _stack(cs)], dim=-1)


class LSTMScan(Function):
    """The LSTM recurrence (gates i, f, g, o, in PyTorch's order) over all steps, with LSTM's optional
    projection (proj_size P): h_t = m_t W_hr^T where m_t = o tanh(c_t), or h_t = m_t without w_hr.

    Returns h_t (P, or H) and c_t (H) side by side, shape (L, N, P + H): c is an output so that c_n gets a
    gradient. Backward runs the chain rule of c_t = f c_{t-1} + i g, m_t = o tanh(c_t) and the projection
    back through time: d/dm_t = d/dh_t W_hr, d/dW_hr = sum over steps of (d/dh_t)^T m_t.
    """

    @staticmethod
    def forward(ctx, xw, h0, c0, w_hh, b_hh, w_hr=None, reverse=False):
        length, n, proj, hidden = xw.shape[0], xw.shape[1], h0.shape[-1], c0.shape[-1]
        out = np.empty((length, n, proj + hidden), dtype=xw.dtype)
        gates = np.empty_like(xw)  # activated i, f, g, o of every step
        ms = None if w_hr is None else np.empty((length, n, hidden), dtype=xw.dtype)  # m_t, before projection
        h, c = h0, c0
        for t in _steps(length, reverse):
            pre = xw[t] + h @ w_hh.T
            if b_hh is not None:
                pre += b_hh
            i, f, gg, o = _lstm_gates(pre, gates[t], hidden)
            c = out[t, :, proj:] = f * c + i * gg
            if w_hr is None:
                h = out[t, :, :proj] = o * np.tanh(c)
            else:
                m = ms[t] = o * np.tanh(c)
                h = out[t, :, :proj] = m @ w_hr.T
        ctx.save_for_backward(h0, c0, w_hh, w_hr, out, gates, ms)
        ctx.reverse, ctx.b_hh = reverse, b_hh
        return out

    @staticmethod
    def backward(ctx, g):
        h0, c0, w_hh, w_hr, out, gates, ms = ctx.saved_tensors
        proj, hidden = h0.shape[-1], c0.shape[-1]
        hs, cs = np.ascontiguousarray(out[..., :proj]), np.ascontiguousarray(out[..., proj:])
        prev_c = _previous(cs, c0, ctx.reverse)
        gxw = np.empty_like(gates)
        ghs = None if w_hr is None else np.empty_like(hs)  # the gradient of each h_t, for d/dW_hr
        gh, gc = np.zeros_like(h0), np.zeros_like(c0)
        for t in _steps(len(out), not ctx.reverse):
            gh = gh + g[t, :, :proj]
            if w_hr is None:
                gm = gh
            else:
                ghs[t] = gh
                gm = gh @ w_hr
            i, f, gg, o = np.split(gates[t], 4, axis=1)
            tc = np.tanh(cs[t])
            gc = gc + g[t, :, proj:] + gm * o * (1 - tc * tc)
            d = gxw[t]
            d[:, :hidden] = gc * gg * i * (1 - i)
            d[:, hidden: 2 * hidden] = gc * prev_c[t] * f * (1 - f)
            d[:, 2 * hidden: 3 * hidden] = gc * i * (1 - gg * gg)
            d[:, 3 * hidden:] = gm * tc * o * (1 - o)
            gc = gc * f
            gh = d @ w_hh
        needs = tuple(ctx.needs_input_grad) + (False,) * (6 - len(ctx.needs_input_grad))
        prev = _previous(hs, h0, ctx.reverse)
        gw = gxw.reshape(-1, 4 * hidden).T @ prev.reshape(-1, proj) if needs[3] else None
        gb = gxw.sum(axis=(0, 1)) if needs[4] else None
        gr = ghs.reshape(-1, proj).T @ ms.reshape(-1, hidden) if needs[5] else None
        return (gxw, gh, gc, gw, gb, gr)[:len(ctx.needs_input_grad)]

    @staticmethod
    def differentiable_backward(ctx, g):
        h0, c0, w_hh, w_hr = ctx.saved_tensors[:4]
        inputs = _recorded_inputs(ctx, (h0, c0, w_hh, ctx.b_hh, w_hr), "LSTM")
        forward = lambda *a: _recorded_lstm(*(a + (None,) * (6 - len(a))), ctx.reverse)  # noqa: E731
        return backward_by_recompute(ctx, g, forward, inputs[:len(ctx.needs_input_grad)])


def _recorded_gru(xw, h0, w_hh, b_hh, reverse):
    """GRUScan's forward in Tensor ops."""
    hidden = h0.shape[-1]
    hs, h = [None] * len(xw), h0
    for t in _steps(len(xw), reverse):
        hw = h @ w_hh.T
        hw = hw + b_hh if b_hh is not None else hw
        rz = (xw[t, :, : 2 * hidden] + hw[:, : 2 * hidden]).sigmoid()
        r, z = rz[:, :hidden], rz[:, hidden:]
        n = (xw[t, :, 2 * hidden:] + r * hw[:, 2 * hidden:]).tanh()
        h = hs[t] = n + z * (h - n)
    return _stack(hs)


class GRUScan(Function):
    """The GRU recurrence (gates r, z, n, in PyTorch's order) over all steps; returns all h_t, (L, N, H).

    With hw = h_{t-1} W_hh^T + b_hh: r, z = sigmoid(xw_{r,z} + hw_{r,z}), n = tanh(xw_n + r hw_n) and
    h_t = (1 - z) n + z h_{t-1}. Backward: the chain rule of those four lines, back through time; the
    gradient of hw differs from that of xw only in the n block (multiplied by r).
    """

    @staticmethod
    def forward(ctx, xw, h0, w_hh, b_hh, reverse=False):
        hidden = h0.shape[-1]
        hs = np.empty(xw.shape[:2] + (hidden,), dtype=xw.dtype)
        saved = np.empty(xw.shape[:2] + (4 * hidden,), dtype=xw.dtype)  # r, z, n and hw_n of every step
        h = h0
        for t in _steps(len(xw), reverse):
            hw = h @ w_hh.T
            if b_hh is not None:
                hw += b_hh
            keep = saved[t]
            rz = keep[:, : 2 * hidden]
            np.add(xw[t, :, : 2 * hidden], hw[:, : 2 * hidden], out=rz)
            _sigmoid(rz, rz)
            r, z, n = keep[:, :hidden], keep[:, hidden: 2 * hidden], keep[:, 2 * hidden: 3 * hidden]
            keep[:, 3 * hidden:] = hw[:, 2 * hidden:]
            np.multiply(r, hw[:, 2 * hidden:], out=n)
            n += xw[t, :, 2 * hidden:]
            np.tanh(n, out=n)
            h = hs[t] = n + z * (h - n)
        ctx.save_for_backward(h0, w_hh, hs, saved)
        ctx.reverse, ctx.b_hh = reverse, b_hh
        return hs

    @staticmethod
    def backward(ctx, g):
        h0, w_hh, hs, saved = ctx.saved_tensors
        hidden = h0.shape[-1]
        prev = _previous(hs, h0, ctx.reverse)
        gxw = np.empty(hs.shape[:2] + (3 * hidden,), dtype=hs.dtype)
        ghw = np.empty_like(gxw)
        gh = np.zeros_like(h0)
        for t in _steps(len(hs), not ctx.reverse):
            gh = gh + g[t]
            r, z, n, hwn = np.split(saved[t], 4, axis=1)
            d, dh = gxw[t], ghw[t]
            dn = d[:, 2 * hidden:]
            np.multiply(gh * (1 - z), 1 - n * n, out=dn)
            d[:, :hidden] = dn * hwn * r * (1 - r)
            d[:, hidden: 2 * hidden] = gh * (prev[t] - n) * z * (1 - z)
            dh[:, : 2 * hidden] = d[:, : 2 * hidden]
            np.multiply(dn, r, out=dh[:, 2 * hidden:])
            gh = gh * z + dh @ w_hh
        gw, gb = _weight_grads(ctx, ghw, prev)
        return gxw, gh, gw, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        h0, w_hh = ctx.saved_tensors[:2]
        inputs = _recorded_inputs(ctx, (h0, w_hh, ctx.b_hh), "GRU")
        return backward_by_recompute(ctx, g, lambda *a: _recorded_gru(*a, ctx.reverse), inputs)
