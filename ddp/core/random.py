"""The default random generator: one numpy Generator per thread, seeded by `manual_seed`.

Per thread, so that ranks simulated as threads (`ddp.parallel.spawn`) draw the same numbers as real
MPI ranks that seed themselves the same way.
"""
import threading

import numpy as np

_local = threading.local()


def manual_seed(seed):
    """Seed this thread's default generator, so that runs are reproducible. Returns the generator."""
    _local.generator = np.random.default_rng(int(seed))
    return _local.generator


def default_generator():
    """This thread's default numpy Generator (unseeded until `manual_seed` is called)."""
    gen = getattr(_local, "generator", None)
    if gen is None:
        gen = _local.generator = np.random.default_rng()
    return gen


def get_generator(generator=None):
    """`generator` if given (a numpy Generator), else this thread's default generator."""
    return default_generator() if generator is None else generator
