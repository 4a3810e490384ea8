"""Stock counts in Syncro -> QuantityOnHand of tracked Xero items: the documents, then end to end."""

from datetime import date
from decimal import Decimal

import pytest
from helpers import SimulatedCrash, crash_at
from syncro_xero.engine import Engine
from syncro_xero.plugins.inventory import adjustment_payload, counted
from syncro_xero.testing import tax_settings_for

DAY = date(2026, 3, 2)
ITEM = {"Code": "SYNCRO-7", "InventoryAssetAccountCode": "630", "QuantityOnHand": Decimal("4.0000"),
        "TotalCostPool": Decimal("100.00")}
PRODUCT = {"id": 7, "price_cost": Decimal("30"), "quantity": 4, "maintain_stock": True, "product_category": "Docks"}


def plugins(**inventory):
    return {"tax": {}, "products": {"track_inventory_categories": ["*"]}, "inventory": inventory}


def on_hand(xero_emulator, product) -> Decimal:
    return xero_emulator.store.get("Items", f"SYNCRO-{product.id}")["QuantityOnHand"]


def adjustments(xero_emulator) -> list[tuple[str, str]]:
    bills = [(i["Type"], i["InvoiceNumber"]) for i in xero_emulator.store.records("Invoices") if i["Type"] == "ACCPAY"]
    notes = [(c["Type"], c["CreditNoteNumber"]) for c in xero_emulator.store.records("CreditNotes")
             if c["Type"] == "ACCPAYCREDIT"]
    return bills + notes


# -- the documents, without servers ------------------------------------------------------------
def test_more_stock_is_a_zero_bill_with_the_item_at_syncro_cost_and_an_offsetting_line():
    payload = adjustment_payload(PRODUCT, ITEM, target=Decimal(6), contact_id="C", number="ADJ-7-1", account="310",
                                 today=DAY)

    assert payload == {
        "Type": "ACCPAY", "Contact": {"ContactID": "C"}, "Date": "2026-03-02", "DueDate": "2026-03-02",
        "InvoiceNumber": "ADJ-7-1", "LineAmountTypes": "NoTax", "Status": "AUTHORISED",
        "LineItems": [
            {"ItemCode": "SYNCRO-7", "Description": "Stock count in Syncro: 6 on hand (Xero had 4)",
             "Quantity": Decimal(2), "UnitAmount": Decimal(30), "AccountCode": "630"},
            {"Description": "Inventory adjustment: SYNCRO-7", "Quantity": Decimal(1), "UnitAmount": Decimal("-60.00"),
             "AccountCode": "310"},
        ],
    }


def test_less_stock_is_a_zero_supplier_credit_note_at_xeros_average_cost():
    payload = adjustment_payload(PRODUCT, {**ITEM, "QuantityOnHand": Decimal(3)}, target=Decimal(1), contact_id="C",
                                 number="ADJ-7-2", account="310", today=DAY)

    assert payload["Type"] == "ACCPAYCREDIT" and payload["CreditNoteNumber"] == "ADJ-7-2" and "DueDate" not in payload
    item, offset = payload["LineItems"]
    assert (item["Quantity"], item["UnitAmount"], offset["UnitAmount"]) == (Decimal(2), Decimal("33.3333"),
                                                                            Decimal("-66.67"))


@pytest.mark.parametrize("previous, expected", [
    (None, True), ({**PRODUCT, "quantity": 3}, True), ({**PRODUCT, "maintain_stock": False}, True),
    ({**PRODUCT, "price_cost": Decimal(1)}, False),
])
def test_a_stock_signal_is_a_new_product_another_quantity_or_newly_stocked(previous, expected):
    assert counted(previous, PRODUCT) is expected


