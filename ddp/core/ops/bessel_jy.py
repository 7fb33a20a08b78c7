"""Bessel functions of the first and second kind of orders 0 and 1 (J0, J1, Y0, Y1) and the spherical j0, on
numpy arrays, evaluated in float64 (other floating dtypes rounded back).

Cephes' method and published coefficients (S. L. Moshier, Cephes Math Library, j0.c and j1.c): for x <= 5 a
rational function of z = x^2, times (z - r1)(z - r2) with r1, r2 the squares of the first two zeros, so that
the zeros keep their relative accuracy; Y adds (2/pi) log(x) J. For x > 5 Hankel's asymptotic form
sqrt(2 / (pi x)) (P cos(x - phase) -+ (5/x) Q sin(x - phase)), P and Q rational in 25/x^2. The denominators
Cephes evaluates with p1evl carry the leading 1 its tables leave out (PyTorch 2.13 drops it, which costs it
up to ~1e-5 relative for 2 < x < 30; see the tests). Edge values as PyTorch: J and Y are nan at +-inf (the
asymptotic form's cos(inf)); Y is -inf at 0 and nan below it.
"""
import math

import numpy as np

from .bessel_eval import as_float64, p1evl, piecewise, polevl

_TWO_OVER_PI = 2 / math.pi
_SQRT_TWO_OVER_PI = math.sqrt(2 / math.pi)

# J0 and Y0 for x > 5 (Cephes j0.c PP, PQ, QP, QQ; QQ is monic)
_P0N = [7.96936729297347051624e-04, 8.28352392107440799803e-02, 1.23953371646414299388e+00,
        5.44725003058768775090e+00, 8.74716500199817011941e+00, 5.30324038235394892183e+00,
        9.99999999999999997821e-01]
_P0D = [9.24408810558863637013e-04, 8.56288474354474431428e-02, 1.25352743901058953537e+00,
        5.47097740330417105182e+00, 8.76190883237069594232e+00, 5.30605288235394617618e+00,
        1.00000000000000000218e+00]
_Q0N = [-1.13663838898469149931e-02, -1.28252718670509318512e+00, -1.95539544257735972385e+01,
        -9.32060152123768231369e+01, -1.77681167980488050595e+02, -1.47077505154951170175e+02,
        -5.14105326766599330220e+01, -6.05014350600728481186e+00]
_Q0D = [6.43178256118178023184e+01, 8.56430025976980587198e+02, 3.88240183605401609683e+03,
        7.24046774195652478189e+03, 5.93072701187316984827e+03, 2.06209331660327847417e+03,
        2.42005740240291393179e+02]
# J0 for x <= 5 (RP, monic RQ) with the squared zeros DR1, DR2; Y0 for x <= 5 (YP, monic YQ)
_J0N = [-4.79443220978201773821e+09, 1.95617491946556577543e+12, -2.49248344360967716204e+14,
        9.70862251047306323952e+15]
_J0D = [4.99563147152651017219e+02, 1.73785401676374683123e+05, 4.84409658339962045305e+07,
        1.11855537045356834862e+10, 2.11277520115489217587e+12, 3.10518229857422583814e+14,
        3.18121955943204943306e+16, 1.71086294081043136091e+18]
_J0_ZEROS_SQ = (5.78318596294678452118e+00, 3.04712623436620863991e+01)
_Y0N = [1.55924367855235737965e+04, -1.46639295903971606143e+07, 5.43526477051876500413e+09,
        -9.82136065717911466409e+11, 8.75906394395366999549e+13, -3.46628303384729719441e+15,
        4.42733268572569800351e+16, -1.84950800436986690637e+16]
_Y0D = [1.04128353664259848412e+03, 6.26107330137134956842e+05, 2.68919633393814121987e+08,
        8.64002487103935000337e+10, 2.02979612750105546709e+13, 3.17157752842975028269e+15,
        2.50596256172653059228e+17]

# J1 and Y1 for x > 5 (Cephes j1.c PP, PQ, QP, monic QQ)
_P1N = [7.62125616208173112003e-04, 7.31397056940917570436e-02, 1.12719608129684925192e+00,
        5.11207951146807644818e+00, 8.42404590141772420927e+00, 5.21451598682361504063e+00,
        1.00000000000000000254e+00]
_P1D = [5.71323128072548699714e-04, 6.88455908754495404082e-02, 1.10514232634061696926e+00,
        5.07386386128601488557e+00, 8.39985554327604159757e+00, 5.20982848682361821619e+00,
        9.99999999999999997461e-01]
_Q1N = [5.10862594750176621635e-02, 4.98213872951233449420e+00, 7.58238284132545283818e+01,
        3.66779609360150777800e+02, 7.10856304998926107277e+02, 5.97489612400613639965e+02,
        2.11688757100572135698e+02, 2.52070205858023719784e+01]
_Q1D = [7.42373277035675149943e+01, 1.05644886038262816351e+03, 4.98641058337653607651e+03,
        9.56231892404756170795e+03, 7.99704160447350683650e+03, 2.82619278517639096600e+03,
        3.36093607810698293419e+02]
