"""`Gamma` (shape and rate) and `Chi2`, reparameterizable through the implicit gradient of gamma draws."""
import ddp

from . import constraints
from .distribution import Distribution
from .gamma_reparam import gammainc, standard_gamma
from .utils import broadcast_all


class Gamma(Distribution):
    """Density r^c x^(c - 1) e^(-r x) / Gamma(c) on x >= 0 (c = concentration, r = rate).

    rsample is exact: a draw x of Gamma(c, 1) moves with c by dx/dc = -(dF/dc) / f along its quantile, and
    that derivative is computed to double precision (see `gamma_reparam`); the rate enters as x / r.

    Args:
        concentration: the shape c > 0. rate: the inverse scale r > 0.
        validate_args: see `Distribution`.
    Raises:
        ValueError: a parameter <= 0 (when validating).

    Example:
        >>> z = Gamma(alpha, beta).rsample((8,))   # gradients reach alpha and beta
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(batch_shape, concentration=self.concentration.expand(batch_shape),
                              rate=self.rate.expand(batch_shape))

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()):
        return standard_gamma(self.concentration, self._extended_shape(sample_shape)) / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c, r = self.concentration, self.rate
        return ddp.xlogy(c, r) + ddp.xlogy(c - 1, value) - r * value - ddp.lgamma(c)

    def cdf(self, value):
        """P(c, r x), the regularized incomplete gamma function (differentiable in c as well)."""
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)

    def entropy(self):
        c = self.concentration
        return c - self.rate.log() + ddp.lgamma(c) + (1 - c) * ddp.digamma(c)


class Chi2(Gamma):
    """The chi-squared distribution with `df` degrees of freedom: Gamma(df / 2, 1 / 2).

    Args:
        df: the degrees of freedom, > 0.
        validate_args: see `Distribution`.
    """

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        (df,) = broadcast_all(df)
        super().__init__(0.5 * df, ddp.full_like(df, 0.5), validate_args=validate_args)

    @property
    def df(self):
        return self.concentration * 2
