"""Variable-length sequences as one padded batch (pad_sequence, unpad_sequence) or packed without padding
(PackedSequence, pack_padded_sequence, pad_packed_sequence, pack_sequence, unpack_sequence), as
torch.nn.utils.rnn."""
from collections import namedtuple

import numpy as np

from ...cast_shorthands import CastShorthands
from ...shape_functional import pad, stack
from ...tensor import Tensor


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shapes (L_i, *) into one (L_max, B, *) tensor, (B, L_max, *) when batch_first,
    filling the missing steps with `padding_value` on the right (or on the left). Differentiable.

    Raises:
        ValueError for a padding_side other than 'left' or 'right'; RuntimeError for an empty list or
        sequences whose trailing dims differ.

    Example:
        >>> pad_sequence([ddp.ones(3, 2), ddp.ones(1, 2)], batch_first=True).shape
        ddp.Size([2, 3, 2])
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"pad_sequence: expected padding_side to be one of left or right, but got {padding_side!r}")
    sequences = [sequences[i] for i in range(len(sequences))] if isinstance(sequences, Tensor) else list(sequences)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    trailing = {tuple(s.shape[1:]) for s in sequences}
    if len(trailing) > 1 or any(s.ndim == 0 for s in sequences):
        raise RuntimeError(f"pad_sequence: sequences must be (L, *) with equal trailing dims, got shapes "
                           f"{[tuple(s.shape) for s in sequences]}")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        before, after = (0, missing) if padding_side == "right" else (missing, 0)
        widths = (0, 0) * (s.ndim - 1) + (before, after)  # pad's pairs run from the last dim to the first
        padded.append(pad(s, widths, value=padding_value) if missing else s)
    return stack(padded, dim=0 if batch_first else 1)


class PackedSequence(CastShorthands, namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A batch of variable-length sequences without padding: `data` (sum of lengths, *) holds step 0 of
    every sequence, then step 1 of those at least 2 long, and so on (longest first); `batch_sizes[t]` is
    how many sequences have a step t. `sorted_indices` orders the batch by decreasing length (None when it
    already was); `unsorted_indices` undoes it.

    `to`, `cpu`, `double`, `float`, ... convert `data` as Tensor's methods do and keep the rest (a new
    PackedSequence only when `data` changed); `cuda` raises, the CPU being ddp's only device."""

    __slots__ = ()

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, *self[1:])

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        return type(self)(self.data.cuda(device, non_blocking), *self[1:])  # raises: the CPU only

    def pin_memory(self):
        return self

    def is_pinned(self):
        return self.data.is_pinned()

    @property
    def is_cuda(self):
        return self.data.is_cuda


def _lengths_array(lengths):
    a = lengths.numpy() if isinstance(lengths, Tensor) else np.asarray(lengths)
    return a.astype(np.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) ((B, T, *) when batch_first) whose sequence b is lengths[b] long.

    Differentiable: `data` is one gather from `input`.

    Raises:
        RuntimeError: for lengths that are not positive, do not match the batch, exceed T, or (with
        enforce_sorted) are not in decreasing order.
    """
    n = _lengths_array(lengths)
    batch_dim, time_dim = (0, 1) if batch_first else (1, 0)
    if n.size != input.shape[batch_dim]:
        raise RuntimeError(f"pack_padded_sequence: expected len(lengths) to be equal to batch_size, but got "
                           f"{n.size} (batch_size={input.shape[batch_dim]})")
    if n.size and (n.min() <= 0 or n.max() > input.shape[time_dim]):
        raise RuntimeError(f"pack_padded_sequence: every length must be in [1, {input.shape[time_dim]}] (the "
                           f"padded length), got lengths {n.tolist()}")
    if enforce_sorted:
        if np.any(np.diff(n) > 0):
            raise RuntimeError("pack_padded_sequence: `lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True; pass enforce_sorted=False to sort them here")
        order, sorted_indices, unsorted_indices = np.arange(n.size), None, None
    else:
        order = np.argsort(-n, kind="stable")
        sorted_indices, unsorted_indices = Tensor(order), Tensor(np.argsort(order))
    n_sorted = n[order]
    batch_sizes = (n_sorted[None, :] > np.arange(n_sorted.max() if n.size else 0)[:, None]).sum(axis=1)
    steps = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    starts = np.cumsum(batch_sizes) - batch_sizes
    rows = order[np.arange(steps.size) - np.repeat(starts, batch_sizes)]
    data = input[rows, steps] if batch_first else input[steps, rows]
    return PackedSequence(data, Tensor(batch_sizes.astype(np.int64)), sorted_indices, unsorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo `pack_padded_sequence`: returns (padded (T, B, *) or (B, T, *), lengths (B,) int64) in the
    original batch order, T being total_length when given. Differentiable.

    Raises:
        ValueError: for a total_length shorter than the longest sequence.
    """
    data, batch_sizes = sequence.data, sequence.batch_sizes.numpy()
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"pad_packed_sequence: expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max sequence length "
                             f"being {steps}")
        steps = total_length
    batch = int(batch_sizes[0]) if batch_sizes.size else 0
    position = (sequence.unsorted_indices.numpy() if sequence.unsorted_indices is not None else np.arange(batch))
    sizes = np.zeros(steps, np.int64)
    sizes[:batch_sizes.size] = batch_sizes
    starts = np.cumsum(sizes) - sizes
    valid = position[None, :] < sizes[:, None]  # (T, B): sequence b has a step t
    index = np.where(valid, starts[:, None] + position[None, :], data.shape[0])  # the pad row otherwise
    padded = pad(data, (0, 0) * (data.ndim - 1) + (0, 1), value=padding_value)[index]
    lengths = valid.sum(axis=0).astype(np.int64)
    return (padded.transpose(0, 1) if batch_first else padded), Tensor(lengths)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of (L_i, *) tensors: `pack_padded_sequence(pad_sequence(sequences), lengths)`."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Undo `pad_sequence`: the list of the B sequences of a padded (T, B, *) ((B, T, *) when batch_first)
    batch, sequence b cut to its lengths[b] steps. Differentiable.

    Raises:
        RuntimeError: for lengths that do not match the batch or exceed T.

    Example:
        >>> [s.tolist() for s in unpad_sequence(ddp.tensor([[1, 2, 3], [4, 5, 0]]), ddp.tensor([3, 2]), True)]
        [[1, 2, 3], [4, 5]]
    """
    n = _lengths_array(lengths)
    padded = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    if n.size != padded.shape[0] or (n.size and (n.min() < 0 or n.max() > padded.shape[1])):
        raise RuntimeError(f"unpad_sequence: expected {padded.shape[0]} lengths in [0, {padded.shape[1]}] for a "
                           f"padded batch of shape {tuple(padded_sequences.shape)} (batch_first={batch_first}), "
                           f"got {n.tolist()}")
    return [padded[b, :int(length)] for b, length in enumerate(n)]


def unpack_sequence(packed_sequences):
    """Undo `pack_sequence`: the list of the packed sequences, in their original order. Differentiable."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
