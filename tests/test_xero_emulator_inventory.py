"""Xero emulator: tracked inventory — bills, invoices and credit notes move QuantityOnHand and cost."""

from decimal import Decimal

import pytest
from helpers import errors


@pytest.fixture
def ssd(xero):
    return xero.store.insert("Items", Code="SSD", Name="SSD 1TB", InventoryAssetAccountCode="630",
                             PurchaseDetails={"UnitPrice": 5, "COGSAccountCode": "310", "TaxType": "INPUT2"},
                             SalesDetails={"UnitPrice": 9, "AccountCode": "200", "TaxType": "OUTPUT2"})


def doc(contact, kind, quantity, status="AUTHORISED", **line):
    return {"Type": kind, "Contact": {"ContactID": contact["ContactID"]}, "Date": "2026-03-02", "DueDate": "2026-03-31",
            "Status": status, "LineItems": [{"ItemCode": "SSD", "Quantity": quantity, **line}]}


async def send(client, path, *docs, **params):
    status, _, body = await client.put(path, {path.strip("/"): list(docs)}, params=params or None)
    return status, body


def stock(xero):
    item = xero.store.get("Items", "SSD")
    return item["QuantityOnHand"], item["TotalCostPool"]


@pytest.mark.off_spec_on_purpose("allowBackorders, which the spec does not declare")
async def test_stock_counts_follow_bill_invoice_credit_notes_and_void(xero, client, acme, ssd):
    status, body = await send(client, "/Invoices", doc(acme, "ACCPAY", 10))
    bill_line = body["Invoices"][0]["LineItems"][0]
    assert status == 200 and (bill_line["AccountCode"], bill_line["UnitAmount"]) == ("630", Decimal("5.00"))
    assert stock(xero) == (Decimal("10.0000"), Decimal("50.00"))
    status, body = await send(client, "/Invoices", doc(acme, "ACCREC", 4))
    sale = body["Invoices"][0]
    assert (sale["LineItems"][0]["UnitAmount"], sale["LineItems"][0]["AccountCode"]) == (Decimal("9.00"), "200")
    assert stock(xero) == (Decimal("6.0000"), Decimal("30.00"))
    await send(client, "/CreditNotes", doc(acme, "ACCRECCREDIT", 1))
    assert stock(xero) == (Decimal("7.0000"), Decimal("35.00"))
    await send(client, "/CreditNotes", doc(acme, "ACCPAYCREDIT", 2, UnitAmount=6))
    assert stock(xero) == (Decimal("5.0000"), Decimal("23.00"))
    await client.post(f"/Invoices/{sale['InvoiceID']}", {"Invoices": [{"Status": "VOIDED"}]})
    assert stock(xero) == (Decimal("9.0000"), Decimal("43.00"))
    _, _, body = await client.get("/Items/SSD")
    assert body["Items"][0]["QuantityOnHand"] == Decimal("9.0000")
    payable = xero.store.view("Contacts", acme["ContactID"])["Balances"]["AccountsPayable"]["Outstanding"]
    assert payable == Decimal("45.60")  # bill 60.00 less supplier credit 14.40


@pytest.mark.off_spec_on_purpose("allowBackorders, which the spec does not declare")
async def test_selling_more_than_on_hand_is_refused_unless_backorders_are_allowed(xero, client, acme, ssd):
    await send(client, "/Invoices", doc(acme, "ACCPAY", 2))
    status, body = await send(client, "/Invoices", doc(acme, "ACCREC", 3))
    assert status == 400 and errors(body["Elements"][0]) == [
        "There is not enough stock of 'SSD' for this transaction: quantity on hand is 2.0000."]
    _, body = await send(client, "/CreditNotes", doc(acme, "ACCPAYCREDIT", 3))
    assert errors(body["Elements"][0])[0].startswith("There is not enough stock of 'SSD'")
    status, _ = await send(client, "/Invoices", doc(acme, "ACCREC", 3), allowBackorders="True")
    assert status == 200 and stock(xero) == (Decimal("-1.0000"), Decimal("-5.00"))
    xero.config.backorders_by_default = True
    assert (await send(client, "/Invoices", doc(acme, "ACCREC", 1)))[0] == 200


async def test_drafts_move_no_stock_until_approved_and_edits_move_the_difference(xero, client, acme, ssd):
    await send(client, "/Invoices", doc(acme, "ACCPAY", 10))
    _, body = await send(client, "/Invoices", doc(acme, "ACCREC", 4, status="DRAFT"))
    sale = body["Invoices"][0]
    assert stock(xero) == (Decimal("10.0000"), Decimal("50.00"))
    await client.post(f"/Invoices/{sale['InvoiceID']}", {"Invoices": [{"Status": "AUTHORISED"}]})
    assert stock(xero) == (Decimal("6.0000"), Decimal("30.00"))
    line_id = sale["LineItems"][0]["LineItemID"]
    await client.post(f"/Invoices/{sale['InvoiceID']}", {"Invoices": [{"LineItems": [{"LineItemID": line_id, "Quantity": 7}]}]})
    assert stock(xero) == (Decimal("3.0000"), Decimal("15.00"))
    await client.post(f"/Invoices/{sale['InvoiceID']}", {"Invoices": [{"DueDate": "2026-04-15"}]})
    assert stock(xero) == (Decimal("3.0000"), Decimal("15.00"))


async def test_a_tracked_item_in_use_cannot_be_deleted_but_an_untracked_one_can(xero, client, acme, ssd):
    xero.store.insert("Items", Code="LAB", Name="Labour")
    await send(client, "/Invoices", doc(acme, "ACCPAY", 1, status="DRAFT"),
               {**doc(acme, "ACCREC", 1, status="DRAFT"), "LineItems": [{"ItemCode": "LAB", "UnitAmount": 5, "AccountCode": "200"}]})
    status, _, body = await client.delete(f"/Items/{ssd['ItemID']}")
    assert status == 400 and body["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "Item 'SSD' is tracked and used in transactions, so it cannot be deleted.")
    assert (await client.delete("/Items/" + xero.store.get("Items", "LAB")["ItemID"]))[0] == 204
