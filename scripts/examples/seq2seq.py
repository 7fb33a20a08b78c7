"""A GRU encoder-decoder with attention that learns to reverse sequences of digits, written as a PyTorch user
writes one (in the shape of the usual seq2seq translation tutorials, on a toy task).

Source sequences have different lengths: a collate function pads each batch with pad_sequence, and the
bidirectional GRU encoder reads them packed (pack_padded_sequence with enforce_sorted=False, then
pad_packed_sequence), so padding never enters its states. The decoder GRU runs one step at a time: it attends
over the encoder's outputs (additive attention as Bahdanau et al. 2015, or Luong et al.'s 2015 bilinear
"general" score, both through bmm), with the padded positions masked out by masked_fill(-inf) before the
softmax, and it is fed either the true previous token or its own guess (teacher forcing, decided by a numpy
random number). The loss is NLLLoss(ignore_index=PAD) on log_softmax outputs. Greedy decoding under no_grad
measures how many validation sequences come out exactly right, and a beam search decodes a few. Half way
through, training writes a checkpoint (the model's and the optimizer's state dicts, the epoch, the loss, the
arguments and the RNG state), and a new model and optimizer resume from it.

Only the imports differ from the PyTorch program (tests/examples/test_seq2seq.py runs both). So that both
frameworks compute the same numbers, the data, the initial weights and the teacher-forcing draws come from
numpy with fixed seeds.

    python scripts/examples/seq2seq.py --epochs 10 --attention bahdanau
    python scripts/examples/seq2seq.py --attention luong --teacher-forcing 0.5
"""
import argparse
import os
import tempfile

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.optim as optim
from ddp.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence, unpad_sequence
from ddp.utils.data import DataLoader, Dataset

PAD, SOS, EOS = 0, 1, 2
FIRST_DIGIT = 3


class ReversalDataset(Dataset):
    """Pairs (digits, the digits reversed then EOS) of random lengths in [min_len, max_len]."""

    def __init__(self, n, digits, min_len, max_len, seed):
        rng = np.random.default_rng(seed)
        self.pairs = []
        for _ in range(n):
            length = rng.integers(min_len, max_len + 1)
            src = rng.integers(FIRST_DIGIT, FIRST_DIGIT + digits, length)
            tgt = np.concatenate([src[::-1], [EOS]])
            self.pairs.append((torch.tensor(src, dtype=torch.long), torch.from_numpy(tgt.astype(np.int64))))

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, idx):
        return self.pairs[idx]


def collate(batch):
    """Pads sources and targets to the batch's longest (batch first) and keeps the source lengths."""
    srcs, tgts = zip(*batch)
    src_lengths = torch.tensor([len(s) for s in srcs])
    return (pad_sequence(srcs, batch_first=True, padding_value=PAD), src_lengths,
            pad_sequence(list(tgts), batch_first=True, padding_value=PAD))


class Encoder(nn.Module):
    def __init__(self, vocab, emb_dim, enc_hid, dec_hid):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb_dim, padding_idx=PAD)
        self.rnn = nn.GRU(emb_dim, enc_hid, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(enc_hid * 2, dec_hid)

    def forward(self, src, src_lengths):
        embedded = self.embedding(src)
        packed = pack_padded_sequence(embedded, src_lengths.cpu(), batch_first=True, enforce_sorted=False)
        packed = packed.to(src.device)
        packed_outputs, hidden = self.rnn(packed)
        outputs, _ = pad_packed_sequence(packed_outputs, batch_first=True, total_length=src.size(1))
        # hidden is (2, B, enc_hid): the last forward state and the first backward state of each sequence
        hidden = torch.tanh(self.fc(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)))
        return outputs, hidden


class Attention(nn.Module):
    """Scores of the decoder state against every encoder output, softmaxed over the unmasked positions."""

    def __init__(self, enc_hid, dec_hid, method='bahdanau'):
        super().__init__()
        self.method = method
        if method == 'bahdanau':
            self.attn = nn.Linear(enc_hid * 2 + dec_hid, dec_hid)
            self.v = nn.Linear(dec_hid, 1, bias=False)
        elif method == 'luong':
            self.attn = nn.Linear(dec_hid, enc_hid * 2, bias=False)
        else:
            raise ValueError(f'unknown attention {method!r}')

    def forward(self, hidden, encoder_outputs, mask):
        # hidden (B, dec_hid), encoder_outputs (B, T, 2 enc_hid), mask (B, T) True at real tokens
        if self.method == 'bahdanau':
            T = encoder_outputs.shape[1]
            repeated = hidden.unsqueeze(1).repeat(1, T, 1)
            energy = torch.tanh(self.attn(torch.cat((repeated, encoder_outputs), dim=2)))
            scores = self.v(energy).squeeze(2)
        else:
            scores = torch.bmm(encoder_outputs, self.attn(hidden).unsqueeze(2)).squeeze(2)
        scores = scores.masked_fill(mask == 0, float('-inf'))
        return F.softmax(scores, dim=1)


