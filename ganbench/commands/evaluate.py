"""``ganbench evaluate OUT RUN_ID --metrics M``: re-score a kept generator without retraining."""

from __future__ import annotations

import argparse

from rich.console import Console

from ganbench.commands import add_parser, print_error

DESCRIPTION = """\
Score a run's kept generator (OUT/generators/RUN_ID.pt; see `keep` in docs/suites.md) with other
metrics or another sample count, without training again, e.g. the 50,000-sample FID of a run
benchmarked with 10,000. The generator is rebuilt from its plugin, samples come from the run's
fixed evaluation latents (a generator kept as the best of k evaluations, picked on those latents,
gets fresh ones: see --latents), and the result is stored in OUT's store as a new run
RUN_ID__eval-<metrics>-n<N> (label "<label> [re-scored, N samples]", or "[re-scored, best of k
evaluations by M, fresh latents, N samples]") whose config records the protocol, so
`ganbench report OUT` and `ganbench export` show it beside the original.

examples:
  ganbench evaluate results/cifar dcgan__cifar10__pack1__seed0 --metrics fidelity --n-samples 50000
  ganbench evaluate results/mog gan__mog-ring8__pack1__seed0 --metrics mog-modes --n-samples 10000
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "evaluate", "re-score a kept generator with other metrics or sample counts", DESCRIPTION)
    p.add_argument("out", help="the run's output directory")
    p.add_argument("run_id", help="the run's id")
    p.add_argument("--metrics", required=True, help="metric families, comma-separated (see `ganbench plugins`)")
    p.add_argument("--n-samples", type=_positive_int, metavar="N", help="generated samples, >= 1 (default: the run's own count)")
    p.add_argument("--device", default="cpu", help="torch device (default cpu)")
    p.add_argument("--inception-weights", metavar="PATH", help="Inception-v3 weights for IS/FID/KID (torch-fidelity's "
                   "weights-inception-2015-12-05-6726825d.pth), as for `ganbench run`; same as $GANBENCH_INCEPTION_WEIGHTS")
    p.add_argument("--any-version", action="store_true", help="rebuild with the installed plugin even if its version differs")
    p.add_argument("--latents", choices=["eval", "fresh"], default=None,
                   help="eval: the run's own evaluation latents (reproduces its numbers); fresh: latents no "
                   "evaluation saw. Default: fresh for a generator kept as the best of k evaluations (it was "
                   "picked on the eval latents, which favour it), eval for the final one")
    p.set_defaults(func=cmd_evaluate)


def _positive_int(text: str) -> int:
    try:
        n = int(text)
        if n < 1:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number of samples, got {text!r}") from None
    return n


def cmd_evaluate(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from ganbench.record.hardware import DeviceError, parse_device
    from ganbench.record.kept import KeptError
    from ganbench.record.rescore import evaluate_kept
    from ganbench.record.store import StoreError
    from ganbench.run.outlock import OutDirLocked

    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    if not metrics:
        print_error("--metrics: name at least one metric family (see `ganbench plugins`)")
        return 2
    if args.inception_weights:  # a machine-local path, as `ganbench run --inception-weights`
        weights = Path(args.inception_weights).expanduser().resolve()
        if not weights.is_file():
            print_error(f"--inception-weights: {weights} does not exist")
            return 2
        os.environ["GANBENCH_INCEPTION_WEIGHTS"] = str(weights)
    try:
        device = str(parse_device(args.device))
        new_id, values = evaluate_kept(args.out, args.run_id, metrics, args.n_samples, device=device,
                                       any_version=args.any_version, latents=args.latents)
    except (KeptError, StoreError, OutDirLocked, DeviceError) as exc:
        print_error(str(exc))
        return 2
    shown = ", ".join(f"{k} {v:.4g}" for k, v in values.items() if not k.endswith("_per_s"))
    Console().print(f"{new_id}: {shown}", highlight=False)
    return 0
