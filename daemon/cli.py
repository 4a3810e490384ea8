"""The ``syncro-xero`` command line.

Exit codes: 0 all synced, 1 some records parked or the pass ended early, 2 usage, 78 config error
(before any network call). ``--json`` wherever the output is data.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import webbrowser
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar

import click

from .version import __version__
from .config import Config, ConfigError, load_config
from .engine import Engine, PassReport
from .explain import KINDS, explain_data, print_explain
from .logs import setup_logging
from .plugin_commands import take_config_option
from .plugin_loader import check_config, load_plugins
from .progress import progress_display
from .reports import (
    check_data,
    parked_json,
    print_report,
    print_status,
    report_json,
    status_data,
)
from .startup import exit_unusable
from .state import State, StateError

DEFAULT_CONFIG = Path(os.environ.get("SYNCRO_XERO_CONFIG", "/etc/syncro-xero/config.toml"))
T = TypeVar("T")


def _load(config_path: Path, secrets: bool = True) -> Config:
    """The validated config, or exit 78; ``secrets=False`` for commands that only read the state file."""
    try:
        config = check_config(config_path, secrets=secrets)  # plugin settings too, before any network call
    except ConfigError as error:
        exit_unusable(str(error))
    setup_logging(config.logging.level)
    return config


def _run(coro: Awaitable[T]) -> T:
    try:
        return asyncio.run(coro)  # type: ignore[arg-type]
    except StateError as error:
        exit_unusable(str(error))


async def _with_engine(config: Config, action: Callable[[Engine], Awaitable[T]]) -> T:
    engine = await Engine.open(config)
    try:
        return await action(engine)
    finally:
        await engine.close()


def _emit(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        render(data)


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="config.toml ($SYNCRO_XERO_CONFIG).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print data as JSON.")


@click.group()
@click.version_option(__version__, prog_name="syncro-xero")
def cli() -> None:
    """Keep an MSP's Xero books in step with its Syncro account."""


@cli.command()
@config_option
def run(config_path: Path) -> None:
    """Run as a daemon: a pass every [sync] interval_seconds (SIGTERM stops, SIGHUP reloads)."""
    from .loop import Daemon

    _load(config_path)
    try:
        code = _run(Daemon(config_path).run())
    except Exception:  # logged, so at journald priority crit and with secrets redacted
        logging.getLogger("syncro_xero").critical("stopped by an unexpected error", exc_info=True)
        code = 1
    sys.exit(code)


@cli.command()
@config_option
@click.option("--once", is_flag=True, required=True, help="One pass, then exit.")
@click.option("--dry-run", is_flag=True, help="Print what would be written to Xero; write nothing.")
@click.option("--plugin", "plugins", multiple=True, help="Only these features (repeatable).")
@json_option
def sync(config_path: Path, once: bool, dry_run: bool, plugins: tuple[str, ...], as_json: bool) -> None:
    """One sync pass (``--once``); exit 0 when everything is in sync, 1 when records are parked."""
    config = _load(config_path)
    with progress_display() as progress:
        report = _run(_with_engine(config, lambda e: e.run_pass(dry_run=dry_run, only=plugins or None,
                                                                progress=progress)))
    _emit(report_json(report), as_json, lambda _: print_report(report))
    sys.exit(0 if report.ok else 1)


@cli.command()
@config_option
@click.argument("feature")
@json_option
def backfill(config_path: Path, feature: str, as_json: bool) -> None:
    """Export every record of FEATURE once (existing links are updated, never duplicated)."""
    config = _load(config_path)

    async def go(engine: Engine) -> PassReport:
        if feature not in {f.name for f in engine.plugins.features}:
            raise click.BadParameter(f"'{feature}' is not an enabled feature", param_hint="FEATURE")
        return await engine.backfill(feature, progress)

    with progress_display() as progress:
        report = _run(_with_engine(config, go))
    _emit(report_json(report), as_json, lambda _: print_report(report))
    sys.exit(0 if report.ok else 1)


@cli.command()
@config_option
@json_option
def status(config_path: Path, as_json: bool) -> None:
    """Per plugin: enabled, last pass, counts, parked records. Reads the state file only."""
    config = _load(config_path, secrets=False)
    data = _run(status_data(config))
    _emit(data, as_json, print_status)


@cli.command()
@config_option
@click.option("--plugin", "feature", help="Only this feature's.")
@json_option
def failures(config_path: Path, feature: str | None, as_json: bool) -> None:
    """Parked records, each with the reason and what to do."""
    config = _load(config_path, secrets=False)
    if feature is not None and feature not in load_plugins(config).info:
        raise click.BadParameter(f"no plugin '{feature}' (see `syncro-xero plugins`)", param_hint="--plugin")

    async def go() -> list[dict[str, Any]]:
        state = await State.open(config.state.path)
        try:
            return [parked_json(p) for p in await state.parked.all(feature)]
        finally:
            await state.close()

    data = _run(go())

    def render(rows: list[dict[str, Any]]) -> None:
        if not rows:
            click.echo("No parked records.")
        for row in rows:
            click.echo(f"{row['id']}  (attempts: {row['attempts']}, since {row['first_at']})\n  {row['reason']}")
            if row["detail"]:
                click.echo(f"  Xero said: {row['detail']}")

    _emit(data, as_json, render)


