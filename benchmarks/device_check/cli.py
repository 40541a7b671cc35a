"""The command line: ``python -m benchmarks.device_check --out DIR [--device cpu --tiny] ...``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.device_check import __doc__ as DOC
from benchmarks.device_check.common import (
    SCHEMA,
    SECTIONS,
    SHARES,
    SHARES_TINY,
)
from benchmarks.device_check.driver import SECTION_FNS, hardware, run_section
from benchmarks.device_check.markdown import markdown


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.device_check", description=DOC.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, type=Path, help="folder for device-check.json, device-check.md, protocol/")
    ap.add_argument("--device", choices=("cuda", "cpu"), default=None, help="default: cuda when torch sees one")
    ap.add_argument("--tiny", action="store_true", help="seconds-sized smoke run (what CI runs on the CPU)")
    ap.add_argument("--budget-s", type=float, default=None,
                    help="total time budget split over the sections (default 450; --tiny 100)")
    ap.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    ap.add_argument("--fid-samples", type=int, default=None, help="samples for IS/FID (default 50000; --tiny 4)")
    ap.add_argument("--protocol-fraction", type=float, default=0.1,
                    help="share of the paper budget the protocol section trains (default 0.1; cut to fit its cap)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch CPU threads in every section (default 1: the harness's thread rule for a run)")
    ap.add_argument("--data", default=None, help="MNIST and its evaluator for stylegan_learning (default $GANBENCH_DATA)")
    ap.add_argument("--seqgan-full", action="store_true",
                    help="seqgan: the paper's 200 adversarial epochs whatever the cap (give it the time)")
    ap.add_argument("--compile-backend", default=None,
                    help="torch.compile backend (default inductor; --tiny on the CPU: eager, i.e. graph capture only)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    sections = [x.strip() for x in args.sections.split(",") if x.strip()]
    bad = [x for x in sections if x not in SECTION_FNS]
    if bad:
        print(f"device_check: --sections: unknown {', '.join(bad)} (choose from {', '.join(SECTIONS)})", file=sys.stderr)
        return 2
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # is_available() without a CUDA context
    os.environ.setdefault("MPLBACKEND", "Agg")
    t0 = time.perf_counter()
    import torch  # noqa: F401  (imported once here, inherited by every forked section)

    import ganbench.plugins
    import ganbench.run.runner  # noqa: F401

    ganbench.plugins.load_registry()
    args.out.mkdir(parents=True, exist_ok=True)
    hw = hardware(args.device, args.out)
    device = args.device or str(hw.get("device") or "cpu")
    budget = args.budget_s or (100.0 if args.tiny else 450.0)
    backend = args.compile_backend or ("eager" if args.tiny and device == "cpu" else None)
    opts = {"device": device, "tiny": args.tiny, "out": str(args.out.resolve()), "compile_backend": backend,
            "fid_samples": args.fid_samples, "threads": args.threads, "protocol_fraction": args.protocol_fraction,
            "data": args.data, "seqgan_full": args.seqgan_full}
    report: dict[str, Any] = {
        "schema": SCHEMA, "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "device": device,
        "tiny": args.tiny, "budget_s": budget, "compile_backend": backend or "inductor", "threads": args.threads,
        "hardware": hw,
        "sections": {},
    }
    shares = SHARES_TINY if args.tiny else SHARES
    share = sum(shares[x] for x in sections)
    left = budget - (time.perf_counter() - t0)
    for name in sections:
        cap = max(5.0, left * shares[name] / share)
        print(f"device_check: {name} (cap {cap:.0f} s) ...", file=sys.stderr, flush=True)
        prior = {k: {"summary": v.get("summary", {})} for k, v in report["sections"].items()}
        sec = report["sections"][name] = run_section(name, opts, args.out, cap, prior)
        print(f"device_check: {name}: {sec['status']} in {sec['seconds']:.1f} s"
              + (f" ({sec['error'].splitlines()[0]})" if sec.get("error") else ""), file=sys.stderr, flush=True)
    report["total_s"] = time.perf_counter() - t0
    (args.out / "device-check.json").write_text(json.dumps(report, indent=1, default=str))
    (args.out / "device-check.md").write_text(markdown(report))
    print(args.out / "device-check.md")
    return 0
