"""(being written) xlogy, hypot, copysign, fmax, fmin, heaviside, gcd, lcm, ldexp, bit shifts (H1)"""
__all__ = []
