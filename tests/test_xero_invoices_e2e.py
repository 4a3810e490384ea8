"""A bookkeeper's edits, in Xero, of invoices from Syncro flow back to Syncro (xero_invoices), end to end.

The bookkeeper edits the Xero invoice in the Xero emulator's store (as in Xero's UI); a pass writes
the edit to Syncro; the invoices feature sends it back once; then nothing moves on either side.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from helpers import SimulatedCrash
from syncro_xero.emulators.xero.testing import XeroTestClient
from syncro_xero.engine import Engine
from syncro_xero.syncro import SyncroClient, SyncroWriteUncertain
from syncro_xero.testing import tax_settings_for

D = Decimal
SUBMITTED = ("LineItemID", "Description", "Quantity", "UnitAmount", "AccountCode", "TaxType", "ItemCode")


@pytest.fixture
def configure(make_config, syncro_emulator):
    def make(products: bool = False, invoices: dict | None = None, **settings):
        plugins = {"contacts": {}, "tax": tax_settings_for(syncro_emulator.store), "invoices": invoices or {},
                   "xero_invoices": settings}
        if products:
            plugins["products"] = {}
        return make_config(plugins=plugins)

    return make


@pytest.fixture
def shop(syncro_emulator):
    """A customer and their invoice: a taxed labour line and an untaxed cable line."""
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    invoice = store.add_invoice(customer.id, [
        {"name": "Labour", "quantity": "1.5", "price": "120", "taxable": True},
        {"name": "Cable", "quantity": "3", "price": "9.99", "taxable": False},
    ], date="2026-03-01", due_date="2026-03-15", po_number="PO-77")
    return customer, invoice


@pytest.fixture
async def synced(open_engine, configure, fake_clock):
    """An engine whose first pass has run (invoice in Xero, the Xero cursor started)."""

    async def make(products: bool = False, invoices: dict | None = None, **settings) -> Engine:
        engine = await open_engine(configure(products, invoices, **settings))
        assert (await engine.run_pass()).ok
        fake_clock.advance(60)
        return engine

    return make


# -- helpers --------------------------------------------------------------------------------------
def in_xero(xero_emulator, invoice) -> dict:
    return xero_emulator.store.get("Invoices", invoice.number)


def xero_lines(xero_emulator, invoice) -> list[dict]:
    """The Xero invoice's lines as the bookkeeper's edit sends them back (with their LineItemIDs)."""
    return [{k: v for k, v in line.items() if k in SUBMITTED} for line in in_xero(xero_emulator, invoice)["LineItems"]]


def edit_in_xero(xero_emulator, invoice, **fields) -> dict:
    return xero_emulator.store.edit("Invoices", in_xero(xero_emulator, invoice)["InvoiceID"], fields)


def syncro_lines(syncro_emulator, invoice) -> list[tuple]:
    return sorted((li.name, li.quantity, li.price, li.taxable) for li in syncro_emulator.store.invoice(invoice.id).line_items)


def writes(emulator) -> list:
    return [(e.method, e.path) for e in emulator.access_log.writes]


async def quiet(engine, syncro_emulator, xero_emulator, passes: int = 2) -> None:
    """``passes`` more passes write nothing anywhere."""
    syncro_emulator.access_log.clear()
    xero_emulator.access_log.clear()
    for _ in range(passes):
        report = await engine.run_pass()
        assert report.ok, await engine.state.parked.all()
    assert writes(syncro_emulator) == [] and writes(xero_emulator) == []


def edited_lines(xero_emulator, invoice) -> list[dict]:
    """Labour 1.5 -> 2, Cable removed, an untaxed "Support" line added (no tax rounding gap)."""
    labour, _cable = xero_lines(xero_emulator, invoice)
    return [{**labour, "Quantity": D("2")},
            {"Description": "Support", "Quantity": D("1"), "UnitAmount": D("50"), "AccountCode": "200", "TaxType": "NONE"}]


# -- header and lines -----------------------------------------------------------------------------
@pytest.mark.parametrize("put_sends", ["changes", "all"])
async def test_a_header_edit_in_xero_reaches_the_syncro_invoice(
    put_sends, syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    engine = await synced(fields=["date", "due_date", "po_number", "number", "lines"], put_sends=put_sends)
    edit_in_xero(xero_emulator, invoice, Date="2026-03-03", DueDate="2026-04-02", Reference="PO-78",
                 InvoiceNumber="1001-A")

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    after = syncro_emulator.store.invoice(invoice.id)
    assert (after.date, after.due_date, after.po_number, after.number) == (
        date(2026, 3, 3), date(2026, 4, 2), "PO-78", "1001-A")
    assert after.note is None and after.customer_id == invoice.customer_id  # nothing else reset
    assert writes(syncro_emulator)[-1] == ("PUT", f"/api/v1/invoices/{invoice.id}")
    assert report.counts["xero_invoices"].updated == 1


@pytest.mark.parametrize("put_sends", ["changes", "all"])
async def test_lines_added_changed_and_removed_in_xero_reach_syncro_with_totals_equal_to_the_cent(
    put_sends, syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    engine = await synced(put_sends=put_sends)
    edit_in_xero(xero_emulator, invoice, LineItems=edited_lines(xero_emulator, invoice))
    edited_total = in_xero(xero_emulator, invoice)["Total"]

    report = await engine.run_pass()
    back = await engine.run_pass()  # the invoices feature sends the Syncro invoice back to Xero

    assert report.ok and back.ok, await engine.state.parked.all()
    assert syncro_lines(syncro_emulator, invoice) == [("Labour", D("2"), D("120"), True), ("Support", D("1"), D("50"), False)]
    totals = syncro_emulator.store.totals(syncro_emulator.store.invoice(invoice.id))
    xero = in_xero(xero_emulator, invoice)
    assert totals.total == D(str(xero["Total"])) == D(str(edited_total)) == D("311.30")
    assert [line["Description"] for line in xero["LineItems"]] == ["Labour", "Support"]


async def test_a_line_with_a_syncro_products_item_becomes_that_product_at_xeros_price(
    syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    product = syncro_emulator.store.add_product("Dock", price_retail="40", taxable=False)
    engine = await synced(products=True)
    added = {"Description": "USB-C dock", "Quantity": D("2"), "UnitAmount": D("35"), "AccountCode": "200",
             "TaxType": "NONE", "ItemCode": f"SYNCRO-{product.id}"}
    edit_in_xero(xero_emulator, invoice, LineItems=[*xero_lines(xero_emulator, invoice), added])

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    [line] = [li for li in syncro_emulator.store.invoice(invoice.id).line_items if li.product_id == product.id]
    assert (line.name, line.quantity, line.price, line.taxable) == ("USB-C dock", D("2"), D("35"), False)
    await engine.run_pass()
    await quiet(engine, syncro_emulator, xero_emulator)


async def test_an_edit_converges_then_neither_side_is_written_again(syncro_emulator, xero_emulator, synced, shop):
    _, invoice = shop
    engine = await synced()
    edit_in_xero(xero_emulator, invoice, DueDate="2026-04-01", LineItems=edited_lines(xero_emulator, invoice))
    syncro_emulator.access_log.clear()
    xero_emulator.access_log.clear()

    report = await engine.run_pass()  # Xero's edits are read first, then the invoices feature sends back

    assert report.ok, await engine.state.parked.all()
    assert len(writes(syncro_emulator)) == 4  # header, one line changed, one added, one removed
    assert report.counts["invoices"].updated == 1 and len(writes(xero_emulator)) == 1
    await quiet(engine, syncro_emulator, xero_emulator)  # Xero's echo of that write changes nothing


async def test_invoices_the_daemon_wrote_itself_produce_no_writes(syncro_emulator, xero_emulator, synced, shop):
    _, invoice = shop
    engine = await synced()
    syncro_emulator.store.add_line_item(invoice.id, name="Extra", quantity="2", price="10", taxable=True)
    syncro_emulator.access_log.clear()

    report = await engine.run_pass()  # the invoices feature updates Xero; the poll sees its own write

    assert report.ok and report.counts["invoices"].updated == 1
    assert report.counts["xero_invoices"].unchanged == 1
    assert writes(syncro_emulator) == []
    assert [e for e in xero_emulator.access_log.matching(method="GET", path="/api.xro/2.0/Invoices")
            if "IDs" in e.query] == []  # known to be in step from the poll and the pass's own Syncro read
    await quiet(engine, syncro_emulator, xero_emulator)


async def test_a_rounding_cent_between_xero_and_syncro_is_noted_and_settled_to_syncros_total(
    syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    engine = await synced()
    labour, cable = xero_lines(xero_emulator, invoice)
    edit_in_xero(xero_emulator, invoice, LineItems=[labour, {**cable, "TaxType": labour["TaxType"]}])

    report = await engine.run_pass()
    await engine.run_pass()

    # Xero taxes each line (15.98 + 2.66), Syncro the invoice's sum (18.63)
    assert f"invoice {invoice.number}: Syncro's total is 228.60 after the edit, Xero showed 228.61" in (
        report.counts["xero_invoices"].notes[-1])
    totals = syncro_emulator.store.totals(syncro_emulator.store.invoice(invoice.id))
    assert totals.total == D(str(in_xero(xero_emulator, invoice)["Total"])) == D("228.60")
    await quiet(engine, syncro_emulator, xero_emulator)


async def test_the_rounding_line_the_invoices_feature_adds_never_reaches_syncro(syncro_emulator, xero_emulator, synced):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1.5", "price": "120", "taxable": True},
                                              {"name": "Cable", "quantity": "3", "price": "9.99", "taxable": True}])
    engine = await synced(invoices={"rounding": "rounding_line"})
    assert "Rounding (to match Syncro's total)" in [line["Description"] for line in in_xero(xero_emulator, invoice)["LineItems"]]
    edit_in_xero(xero_emulator, invoice, DueDate="2026-04-01")

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert store.invoice(invoice.id).due_date == date(2026, 4, 1)
    assert [li.name for li in store.invoice(invoice.id).line_items] == ["Labour", "Cable"]
    assert report.counts["invoices"].updated == 1  # sent back once, rounding line and all
    await quiet(engine, syncro_emulator, xero_emulator)


async def test_a_dry_run_writes_nothing_to_syncro_and_says_what_it_would_do(syncro_emulator, xero_emulator, synced, shop):
    _, invoice = shop
    engine = await synced()
    edit_in_xero(xero_emulator, invoice, LineItems=edited_lines(xero_emulator, invoice))

    planned = await engine.run_pass(dry_run=True)

    assert writes(syncro_emulator) == []
    assert f"would write Xero's edit of invoice {invoice.number} to Syncro: 1 line(s) changed; 1 line(s) added; " \
           "1 line(s) removed" in planned.counts["xero_invoices"].notes


# -- what is never done automatically ------------------------------------------------------------
@pytest.mark.parametrize("status", ["VOIDED", "DELETED"])
async def test_an_invoice_voided_in_xero_parks_with_what_to_do_and_stays_in_syncro(
    status, syncro_emulator, xero_emulator, synced, shop, fake_clock
):
    _, invoice = shop
    engine = await synced(invoices={"status": "DRAFT"} if status == "DELETED" else {})  # only drafts are deleted
    edit_in_xero(xero_emulator, invoice, Status=status)

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert parked.feature == "xero_invoices"
    assert f"Invoice {invoice.number} was {status.lower()} in Xero. The daemon never deletes invoices in Syncro" in (
        parked.reason)
    assert invoice.id in syncro_emulator.store.invoices and writes(syncro_emulator) == []
    assert (await engine.retry()).parked_total == 1  # still in Syncro
    syncro_emulator.store.delete_invoice(invoice.id)  # the bookkeeper does it
    fake_clock.advance(3601)  # the deletion scan
    await engine.run_pass()
    assert (await engine.retry()).parked_total == 0


async def test_on_void_note_only_notes_it(syncro_emulator, xero_emulator, synced, shop):
    _, invoice = shop
    engine = await synced(on_void="note")
    edit_in_xero(xero_emulator, invoice, Status="VOIDED")

    report = await engine.run_pass()

    assert report.ok and await engine.state.parked.all() == []
    assert f"invoice {invoice.number}: voided in Xero; Syncro's invoice is kept" in report.counts["xero_invoices"].notes
    assert writes(syncro_emulator) == []


async def test_a_tax_type_no_syncro_rate_maps_to_parks_with_nothing_written(
    syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    engine = await synced()
    labour, cable = xero_lines(xero_emulator, invoice)
    edit_in_xero(xero_emulator, invoice, DueDate="2026-04-01", LineItems=[{**labour, "TaxType": "OUTPUT2"}, cable])

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "has the Xero tax type OUTPUT2, which no Syncro tax rate maps to" in parked.reason
    assert "Nothing was written to Syncro" in parked.reason and writes(syncro_emulator) == []


async def test_a_syncro_rate_other_than_xeros_for_a_mapped_tax_type_parks_once_syncro_recomputes(
    syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    store = syncro_emulator.store
    gst = next(rate for rate in store.tax_rates.values() if rate.name == "GST")
    engine = await synced()
    store.tax_rates[gst.id] = replace(gst, components=(("GST", D("12")),))  # Syncro's GST is no longer Xero's 10 %
    gst_type = next(r["TaxType"] for r in xero_emulator.store.records("TaxRates") if r["Name"] == "GST")
    labour, cable = xero_lines(xero_emulator, invoice)
    edit_in_xero(xero_emulator, invoice, LineItems=[labour, {**cable, "TaxType": gst_type}])

    await engine.run_pass()

    [parked] = [p for p in await engine.state.parked.all() if p.feature == "xero_invoices"]
    assert parked.reason.startswith(f"Invoice {invoice.number} has Xero's edit in Syncro now, but Syncro's recomputed "
                                    "totals differ from Xero's by more than rounding")
    assert "Syncro charged 19.58 tax; the mapped Xero tax types give 18.98" in parked.reason


async def test_a_reference_that_does_not_fit_reference_format_parks_with_nothing_written(
    syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    engine = await synced(invoices={"reference_format": "PO {po_number}"})
    edit_in_xero(xero_emulator, invoice, Reference="ORDER 9", DueDate="2026-04-01")

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "reference in Xero, 'ORDER 9', does not fit [plugins.invoices] reference_format 'PO {po_number}'" in (
        parked.reason)
    assert writes(syncro_emulator) == []
    edit_in_xero(xero_emulator, invoice, Reference="PO 78")
    assert (await engine.run_pass()).ok
    assert syncro_emulator.store.invoice(invoice.id).po_number == "78"


async def test_check_says_which_fields_cannot_be_read_back_through_the_invoices_templates(open_engine, configure):
    engine = await open_engine(configure(invoices={"reference_format": "{number}"}, fields=["po_number", "number"]))

    results = {r.what: r for r in await engine.check() if r.what.startswith("plugins.xero_invoices")}

    assert not results["plugins.xero_invoices.fields: po_number"].ok
    assert results["plugins.xero_invoices.fields: number"].ok


async def test_tax_inclusive_amounts_in_xero_park_instead_of_becoming_syncro_prices(
    syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    engine = await synced()
    edit_in_xero(xero_emulator, invoice, LineAmountTypes="Inclusive")

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "line amounts are 'Inclusive' in Xero; Syncro's prices exclude tax" in parked.reason
    assert writes(syncro_emulator) == []


async def test_a_discount_amount_in_xero_parks_instead_of_being_lost(syncro_emulator, xero_emulator, synced, shop):
    _, invoice = shop
    engine = await synced()
    labour, cable = xero_lines(xero_emulator, invoice)
    edit_in_xero(xero_emulator, invoice, LineItems=[labour, {**cable, "DiscountAmount": D("5")}])

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert f"Line 'Cable' of invoice {invoice.number} amounts to 24.97 in Xero, which is not its quantity × price" in (
        parked.reason)
    assert writes(syncro_emulator) == []


async def test_a_payment_in_xero_is_no_edit_of_the_invoice(syncro_emulator, xero_emulator, make_config, open_engine,
                                                           fake_clock):
    store = syncro_emulator.store
    store.add_payment_method("Bank Transfer")
    customer = store.add_customer(business_name="Payer Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Work", "quantity": "1", "price": "100", "taxable": False}])
    plugins = {"contacts": {}, "tax": tax_settings_for(store), "invoices": {}, "xero_invoices": {},
               "xero_payments": {"methods": {"090": "Bank Transfer"}}}
    engine = await open_engine(make_config(plugins=plugins))
    assert (await engine.run_pass()).ok
    fake_clock.advance(60)
    async with XeroTestClient(xero_emulator) as bookkeeper:
        status, _, body = await bookkeeper.call("PUT", "/Payments", json={"Payments": [
            {"Invoice": {"InvoiceID": in_xero(xero_emulator, invoice)["InvoiceID"]}, "Account": {"Code": "090"},
             "Amount": 100}]})
    assert status == 200, body
    syncro_emulator.access_log.clear()

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert in_xero(xero_emulator, invoice)["Status"] == "PAID"
    assert writes(syncro_emulator) == [("POST", "/api/v1/payments")]  # xero_payments' alone
    assert report.counts["xero_invoices"].unchanged == 1
    await quiet(engine, syncro_emulator, xero_emulator)


async def test_syncro_refusing_a_change_parks_with_syncros_words(syncro_emulator, xero_emulator, synced, shop):
    customer, invoice = shop
    other = syncro_emulator.store.add_customer(business_name="Other Ltd")
    syncro_emulator.store.add_payment(customer.id, "10", invoice_id=invoice.id)  # recorded in Syncro only
    engine = await synced(fields=["customer", "lines"])
    contact = xero_emulator.store.get("Contacts", f"SYNCRO-{other.id}")
    edit_in_xero(xero_emulator, invoice, Contact={"ContactID": contact["ContactID"]},
                 LineItems=edited_lines(xero_emulator, invoice))

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert parked.reason.startswith(f"Syncro refused to change its customer_id on invoice {invoice.number}: "
                                    "Validation failed: Customer can't change once a payment is applied. "
                                    "Nothing was written to Syncro.")
    assert syncro_emulator.store.invoice(invoice.id).customer_id == customer.id
    assert len(syncro_emulator.store.invoice(invoice.id).line_items) == 2


async def test_a_paid_syncro_invoice_parks_instead_of_being_half_edited(syncro_emulator, xero_emulator, synced, shop):
    customer, invoice = shop
    engine = await synced()
    total = syncro_emulator.store.totals(invoice).total
    syncro_emulator.store.add_payment(customer.id, total, invoice_id=invoice.id)
    edit_in_xero(xero_emulator, invoice, DueDate="2026-04-01", LineItems=edited_lines(xero_emulator, invoice))

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "it is paid in Syncro" in parked.reason and "Nothing was written to Syncro" in parked.reason
    assert writes(syncro_emulator) == []


async def test_a_syncro_edit_the_invoices_feature_could_not_send_is_never_overwritten_from_xero(
    syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    engine = await synced()
    syncro_emulator.store.add_line_item(invoice.id, name="Extra", quantity="1", price="5", taxable=False)
    assert (await engine.run_pass()).ok  # in step on both sides now
    xero_emulator.store.insert("Payments", Invoice={"InvoiceID": in_xero(xero_emulator, invoice)["InvoiceID"]},
                               Account={"Code": "090"}, Amount="10.00", Date="2026-03-02")
    syncro_emulator.store.add_line_item(invoice.id, name="Late", quantity="1", price="7", taxable=False)
    syncro_emulator.access_log.clear()

    await engine.run_pass()  # Xero refuses the paid invoice's update (invoices parks); the payment is a Xero change

    [parked] = await engine.state.parked.all()
    assert parked.feature == "invoices"
    assert "Late" in [li.name for li in syncro_emulator.store.invoice(invoice.id).line_items]
    assert writes(syncro_emulator) == []


async def test_an_invoice_edited_on_both_sides_in_different_fields_keeps_both_edits(
    syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    engine = await synced()
    syncro_emulator.store.add_line_item(invoice.id, name="Late", quantity="1", price="7", taxable=False)
    edit_in_xero(xero_emulator, invoice, DueDate="2026-04-01")  # within the same interval

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert syncro_emulator.store.invoice(invoice.id).due_date == date(2026, 4, 1)  # the bookkeeper's edit kept
    xero = in_xero(xero_emulator, invoice)
    assert _xero_day(xero["DueDate"]) == date(2026, 4, 1)
    assert "Late" in [line["Description"] for line in xero["LineItems"]]
    assert D(str(xero["Total"])) == syncro_emulator.store.totals(syncro_emulator.store.invoice(invoice.id)).total
    await quiet(engine, syncro_emulator, xero_emulator)


@pytest.mark.parametrize("conflict", ["syncro", "xero"])
async def test_a_field_changed_on_both_sides_is_settled_by_conflict_and_noted(
    conflict, syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    engine = await synced(conflict=conflict)
    syncro_emulator.store.update_invoice(invoice.id, due_date="2026-04-15")
    edit_in_xero(xero_emulator, invoice, DueDate="2026-04-01")  # within the same interval

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    wanted = {"syncro": date(2026, 4, 15), "xero": date(2026, 4, 1)}[conflict]
    assert syncro_emulator.store.invoice(invoice.id).due_date == wanted
    assert _xero_day(in_xero(xero_emulator, invoice)["DueDate"]) == wanted
    kept = "kept" if conflict == "syncro" else "replaced"
    assert (f"invoice {invoice.number}: due date changed in Syncro and in Xero; {kept} Syncro's 2026-04-15"
            in " ".join(report.counts["xero_invoices"].notes))
    await quiet(engine, syncro_emulator, xero_emulator)


async def test_a_syncro_change_sent_before_the_next_poll_is_not_taken_for_a_xero_edit(
    syncro_emulator, xero_emulator, synced, shop, fake_clock
):
    _, invoice = shop
    engine = await synced()
    syncro_emulator.store.update_invoice(invoice.id, due_date="2026-04-15")
    assert (await engine.run_pass()).ok  # sent to Xero; Xero's poll came first in that pass
    syncro_emulator.store.update_invoice(invoice.id, due_date="2026-04-20")
    fake_clock.advance(60)

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert report.counts["xero_invoices"].notes == []
    assert _xero_day(in_xero(xero_emulator, invoice)["DueDate"]) == date(2026, 4, 20)
    await quiet(engine, syncro_emulator, xero_emulator)


async def test_a_xero_edit_made_during_a_pass_is_not_sent_over_but_read_first_next_pass(
    syncro_emulator, xero_emulator, synced, shop, fake_clock, monkeypatch
):
    from syncro_xero.plugins.invoices import Invoices

    _, invoice = shop
    engine = await synced()
    syncro_emulator.store.add_line_item(invoice.id, name="Late", quantity="1", price="7", taxable=False)
    real_handle = Invoices.handle

    async def bookkeeper_edits_meanwhile(self, change, ctx):  # after Xero's edits were read this pass
        fake_clock.advance(2)
        edit_in_xero(xero_emulator, invoice, DueDate="2026-04-01")
        monkeypatch.setattr(Invoices, "handle", real_handle)
        await real_handle(self, change, ctx)

    monkeypatch.setattr(Invoices, "handle", bookkeeper_edits_meanwhile)
    during = await engine.run_pass()
    assert _xero_day(in_xero(xero_emulator, invoice)["DueDate"]) == date(2026, 4, 1)  # not sent over
    assert [feature for feature, _, _ in during.waiting] == ["invoices"]
    fake_clock.advance(60)

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert syncro_emulator.store.invoice(invoice.id).due_date == date(2026, 4, 1)
    xero = in_xero(xero_emulator, invoice)
    assert _xero_day(xero["DueDate"]) == date(2026, 4, 1) and "Late" in [li["Description"] for li in xero["LineItems"]]
    await quiet(engine, syncro_emulator, xero_emulator)


def _xero_day(value) -> date:
    """A Xero date as the emulator's store holds it (a date) or as it answers (an instant)."""
    from syncro_xero import parse_instant

    return value if isinstance(value, date) else parse_instant(value).date()


