"""Plugin discovery: one pluggy PluginManager, entry points of group ``ganbench``.

Discovery is defensive on purpose: a third-party plugin that fails to import or whose hook raises
is recorded as *broken* with its error, and every other plugin keeps working.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata as md
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from ganbench.contract import API_VERSION, DatasetSpec, MetricSpec, ModelSpec, SinkSpec, api_compatible, api_newer, hookspecs

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
    "ganbench.record.tensorboard_sink",
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
    first_party: bool = False
    """ganbench itself or a distribution in the reserved ``ganbench-zoo-`` namespace."""
    location: str | None = None
    """Where the plugin's code was imported from (its top-level package or module)."""

    @property
    def broken(self) -> bool:
        return self.error is not None

    def describe(self) -> str:
        """``ganbench-zoo-gan 0.1.0 (first-party)``: how a clash message names a provider."""
        who = f"{self.distribution} {self.version or ''}".strip() if self.distribution else f"plugin {self.name!r}"
        return who + (" (first-party)" if self.first_party else "")

    def code_identity(self) -> dict[str, Any]:
        """What identifies the code that ran, recorded with every run: distribution, version,
        first-party or not, where it was imported from and a SHA-256 of its source files."""
        return {"plugin": self.name, "distribution": self.distribution, "version": self.version,
                "first_party": self.first_party, "location": self.location,
                "sha256": source_digest(self.location)}


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
    dataset_owner: dict[str, PluginInfo] = field(default_factory=dict)
    metric_owner: dict[str, PluginInfo] = field(default_factory=dict)
    sinks: dict[str, SinkSpec] = field(default_factory=dict)
    """Tracker sinks (hook ``ganbench_sinks``), enabled by ``ganbench run --sink NAME``."""
    sink_owner: dict[str, PluginInfo] = field(default_factory=dict)
    sink_problems: list[str] = field(default_factory=list)
    """The lines of :attr:`problems` about sink hooks (shown where a ``--sink`` is unknown)."""
    clashes: dict[tuple[str, str], list[PluginInfo]] = field(default_factory=dict)
    """``(kind, name)`` -> every provider of a name two plugins announce (the kept one first).
    A suite that uses such a name is refused (``build_matrix``): which code would run is not the
    user's choice to leave to install order."""

    def clash_message(self, kind: str, name: str) -> str | None:
        """One line naming every provider of ``name``, or None when only one provides it."""
        owners = self.clashes.get((kind, name))
        if not owners:
            return None
        return (f"{kind} {name!r} is provided by {len(owners)} plugins: "
                + "; ".join(f"{o.describe()} from {o.location or '?'}" for o in owners)
                + " -- uninstall all but one (`pip uninstall DIST`), then run again")

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


FIRST_PARTY_PREFIX = "ganbench-zoo-"
"""Distribution names reserved for the ganbench project's own plugins (docs/plugin-guide.md):
third parties publish ``ganbench-contrib-<name>`` (import package ``ganbench_contrib_<name>``), so
the two never share a distribution or an import package name."""
CONTRIB_PREFIX = "ganbench-contrib-"


def normalize_dist(name: str | None) -> str:
    """PEP 503 normalisation: ``Ganbench_Zoo.GAN`` and ``ganbench-zoo-gan`` are one distribution."""
    return re.sub(r"[-_.]+", "-", name or "").lower()


def is_first_party(dist_name: str | None) -> bool:
    n = normalize_dist(dist_name)
    return n == "ganbench" or n.startswith(FIRST_PARTY_PREFIX)


def _location(obj: Any) -> str | None:
    """The top-level package directory (or module file) ``obj`` (a module) was imported from."""
    name = getattr(obj, "__name__", None)
    if not isinstance(name, str):
        return None
    top = sys.modules.get(name.split(".")[0])
    path = getattr(top, "__file__", None) or getattr(obj, "__file__", None)
    if not path:
        return None
    p = Path(path).resolve()
    return str(p.parent if p.name == "__init__.py" else p)


_DIGESTS: dict[str, str | None] = {}


def source_digest(location: str | None) -> str | None:
    """SHA-256 over the relative paths and bytes of every ``.py`` file at ``location`` (a package
    directory or one module): equal digests, the same code. Cached per process."""
    if not location:
        return None
    if location not in _DIGESTS:
        root = Path(location)
        files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
        h = hashlib.sha256()
        try:
            for f in files:
                if "__pycache__" in f.parts:
                    continue
                h.update(str(f.relative_to(root) if root.is_dir() else f.name).encode() + b"\0")
                h.update(f.read_bytes() + b"\0")
            _DIGESTS[location] = h.hexdigest()
        except OSError:
            _DIGESTS[location] = None
    return _DIGESTS[location]


