"""A word-level language model with a Transformer encoder and a causal mask, written as a PyTorch user
writes one (in the shape of PyTorch's word_language_model example), trained on a tiny synthetic corpus.

Words are embedded, scaled by sqrt(d_model), given sinusoidal positions, run through a TransformerEncoder
whose square subsequent mask lets position i see only positions <= i, and decoded to next-word logits.
The corpus comes from a small grammar ("the cat sees a dog ."), so a good model learns its word order.

Only the imports differ from the PyTorch program (tests/examples/test_transformer_lm.py runs both). So that
both frameworks compute the same numbers, the corpus and the initial weights come from numpy with fixed
seeds, dropout is 0 by default and batches are taken in order.

    python scripts/examples/transformer_lm.py --epochs 2 --bptt 8
"""
import argparse
import math

import numpy as np

import ddp as torch
import ddp.nn as nn


# ------------------------------------------------------------------------------------------- data
class Dictionary:
    def __init__(self):
        self.word2idx = {}
        self.idx2word = []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


def make_corpus(sentences, seed):
    """Sentences of a tiny grammar: determiner, adjective (sometimes), noun, verb, determiner, noun, '.'."""
    rng = np.random.default_rng(seed)
    dets, adjs = ["the", "a"], ["big", "small", "red", "old"]
    nouns, verbs = ["cat", "dog", "bird", "fish", "man"], ["sees", "likes", "chases", "finds"]
    words = []
    for _ in range(sentences):
        words += [rng.choice(dets)] + ([rng.choice(adjs)] if rng.random() < 0.5 else [])
        words += [rng.choice(nouns), rng.choice(verbs), rng.choice(dets), rng.choice(nouns), "."]
    return words


def tokenize(words, dictionary):
    return torch.tensor([dictionary.add_word(w) for w in words], dtype=torch.long)


def batchify(data, bsz):
    """Cut the token stream into bsz columns: shape (len // bsz, bsz)."""
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].reshape(-1)
    return data, target


# ------------------------------------------------------------------------------------------ model
class PositionalEncoding(nn.Module):
    """Adds sin/cos position signals of different frequencies to the (S, N, E) embeddings."""

    def __init__(self, d_model, dropout=0.1, max_len=512):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

    def forward(self, x):
        return self.dropout(x + self.pe[:x.size(0), :])


class TransformerModel(nn.Module):
    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.0, activation="relu"):
        super().__init__()
        self.ninp = ninp
        self.encoder = nn.Embedding(ntoken, ninp)
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        layer = nn.TransformerEncoderLayer(ninp, nhead, nhid, dropout, activation=activation)
        self.transformer_encoder = nn.TransformerEncoder(layer, nlayers, enable_nested_tensor=False)
        self.decoder = nn.Linear(ninp, ntoken)

    def forward(self, src, src_mask):
        x = self.pos_encoder(self.encoder(src) * math.sqrt(self.ninp))
        return self.decoder(self.transformer_encoder(x, src_mask))


def reset_parameters_from_numpy(model, seed):
    """Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights, unit LayerNorm scales: makes both frameworks start
    equal."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                values = np.ones(tuple(p.shape)) if name.endswith("weight") else np.zeros(tuple(p.shape))
            else:
                bound = 1.0 / np.sqrt(p.shape[-1])
                values = rng.uniform(-bound, bound, tuple(p.shape))
            p.copy_(torch.from_numpy(values.astype(np.float32)))


# ------------------------------------------------------------------------------------------- main
def evaluate(model, source, bptt, ntokens, criterion):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, bptt):
            data, targets = get_batch(source, i, bptt)
            mask = nn.Transformer.generate_square_subsequent_mask(data.size(0))
            output = model(data, mask)
            total += len(data) * criterion(output.view(-1, ntokens), targets).item()
    return total / (len(source) - 1)


def main():
    parser = argparse.ArgumentParser(description="a Transformer word-level language model on a synthetic corpus")
    parser.add_argument("--sentences", type=int, default=120)
    parser.add_argument("--emsize", type=int, default=32)
    parser.add_argument("--nhid", type=int, default=64)
    parser.add_argument("--nhead", type=int, default=4)
    parser.add_argument("--nlayers", type=int, default=2)
    parser.add_argument("--bptt", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--clip", type=float, default=0.5)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--activation", default="relu", choices=["relu", "gelu"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    dictionary = Dictionary()
    train_data = batchify(tokenize(make_corpus(args.sentences, args.seed), dictionary), args.batch_size)
    val_data = batchify(tokenize(make_corpus(args.sentences // 4, args.seed + 1), dictionary), args.batch_size)
    ntokens = len(dictionary)

    model = TransformerModel(ntokens, args.emsize, args.nhead, args.nhid, args.nlayers, args.dropout,
                             args.activation)
    reset_parameters_from_numpy(model, args.seed + 2)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        for i in range(0, train_data.size(0) - 1, args.bptt):
            data, targets = get_batch(train_data, i, args.bptt)
            mask = nn.Transformer.generate_square_subsequent_mask(data.size(0))
            optimizer.zero_grad()
            output = model(data, mask)
            loss = criterion(output.view(-1, ntokens), targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            print(f"epoch {epoch} step {step} loss {loss.item():.6f}")
            step += 1
        val_loss = evaluate(model, val_data, args.bptt, ntokens, criterion)
        print(f"epoch {epoch} valid_loss {val_loss:.6f} ppl {math.exp(val_loss):.2f}")


if __name__ == "__main__":
    main()
