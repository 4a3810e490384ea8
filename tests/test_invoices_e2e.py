"""Syncro invoices -> Xero sales invoices and credit notes, end to end against both emulators."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from syncro_xero.testing import tax_settings_for

D = Decimal


@pytest.fixture
def configure(make_config, syncro_emulator):
    def make(invoices=None, **plugins):
        settings = {"contacts": {}, "tax": tax_settings_for(syncro_emulator.store), "invoices": invoices or {}}
        settings.update(plugins)
        return make_config(plugins=settings)

    return make


def xero_invoice(xero_emulator, number: str) -> dict:
    return xero_emulator.store.get("Invoices", number)


def money(value) -> Decimal:
    return D(str(value))


async def test_an_invoice_becomes_an_authorised_xero_invoice_with_its_lines_totals_and_link(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    invoice = store.add_invoice(customer.id, [
        {"name": "Labour", "quantity": "1.5", "price": "120", "taxable": True},
        {"name": "Cable", "quantity": "3", "price": "9.99", "taxable": False},
    ], date="2026-03-01", due_date="2026-03-15", po_number="PO-77")
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, report
    xero = xero_invoice(xero_emulator, invoice.number)
    totals = store.totals(invoice)
    assert (xero["Type"], xero["Status"], xero["Reference"]) == ("ACCREC", "AUTHORISED", "PO-77")
    assert money(xero["Total"]) == totals.total and money(xero["TotalTax"]) == totals.tax
    assert [line["Description"] for line in xero["LineItems"]] == ["Labour", "Cable"]
    assert xero["Url"].endswith(f"/invoices/{invoice.id}")
    contact = xero_emulator.store.get("Contacts", xero["Contact"]["ContactID"])
    assert contact["ContactNumber"] == f"SYNCRO-{customer.id}"


TAX_CASES = {
    "many taxed pennies": [("1", "0.07", True)] * 9,
    "taxed and untaxed mix": [("3", "19.99", True), ("1", "250", False), ("2", "0.33", True), ("5", "1.01", False)],
    "three-decimal quantity x price": [("1.125", "10.333", True), ("2.5", "3.335", True), ("0.333", "99.999", False)],
    "five-decimal prices": [("3", "0.33333", True), ("7", "1.99999", True)],
    "zero-amount lines kept": [("1", "0", True), ("2", "15.50", True)],
}


@pytest.mark.parametrize("tax_rounding", ["invoice", "line"])
@pytest.mark.parametrize("case", TAX_CASES)
async def test_xero_totals_equal_syncros_to_the_cent(case, tax_rounding, syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    store.switches.tax_rounding = tax_rounding
    customer = store.add_customer(business_name="Rounding Ltd")
    lines = [{"name": f"line {i}", "quantity": q, "price": p, "taxable": t} for i, (q, p, t) in enumerate(TAX_CASES[case])]
    invoice = store.add_invoice(customer.id, lines)
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, (report, await engine.state.parked.all())
    xero = xero_invoice(xero_emulator, invoice.number)
    totals = store.totals(invoice)
    assert (money(xero["SubTotal"]), money(xero["TotalTax"]), money(xero["Total"])) == (
        totals.subtotal, totals.tax, totals.total)
    assert len([line for line in xero["LineItems"] if line["Description"].startswith("line")]) == len(lines)


async def test_an_update_in_syncro_updates_the_xero_invoice(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "100", "taxable": True}])
    engine = await open_engine(configure())
    await engine.run_pass()
    store.add_line_item(invoice.id, name="Extra", quantity="2", price="10", taxable=True)

    report = await engine.run_pass()

    assert report.counts["invoices"].updated == 1
    xero = xero_invoice(xero_emulator, invoice.number)
    assert money(xero["Total"]) == store.totals(invoice).total
    assert len(xero_emulator.store.records("Invoices")) == 1


async def test_editing_an_invoice_paid_in_xero_parks_it_with_the_choices(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "100", "taxable": False}])
    engine = await open_engine(configure())
    await engine.run_pass()
    xero = xero_invoice(xero_emulator, invoice.number)
    xero_emulator.store.insert("Payments", Invoice={"InvoiceID": xero["InvoiceID"]}, Account={"Code": "090"},
                               Amount="100.00", Date="2026-03-02")
    store.update_line_item(invoice.id, invoice.line_items[0].id, price="120")

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "after it was paid (or credited) in Xero" in parked.reason
    assert "remove the payment in Xero and retry" in parked.reason


async def test_an_invoice_dated_in_a_locked_period_is_parked_with_what_to_do(
    syncro_emulator, xero_emulator, open_engine, configure
):
    xero_emulator.store.set_lock_dates(period=date(2026, 1, 31))
    customer = syncro_emulator.store.add_customer(business_name="Acme Ltd")
    syncro_emulator.store.add_invoice(customer.id, [{"name": "Old", "quantity": "1", "price": "10"}], date="2026-01-15")
    engine = await open_engine(configure())

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "inside a period locked in Xero" in parked.reason


async def test_a_deleted_invoice_is_voided_in_xero(syncro_emulator, xero_emulator, open_engine, configure, fake_clock):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "100"}])
    engine = await open_engine(configure())
    await engine.run_pass()
    store.delete_invoice(invoice.id)
    fake_clock.advance(3601)  # the next deletion scan

    report = await engine.run_pass()

    assert xero_invoice(xero_emulator, invoice.number)["Status"] == "VOIDED"
    assert report.counts["invoices"].deleted == 1


async def test_a_deleted_draft_invoice_is_deleted_in_xero(syncro_emulator, xero_emulator, open_engine, configure, fake_clock):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "100"}])
    engine = await open_engine(configure(invoices={"status": "DRAFT"}))
    await engine.run_pass()
    store.delete_invoice(invoice.id)
    fake_clock.advance(3601)

    await engine.run_pass()

    assert xero_invoice(xero_emulator, invoice.number)["Status"] == "DELETED"


async def test_a_deleted_invoice_with_payments_in_xero_is_parked_not_guessed(
    syncro_emulator, xero_emulator, open_engine, configure, fake_clock
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "100", "taxable": False}])
    engine = await open_engine(configure())
    await engine.run_pass()
    xero = xero_invoice(xero_emulator, invoice.number)
    xero_emulator.store.insert("Payments", Invoice={"InvoiceID": xero["InvoiceID"]}, Account={"Code": "090"},
                               Amount="40.00", Date="2026-03-02")
    store.delete_invoice(invoice.id)
    fake_clock.advance(3601)

    await engine.run_pass()

    assert xero_invoice(xero_emulator, invoice.number)["Status"] == "AUTHORISED"
    [parked] = await engine.state.parked.all()
    assert "was deleted in Syncro, but in Xero it has payments" in parked.reason


async def test_zero_invoices_sync_paid_or_not_and_keep_zero_lines(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    unpaid = store.add_invoice(customer.id, [{"name": "Warranty check", "quantity": "1", "price": "0"}])
    engine = await open_engine(configure())

    await engine.run_pass()

    xero = xero_invoice(xero_emulator, unpaid.number)
    assert money(xero["Total"]) == 0 and [line["Description"] for line in xero["LineItems"]] == ["Warranty check"]


async def test_a_negative_invoice_becomes_a_xero_credit_note(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    credit = store.add_invoice(customer.id, [{"name": "Returned dock", "quantity": "1", "price": "-259", "taxable": True}])
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    [note] = xero_emulator.store.records("CreditNotes")
    assert (note["Type"], note["CreditNoteNumber"]) == ("ACCRECCREDIT", credit.number)
    assert money(note["Total"]) == -store.totals(credit).total
    assert xero_emulator.store.records("Invoices") == []


async def test_draft_invoices_stay_out_of_xero_until_published(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    store.account.draft_invoices = True
    customer = store.add_customer(business_name="Acme Ltd")
    draft = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "50"}], draft=True)
    engine = await open_engine(configure())
    await engine.run_pass()
    assert xero_emulator.store.records("Invoices") == []
    store.publish_invoice(draft.id)

    await engine.run_pass()

    assert xero_invoice(xero_emulator, draft.number)["Status"] == "AUTHORISED"


async def test_draft_invoices_go_in_as_xero_drafts_when_configured(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    store.account.draft_invoices = True
    customer = store.add_customer(business_name="Acme Ltd")
    draft = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "50"}], draft=True)
    engine = await open_engine(configure(invoices={"drafts": "xero_draft"}))

    await engine.run_pass()

    assert xero_invoice(xero_emulator, draft.number)["Status"] == "DRAFT"


async def test_an_invoice_syncros_own_integration_posted_is_linked_not_duplicated(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "100", "taxable": False}])
    engine = await open_engine(configure())
    await engine.run_pass()  # contact and invoice exist; now pretend the state was Syncro's native link
    xero = xero_invoice(xero_emulator, invoice.number)
    store.update_invoice(invoice.id, xero_id=xero["InvoiceID"])
    fresh = await open_engine(configure())
    await fresh.state.db.conn.execute("DELETE FROM links WHERE entity = 'invoice'")

    await fresh.run_pass()

    assert len(xero_emulator.store.records("Invoices")) == 1


async def test_an_invoice_number_already_in_xero_for_the_same_contact_is_linked(
    syncro_emulator, xero_emulator, open_engine, configure, fake_clock
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "100", "taxable": False}])
    engine = await open_engine(configure())
    await engine.run_pass()
    for table in ("links", "records", "journal"):  # the state file lost, as after a restore
        await engine.state.db.conn.execute(f"DELETE FROM {table} WHERE {'feature' if table != 'links' else 'entity'}"
                                           f" = '{'invoices' if table != 'links' else 'invoice'}'")
    fake_clock.advance(400)  # past Xero's idempotency window: a resend is a new request

    report = await engine.run_pass()

    assert len(xero_emulator.store.records("Invoices")) == 1
    assert "already in Xero; linked" in " ".join(report.counts["invoices"].notes)


@pytest.mark.parametrize("count", [1, 50, 51, 120])
async def test_backfilling_n_invoices_costs_about_n_over_50_invoice_calls(
    count, syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    customers = [store.add_customer(business_name=f"Customer {i}") for i in range(5)]
    for i in range(count):
        store.add_invoice(customers[i % 5].id, [{"name": "Work", "quantity": "1", "price": "10", "taxable": False}])
    engine = await open_engine(configure())

    await engine.backfill("contacts")
    await engine.backfill("invoices")

    assert len(xero_emulator.store.records("Invoices")) == count
    assert xero_emulator.access_log.count(method="PUT", path="/api.xro/2.0/Invoices") == math.ceil(count / 50)


async def test_invoices_sharing_a_product_not_yet_in_xero_sync_it_once_in_one_pass(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    product = store.add_product("USB dock", description="Dock", price_retail="99", price_cost="60")
    invoices = [store.add_invoice(customer.id, [{"product_id": product.id, "quantity": "1", "taxable": False}])
                for _ in range(3)]
    engine = await open_engine(configure(products={"sync": "used"}))

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert len(xero_emulator.store.records("Items")) == 1
    assert {line["ItemCode"] for i in invoices for line in xero_invoice(xero_emulator, i.number)["LineItems"]} == {
        f"SYNCRO-{product.id}"}
    assert xero_emulator.access_log.count(method="PUT", path="/api.xro/2.0/Invoices") == 1


async def test_a_first_dry_run_plans_taxed_invoices_on_tax_groups_not_yet_in_xero(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    store.add_invoice(customer.id, [{"name": "Taxed", "quantity": "3", "price": "19.99", "taxable": True}])
    engine = await open_engine(configure())

    report = await engine.run_pass(dry_run=True)

    assert report.counts["invoices"].parked == 0
    assert [(w.method, w.path) for w in report.planned if w.entity in ("tax_rate", "invoice")] == [
        ("PUT", "TaxRates")] * len(store.tax_rates) + [("PUT", "Invoices")]
    assert xero_emulator.store.records("Invoices") == []


async def test_a_tax_mismatch_parks_naming_the_syncro_tax_rate_and_the_xero_type_it_maps_to(
    syncro_emulator, open_engine, make_config
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Taxed Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "100", "taxable": True,
                                                "tax_rate_id": 3}])
    engine = await open_engine(make_config(plugins={"contacts": {}, "tax": {"rates": {"3": "NONE"}}, "invoices": {}}))

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert f"Syncro invoice {invoice.number} (id {invoice.id})" in parked.reason
    assert "Its taxable lines map Syncro tax rate 3 (line 'Labour') -> Xero NONE." in parked.reason
