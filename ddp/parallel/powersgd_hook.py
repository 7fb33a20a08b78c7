"""PowerSGD gradient compression for `DistributedDataParallel` (PyTorch's ``powerSGD_hook``).

Each gradient matrix M (n x m: a tensor of 2 or more dimensions viewed as ``shape[0] x rest``) is replaced
by a rank-r approximation P Q^T from one step of power iteration: P = M Q, P summed over the ranks and
orthonormalised, Q = M^T P, Q averaged over the ranks, M ~ P Q^T. So (n + m) r numbers move instead of
n m. With error feedback the part each rank's approximation lost is added to its next gradient; with warm
start Q carries over from the previous step. 1-D tensors (biases, norms) and matrices that would not shrink
by `min_compression_rate` move uncompressed, in one allreduce per bucket.

Every rank ends bitwise identical: the sums are allreduces, the orthonormalisation (Gram-Schmidt) runs on
the same reduced P on every rank, and the first Q comes from a generator seeded the same on every rank.
"""
import numpy as np

from ..core.tensor import Tensor
from .comm_hooks import Future, allreduce_hook, communicator


class PowerSGDState:
    """Settings and memory of `powerSGD_hook` (PyTorch's ``PowerSGDState``; the same arguments).

    Args:
        process_group: the group to reduce over (a ``ddp.distributed`` group, a `Communicator`, or None
            for DDP's own).
        matrix_approximation_rank: r, the rank of each approximation (1 compresses most).
        start_powerSGD_iter: steps of plain allreduce before compression starts (a warm-up); more than 1
            when error feedback or warm start is on, as PyTorch requires.
        min_compression_rate: compress a matrix only when n m > rate * (n + m) r.
        use_error_feedback: add what the last approximation lost to the next gradient.
        warm_start: start each power iteration from the last step's Q (else a fresh random Q).
        orthogonalization_epsilon: added to each column's norm before dividing by it (0: none; a zero
            column stays zero).
        random_seed: seed of the generator for the first (or every, without warm start) Q.

    Attributes:
        iter: backward passes seen; bytes_sent: payload bytes this rank handed to collectives.
    """

    def __init__(self, process_group, matrix_approximation_rank=1, start_powerSGD_iter=1_000,
                 min_compression_rate=2, use_error_feedback=True, warm_start=True, orthogonalization_epsilon=0,
                 random_seed=0, compression_stats_logging_frequency=10_000, batch_tensors_with_same_shape=False):
        if not isinstance(matrix_approximation_rank, int) or matrix_approximation_rank < 1:
            raise ValueError(f"PowerSGDState: matrix_approximation_rank must be a positive int, got "
                             f"{matrix_approximation_rank!r}")
        if (use_error_feedback or warm_start) and start_powerSGD_iter <= 1:
            raise ValueError(f"PowerSGDState: expected start_powerSGD_iter > 1 when use_error_feedback or "
                             f"warm_start is on, got {start_powerSGD_iter!r}")
        self.process_group = process_group
        self.matrix_approximation_rank = matrix_approximation_rank
        self.start_powerSGD_iter = start_powerSGD_iter
        self.min_compression_rate = min_compression_rate
        self.use_error_feedback = use_error_feedback
        self.warm_start = warm_start
        self.orthogonalization_epsilon = orthogonalization_epsilon
        self.random_seed = random_seed
        self.compression_stats_logging_frequency = compression_stats_logging_frequency
        self.batch_tensors_with_same_shape = batch_tensors_with_same_shape
        self.rng = np.random.RandomState(random_seed)
        self.iter = 0
        self.error_dict, self.p_memory_dict, self.q_memory_dict = {}, {}, {}
        self.bytes_sent = 0
        self.total_numel_before_compression = 0
        self.total_numel_after_compression = 0

    def maybe_increase_iter(self, bucket):
        """Count a backward pass when its last bucket goes by."""
        if bucket.is_last():
            self.iter += 1

    def compression_stats(self):
        """(compression rate, numbers before, numbers after) over the compressed steps so far (PyTorch's)."""
        after = self.total_numel_after_compression
        rate = self.total_numel_before_compression / after if after else 0
        return rate, self.total_numel_before_compression, after


