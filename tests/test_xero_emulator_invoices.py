"""Xero emulator: Invoices — totals, numbers, statuses, void/delete, lock dates, updates, lists."""

from datetime import date
from decimal import Decimal

import pytest
from helpers import errors

ZERO = "00000000-0000-0000-0000-000000000000"
STATUS_ERROR = "Invoice not of valid status for modification"
EDIT_LOCKED = "This document cannot be edited as it has a payment or credit note allocated to it."


@pytest.fixture
def acme(xero):
    return xero.store.insert("Contacts", Name="Acme Ltd", ContactNumber="SYN-1")


def line(amount=100, **kw):
    return {"Description": "Labour", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200", **kw}


def invoice(contact, *lines, **kw):
    return {"Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, "Date": "2026-03-01",
            "DueDate": "2026-03-31", "LineItems": list(lines) or [line()], **kw}


async def put(client, *invoices, **params):
    return await client.put("/Invoices", {"Invoices": list(invoices)}, params=params or None)


async def created(client, *invoices, **params):
    status, _, body = await put(client, *invoices, **params)
    assert status == 200, body
    return body["Invoices"]


async def test_totals_follow_xeros_rounding_with_discounts_and_four_dp_unit_amounts(client, acme):
    labour = line(123.4567, Quantity=1.5, TaxType="OUTPUT2")
    parts = line(10, Quantity=3, DiscountRate=15, TaxType="OUTPUT2")
    (inv,) = await created(client, invoice(acme, labour, parts), unitdp="4")
    first, second = inv["LineItems"]
    assert (first["UnitAmount"], first["LineAmount"], first["TaxAmount"]) == (
        Decimal("123.4567"), Decimal("185.19"), Decimal("37.04"))
    assert (second["LineAmount"], second["TaxAmount"], second["DiscountRate"]) == (
        Decimal("25.50"), Decimal("5.10"), Decimal("15.00"))
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"], inv["TotalDiscount"]) == (
        Decimal("210.69"), Decimal("42.14"), Decimal("252.83"), Decimal("4.50"))
    assert inv["AmountDue"] == Decimal("252.83") and inv["IsDiscounted"] is True
    _, _, plain = await client.get(f"/Invoices/{inv['InvoiceID']}")
    _, _, precise = await client.get(f"/Invoices/{inv['InvoiceID']}", params={"unitdp": "4"})
    assert plain["Invoices"][0]["LineItems"][0]["UnitAmount"] == Decimal("123.46")
    assert precise["Invoices"][0]["LineItems"][0]["UnitAmount"] == Decimal("123.4567")


async def test_without_unitdp_the_unit_amount_is_rounded_before_the_line_amount(client, acme):
    (inv,) = await created(client, invoice(acme, line(123.4567, Quantity=1.5)))
    assert (inv["LineItems"][0]["UnitAmount"], inv["LineItems"][0]["LineAmount"]) == (
        Decimal("123.46"), Decimal("185.19"))


async def test_inclusive_lines_back_compute_tax_and_the_subtotal(client, acme):
    (inv,) = await created(client, invoice(acme, line(20, TaxType="OUTPUT2"), line(9.99, TaxType="RROUTPUT"),
                                          LineAmountTypes="Inclusive"))
    assert [l["TaxAmount"] for l in inv["LineItems"]] == [Decimal("3.33"), Decimal("0.48")]
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (Decimal("26.18"), Decimal("3.81"), Decimal("29.99"))


async def test_no_tax_lines_carry_no_tax(client, acme):
    (inv,) = await created(client, invoice(acme, line(50, TaxType="OUTPUT2"), LineAmountTypes="NoTax"))
    assert (inv["TotalTax"], inv["Total"], inv["LineItems"][0]["TaxAmount"]) == (
        Decimal("0.00"), Decimal("50.00"), Decimal("0.00"))


async def test_a_submitted_tax_amount_is_kept_instead_of_the_computed_one(client, acme):
    (inv,) = await created(client, invoice(acme, line(33.33, TaxType="OUTPUT2", TaxAmount=6.66),
                                          line(33.33, TaxType="OUTPUT2")))
    assert [l["TaxAmount"] for l in inv["LineItems"]] == [Decimal("6.66"), Decimal("6.67")]
    assert inv["Total"] == Decimal("79.99")


