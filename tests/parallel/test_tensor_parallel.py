"""Tensor parallelism on simulated ranks: column/row layers, the parallel MLP and attention equal the plain
model (forward, gradients, optimizer steps; tensor x data parallel 2 x 2), the full weights gather into the
plain model's state dict, replicas bitwise identical; the communication Functions' gradients; errors."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.parallel as dp
from ddp.parallel.comm import LocalCommunicator
from ddp.parallel.tensor_parallel import (
    ColumnParallelLinear, CopyToGroup, GatherFromGroup, ParallelMultiheadAttention, ReduceFromGroup,
    RowParallelLinear, ScatterToGroup, full_state_dict,
)
from tp_cases import E, STEPS, Block, data, run


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("world_size", [2, 4])  # 2: tensor parallel only; 4: 2 tensor x 2 data parallel
def test_parallel_block_equals_the_plain_model(world_size):
    losses, (gx, gw), state = run()
    ranks = dp.spawn(lambda: run(dp.init()), world_size)
    replicas = world_size // 2
    k = E // 2
    for rank, (r_losses, (r_gx, r_gw), r_state) in enumerate(ranks):
        d, t = rank // 2, rank % 2
        shard = slice(d * len(gx) // replicas, (d + 1) * len(gx) // replicas)
        close(r_gx, gx[shard])
        rows = np.concatenate([np.arange(i * E + t * k, i * E + (t + 1) * k) for i in range(3)])
        close(r_gw, gw[rows])
        assert sorted(r_state) == sorted(state)
        for name in state:
            close(r_state[name], state[name])
        assert all(r_state[n].tobytes() == ranks[0][2][n].tobytes() for n in state)
    global_losses = np.mean([[r[0][s] for r in ranks] for s in range(STEPS)], axis=1)
    close(global_losses, losses)


def test_the_gathered_state_dict_loads_into_the_plain_model():
    x = ddp.tensor(data(0)[0])

    def gathered():
        ddp.manual_seed(0)
        model = Block(dp.init())
        return full_state_dict(model), model(x).numpy()
    (state, out), _ = dp.spawn(gathered, 2)
    plain = Block()
    plain.load_state_dict(state)
    close(plain(x).numpy(), out)


def test_column_then_row_equal_two_linears():
    """Column (gathered output) and row (full input) layers are drop-in Linears, forward and backward."""
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((3, 6)).astype(np.float32)

    def layers(comm):
        ddp.manual_seed(0)
        if comm is None:
            return nn.Linear(6, 4), nn.Linear(4, 2)
        return ColumnParallelLinear(6, 4, process_group=comm), RowParallelLinear(4, 2, input_is_parallel=False,
                                                                                 process_group=comm)

    def go(comm=None):
        first, second = layers(comm)
        x = ddp.tensor(x0, requires_grad=True)
        y = second(first(x))
        (y * y).sum().backward()
        return y.numpy(), x.grad.numpy(), first.bias.grad.numpy(), second.weight.grad.numpy()
    y, gx, gb, gw = go()
    for rank, (r_y, r_gx, r_gb, r_gw) in enumerate(dp.spawn(lambda: go(dp.init()), 2)):
        close(r_y, y)
        close(r_gx, gx)
        close(r_gb, gb[rank * 2:(rank + 1) * 2])
        close(r_gw, gw[:, rank * 2:(rank + 1) * 2])


@pytest.mark.parametrize("fn", [CopyToGroup, ReduceFromGroup, GatherFromGroup, ScatterToGroup])
def test_gradcheck_of_the_communication_functions(fn):
    x = ddp.tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True)
    assert ddp.autograd.gradcheck(lambda t: fn.apply(t, comm=LocalCommunicator()) * 2, (x,))


def test_the_conjugate_functions_on_two_ranks():
    """Copy's backward and Reduce's forward sum over the ranks; Gather and Scatter are each other's inverse."""
    def go():
        comm = dp.init()
        x = ddp.tensor(np.full((2, 2), comm.rank + 1.0), requires_grad=True)
        CopyToGroup.apply(x, comm=comm).sum().backward()
        reduced = ReduceFromGroup.apply(x, comm=comm).numpy()
        gathered = GatherFromGroup.apply(x, comm=comm)
        back = ScatterToGroup.apply(gathered, comm=comm).numpy()
        return x.grad.numpy(), reduced, gathered.numpy(), back
    for rank, (grad, reduced, gathered, back) in enumerate(dp.spawn(go, 2)):
        np.testing.assert_array_equal(grad, np.full((2, 2), 2.0))
        np.testing.assert_array_equal(reduced, np.full((2, 2), 3.0))
        np.testing.assert_array_equal(gathered, [[1, 1, 2, 2], [1, 1, 2, 2]])
        np.testing.assert_array_equal(back, np.full((2, 2), rank + 1.0))


def test_errors():
    def go():
        comm = dp.init()
        with pytest.raises(ValueError, match=r"ColumnParallelLinear: out_features \(5\) must be divisible by the "
                                             r"tensor-parallel world size \(2\)"):
            ColumnParallelLinear(4, 5, process_group=comm)
        with pytest.raises(ValueError, match=r"RowParallelLinear: in_features \(3\) must be divisible"):
            RowParallelLinear(3, 4, process_group=comm)
        with pytest.raises(ValueError, match=r"ParallelMultiheadAttention: num_heads \(3\) must be divisible"):
            ParallelMultiheadAttention(6, 3, process_group=comm)
        attn = ParallelMultiheadAttention(4, 2, process_group=comm)
        x = ddp.zeros(3, 1, 4)
        with pytest.raises(NotImplementedError, match="ParallelMultiheadAttention: only self-attention"):
            attn(x, ddp.zeros(3, 1, 4), x)
    dp.spawn(go, 2)


def test_parallel_attention_equals_torchs_multihead_attention():
    """The gathered state dict loads into torch.nn.MultiheadAttention, which then gives the parallel
    attention's output (sequence-first layout, as both default to)."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((5, 3, E)).astype(np.float32)

    def go():
        ddp.manual_seed(0)
        attn = ParallelMultiheadAttention(E, 4, process_group=dp.init())
        return {k: v.numpy().copy() for k, v in full_state_dict(attn).items()}, attn(ddp.tensor(x))[0].numpy()
    (state, out), _ = dp.spawn(go, 2)
    theirs = torch.nn.MultiheadAttention(E, 4)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    want = theirs(*(torch.from_numpy(x),) * 3, need_weights=False)[0].detach().numpy()
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
