"""Money in: payments (full, partial, split, over), refunds and store credit, end to end.

Every test ends by proving the contact's outstanding balance in Xero equals the customer's
balance in Syncro (what the customer owes less the credit they hold).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers import SimulatedCrash, assert_balances_agree, crash_at
from syncro_xero.engine import Engine
from syncro_xero.testing import tax_settings_for

D = Decimal
ALL = ("contacts", "tax", "invoices", "payments", "refunds", "store_credit")


@pytest.fixture
def configure(make_config, syncro_emulator):
    def make(**overrides):
        plugins = {name: {} for name in ALL}
        plugins["tax"] = tax_settings_for(syncro_emulator.store)
        plugins.update(overrides)
        return make_config(plugins=plugins)

    return make


@pytest.fixture
def shop(syncro_emulator):
    """A customer and a way to raise untaxed invoices for them."""
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Payer Ltd")

    def invoice(amount: str):
        return store.add_invoice(customer.id, [{"name": "Work", "quantity": "1", "price": amount, "taxable": False}])

    return customer, invoice


def xero_invoice(xero_emulator, invoice) -> dict:
    return xero_emulator.store.get("Invoices", invoice.number)


async def test_a_full_payment_pays_the_xero_invoice_into_the_mapped_account(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    inv = invoice("100")
    syncro_emulator.store.add_payment(customer.id, "100", invoice_id=inv.id, method="Credit Card", ref_num="CH-1")
    engine = await open_engine(configure(payments={"accounts": {"Credit Card": "090"}}))

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert xero_invoice(xero_emulator, inv)["Status"] == "PAID"
    [payment] = xero_emulator.store.records("Payments")
    assert payment["Reference"].startswith("CH-1") and payment["Account"]["Code"] == "090"
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_partial_payments_complete_an_invoice_one_payment_each(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    inv = invoice("300")
    engine = await open_engine(configure())
    syncro_emulator.store.add_payment(customer.id, "100", invoice_id=inv.id)
    await engine.run_pass()
    assert xero_invoice(xero_emulator, inv)["Status"] == "AUTHORISED"
    assert_balances_agree(syncro_emulator, xero_emulator, customer)
    syncro_emulator.store.add_payment(customer.id, "200", invoice_id=inv.id)

    await engine.run_pass()

    assert xero_invoice(xero_emulator, inv)["Status"] == "PAID"
    assert len(xero_emulator.store.records("Payments")) == 2
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_a_split_payment_is_one_batch_payment_over_its_invoices(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    invoices = [invoice("100"), invoice("50"), invoice("25.50")]
    syncro_emulator.store.add_payment(customer.id, "175.50", applied={i.id: i_amount for i, i_amount in
                                                                     zip(invoices, ("100", "50", "25.50"))})
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    [batch] = xero_emulator.store.records("BatchPayments")
    assert D(str(batch["TotalAmount"])) == D("175.50")
    assert all(xero_invoice(xero_emulator, i)["Status"] == "PAID" for i in invoices)
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_a_split_payment_as_one_payment_per_invoice_when_configured(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    first, second = invoice("10"), invoice("20")
    syncro_emulator.store.add_payment(customer.id, "30", applied={first.id: "10", second.id: "20"})
    engine = await open_engine(configure(payments={"split_payments": "per_invoice"}))

    await engine.run_pass()

    assert xero_emulator.store.records("BatchPayments") == []
    assert len(xero_emulator.store.records("Payments")) == 2
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_an_overpayment_pays_the_invoice_and_keeps_the_excess_as_xero_credit(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    inv = invoice("80")
    syncro_emulator.store.add_payment(customer.id, "100", invoice_id=inv.id)
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert xero_invoice(xero_emulator, inv)["Status"] == "PAID"
    [overpayment] = xero_emulator.store.records("Overpayments")
    assert D(str(overpayment["RemainingCredit"])) == D("20")
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_overpayment_credit_applied_later_is_allocated_in_xero(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    first = invoice("80")
    syncro_emulator.store.add_payment(customer.id, "100", invoice_id=first.id)
    engine = await open_engine(configure())
    await engine.run_pass()
    later = invoice("15")
    await engine.run_pass()
    assert_balances_agree(syncro_emulator, xero_emulator, customer)
    syncro_emulator.store.apply_store_credit(customer.id, later.id, "15")

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert xero_invoice(xero_emulator, later)["Status"] == "PAID"
    [overpayment] = xero_emulator.store.records("Overpayments")
    assert D(str(overpayment["RemainingCredit"])) == D("5")
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_a_payment_before_its_invoice_waits_and_then_syncs(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    inv = invoice("40")
    syncro_emulator.store.add_payment(customer.id, "40", invoice_id=inv.id)
    engine = await open_engine(configure())

    early = await engine.run_pass(only=["contacts", "tax", "payments"])
    assert early.counts["payments"].waiting == 1 and early.parked_total == 0
    assert xero_emulator.store.records("Payments") == []
    await engine.run_pass()

    assert xero_invoice(xero_emulator, inv)["Status"] == "PAID"
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_a_payment_deleted_in_syncro_is_removed_from_xero(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    inv = invoice("60")
    payment = syncro_emulator.store.add_payment(customer.id, "60", invoice_id=inv.id)
    engine = await open_engine(configure())
    await engine.run_pass()
    syncro_emulator.store.delete_payment(payment.id)

    await engine.run_pass()

    assert xero_invoice(xero_emulator, inv)["Status"] == "AUTHORISED"
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_a_refund_pays_back_the_credit_note_from_the_mapped_account(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    inv = invoice("120")
    syncro_emulator.store.add_payment(customer.id, "120", invoice_id=inv.id)
    syncro_emulator.store.refund_invoice(inv.id, payout="cash", method="Cash")
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    [note] = xero_emulator.store.records("CreditNotes")
    assert note["Status"] == "PAID" and D(str(note["RemainingCredit"])) == 0
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_refunds_from_liability_accounts_only_park_an_unmapped_method_and_check_says_why(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    inv = invoice("50")
    syncro_emulator.store.add_payment(customer.id, "50", invoice_id=inv.id)
    syncro_emulator.store.refund_invoice(inv.id, payout="cash", method="Cash")
    engine = await open_engine(configure(refunds={"liability_accounts_only": True}))

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert parked.feature == "refunds" and "not a liability account with payments enabled" in parked.reason
    checks = {r.what: r for r in await engine.check()}
    assert not checks["refunds paid by 'Cash'"].ok


async def test_refunds_with_a_liability_mapping_sync(syncro_emulator, xero_emulator, open_engine, configure, shop):
    customer, invoice = shop
    inv = invoice("50")
    syncro_emulator.store.add_payment(customer.id, "50", invoice_id=inv.id)
    syncro_emulator.store.refund_invoice(inv.id, payout="cash", method="Cash")
    engine = await open_engine(configure(refunds={"liability_accounts_only": True, "accounts": {"Cash": "2150"}}))

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    refund = next(p for p in xero_emulator.store.records("Payments") if p.get("CreditNote"))
    assert refund["Account"]["Code"] == "2150"
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_manual_store_credit_is_a_credit_note_allocated_when_applied(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    syncro_emulator.store.add_store_credit(customer.id, "30")
    engine = await open_engine(configure())
    await engine.run_pass()
    [note] = xero_emulator.store.records("CreditNotes")
    assert (note["Type"], D(str(note["RemainingCredit"]))) == ("ACCRECCREDIT", D("30"))
    assert_balances_agree(syncro_emulator, xero_emulator, customer)
    inv = invoice("45")
    await engine.run_pass()
    syncro_emulator.store.apply_store_credit(customer.id, inv.id, "30")

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    [note] = xero_emulator.store.records("CreditNotes")
    assert D(str(note["RemainingCredit"])) == 0
    assert D(str(xero_invoice(xero_emulator, inv)["AmountDue"])) == D("15")
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


@pytest.mark.parametrize("beyond_18", ["refuse", "truncate"])  # what Xero does with Details over 18 (unknown)
@pytest.mark.parametrize("when", ["before_send", "after_answer"])
async def test_a_crash_midway_through_a_split_payment_then_a_rerun_pays_once(
    when, beyond_18, syncro_emulator, xero_emulator, make_config, configure, fake_clock, shop
):
    xero_emulator.config.batch_details_beyond_18 = beyond_18
    customer, invoice = shop
    invoices = [invoice("10"), invoice("20"), invoice("30")]
    config = configure()
    setup = await Engine.open(config, clock=fake_clock)
    await setup.run_pass()  # contact and invoices in Xero
    await setup.close()
    syncro_emulator.store.add_payment(customer.id, "60", applied={i.id: a for i, a in zip(invoices, ("10", "20", "30"))},
                                      ref_num="EFT-88231")
    crashed = await Engine.open(config, clock=fake_clock)

    crashed.write_hooks = crash_at(1, when)
    with pytest.raises(SimulatedCrash):
        await crashed.run_pass()
    fake_clock.advance(400)  # past Xero's idempotency window: only the journal can prevent a double
    rerun = await Engine.open(config, clock=fake_clock)
    try:
        report = await rerun.run_pass()
        assert report.ok, await rerun.state.parked.all()
        [batch] = xero_emulator.store.records("BatchPayments")
        assert len(batch["Details"]) <= 18
        assert all(xero_invoice(xero_emulator, i)["Status"] == "PAID" for i in invoices)
        assert_balances_agree(syncro_emulator, xero_emulator, customer)
    finally:
        await rerun.close()
        await crashed.close()


async def test_check_proves_each_mapped_account_exists_and_accepts_payments(xero_emulator, open_engine, configure):
    engine = await open_engine(configure(payments={"accounts": {"Cash": "090", "Cheque": "200", "Card": "999"}}))

    results = {r.what: r for r in await engine.check()}

    assert results["plugins.payments.accounts.Cash = 090"].ok
    assert results["plugins.payments.accounts.Cheque = 200"].detail == (
        "'200' is not a bank account and does not accept payments")
    assert results["plugins.payments.accounts.Card = 999"].detail == "no account '999' in Xero"


def assert_amounts_due_agree(syncro_emulator, xero_emulator, invoices) -> None:
    for inv in invoices:
        due = D(str(xero_invoice(xero_emulator, inv)["AmountDue"]))
        assert due == syncro_emulator.store.totals(inv).balance_due, inv.number


@pytest.mark.parametrize("passes", ["earlier pass", "same pass"])
async def test_a_split_payment_over_a_partly_paid_invoice_pays_what_syncro_applied_to_each(
    passes, syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    first, second = invoice("100"), invoice("50")
    syncro_emulator.store.add_payment(customer.id, "80", invoice_id=first.id)
    engine = await open_engine(configure())
    if passes == "earlier pass":
        assert (await engine.run_pass()).ok, await engine.state.parked.all()
    syncro_emulator.store.add_payment(customer.id, "70", applied={first.id: "20", second.id: "50"})

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert_amounts_due_agree(syncro_emulator, xero_emulator, [first, second])
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_a_split_that_leaves_credit_pays_each_invoice_only_what_syncro_applied(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    first, second = invoice("100"), invoice("100")
    syncro_emulator.store.add_payment(customer.id, "80", invoice_id=first.id)
    engine = await open_engine(configure())
    await engine.run_pass()
    syncro_emulator.store.add_payment(customer.id, "70", applied={first.id: "10", second.id: "50"})

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert_amounts_due_agree(syncro_emulator, xero_emulator, [first, second])
    [overpayment] = xero_emulator.store.records("Overpayments")
    assert D(str(overpayment["RemainingCredit"])) == D("10")
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_splits_the_balances_cannot_tell_apart_park_naming_the_payment_and_invoices(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    first, second = invoice("100"), invoice("100")
    one = syncro_emulator.store.add_payment(customer.id, "100", applied={first.id: "50", second.id: "50"})
    two = syncro_emulator.store.add_payment(customer.id, "100", applied={first.id: "50", second.id: "50"})
    engine = await open_engine(configure())

    await engine.run_pass()

    parked = {p.record_id: p.reason for p in await engine.state.parked.all("payments")}
    assert set(parked) == {str(one.id), str(two.id)}
    assert all(f"payment {p.id}" in parked[str(p.id)] for p in (one, two))
    assert all(f"Syncro invoice id {i.id}" in parked[str(one.id)] for i in (first, second))
    assert xero_emulator.store.records("Payments") == []
    assert xero_emulator.store.records("BatchPayments") == []


async def test_a_split_syncro_states_per_invoice_is_taken_as_stated_when_the_richer_shape_is_on(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    syncro_emulator.switches.invoice_payments = "applied"
    customer, invoice = shop
    first, second = invoice("100"), invoice("100")
    syncro_emulator.store.add_payment(customer.id, "100", applied={first.id: "30", second.id: "70"})
    syncro_emulator.store.add_payment(customer.id, "100", applied={first.id: "70", second.id: "30"})
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert_amounts_due_agree(syncro_emulator, xero_emulator, [first, second])
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


@pytest.mark.parametrize("passes", ["earlier pass", "same pass"])
async def test_credit_from_two_payments_applied_to_one_invoice_pays_it_in_full_oldest_credit_first(
    passes, syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    first = invoice("80")
    over = syncro_emulator.store.add_payment(customer.id, "100", invoice_id=first.id)
    syncro_emulator.store.add_payment(customer.id, "300", method="Check", ref_num="PREPAY-1")  # all credit
    engine = await open_engine(configure())
    if passes == "earlier pass":
        assert (await engine.run_pass()).ok, await engine.state.parked.all()
    later = invoice("150")
    syncro_emulator.store.apply_store_credit(customer.id, later.id, "150")

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert_amounts_due_agree(syncro_emulator, xero_emulator, [first, later])
    overpayments = xero_emulator.store.records("Overpayments")
    assert sum(D(str(o["RemainingCredit"])) for o in overpayments) == D("170")  # the prepayment's 300 less 130
    assert any(f"payment {over.id}: Syncro does not say how much" in n for n in report.counts["payments"].notes)
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_working_out_shares_reads_the_other_payments_from_the_list_not_one_by_one(
    syncro_emulator, xero_emulator, open_engine, configure, shop
):
    customer, invoice = shop
    first, second = invoice("100"), invoice("50")
    syncro_emulator.store.add_payment(customer.id, "80", invoice_id=first.id)
    syncro_emulator.store.add_payment(customer.id, "70", applied={first.id: "20", second.id: "50"})
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    assert syncro_emulator.access_log.count(method="GET", path="/api/v1/payments/") == 0
    assert_amounts_due_agree(syncro_emulator, xero_emulator, [first, second])


async def _crash_then_rerun(config, fake_clock, k: int, when: str):  # noqa: ANN001, ANN202
    """Run a pass that crashes at its k-th Xero write, then a pass of a fresh engine; the rerun's report."""
    crashed = await Engine.open(config, clock=fake_clock)
    crashed.write_hooks = crash_at(k, when)
    try:
        with pytest.raises(SimulatedCrash):
            await crashed.run_pass()
        fake_clock.advance(400)  # past Xero's idempotency window: only the lookup can prevent a double
        rerun = await Engine.open(config, clock=fake_clock)
        try:
            return await rerun.run_pass()
        finally:
            await rerun.close()
    finally:
        await crashed.close()