# -- crash safety ---------------------------------------------------------------------------------
async def test_a_crash_between_line_writes_then_a_rerun_converges_without_duplicates(
    syncro_emulator, xero_emulator, synced, shop, open_engine, configure, monkeypatch
):
    _, invoice = shop
    await synced()
    edit_in_xero(xero_emulator, invoice, LineItems=edited_lines(xero_emulator, invoice))
    wanted = sorted((line["Description"], D(str(line["Quantity"])), D(str(line["UnitAmount"])))
                    for line in in_xero(xero_emulator, invoice)["LineItems"])
    line_writes = []

    def crash_after_first_line_write(real):
        async def call(self, path, *body):
            if "/line_items" in path and line_writes:
                raise SimulatedCrash(f"before {path}")
            answer = await real(self, path, *body)
            if "/line_items" in path:
                line_writes.append(path)
            return answer

        return call

    for method in ("put", "post", "delete"):
        monkeypatch.setattr(SyncroClient, method, crash_after_first_line_write(getattr(SyncroClient, method)))
    crashed = await open_engine(configure())
    with pytest.raises(SimulatedCrash):
        await crashed.run_pass()
    monkeypatch.undo()
    assert len(line_writes) == 1  # half written

    rerun = await open_engine(configure())
    report = await rerun.run_pass()  # prepare finishes the edit before the invoices feature sends anything

    assert report.ok, await rerun.state.parked.all()
    assert [(n, q, p) for n, q, p, _ in syncro_lines(syncro_emulator, invoice)] == wanted
    xero = in_xero(xero_emulator, invoice)
    assert sorted((line["Description"], D(str(line["Quantity"])), D(str(line["UnitAmount"])))
                  for line in xero["LineItems"]) == wanted
    assert syncro_emulator.store.totals(syncro_emulator.store.invoice(invoice.id)).total == D(str(xero["Total"]))
    await quiet(rerun, syncro_emulator, xero_emulator)


