"""`VonMises`: the circular normal law on angles, sampled by Best and Fisher's (1979) rejection method."""
import math

import numpy as np

import ddp

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, draw

_LOG_2PI = math.log(2 * math.pi)


def log_i0(x):
    """log I0(x) for x >= 0, as log(i0e(x)) + x (no overflow for large x)."""
    return ddp.special.i0e(x).log() + x


def log_i1(x):
    """log I1(x) for x > 0, as log(i1e(x)) + x."""
    return ddp.special.i1e(x).log() + x


class VonMises(Distribution):
    """Density exp(k cos(x - loc)) / (2 pi I0(k)) for angles x (loc and values may be any real numbers, read
    modulo 2 pi; draws lie in [-pi, pi)). Not reparameterizable.

    mean and mode are loc; variance is the circular variance 1 - I1(k) / I0(k).

    Args:
        loc: the mean direction, in radians. concentration: k > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: concentration <= 0 (when validating).

    Example:
        >>> theta = VonMises(0.0, ddp.tensor([0.5, 4.0])).sample((100,))
    """

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, loc=self.loc.expand(batch_shape),
                              concentration=self.concentration.expand(batch_shape))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        k = self.concentration
        return 1 - (log_i1(k) - log_i0(k)).exp()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        k = self.concentration
        return k * (value - self.loc).cos() - _LOG_2PI - log_i0(k)

    def sample(self, sample_shape=()):
        """Best-Fisher rejection, vectorised: every round proposes for all elements still waiting.

        Runs in float64 whatever the dtype (float32 rounding stalls the acceptance for k near 1e-4, as
        PyTorch notes)."""
        with ddp.no_grad():
            shape = tuple(self._extended_shape(sample_shape))
            k = self.concentration.detach().to(ddp.float64).expand(shape).numpy()
            angle = _best_fisher(k.reshape(-1)).reshape(shape)
            loc = self.loc.detach().to(ddp.float64)
            x = (ddp.from_numpy(angle) + math.pi + loc) % (2 * math.pi) - math.pi
            return x.to(self.loc.dtype)


def _best_fisher(k):
    """Angles in (-pi, pi) from von Mises(0, k) for a flat float64 array k > 0 (numpy, ddp's generator)."""
    tau = 1 + np.sqrt(1 + 4 * k * k)
    rho = (tau - np.sqrt(2 * tau)) / (2 * k)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(k < 1e-5, 1 / k + k, (1 + rho * rho) / (2 * rho))  # second-order series at small k
    out = np.zeros_like(k)
    waiting = np.arange(k.size)
    while waiting.size:
        u = draw("random", (3, waiting.size), ddp.float64).numpy()
        rw, kw = r[waiting], k[waiting]
        z = np.cos(math.pi * u[0])
        f = (1 + rw * z) / (rw + z)
        c = kw * (rw - f)
        with np.errstate(divide="ignore"):
            accept = (c * (2 - c) - u[1] > 0) | (np.log(c / u[1]) + 1 - c >= 0)
        out[waiting[accept]] = np.sign(u[2][accept] - 0.5) * np.arccos(np.clip(f[accept], -1, 1))
        waiting = waiting[~accept]
    return out
