"""(being written) diagonal, diag_embed, diagflat, trace, tril/triu_indices (H2)"""
__all__ = []
