"""Xero emulator: BankTransactions, and the Overpayments and Prepayments they open."""

from decimal import Decimal

import pytest
from helpers import errors, off_spec


def money(contact, kind, *lines, **kw):
    return {"Type": kind, "Contact": {"ContactID": contact["ContactID"]}, "BankAccount": {"Code": "090"},
            "Date": "2026-03-02", "LineItems": list(lines), **kw}


def seed_invoice(xero, contact, amount=100):
    return xero.store.insert("Invoices", {
        "Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, "Date": "2026-03-01", "DueDate": "2026-03-31",
        "Status": "AUTHORISED", "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}]})


async def overpay(client, contact, amount, **kw):
    line = {"Description": "Overpaid", "LineAmount": amount, "AccountCode": "200", "TaxType": "OUTPUT2"}  # both ignored
    status, _, body = await client.put("/BankTransactions", {"BankTransactions": [
        money(contact, "RECEIVE-OVERPAYMENT", line, **kw)]})
    assert status == 200, body
    return body["BankTransactions"][0]


def receivable(xero, contact):
    return xero.store.view("Contacts", contact["ContactID"])["Balances"]["AccountsReceivable"]["Outstanding"]


async def test_receive_and_spend_money_code_lines_like_invoices(client, acme):
    receive = money(acme, "RECEIVE", {"Description": "Cash sale", "Quantity": 2, "UnitAmount": 10, "AccountCode": "200"},
                    Reference="TILL-1")
    spend = money(acme, "SPEND", {"Description": "Fees", "UnitAmount": 5, "AccountCode": "404"})
    status, _, body = await client.put("/BankTransactions", {"BankTransactions": [receive, spend]})
    got, paid = body["BankTransactions"]
    assert status == 200 and (got["Total"], got["TotalTax"], got["Status"], got["BankAccount"]["Code"]) == (
        Decimal("24.00"), Decimal("4.00"), "AUTHORISED", "090")
    assert (paid["Total"], paid["LineItems"][0]["TaxType"]) == (Decimal("5.00"), "EXEMPTINPUT")
    _, _, listing = await client.get("/BankTransactions", params={"where": 'Reference=="TILL-1"'})
    assert [t["BankTransactionID"] for t in listing["BankTransactions"]] == [got["BankTransactionID"]]


@pytest.mark.off_spec_on_purpose("a bank transaction without its required BankAccount")
async def test_bank_transactions_need_a_bank_account_and_no_transfers(xero, client, acme):
    line = {"Description": "x", "UnitAmount": 5, "AccountCode": "200"}
    _, _, body = await client.put("/BankTransactions", {"BankTransactions": [
        money(acme, "RECEIVE", line, BankAccount={"Code": "200"}), money(acme, "RECEIVE-TRANSFER", line),
        money(acme, "RECEIVE-OVERPAYMENT", {"LineAmount": 5}, {"LineAmount": 6}),
        {k: v for k, v in money(acme, "RECEIVE", line).items() if k != "BankAccount"}]},
        params={"summarizeErrors": "false"})
    assert [errors(t) for t in body["BankTransactions"]] == [
        ["The BankAccount must be an active BANK account."],
        ["Transfers between bank accounts are made with BankTransfers."],
        ["An overpayment must have exactly one line item."],
        ["A BankAccount must be specified."],
    ]
    off_spec(xero, "BankTransactions/3: 'BankAccount' is a required property")


async def test_an_overpayment_opens_a_credit_on_the_control_account_without_tax(xero, client, acme):
    bank = await overpay(client, acme, 30, Reference="SYNCRO-P9")
    line = bank["LineItems"][0]
    assert (line["AccountCode"], line["TaxType"], line["TaxAmount"], bank["LineAmountTypes"], bank["Total"]) == (
        "610", "NONE", Decimal("0.00"), "NoTax", Decimal("30.00"))
    assert bank["OverpaymentID"] == bank["BankTransactionID"]
    _, _, body = await client.get(f"/Overpayments/{bank['OverpaymentID']}")
    credit = body["Overpayments"][0]
    assert (credit["Type"], credit["Status"], credit["RemainingCredit"], credit["Reference"]) == (
        "RECEIVE-OVERPAYMENT", "AUTHORISED", Decimal("30.00"), "SYNCRO-P9")
    assert receivable(xero, acme) == Decimal("-30.00")
    _, _, body = await client.get("/Overpayments", params={"References": "SYNCRO-P9"})
    assert body["pagination"]["itemCount"] == 1


async def test_an_overpayment_allocated_later_pays_the_invoice(xero, client, acme):
    invoice = seed_invoice(xero, acme)
    bank = await overpay(client, acme, 50)
    url = f"/Overpayments/{bank['OverpaymentID']}/Allocations"
    body = {"Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 50.01, "Date": "2026-03-03"}]}
    _, _, refused = await client.put(url, body)
    assert errors(refused["Elements"][0]) == ["Overpayment cannot be allocated as amount is greater than amount outstanding"]
    body["Allocations"][0]["Amount"] = 50
    status, _, made = await client.put(url, body)
    assert status == 200 and made["Allocations"][0]["Overpayment"]["RemainingCredit"] == Decimal("0.00")
    _, _, got = await client.get(f"/Invoices/{invoice['InvoiceID']}")
    assert (got["Invoices"][0]["AmountCredited"], got["Invoices"][0]["AmountDue"]) == (Decimal("50.00"), Decimal("70.00"))
    assert got["Invoices"][0]["Overpayments"][0]["AppliedAmount"] == Decimal("50.00")
    assert xero.store.get("Overpayments", bank["OverpaymentID"])["Status"] == "PAID"
    assert receivable(xero, acme) == Decimal("70.00")
    status, _, _ = await client.delete(f"{url}/{made['Allocations'][0]['AllocationID']}")
    assert status == 200 and xero.store.get("Overpayments", bank["OverpaymentID"])["RemainingCredit"] == Decimal("50.00")
    assert receivable(xero, acme) == Decimal("70.00")


async def test_an_overpayment_can_be_refunded_by_a_payment(xero, client, acme):
    bank = await overpay(client, acme, 30)
    refund = {"Overpayment": {"OverpaymentID": bank["OverpaymentID"]}, "Account": {"Code": "090"}, "Amount": 30}
    status, _, body = await client.post("/Payments", refund)
    assert status == 200 and body["Payments"][0]["PaymentType"] == "AROVERPAYMENTPAYMENT"
    _, _, body = await client.get(f"/Overpayments/{bank['OverpaymentID']}")
    assert (body["Overpayments"][0]["Status"], len(body["Overpayments"][0]["Payments"])) == ("PAID", 1)
    assert receivable(xero, acme) == Decimal("0.00")


async def test_overpayments_cannot_be_edited_and_deleting_voids_them_until_used(xero, client, acme):
    invoice = seed_invoice(xero, acme)
    bank = await overpay(client, acme, 30)
    url = f"/BankTransactions/{bank['BankTransactionID']}"
    whole = money(acme, "RECEIVE-OVERPAYMENT", {"Description": "Overpaid", "LineAmount": 30})
    _, _, body = await client.post(url, {"BankTransactions": [{**whole, "Reference": "changed"}]})
    assert errors(body["Elements"][0]) == ["Overpayments and prepayments cannot be edited once created."]
    used = await overpay(client, acme, 10)
    await client.put(f"/Overpayments/{used['OverpaymentID']}/Allocations",
                     {"Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 5, "Date": "2026-03-02"}]})
    deleted = {**whole, "Status": "DELETED", "LineItems": [{"Description": "Overpaid", "LineAmount": 10}]}
    _, _, body = await client.post(f"/BankTransactions/{used['BankTransactionID']}", {"BankTransactions": [deleted]})
    assert errors(body["Elements"][0]) == ["This document cannot be edited as it has a payment or credit note allocated to it."]
    status, _, body = await client.post(url, {"BankTransactions": [{**whole, "Status": "DELETED"}]})
    assert status == 200 and body["BankTransactions"][0]["Status"] == "DELETED"
    assert xero.store.get("Overpayments", bank["OverpaymentID"])["Status"] == "VOIDED"
    assert receivable(xero, acme) == Decimal("110.00")


async def test_a_prepayment_keeps_its_coded_lines_and_is_allocated_the_same_way(xero, client, acme):
    invoice = seed_invoice(xero, acme)
    line = {"Description": "Deposit", "UnitAmount": 50, "AccountCode": "200", "TaxType": "OUTPUT2"}
    _, _, body = await client.put("/BankTransactions", {"BankTransactions": [money(acme, "RECEIVE-PREPAYMENT", line, Reference="DEP-1")]})
    bank = body["BankTransactions"][0]
    assert (bank["PrepaymentID"], bank["Total"], bank["LineItems"][0]["AccountCode"]) == (
        bank["BankTransactionID"], Decimal("60.00"), "200")
    _, _, body = await client.get("/Prepayments", params={"InvoiceNumbers": "DEP-1"})
    assert body["Prepayments"][0]["RemainingCredit"] == Decimal("60.00")
    await client.put(f"/Prepayments/{bank['PrepaymentID']}/Allocations",
                     {"Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 60, "Date": "2026-03-02"}]})
    assert xero.store.get("Invoices", invoice["InvoiceID"])["AmountDue"] == Decimal("60.00")
    assert xero.store.get("Prepayments", bank["PrepaymentID"])["Status"] == "PAID"
    assert receivable(xero, acme) == Decimal("60.00")


async def test_the_reference_switch_drops_overpayment_references(xero, client, acme):
    xero.config.overpayment_reference_kept = False
    bank = await overpay(client, acme, 5, Reference="SYNCRO-P1")
    assert "Reference" not in bank and "Reference" not in xero.store.get("Overpayments", bank["OverpaymentID"])
