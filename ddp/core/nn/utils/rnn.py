"""Variable-length sequences as one padded batch (torch.nn.utils.rnn.pad_sequence)."""
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
