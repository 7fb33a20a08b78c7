"""Random generators: `ddp.Generator`, and one default generator per thread, seeded by `manual_seed`.

A Generator is PyTorch's CPU generator: the 32-bit Mersenne Twister (mt19937) seeded as PyTorch seeds it,
so that `manual_seed(s)` gives the very stream `torch.manual_seed(s)` gives, and the sampling kernels in
`random_draws` turn its words into the numbers PyTorch's CPU kernels draw (`rand`, `randn`, `randint`,
`randperm`, dropout's masks, `nn.init`, ...). numpy's MT19937 makes the words, in C, many at a time.
Its state is PyTorch's own 5056-byte layout, so `get_state` of either framework restores in the other.
Draws with no PyTorch counterpart here (gamma, poisson, ...) take numpy's algorithms over the same words
(`get_generator`), so `manual_seed` repeats them too.

Per thread, so that ranks simulated as threads (`ddp.parallel.spawn`) draw the same numbers as real
MPI ranks that seed themselves the same way.
"""
import contextlib
import secrets
import struct
import threading

import numpy as np

from .device import CPU, check_device

_local = threading.local()
_DEFAULT_SEED = 67280421310721  # what a fresh `Generator()` starts from, as PyTorch's
_WORDS = 624  # mt19937's state, in 32-bit words
# PyTorch's CPU generator state: initial seed, words left before the next twist, seeded flag, next index,
# the 624 words (each widened to 64 bits), the cached normal sample (x, y, rho, valid), then float cache
_HEAD = struct.Struct("<QiiQ")
_NORMAL = struct.Struct("<dddi")
_FLOAT_NORMAL = struct.Struct("<f?")
_STATE_BYTES = 5056
_NORMAL_AT = _HEAD.size + 8 * _WORDS
_FLOAT_AT = _NORMAL_AT + _NORMAL.size + 4  # after padding to 8 bytes


