"""Time one training step (forward, backward, SGD update) of the seed models: ddp vs PyTorch CPU and vs a
hand-written numpy step (MLP), one BLAS thread, interleaved rounds, median ratios with their quartiles.

    OMP_NUM_THREADS=1 python scripts/bench_step.py                 # all models, batch 64 and 256
    python scripts/bench_step.py --models mlp --batches 64 --rounds 5
    python scripts/bench_step.py --models gpt                       # the GPT-style model alone

`gpt` is a small GPT-style language model (gpt_model.py: token + position embedding, 2 pre-norm blocks of
causal self-attention and a GELU MLP, width 128, context 64, batch 16, vocabulary 256) trained by AdamW; its
rows are a training step and a forward under no_grad ("gpt-fwd"), at batch 16 whatever --batches says.

Each round times `--steps` consecutive steps of every contender in turn (A B C A B C ...); the ratio of a
round is ddp's time over the reference's in that round, and the table shows the median over rounds and, in
brackets, the middle half of the rounds' ratios (first to third quartile): on a shared machine the spread
says how far one run's median can be trusted.
"""
import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy and torch start their thread pools
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

import ddp  # noqa: E402
import ddp.nn.functional as F  # noqa: E402
from gpt_model import build_gpt  # noqa: E402
from mnist_models import MODELS, build_model, torch_model  # noqa: E402

# Issue 12's targets (mlp against the numpy step, the CNNs against PyTorch) and the earlier ones kept
TARGETS = {("mlp", "torch"): 1.25, ("mlp", "numpy"): 1.10, ("cnn", "torch"): 1.3, ("cnn2", "torch"): 1.25,
           ("gpt", "torch"): 1.5, ("gpt-fwd", "torch"): 1.5}
LR = 0.01
GPT = {"batch": 16, "context": 64, "vocab": 256}


def ddp_step(model):
    opt = ddp.optim.SGD(model.parameters(), lr=LR)

    def step(x, y):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def torch_step(name, state):
    import torch
    model = torch_model(name)
    model.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in state.items()})
    opt = torch.optim.SGD(model.parameters(), lr=LR)

    def step(x, y):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def numpy_mlp_step(state):
    """784-512-256-10 ReLU MLP: forward, softmax cross-entropy, backward and SGD in plain float32 numpy."""
    w1, b1, w2, b2, w3, b3 = (state[k].numpy().copy() for k in
                              ("1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"))
    lr = np.float32(LR)

    def step(x, y):
        n = len(x)
        x = x.reshape(n, -1)
        h1 = x @ w1.T + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ w2.T + b2
        a2 = np.maximum(h2, 0)
        z = a2 @ w3.T + b3
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(n), y] -= 1
        dz = p * np.float32(1 / n)  # d(mean cross-entropy)/dz = (softmax - onehot) / n
        da2 = dz @ w3
        da2 *= h2 > 0
        da1 = da2 @ w2
        da1 *= h1 > 0
        for w, b, g, a in ((w3, b3, dz, a2), (w2, b2, da2, a1), (w1, b1, da1, x)):
            w -= lr * (g.T @ a)
            b -= lr * g.sum(axis=0)
    return step


def gpt_contenders(framework, model, idx):
    """(training step, no_grad forward) of a GPT twin on token ids idx (N, context + 1): next-token loss."""
    x, y = framework.from_numpy(idx[:, :-1].copy()), framework.from_numpy(idx[:, 1:].copy())
    opt = framework.optim.AdamW(model.parameters(), lr=1e-3)
    cross_entropy = framework.nn.functional.cross_entropy

    def step(x, y):
        opt.zero_grad()
        cross_entropy(model(x).reshape(-1, GPT["vocab"]), y.reshape(-1)).backward()
        opt.step()

    def forward(x, y):
        with framework.no_grad():
            model(x)
    return (step, x, y), (forward, x, y)


def bench_gpt(rounds, steps, use_torch):
    """Like `bench` for the GPT model: rows "gpt" (a training step) and "gpt-fwd" (forward under no_grad)."""
    idx = np.random.default_rng(0).integers(0, GPT["vocab"], (GPT["batch"], GPT["context"] + 1))
    ddp.manual_seed(0)
    model = build_gpt(ddp, vocab=GPT["vocab"], context=GPT["context"])
    contenders = {"ddp": gpt_contenders(ddp, model, idx)}
    if use_torch:
        import torch
        twin = build_gpt(torch, vocab=GPT["vocab"], context=GPT["context"])
        twin.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
        contenders["torch"] = gpt_contenders(torch, twin, idx)
    results = []
    for row in range(2):  # 0: step, 1: forward
        for pair in contenders.values():  # warm-up
            time_steps(*pair[row], 2)
        times = {k: [] for k in contenders}
        for _ in range(rounds):
            for k, pair in contenders.items():
                times[k].append(time_steps(*pair[row], steps))
        results.append(({k: float(np.median(t)) for k, t in times.items()}, *ratio_stats(times)))
    return results


