"""SeqGAN's synthetic benchmark: an oracle LSTM that defines the "real" token-sequence distribution.

Yu et al. (2017, Sec. 4) draw the parameters of an LSTM (vocabulary 5,000, embedding and hidden
size 32) from N(0, 1), sample 10,000 sequences of 20 tokens from it as the training set, and score
a generator by the oracle's negative log-likelihood of the generator's samples (NLL-oracle). The
authors released their oracle as ``save/target_params_py3.pkl`` (a pickle of 15 numpy arrays, in
the order of their ``target_lstm.py``: embeddings; W, U, b of the input, forget, output gates and
of the candidate cell; output W, b). The file is downloaded at run time like a dataset and read
with an allow-listed unpickler: only numpy array reconstruction may run, anything else is refused
with the file's name (a downloaded pickle can otherwise execute arbitrary code).

The oracle's generation semantics are the authors': zero initial state, the embedding of start
token 0 as the first input, then each sampled token's embedding; NLL is the mean over the 20
positions of -log p(token), the quantity their ``target_lstm.pretrain_loss`` computes.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ganbench.data.images import DatasetFileCorrupt, DatasetFilesMissing
from ganbench.data.numpy_pickle import NumpyOnlyUnpickler

FILE = Path("seqgan") / "target_params_py3.pkl"
URL = "https://raw.githubusercontent.com/LantaoYu/SeqGAN/master/save/target_params_py3.pkl"
MD5 = "44b63e55e0e67ac363523759808d3c78"
FIX = (
    f"run `ganbench data prepare oracle-lstm` with internet access, or download {URL} "
    f"and put it at DATA_ROOT/{FILE.as_posix()}"
)
N_ARRAYS = 15
START_TOKEN = 0

class ParamsUnpickler(NumpyOnlyUnpickler):
    what = "an oracle parameter file"


def oracle_shapes(vocab: int, emb: int, hidden: int) -> list[tuple[int, ...]]:
    """The shapes of the 15 arrays, in the file's order."""
    gate = [(emb, hidden), (hidden, hidden), (hidden,)]
    return [(vocab, emb), *gate * 4, (hidden, vocab), (vocab,)]


def read_params(path: Path) -> list[np.ndarray]:
    """The 15 float32 arrays of an oracle file, checked for count and consistent shapes."""
    path = Path(path)
    fix = f"delete it and {FIX}"
    try:
        with open(path, "rb") as f:
            arrays = ParamsUnpickler(f, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError,
            IndexError, KeyError) as exc:
        raise DatasetFileCorrupt(f"{path}: not a readable oracle parameter file ({type(exc).__name__}: {exc}); {fix}") from None
    if not isinstance(arrays, (list, tuple)) or len(arrays) != N_ARRAYS or not all(isinstance(a, np.ndarray) for a in arrays):
        raise DatasetFileCorrupt(f"{path}: expected a list of {N_ARRAYS} numpy arrays, found "
                                 f"{type(arrays).__name__} of {len(arrays) if hasattr(arrays, '__len__') else '?'}; {fix}")
    if arrays[0].ndim != 2 or arrays[1].ndim != 2:
        raise DatasetFileCorrupt(f"{path}: the embedding and first gate matrix must be 2-D; {fix}")
    vocab, emb = arrays[0].shape
    hidden = arrays[1].shape[1]
    want = oracle_shapes(vocab, emb, hidden)
    got = [tuple(a.shape) for a in arrays]
    if got != want:
        bad = next(i for i, (g, w) in enumerate(zip(got, want)) if g != w)
        raise DatasetFileCorrupt(f"{path}: array {bad} has shape {got[bad]}, expected {want[bad]} for vocabulary "
                                 f"{vocab}, embedding {emb}, hidden {hidden}; {fix}")
    out = [np.asarray(a, dtype=np.float32) for a in arrays]
    if not all(np.isfinite(a).all() for a in out):
        raise DatasetFileCorrupt(f"{path}: non-finite parameters; {fix}")
    return out


