"""Section 3, ``protocol``: PacGAN's protocol at a tenth of its budget, its table beside the paper's Table 1."""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.device_check.common import (
    PAPER_SUITE,
    PROTOCOL_STEPS,
    Section,
    peak_mem,
)

# PacGAN (Lin et al. 2018) Table 1, 10 trials, mean ± standard error: modes, HQ %, reverse KL
PACGAN_TABLE1 = {
    ("mog-ring8", 1): ("6.3±0.5", "98.2±0.2", "0.45±0.09"),
    ("mog-ring8", 2): ("7.9±0.1", "95.6±2.0", "0.07±0.03"),
    ("mog-ring8", 3): ("7.8±0.1", "97.7±0.3", "0.10±0.02"),
    ("mog-ring8", 4): ("7.8±0.1", "95.9±1.4", "0.07±0.02"),
    ("mog-grid25", 1): ("17.3±0.8", "94.8±0.7", "0.70±0.07"),
    ("mog-grid25", 2): ("23.8±0.7", "91.3±0.8", "0.13±0.04"),
    ("mog-grid25", 3): ("24.6±0.4", "94.2±0.4", "0.06±0.02"),
    ("mog-grid25", 4): ("24.8±0.2", "93.6±0.6", "0.04±0.01"),
}



def tiny_paper_suite(path: Path) -> Path:
    """The paper suite shrunk for CI: 2 seeds, tiny widths, 2 evaluation points of 500 samples."""
    import yaml

    doc = yaml.safe_load(PAPER_SUITE.read_text())
    doc.update(name="pacgan-mog-paper-tiny", seeds=2, eval={"points": 2, "n_samples": 500})
    for m in doc["models"]:
        m["hparams"] = {**m.get("hparams", {}), "g_hidden": 32, "d_hidden": 16}
    path.write_text(yaml.safe_dump(doc))
    return path


def protocol_table(store_path: Path) -> tuple[list[dict[str, Any]], dict[str, int]]:
    import numpy as np

    from ganbench.record.store import Store

    with Store.open(store_path, create=False) as store:
        runs, metrics = store.runs(), store.metrics(final_only=True)
    status = runs.status.value_counts().to_dict()
    rows = []
    for (ds, pack), grp in runs[runs.status == "done"].groupby(["dataset", "pack"]):
        m = metrics[metrics.run_id.isin(grp.run_id)]
        row: dict[str, Any] = {"dataset": ds, "pack": int(pack), "seeds": len(grp)}
        for key, scale in (("modes", 1.0), ("hq_share", 100.0), ("reverse_kl", 1.0)):
            v = m[m.name == key].value.to_numpy(dtype=float) * scale
            se = float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else float("nan")
            row[key] = {"mean": float(v.mean()) if len(v) else None, "se": se if math.isfinite(se) else None}
        paper = PACGAN_TABLE1.get((ds, int(pack)))
        row["paper"] = {"modes": paper[0], "hq_pct": paper[1], "reverse_kl": paper[2]} if paper else None
        rows.append(row)
    return rows, {str(k): int(v) for k, v in status.items()}


def section_protocol(sec: Section) -> None:
    from ganbench.plan.suite import Budget
    from ganbench.run.runner import run_suite

    proj = (sec.prior.get("replicas") or {}).get("summary", {}).get("projected_protocol_train_s")
    want = float(sec.opts.get("protocol_fraction") or 0.1)
    fraction, reason = (want, "a tenth of the paper's budget" if want == 0.1 else f"--protocol-fraction {want:g}")
    cap = sec.left() - (5 if sec.tiny else 20)  # leave room for the report and start-up
    if sec.tiny:
        fraction, reason = (8 / PROTOCOL_STEPS, "--tiny: 8 steps, 2 seeds, tiny widths")
    elif proj and proj * fraction > 0.45 * cap:  # the harness adds per-step work and evaluation to the micro rate
        fraction = max(0.45 * cap / proj, 100 / PROTOCOL_STEPS)
        reason = (f"reduced from {want:g} to 1/{1 / fraction:.0f} of the budget: the projected training time at "
                  f"{want:g} ({proj * want:.0f} s) exceeds 45 % of this section's cap ({cap:.0f} s); for the full "
                  f"tenth run --sections replicas,protocol --budget-s 600")
    steps = max(8, int(round(PROTOCOL_STEPS * fraction)))
    sec.data["summary"] = {"budget_fraction": steps / PROTOCOL_STEPS, "steps_per_run": steps, "why": reason}
    sec.flush()
    with tempfile.TemporaryDirectory() as tmp:
        suite = tiny_paper_suite(Path(tmp) / "suite.yaml") if sec.tiny else PAPER_SUITE
        out = Path(sec.opts["out"]) / "protocol"
        shutil.rmtree(out, ignore_errors=True)  # a second check into the same folder must not resume the first
        t0 = time.perf_counter()
        res = run_suite(suite, out, budget=Budget(steps=steps), vectorize=10, device=sec.opts["device"], render=False)
        wall = time.perf_counter() - t0
    table, status = protocol_table(res.store_path)
    n = len(res.runs)
    values = {"wall_s": wall, "runs_per_min": 60 * n / wall, "projected_full_protocol_s": wall * PROTOCOL_STEPS / steps}
    report = None
    if not sec.tiny:  # the report of 80 runs is worth keeping; rendering it is not part of the timing
        from ganbench.report.build import render_report

        t0 = time.perf_counter()
        report = str(Path(render_report(res.store_path, out / "report.html")).relative_to(sec.opts["out"]))
        values["report_render_s"] = time.perf_counter() - t0
    sec.row(name=f"protocol, {n} runs x {steps} steps (vectorize 10)", values=values, peak_mem_mb=peak_mem(sec.device),
            status=status, report=report,
            note="wall_s: training + evaluation of every run, the report not included")
    sec.data["table"] = table
    sec.data["summary"].update(runs=n, wall_s=wall, goal="full protocol <= 1 h on one GPU, so a tenth <= 6 min")
    sec.flush()