def time_steps(step, x, y, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step(x, y)
    return (time.perf_counter() - start) / steps


def bench(name, batch, rounds, steps, use_torch):
    """Median seconds per step of each contender, the median per-round ratios of ddp against the others,
    and those ratios' (first, third) quartiles."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    ddp.manual_seed(0)
    model = build_model(name)
    state = model.state_dict()
    contenders = {"ddp": (ddp_step(model), ddp.from_numpy(x.copy()), ddp.from_numpy(y.copy()))}
    if use_torch:
        import torch
        contenders["torch"] = (torch_step(name, state), torch.from_numpy(x.copy()), torch.from_numpy(y.copy()))
    if name == "mlp":
        contenders["numpy"] = (numpy_mlp_step(state), x.copy(), y.copy())
    for step, xs, ys in contenders.values():  # warm-up
        time_steps(step, xs, ys, 2)
    times = {k: [] for k in contenders}
    for _ in range(rounds):
        for k, (step, xs, ys) in contenders.items():
            times[k].append(time_steps(step, xs, ys, steps))
    return ({k: float(np.median(t)) for k, t in times.items()}, *ratio_stats(times))


def ratio_stats(times):
    """From {contender: per-round seconds}: {reference: median of ddp / reference} and {reference: (q1, q3)}."""
    ours = np.array(times["ddp"])
    per_round = {k: ours / np.array(t) for k, t in times.items() if k != "ddp"}
    return ({k: float(np.median(r)) for k, r in per_round.items()},
            {k: tuple(float(q) for q in np.percentile(r, [25, 75])) for k, r in per_round.items()})


def machine_facts():
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('prefix')}, {i.get('architecture')} kernels, "
            f"{i.get('num_threads')} thread(s))"
            for i in threadpool_info() if i.get("user_api") == "blas"]
    if os.environ.get("OPENBLAS_CORETYPE"):  # pinned from outside: say so, it moves every GEMM's speed
        blas.append(f"kernels pinned by OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}")
    lines = [f"CPU: {cpu}, {os.cpu_count()} logical cores",
             f"Python {platform.python_version()}, numpy {np.__version__}, BLAS: {'; '.join(blas) or 'unknown'}"]
    try:
        import torch
        lines.append(f"PyTorch {torch.__version__} (CPU, {torch.get_num_threads()} thread)")
    except ImportError:
        lines.append("PyTorch not installed: no PyTorch column")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", choices=sorted(MODELS) + ["gpt"], default=["mlp", "cnn", "cnn2", "gpt"])
    p.add_argument("--batches", nargs="+", type=int, default=[64, 256])
    p.add_argument("--rounds", type=int, default=7, help="interleaved rounds (median reported)")
    p.add_argument("--steps", type=int, default=5, help="steps per contender per round")
    args = p.parse_args(argv)
    try:
        import torch
        torch.set_num_threads(1)
        use_torch = True
    except ImportError:
        use_torch = False
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        print(machine_facts())
        print(f"one BLAS thread; {args.rounds} interleaved rounds of {args.steps} steps; SGD lr={LR} "
              f"(gpt: AdamW lr=1e-3); float32\n")
        header = (f"{'model':<8}{'batch':>4}{'ddp ms':>9}{'torch ms':>10}{'ddp/torch (q1-q3)':>20}{'numpy ms':>10}"
                  f"{'ddp/numpy (q1-q3)':>20}")
        print(header)
        print("-" * len(header))
        for name in args.models:
            if name == "gpt":
                measured = zip(("gpt", "gpt-fwd"), bench_gpt(args.rounds, args.steps, use_torch))
                batches = [(row, GPT["batch"], *result) for row, result in measured]
            else:
                batches = ((name, batch, *bench(name, batch, args.rounds, args.steps, use_torch))
                           for batch in args.batches)
            for row, batch, t, r, q in batches:
                rows.append((row, batch, t, r, q))
                print(f"{row:<8}{batch:>4}{t['ddp'] * 1e3:>9.2f}{_cell(t, 'torch', 1e3, 10)}"
                      f"{_ratio(r, q, row, 'torch')}{_cell(t, 'numpy', 1e3, 10)}{_ratio(r, q, row, 'numpy')}",
                      flush=True)
    print("\ntargets: " + ", ".join(f"{m} <= {v}x {ref}" for (m, ref), v in TARGETS.items())
          + "  (* = target missed)")
    return rows


def _cell(values, key, scale, width):
    return f"{values[key] * scale:>{width}.2f}" if key in values else f"{'-':>{width}}"


def _ratio(ratios, quartiles, name, ref):
    if ref not in ratios:
        return f"{'-':>20}"
    target = TARGETS.get((name, ref))
    flag = "*" if target is not None and ratios[ref] > target else " "
    low, high = quartiles[ref]
    return f"{ratios[ref]:>8.2f}{flag} ({low:.2f}-{high:.2f})"


if __name__ == "__main__":
    main()
