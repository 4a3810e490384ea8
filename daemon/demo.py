"""``syncro-xero demo`` and ``syncro-xero emulators``: the product against its built-in emulators.

The demo runs on a simulated clock shared with the emulators: every rate limit is enforced and
obeyed as in production, but waiting costs no real time; the summary says how long the same
passes would take in real time.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from .clock import FakeClock, SystemClock
from .emulators.syncro import SyncroEmulator
from .emulators.syncro.seed import seed_sample
from .emulators.xero import XeroEmulator
from .engine import Engine, PassReport
from .plugin_loader import ENTRY_POINT_GROUP
from .testing import emulator_config, tax_settings_for


def builtin_plugins() -> list[str]:
    """The features this distribution ships (entry points of syncro-xero itself)."""
    return sorted(
        ep.name
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)
        if ep.dist is not None and ep.dist.name == "syncro-xero"
    )


async def run_demo(customers: int = 40, as_json: bool = False) -> int:
    clock = FakeClock()
    syncro = SyncroEmulator(clock=clock)
    seed_sample(syncro.store, customers=customers)
    xero = XeroEmulator(clock=clock)
    await syncro.start()
    await xero.start()
    passes: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="syncro-xero-demo-") as tmp:
            plugins: dict[str, dict[str, Any]] = {name: {} for name in builtin_plugins()}
            plugins["tax"] = tax_settings_for(syncro.store)  # by hand in real life: Syncro's API has no tax rates
            config = emulator_config(Path(tmp), syncro_url=syncro.url, xero_url=xero.url, plugins=plugins)
            engine = await Engine.open(config, clock=clock)
            try:
                say = (lambda *a: None) if as_json else click.echo
                say(f"Syncro emulator at {syncro.api_url}, Xero emulator at {xero.url} (simulated clock)")
                say(f"Sample data: {_syncro_counts(syncro)}\n")
                started = clock.time()
                preview = await engine.run_pass(dry_run=True)
                passes.append(_pass("preview (dry run)", preview, clock.time() - started))
                say(f"Dry run: {len(preview.planned)} Xero writes would be made; nothing written.\n")
                for title, action in (
                    ("first sync", None),
                    ("second pass, nothing changed in Syncro", None),
                    ("third pass, after a customer was renamed in Syncro", _rename_a_customer),
                ):
                    if action:
                        action(syncro)
                    started = clock.time()
                    report = await engine.run_pass()
                    passes.append(_pass(title, report, clock.time() - started))
                    say(_describe(passes[-1]))
                holdings = _xero_holdings(xero)
                failures = [
                    {"id": p.id, "reason": p.reason} for p in await engine.state.parked.all()
                ]
            finally:
                await engine.close()
    finally:
        await xero.stop()
        await syncro.stop()
    if as_json:
        click.echo(json.dumps({"passes": passes, "xero": holdings, "parked": failures}, indent=2, default=str))
    else:
        click.echo("What Xero now holds:")
        for name, value in holdings["counts"].items():
            click.echo(f"  {name}: {value}")
        click.echo("  first contacts: " + ", ".join(holdings["sample_contacts"]))
        if failures:
            click.echo(f"\nParked records ({len(failures)}), each with its reason:")
            for row in failures[:10]:
                click.echo(f"  {row['id']}: {row['reason']}")
            if len(failures) > 10:
                click.echo(f"  ... and {len(failures) - 10} more (syncro-xero failures lists them all)")
        else:
            click.echo("\nNo parked records: everything is in sync.")
    return 0


def _rename_a_customer(syncro: SyncroEmulator) -> None:
    customer = next(c for c in syncro.store.customers.values() if c.business_name)
    syncro.store.update_customer(customer.id, business_name=f"{customer.business_name} (renamed)")


def _syncro_counts(syncro: SyncroEmulator) -> str:
    store = syncro.store
    return (
        f"{len(store.customers)} customers, {len(store.invoices)} invoices, {len(store.payments)} payments, "
        f"{len(store.products)} products, {len(store.purchase_orders)} purchase orders"
    )


def _pass(title: str, report: PassReport, seconds: float) -> dict[str, Any]:
    return {
        "title": title,
        "features": {name: c.as_dict() for name, c in report.counts.items()},
        "notes": [n for c in report.counts.values() for n in c.notes],
        "syncro_calls": report.syncro_calls,
        "xero_write_calls": report.xero_calls,
        "parked_total": report.parked_total,
        "error": report.error,
        "simulated_seconds": round(seconds, 1),
    }


def _describe(p: dict[str, Any]) -> str:
    lines = [f"Pass: {p['title']}"]
    for name, counts in p["features"].items():
        summary = ", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing to do"
        lines.append(f"  {name}: {summary}")
    for note in p["notes"][:5]:
        lines.append(f"  - {note}")
    lines.append(
        f"  Syncro calls {p['syncro_calls']}, Xero write calls {p['xero_write_calls']}, "
        f"{p['simulated_seconds']} s in real time at the APIs' rate limits"
    )
    if p["error"]:
        lines.append(f"  ended early: {p['error']}")
    return "\n".join(lines) + "\n"


def _xero_holdings(xero: XeroEmulator) -> dict[str, Any]:
    org = xero.store
    counts = {name: len(org.records(name)) for name in org.resources if org.records(name)}
    contacts = sorted(c["Name"] for c in org.records("Contacts"))
    return {"counts": counts, "sample_contacts": contacts[:8]}


async def serve_emulators(
    syncro_port: int, xero_port: int, customers: int, config_dir: Path | None = None, invoices: int = 120,
    payments: int = 80,
) -> None:
    """Both emulators with sample data on 127.0.0.1, on the real clock, until interrupted, extended by
    every installed emulator extension (``syncro_xero.emulators``); writes a config for them (every
    built-in feature, the sample data's tax mapping) to ``config_dir``."""
    from .emulators.extensions import extend, installed

    clock = SystemClock()
    extensions = installed()
    syncro = extend(SyncroEmulator(clock=clock), extensions)
    seed_sample(syncro.store, customers=customers, invoices=invoices, payments=payments)
    xero = extend(XeroEmulator(clock=clock), extensions)
    await syncro.start(port=syncro_port)
    await xero.start(port=xero_port)
    directory = config_dir or Path(tempfile.mkdtemp(prefix="syncro-xero-emulators-"))
    directory.mkdir(parents=True, exist_ok=True)
    plugins: dict[str, dict[str, Any]] = {name: {} for name in builtin_plugins()}
    plugins["tax"] = tax_settings_for(syncro.store)
    emulator_config(directory, syncro_url=syncro.url, xero_url=xero.url, plugins=plugins)
    click.echo(f"Config: {directory / 'config.toml'}  (syncro-xero sync --once --config {directory / 'config.toml'})")
    click.echo(f"Syncro: {syncro.api_url}  (Authorization: Bearer {syncro.api_key})")
    click.echo(f"Xero:   {xero.url}/api.xro/2.0  (tokens: POST {xero.url}/connect/token, client_credentials,")
    click.echo("        client id test-client-id, secret test-client-secret)")
    click.echo(f"Try:    curl -H 'Authorization: Bearer {syncro.api_key}' {syncro.api_url}/customers")
    click.echo("Ctrl-C stops.")
    try:
        await asyncio.Event().wait()
    finally:
        await xero.stop()
        await syncro.stop()