def orthogonalize(matrix, epsilon=0):
    """Gram-Schmidt on the columns of `matrix` (n x r), in place; a zero column stays zero."""
    for i in range(matrix.shape[1]):
        col = matrix[:, i]
        norm = np.sqrt(col @ col)
        if norm > 0 or epsilon:
            col /= norm + matrix.dtype.type(epsilon)
        if i + 1 < matrix.shape[1]:
            rest = matrix[:, i + 1:]
            rest -= np.outer(col, col @ rest)


def _plan(state, views):
    """Split a bucket's views into matrices to compress (n x m views, ranks) and tensors to send whole."""
    matrices, whole = [], []
    for v in views:
        if v.ndim > 1:
            n, m = v.shape[0], v.size // v.shape[0]
            r = min(n, m, state.matrix_approximation_rank)
            if (n + m) * r * state.min_compression_rate < n * m:
                matrices.append((v.reshape(n, m), r))
                continue
        whole.append(v)
    return matrices, whole


def _carve(flat, shapes):
    """Views of `flat` with the given 2-D shapes, back to back."""
    out, start = [], 0
    for rows, cols in shapes:
        out.append(flat[start:start + rows * cols].reshape(rows, cols))
        start += rows * cols
    return out


def powerSGD_hook(state, bucket):
    """Reduce `bucket` by rank-r PowerSGD (after `state.start_powerSGD_iter` plain steps); see the module."""
    if state.iter < state.start_powerSGD_iter:
        state.maybe_increase_iter(bucket)
        return allreduce_hook(state, bucket)
    comm, flat, idx = communicator(state, bucket), bucket._flat, bucket.index()
    n_ranks = flat.dtype.type(comm.world_size)
    if state.use_error_feedback:
        if idx in state.error_dict:
            flat += state.error_dict[idx]
        before = flat.copy()
    matrices, whole = _plan(state, [s.view for s in bucket._slots])
    p_flat = np.zeros(sum(m.shape[0] * r for m, r in matrices), flat.dtype)
    ps = _carve(p_flat, [(m.shape[0], r) for m, r in matrices])
    if not state.warm_start or idx not in state.q_memory_dict:
        rng = np.random.default_rng(state.rng.randint(1_000_000_000))  # the same seeds on every rank
        state.q_memory_dict[idx] = rng.standard_normal(sum(m.shape[1] * r for m, r in matrices)).astype(flat.dtype)
    q_flat = state.q_memory_dict[idx]
    qs = _carve(q_flat, [(m.shape[1], r) for m, r in matrices])
    for (m, _), p, q in zip(matrices, ps, qs):
        orthogonalize(q, state.orthogonalization_epsilon)  # a fresh random Q, or the last step's
        np.matmul(m, q, out=p)
    state.total_numel_before_compression += flat.size
    state.total_numel_after_compression += p_flat.size + q_flat.size + sum(v.size for v in whole)

    rest = np.concatenate([v.ravel() for v in whole]) if whole else np.zeros(0, flat.dtype)
    works = [comm.iallreduce(a) for a in (rest, p_flat) if a.size]  # sums: P is orthonormalised next
    state.bytes_sent += rest.nbytes + p_flat.nbytes

    def compute_q_and_decompress(_):
        start = 0
        for v in whole:
            np.divide(rest[start:start + v.size].reshape(v.shape), n_ranks, out=v)
            start += v.size
        for p in ps:
            orthogonalize(p, state.orthogonalization_epsilon)
        for (m, _), p, q in zip(matrices, ps, qs):
            np.matmul(m.T, p, out=q)
        if q_flat.size:
            state.bytes_sent += q_flat.nbytes
            comm.allreduce(q_flat)
            np.divide(q_flat, n_ranks, out=q_flat)
        for (m, _), p, q in zip(matrices, ps, qs):
            np.matmul(p, q.T, out=m)
        if state.use_error_feedback:
            state.error_dict[idx] = np.subtract(before, flat, out=before)
        if not state.warm_start:
            state.p_memory_dict.clear()
            state.q_memory_dict.clear()
        state.maybe_increase_iter(bucket)
        return Tensor(flat)

    pending = Future(wait=lambda: [w.wait() for w in works], test=lambda: all(w.is_completed() for w in works))
    return pending.then(compute_q_and_decompress)
