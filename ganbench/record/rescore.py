"""Re-score a kept generator under another protocol without training again (``ganbench evaluate``).

Why a new run row and not new rows on the old run: a run's numbers belong to the protocol it was
run with (its ``eval`` section); a 50,000-sample FID of the same generator is a different
measurement. The re-scoring is stored as its own run, ``<run_id>__eval-<metrics>-n<N>``, labelled
``<label> [re-scored, N samples]`` so the report shows it beside the original, never averaged into
it; its config is the original's with an ``evaluation`` section saying what was re-scored (which
kept generator, its step, the metrics and sample count). A ``final`` generator is re-scored on the
run's fixed evaluation latents (the ``eval-latents`` seed stream its own evaluations used), so the
run's protocol reproduces its numbers. A ``best`` generator was picked as the maximum of k noisy
evaluations on exactly those latents, which favours it: it is re-scored on fresh latents (the
``rescore-latents`` stream) by default, and labelled "best of k evaluations" in the run's label
and config (the report and ``ganbench export`` show both).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import torch

from ganbench.record.kept import KeptError, kept_label, read_kept, rebuild

LATENTS = ("eval", "fresh")
STREAMS = {"eval": "eval-latents", "fresh": "rescore-latents"}


def rescored_id(run_id: str, metrics: list[str], n: int, latents: str = "eval") -> str:
    return f"{run_id}__eval-{'+'.join(metrics)}-n{n}" + ("-fresh" if latents == "fresh" else "")


def evaluate_kept(out: str | Path, run_id: str, metrics: list[str], n_samples: int | None = None, *,
                  device: str = "cpu", registry: Any = None, any_version: bool = False,
                  latents: str | None = None) -> tuple[str, dict[str, float]]:
    """Score ``run_id``'s kept generator with ``metrics`` on ``n_samples`` samples (default: the
    run's own count); store it as a new run in OUT's store and return its id and values.
    ``latents``: ``eval`` (the run's evaluation latents) or ``fresh``; default ``fresh`` for a
    ``best`` generator (picked on the eval latents), ``eval`` for a ``final`` one."""
    from ganbench.contract import DatasetRequest, MetricContext
    from ganbench.data import default_root
    from ganbench.plugins import load_registry
    from ganbench.record.hardware import hardware_info
    from ganbench.record.store import MetricRow, Store
    from ganbench.run.outlock import OutDirLock
    from ganbench.train.loop import RunFailure, draw_samples

    out = Path(out)
    registry = registry or load_registry()
    kept = read_kept(out, run_id)
    config = json.loads(kept["config_json"])
    unknown = [m for m in metrics if m not in registry.metrics]
    if not metrics or unknown:
        raise KeptError(f"--metrics: unknown metric(s) {', '.join(unknown) or '(none given)'}; "
                        f"available: {', '.join(sorted(registry.metrics))}")
    n = int(n_samples if n_samples is not None else (config.get("eval") or {}).get("n_samples") or 2500)
    if n < 1:
        raise KeptError(f"--n-samples must be >= 1, got {n}")
    best = kept.get("which") == "best"
    latents = latents or ("fresh" if best else "eval")
    if latents not in LATENTS:
        raise KeptError(f"--latents must be one of {', '.join(LATENTS)}, got {latents!r}")
    dev = torch.device(device)
    model = rebuild(kept, registry, dev, any_version=any_version)
    try:
        ds_spec = registry.dataset(config["dataset"])
    except LookupError as exc:
        raise KeptError(f"dataset {config['dataset']!r} of run {run_id!r}: {exc}") from None
    root = Path(config["data_root"]).expanduser() if config.get("data_root") else default_root()
    try:
        ds = ds_spec.load(DatasetRequest(params={**ds_spec.defaults, **config.get("dataset_params", {})}, root=root, device=dev))
    except Exception as exc:
        raise KeptError(f"dataset {config['dataset']!r}: {exc}") from None
    specs = [registry.metrics[m] for m in metrics]
    wrong = [s.name for s in specs if not s.applies_to(ds)]
    if wrong:
        raise KeptError(f"--metrics: {', '.join(wrong)} do(es) not apply to dataset {config['dataset']!r}")
    spec = registry.model(kept["model"])
    who = f"model {kept['model']!r} ({kept.get('plugin') or '?'}, version {spec.version})"
    started = time.time()
    try:
        samples, labels = draw_samples(model, n, ds, spec.capabilities.conditional, int(config["seed"]), dev, who,
                                       stream=STREAMS[latents])
    except RunFailure as exc:
        raise KeptError(str(exc)) from None
    options = (config.get("eval") or {}).get("options") or {}
    values: dict[str, Any] = {}
    for m in specs:
        # the model too: capability metrics (latent-codes, encoder) measure it, not only its samples
        ctx = MetricContext(dataset=ds, samples=samples, labels=labels, device=dev, cache_dir=root / "cache",
                            options=options, final=True, model=model, metric_families=registry.metrics)
        try:
            got = m.compute(ctx)
        except Exception as exc:
            raise KeptError(f"metric {m.name!r} raised {type(exc).__name__}: {exc}") from None
        if not got:  # stored as "done" with no rows, a re-score would claim a measurement it never made
            raise KeptError(f"metric {m.name!r} gave no values for {who} on {config['dataset']!r} (a capability "
                            "metric needs a model that has it, e.g. latent-codes an InfoGAN); nothing stored")
        values.update(got)
    new_id = rescored_id(run_id, metrics, n, latents)
    with OutDirLock(out), Store.open(out) as store:
        row = store.run_row(run_id)
        if row is None:
            raise KeptError(f"{store.path}: no run {run_id!r} in the store (the kept file has no run to re-score)")
        which = kept_label(kept, _evaluations(store, run_id, kept) if best else None)
        evaluation = {"of": run_id, "kept": which, "step": kept.get("step"), "metrics": metrics,
                      "n_samples": n, "device": str(dev), "latents": STREAMS[latents]}
        tags = "".join(f", {t}" for t in ((which if best else None), ("fresh latents" if latents == "fresh" else None)) if t)
        finished = time.time()
        keep = ("suite", "suite_hash", "model", "model_version", "plugin", "plugin_dist", "plugin_description",
                "dataset", "dataset_label", "seed", "pack", "train_seconds", "steps", "kimg", "execution")
        store.reset_run(new_id)
        store.upsert_run(new_id, **{k: row[k] for k in keep}, label=f"{row['label']} [re-scored{tags}, {n:,} samples]",
                         config={**config, "evaluation": evaluation}, status="done", hardware=hardware_info(dev),
                         started_at=started, finished_at=finished, duration_s=finished - started)
        step, kimg, secs = int(kept.get("step") or 0), float(kept.get("kimg") or 0.0), float(row.get("train_seconds") or 0.0)
        store.add_metrics([
            MetricRow(new_id, step, kimg, secs, k, float(v.value), v.direction, v.extractor, v.n_samples, v.n_real,
                      v.note, True)
            for k, v in values.items()
        ])
    return new_id, {k: float(v.value) for k, v in values.items()}


def _evaluations(store: Any, run_id: str, kept: dict[str, Any]) -> int | None:
    """How many evaluations of the run scored the metric the best was picked by (the k of "best of
    k"), counted in the store (a resumed run's keeper may have counted fewer)."""
    name = (kept.get("metric") or {}).get("name")
    if not name:
        return None
    m = store.metrics()
    if m.empty:
        return None
    m = m[(m["run_id"] == run_id) & (m["name"] == name) & m["value"].notna()]
    return int(m["step"].nunique()) or None
