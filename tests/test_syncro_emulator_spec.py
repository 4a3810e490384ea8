"""Every response body the sync uses, validated against Syncro's official OpenAPI spec (S1a).

The spec gives a 200 *schema* for two of these paths only; for the rest its *example* is the
contract, so the example becomes a schema: every key it shows must be present, with its JSON type
(``null`` in the example constrains nothing, numbers are ``number`` except ids), strings that are
timestamps must be RFC 3339 with an offset, and ``meta`` and list envelopes may carry nothing more.

Where the spec (S1a) conflicts with the newer official refresh (S1b) recorded in
``reference/syncro-api.md``, the notes win, and each override is named here:

- ``GET /invoices/{id}``: the schema describes the bare invoice; S1b's example (and §1.7) wraps it
  in ``{"invoice": ...}``, so the schema is applied to ``body["invoice"]``;
- ``hardwarecost``: schema ``number``; §1.8 and every example show a decimal string;
- date-only fields (``date``, ``due_date``, ``date_received``, ``applied_at``, ``paid_date``): S1a
  shows midnight datetimes, S1b renders ``YYYY-MM-DD`` (§1.6), so they must be ``format: date``;
- the schemas type fields without ``nullable`` that their own examples show as ``null``, so every
  typed field may be null.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Callable

import aiohttp
import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from syncro_xero.emulators.syncro import SeedSummary, SyncroEmulator, seed_sample

SPEC_FILE = Path(__file__).parent / "specs" / "syncro_swagger.json"
SPEC = json.loads(SPEC_FILE.read_text())
DATE_ONLY = frozenset({"date", "due_date", "date_received", "applied_at", "paid_date"})
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def _deref(node: Any) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = SPEC
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _deref(target)
        return {k: _deref(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_deref(v) for v in node]
    return node


def _relax(schema: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    """Nullable everywhere; the S1b overrides listed in the module docstring."""
    schema = dict(schema)
    if key == "hardwarecost":
        schema = {"type": "string"}
    elif key in DATE_ONLY and schema.get("type") == "string":
        schema["format"] = "date"
    if "type" in schema:
        schema["nullable"] = True
    if "properties" in schema:
        schema["properties"] = {k: _relax(v, k) for k, v in schema["properties"].items()}
    if "items" in schema:
        schema["items"] = _relax(schema["items"])
    return schema


def _from_example(value: Any, key: str | None = None, top: bool = False) -> dict[str, Any]:
    if isinstance(value, dict):
        schema: dict[str, Any] = {
            "type": "object",
            "required": list(value),
            "properties": {k: _from_example(v, k) for k, v in value.items()},
        }
        envelope = top and ("meta" in value or (len(value) == 1 and isinstance(next(iter(value.values())), (list, dict))))
        if key == "meta" or envelope:
            schema["additionalProperties"] = False
        return schema
    if isinstance(value, list):
        return {"type": "array", "items": _from_example(value[0])} if value else {"type": "array"}
    if value is None:
        return {}
    if isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, int):
        kind = "integer" if key == "id" or (key or "").endswith("_id") else "number"
    elif isinstance(value, float):
        kind = "number"
    else:
        kind = "string"
    schema = {"type": kind, "nullable": True}
    if kind == "string" and key in DATE_ONLY:
        schema["format"] = "date"
    elif kind == "string" and TIMESTAMP.match(value):
        schema["format"] = "date-time"
    return schema


def spec_schema(path: str, method: str) -> dict[str, Any]:
    """The 200 response's schema, or one built from its example."""
    content = next(iter(SPEC["paths"][path][method]["responses"]["200"]["content"].values()))
    if "schema" in content:
        return _relax(_deref(content["schema"]))
    return _from_example(content["example"], top=True)


def spec_errors(path: str, method: str, body: Any) -> list[str]:
    validator = OAS30Validator(spec_schema(path, method), format_checker=oas30_format_checker)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


