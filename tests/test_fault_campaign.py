"""The fault campaign: a mixed backfill of every feature through heavy faults, and under SIGKILL at
random points, converges to what a clean run leaves: every record exactly once, every amount
equal, and a clean rerun writes nothing.

Sizes and figures are in README ("Fault campaign").
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import SimulatedCrash, crash_at
from syncro_xero.clock import FakeClock
from syncro_xero.demo import builtin_plugins
from syncro_xero.emulators.syncro import SyncroEmulator
from syncro_xero.emulators.syncro.seed import seed_sample
from syncro_xero.emulators.xero import XeroEmulator
from syncro_xero.engine import Engine
from syncro_xero.testing import emulator_config, tax_settings_for
from test_crash_everywhere import SIZES, signature

#: Heavier than the crash test's sample: 12 customers, 40 invoices, 30 payments, and the rest.
CAMPAIGN = {**SIZES, "customers": 30, "invoices": 120, "payments": 100}
MAX_PASSES = 30


async def test_a_mixed_backfill_through_30_percent_5xx_25_percent_dropped_writes_and_10_s_tokens_converges(tmp_path):
    expected = await clean_world(tmp_path / "clean")
    clock = FakeClock()
    syncro = SyncroEmulator(clock=clock)
    seed_sample(syncro.store, **CAMPAIGN)
    xero = XeroEmulator(clock)
    xero.config.access_token_ttl = 10.0
    for emulator in (syncro, xero):
        emulator.faults.error_rate = 0.3
    xero.faults.drop_rate = 0.25
    await syncro.start()
    await xero.start()
    try:
        engine = await Engine.open(world_config(tmp_path / "faulty", syncro, xero), clock=clock)
        try:
            for passes in range(1, MAX_PASSES + 1):
                report = await engine.run_pass()
                clock.advance(60)  # tokens expire between passes, and inside them
                if report.ok:
                    break
            assert report.ok, (passes, report.error, report.failed, await engine.state.parked.all())
            assert signature(xero) == expected
            faults = sum(1 for e in xero.access_log.entries + syncro.access_log.entries if e.status >= 500)
            assert faults > 100  # the faults did happen
            for emulator in (syncro, xero):
                emulator.faults.reset()
            assert (await engine.run_pass()).xero_calls == 0  # a clean rerun writes nothing
        finally:
            await engine.close()
    finally:
        await xero.stop()
        await syncro.stop()


def test_sigkill_at_random_points_of_a_mixed_backfill_then_reruns_leave_exactly_what_a_clean_run_does(
    tmp_path, live_emulators, live_config
):
    """Real ``sync --once`` processes, killed with SIGKILL at random instants and after random
    Xero writes, then run again until one exits 0."""
    import asyncio

    expected = asyncio.run(clean_world(tmp_path / "clean", datetime.now(timezone.utc)))  # numbers carry dates
    live_emulators.call(lambda: _unlimited(live_emulators.syncro, live_emulators.xero))
    live_emulators.call(lambda: seed_sample(live_emulators.syncro.store, **CAMPAIGN))
    plugins = {name: {} for name in builtin_plugins()}
    plugins["tax"] = live_emulators.call(lambda: tax_settings_for(live_emulators.syncro.store))
    config = str(live_config(plugins=plugins))
    command = [sys.executable, "-c", "from syncro_xero.cli import main; main()", "sync", "--once", "--config", config]
    rng = random.Random(11)
    kills = []
    for _ in range(4):  # killed after the k-th Xero write answered
        env = {**os.environ, "SYNCRO_XERO_CRASH_AFTER_WRITES": str(rng.randint(1, 6))}
        kills.append(subprocess.run(command, env=env, capture_output=True).returncode == -9)
    for _ in range(4):  # killed at a random instant
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8, 2.0))
        process.kill()
        kills.append(process.wait() == -9)  # a run that ended before its instant was not killed
    for _ in range(6):
        rerun = subprocess.run(command, capture_output=True, text=True)
        if rerun.returncode == 0:
            break
    assert kills[0]  # the first run has the whole backfill ahead of it: always killed mid-way
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert live_emulators.call(lambda: signature(live_emulators.xero)) == expected
    again = subprocess.run([*command, "--json"], capture_output=True, text=True)
    assert again.returncode == 0 and '"xero_write_calls": 0' in again.stdout


def _unlimited(syncro: SyncroEmulator, xero: XeroEmulator) -> None:
    """Many short processes in a row: the emulators' per-minute limits would only slow them down."""
    syncro.switches.rate_limit = 1_000_000
    xero.config.minute_limit = 1_000_000


async def clean_world(directory: Path, start: datetime | None = None) -> dict:
    clock = FakeClock(start)
    syncro = SyncroEmulator(clock=clock)
    seed_sample(syncro.store, **CAMPAIGN)
    xero = XeroEmulator(clock)
    await syncro.start()
    await xero.start()
    try:
        engine = await Engine.open(world_config(directory, syncro, xero), clock=clock)
        try:
            for _ in range(3):
                report = await engine.run_pass()
            assert report.ok, (report.error, report.failed, await engine.state.parked.all())
        finally:
            await engine.close()
        return signature(xero)
    finally:
        await xero.stop()
        await syncro.stop()


def world_config(directory: Path, syncro: SyncroEmulator, xero: XeroEmulator):  # noqa: ANN201
    directory.mkdir(parents=True)
    plugins = {name: {} for name in builtin_plugins()}
    plugins["tax"] = tax_settings_for(syncro.store)
    return emulator_config(directory, syncro_url=syncro.url, xero_url=xero.url, plugins=plugins)




async def test_an_overpayment_answered_but_unrecorded_is_found_again_not_duplicated(
    syncro_emulator, xero_emulator, make_config, fake_clock
):
    """Found by the campaign: the lookup's marker ("CH-9 · Syncro payment …") holds a character
    JSON text escapes, so recovery never found the overpayment and sent it again."""
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Over Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Work", "quantity": "1", "price": "100", "taxable": False}])
    plugins = {name: {} for name in ("contacts", "tax", "invoices", "payments")}
    plugins["tax"] = tax_settings_for(store)
    config = make_config(plugins=plugins)
    engine = await Engine.open(config, clock=fake_clock)
    await engine.run_pass()
    store.add_payment(customer.id, "150", invoice_id=invoice.id, ref_num="CH-9")
    engine.write_hooks = crash_at(2, "after_answer")  # the payment, then the overpayment
    with pytest.raises(SimulatedCrash):
        await engine.run_pass()
    await engine.close()
    fake_clock.advance(400)  # past Xero's idempotency window

    rerun = await Engine.open(config, clock=fake_clock)
    try:
        report = await rerun.run_pass()
        assert report.ok and report.recovered["found"] == 1, report
    finally:
        await rerun.close()
    assert len(xero_emulator.store.records("Overpayments")) == 1
