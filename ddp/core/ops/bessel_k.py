"""Modified Bessel functions of the second kind of orders 0 and 1 (K0, K1) and their scaled forms
exp(x) K0(x), exp(x) K1(x), on numpy arrays, evaluated in float64 (other floating dtypes rounded back).

Cephes' method and published Chebyshev coefficients (S. L. Moshier, Cephes Math Library, k0.c and k1.c):
for 0 < x <= 2, K0 = c(x^2 - 2) - log(x/2) I0(x) and K1 = log(x/2) I1(x) + c(x^2 - 2) / x, with I0, I1 from
bessel.py; for x > 2, exp(x) sqrt(x) K is a Chebyshev series in 8/x - 2. As PyTorch: inf at 0 (either
sign), nan for x < 0, 0 at +inf.
"""
import numpy as np

from . import bessel
from .bessel_eval import as_float64, chbevl, piecewise

# Cephes k0.c: A on [0, 2] (in x^2 - 2), B on (2, inf) (in 8/x - 2)
_K0_NEAR = [1.37446543561352307156e-16, 4.25981614279661018399e-14, 1.03496952576338420167e-11,
            1.90451637722020886025e-09, 2.53479107902614945675e-07, 2.28621210311945178607e-05,
            1.26461541144692592338e-03, 3.59799365153615016266e-02, 3.44289899924628486886e-01,
            -5.35327393233902768720e-01]
_K0_FAR = [5.30043377268626276149e-18, -1.64758043015242134646e-17, 5.21039150503902756861e-17,
           -1.67823109680541210385e-16, 5.51205597852431940784e-16, -1.84859337734377901440e-15,
           6.34007647740507060557e-15, -2.22751332699166985548e-14, 8.03289077536357521100e-14,
           -2.98009692317273043925e-13, 1.14034058820847496303e-12, -4.51459788337394416547e-12,
           1.85594911495471785253e-11, -7.95748924447710747776e-11, 3.57739728140030116597e-10,
           -1.69753450938905987466e-09, 8.57403401741422608519e-09, -4.66048989768794782956e-08,
           2.76681363944501510342e-07, -1.83175552271911948767e-06, 1.39498137188764993662e-05,
           -1.28495495816278026384e-04, 1.56988388573005337491e-03, -3.14481013119645005427e-02,
           2.44030308206595545468e+00]
# Cephes k1.c: A on [0, 2], B on (2, inf)
_K1_NEAR = [-7.02386347938628759343e-18, -2.42744985051936593393e-15, -6.66690169419932900609e-13,
            -1.41148839263352776110e-10, -2.21338763073472585583e-08, -2.43340614156596823496e-06,
            -1.73028895751305206302e-04, -6.97572385963986435018e-03, -1.22611180822657148235e-01,
            -3.53155960776544875667e-01, 1.52530022733894777053e+00]
_K1_FAR = [-5.75674448366501715755e-18, 1.79405087314755922667e-17, -5.68946255844285935196e-17,
           1.83809354436663880070e-16, -6.05704724837331885336e-16, 2.03870316562433424052e-15,
           -7.01983709041831346144e-15, 2.47715442448130437068e-14, -8.97670518232499435011e-14,
           3.34841966607842919884e-13, -1.28917396095102890680e-12, 5.13963967348173025100e-12,
           -2.12996783842756842877e-11, 9.21831518760500529508e-11, -4.19035475934189648750e-10,
           2.01504975519703286596e-09, -1.03457624656780970260e-08, 5.74108412545004946722e-08,
           -3.50196060308781257119e-07, 2.40648494783721712015e-06, -1.93619797416608296024e-05,
           1.95215518471351631108e-04, -2.85781685962277938680e-03, 1.03923736576817238437e-01,
           2.72062619048444266945e+00]


def _near(x, order):
    """K_order(x) for 0 < x <= 2."""
    if order == 0:
        return chbevl(x * x - 2.0, _K0_NEAR) - np.log(0.5 * x) * bessel.i0(x)
    return np.log(0.5 * x) * bessel.i1(x) + chbevl(x * x - 2.0, _K1_NEAR) / x


def _far_scaled(x, order):
    """exp(x) K_order(x) for x > 2 (0 at +inf)."""
    return chbevl(8.0 / x - 2.0, _K0_FAR if order == 0 else _K1_FAR) / np.sqrt(x)


def _k(x, order, scaled):
    z, dtype = as_float64(x)
    near = (z > 0) & (z <= 2.0)
    far = z > 2.0
    if scaled:
        pieces = [(near, lambda a: _near(a, order) * np.exp(a)), (far, lambda a: _far_scaled(a, order))]
    else:
        pieces = [(near, lambda a: _near(a, order)), (far, lambda a: np.exp(-a) * _far_scaled(a, order))]
    out = np.where(z == 0, np.inf, piecewise(z, pieces))
    return out.astype(dtype, copy=False)


def k0(x):
    """K_0(x), the modified Bessel function of the second kind of order 0."""
    return _k(x, 0, scaled=False)


def k1(x):
    """K_1(x), the modified Bessel function of the second kind of order 1."""
    return _k(x, 1, scaled=False)


def k0e(x):
    """exp(x) K_0(x), finite where K_0 underflows."""
    return _k(x, 0, scaled=True)


def k1e(x):
    """exp(x) K_1(x), finite where K_1 underflows."""
    return _k(x, 1, scaled=True)