def _entry_points() -> list[tuple[Any, str, Any]]:
    """Every ``ganbench`` entry point as (distribution, its name, entry point), first-party first,
    then by distribution name: which plugin wins a clash never depends on install order."""
    found = []
    seen: set[tuple[str, str, str]] = set()
    for dist in md.distributions():
        dist_name = dist.metadata["name"] or "?"
        for ep in dist.entry_points:
            key = (normalize_dist(dist_name), ep.name, ep.value)
            if ep.group != GROUP or key in seen:
                continue  # the same distribution seen twice on sys.path: the first is what imports
            seen.add(key)
            found.append((dist, dist_name, ep))
    found.sort(key=lambda t: (not is_first_party(t[1]), normalize_dist(t[1]), t[2].name))
    return found


def _shared_import_packages() -> dict[str, list[str]]:
    """Top-level import packages that more than one installed distribution ships: one overwrote
    (or shadows) the other's files, and nobody can tell from the name which code imports."""
    try:
        owners = md.packages_distributions()
    except Exception:  # noqa: BLE001 - a malformed distribution must not stop discovery
        return {}
    return {pkg: sorted(set(d), key=normalize_dist) for pkg, d in owners.items()
            if len({normalize_dist(x) for x in d}) > 1}


def _load_entry_points(pm: pluggy.PluginManager, infos: list[PluginInfo], problems: list[str]) -> None:
    """Like ``pm.load_setuptools_entrypoints(GROUP)`` but one broken plugin cannot stop the rest,
    and no plugin silently replaces another.

    pluggy's loader raises on the first import error; we iterate the same entry points ourselves
    and record failures per plugin. An entry-point name two distributions use, two plugins that
    share an import package, or one module registered twice is one line naming both, never
    pluggy's "Plugin already registered" dump or a silent drop.
    """
    by_ep: dict[str, PluginInfo] = {}
    shared = _shared_import_packages()
    reported: set[str] = set()
    for dist, dist_name, ep in _entry_points():
        info = PluginInfo(ep.name, ep.value, dist_name, dist.version, first_party=is_first_party(dist_name))
        package = ep.value.split(":")[0].split(".")[0]
        if package in shared and package not in reported:
            reported.add(package)
            problems.append(f"import package {package!r} is shipped by {len(shared[package])} distributions "
                            f"({', '.join(shared[package])}): one overwrites or shadows the other's code; "
                            "uninstall all but one")
        prev = by_ep.get(ep.name)
        if prev is not None:
            info.name = f"{ep.name} ({dist_name})"
            info.error = (f"entry point {ep.name!r} of {info.describe()} clashes with the one of {prev.describe()}; "
                          "not loaded -- uninstall one of them")
            problems.append(f"plugin {info.name!r}: {info.error}")
            infos.append(info)
            continue
        by_ep[ep.name] = info
        infos.append(info)
        if pm.get_plugin(ep.name) or pm.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except (Exception, SystemExit) as exc:  # a third-party plugin may fail in any way, sys.exit() included
            info.error = _describe(exc)
            log.debug("plugin %s failed to load:\n%s", ep.name, traceback.format_exc())
            continue
        info.location = _location(plugin)
        other = pm.get_name(plugin)
        if other is not None:  # pluggy would raise "Plugin already registered"
            owner = next((i for i in infos if i.name == other), None)
            info.error = (f"module {ep.value!r} is already registered as plugin {other!r}"
                          f"{' of ' + owner.describe() if owner else ''}: two plugins share one import package; "
                          "not loaded twice -- uninstall one of them")
            problems.append(f"plugin {info.name!r}: {info.error}")
            continue
        try:
            pm.register(plugin, name=ep.name)
        except (Exception, SystemExit) as exc:
            info.error = _describe(exc)


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
    """The one-line message refusing ``spec`` when it targets a newer plugin API than this ganbench
    provides (another major or a later minor: upgrade ganbench) or an older major one, else None.
    A spec that declares no ``api_version`` reads as ``"1.0"`` and loads on every 1.x core."""
    version = str(getattr(spec, "api_version", "1.0"))
    if api_compatible(version):
        return None
    major = version.split(".")[0]
    head = (f"{kind} {spec.name!r} of {owner.describe()} targets plugin API {version}, "
            f"ganbench {_core_version()} provides {API_VERSION}")
    if api_newer(version):
        if major == API_VERSION.split(".")[0]:
            return f"{head}: upgrade ganbench to one that provides API {version} (the plugin may use what {API_VERSION} lacks)"
        return (f"{head}: upgrade ganbench to one that provides API {major}.x, or install a release of "
                f"{owner.distribution or owner.name} written for API {API_VERSION.split('.')[0]}.x")
    return (f"{head}: install a release of {owner.distribution or owner.name} written for API "
            f"{API_VERSION.split('.')[0]}.x, or a ganbench that provides API {major}.x")


