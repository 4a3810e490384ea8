"""Both emulators, seeded, in their own process (so the daemon's CPU and memory are measured alone).

Rate limits are lifted here: the daemon still paces itself on a simulated clock, and the benchmark
reports how long the same calls would take at the real limits. Prints one JSON line with the URLs,
then serves until stdin closes. With ``--spec-dir`` both emulators are strict (they refuse requests
that break the official specs) and a last JSON line lists what broke them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from syncro_xero.clock import SystemClock
from syncro_xero.emulators.syncro import SyncroEmulator
from syncro_xero.emulators.syncro.seed import seed_sample
from syncro_xero.emulators.syncro.switches import Switches
from syncro_xero.emulators.xero import XeroConfig, XeroEmulator
from syncro_xero.testing import tax_settings_for

UNLIMITED = 10**9


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
    counts = {
        "customers": len(syncro.store.customers),
        "invoices": len(syncro.store.invoices),
        "payments": len(syncro.store.payments),
        "products": len(syncro.store.products),
    }
    print(json.dumps({"syncro": syncro.url, "xero": xero.url, "counts": counts, "tax": tax_settings_for(syncro.store)}),
          flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
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