class Decoder(nn.Module):
    def __init__(self, vocab, emb_dim, enc_hid, dec_hid, attention):
        super().__init__()
        self.vocab = vocab
        self.attention = attention
        self.embedding = nn.Embedding(vocab, emb_dim, padding_idx=PAD)
        self.rnn = nn.GRU(enc_hid * 2 + emb_dim, dec_hid, batch_first=True)
        self.fc_out = nn.Linear(enc_hid * 2 + dec_hid + emb_dim, vocab)

    def forward(self, input, hidden, encoder_outputs, mask):
        embedded = self.embedding(input.unsqueeze(1))  # (B, 1, emb)
        a = self.attention(hidden, encoder_outputs, mask).unsqueeze(1)  # (B, 1, T)
        weighted = torch.bmm(a, encoder_outputs)  # (B, 1, 2 enc_hid)
        output, hidden = self.rnn(torch.cat((embedded, weighted), dim=2), hidden.unsqueeze(0))
        prediction = self.fc_out(torch.cat((output.squeeze(1), weighted.squeeze(1), embedded.squeeze(1)), dim=1))
        return F.log_softmax(prediction, dim=-1), hidden.squeeze(0), a.squeeze(1)


class Seq2Seq(nn.Module):
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, src, src_lengths, trg, teacher_forcing=None):
        """Log-probabilities (B, T_trg, vocab) of each target token; teacher_forcing(t) says whether step t
        is fed the true previous token (the first step is always fed SOS)."""
        batch_size, trg_len = trg.shape
        outputs = torch.zeros(batch_size, trg_len, self.decoder.vocab)
        encoder_outputs, hidden = self.encoder(src, src_lengths)
        mask = src != PAD
        input = torch.full((batch_size,), SOS, dtype=torch.long)
        for t in range(trg_len):
            output, hidden, _ = self.decoder(input, hidden, encoder_outputs, mask)
            outputs[:, t] = output
            use_truth = teacher_forcing is not None and teacher_forcing(t)
            input = trg[:, t] if use_truth else output.argmax(1)
        return outputs

    @torch.no_grad()
    def greedy(self, src, src_lengths, max_len):
        encoder_outputs, hidden = self.encoder(src, src_lengths)
        mask = src != PAD
        input = torch.full((src.size(0),), SOS, dtype=torch.long)
        tokens, attentions = [], []
        for _ in range(max_len):
            output, hidden, a = self.decoder(input, hidden, encoder_outputs, mask)
            input = output.argmax(dim=-1)
            tokens.append(input)
            attentions.append(a)
        return torch.stack(tokens, dim=1), torch.stack(attentions, dim=1)

    @torch.no_grad()
    def beam_search(self, src, src_lengths, max_len, beam_width=3):
        """The most probable output of one source sequence (batch of 1) by beam search: each step keeps the
        beam_width best prefixes by total log-probability; finished prefixes (ending in EOS) compete too."""
        encoder_outputs, hidden = self.encoder(src, src_lengths)
        mask = src != PAD
        beams = torch.full((1, 1), SOS, dtype=torch.long)  # (beams, length so far)
        scores = torch.zeros(1)
        finished = []
        for _ in range(max_len):
            k = beams.size(0)
            log_probs, hidden, _ = self.decoder(beams[:, -1], hidden, encoder_outputs.expand(k, -1, -1),
                                                mask.expand(k, -1))
            candidates = (scores.unsqueeze(1) + log_probs).view(-1)
            top_scores, top_idx = candidates.topk(beam_width)
            beam_idx = torch.div(top_idx, self.decoder.vocab, rounding_mode='floor')
            token_idx = top_idx % self.decoder.vocab
            beams = torch.cat([beams.index_select(0, beam_idx), token_idx.unsqueeze(1)], dim=1)
            hidden = hidden.index_select(0, beam_idx)
            done = token_idx == EOS
            for b in done.nonzero(as_tuple=True)[0].tolist():
                finished.append((top_scores[b].item(), beams[b, 1:].tolist()))
            keep = ~done
            if not keep.any():
                break
            beams, hidden, scores = beams[keep], hidden[keep], top_scores[keep]
        if not finished:
            finished = [(scores[0].item(), beams[0, 1:].tolist())]
        return max(finished, key=lambda f: f[0])


def build_model(args):
    attention = Attention(args.hidden, args.hidden, args.attention)
    encoder = Encoder(args.vocab, args.emb, args.hidden, args.hidden)
    decoder = Decoder(args.vocab, args.emb, args.hidden, args.hidden, attention)
    return Seq2Seq(encoder, decoder)


