"""PackedSequence input for RNN, LSTM and GRU: unpack to a padded time-major batch, run the scans so that
every sequence sees only its own steps, and pack the output with the input's layout.

The forward direction of a scan over a right-padded batch is exact for t < length (padding only comes
after), so its final state is the output at t = length - 1 of each sequence. The reverse direction must
start at each sequence's own last step: each sequence is flipped within its length (the padding stays at
the end), scanned forwards and flipped back, so its final state is the output at t = 0. Layers above read
the padded outputs, which keeps the same property. Every step is a gather (differentiable).
"""
import numpy as np

from .utils.rnn import PackedSequence, pad_packed_sequence

__all__ = ["PackedSequence", "unpack", "flip_within", "last_steps", "repack"]


def unpack(packed):
    """(padded (T, B, *) in the original batch order, lengths (B,) as a numpy int64 array)."""
    padded, lengths = pad_packed_sequence(packed)
    return padded, lengths.numpy()


def flip_within(x, lengths):
    """x (T, B, *) with the first lengths[b] steps of each column b in reverse order, the rest kept."""
    t = np.arange(x.shape[0])[:, None]
    steps = np.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)
    return x[steps, np.arange(x.shape[1])[None, :]]


def last_steps(x, lengths):
    """x[lengths[b] - 1, b] for every b: (B, *)."""
    return x[lengths - 1, np.arange(x.shape[1])]


def repack(x, like):
    """A PackedSequence of the padded x (T, B, *) with the batch sizes and orders of `like`."""
    sizes = like.batch_sizes.numpy()
    order = like.sorted_indices.numpy() if like.sorted_indices is not None else np.arange(sizes[0] if sizes.size else 0)
    steps = np.repeat(np.arange(sizes.size), sizes)
    starts = np.cumsum(sizes) - sizes
    rows = order[np.arange(steps.size) - np.repeat(starts, sizes)]
    return PackedSequence(x[steps, rows], like.batch_sizes, like.sorted_indices, like.unsorted_indices)