@cli.command()
@config_option
@click.argument("ids", nargs=-1)
@click.option("--all", "retry_all", is_flag=True, help="Retry every parked record.")
@json_option
def retry(config_path: Path, ids: tuple[str, ...], retry_all: bool, as_json: bool) -> None:
    """Retry parked records by ID (see ``failures``), or ``--all``."""
    if not ids and not retry_all:
        raise click.UsageError("give parked record IDs or --all")
    config = _load(config_path, secrets=False)
    unknown = _run(_unknown_parked(config, ids))
    if unknown:
        raise click.BadParameter(f"no parked record {', '.join(unknown)} (see `syncro-xero failures`)", param_hint="ID")
    chosen = None if retry_all else list(ids)
    try:
        config = check_config(config_path)
    except ConfigError as error:  # e.g. the secrets are systemd credentials only the service can read
        _run(_queue_retry(config, chosen))
        click.echo(f"queued for the next pass (this command cannot call the APIs: {error})")
        return
    report = _run(_with_engine(config, lambda e: e.retry(chosen)))
    _emit(report_json(report), as_json, lambda _: print_report(report))
    sys.exit(0 if report.ok else 1)


async def _queue_retry(config: Config, ids: list[str] | None) -> None:
    """Leave the retry to the next pass of whoever holds the secrets (the service)."""
    state = await State.open(config.state.path)
    try:
        await state.queue_retry(ids)
    finally:
        await state.close()


async def _unknown_parked(config: Config, ids: tuple[str, ...]) -> list[str]:
    """Those of ``ids`` that name no parked record (read from the state file only)."""
    state = await State.open(config.state.path)
    try:
        return [parked_id for parked_id in ids if await state.parked.get(parked_id) is None]
    finally:
        await state.close()


@cli.command()
@config_option
@click.argument("ids", nargs=-1, required=True)
def dismiss(config_path: Path, ids: tuple[str, ...]) -> None:
    """Stop reporting parked records (by ID) that were settled by hand; they are not synced."""
    config = _load(config_path, secrets=False)

    async def go() -> list[str]:
        state = await State.open(config.state.path)
        try:
            unknown = []
            for parked_id in ids:
                record = await state.parked.get(parked_id)
                if record is None:
                    unknown.append(parked_id)
                    continue
                await state.parked.release(record.feature, record.source, record.resource, record.record_id)
            return unknown
        finally:
            await state.close()

    unknown = _run(go())
    for parked_id in unknown:
        click.echo(f"no parked record {parked_id}", err=True)
    click.echo(f"dismissed {len(ids) - len(unknown)} parked record(s)")
    sys.exit(1 if unknown else 0)


@cli.command()
@config_option
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.argument("record_id", metavar="ID")
@json_option
def explain(config_path: Path, kind: str, record_id: str, as_json: bool) -> None:
    """Everything known of one Syncro record (an invoice by id or number): as last read, its Xero
    documents, every write for it, its parked history, what the next pass would do. Reads the state file only."""
    config = _load(config_path, secrets=False)
    features = [f.name for f in load_plugins(config).features if KINDS[kind] in f.syncro_resources]

    async def go() -> dict[str, Any] | None:
        state = await State.open(config.state.path)
        try:
            return await explain_data(state, kind, record_id, features)
        finally:
            await state.close()

    data = _run(go())
    if data is None:
        click.echo(f"Nothing is known of Syncro {kind} {record_id}: no pass has read it.", err=True)
        sys.exit(1)
    _emit(data, as_json, print_explain)


