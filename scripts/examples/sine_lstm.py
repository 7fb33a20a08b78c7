"""Time-sequence prediction: two stacked LSTM cells learn sine waves, then continue them into the future.

Each training series is a sine wave with a random phase. The model reads it one value at a time and, at
every step, predicts the next value; the whole set fits in one batch, so it trains with L-BFGS, whose
`step(closure)` re-evaluates loss and gradients as often as its iterations need. After each step the
model reads the held-out series and then runs on its own predictions for `--future` more steps.

Everything runs in float64 (`.double()`), as such programs usually do for L-BFGS. Only the imports differ
from the PyTorch program (tests/examples/test_sine_lstm.py runs both); the data and the initial weights come
from numpy with fixed seeds, so both frameworks compute the same numbers.

    python scripts/examples/sine_lstm.py --steps 4 --hidden 16
"""
import argparse

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.optim as optim


def make_waves(n, length, period, seed):
    """n sine waves of `length` samples and the given period, each starting at a random phase (float64)."""
    rng = np.random.default_rng(seed)
    starts = rng.integers(-4 * period, 4 * period, size=(n, 1))
    t = np.arange(length)[None, :] + starts
    return np.sin(2 * np.pi * t / period).astype(np.float64)


class Sequence(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)
        self.dummy_param = nn.Parameter(torch.empty(0))  # tells forward which device the model is on

    def forward(self, input, future=0):
        n, device = input.size(0), self.dummy_param.device
        h1 = torch.zeros(n, self.hidden, dtype=torch.double).to(device)
        c1 = torch.zeros(n, self.hidden, dtype=torch.double).to(device)
        h2 = torch.zeros(n, self.hidden, dtype=torch.double).to(device)
        c2 = torch.zeros(n, self.hidden, dtype=torch.double).to(device)
        outputs = []
        for x_t in input.split(1, dim=1):
            h1, c1 = self.lstm1(x_t, (h1, c1))
            h2, c2 = self.lstm2(h1, (h2, c2))
            output = self.linear(h2)
            outputs.append(output)
        for _ in range(future):  # feed the model its own prediction
            h1, c1 = self.lstm1(output, (h1, c1))
            h2, c2 = self.lstm2(h1, (h2, c2))
            output = self.linear(h2)
            outputs.append(output)
        return torch.cat(outputs, dim=1)


def reset_parameters_from_numpy(model, seed):
    """U(-1/sqrt(hidden), 1/sqrt(hidden)) for every parameter, from numpy: makes both frameworks start equal."""
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(model.hidden)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape))))


def main():
    parser = argparse.ArgumentParser(description="two LSTM cells predicting sine waves, trained with L-BFGS")
    parser.add_argument("--waves", type=int, default=12)
    parser.add_argument("--length", type=int, default=50)
    parser.add_argument("--period", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--max-iter", type=int, default=10)
    parser.add_argument("--future", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.8)
    parser.add_argument("--line-search", choices=["none", "strong_wolfe"], default="none")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(args.seed)

    data = torch.from_numpy(make_waves(args.waves, args.length + 1, args.period, args.seed)).to(device)
    input, target = data[3:, :-1], data[3:, 1:]
    test_input, test_target = data[:3, :-1], data[:3, 1:]

    seq = Sequence(args.hidden).to(device).double()
    reset_parameters_from_numpy(seq, args.seed + 1)
    criterion = nn.MSELoss().to(device)
    optimizer = optim.LBFGS(seq.parameters(), lr=args.lr, max_iter=args.max_iter,
                            line_search_fn=None if args.line_search == "none" else args.line_search)

    for i in range(args.steps):
        print(f"step {i}")

        def closure():
            optimizer.zero_grad()
            loss = criterion(seq(input), target)
            print(f"loss {loss.item():.10f}")
            loss.backward()
            return loss

        optimizer.step(closure)
        with torch.no_grad():
            pred = seq(test_input, future=args.future)
            loss = criterion(pred[:, :-args.future], test_target)
            print(f"test loss {loss.item():.10f}")
        y = pred.cpu().detach().numpy()
        print(f"predicted {args.future} future steps: range [{y[:, -args.future:].min():.3f}, "
              f"{y[:, -args.future:].max():.3f}]")


if __name__ == "__main__":
    main()
