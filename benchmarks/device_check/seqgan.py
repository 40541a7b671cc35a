"""Section 7, ``seqgan``: SeqGAN's Table 1 row through ``benchmarks/seqgan_device.py``."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks.device_check.common import (
    Section,
    peak_mem,
)


def section_seqgan(sec: Section) -> None:
    """SeqGAN's row through benchmarks/seqgan_device.py: the probe, then the run that fits the cap."""
    from benchmarks import seqgan_device as sd
    from ganbench.data import default_root
    from ganbench.data import oracle as of

    root = Path(sec.opts.get("data") or default_root()).expanduser()
    if not sec.tiny and not of.oracle_path(root).is_file():
        sec.row(name="seqgan, paper's oracle", skipped=f"needs {of.oracle_path(root)} ({of.FIX}): carry it and pass --data")
        return
    out = Path(sec.opts["out"]) / "seqgan"
    shutil.rmtree(out, ignore_errors=True)
    common = ["--out", str(out), "--device", sec.device.type, "--data", str(root), *(["--tiny"] if sec.tiny else [])]
    sec.measure("probe", lambda: _seqgan_probe(sd, common), kind="probe")
    probe = json.loads((out / "seqgan-device.json").read_text())["probe"]
    if sec.opts.get("seqgan_full"):
        adv = 200
    else:  # the adversarial epochs that fit what is left of the cap after pre-training, at least 1
        spare = 0.8 * sec.left() - probe["pretrain_s"] - probe["d_pretrain_s"]
        adv = max(1, min(200, int(spare / max(probe["adversarial_epoch_s"], 1e-9))))
    if sec.tiny:
        adv = min(adv, 3)  # what seqgan_device --tiny runs at most
    sec.data["summary"] = {"adv_epochs": adv, "projected_paper_s": probe["projected_paper_s"]}
    sec.flush()
    t = time.perf_counter()
    rc = sd.main([*common, "--adv-epochs", str(adv)])
    report = json.loads((out / "seqgan-device.json").read_text())
    nll = list(report.get("nll_oracle", {}).values())
    if rc != 0 or not nll:
        sec.row(name=f"seqgan, {adv} adversarial epochs", error=f"seqgan_device exit {rc}; failed: {report.get('failed')}")
        return
    sec.row(name=f"seqgan, {adv} adversarial epochs", values={"nll_oracle": sum(nll) / len(nll), "seconds": time.perf_counter() - t},
            peak_mem_mb=peak_mem(sec.device), note=f"paper 8.736 after 200 epochs; the authors' log: {sd.LOG_ADVERSARIAL}")


def _seqgan_probe(sd: Any, common: list[str]) -> dict[str, Any]:
    assert sd.main([*common, "--probe-only"]) == 0
    probe = json.loads((Path(common[1]) / "seqgan-device.json").read_text())["probe"]
    return {k: float(v) for k, v in probe.items() if float(v) > 0}