# -- the calls the sync makes -------------------------------------------------------------------------
Build = Callable[[SeedSummary, SyncroEmulator], Any]
CASES: list[tuple[str, str, Build, Build | None]] = [
    ("get", "/customers", lambda s, e: "/customers", None),
    ("get", "/customers/{id}", lambda s, e: f"/customers/{s.customers[0]}", None),
    ("post", "/customers", lambda s, e: "/customers", lambda s, e: {"business_name": "New Co", "email": "a@new.example"}),
    ("put", "/customers/{id}", lambda s, e: f"/customers/{s.customers[1]}", lambda s, e: {"notes": "VIP"}),
    ("delete", "/customers/{id}", lambda s, e: f"/customers/{e.store.add_customer(firstname='Gone').id}", None),
    ("get", "/contacts", lambda s, e: f"/contacts?customer_id={s.customers[0]}", None),
    ("get", "/contacts/{id}", lambda s, e: f"/contacts/{next(iter(e.store.contacts))}", None),
    ("post", "/contacts", lambda s, e: "/contacts", lambda s, e: {"customer_id": s.customers[0], "name": "Pat Doe"}),
    ("put", "/contacts/{id}", lambda s, e: f"/contacts/{next(iter(e.store.contacts))}", lambda s, e: {"name": "Pat Roe"}),
    ("get", "/invoices", lambda s, e: "/invoices", None),
    ("get", "/invoices/{id}", lambda s, e: f"/invoices/{s.partial_invoice_id}", None),
    ("get", "/invoices/{id}", lambda s, e: f"/invoices/{s.refund_invoice_id}", None),
    ("post", "/invoices", lambda s, e: "/invoices", lambda s, e: {"customer_id": s.customers[0], "date": "2026-03-01"}),
    ("put", "/invoices/{id}", lambda s, e: f"/invoices/{s.invoices[0]}", lambda s, e: {"po_number": "PO-9"}),
    ("get", "/line_items", lambda s, e: f"/line_items?invoice_id={s.invoices[0]}", None),
    ("get", "/payments", lambda s, e: "/payments", None),
    ("get", "/payments/{id}", lambda s, e: f"/payments/{s.split_payment_id or s.payments[0]}", None),
    ("get", "/payments/{id}", lambda s, e: f"/payments/{s.prepayment_id}", None),
    ("post", "/payments", lambda s, e: "/payments", lambda s, e: {"customer_id": s.customers[0], "amount_cents": 1000}),
    ("get", "/payment_methods", lambda s, e: "/payment_methods", None),
    ("get", "/products", lambda s, e: "/products", None),
    ("get", "/products/{id}", lambda s, e: f"/products/{s.products[0]}", None),
    ("post", "/products", lambda s, e: "/products", lambda s, e: {"name": "Widget", "description": "A widget", "price_retail": 5}),
    ("put", "/products/{id}", lambda s, e: f"/products/{s.products[0]}", lambda s, e: {"name": "Dock", "description": "Dock"}),
    ("put", "/products/{id}/location_quantities", lambda s, e: f"/products/{s.products[0]}/location_quantities",
     lambda s, e: {"location_quantity_id": e.store.products[s.products[0]].location_quantities[0].id, "quantity": 9}),
    ("get", "/products/categories", lambda s, e: "/products/categories", None),
    ("get", "/products/barcode", lambda s, e: f"/products/barcode?barcode={e.store.products[s.products[0]].upc_code}", None),
    ("get", "/purchase_orders", lambda s, e: "/purchase_orders", None),
    ("get", "/purchase_orders/{id}", lambda s, e: f"/purchase_orders/{s.partial_po_id}", None),
    ("post", "/purchase_orders", lambda s, e: "/purchase_orders", lambda s, e: {"vendor_id": s.vendors[0], "shipping_cents": 2500}),
    ("post", "/purchase_orders/{id}/create_po_line_item", lambda s, e: f"/purchase_orders/{s.partial_po_id}/create_po_line_item",
     lambda s, e: {"product_id": s.products[0], "quantity": 2}),
    ("post", "/purchase_orders/{id}/receive", lambda s, e: f"/purchase_orders/{s.partial_po_id}/receive",
     lambda s, e: {"line_item_id": e.store.purchase_orders[s.partial_po_id].line_items[0].id, "received_quantity": 1}),
    ("get", "/vendors", lambda s, e: "/vendors", None),
    ("get", "/vendors/{id}", lambda s, e: f"/vendors/{s.vendors[0]}", None),
    ("post", "/vendors", lambda s, e: "/vendors", lambda s, e: {"name": "New Vendor"}),
    ("put", "/vendors/{id}", lambda s, e: f"/vendors/{s.vendors[0]}", lambda s, e: {"notes": "Net 30"}),
    ("get", "/settings", lambda s, e: "/settings", None),
    ("get", "/me", lambda s, e: "/me", None),
]


@pytest.fixture
def seeded(syncro_emulator: SyncroEmulator) -> SeedSummary:
    return seed_sample(syncro_emulator.store, customers=6, invoices=24, payments=18, products=14, vendors=3, purchase_orders=3)


@pytest.mark.parametrize(("method", "spec_path", "path", "body"), CASES, ids=[f"{m} {p}" for m, p, *_ in CASES])
async def test_response_matches_official_spec(syncro_emulator, seeded, method, spec_path, path, body):
    url = syncro_emulator.api_url + path(seeded, syncro_emulator)
    payload = body(seeded, syncro_emulator) if body else None
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer test-syncro-key"}) as http:
        async with http.request(method.upper(), url, json=payload) as response:
            assert response.status == 200, await response.text()
            answer = await response.json()
    if spec_path == "/invoices/{id}" and method == "get":
        assert set(answer) == {"invoice"}
        answer = answer["invoice"]
    assert answer, "an empty answer proves nothing"
    assert spec_errors(spec_path, method, answer) == []