# -- end to end --------------------------------------------------------------------------------
async def test_a_new_tracked_item_gets_its_opening_quantity(syncro_emulator, xero_emulator, open_engine, make_config):
    dock = syncro_emulator.store.add_product("Dock", description="d", maintain_stock=True, quantity=7, price_cost="180")
    engine = await open_engine(make_config(plugins=plugins()))

    report = await engine.run_pass()

    assert report.ok, report
    assert on_hand(xero_emulator, dock) == 7
    assert adjustments(xero_emulator) == [("ACCPAY", f"ADJ-{dock.id}-1")]
    assert xero_emulator.store.find("Contacts", Name="Inventory Adjustments") is not None
    [bill] = [i for i in xero_emulator.store.records("Invoices") if i["Type"] == "ACCPAY"]
    assert bill["Total"] == 0 and xero_emulator.store.get("Items", f"SYNCRO-{dock.id}")["TotalCostPool"] == 1260


async def test_a_stock_count_up_then_down_gives_xero_the_same_quantity(syncro_emulator, xero_emulator, open_engine,
                                                                      make_config):
    dock = syncro_emulator.store.add_product("Dock", description="d", maintain_stock=True, quantity=7, price_cost="10")
    engine = await open_engine(make_config(plugins=plugins()))
    await engine.run_pass()

    syncro_emulator.store.set_stock(dock.id, 12)
    up = await engine.run_pass()
    up_quantity = on_hand(xero_emulator, dock)
    syncro_emulator.store.set_stock(dock.id, 3)
    down = await engine.run_pass()

    assert up.ok and down.ok
    assert (up_quantity, on_hand(xero_emulator, dock)) == (12, 3)
    assert adjustments(xero_emulator) == [("ACCPAY", f"ADJ-{dock.id}-1"), ("ACCPAY", f"ADJ-{dock.id}-2"),
                                          ("ACCPAYCREDIT", f"ADJ-{dock.id}-3")]
    assert xero_emulator.store.get("Items", f"SYNCRO-{dock.id}")["TotalCostPool"] == 30  # 3 left at 10


async def test_a_pass_without_stock_changes_writes_nothing(syncro_emulator, xero_emulator, open_engine, make_config):
    dock = syncro_emulator.store.add_product("Dock", description="d", maintain_stock=True, quantity=2)
    engine = await open_engine(make_config(plugins=plugins()))
    await engine.run_pass()
    syncro_emulator.store.update_product(dock.id, price_cost="12")  # an item change, not a stock count

    report = await engine.run_pass()

    assert [w.path for w in xero_emulator.access_log.writes][-1:] == ["/api.xro/2.0/Items"]
    assert report.xero_calls == 1 and len(adjustments(xero_emulator)) == 1


async def test_a_sale_already_in_xero_is_not_counted_twice(syncro_emulator, xero_emulator, open_engine, make_config):
    store = syncro_emulator.store
    dock = store.add_product("Dock", description="d", maintain_stock=True, quantity=7, price_cost="10", price_retail="20")
    engine = await open_engine(make_config(plugins=plugins()))
    await engine.run_pass()
    customer = store.add_customer(business_name="Acme")
    store.add_invoice(customer.id, [{"product_id": dock.id, "quantity": 2}])  # Syncro: 7 - 2 = 5
    store.set_stock(dock.id, store.product(dock.id).quantity + 1)  # and a count finds one more: 6
    # the sale as the invoices feature posts it (Xero lowers the stock of an approved sales invoice)
    contact = xero_emulator.store.insert("Contacts", Name="Acme")
    xero_emulator.store.insert("Invoices", Type="ACCREC", Contact={"ContactID": contact["ContactID"]},
                               Date="2026-03-02", DueDate="2026-03-02", Status="AUTHORISED",
                               LineItems=[{"ItemCode": f"SYNCRO-{dock.id}", "Quantity": 2, "UnitAmount": 20,
                                           "AccountCode": "200"}])

    report = await engine.run_pass()

    assert report.ok, report
    assert on_hand(xero_emulator, dock) == 6
    [_, bill] = [i for i in xero_emulator.store.records("Invoices") if i["Type"] == "ACCPAY"]
    assert bill["LineItems"][0]["Quantity"] == 1  # only what the count found, not the sale again


