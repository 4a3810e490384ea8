"""The Syncro emulator's protocol over loopback HTTP: auth, envelopes, errors, pagination, time zones,
date and money types, the 180 requests/minute limit, and the switchable faults."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from syncro_xero.emulators.syncro import SyncroEmulator

KEY = "test-syncro-key"


@pytest.fixture
async def api(syncro_emulator: SyncroEmulator):
    async with aiohttp.ClientSession(base_url=syncro_emulator.url, headers={"Authorization": f"Bearer {KEY}"}) as http:
        yield http


async def call(http: aiohttp.ClientSession, method: str, path: str, body: Any = None, **query: Any) -> tuple[int, Any]:
    async with http.request(method, "/api/v1" + path, json=body, params=query) as response:
        return response.status, await response.json(content_type=None)


def _customer_with_invoice(emulator: SyncroEmulator):
    store = emulator.store
    customer = store.add_customer(business_name="Acme Pty Ltd", firstname="Dana", lastname="Lee", email="a@acme.example")
    invoice = store.add_invoice(customer.id, [{"item": "Labour", "quantity": 2, "price": "75.00", "taxable": False}])
    return customer, invoice


# -- auth ---------------------------------------------------------------------------------------
async def test_bearer_token_in_the_authorization_header_is_accepted(api):
    assert (await call(api, "GET", "/me"))[0] == 200


async def test_api_key_query_parameter_is_accepted(syncro_emulator):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{syncro_emulator.api_url}/me", params={"api_key": KEY}) as response:
            assert response.status == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic " + KEY}])
async def test_missing_or_wrong_key_is_401_with_an_error_body(syncro_emulator, headers):
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{syncro_emulator.api_url}/customers", params={"api_key": "nope"}) as response:
            assert response.status == 401
            assert set(await response.json()) == {"error"}


async def test_a_bare_token_in_the_header_is_accepted_until_switched_off(syncro_emulator):
    async with aiohttp.ClientSession(headers={"Authorization": KEY}) as http:
        assert (await http.get(f"{syncro_emulator.api_url}/me")).status == 200
        syncro_emulator.switches.accept_bare_authorization = False
        assert (await http.get(f"{syncro_emulator.api_url}/me")).status == 401


async def test_a_non_admin_token_cannot_list_line_items(api, syncro_emulator):
    syncro_emulator.store.account.admin = False
    status, body = await call(api, "GET", "/line_items")
    assert (status, body) == (401, {"error": "Not authorized. Please ask account admin to update your group permissions."})


# -- envelopes and errors -----------------------------------------------------------------------
async def test_lists_use_plural_keys_and_single_records_singular_keys(api, syncro_emulator):
    customer, invoice = _customer_with_invoice(syncro_emulator)
    payment = syncro_emulator.store.add_payment(customer.id, 10, invoice_id=invoice.id)
    for plural, singular, record_id in [
        ("customers", "customer", customer.id), ("invoices", "invoice", invoice.id), ("payments", "payment", payment.id),
    ]:
        assert plural in (await call(api, "GET", f"/{plural}"))[1]
        assert set((await call(api, "GET", f"/{plural}/{record_id}"))[1]) == {singular}


async def test_contacts_are_bare_objects_on_create_read_and_update(api, syncro_emulator):
    customer, _ = _customer_with_invoice(syncro_emulator)
    status, created = await call(api, "POST", "/contacts", {"customer_id": customer.id, "name": "Pat Doe"})
    assert status == 200 and created["name"] == "Pat Doe" and created["customer_id"] == customer.id
    assert (await call(api, "GET", f"/contacts/{created['id']}"))[1]["id"] == created["id"]
    assert (await call(api, "PUT", f"/contacts/{created['id']}", {"name": "Pat Roe"}))[1]["name"] == "Pat Roe"


@pytest.mark.parametrize(
    ("path", "meta_keys"),
    [
        ("/customers", {"total_pages", "total_entries", "per_page", "page"}),
        ("/contacts", {"total_pages", "total_entries", "per_page", "page"}),
        ("/line_items", {"total_pages", "total_entries", "per_page", "page"}),
        ("/invoices", {"total_pages", "page"}),
        ("/payments", {"total_pages", "page"}),
        ("/products", None),
        ("/vendors", None),
        ("/purchase_orders", None),
        ("/payment_methods", None),
        ("/products/categories", None),
    ],
)
async def test_meta_carries_exactly_the_keys_the_spec_shows_for_each_list(api, path, meta_keys):
    body = (await call(api, "GET", path))[1]
    assert (set(body["meta"]) if "meta" in body else None) == meta_keys


@pytest.mark.off_spec_on_purpose("routes and methods the spec does not have")
async def test_unknown_ids_and_routes_answer_404_not_found(api):
    for path in ("/customers/1", "/invoices/999999", "/payments/1", "/products/1", "/no_such_thing"):
        assert await call(api, "GET", path) == (404, {"message": "Not found"})


@pytest.mark.off_spec_on_purpose("DELETEs the spec does not have")
@pytest.mark.parametrize("resource", ["payments", "products", "vendors", "purchase_orders"])
async def test_resources_without_a_delete_endpoint_answer_404(api, syncro_emulator, resource):
    store = syncro_emulator.store
    customer, _ = _customer_with_invoice(syncro_emulator)
    vendor = store.add_vendor("HostedBizz")
    record_id = {
        "payments": lambda: store.add_payment(customer.id, 5).id,
        "products": lambda: store.add_product("Dock").id,
        "vendors": lambda: vendor.id,
        "purchase_orders": lambda: store.add_purchase_order(vendor.id).id,
    }[resource]()
    assert (await call(api, "DELETE", f"/{resource}/{record_id}"))[0] == 404
    assert (await call(api, "GET", f"/{resource}/{record_id}"))[0] == 200


@pytest.mark.off_spec_on_purpose("bodies Syncro refuses")
async def test_refusals_use_each_endpoints_422_shape(api, syncro_emulator):
    store = syncro_emulator.store
    service = store.add_product("Remote Support Hour", price_retail="125")
    po = store.add_purchase_order(store.add_vendor("HostedBizz").id)

    status, body = await call(api, "POST", "/customers", {"business_name": "X", "email": "not an email"})
    assert (status, body["success"], body["message"]) == (422, False, ["Email is not an email"])
    assert body["params"]["email"] == "not an email"
    status, body = await call(api, "POST", "/contacts", {"name": "Nobody"})
    assert (status, body["errors"]) == (422, "Customer can't be blank") and "record" in body
    status, body = await call(api, "POST", f"/purchase_orders/{po.id}/create_po_line_item", {"product_id": service.id, "quantity": 1})
    assert status == 422 and "Maintain Stock" in body["errors"]
    status, body = await call(api, "POST", "/invoices", {"date": "2026-03-01"})
    assert (status, body) == (422, {"error": "Validation failed: Customer can't be blank"})


@pytest.mark.off_spec_on_purpose("parameters of the wrong type")
async def test_parameters_of_the_wrong_type_are_422(api):
    status, body = await call(api, "GET", "/invoices", ticket_id="abc")
    assert status == 422 and "ticket_id" in body["error"]


# -- pagination ---------------------------------------------------------------------------------
async def test_customers_come_25_a_page_with_total_pages_and_entries(api, syncro_emulator):
    for n in range(60):
        syncro_emulator.store.add_customer(firstname=f"C{n:02d}")
    first = (await call(api, "GET", "/customers"))[1]
    last = (await call(api, "GET", "/customers", page=3))[1]
    assert len(first["customers"]) == 25 and len(last["customers"]) == 10
    assert first["meta"] == {"total_pages": 3, "total_entries": 60, "per_page": 25, "page": 1}
    assert last["meta"]["page"] == 3


async def test_invoice_per_page_is_honoured_but_capped_at_25(api, syncro_emulator):
    customer, _ = _customer_with_invoice(syncro_emulator)
    for _ in range(39):
        syncro_emulator.store.add_invoice(customer.id, [{"item": "x", "price": "1"}])
    assert len((await call(api, "GET", "/invoices", per_page=10))[1]["invoices"]) == 10
    capped = (await call(api, "GET", "/invoices", per_page=100))[1]
    assert len(capped["invoices"]) == 25 and capped["meta"] == {"total_pages": 2, "page": 1}


@pytest.mark.off_spec_on_purpose("per_page where only the notes mention it")
async def test_per_page_is_honoured_up_to_100_elsewhere_unless_switched_off(api, syncro_emulator):
    for n in range(120):
        syncro_emulator.store.add_customer(firstname=f"C{n:03d}")
    assert (await call(api, "GET", "/customers", per_page=200))[1]["meta"]["per_page"] == 100
    syncro_emulator.switches.honour_per_page = False
    assert len((await call(api, "GET", "/customers", per_page=100))[1]["customers"]) == 25


async def test_contacts_default_to_50_a_page(api, syncro_emulator):
    customer, _ = _customer_with_invoice(syncro_emulator)
    for n in range(51):
        syncro_emulator.store.add_contact(customer.id, f"Person {n}")
    body = (await call(api, "GET", "/contacts", customer_id=customer.id))[1]
    assert len(body["contacts"]) == 50 and body["meta"]["total_pages"] == 2


async def test_lists_without_meta_end_with_an_empty_page(api, syncro_emulator):
    for n in range(26):
        syncro_emulator.store.add_product(f"Product {n}")
    pages = [len((await call(api, "GET", "/products", page=p))[1]["products"]) for p in (1, 2, 3)]
    assert pages == [25, 1, 0]


async def test_an_empty_list_still_has_one_page(api):
    assert (await call(api, "GET", "/invoices"))[1] == {"invoices": [], "meta": {"total_pages": 1, "page": 1}}


# -- time, dates and money ----------------------------------------------------------------------
async def test_timestamps_are_in_the_account_time_zone_with_offset(api, syncro_emulator, fake_clock):
    customer, invoice = _customer_with_invoice(syncro_emulator)  # fake clock: 2026-03-02 09:00 UTC
    body = (await call(api, "GET", f"/customers/{customer.id}"))[1]["customer"]
    assert body["created_at"] == "2026-03-02T04:00:00.000-05:00"
    fake_clock.advance(7 * 86400 + 0.25)  # past the DST change of 2026-03-08
    syncro_emulator.store.update_invoice(invoice.id, note="later")
    assert (await call(api, "GET", f"/invoices/{invoice.id}"))[1]["invoice"]["updated_at"] == "2026-03-09T05:00:00.250-04:00"


async def test_changing_the_account_time_zone_changes_timestamps_and_settings(api, syncro_emulator):
    customer, _ = _customer_with_invoice(syncro_emulator)
    syncro_emulator.store.set_time_zone("Australia/Sydney")
    body = (await call(api, "GET", f"/customers/{customer.id}"))[1]["customer"]
    assert body["updated_at"] == "2026-03-02T20:00:00.000+11:00"
    locale = (await call(api, "GET", "/settings"))[1]["locale"]
    assert (locale["time_zone"], locale["time_offset"]) == ("Australia/Sydney", "+11:00")


async def test_date_only_fields_are_calendar_dates_or_midnight_datetimes_by_switch(api, syncro_emulator):
    customer = syncro_emulator.store.add_customer(firstname="Sam")
    invoice = syncro_emulator.store.add_invoice(customer.id, date="2026-02-27", due_date="2026-03-13")
    syncro_emulator.store.add_payment(customer.id, 0, invoice_id=invoice.id, date="2026-03-01")
    body = (await call(api, "GET", f"/invoices/{invoice.id}"))[1]["invoice"]
    payment = (await call(api, "GET", "/payments"))[1]["payments"][0]
    assert (body["date"], body["due_date"], payment["applied_at"]) == ("2026-02-27", "2026-03-13", "2026-03-01")
    syncro_emulator.switches.date_style = "midnight"
    body = (await call(api, "GET", f"/invoices/{invoice.id}"))[1]["invoice"]
    assert body["date"] == "2026-02-27T00:00:00.000-05:00"


async def test_money_comes_in_each_resources_own_type(api, syncro_emulator):
    store = syncro_emulator.store
    customer, invoice = _customer_with_invoice(syncro_emulator)
    dock = store.add_product("Dock", price_cost="180", price_retail="259.5", maintain_stock=True, quantity=3)
    po = store.add_purchase_order(store.add_vendor("HostedBizz").id, [{"product_id": dock.id, "quantity": 2}], shipping="25")
    store.add_payment(customer.id, "100.50", invoice_id=invoice.id)

    listed = (await call(api, "GET", "/invoices"))[1]["invoices"][0]
    assert (listed["subtotal"], listed["tax"], listed["total"]) == ("150.0", "0.0", "150.0")
    assert (listed["amount_paid"], listed["balance_due"]) == (100.5, 49.5)
    detail = (await call(api, "GET", f"/invoices/{invoice.id}"))[1]["invoice"]
    assert detail["balance_due"] == "49.5" and detail["line_items"][0]["price"] == "75.0"
    assert detail["line_items"][0]["quantity"] == "2.0"
    syncro_emulator.switches.detail_balance_due = "number"
    assert (await call(api, "GET", f"/invoices/{invoice.id}"))[1]["invoice"]["balance_due"] == 49.5
    assert (await call(api, "GET", "/payments"))[1]["payments"][0]["payment_amount"] == 100.5
    assert (await call(api, "GET", f"/products/{dock.id}"))[1]["product"]["price_retail"] == 259.5
    body = (await call(api, "GET", f"/purchase_orders/{po.id}"))[1]["purchase_order"]
    assert (body["shipping"], body["total"]) == (25.0, 385.0)
    assert (body["line_items"][0]["cost_cents"], body["line_items"][0]["total_cents"]) == (18000, 36000)


# -- the 180 requests a minute ------------------------------------------------------------------
async def _statuses(http: aiohttp.ClientSession, url: str, count: int) -> list[int]:
    statuses = []
    for _ in range(count):
        async with http.get(url) as response:
            statuses.append(response.status)
    return statuses


async def test_the_181st_request_in_a_minute_is_refused_until_the_window_reopens(api, syncro_emulator, fake_clock):
    statuses = await _statuses(api, "/api/v1/me", 181)
    assert statuses[:180] == [200] * 180 and statuses[180] == 429
    fake_clock.advance(59.9)
    assert await _statuses(api, "/api/v1/me", 1) == [429]
    fake_clock.advance(0.1)
    assert await _statuses(api, "/api/v1/me", 180) == [200] * 180


async def test_requests_with_a_bad_key_count_toward_the_limit(syncro_emulator):
    syncro_emulator.switches.rate_limit = 3
    async with aiohttp.ClientSession() as http:
        assert await _statuses(http, f"{syncro_emulator.api_url}/me", 4) == [401, 401, 401, 429]


async def test_the_429_is_plain_text_without_retry_after_by_default(api, syncro_emulator, fake_clock):
    syncro_emulator.switches.rate_limit = 1
    await _statuses(api, "/api/v1/me", 1)
    async with api.get("/api/v1/me") as response:
        assert (response.status, await response.text()) == (429, "Retry later\n")
        assert "Retry-After" not in response.headers
    syncro_emulator.switches.rate_limit_body = "json"
    syncro_emulator.switches.rate_limit_retry_after = True
    fake_clock.advance(45)
    async with api.get("/api/v1/me") as response:
        assert (response.status, response.headers["Retry-After"]) == (429, "15")
        assert await response.json() == {"error": "Rate limit exceeded"}


async def test_a_fixed_window_reopens_on_the_minute_boundary(api, syncro_emulator, fake_clock):
    syncro_emulator.switches.rate_limit = 2
    syncro_emulator.switches.rate_limit_window = "fixed"
    fake_clock.advance(50)  # 09:00:50
    assert await _statuses(api, "/api/v1/me", 3) == [200, 200, 429]
    fake_clock.advance(10)  # 09:01:00, a new window; a sliding one would still refuse
    assert await _statuses(api, "/api/v1/me", 2) == [200, 200]


# -- faults -------------------------------------------------------------------------------------
async def test_fail_next_answers_the_chosen_status_then_recovers(api, syncro_emulator):
    syncro_emulator.faults.fail_next(2, status=503)
    assert [(await call(api, "GET", "/me"))[0] for _ in range(3)] == [503, 503, 200]


async def test_error_rate_fails_a_share_of_requests(api, syncro_emulator):
    syncro_emulator.faults.error_rate = 0.5
    statuses = [(await call(api, "GET", "/me"))[0] for _ in range(40)]
    assert 5 < sum(s >= 500 for s in statuses) < 35


async def test_rate_limit_next_uses_syncros_429_and_honours_the_retry_after_switch(api, syncro_emulator):
    syncro_emulator.switches.rate_limit_retry_after = True
    syncro_emulator.faults.rate_limit_next(1, retry_after=30)
    async with api.get("/api/v1/me") as response:
        assert (response.status, response.headers["Retry-After"], await response.text()) == (429, "30", "Retry later\n")
    assert (await call(api, "GET", "/me"))[0] == 200


async def test_latency_delays_answers_past_a_client_timeout(api, syncro_emulator):
    syncro_emulator.faults.latency = 0.3
    with pytest.raises(asyncio.TimeoutError):
        await api.get("/api/v1/me", timeout=aiohttp.ClientTimeout(total=0.05))


async def test_a_dropped_write_is_applied_but_never_answered(api, syncro_emulator):
    customer, invoice = _customer_with_invoice(syncro_emulator)
    syncro_emulator.faults.drop_after_write()
    with pytest.raises(aiohttp.ClientError):
        await call(api, "POST", "/payments", {"invoice_id": invoice.id, "amount_cents": 15000})
    assert syncro_emulator.store.totals(invoice).is_paid
    assert syncro_emulator.access_log.count(method="POST", path="/api/v1/payments") == 1
