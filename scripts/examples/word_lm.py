"""A word-level language model (LSTM, GRU, Elman RNN or Transformer) on a tiny synthetic corpus, written as
a PyTorch user writes one (in the shape of PyTorch's word_language_model example).

A Corpus reads train/valid/test text files into token ids, batchify cuts each stream into columns, and
truncated back-propagation through time trains the model on windows of `--bptt` words, carrying the
recurrent state across windows but detaching it (repackage_hidden). Gradients are clipped by norm and
applied by hand (p.data.add_(p.grad, alpha=-lr)); the learning rate is divided by 4 whenever the
validation loss stops improving. The best model is saved whole (or as a state dict), loaded back, and
scored on the test text; a few words are then generated greedily from it.

Only the imports differ from the PyTorch program (tests/examples/test_word_lm.py runs both). So that both
frameworks compute the same numbers, the corpus and the initial weights come from numpy with fixed seeds
and dropout is 0 by default.

    python scripts/examples/word_lm.py --model LSTM --epochs 3
    python scripts/examples/word_lm.py --model Transformer --nlayers 2 --lr 2 --save-state-dict
"""
import argparse
import math
import os
import tempfile

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F


# ------------------------------------------------------------------------------------------- data
class Dictionary(object):
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


class Corpus(object):
    def __init__(self, path):
        self.dictionary = Dictionary()
        self.train = self.tokenize(os.path.join(path, 'train.txt'))
        self.valid = self.tokenize(os.path.join(path, 'valid.txt'))
        self.test = self.tokenize(os.path.join(path, 'test.txt'))

    def tokenize(self, path):
        """Adds the words of a text file to the dictionary; returns its token ids, one line after another."""
        assert os.path.exists(path)
        with open(path, 'r', encoding="utf8") as f:
            for line in f:
                for word in line.split() + ['<eos>']:
                    self.dictionary.add_word(word)
        with open(path, 'r', encoding="utf8") as f:
            idss = []
            for line in f:
                ids = [self.dictionary.word2idx[word] for word in line.split() + ['<eos>']]
                idss.append(torch.tensor(ids).type(torch.int64))
            ids = torch.cat(idss)
        return ids


def write_corpus(path, seed, lines=(100, 25, 25)):
    """train/valid/test files of sentences from a tiny grammar ("the old cat chases a bird")."""
    rng = np.random.default_rng(seed)
    dets, adjs = ["the", "a"], ["big", "small", "red", "old"]
    nouns, verbs = ["cat", "dog", "bird", "fish", "man"], ["sees", "likes", "chases", "finds"]
    for name, count in zip(("train", "valid", "test"), lines):
        with open(os.path.join(path, name + ".txt"), "w", encoding="utf8") as f:
            for _ in range(count):
                words = [rng.choice(dets)] + ([rng.choice(adjs)] if rng.random() < 0.5 else [])
                words += [rng.choice(nouns), rng.choice(verbs), rng.choice(dets), rng.choice(nouns)]
                f.write(" ".join(words) + "\n")


