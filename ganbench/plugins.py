"""Plugin discovery: one pluggy PluginManager, entry points of group ``ganbench``.

Discovery is defensive on purpose: a third-party plugin that fails to import or whose hook raises
is recorded as *broken* with its error, and every other plugin keeps working.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import logging
import traceback
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Iterable

import pluggy

from ganbench import hookspecs
from ganbench.api import API_VERSION, DatasetSpec, MetricSpec, ModelSpec, api_compatible

log = logging.getLogger(__name__)

GROUP = "ganbench"

# The core's own providers, registered like any plugin.
BUILTIN_MODULES = (
    "ganbench.data.gaussians",
    "ganbench.metrics.modes",
    "ganbench.data.mnist",
    "ganbench.data.stacked_mnist",
    "ganbench.data.cifar",
    "ganbench.metrics.stacked_modes",
    "ganbench.metrics.fidelity",
)


class UnknownModelError(LookupError):
    pass


class UnknownDatasetError(LookupError):
    pass


@dataclass
class PluginInfo:
    """One registered plugin module (or one that failed to load)."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    error: str | None = None
    models: list[str] = field(default_factory=list)

    @property
    def broken(self) -> bool:
        return self.error is not None


@dataclass
class Registry:
    """Everything the plugins provide, resolved once."""

    plugins: list[PluginInfo]
    models: dict[str, ModelSpec]
    datasets: dict[str, DatasetSpec]
    metrics: dict[str, MetricSpec]
    model_owner: dict[str, PluginInfo]
    problems: list[str]
    extra_modules: list[str] = field(default_factory=list)
    """Importable names of the ``extra_plugins`` modules, so worker processes can rebuild this registry."""

    def model(self, name: str) -> ModelSpec:
        try:
            return self.models[name]
        except KeyError:
            raise UnknownModelError(
                f"unknown model {name!r}; available: {', '.join(sorted(self.models)) or 'none'}"
                + _broken_hint(self.plugins)
            ) from None

    def dataset(self, name: str) -> DatasetSpec:
        try:
            return self.datasets[name]
        except KeyError:
            raise UnknownDatasetError(
                f"unknown dataset {name!r}; available: {', '.join(sorted(self.datasets)) or 'none'}"
            ) from None


def _broken_hint(plugins: Iterable[PluginInfo]) -> str:
    broken = [p.name for p in plugins if p.broken]
    return f" (broken plugins: {', '.join(broken)}; see `ganbench plugins`)" if broken else ""


def make_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def _load_entry_points(pm: pluggy.PluginManager, infos: list[PluginInfo]) -> None:
    """Like ``pm.load_setuptools_entrypoints(GROUP)`` but one broken plugin cannot stop the rest.

    pluggy's loader raises on the first import error; we iterate the same entry points ourselves
    and record failures per plugin.
    """
    seen: set[str] = set()
    for dist in md.distributions():
        for ep in dist.entry_points:
            if ep.group != GROUP or ep.name in seen:
                continue
            seen.add(ep.name)
            dist_name = dist.metadata["name"]
            info = PluginInfo(ep.name, ep.value, dist_name, dist.version)
            infos.append(info)
            if pm.get_plugin(ep.name) or pm.is_blocked(ep.name):
                continue
            try:
                plugin = ep.load()
                pm.register(plugin, name=ep.name)
            except Exception as exc:  # a third-party plugin may fail in any way
                info.error = f"{type(exc).__name__}: {exc}"
                log.debug("plugin %s failed to load:\n%s", ep.name, traceback.format_exc())


def _call(hook_impl: Any, owner: PluginInfo, problems: list[str]) -> list[Any]:
    try:
        result = hook_impl.function()
    except Exception as exc:
        owner.error = owner.error or f"{type(exc).__name__}: {exc}"
        problems.append(f"plugin {owner.name!r}: {hook_impl.function.__name__} raised {owner.error}")
        return []
    if result is None:
        return []
    return list(result)


def load_registry(extra_plugins: Iterable[ModuleType | object | str] = ()) -> Registry:
    """Discover plugins and collect their models, datasets and metrics.

    ``extra_plugins`` are registered in addition (tests use this; users publish entry points):
    modules, plugin objects, or module names (imported here; worker processes of ``--isolate`` and
    Ray rebuild the registry from those names).
    """
    pm = make_manager()
    infos: list[PluginInfo] = []
    for modname in BUILTIN_MODULES:
        mod = __import__(modname, fromlist=["_"])
        pm.register(mod, name=modname)
        infos.append(PluginInfo(modname, modname, "ganbench", _core_version()))
    _load_entry_points(pm, infos)
    extra_modules: list[str] = []
    for i, extra in enumerate(extra_plugins):
        if isinstance(extra, str):
            extra = importlib.import_module(extra)
        if isinstance(extra, ModuleType):
            extra_modules.append(extra.__name__)
        name = getattr(extra, "__name__", f"extra-{i}")
        pm.register(extra, name=name)
        infos.append(PluginInfo(name, name, None, None))

    by_name = {i.name: i for i in infos}
    problems: list[str] = []
    models: dict[str, ModelSpec] = {}
    owners: dict[str, PluginInfo] = {}
    datasets: dict[str, DatasetSpec] = {}
    metrics: dict[str, MetricSpec] = {}

    # Call every implementation separately so that one raising hook only breaks its own plugin.
    for impl in pm.hook.ganbench_models.get_hookimpls():
        owner = by_name.get(impl.plugin_name) or PluginInfo(impl.plugin_name, "?", None, None)
        for spec in _call(impl, owner, problems):
            if not isinstance(spec, ModelSpec):
                problems.append(f"plugin {owner.name!r} returned {type(spec).__name__}, not ModelSpec")
                continue
            if not api_compatible(spec.api_version):
                msg = (
                    f"model {spec.name!r} targets plugin API {spec.api_version}, "
                    f"ganbench {_core_version()} provides {API_VERSION}: install a release of "
                    f"{owner.distribution or owner.name} written for API {API_VERSION.split('.')[0]}.x, "
                    f"or a ganbench that provides API {str(spec.api_version).split('.')[0]}.x"
                )
                owner.error = owner.error or msg
                problems.append(f"plugin {owner.name!r}: {msg}")
                continue
            if spec.name in models:
                problems.append(
                    f"model name {spec.name!r} from plugin {owner.name!r} clashes with plugin "
                    f"{owners[spec.name].name!r}; keeping the first"
                )
                continue
            models[spec.name] = spec
            owners[spec.name] = owner
            owner.models.append(spec.name)
    for impl in pm.hook.ganbench_datasets.get_hookimpls():
        owner = by_name.get(impl.plugin_name) or PluginInfo(impl.plugin_name, "?", None, None)
        for spec in _call(impl, owner, problems):
            datasets.setdefault(spec.name, spec)
    for impl in pm.hook.ganbench_metrics.get_hookimpls():
        owner = by_name.get(impl.plugin_name) or PluginInfo(impl.plugin_name, "?", None, None)
        for spec in _call(impl, owner, problems):
            metrics.setdefault(spec.name, spec)
    return Registry(infos, models, datasets, metrics, owners, problems, extra_modules)


def _core_version() -> str:
    from ganbench import __version__

    return __version__
