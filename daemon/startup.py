"""Why a command could not start: one clear message at journald priority err, then exit 78."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from .config import EX_CONFIG
from .logs import for_stderr

ERR = 3  # syslog priority of an error


def exit_unusable(message: str) -> NoReturn:
    """Print ``message`` (a config or state problem, naming its key) to stderr and exit 78."""
    click.echo(for_stderr(message, ERR), err=True)
    sys.exit(EX_CONFIG)
