"""Token-sequence datasets (data kind ``"sequence"``, API 1.4): SeqGAN's oracle and a real corpus.

* ``oracle-lstm``: ``n`` sequences of ``length`` tokens sampled from the SeqGAN authors' released
  oracle LSTM (ganbench/data/oracle.py), with a fixed data seed so every model sees the same
  training set. The oracle travels in ``info.extra["oracle"]`` for the ``nll_oracle`` metric.
* ``tang-poems``: verses of the Three Hundred Tang Poems as distributed by Debian's
  ``fortunes-zh`` (``/usr/share/games/fortunes/tang300``, a fortune file: poems separated by
  ``%`` lines, title and author first), one character per token, a fixed held-out split whose
  verses are the BLEU references (the SeqGAN paper's poem experiment, BLEU-2).

Sequences are held on the device as one int64 tensor ``(N, length)``; the harness indexes batches
from it exactly as it does images.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from ganbench.contract import Dataset, DatasetRequest, DatasetSpec, Requirement
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.data import check_params
from ganbench.data import oracle as oracle_file
from ganbench.data.images import DatasetFileCorrupt, DatasetFilesMissing

ORACLE_DEFAULTS: dict[str, Any] = {"n": 10_000, "length": 20, "data_seed": 88}
"""The paper's 10,000 training sequences of 20 tokens; 88 is the authors' SEED."""

TANG_FILE = "/usr/share/games/fortunes/tang300"
TANG_FIX = "install Debian's fortunes-zh (`apt-get install fortunes-zh`) or set the dataset's `file` parameter"
TANG_DEFAULTS: dict[str, Any] = {"file": TANG_FILE, "length": 7, "test_fraction": 0.1, "split_seed": 0}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_VERSE_END = re.compile(r"[，。？！；、：,.?!;:]")


def _positive_int(params: Mapping[str, Any], name: str, dataset: str) -> int:
    v = params[name]
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(f"dataset {dataset!r}: parameter {name} must be a positive integer, got {v!r}")
    return v


def check_oracle_params(params: Mapping[str, Any]) -> dict[str, Any]:
    p = check_params(dict(params), ORACLE_DEFAULTS, "oracle-lstm")
    for name in ("n", "length"):
        _positive_int(p, name, "oracle-lstm")
    if isinstance(p["data_seed"], bool) or not isinstance(p["data_seed"], int):
        raise ValueError(f"dataset 'oracle-lstm': parameter data_seed must be an integer, got {p['data_seed']!r}")
    return p


def load_oracle_dataset(req: DatasetRequest) -> Dataset:
    p = check_oracle_params(req.params)
    root = Path(req.root).expanduser()
    if req.download and not oracle_file.oracle_path(root).is_file():
        try:
            oracle_file.prepare(root)
        except Exception:
            pass  # offline: load_oracle raises the clear message naming the file
    oracle, path = oracle_file.load_oracle(root)
    oracle = oracle.to(req.device)
    g = torch.Generator(device=req.device).manual_seed(int(p["data_seed"]))
    data = oracle.sample(int(p["n"]), int(p["length"]), g)
    info = {"vocab_size": oracle.vocab_size, "params": p, "root": str(root),
            "extra": {"oracle": oracle, "oracle_file": str(path), "oracle_md5": oracle_file.md5_of(path)}}
    return Dataset("oracle-lstm", "sequence", data, None, None, info)


def oracle_requirements(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
    path = oracle_file.oracle_path(root)
    return [Requirement("SeqGAN oracle save/target_params_py3.pkl", path, path.is_file(), oracle_file.FIX,
                        oracle_file.URL)]


# ------------------------------------------------------------------------------------------
# A real corpus: Tang poems
# ------------------------------------------------------------------------------------------


def read_fortune_poems(path: Path) -> list[list[str]]:
    """The poems of a fortune file, each as its verses (title and author lines dropped)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetFilesMissing(f"dataset 'tang-poems': missing {path}; {TANG_FIX}") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise DatasetFileCorrupt(f"{path}: not a UTF-8 fortune file ({type(exc).__name__}); {TANG_FIX}") from None
    poems = []
    for block in re.split(r"\n%\n", _ANSI.sub("", text).replace("\r\n", "\n")):
        lines = [ln.strip() for ln in block.strip().split("\n") if ln.strip()]
        body = [ln for ln in lines if not (ln.startswith("《") or ln.startswith("作者"))]
        verses = [v.strip() for ln in body for v in _VERSE_END.split(ln) if v.strip()]
        if verses:
            poems.append(verses)
    return poems


