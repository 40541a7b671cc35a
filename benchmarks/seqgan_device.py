#!/usr/bin/env python
"""SeqGAN's Table 1 row on a GPU: what one adversarial epoch costs, and the run itself.

Two CPU cores cannot afford SeqGAN at the paper's budget (one adversarial epoch is 5 × 3 epochs of
the CNN discriminator over 20,000 sequences plus 16 × 19 roll-out batches: tens of CPU-minutes),
so the row is run where a GPU is lent, unchanged from this script:

    python benchmarks/seqgan_device.py --out reports/seqgan-device --data DATA_ROOT            # probe + 10 epochs
    python benchmarks/seqgan_device.py --out reports/seqgan-device --data DATA_ROOT --full     # the paper's 200

``DATA_ROOT`` holds the authors' oracle as ``seqgan/target_params_py3.pkl`` (the device machine
is offline: carry it). Steps:

1. **probe**: on the device, the seconds of one MLE step, one D step, one D round (10,000 fresh
   negatives + 3 epochs over 20,000 sequences), one policy-gradient step with 16 roll-outs; the
   projected wall time of the paper's schedule (18,750 MLE steps, 50 D pre-training rounds, 200
   adversarial epochs) and of ``--adv-epochs``.
2. **run**: ``suites/seqgan-oracle-paper.yaml``'s ``seqgan`` entry (its hparams, its seeds unless
   ``--seeds``) through ``run_suite`` at 18,750 + ``--adv-epochs`` steps (``--full``: 200), into
   ``OUT/store``; its final NLL-oracle beside the paper's 8.736 and the released log's curve.

``--tiny`` runs both steps on an oracle it writes (vocabulary 40) at toy sizes, on the CPU, in
seconds: what CI runs (tests/sequences/test_seqgan_device.py). Writes ``OUT/seqgan-device.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "suites" / "seqgan-oracle-paper.yaml"
PAPER = {"random": 10.310, "mle": 9.038, "seqgan": 8.736}
LOG_ADVERSARIAL = {0: 9.08457, 50: 8.83388, 100: 8.70113, 150: 8.6832}  # save/experiment-log.txt
TINY_HP = {"pretrain_steps": 20, "rollouts": 2, "d_filter_sizes": [2, 3], "d_num_filters": [8, 8],
           "d_pretrain_rounds": 1, "d_rounds": 1, "d_epochs": 1, "n_negatives": 64, "real_bank": 200,
           "d_batch_size": 32}


def timed(fn: Any, device: Any, repeat: int = 1) -> float:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)
    t = time.perf_counter()
    for _ in range(repeat):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (time.perf_counter() - t) / repeat


def probe(device: Any, hp: dict[str, Any], length: int, vocab: int, batch: int, adv_epochs: int) -> dict[str, Any]:
    """Seconds per unit of SeqGAN's schedule on ``device``, and the projections."""
    import torch
    import torch.nn.functional as F
    from ganbench_seqgan.models import SeqGAN

    from ganbench.api import BuildContext

    ctx = BuildContext.for_tests((length,), data_kind="sequence", vocab_size=vocab, device=device,
                                 batch_size=batch, hparams=hp)
    m = SeqGAN(ctx)
    g = torch.Generator(device=device).manual_seed(0)
    real = torch.randint(0, vocab, (batch, length), device=device, generator=g)
    m.remember(torch.randint(0, vocab, (m.bank.shape[0], length), device=device, generator=g))
    mle = timed(lambda: m.mle_step(real), device, 20)
    xb = torch.randint(0, vocab, (m.d_batch, length), device=device, generator=g)
    yb = torch.randint(0, 2, (m.d_batch,), device=device, generator=g)

    def d_step() -> None:
        loss = F.cross_entropy(m.D(xb), yb) + m.d_l2 * m.D.l2()
        m.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        m.opt_d.step()

    d = timed(d_step, device, 10)
    d_round = timed(m.d_round, device)
    pg = timed(m.pg_step, device)
    epoch = pg + m.d_rounds * d_round
    pre = int(hp.get("pretrain_steps", 18_750))
    fixed = pre * mle + m.d_pretrain_rounds * d_round
    return {"mle_step_s": mle, "d_step_s": d, "d_round_s": d_round, "pg_step_s": pg, "adversarial_epoch_s": epoch,
            "pretrain_s": pre * mle, "d_pretrain_s": m.d_pretrain_rounds * d_round,
            "projected_paper_s": fixed + 200 * epoch, "projected_run_s": fixed + adv_epochs * epoch}


