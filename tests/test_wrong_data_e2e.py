"""Never wrong: what a reliability campaign found could put wrong data in Xero or Syncro, end to end.

Each test drives the daemon against both emulators into one of those corners and proves the data
stays right: a doubtful link parks instead of overwriting, an answer without its record is read
again instead of interpreted, a write whose answer cannot be read is looked up instead of resent.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers import SimulatedCrash, assert_balances_agree, crash_at
from syncro_xero.testing import tax_settings_for

D = Decimal


@pytest.fixture
def configure(make_config, syncro_emulator):
    def make(**overrides):
        plugins = {"contacts": {}, "tax": tax_settings_for(syncro_emulator.store), "invoices": {}}
        plugins.update(overrides)
        return make_config(plugins=plugins)

    return make


@pytest.fixture
def shop(syncro_emulator):
    """A customer and a way to raise untaxed invoices for them."""
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")

    def invoice(amount: str, owner=customer, **fields):
        return store.add_invoice(owner.id, [{"name": "Work", "quantity": "1", "price": amount, "taxable": False}],
                                 **fields)

    return customer, invoice


# -- item 4: a write's answer that cannot be read ---------------------------------------------------
@pytest.mark.parametrize("how", ["truncated", "empty"])
async def test_an_unreadable_answer_to_a_payment_is_looked_up_and_the_invoice_paid_once(
    how, syncro_emulator, xero_emulator, open_engine, configure, shop, fake_clock
):
    customer, invoice = shop
    inv = invoice("100")
    syncro_emulator.store.add_payment(customer.id, "100", invoice_id=inv.id)
    engine = await open_engine(configure(payments={}))
    xero_emulator.faults.garble_next(1, how, method="PUT", path="/api.xro/2.0/Payments")

    first = await engine.run_pass()
    fake_clock.advance(400)  # past Xero's idempotency window: a resend would be a new payment
    retried = await engine.retry()
    last = await engine.run_pass()

    # the unknown outcome fails that record for this pass only (issue 11 item 12); recovery looks it up next
    assert "may have been applied" in str(first.failed), first
    assert await engine.state.parked.all() == []
    assert retried.recovered == {"found": 1, "lost": 0} and last.ok
    assert len(xero_emulator.store.records("Payments")) == 1
    assert xero_emulator.store.get("Invoices", inv.number)["Status"] == "PAID"
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_an_unreadable_answer_to_a_batch_of_invoices_is_looked_up_and_each_posted_once(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    _, invoice = shop
    invoices = [invoice(str(10 * (i + 1))) for i in range(3)]
    engine = await open_engine(configure())
    xero_emulator.faults.garble_next(1, "truncated", method="PUT", path="/api.xro/2.0/Invoices")

    first = await engine.run_pass()
    last = await engine.run_pass()

    assert "may have been applied" in str(first.failed) and first.parked_total == 0
    assert last.ok and last.recovered == {"found": 3, "lost": 0}
    assert sorted(i["InvoiceNumber"] for i in xero_emulator.store.records("Invoices")) == sorted(
        i.number for i in invoices)
    assert (await engine.run_pass()).xero_calls == 0


# -- item 3: a Syncro answer without its record ----------------------------------------------------
@pytest.mark.parametrize("how", ["error_body", "empty"])
async def test_an_invoice_read_answered_without_the_record_is_read_again_never_taken_for_a_zero_invoice(
    how, syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    inv = invoice("100")
    syncro_emulator.store.add_payment(customer.id, "100", invoice_id=inv.id)
    engine = await open_engine(configure(payments={}))
    syncro_emulator.faults.garble_next(1, how, method="GET", path=f"/api/v1/invoices/{inv.id}")

    report = await engine.run_pass()

    assert report.ok, (report, await engine.state.parked.all())
    assert D(str(xero_emulator.store.get("Invoices", inv.number)["Total"])) == D("100")
    assert xero_emulator.store.get("Invoices", inv.number)["Status"] == "PAID"
    assert xero_emulator.store.records("BankTransactions") == []  # no overpayment
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_a_payment_whose_invoice_keeps_answering_without_the_record_waits_then_is_applied(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    inv = invoice("100")
    engine = await open_engine(configure(payments={}))
    assert (await engine.run_pass()).ok
    syncro_emulator.store.add_payment(customer.id, "100", invoice_id=inv.id)
    syncro_emulator.faults.garble_next(20, "error_body", method="GET", path=f"/api/v1/invoices/{inv.id}")

    waiting = await engine.run_pass()
    syncro_emulator.faults.reset()
    report = await engine.run_pass()

    assert {feature for feature, _, _ in waiting.failed} == {"invoices", "payments"}  # a failed read: next pass  # the payment bumped the invoice
    assert all("without the invoice record" in reason for _, _, reason in waiting.waiting)
    assert await engine.state.parked.all() == [] and report.ok
    assert xero_emulator.store.records("BankTransactions") == []  # never an overpayment
    assert xero_emulator.store.get("Invoices", inv.number)["Status"] == "PAID"
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


# -- item 1: a native Xero link that is not this invoice's ------------------------------------------
async def test_an_invoice_carrying_another_invoices_xero_id_parks_and_overwrites_nothing(
    syncro_emulator, xero_emulator, open_engine, configure, shop, fake_clock
):
    customer, invoice = shop
    store = syncro_emulator.store
    first = invoice("100")
    engine = await open_engine(configure(xero_invoices={}))
    assert (await engine.run_pass()).ok
    before = xero_emulator.store.get("Invoices", first.number)
    other_customer = store.add_customer(business_name="Other Ltd")
    second = invoice("250", other_customer)
    store.update_invoice(second.id, xero_id=before["InvoiceID"])
    fake_clock.advance(60)

    await engine.run_pass()
    fake_clock.advance(60)
    await engine.run_pass()  # the Xero-to-Syncro feature sees nothing of it either

    [parked] = await engine.state.parked.all()
    assert parked.record_id == str(second.id)
    assert f"Syncro invoice {second.number} carries the Xero id of an invoice that is not it" in parked.reason
    assert "already linked to Syncro invoice" in parked.reason
    after = xero_emulator.store.get("Invoices", first.number)
    assert (after["Contact"]["ContactID"], after["Total"], after["UpdatedDateUTC"]) == (
        before["Contact"]["ContactID"], before["Total"], before["UpdatedDateUTC"])
    assert [(li.name, li.price) for li in store.invoice(first.id).line_items] == [("Work", D("100"))]


@pytest.mark.parametrize("mismatch", ["customer", "number", "total"])
async def test_a_native_xero_id_whose_invoice_disagrees_parks_with_the_differences(
    mismatch, syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    store = syncro_emulator.store
    inv = invoice("100")
    engine = await open_engine(configure())
    assert (await engine.run_pass()).ok
    xero = xero_emulator.store.get("Invoices", inv.number)
    await engine.state.db.conn.execute("DELETE FROM links WHERE entity = 'invoice'")  # as if Syncro's own integration had posted it
    other = store.add_customer(business_name="Other Ltd")
    changed = {"customer": {"customer_id": other.id}, "number": {"number": "9999"}}.get(mismatch, {})
    store.update_invoice(inv.id, xero_id=xero["InvoiceID"], **changed)
    if mismatch == "total":
        store.add_line_item(inv.id, name="Extra", quantity="1", price="5", taxable=False)

    await engine.run_pass()

    [parked] = [p for p in await engine.state.parked.all() if p.record_id == str(inv.id)]
    assert "carries the Xero id of an invoice that is not it" in parked.reason
    assert {"customer": "another contact", "number": "numbered", "total": "total"}[mismatch] in parked.reason
    assert xero_emulator.store.get("Invoices", xero["InvoiceID"])["UpdatedDateUTC"] == xero["UpdatedDateUTC"]
    assert len(xero_emulator.store.records("Invoices")) == 1


# -- item 2: a number collision with a document that is not this invoice ----------------------------
@pytest.mark.parametrize("sign", ["", "-"], ids=["invoice", "credit note"])
async def test_a_document_of_the_same_number_and_contact_in_xero_parks_the_invoice_and_is_never_overwritten(
    sign, syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    resource, number_field, kind = (("CreditNotes", "CreditNoteNumber", "ACCRECCREDIT") if sign
                                    else ("Invoices", "InvoiceNumber", "ACCREC"))
    engine = await open_engine(configure())
    assert (await engine.run_pass()).ok  # the customer's contact
    inv = invoice(f"{sign}250")
    contact = xero_emulator.store.get("Contacts", f"SYNCRO-{customer.id}")
    theirs = xero_emulator.store.insert(  # the bookkeeper's own document, numbered as Syncro numbers next
        resource, Type=kind, Contact={"ContactID": contact["ContactID"]}, Date="2026-03-01", DueDate="2026-03-31", Status="AUTHORISED",
        LineAmountTypes="NoTax", **{number_field: inv.number},
        LineItems=[{"Description": "Bookkeeper's", "Quantity": "1", "UnitAmount": "100", "AccountCode": "200"}])

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert parked.record_id == str(inv.id)
    assert f"number {inv.number} is already used in Xero by another document" in parked.reason
    [after] = xero_emulator.store.records(resource)
    assert (after[number_field], after["Total"], after["UpdatedDateUTC"]) == (
        inv.number, theirs["Total"], theirs["UpdatedDateUTC"])


async def test_two_syncro_invoices_given_the_same_xero_number_post_the_first_and_park_the_second(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    _, invoice = shop
    first = invoice("100", po_number="PO-9")
    engine = await open_engine(configure(invoices={"invoice_number_format": "{po_number}"}))
    assert (await engine.run_pass()).ok
    before = xero_emulator.store.get("Invoices", "PO-9")
    second = invoice("250", po_number="PO-9")  # the same customer's next order, under the same PO

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert parked.record_id == str(second.id) and "number PO-9 is already used in Xero by another document" in parked.reason
    [after] = xero_emulator.store.records("Invoices")
    assert (after["Total"], after["Url"], after["UpdatedDateUTC"]) == (
        before["Total"], before["Url"], before["UpdatedDateUTC"])
    assert after["Url"].endswith(f"/invoices/{first.id}")


@pytest.mark.parametrize("sign", ["", "-"], ids=["invoice", "credit note"])
async def test_the_invoices_own_document_found_by_its_number_after_the_state_was_lost_is_linked(
    sign, syncro_emulator, xero_emulator, open_engine, configure, shop, fake_clock
):
    _, invoice = shop
    invoice(f"{sign}100")
    engine = await open_engine(configure())
    assert (await engine.run_pass()).ok
    for table, column, value in (("links", "entity", "invoice"), ("links", "entity", "credit_note"),
                                 ("records", "feature", "invoices"), ("journal", "feature", "invoices")):
        await engine.state.db.conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (value,))  # a restore
    fake_clock.advance(400)  # past Xero's idempotency window: a resend is a new request

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert len(xero_emulator.store.records("CreditNotes" if sign else "Invoices")) == 1
    assert "already in Xero; linked" in " ".join(report.counts["invoices"].notes)


# -- item 5: a write that must happen once, with no number to find it by -----------------------------
@pytest.mark.parametrize("sign", ["", "-"], ids=["invoice", "credit note"])
async def test_an_invoice_without_a_number_crashed_after_xero_applied_it_is_found_not_created_twice(
    sign, syncro_emulator, xero_emulator, open_engine, make_config, configure, shop, fake_clock
):
    _, invoice = shop
    config = configure()
    assert (await (await open_engine(config)).run_pass()).ok  # the customer's contact
    inv = invoice(f"{sign}100")
    store = syncro_emulator.store
    del store._numbers[inv.number]  # bad input: Syncro answers "number": null for it
    inv.number = None
    crashed = await open_engine(config)
    crashed.write_hooks = crash_at(1, "after_answer")
    with pytest.raises(SimulatedCrash):
        await crashed.run_pass()
    fake_clock.advance(400)  # a restart minutes later: past Xero's idempotency window

    rerun = await open_engine(config)
    report = await rerun.run_pass()

    assert report.ok and report.recovered == {"found": 1, "lost": 0}, (report, await rerun.state.parked.all())
    assert len(xero_emulator.store.records("CreditNotes" if sign else "Invoices")) == 1
    assert (await rerun.run_pass()).xero_calls == 0
