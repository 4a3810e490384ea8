"""Finding, loading and ordering plugins.

The order of things, each step isolated per plugin:

1. every entry point of group ``syncro_xero.plugins`` is listed; a plugin whose ``[plugins.NAME]``
   table is missing or says ``enabled = false`` is never imported;
2. each enabled plugin is imported and registered inside its own ``try``; one that fails is
   reported by name (``syncro-xero plugins``, ``status``, the log) and the rest go on;
3. ``check_pending`` catches hooks no spec knows; each plugin's ``syncro_xero_feature`` is called;
4. each feature's settings are validated against its model and its dependencies checked: these
   are config problems (exit 78), reported all at once with the other config problems;
5. features are put in dependency order (contacts before invoices, invoices before payments).

Built-in features are entry points of this distribution, loaded exactly like third-party ones.
``SYNCRO_XERO_TRACE_PLUGINS=1`` prints every hook call to stderr.
"""

from __future__ import annotations

import logging
import os
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping

import pluggy
from pydantic import BaseModel

from . import hookspecs
from .config import (
    Config,
    ConfigError,
    PluginSection,
    load_config,
    validate_plugin_settings,
)
from .api.feature import Feature
from .api.resources import SyncroResource
from .syncro import core_resources

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "syncro_xero.plugins"
CORE_PLUGIN = "syncro_xero.core"


