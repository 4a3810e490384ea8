"""``syncro-xero explain KIND ID``: everything the state file knows about one Syncro record.

The record as last read, the Xero documents linked to it, every Xero write the journal holds for it
(payload, Idempotency-Key, Xero's answer, when), every Syncro write to it or that made it (body,
Syncro's answer), its parked history, and what the next pass would do.
Reads the state file only: no network, no API secrets needed.

What the next pass would do is stated from state, not replayed: whether Syncro changed the record
since it was last read is only known by reading Syncro, which ``explain`` does not do.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable

import click

from .state import State

#: KIND on the command line -> the Syncro resource it names.
KINDS = {
    "customer": "customers",
    "invoice": "invoices",
    "payment": "payments",
    "product": "products",
    "purchase_order": "purchase_orders",
    "category": "product_categories",
}


async def explain_data(state: State, kind: str, record_id: str, features: Iterable[str]) -> dict[str, Any] | None:
    """What is known of Syncro ``kind`` ``record_id`` (an invoice also by its number); None if nothing.

    ``features`` are the enabled features that handle the kind's Syncro resource.
    """
    resource = KINDS[kind]
    features = sorted(features)
    record_id = await _resolve(state, resource, record_id)
    reads = [
        {"feature": r["feature"], "read_at": _when(r["acked_at"]), "updated_at": r["updated_at"],
         "record": json.loads(r["record"])}
        for r in await state.db.fetchall(
            "SELECT feature, record, updated_at, acked_at FROM records"
            " WHERE source = 'syncro' AND resource = ? AND record_id = ? ORDER BY acked_at DESC",
            (resource, record_id),
        )
    ]
    owned = _owned(features, record_id)
    links = [
        {"entity": r["entity"], "syncro_id": r["syncro_id"], "xero_id": r["xero_id"], "xero_number": r["xero_number"],
         "feature": r["feature"], "synced_at": _when(r["synced_at"]), "extra": json.loads(r["extra"] or "{}")}
        for r in await state.db.fetchall(f"SELECT * FROM links WHERE {owned[0]} ORDER BY synced_at", owned[1])
    ]
    writes = [
        {"at": _when(r["created_at"]), "answered_at": _when(r["updated_at"]) if r["state"] != "sent" else None,
         "feature": r["feature"], "entity": r["entity"], "syncro_id": r["syncro_id"], "action": r["action"],
         "method": r["method"], "path": r["path"], "idempotency_key": r["idempotency_key"], "state": r["state"],
         "xero_id": r["xero_id"], "payload": json.loads(r["payload"]),
         "response": json.loads(r["response"]) if r["response"] else None}
        for r in await state.db.fetchall(f"SELECT * FROM journal WHERE {owned[0]} ORDER BY id", owned[1])
    ]
    syncro_writes = [
        {"feature": w.feature, "entity": w.entity, "key": w.key, "step": w.step, "method": w.method, "path": w.path,
         "state": w.state, "syncro_id": w.syncro_id, "body": w.body, "response": w.response, "extra": w.extra}
        for w in await state.syncro_journal.for_record(resource, record_id)
    ]
    parked = [p for p in await state.parked.all() if p.resource == resource and p.record_id == record_id]
    history = [
        {"feature": e.feature, "event": e.event, "reason": e.reason, "at": _when(e.at)}
        for e in await state.parked.history(resource, record_id)
    ]
    if not (reads or links or writes or syncro_writes or parked or history):
        return None
    return {
        "kind": kind,
        "syncro_id": record_id,
        "syncro_resource": resource,
        "last_read": reads,
        "xero_links": links,
        "writes": writes,
        "syncro_writes": syncro_writes,
        "parked": [
            {"id": p.id, "feature": p.feature, "reason": p.reason, "detail": p.detail, "attempts": p.attempts,
             "since": _when(p.first_at), "last_at": _when(p.last_at)}
            for p in parked
        ],
        "parked_history": history,
        "next_pass": _next_pass(features, reads, writes, syncro_writes, parked),
    }


def _owned(features: list[str], record_id: str) -> tuple[str, tuple[Any, ...]]:
    """SQL matching rows of these features about the record (a payment's per-invoice rows are ``id:invoice``)."""
    marks = ", ".join("?" for _ in features) or "NULL"
    return (f"feature IN ({marks}) AND (syncro_id = ? OR syncro_id LIKE ?)",
            (*features, record_id, f"{record_id}:%"))


async def _resolve(state: State, resource: str, given: str) -> str:
    """The record id: ``given`` itself, or the id of the invoice numbered ``given``."""
    known = await state.db.fetchone(
        "SELECT 1 FROM records WHERE source = 'syncro' AND resource = ? AND record_id = ? LIMIT 1", (resource, given)
    )
    if known or resource != "invoices":
        return given
    row = await state.db.fetchone(
        "SELECT record_id FROM records WHERE source = 'syncro' AND resource = ?"
        " AND CAST(json_extract(record, '$.number') AS TEXT) = ? LIMIT 1",
        (resource, given),
    )
    return str(row["record_id"]) if row else given


def _next_pass(features: list[str], reads: list[dict[str, Any]], writes: list[dict[str, Any]],
               syncro_writes: list[dict[str, Any]], parked: list[Any]) -> list[str]:
    """What the next pass would do for the record, per feature, from state alone."""
    lines = []
    if any(w["state"] == "sent" for w in writes):
        lines.append("A write's outcome was never recorded (the daemon stopped mid-write): the next pass first "
                     "looks it up in Xero and settles it, so it is never sent twice.")
    if any(w["state"] == "sent" for w in syncro_writes):
        lines.append("A Syncro write's outcome was never recorded (or an edit was left half done): the next pass "
                     "first looks in Syncro for what it made, or finishes the edit, so nothing is written twice.")
    read_by = {r["feature"] for r in reads}
    parked_by = {p.feature: p for p in parked}
    for feature in features:
        if feature in parked_by:
            lines.append(f"{feature}: parked. The next pass leaves it parked unless it changes in Syncro; "
                         f"`syncro-xero retry {parked_by[feature].id}` replays it now.")
        elif feature in read_by:
            lines.append(f"{feature}: in sync as last read. The next pass acts only if it changed in Syncro since.")
        else:
            lines.append(f"{feature}: not acknowledged yet (new to it, skipped, or waiting for something the daemon "
                         "does first): the next pass hands it over again.")
    return lines


def print_explain(data: dict[str, Any]) -> None:
    number = next((r["record"].get("number") for r in data["last_read"] if r["record"].get("number")), None)
    click.echo(f"Syncro {data['kind']} {data['syncro_id']}" + (f" (number {number})" if number else ""))
    click.echo("\nAs last read from Syncro:")
    for read in data["last_read"][:1]:
        click.echo(f"  (by {read['feature']} at {read['read_at']}; Syncro's updated_at {read['updated_at']})")
        click.echo("  " + json.dumps(read["record"], sort_keys=True, default=str))
    if not data["last_read"]:
        click.echo("  never read")
    click.echo("\nLinked in Xero:")
    for link in data["xero_links"]:
        number = f" {link['xero_number']}" if link["xero_number"] else ""
        click.echo(f"  {link['entity']}{number}: Xero id {link['xero_id']} ({link['feature']}, {link['synced_at']})")
    if not data["xero_links"]:
        click.echo("  nothing")
    click.echo(f"\nXero writes in the journal ({len(data['writes'])}):")
    for w in data["writes"]:
        click.echo(f"  {w['at']}  {w['method']} {w['path']}  {w['action']} {w['entity']} {w['syncro_id']}: {w['state']}"
                   + (f" -> {w['xero_id']}" if w["xero_id"] else ""))
        click.echo(f"    Idempotency-Key: {w['idempotency_key']}")
        click.echo("    sent: " + json.dumps(w["payload"], sort_keys=True, default=str))
        if w["response"] is not None:
            click.echo(f"    Xero answered ({w['answered_at']}): " + json.dumps(w["response"], sort_keys=True, default=str))
    click.echo(f"\nSyncro writes in the journal ({len(data['syncro_writes'])}):")
    for w in data["syncro_writes"]:
        step = f", {w['step']}" if w["step"] else ""
        click.echo(f"  {w['method']} {w['path']}  {w['entity']} {w['key']}{step} ({w['feature']}): {w['state']}"
                   + (f" -> {w['syncro_id']}" if w["syncro_id"] else ""))
        if w["body"] is not None:
            click.echo("    sent: " + json.dumps(w["body"], sort_keys=True, default=str))
        if w["response"] is not None:
            click.echo("    Syncro answered: " + json.dumps(w["response"], sort_keys=True, default=str))
    click.echo("\nParked:")
    for p in data["parked"]:
        click.echo(f"  {p['id']} since {p['since']} ({p['attempts']} attempt(s)): {p['reason']}")
    if not data["parked"]:
        click.echo("  no")
    for event in data["parked_history"]:
        click.echo(f"  {event['at']} {event['event']} ({event['feature']})" + (f": {event['reason']}" if event["reason"] else ""))
    click.echo("\nNext pass:")
    for line in data["next_pass"]:
        click.echo(f"  {line}")


def _when(timestamp: float | None) -> str | None:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds") if timestamp else None