async def test_item_code_fills_description_price_account_and_tax(xero, client, acme):
    xero.store.insert("Items", Code="LAB", Name="Labour", Description="Labour per hour",
                      SalesDetails={"UnitPrice": 95, "AccountCode": "260", "TaxType": "RROUTPUT"})
    (inv,) = await created(client, invoice(acme, {"ItemCode": "lab", "Quantity": 2}))
    lab = inv["LineItems"][0]
    assert (lab["Description"], lab["UnitAmount"], lab["AccountCode"], lab["TaxType"], lab["ItemCode"]) == (
        "Labour per hour", Decimal("95.00"), "260", "RROUTPUT", "LAB")
    assert (lab["Item"]["Code"], lab["LineAmount"], lab["TaxAmount"]) == ("LAB", Decimal("190.00"), Decimal("9.50"))


async def test_account_and_tax_type_default_from_the_account_and_must_suit_the_document(client, acme):
    (inv,) = await created(client, invoice(acme, line()))
    assert inv["LineItems"][0]["TaxType"] == "OUTPUT2"
    bad = invoice(acme, line(AccountCode="999"), line(TaxType="BOGUS"), line(TaxType="INPUT2"), line(AccountCode="090"),
                  {"ItemCode": "NOPE"})
    status, _, body = await put(client, bad)
    assert status == 400 and errors(body["Elements"][0]) == [
        "Account code '999' is not a valid code for this document.",
        "The TaxType code 'BOGUS' does not exist or cannot be used for this type of transaction.",
        "The TaxType code 'INPUT2' cannot be used with account code '200'.",
        "Account code '090' is not a valid code for this document.",
        "Item code 'NOPE' is not valid.",
    ]
    assert body["Elements"][0]["InvoiceID"] == ZERO and body["Elements"][0]["HasErrors"] is True


async def test_tracking_must_name_active_categories_and_options_at_most_two(xero, client, acme):
    xero.store.insert("TrackingCategories", Name="Region")
    _, _, body = await client.put(f"/TrackingCategories/{xero.store.records('TrackingCategories')[0]['TrackingCategoryID']}/Options",
                                  {"Name": "North"})
    (inv,) = await created(client, invoice(acme, line(Tracking=[{"Name": "region", "Option": "north"}])))
    assert inv["LineItems"][0]["Tracking"][0]["Name"] == "Region"
    assert inv["LineItems"][0]["Tracking"][0]["TrackingOptionID"] == body["Options"][0]["TrackingOptionID"]
    pairs = [{"Name": "Region", "Option": "South"}, {"Name": "Dept", "Option": "IT"}]
    _, _, body = await put(client, invoice(acme, line(Tracking=pairs), line(Tracking=pairs * 2)))
    assert errors(body["Elements"][0]) == [
        "Tracking option 'South' does not exist or is not active in 'Region'.",
        "Tracking category 'Dept' does not exist or is not active.",
        "A line item can have at most 2 tracking categories.",
    ]


async def test_discounts_only_on_sales_invoices_and_line_totals_must_match(client, acme):
    _, _, body = await put(client, invoice(acme, line(DiscountRate=10, AccountCode="429"), Type="ACCPAY"))
    assert errors(body["Elements"][0]) == ["Discounts can only be applied to sales invoices."]
    _, _, body = await put(client, invoice(acme, line(10, Quantity=3, LineAmount=31)))
    assert errors(body["Elements"][0]) == ["The line total 31.00 does not match the expected line total of 30.00"]


async def test_negative_quantities_are_refused_unless_switched_on(xero, client, acme):
    refund_line = line(10, Quantity=-1)
    _, _, body = await put(client, invoice(acme, line(50), refund_line))
    assert errors(body["Elements"][0]) == ["The quantity value '-1.0000' is invalid. Quantity must not be less than zero."]
    xero.config.negative_quantities_allowed = True
    (inv,) = await created(client, invoice(acme, line(50), refund_line))
    assert inv["SubTotal"] == Decimal("40.00")


