"""(being written) tensor_split, hsplit, vsplit, dsplit, ravel, moveaxis, unfold (H2)"""
__all__ = []
