"""What the commands report: the data behind ``status``, ``check``, ``failures`` and a pass, and its
human rendering (the CLI prints these, or their JSON with ``--json``)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import click

from .config import Config, config_to_safe_dict
from .engine import Engine
from .plugin_loader import load_plugins
from .probe import finding_row
from .probe import probe as probes
from .state import State
from .sync_pass import DRY_RUN_WORDS, PassReport
from .syncro.details import bulk_summary, denied_cursor, probe_bulk
from .syncro.polling import STRATEGIES


async def status_data(config: Config) -> dict[str, Any]:
    plugins_loaded = load_plugins(config)
    info = plugins_loaded.info
    state = await State.open(config.state.path)
    try:
        plugins = []
        for plugin in info.values():
            last = await state.runs.last(plugin.name)
            plugins.append(
                {
                    "name": plugin.name,
                    "enabled": plugin.enabled,
                    "loaded": plugin.loaded,
                    "error": plugin.error,
                    "last_pass": _when(last.finished_at) if last else None,
                    "last_outcome": last.outcome if last else None,
                    "last_counts": last.counts if last else {},
                    "totals": await state.runs.totals(plugin.name),
                    "parked": await state.parked.count(plugin.name),
                }
            )
        polled = sorted({r for f in plugins_loaded.features for r in f.syncro_resources})
        polling = {}
        for name in polled:
            resource = plugins_loaded.resources[name]
            chosen = config.sync.strategies.get(name)
            strategy = STRATEGIES[chosen or resource.polling]()
            polling[name] = {"strategy": strategy.name, "cost": strategy.cost()}
            if resource.bulk is not None:
                polling[name]["details"] = bulk_summary(resource.bulk, await state.cursors.get(denied_cursor(resource.bulk)))
        return {
            "plugins": plugins,
            "polling": polling,
            "links": await state.links.count(),
            "parked": await state.parked.count(),
            "parked_records": [parked_json(p) for p in await state.parked.all()],
            "unsettled_xero_writes": await state.journal.count("sent"),
            "unsettled_syncro_writes": await state.syncro_journal.count_unsettled(),
            "config": config_to_safe_dict(config),
        }
    finally:
        await state.close()


def print_status(data: dict[str, Any]) -> None:
    for p in data["plugins"]:
        state = "enabled" if p["enabled"] else "disabled"
        if p["enabled"] and not p["loaded"]:
            state = f"FAILED ({p['error']})"
        counts = ", ".join(f"{k} {v}" for k, v in sorted(p["last_counts"].items())) or "-"
        click.echo(
            f"{p['name']:<18} {state:<9} last pass: {p['last_pass'] or 'never'} ({p['last_outcome'] or '-'}) "
            f"{counts}; parked {p['parked']}"
        )
    for name, poll in data["polling"].items():
        click.echo(f"polling {name}: {poll['strategy']} ({poll['cost']})")
        if poll.get("details"):
            click.echo(f"  {name} details: {poll['details']}")
    click.echo(
        f"links: {data['links']}  parked: {data['parked']}  unsettled Xero writes: {data['unsettled_xero_writes']}"
        f"  unsettled Syncro writes: {data['unsettled_syncro_writes']}"
    )


async def check_data(config: Config, probe: bool = False) -> list[dict[str, Any]]:
    rows = [{"ok": True, "what": "config", "detail": "valid"}]

    async def go(engine: Engine) -> None:
        try:
            me = await engine.syncro.get("/me")
            rows.append({"ok": True, "what": "Syncro API", "detail": f"token accepted ({me.get('user_name', 'ok')})"})
        except Exception as exc:  # shown as a failed check, not a crash
            rows.append({"ok": False, "what": "Syncro API", "detail": str(exc)})
        polled = {r for f in engine.plugins.features for r in f.syncro_resources}
        bulks = {b.path: b for b in (engine.plugins.resources[r].bulk for r in sorted(polled)) if b is not None}
        for bulk in bulks.values():
            # informational: a token without the permission syncs as well, with more requests
            detail = await probe_bulk(engine.syncro, engine.state.cursors, bulk)
            rows.append({"ok": True, "what": f"Syncro {bulk.path}", "detail": detail})
        try:
            tenant = await engine.auth.tenant_id()
            await engine.xero.get("Organisation", paged=False)
            rows.append({"ok": True, "what": "Xero API", "detail": f"connected to tenant {tenant}"})
        except Exception as exc:
            rows.append({"ok": False, "what": "Xero API", "detail": str(exc)})
            return
        for result in await engine.check():
            rows.append({"ok": result.ok, "what": result.what, "detail": result.detail, "warning": result.warning})
        if probe:
            rows.extend(finding_row(finding) for finding in await probes(engine))

    engine = await Engine.open(config)
    try:
        await go(engine)
    finally:
        await engine.close()
    return rows


def report_json(report: PassReport) -> dict[str, Any]:
    return {
        "dry_run": report.dry_run,
        "ok": report.ok,
        "error": report.error,
        "features": {name: {**c.as_dict(), "notes": c.notes} for name, c in report.counts.items()},
        "waiting": [{"feature": f, "record": r, "reason": why} for f, r, why in report.waiting],
        "failed": [{"feature": f, "record": r, "reason": why} for f, r, why in report.failed],
        "recovered": report.recovered,
        "syncro_calls": report.syncro_calls,
        "xero_write_calls": report.xero_calls,
        "parked_total": report.parked_total,
        "planned": [
            {"method": w.method, "path": w.path, "entity": w.entity, "syncro_id": w.syncro_id, "action": w.action,
             "payload": w.payload}
            for w in report.planned
        ],
        "planned_syncro": [
            {"method": w.method, "path": w.path, "feature": w.feature, "entity": w.entity, "key": w.key,
             "step": w.step, "body": w.body}
            for w in report.planned_syncro
        ],
    }


def print_report(report: PassReport) -> None:
    if report.dry_run:
        _print_dry_run(report)
        return
    for name, counts in report.counts.items():
        summary = ", ".join(f"{k} {v}" for k, v in counts.as_dict().items()) or "nothing to do"
        click.echo(f"{name}: {summary}")
        for note in counts.notes:
            click.echo(f"  - {note}")
    _print_waiting_and_error(report)
    click.echo(
        f"Syncro calls: {report.syncro_calls}, Xero write calls: {report.xero_calls}, "
        f"parked records: {report.parked_total}" + (" (see `syncro-xero failures`)" if report.parked_total else "")
    )


def _print_dry_run(report: PassReport) -> None:
    """Each feature's counts with the Xero writes it would make; the totals are their sums."""
    writes: dict[str, int] = {}
    for write in report.planned:
        writes[write.feature] = writes.get(write.feature, 0) + 1
    click.echo("Dry run: nothing was written to Xero or Syncro. A real pass would:")
    for name in [*report.counts, *(f for f in writes if f not in report.counts)]:
        counts = report.counts.get(name)
        words = [f"{DRY_RUN_WORDS.get(k, k)} {v}" for k, v in (counts.as_dict() if counts else {}).items()]
        if writes.get(name):
            words.append(f"{writes[name]} Xero write(s)")
        click.echo(f"  {name}: {', '.join(words) or 'nothing to do'}")
        for note in counts.notes if counts else []:
            click.echo(f"    - {note}")
    if report.planned:
        click.echo(f"The {len(report.planned)} Xero write(s) it would make:")
    for write in report.planned:
        click.echo(f"  {write.method} {write.path}  {write.entity} {write.syncro_id} (would {write.action})")
        click.echo("    " + json.dumps(write.payload, default=str, sort_keys=True))
    if report.planned_syncro:
        click.echo(f"The {len(report.planned_syncro)} Syncro write(s) it would make:")
    for syncro_write in report.planned_syncro:
        step = f", {syncro_write.step}" if syncro_write.step else ""
        click.echo(f"  Syncro {syncro_write.method} {syncro_write.path}  ({syncro_write.feature}: "
                   f"{syncro_write.entity} {syncro_write.key}{step})")
        if syncro_write.body is not None:
            click.echo("    " + json.dumps(syncro_write.body, default=str, sort_keys=True))
    _print_waiting_and_error(report)
    would_park = sum(c.parked for c in report.counts.values())
    click.echo(
        f"Syncro calls: {report.syncro_calls}, Xero writes it would make: {len(report.planned)}, "
        f"Syncro writes it would make: {len(report.planned_syncro)}, "
        f"records it would park: {would_park}, "
        f"records a real pass would leave parked: {report.parked_total}"
    )


def _print_waiting_and_error(report: PassReport) -> None:
    for feature, record, why in report.waiting:
        click.echo(f"waiting: {feature} {record}: {why}")
    for feature, record, why in report.failed:
        click.echo(f"failed for now (tried again next pass): {feature} {record}: {why}".replace("  ", " "))
    if report.error:
        click.echo(f"The pass ended early: {report.error}", err=True)


def parked_json(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "feature": p.feature,
        "resource": p.resource,
        "record_id": p.record_id,
        "reason": p.reason,
        "detail": p.detail,
        "attempts": p.attempts,
        "first_at": _when(p.first_at),
        "last_at": _when(p.last_at),
    }


def _when(timestamp: float | None) -> str | None:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds") if timestamp else None