def suite_text(adv_epochs: int, pretrain: int, device: str, seeds: int, tiny: bool, data_root: Path) -> str:
    """The paper suite's seqgan entry, its eval and dataset, at pretrain + adv_epochs steps."""
    import yaml

    suite = yaml.safe_load(SUITE.read_text())
    entry = next(m for m in suite["models"] if m["model"] == "seqgan")
    hp = dict(entry.get("hparams") or {})
    if tiny:
        hp.update(TINY_HP)
        suite["datasets"] = [{"name": "oracle-lstm", "params": {"n": 300, "length": 8}}]
        suite["eval"] = {"points": 2, "n_samples": 256}
        suite["batch_size"] = 16
    out = {"name": "seqgan-device", "seeds": seeds, "device": device, "batch_size": suite["batch_size"],
           "budget": {"steps": pretrain + adv_epochs}, "eval": suite["eval"], "datasets": suite["datasets"],
           "metrics": ["nll_oracle"], "data_root": str(data_root),
           "models": [{"model": "seqgan", "hparams": hp}] if hp else [{"model": "seqgan"}]}
    return yaml.safe_dump(out, sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, type=Path, help="output folder (seqgan-device.json, store/)")
    ap.add_argument("--data", type=Path, default=None, help="data root holding seqgan/target_params_py3.pkl "
                    "(default $GANBENCH_DATA)")
    ap.add_argument("--device", default=None, help="cuda (default when present) or cpu")
    ap.add_argument("--adv-epochs", type=int, default=10, help="adversarial epochs after pre-training (default 10)")
    ap.add_argument("--full", action="store_true", help="the paper's 200 adversarial epochs")
    ap.add_argument("--seeds", type=int, default=1, help="seeds of the run (default 1)")
    ap.add_argument("--probe-only", action="store_true", help="measure and project, do not run")
    ap.add_argument("--tiny", action="store_true", help="toy sizes on a written oracle (CI)")
    args = ap.parse_args(argv)

    import torch

    from ganbench.data import default_root
    from ganbench.data import oracle as of
    from ganbench.plugins import load_registry

    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    args.out.mkdir(parents=True, exist_ok=True)
    adv = 200 if args.full else args.adv_epochs
    if args.tiny:
        data = args.out / "data"
        of.write_params(data / of.FILE, vocab=40, emb=8, hidden=8, seed=0)
        length, vocab, batch, adv = 8, 40, 16, min(adv, 3)
        hp = dict(load_registry().models["seqgan"].defaults, **TINY_HP)
    else:
        data = (args.data or default_root()).expanduser()
        if not of.oracle_path(data).is_file():
            print(f"seqgan_device: missing {of.oracle_path(data)}; {of.FIX}", file=sys.stderr)
            return 2
        length, vocab, batch = 20, 5000, 64
        hp = dict(load_registry().models["seqgan"].defaults)
    report: dict[str, Any] = {"device": str(device), "tiny": args.tiny, "adv_epochs": adv,
                              "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
                              "torch": torch.__version__}
    report["probe"] = probe(device, hp, length, vocab, batch, adv)
    path = args.out / "seqgan-device.json"
    path.write_text(json.dumps(report, indent=1))
    print(json.dumps(report["probe"], indent=1))
    if not args.probe_only:
        from ganbench.record.store import Store
        from ganbench.run.runner import run_suite

        suite = args.out / "seqgan-device.yaml"
        suite.write_text(suite_text(adv, int(hp["pretrain_steps"]), device.type, args.seeds, args.tiny, data))
        before = os.environ.get("GANBENCH_DATA")
        os.environ["GANBENCH_DATA"] = str(data)
        t = time.perf_counter()
        try:
            result = run_suite(suite, args.out / "store", render=not args.tiny)
        finally:  # main() is also called in-process (tests, the device check): leave the environment as found
            if before is None:
                os.environ.pop("GANBENCH_DATA", None)
            else:
                os.environ["GANBENCH_DATA"] = before
        report["run_s"] = time.perf_counter() - t
        report["failed"] = [o.error for o in result.failed]
        with Store.open(args.out / "store", create=False) as store:
            m = store.metrics()
        final = m[(m["name"] == "nll_oracle") & (m["final"] == 1)]
        report["nll_oracle"] = {str(k): float(v) for k, v in zip(final["run_id"], final["value"])}
        report["paper"] = {"seqgan": PAPER["seqgan"], "released_log_adversarial": LOG_ADVERSARIAL}
        path.write_text(json.dumps(report, indent=1))
        print(json.dumps({k: report[k] for k in ("run_s", "nll_oracle", "failed")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
