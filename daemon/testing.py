"""Test support for the daemon and for plugin authors: configs pointed at the emulators.

Used by the pytest fixtures in :mod:`syncro_xero.emulators.pytest_plugin` and by ``demo``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from .config import Config, load_config


def toml_key(key: str) -> str:
    return key if key and all(c.isalnum() or c in "-_" for c in key) else toml_value(key)


def toml_value(value: Any) -> str:
    """A Python value as TOML (the subset configs need)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {type(value).__name__}")


def to_toml(sections: Mapping[str, Mapping[str, Any]]) -> str:
    """``{"syncro": {...}, "plugins.contacts": {...}}`` as a TOML document."""
    lines: list[str] = []
    for name, table in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{toml_key(key)} = {toml_value(value)}" for key, value in table.items()]
        lines.append("")
    return "\n".join(lines)


def tax_settings_for(syncro_store: Any) -> dict[str, Any]:
    """``[plugins.tax]`` for the Syncro emulator's tax table: every rate a Xero tax group.

    A real account writes this by hand (Syncro's API exposes no tax rates); the emulator knows its
    own table, so demo and tests can derive it.
    """
    groups = {
        str(rate.id): {
            "name": rate.name[:50],
            "components": [{"name": name[:50], "rate": str(percent)} for name, percent in rate.components],
        }
        for rate in syncro_store.tax_rates.values()
    }
    settings: dict[str, Any] = {"groups": groups, "create_groups": True}
    if syncro_store.account.default_tax_rate_id is not None:
        settings["syncro_default_rate_id"] = str(syncro_store.account.default_tax_rate_id)
    return settings


def emulator_config(
    directory: Path,
    *,
    syncro_url: str,
    xero_url: str,
    syncro_api_key: str = "test-syncro-key",
    xero_client_id: str = "test-client-id",
    xero_client_secret: str = "test-client-secret",
    plugins: Mapping[str, Mapping[str, Any]] | None = None,
    sections: Mapping[str, Mapping[str, Any]] | None = None,
) -> Config:
    """Write and load a config.toml that points the daemon at running emulators."""
    tables: dict[str, dict[str, Any]] = {
        "syncro": {"base_url": f"{syncro_url}/api/v1", "api_key": syncro_api_key},
        "xero": {
            "grant": "client_credentials",
            "client_id": xero_client_id,
            "client_secret": xero_client_secret,
            "base_url": xero_url,
            "identity_url": xero_url,
        },
        "state": {"path": str(directory / "state.db")},
    }
    for name, table in (sections or {}).items():
        tables.setdefault(name, {}).update(table)
    for name, settings in (plugins if plugins is not None else {"contacts": {}}).items():
        tables[f"plugins.{name}"] = {"enabled": True, **settings}
    path = directory / "config.toml"
    path.write_text(to_toml(tables))
    path.chmod(0o600)
    return load_config(path, environ={})
