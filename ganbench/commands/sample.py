"""``ganbench sample OUT RUN_ID``: draw samples from a kept generator, rebuilt from its plugin."""

from __future__ import annotations

import argparse

from rich.console import Console

from ganbench.commands import add_parser, print_error

DESCRIPTION = """\
Rebuild a run's kept generator (OUT/generators/RUN_ID.pt, saved when the suite's keep is final or
best; the default for image datasets) from its model plugin and the run's config, and write
samples: a grid image (.png/.jpg; a scatter plot for 2-D data) or the raw samples (.npz, arrays
`samples` in [-1, 1] and, for conditional models, `labels`). The plugin must be installed at the
version the run used (--any-version tries another). Samples come from the EMA generator when the
model kept one, as the run's evaluations did.

examples:
  ganbench sample results/mnist dcgan__mnist__pack1__seed0 --n 64 --out grid.png
  ganbench sample results/cifar biggan__cifar10__pack1__seed0 --truncation 0.5 --labels 3 --out cats.png
  ganbench sample results/mnist cgan__mnist__pack1__seed0 --n 1000 --out samples.npz
"""


MAX_SAMPLES = 100_000
"""Most samples one call draws (100k 3x64x64 float images are 4.9 GB)."""


def torch_oom() -> type[BaseException]:
    import torch

    return getattr(torch, "OutOfMemoryError", MemoryError)


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "sample", "draw samples from a kept generator (grid image or .npz)", DESCRIPTION)
    p.add_argument("out", help="the run's output directory")
    p.add_argument("run_id", help="the run's id (`ganbench export OUT` or the report list them)")
    p.add_argument("--n", type=int, default=64, help="how many samples (default 64)")
    p.add_argument("--truncation", type=float, metavar="PSI", help="truncation trick threshold (models that support it)")
    p.add_argument("--labels", metavar="C[,C...]", help="conditional models: class(es) to draw, cycled (default: all, balanced)")
    p.add_argument("--seed", type=int, default=0, help="latent seed (default 0)")
    p.add_argument("--device", default="cpu", help="torch device (default cpu)")
    p.add_argument("--any-version", action="store_true", help="rebuild with the installed plugin even if its version differs")
    p.add_argument("--out", dest="dest", required=True, metavar="FILE", help="grid.png / grid.jpg / samples.npz")
    p.set_defaults(func=cmd_sample)


def cmd_sample(args: argparse.Namespace) -> int:
    from ganbench.plan.outpath import OutputPathError, check_output_path, describe_os_error
    from ganbench.record.hardware import DeviceError, parse_device
    from ganbench.record.kept import KeptError, draw, read_kept, rebuild, write_samples

    if not 1 <= args.n <= MAX_SAMPLES:
        print_error(f"--n {args.n}: give 1..{MAX_SAMPLES:,} samples (more do not fit a grid or, mostly, memory; "
                    "call it several times with other --seed values)")
        return 2
    try:
        device = parse_device(args.device, what="--device")
        check_output_path(args.dest, inputs=[args.out])
        kept = read_kept(args.out, args.run_id)
        model = rebuild(kept, device=device, any_version=args.any_version)
        x, labels = draw(model, kept, args.n, labels=args.labels, truncation=args.truncation, seed=args.seed,
                         device=device)
        path = write_samples(x, labels, args.dest, kept["context"]["data_kind"])
    except (KeptError, OutputPathError, DeviceError) as exc:
        print_error(str(exc))
        return 2
    except (MemoryError, torch_oom()) as exc:
        print_error(f"--n {args.n}: out of memory drawing the samples on {args.device} ({type(exc).__name__}); "
                    "ask for fewer")
        return 2
    except OSError as exc:
        print_error(describe_os_error(exc, args.dest))
        return 2
    which = kept.get("which", "final")
    Console().print(f"{args.n} samples of {args.run_id} ({which} generator, step {kept.get('step')}) -> [bold]{path}[/]",
                    highlight=False)
    return 0
