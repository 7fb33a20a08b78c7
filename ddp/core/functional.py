"""The public tensor ops (`ddp.exp(x)`, `x.exp()`), gathered from the files that mirror `ops/`.

Each file checks arguments and calls one `Function.apply` (or composes public ops); validation lives there so
that op bodies in `ops/` stay short, and every error names the op, what was expected and what was given.

    elementwise_functional  ops/elementwise.py   arithmetic, comparisons, clamp, where
    math_functional         ops/unary.py         log1p, erf, rounding, atan2, logaddexp, nan_to_num, bitwise
    reduce_functional       ops/reduce.py        sum, mean, nansum, nanmean, max, var, softmax, norms
    scan_functional         ops/scan.py, sort    prod, cumsum, cumprod, logcumsumexp, cummax, cummin, diff,
                                                 sort, topk
    order_functional        ops/order.py, gather median, nanmedian, kthvalue, quantile, nanquantile
    set_functional          numpy sort, runs     unique, unique_consecutive (no derivative)
    linalg_functional       ops/linalg.py        matmul, linear, bmm, baddbmm, outer, einsum
    decomp_functional       ops/linalg_decomp.py inverse, det, logdet, slogdet, cholesky, cholesky_solve; the
                                                 legacy qr, svd, lu, geqrf, orgqr, ormqr; svd/pca_lowrank
                                                 (the rest of the factorisations are in ddp.linalg)
    product_functional      matmul, mul, pad+cat tensordot, kron, cross, cartesian_prod, block_diag
    shape_functional        ops/shape.py         views, joins, splits, indexing
    join_functional         reshape + cat        hstack, vstack, dstack, column_stack, atleast_1d/2d/3d
    index_functional        ops/shape.py         scatter, masked_select, flip, rot90, roll, repeat, tril, diag,
                                                 take_along_dim
    random_functional       numpy generators     bernoulli, multinomial
    query_functional        Tensor attributes    is_tensor, is_floating_point, numel
    broadcast_functional    reshape + expand     broadcast_to, broadcast_tensors, broadcast_shapes, meshgrid
    search_functional       numpy search, sort   searchsorted, bucketize, histc (no derivative)
    distance_functional     ops/distance.py      cdist
    transcendental_functional  ops/trig.py, gamma.py, bessel.py, special_unary.py
                                                 tan, asinh, acosh, atanh, erfc, lgamma, digamma, polygamma, i0,
                                                 sinc, sgn, signbit, deg2rad, frexp
    binary_math_functional  ops/binary_math.py   xlogy, hypot, copysign, fmax, fmin, heaviside, gcd, lcm, ldexp,
                                                 bit shifts, igamma, igammac
    diagonal_functional     ops/diagonal.py      diagonal, diag_embed, diagflat, trace, fill_diagonal_,
                                                 tril_indices, triu_indices
    select_functional       ops/select.py, scatter_reduce.py
                                                 select, take, put, index_copy, index_put, masked_scatter,
                                                 scatter_reduce, index_reduce; with counting_functional's isin,
                                                 bincount, unravel_index, combinations
    split_functional        ops/sliding_windows.py  tensor_split, hsplit, vsplit, dsplit, ravel, moveaxis,
                                                 unfold, sum_to_size
    statistics_functional   composed             cov, corrcoef, mode; with histogram_functional's histogram and
                                                 calculus_functional's trapezoid, cumulative_trapezoid, gradient
    matrix_functional       composed             addmv, addr, chain_matmul, vander, matrix_power, pinverse; with
                                                 norms_functional's dist, renorm, nuclear_norm, frobenius_norm
    window_functional       numpy                hann, hamming, blackman, bartlett and kaiser windows
    stft_functional         composed, ddp.fft    stft, istft (windowed frames, overlap-add)
    complex_views_functional  ops/angle.py,      real, imag, conj, angle, adjoint, absolute, concatenate;
                            ops/complex_views.py view_as_complex, view_as_real, polar, complex
    strided_functional      ops/strided.py       as_strided, as_strided_
"""
from .broadcast_functional import *  # noqa: F401,F403
from .broadcast_functional import __all__ as _broadcast
from .decomp_functional import *  # noqa: F401,F403
from .decomp_functional import __all__ as _decomp
from .distance_functional import *  # noqa: F401,F403
from .distance_functional import __all__ as _distance
from .elementwise_functional import *  # noqa: F401,F403
from .elementwise_functional import __all__ as _elementwise
from .elementwise_functional import _check_broadcast, _tensor  # noqa: F401  (used by the other files)
from .index_functional import *  # noqa: F401,F403
from .index_functional import __all__ as _index
from .join_functional import *  # noqa: F401,F403
from .join_functional import __all__ as _join
from .linalg_functional import *  # noqa: F401,F403
from .linalg_functional import __all__ as _linalg
from .math_functional import *  # noqa: F401,F403
from .math_functional import __all__ as _math
from .order_functional import *  # noqa: F401,F403
from .order_functional import __all__ as _order
from .product_functional import *  # noqa: F401,F403
from .product_functional import __all__ as _product
from .matrix_functional import *  # noqa: F401,F403
from .matrix_functional import __all__ as _matrix
from .query_functional import *  # noqa: F401,F403
from .query_functional import __all__ as _query
from .random_functional import *  # noqa: F401,F403
from .random_functional import __all__ as _random
from .reduce_functional import *  # noqa: F401,F403
from .reduce_functional import __all__ as _reduce
from .scan_functional import *  # noqa: F401,F403
from .scan_functional import __all__ as _scan
from .search_functional import *  # noqa: F401,F403
from .search_functional import __all__ as _search
from .set_functional import *  # noqa: F401,F403
from .set_functional import __all__ as _set
from .transcendental_functional import *  # noqa: F401,F403
from .transcendental_functional import __all__ as _transcendental
from .binary_math_functional import *  # noqa: F401,F403
from .binary_math_functional import __all__ as _binary_math
from .diagonal_functional import *  # noqa: F401,F403
from .diagonal_functional import __all__ as _diagonal
from .select_functional import *  # noqa: F401,F403
from .select_functional import __all__ as _select
from .split_functional import *  # noqa: F401,F403
from .split_functional import __all__ as _split
from .statistics_functional import *  # noqa: F401,F403
from .statistics_functional import __all__ as _statistics
from .window_functional import *  # noqa: F401,F403
from .window_functional import __all__ as _window
from .shape_functional import *  # noqa: F401,F403
from .shape_functional import __all__ as _shape
from .complex_views_functional import *  # noqa: F401,F403
from .complex_views_functional import __all__ as _complex_views
from .stft_functional import *  # noqa: F401,F403
from .stft_functional import __all__ as _stft
from .strided_functional import *  # noqa: F401,F403
from .strided_functional import __all__ as _strided

__all__ = (_elementwise + _math + _reduce + _scan + _set + _linalg + _shape + _index + _random + _query + _broadcast
           + _search + _distance + _join + _order + _product + _matrix + _decomp + _transcendental + _binary_math
           + _diagonal + _select + _split + _statistics + _window + _complex_views + _strided + _stft)
