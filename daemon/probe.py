"""``syncro-xero check --probe``: read-only probes that settle, on this account, what the APIs'
documentation leaves unknown (docs/emulator-unknowns.md), and the setting each finding calls for.

Every probe only reads. One that cannot tell (too few records, an answer it does not recognise)
says so and leaves the safe default; none of them fails ``check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Awaitable, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .changes import parse_instant
from .syncro import SyncroAuthError, SyncroError, SyncroNotFound
from .xero.errors import XeroError

if TYPE_CHECKING:
    from .engine import Engine

NOTHING = "nothing to set"


@dataclass(frozen=True)
class Finding:
    """One unknown, what the account showed, and what to set for it."""

    unknown: str
    found: str
    setting: str
    settled: bool = True


async def probe(engine: "Engine") -> list[Finding]:
    """Every probe, in turn (Syncro's pacing and Xero's limits apply as to any read)."""
    findings = []
    for unknown, run in PROBES:
        try:
            findings.append(await run(engine))
        except (SyncroError, XeroError) as exc:
            findings.append(Finding(unknown, f"could not read: {exc}", "nothing to set until it can", settled=False))
    return findings


# -- Syncro --------------------------------------------------------------------------------------
async def payments_order(engine: "Engine") -> Finding:
    unknown = "GET /payments list order (syncro-api.md §2.5)"
    ids = [int(p["id"]) for p in (await engine.syncro.get("/payments", {"page": 1})).get("payments") or []]
    if len(ids) < 2:
        return Finding(unknown, "fewer than two payments: cannot tell", NOTHING, settled=False)
    if ids == sorted(ids, reverse=True):
        return Finding(unknown, "newest first (ids descending)", '[sync] strategies.payments = "newest_first"')
    if ids == sorted(ids):
        return Finding(unknown, "oldest first (ids ascending)", "leave [sync] strategies.payments unset (full scan)")
    return Finding(unknown, "neither newest nor oldest first", "leave [sync] strategies.payments unset (full scan)")


async def invoice_payments_shape(engine: "Engine") -> Finding:
    unknown = "what an invoice's payments[] entries carry (syncro-api.md §2.5: only id is documented)"
    payments = (await engine.syncro.get("/payments", {"page": 1})).get("payments") or []
    applied = next((p for p in payments if any(i is not None for i in p.get("invoice_ids") or [])), None)
    if applied is None:
        return Finding(unknown, "no payment on an invoice: cannot tell", NOTHING, settled=False)
    invoice_id = next(i for i in applied["invoice_ids"] if i is not None)
    invoice = (await engine.syncro.get(f"/invoices/{invoice_id}")).get("invoice") or {}
    entry = next((e for e in invoice.get("payments") or [] if str(e.get("id")) == str(applied["id"])), None)
    if entry is None:
        return Finding(unknown, f"invoice {invoice_id} does not list payment {applied['id']}: cannot tell", NOTHING,
                       settled=False)
    shape = ("the amount applied to the invoice (applied_amount)" if "applied_amount" in entry
             else "the payment's fields, no amount applied" if "payment_amount" in entry else "only id")
    return Finding(unknown, shape, "nothing to set: a stated applied_amount is taken as the share; without it "
                   "shares are worked out from the invoices' balances")


def sort_probe(resource: str) -> Callable[["Engine"], Awaitable[Finding]]:
    async def run(engine: "Engine") -> Finding:
        unknown = f"sort=updated_at on GET /{resource} (syncro-api.md §1.5)"
        ascending = (await engine.syncro.get(f"/{resource}", {"sort": "updated_at ASC", "page": 1})).get(resource) or []
        descending = (await engine.syncro.get(f"/{resource}", {"sort": "updated_at DESC", "page": 1})).get(resource) or []
        if len(ascending) < 2:
            return Finding(unknown, f"fewer than two {resource}: cannot tell", NOTHING, settled=False)
        stamps = [r.get("updated_at") for r in descending]
        if [r["id"] for r in ascending] == [r["id"] for r in descending]:
            if None not in stamps and len(set(stamps)) == 1:
                return Finding(unknown, f"every {resource[:-1]} has the same updated_at: cannot tell", NOTHING,
                               settled=False)
            return Finding(unknown, "ignored (both orders alike)", f"leave [sync] strategies.{resource} unset")
        if None in stamps:  # products show no updated_at (§1.5): the strategy could never stop early
            return Finding(unknown, f"honoured, but {resource} show no updated_at to stop at",
                           f"leave [sync] strategies.{resource} unset")
        instants = [parse_instant(s) for s in stamps]  # type: ignore[arg-type]
        if instants != sorted(instants, reverse=True):
            return Finding(unknown, "changes the order, but not by updated_at", f"leave [sync] strategies.{resource} unset")
        return Finding(unknown, "honoured (newest update first)", f'[sync] strategies.{resource} = "sorted_by_update"')

    return run


async def line_items_permission(engine: "Engine") -> Finding:
    unknown = "GET /line_items for this token (syncro-api.md §2.4: needs Global Admin)"
    try:
        await engine.syncro.get("/line_items", {"page": 1})
    except SyncroAuthError:
        return Finding(unknown, "refused (401/403): the token is not Global Admin",
                       "nothing to set: invoice lines are read from GET /invoices/{id}")
    except SyncroNotFound:
        return Finding(unknown, "not found (404): cannot tell", NOTHING, settled=False)
    return Finding(unknown, "allowed (200)", "nothing to set: invoice lines are read from GET /invoices/{id}")


async def since_updated_at_bound(engine: "Engine") -> Finding:
    unknown = "since_updated_at on GET /invoices: inclusive or not (syncro-api.md §1.5)"
    latest = await _latest_invoice(engine)
    if latest is None:
        return Finding(unknown, "no invoices: cannot tell", NOTHING, settled=False)
    bound = latest["updated_at"]
    found = await engine.syncro.get("/invoices", {"since_updated_at": bound, "page": 1})
    if any(str(i.get("id")) == str(latest["id"]) for i in found.get("invoices") or []):
        return Finding(unknown, "inclusive (>=): the invoice updated at the bound is listed",
                       "[sync] invoice_overlap_seconds: any value (the default 600 also covers late commits)")
    return Finding(unknown, "exclusive (>): the invoice updated at the bound is not listed",
                   "[sync] invoice_overlap_seconds: at least 1 (the default 600 is fine)")


async def time_rendering(engine: "Engine") -> Finding:
    unknown = "time zone of timestamps, shape of dates (syncro-api.md §1.6)"
    locale = (await engine.syncro.get("/settings")).get("locale") or {}
    name = locale.get("time_zone")
    latest = await _latest_invoice(engine)
    if latest is None or not name:
        return Finding(unknown, "no invoice or no account time zone: cannot tell", NOTHING, settled=False)
    stamp = parse_instant(latest["updated_at"])
    dates = "YYYY-MM-DD" if len(str(latest.get("date"))) == 10 else "midnight date-times"
    try:
        expected = stamp.astimezone(ZoneInfo(name)).utcoffset()
    except ZoneInfoNotFoundError:
        expected = None
    zone = f"the account's zone ({name}, {_offset(stamp.utcoffset())})" if stamp.utcoffset() == expected else (
        f"offset {_offset(stamp.utcoffset())}, not the account's zone ({name})")
    return Finding(unknown, f"timestamps in {zone}; dates as {dates}",
                   "nothing to set: offsets are read as given, dates as calendar dates in either shape")


async def _latest_invoice(engine: "Engine") -> dict[str, Any] | None:
    """The most recently updated invoice among the first and last pages (the list order is unknown)."""
    first = await engine.syncro.get("/invoices", {"page": 1})
    invoices = list(first.get("invoices") or [])
    total = (first.get("meta") or {}).get("total_pages")
    if isinstance(total, int) and total > 1:
        invoices += (await engine.syncro.get("/invoices", {"page": total})).get("invoices") or []
    stamped = [i for i in invoices if isinstance(i.get("updated_at"), str)]
    return max(stamped, key=lambda i: parse_instant(i["updated_at"]), default=None)


def _offset(delta: timedelta | None) -> str:
    if delta is None:
        return "none"
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# -- Xero ----------------------------------------------------------------------------------------
async def xero_paging(engine: "Engine") -> Finding:
    unknown = "Xero lists without ?page= (xero-api.md §1.3)"
    plain = await engine.xero.get_envelope("Contacts")
    paged = await engine.xero.get_envelope("Contacts", {"page": "1"})
    size = (paged.get("pagination") or {}).get("pageSize")
    shown = f"{size} a page when paged" if size else "no pagination shown even with ?page=1"
    if plain.get("pagination"):
        found = f"paged anyway ({plain['pagination'].get('pageSize')} a page); {shown}"
    else:
        found = f"every record, unpaged; {shown}"
    return Finding(unknown, found, "nothing to set: the daemon always asks for page=1, 2, … and reads pageCount")


PROBES: list[tuple[str, Callable[["Engine"], Awaitable[Finding]]]] = [
    ("GET /payments list order", payments_order),
    ("invoice payments[] shape", invoice_payments_shape),
    ("sort on GET /customers", sort_probe("customers")),
    ("sort on GET /products", sort_probe("products")),
    ("GET /line_items permission", line_items_permission),
    ("since_updated_at bound", since_updated_at_bound),
    ("time zone and dates", time_rendering),
    ("Xero paging", xero_paging),
]


def finding_row(finding: Finding) -> dict[str, Any]:
    """A ``check`` row: never a failure; a warning when the probe could not tell."""
    return {"ok": True, "what": f"probe: {finding.unknown}", "detail": f"{finding.found} → {finding.setting}",
            "warning": not finding.settled}

