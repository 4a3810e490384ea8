"""`reconcile`: drift between Syncro and Xero, found by reading both."""

import json
from datetime import date

from click.testing import CliRunner
from syncro_xero.cli import cli
from syncro_xero.testing import tax_settings_for

FEATURES = ("contacts", "invoices", "payments", "refunds", "store_credit")


def config_for(live_emulators, live_config):
    plugins = {name: {} for name in FEATURES}
    plugins["tax"] = live_emulators.call(lambda: tax_settings_for(live_emulators.syncro.store))
    return str(live_config(plugins=plugins))


def test_no_drift_after_a_full_sync_then_a_payment_made_only_in_xero_shows(live_emulators, live_config):
    store = live_emulators.syncro.store

    def seed():
        customer = store.add_customer(business_name="Drift Ltd")
        invoice = store.add_invoice(customer.id, [{"name": "Work", "quantity": "1", "price": "100", "taxable": False}])
        store.add_payment(customer.id, "40", invoice_id=invoice.id)
        return invoice

    invoice = live_emulators.call(seed)
    config = config_for(live_emulators, live_config)
    assert CliRunner().invoke(cli, ["sync", "--once", "--config", config]).exit_code == 0
    clean = CliRunner().invoke(cli, ["reconcile", "--config", config])
    assert clean.exit_code == 0 and "No drift" in clean.output

    def pay_in_xero_only():
        xero_invoice = live_emulators.xero.store.get("Invoices", invoice.number)
        live_emulators.xero.store.insert("Payments", Invoice={"InvoiceID": xero_invoice["InvoiceID"]},
                                         Account={"Code": "090"}, Amount="10.00", Date="2026-03-02")

    live_emulators.call(pay_in_xero_only)
    drifted = CliRunner().invoke(cli, ["reconcile", "--json", "--config", config])

    assert drifted.exit_code == 1
    assert json.loads(drifted.output) == [{
        "what": f"invoice {invoice.number}", "syncro": "due 60.0", "xero": "due 50.00",
        "why": "a payment or credit recorded on one side only",
    }]


def test_an_invoice_missing_from_xero_is_drift_with_its_parked_reason(live_emulators, live_config):
    store = live_emulators.syncro.store

    def seed():
        live_emulators.xero.store.set_lock_dates(period=date(2026, 12, 31))
        customer = store.add_customer(business_name="Locked Ltd")
        return store.add_invoice(customer.id, [{"name": "Work", "quantity": "1", "price": "10", "taxable": False}],
                                 date="2026-01-15")

    invoice = live_emulators.call(seed)
    config = config_for(live_emulators, live_config)
    CliRunner().invoke(cli, ["sync", "--once", "--config", config])

    [row] = json.loads(CliRunner().invoke(cli, ["reconcile", "--json", "--config", config]).output)

    assert (row["what"], row["xero"]) == (f"invoice {invoice.number}", "absent")
    assert "inside a period locked in Xero" in row["why"]