def test_validator_rejects_wrong_money_types_missing_fields_and_utc_free_timestamps():
    """The checks above can fail: each broken copy of a valid body is caught."""
    invoice_list = {"invoices": [_example("/invoices", "get")["invoices"][0]], "meta": {"total_pages": 1, "page": 1}}
    invoice_list["invoices"][0].update(created_at="2026-03-02T04:00:00.000-05:00", date="2026-03-02", due_date="2026-03-02")
    assert spec_errors("/invoices", "get", invoice_list) == []

    as_number = copy.deepcopy(invoice_list)
    as_number["invoices"][0]["total"] = 10.0
    missing = copy.deepcopy(invoice_list)
    del missing["invoices"][0]["customer_id"]
    no_offset = copy.deepcopy(invoice_list)
    no_offset["invoices"][0]["created_at"] = "2026-03-02T04:00:00.000"
    extra_meta = copy.deepcopy(invoice_list)
    extra_meta["meta"]["per_page"] = 25
    for broken in (as_number, missing, no_offset, extra_meta):
        assert spec_errors("/invoices", "get", broken)

    products_with_meta = {"products": [], "meta": {"total_pages": 1, "page": 1}}
    assert spec_errors("/products", "get", products_with_meta)
    assert spec_errors("/invoices/{id}", "get", {"hardwarecost": 1.5})


def _example(path: str, method: str) -> Any:
    return copy.deepcopy(SPEC["paths"][path][method]["responses"]["200"]["content"]["application/json"]["example"])


# -- the request check can fail ------------------------------------------------------------------
# (what is wrong, method, path, body): each breaks syncro_swagger.json (and S1b's additions) in one way.
OFF_SPEC_REQUESTS = [
    ("page on a list that takes none", "GET", "/products/categories?page=1", None),
    ("an operation the spec does not have", "GET", "/products/categories/1", None),
    ("a method the spec does not have", "DELETE", "/payments/1", None),
    ("an id that is no integer", "GET", "/customers/abc", None),
    ("a query parameter of the wrong type", "GET", "/invoices?paid=maybe", None),
    ("per_page where only the notes mention it", "GET", "/customers?per_page=100", None),
    ("a typo'd field", "POST", "/payments", {"customer_id": 1, "amount_cents": 100, "ref_nun": "X"}),
    ("a field of the wrong type", "POST", "/payments", {"customer_id": 1, "amount_cents": "1.00"}),
    ("a null the spec does not allow", "PUT", "/customers/1", {"business_name": "Acme", "city": None}),
    ("a required field missing", "POST", "/contacts", {"name": "Pat"}),
    ("a PO field S1b's PUT does not take", "PUT", "/purchase_orders/1", {"shipping_notes": "Back door"}),
    ("the payment date the notes leave unknown", "POST", "/payments",
     {"customer_id": 1, "amount_cents": 100, "applied_at": "2026-03-01"}),
]


@pytest.mark.parametrize(("wrong", "method", "path", "body"), OFF_SPEC_REQUESTS, ids=[c[0] for c in OFF_SPEC_REQUESTS])
async def test_each_off_spec_syncro_request_is_refused_with_400_and_recorded(fake_clock, wrong, method, path, body):
    emulator = SyncroEmulator(clock=fake_clock, validate_against_spec=SPEC_FILE)  # no undocumented name allowed
    await emulator.start()
    try:
        async with aiohttp.ClientSession(headers={"Authorization": "Bearer test-syncro-key"}) as http:
            async with http.request(method, emulator.api_url + path, json=body) as response:
                assert response.status == 400, await response.text()
                assert "OpenAPI spec" in (await response.json())["error"]
    finally:
        await emulator.stop()
    assert emulator.spec_violations, f"{wrong}: refused but not recorded"
    emulator.spec_violations.clear()  # expected here


async def test_on_spec_and_named_syncro_requests_are_answered(fake_clock):
    """The refusals above are for the fault named: S1b's additions pass, and the payment date passes once named."""
    emulator = SyncroEmulator(clock=fake_clock, validate_against_spec=SPEC_FILE, allow_undocumented={"payment_applied_at"})
    customer = emulator.store.add_customer(business_name="Acme")
    await emulator.start()
    try:
        async with aiohttp.ClientSession(headers={"Authorization": "Bearer test-syncro-key"}) as http:
            for method, path, body in (
                ("GET", "/products/categories", None), ("GET", "/invoices?per_page=25&api_key=test-syncro-key", None),
                ("POST", "/payments", {"customer_id": customer.id, "amount_cents": 100, "applied_at": "2026-03-01"}),
                ("PUT", f"/customers/{customer.id}", {"business_name": "Acme Ltd"}),
            ):
                async with http.request(method, emulator.api_url + path, json=body) as response:
                    assert response.status == 200, await response.text()
    finally:
        await emulator.stop()
    assert emulator.spec_violations == [] and emulator.requests_checked == 4


async def test_an_emulator_made_anywhere_in_the_suite_is_strict(fake_clock):
    """conftest makes every emulator strict, also one a test builds itself without saying so."""
    emulator = SyncroEmulator(clock=fake_clock)
    await emulator.start()
    try:
        async with aiohttp.ClientSession(headers={"Authorization": "Bearer test-syncro-key"}) as http:
            async with http.get(emulator.api_url + "/products/categories?page=1") as response:
                assert response.status == 400
    finally:
        await emulator.stop()
    emulator.spec_violations.clear()
