"""(being written) tan, inverse hyperbolics, erfc, lgamma, digamma, polygamma, i0, sinc (H1)"""
__all__ = []
