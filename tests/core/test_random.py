"""Reproducibility API: ddp.Generator, manual_seed/seed/initial_seed, get/set_rng_state, generator= everywhere."""
import threading

import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.core.data import DataLoader, RandomSampler, TensorDataset, random_split


def test_generator_seeding():
    g = ddp.Generator()
    assert g.initial_seed() == 67280421310721 and g.device == "cpu"  # PyTorch's default seed
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    a = ddp.randn(4, generator=g).tolist()
    assert ddp.randn(4, generator=ddp.Generator().manual_seed(3)).tolist() == a
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2**64
    assert ddp.Generator().manual_seed(-1).initial_seed() == 2**64 - 1  # modulo 2**64, as PyTorch


def test_generator_state_restores_the_stream_exactly():
    g = ddp.Generator().manual_seed(7)
    ddp.randn(3, generator=g)
    ddp.rand(1, generator=g)  # an odd number of 32-bit draws: the cached half-word must be part of the state
    ddp.randint(0, 10, (1,), generator=g, dtype=ddp.int32)
    state = g.get_state()
    assert state.dtype == np.uint8 and state.ndim == 1
    after = [ddp.randn(5, generator=g).tolist(), ddp.randperm(6, generator=g).tolist()]
    g2 = ddp.Generator().set_state(state)
    assert [ddp.randn(5, generator=g2).tolist(), ddp.randperm(6, generator=g2).tolist()] == after
    assert g2.initial_seed() == 7


def test_set_state_errors():
    g = ddp.Generator()
    with pytest.raises(TypeError, match="set_state: expected a ddp.ByteTensor .*got a Tensor of dtype float32"):
        g.set_state(ddp.zeros(46))
    with pytest.raises(RuntimeError, match="set_state: invalid state: expected 5056 bytes.*got 3 bytes"):
        g.set_state(ddp.zeros(3, dtype=ddp.uint8))
    bad = g.get_state()
    bad[8:12] = 0  # "words left" 0 is no mt19937 position
    with pytest.raises(RuntimeError, match="0 words left"):
        g.set_state(bad)


def test_module_level_seeding_and_rng_state():
    ddp.manual_seed(11)
    assert ddp.initial_seed() == 11 and ddp.default_generator.initial_seed() == 11
    state = ddp.get_rng_state()
    first = ddp.randn(4).tolist()
    ddp.set_rng_state(state)
    assert ddp.randn(4).tolist() == first
    assert ddp.manual_seed(5) is ddp.default_generator
    s = ddp.seed()
    assert ddp.initial_seed() == s
    ddp.default_generator.manual_seed(11)
    assert ddp.randn(4).tolist() == first
    with ddp.random.fork_rng():
        ddp.randn(100)
    ddp.manual_seed(11)
    ddp.randn(4)
    assert ddp.randn(2).tolist() == (ddp.manual_seed(11), ddp.randn(6))[1].tolist()[4:]


def test_rng_state_saves_without_pickle(tmp_path):
    ddp.manual_seed(2)
    ddp.save({"rng": ddp.get_rng_state()}, tmp_path / "rng.ddp")
    expected = ddp.rand(3).tolist()
    ddp.set_rng_state(ddp.load(tmp_path / "rng.ddp")["rng"])
    assert ddp.rand(3).tolist() == expected


def test_default_generators_are_per_thread():
    seen = {}

    def draw(rank):
        ddp.manual_seed(rank)
        seen[rank] = ddp.randn(3).tolist()

    threads = [threading.Thread(target=draw, args=(r,)) for r in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ddp.manual_seed(0)
    assert seen[0] == ddp.randn(3).tolist() and seen[1] != seen[0]


def test_every_generator_argument_takes_a_ddp_generator():
    def gen():
        return ddp.Generator().manual_seed(4)

    assert ddp.rand(3, generator=gen()).tolist() == ddp.rand(3, generator=gen()).tolist()
    assert ddp.randint(9, (5,), generator=gen()).tolist() == ddp.randint(9, (5,), generator=gen()).tolist()
    x = ddp.ones(4)
    assert ddp.randn_like(x, generator=gen()).tolist() == ddp.randn_like(x, generator=gen()).tolist()
    assert x.clone().normal_(generator=gen()).tolist() == x.clone().normal_(generator=gen()).tolist()
    w1, w2 = nn.Linear(3, 2).weight, nn.Linear(3, 2).weight
    nn.init.kaiming_uniform_(w1, generator=gen())
    nn.init.kaiming_uniform_(w2, generator=gen())
    assert w1.tolist() == w2.tolist()
    ds = TensorDataset(ddp.arange(10))
    a, _ = random_split(ds, [6, 4], generator=gen())
    b, _ = random_split(ds, [6, 4], generator=gen())
    assert np.array_equal(a.indices, b.indices)
    assert list(RandomSampler(ds, generator=gen())) == list(RandomSampler(ds, generator=gen()))
    batches = [[b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, generator=gen())] for _ in "ab"]
    assert batches[0] == batches[1]


def test_numpy_generators_still_work():
    assert ddp.randn(3, generator=np.random.default_rng(5)).tolist() == \
        ddp.randn(3, generator=np.random.default_rng(5)).tolist()


def test_seeding_is_mt19937_init_genrand():
    """A seeded stream is the Mersenne Twister seeded by init_genrand(seed mod 2**32), as PyTorch's CPU
    generator: numpy's MT19937 with legacy seeding makes the same words without ddp."""
    bits = np.random.MT19937()
    bits._legacy_seeding(9)
    words = bits.random_raw(4)
    expected = ((words & 0xFFFFFF) * 2.0**-24).astype(np.float32)
    assert ddp.rand(4, generator=ddp.Generator().manual_seed(9)).tolist() == expected.tolist()
    assert ddp.rand(4, generator=ddp.Generator().manual_seed(9 + 2**32)).tolist() == expected.tolist()


def test_api_matches_torch():
    torch = pytest.importorskip("torch")
    g, tg = ddp.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed()
    assert ddp.Generator().manual_seed(-3).initial_seed() == torch.Generator().manual_seed(-3).initial_seed()
    for name in ("manual_seed", "seed", "initial_seed", "get_state", "set_state"):
        assert hasattr(g, name) and hasattr(tg, name)
    for name in ("manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state"):
        assert hasattr(ddp, name) and hasattr(torch, name)
    assert ddp.get_rng_state().dtype == np.dtype(str(torch.get_rng_state().dtype)[6:])