async def test_a_line_post_without_a_clear_answer_is_found_by_reading_the_invoice_not_added_twice(
    monkeypatch, syncro_emulator, xero_emulator, synced, shop
):
    _, invoice = shop
    engine = await synced()
    edit_in_xero(xero_emulator, invoice, LineItems=edited_lines(xero_emulator, invoice))
    post = SyncroClient.post

    async def applied_but_unanswered(self, path, body):
        await post(self, path, body)
        raise SyncroWriteUncertain(f"POST {path}: no clear answer", endpoint=f"POST {path}", status=502)

    monkeypatch.setattr(SyncroClient, "post", applied_but_unanswered)
    report = await engine.run_pass()
    monkeypatch.undo()

    assert report.ok, await engine.state.parked.all()
    assert syncro_lines(syncro_emulator, invoice) == [("Labour", D("2"), D("120"), True), ("Support", D("1"), D("50"), False)]
    assert syncro_emulator.access_log.count(method="POST", path=f"/api/v1/invoices/{invoice.id}/line_items") == 1
    [added] = [w for w in await engine.state.syncro_journal.confirmed("invoice_editing", str(invoice.id))
               if w.method == "POST"]
    assert (added.step, added.response["name"]) == ("add line 'Support'", "Support")
    assert await engine.state.syncro_journal.unsettled("invoice_editing", str(invoice.id)) == []
    await quiet(engine, syncro_emulator, xero_emulator)