def check_tang_params(params: Mapping[str, Any]) -> dict[str, Any]:
    p = check_params(dict(params), TANG_DEFAULTS, "tang-poems")
    _positive_int(p, "length", "tang-poems")
    tf = p["test_fraction"]
    if isinstance(tf, bool) or not isinstance(tf, (int, float)) or not 0 < tf < 1:
        raise ValueError(f"dataset 'tang-poems': parameter test_fraction must be in (0, 1), got {tf!r}")
    if not isinstance(p["file"], str) or not p["file"]:
        raise ValueError(f"dataset 'tang-poems': parameter file must be a path, got {p['file']!r}")
    return p


def load_tang(req: DatasetRequest) -> Dataset:
    """Every verse of exactly ``length`` characters; vocabulary = the characters of all of them
    (train and test), ids in order of first appearance; a seeded split holds out the references."""
    p = check_tang_params(req.params)
    path = Path(str(p["file"])).expanduser()
    length = int(p["length"])
    verses = [v for poem in read_fortune_poems(path) for v in poem if len(v) == length]
    if len(verses) < 10:
        raise DatasetFileCorrupt(f"{path}: only {len(verses)} verses of {length} characters (need at least 10); "
                                 f"choose another `length` or file")
    itos = sorted({c for v in verses for c in v})
    stoi = {c: i for i, c in enumerate(itos)}
    ids = torch.tensor([[stoi[c] for c in v] for v in verses], dtype=torch.long)
    perm = torch.randperm(len(ids), generator=torch.Generator().manual_seed(int(p["split_seed"])))
    n_test = max(1, int(round(float(p["test_fraction"]) * len(ids))))
    test, train = ids[perm[:n_test]], ids[perm[n_test:]]
    info = {"vocab_size": len(itos), "params": p, "root": str(path.parent),
            "extra": {"itos": itos, "references": test, "corpus_file": str(path)}}
    return Dataset("tang-poems", "sequence", train.to(req.device), None, None, info)


def tang_requirements(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
    path = Path(str({**TANG_DEFAULTS, **params}["file"])).expanduser()
    return [Requirement("Tang poems (fortunes-zh)", path, path.is_file(), TANG_FIX)]


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    oracle = "SeqGAN synthetic data: 10,000 sequences of 20 tokens from the authors' oracle LSTM (vocab 5,000)"
    tang = "Verses of the Three Hundred Tang Poems (Debian fortunes-zh), one character per token; BLEU vs held-out verses"
    return [
        DatasetSpec("oracle-lstm", "sequence", load_oracle_dataset, description=oracle, defaults=ORACLE_DEFAULTS,
                    files=lambda root: [oracle_file.oracle_path(root)], prepare=oracle_file.prepare,
                    default_metrics=("nll_oracle",), check_params=check_oracle_params,
                    requirements=oracle_requirements, version="1", api_version=API_VERSION),
        DatasetSpec("tang-poems", "sequence", load_tang, description=tang, defaults=TANG_DEFAULTS,
                    files=lambda root: [Path(TANG_FILE)], default_metrics=("bleu",), check_params=check_tang_params,
                    requirements=tang_requirements, version="1", api_version=API_VERSION),
    ]
