"""A small GPT-style language model for the benchmarks, written once against a torch-like namespace so that
ddp and PyTorch build the same structure with the same state-dict keys.

Token + position embedding, `n_layer` pre-norm blocks (causal self-attention, then a GELU MLP of width
4 * n_embd), a final LayerNorm and a linear head over the vocabulary.
"""


def build_gpt(torch, vocab=256, n_embd=128, n_head=4, n_layer=2, context=64):
    """The model built from `torch` (the ddp module or torch itself); both give the same state-dict keys."""
    nn, F = torch.nn, torch.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(n_embd, 3 * n_embd)  # one GEMM for q, k and v
            self.proj = nn.Linear(n_embd, n_embd)

        def forward(self, x):
            n, length, width = x.shape
            q, k, v = self.qkv(x).split(width, dim=2)
            q, k, v = (t.reshape(n, length, n_head, width // n_head).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.proj(y.transpose(1, 2).reshape(n, length, width))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(n_embd)
            self.attn = CausalSelfAttention()
            self.ln2 = nn.LayerNorm(n_embd)
            self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd))

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, n_embd)
            self.pos = nn.Embedding(context, n_embd)
            self.blocks = nn.Sequential(*[Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.head = nn.Linear(n_embd, vocab)

        def forward(self, idx):
            positions = torch.arange(idx.shape[1])
            x = self.tok(idx) + self.pos(positions)
            return self.head(self.ln_f(self.blocks(x)))

    return GPT()
