"""``backfill FEATURE``: every record once, idempotently, with progress."""

import json

from click.testing import CliRunner
from syncro_xero.cli import cli


async def test_backfill_exports_every_record_and_reports_progress(syncro_emulator, xero_emulator, open_engine):
    for i in range(60):
        syncro_emulator.store.add_customer(business_name=f"Customer {i:02}")
    engine = await open_engine()
    progress = []

    report = await engine.backfill("contacts", lambda feature, done, total: progress.append((done, total)))

    assert report.counts["contacts"].created == 60
    assert len(xero_emulator.store.records("Contacts")) == 60
    assert progress[-1] == (60, 60) and len(progress) == 60


async def test_a_second_backfill_rewrites_nothing(syncro_emulator, xero_emulator, open_engine):
    for i in range(5):
        syncro_emulator.store.add_customer(business_name=f"Customer {i}")
    engine = await open_engine()
    await engine.backfill("contacts")

    report = await engine.backfill("contacts")

    assert report.counts["contacts"].unchanged == 5 and report.xero_calls == 0


def test_backfill_command_prints_the_counts_and_json(live_emulators, live_config):
    for i in range(3):
        live_emulators.call(lambda i=i: live_emulators.syncro.store.add_customer(business_name=f"Customer {i}"))
    config = str(live_config())

    result = CliRunner().invoke(cli, ["backfill", "contacts", "--config", config])
    as_json = CliRunner().invoke(cli, ["backfill", "contacts", "--config", config, "--json"])

    assert result.exit_code == 0
    assert "contacts: created 3" in result.output  # no progress bars: the output is no terminal
    assert json.loads(as_json.stdout)["features"]["contacts"] == {"unchanged": 3, "notes": []}
