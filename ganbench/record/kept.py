"""Kept generators: a run's trained generator saved under OUT, rebuilt later to sample or re-score.

Why: a benchmark's numbers are a summary; the researcher also wants to look at the generator, draw
more samples, or score it under another protocol without training again. The suite's ``keep``
(``final`` | ``best`` | ``none``; default ``final`` for image datasets, ``none`` for 2-D data)
decides what is saved, to ``OUT/generators/<run_id>.pt``:

* the generator's weights: the model's ``G`` module when it has one (every zoo model does), else the
  model's whole ``state_dict()`` (a plugin without a ``G`` attribute);
* the EMA generator's weights when the model keeps one (an ``ema`` attribute whose ``module`` is the
  averaged G, :class:`ganbench.api.EMA`);
* for a model with a capability its metrics measure beyond G (an encoder: ``encode``; latent codes
  with a ``infer_codes`` estimate), every other network it holds (``E``, ``D`` with InfoGAN's Q
  head, ...) under ``modules``, without optimiser states: ``ganbench evaluate --metrics encoder``
  or ``latent-codes`` then measures the trained encoder / Q, not freshly initialised ones;
* everything needed to rebuild it: the model name, its plugin distribution and version, the run's
  config (JSON) and the build context (data shape and kind, classes, pack, batch, seed, hparams);
* which evaluation it is (``final``, or ``best`` with the metric, its value, the step and how many
  evaluations it was picked from: ``metric["of_evaluations"]``).

Only tensors and plain containers: the file loads with ``torch.load(weights_only=True)``.
``best`` keeps the generator of the evaluation with the best value of the run's first scored
quality metric in the report's order (FID before precision, modes before KL, ...). Its value is
the maximum of k noisy evaluations, an optimistic number: wherever it is shown it is labelled
"best of k evaluations", and ``ganbench evaluate`` re-scores it on fresh latents by default (the
run's own evaluation latents are the ones it was picked on, which favour it).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ganbench.util.atomic import run_file, write_atomic

KEEP_CHOICES = ("final", "best", "none")
FORMAT = "ganbench-generator/1"
DIRNAME = "generators"


class KeptError(RuntimeError):
    """A kept generator that cannot be found, read or rebuilt; the message says which and why."""


def default_keep(dataset_kind: str) -> str:
    """``final`` for images (a generator worth looking at), ``none`` for 2-D toy data (cheap to retrain)."""
    return "final" if dataset_kind == "image" else "none"


def kept_path(directory: str | Path, run_id: str) -> Path:
    """``directory/<run_id>.pt``, refusing ids that would land outside ``directory``."""
    try:
        return run_file(directory, run_id)
    except ValueError as exc:
        raise KeptError(str(exc)) from None


def generator_dir(out: str | Path) -> Path:
    """Where an output directory (or its store file) keeps its generators."""
    p = Path(out)
    return (p.parent if p.suffix == ".sqlite" else p) / DIRNAME


def _ema_module(model: Any) -> nn.Module | None:
    module = getattr(getattr(model, "ema", None), "module", None)
    return module if isinstance(module, nn.Module) else None


def _cpu(state: Mapping[str, Any]) -> Any:
    """A state dict with every tensor on the CPU (loadable on a machine without the run's GPU)."""
    if isinstance(state, torch.Tensor):
        return state.detach().cpu().clone()
    if isinstance(state, Mapping):
        return {k: _cpu(v) for k, v in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(_cpu(v) for v in state)
    return state


def generator_state(model: Any) -> dict[str, Any]:
    """The weights a kept file holds: ``generator`` (G) and ``ema`` (the EMA's G, or None), or, for a
    model without a ``G`` module, ``model_state`` (its whole state_dict)."""
    g = getattr(model, "G", None)
    if isinstance(g, nn.Module):
        ema = _ema_module(model)
        return {"generator": _cpu(g.state_dict()), "ema": None if ema is None else _cpu(ema.state_dict()),
                "model_state": None, "modules": _capability_modules(model)}
    return {"generator": None, "ema": None, "model_state": _cpu(model.state_dict())}


def _capability_modules(model: Any) -> dict[str, Any] | None:
    """The model's networks other than G, for a model whose capability metrics read them (an
    encoder, or InfoGAN's Q inside D); None for a plain generative model (G is all it needs)."""
    from ganbench.contract.latents import can_encode, has_codes

    if not (can_encode(model) or (has_codes(model) and callable(getattr(model, "infer_codes", None)))):
        return None
    return {name: _cpu(m.state_dict()) for name, m in vars(model).items()
            if isinstance(m, nn.Module) and name != "G"}


def save_atomic(obj: Any, path: Path) -> None:
    write_atomic(path, lambda fh: torch.save(obj, fh), mode=0o644)


@dataclass
class Keeper:
    """Saves a run's generator after the evaluations its ``keep`` mode asks for (called by the loop)."""

    run: Any  # RunSpec
    path: Path
    mode: str
    model_version: str
    plugin: str | None
    best: float | None = None
    metric: str | None = None
    evaluations: int = 0
    """Scored evaluations seen so far (``best``: the k the kept one was picked from)."""

    def after_evaluation(self, model: Any, values: Mapping[str, Any], meter: Any, dataset: Any, final: bool) -> None:
        if self.mode == "final" and final:
            self._save(model, meter, dataset, "final", None)
        elif self.mode == "best":
            scored = self._score(values)
            if scored is None:
                if final and not self.path.exists():  # nothing scored: keep the final one, saying so
                    self._save(model, meter, dataset, "final (no scored metric to pick the best by)", None)
                return
            name, value, direction = scored
            self.evaluations += 1
            better = self.best is None or (value < self.best if direction == "lower" else value > self.best)
            if better:
                self.best = value
                self._save(model, meter, dataset, "best", {"name": name, "value": value, "direction": direction,
                                                           "of_evaluations": self.evaluations})
            elif final and self.path.exists():  # later evaluations did not beat it: k grew since it was saved
                self._recount()

    def _recount(self) -> None:
        """Rewrite the kept best's ``of_evaluations`` with the run's final count."""
        try:
            obj = torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception:
            return  # unreadable: read_kept will say so when someone uses it
        if isinstance(obj.get("metric"), dict):
            obj["metric"]["of_evaluations"] = self.evaluations
            save_atomic(obj, self.path)

    def _score(self, values: Mapping[str, Any]) -> tuple[str, float, str] | None:
        from ganbench.report.aggregate import THROUGHPUT, is_leaderboard_metric, metric_order

        if self.metric is None:
            names = [k for k, v in values.items() if getattr(v, "direction", None) in ("higher", "lower")
                     and is_leaderboard_metric(k) and k not in THROUGHPUT and np.isfinite(float(v.value))]
            if not names:
                return None
            self.metric = metric_order(names)[0]
        v = values.get(self.metric)
        if v is None or not np.isfinite(float(v.value)):
            return None
        return self.metric, float(v.value), str(v.direction)

    def _save(self, model: Any, meter: Any, dataset: Any, which: str, metric: dict[str, Any] | None) -> None:
        run = self.run
        obj = {
            "format": FORMAT,
            "run_id": run.run_id,
            "model": run.model,
            "model_version": self.model_version,
            "plugin": self.plugin,
            "config_json": json.dumps(run.config(), sort_keys=True, default=str),
            "context": {
                "data_shape": [int(s) for s in dataset.sample_shape],
                "data_kind": dataset.kind,
                "num_classes": dataset.num_classes,
                "classes": list(dataset.info.classes) if getattr(dataset.info, "classes", None) else None,
                "pack": int(run.pack),
                "batch_size": int(run.batch_size),
                "seed": int(run.seed),
                "hparams_json": json.dumps(run.hparams, sort_keys=True, default=str),
            },
            "which": which,
            "metric": metric,
            "step": int(meter.steps),
            "kimg": float(meter.kimg),
            **generator_state(model),
        }
        save_atomic(obj, self.path)


def make_keeper(run: Any, model_version: str, plugin: str | None) -> Keeper | None:
    """The keeper a run gets: None unless its ``keep`` is final/best and the runner gave it a directory."""
    mode = getattr(run, "keep", "none")
    directory = getattr(run, "keep_dir", None)
    if mode == "none" or not directory:
        return None
    return Keeper(run, kept_path(directory, run.run_id), mode, model_version, plugin)


# -- reading back ------------------------------------------------------------------------------


def read_kept(out: str | Path, run_id: str) -> dict[str, Any]:
    """The kept file of ``run_id`` under ``out`` (an output directory), checked."""
    path = kept_path(generator_dir(out), run_id)
    if not path.is_file():
        have = sorted(p.stem for p in path.parent.glob("*.pt")) if path.parent.is_dir() else []
        hint = f"; kept: {', '.join(have[:8])}{' ...' if len(have) > 8 else ''}" if have else (
            "; this output directory keeps no generators (the suite's keep was none; set keep: final and run again)")
        raise KeptError(f"{path}: no kept generator for run {run_id!r}{hint}")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise KeptError(f"{path}: not a readable kept generator ({type(exc).__name__}: {exc})") from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise KeptError(f"{path}: not a ganbench kept generator (format {obj.get('format') if isinstance(obj, dict) else '?'!r})")
    _validate(obj, path)
    return obj


_FIELDS: dict[str, tuple[type, ...]] = {
    "run_id": (str,), "model": (str,), "model_version": (str, type(None)), "plugin": (str, type(None)),
    "config_json": (str,), "context": (dict,), "which": (str,), "step": (int,),
}
_CONTEXT_FIELDS: dict[str, tuple[type, ...]] = {
    "data_shape": (list, tuple), "data_kind": (str,), "num_classes": (int, type(None)), "pack": (int,),
    "batch_size": (int,), "seed": (int,), "hparams_json": (str,),
}


def _validate(obj: dict[str, Any], path: Path) -> None:
    """A file with the right ``format`` but edited or damaged fields: named here, in one line, not
    as a KeyError or a TypeError deep inside rebuild()."""
    def need(d: Mapping[str, Any], key: str, kinds: tuple[type, ...], where: str) -> None:
        if key not in d:
            raise KeptError(f"{path}: damaged kept generator: field {where}{key!r} is missing")
        v = d[key]
        if not isinstance(v, kinds) or isinstance(v, bool) and bool not in kinds:
            names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
            raise KeptError(f"{path}: damaged kept generator: field {where}{key!r} should be {names}, "
                            f"got {type(v).__name__}")

    for key, kinds in _FIELDS.items():
        need(obj, key, kinds, "")
    for key, kinds in _CONTEXT_FIELDS.items():
        need(obj["context"], key, kinds, "context.")
    c = obj["context"]
    if not c["data_shape"] or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in c["data_shape"]):
        raise KeptError(f"{path}: damaged kept generator: context.data_shape {c['data_shape']!r} is not a list of sizes")
    for key in ("config_json", "context.hparams_json"):
        text = c["hparams_json"] if key.startswith("context.") else obj["config_json"]
        try:
            ok = isinstance(json.loads(text), dict)
        except (ValueError, RecursionError):
            ok = False
        if not ok:
            raise KeptError(f"{path}: damaged kept generator: field {key!r} is not a JSON object")
    weights = [k for k in ("generator", "model_state") if isinstance(obj.get(k), dict)]
    if not weights:
        raise KeptError(f"{path}: damaged kept generator: it holds no weights ('generator' or 'model_state')")
    for k in ("generator", "ema", "model_state"):
        v = obj.get(k)
        if v is not None and not (isinstance(v, dict) and all(isinstance(x, torch.Tensor) for x in v.values())):
            raise KeptError(f"{path}: damaged kept generator: {k!r} is not a state dict of tensors")


def rebuild(kept: Mapping[str, Any], registry: Any = None, device: str | torch.device = "cpu", *,
            any_version: bool = False) -> Any:
    """The model the kept file came from, rebuilt by its plugin with the run's build context and the
    kept weights loaded. Raises :class:`KeptError` when the plugin is not installed, or (unless
    ``any_version``) is installed at another version than the run used."""
    from ganbench.contract import BuildContext
    from ganbench.plugins import load_registry

    registry = registry or load_registry()
    name, want = kept["model"], kept.get("model_version")
    plugin = kept.get("plugin") or "its plugin"
    try:
        spec = registry.model(name)
    except LookupError:
        raise KeptError(f"model {name!r} is not installed: the run used {plugin} (model version {want}); "
                        "install that plugin (pip install ...) to rebuild its generator") from None
    if want is not None and str(spec.version) != str(want) and not any_version:
        raise KeptError(f"model {name!r} is installed at version {spec.version}, the run used {want} ({plugin}); "
                        f"install that version, or pass --any-version to try loading the weights anyway")
    if spec.capabilities.task == "translate":  # translate(source, domain), not sample(n): nothing to draw from
        raise KeptError(f"model {name!r} translates images (Capabilities.task 'translate'): ganbench sample and "
                        "ganbench evaluate draw from generative models only; its run's report shows its translations")
    c = kept["context"]
    ctx = BuildContext(
        data_shape=tuple(int(s) for s in c["data_shape"]), data_kind=str(c["data_kind"]),
        num_classes=c["num_classes"], pack=int(c["pack"]), device=torch.device(device), seed=int(c["seed"]),
        batch_size=int(c["batch_size"]), hparams=json.loads(c["hparams_json"]),
    )
    who = f"model {name!r} ({plugin}, version {spec.version})"
    try:
        model = spec.build(ctx)
    except Exception as exc:
        raise KeptError(f"{who}: build raised {type(exc).__name__}: {exc}") from None
    try:
        if kept.get("generator") is not None:
            g = getattr(model, "G", None)
            if not isinstance(g, nn.Module):
                raise KeptError(f"{who}: the kept file holds G's weights but the built model has no G module")
            g.load_state_dict(kept["generator"])
            if kept.get("ema") is not None:
                ema = _ema_module(model)
                if ema is None:
                    raise KeptError(f"{who}: the kept file holds EMA weights but the built model keeps no EMA")
                ema.load_state_dict(kept["ema"])
            for name, state in (kept.get("modules") or {}).items():
                net = getattr(model, name, None)
                if not isinstance(net, nn.Module):
                    raise KeptError(f"{who}: the kept file holds network {name!r} but the built model has none")
                net.load_state_dict(state)
        else:
            model.load_state_dict(kept["model_state"])
    except KeptError:
        raise
    except Exception as exc:
        raise KeptError(f"{who}: the kept weights do not load into the rebuilt model ({type(exc).__name__}: {exc})") from None
    return model


def parse_labels(text: str | None, n: int, num_classes: int | None) -> torch.Tensor | None:
    """``--labels``: ``3`` (all one class), ``0,1,2`` (cycled over the n samples) or None (balanced)."""
    if not num_classes:
        if text:
            raise KeptError("--labels: this model is not conditional")
        return None
    if not text:
        return torch.arange(n) % num_classes
    try:
        vals = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise KeptError(f"--labels: expected class numbers like 0,1,2, got {text!r}") from None
    bad = [v for v in vals if not 0 <= v < num_classes]
    if not vals or bad:
        raise KeptError(f"--labels: classes must be in 0..{num_classes - 1}, got {text!r}")
    return torch.tensor(vals)[torch.arange(n) % len(vals)]


def draw(model: Any, kept: Mapping[str, Any], n: int, *, labels: str | Sequence[int] | None = None,
         truncation: float | None = None, seed: int = 0, device: str | torch.device = "cpu") -> tuple[torch.Tensor, torch.Tensor | None]:
    """``n`` samples (and their labels) from a rebuilt model, from latents seeded by ``seed``."""
    from ganbench.train.seeding import generator

    if n < 1:
        raise KeptError(f"--n must be >= 1, got {n}")
    device = torch.device(device)
    c = kept["context"]
    conditional = bool(c.get("num_classes")) and _is_conditional(kept)
    text = ",".join(str(v) for v in labels) if isinstance(labels, Sequence) and not isinstance(labels, str) else labels
    lab = parse_labels(text, n, c["num_classes"] if conditional else None)
    kwargs: dict[str, Any] = {}
    if truncation is not None:
        if "truncation" not in inspect.signature(model.sample).parameters:
            raise KeptError(f"model {kept['model']!r}: its sample() takes no truncation (only models with the "
                            "truncation trick do, e.g. biggan)")
        kwargs["truncation"] = float(truncation)
    g = generator(seed, "kept-samples", device)
    with torch.no_grad():
        x = model.sample(n, None if lab is None else lab.to(device), generator=g, **kwargs)
    return x.detach().float().cpu(), lab


def _is_conditional(kept: Mapping[str, Any]) -> bool:
    try:
        from ganbench.plugins import load_registry

        return bool(load_registry().model(kept["model"]).capabilities.conditional)
    except Exception:
        return False


def write_samples(x: torch.Tensor, labels: torch.Tensor | None, path: str | Path, data_kind: str) -> Path:
    """``.npz`` (``samples``, and ``labels`` when conditional) or an image: a grid of images, or a
    scatter plot of 2-D samples."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        arrays = {"samples": x.numpy()}
        if labels is not None:
            arrays["labels"] = labels.numpy()
        write_atomic(path, lambda fh: np.savez(fh, **arrays), mode=0o644)
        return path
    if suffix not in (".png", ".jpg", ".jpeg"):
        raise KeptError(f"--out {path}: give a .png, .jpg or .npz file")
    if data_kind == "image":
        from torchvision.utils import save_image

        nrow = max(1, int(np.ceil(np.sqrt(x.shape[0]))))
        save_image((x.clamp(-1, 1) + 1) / 2, str(path), nrow=nrow, padding=2)
        return path
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 4))
    ax.scatter(x[:, 0].numpy(), x[:, 1].numpy() if x.shape[1] > 1 else np.zeros(x.shape[0]), s=2)
    ax.set_aspect("equal")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def kept_label(kept: Mapping[str, Any], evaluations: int | None = None) -> str:
    """How a kept generator is named wherever its numbers appear: ``final``, or ``best of k
    evaluations (metric)`` (a maximum over noisy evaluations is optimistic; the label says so)."""
    which = str(kept.get("which") or "final")
    metric = kept.get("metric") if isinstance(kept.get("metric"), Mapping) else None
    if which != "best" or metric is None:
        return which
    k = evaluations if evaluations else metric.get("of_evaluations")
    return f"best of {int(k)} evaluations by {metric.get('name')}" if k else f"best by {metric.get('name')}"
