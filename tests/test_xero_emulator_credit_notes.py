"""Xero emulator: CreditNotes — totals and numbers, allocations to invoices, refunds, store credit."""

from decimal import Decimal

import pytest
from helpers import errors

OVER = "Credit Note cannot be allocated as amount is greater than amount outstanding"


def document(contact, kind, amount, status="AUTHORISED", **kw):
    return {"Type": kind, "Contact": {"ContactID": contact["ContactID"]}, "Date": "2026-03-01", "DueDate": "2026-03-31",
            "Status": status, "LineItems": [{"Description": "Item", "Quantity": 1, "UnitAmount": amount,
                                             "AccountCode": "200" if kind.startswith("ACCREC") else "429"}], **kw}


def seed(xero, contact, kind, amount, status="AUTHORISED", **kw):
    plural = "Invoices" if kind in ("ACCREC", "ACCPAY") else "CreditNotes"
    return xero.store.insert(plural, document(contact, kind, amount, status, **kw))


def allocation(invoice, amount, day="2026-03-02"):
    return {"Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": amount, "Date": day}]}


def receivable(xero, contact):
    return xero.store.view("Contacts", contact["ContactID"])["Balances"]["AccountsReceivable"]["Outstanding"]


async def test_credit_notes_total_like_invoices_and_number_cn_uniquely(xero, client, acme):
    status, _, body = await client.put("/CreditNotes", {"CreditNotes": [
        document(acme, "ACCRECCREDIT", 50), document(acme, "ACCRECCREDIT", 10, CreditNoteNumber="RF-1"),
        document(acme, "ACCPAYCREDIT", 10, status="DRAFT")]})
    first, second, supplier = body["CreditNotes"]
    assert status == 200 and (first["CreditNoteNumber"], first["Total"], first["RemainingCredit"]) == (
        "CN-0001", Decimal("60.00"), Decimal("60.00"))
    assert (second["CreditNoteNumber"], supplier["CreditNoteNumber"], supplier["Status"]) == ("RF-1", "", "DRAFT")
    _, _, body = await client.put("/CreditNotes", {"CreditNotes": [document(acme, "ACCRECCREDIT", 5, CreditNoteNumber="rf-1")]})
    assert errors(body["Elements"][0]) == ["Credit Note # must be unique."]
    _, _, body = await client.post("/CreditNotes", {"CreditNotes": [{"CreditNoteID": "11111111-2222-3333-4444-555555555555"}]})
    assert errors(body["Elements"][0]) == ["An existing Credit Note with the specified CreditNoteID could not be found"]
    assert receivable(xero, acme) == Decimal("-72.00")


async def test_allocating_store_credit_pays_down_the_invoice_and_uses_up_the_credit(xero, client, acme):
    invoice = seed(xero, acme, "ACCREC", 100)
    credit = seed(xero, acme, "ACCRECCREDIT", 50)
    status, _, body = await client.put(f"/CreditNotes/{credit['CreditNoteID']}/Allocations", allocation(invoice, 20))
    made = body["Allocations"][0]
    assert status == 200 and (made["Amount"], made["Invoice"]["AmountDue"], made["CreditNote"]["RemainingCredit"]) == (
        Decimal("20.00"), Decimal("100.00"), Decimal("40.00"))
    assert receivable(xero, acme) == Decimal("60.00")
    await client.put(f"/CreditNotes/{credit['CreditNoteID']}/Allocations", allocation(invoice, 40, "2026-03-04"))
    _, _, body = await client.get(f"/Invoices/{invoice['InvoiceID']}")
    paid = body["Invoices"][0]
    assert (paid["Status"], paid["AmountCredited"], paid["AmountDue"]) == ("AUTHORISED", Decimal("60.00"), Decimal("60.00"))
    assert [c["AppliedAmount"] for c in paid["CreditNotes"]] == [Decimal("20.00"), Decimal("40.00")]
    _, _, body = await client.get(f"/CreditNotes/{credit['CreditNoteID']}")
    used = body["CreditNotes"][0]
    assert (used["Status"], used["RemainingCredit"], used["FullyPaidOnDate"]) == (
        "PAID", Decimal("0.00"), "/Date(1772582400000+0000)/")
    assert [a["Amount"] for a in used["Allocations"]] == [Decimal("20.00"), Decimal("40.00")]
    assert receivable(xero, acme) == Decimal("60.00")


async def test_a_credit_note_covering_the_invoice_marks_it_paid(xero, client, acme):
    invoice = seed(xero, acme, "ACCREC", 100)
    credit = seed(xero, acme, "ACCRECCREDIT", 100)
    await client.put(f"/CreditNotes/{credit['CreditNoteID']}/Allocations", allocation(invoice, 120))
    assert xero.store.get("Invoices", invoice["InvoiceID"])["Status"] == "PAID"
    assert receivable(xero, acme) == Decimal("0.00")


