"""Random generators: `ddp.Generator`, and one default generator per thread, seeded by `manual_seed`.

Per thread, so that ranks simulated as threads (`ddp.parallel.spawn`) draw the same numbers as real
MPI ranks that seed themselves the same way. A `Generator` wraps a numpy Generator (PCG64, seeded as
`np.random.default_rng(seed)`); every `generator=` argument in ddp takes either kind (`get_generator`).
Its state is a uint8 Tensor, so `ddp.save` stores it without pickle and `set_state` resumes the stream exactly.
"""
import contextlib
import secrets
import threading

import numpy as np

from .device import CPU, check_device

_local = threading.local()
_DEFAULT_SEED = 67280421310721  # what a fresh `Generator()` starts from, as PyTorch's
_STATE_VERSION = 1
_STATE_BYTES = 1 + 8 + 16 + 16 + 1 + 4  # version, initial seed, PCG64 state and increment, cached uint32


class Generator:
    """A random number generator to pass as `generator=` (`randn`, `randperm`, samplers, `random_split`, ...).

    Example:
        >>> g = ddp.Generator().manual_seed(0)
        >>> ddp.randperm(5, generator=g)
    """

    def __init__(self, device="cpu"):
        check_device(device, "Generator")
        self.device = CPU
        self.manual_seed(_DEFAULT_SEED)

    @property
    def rng(self):
        """The numpy Generator that draws the numbers."""
        return self._rng

    def manual_seed(self, seed):
        """Restart the stream from `seed` (an int; taken modulo 2**64, as PyTorch). Returns self."""
        self._seed = int(seed) % 2**64
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the seed chosen."""
        seed = secrets.randbits(64)
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 Tensor: `set_state` of it continues exactly from here."""
        from .tensor import Tensor

        state = self._rng.bit_generator.state
        parts = (
            _STATE_VERSION.to_bytes(1, "little"), self._seed.to_bytes(8, "little"),
            state["state"]["state"].to_bytes(16, "little"), state["state"]["inc"].to_bytes(16, "little"),
            int(state["has_uint32"]).to_bytes(1, "little"), int(state["uinteger"]).to_bytes(4, "little"),
        )
        return Tensor(np.frombuffer(b"".join(parts), dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from `get_state` (a uint8 Tensor). Returns self.

        Raises:
            TypeError: `new_state` is not a uint8 Tensor.
            RuntimeError: it is not a state this ddp wrote (wrong length or version).
        """
        data = getattr(new_state, "_data", None)
        if data is None or data.dtype != np.uint8:
            kind = f"a Tensor of dtype {data.dtype}" if data is not None else type(new_state).__name__
            raise TypeError(f"Generator.set_state: expected a ddp.ByteTensor (uint8 Tensor), but got {kind}")
        raw = data.tobytes()
        if len(raw) != _STATE_BYTES or raw[0] != _STATE_VERSION:
            raise RuntimeError(
                f"Generator.set_state: invalid state: expected {_STATE_BYTES} bytes of version {_STATE_VERSION} "
                f"(from Generator.get_state), got {len(raw)} bytes"
            )
        number = lambda lo, hi: int.from_bytes(raw[lo:hi], "little")  # noqa: E731
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": number(9, 25), "inc": number(25, 41)},
            "has_uint32": number(41, 42), "uinteger": number(42, 46),
        }
        self._seed, self._rng = number(1, 9), rng
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


def get_generator(generator=None):
    """The numpy Generator to draw from: `generator`'s (a ddp or numpy Generator), else this thread's default."""
    if generator is None:
        gen = getattr(_local, "generator", None)
        return (gen or thread_generator())._rng
    if isinstance(generator, Generator):
        return generator.rng
    return generator


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