def _shape_refusal(kind: str, spec: Any) -> str | None:
    """What makes a well-typed spec unusable before it is ever called (a sink without ``open``)."""
    if isinstance(spec, SinkSpec) and not callable(spec.open):
        return f"sink {spec.name!r} has no callable open"
    return None


def _collect(pm: pluggy.PluginManager, hook: str, spec_type: type, by_name: dict[str, PluginInfo],
             problems: list[str], clashes: dict[tuple[str, str], list[PluginInfo]],
             ) -> tuple[dict[str, Any], dict[str, PluginInfo]]:
    """Every valid spec one hook returned, by name, with its owner; clashes and refusals recorded."""
    specs: dict[str, Any] = {}
    owners: dict[str, PluginInfo] = {}
    kind = spec_type.__name__.removesuffix("Spec").lower()
    # Call every implementation separately so that one bad hook only breaks its own plugin, in
    # registration order: the core, then first-party plugins, then the rest (the first one wins).
    for impl in getattr(pm.hook, hook).get_hookimpls():
        owner = by_name.get(impl.plugin_name) or PluginInfo(impl.plugin_name, "?", None, None)
        for spec in _call(impl, owner, problems, spec_type):
            refusal = _api_refusal(kind, spec, owner) or _shape_refusal(kind, spec)
            if refusal:
                _mark_broken(owner, problems, refusal)
                continue
            if spec.name in specs:
                kept = owners[spec.name]
                clashes.setdefault((kind, spec.name), [kept]).append(owner)
                _mark_broken(owner, problems,
                             f"{kind} name {spec.name!r} clashes with plugin {kept.name!r} ({kept.describe()}); "
                             f"a suite that uses {spec.name!r} is refused until one of them is uninstalled")
                continue
            specs[spec.name] = spec
            owners[spec.name] = owner
    return specs, owners


def load_registry(extra_plugins: Iterable[ModuleType | object | str] = ()) -> Registry:
    """Discover plugins and collect their models, datasets, metrics and sinks.

    ``extra_plugins`` are registered in addition (tests use this; users publish entry points):
    modules, plugin objects, or module names (imported here; worker processes of ``--isolate`` and
    Ray rebuild the registry from those names).
    """
    pm = make_manager()
    infos: list[PluginInfo] = []
    for modname in BUILTIN_MODULES:
        mod = __import__(modname, fromlist=["_"])
        pm.register(mod, name=modname)
        infos.append(PluginInfo(modname, modname, "ganbench", _core_version(), first_party=True,
                                location=_location(mod)))
    problems: list[str] = []
    _load_entry_points(pm, infos, problems)
    extra_modules: list[str] = []
    for i, extra in enumerate(extra_plugins):
        if isinstance(extra, str):
            extra = importlib.import_module(extra)
        if isinstance(extra, ModuleType):
            extra_modules.append(extra.__name__)
        name = getattr(extra, "__name__", f"extra-{i}")
        pm.register(extra, name=name)
        infos.append(PluginInfo(name, name, None, None, location=_location(extra)))

    by_name = {i.name: i for i in infos}
    clashes: dict[tuple[str, str], list[PluginInfo]] = {}
    models, owners = _collect(pm, "ganbench_models", ModelSpec, by_name, problems, clashes)
    for name, owner in owners.items():
        owner.models.append(name)
    datasets, dataset_owner = _collect(pm, "ganbench_datasets", DatasetSpec, by_name, problems, clashes)
    metrics, metric_owner = _collect(pm, "ganbench_metrics", MetricSpec, by_name, problems, clashes)
    sink_problems: list[str] = []
    sinks, sink_owner = _collect(pm, "ganbench_sinks", SinkSpec, by_name, sink_problems, clashes)
    problems.extend(sink_problems)
    return Registry(infos, models, datasets, metrics, owners, problems, extra_modules,
                    dataset_owner=dataset_owner, metric_owner=metric_owner, clashes=clashes,
                    sinks=sinks, sink_owner=sink_owner, sink_problems=sink_problems)


def _core_version() -> str:
    from ganbench import __version__

    return __version__