class Generator:
    """A random number generator to pass as `generator=` (`randn`, `randperm`, samplers, `random_split`, ...).

    Example:
        >>> g = ddp.Generator().manual_seed(0)
        >>> ddp.randperm(5, generator=g)      # tensor([4, 0, 7, 3, 2]) in both ddp and PyTorch
    """

    def __init__(self, device="cpu"):
        check_device(device, "Generator")
        self.device = CPU
        self.manual_seed(_DEFAULT_SEED)

    @property
    def rng(self):
        """A numpy Generator over this generator's words, for the draws PyTorch has no kernel of ours for."""
        return self._rng

    def manual_seed(self, seed):
        """Restart the stream from `seed` (an int; taken modulo 2**64, as PyTorch). Returns self."""
        self._seed = int(seed) % 2**64
        self._bits = np.random.MT19937()
        self._bits._legacy_seeding(self._seed & 0xFFFFFFFF)  # mt19937's own init_genrand, as PyTorch's
        self._rng = np.random.Generator(self._bits)
        self.normal_cache = None  # the second sample of the last Box-Muller pair (PyTorch keeps it too)
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the seed chosen."""
        seed = secrets.randbits(64)
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._seed

    def words(self, n):
        """The stream's next `n` 32-bit words (uint64 array)."""
        return self._bits.random_raw(n)

    def words64(self, n):
        """The next `n` 64-bit numbers, each two words (high first), as PyTorch's random64."""
        pairs = self._bits.random_raw(2 * n).reshape(n, 2)
        return (pairs[:, 0] << np.uint64(32)) | pairs[:, 1]

    def get_state(self):
        """The generator's state as a uint8 Tensor (PyTorch's layout): `set_state` continues from here."""
        from .tensor import Tensor

        state = self._bits.state["state"]
        pos = int(state["pos"])
        left, nxt = (1, 0) if pos == _WORDS else (_WORDS + 1 - pos, pos)
        raw = bytearray(_STATE_BYTES)
        _HEAD.pack_into(raw, 0, self._seed, left, 1, nxt)
        raw[_HEAD.size:_NORMAL_AT] = np.asarray(state["key"], dtype="<u8").tobytes()
        cache = self.normal_cache
        _NORMAL.pack_into(raw, _NORMAL_AT, 0.0, 0.0 if cache is None else cache, 0.0, cache is not None)
        return Tensor(np.frombuffer(bytes(raw), dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from `get_state` (a uint8 Tensor, ddp's or PyTorch's). Returns self.

        Raises:
            TypeError: `new_state` is not a uint8 Tensor.
            RuntimeError: it is not a CPU generator's state (wrong length, or words left out of range).
        """
        data = getattr(new_state, "_data", None)
        if data is None:
            data = getattr(new_state, "numpy", lambda: None)()  # a PyTorch ByteTensor
        if data is None or data.dtype != np.uint8:
            kind = f"a Tensor of dtype {data.dtype}" if data is not None else type(new_state).__name__
            raise TypeError(f"Generator.set_state: expected a ddp.ByteTensor (uint8 Tensor), but got {kind}")
        raw = data.tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(f"Generator.set_state: invalid state: expected {_STATE_BYTES} bytes "
                               f"(from Generator.get_state), got {len(raw)} bytes")
        seed, left, _, nxt = _HEAD.unpack_from(raw, 0)
        if not 1 <= left <= _WORDS or not 0 <= nxt <= _WORDS:
            raise RuntimeError(f"Generator.set_state: invalid state: {left} words left and next word {nxt} "
                               f"are not an mt19937 position")
        key = np.frombuffer(raw[_HEAD.size:_NORMAL_AT], dtype="<u8").astype(np.uint32)
        _, cached, _, valid = _NORMAL.unpack_from(raw, _NORMAL_AT)
        bits = np.random.MT19937()
        bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _WORDS if left == 1 else nxt}}
        self._seed, self._bits, self._rng = seed, bits, np.random.Generator(bits)
        self.normal_cache = cached if valid else None
        return self

    def __repr__(self):
        return f"<ddp.Generator initial_seed={self._seed}>"


class _ThreadDefault(Generator):
    """`ddp.default_generator`: stands for the calling thread's default generator."""

    def __init__(self):
        self.device = CPU

    @property
    def rng(self):
        return thread_generator().rng

    def manual_seed(self, seed):
        thread_generator().manual_seed(seed)
        return self

    def seed(self):
        return thread_generator().seed()

    def initial_seed(self):
        return thread_generator().initial_seed()

    def get_state(self):
        return thread_generator().get_state()

    def set_state(self, new_state):
        thread_generator().set_state(new_state)
        return self

    def __repr__(self):
        return "<ddp.default_generator (this thread's)>"


def thread_generator():
    """This thread's default Generator (seeded from the OS until `manual_seed` is called)."""
    gen = getattr(_local, "generator", None)
    if gen is None:
        gen = _local.generator = Generator()
        gen.seed()
    return gen


default_generator = _ThreadDefault()


def generator_of(generator=None):
    """The Generator to draw from: `generator` itself, else this thread's default; a numpy Generator passes
    through (`random_draws` then takes numpy's algorithms)."""
    if generator is None or isinstance(generator, _ThreadDefault):
        gen = getattr(_local, "generator", None)
        return gen or thread_generator()
    return generator


def get_generator(generator=None):
    """The numpy Generator to draw from: `generator`'s (a ddp or numpy Generator), else this thread's default."""
    if generator is None:
        gen = getattr(_local, "generator", None)
        return (gen or thread_generator())._rng
    if isinstance(generator, Generator):
        return generator.rng
    return generator  # a numpy Generator


def manual_seed(seed):
    """Seed this thread's default generator, so that runs are reproducible. Returns `ddp.default_generator`."""
    thread_generator().manual_seed(seed)
    return default_generator


def seed():
    """Seed this thread's default generator from the OS; returns the seed."""
    return thread_generator().seed()


def initial_seed():
    """The seed this thread's default generator was last seeded with."""
    return thread_generator().initial_seed()


def get_rng_state():
    """This thread's default generator's state, a uint8 Tensor (see `Generator.get_state`)."""
    return thread_generator().get_state()


def set_rng_state(new_state):
    """Restore this thread's default generator from `get_rng_state()`."""
    thread_generator().set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, **kwargs):
    """Draws inside the block leave this thread's default generator where it was."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
