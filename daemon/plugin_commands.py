"""Plugins' CLI commands take ``--config`` like the built-in ones.

A command a plugin adds through ``syncro_xero_register_commands`` gets a ``--config`` option
(unless it declares its own); the config is validated as for every built-in command (exit 78 on a
problem) and handed to the command's ``config`` parameter when it has one.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Any, Callable

import click

from .config import Config


def take_config_option(command: click.Command, default: Path, load: Callable[[Path], Config]) -> None:
    """Give ``command`` a ``--config`` option whose file ``load`` validates before it runs."""
    if command.callback is None or any("--config" in getattr(p, "opts", ()) for p in command.params):
        return
    callback = command.callback
    wants_config = "config" in inspect.signature(callback).parameters
    command.params.append(click.Option(
        ["--config", "config_path"], type=click.Path(path_type=Path), default=default, show_default=True,
        help="config.toml ($SYNCRO_XERO_CONFIG).",
    ))

    @functools.wraps(callback)
    def with_config(*args: Any, config_path: Path, **kwargs: Any) -> Any:
        config = load(config_path)
        return callback(*args, **({**kwargs, "config": config} if wants_config else kwargs))

    command.callback = with_config
