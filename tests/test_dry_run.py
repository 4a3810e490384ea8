"""``sync --once --dry-run``: says what a real pass would do, never that it did; exits as a real pass would."""

from __future__ import annotations

import re

from click.testing import CliRunner
from syncro_xero.cli import cli
from syncro_xero.demo import builtin_plugins
from syncro_xero.emulators.syncro.seed import seed_sample
from syncro_xero.reports import print_report
from syncro_xero.testing import tax_settings_for

#: Words that would say a dry run made or changed something.
WOULD = re.compile(r"\bwould (be )?\w+")
DONE_WORDS = re.compile(r"\b(created|made|allocated|archived|removed|linked|synced|went|voided|renamed)\b")


def dry_run(config: str):
    return CliRunner().invoke(cli, ["sync", "--once", "--dry-run", "--config", config], catch_exceptions=False)


async def test_a_dry_run_of_every_feature_says_would_never_did_and_its_write_counts_add_up(
    syncro_emulator, xero_emulator, make_config, open_engine, capsys
):
    seed_sample(syncro_emulator.store, customers=8)
    plugins = {name: {} for name in builtin_plugins()}
    plugins["tax"] = tax_settings_for(syncro_emulator.store)
    engine = await open_engine(make_config(plugins=plugins))

    report = await engine.run_pass(dry_run=True)
    print_report(report)

    output = capsys.readouterr().out
    lines = output.splitlines()
    words = [WOULD.sub("", line) for line in lines if not line.startswith("    {")]  # payloads are data
    assert "would create" in output and "would be made in Xero" in output
    assert [line for line in words if DONE_WORDS.search(line)] == []
    per_feature = sum(int(n) for n in re.findall(r"(\d+) Xero write\(s\)$", output, re.MULTILINE))
    [total] = re.findall(r"^The (\d+) Xero write\(s\) it would make:", output, re.MULTILINE)
    planned = [line for line in lines if re.match(r"  (PUT|POST) ", line)]
    assert per_feature == int(total) == len(planned) == len(report.planned) > 0
    assert xero_emulator.store.records("Invoices") == []


def test_a_dry_run_exits_1_while_a_real_pass_would_leave_a_record_parked_and_0_once_it_would_not(
    live_emulators, live_config
):
    config = str(live_config())
    bad = live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Bad Ltd", email="x@localhost"))
    assert CliRunner().invoke(cli, ["sync", "--once", "--config", config]).exit_code == 1  # parked

    still = dry_run(config)
    live_emulators.call(lambda: live_emulators.syncro.store.update_customer(bad.id, email="ok@example.com"))
    fixed = dry_run(config)

    assert still.exit_code == 1 and "records a real pass would leave parked: 1" in still.output
    assert fixed.exit_code == 0 and "records a real pass would leave parked: 0" in fixed.output
    assert "contacts: would create 1" in fixed.output


async def test_a_dry_run_counts_a_record_a_real_pass_would_park_and_parks_nothing_whose_reason_names_it(
    syncro_emulator, xero_emulator, make_config, open_engine
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Payer Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Work", "quantity": "1", "price": "50", "taxable": False}])
    payment = store.add_payment(customer.id, "50", invoice_id=invoice.id, method="Bitcoin")
    plugins = {"contacts": {}, "tax": tax_settings_for(store), "invoices": {}, "payments": {"default_account": ""}}
    engine = await open_engine(make_config(plugins=plugins))

    report = await engine.run_pass(dry_run=True)

    assert (report.counts["payments"].parked, report.parked_total, report.ok) == (1, 1, False)
    assert await engine.state.parked.all() == []
    await engine.run_pass()
    [parked] = await engine.state.parked.all()
    assert parked.reason.startswith(f"Syncro payment {payment.id} was paid by 'Bitcoin', and no Xero account")
