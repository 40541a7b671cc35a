"""Plugin discovery: one pluggy PluginManager, entry points of group ``ganbench``.

Discovery is defensive on purpose: a third-party plugin that fails to import or whose hook raises
is recorded as *broken* with its error, and every other plugin keeps working.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import logging
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

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
    "ganbench.data.image_folder",
    "ganbench.data.torchvision_sets",
    "ganbench.metrics.stacked_modes",
    "ganbench.metrics.fidelity",
    "ganbench.data.translation",
    "ganbench.metrics.translation",
    "ganbench.metrics.latent_codes",
    "ganbench.metrics.encoding",
    "ganbench.data.sequences",
    "ganbench.metrics.sequences",
    "ganbench.data.mixture_1d",
    "ganbench.metrics.gaussian_fit",
    "ganbench.data.domain_pairs",
    "ganbench.metrics.pixel_agreement",
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
            except (Exception, SystemExit) as exc:  # a third-party plugin may fail in any way, sys.exit() included
                info.error = _describe(exc)
                log.debug("plugin %s failed to load:\n%s", ep.name, traceback.format_exc())


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"SystemExit({exc.code!r}) (the plugin called sys.exit)"
    return f"{type(exc).__name__}: {exc}"


def _mark_broken(owner: PluginInfo, problems: list[str], message: str) -> None:
    """Record ``message`` against ``owner``: its first problem becomes its error (``ganbench plugins``)."""
    owner.error = owner.error or message
    problems.append(f"plugin {owner.name!r}: {message}")


def _call(hook_impl: Any, owner: PluginInfo, problems: list[str], spec_type: type) -> list[Any]:
    """Call one plugin's hook and return the specs of ``spec_type`` it returned.

    Anything else -- a raise (``SystemExit`` too), one spec instead of a list, an int, a string,
    an element of another type -- marks that plugin broken with a message naming it and the hook;
    the other plugins are unaffected. Well-typed elements of a partly wrong list are kept.
    """
    hook = hook_impl.function.__name__
    try:
        result = hook_impl.function()
    except (Exception, SystemExit) as exc:
        _mark_broken(owner, problems, f"{hook} raised {_describe(exc)}")
        return []
    if result is None:
        return []
    if not isinstance(result, (list, tuple)):
        one = " (one spec: wrap it in a list)" if isinstance(result, spec_type) else ""
        _mark_broken(owner, problems, f"{hook} returned {type(result).__name__} {_short(result)}, "
                                      f"not a list of {spec_type.__name__}{one}")
        return []
    specs = []
    for item in result:
        if isinstance(item, spec_type):
            specs.append(item)
        else:
            _mark_broken(owner, problems, f"{hook} returned a {type(item).__name__} {_short(item)} "
                                          f"in its list, not a {spec_type.__name__}")
    return specs


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _api_refusal(kind: str, spec: Any, owner: PluginInfo) -> str | None:
    """The message refusing ``spec`` when it targets another major plugin API or a newer minor one,
    else None."""
    if api_compatible(spec.api_version):
        return None
    if str(spec.api_version).split(".")[0] == API_VERSION.split(".")[0]:  # a newer minor version
        return (
            f"{kind} {spec.name!r} targets plugin API {spec.api_version}, "
            f"ganbench {_core_version()} provides {API_VERSION}: upgrade ganbench to one that provides "
            f"API {spec.api_version} (the plugin may use what {API_VERSION} lacks)"
        )
    return (
        f"{kind} {spec.name!r} targets plugin API {spec.api_version}, "
        f"ganbench {_core_version()} provides {API_VERSION}: install a release of "
        f"{owner.distribution or owner.name} written for API {API_VERSION.split('.')[0]}.x, "
        f"or a ganbench that provides API {str(spec.api_version).split('.')[0]}.x"
    )


def _collect(pm: pluggy.PluginManager, hook: str, spec_type: type, by_name: dict[str, PluginInfo],
             problems: list[str]) -> tuple[dict[str, Any], dict[str, PluginInfo]]:
    """Every valid spec one hook returned, by name, with its owner; clashes and refusals recorded."""
    specs: dict[str, Any] = {}
    owners: dict[str, PluginInfo] = {}
    kind = spec_type.__name__.removesuffix("Spec").lower()
    # Call every implementation separately so that one bad hook only breaks its own plugin.
    for impl in getattr(pm.hook, hook).get_hookimpls():
        owner = by_name.get(impl.plugin_name) or PluginInfo(impl.plugin_name, "?", None, None)
        for spec in _call(impl, owner, problems, spec_type):
            refusal = _api_refusal(kind, spec, owner)
            if refusal:
                _mark_broken(owner, problems, refusal)
                continue
            if spec.name in specs:
                _mark_broken(owner, problems,
                             f"{kind} name {spec.name!r} clashes with plugin {owners[spec.name].name!r}; "
                             "keeping the first")
                continue
            specs[spec.name] = spec
            owners[spec.name] = owner
    return specs, owners


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
    models, owners = _collect(pm, "ganbench_models", ModelSpec, by_name, problems)
    for name, owner in owners.items():
        owner.models.append(name)
    datasets, _ = _collect(pm, "ganbench_datasets", DatasetSpec, by_name, problems)
    metrics, _ = _collect(pm, "ganbench_metrics", MetricSpec, by_name, problems)
    return Registry(infos, models, datasets, metrics, owners, problems, extra_modules)


def _core_version() -> str:
    from ganbench import __version__

    return __version__
