"""A zoo plugin's ``ganbench_models`` hook, from its models' fields or from its ``models.yaml``.

Every zoo plugin announced its models with the same boilerplate (the hook function, ``ModelSpec``
with the distribution's version, a ``DEFAULTS`` dict). :func:`zoo_models` writes the hook once;
:func:`zoo_models_from` goes further and reads each model's metadata (description, paper,
capabilities, defaults, hyperparameters, the contract version) from a YAML file shipped beside the
plugin's code, so a default's source stays next to its value as a comment and ``plugin.py`` keeps
only what must be Python: the build callables and anything computed. :data:`ZOO_API_VERSION` is the
contract most of the zoo is written against (1.4: ``ModelSpec.hyperparameters``, and the 1.1-1.3
features the shared base reads: ``ctx.progress``, EMA, ``lr_decay_steps``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

import yaml

from ganbench.api import Capabilities, ModelSpec, hookimpl

ZOO_API_VERSION = "1.4"

MODELS_FILE = "models.yaml"
REQUIRED = ("name", "description", "paper", "capabilities", "defaults")
"""Fields every model in a ``models.yaml`` states (directly or through ``common``)."""
OPTIONAL = ("hyperparameters",)
BASE_HYPERPARAMETERS = "base"
"""``hyperparameters: base``: the hparams the shared :class:`~ganbench_layers.base.AdversarialModel` reads."""
_CAPABILITIES = {f.name for f in dataclasses.fields(Capabilities)}


class ZooSpecError(ValueError):
    """A plugin's ``models.yaml`` is malformed; the message names the file and the model."""


def zoo_models(version: str, *specs: Mapping[str, Any], api_version: str = ZOO_API_VERSION,
               **common: Any) -> Callable[[], list[ModelSpec]]:
    """The ``ganbench_models`` hook announcing one :class:`ModelSpec` per mapping of its fields;
    ``common`` fields (paper, capabilities, ...) are shared by all, a spec's own fields win. Assign it
    to the plugin module's ``ganbench_models``."""
    models = [ModelSpec(version=version, api_version=api_version, **{**common, **spec}) for spec in specs]

    @hookimpl
    def ganbench_models() -> list[ModelSpec]:
        return list(models)

    return ganbench_models


def zoo_models_from(package: str, *, builds: Mapping[str, Callable[..., Any]], version: str,
                    extra: Mapping[str, Mapping[str, Any]] | None = None,
                    resource: str = MODELS_FILE) -> Callable[[], list[ModelSpec]]:
    """The ``ganbench_models`` hook for the models declared in ``package``'s ``models.yaml``.

    ``builds`` maps each model's name to its build callable; ``extra`` adds, per model name, fields
    that must be Python (``build_replicas``, a computed description). A missing, unknown or doubly
    given field is a :class:`ZooSpecError` naming the file and the model, raised at import so a
    broken file fails discovery loudly instead of announcing a half-described model."""
    where = f"{package}/{resource}"
    text = resources.files(package).joinpath(resource).read_text(encoding="utf-8")
    extra = dict(extra or {})
    api_version, specs = parse_models(yaml.safe_load(text), where, extra)
    names = [spec["name"] for spec in specs]
    for label, given in (("builds", builds), ("extra", extra)):
        unknown = sorted(set(given) - set(names))
        if unknown:
            raise ZooSpecError(f"{where}: {label} names {unknown}, not models of this file ({names})")
    for spec in specs:
        name = spec["name"]
        if name not in builds:
            raise ZooSpecError(f"{where}: model {name!r} has no build callable (pass builds={{{name!r}: ...}})")
        spec["build"] = builds[name]
        for key, value in extra.get(name, {}).items():
            if key in spec:
                raise ZooSpecError(f"{where}: model {name!r}: {key!r} is given both in the file and in extra")
            spec[key] = value
    return zoo_models(version, *specs, api_version=api_version)


