"""The hard way: a full sync of every feature, crashed after the k-th Xero write for every k.

Each crash is followed by a rerun (after Xero's idempotency window, so only the journal can
prevent a duplicate). What Xero then holds must equal what a run without a crash leaves: not one
record more, not one less, every amount the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import SimulatedCrash
from syncro_xero.clock import FakeClock
from syncro_xero.demo import builtin_plugins
from syncro_xero.emulators.syncro import SyncroEmulator
from syncro_xero.emulators.syncro.seed import seed_sample
from syncro_xero.emulators.xero import XeroEmulator
from syncro_xero.engine import Engine
from syncro_xero.testing import emulator_config, tax_settings_for
from syncro_xero.xero.writer import WriteHooks

SIZES = {"customers": 6, "invoices": 14, "payments": 9, "products": 5, "vendors": 2, "purchase_orders": 3}


def signature(xero: XeroEmulator) -> dict[str, list]:
    """What Xero holds, without the ids it generated."""
    org = xero.store
    money = lambda value: str(value)  # noqa: E731
    return {
        "contacts": sorted((c.get("ContactNumber") or "", c["Name"], c["ContactStatus"]) for c in org.records("Contacts")),
        "invoices": sorted((i["Type"], i.get("InvoiceNumber") or "", money(i["Total"]), money(i["AmountDue"]), i["Status"])
                           for i in org.records("Invoices")),
        "credit_notes": sorted((c.get("CreditNoteNumber") or "", money(c["Total"]), money(c["RemainingCredit"]))
                               for c in org.records("CreditNotes")),
        "payments": sorted((money(p["Amount"]), p.get("Reference") or "") for p in org.records("Payments")),
        "batch_payments": sorted(money(b["TotalAmount"]) for b in org.records("BatchPayments")),
        "overpayments": sorted((money(o["Total"]), money(o["RemainingCredit"])) for o in org.records("Overpayments")),
        "items": sorted((i["Code"], money(i.get("QuantityOnHand"))) for i in org.records("Items")),
        "purchase_orders": sorted((p["PurchaseOrderNumber"], p["Status"], money(p["Total"]))
                                  for p in org.records("PurchaseOrders")),
        "tax_rates": sorted(r["Name"] for r in org.records("TaxRates")),
        "tracking_options": sorted(o["Name"] for t in org.records("TrackingCategories") for o in t.get("Options", [])),
    }


class CrashAtTotal:
    """Crash at the k-th Xero write call counted across passes (each pass has its own writer)."""

    def __init__(self, k: int, when: str) -> None:
        self.k, self.when, self.seen = k, when, 0

    def hooks(self) -> WriteHooks:
        def hook(_: int) -> None:
            self.seen += 1
            if self.seen == self.k:
                raise SimulatedCrash(f"{self.when} write {self.k}")

        return WriteHooks(**{self.when: hook})


PASSES = 3  # what waits for a dependency goes at the next pass


async def run_world(tmp_path: Path, crash: CrashAtTotal | None) -> tuple[dict, int]:
    """Seed, sync (crashing where asked, then rerunning after the idempotency window); Xero's holdings
    and the write calls a clean run made."""
    tmp_path.mkdir(parents=True)
    clock = FakeClock()
    syncro = SyncroEmulator(clock=clock)
    seed_sample(syncro.store, **SIZES)
    xero = XeroEmulator(clock)
    await syncro.start()
    await xero.start()
    try:
        plugins = {name: {} for name in builtin_plugins()}
        plugins["tax"] = tax_settings_for(syncro.store)
        config = emulator_config(tmp_path, syncro_url=syncro.url, xero_url=xero.url, plugins=plugins)
        writes = 0
        if crash is not None:
            crashed = await Engine.open(config, clock=clock)
            crashed.write_hooks = crash.hooks()
            try:
                with pytest.raises(SimulatedCrash):
                    for _ in range(PASSES):
                        await crashed.run_pass()
                        crashed.write_hooks = crash.hooks()
            finally:
                await crashed.close()
            clock.advance(400)  # past Xero's idempotency window: only the journal prevents a double
        engine = await Engine.open(config, clock=clock)
        try:
            for _ in range(PASSES):
                report = await engine.run_pass()
                writes += report.xero_calls
            assert report.ok, await engine.state.parked.all()
            assert await engine.state.journal.count("sent") == 0
        finally:
            await engine.close()
        return signature(xero), writes
    finally:
        await xero.stop()
        await syncro.stop()


async def test_a_crash_at_every_write_of_a_full_sync_then_a_rerun_leaves_xero_as_a_clean_run_does(tmp_path):
    expected, writes = await run_world(tmp_path / "clean", None)
    assert writes > 10  # the sample makes every feature write

    for k in range(1, writes + 1):
        for when in ("before_send", "after_answer"):
            held, _ = await run_world(tmp_path / f"{k}-{when}", CrashAtTotal(k, when))
            differences = {name: (held[name], expected[name]) for name in expected if held[name] != expected[name]}
            assert not differences, f"crash {when} write {k}: {differences}"


async def test_a_full_sync_through_failing_apis_ends_as_a_clean_run_does(tmp_path):
    """5xx answers, 429 bursts and connections dropped after Xero applied a write, on both APIs."""
    expected, _ = await run_world(tmp_path / "clean", None)
    (tmp_path / "faulty").mkdir()
    clock = FakeClock()
    syncro = SyncroEmulator(clock=clock)
    seed_sample(syncro.store, **SIZES)
    xero = XeroEmulator(clock)
    for emulator in (syncro, xero):
        emulator.faults.error_rate = 0.1
        emulator.faults.rate_limit_next(3, retry_after=20)
    xero.faults.drop_after_write(3)
    await syncro.start()
    await xero.start()
    try:
        plugins = {name: {} for name in builtin_plugins()}
        plugins["tax"] = tax_settings_for(syncro.store)
        config = emulator_config(tmp_path / "faulty", syncro_url=syncro.url, xero_url=xero.url, plugins=plugins)
        engine = await Engine.open(config, clock=clock)
        try:
            for _ in range(12):  # a pass may end early when an API keeps failing; the next resumes
                report = await engine.run_pass()
            assert report.ok and report.error is None, (report.error, await engine.state.parked.all())
            assert sum(1 for e in xero.access_log.entries if e.status >= 500) > 0  # the faults did happen
        finally:
            await engine.close()
        assert signature(xero) == expected
    finally:
        await xero.stop()
        await syncro.stop()
