"""Invoices, line items, payments, store credit, refunds and drafts in the Syncro emulator, over HTTP."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from syncro_xero.emulators.syncro import SyncroEmulator

KEY = "test-syncro-key"
LABOUR = {"item": "Labour", "name": "Onsite work", "quantity": 2, "price": "75.00", "taxable": False}
LICENCE = {"item": "M365 Business Basic", "name": "June", "quantity": 10, "price": "8.50"}


@pytest.fixture
async def api(syncro_emulator: SyncroEmulator):
    async with aiohttp.ClientSession(base_url=syncro_emulator.url, headers={"Authorization": f"Bearer {KEY}"}) as http:
        yield http


@pytest.fixture
def store(syncro_emulator: SyncroEmulator):
    return syncro_emulator.store


@pytest.fixture
def customer(store):
    return store.add_customer(business_name="Acme Pty Ltd", firstname="Dana", lastname="Lee")


async def call(http: aiohttp.ClientSession, method: str, path: str, body: Any = None, **query: Any) -> tuple[int, Any]:
    async with http.request(method, "/api/v1" + path, json=body, params=query) as response:
        return response.status, await response.json(content_type=None)


async def invoice_json(http: aiohttp.ClientSession, invoice_id: int | str) -> dict[str, Any]:
    status, body = await call(http, "GET", f"/invoices/{invoice_id}")
    assert status == 200
    return body["invoice"]


# -- totals and tax -----------------------------------------------------------------------------
async def test_totals_come_from_lines_with_a_tax_group_and_untaxed_lines(api, store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR, LICENCE])  # account default: NYC group, 8.875 %
    body = await invoice_json(api, invoice.id)
    assert (body["subtotal"], body["tax"], body["total"]) == ("235.0", "7.54", "242.54")
    assert [line["taxable"] for line in body["line_items"]] == [False, True]


async def test_tax_is_rounded_per_invoice_by_default_or_per_line_when_switched(api, store, customer, syncro_emulator):
    rate = store.add_tax_rate("Ten", "10")
    invoice = store.add_invoice(customer.id, [{"item": f"Part {n}", "price": "0.05", "tax_rate_id": rate.id} for n in range(3)])
    assert (await invoice_json(api, invoice.id))["tax"] == "0.02"  # 0.015 → 0.02
    syncro_emulator.switches.tax_rounding = "line"
    assert (await invoice_json(api, invoice.id))["tax"] == "0.03"  # 3 × 0.005 → 3 × 0.01


async def test_line_and_customer_tax_rates_override_the_account_default(api, store, customer):
    gst, exempt = store.add_tax_rate("GST", "10"), store.add_tax_rate("Exempt", "0")
    store.update_customer(customer.id, tax_rate_id=gst.id)
    invoice = store.add_invoice(customer.id, [{"item": "A", "price": "100"}, {"item": "B", "price": "100", "tax_rate_id": exempt.id}])
    assert (await invoice_json(api, invoice.id))["tax"] == "10.0"


# -- invoices -----------------------------------------------------------------------------------
async def test_an_invoice_is_found_by_id_or_by_number(api, store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR], number="INV-77")
    assert (await invoice_json(api, "INV-77"))["id"] == invoice.id
    assert (await invoice_json(api, invoice.id))["number"] == "INV-77"


async def test_detail_embeds_the_customer_lines_and_payments_the_list_does_not(api, store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR, LICENCE], po_number="PO-1")
    payment = store.add_payment(customer.id, 50, invoice_id=invoice.id)
    detail = await invoice_json(api, invoice.id)
    assert detail["customer"]["business_then_name"] == "Acme Pty Ltd"
    assert [line["item"] for line in detail["line_items"]] == ["Labour", "M365 Business Basic"]
    assert [p["id"] for p in detail["payments"]] == [payment.id]
    listed = (await call(api, "GET", "/invoices"))[1]["invoices"][0]
    assert not {"customer", "line_items", "payments"} & set(listed)
    assert listed["customer_business_then_name"] == "Acme Pty Ltd" and listed["xero_id"] is None


async def test_post_invoice_takes_line_items_filled_from_products_and_ignores_computed_fields(api, store, customer):
    dock = store.add_product("Dock", description="USB-C dock", price_retail="259", price_cost="180")
    status, body = await call(api, "POST", "/invoices", {
        "customer_id": customer.id, "date": "2026-03-01", "total": "1.00", "is_paid": True,
        "line_items": [{"product_id": dock.id, "quantity": 2}, {"item": "Fee", "price": 10, "taxable": False}],
    })
    assert status == 200
    invoice = body["invoice"]
    assert (invoice["subtotal"], invoice["is_paid"], invoice["date"], invoice["number"]) == ("528.0", False, "2026-03-01", "1001")
    lines = (await invoice_json(api, invoice["id"]))["line_items"]
    assert (lines[0]["item"], lines[0]["name"], lines[0]["price"], lines[0]["cost"]) == ("Dock", "USB-C dock", "259.0", "180.0")


async def test_post_invoice_line_items_are_ignored_when_switched(api, customer, syncro_emulator):
    syncro_emulator.switches.invoice_create_line_items = "ignored"
    labour = {**LABOUR, "price": 75}  # the request schema's price is a number
    body = (await call(api, "POST", "/invoices", {"customer_id": customer.id, "date": "2026-03-01", "line_items": [labour]}))[1]
    assert body["invoice"]["total"] == "0.0"


async def test_invoice_numbers_are_unique(api, store, customer):
    store.add_invoice(customer.id, number="5000")
    day = "2026-03-01"
    status, body = await call(api, "POST", "/invoices", {"customer_id": customer.id, "number": "5000", "date": day})
    assert (status, body["error"]) == (422, "Validation failed: Number has already been taken")
    assert (await call(api, "POST", "/invoices", {"customer_id": customer.id, "date": day}))[1]["invoice"]["number"] == "5001"


async def test_put_invoice_overwrites_the_given_fields_and_bumps_updated_at(api, store, customer, fake_clock):
    invoice = store.add_invoice(customer.id, [LABOUR], note="old")
    fake_clock.advance(60)
    body = (await call(api, "PUT", f"/invoices/{invoice.id}", {"note": "new", "due_date": "2026-04-01"}))[1]["invoice"]
    assert (body["note"], body["due_date"], body["po_number"]) == ("new", "2026-04-01", None)
    assert body["updated_at"] == "2026-03-02T04:01:00.000-05:00" != body["created_at"]


async def test_paid_and_unpaid_filters(api, store, customer):
    paid, unpaid = store.add_invoice(customer.id, [LABOUR]), store.add_invoice(customer.id, [LABOUR])
    store.add_payment(customer.id, 150, invoice_id=paid.id)
    assert [i["id"] for i in (await call(api, "GET", "/invoices", paid="true"))[1]["invoices"]] == [paid.id]
    assert [i["id"] for i in (await call(api, "GET", "/invoices", unpaid="true"))[1]["invoices"]] == [unpaid.id]


async def test_invoices_are_listed_newest_first_unless_switched(api, store, customer, syncro_emulator):
    ids = [store.add_invoice(customer.id).id for _ in range(3)]
    assert [i["id"] for i in (await call(api, "GET", "/invoices"))[1]["invoices"]] == ids[::-1]
    syncro_emulator.switches.newest_first = False
    assert [i["id"] for i in (await call(api, "GET", "/invoices"))[1]["invoices"]] == ids


# -- since_updated_at ---------------------------------------------------------------------------
async def test_since_updated_at_returns_only_invoices_changed_since(api, store, customer, fake_clock):
    old, changed = store.add_invoice(customer.id, [LABOUR]), store.add_invoice(customer.id, [LABOUR])
    fake_clock.advance(3600)
    store.update_invoice(changed.id, po_number="PO-2")
    fake_clock.advance(60)
    found = (await call(api, "GET", "/invoices", since_updated_at="2026-03-02T09:30:00Z"))[1]["invoices"]
    assert [i["id"] for i in found] == [changed.id]
    also = (await call(api, "GET", "/invoices", since_updated_at="2026-03-02T04:30:00-05:00"))[1]["invoices"]
    assert [i["id"] for i in also] == [changed.id] and old.id not in [i["id"] for i in also]


async def test_since_updated_at_is_inclusive_by_default_and_exclusive_when_switched(api, store, customer, syncro_emulator):
    invoice = store.add_invoice(customer.id)
    stamp = (await invoice_json(api, invoice.id))["updated_at"]
    assert len((await call(api, "GET", "/invoices", since_updated_at=stamp))[1]["invoices"]) == 1
    syncro_emulator.switches.since_updated_at_inclusive = False
    assert (await call(api, "GET", "/invoices", since_updated_at=stamp))[1]["invoices"] == []


async def test_since_updated_at_takes_a_date_in_the_account_zone_and_rejects_garbage(api, store, customer):
    store.add_invoice(customer.id)  # 2026-03-02 04:00 New York
    assert len((await call(api, "GET", "/invoices", since_updated_at="2026-03-02"))[1]["invoices"]) == 1
    assert (await call(api, "GET", "/invoices", since_updated_at="2026-03-03"))[1]["invoices"] == []
    assert (await call(api, "GET", "/invoices", since_updated_at="last tuesday"))[0] == 422


async def test_a_payment_touches_the_invoice_unless_switched_then_only_when_paid_flips(api, store, customer, syncro_emulator, fake_clock):
    invoice = store.add_invoice(customer.id, [LABOUR])
    created = (await invoice_json(api, invoice.id))["updated_at"]
    syncro_emulator.switches.payment_touches_invoice = False
    fake_clock.advance(60)
    await call(api, "POST", "/payments", {"invoice_id": invoice.id, "amount_cents": 5000})
    assert (await invoice_json(api, invoice.id))["updated_at"] == created
    fake_clock.advance(60)
    await call(api, "POST", "/payments", {"invoice_id": invoice.id, "amount_cents": 10000})
    assert (await invoice_json(api, invoice.id))["updated_at"] == "2026-03-02T04:02:00.000-05:00"
    syncro_emulator.switches.payment_touches_invoice = True
    other = store.add_invoice(customer.id, [LABOUR])
    fake_clock.advance(60)
    await call(api, "POST", "/payments", {"invoice_id": other.id, "amount_cents": 100})
    assert (await invoice_json(api, other.id))["updated_at"] == "2026-03-02T04:03:00.000-05:00"


# -- line items ---------------------------------------------------------------------------------
async def test_a_line_added_with_a_product_takes_the_products_price_and_taxable_is_anded(api, store, customer):
    invoice = store.add_invoice(customer.id)
    dock = store.add_product("Dock", description="USB-C dock", price_retail="259", price_cost="180", upc_code="884116")
    status, body = await call(api, "POST", f"/invoices/{invoice.id}/line_items",
                              {"product_id": dock.id, "price": 1, "quantity": 1, "taxable": False})
    assert status == 200 and set(body) == {"invoice", "line_item"}
    line = body["line_item"]
    assert (line["price"], line["taxable"], line["item"], line["name"]) == ("259.0", False, "Dock", "USB-C dock")
    by_barcode = (await call(api, "POST", f"/invoices/{invoice.id}/line_items", {"upc_code": "884116", "item": "My dock"}))[1]
    assert (by_barcode["line_item"]["product_id"], by_barcode["line_item"]["item"]) == (dock.id, "My dock")
    assert by_barcode["invoice"]["subtotal"] == "518.0"


async def test_line_update_and_delete_recalculate_the_invoice(api, store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR, LICENCE])
    labour, licence = invoice.line_items
    body = (await call(api, "PUT", f"/invoices/{invoice.id}/line_items/{labour.id}", {"quantity": 3, "name": "More work"}))[1]
    assert (body["line_item"]["quantity"], body["line_item"]["name"]) == ("3.0", "More work")
    body = (await call(api, "DELETE", f"/invoices/{invoice.id}/line_items/{licence.id}"))[1]
    assert (body["invoice"]["subtotal"], body["invoice"]["tax"]) == ("225.0", "0.0")
    assert (await call(api, "GET", "/line_items", invoice_id=invoice.id))[1]["meta"]["total_entries"] == 1


async def test_editing_a_line_of_a_paid_invoice_answers_already_paid(api, store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR])
    store.add_payment(customer.id, 150, invoice_id=invoice.id)
    line = invoice.line_items[0]
    status, body = await call(api, "PUT", f"/invoices/{invoice.id}/line_items/{line.id}", {"price": 1})
    assert (status, body) == (200, {"message": "Invoice is already paid"})
    assert (await invoice_json(api, invoice.id))["total"] == "150.0"


# -- deletion -----------------------------------------------------------------------------------
async def test_delete_invoice_is_a_hard_delete(api, store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR])
    assert (await call(api, "DELETE", f"/invoices/{invoice.id}"))[0] == 200
    assert (await call(api, "GET", f"/invoices/{invoice.id}"))[0] == 404
    assert (await call(api, "GET", "/invoices"))[1]["invoices"] == []


async def test_delete_answers_200_but_keeps_a_paid_invoice_unless_switched(api, store, customer, syncro_emulator):
    invoice = store.add_invoice(customer.id, [LABOUR])
    payment = store.add_payment(customer.id, 150, invoice_id=invoice.id)
    assert (await call(api, "DELETE", f"/invoices/{invoice.id}"))[0] == 200
    assert (await call(api, "GET", f"/invoices/{invoice.id}"))[0] == 200
    syncro_emulator.switches.invoice_delete_with_payments = "deleted"
    assert (await call(api, "DELETE", f"/invoices/{invoice.id}"))[0] == 200
    assert (await call(api, "GET", f"/invoices/{invoice.id}"))[0] == 404
    assert (await call(api, "GET", f"/payments/{payment.id}"))[1]["payment"]["invoice_ids"] == [None]
    assert store.store_credit_balance(customer.id) == 150


# -- drafts (S1b) -------------------------------------------------------------------------------
async def test_without_draft_invoices_there_is_no_status_and_the_draft_routes_are_404(api, store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR])
    body = await invoice_json(api, invoice.id)
    assert "status" not in body and "published_date" not in body
    assert (await call(api, "POST", f"/invoices/{invoice.id}/publish"))[0] == 404
    assert (await call(api, "POST", f"/invoices/{invoice.id}/convert_to_draft"))[0] == 404


async def test_a_draft_is_published_and_published_invoices_convert_back_only_when_allowed(api, store, customer, fake_clock):
    store.account.draft_invoices = True
    draft = store.add_invoice(customer.id, [LABOUR], draft=True)
    body = await invoice_json(api, draft.id)
    assert (body["status"], body["published_date"]) == ("draft", None)
    fake_clock.advance(120)
    body = (await call(api, "POST", f"/invoices/{draft.id}/publish"))[1]["invoice"]
    assert (body["status"], body["published_date"]) == ("published", "2026-03-02T04:02:00.000-05:00")
    assert (await call(api, "POST", f"/invoices/{draft.id}/convert_to_draft"))[1]["invoice"]["status"] == "draft"
    await call(api, "POST", f"/invoices/{draft.id}/publish")

    store.add_payment(customer.id, 10, invoice_id=draft.id)
    posted = store.add_invoice(customer.id, [LABOUR])
    store.update_invoice(posted.id, xero_id="a1b2")
    refund = store.refund_invoice(posted.id)
    for invoice in (draft, posted, refund):
        status, answer = await call(api, "POST", f"/invoices/{invoice.id}/convert_to_draft")
        assert status == 422 and answer["error"].startswith("Validation failed")


async def test_a_draft_cannot_take_a_payment(api, store, customer):
    store.account.draft_invoices = True
    draft = store.add_invoice(customer.id, [LABOUR], draft=True)
    assert (await call(api, "POST", "/payments", {"invoice_id": draft.id, "amount_cents": 100}))[0] == 422


# -- payments -----------------------------------------------------------------------------------
async def test_a_partial_payment_in_cents_leaves_a_balance(api, store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR])
    status, body = await call(api, "POST", "/payments", {
        "customer_id": customer.id, "invoice_id": invoice.id, "amount_cents": 5000, "payment_method": "Check", "ref_num": "1001",
    })
    assert status == 200
    assert body["payment"]["payment_amount"] == 50.0 and body["payment"]["invoice_ids"] == [invoice.id]
    assert body["payment"]["tickets"] == [] and "customer" not in body["payment"]
    listed = (await call(api, "GET", "/invoices"))[1]["invoices"][0]
    assert (listed["amount_paid"], listed["balance_due"], listed["is_paid"]) == (50.0, 100.0, False)


async def test_a_payment_by_invoice_number_finds_the_customer(api, store, customer):
    store.add_invoice(customer.id, [LABOUR], number="A-7")
    body = (await call(api, "POST", "/payments", {"invoice_number": "A-7", "amount_cents": 15000}))[1]
    assert (await call(api, "GET", f"/payments/{body['payment']['id']}"))[1]["payment"]["customer"]["id"] == customer.id


async def test_a_split_payment_applies_cents_per_invoice_and_lists_both_invoices(api, store, customer):
    first, second = store.add_invoice(customer.id, [LABOUR]), store.add_invoice(customer.id, [LABOUR])
    body = (await call(api, "POST", "/payments", {
        "customer_id": customer.id, "amount_cents": 20000, "apply_payments": {str(first.id): 15000, str(second.id): 5000},
    }))[1]
    payment = (await call(api, "GET", f"/payments/{body['payment']['id']}"))[1]["payment"]
    assert sorted(payment["invoice_ids"]) == sorted([first.id, second.id]) and payment["payment_amount"] == 200.0
    assert [(await invoice_json(api, i.id))["balance_due"] for i in (first, second)] == ["0.0", "100.0"]


async def test_apply_payments_values_are_dollars_when_switched(api, store, customer, syncro_emulator):
    syncro_emulator.switches.apply_payments_unit = "dollars"
    invoice = store.add_invoice(customer.id, [LABOUR])
    await call(api, "POST", "/payments", {"customer_id": customer.id, "amount_cents": 15000, "apply_payments": {str(invoice.id): 150}})
    assert (await invoice_json(api, invoice.id))["is_paid"] is True


async def test_applying_more_than_an_invoice_owes_is_refused(api, store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR])
    status, body = await call(api, "POST", "/payments", {"customer_id": customer.id, "amount_cents": 20000, "apply_payments": {str(invoice.id): 20000}})
    assert status == 422 and body["success"] is False


async def test_an_overpayment_is_applied_up_to_the_balance_and_the_rest_is_store_credit(api, store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR])
    body = (await call(api, "POST", "/payments", {"invoice_id": invoice.id, "amount_cents": 20000}))[1]
    assert body["payment"]["payment_amount"] == 200.0 and body["payment"]["invoice_ids"] == [invoice.id]
    detail = await invoice_json(api, invoice.id)
    assert (detail["is_paid"], detail["payments"]) == (True, [{"id": body["payment"]["id"]}])
    assert store.store_credit_balance(customer.id) == 50


async def test_a_payment_on_no_invoice_is_credit_with_null_invoice_ids(api, customer, store):
    body = (await call(api, "POST", "/payments", {"customer_id": customer.id, "amount_cents": 30000, "payment_method": "Cash"}))[1]
    assert body["payment"]["invoice_ids"] == [None]
    assert store.store_credit_balance(customer.id) == 300


async def test_invoice_detail_payments_carry_only_their_id_unless_a_richer_shape_is_switched_on(
    api, store, customer, syncro_emulator
):
    invoice = store.add_invoice(customer.id, [LABOUR])
    payment = store.add_payment(customer.id, 200, invoice_id=invoice.id, ref_num="EFT-1")
    assert (await invoice_json(api, invoice.id))["payments"] == [{"id": payment.id}]
    syncro_emulator.switches.invoice_payments = "payment"
    plain = (await invoice_json(api, invoice.id))["payments"][0]
    assert "applied_amount" not in plain and (plain["payment_amount"], plain["ref_num"]) == (200.0, "EFT-1")
    syncro_emulator.switches.invoice_payments = "applied"
    applied = (await invoice_json(api, invoice.id))["payments"][0]
    assert (applied["id"], applied["applied_amount"], applied["payment_amount"]) == (payment.id, 150.0, 200.0)


async def test_payment_created_at_is_midnight_of_the_entry_day_unless_switched(api, store, customer, syncro_emulator):
    store.add_payment(customer.id, 10)
    assert (await call(api, "GET", "/payments"))[1]["payments"][0]["created_at"] == "2026-03-02T00:00:00.000-05:00"
    syncro_emulator.switches.payment_created_at_midnight = False
    assert (await call(api, "GET", "/payments"))[1]["payments"][0]["created_at"] == "2026-03-02T04:00:00.000-05:00"


async def test_payments_query_searches_reference_method_and_customer(api, store, customer):
    other = store.add_customer(firstname="Sam", lastname="Patel")
    store.add_payment(customer.id, 10, ref_num="EFT-88231")
    store.add_payment(other.id, 20, method="Check")
    assert [p["payment_amount"] for p in (await call(api, "GET", "/payments", query="eft-88"))[1]["payments"]] == [10.0]
    assert [p["payment_amount"] for p in (await call(api, "GET", "/payments", query="patel"))[1]["payments"]] == [20.0]


async def test_a_zero_invoice_is_unpaid_until_a_payment_is_recorded_unless_switched(api, store, customer, syncro_emulator):
    zero = store.add_invoice(customer.id, [{"item": "Warranty swap", "price": "0"}])
    assert (await invoice_json(api, zero.id))["is_paid"] is False
    syncro_emulator.switches.zero_total_is_paid = True
    assert (await invoice_json(api, zero.id))["is_paid"] is True
    syncro_emulator.switches.zero_total_is_paid = False
    await call(api, "POST", "/payments", {"invoice_id": zero.id, "amount_cents": 0, "payment_method": "Quick"})
    assert (await invoice_json(api, zero.id))["is_paid"] is True


# -- store credit -------------------------------------------------------------------------------
async def test_applying_store_credit_relinks_the_payment_that_carries_it(api, store, customer, fake_clock):
    prepayment = store.add_payment(customer.id, 100, method="Check")
    invoice = store.add_invoice(customer.id, [LABOUR])
    fake_clock.advance(60)
    carriers = store.apply_store_credit(customer.id, invoice.id, 100)
    assert [p.id for p in carriers] == [prepayment.id] and len(store.payments) == 1
    body = (await call(api, "GET", f"/payments/{prepayment.id}"))[1]["payment"]
    assert body["invoice_ids"] == [invoice.id] and body["updated_at"] == "2026-03-02T04:01:00.000-05:00"
    assert (await invoice_json(api, invoice.id))["balance_due"] == "50.0"
    assert store.store_credit_balance(customer.id) == 0


async def test_applying_store_credit_creates_a_store_credit_payment_when_switched(api, store, customer, syncro_emulator):
    syncro_emulator.switches.store_credit_application = "new_payment"
    prepayment = store.add_payment(customer.id, 100, method="Check")
    invoice = store.add_invoice(customer.id, [LABOUR])
    (credit,) = store.apply_store_credit(customer.id, invoice.id, 60)
    payments = {p["id"]: p for p in (await call(api, "GET", "/payments"))[1]["payments"]}
    assert payments[prepayment.id]["invoice_ids"] == [None]
    assert (payments[credit.id]["payment_method"], payments[credit.id]["invoice_ids"]) == ("Store Credit", [invoice.id])
    assert store.store_credit_balance(customer.id) == 40


async def test_manual_store_credit_is_an_unapplied_store_credit_payment_or_invisible(api, store, customer, syncro_emulator):
    store.add_store_credit(customer.id, 25)
    (payment,) = (await call(api, "GET", "/payments"))[1]["payments"]
    assert (payment["payment_method"], payment["invoice_ids"], payment["payment_amount"]) == ("Store Credit", [None], 25.0)
    syncro_emulator.switches.manual_credit_visible = False
    assert store.add_store_credit(customer.id, 5) is None
    assert len((await call(api, "GET", "/payments"))[1]["payments"]) == 1
    assert store.store_credit_balance(customer.id) == 30


async def test_store_credit_cannot_exceed_the_balance_or_the_invoice(store, customer):
    invoice = store.add_invoice(customer.id, [LABOUR])
    store.add_payment(customer.id, 500)
    with pytest.raises(ValueError, match="balance due"):
        store.apply_store_credit(customer.id, invoice.id, 200)
    with pytest.raises(ValueError, match="Not enough store credit"):
        store.apply_store_credit(customer.id, store.add_invoice(customer.id, [LABOUR] * 5).id, 600)


# -- refunds ------------------------------------------------------------------------------------
async def test_a_refund_invoice_is_negative_and_its_cash_payout_a_negative_payment(api, store, customer):
    original = store.add_invoice(customer.id, [LABOUR, LICENCE])
    store.add_payment(customer.id, store.totals(original).total, invoice_id=original.id)
    refund = store.refund_invoice(original.id, [LICENCE], payout="cash", method="Credit Card")
    body = await invoice_json(api, refund.id)
    assert (body["subtotal"], body["tax"], body["total"], body["is_paid"]) == ("-85.0", "-7.54", "-92.54", True)
    assert body["line_items"][0]["quantity"] == "-10.0"
    (entry,) = body["payments"]
    payout = (await call(api, "GET", f"/payments/{entry['id']}"))[1]["payment"]
    assert (payout["payment_amount"], payout["payment_method"], payout["invoice_ids"]) == (-92.54, "Credit Card", [refund.id])


async def test_an_open_refund_has_a_negative_balance_due(api, store, customer):
    refund = store.refund_invoice(store.add_invoice(customer.id, [LABOUR]).id)
    listed = (await call(api, "GET", "/invoices", unpaid="true"))[1]["invoices"]
    assert [(i["id"], i["balance_due"]) for i in listed if i["id"] == refund.id] == [(refund.id, -150.0)]


async def test_a_refund_to_store_credit_or_with_no_visible_payout(api, store, customer, syncro_emulator):
    original = store.add_invoice(customer.id, [LABOUR])
    store.refund_invoice(original.id, payout="store_credit")
    (payout,) = (await call(api, "GET", "/payments"))[1]["payments"]
    assert (payout["payment_method"], payout["payment_amount"]) == ("Store Credit", -150.0)
    assert store.store_credit_balance(customer.id) == 150
    syncro_emulator.switches.refund_payout = "none"
    refund = store.refund_invoice(original.id, payout="cash")
    assert len((await call(api, "GET", "/payments"))[1]["payments"]) == 1
    body = await invoice_json(api, refund.id)
    assert (body["is_paid"], body["payments"], body["balance_due"]) == (True, [], "0.0")
