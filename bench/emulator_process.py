"""Both emulators, seeded, in their own process (so the daemon's CPU and memory are measured alone).

Rate limits are lifted here: the daemon still paces itself on a simulated clock, and the benchmark
reports how long the same calls would take at the real limits. Prints one JSON line with the URLs,
then answers one JSON line per command read from stdin until it closes:

- ``stats``: the requests each emulator answered since the last ``stats`` (then forgotten), and the
  account's size (what the least possible reads are computed from);
- ``change F``: a Syncro user adds a line to a share F of the invoices and a full payment on as many
  unpaid invoices (the incremental phase).

With ``--spec-dir`` both emulators are strict (they refuse requests that break the official specs)
and a last JSON line, once stdin closes, lists what broke them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from syncro_xero.clock import SystemClock
from syncro_xero.emulators.syncro import SyncroEmulator
from syncro_xero.emulators.syncro.seed import seed_sample
from syncro_xero.emulators.syncro.switches import Switches
from syncro_xero.emulators.xero import XeroConfig, XeroEmulator
from syncro_xero.testing import tax_settings_for

UNLIMITED = 10**9
DETAIL = re.compile(r"/\d+$")


def syncro_size(syncro: SyncroEmulator) -> dict[str, int]:
    store = syncro.store
    return {
        "customers": len(store.customers),
        "invoices": len(store.invoices),
        "line_items": sum(len(i.line_items) for i in store.invoices.values()),
        "payments": len(store.payments),
        "products": len(store.products),
        "product_categories": len(store.categories),
        "purchase_orders": len(store.purchase_orders),
        "vendors": len(store.vendors),
    }


def stats(syncro: SyncroEmulator, xero: XeroEmulator) -> dict[str, Any]:
    s_entries, x_entries = syncro.access_log.entries, xero.access_log.entries
    written: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    for entry in (e for e in xero.access_log.writes if "/api.xro/" in e.path):
        resource = entry.path.rstrip("/").split("/")[-1]
        calls[f"{entry.method} {re.sub(r'[0-9a-f-]{36}', '{id}', entry.path.split('/api.xro/2.0')[-1])}"] += 1
        body = entry.body if isinstance(entry.body, dict) else {}
        records = body.get(resource)
        written[resource] += len(records) if isinstance(records, list) else 1
    out = {
        "syncro_calls": len(s_entries),
        "syncro_detail_calls": sum(1 for e in s_entries if DETAIL.search(e.path)),
        "syncro_line_item_pages": sum(1 for e in s_entries if e.path.endswith("/line_items")),
        "syncro_429": sum(1 for e in s_entries if e.status == 429),
        "xero_calls": sum(1 for e in x_entries if "/api.xro/" in e.path),
        "xero_write_calls": sum(1 for e in xero.access_log.writes if "/api.xro/" in e.path),
        "xero_records_written": dict(written),
        "xero_write_calls_by_path": dict(calls),
        "size": syncro_size(syncro),
        "page_sizes": dict(syncro.switches.page_sizes),
    }
    syncro.access_log.clear()
    xero.access_log.clear()
    return out


def change(syncro: SyncroEmulator, share: float) -> dict[str, int]:
    """A line added to ``share`` of the invoices (unpaid ones: Xero locks paid ones), and a full
    payment on as many other unpaid ones."""
    store = syncro.store
    invoices = sorted(store.invoices.values(), key=lambda i: i.id)
    count = max(1, round(len(invoices) * share))
    unpaid = [i for i in invoices if store.totals(i).amount_paid == 0 and store.totals(i).total > 0]
    edited = unpaid[::2][:count]
    for invoice in edited:
        store.add_line_item(invoice.id, name="Extra hour", quantity="1", price="95", taxable=False)
    paid = unpaid[1::2][:count]
    for invoice in paid:
        store.add_payment(invoice.customer_id, store.totals(invoice).balance_due, invoice_id=invoice.id)
    return {"invoices": len(edited), "payments": len(paid)}


async def serve(customers: int, invoices: int, payments: int, products: int, strict: argparse.Namespace) -> None:
    clock = SystemClock()
    spec_dir = Path(strict.spec_dir) if strict.spec_dir else None
    syncro = SyncroEmulator(
        clock=clock, switches=Switches(rate_limit=UNLIMITED),
        validate_against_spec=spec_dir / "syncro_swagger.json" if spec_dir else None,
        allow_undocumented=strict.allow_undocumented,
    )
    seed_sample(syncro.store, customers=customers, invoices=invoices, payments=payments, products=products)
    xero = XeroEmulator(
        clock, XeroConfig(minute_limit=UNLIMITED, day_limit=UNLIMITED, concurrent_limit=UNLIMITED, app_minute_limit=UNLIMITED),
        validate_against_spec=spec_dir / "xero_accounting.yaml" if spec_dir else None,
        identity_spec=spec_dir / "xero-identity.yaml" if spec_dir else None,
    )
    await syncro.start()
    await xero.start()
    print(json.dumps({"syncro": syncro.url, "xero": xero.url, "counts": syncro_size(syncro),
                      "tax": tax_settings_for(syncro.store)}), flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        command, *args = line.split()
        answer = stats(syncro, xero) if command == "stats" else change(syncro, float(args[0]))
        print(json.dumps(answer), flush=True)
    await xero.stop()
    await syncro.stop()
    if spec_dir:
        print(json.dumps({"spec_violations": syncro.spec_violations + xero.spec_violations}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name, default in (("customers", 500), ("invoices", 1000), ("payments", 600), ("products", 100)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--spec-dir", help="strict mode: the folder of the official specs")
    parser.add_argument("--allow-undocumented", action="append", default=[], help="a Syncro UNDOCUMENTED name")
    args = parser.parse_args()
    asyncio.run(serve(args.customers, args.invoices, args.payments, args.products, args))


if __name__ == "__main__":
    main()