def write_params(path: Path, vocab: int, emb: int = 32, hidden: int = 32, seed: int = 0) -> Path:
    """A fresh oracle in the authors' format: every parameter drawn from N(0, 1) (the paper's
    recipe). Used by the tests, and by anyone who wants an oracle of another size."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in oracle_shapes(vocab, emb, hidden)]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(arrays, f, protocol=2)
    tmp.replace(path)
    return path


class OracleLSTM(nn.Module):
    """The oracle as a frozen torch LSTM (gate equations of the authors' ``target_lstm.py``: no
    forget bias, one bias per gate), mapped onto ``nn.LSTM``'s (input, forget, cell, output) layout."""

    def __init__(self, arrays: list[np.ndarray]):
        super().__init__()
        t = [torch.from_numpy(np.ascontiguousarray(a)) for a in arrays]
        emb, (wi, ui, bi), (wf, uf, bf), (wo_g, uo_g, bo_g), (wc, uc, bc), wo, bo = (
            t[0], t[1:4], t[4:7], t[7:10], t[10:13], t[13], t[14])
        self.vocab_size, self.emb_dim = emb.shape
        self.hidden = wi.shape[1]
        self.embedding = nn.Embedding(self.vocab_size, self.emb_dim)
        self.lstm = nn.LSTM(self.emb_dim, self.hidden, batch_first=True)
        self.out = nn.Linear(self.hidden, self.vocab_size)
        with torch.no_grad():
            self.embedding.weight.copy_(emb)
            self.lstm.weight_ih_l0.copy_(torch.cat([wi, wf, wc, wo_g], 1).T)
            self.lstm.weight_hh_l0.copy_(torch.cat([ui, uf, uc, uo_g], 1).T)
            self.lstm.bias_ih_l0.copy_(torch.cat([bi, bf, bc, bo_g]))
            self.lstm.bias_hh_l0.zero_()
            self.out.weight.copy_(wo.T)
            self.out.bias.copy_(bo)
        self.requires_grad_(False)

    def _inputs(self, tokens: torch.Tensor) -> torch.Tensor:
        start = torch.full((tokens.shape[0], 1), START_TOKEN, dtype=torch.long, device=tokens.device)
        return torch.cat([start, tokens[:, :-1]], 1)

    @torch.no_grad()
    def nll(self, tokens: torch.Tensor, batch: int = 1000) -> torch.Tensor:
        """Per sequence, the mean over positions of -log p_oracle(token | prefix)."""
        out = []
        for i in range(0, tokens.shape[0], batch):
            x = tokens[i : i + batch].long()
            h, _ = self.lstm(self.embedding(self._inputs(x)))
            logp = torch.log_softmax(self.out(h).double(), -1)
            out.append(-logp.gather(-1, x.unsqueeze(-1)).squeeze(-1).mean(1))
        return torch.cat(out) if out else torch.zeros(0, dtype=torch.float64)

    @torch.no_grad()
    def sample(self, n: int, length: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` sequences of ``length`` tokens (multinomial sampling, as the authors' oracle)."""
        device = self.embedding.weight.device
        x = torch.full((n,), START_TOKEN, dtype=torch.long, device=device)
        state = None
        tokens = []
        for _ in range(length):
            h, state = self.lstm(self.embedding(x).unsqueeze(1), state)
            x = sample_tokens(self.out(h[:, 0]), generator)
            tokens.append(x)
        return torch.stack(tokens, 1)


def sample_tokens(logits: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """One token per row from softmax(logits): inverse-CDF sampling (a uniform draw located in the
    cumulative distribution), exact like ``torch.multinomial`` and ~50x faster on a CPU for a
    5,000-token vocabulary."""
    cdf = torch.softmax(logits.double(), -1).cumsum(-1)
    u = torch.rand(logits.shape[0], 1, generator=generator, device=logits.device, dtype=torch.float64)
    return torch.searchsorted(cdf, u * cdf[:, -1:]).squeeze(1).clamp_(max=logits.shape[-1] - 1)


def oracle_path(root: Path) -> Path:
    return Path(root).expanduser() / FILE


def md5_of(path: Path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def load_oracle(root: Path) -> tuple[OracleLSTM, Path]:
    path = oracle_path(root)
    if not path.is_file():
        root = Path(root).expanduser()
        where = f"data root {root} does not exist; expected {path}" if not root.is_dir() else f"missing {path}"
        raise DatasetFilesMissing(f"dataset 'oracle-lstm': {where} (the SeqGAN authors' oracle "
                                  f"save/target_params_py3.pkl); {FIX}")
    return OracleLSTM(read_params(path)), path


def prepare(root: Path) -> None:
    """Download the authors' oracle file (checked against its MD5)."""
    from torchvision.datasets.utils import download_url

    from ganbench.data.mnist import DOWNLOAD_TIMEOUT_S, _socket_timeout

    path = oracle_path(root)
    if path.is_file():
        return
    try:
        with _socket_timeout(DOWNLOAD_TIMEOUT_S):
            download_url(URL, str(path.parent), filename=path.name, md5=MD5)
    except Exception as exc:
        raise DatasetFilesMissing(f"dataset 'oracle-lstm': missing {path}; download failed "
                                  f"({type(exc).__name__}); {FIX}") from None
