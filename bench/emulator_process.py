"""Both emulators, seeded, in their own process (so the daemon's CPU and memory are measured alone).

Rate limits are lifted here: the daemon still paces itself on a simulated clock, and the benchmark
reports how long the same calls would take at the real limits. Prints one JSON line with the URLs,
then serves until stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from syncro_xero.clock import SystemClock
from syncro_xero.emulators.syncro import SyncroEmulator
from syncro_xero.emulators.syncro.seed import seed_sample
from syncro_xero.emulators.syncro.switches import Switches
from syncro_xero.emulators.xero import XeroConfig, XeroEmulator
from syncro_xero.testing import tax_settings_for

UNLIMITED = 10**9


async def serve(customers: int, invoices: int, payments: int, products: int) -> None:
    clock = SystemClock()
    syncro = SyncroEmulator(clock=clock, switches=Switches(rate_limit=UNLIMITED))
    seed_sample(syncro.store, customers=customers, invoices=invoices, payments=payments, products=products)
    xero = XeroEmulator(
        clock, XeroConfig(minute_limit=UNLIMITED, day_limit=UNLIMITED, concurrent_limit=UNLIMITED, app_minute_limit=UNLIMITED)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    for name, default in (("customers", 500), ("invoices", 1000), ("payments", 600), ("products", 100)):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    asyncio.run(serve(args.customers, args.invoices, args.payments, args.products))


if __name__ == "__main__":
    main()