async def test_negative_totals_are_refused_and_zero_invoices_are_paid_at_once(xero, client, acme):
    _, _, body = await put(client, invoice(acme, line(-5)))
    assert errors(body["Elements"][0]) == ["Invoice total cannot be negative."]
    (zero,) = await created(client, invoice(acme, line(0), Status="AUTHORISED"))
    assert (zero["Status"], zero["AmountDue"], zero["FullyPaidOnDate"]) == ("PAID", Decimal("0.00"), "/Date(1772323200000+0000)/")
    xero.config.zero_total_becomes_paid = False
    (kept,) = await created(client, invoice(acme, line(0), Status="AUTHORISED"))
    assert kept["Status"] == "AUTHORISED"


async def test_accrec_numbers_are_unique_and_auto_generated_accpay_numbers_are_not(xero, client, acme):
    first, second = await created(client, invoice(acme), invoice(acme, InvoiceNumber="SYN-1001"))
    assert (first["InvoiceNumber"], second["InvoiceNumber"]) == ("INV-0001", "SYN-1001")
    status, _, body = await put(client, invoice(acme, InvoiceNumber="syn-1001"))
    assert status == 400 and errors(body["Elements"][0]) == ["Invoice # must be unique."]
    (third,) = await created(client, invoice(acme))
    assert third["InvoiceNumber"] == "INV-0002"
    bill = invoice(acme, line(AccountCode="429", TaxType="INPUT2"), Type="ACCPAY", InvoiceNumber="SYN-1001")
    unnumbered = {k: v for k, v in bill.items() if k != "InvoiceNumber"}
    bills = await created(client, bill, bill, unnumbered)
    assert [b["InvoiceNumber"] for b in bills] == ["SYN-1001", "SYN-1001", ""]


async def test_summarize_errors_false_reports_each_invoice(client, acme):
    status, _, body = await put(client, invoice(acme, InvoiceNumber="A-1"), invoice(acme, InvoiceNumber="A-1"),
                                summarizeErrors="false")
    ok, bad = body["Invoices"]
    assert status == 200 and (ok["StatusAttributeString"], bad["StatusAttributeString"]) == ("OK", "ERROR")
    assert errors(bad) == ["Invoice # must be unique."]


async def test_status_moves_follow_xeros_table(client, acme):
    (inv,) = await created(client, invoice(acme))
    url = f"/Invoices/{inv['InvoiceID']}"
    assert inv["Status"] == "DRAFT"
    for step in ("SUBMITTED", "DRAFT", "AUTHORISED"):
        status, _, body = await client.post(url, {"Invoices": [{"Status": step}]})
        assert (status, body["Invoices"][0]["Status"]) == (200, step)
    for refused in ("DRAFT", "SUBMITTED", "DELETED", "PAID"):
        _, _, body = await client.post(url, {"Invoices": [{"Status": refused}]})
        assert errors(body["Elements"][0]) == [STATUS_ERROR], refused
    _, _, body = await put(client, invoice(acme, Status="PAID"))
    assert errors(body["Elements"][0]) == [STATUS_ERROR]


async def test_delete_only_drafts_void_only_unpaid_authorised_and_both_are_final(xero, client, acme):
    draft, approved, paid = await created(client, invoice(acme), invoice(acme, Status="AUTHORISED"),
                                          invoice(acme, Status="AUTHORISED"))
    xero.store.insert("Payments", Invoice={"InvoiceID": paid["InvoiceID"]}, Account={"Code": "090"}, Amount=10)
    _, _, body = await client.post(f"/Invoices/{draft['InvoiceID']}", {"Invoices": [{"Status": "DELETED"}]})
    assert body["Invoices"][0]["Status"] == "DELETED"
    _, _, body = await client.post(f"/Invoices/{approved['InvoiceID']}", {"Invoices": [{"Status": "VOIDED"}]})
    assert body["Invoices"][0]["Status"] == "VOIDED"
    _, _, body = await client.post(f"/Invoices/{paid['InvoiceID']}", {"Invoices": [{"Status": "VOIDED"}]})
    assert errors(body["Elements"][0]) == [EDIT_LOCKED]
    for final in (draft, approved):
        _, _, body = await client.post(f"/Invoices/{final['InvoiceID']}", {"Invoices": [{"Reference": "again"}]})
        assert errors(body["Elements"][0]) == [STATUS_ERROR]


