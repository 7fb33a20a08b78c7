"""PyTorch's CPU sampling kernels, over a Generator's mt19937 words: the numbers `torch.manual_seed(s)` then
`torch.rand`, `randn`, `randint`, `randperm`, `bernoulli_`, `exponential_`, `multinomial`, ... give.

Each function takes the `Generator` to draw from (`random.generator_of`) and returns a numpy array. The
rules, read off PyTorch 2.13's results (tests/core/test_torch_streams.py holds them to PyTorch):

- a float32 (or half) uniform takes one word's low 24 bits, a float64 one a 64-bit number's low 53 bits,
  and `low + u * (high - low)` is rounded once (a fused multiply-add);
- a normal fill of 16 or more contiguous float32 values draws every uniform first, then turns each block
  of 16 into 8 Box-Muller pairs with single-precision Cephes log and sincos (the vectorised kernel; a
  leftover tail redraws the last 16); float64 the same in double precision. Fewer than 16 values, or a
  strided target, take one pair per two samples in double precision and cache the pair's second sample
  in the generator for the next draw;
- integers are a word (or a 64-bit number, for spans of 2**32 or more) modulo the span;
- a permutation is Fisher-Yates, swapping position i with i + word % (n - i);
- bernoulli with a number p compares a 53-bit uniform with p, with a tensor p a uniform of p's precision.

A numpy Generator passed instead (every `generator=` takes one) draws by numpy's algorithms.
"""
import numpy as np

from .fused_math import fma32 as _fma32
from .fused_math import fma64 as _fma64
from .random import Generator

_F32, _F64 = np.float32, np.float64
_TWO_PI32 = _F32(2 * np.pi)
_LOG_POLY = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
             -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)  # Cephes logf
_COS_POLY = (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)  # Cephes cosf, sinf
_SIN_POLY = (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)
_PI4_PARTS = (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)  # -pi/4 in three pieces


def _ours(gen):
    return isinstance(gen, Generator)


def _unit(gen, n, dtype):
    """n uniforms in [0, 1) as PyTorch's uniform_real_distribution: float32 (24 bits) or float64 (53)."""
    if np.dtype(dtype) == _F64:
        return (gen.words64(n) & np.uint64((1 << 53) - 1)) * 2.0**-53
    return ((gen.words(n) & np.uint64(0xFFFFFF)) * _F32(2.0**-24)).astype(_F32)


def _compute_dtype(dtype):
    return _F64 if np.dtype(dtype) == _F64 else _F32


def uniform(gen, shape, dtype, low=0.0, high=1.0):
    """`Tensor.uniform_(low, high)` and `rand`: values in [low, high) of `dtype`."""
    n = int(np.prod(shape, dtype=np.int64))
    if not _ours(gen):
        return gen.uniform(low, high, shape).astype(dtype)
    cdt = _compute_dtype(dtype)
    u = _unit(gen, n, cdt)
    if (low, high) != (0.0, 1.0):
        lo, hi = cdt(low), cdt(high)
        u = _fma32(u, hi - lo, lo) if cdt == _F32 else _fma64(u, hi - lo, lo)
    return u.reshape(shape).astype(dtype, copy=False)


def _log_cephes32(x):
    """Cephes' single-precision log of x in (0, 1], operation by operation as PyTorch's vectorised kernel."""
    bits = x.view(np.uint32)
    e = ((bits >> np.uint32(23)).astype(np.int32) - 0x7F).astype(_F32) + _F32(1)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(_F32)  # mantissa in [0.5, 1)
    small = m < _F32(0.707106781186547524)
    m = (m - _F32(1)) + np.where(small, m, _F32(0))
    e = e - small.astype(_F32)
    z = m * m
    y = np.full_like(m, _F32(_LOG_POLY[0]))
    for c in _LOG_POLY[1:]:
        y = _fma32(y, m, _F32(c))
    y = _fma32(y * m, z, e * _F32(-2.12194440e-4))
    y = y - z * _F32(0.5)
    return (m + y) + e * _F32(0.693359375)


