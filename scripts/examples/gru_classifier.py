"""A GRU sequence classifier, written as a PyTorch user writes one, on tiny synthetic token sequences.

Each sequence is a string of random tokens in which one of three "keyword" tokens appears more often than
the other two; the label is that keyword. Tokens are embedded, read by a two-layer bidirectional GRU
(batch_first), and the last layer's final hidden states of both directions are classified by a linear head.

Only the imports differ from the PyTorch program (tests/examples/test_gru_classifier.py runs both). So that
both frameworks compute the same numbers, the data and the initial weights come from numpy with fixed
seeds, dropout is 0 by default and the DataLoader does not shuffle.

    python scripts/examples/gru_classifier.py --epochs 4 --hidden 16
"""
import argparse

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F
from ddp.utils.data import DataLoader, TensorDataset

NUM_CLASSES = 3


def make_sequences(n, length, vocab, seed):
    """(tokens (n, length) int64, labels (n,) int64): tokens 0..2 are the keywords, the rest filler; the
    label is the keyword planted most often."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(NUM_CLASSES, vocab, (n, length))
    labels = rng.integers(0, NUM_CLASSES, n)
    for i in range(n):
        counts = np.zeros(NUM_CLASSES, dtype=np.int64)
        counts[labels[i]] = 4  # the label's keyword wins; the other two appear twice and once
        counts[[c for c in range(NUM_CLASSES) if c != labels[i]]] = rng.permutation([2, 1])
        slots = rng.choice(length, counts.sum(), replace=False)
        tokens[i, slots] = np.repeat(np.arange(NUM_CLASSES), counts)
    return tokens.astype(np.int64), labels.astype(np.int64)


class GRUClassifier(nn.Module):
    def __init__(self, vocab, embed, hidden, layers, dropout=0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.gru = nn.GRU(embed, hidden, num_layers=layers, batch_first=True, bidirectional=True,
                          dropout=dropout)
        self.fc = nn.Linear(2 * hidden, NUM_CLASSES)

    def forward(self, tokens):
        self.gru.flatten_parameters()
        _, h_n = self.gru(self.embedding(tokens))  # h_n: (layers * 2, N, hidden)
        last = torch.cat([h_n[-2], h_n[-1]], dim=1)  # the last layer, forward and backward
        return self.fc(last)


def reset_parameters_from_numpy(model, seed):
    """Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights from numpy: makes both frameworks start equal."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in model.parameters():
            bound = 1.0 / np.sqrt(p.shape[-1])
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


def accuracy(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for tokens, labels in loader:
            correct += (model(tokens).argmax(dim=1) == labels).sum().item()
            total += labels.size(0)
    return correct / total


def main():
    parser = argparse.ArgumentParser(description="a GRU classifier of synthetic token sequences")
    parser.add_argument("--samples", type=int, default=192)
    parser.add_argument("--length", type=int, default=12)
    parser.add_argument("--vocab", type=int, default=10)
    parser.add_argument("--embed", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    tokens, labels = make_sequences(args.samples, args.length, args.vocab, args.seed)
    split = args.samples * 3 // 4
    train = TensorDataset(torch.from_numpy(tokens[:split]), torch.from_numpy(labels[:split]))
    test = TensorDataset(torch.from_numpy(tokens[split:]), torch.from_numpy(labels[split:]))
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=False)
    test_loader = DataLoader(test, batch_size=args.batch_size)

    model = GRUClassifier(args.vocab, args.embed, args.hidden, args.layers, args.dropout)
    reset_parameters_from_numpy(model, args.seed + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(1, args.epochs + 1):
        model.train()
        for step, (x, y) in enumerate(train_loader):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            print(f"epoch {epoch} step {step} loss {loss.item():.6f}")
        print(f"epoch {epoch} test accuracy {accuracy(model, test_loader):.4f}")


if __name__ == "__main__":
    main()
