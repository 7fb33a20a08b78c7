"""nn.utils.prune: masks, their composition, gradients, state dicts and errors; the deterministic methods
compared with PyTorch's, mask for mask."""
import copy
import importlib
import io
import math

import numpy as np
import pytest

import ddp
from ddp.nn.utils import prune

RNG_SEED = 7


def build(lib):
    """The same small conv net under ddp or torch, with the same distinct weights (no ties in |w|)."""
    base = lib.nn.Module

    class Model(base):
        def __init__(self):
            super().__init__()
            self.conv = lib.nn.Conv2d(2, 6, 3)
            self.fc = lib.nn.Linear(6 * 4 * 4, 5)

        def forward(self, x):
            return self.fc(self.conv(x).relu().flatten(1))

    model = Model()
    rng = np.random.default_rng(RNG_SEED)
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
    return model


def inputs(lib):
    return lib.from_numpy(np.random.default_rng(1).standard_normal((3, 2, 6, 6)).astype(np.float32))


SCENARIOS = {
    "l1 fraction": lambda p, m: p.l1_unstructured(m.conv, "weight", amount=0.3),
    "l1 count": lambda p, m: p.l1_unstructured(m.fc, "bias", amount=2),
    "l1 none": lambda p, m: p.l1_unstructured(m.fc, "weight", amount=0),
    "l1 all": lambda p, m: p.l1_unstructured(m.fc, "bias", amount=1.0),
    "ln2 filters": lambda p, m: p.ln_structured(m.conv, "weight", amount=0.5, n=2, dim=0),
    "ln1 columns": lambda p, m: p.ln_structured(m.fc, "weight", amount=30, n=1, dim=1),
    "ln inf last dim": lambda p, m: p.ln_structured(m.conv, "weight", amount=1, n=math.inf, dim=-1),
    "ln -inf": lambda p, m: p.ln_structured(m.conv, "weight", amount=0.34, n=-math.inf, dim=1),
    "ln fro": lambda p, m: p.ln_structured(m.fc, "weight", amount=0.4, n="fro", dim=0),
    "identity": lambda p, m: p.identity(m.conv, "bias"),
    "custom mask": lambda p, m: p.custom_from_mask(m.fc, "bias", mask=m.fc.bias > 0),
    "l1 then ln": lambda p, m: (p.l1_unstructured(m.conv, "weight", amount=0.3),
                                p.ln_structured(m.conv, "weight", amount=2, n=1, dim=0)),
    "ln then l1": lambda p, m: (p.ln_structured(m.conv, "weight", amount=2, n=2, dim=0),
                                p.l1_unstructured(m.conv, "weight", amount=0.25)),
    "l1 three times": lambda p, m: [p.l1_unstructured(m.fc, "weight", amount=a) for a in (0.2, 0.2, 50)],
    "global": lambda p, m: p.global_unstructured([(m.conv, "weight"), (m.fc, "weight"), (m.fc, "bias")],
                                                 pruning_method=p.L1Unstructured, amount=0.4),
    "global after l1": lambda p, m: (p.l1_unstructured(m.conv, "weight", amount=0.5),
                                     p.global_unstructured([(m.conv, "weight"), (m.fc, "weight")],
                                                           pruning_method=p.L1Unstructured, amount=100)),
}


def run_scenario(lib, name):
    """Prune as the scenario says, run forward and backward; return the masks, state-dict keys, output and
    gradients, as numpy."""
    p = importlib.import_module(lib.__name__ + ".nn.utils.prune")
    model = build(lib)
    SCENARIOS[name](p, model)
    out = model(inputs(lib))
    out.square().sum().backward()
    state = model.state_dict()
    grads = {n: q.grad.numpy() for n, q in model.named_parameters() if q.grad is not None}
    return ({k: v.numpy() for k, v in state.items()}, list(state), out.detach().numpy(), grads)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    state, keys, out, grads = run_scenario(ddp, name)
    t_state, t_keys, t_out, t_grads = run_scenario(torch, name)
    assert keys == t_keys
    for k in keys:
        np.testing.assert_array_equal(state[k], t_state[k], err_msg=k)
    np.testing.assert_allclose(out, t_out, rtol=1e-5, atol=1e-5)
    assert sorted(grads) == sorted(t_grads)
    for k in grads:
        np.testing.assert_allclose(grads[k], t_grads[k], rtol=1e-4, atol=1e-3, err_msg=k)


