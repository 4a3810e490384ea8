"""`syncro-xero check --probe`: each probe finds the emulators' setting, whichever way it is switched."""

from __future__ import annotations

import pytest
from syncro_xero import probe as probes


@pytest.fixture
def books(syncro_emulator, fake_clock):
    """Two of everything the probes read, each made a minute after the last."""
    store = syncro_emulator.store
    customers = []
    for name in ("First Ltd", "Second Ltd"):
        customers.append(store.add_customer(business_name=name))
        fake_clock.advance(60)
    for name in ("Widget", "Gadget"):
        store.add_product(name, description=name, price_retail="10")
        fake_clock.advance(60)
    for amount in ("10", "20"):
        invoice = store.add_invoice(customers[0].id, [{"name": "Work", "quantity": "1", "price": amount}])
        store.add_payment(customers[0].id, amount, invoice_id=invoice.id)
        fake_clock.advance(60)
    return store


async def found(open_engine, run) -> probes.Finding:
    return await run(await open_engine())


@pytest.mark.parametrize("newest_first", [True, False])
async def test_the_payments_order_probe_finds_the_lists_order(newest_first, syncro_emulator, books, open_engine):
    syncro_emulator.switches.newest_first = newest_first

    finding = await found(open_engine, probes.payments_order)

    assert finding.settled and ("newest first" in finding.found) is newest_first
    assert ('strategies.payments = "newest_first"' in finding.setting) is newest_first


@pytest.mark.parametrize(("shape", "expected"), [
    ("ids", "only id"), ("payment", "the payment's fields, no amount applied"),
    ("applied", "the amount applied to the invoice (applied_amount)"),
])
async def test_the_invoice_payments_probe_finds_what_their_entries_carry(
    shape, expected, syncro_emulator, books, open_engine
):
    syncro_emulator.switches.invoice_payments = shape

    finding = await found(open_engine, probes.invoice_payments_shape)

    assert finding.settled and finding.found == expected


@pytest.mark.parametrize("honoured", [True, False])
async def test_thesort_probe_finds_whether_customers_sort_by_update(honoured, syncro_emulator, books, open_engine):
    syncro_emulator.switches.sort_by_updated_at = honoured

    finding = await found(open_engine, probes.sort_probe("customers"))

    assert finding.settled and finding.found.startswith("honoured" if honoured else "ignored")
    assert ('strategies.customers = "sorted_by_update"' in finding.setting) is honoured


@pytest.mark.parametrize("honoured", [True, False])
async def test_thesort_probe_finds_whether_products_sort_and_leaves_their_strategy(
    honoured, syncro_emulator, books, open_engine
):
    syncro_emulator.switches.sort_by_updated_at = honoured

    finding = await found(open_engine, probes.sort_probe("products"))

    assert finding.settled and finding.found.startswith("honoured" if honoured else "ignored")
    assert finding.setting == "leave [sync] strategies.products unset"


@pytest.mark.parametrize("admin", [True, False])
async def test_the_line_items_probe_finds_whether_the_token_may_list_them(admin, syncro_emulator, books, open_engine):
    syncro_emulator.store.account.admin = admin

    finding = await found(open_engine, probes.line_items_permission)

    assert finding.settled and finding.found.startswith("allowed" if admin else "refused")


@pytest.mark.parametrize("inclusive", [True, False])
async def test_the_since_updated_at_probe_finds_whether_the_bound_is_inclusive(
    inclusive, syncro_emulator, books, open_engine
):
    syncro_emulator.switches.since_updated_at_inclusive = inclusive

    finding = await found(open_engine, probes.since_updated_at_bound)

    assert finding.settled and finding.found.startswith("inclusive" if inclusive else "exclusive")
    assert ("at least 1" in finding.setting) is not inclusive


@pytest.mark.parametrize(("zone", "offset", "style", "dates"), [
    ("America/New_York", "-05:00", "date", "YYYY-MM-DD"),
    ("Australia/Sydney", "+11:00", "midnight", "midnight date-times"),
])
async def test_the_time_probe_finds_the_accounts_zone_and_the_shape_of_dates(
    zone, offset, style, dates, syncro_emulator, books, open_engine
):
    syncro_emulator.store.set_time_zone(zone)
    syncro_emulator.switches.date_style = style

    finding = await found(open_engine, probes.time_rendering)

    assert finding.found == f"timestamps in the account's zone ({zone}, {offset}); dates as {dates}"


@pytest.mark.parametrize(("paged", "size"), [(True, 100), (False, 100), (True, 25)])
async def test_the_xero_paging_probe_finds_whether_lists_page_without_asking_and_the_page_size(
    paged, size, xero_emulator, open_engine
):
    xero_emulator.config.page_by_default = paged
    xero_emulator.config.default_page_size = size

    finding = await found(open_engine, probes.xero_paging)

    assert finding.found.startswith("paged anyway" if paged else "every record, unpaged")
    assert f"{size} a page when paged" in finding.found


async def test_a_probe_without_records_to_read_says_it_cannot_tell(open_engine):
    finding = await found(open_engine, probes.payments_order)

    assert not finding.settled and "cannot tell" in finding.found
