"""The public tensor ops (`ddp.exp(x)`, `x.exp()`), gathered from the files that mirror `ops/`.

Each file checks arguments and calls one `Function.apply` (or composes public ops); validation lives there so
that op bodies in `ops/` stay short, and every error names the op, what was expected and what was given.

    elementwise_functional  ops/elementwise.py   arithmetic, comparisons, clamp, where
    math_functional         ops/unary.py         log1p, erf, rounding, atan2, logical and bitwise ops
    reduce_functional       ops/reduce.py        sum, mean, max, var, softmax
    scan_functional         ops/scan.py, sort    prod, cumsum, cumprod, sort, topk, norms
    set_functional          numpy sort, runs     unique, unique_consecutive (no derivative)
    linalg_functional       ops/linalg.py        matmul, linear, bmm, baddbmm, outer, einsum
    shape_functional        ops/shape.py         views, joins, splits, indexing
    index_functional        ops/shape.py         scatter, masked_select, flip, roll, repeat, tril, diag
    random_functional       numpy generators     bernoulli, multinomial
"""
from .elementwise_functional import *  # noqa: F401,F403
from .elementwise_functional import __all__ as _elementwise
from .elementwise_functional import _check_broadcast, _tensor  # noqa: F401  (used by the other files)
from .index_functional import *  # noqa: F401,F403
from .index_functional import __all__ as _index
from .linalg_functional import *  # noqa: F401,F403
from .linalg_functional import __all__ as _linalg
from .math_functional import *  # noqa: F401,F403
from .math_functional import __all__ as _math
from .random_functional import *  # noqa: F401,F403
from .random_functional import __all__ as _random
from .reduce_functional import *  # noqa: F401,F403
from .reduce_functional import MinMax  # noqa: F401
from .reduce_functional import __all__ as _reduce
from .scan_functional import *  # noqa: F401,F403
from .scan_functional import __all__ as _scan
from .set_functional import *  # noqa: F401,F403
from .set_functional import __all__ as _set
from .shape_functional import *  # noqa: F401,F403
from .shape_functional import __all__ as _shape

__all__ = _elementwise + _math + _reduce + _scan + _set + _linalg + _shape + _index + _random
