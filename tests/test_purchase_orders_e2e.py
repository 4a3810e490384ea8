"""Syncro purchase orders -> Xero purchase orders and bills, end to end against both emulators."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from helpers import SimulatedCrash, crash_at
from syncro_xero.engine import Engine
from syncro_xero.testing import tax_settings_for

D = Decimal
NOTES = "Deliver to the loading bay at the back; ring 555-0100 on arrival. " * 9  # 594 characters


@pytest.fixture
def configure(make_config, syncro_emulator):
    def make(purchase_orders=None, **plugins):
        settings = {"tax": tax_settings_for(syncro_emulator.store), "products": {},
                    "purchase_orders": purchase_orders or {}}
        settings.update(plugins)
        return make_config(plugins={name: table for name, table in settings.items() if table is not None})

    return make


def order(store, vendor_name="Hosted Bizz", **fields):
    """A PO of two stocked products (one taxable), with shipping, other charges and notes."""
    vendor = store.add_vendor(vendor_name, email="sales@hostedbizz.example", phone="800-555-1001")
    dock = store.add_product("Dell WD19S Dock", price_cost="180", maintain_stock=True, taxable=True)
    cable = store.add_product("USB-C Cable 2m", price_cost="9.99", maintain_stock=True, taxable=False)
    po = store.add_purchase_order(
        vendor.id, [{"product_id": dock.id, "quantity": 4}, {"product_id": cable.id, "quantity": 10, "cost": "8.50"}],
        shipping="25", other="5", shipping_notes=NOTES, expected_date="2026-03-09", **fields)
    return vendor, (dock, cable), po


def receive_all(store, po):
    for line in po.line_items:
        store.receive_po_line(po.id, line.id)


def money(value) -> Decimal:
    return D(str(value))


def xero_po(xero_emulator, po) -> dict:
    return xero_emulator.store.get("PurchaseOrders", po.number)


def bills(xero_emulator) -> list[dict]:
    return [i for i in xero_emulator.store.records("Invoices") if i["Type"] == "ACCPAY"]


async def test_a_po_becomes_a_xero_po_with_item_lines_charges_delivery_instructions_and_tax(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    vendor, (dock, cable), po = order(store)
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok, report
    xero = xero_po(xero_emulator, po)
    contact = xero_emulator.store.get("Contacts", xero["Contact"]["ContactID"])
    assert (contact["Name"], contact["ContactNumber"]) == ("Hosted Bizz", f"SYNCRO-VENDOR-{vendor.id}")
    assert (xero["Status"], xero["Date"].isoformat(), xero["DeliveryDate"].isoformat()) == (
        "AUTHORISED", "2026-03-02", "2026-03-09")
    assert len(xero["DeliveryInstructions"]) == 500 and NOTES.startswith(xero["DeliveryInstructions"][:-1])
    lines = [(l["Description"], l.get("ItemCode"), l["Quantity"], l["UnitAmount"], l["AccountCode"], l["TaxType"])
             for l in xero["LineItems"]]
    assert lines == [
        ("Dell WD19S Dock", f"SYNCRO-{dock.id}", D(4), D("180.00"), "310", "INPUT2"),
        ("USB-C Cable 2m", f"SYNCRO-{cable.id}", D(10), D("8.50"), "310", "NONE"),
        ("Shipping", None, D(1), D("25.00"), "310", "INPUT2"),
        ("Other charges", None, D(1), D("5.00"), "310", "INPUT2"),
    ]
    assert money(xero["SubTotal"]) == store.po_total(po) == D("835.00")
    assert money(xero["TotalTax"]) == D("150.00")  # 20% of the dock, shipping and other


async def test_a_syncro_discount_becomes_a_line_so_xero_matches_syncros_total(
    syncro_emulator, xero_emulator, open_engine, configure
):
    _, _, po = order(syncro_emulator.store, discount_percent="7.5")
    engine = await open_engine(configure())

    assert (await engine.run_pass()).ok
    xero = xero_po(xero_emulator, po)
    assert xero["LineItems"][-1]["Description"] == "Discount (Syncro PO total)"
    assert money(xero["SubTotal"]) == syncro_emulator.store.po_total(po) == D("774.63")


async def test_the_supplier_contact_is_created_once_for_all_the_vendors_orders(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    vendor, (dock, _), first = order(store)
    second = store.add_purchase_order(vendor.id, [{"product_id": dock.id, "quantity": 1}])
    engine = await open_engine(configure())

    assert (await engine.run_pass()).ok
    third = store.add_purchase_order(vendor.id, [{"product_id": dock.id, "quantity": 2}])
    assert (await engine.run_pass()).ok

    [contact] = [c for c in xero_emulator.store.records("Contacts") if c["Name"].startswith("Hosted Bizz")]
    assert {xero_po(xero_emulator, po)["Contact"]["ContactID"] for po in (first, second, third)} == {contact["ContactID"]}


async def test_an_existing_xero_contact_with_the_vendors_name_is_matched_not_duplicated(
    syncro_emulator, xero_emulator, open_engine, configure
):
    existing = xero_emulator.store.insert("Contacts", Name="Hosted Bizz")
    vendor, _, po = order(syncro_emulator.store)
    engine = await open_engine(configure())

    report = await engine.run_pass()

    assert report.ok
    assert xero_po(xero_emulator, po)["Contact"]["ContactID"] == existing["ContactID"]
    assert [c["Name"] for c in xero_emulator.store.records("Contacts")] == ["Hosted Bizz"]
    assert xero_emulator.store.get("Contacts", existing["ContactID"])["ContactNumber"] == f"SYNCRO-VENDOR-{vendor.id}"
    assert any("matched existing Xero contact 'Hosted Bizz' by name" in n for n in report.counts["purchase_orders"].notes)


@pytest.mark.parametrize("name_clash", ["suffix", "share", "park"])
async def test_a_vendor_named_like_a_customer_is_settled_as_configured(
    name_clash, syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    customer = store.add_customer(business_name="Acme Ltd")
    _, _, po = order(store, vendor_name="Acme Ltd")
    engine = await open_engine(configure({"name_clash": name_clash}, contacts={}))

    report = await engine.run_pass()

    customers = xero_emulator.store.get("Contacts", f"SYNCRO-{customer.id}")
    names = sorted(c["Name"] for c in xero_emulator.store.records("Contacts"))
    if name_clash == "park":
        [parked] = await engine.state.parked.all()
        assert "already Syncro customer" in parked.reason and "Rename the vendor in Syncro" in parked.reason
        assert names == ["Acme Ltd"] and xero_po(xero_emulator, po) is None
    elif name_clash == "share":
        assert report.ok and names == ["Acme Ltd"]
        assert xero_po(xero_emulator, po)["Contact"]["ContactID"] == customers["ContactID"]
    else:
        assert report.ok and names == ["Acme Ltd", "Acme Ltd (supplier)"]
        assert xero_po(xero_emulator, po)["Contact"]["ContactID"] != customers["ContactID"]


async def test_a_change_in_syncro_updates_the_xero_po_and_an_unchanged_pass_writes_nothing(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    _, (dock, _), po = order(store)
    engine = await open_engine(configure())
    await engine.run_pass()
    store.add_po_line(po.id, dock.id, 1)
    store.update_purchase_order(po.id, shipping="30", delivery_tracking="1Z999")

    report = await engine.run_pass()
    quiet = await engine.backfill("purchase_orders")  # every PO handed over again, none changed

    assert report.counts["purchase_orders"].updated == 1
    xero = xero_po(xero_emulator, po)
    assert money(xero["SubTotal"]) == store.po_total(po) == D("1020.00") and xero["Reference"] == "1Z999"
    assert len(xero_emulator.store.records("PurchaseOrders")) == 1
    assert quiet.xero_calls == 0 and quiet.counts["purchase_orders"].as_dict() == {"unchanged": 1}


async def test_two_pos_needing_one_new_item_share_it_in_one_pass(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    vendor, (dock, _), _ = order(store)
    store.add_purchase_order(vendor.id, [{"product_id": dock.id, "quantity": 1}])
    engine = await open_engine(configure(products={"sync": "used"}))  # items made only when a PO needs them

    report = await asyncio.wait_for(engine.run_pass(), 5)

    assert (report.counts["purchase_orders"].created, report.waiting) == (2, [])
    items = {line["ItemCode"] for po in xero_emulator.store.records("PurchaseOrders") for line in po["LineItems"]
             if line.get("ItemCode")}
    assert len(xero_emulator.store.records("Items")) == 2 and f"SYNCRO-{dock.id}" in items


@pytest.mark.parametrize("amounts, total_field", [("Exclusive", "SubTotal"), ("Inclusive", "Total"), ("NoTax", "Total")])
async def test_a_finished_po_becomes_one_draft_bill_of_what_was_received_and_the_po_is_marked_billed(
    amounts, total_field, syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    _, (dock, cable), po = order(store, due_date="2026-04-01")
    engine = await open_engine(configure({"line_amount_types": amounts}))
    await engine.run_pass()
    receive_all(store, po)
    store.finish_po(po.id)

    assert (await engine.run_pass()).ok
    assert (await engine.run_pass()).xero_calls == 0

    [bill] = bills(xero_emulator)
    xero = xero_po(xero_emulator, po)
    assert (bill["InvoiceNumber"], bill["Status"], bill["DueDate"].isoformat()) == (po.number, "DRAFT", "2026-04-01")
    assert bill["Contact"]["ContactID"] == xero["Contact"]["ContactID"] and xero["Status"] == "BILLED"
    assert [(l.get("ItemCode"), l["Quantity"]) for l in bill["LineItems"]] == [
        (f"SYNCRO-{dock.id}", D(4)), (f"SYNCRO-{cable.id}", D(10)), (None, D(1)), (None, D(1))]
    assert money(bill[total_field]) == store.po_total(po)


async def test_a_po_received_in_part_is_billed_only_once_finished(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    _, _, po = order(store)
    engine = await open_engine(configure())
    store.receive_po_line(po.id, po.line_items[0].id, 2)

    await engine.run_pass()
    assert bills(xero_emulator) == [] and xero_po(xero_emulator, po)["Status"] == "AUTHORISED"
    receive_all(store, po)
    store.finish_po(po.id)
    await engine.run_pass()

    [bill] = bills(xero_emulator)
    assert money(bill["SubTotal"]) == store.po_total(po)


async def test_each_receipt_makes_a_bill_and_the_bills_add_up_to_syncros_total(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    _, (dock, cable), po = order(store, discount_percent="10")
    engine = await open_engine(configure({"bill_on": "each_receipt", "bill_status": "AUTHORISED"}))
    store.receive_po_line(po.id, po.line_items[0].id, 3)

    assert (await engine.run_pass()).ok
    receive_all(store, po)
    store.finish_po(po.id)
    assert (await engine.run_pass()).ok

    first, second = bills(xero_emulator)
    assert (first["InvoiceNumber"], second["InvoiceNumber"]) == (po.number, f"{po.number}-2")
    assert [(l.get("ItemCode"), l["Quantity"]) for l in first["LineItems"][:-3]] == [(f"SYNCRO-{dock.id}", D(3))]
    assert [(l.get("ItemCode"), l["Quantity"]) for l in second["LineItems"][:-1]] == [
        (f"SYNCRO-{dock.id}", D(1)), (f"SYNCRO-{cable.id}", D(10))]
    assert money(first["SubTotal"]) + money(second["SubTotal"]) == store.po_total(po)
    assert xero_po(xero_emulator, po)["Status"] == "BILLED"


# The writes: 1 the supplier contact (a ctx.upsert, as in test_crash_recovery), 2 the PO, 3 the bill, 4 the PO billed.
@pytest.mark.parametrize("when", ["before_send", "after_answer"])
@pytest.mark.parametrize("k", [2, 3, 4])
async def test_a_crash_at_any_write_of_a_finished_po_then_a_rerun_leaves_exactly_one_bill(
    k, when, syncro_emulator, xero_emulator, configure, fake_clock
):
    store = syncro_emulator.store
    _, _, po = order(store)
    receive_all(store, po)
    store.finish_po(po.id)
    config = configure(products=None, tax={})  # no tax groups: the PO's are the only writes
    other = xero_emulator.store.insert("Contacts", Name="Another Supplier")  # its PO is listed first
    xero_emulator.store.insert("PurchaseOrders", Contact={"ContactID": other["ContactID"]}, LineItems=[
        {"Description": "Toner", "Quantity": 1, "UnitAmount": "50", "AccountCode": "310"}])
    crashed = await Engine.open(config, clock=fake_clock)
    crashed.write_hooks = crash_at(k, when)
    with pytest.raises(SimulatedCrash):
        await crashed.run_pass()
    applied = k if when == "after_answer" else k - 1
    assert len(bills(xero_emulator)) == (applied >= 3)
    assert (xero_po(xero_emulator, po) or {}).get("Status") == [None, None, "AUTHORISED", "AUTHORISED", "BILLED"][applied]

    rerun = await Engine.open(config, clock=fake_clock)
    try:
        report = await rerun.run_pass()
        assert report.ok, (report, await rerun.state.parked.all())
        # a create Xero applied is found by its natural key; an update is simply sent again
        assert report.recovered["found" if when == "after_answer" and k < 4 else "lost"] == 1
        [bill] = bills(xero_emulator)
        assert money(bill["SubTotal"]) == store.po_total(po)
        assert xero_po(xero_emulator, po)["Status"] == "BILLED"
        assert len(xero_emulator.store.records("Contacts")) == len(xero_emulator.store.records("PurchaseOrders")) == 2
        assert (await rerun.state.links.get("purchase_order", po.id)).xero_id == xero_po(xero_emulator, po)["PurchaseOrderID"]
        assert (await rerun.run_pass()).xero_calls == 0
    finally:
        await rerun.close()
        await crashed.close()


def test_sigkill_right_after_the_bill_write_then_a_rerun_leaves_exactly_one_bill(live_emulators, live_config):
    store = live_emulators.syncro.store
    po = live_emulators.call(lambda: order(store)[2])
    live_emulators.call(lambda: (receive_all(store, po), store.finish_po(po.id)))
    config = str(live_config(plugins={"tax": {}, "purchase_orders": {}}))
    command = [sys.executable, "-c", "from syncro_xero.cli import main; main()", "sync", "--once", "--config", config]

    # writes: 1 supplier contact, 2 purchase order, 3 bill, 4 purchase order billed
    killed = subprocess.run(command, env={**os.environ, "SYNCRO_XERO_CRASH_AFTER_WRITES": "3"}, capture_output=True)
    rerun = subprocess.run(command, capture_output=True, text=True)

    assert killed.returncode == -9
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert len(live_emulators.call(lambda: bills(live_emulators.xero))) == 1
    assert live_emulators.call(lambda: xero_po(live_emulators.xero, po)["Status"]) == "BILLED"


async def test_xero_refusing_an_update_parks_the_po_with_a_reason(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    _, _, po = order(store)
    engine = await open_engine(configure())
    await engine.run_pass()
    xero_emulator.store.edit("PurchaseOrders", po.number, Status="DELETED")
    store.update_purchase_order(po.id, shipping="40")

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "its purchase order in Xero is deleted and Xero refuses changes" in parked.reason
    assert "not of valid status" in parked.detail


async def test_a_po_changed_after_it_was_billed_is_parked_and_not_billed_twice(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    _, _, po = order(store)
    receive_all(store, po)
    store.finish_po(po.id)
    engine = await open_engine(configure())
    await engine.run_pass()
    store.update_purchase_order(po.id, shipping="40")

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "changed in Syncro after it was billed in Xero" in parked.reason and "shipping +15" in parked.reason
    assert len(bills(xero_emulator)) == 1 and money(xero_po(xero_emulator, po)["SubTotal"]) == D("835.00")


async def test_a_po_billed_by_hand_in_xero_is_not_billed_again(syncro_emulator, xero_emulator, open_engine, configure):
    store = syncro_emulator.store
    _, _, po = order(store)
    engine = await open_engine(configure())
    await engine.run_pass()
    xero_emulator.store.edit("PurchaseOrders", po.number, Status="BILLED")
    receive_all(store, po)
    store.finish_po(po.id)

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "already billed in Xero" in parked.reason and bills(xero_emulator) == []


async def test_a_bill_of_the_supplier_with_the_same_number_and_amount_is_adopted_not_made_twice(
    syncro_emulator, xero_emulator, open_engine, configure
):
    store = syncro_emulator.store
    _, _, po = order(store)
    engine = await open_engine(configure())
    await engine.run_pass()
    contact_id = xero_po(xero_emulator, po)["Contact"]["ContactID"]
    keyed = xero_emulator.store.insert("Invoices", Type="ACCPAY", Contact={"ContactID": contact_id},
                                       InvoiceNumber=po.number, LineItems=[
                                           {"Description": "Goods", "Quantity": 1, "UnitAmount": "835.00",
                                            "AccountCode": "310", "TaxType": "NONE"}])
    receive_all(store, po)
    store.finish_po(po.id)

    report = await engine.run_pass()

    assert report.ok and [b["InvoiceID"] for b in bills(xero_emulator)] == [keyed["InvoiceID"]]
    assert (await engine.state.links.get("po_bill", po.id)).xero_id == keyed["InvoiceID"]


async def test_check_proves_the_accounts_of_lines_and_charges(open_engine, configure):
    engine = await open_engine(configure({"shipping_account": "999"}))

    results = {r.what: r for r in await engine.check()}

    assert results["plugins.purchase_orders.purchase_account = 310"].ok
    assert not results["plugins.purchase_orders.shipping_account = 999"].ok
