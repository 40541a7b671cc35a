"""Section 4, ``fidelity``: IS + FID of 50k 32x32 samples with a random-weight Inception-v3."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.device_check.common import (
    Section,
    sync,
)


def section_fidelity(sec: Section) -> None:
    import torch

    from ganbench.api import BuildContext, Dataset, MetricContext
    from ganbench.metrics import fidelity
    from ganbench.metrics.extractors import INCEPTION_FILENAME, load_inception, random_inception_weights
    from ganbench.plugins import load_registry
    from ganbench.train.loop import draw_samples

    n = int(sec.opts.get("fid_samples") or (4 if sec.tiny else 50_000))
    bs = 250 if sec.device.type == "cuda" else 32  # what compute_fidelity uses
    tmp = Path(tempfile.mkdtemp(prefix="device-check-fid-"))
    weights = random_inception_weights(tmp / INCEPTION_FILENAME, seed=0)
    t0 = time.perf_counter()
    ext = load_inception(weights, sec.device)
    summary: dict[str, Any] = {"n_samples": n, "load_s": time.perf_counter() - t0, "batch": bs,
                               "inception": "torch-fidelity Inception-v3, random weights (real architecture): "
                                            "timing only, the IS/FID values mean nothing"}
    sec.data["summary"] = summary
    g = torch.Generator(device=sec.device).manual_seed(0)
    # "real" images: smooth random fields, CIFAR-10-shaped, in [-1, 1] (no data needed)
    real = torch.nn.functional.avg_pool2d(torch.rand(n, 3, 40, 40, device=sec.device, generator=g) * 2 - 1, 9, 1)
    ds = Dataset("cifar10-shaped-random", "image", real.clamp(-1, 1), None, None, {})
    spec = load_registry().model("dcgan")
    gen = spec.build(BuildContext((3, 32, 32), "image", None, 1, sec.device, 0, 64, dict(spec.defaults)))
    ref: dict[str, Any] = {}
    # FID's matrix square root (eigenvalues of a 2048x2048 product, on the CPU) costs ~30 s on a busy
    # 2-core box whatever n is: --tiny runs the same code on the first 64 feature dimensions
    dims = 64 if sec.tiny else None
    if dims:
        summary["fid_dims"] = f"--tiny: FID on the first {dims} of 2048 feature dimensions"

    def reference() -> dict[str, Any]:
        t = time.perf_counter()
        feats, _ = ext.extract(fidelity.to_uint8(ds.data, 3, "real"), bs)
        ref["mu"], ref["sigma"] = fidelity.feature_stats(feats[:, :dims])
        dt = time.perf_counter() - t
        return {"seconds": dt, "extract_images_per_s": n / dt}

    sec.measure("reference features + statistics (once per dataset, then cached)", reference, images=n)

    def is_fid() -> dict[str, Any]:
        t = time.perf_counter()
        samples, _ = draw_samples(gen, n, ds, False, 0, sec.device, "dcgan")
        sync(sec.device)
        t1 = time.perf_counter()
        feats, logits = ext.extract(fidelity.to_uint8(samples, 3, "generated"), bs)
        sync(sec.device)
        t2 = time.perf_counter()
        is_mean, _ = fidelity.inception_score(logits, max(1, min(10, n)))
        fid = fidelity.fid_from_stats(*fidelity.feature_stats(feats[:, :dims]), ref["mu"], ref["sigma"])
        t3 = time.perf_counter()
        summary.update(IS=is_mean, FID=fid)
        return {"seconds": t3 - t, "sampling_s": t1 - t, "extraction_s": t2 - t1, "is_fid_math_s": t3 - t2,
                "extract_images_per_s": n / (t2 - t1)}

    sec.measure(f"IS + FID end to end, {n} samples (DCGAN sampling, uint8, Inception, IS, FID vs cached stats)", is_fid,
                images=n, goal="<= 20 s on an H100-class GPU")
    m = min(n, 10_000)
    if sec.tiny:
        sec.row(name="ganbench fidelity metric family", skipped="--tiny: its 2048-dim FID alone takes ~30 s of CPU")
    elif sec.left() < 30:
        sec.row(name="ganbench fidelity metric family", skipped="section time cap reached")
    else:
        def family() -> dict[str, Any]:
            opts = {"inception_weights": str(weights), "inception_download": False, "fid_n_samples": m, "fid_n_real": m,
                    "prdc_n_real": m}
            sub = Dataset("cifar10-shaped-random-sub", "image", ds.data[:m], None, None, {})
            samples, _ = draw_samples(gen, m, sub, False, 1, sec.device, "dcgan")
            t = time.perf_counter()
            fidelity.compute_fidelity(MetricContext(sub, samples, None, sec.device, tmp / "cache", opts, final=True))
            first = time.perf_counter() - t
            t = time.perf_counter()
            fidelity.compute_fidelity(MetricContext(sub, samples, None, sec.device, tmp / "cache", opts, final=True))
            return {"first_call_s": first, "cached_reference_s": time.perf_counter() - t}

        sec.measure(f"ganbench fidelity family (IS, FID, KID, P/R, D/C), {m} samples", family, images=m,
                    note="compute_fidelity as a run's final evaluation: first call computes the reference, then cached")
    shutil.rmtree(tmp, ignore_errors=True)
    sec.flush()