async def test_a_sale_synced_by_the_invoices_feature_in_the_same_pass_is_not_counted_twice(
    syncro_emulator, xero_emulator, open_engine, make_config
):
    from syncro_xero.plugins import invoices

    store = syncro_emulator.store
    dock = store.add_product("Dock", description="d", maintain_stock=True, quantity=7, price_cost="10", price_retail="20")
    config = make_config(plugins={**plugins(), "tax": tax_settings_for(store), "contacts": {}})
    engine = await open_engine(config, extra_plugins=[("invoices", invoices)])
    await engine.run_pass()
    store.add_invoice(store.add_customer(business_name="Acme").id, [{"product_id": dock.id, "quantity": 2}])

    report = await engine.run_pass()

    assert report.ok, report
    assert (store.product(dock.id).quantity, on_hand(xero_emulator, dock)) == (5, 5)


async def test_only_the_chosen_categories_are_adjusted_on_their_own_accounts(syncro_emulator, xero_emulator,
                                                                           open_engine, make_config):
    store = syncro_emulator.store
    hardware, consumables = store.add_category("Hardware"), store.add_category("Consumables")
    dock = store.add_product("Dock", description="d", maintain_stock=True, quantity=2, category_ids=[hardware.id])
    toner = store.add_product("Toner", description="d", maintain_stock=True, quantity=5, category_ids=[consumables.id])
    engine = await open_engine(make_config(plugins=plugins(categories=["Hardware"],
                                                           category_accounts={"Hardware": "400"})))

    await engine.run_pass()

    assert (on_hand(xero_emulator, dock), on_hand(xero_emulator, toner)) == (2, 0)
    [bill] = [i for i in xero_emulator.store.records("Invoices") if i["Type"] == "ACCPAY"]
    assert bill["LineItems"][1]["AccountCode"] == "400"


async def test_untracked_products_are_never_adjusted(syncro_emulator, xero_emulator, open_engine, make_config):
    syncro_emulator.store.add_product("Service", description="d", maintain_stock=False, quantity=0)
    syncro_emulator.store.add_product("Cable", description="d", maintain_stock=True, quantity=9)
    config = make_config(plugins={"tax": {}, "products": {}, "inventory": {}})  # nothing tracked
    engine = await open_engine(config)

    report = await engine.run_pass()

    assert report.ok and adjustments(xero_emulator) == []


@pytest.mark.parametrize("when", ["before_send", "after_answer"])
async def test_a_crash_at_an_adjustment_then_a_rerun_posts_it_exactly_once(when, syncro_emulator, xero_emulator,
                                                                          make_config, fake_clock):
    dock = syncro_emulator.store.add_product("Dock", description="d", maintain_stock=True, quantity=3, price_cost="5")
    config = make_config(plugins=plugins())
    first = await Engine.open(config, clock=fake_clock)
    await first.run_pass()
    syncro_emulator.store.set_stock(dock.id, 8)

    first.write_hooks = crash_at(1, when)  # the adjustment is the pass's only write
    with pytest.raises(SimulatedCrash):
        await first.run_pass()
    rerun = await Engine.open(config, clock=fake_clock)
    try:
        report = await rerun.run_pass()

        assert report.ok, report
        assert report.recovered["found" if when == "after_answer" else "lost"] == 1
        assert on_hand(xero_emulator, dock) == 8
        assert adjustments(xero_emulator) == [("ACCPAY", f"ADJ-{dock.id}-1"), ("ACCPAY", f"ADJ-{dock.id}-2")]
        assert (await rerun.run_pass()).xero_calls == 0
    finally:
        await rerun.close()
        await first.close()


async def test_check_proves_the_adjustment_accounts_exist(xero_emulator, open_engine, make_config):
    engine = await open_engine(make_config(plugins=plugins(category_accounts={"Hardware": "999"})))

    results = {r.what: r for r in await engine.check()}

    assert results["plugins.inventory.adjustment_account = 310"].ok
    assert not results["plugins.inventory.category_accounts.Hardware = 999"].ok
