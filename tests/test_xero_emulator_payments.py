"""Xero emulator: Payments (partial, full, refused, deleted) and BatchPayments (split payments)."""

from datetime import date
from decimal import Decimal

import pytest
from helpers import errors

EXCEEDS = "Payment amount exceeds the amount outstanding on this document"


def seed_invoice(xero, contact, amount=100, status="AUTHORISED", **kw):
    """An ACCREC invoice of ``amount`` + 20% VAT."""
    return xero.store.insert("Invoices", {
        "Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, "Date": "2026-03-01", "DueDate": "2026-03-31",
        "Status": status, "LineItems": [{"Description": "Labour", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}],
        **kw})


def pay(invoice, amount, **kw):
    return {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Account": {"Code": "090"}, "Date": "2026-03-02",
            "Amount": amount, **kw}


def outstanding(xero, contact):
    return xero.store.view("Contacts", contact["ContactID"])["Balances"]["AccountsReceivable"]["Outstanding"]


async def test_partial_then_full_payment_turns_the_invoice_paid(xero, client, acme):
    inv = seed_invoice(xero, acme)
    assert outstanding(xero, acme) == Decimal("120.00")
    status, _, body = await client.put("/Payments", {"Payments": [pay(inv, 50, Reference="SYNCRO-P1")]})
    payment = body["Payments"][0]
    assert status == 200 and (payment["PaymentType"], payment["Status"], payment["Amount"]) == (
        "ACCRECPAYMENT", "AUTHORISED", Decimal("50.00"))
    assert (payment["Invoice"]["AmountDue"], payment["Invoice"]["Status"], payment["Account"]["Code"]) == (
        Decimal("70.00"), "AUTHORISED", "090")
    assert outstanding(xero, acme) == Decimal("70.00")
    await client.post("/Payments", pay(inv, 70, Date="2026-03-05"))
    _, _, body = await client.get(f"/Invoices/{inv['InvoiceID']}")
    paid = body["Invoices"][0]
    assert (paid["Status"], paid["AmountPaid"], paid["AmountDue"]) == ("PAID", Decimal("120.00"), Decimal("0.00"))
    assert paid["FullyPaidOnDate"] == "/Date(1772668800000+0000)/"
    assert [p["Amount"] for p in paid["Payments"]] == [Decimal("50.00"), Decimal("70.00")]
    assert outstanding(xero, acme) == Decimal("0.00")


async def test_amounts_over_what_is_outstanding_or_not_positive_are_refused(xero, client, acme):
    inv = seed_invoice(xero, acme)
    status, _, body = await client.put("/Payments", {"Payments": [pay(inv, 120.01), pay(inv, 0), pay(inv, -5)]})
    assert status == 400 and [errors(e) for e in body["Elements"]] == [
        [EXCEEDS], ["Payment amounts must be positive amounts"], ["Payment amounts must be positive amounts"]]
    assert body["Elements"][0]["HasValidationErrors"] is True and xero.store.records("Payments") == []
    await client.put("/Payments", {"Payments": [pay(inv, 120)]})
    _, _, body = await client.post("/Payments", pay(inv, 1))
    assert errors(body["Elements"][0]) == [EXCEEDS]


async def test_only_authorised_documents_and_payable_accounts_take_payments(xero, client, acme):
    draft = seed_invoice(xero, acme, status="DRAFT")
    approved = seed_invoice(xero, acme)
    _, _, body = await client.put("/Payments", {"Payments": [
        pay(draft, 10), pay(approved, 10, Account={"Code": "200"}), pay(approved, 10, Account={"Code": "999"}),
        {**pay(approved, 10), "CreditNote": {"CreditNoteNumber": "CN-9"}}]}, params={"summarizeErrors": "false"})
    assert [errors(p) for p in body["Payments"]] == [
        ["Payments can only be made against AUTHORISED documents."],
        ["Account '200' is not a bank account and does not accept payments."],
        ["A valid Account (Code or AccountID) must be specified."],
        ["A payment must be applied to one Invoice, CreditNote, Prepayment or Overpayment."],
    ]
    liability = xero.store.find("Accounts", Code="2100")
    status, _, body = await client.post("/Payments", pay(approved, 10, Account={"AccountID": liability["AccountID"]}))
    assert status == 200 and body["Payments"][0]["Account"]["Code"] == "2100"


