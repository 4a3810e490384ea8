"""The hooks a plugin may implement. Built-in features use exactly these.

pluggy calls hooks synchronously and stops at the first exception, so hooks only *register*
things; the core *runs* them. A feature plugin hands the core a :class:`~syncro_xero.Feature`
whose async methods the core awaits, one record at a time, each in isolation.

The reference for authors, with an example per hook, is ``docs/plugin-hooks.md``; a test fails
when a hook here is missing there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from .api.feature import Feature
    from .api.resources import SyncroResource

PROJECT = "syncro_xero"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(firstresult=True)
def syncro_xero_feature() -> "Feature":
    """Return the sync feature this plugin provides.

    Called once per plugin when the daemon starts (and again on a reload), after the plugin's
    ``[plugins.NAME]`` table says ``enabled = true``. The feature's ``name`` must equal the plugin's
    entry-point name, which is also its config table name.

    Not async: return the object; the core awaits its methods.
    firstresult: each plugin is asked on its own, so one plugin's answer never hides another's.
    """


@hookspec
def syncro_xero_resources() -> "list[SyncroResource]":
    """Return Syncro resources this plugin teaches the core to poll.

    A resource names its list path, envelope keys, how to find its changes at the lowest cost (a
    polling strategy) and whether records need a detail fetch. Features then list the resource's
    name in ``syncro_resources``. The core's own resources (customers, invoices, payments, ...) are
    registered through this hook too.

    Called once at start-up. Not async. All results are combined; a name registered twice is an
    error reported with both plugin names.
    """


@hookspec
def syncro_xero_register_commands(cli: "click.Group") -> None:
    """Add subcommands to the ``syncro-xero`` command line.

    Called once when the CLI starts, for every enabled plugin, with the top-level ``click`` group;
    add commands with ``@cli.command()``. Each gets ``--config`` like the built-in commands; the
    validated config is passed to a parameter named ``config``, if the command has one. Commands
    run outside the sync loop: open your own state with :func:`syncro_xero.engine.open_engine`
    when you need it.
    """
