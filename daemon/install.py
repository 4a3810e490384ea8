"""``syncro-xero init``: the files a server needs, from the installed package.

The wheel carries the commented example config and the systemd unit (``syncro_xero/examples``);
``init`` writes them where they go: ``DIR/config.toml`` (no secrets in it, so readable by the
service's dynamic user), ``DIR/credentials/`` (0700, for the secrets), and the unit, whose
``ExecStart`` names the ``syncro-xero`` this install put on disk and ``DIR/config.toml``.
"""

from __future__ import annotations

import os
import shutil
import sys
from importlib import resources
from pathlib import Path

UNIT_NAME = "syncro-xero.service"
SHIPPED_EXEC_START = "ExecStart=/usr/local/bin/syncro-xero run --config /etc/syncro-xero/config.toml"


def example(name: str) -> str:
    """A file shipped in ``syncro_xero/examples`` (``config.toml``, ``syncro-xero.service``)."""
    return resources.files("syncro_xero").joinpath("examples", name).read_text(encoding="utf-8")


def installed_command() -> str:
    """The absolute path of the running ``syncro-xero`` command (a pipx link stays a link)."""
    found = shutil.which(sys.argv[0]) or shutil.which("syncro-xero")
    if found is None:
        raise FileNotFoundError("cannot tell where the syncro-xero command is installed")
    return os.path.abspath(found)


def unit_text(command: str, config: Path) -> str:
    """The shipped unit with ``ExecStart`` naming ``command`` and ``config``."""
    text = example(UNIT_NAME)
    if SHIPPED_EXEC_START not in text:
        raise ValueError(f"the shipped unit has no line {SHIPPED_EXEC_START!r}")
    return text.replace(SHIPPED_EXEC_START, f"ExecStart={command} run --config {config}")


def write_install_files(config_dir: Path, unit_dir: Path, command: str, force: bool = False) -> list[Path]:
    """Write the config, the credentials directory and the unit; existing files are kept unless
    ``force``. Returns the paths written."""
    config_dir = config_dir.absolute()
    config, credentials, unit = config_dir / "config.toml", config_dir / "credentials", unit_dir / UNIT_NAME
    existing = [p for p in (config, unit) if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{', '.join(map(str, existing))} already exist(s); --force overwrites")
    if not config_dir.exists():
        config_dir.mkdir(parents=True)
        config_dir.chmod(0o755)  # the service's dynamic user reads config.toml through it
    credentials.mkdir(mode=0o700, exist_ok=True)
    credentials.chmod(0o700)
    unit_dir.mkdir(parents=True, exist_ok=True)
    _write(config, example("config.toml"), 0o644)
    _write(unit, unit_text(command, config), 0o644)
    return [config, credentials, unit]


def _write(path: Path, text: str, mode: int) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