async def test_a_payment_may_name_its_invoice_by_number(xero, client, acme):
    inv = seed_invoice(xero, acme)
    body = {"InvoiceNumber": inv["InvoiceNumber"], "Account": {"Code": "090"}, "Amount": 10}
    status, _, answer = await client.post("/Payments", body)
    assert status == 200 and answer["Payments"][0]["Invoice"]["InvoiceID"] == inv["InvoiceID"]
    assert answer["Payments"][0]["Date"] == "/Date(1772409600000+0000)/"  # today on the clock


@pytest.mark.off_spec_on_purpose("fields PaymentDelete does not have")
async def test_deleting_a_payment_reverses_it_and_payments_are_otherwise_unchangeable(xero, client, acme, fake_clock):
    inv = seed_invoice(xero, acme)
    _, _, body = await client.put("/Payments", {"Payments": [pay(inv, 120)]})
    payment_id = body["Payments"][0]["PaymentID"]
    assert xero.store.get("Invoices", inv["InvoiceID"])["Status"] == "PAID"
    _, _, body = await client.post(f"/Payments/{payment_id}", {"Status": "AUTHORISED", "Reference": "changed"})
    assert errors(body["Elements"][0]) == ["Payments cannot be modified, only created and deleted"]
    fake_clock.advance(60)
    status, _, body = await client.post(f"/Payments/{payment_id}", {"Status": "DELETED"})
    assert status == 200 and body["Payments"][0]["Status"] == "DELETED"
    after = xero.store.get("Invoices", inv["InvoiceID"])
    assert (after["Status"], after["AmountDue"], "FullyPaidOnDate" in after) == ("AUTHORISED", Decimal("120.00"), False)
    assert after["UpdatedDateUTC"] == fake_clock.now()
    _, _, listing = await client.get("/Payments", headers={"If-Modified-Since": "2026-03-02T09:00:30"})
    assert [(p["PaymentID"], p["Status"]) for p in listing["Payments"]] == [(payment_id, "DELETED")]


async def test_payments_list_by_reference_invoice_order_and_pages(xero, client, acme):
    first, second = seed_invoice(xero, acme), seed_invoice(xero, acme)
    await client.put("/Payments", {"Payments": [pay(first, 10, Reference="R-1"), pay(second, 20, Reference="R-2"),
                                                pay(first, 30, Reference="R-3")]})

    async def refs(**params):
        _, _, body = await client.get("/Payments", params=params)
        return [p["Reference"] for p in body["Payments"]]

    assert await refs(where='Reference=="R-2"') == ["R-2"]
    assert await refs(where=f'Invoice.InvoiceID==Guid("{first["InvoiceID"]}")') == ["R-1", "R-3"]
    assert await refs(order="Amount DESC") == ["R-3", "R-2", "R-1"]
    assert await refs(page="2", pageSize="2") == ["R-3"]
    payment = xero.store.find("Payments", Reference="R-2")
    _, _, body = await client.get(f"/Payments/{payment['PaymentID']}")
    assert body["Payments"][0]["Invoice"]["InvoiceNumber"] == second["InvoiceNumber"]


async def test_payments_in_a_locked_period_are_refused(xero, client, acme):
    inv = seed_invoice(xero, acme)
    _, _, body = await client.put("/Payments", {"Payments": [pay(inv, 10)]})
    xero.store.set_lock_dates(period=date(2026, 3, 2))
    _, _, refused = await client.put("/Payments", {"Payments": [pay(inv, 10)]})
    assert errors(refused["Elements"][0]) == [
        "The document date cannot be before the period lock date, currently set at 02-Mar-2026"]
    _, _, refused = await client.post(f"/Payments/{body['Payments'][0]['PaymentID']}", {"Status": "DELETED"})
    assert errors(refused["Elements"][0])[0].startswith("The document date cannot be before the period lock date")


