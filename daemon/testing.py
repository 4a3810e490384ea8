"""Test support for the daemon and for plugin authors: configs pointed at the emulators.

Used by the pytest fixtures in :mod:`syncro_xero.emulators.pytest_plugin` and by ``demo``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .config import Config, load_config


def toml_value(value: Any) -> str:
    """A Python value as TOML (the subset configs need)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {type(value).__name__}")


def to_toml(sections: Mapping[str, Mapping[str, Any]]) -> str:
    """``{"syncro": {...}, "plugins.contacts": {...}}`` as a TOML document."""
    lines: list[str] = []
    for name, table in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {toml_value(value)}" for key, value in table.items()]
        lines.append("")
    return "\n".join(lines)


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