@pytest.mark.parametrize("fallback", ["customer", "account default", "none"])
async def test_a_line_moved_off_its_own_syncro_rate_in_xero_names_the_rate_it_falls_back_to_or_parks(
    syncro_emulator, xero_emulator, make_config, open_engine, fake_clock, fallback
):
    """Syncro's tax_rate_id is not nullable in the spec: never sent as null, the fallback rate is named instead."""
    store = syncro_emulator.store
    gst = next(rate for rate in store.tax_rates.values() if rate.name == "GST")
    default = store.account.default_tax_rate_id
    customer = store.add_customer(business_name="Acme Ltd", **({"tax_rate_id": default} if fallback == "customer" else {}))
    invoice = store.add_invoice(customer.id, [{"name": "Labour", "quantity": "1", "price": "100", "taxable": True,
                                               "tax_rate_id": gst.id}], date="2026-03-01", due_date="2026-03-15")
    tax = tax_settings_for(store)
    if fallback != "account default":
        del tax["syncro_default_rate_id"]
    engine = await open_engine(make_config(plugins={"contacts": {}, "tax": tax, "invoices": {}, "xero_invoices": {}}))
    assert (await engine.run_pass()).ok
    fake_clock.advance(60)
    default_type = next(r["TaxType"] for r in xero_emulator.store.records("TaxRates")
                        if r["Name"] == store.tax_rates[default].name[:50])
    [labour] = xero_lines(xero_emulator, invoice)
    # the type a line without a rate of its own gets: the default rate's, else sales_taxable's
    fallback_type = "OUTPUT2" if fallback == "none" else default_type
    edit_in_xero(xero_emulator, invoice, LineItems=[{**labour, "TaxType": fallback_type}])

    await engine.run_pass()

    parked = await engine.state.parked.all()
    if fallback == "none":
        assert "no documented way to remove a line's tax rate" in parked[0].reason
        assert writes(syncro_emulator) == []
    else:
        assert parked == [] and store.invoice(invoice.id).line_items[0].tax_rate_id == default