# ------------------------------------------------------------------------------------------ model
class RNNModel(nn.Module):
    """An encoder (embedding), a recurrent module and a decoder (linear layer to word scores)."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super(RNNModel, self).__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ['LSTM', 'GRU']:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            try:
                nonlinearity = {'RNN_TANH': 'tanh', 'RNN_RELU': 'relu'}[rnn_type]
            except KeyError as e:
                raise ValueError("--model must be one of LSTM, GRU, RNN_TANH, RNN_RELU, Transformer") from e
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:  # Press and Wolf (2016): the decoder shares the embedding matrix
            if nhid != ninp:
                raise ValueError('When using the tied flag, nhid must be equal to emsize')
            self.decoder.weight = self.encoder.weight
        self.init_weights()
        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == 'LSTM':
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))
        return weight.new_zeros(self.nlayers, bsz, self.nhid)


class PositionalEncoding(nn.Module):
    """Adds sin/cos signals of geometric frequencies to (S, N, E) embeddings (Vaswani et al., 2017)."""

    def __init__(self, d_model, dropout=0.1, max_len=5000):
        super(PositionalEncoding, self).__init__()
        self.dropout = nn.Dropout(p=dropout)
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        pe = pe.unsqueeze(0).transpose(0, 1)
        self.register_buffer('pe', pe)

    def forward(self, x):
        x = x + self.pe[:x.size(0), :]
        return self.dropout(x)


class TransformerModel(nn.Transformer):
    """nn.Transformer's encoder stack with a causal mask; its decoder stack is replaced by a linear layer."""

    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
        super(TransformerModel, self).__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid,
                                               num_encoder_layers=nlayers, dropout=dropout)
        self.model_type = 'Transformer'
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        self.input_emb = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)
        self.init_weights()

    def _generate_square_subsequent_mask(self, sz):
        future = torch.ones(sz, sz, dtype=torch.bool).triu(diagonal=1)  # True where j > i: masked out
        return torch.zeros(sz, sz).masked_fill(future, float('-inf'))

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.input_emb.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, src, has_mask=True):
        if has_mask:
            device = src.device
            if self.src_mask is None or self.src_mask.size(0) != len(src):
                mask = self._generate_square_subsequent_mask(len(src)).to(device)
                self.src_mask = mask
        else:
            self.src_mask = None
        src = self.input_emb(src) * math.sqrt(self.ninp)
        src = self.pos_encoder(src)
        output = self.encoder(src, mask=self.src_mask)
        output = self.decoder(output)
        return F.log_softmax(output, dim=-1)


def reset_parameters_from_numpy(model, seed):
    """Uniform(-0.1, 0.1) weights and biases, unit LayerNorm scales, from numpy: both frameworks start
    equal (each framework's own init_weights has already run, drawing from its own generator)."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                values = np.ones(tuple(p.shape)) if name.endswith("weight") else np.zeros(tuple(p.shape))
            else:
                values = rng.uniform(-0.1, 0.1, tuple(p.shape))
            p.copy_(torch.from_numpy(values.astype(np.float32)))


# ---------------------------------------------------------------------------------------- training
def batchify(data, bsz, device):
    # Trim the stream to a multiple of bsz, then lay it out as bsz columns: shape (len // bsz, bsz).
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    data = data.view(bsz, -1).t().contiguous()
    return data.to(device)


def repackage_hidden(h):
    """Detaches hidden states from their history, so back-propagation stops at the window's start."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    else:
        return tuple(repackage_hidden(v) for v in h)


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


