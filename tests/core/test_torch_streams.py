"""The same seed gives PyTorch's very numbers: ddp's generator is PyTorch's CPU mt19937 and its sampling
kernels turn the words into what PyTorch's kernels give (ddp/core/random_draws.py).

Without PyTorch, the word layer is checked against numpy's MT19937 (init_genrand seeding), the state layout
and the transforms against hand computations; with it, every draw below against PyTorch's own.
"""
import struct

import numpy as np
import pytest

import ddp
from ddp.utils.data import DataLoader, RandomSampler, TensorDataset, WeightedRandomSampler, random_split


def words(seed, n):
    bits = np.random.MT19937()
    bits._legacy_seeding(seed)
    return bits.random_raw(n)


def test_words_are_mt19937_seeded_by_init_genrand():
    g = ddp.Generator().manual_seed(1234)
    assert g.words(700).tolist() == words(1234, 700).tolist()  # past one twist of the 624-word state
    g.manual_seed(5 + 2**32)  # the low 32 bits seed the twister; initial_seed keeps all 64
    assert g.words(3).tolist() == words(5, 3).tolist() and g.initial_seed() == 5 + 2**32


def test_uniforms_take_24_or_53_bits():
    w = words(0, 4)
    assert ddp.rand(4, generator=ddp.Generator().manual_seed(0)).tolist() == ((w & 0xFFFFFF) * 2.0**-24).tolist()
    w64 = (w[0::2] << np.uint64(32)) | w[1::2]
    expected = (w64 & np.uint64(2**53 - 1)) * 2.0**-53
    assert ddp.rand(2, dtype=ddp.float64, generator=ddp.Generator().manual_seed(0)).tolist() == expected.tolist()


def test_integers_and_permutations():
    g = ddp.Generator().manual_seed(0)
    assert ddp.randint(3, 13, (5,), generator=g).tolist() == (words(0, 5) % 10 + 3).tolist()
    w = words(0, 4)
    order = list(range(5))
    for i in range(4):  # Fisher-Yates, as PyTorch's randperm
        j = i + int(w[i]) % (5 - i)
        order[i], order[j] = order[j], order[i]
    assert ddp.randperm(5, generator=g.manual_seed(0)).tolist() == order


def test_small_normals_cache_the_second_of_each_pair():
    g = ddp.Generator().manual_seed(3)
    pairs = ddp.randn(4, dtype=ddp.float64, generator=g).tolist()
    g.manual_seed(3)
    singles = [ddp.randn(1, dtype=ddp.float64, generator=g).item() for _ in range(4)]
    assert singles == pairs  # each odd call takes the cached sine sample: the stream is one stream
    u = ddp.rand(4, dtype=ddp.float64, generator=ddp.Generator().manual_seed(3)).numpy()
    radius, theta = np.sqrt(-2 * np.log1p(-u[1])), 2 * np.pi * u[0]
    assert np.allclose(pairs[:2], [radius * np.cos(theta), radius * np.sin(theta)], rtol=1e-15)


def test_state_layout_is_pytorchs_and_restores_the_cache():
    g = ddp.Generator().manual_seed(9)
    ddp.rand(3, generator=g)
    ddp.randn(1, generator=g)  # leaves a cached sample
    raw = g.get_state().numpy().tobytes()
    seed, left, seeded, nxt = struct.unpack_from("<QiiQ", raw)
    assert len(raw) == 5056 and (seed, left, seeded, nxt) == (9, 618, 1, 7)  # 3 + 4 words drawn
    after = ddp.randn(5, generator=g).tolist()
    assert ddp.randn(5, generator=ddp.Generator().set_state(ddp.tensor(np.frombuffer(raw, np.uint8)))).tolist() == after


# ----------------------------------------------------------------------------------------- PyTorch's
@pytest.fixture
def torch():
    return pytest.importorskip("torch")