def _sincos_cephes32(x):
    """Cephes' single-precision sine and cosine of x >= 0, as PyTorch's vectorised kernel."""
    j = (x * _F32(1.27323954473516)).astype(np.int32)  # 4 / pi
    j = (j + 1) & ~1
    y = j.astype(_F32)
    for part in _PI4_PARTS:
        x = _fma32(y, _F32(part), x)
    z = x * x
    c = np.full_like(x, _F32(_COS_POLY[0]))
    for k in _COS_POLY[1:]:
        c = c * z + _F32(k)
    c = _fma32(c * z, z, -(z * _F32(0.5))) + _F32(1)
    s = np.full_like(x, _F32(_SIN_POLY[0]))
    for k in _SIN_POLY[1:]:
        s = s * z + _F32(k)
    s = _fma32(s * z, x, x)
    swap = (j & 2) != 0
    sin, cos = np.where(swap, c, s), np.where(swap, s, c)
    sin_sign = ((j & 4) != 0)
    cos_sign = (((j - 2) & 4) == 0)
    return np.where(sin_sign, -sin, sin), np.where(cos_sign, -cos, cos)


def _box_muller_blocks(u, mean, std):
    """Blocks of 16 uniforms (rows) to 16 normals each: pairs (j, j + 8) as PyTorch's normal_fill."""
    u1, u2 = 1 - u[:, :8], u[:, 8:]
    if u.dtype == _F32:
        radius = np.sqrt(_F32(-2) * _log_cephes32(u1))
        sin, cos = _sincos_cephes32(_TWO_PI32 * u2)
        pair = np.concatenate([radius * cos, radius * sin], axis=1)
        return _fma32(pair, _F32(std), _F32(mean))
    radius = np.sqrt(-2 * np.log(u1))
    theta = 2 * np.pi * u2
    return np.concatenate([radius * np.cos(theta), radius * np.sin(theta)], axis=1) * std + mean


def _normal_pairs(gen, n, mean, std):
    """n float64 normals from PyTorch's scalar normal_distribution<double>, whose second sample is cached."""
    out = np.empty(n)
    start = 0
    if n and gen.normal_cache is not None:
        out[0], gen.normal_cache, start = gen.normal_cache * std + mean, None, 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = _unit(gen, 2 * pairs, _F64).reshape(pairs, 2)
        radius = np.sqrt(-2.0 * np.log1p(-u[:, 1]))
        theta = 2.0 * np.pi * u[:, 0]
        cos, sin = radius * np.cos(theta), radius * np.sin(theta)
        both = np.stack([cos * std + mean, sin * std + mean], axis=1).reshape(-1)
        out[start:] = both[:n - start]
        if (n - start) % 2:
            gen.normal_cache = sin[-1]
    return out


def normal(gen, shape, dtype, mean=0.0, std=1.0, contiguous=True):
    """`Tensor.normal_(mean, std)` and `randn`: normal samples of `dtype` in `shape`."""
    n = int(np.prod(shape, dtype=np.int64))
    if not _ours(gen):
        return gen.normal(mean, std, shape).astype(dtype)
    if n < 16 or not contiguous:
        return _normal_pairs(gen, n, float(mean), float(std)).reshape(shape).astype(dtype)
    cdt = _compute_dtype(dtype)
    u = _unit(gen, n, cdt)
    head = n - n % 16
    u[:head] = _box_muller_blocks(u[:head].reshape(-1, 16), mean, std).reshape(-1)
    if n % 16:  # the tail redraws the last 16 (overwriting part of the last block) and transforms them
        u[n - 16:] = _box_muller_blocks(_unit(gen, 16, cdt).reshape(1, 16), mean, std).reshape(-1)
    return u.reshape(shape).astype(dtype, copy=False)


