"""SeqGAN's networks, as the authors' ``generator.py`` and ``discriminator.py`` (LantaoYu/SeqGAN) build them.

* :class:`LSTMGenerator`: embedding → one LSTM layer → linear to vocabulary logits; zero initial
  state, start token 0; every weight *and bias* drawn from N(0, 0.1²) (their ``init_matrix``), one
  bias per gate (their gate equations; ``nn.LSTM``'s second bias is held at zero).
* :class:`CNNDiscriminator`: Kim's text CNN as the paper describes it: embedding (U(-1, 1)),
  one convolution per window size over the whole embedding width, ReLU, max over time, one
  highway layer, dropout, a 2-class softmax; L2 penalty on the output layer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

START_TOKEN = 0


def sample_tokens(logits: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """One token per row from softmax(logits) by inverse CDF (exact; far faster than
    ``torch.multinomial`` on a CPU for thousands of tokens)."""
    cdf = torch.softmax(logits.double(), -1).cumsum(-1)
    u = torch.rand(logits.shape[0], 1, generator=generator, device=logits.device, dtype=torch.float64)
    return torch.searchsorted(cdf, u * cdf[:, -1:]).squeeze(1).clamp_(max=logits.shape[-1] - 1)


class LSTMGenerator(nn.Module):
    def __init__(self, vocab: int, emb: int = 32, hidden: int = 32, init_std: float = 0.1):
        super().__init__()
        self.vocab, self.hidden = vocab, hidden
        self.embedding = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)
        with torch.no_grad():
            for p in self.parameters():
                p.normal_(0.0, init_std)
            self.lstm.bias_hh_l0.zero_()
        self.lstm.bias_hh_l0.requires_grad_(False)

    def trainable(self) -> list[nn.Parameter]:
        return [p for p in self.parameters() if p.requires_grad]

    def logits(self, tokens: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits ``(B, L, V)``: position t sees the start token and tokens < t."""
        start = torch.full((tokens.shape[0], 1), START_TOKEN, dtype=torch.long, device=tokens.device)
        h, _ = self.lstm(self.embedding(torch.cat([start, tokens[:, :-1]], 1)))
        return self.out(h)

    def log_probs(self, tokens: torch.Tensor) -> torch.Tensor:
        """log p(token_t | prefix) for every position, ``(B, L)``."""
        logp = torch.log_softmax(self.logits(tokens), -1)
        return logp.gather(-1, tokens.unsqueeze(-1)).squeeze(-1)

    @torch.no_grad()
    def sample(self, n: int, length: int, generator: torch.Generator | None = None,
               prefix: torch.Tensor | None = None, given: torch.Tensor | int = 0) -> torch.Tensor:
        """``n`` sequences; with ``prefix`` ``(n, length)``, row i keeps its first ``given[i]``
        tokens from the prefix and samples the rest (a Monte Carlo roll-out, as the authors'
        ``rollout.py``: the LSTM reads the prefix, then feeds back its own samples)."""
        device = self.embedding.weight.device
        x = torch.full((n,), START_TOKEN, dtype=torch.long, device=device)
        state = None
        out = []
        for t in range(length):
            h, state = self.lstm(self.embedding(x).unsqueeze(1), state)
            x = sample_tokens(self.out(h[:, 0]), generator)
            if prefix is not None:
                x = torch.where(torch.as_tensor(given, device=device) > t, prefix[:, t], x)
            out.append(x)
        return torch.stack(out, 1)


def _truncated_normal_(t: torch.Tensor, std: float) -> torch.Tensor:
    return nn.init.trunc_normal_(t, 0.0, std, -2 * std, 2 * std)


class Highway(nn.Module):
    """``t * relu(W y + b) + (1 - t) * y`` with ``t = sigmoid(W_t y + b_t + bias)``; the authors call
    ``highway(h, size, 1, 0)``: one layer, gate bias 0; TF's default (Glorot uniform) init."""

    def __init__(self, size: int, gate_bias: float = 0.0):
        super().__init__()
        self.lin = nn.Linear(size, size)
        self.gate = nn.Linear(size, size)
        self.gate_bias = gate_bias
        bound = math.sqrt(3.0 / size)  # Glorot uniform of a 1-D [size] variable
        for lin in (self.lin, self.gate):
            nn.init.xavier_uniform_(lin.weight)
            nn.init.uniform_(lin.bias, -bound, bound)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        t = torch.sigmoid(self.gate(y) + self.gate_bias)
        return t * F.relu(self.lin(y)) + (1.0 - t) * y


class CNNDiscriminator(nn.Module):
    def __init__(self, vocab: int, length: int, emb: int = 64, filter_sizes: Sequence[int] = (),
                 num_filters: Sequence[int] = (), dropout_keep: float = 0.75):
        super().__init__()
        pairs = [(int(k), int(f)) for k, f in zip(filter_sizes, num_filters) if int(k) <= length]
        if not pairs:
            raise ValueError(f"no discriminator window fits sequences of length {length} (d_filter_sizes {list(filter_sizes)})")
        self.embedding = nn.Embedding(vocab, emb)
        nn.init.uniform_(self.embedding.weight, -1.0, 1.0)
        self.convs = nn.ModuleList()
        for k, f in pairs:
            conv = nn.Conv1d(emb, f, k)
            _truncated_normal_(conv.weight, 0.1)
            nn.init.constant_(conv.bias, 0.1)
            self.convs.append(conv)
        total = sum(f for _, f in pairs)
        self.highway = Highway(total, 0.0)
        self.dropout = nn.Dropout(1.0 - dropout_keep)
        self.out = nn.Linear(total, 2)
        _truncated_normal_(self.out.weight, 0.1)
        nn.init.constant_(self.out.bias, 0.1)
        self.windows = [k for k, _ in pairs]

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Class scores ``(B, 2)``: index 1 = real (the authors' ``[0, 1]`` label for positives)."""
        e = self.embedding(tokens).transpose(1, 2)  # (B, emb, L)
        pooled = torch.cat([F.relu(conv(e)).amax(-1) for conv in self.convs], 1)
        return self.out(self.dropout(self.highway(pooled)))

    def l2(self) -> torch.Tensor:
        """``tf.nn.l2_loss`` of the output layer's weight and bias (half the sum of squares)."""
        return 0.5 * (self.out.weight.pow(2).sum() + self.out.bias.pow(2).sum())

    @torch.no_grad()
    def prob_real(self, tokens: torch.Tensor, batch: int = 4096) -> torch.Tensor:
        was = self.training
        self.eval()
        out = torch.cat([torch.softmax(self(tokens[i : i + batch]), -1)[:, 1] for i in range(0, len(tokens), batch)])
        self.train(was)
        return out
