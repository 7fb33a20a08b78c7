"""Where an MLP training step's time goes: ddp's kernels alone vs the whole ddp step vs the numpy step.

    python scripts/bench_overhead.py                   # batch 64 and 256, 30 interleaved rounds
    python scripts/bench_overhead.py --batches 64 --rounds 60

Three contenders run the same 784-512-256-10 step (forward, cross entropy, backward, SGD) on the same data,
one BLAS thread, in interleaved rounds: the hand-written numpy step of bench_step.py; "kernels", which calls
the very `forward` and `backward` of ddp's Linear, Relu and CrossEntropy Functions in order on arrays,
with no Tensor, no graph, no Module and no optimizer, then updates the weights as SGD does (`blas.axpy`
where it applies, numpy otherwise); and the full ddp step. kernels / numpy is the cost of ddp's kernels; (full - kernels) is the framework's Python overhead per
step (recording the graph, the engine, modules, wrappers, the optimizer loop).
"""
import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy starts its thread pool
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import ddp  # noqa: E402
from bench_step import LR, ddp_step, numpy_mlp_step  # noqa: E402
from ddp.core.autograd import Context  # noqa: E402
from ddp.core.blas import axpy  # noqa: E402
from ddp.core.ops.elementwise import Relu  # noqa: E402
from ddp.core.ops.linalg import Linear  # noqa: E402
from ddp.core.ops.loss import CrossEntropy  # noqa: E402
from ddp.models import mlp  # noqa: E402

KEYS = ("1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias")


def _ctx(*needs):
    ctx = Context()
    ctx.needs_input_grad = needs
    return ctx


def kernels_step(state):
    """The ddp step's kernels on arrays, in the order the engine runs them, then plain SGD."""
    params = [state[k].numpy().copy() for k in KEYS]
    lr = np.float32(LR)

    def step(x, y):
        w1, b1, w2, b2, w3, b3 = params
        c1, r1, c2, r2, c3, ce = (_ctx(False, True, True), _ctx(True), _ctx(True, True, True), _ctx(True),
                                  _ctx(True, True, True), _ctx(True, False, False))
        h1 = Linear.forward(c1, x.reshape(len(x), -1), w1, b1)
        h2 = Linear.forward(c2, Relu.forward(r1, h1), w2, b2)
        z = Linear.forward(c3, Relu.forward(r2, h2), w3, b3)
        CrossEntropy.forward(ce, z, y)
        gz = CrossEntropy.backward(ce, np.ones((), np.float32))[0]
        ga2, gw3, gb3 = Linear.backward(c3, gz)
        ga1, gw2, gb2 = Linear.backward(c2, Relu.backward(r2, ga2))
        _, gw1, gb1 = Linear.backward(c1, Relu.backward(r1, ga1))
        for p, g in zip(params, (gw1, gb1, gw2, gb2, gw3, gb3)):
            if not axpy(-LR, g, p):
                p -= lr * g
    step.params = params  # for the test that it computes ddp's step
    return step


def bench(batch, rounds, steps):
    """Median seconds per step of each contender, and median per-round ratios to the numpy step."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    ddp.manual_seed(0)
    model = mlp()
    state = model.state_dict()
    contenders = {"numpy": (numpy_mlp_step(state), x.copy(), y.copy()),
                  "kernels": (kernels_step(state), x.copy(), y.copy()),
                  "ddp": (ddp_step(model), ddp.from_numpy(x.copy()), ddp.from_numpy(y.copy()))}
    times = {k: [] for k in contenders}
    for r in range(rounds + 1):  # round 0 warms up
        for k, (step, xs, ys) in contenders.items():
            start = time.perf_counter()
            for _ in range(steps):
                step(xs, ys)
            if r:
                times[k].append((time.perf_counter() - start) / steps)
    t = {k: np.array(v) for k, v in times.items()}
    return ({k: float(np.median(v)) for k, v in t.items()},
            {k: float(np.median(t[k] / t["numpy"])) for k in ("kernels", "ddp")},
            float(np.median(t["ddp"] - t["kernels"])))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batches", nargs="+", type=int, default=[64, 256])
    p.add_argument("--rounds", type=int, default=30, help="interleaved rounds (median reported)")
    p.add_argument("--steps", type=int, default=5, help="steps per contender per round")
    args = p.parse_args(argv)
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        print(f"mlp step, one BLAS thread, {args.rounds} interleaved rounds of {args.steps} steps\n")
        print(f"{'batch':>5}{'numpy ms':>10}{'kernels ms':>12}{'ddp ms':>9}{'kernels/numpy':>15}{'ddp/numpy':>11}"
              f"{'overhead ms':>13}")
        for batch in args.batches:
            t, ratios, overhead = bench(batch, args.rounds, args.steps)
            rows.append((batch, t, ratios, overhead))
            print(f"{batch:>5}{t['numpy'] * 1e3:>10.2f}{t['kernels'] * 1e3:>12.2f}{t['ddp'] * 1e3:>9.2f}"
                  f"{ratios['kernels']:>15.3f}{ratios['ddp']:>11.3f}{overhead * 1e3:>13.3f}", flush=True)
    print("\noverhead = ddp - kernels: the Python the framework adds to each step")
    return rows


if __name__ == "__main__":
    main()