def parse_models(doc: Any, where: str, extra: Mapping[str, Mapping[str, Any]] | None = None,
                 ) -> tuple[str, list[dict[str, Any]]]:
    """``(api_version, [ModelSpec fields per model])`` from a loaded ``models.yaml``, validated;
    a field ``extra`` gives a model in Python may be missing from the file."""
    if not isinstance(doc, dict):
        raise ZooSpecError(f"{where}: expected a mapping with api_version and models")
    unknown = sorted(set(doc) - {"api_version", "common", "models"})
    if unknown:
        raise ZooSpecError(f"{where}: unknown top-level keys {unknown} (expected api_version, common, models)")
    api_version = doc.get("api_version")
    if not isinstance(api_version, str):
        raise ZooSpecError(f"{where}: api_version must be a quoted string such as \"1.4\", got {api_version!r}")
    models = doc.get("models")
    if not isinstance(models, list) or not models:
        raise ZooSpecError(f"{where}: models must be a non-empty list")
    common = doc.get("common") or {}
    return api_version, [_model_fields({**common, **model} if isinstance(model, dict) else model, where, i, extra or {})
                         for i, model in enumerate(models)]


def _model_fields(model: Any, where: str, index: int, extra: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    label = f"model {model.get('name', f'#{index + 1}')!r}" if isinstance(model, dict) else f"model #{index + 1}"
    if not isinstance(model, dict):
        raise ZooSpecError(f"{where}: {label} must be a mapping of fields")
    missing = [key for key in REQUIRED if key not in model and key not in extra.get(model.get("name"), {})]
    unknown = sorted(set(model) - set(REQUIRED) - set(OPTIONAL))
    if missing or unknown:
        raise ZooSpecError(f"{where}: {label}: " + "; ".join(
            ([f"missing {missing}"] if missing else []) + ([f"unknown keys {unknown}"] if unknown else [])))
    fields = dict(model)
    if "capabilities" in model:
        fields["capabilities"] = _capabilities(model["capabilities"], where, label)
    if "defaults" in model:
        fields["defaults"] = _defaults(model["defaults"], where, label)
    if "hyperparameters" in model:
        fields["hyperparameters"] = _hyperparameters(model["hyperparameters"], where, label)
    return fields


def _capabilities(caps: Any, where: str, label: str) -> Capabilities:
    if not isinstance(caps, dict):
        raise ZooSpecError(f"{where}: {label}: capabilities must be a mapping of Capabilities fields")
    unknown = sorted(set(caps) - _CAPABILITIES)
    if unknown:
        raise ZooSpecError(f"{where}: {label}: unknown capabilities {unknown}")
    if "data_kinds" in caps:
        caps = {**caps, "data_kinds": tuple(caps["data_kinds"])}
    return Capabilities(**caps)


def _defaults(defaults: Any, where: str, label: str) -> dict[str, Any]:
    if not isinstance(defaults, dict):
        raise ZooSpecError(f"{where}: {label}: defaults must be a mapping")
    for key, value in defaults.items():
        if isinstance(value, str) and _looks_numeric(value):
            # YAML 1.1 reads 2e-4 as the string "2e-4"; a numeric default must be written 2.0e-4
            raise ZooSpecError(f"{where}: {label}: default {key}: {value!r} is read as text; write the "
                               "number with a dot and a signed exponent (2.0e-4, not 2e-4)")
    return dict(defaults)


def _hyperparameters(hparams: Any, where: str, label: str) -> Mapping[str, str]:
    if hparams == BASE_HYPERPARAMETERS:
        from .base import HYPERPARAMETERS  # torch-heavy; only the shared base's models ask for it

        return HYPERPARAMETERS
    if not isinstance(hparams, dict) or not all(isinstance(v, str) for v in hparams.values()):
        raise ZooSpecError(f"{where}: {label}: hyperparameters must be {BASE_HYPERPARAMETERS!r} or a mapping "
                           "of name to description")
    return hparams


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in {"inf", "-inf", "+inf", "nan", "infinity", "-infinity"}