@cli.command(name="plugins")
@config_option
@json_option
@click.option("--requirements", is_flag=True, help="Print name==version of plugin distributions.")
def plugins_command(config_path: Path, as_json: bool, requirements: bool) -> None:
    """Installed plugins: name, version, enabled, loaded, hooks."""
    config = _load(config_path, secrets=False)
    info = load_plugins(config).info
    if requirements:
        dists = sorted({(p.distribution, p.version) for p in info.values() if p.distribution})
        for name, version in dists:
            click.echo(f"{name}=={version}")
        return
    rows = [p.as_dict() for p in info.values()]

    def render(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            state = "enabled" if row["enabled"] else "disabled"
            if row["enabled"] and not row["loaded"]:
                state = f"FAILED: {row['error']}"
            click.echo(f"{row['name']:<20} {row['version'] or '-':<10} {state:<10} {row['description']}")

    _emit(rows, as_json, render)


@cli.command()
@config_option
@json_option
@click.option("--probe", is_flag=True, help="Also probe what the APIs' documentation leaves unknown (reads only).")
def check(config_path: Path, as_json: bool, probe: bool) -> None:
    """Config, credentials, connectivity, and that mapped accounts and tax types exist in Xero."""
    config = _load(config_path)
    data = _run(check_data(config, probe))
    ok = all(row["ok"] for row in data)

    def render(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            mark = "!" if row.get("warning") else "✓" if row["ok"] else "✗"
            click.echo(f"{mark} {row['what']}" + (f": {row['detail']}" if row["detail"] else ""))

    _emit(data, as_json, render)
    sys.exit(0 if ok else 1)


@cli.command()
@config_option
@json_option
def reconcile(config_path: Path, as_json: bool) -> None:
    """Compare Syncro and Xero as they are now and list every difference (reads only; exit 1 on drift)."""
    config = _load(config_path)
    drifts = _run(_with_engine(config, lambda e: e.reconcile()))
    rows = [vars(d) for d in drifts]

    def render(rows: list[dict[str, Any]]) -> None:
        if not rows:
            click.echo("No drift: Syncro and Xero agree on everything compared.")
        for row in rows:
            why = f"  ({row['why']})" if row["why"] else ""
            click.echo(f"{row['what']}: Syncro {row['syncro']}, Xero {row['xero']}{why}")

    _emit(rows, as_json, render)
    sys.exit(1 if rows else 0)


@cli.group()
def xero() -> None:
    """Xero connection."""


@xero.command()
@config_option
def connect(config_path: Path) -> None:
    """Authorise this daemon in Xero once (browser consent; a local callback receives the code)."""
    from .xero.auth import connect_interactive

    config = _load(config_path)
    if config.xero.grant != "authorization_code":
        raise click.UsageError('xero connect is for grant = "authorization_code"; a Custom Connection needs none')

    def show(url: str) -> None:
        click.echo(f"Open this address to authorise syncro-xero in Xero:\n  {url}")
        webbrowser.open(url)

    async def go(engine: Engine) -> None:
        await connect_interactive(
            engine.auth, login_url=config.xero.login_url, redirect_port=config.xero.redirect_port, open_browser=show
        )

    _run(_with_engine(config, go))
    click.echo("Connected: the refresh token is stored in the state file.")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=Path("/etc/syncro-xero"))
@click.option("--unit-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("/etc/systemd/system"),
              show_default=True, help="Where the systemd unit goes.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(directory: Path, unit_dir: Path, force: bool) -> None:
    """Write the commented example config to DIRECTORY (default /etc/syncro-xero), a credentials
    folder beside it, and the systemd unit that runs this installed syncro-xero."""
    from .install import installed_command, write_install_files

    try:
        written = write_install_files(directory, unit_dir, installed_command(), force)
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"Next: edit {written[0]}, put the secrets in {written[1]}/, then see README 'Install on a server'.")


@cli.command(name="new-plugin")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True)
def new_plugin(name: str, parent: Path) -> None:
    """Write a working plugin package for feature NAME to start from (with its test)."""
    from .scaffold import scaffold

    try:
        folder = scaffold(name, parent)
    except (ValueError, FileExistsError) as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"{folder}: pip install -e '{folder}[test]', then pytest there; enable with [plugins.{name}]")


@cli.command()
@click.option("--customers", default=40, show_default=True, help="Sample customers to create.")
@json_option
def demo(customers: int, as_json: bool) -> None:
    """Sync the built-in emulators' sample data end to end and show the result (no credentials)."""
    from .demo import run_demo

    sys.exit(_run(run_demo(customers=customers, as_json=as_json)))


@cli.command()
@click.option("--syncro-port", default=8001, show_default=True)
@click.option("--xero-port", default=8002, show_default=True)
@click.option("--customers", default=40, show_default=True)
@click.option("--invoices", default=120, show_default=True, help="Sample invoices (and about --payments payments).")
@click.option("--payments", default=80, show_default=True)
@click.option("--config-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write config.toml (and its state file) for these emulators [a new temporary folder].")
def emulators(
    syncro_port: int, xero_port: int, customers: int, invoices: int, payments: int, config_dir: Path | None
) -> None:
    """Serve both emulators with sample data on 127.0.0.1 until interrupted (for curl and plugin authors),
    and write a config that syncs them."""
    from .demo import serve_emulators

    _run(serve_emulators(syncro_port, xero_port, customers, config_dir, invoices, payments))


def _register_plugin_commands() -> None:
    """Let enabled plugins add commands (``syncro_xero_register_commands``); needs the config."""
    path = DEFAULT_CONFIG
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            path = Path(argv[i + 1])
        elif arg.startswith("--config="):
            path = Path(arg.split("=", 1)[1])
    try:
        plugins = load_plugins(load_config(path, secrets=False))
    except (ConfigError, OSError):
        return  # the command itself reports config problems
    built_in = set(cli.commands)
    plugins.manager.hook.syncro_xero_register_commands(cli=cli)
    for name in set(cli.commands) - built_in:
        take_config_option(cli.commands[name], DEFAULT_CONFIG, _load)


def main() -> None:
    os.umask(0o077)  # state files and anything else written: owner only
    _register_plugin_commands()
    cli()
