"""Never silent, never stuck (issue 11, items 7-12), end to end over loopback.

One bad record parks alone; malformed data and answers end a pass with one line, never a
traceback; a record that can never sync waits a bounded number of passes, then parks with the
reason; a 429 asking for an absurd wait is not obeyed forever and a stuck pass stops the systemd
watchdog; a fault of the exchange fails its record for this pass only, the rest goes on.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from click.testing import CliRunner
from helpers import corrupt
from syncro_xero.cli import cli
from syncro_xero.testing import tax_settings_for

SALES = ("contacts", "tax", "invoices", "payments", "refunds", "products")
WORK = [{"name": "Work", "quantity": "1", "price": "10", "taxable": False}]


@pytest.fixture
def configure(make_config, syncro_emulator):
    def make(sync=None, **overrides):
        plugins = {name: {} for name in SALES}
        plugins["tax"] = tax_settings_for(syncro_emulator.store)
        plugins.update(overrides)
        return make_config(plugins=plugins, sections={"sync": sync or {}})

    return make


def xero_numbers(xero_emulator) -> set[str]:
    return {i["InvoiceNumber"] for i in xero_emulator.store.records("Invoices")}


# -- 7. one bad record in a batch ----------------------------------------------------------------


async def test_one_unreadable_invoice_in_a_batch_is_parked_alone_and_the_other_30_are_written(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Batch Ltd")
    invoices = [store.add_invoice(customer.id, WORK) for _ in range(31)]
    bad = invoices[17]
    corrupt(syncro_emulator, "/api/v1/invoices", bad.id, date="31/02/2026")
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert xero_numbers(xero_emulator) == {i.number for i in invoices if i is not bad}
    [parked] = await engine.state.parked.all()
    assert parked.record_id == str(bad.id) and "31/02/2026" in f"{parked.reason} {parked.detail}"
    assert "plugin's author" not in parked.reason
    assert not report.ok


def _detail_line(store, invoice) -> dict:
    line = invoice.line_items[0] if hasattr(invoice, "line_items") else None
    return {"id": getattr(line, "id", 1), "item": "Work", "name": "Work", "quantity": "1.0", "price": "10.0",
            "cost": "0.0", "taxable": False, "product_id": None, "discount_percent": None, "discount_dollars": "0.0",
            "position": 1}


# -- 8. malformed data and answers ---------------------------------------------------------------


async def test_a_malformed_updated_at_neither_crashes_the_pass_nor_stops_the_features_after_it(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    odd = store.add_customer(business_name="Odd Times Ltd")
    fine = store.add_customer(business_name="Fine Ltd")
    invoices = [store.add_invoice(c.id, WORK) for c in (odd, fine)]
    corrupt(syncro_emulator, "/api/v1/customers", odd.id, updated_at="yesterday-ish")
    corrupt(syncro_emulator, "/api/v1/invoices", invoices[0].id, updated_at="2026-13-45T99:00:00")
    engine = await open_engine(configure())

    for _ in range(2):
        report = await engine.run_pass()
        assert report.error is None and not report.failed, report

    assert xero_numbers(xero_emulator) == {i.number for i in invoices}
    assert len(xero_emulator.store.records("Contacts")) == 2


MALFORMED_SYNCRO_ANSWERS = {
    "200 HTML": ("<html><body>Bad gateway</body></html>", "text/html"),
    "truncated JSON": ('{"customers": [{"id": 1, "business_na', "application/json"),
    "text/plain": ("Retry later", "text/plain"),
    "null": ("null", "application/json"),
    "a JSON array": ("[1, 2, 3]", "application/json"),
    "non-object list items": ('{"customers": [1, "two", null], "meta": {"total_pages": 1}}', "application/json"),
}


@pytest.mark.parametrize("body, content_type", MALFORMED_SYNCRO_ANSWERS.values(), ids=MALFORMED_SYNCRO_ANSWERS)
def test_a_malformed_syncro_answer_ends_sync_once_with_one_line_and_exit_1(
    body, content_type, live_emulators, live_config
):
    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Answer Ltd"))
    config = live_config()
    live_emulators.call(lambda: live_emulators.syncro.faults.answer_next(
        1, body, content_type=content_type, method="GET", path="/api/v1/customers"))

    result = CliRunner().invoke(cli, ["sync", "--once", "--config", str(config)])

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "customers" in result.output
    rerun = CliRunner().invoke(cli, ["sync", "--once", "--config", str(config)])
    assert rerun.exit_code == 0, rerun.output


def test_a_xero_200_html_answer_ends_sync_once_with_one_line_and_exit_1(live_emulators, live_config):
    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Answer Ltd"))
    config = live_config()
    live_emulators.call(lambda: live_emulators.xero.faults.answer_next(
        1, method="GET", path="/api.xro/2.0/Contacts"))

    result = CliRunner().invoke(cli, ["sync", "--once", "--config", str(config)])

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "not JSON" in result.output
    rerun = CliRunner().invoke(cli, ["sync", "--once", "--config", str(config)])
    assert rerun.exit_code == 0, rerun.output


# -- 9. records that can never sync --------------------------------------------------------------


def _invoice_for_a_deleted_customer(emulator):
    customer = emulator.store.add_customer(business_name="Gone Ltd")
    invoice = emulator.store.add_invoice(customer.id, WORK)
    corrupt(emulator, "/api/v1/invoices", invoice.id, customer_id=987654321, customer=None)
    return "invoices", invoice.id


def _invoice_with_a_null_customer_id(emulator):
    customer = emulator.store.add_customer(business_name="Nobody Ltd")
    invoice = emulator.store.add_invoice(customer.id, WORK)
    corrupt(emulator, "/api/v1/invoices", invoice.id, customer_id=None, customer=None)
    return "invoices", invoice.id


def _invoice_with_a_missing_product(emulator):
    customer = emulator.store.add_customer(business_name="Parts Ltd")
    invoice = emulator.store.add_invoice(customer.id, WORK)
    line = {**_detail_line(emulator.store, invoice), "product_id": 987654321}
    corrupt(emulator, "/api/v1/invoices", invoice.id, line_items=[line])
    return "invoices", invoice.id


def _payment_with_an_impossible_invoice_id(emulator):
    customer = emulator.store.add_customer(business_name="Payer Ltd")
    invoice = emulator.store.add_invoice(customer.id, WORK)
    payment = emulator.store.add_payment(customer.id, "10", invoice_id=invoice.id)
    corrupt(emulator, "/api/v1/payments", payment.id, invoice_ids=[987654321])
    return "payments", payment.id


def _negative_payment(emulator):
    customer = emulator.store.add_customer(business_name="Minus Ltd")
    invoice = emulator.store.add_invoice(customer.id, WORK)
    payment = emulator.store.add_payment(customer.id, "10", invoice_id=invoice.id)
    corrupt(emulator, "/api/v1/payments", payment.id, payment_amount=-10.0)
    return "payments", payment.id


NEVER = {  # how the record is made, and what its reason must name
    "an invoice for a deleted customer": (_invoice_for_a_deleted_customer, "GET /customers/987654321 (404)"),
    "a null customer id": (_invoice_with_a_null_customer_id, "no customer"),
    "a missing product": (_invoice_with_a_missing_product, "GET /products/987654321 (404)"),
    "a payment with an impossible invoice id": (_payment_with_an_impossible_invoice_id, "GET /invoices/987654321"),
    "a negative payment": (_negative_payment, "refund invoice"),
}


@pytest.mark.parametrize("make_record, named", NEVER.values(), ids=NEVER)
async def test_a_record_that_can_never_sync_waits_a_bounded_number_of_passes_then_parks_with_the_reason(
    make_record, named, syncro_emulator, xero_emulator, open_engine, configure
):
    resource, record_id = make_record(syncro_emulator)
    engine = await open_engine(configure(sync={"wait_passes": 3}))

    reports = [await engine.run_pass() for _ in range(5)]

    assert not any(r.ok for r in reports)  # waiting is not "in sync": exit 1 every pass
    [parked] = await engine.state.parked.all()
    assert (parked.resource, parked.record_id) == (resource, str(record_id))
    assert named in parked.reason
    assert not reports[-1].waiting


async def test_a_wait_that_ends_in_time_never_parks(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Patient Ltd")
    invoice = store.add_invoice(customer.id, WORK)
    store.add_payment(customer.id, "10", invoice_id=invoice.id)
    engine = await open_engine(configure(sync={"wait_passes": 2}))

    first = [await engine.run_pass(only=["contacts", "tax", "payments"]) for _ in range(2)]
    last = await engine.run_pass()

    assert all(not r.ok and r.waiting for r in first)
    assert last.ok, (last.waiting, await engine.state.parked.all())


# -- 10. waits asked for by the APIs, and the watchdog ------------------------------------------


async def test_a_syncro_429_asking_for_a_billion_seconds_fails_the_request_instead_of_waiting(
    syncro_emulator, xero_emulator, open_engine, configure, fake_clock
):
    syncro_emulator.store.add_customer(business_name="Throttled Ltd")
    syncro_emulator.switches.rate_limit_retry_after = True
    syncro_emulator.faults.rate_limit_next(1, retry_after=1_000_000_000)
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert max(fake_clock.slept, default=0) <= 300
    assert not report.ok and "max_pause_seconds" in str(report.failed + [report.error])
    assert (await engine.run_pass()).ok


async def test_a_xero_429_asking_for_a_billion_seconds_fails_the_request_instead_of_waiting(
    syncro_emulator, xero_emulator, open_engine, configure, fake_clock
):
    syncro_emulator.store.add_customer(business_name="Throttled Ltd")
    engine = await open_engine(configure())
    await engine.auth.tenant_id()
    xero_emulator.faults.rate_limit_next(1, retry_after=1_000_000_000)

    report = await engine.run_pass()

    assert max(fake_clock.slept, default=0) <= 300
    assert not report.ok and "max_pause_seconds" in str(report.failed + [report.error])
    fake_clock.advance(300)
    assert (await engine.run_pass()).ok


def test_a_stuck_pass_stops_the_watchdog_pings_so_systemd_restarts_the_daemon(tmp_path, live_emulators, live_config):
    config = live_config(sections={"sync": {"stall_seconds": 1.5, "max_pause_seconds": 1},
                                   "syncro": {"timeout_seconds": 60}})
    notify_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify_path))
    live_emulators.call(lambda: setattr(live_emulators.syncro.faults, "latency", 6.0))  # every answer hangs
    env = {**os.environ, "NOTIFY_SOCKET": str(notify_path), "WATCHDOG_USEC": "200000"}
    env.pop("WATCHDOG_PID", None)
    daemon = subprocess.Popen([sys.executable, "-c", "from syncro_xero.cli import main; main()", "run", "--config",
                               str(config)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any("STATUS=stuck" in m for m in seen):
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            seen.append(sock.recv(4096).decode())
        quiet_until = time.monotonic() + 1.0
        after: list[str] = []
        while time.monotonic() < quiet_until:
            sock.settimeout(max(0.05, quiet_until - time.monotonic()))
            try:
                after.append(sock.recv(4096).decode())
            except socket.timeout:
                break
    finally:
        daemon.send_signal(signal.SIGKILL)
        daemon.wait(10)
        sock.close()
        live_emulators.call(lambda: setattr(live_emulators.syncro.faults, "latency", 0.0))
    assert "WATCHDOG=1" in seen  # it did ping while there was progress
    assert any("STATUS=stuck" in m for m in seen), seen
    assert "WATCHDOG=1" not in after


# -- 11. transient faults are retried, not parked --------------------------------------------------


async def test_an_html_page_instead_of_an_invoice_fails_it_for_this_pass_and_the_next_pass_syncs_it(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    store.account.admin = False  # no GET /line_items: each invoice is read by its own detail call
    customer = store.add_customer(business_name="Flaky Ltd")
    invoices = [store.add_invoice(customer.id, WORK) for _ in range(3)]
    syncro_emulator.faults.answer_next(1, method="GET", path=f"/api/v1/invoices/{invoices[1].id}")
    engine = await open_engine(configure())

    first = await engine.run_pass()

    assert await engine.state.parked.all() == []
    assert [(f, r) for f, r, _ in first.failed] == [("invoices", str(invoices[1].id))] and not first.ok
    assert "text/html" in first.failed[0][2]
    assert xero_numbers(xero_emulator) == {invoices[0].number, invoices[2].number}
    assert (await engine.run_pass()).ok
    assert xero_numbers(xero_emulator) == {i.number for i in invoices}


async def test_only_an_exception_raised_by_plugin_code_is_called_a_plugin_bug(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Blame Ltd")
    core_fault = store.add_invoice(customer.id, WORK)
    corrupt(syncro_emulator, "/api/v1/invoices", core_fault.id, total="ten dollars")
    engine = await open_engine(configure())

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "ten dollars" in parked.reason and "plugin's author" not in parked.reason


# -- 12. a request failing every attempt fails its own record only -------------------------------


async def test_a_request_failing_every_attempt_fails_its_own_record_and_the_pass_goes_on(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    store.account.admin = False  # no GET /line_items: each invoice is read by its own detail call
    customer = store.add_customer(business_name="Outage Ltd")
    invoices = [store.add_invoice(customer.id, WORK) for _ in range(6)]
    syncro_emulator.faults.answer_next(5, '{"error": "down"}', status=503, content_type="application/json",
                                       path=f"/api/v1/invoices/{invoices[2].id}")
    store.add_payment(customer.id, "10", invoice_id=invoices[0].id)
    engine = await open_engine(configure())

    first = await engine.run_pass()

    assert [(f, r) for f, r, _ in first.failed] == [("invoices", str(invoices[2].id))]
    assert xero_numbers(xero_emulator) == {i.number for i in invoices if i is not invoices[2]}
    assert len(xero_emulator.store.records("Payments")) == 1  # later features ran too
    assert (await engine.run_pass()).ok
    assert xero_numbers(xero_emulator) == {i.number for i in invoices}
    assert sum(Decimal(str(i["Total"])) for i in xero_emulator.store.records("Invoices")) == 60
