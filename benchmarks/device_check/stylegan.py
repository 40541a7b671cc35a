"""Section 6, ``stylegan_learning``: StyleGAN at the reference's widths under the zoo-sanity protocol."""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path

from benchmarks.device_check.common import (
    Section,
    peak_mem,
    reset_peak,
)

# StyleGAN2-ADA's cifar config: fmaps 1 -> 512 channels at every resolution <= 32, z = w = 512,
# mapping depth 2, no style mixing; the rest (lr 0.0025, R1 0.01, EMA 500 kimg ramp 0.05) are the
# plugin's defaults
STYLEGAN_REFERENCE_HP = {"g_ch": 512, "d_ch": 512, "z_dim": 512, "w_dim": 512, "map_layers": 2, "style_mixing": 0.0}
STYLEGAN_TINY_HP = {"g_ch": 8, "d_ch": 8, "z_dim": 8, "w_dim": 8, "map_layers": 2, "style_mixing": 0.0}


def stylegan_suite_text(tiny: bool, device: str) -> str:
    """suites/zoo-sanity.yaml with only the StyleGAN entry, at the reference's widths."""
    hp = STYLEGAN_TINY_HP if tiny else STYLEGAN_REFERENCE_HP
    budget, every, n, real = (2, 1, 50, 100) if tiny else (600, 100, 5000, 10000)
    return (f"name: stylegan-learning\nseeds: 2\ndevice: {device}\nbatch_size: {8 if tiny else 64}\n"
            f"budget: {{steps: {budget}}}\neval: {{every: {every}, n_samples: {n}, options: {{fid_n_real: {real}}}}}\n"
            f"datasets:\n  - {{name: mnist}}\nmetrics: [fidelity, mnist-modes]\nkeep: none\n"
            f"models:\n  - model: stylegan\n    hparams: {json.dumps(hp)}\n")


def section_stylegan_learning(sec: Section) -> None:
    from ganbench.data import default_root
    from ganbench.data.mnist import mnist_files
    from ganbench.metrics.evaluator import evaluator_path
    from ganbench.report.learning import EARLY_STEP, learning_verdicts
    from ganbench.run.runner import run_suite

    root = Path(sec.opts.get("data") or default_root()).expanduser()
    missing = [p for p in [*mnist_files(root, "mnist"), evaluator_path(root, "mnist")] if not p.is_file()]
    if missing:
        sec.row(name="stylegan, reference widths, zoo-sanity protocol",
                skipped=f"needs MNIST and its evaluator under {root} (missing {missing[0]}): carry them and pass --data")
        return
    out = Path(sec.opts["out"]) / "stylegan-learning"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    suite = out / "stylegan-learning.yaml"
    suite.write_text(stylegan_suite_text(sec.tiny, sec.device.type))
    os.environ["GANBENCH_DATA"] = str(root)
    widths = STYLEGAN_TINY_HP if sec.tiny else STYLEGAN_REFERENCE_HP
    learns = runs = 0
    for seed in ((0,) if sec.tiny else (0, 1)):  # one at a time: a section stopped at its cap keeps the seeds it finished
        t = time.perf_counter()
        reset_peak(sec.device)
        run_suite(suite, out, seeds=[seed], render=False, check_ready=False)
        v = learning_verdicts(out).set_index("seed").loc[seed]
        vals = {k: float(v[c]) for k, c in (("modes_at_100", f"modes@{EARLY_STEP}"), ("modes_end", "modes"),
                                            ("fid_at_100", f"fid@{EARLY_STEP}"), ("fid_end", "fid"),
                                            ("fid_ratio", "fid_ratio"))
                if v[c] is not None and math.isfinite(float(v[c])) and float(v[c]) > 0}
        vals["seconds"] = time.perf_counter() - t
        sec.row(name=f"stylegan g/d {widths['g_ch']}/{widths['d_ch']} ch, seed {seed}", values=vals,
                peak_mem_mb=peak_mem(sec.device), verdict="learns" if v["learns"] else f"NO: {v['why_not']}",
                note="zoo-sanity rule: >= 9 digits at the end and FID <= 2/3 of its step-100 value")
        learns, runs = learns + int(bool(v["learns"])), runs + 1
        sec.data["summary"] = {"learns": learns, "runs": runs,
                               "widths": f"G {widths['g_ch']}, D {widths['d_ch']}, z/w {widths['z_dim']}"}
        sec.flush()