DRAWS = {
    "rand": lambda m: m.rand(2, 3),
    "rand float64": lambda m: m.rand(5, dtype=m.float64),
    "randn 7 (pairs)": lambda m: m.randn(7),
    "randn 16 (block)": lambda m: m.randn(4, 4),
    "randn 37 (blocks and tail)": lambda m: m.randn(37),
    "randn float64 40": lambda m: m.randn(40, dtype=m.float64),
    "randn complex": lambda m: m.randn(3, dtype=m.complex64),
    "randint": lambda m: m.randint(-4, 9, (11,)),
    "randint wide": lambda m: m.randint(0, 2**40, (3,)),
    "randperm": lambda m: m.randperm(50),
    "uniform_": lambda m: m.empty(40).uniform_(-0.3, 0.7),
    "uniform_ float64": lambda m: m.empty(9, dtype=m.float64).uniform_(-2, 3),
    "normal_": lambda m: m.empty(20).normal_(1.5, 0.2),
    "random_": lambda m: m.empty(6).random_(0, 100),
    "random_ int64": lambda m: m.empty(4, dtype=m.int64).random_(),
    "bernoulli_ p": lambda m: m.empty(30).bernoulli_(0.3),
    "bernoulli tensor": lambda m: m.bernoulli(m.full((30,), 0.6)),
    "bernoulli float64 tensor": lambda m: m.bernoulli(m.full((30,), 0.6, dtype=m.float64)),
    "exponential_": lambda m: m.empty(10).exponential_(2.0),
    "cauchy_": lambda m: m.empty(5).cauchy_(1.0, 2.0),
    "log_normal_": lambda m: m.empty(5, dtype=m.float64).log_normal_(0.5, 0.25),
    "geometric_": lambda m: m.empty(8).geometric_(0.3),
    "multinomial": lambda m: m.multinomial(m.tensor([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]), 7, replacement=True),
    "multinomial without replacement": lambda m: m.multinomial(m.tensor([0.1, 0.4, 0.2, 0.3]), 3),
    "normal(mean, std)": lambda m: m.normal(m.arange(20.0), m.full((20,), 2.0)),
    "normal(number, number, size)": lambda m: m.normal(2.0, 3.0, (17,)),
    "dropout": lambda m: m.nn.functional.dropout(m.ones(40), 0.3),
    "dropout2d": lambda m: m.nn.functional.dropout2d(m.ones(2, 3, 2, 2), 0.5),
    "alpha_dropout": lambda m: m.nn.functional.alpha_dropout(m.ones(20), 0.2, True),
    "rrelu": lambda m: m.nn.functional.rrelu(m.linspace(-2, 1, 12), training=True),
    "gumbel_softmax": lambda m: m.nn.functional.gumbel_softmax(m.zeros(3, 5), tau=0.5),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_draw_is_pytorchs(name, torch):
    """The draw equals PyTorch's after the same seed, and leaves the stream where PyTorch leaves it."""
    draw = DRAWS[name]
    for seed in (0, 2024):
        torch.manual_seed(seed)
        expected = [draw(torch).numpy() for _ in range(2)] + [torch.rand(3).numpy()]
        ddp.manual_seed(seed)
        got = [draw(ddp).numpy() for _ in range(2)] + [ddp.rand(3).numpy()]
        for e, g in zip(expected, got):
            assert g.dtype == e.dtype and g.shape == e.shape
            # float32 blocks of normals: PyTorch's vectorised Cephes log/sincos, reproduced operation by
            # operation, match bit for bit in all but ~0.04% of values (those within 2 ulp)
            np.testing.assert_allclose(g, e, rtol=3e-7, atol=1e-7)
        assert np.array_equal(got[-1], expected[-1])


def test_float32_normal_blocks_are_bitwise_nearly_always(torch):
    torch.manual_seed(1)
    ddp.manual_seed(1)
    expected, got = torch.randn(2**16).numpy(), ddp.randn(2**16).numpy()
    assert (expected != got).mean() < 2e-3
    np.testing.assert_allclose(got, expected, rtol=5e-7, atol=2e-7)


@pytest.mark.parametrize("build", [
    lambda m: m.nn.Linear(20, 30),
    lambda m: m.nn.Conv2d(3, 8, 3),
    lambda m: m.nn.LSTM(5, 7, 2),
    lambda m: m.nn.TransformerEncoderLayer(8, 2, 16),
    lambda m: m.nn.Embedding(10, 4),
    lambda m: m.nn.Sequential(m.nn.Linear(4, 4), m.nn.BatchNorm1d(4), m.nn.ConvTranspose2d(2, 3, 3)),
])
def test_modules_start_from_pytorchs_weights(build, torch):
    torch.manual_seed(0)
    theirs = build(torch).state_dict()
    ddp.manual_seed(0)
    ours = build(ddp).state_dict()
    assert list(ours) == list(theirs)
    for key in ours:
        assert np.array_equal(ours[key].numpy(), theirs[key].numpy()), key


@pytest.mark.parametrize("init", [
    lambda m, t: m.nn.init.trunc_normal_(t, std=0.02),
    lambda m, t: m.nn.init.trunc_normal_(t, mean=1.0, std=0.5, a=2.0, b=3.0),  # the uniform-proposal sampler
    lambda m, t: m.nn.init.xavier_normal_(t),
    lambda m, t: m.nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
    lambda m, t: m.nn.init.orthogonal_(t),
    lambda m, t: m.nn.init.sparse_(t, 0.5),
])
def test_initialisers_are_pytorchs(init, torch):
    torch.manual_seed(4)
    theirs = init(torch, torch.empty(12, 9)).numpy()
    ddp.manual_seed(4)
    ours = init(ddp, ddp.empty(12, 9)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)  # orthogonal_: LAPACK's QR rounding
    assert torch.rand(1).item() == ddp.rand(1).item()


def test_data_pipeline_draws_pytorchs_orders(torch):
    import torch.utils.data as tdata

    def orders(m, data):
        m.manual_seed(3)
        ds = data.TensorDataset(m.arange(10.0))
        epochs = [[b[0].tolist() for b in data.DataLoader(ds, batch_size=4, shuffle=True)] for _ in range(2)]
        split = [list(s.indices) for s in data.random_split(range(10), [7, 3])]
        weighted = list(data.WeightedRandomSampler([0.1, 0.5, 0.4, 0.0], 3, replacement=False))
        replaced = list(data.RandomSampler(range(5), replacement=True, num_samples=7))
        return epochs, split, weighted, replaced, m.rand(2).tolist()

    data = type("data", (), dict(TensorDataset=TensorDataset, DataLoader=DataLoader, random_split=random_split,
                                 WeightedRandomSampler=WeightedRandomSampler, RandomSampler=RandomSampler))
    assert orders(ddp, data) == orders(torch, tdata)


def test_states_cross_between_frameworks(torch):
    torch.manual_seed(8)
    torch.randn(3)  # a cached sample in the state
    state = torch.get_rng_state()
    ddp.set_rng_state(ddp.tensor(state.numpy()))
    assert ddp.randn(5).tolist() == torch.randn(5).tolist()
    ddp.rand(7)
    torch.set_rng_state(torch.from_numpy(ddp.get_rng_state().numpy()))
    assert torch.rand(4).tolist() == ddp.rand(4).tolist()


def test_a_seeded_training_run_is_pytorchs(torch):
    """Seed, build, train with dropout and a shuffled loader: ddp's losses are PyTorch's, step by step."""
    def losses(m):
        m.manual_seed(0)
        x, y = m.randn(64, 10), m.randint(0, 3, (64,))
        model = m.nn.Sequential(m.nn.Linear(10, 32), m.nn.ReLU(), m.nn.Dropout(0.2), m.nn.Linear(32, 3))
        opt = m.optim.SGD(model.parameters(), lr=0.1)
        loader = m.utils.data.DataLoader(m.utils.data.TensorDataset(x, y), batch_size=16, shuffle=True)
        out = []
        for _ in range(2):
            for xb, yb in loader:
                opt.zero_grad()
                loss = m.nn.functional.cross_entropy(model(xb), yb)
                loss.backward()
                opt.step()
                out.append(loss.item())
        return out

    np.testing.assert_allclose(losses(ddp), losses(torch), rtol=1e-5)