@dataclass
class PluginInfo:
    """What ``syncro-xero plugins`` shows about one plugin."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    enabled: bool
    loaded: bool = False
    error: str | None = None
    hooks: list[str] = field(default_factory=list)
    description: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class Plugins:
    """The loaded plugins, their features in run order, and the Syncro resources they poll."""

    manager: pluggy.PluginManager
    info: dict[str, PluginInfo]
    features: list[Feature]
    settings: dict[str, BaseModel | None]
    resources: dict[str, SyncroResource]

    def feature(self, name: str) -> Feature:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    @property
    def failed(self) -> list[PluginInfo]:
        return [p for p in self.info.values() if p.enabled and not p.loaded]


def check_config(path: Path, environ: Mapping[str, str] | None = None, *, secrets: bool = True) -> Config:
    """Load and validate ``path`` and every enabled plugin's settings: all problems in one error
    (``secrets=False``: API secrets may be missing, see :func:`load_config`)."""
    try:
        config = load_config(path, environ, secrets=secrets)
    except ConfigError as error:
        sections = _raw_plugin_sections(path)
        if sections is None:
            raise
        try:
            _load(sections, [], ())
        except ConfigError as plugin_error:
            raise ConfigError(error.problems + plugin_error.problems, error.path) from None
        raise
    load_plugins(config)
    return config


def _raw_plugin_sections(path: Path) -> dict[str, PluginSection] | None:
    """The ``[plugins.*]`` tables of a config that failed validation elsewhere, if they parse."""
    try:
        with open(path, "rb") as file:
            raw = tomllib.load(file).get("plugins", {})
        return {
            name: PluginSection(enabled=table.get("enabled", True), settings={k: v for k, v in table.items() if k != "enabled"})
            for name, table in raw.items()
            if isinstance(table, dict) and isinstance(table.get("enabled", True), bool)
        }
    except (OSError, tomllib.TOMLDecodeError, AttributeError, ValueError):
        return None


def load_plugins(config: Config, extra: Iterable[tuple[str, object]] = ()) -> Plugins:
    """Load what ``config`` enables; raise :class:`ConfigError` for settings and dependency problems.

    ``extra`` registers (name, plugin object) pairs directly, as tests and embedders do; they are
    enabled by their presence.
    """
    return _load(config.plugins, config.required_plugins, extra)


def _load(
    sections: Mapping[str, PluginSection], required: list[str], extra: Iterable[tuple[str, object]]
) -> Plugins:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    if os.environ.get("SYNCRO_XERO_TRACE_PLUGINS"):
        manager.trace.root.setwriter(sys.stderr.write)
        manager.enable_tracing()
    manager.register(core_resources, name=CORE_PLUGIN)

    info: dict[str, PluginInfo] = {}
    problems: list[str] = []
    for entry_point in _entry_points():
        name = entry_point.name
        if name in info:
            problems.append(
                f"plugins.{name}: two installed plugins share this name ({info[name].module}, {entry_point.value})"
            )
            continue
        dist = entry_point.dist
        section = sections.get(name)
        info[name] = PluginInfo(
            name=name,
            module=entry_point.value,
            distribution=dist.name if dist else None,
            version=dist.version if dist else None,
            enabled=bool(section and section.enabled),
        )
        if info[name].enabled:
            _register(manager, info[name], entry_point.load)
    for name, plugin in extra:  # given directly: it takes the place of an installed plugin of that name
        if manager.get_plugin(name) is not None:
            manager.unregister(name=name)
        info[name] = PluginInfo(name=name, module=repr(plugin), distribution=None, version=None, enabled=True)
        _register(manager, info[name], lambda plugin=plugin: plugin)

    problems += [
        f"plugins.{name}: no installed plugin has this name (installed: {', '.join(sorted(info)) or 'none'})"
        for name in sections
        if name not in info
    ]
    problems += _missing_required(required)
    _check_pending(manager, info)

    features: dict[str, Feature] = {}
    settings: dict[str, BaseModel | None] = {}
    for plugin in info.values():
        if not plugin.loaded:
            continue
        feature = _call_feature_hook(manager, plugin)
        if feature is None:
            continue
        features[plugin.name] = feature
        section = sections.get(plugin.name)
        raw = dict(section.settings) if section else {}
        settings[plugin.name], settings_problems = validate_plugin_settings(plugin.name, feature.Settings, raw)
        problems += settings_problems
    problems += _dependency_problems(features)
    resources = _collect_resources(manager, problems)
    problems += [
        f"plugins.{f.name}: polls Syncro resource '{r}', which no plugin registers"
        for f in features.values()
        for r in f.syncro_resources
        if r not in resources
    ]
    if problems:
        raise ConfigError(problems)
    return Plugins(manager, info, _in_dependency_order(features), settings, resources)


def _entry_points() -> list[metadata.EntryPoint]:
    return sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def _register(manager: pluggy.PluginManager, plugin: PluginInfo, load: Any) -> None:
    try:
        manager.register(load(), name=plugin.name)
    except Exception as exc:  # a broken plugin must not take the others down
        plugin.error = f"failed to load: {type(exc).__name__}: {exc}"
        log.error("plugin %s %s", plugin.name, plugin.error)
        return
    plugin.loaded = True
    plugin.hooks = sorted(
        caller.name for caller in manager.get_hookcallers(manager.get_plugin(plugin.name)) or []
    )


def _check_pending(manager: pluggy.PluginManager, info: dict[str, PluginInfo]) -> None:
    """Unregister a plugin that implements a hook no spec declares (a typo or a newer API)."""
    for plugin in info.values():
        if not plugin.loaded:
            continue
        obj = manager.get_plugin(plugin.name)
        unknown = [
            name
            for name in dir(obj)
            if name.startswith("syncro_xero_") and manager.parse_hookimpl_opts(obj, name) is not None
            and not hasattr(hookspecs, name)
        ]
        if unknown:
            manager.unregister(name=plugin.name)
            plugin.loaded = False
            plugin.error = f"implements unknown hooks: {', '.join(unknown)}"
            log.error("plugin %s %s", plugin.name, plugin.error)


def _call_feature_hook(manager: pluggy.PluginManager, plugin: PluginInfo) -> Feature | None:
    impls = [i for i in manager.hook.syncro_xero_feature.get_hookimpls() if i.plugin_name == plugin.name]
    if not impls:
        return None
    try:
        feature = impls[0].function()
        if not isinstance(feature, Feature):
            raise TypeError(f"syncro_xero_feature returned {type(feature).__name__}, not a Feature")
        if feature.name != plugin.name:
            raise ValueError(f"feature is named {feature.name!r}; it must equal the entry-point name")
    except Exception as exc:
        plugin.loaded = False
        plugin.error = f"feature hook failed: {type(exc).__name__}: {exc}"
        log.error("plugin %s %s", plugin.name, plugin.error)
        return None
    plugin.description = feature.description
    return feature


def _dependency_problems(features: dict[str, Feature]) -> list[str]:
    return [
        f"plugins.{f.name}: needs plugin '{dep}' enabled ([plugins.{dep}] enabled = true)"
        for f in features.values()
        for dep in f.depends_on
        if dep not in features
    ]


def _collect_resources(manager: pluggy.PluginManager, problems: list[str]) -> dict[str, SyncroResource]:
    resources: dict[str, SyncroResource] = {}
    owners: dict[str, str] = {}
    for impl in manager.hook.syncro_xero_resources.get_hookimpls():
        try:
            offered = list(impl.function())
        except Exception as exc:
            log.error("plugin %s: syncro_xero_resources failed: %s", impl.plugin_name, exc)
            continue
        for resource in offered:
            if resource.name in resources:
                problems.append(
                    f"Syncro resource '{resource.name}' registered twice ({owners[resource.name]}, {impl.plugin_name})"
                )
                continue
            resources[resource.name] = resource
            owners[resource.name] = impl.plugin_name
    return resources


def _in_dependency_order(features: dict[str, Feature]) -> list[Feature]:
    """Dependencies (and ``runs_after`` features that are enabled) first; otherwise by name, so the
    order is stable. Cycles are config problems."""
    ordered: list[Feature] = []
    visiting: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if any(f.name == name for f in ordered):
            return
        if name in visiting:
            raise ConfigError([f"plugins.{name}: dependency cycle {' -> '.join(path + (name,))}"])
        visiting.add(name)
        feature = features[name]
        for dep in sorted(feature.depends_on) + sorted(d for d in feature.runs_after if d in features):
            visit(dep, path + (name,))
        visiting.discard(name)
        ordered.append(features[name])

    for name in sorted(features):
        visit(name, ())
    return ordered


def _missing_required(requirements: list[str]) -> list[str]:
    """``required_plugins = ["syncro-xero-foo>=1.2"]``, checked like pytest's ``required_plugins``."""
    from packaging.requirements import InvalidRequirement, Requirement

    problems = []
    for index, text in enumerate(requirements):
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            problems.append(f"required_plugins[{index}]: {exc}")
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            problems.append(f"required_plugins[{index}]: {requirement.name} is not installed")
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"required_plugins[{index}]: {requirement.name} {version} does not satisfy '{text}'")
    return problems