async def test_an_invoice_with_a_payment_keeps_its_money_but_dates_change_without_a_new_stamp(xero, client, acme, fake_clock):
    (inv,) = await created(client, invoice(acme, Status="AUTHORISED"))
    xero.store.insert("Payments", Invoice={"InvoiceID": inv["InvoiceID"]}, Account={"Code": "090"}, Amount=10)
    stamp = xero.store.get("Invoices", inv["InvoiceID"])["UpdatedDateUTC"]
    fake_clock.advance(60)
    url = f"/Invoices/{inv['InvoiceID']}"
    for change in ({"LineItems": [line(200)]}, {"Reference": "new"}, {"Contact": {"Name": "Other Ltd"}}):
        _, _, body = await client.post(url, {"Invoices": [change]})
        assert errors(body["Elements"][0]) == [EDIT_LOCKED], change
    status, _, body = await client.post(url, {"Invoices": [{"DueDate": "2026-04-30", "SentToContact": True}]})
    assert status == 200 and body["Invoices"][0]["DueDate"] == "/Date(1777507200000+0000)/"
    assert xero.store.get("Invoices", inv["InvoiceID"])["UpdatedDateUTC"] == stamp


async def test_lock_dates_refuse_posting_on_or_before_them(xero, client, acme):
    xero.store.set_lock_dates(period=date(2026, 2, 28))
    _, _, body = await put(client, invoice(acme, Date="2026-02-28", Status="AUTHORISED"))
    assert errors(body["Elements"][0]) == [
        "The document date cannot be before the period lock date, currently set at 28-Feb-2026"]
    (draft,) = await created(client, invoice(acme, Date="2026-02-01"))
    _, _, body = await client.post(f"/Invoices/{draft['InvoiceID']}", {"Invoices": [{"Status": "AUTHORISED"}]})
    assert errors(body["Elements"][0])[0].startswith("The document date cannot be before the period lock date")
    assert (await put(client, invoice(acme, Date="2026-03-01", Status="AUTHORISED")))[0] == 200
    xero.store.set_lock_dates(end_of_year=date(2026, 3, 1))
    _, _, body = await put(client, invoice(acme, Date="2026-03-01", Status="AUTHORISED"))
    assert errors(body["Elements"][0]) == [
        "The document date cannot be before the end of year lock date, currently set at 01-Mar-2026"]
    _, _, org = await client.get("/Organisation")
    assert "PeriodLockDate" not in org["Organisations"][0]
    assert org["Organisations"][0]["EndOfYearLockDate"] == "/Date(1772323200000+0000)/"


def undated(doc):
    return {k: v for k, v in doc.items() if k != "DueDate"}


async def test_approving_needs_a_due_date_and_account_codes(xero, client, acme):
    _, _, body = await put(client, undated(invoice(acme, {"Description": "x", "UnitAmount": 5}, Status="AUTHORISED")))
    assert errors(body["Elements"][0]) == ["Account code is required on every line of an approved document.",
                                          "Due Date is required for an approved invoice."]
    xero.config.due_date_required_to_authorise = False
    assert (await put(client, undated(invoice(acme, Status="AUTHORISED"))))[0] == 200


async def test_post_updates_lines_by_id_adds_new_ones_and_deletes_the_rest(client, acme):
    (inv,) = await created(client, invoice(acme, line(10, Description="a"), line(20, Description="b")))
    keep = inv["LineItems"][1]
    update = {"InvoiceNumber": inv["InvoiceNumber"], "LineItems": [{"LineItemID": keep["LineItemID"], "Quantity": 2},
                                                                    line(5, Description="c")]}
    _, _, body = await client.post("/Invoices", {"Invoices": [update]})
    lines = body["Invoices"][0]["LineItems"]
    assert body["Invoices"][0]["InvoiceID"] == inv["InvoiceID"]
    assert [(l["Description"], l["LineAmount"]) for l in lines] == [("b", Decimal("40.00")), ("c", Decimal("5.00"))]
    assert lines[0]["LineItemID"] == keep["LineItemID"] and body["Invoices"][0]["Total"] == Decimal("54.00")
    _, _, body = await client.post("/Invoices", {"Invoices": [{"InvoiceID": inv["InvoiceID"], "LineAmountTypes": "Inclusive"}]})
    assert body["Invoices"][0]["Total"] == Decimal("45.00")


async def test_unknown_invoice_id_is_an_element_error(client, acme):
    _, _, body = await client.post("/Invoices", {"Invoices": [{"InvoiceID": "11111111-2222-3333-4444-555555555555"}]})
    assert errors(body["Elements"][0]) == ["An existing Invoice with the specified InvoiceID could not be found"]


