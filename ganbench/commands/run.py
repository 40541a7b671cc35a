"""``ganbench run SUITE``: train every run of a suite, write the store and the report."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ganbench.commands import add_parser, print_error

DESCRIPTION = """\
Run a benchmark suite: every model × dataset × seed × pack size of the suite file is trained
under the suite's budget and evaluated; results go to a SQLite store in the output directory and
an HTML report is rendered beside it.

Running again with the same --out skips runs already finished (resume after an interruption),
provided their stored config equals the new one; if the suite changed, it stops (exit 2) listing
the changed fields, and --rerun-changed runs those again. One `ganbench run` per --out at a time.

Exit status: 0 all runs finished, 1 some runs failed (their errors are in the store and report),
2 nothing was run: the suite could not be used (bad file, unknown model or dataset), --out is
unusable or in use, finished runs changed, or data/weights the suite needs are missing.
"""


def parse_seeds(text: str) -> list[int]:
    """``3`` means seeds 0,1,2; ``0,5,7`` an explicit list."""
    try:
        if "," in text:
            seeds = [int(s) for s in text.split(",") if s.strip()]
        else:
            n = int(text)
            if n < 1:
                raise ValueError
            seeds = list(range(n))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a count (3) or a list (0,5,7), got {text!r}") from None
    if not seeds or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"seed list must be non-empty without duplicates: {text!r}")
    from ganbench.plan.suite import MAX_SEED, MAX_SEEDS

    if len(seeds) > MAX_SEEDS or not all(0 <= s <= MAX_SEED for s in seeds):
        raise argparse.ArgumentTypeError(f"at most {MAX_SEEDS} seeds, each in 0..{MAX_SEED}: {text!r}")
    return seeds


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "run", "run a benchmark suite", DESCRIPTION)
    p.add_argument("suite", help="suite YAML file (see docs/suites.md), e.g. suites/mog.yaml")
    p.add_argument("--out", metavar="DIR", help="output directory for the store and report "
                   "(default: reports/<suite>-<timestamp>); an existing one is resumed")
    p.add_argument("--seeds", type=parse_seeds, metavar="N|LIST", help="override the suite's seeds: a count or a comma list")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], help="override the suite's device (auto: CUDA when present)")
    p.add_argument("--budget", metavar="KIND=N", help="override the budget for quick tries: steps=N, kimg=N or seconds=N")
    p.add_argument("--eval-samples", type=_positive_int, metavar="N",
                   help="override every evaluation's generated-sample count for a quick try (eval.n_samples, "
                   "n_samples_per_dataset and the FID counts; e.g. 2000 instead of stacked MNIST's 26,000). The runs "
                   "record it: a store made with it is not the suite's protocol, and resuming it without the flag "
                   "is refused as a changed config")
    p.add_argument("--keep", choices=["final", "best", "none"],
                   help="override the suite's keep: save each run's generator under OUT/generators (default: final for "
                   "image datasets, none for 2-D data); `ganbench sample OUT RUN_ID` draws from it")
    p.add_argument("--sink", action="append", default=[], metavar="NAME",
                   help="also send every metric, loss and sample grid to this tracker sink (repeatable): "
                   "tensorboard (pip install 'ganbench[tensorboard]'), or one a plugin provides (docs/sinks.md)")
    p.add_argument("--no-report", action="store_true", help="do not render the HTML report at the end")
    p.add_argument("--no-preflight", action="store_true",
                   help="skip the check, before training, that every dataset file, evaluator and weight file "
                   "the suite needs is present (or downloadable), the device exists and --out is writable")
    p.add_argument("--rerun-changed", action="store_true",
                   help="an existing --out whose finished runs were made with a different config (hparams, "
                   "budget, ...): run those again (without it, such a rerun is refused, exit 2)")
    p.add_argument("--inception-weights", metavar="PATH", help="Inception-v3 weights for IS/FID/KID (torch-fidelity's "
                   "weights-inception-2015-12-05-6726825d.pth); same as $GANBENCH_INCEPTION_WEIGHTS")
    x = p.add_argument_group("execution (see docs: executors, resume, isolation)")
    x.add_argument("--executor", choices=["local", "ray"], default="local",
                   help="local: on this machine (default; see --jobs); ray: every run a Ray task (needs ganbench[ray])")
    x.add_argument("--max-concurrent", type=_positive_int, metavar="N", help="ray: at most N runs at once (default: the cluster's CPUs)")
    x.add_argument("--ray-address", metavar="ADDR", help="ray: connect to this cluster (e.g. ray://head:10001) instead of starting one")
    x.add_argument("--vectorize", type=_positive_int, metavar="N",
                   help="local: train up to N seeds of one model config as one batched model when the plugin "
                   "supports it (overrides the suite's `vectorize`; docs/vectorized.md)")
    x.add_argument("--jobs", "-j", type=_jobs, metavar="N|auto",
                   help="local: train N runs at once, each in a worker process; auto: one per --threads cores on "
                   "the CPU, 1 on a GPU. Default 1: one after another in this process, as run_suite() does. "
                   "Never changes a step's arithmetic (see --threads), but changes throughput, how many steps "
                   "a `seconds` budget fits and what timeout_s allows: each run records it (docs/executors.md)")
    x.add_argument("--force", action="store_true",
                   help="run a `seconds` budget with --jobs N > 1 anyway (refused without it: each run would "
                   "train fewer steps than alone)")
    x.add_argument("--threads", type=_positive_int, default=None, metavar="T",
                   help="local: torch threads per run (default 1), the same whatever --jobs is, so --jobs 1 and "
                   "--jobs N give bit-identical metrics")
    x.add_argument("--isolate", action="store_true",
                   help="local: each run in its own worker process, killed at the suite's timeout_s; crashes fail only that run")
    x.add_argument("--checkpoint-every", type=_nonneg_int, metavar="N",
                   help="checkpoint every N generator steps (0: never; default: the suite's checkpoint_every, else once a minute)")
    x.add_argument("--keep-checkpoints", action="store_true", help="keep OUT/checkpoints/<run>.pt after a run finished")
    p.set_defaults(func=cmd_run)


def _positive_int(text: str) -> int:
    try:
        n = int(text)
        if n < 1:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    return n


def _jobs(text: str) -> int | str:
    return "auto" if text.strip().lower() == "auto" else _positive_int(text)


def _nonneg_int(text: str) -> int:
    try:
        n = int(text)
        if n < 0:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    return n


def cmd_run(args: argparse.Namespace) -> int:
    # heavy imports (torch, pandas) only when the command runs, so `--help` stays instant
    from ganbench.plan.suite import SuiteError, parse_budget
    from ganbench.record.store import StoreError
    from ganbench.run.runner import RunRefused, run_suite

    console = Console()
    err = Console(stderr=True)
    try:
        budget = parse_budget(args.budget) if args.budget else None
    except (SuiteError, RunRefused, StoreError) as exc:
        print_error(str(exc))
        return 2
    if getattr(args, "inception_weights", None):  # a machine-local path: overrides the suite's eval.options
        weights = Path(args.inception_weights).expanduser().resolve()
        if not weights.is_file():
            print_error(f"--inception-weights: {weights} does not exist")
            return 2
        os.environ["GANBENCH_INCEPTION_WEIGHTS"] = str(weights)  # inherited by worker processes

    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.fields[info]}"),
        console=console, transient=False,
    )
    state: dict = {}

    def on_start(runs, done):
        console.print(f"[bold]{len(runs)} runs[/] in the matrix, {len(done)} already done, {len(runs) - len(done)} to run")
        state["all"] = progress.add_task("suite", total=len(runs) - len(done), info="")
        progress.start()

    def on_progress(run, fraction, info):
        task = state.get(run.run_id)
        if task is None:
            task = state[run.run_id] = progress.add_task(run.run_id, total=1.0, info="")
        progress.update(task, completed=fraction, info=info)

    def on_done(run, outcome):
        task = state.pop(run.run_id, None)
        if task is not None:
            progress.remove_task(task)
        progress.advance(state["all"])
        if outcome.status == "done":
            progress.console.print(f"[green]✓[/] {run.run_id}  {outcome.steps} steps, {outcome.train_seconds:.1f} s")
        else:
            from rich.text import Text  # the error is plugin text: never parsed as markup

            progress.console.print(Text.assemble((f"✗ {run.run_id}", "red"), f": {outcome.error}"), highlight=False)

    from ganbench.executors import make_executor
    from ganbench.executors.ray import RayUnavailable
    from ganbench.train.checkpoint import CheckpointOptions

    if args.executor != "ray" and (args.max_concurrent or args.ray_address):
        print_error("--max-concurrent and --ray-address need --executor ray")
        return 2
    if args.executor == "ray" and (args.jobs or args.threads):
        print_error("--jobs and --threads are for the local executor; Ray uses --max-concurrent and each model's num_cpus")
        return 2
    from ganbench.executors.threads import DEFAULT_THREADS_PER_RUN

    executor = make_executor(
        args.executor, isolate=args.isolate, jobs=None if args.jobs == "auto" else (args.jobs or 1),
        threads=args.threads or DEFAULT_THREADS_PER_RUN,
        max_concurrent=args.max_concurrent, ray_address=args.ray_address,
        checkpoints=CheckpointOptions(every=args.checkpoint_every, keep=args.keep_checkpoints),
    )
    try:
        result = run_suite(
            args.suite, args.out, seeds=args.seeds, budget=budget, device=args.device, executor=executor,
            vectorize=args.vectorize,
            progress=on_progress, on_start=on_start, on_done=on_done, render=not args.no_report,
            rerun_changed=args.rerun_changed, check_ready=not args.no_preflight, keep=args.keep,
            sinks=args.sink, force=args.force, eval_samples=args.eval_samples,
        )
    except (RayUnavailable, ConnectionError) as exc:  # Ray missing, or --ray-address unreachable
        print_error(str(exc))
        return 2
    except (SuiteError, RunRefused, StoreError) as exc:
        print_error(str(exc))
        return 2
    finally:
        progress.stop()
    print_summary(console, result.store_path)
    console.print(f"store:  {result.store_path}")
    if result.report_path:
        console.print(f"report: [bold]{result.report_path}[/]")
    if result.failed:
        from rich.text import Text

        err.print(Text.assemble((f"{len(result.failed)} run(s) failed", "red"),
                                f"; see the report or `ganbench report {result.out_dir}`"), highlight=False)
        return 1
    return 0


def print_summary(console: Console, store_path) -> None:
    """The final table: mean ± std over seeds of every metric except throughput."""
    from rich.text import Text

    from ganbench.record.store import Store
    from ganbench.report.aggregate import final_metrics, fmt_mean_std, summarize
    from ganbench.report.comparability import banners

    with Store.open(store_path, create=False) as store:
        metrics = store.metrics()
        summary = summarize(final_metrics(store.runs(), metrics))
    if summary.empty:
        return
    if not console.is_terminal:  # a log file or a pipe: wide enough that no number is cut to "0.00…"
        console = Console(file=console.file, width=max(console.width, 200))
    for line in banners(metrics):  # above the numbers, not only in a metric's note
        console.print(Text(line, style="bold yellow"), highlight=False)
    summary = summary[~summary["name"].str.endswith("_per_s") & ~summary["name"].str.endswith(".error")]
    for dataset, part in summary.groupby("dataset_label"):
        names = sorted(part["name"].unique())
        rows = []
        for (label, pack), grp in part.groupby(["label", "pack"]):
            vals = {r["name"]: fmt_mean_std(r["mean"], r["std"], r["name"], int(r["n"])) for _, r in grp.iterrows()}
            rows.append((str(label), str(pack), str(int(grp["n"].max())), [vals.get(n, "—") for n in names]))
        chunks = column_chunks(names, rows, console.width)
        for i, chunk in enumerate(chunks):
            # as many metric columns as fit the width, the rest in the next table: a number is never
            # cut to "0.00…" nor wrapped in the middle
            part_title = f" ({i + 1}/{len(chunks)})" if len(chunks) > 1 else ""
            table = Table(title=f"{dataset} (mean ± std over seeds){part_title}")
            for col in ("model", "pack", "seeds", *(names[j] for j in chunk)):
                table.add_column(col, justify="left" if col == "model" else "right", overflow="fold")
            for label, pack, n, cells in rows:
                table.add_row(label, pack, n, *(cells[j] for j in chunk))
            console.print(table)


def column_chunks(names: list[str], rows: list[tuple[str, str, str, list[str]]], width: int) -> list[list[int]]:
    """Indices of the metric columns per table, each table at most ``width`` characters wide."""
    def w(texts: list[str]) -> int:
        return max((len(s) for s in texts), default=1) + 3  # padding and the border
    fixed = 1 + w(["model", *(r[0] for r in rows)]) + w(["pack"]) + w(["seeds"])
    chunks: list[list[int]] = [[]]
    used = fixed
    for j, name in enumerate(names):
        cw = w([name, *(r[3][j] for r in rows)])
        if chunks[-1] and used + cw > width:
            chunks.append([])
            used = fixed
        chunks[-1].append(j)
        used += cw
    return chunks
