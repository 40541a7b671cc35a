"""The equivalence study at power: ``python tests/equivalence/study.py --seeds 24 --out study.json``.

The CI tests (test_gan_equivalence.py) run 8 seeds per arm; this runs the same set-up at N seeds
per arm (docs/vectorized.md reports N = 24): the GAN plugin under the harness (solo), the same runs
as vectorised replicas, the independent loop, and the independent loop with a known defect (both
learning rates halved: the negative control). It writes every seed's three metrics and the TOST of
each comparison at the margins fixed in test_gan_equivalence.MARGINS before any of it ran, and
prints a markdown table. CPU-heavy (4 × N training runs): run it in the background.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))

import reference_gan as ref  # noqa: E402
import test_gan_equivalence as eq  # noqa: E402

from ganbench.analyse import stats as gs  # noqa: E402


def harness(seeds: list[int], vectorize: int | None, registry: object) -> dict[str, list[float]]:
    from ganbench.record.store import Store
    from ganbench.run.runner import run_suite

    with tempfile.TemporaryDirectory() as d:
        suite = Path(d) / "suite.yaml"
        suite.write_text(eq.suite_text(seeds))
        run_suite(suite, Path(d) / "out", registry=registry, vectorize=vectorize, render=False, check_ready=False)
        with Store.open(Path(d) / "out", create=False) as store:
            runs = store.runs().set_index("run_id")
            fin = store.metrics(final_only=True).merge(runs[["seed"]], left_on="run_id", right_index=True)
    return {m: [float(x) for x in fin[fin.name == m].sort_values("seed")["value"]] for m in eq.METRICS}


def loop(seeds: list[int], lr: float) -> dict[str, list[float]]:
    scores = [ref.score(ref.train(s, eq.STEPS, lr=lr, std=eq.STD, **eq.WIDTHS), eq.STD) for s in seeds]
    return {m: [float(s[m]) for s in scores] for m in eq.METRICS}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=24)
    ap.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--arms", default="solo,vectorized,loop,defect")
    args = ap.parse_args()
    torch.set_num_threads(1)
    from ganbench.plugins import load_registry

    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    data = json.loads(args.out.read_text()) if args.out.exists() else {}
    registry = load_registry()
    arms = {
        "solo": lambda: harness(seeds, None, registry),
        "vectorized": lambda: harness(seeds, min(len(seeds), 24), registry),
        "loop": lambda: loop(seeds, eq.LR),
        "defect": lambda: loop(seeds, eq.LR / 2),
    }
    for name in args.arms.split(","):
        if name in data and len(data[name]["modes"]) == len(seeds):
            continue
        t0 = time.time()
        data[name] = arms[name]()
        print(f"{name}: {len(seeds)} seeds in {time.time() - t0:.0f} s", flush=True)
        args.out.write_text(json.dumps(data, indent=1))
    print(table(data))
    return 0


def table(data: dict[str, dict[str, list[float]]]) -> str:
    """Markdown: per comparison and metric, the means, the difference with its 90 % CI (the TOST
    interval), the margin, the TOST p and whether equivalence is shown."""
    lines = ["| comparison | metric | mean A (sd) | mean B (sd) | A − B [90 % CI] | margin | TOST p | equivalent |",
             "|---|---|---|---|---|---|---|---|"]
    for a, b in (("vectorized", "solo"), ("solo", "loop"), ("defect", "solo")):
        if a not in data or b not in data:
            continue
        for m in eq.METRICS:
            x, y = np.asarray(data[a][m]), np.asarray(data[b][m])
            d90 = gs.welch(gs.Side.of(x), gs.Side.of(y), confidence=0.90)
            p = gs.tost(d90, eq.MARGINS[m])
            lines.append(f"| {a} vs {b} (n={len(x)}/{len(y)}) | {m} | {x.mean():.3f} ({x.std(ddof=1):.3f}) | "
                         f"{y.mean():.3f} ({y.std(ddof=1):.3f}) | {d90.diff:+.3f} [{d90.lo:+.3f}, {d90.hi:+.3f}] | "
                         f"±{eq.MARGINS[m]:g} | {p:.3g} | {'yes' if p < eq.ALPHA else 'no'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
