"""Reads at the floor Syncro allows: invoice lines in bulk, no detail call for an unchanged record,
an idle pass that lists and nothing more (issue 10). Proved by counting requests, never by timing."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from helpers import assert_balances_agree
from syncro_xero import Change, Context, Feature, hookimpl
from syncro_xero.demo import builtin_plugins
from syncro_xero.emulators.syncro.seed import seed_sample
from syncro_xero.testing import tax_settings_for

DETAIL = re.compile(r"^/api/v1/[a-z_/]+/\d+$")


def detail_reads(emulator, resource: str = "") -> int:
    return sum(1 for e in emulator.access_log.entries if e.method == "GET" and DETAIL.match(e.path)
               and e.path.startswith(f"/api/v1/{resource}"))


def xero_writes(emulator, resource: str) -> int:
    return sum(1 for e in emulator.access_log.writes if e.path.endswith(f"/{resource}"))


@pytest.fixture
def configure(make_config, syncro_emulator):
    def make(names=("contacts", "tax", "invoices", "payments")):
        plugins = {name: {} for name in names}
        plugins["tax"] = tax_settings_for(syncro_emulator.store)
        return make_config(plugins=plugins)

    return make


def raise_invoices(store, count: int, customers: int = 3):
    people = [store.add_customer(business_name=f"Client {n}") for n in range(customers)]
    return [
        store.add_invoice(people[n % customers].id, [
            {"name": "Labour", "quantity": "2", "price": f"{40 + n}.50", "taxable": True},
            {"name": "Cable", "quantity": "1", "price": "9.99", "taxable": False},
        ])
        for n in range(count)
    ]


async def test_a_first_sync_reads_invoice_lines_in_pages_of_100_instead_of_one_call_per_invoice(
    syncro_emulator, xero_emulator, open_engine, configure
):
    invoices = raise_invoices(syncro_emulator.store, 120)
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert detail_reads(syncro_emulator, "invoices") == 0
    assert syncro_emulator.access_log.count("GET", "/api/v1/line_items") == math.ceil(240 / 100)
    for invoice in invoices:
        xero = xero_emulator.store.get("Invoices", invoice.number)
        assert Decimal(str(xero["Total"])) == syncro_emulator.store.totals(invoice).total


@pytest.mark.parametrize("status", [401, 403])
async def test_a_token_without_global_admin_reads_lines_per_invoice_asks_once_and_check_and_status_say_so(
    syncro_emulator, xero_emulator, open_engine, configure, status
):
    from syncro_xero.reports import check_data, status_data

    syncro_emulator.store.account.admin = False
    syncro_emulator.switches.permission_denied_status = status
    config = configure()
    raise_invoices(syncro_emulator.store, 30)
    engine = await open_engine(config)

    first = await engine.run_pass()
    raise_invoices(syncro_emulator.store, 30)
    second = await engine.run_pass()

    assert first.ok and second.ok, await engine.state.parked.all()
    assert syncro_emulator.access_log.count("GET", "/api/v1/line_items", status=status) == 1
    assert detail_reads(syncro_emulator, "invoices") == 60
    assert len(xero_emulator.store.records("Invoices")) == 60
    status_text = (await status_data(config))["polling"]["invoices"]["details"]
    assert "Global Admin" in status_text and str(status) in status_text
    rows = {row["what"]: row["detail"] for row in await check_data(config)}
    assert "Global Admin" in rows["Syncro /line_items"]
    syncro_emulator.store.account.admin = True
    rows = {row["what"]: row["detail"] for row in await check_data(config)}
    assert "allowed" in rows["Syncro /line_items"]
    assert "Global Admin" not in (await status_data(config))["polling"]["invoices"]["details"]


async def test_payments_made_in_full_sync_without_reading_their_invoices(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    invoices = raise_invoices(store, 40)
    for invoice in invoices:
        store.add_payment(invoice.customer_id, store.totals(invoice).total, invoice_id=invoice.id)
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert detail_reads(syncro_emulator, "invoices") == 0
    assert len(xero_emulator.store.records("Payments")) == 40
    assert all(xero_emulator.store.get("Invoices", i.number)["Status"] == "PAID" for i in invoices)
    for customer_id in {i.customer_id for i in invoices}:
        assert_balances_agree(syncro_emulator, xero_emulator, store.customers[customer_id])


async def test_an_overpayment_still_reads_what_its_invoice_took(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    [invoice] = raise_invoices(store, 1, customers=1)
    store.add_payment(invoice.customer_id, store.totals(invoice).total + 25, invoice_id=invoice.id)
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok and not any("did not say" in n for n in report.counts["payments"].notes)
    assert detail_reads(syncro_emulator, "invoices") == 1
    assert_balances_agree(syncro_emulator, xero_emulator, store.customers[invoice.customer_id])


@pytest.fixture
async def synced(syncro_emulator, xero_emulator, open_engine, make_config, fake_clock):
    """Every built-in feature over a sample account, after its first pass."""
    seed_sample(syncro_emulator.store, customers=30, invoices=150, payments=80)
    plugins = {name: {} for name in builtin_plugins()}
    plugins["tax"] = tax_settings_for(syncro_emulator.store)
    engine = await open_engine(make_config(plugins=plugins))
    first = await engine.run_pass()
    assert first.error is None
    syncro_emulator.access_log.clear()
    xero_emulator.access_log.clear()
    fake_clock.advance(60)
    return engine


async def test_the_idle_pass_after_a_first_sync_only_lists_without_waiting_and_writes_nothing(
    synced, syncro_emulator, xero_emulator
):
    waited = synced.syncro.waited

    report = await synced.run_pass()

    assert report.error is None
    assert detail_reads(syncro_emulator) == 0  # nor for the Xero -> Syncro features re-reading the daemon's writes
    assert all(e.method == "GET" and not DETAIL.match(e.path) for e in syncro_emulator.access_log.entries)
    assert syncro_emulator.access_log.count(status=429) == 0 and synced.syncro.waited == waited
    assert xero_emulator.access_log.writes == []


async def test_an_incremental_pass_reads_only_the_changed_invoices_and_batches_their_writes(
    synced, syncro_emulator, xero_emulator
):
    await synced.run_pass()  # idle
    store = syncro_emulator.store
    changed = [i for i in store.invoices.values() if not store.totals(i).is_paid and store.totals(i).total > 0][:4]
    for invoice in changed:
        store.add_line_item(invoice.id, name="Extra", quantity="1", price="5", taxable=False)
    syncro_emulator.access_log.clear()
    xero_emulator.access_log.clear()

    report = await synced.run_pass()

    assert report.error is None
    assert detail_reads(syncro_emulator, "invoices") <= len(changed)
    assert syncro_emulator.access_log.count("GET", "/api/v1/line_items") == 0  # a detail each is cheaper
    assert xero_writes(xero_emulator, "Invoices") <= 1
    for invoice in changed:
        xero = xero_emulator.store.get("Invoices", invoice.number)
        assert Decimal(str(xero["Total"])) == store.totals(invoice).total


async def test_what_the_daemon_wrote_to_xero_is_not_read_back_from_syncro_by_the_reverse_features(
    synced, syncro_emulator, xero_emulator, fake_clock
):
    await synced.run_pass()  # idle: the reverse features' cursors are past the first sync
    store = syncro_emulator.store
    for n in range(3):
        customer = store.add_customer(business_name=f"Newcomer {n}")
        store.add_invoice(customer.id, [{"name": "Setup", "quantity": "1", "price": "120", "taxable": False}])
    await synced.run_pass()  # contacts and invoices written to Xero, after xero_contacts polled
    fake_clock.advance(60)
    syncro_emulator.access_log.clear()

    report = await synced.run_pass()

    assert report.error is None
    assert detail_reads(syncro_emulator) == 0


async def test_split_payments_go_to_xero_as_batch_payments_50_a_call(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    invoices = raise_invoices(store, 6, customers=3)
    for first, second in zip(invoices[:3], invoices[3:]):
        both = store.totals(first).total + store.totals(second).total
        store.add_payment(first.customer_id, both,
                          applied={first.id: store.totals(first).total, second.id: store.totals(second).total})
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert len(xero_emulator.store.records("BatchPayments")) == 3
    assert xero_emulator.access_log.count("PUT", "/api.xro/2.0/BatchPayments") == 1


LATE_READS: list[list[str]] = []


class LateReader(Feature):
    """Consumes products once contacts is done, and reads the customers listing then."""

    name = "late_reader"
    syncro_resources = ("products",)
    depends_on = ("contacts",)

    async def handle(self, change: Change, ctx: Context) -> None:
        LATE_READS.append(sorted(await ctx.syncro_listed("customers")))


class LateReaderPlugin:
    @staticmethod
    @hookimpl
    def syncro_xero_feature():
        return LateReader()


async def test_a_listing_is_freed_after_its_last_reader_and_a_later_read_lists_it_again(
    syncro_emulator, xero_emulator, open_engine, make_config
):
    store = syncro_emulator.store
    people = sorted(str(store.add_customer(business_name=f"Client {n}").id) for n in range(3))
    store.add_product("Dock", description="USB-C dock")
    engine = await open_engine(make_config(plugins={"contacts": {}}), extra_plugins=[("late_reader", LateReaderPlugin())])
    LATE_READS.clear()

    report = await engine.run_pass()

    assert report.ok, report
    assert LATE_READS == [people]  # every customer, though contacts' listing was freed
    listings = [e for e in syncro_emulator.access_log.entries if e.method == "GET" and e.path == "/api/v1/customers"]
    assert len(listings) == 2
