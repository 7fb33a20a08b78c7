"""(being written) take, put, select, index_copy, index_put, masked_scatter, scatter_reduce, isin, bincount (H2)"""
__all__ = []
