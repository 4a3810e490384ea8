"""A crash at any instant, then a rerun: exactly one copy of each record in Xero, none missing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter

import pytest
from helpers import SimulatedCrash, crash_at
from syncro_xero.engine import Engine

CUSTOMERS = 120  # three batches of creates


def assert_exactly_one_contact_per_customer(syncro_emulator, xero_emulator) -> None:
    numbers = Counter(c.get("ContactNumber") for c in xero_emulator.store.records("Contacts"))
    expected = {f"SYNCRO-{c}" for c in syncro_emulator.store.customers}
    assert set(numbers) == expected
    assert max(numbers.values()) == 1


@pytest.mark.parametrize("when", ["before_send", "after_answer"])
@pytest.mark.parametrize("k", [1, 2, 3])
async def test_a_crash_at_any_write_then_a_rerun_leaves_one_copy_of_each(
    k, when, syncro_emulator, xero_emulator, make_config, fake_clock
):
    for i in range(CUSTOMERS):
        syncro_emulator.store.add_customer(business_name=f"Customer {i:04}")
    config = make_config()
    crashed = await Engine.open(config, clock=fake_clock)
    crashed.write_hooks = crash_at(k, when)
    with pytest.raises(SimulatedCrash):
        await crashed.run_pass()

    rerun = await Engine.open(config, clock=fake_clock)
    try:
        report = await rerun.run_pass()
        assert report.ok, report
        # applied but unrecorded writes are found by contact number, not sent again
        assert report.recovered["found" if when == "after_answer" else "lost"] > 0
        assert_exactly_one_contact_per_customer(syncro_emulator, xero_emulator)
        assert await rerun.state.journal.count("sent") == 0
        assert (await rerun.run_pass()).xero_calls == 0  # nothing left to do
    finally:
        await rerun.close()
        await crashed.close()


async def test_a_dropped_connection_after_xero_applied_a_batch_is_resolved_by_its_idempotency_key(
    syncro_emulator, xero_emulator, open_engine
):
    for i in range(3):
        syncro_emulator.store.add_customer(business_name=f"Customer {i}")
    engine = await open_engine()
    await engine.auth.tenant_id()
    xero_emulator.faults.drop_after_write(1)

    report = await engine.run_pass()

    assert report.ok
    assert_exactly_one_contact_per_customer(syncro_emulator, xero_emulator)
    puts = xero_emulator.access_log.matching(method="PUT", path="/api.xro/2.0/Contacts")
    assert len(puts) == 2 and len({p.headers["idempotency-key"] for p in puts}) == 1


async def test_an_update_lost_in_a_crash_is_sent_again(syncro_emulator, xero_emulator, make_config, fake_clock):
    customer = syncro_emulator.store.add_customer(business_name="Before Ltd")
    config = make_config()
    first = await Engine.open(config, clock=fake_clock)
    await first.run_pass()
    syncro_emulator.store.update_customer(customer.id, business_name="After Ltd")
    first.write_hooks = crash_at(1, "before_send")
    with pytest.raises(SimulatedCrash):
        await first.run_pass()

    rerun = await Engine.open(config, clock=fake_clock)
    try:
        assert (await rerun.run_pass()).ok
        assert [c["Name"] for c in xero_emulator.store.records("Contacts")] == ["After Ltd"]
    finally:
        await rerun.close()
        await first.close()


@pytest.mark.parametrize("k", [1, 2])
def test_sigkill_after_the_kth_write_then_a_rerun_leaves_one_copy_of_each(k, live_emulators, live_config):
    for i in range(60):  # two batches
        live_emulators.call(lambda i=i: live_emulators.syncro.store.add_customer(business_name=f"Customer {i:03}"))
    config = str(live_config())
    command = [sys.executable, "-c", "from syncro_xero.cli import main; main()", "sync", "--once", "--config", config]

    killed = subprocess.run(command, env={**os.environ, "SYNCRO_XERO_CRASH_AFTER_WRITES": str(k)}, capture_output=True)
    rerun = subprocess.run(command, capture_output=True, text=True)

    assert killed.returncode == -9
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    contacts = live_emulators.call(lambda: live_emulators.xero.store.records("Contacts"))
    numbers = Counter(c["ContactNumber"] for c in contacts)
    assert len(numbers) == 60 and max(numbers.values()) == 1


async def test_no_write_of_a_crashed_pass_reaches_xero_after_the_pass_has_ended(
    syncro_emulator, xero_emulator, make_config, fake_clock
):
    """Batches that went out beside the one that crashed are finished or stopped before the pass
    ends, never left running: a rerun's reads must not be overtaken by the crashed run's writes."""
    for name in ("Hardware", "Software", "Services", "Licences"):
        syncro_emulator.store.add_category(name)
    engine = await Engine.open(make_config(plugins={"categories": {}}), clock=fake_clock)
    engine.write_hooks = crash_at(2, "before_send")  # the first option; the other three go out beside it
    xero_emulator.service_delay = 0.05  # so that they are still on their way when it crashes
    try:
        with pytest.raises(SimulatedCrash):
            await engine.run_pass()
        writes_when_it_ended = len(xero_emulator.access_log.writes)
        for _ in range(50):
            await asyncio.sleep(0.01)  # time for anything still running to reach the emulator
        assert len(xero_emulator.access_log.writes) == writes_when_it_ended
    finally:
        await engine.close()