async def test_a_payment_whose_reference_has_backslashes_and_quotes_is_found_after_a_crash_not_paid_twice(
    syncro_emulator, xero_emulator, open_engine, configure, fake_clock, shop
):
    customer, invoice = shop
    inv = invoice("100")
    config = configure()
    await (await open_engine(config)).run_pass()  # contact and invoice in Xero
    syncro_emulator.store.add_payment(customer.id, "40", invoice_id=inv.id, ref_num='C:\\"Q"\\')

    report = await _crash_then_rerun(config, fake_clock, 1, "after_answer")

    assert report.ok and report.recovered["found"] == 1
    [payment] = xero_emulator.store.records("Payments")
    assert payment["Reference"].startswith('C:\\"Q"\\ · ')
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_an_overpayment_with_a_reference_is_found_after_a_crash_not_made_twice(
    syncro_emulator, xero_emulator, open_engine, configure, fake_clock, shop
):
    customer, invoice = shop
    inv = invoice("80")
    config = configure()
    await (await open_engine(config)).run_pass()
    syncro_emulator.store.add_payment(customer.id, "100", invoice_id=inv.id, ref_num="Dépôt 7")

    report = await _crash_then_rerun(config, fake_clock, 2, "after_answer")  # the payment, then the overpayment

    assert report.ok and report.recovered["found"] == 1
    assert len(xero_emulator.store.records("Overpayments")) == 1
    assert_balances_agree(syncro_emulator, xero_emulator, customer)