async def test_a_batch_payment_pays_three_invoices_with_one_batch_id(xero, client, acme):
    invoices = [seed_invoice(xero, acme, amount) for amount in (100, 50, 10)]
    batch = {"Account": {"Code": "090"}, "Date": "2026-03-02", "Reference": "DEP-7", "Details": "Split payment",
             "Payments": [{"Invoice": {"InvoiceID": i["InvoiceID"]}, "Amount": a} for i, a in zip(invoices, (120, 30, 12))]}
    status, _, body = await client.put("/BatchPayments", {"BatchPayments": [batch]})
    made = body["BatchPayments"][0]
    assert status == 200 and (made["Type"], made["Status"], made["TotalAmount"]) == ("RECBATCH", "AUTHORISED", Decimal("162.00"))
    payments = xero.store.records("Payments")
    assert {p["BatchPaymentID"] for p in payments} == {made["BatchPaymentID"]} and len(payments) == 3
    assert [p["Reference"] for p in made["Payments"]] == ["DEP-7"] * 3
    assert [xero.store.get("Invoices", i["InvoiceID"])["Status"] for i in invoices] == ["PAID", "AUTHORISED", "PAID"]
    assert outstanding(xero, acme) == Decimal("30.00")
    _, _, body = await client.post(f"/Payments/{payments[0]['PaymentID']}", {"Status": "DELETED"})
    assert errors(body["Elements"][0]) == ["A payment that is part of a batch payment cannot be deleted on its own."]
    _, _, listing = await client.get("/BatchPayments", params={"where": 'Reference=="DEP-7"'})
    assert [b["BatchPaymentID"] for b in listing["BatchPayments"]] == [made["BatchPaymentID"]]


async def test_a_batch_with_one_bad_payment_saves_nothing(xero, client, acme):
    good, small = seed_invoice(xero, acme), seed_invoice(xero, acme, 10)
    batch = {"Account": {"Code": "090"}, "Payments": [{"Invoice": {"InvoiceID": good["InvoiceID"]}, "Amount": 120},
                                                       {"Invoice": {"InvoiceID": small["InvoiceID"]}, "Amount": 13}]}
    status, _, body = await client.put("/BatchPayments", {"BatchPayments": [batch]}, params={"summarizeErrors": "false"})
    assert status == 200 and errors(body["BatchPayments"][0]) == [EXCEEDS]
    assert xero.store.records("Payments") == [] and xero.store.records("BatchPayments") == []
    assert xero.store.get("Invoices", good["InvoiceID"])["Status"] == "AUTHORISED"


@pytest.mark.off_spec_on_purpose("Details over the spec's 18 characters")
async def test_batch_details_over_18_characters_are_refused_or_cut_to_18_when_switched(xero, client, acme):
    invoice = seed_invoice(xero, acme)
    batch = {"Account": {"Code": "090"}, "Details": "EFT-88231 Syncro payment 1",
             "Payments": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 10}]}
    _, _, body = await client.put("/BatchPayments", {"BatchPayments": [batch]}, params={"summarizeErrors": "false"})
    assert errors(body["BatchPayments"][0]) == ["Details must not be more than 18 characters long."]
    xero.config.batch_details_beyond_18 = "truncate"
    _, _, body = await client.put("/BatchPayments", {"BatchPayments": [batch]})
    assert body["BatchPayments"][0]["Details"] == "EFT-88231 Syncro p"


async def test_deleting_a_batch_payment_deletes_its_payments_unless_switched_off(xero, client, acme):
    invoices = [seed_invoice(xero, acme) for _ in range(2)]
    batch = {"Account": {"Code": "090"}, "Payments": [{"Invoice": {"InvoiceID": i["InvoiceID"]}, "Amount": 120} for i in invoices]}
    _, _, body = await client.put("/BatchPayments", {"BatchPayments": [batch]})
    batch_id = body["BatchPayments"][0]["BatchPaymentID"]
    xero.config.batch_payments_deletable = False
    _, _, refused = await client.post(f"/BatchPayments/{batch_id}", {"Status": "DELETED"})
    assert errors(refused["Elements"][0]) == ["Batch payments cannot be deleted via the API."]
    xero.config.batch_payments_deletable = True
    status, _, body = await client.post("/BatchPayments", {"BatchPaymentID": batch_id, "Status": "DELETED"})
    assert status == 200 and (body["BatchPayments"][0]["Status"], body["BatchPayments"][0]["Payments"]) == ("DELETED", [])
    assert {p["Status"] for p in xero.store.records("Payments")} == {"DELETED"}
    assert outstanding(xero, acme) == Decimal("240.00")
