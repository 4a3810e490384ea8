"""Control characters (NUL, BEL, line breaks) in Syncro names never reach Xero as they are."""

from __future__ import annotations

import re

from syncro_xero.testing import tax_settings_for

CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def names_in(record: object) -> list[str]:
    """Every value of a ``Name``, ``FirstName`` or ``LastName`` key anywhere in a Xero record."""
    if isinstance(record, list):
        return [name for item in record for name in names_in(item)]
    if not isinstance(record, dict):
        return []
    own = [str(v) for k, v in record.items() if k in ("Name", "FirstName", "LastName") and isinstance(v, str)]
    return own + [name for v in record.values() for name in names_in(v)]


async def test_names_with_nul_bel_and_line_breaks_reach_xero_on_one_line_without_them(
    syncro_emulator, xero_emulator, open_engine, make_config
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme\x00 Ltd\x07\r\nNorth", firstname="Jo\tAnne",
                                  lastname="Smith\n")
    store.add_contact(customer.id, "Sam\x07 Jones\u2028Jr")
    store.add_customer(firstname="Ann\x00", lastname="Lee\x1b")
    category = store.add_category("Hard\nware")
    store.add_product("Widget\x07\r\nPro", category_ids=[category.id])
    vendor = store.add_vendor("Parts\x00 Co", rep_first_name="Al\n", rep_last_name="Bo\x07")
    dock = store.add_product("Dock", maintain_stock=True)
    store.add_purchase_order(vendor.id, [{"product_id": dock.id, "quantity": 1}])
    plugins = {name: {} for name in ("contacts", "products", "categories", "purchase_orders")}
    plugins["tax"] = tax_settings_for(store)
    engine = await open_engine(make_config(plugins=plugins))

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    contacts = {c["Name"] for c in xero_emulator.store.records("Contacts")}
    assert {"Acme Ltd North", "Ann Lee", "Parts Co"} <= contacts
    assert {i["Name"] for i in xero_emulator.store.records("Items")} == {"Widget Pro", "Dock"}
    names = [n for resource in ("Contacts", "Items", "TrackingCategories", "PurchaseOrders")
             for n in names_in(xero_emulator.store.records(resource))]
    assert names and not [n for n in names if CONTROL.search(n)]
    assert "Hard ware" in names