def reset_parameters_from_numpy(model, seed):
    """Uniform(-0.1, 0.1) for every parameter, from numpy, so both frameworks start equal; the padding rows of
    the embeddings stay zero (as nn.Embedding(padding_idx=PAD) keeps them)."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            param.copy_(torch.from_numpy(rng.uniform(-0.1, 0.1, tuple(param.shape)).astype(np.float32)))
            if 'embedding' in name:
                param[PAD].fill_(0)


def train_epoch(model, loader, optimizer, criterion, args, rng, epoch):
    model.train()
    epoch_loss = 0.0
    for i, (src, src_lengths, trg) in enumerate(loader):
        optimizer.zero_grad()
        output = model(src, src_lengths, trg, teacher_forcing=lambda t: rng.random() < args.teacher_forcing)
        loss = criterion(output.reshape(-1, output.shape[-1]), trg.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        epoch_loss += loss.item()
        print(f'epoch {epoch} batch {i} loss {loss.item():.6f}')
    return epoch_loss / len(loader)


def evaluate(model, loader, criterion):
    model.eval()
    total, exact, count = 0.0, 0, 0
    with torch.no_grad():
        for src, src_lengths, trg in loader:
            output = model(src, src_lengths, trg)  # no teacher forcing
            total += criterion(output.reshape(-1, output.shape[-1]), trg.view(-1)).item()
            tokens, _ = model.greedy(src, src_lengths, trg.size(1))
            real = trg != PAD
            exact += ((tokens == trg) | ~real).all(dim=1).sum().item()
            count += trg.size(0)
    return total / len(loader), exact / count


def show(tokens):
    digits = []
    for tok in tokens:
        if tok == EOS:
            break
        digits.append(str(tok - FIRST_DIGIT))
    return ' '.join(digits)


def main():
    parser = argparse.ArgumentParser(description='a GRU seq2seq with attention reversing digit sequences')
    parser.add_argument('--digits', type=int, default=8)
    parser.add_argument('--min-len', type=int, default=2)
    parser.add_argument('--max-len', type=int, default=7)
    parser.add_argument('--train-size', type=int, default=256)
    parser.add_argument('--val-size', type=int, default=64)
    parser.add_argument('--emb', type=int, default=16)
    parser.add_argument('--hidden', type=int, default=32)
    parser.add_argument('--attention', choices=['bahdanau', 'luong'], default='bahdanau')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--lr', type=float, default=1e-2)
    parser.add_argument('--clip', type=float, default=1.0)
    parser.add_argument('--teacher-forcing', type=float, default=0.75)
    parser.add_argument('--resume-at', type=int, default=None,
                        help='checkpoint after this epoch and resume from it (default: half way; 0: never)')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    args.vocab = FIRST_DIGIT + args.digits

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    train_set = ReversalDataset(args.train_size, args.digits, args.min_len, args.max_len, args.seed + 1)
    val_set = ReversalDataset(args.val_size, args.digits, args.min_len, args.max_len, args.seed + 2)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=False, collate_fn=collate)
    val_loader = DataLoader(val_set, batch_size=args.batch_size, collate_fn=collate)

    model = build_model(args)
    reset_parameters_from_numpy(model, args.seed + 3)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.NLLLoss(ignore_index=PAD)
    print(f'{sum(p.numel() for p in model.parameters())} parameters')

    def run_epoch(model, optimizer, epoch):
        train_loss = train_epoch(model, train_loader, optimizer, criterion, args, rng, epoch)
        val_loss, val_exact = evaluate(model, val_loader, criterion)
        print(f'epoch {epoch} train {train_loss:.6f} validation loss {val_loss:.6f} exact {val_exact:.4f}')
        return train_loss

    resume_at = args.epochs // 2 if args.resume_at is None else args.resume_at
    for epoch in range(1, resume_at + 1):
        train_loss = run_epoch(model, optimizer, epoch)
    if 0 < resume_at < args.epochs:
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, 'seq2seq.pt')
        torch.save({'epoch': resume_at, 'model_state_dict': model.state_dict(),
                    'optimizer_state_dict': optimizer.state_dict(), 'loss': train_loss,
                    'args': vars(args), 'torch_rng_state': torch.get_rng_state()}, path)
        # resume in a fresh model and optimizer, as a new process would
        model = build_model(args)
        optimizer = optim.Adam(model.parameters(), lr=args.lr)
        checkpoint = torch.load(path, map_location='cpu', weights_only=True)
        model.load_state_dict(checkpoint['model_state_dict'])
        optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
        torch.set_rng_state(checkpoint['torch_rng_state'])
        assert checkpoint['args']['attention'] == args.attention
        print(f"resumed after epoch {checkpoint['epoch']} (its mean train loss {checkpoint['loss']:.6f})")
        os.remove(path)
        os.rmdir(folder)
    for epoch in range(max(resume_at, 0) + 1, args.epochs + 1):
        run_epoch(model, optimizer, epoch)

    src, src_lengths, trg = next(iter(val_loader))
    tokens, attentions = model.greedy(src[:3], src_lengths[:3], trg.size(1))
    sources = unpad_sequence(src[:3], src_lengths[:3], batch_first=True)
    for b, source in enumerate(sources):
        n = src_lengths[b].item()
        score, beam = model.beam_search(source.unsqueeze(0), src_lengths[b:b + 1], n + 1)
        print(f'source {show(source.tolist())} -> greedy {show(tokens[b].tolist())}, '
              f'beam {show(beam)} (log-probability {score:.4f})')
    print('attention of the first output on the source:', attentions[0, 0, :src_lengths[0]].numpy().round(3))


if __name__ == '__main__':
    main()
