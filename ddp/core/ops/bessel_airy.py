"""The Airy function Ai(x), a solution of y'' = x y and a Bessel function of order 1/3 in disguise
(Ai(x) = sqrt(x/3) K_{1/3}(2/3 x^1.5) / pi), on numpy arrays, evaluated in float64.

Cephes' method and published coefficients (S. L. Moshier, Cephes Math Library, airy.c): for -2.09 <= x < 2.09
the Maclaurin series Ai = c1 f(x) - c2 g(x) (DLMF 9.4.1); for x >= 2.09 the decaying asymptotic form
exp(-zeta) / (2 sqrt(pi) x^(1/4)) R(1/zeta), zeta = 2/3 x^1.5, R rational; for x < -2.09 the oscillating form
(sin(zeta + pi/4) (1 + F(1/zeta^2)) - cos(zeta + pi/4) G(1/zeta)) / (sqrt(pi) |x|^(1/4)) (DLMF 9.7.9), F and G
rational. The denominators Cephes evaluates with p1evl carry the leading 1 its tables leave out (PyTorch
2.13 drops it, which costs it up to ~1e-5 relative for -5 < x < -2.09). As PyTorch: nan at +-inf, 0 above
x = 103.892 (where Ai underflows to subnormals).
"""
import math

import numpy as np

from .bessel_eval import as_float64, p1evl, piecewise, polevl

_INV_SQRT_PI = 1 / math.sqrt(math.pi)
_C1, _C2 = 0.355028053887817239260, 0.258819403792806798405  # Ai(0) and -Ai'(0) (DLMF 9.2.3, 9.2.4)
_ZERO_ABOVE = 103.892

_AN = [3.46538101525629032477e-01, 1.20075952739645805542e+01, 7.62796053615234516538e+01,
       1.68089224934630576269e+02, 1.59756391350164413639e+02, 7.05360906840444183113e+01,
       1.40264691163389668864e+01, 9.99999999999999995305e-01]
_AD = [5.67594532638770212846e-01, 1.47562562584847203173e+01, 8.45138970141474626562e+01,
       1.77318088145400459522e+02, 1.64234692871529701831e+02, 7.14778400825575695274e+01,
       1.40959135607834029598e+01, 1.00000000000000000470e+00]
_AFN = [-1.31696323418331795333e-01, -6.26456544431912369773e-01, -6.93158036036933542233e-01,
        -2.79779981545119124951e-01, -4.91900132609500318020e-02, -4.06265923594885404393e-03,
        -1.59276496239262096340e-04, -2.77649108155232920844e-06, -1.67787698489114633780e-08]
_AFD = [1.33560420706553243746e+01, 3.26825032795224613948e+01, 2.67367040941499554804e+01,
        9.18707402907259625840e+00, 1.47529146771666414581e+00, 1.15687173795188044134e-01,
        4.40291641615211203805e-03, 7.54720348287414296618e-05, 4.51850092970580378464e-07]
_AGN = [1.97339932091685679179e-02, 3.91103029615688277255e-01, 1.06579897599595591108e+00,
        9.39169229816650230044e-01, 3.51465656105547619242e-01, 6.33888919628925490927e-02,
        5.85804113048388458567e-03, 2.82851600836737019778e-04, 6.98793669997260967291e-06,
        8.11789239554389293311e-08, 3.41551784765923618484e-10]
_AGD = [9.30892908077441974853e+00, 1.98352928718312140417e+01, 1.55646628932864612953e+01,
        5.47686069422975497931e+00, 9.54293611618961883998e-01, 8.64580826352392193095e-02,
        4.12656523824222607191e-03, 1.01259085116509135510e-04, 1.17166733214413521882e-06,
        4.91834570062930015649e-09]


def _oscillating(x):
    """Ai(x) for x < -2.09."""
    zeta = -2.0 * x * np.sqrt(-x) / 3.0
    z = 1.0 / zeta
    zz = z * z
    f = 1.0 + zz * polevl(zz, _AFN) / p1evl(zz, _AFD)
    g = z * polevl(zz, _AGN) / p1evl(zz, _AGD)
    theta = zeta + math.pi / 4
    return _INV_SQRT_PI / np.sqrt(np.sqrt(-x)) * (np.sin(theta) * f - np.cos(theta) * g)


def _decaying(x):
    """Ai(x) for x >= 2.09: exp(-zeta) kept apart from the rest, so nothing overflows before Ai underflows."""
    zeta = 2.0 * x * np.sqrt(x) / 3.0
    u = 1.0 / zeta
    return _INV_SQRT_PI * (polevl(u, _AN) / polevl(u, _AD)) / (2.0 * np.sqrt(np.sqrt(x))) * np.exp(-zeta)


def _maclaurin(x):
    """Ai(x) for |x| < 2.09: f = sum 3^k (1/3)_k x^3k / (3k)!, g = sum 3^k (2/3)_k x^(3k+1) / (3k+1)!, each term
    the last times x^3 / ((3k-1) 3k) or x^3 / (3k (3k+1)); an element stops once its f-term is below eps."""
    cube = x * x * x
    f, g = np.ones_like(x), x.copy()
    fterm, gterm = np.ones_like(x), x.copy()
    active = np.ones(x.shape, dtype=bool)
    for k in range(1, 60):  # |x| < 2.09 needs about 15
        n = 3.0 * k
        fterm = fterm * cube / ((n - 1) * n)
        gterm = gterm * cube / (n * (n + 1))
        f = np.where(active, f + fterm, f)
        g = np.where(active, g + gterm, g)
        active &= np.abs(fterm / f) > np.finfo(np.float64).eps
        if not active.any():
            break
    return _C1 * f - _C2 * g


def airy_ai(x):
    """Ai(x), the Airy function of the first kind."""
    z, dtype = as_float64(x)
    finite = np.isfinite(z)
    pieces = [(finite & (z < -2.09), _oscillating), ((z >= -2.09) & (z < 2.09), _maclaurin),
              (finite & (z >= 2.09), _decaying), (finite & (z > _ZERO_ABOVE), np.zeros_like)]
    return piecewise(z, pieces).astype(dtype, copy=False)