async def test_an_allocation_lost_in_a_crash_is_made_though_the_credit_note_was_already_allocated_to_that_invoice(
    syncro_emulator, xero_emulator, client, open_engine, configure, fake_clock, shop
):
    customer, invoice = shop
    syncro_emulator.store.add_store_credit(customer.id, "30")
    inv = invoice("45")
    config = configure()
    await (await open_engine(config)).run_pass()
    [note] = xero_emulator.store.records("CreditNotes")
    xero_inv = xero_invoice(xero_emulator, inv)
    status, _, _ = await client.put(  # a bookkeeper allocates 5 of the credit by hand in Xero
        f"/CreditNotes/{note['CreditNoteID']}/Allocations",
        {"Allocations": [{"Invoice": {"InvoiceID": xero_inv["InvoiceID"]}, "Amount": 5, "Date": "2026-03-02"}]})
    assert status == 200
    syncro_emulator.store.apply_store_credit(customer.id, inv.id, "20")

    report = await _crash_then_rerun(config, fake_clock, 1, "before_send")

    assert report.ok and report.recovered["lost"] == 1
    [note] = xero_emulator.store.records("CreditNotes")
    assert D(str(note["RemainingCredit"])) == D("5")
    assert D(str(xero_invoice(xero_emulator, inv)["AmountDue"])) == D("20")
