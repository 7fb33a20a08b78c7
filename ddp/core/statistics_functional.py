"""(being written) cov, corrcoef, histogram, mode, trapezoid, gradient (H3b)"""
__all__ = []