# J1 for x <= 5 (RP, monic RQ) with the squared zeros Z1, Z2; Y1 for x <= 5 (YP, monic YQ)
_J1N = [-8.99971225705559398224e+08, 4.52228297998194034323e+11, -7.27494245221818276015e+13,
        3.68295732863852883286e+15]
_J1D = [6.20836478118054335476e+02, 2.56987256757748830383e+05, 8.35146791431949253037e+07,
        2.21511595479792499675e+10, 4.74914122079991414898e+12, 7.84369607876235854894e+14,
        8.95222336184627338078e+16, 5.32278620332680085395e+18]
_J1_ZEROS_SQ = (1.46819706421238932572e+01, 4.92184563216946036703e+01)
_Y1N = [1.26320474790178026440e+09, -6.47355876379160291031e+11, 1.14509511541823727583e+14,
        -8.12770255501325109621e+15, 2.02439475713594898196e+17, -7.78877196265950026825e+17]
_Y1D = [5.94301592346128195359e+02, 2.35564092943068577943e+05, 7.34811944459721705660e+07,
        1.87601316108706159478e+10, 3.88231277496238566008e+12, 6.20557727146953693363e+14,
        6.87141087355300489866e+16, 3.97270608116560655612e+18]


def _hankel(x, order, second_kind):
    """J_order(x) (or Y_order) for x > 5 by the asymptotic form, whose P and Q are fitted in 25/x^2."""
    pn, pd, qn, qd = (_P0N, _P0D, _Q0N, _Q0D) if order == 0 else (_P1N, _P1D, _Q1N, _Q1D)
    w = 5.0 / x
    u = w * w
    p = polevl(u, pn) / polevl(u, pd)
    q = polevl(u, qn) / p1evl(u, qd)
    phase = x - (math.pi / 4 if order == 0 else 3 * math.pi / 4)
    if second_kind:
        value = p * np.sin(phase) + w * q * np.cos(phase)
    else:
        value = p * np.cos(phase) - w * q * np.sin(phase)
    return value * _SQRT_TWO_OVER_PI / np.sqrt(x)


def _j0_small(x):
    z = x * x
    fitted = (z - _J0_ZEROS_SQ[0]) * (z - _J0_ZEROS_SQ[1]) * polevl(z, _J0N) / p1evl(z, _J0D)
    return np.where(x < 1e-5, 1.0 - z / 4.0, fitted)


def _j1_small(x):
    z = x * x
    return polevl(z, _J1N) / p1evl(z, _J1D) * x * (z - _J1_ZEROS_SQ[0]) * (z - _J1_ZEROS_SQ[1])


def _j0(z):
    ax = np.abs(z)
    small = ax <= 5.0
    return piecewise(ax, [(small, _j0_small), (~small, lambda a: _hankel(a, 0, False))])


def _j1(z):
    ax = np.abs(z)
    small = ax <= 5.0
    magnitude = piecewise(ax, [(small, _j1_small), (~small, lambda a: _hankel(a, 1, False))])
    return np.where(np.signbit(z), -magnitude, magnitude)  # odd, -0 included


def _y_small(x, order):
    z = x * x
    if order == 0:
        return polevl(z, _Y0N) / p1evl(z, _Y0D) + _TWO_OVER_PI * np.log(x) * _j0(x)
    return x * (polevl(z, _Y1N) / p1evl(z, _Y1D)) + _TWO_OVER_PI * (_j1(x) * np.log(x) - 1.0 / x)


def _y(z, order):
    small = (z > 0) & (z <= 5.0)
    far = ~(z <= 5.0) & ~np.isnan(z)
    out = piecewise(z, [(small, lambda a: _y_small(a, order)), (far, lambda a: _hankel(a, order, True))])
    return np.where(z == 0, -np.inf, out)


def j0(x):
    """J_0(x), the Bessel function of the first kind of order 0 (even)."""
    z, dtype = as_float64(x)
    return _j0(z).astype(dtype, copy=False)


def j1(x):
    """J_1(x), the Bessel function of the first kind of order 1 (odd)."""
    z, dtype = as_float64(x)
    return _j1(z).astype(dtype, copy=False)


def y0(x):
    """Y_0(x), the Bessel function of the second kind of order 0: -inf at 0, nan for x < 0."""
    z, dtype = as_float64(x)
    return _y(z, 0).astype(dtype, copy=False)


def y1(x):
    """Y_1(x), the Bessel function of the second kind of order 1: -inf at 0, nan for x < 0."""
    z, dtype = as_float64(x)
    return _y(z, 1).astype(dtype, copy=False)


def spherical_j0(x):
    """j_0(x) = sin(x) / x: its Taylor series to x^12 for |x| < 1/2 (exact to rounding there, and 1 at 0),
    0 at +-inf, as PyTorch."""
    z, dtype = as_float64(x)
    small = np.abs(z) < 0.5
    inf = np.isinf(z)
    taylor = [1.0 / 6227020800.0, -1.0 / 39916800.0, 1.0 / 362880.0, -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0, 1.0]
    out = piecewise(z, [(~small & ~inf, lambda a: np.sin(a) / a), (small, lambda a: polevl(a * a, taylor)),
                        (inf, np.zeros_like)])
    return out.astype(dtype, copy=False)