async def test_allocations_are_held_to_xeros_rules(xero, client, acme):
    other = xero.store.insert("Contacts", Name="Other Ltd")
    invoice, small = seed(xero, acme, "ACCREC", 100), seed(xero, acme, "ACCREC", 10)
    draft_invoice, bill = seed(xero, acme, "ACCREC", 10, status="DRAFT"), seed(xero, acme, "ACCPAY", 10)
    theirs = seed(xero, other, "ACCREC", 10)
    credit = seed(xero, acme, "ACCRECCREDIT", 50)
    draft_credit = seed(xero, acme, "ACCRECCREDIT", 50, status="DRAFT")
    url = f"/CreditNotes/{credit['CreditNoteID']}/Allocations"
    cases = [
        (url, allocation(invoice, 61), [OVER]),
        (url, allocation(small, 13), [OVER]),
        (url, allocation(invoice, 0), ["The allocation amount must be greater than zero."]),
        (url, allocation(theirs, 5), ["The credit note and the invoice must be for the same contact."]),
        (url, allocation(bill, 5), ["Credit Note cannot be allocated to an incorrect invoice type"]),
        (url, allocation(draft_invoice, 5), ["Credit can only be allocated to AUTHORISED invoices."]),
        (url, allocation({"InvoiceID": "11111111-2222-3333-4444-555555555555"}, 5),
         ["The document with the supplied id was not found for this endpoint."]),
        (f"/CreditNotes/{draft_credit['CreditNoteID']}/Allocations", allocation(invoice, 5),
         ["Only AUTHORISED credit notes can be allocated."]),
    ]
    for path, body, expected in cases:
        status, _, answer = await client.put(path, body)
        assert (status, errors(answer["Elements"][0])) == (400, expected), expected
    await client.put(url, allocation(small, 12))
    _, _, answer = await client.put(url, allocation(small, 1))
    assert errors(answer["Elements"][0]) == ["The invoice you are trying to allocate to has already been paid off", OVER]


async def test_deleting_an_allocation_gives_the_credit_back(xero, client, acme):
    invoice = seed(xero, acme, "ACCREC", 100)
    credit = seed(xero, acme, "ACCRECCREDIT", 100)
    url = f"/CreditNotes/{credit['CreditNoteID']}/Allocations"
    _, _, body = await client.put(url, allocation(invoice, 120))
    allocation_id = body["Allocations"][0]["AllocationID"]
    status, _, body = await client.delete(f"{url}/{allocation_id}")
    assert status == 200 and (body["AllocationID"], body["IsDeleted"]) == (allocation_id, True)
    assert xero.store.get("Invoices", invoice["InvoiceID"])["Status"] == "AUTHORISED"
    assert xero.store.get("CreditNotes", credit["CreditNoteID"])["RemainingCredit"] == Decimal("120.00")
    assert (await client.delete(f"{url}/{allocation_id}"))[0] == 404
    assert receivable(xero, acme) == Decimal("0.00")


async def test_a_refund_pays_out_the_credit_from_a_bank_or_liability_account(xero, client, acme):
    credit = seed(xero, acme, "ACCRECCREDIT", 25)
    refund = {"CreditNote": {"CreditNoteID": credit["CreditNoteID"]}, "Account": {"Code": "2150"}, "Amount": 10,
              "Reference": "Refund #5"}
    status, _, body = await client.post("/Payments", refund)
    payment = body["Payments"][0]
    assert status == 200 and (payment["PaymentType"], payment["CreditNote"]["RemainingCredit"]) == (
        "ARCREDITPAYMENT", Decimal("20.00"))
    _, _, body = await client.post("/Payments", {**refund, "Amount": 20.01})
    assert errors(body["Elements"][0]) == ["Payment amount exceeds the amount outstanding on this document"]
    await client.post("/Payments", {**refund, "CreditNote": {"CreditNoteNumber": credit["CreditNoteNumber"]}, "Amount": 20})
    _, _, body = await client.get(f"/CreditNotes/{credit['CreditNoteID']}")
    assert (body["CreditNotes"][0]["Status"], [p["Amount"] for p in body["CreditNotes"][0]["Payments"]]) == (
        "PAID", [Decimal("10.00"), Decimal("20.00")])
    assert receivable(xero, acme) == Decimal("0.00")


async def test_allocated_documents_can_no_longer_be_edited(xero, client, acme):
    invoice = seed(xero, acme, "ACCREC", 100)
    credit = seed(xero, acme, "ACCRECCREDIT", 50)
    await client.put(f"/CreditNotes/{credit['CreditNoteID']}/Allocations", allocation(invoice, 10))
    locked = "This document cannot be edited as it has a payment or credit note allocated to it."
    _, _, body = await client.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Status": "VOIDED"}]})
    assert errors(body["Elements"][0]) == [locked]
    _, _, body = await client.post(f"/CreditNotes/{credit['CreditNoteID']}", {"CreditNotes": [{"Reference": "changed"}]})
    assert errors(body["Elements"][0]) == [locked]


@pytest.mark.off_spec_on_purpose("a number in the {CreditNoteID} slot")
async def test_credit_notes_list_by_where_and_number(xero, client, acme):
    first = seed(xero, acme, "ACCRECCREDIT", 5, Reference="SYNCRO-R1")
    seed(xero, acme, "ACCPAYCREDIT", 5)
    _, _, body = await client.get("/CreditNotes", params={"where": 'Type=="ACCRECCREDIT"'})
    assert [c["CreditNoteID"] for c in body["CreditNotes"]] == [first["CreditNoteID"]]
    _, _, body = await client.get(f"/CreditNotes/{first['CreditNoteNumber']}")
    assert body["CreditNotes"][0]["Reference"] == "SYNCRO-R1"
