"""The bad-input suite: malformed records and malformed API answers, end to end over loopback.

Every malformed record is synced correctly or parked with a reason (never a traceback, never a
hang, never a wrong amount in Xero), and the well-formed records beside it all sync. Every
malformed answer ends its request, record or pass with one line; once the APIs answer properly
again, the next pass converges. The cases are enumerated rather than drawn by hypothesis: each
one needs a whole pass, and an enumerated world runs them all in a few passes, reproducibly.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from helpers import corrupt
from syncro_xero.testing import tax_settings_for

FEATURES = ("contacts", "tax", "invoices", "payments", "refunds", "products")
WORK = [{"name": "Work", "quantity": "1", "price": "10", "taxable": False}]
LONG = "x" * 5000
#: Values no field of these records should hold.
ODD_VALUES = [None, "", "garbage", -1, True, [], {}, "2026-02-30", "99999999999999999999.99", LONG, "\x00\ud800"]

CUSTOMER_FIELDS = ["business_name", "firstname", "email", "updated_at", "disabled", "address"]
INVOICE_FIELDS = ["date", "due_date", "number", "total", "customer_id", "updated_at", "tax", "subtotal"]
PAYMENT_FIELDS = ["payment_amount", "invoice_ids", "applied_at", "payment_method", "customer"]
LINE_FIELDS = ["quantity", "price", "taxable", "name", "product_id"]
LINE_VALUES = [None, "", "abc", "-0", "1e400", [], "10.001"]


def _cases() -> list[tuple[str, str, object]]:
    """(resource, field, value): one malformed record each."""
    cases = [("customers", f, v) for f in CUSTOMER_FIELDS for v in ODD_VALUES[:7]]
    cases += [("invoices", f, v) for f in INVOICE_FIELDS for v in ODD_VALUES]
    cases += [("payments", f, v) for f in PAYMENT_FIELDS for v in ODD_VALUES[:7]]
    cases += [("lines", f, v) for f in LINE_FIELDS for v in LINE_VALUES]
    return cases


CASES = _cases()


def _money(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if isinstance(value, (str, int, float, Decimal)) and value != "" else None
    except InvalidOperation:
        return None


async def test_every_malformed_record_is_synced_correctly_or_parked_with_a_reason_and_the_good_ones_all_sync(
    syncro_emulator, xero_emulator, open_engine, make_config
):
    assert len(CASES) >= 80
    store = syncro_emulator.store
    good_customer = store.add_customer(business_name="Good Ltd")
    good = [store.add_invoice(good_customer.id, WORK) for _ in range(3)]
    good_payment = store.add_payment(good_customer.id, "10", invoice_id=good[0].id)
    bad: dict[tuple[str, str], tuple[str, object]] = {}  # (resource, record id) -> (field, value)
    for resource, field, value in CASES:
        customer = store.add_customer(business_name=f"Case {len(bad)} Ltd")
        invoice = store.add_invoice(customer.id, WORK)
        if resource == "customers":
            corrupt(syncro_emulator, "/api/v1/customers", customer.id, **{field: value})
            bad[("customers", str(customer.id))] = (field, value)
        elif resource == "invoices":
            corrupt(syncro_emulator, "/api/v1/invoices", invoice.id, **{field: value})
            bad[("invoices", str(invoice.id))] = (field, value)
        elif resource == "lines":
            line = {"id": 1, "item": "Work", "name": "Work", "quantity": "1.0", "price": "10.0", "cost": "0.0",
                    "taxable": False, "product_id": None, "discount_percent": None, "discount_dollars": "0.0",
                    "position": 1, field: value}
            corrupt(syncro_emulator, "/api/v1/invoices", invoice.id, line_items=[line])
            bad[("invoices", str(invoice.id))] = ("line " + field, value)
        else:
            payment = store.add_payment(customer.id, "10", invoice_id=invoice.id)
            corrupt(syncro_emulator, "/api/v1/payments", payment.id, **{field: value})
            bad[("payments", str(payment.id))] = (field, value)
    plugins = {name: {} for name in FEATURES}
    plugins["tax"] = tax_settings_for(store)
    engine = await open_engine(make_config(plugins=plugins, sections={"sync": {"wait_passes": 2}}))

    for _ in range(4):
        report = await engine.run_pass()
        assert report.error is None, report.error

    parked = {(p.resource, p.record_id): p for p in await engine.state.parked.all()}
    assert all(p.reason.strip() and "Traceback" not in p.reason for p in parked.values())
    assert not report.waiting and not report.failed, (report.waiting, report.failed)
    xero_invoices = {i["InvoiceNumber"]: i for i in xero_emulator.store.records("Invoices")}
    for invoice in good:  # the good records beside them all synced, to the cent
        assert Decimal(str(xero_invoices[invoice.number]["Total"])) == Decimal("10")
    assert ("payments", str(good_payment.id)) not in parked, parked[("payments", str(good_payment.id))].reason
    wrong = []  # a bad invoice that synced must carry exactly the money its lines and total say
    by_id = {i["InvoiceID"]: i for i in xero_emulator.store.records("Invoices")}
    for (resource, record_id), (field, value) in bad.items():
        if (resource, record_id) in parked or resource != "invoices":
            continue
        link = await engine.state.links.get("invoice", record_id)
        synced = by_id.get(link.xero_id) if link else None
        served_total = _money(value) if field == "total" and value not in (None, "") else Decimal("10")
        if synced is None or served_total is None or Decimal(str(synced["Total"])) != served_total:
            wrong.append((record_id, field, repr(value)[:40], synced and synced["Total"]))
    numbers = [i.get("InvoiceNumber") for i in xero_emulator.store.records("Invoices")]
    assert len(numbers) == len(set(numbers))  # nothing duplicated
    assert report.xero_calls == 0 or (await engine.run_pass()).xero_calls == 0  # settled: a rerun writes nothing


HTML = ("<html><body>Bad gateway</body></html>", "text/html")
MALFORMED_BODIES = {
    "200 HTML": (200, *HTML),
    "truncated JSON": (200, '{"x": [{"id": 1, "na', "application/json"),
    "text/plain": (200, "Retry later", "text/plain"),
    "null": (200, "null", "application/json"),
    "a JSON array": (200, "[1, 2, 3]", "application/json"),
    "an empty object": (200, "{}", "application/json"),
    "non-object list items": (200, '{"customers": [1, "two", null], "invoices": [1], "payments": [null], '
                                   '"products": ["p"], "meta": {"total_pages": 1}}', "application/json"),
    "a string for the list": (200, '{"customers": "x", "invoices": "x", "payments": "x", "products": "x"}',
                              "application/json"),
    "not UTF-8": (200, b"\xff\xfe{", "application/json"),
    "502 HTML": (502, *HTML),
}
SYNCRO_PATHS = ["/api/v1/customers", "/api/v1/invoices", "/api/v1/payments", "/api/v1/products"]
XERO_PATHS = ["/api.xro/2.0/Contacts", "/api.xro/2.0/TaxRates", "/api.xro/2.0/Invoices"]
ANSWERS = [("syncro", path, name) for path in SYNCRO_PATHS for name in MALFORMED_BODIES]
ANSWERS += [("xero", path, name) for path in XERO_PATHS for name in ("200 HTML", "truncated JSON", "a JSON array")]


async def test_every_malformed_answer_ends_its_request_with_one_line_and_the_next_pass_converges(
    syncro_emulator, xero_emulator, open_engine, make_config
):
    assert len(ANSWERS) >= 30
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Answers Ltd")
    plugins = {name: {} for name in FEATURES}
    plugins["tax"] = tax_settings_for(store)
    engine = await open_engine(make_config(plugins=plugins))
    invoices = []
    for api, path, name in ANSWERS:
        invoice = store.add_invoice(customer.id, WORK)  # something new for every pass to write
        store.add_payment(customer.id, "10", invoice_id=invoice.id)
        invoices.append(invoice)
        status, body, content_type = MALFORMED_BODIES[name]
        emulator = syncro_emulator if api == "syncro" else xero_emulator
        emulator.faults.answer_next(5, body, status=status, content_type=content_type, method="GET", path=path)

        faulty = await engine.run_pass()
        emulator.faults.reset()
        clean = await engine.run_pass()

        reasons = [faulty.error or ""] + [why for _, _, why in faulty.failed]
        assert all("\n" not in why and "Traceback" not in why for why in reasons), (path, name, reasons)
        assert clean.ok, (path, name, clean.error, clean.failed, clean.waiting, await engine.state.parked.all())
    totals = {i["InvoiceNumber"]: Decimal(str(i["Total"])) for i in xero_emulator.store.records("Invoices")}
    assert all(totals[i.number] == 10 for i in invoices)
    assert len(xero_emulator.store.records("Payments")) == len(invoices)

