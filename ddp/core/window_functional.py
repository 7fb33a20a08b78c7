"""(being written) hann, hamming, blackman, bartlett, kaiser windows (H3b)"""
__all__ = []