async def test_a_crash_while_writing_an_edit_with_a_conflict_resumes_the_same_settlement(
    syncro_emulator, xero_emulator, synced, shop, open_engine, configure, monkeypatch
):
    _, invoice = shop
    await synced()
    syncro_emulator.store.update_invoice(invoice.id, due_date="2026-04-15")
    edit_in_xero(xero_emulator, invoice, DueDate="2026-04-01", LineItems=edited_lines(xero_emulator, invoice))
    line_writes = []

    def crash_after_first_line_write(real):
        async def call(self, path, *body):
            if "/line_items" in path and line_writes:
                raise SimulatedCrash(f"before {path}")
            answer = await real(self, path, *body)
            if "/line_items" in path:
                line_writes.append(path)
            return answer

        return call

    for method in ("put", "post", "delete"):
        monkeypatch.setattr(SyncroClient, method, crash_after_first_line_write(getattr(SyncroClient, method)))
    with pytest.raises(SimulatedCrash):
        await (await open_engine(configure())).run_pass()
    monkeypatch.undo()

    rerun = await open_engine(configure())
    report = await rerun.run_pass()

    assert report.ok, await rerun.state.parked.all()
    assert syncro_emulator.store.invoice(invoice.id).due_date == date(2026, 4, 15)  # conflict = "syncro", still
    assert _xero_day(in_xero(xero_emulator, invoice)["DueDate"]) == date(2026, 4, 15)
    assert sorted(li.name for li in syncro_emulator.store.invoice(invoice.id).line_items) == ["Labour", "Support"]
    await quiet(rerun, syncro_emulator, xero_emulator)