async def test_contact_by_id_number_or_name_and_a_new_name_creates_a_contact(xero, client, acme):
    by_number, by_name, new = await created(
        client, {**invoice(acme), "Contact": {"ContactNumber": "SYN-1"}}, {**invoice(acme), "Contact": {"Name": "acme ltd"}},
        {**invoice(acme), "Contact": {"Name": "Brand New Ltd"}})
    assert by_number["Contact"]["ContactID"] == by_name["Contact"]["ContactID"] == acme["ContactID"]
    assert xero.store.find("Contacts", Name="Brand New Ltd")["ContactID"] == new["Contact"]["ContactID"]
    assert xero.store.get("Contacts", acme["ContactID"])["IsCustomer"] is True
    xero.config.documents_create_contacts = False
    _, _, body = await put(client, {**invoice(acme), "Contact": {"Name": "Another Ltd"}},
                           {**invoice(acme), "Contact": {}}, {**invoice(acme), "Contact": {"ContactID": ZERO}})
    assert [errors(e) for e in body["Elements"]] == [
        ["The contact 'Another Ltd' could not be found."],
        ["The Contact must contain at least 1 of the following elements to identify the contact: "
         "Name, ContactID, ContactNumber"],
        [f"Contact with ContactID {ZERO} could not be found."],
    ]


async def test_a_bill_marks_its_contact_a_supplier_without_a_new_stamp(xero, client, acme, fake_clock):
    stamp = acme["UpdatedDateUTC"]
    fake_clock.advance(60)
    await created(client, invoice(acme, line(AccountCode="429", TaxType="INPUT2"), Type="ACCPAY"))
    contact = xero.store.get("Contacts", acme["ContactID"])
    assert (contact["IsSupplier"], contact["IsCustomer"], contact["UpdatedDateUTC"]) == (True, False, stamp)


@pytest.mark.off_spec_on_purpose("a number in the {InvoiceID} slot")
async def test_lists_filter_page_summarise_and_find_by_number(client, acme, fake_clock):
    first, second = await created(client, invoice(acme, Reference="SYNCRO-1"), invoice(acme, Status="AUTHORISED"))
    fake_clock.advance(120)
    (third,) = await created(client, invoice(acme, Reference="SYNCRO-3", Type="ACCPAY",
                                             LineItems=[line(AccountCode="429", TaxType="INPUT2")]))

    async def numbers(params=None, headers=None):
        _, _, body = await client.get("/Invoices", params=params, headers=headers)
        return [i["InvoiceNumber"] or i["Reference"] for i in body["Invoices"]]

    assert await numbers({"Statuses": "AUTHORISED,PAID"}) == ["INV-0002"]
    assert await numbers({"where": 'Type=="ACCREC" AND Reference=="SYNCRO-1"'}) == ["INV-0001"]
    assert await numbers({"InvoiceNumbers": "INV-0002", "ContactIDs": acme["ContactID"]}) == ["INV-0002"]
    assert await numbers({"order": "InvoiceNumber DESC", "where": 'Type=="ACCREC"'}) == ["INV-0002", "INV-0001"]
    assert await numbers({"searchTerm": "syncro"}) == ["INV-0001", "SYNCRO-3"]
    assert await numbers(headers={"If-Modified-Since": "2026-03-02T09:01:00"}) == ["SYNCRO-3"]
    _, _, body = await client.get("/Invoices", params={"page": "2", "pageSize": "2", "summaryOnly": "true"})
    assert body["pagination"] == {"page": 2, "pageSize": 2, "pageCount": 2, "itemCount": 3}
    assert "LineItems" not in body["Invoices"][0] and body["Invoices"][0]["InvoiceID"] == third["InvoiceID"]
    _, _, body = await client.get("/Invoices/INV-0002")
    assert body["Invoices"][0]["InvoiceID"] == second["InvoiceID"] and first["InvoiceID"] != second["InvoiceID"]


async def test_an_unpaged_list_leaves_line_details_out(xero, client, acme):
    await created(client, invoice(acme))
    xero.config.page_by_default = False
    _, _, body = await client.get("/Invoices")
    assert "pagination" not in body and "LineItems" not in body["Invoices"][0]