def test_remove_matches_pytorch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (ddp, torch):
        p = importlib.import_module(lib.__name__ + ".nn.utils.prune")
        model = build(lib)
        p.l1_unstructured(model.conv, "weight", amount=0.3)
        p.ln_structured(model.conv, "weight", amount=1, n=2, dim=0)
        p.remove(model.conv, "weight")
        results.append((list(model.state_dict()), model.conv.weight.detach().numpy(), p.is_pruned(model),
                        type(model.conv.weight).__name__))
    (keys, w, pruned, kind), (t_keys, t_w, t_pruned, t_kind) = results
    assert (keys, pruned, kind) == (t_keys, t_pruned, t_kind)
    np.testing.assert_array_equal(w, t_w)


@pytest.mark.parametrize("amount", [0.3, 2])
def test_random_methods_prune_as_much_as_pytorch(amount):
    """The random choices differ (another generator), what is pruned does not: the same number of entries,
    whole channels along the same dim."""
    torch = pytest.importorskip("torch")
    counts = []
    for lib in (ddp, torch):
        p = importlib.import_module(lib.__name__ + ".nn.utils.prune")
        model = build(lib)
        p.random_unstructured(model.fc, "weight", amount=amount)
        p.random_structured(model.conv, "weight", amount=amount, dim=0)
        conv_mask = model.conv.weight_mask.numpy()
        counts.append((int((model.fc.weight_mask == 0).sum()), conv_mask.sum(axis=(1, 2, 3)).tolist().count(0.0),
                       sorted(set(conv_mask.sum(axis=(1, 2, 3)).tolist()))))
    assert counts[0] == counts[1]


def test_layout_and_pruned_entries_get_no_gradient():
    model = build(ddp)
    conv = model.conv
    weight = conv.weight
    prune.l1_unstructured(conv, "weight", amount=0.5)
    assert conv.weight_orig is weight  # the same Parameter, renamed
    assert [n for n, _ in conv.named_parameters()] == ["bias", "weight_orig"]
    assert [n for n, _ in conv.named_buffers()] == ["weight_mask"]
    assert "weight" not in conv._parameters and not isinstance(conv.weight, ddp.nn.Parameter)
    assert int((conv.weight_mask == 0).sum()) == round(0.5 * weight.numel())
    model(inputs(ddp)).sum().backward()
    pruned = conv.weight_mask.numpy() == 0
    assert np.all(conv.weight_orig.grad.numpy()[pruned] == 0)
    assert np.any(conv.weight_orig.grad.numpy()[~pruned] != 0)


def test_training_keeps_pruned_weights_at_zero():
    model = build(ddp)
    prune.l1_unstructured(model.fc, "weight", amount=0.6)
    opt = ddp.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        model(inputs(ddp)).square().mean().backward()
        opt.step()
    model(inputs(ddp))  # the pre-hook recomputes the weight from the updated original
    pruned = model.fc.weight_mask.numpy() == 0
    assert np.all(model.fc.weight.detach().numpy()[pruned] == 0)
    np.testing.assert_array_equal(model.fc.weight.detach().numpy()[~pruned],
                                  model.fc.weight_orig.detach().numpy()[~pruned])


def test_random_unstructured_prunes_exactly_the_count():
    model = build(ddp)
    ddp.manual_seed(0)
    prune.random_unstructured(model.fc, "weight", amount=0.25)
    assert int((model.fc.weight_mask == 0).sum()) == round(0.25 * model.fc.weight.numel())
    prune.random_unstructured(model.fc, "weight", amount=0.25)  # a quarter of what is left, on top
    left = model.fc.weight.numel() - round(0.25 * model.fc.weight.numel())
    assert int((model.fc.weight_mask == 0).sum()) == model.fc.weight.numel() - left + round(0.25 * left)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_random_structured_prunes_whole_channels(dim):
    model = build(ddp)
    ddp.manual_seed(3)
    prune.random_structured(model.conv, "weight", amount=1, dim=dim)
    mask = model.conv.weight_mask.numpy()
    others = tuple(d for d in range(mask.ndim) if d != dim % mask.ndim)
    per_channel = mask.sum(axis=others)
    full = mask.size // mask.shape[dim]
    assert sorted(set(per_channel.tolist())) == [0.0, float(full)]
    assert int((per_channel == 0).sum()) == 1


def test_iterative_pruning_never_revives_an_entry():
    model = build(ddp)
    prune.l1_unstructured(model.conv, "weight", amount=0.4)
    first = model.conv.weight_mask.numpy().copy()
    prune.ln_structured(model.conv, "weight", amount=2, n=2, dim=0)
    second = model.conv.weight_mask.numpy()
    assert np.all(second <= first)
    hooks = [h for h in model.conv._forward_pre_hooks.values() if isinstance(h, prune.BasePruningMethod)]
    assert len(hooks) == 1 and isinstance(hooks[0], prune.PruningContainer) and len(hooks[0]) == 2
    assert [type(m).__name__ for m in hooks[0]] == ["L1Unstructured", "LnStructured"]


