"""The shipped unit file keeps the promises STYLE B1 makes and matches config.py."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from syncro_xero.config import EX_CONFIG, SECRETS

UNIT = Path(__file__).parent.parent / "systemd" / "syncro-xero.service"


def unit_settings() -> dict[str, list[str]]:
    """``Section.Key`` → values in order (keys such as LoadCredential= repeat)."""
    settings: dict[str, list[str]] = defaultdict(list)
    section = ""
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings[f"{section}.{key}"].append(value)
    return settings


def test_unit_is_a_notify_service_with_reload_watchdog_and_restart_policy():
    unit = unit_settings()
    assert unit["Service.Type"] == ["notify"]
    assert unit["Service.ExecStart"] == [
        "/usr/local/bin/syncro-xero run --config /etc/syncro-xero/config.toml"
    ]
    assert unit["Service.ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert int(unit["Service.WatchdogSec"][0]) > 0
    assert unit["Service.Restart"] == ["on-failure"]
    assert unit["Service.RestartPreventExitStatus"] == [str(EX_CONFIG)]
    assert unit["Install.WantedBy"] == ["multi-user.target"]


def test_unit_sandboxes_state_config_and_credentials():
    unit = unit_settings()
    assert unit["Service.DynamicUser"] == ["yes"]
    assert unit["Service.StateDirectory"] == ["syncro-xero"]
    assert unit["Service.ConfigurationDirectory"] == ["syncro-xero"]
    assert unit["Service.UMask"] == ["0077"]
    assert unit["Service.CapabilityBoundingSet"] == [""]
    credentials = [value.split(":")[0] for value in unit["Service.LoadCredential"]]
    assert credentials == [spec.credential for spec in SECRETS if spec.required]
    assert not any("token" in value for value in unit["Service.LoadCredential"])
    for hardening in ("ProtectKernelTunables", "ProtectControlGroups", "LockPersonality"):
        assert unit[f"Service.{hardening}"] == ["yes"]
    assert unit["Service.RestrictAddressFamilies"] == ["AF_UNIX AF_INET AF_INET6"]
