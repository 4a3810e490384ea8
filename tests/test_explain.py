"""``syncro-xero explain KIND ID``: one record's story, from the state file alone."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from syncro_xero.cli import cli
from syncro_xero.testing import tax_settings_for


def explain(config: str, *args: str):
    return CliRunner().invoke(cli, ["explain", *args, "--config", config], catch_exceptions=False)


@pytest.fixture
def paid_invoice(live_emulators, live_config):
    """A config, and an invoice paid in Syncro, synced once."""
    store = live_emulators.syncro.store

    def make():
        customer = store.add_customer(business_name="Payer Ltd")
        invoice = store.add_invoice(customer.id, [{"name": "Work", "quantity": "1", "price": "100", "taxable": False}])
        payment = store.add_payment(customer.id, "100", invoice_id=invoice.id, method="Cash")
        return invoice, payment

    invoice, payment = live_emulators.call(make)
    plugins = {"contacts": {}, "tax": live_emulators.call(lambda: tax_settings_for(store)), "invoices": {},
               "payments": {}}
    config = str(live_config(plugins=plugins))
    assert CliRunner().invoke(cli, ["sync", "--once", "--config", config]).exit_code == 0
    return config, invoice, payment


def test_explain_an_invoice_by_number_shows_it_as_read_its_xero_invoice_and_the_write_with_its_key(
    live_emulators, paid_invoice
):
    config, invoice, _ = paid_invoice
    xero_invoice = live_emulators.call(lambda: live_emulators.xero.store.get("Invoices", invoice.number))

    data = json.loads(explain(config, "invoice", str(invoice.number), "--json").output)
    text = explain(config, "invoice", str(invoice.number)).output

    assert data["syncro_id"] == str(invoice.id) and data["last_read"][0]["record"]["number"] == invoice.number
    assert [(link["entity"], link["xero_id"]) for link in data["xero_links"]] == [("invoice", xero_invoice["InvoiceID"])]
    [write] = data["writes"]
    assert (write["action"], write["state"], write["xero_id"]) == ("create", "confirmed", xero_invoice["InvoiceID"])
    assert write["payload"]["InvoiceNumber"] == xero_invoice["InvoiceNumber"] and write["idempotency_key"]
    assert data["next_pass"] == ["invoices: in sync as last read. The next pass acts only if it changed in Syncro since."]
    assert f"Idempotency-Key: {write['idempotency_key']}" in text and "Xero answered" in text


def test_explain_a_payment_shows_its_xero_payment_and_what_xero_answered(live_emulators, paid_invoice):
    config, invoice, payment = paid_invoice
    [xero_payment] = live_emulators.call(lambda: live_emulators.xero.store.records("Payments"))

    data = json.loads(explain(config, "payment", str(payment.id), "--json").output)

    assert [link["xero_id"] for link in data["xero_links"]] == [xero_payment["PaymentID"]]
    [write] = [w for w in data["writes"] if w["feature"] == "payments"]
    assert (write["path"], write["state"], write["response"]["PaymentID"]) == (
        "Payments", "confirmed", xero_payment["PaymentID"])
    assert data["parked"] == [] and data["last_read"][0]["record"]["id"] == payment.id


def test_explain_a_parked_record_gives_the_reason_its_history_and_how_to_retry(live_emulators, live_config):
    config = str(live_config())
    bad = live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Bad Ltd", email="x@localhost"))
    CliRunner().invoke(cli, ["sync", "--once", "--config", config])
    CliRunner().invoke(cli, ["retry", "--all", "--config", config])

    data = json.loads(explain(config, "customer", str(bad.id), "--json").output)

    reason = "Xero refused this record: Email address must be valid."
    [parked] = data["parked"]
    assert (parked["reason"], parked["attempts"]) == (reason, 2)
    assert [(e["event"], e["reason"]) for e in data["parked_history"]] == [("parked", reason), ("parked", reason)]
    assert [w["state"] for w in data["writes"]] == ["rejected", "rejected"]
    assert f"syncro-xero retry {parked['id']}" in data["next_pass"][0]


def test_explain_of_a_record_never_read_says_so_and_exits_1(live_config):
    result = CliRunner().invoke(cli, ["explain", "invoice", "4242", "--config", str(live_config())])

    assert result.exit_code == 1 and "Nothing is known of Syncro invoice 4242" in result.output