def test_importance_scores_choose_instead_of_magnitudes():
    model = build(ddp)
    scores = ddp.arange(model.fc.bias.numel(), dtype=ddp.float32)  # prune the first entries, whatever |b|
    prune.l1_unstructured(model.fc, "bias", amount=2, importance_scores=scores)
    assert model.fc.bias_mask.tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]


def test_custom_method_and_prune_without_a_module():
    class EveryOther(prune.BasePruningMethod):
        PRUNING_TYPE = "unstructured"

        def compute_mask(self, t, default_mask):
            mask = default_mask.clone()
            mask.view(-1)[::2] = 0
            return mask

    model = build(ddp)
    EveryOther.apply(model.fc, "bias")
    assert model.fc.bias_mask.tolist() == [0.0, 1.0, 0.0, 1.0, 0.0]
    t = ddp.arange(12.0).view(3, 4)
    assert prune.LnStructured(2, n=1, dim=1).prune(t).tolist() == [[0, 0, 2, 3], [0, 0, 6, 7], [0, 0, 10, 11]]
    assert prune.is_pruned(model) and not prune.is_pruned(build(ddp))


def test_state_dict_loads_into_a_pruned_model_and_survives_pickling():
    model = build(ddp)
    prune.l1_unstructured(model.conv, "weight", amount=0.3)
    buffer = io.BytesIO()
    ddp.save(model.state_dict(), buffer)
    buffer.seek(0)
    other = build(ddp)
    prune.identity(other.conv, "weight")
    other.load_state_dict(ddp.load(buffer))
    other(inputs(ddp))
    np.testing.assert_array_equal(other.conv.weight.detach().numpy(), model.conv.weight.detach().numpy())
    twin = copy.deepcopy(model)
    np.testing.assert_array_equal(twin(inputs(ddp)).detach().numpy(), model(inputs(ddp)).detach().numpy())
    prune.remove(twin.conv, "weight")
    assert prune.is_pruned(model) and not prune.is_pruned(twin)


@pytest.mark.parametrize("call, error, match", [
    (lambda m: prune.l1_unstructured(m.fc, "weight", amount="half"), TypeError, "Invalid type for amount"),
    (lambda m: prune.l1_unstructured(m.fc, "weight", amount=1.5), ValueError, "float in the range"),
    (lambda m: prune.l1_unstructured(m.fc, "weight", amount=-1), ValueError, "non-negative integer"),
    (lambda m: prune.l1_unstructured(m.fc, "bias", amount=6), ValueError, "should be smaller"),
    (lambda m: prune.ln_structured(m.fc, "bias", amount=1, n=2, dim=0), ValueError, "multidimensional"),
    (lambda m: prune.ln_structured(m.fc, "weight", amount=1, n=2, dim=2), IndexError, "Invalid index 2"),
    (lambda m: prune.remove(m.fc, "weight"), ValueError, "has to be pruned before pruning can be removed"),
    (lambda m: prune.l1_unstructured(m.fc, "bias", amount=1, importance_scores=ddp.ones(4)), ValueError,
     "same shape"),
    (lambda m: prune.global_unstructured([(m.fc, "weight")], pruning_method=prune.RandomStructured, amount=1),
     TypeError, "Only \"unstructured\""),
    (lambda m: prune.global_unstructured(3, pruning_method=prune.L1Unstructured, amount=1), TypeError,
     "not an Iterable"),
])
def test_bad_arguments_raise_and_leave_the_module_unchanged(call, error, match):
    model = build(ddp)
    before = list(model.state_dict())
    with pytest.raises(error, match=match):
        call(model)
    assert list(model.state_dict()) == before
    assert not prune.is_pruned(model)


def test_a_failed_second_pruning_keeps_the_first():
    model = build(ddp)
    prune.l1_unstructured(model.fc, "bias", amount=2)
    mask = model.fc.bias_mask.numpy().copy()
    with pytest.raises(ValueError, match="should be smaller"):
        prune.l1_unstructured(model.fc, "bias", amount=4)  # only 3 entries are left to choose from
    hooks = [h for h in model.fc._forward_pre_hooks.values() if isinstance(h, prune.BasePruningMethod)]
    assert [type(h).__name__ for h in hooks] == ["L1Unstructured"]
    np.testing.assert_array_equal(model.fc.bias_mask.numpy(), mask)
    prune.remove(model.fc, "bias")
    assert int((model.fc.bias == 0).sum()) == 2