def offsets(gen, shape, span):
    """Integers in [0, span) (uint64): a word modulo span, or a 64-bit number for spans of 2**32 or more."""
    if not _ours(gen):
        return gen.integers(0, span, size=shape, dtype=np.uint64)
    n = int(np.prod(shape, dtype=np.int64))
    if span >= 2**64:  # the whole 64-bit range: the number itself
        return gen.words64(n).reshape(shape)
    words = gen.words64(n) if span >= 2**32 else gen.words(n)
    return (words % np.uint64(span)).reshape(shape)


def integers(gen, shape, low, high, dtype=np.int64):
    """`randint(low, high)`: integers in [low, high)."""
    low, high = int(low), int(high)
    if not _ours(gen):
        return gen.integers(low, high, size=shape, dtype=np.int64).astype(dtype, copy=False)
    values = offsets(gen, shape, high - low).astype(np.int64) + np.int64(low)
    return values.astype(dtype, copy=False)


def permutation(gen, n):
    """`randperm(n)`: Fisher-Yates, swapping i with i + word % (n - i), as PyTorch's CPU kernel."""
    if not _ours(gen):
        return gen.permutation(n)
    if n < 2:
        return np.arange(n, dtype=np.int64)
    steps = (gen.words(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
    order = list(range(n))
    for i, z in enumerate(steps):
        j = i + z
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


def bernoulli(gen, shape, p):
    """`bernoulli_(p)`: a bool array, True with probability p (a number, or an array broadcast to shape)."""
    if not _ours(gen):
        return gen.random(shape) < p
    n = int(np.prod(shape, dtype=np.int64))
    if np.ndim(p) == 0 and not isinstance(p, np.ndarray):
        return (_unit(gen, n, _F64) < float(p)).reshape(shape)
    p = np.broadcast_to(p, shape)
    return _unit(gen, n, _compute_dtype(p.dtype)).reshape(shape) < p


def dropout_mask(gen, shape, p, dtype):
    """PyTorch's dropout noise: bernoulli(1 - p) samples divided by 1 - p, in `dtype` (zeros for p = 1)."""
    dtype = np.dtype(dtype)
    if p >= 1:
        return np.zeros(shape, dtype)
    return bernoulli(gen, shape, 1 - p).astype(dtype) / dtype.type(1 - p)


def exponential(gen, shape, dtype, rate=1.0):
    """`exponential_(rate)`: -log(1 - u) / rate from 53-bit uniforms."""
    if not _ours(gen):
        return gen.exponential(1.0 / rate, shape).astype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    return (-1.0 / rate * np.log1p(-_unit(gen, n, _F64))).reshape(shape).astype(dtype)


def cauchy(gen, shape, dtype, median=0.0, sigma=1.0):
    """`cauchy_(median, sigma)`: median + sigma * tan(pi (u - 1/2))."""
    if not _ours(gen):
        return (median + sigma * gen.standard_cauchy(shape)).astype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    return (median + sigma * np.tan(np.pi * (_unit(gen, n, _F64) - 0.5))).reshape(shape).astype(dtype)


def log_normal(gen, shape, dtype, mean=1.0, std=2.0):
    """`log_normal_(mean, std)`: exp of PyTorch's scalar normal samples (pairs, cached)."""
    if not _ours(gen):
        return gen.lognormal(mean, std, shape).astype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    return np.exp(_normal_pairs(gen, n, float(mean), float(std))).reshape(shape).astype(dtype)


def geometric(gen, shape, dtype, p):
    """`geometric_(p)`: the number of Bernoulli(p) trials up to the first success, ceil(log u / log(1 - p))."""
    if not _ours(gen):
        return gen.geometric(p, shape).astype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    with np.errstate(divide="ignore"):
        return np.ceil(np.log(_unit(gen, n, _F64)) / np.log1p(-p)).reshape(shape).astype(dtype)