def evaluate(model, data_source, args, ntokens, criterion):
    model.eval()
    total_loss = 0.
    if args.model != 'Transformer':
        hidden = model.init_hidden(args.eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i, args.bptt)
            if args.model == 'Transformer':
                output = model(data)
                output = output.view(-1, ntokens)
            else:
                output, hidden = model(data, hidden)
                hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def train(model, train_data, args, ntokens, criterion, lr, epoch):
    model.train()
    if args.model != 'Transformer':
        hidden = model.init_hidden(args.batch_size)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i, args.bptt)
        model.zero_grad()
        if args.model == 'Transformer':
            output = model(data)
            output = output.view(-1, ntokens)
        else:
            hidden = repackage_hidden(hidden)
            output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        print('| epoch {:3d} | {:3d}/{:3d} batches | lr {:02.2f} | loss {:.6f} | ppl {:8.2f}'.format(
            epoch, batch, len(train_data) // args.bptt, lr, loss.item(), math.exp(loss.item())))


def generate(model, corpus, args, device, words):
    """Greedy continuation of the first test word: feed the most probable next word back in."""
    model.eval()
    input = corpus.test[:1].view(1, 1).to(device)
    out = [corpus.dictionary.idx2word[input.item()]]
    if args.model != 'Transformer':
        hidden = model.init_hidden(1)
    with torch.no_grad():
        for _ in range(words):
            if args.model == 'Transformer':
                output = model(input, False)
                word_weights = output[-1].squeeze().exp().cpu()
                word_idx = torch.argmax(word_weights).item()
                input = torch.cat([input, torch.tensor([[word_idx]], device=device)], 0)
            else:
                output, hidden = model(input, hidden)
                word_weights = output.squeeze().exp().cpu()
                word_idx = torch.argmax(word_weights).item()
                input.fill_(word_idx)
            out.append(corpus.dictionary.idx2word[word_idx])
    return " ".join(out)


def main():
    parser = argparse.ArgumentParser(description='an RNN/LSTM/GRU/Transformer language model on a synthetic corpus')
    parser.add_argument('--model', type=str, default='LSTM',
                        help='type of network (RNN_TANH, RNN_RELU, LSTM, GRU, Transformer)')
    parser.add_argument('--lines', type=int, default=200, help='sentences in the training text')
    parser.add_argument('--emsize', type=int, default=16)
    parser.add_argument('--nhid', type=int, default=32)
    parser.add_argument('--nlayers', type=int, default=1)
    parser.add_argument('--lr', type=float, default=5.0)
    parser.add_argument('--clip', type=float, default=0.25)
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--eval-batch-size', type=int, default=4)
    parser.add_argument('--bptt', type=int, default=10)
    parser.add_argument('--dropout', type=float, default=0.0)
    parser.add_argument('--tied', action='store_true')
    parser.add_argument('--nhead', type=int, default=2)
    parser.add_argument('--save-state-dict', action='store_true', help='checkpoint the state dict, not the model')
    parser.add_argument('--seed', type=int, default=1111)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cpu")
    folder = tempfile.mkdtemp()
    write_corpus(folder, args.seed, (args.lines, args.lines // 4, args.lines // 4))
    corpus = Corpus(folder)
    train_data = batchify(corpus.train, args.batch_size, device)
    val_data = batchify(corpus.valid, args.eval_batch_size, device)
    test_data = batchify(corpus.test, args.eval_batch_size, device)

    ntokens = len(corpus.dictionary)
    if args.model == 'Transformer':
        model = TransformerModel(ntokens, args.emsize, args.nhead, args.nhid, args.nlayers, args.dropout).to(device)
    else:
        model = RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout,
                         args.tied).to(device)
    reset_parameters_from_numpy(model, args.seed + 1)
    print(model)
    print(f"vocab size {ntokens}, {sum(p.numel() for p in model.parameters())} parameters")
    criterion = nn.NLLLoss()

    save = os.path.join(folder, 'model.pt')
    lr = args.lr
    best_val_loss = None
    for epoch in range(1, args.epochs + 1):
        train(model, train_data, args, ntokens, criterion, lr, epoch)
        val_loss = evaluate(model, val_data, args, ntokens, criterion)
        print('| end of epoch {:3d} | valid loss {:.6f} | valid ppl {:8.2f}'.format(
            epoch, val_loss, math.exp(val_loss)))
        if not best_val_loss or val_loss < best_val_loss:
            with open(save, 'wb') as f:
                torch.save(model.state_dict() if args.save_state_dict else model, f)
            best_val_loss = val_loss
        else:
            lr /= 4.0  # anneal when the validation loss stops improving

    with open(save, 'rb') as f:
        if args.save_state_dict:
            print(model.load_state_dict(torch.load(f)))
        else:
            model = torch.load(f, weights_only=False)
            if args.model in ['RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU']:
                model.rnn.flatten_parameters()  # after load the RNN weights are not one contiguous chunk
    test_loss = evaluate(model, test_data, args, ntokens, criterion)
    print('| End of training | test loss {:.6f} | test ppl {:8.2f}'.format(test_loss, math.exp(test_loss)))
    print('generated: ' + generate(model, corpus, args, device, 8))
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))
    os.rmdir(folder)


if __name__ == '__main__':
    main()
