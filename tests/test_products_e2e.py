"""Syncro products -> Xero items: the payload, then end to end over loopback against both emulators."""

import math
from decimal import Decimal

import pytest
from pydantic import ValidationError
from syncro_xero import Change, Context, Feature, hookimpl
from syncro_xero.plugins.products import ProductsSettings, item_name, item_payload
from syncro_xero.plugins._shared.tax_map import TaxMap, TaxSettings

TAXES = TaxMap(TaxSettings(rates={"4": "RROUTPUT"}), {})
DOCK = {"id": 7, "name": "Dell USB-C Dock WD19S", "description": "USB-C dock", "price_cost": Decimal("180.0"),
        "price_retail": Decimal("259.0"), "maintain_stock": True, "quantity": 7, "taxable": True, "tax_rate_id": 4,
        "product_category": "Docks", "category_path": "Hardware > Docks", "disabled": False}


def plugins(**products):
    return {"tax": {}, "products": products}


# -- the payload, without servers --------------------------------------------------------------
def test_an_untracked_item_has_prices_accounts_and_tax_types():
    payload = item_payload(DOCK, ProductsSettings(), TAXES)

    assert payload == {
        "Code": "SYNCRO-7", "Name": "Dell USB-C Dock WD19S", "IsSold": True, "IsPurchased": True,
        "Description": "USB-C dock", "PurchaseDescription": "USB-C dock",
        "SalesDetails": {"UnitPrice": Decimal("259.0"), "AccountCode": "200", "TaxType": "RROUTPUT"},
        "PurchaseDetails": {"UnitPrice": Decimal("180.0"), "AccountCode": "310", "TaxType": "INPUT2"},
    }


@pytest.mark.parametrize("categories", [["*"], ["docks"], ["Hardware > Docks"]])
def test_a_stocked_product_in_a_tracked_category_is_a_tracked_item(categories):
    payload = item_payload(DOCK, ProductsSettings(track_inventory_categories=categories), TAXES)

    assert payload["InventoryAssetAccountCode"] == "630"
    assert payload["PurchaseDetails"] == {"UnitPrice": Decimal("180.0"), "COGSAccountCode": "310", "TaxType": "INPUT2"}


@pytest.mark.parametrize("product", [{**DOCK, "maintain_stock": False}, {**DOCK, "product_category": "Cables",
                                                                        "category_path": "Cables"}])
def test_an_unstocked_or_other_category_product_is_not_tracked(product):
    payload = item_payload(product, ProductsSettings(track_inventory_categories=["Docks"]), TAXES)

    assert "InventoryAssetAccountCode" not in payload and payload["PurchaseDetails"]["AccountCode"] == "310"


def test_a_disabled_product_is_neither_sold_nor_purchased_unless_it_tracks_stock():
    disabled = {**DOCK, "disabled": True}

    assert item_payload(disabled, ProductsSettings(), TAXES) == {
        "Code": "SYNCRO-7", "Name": "Dell USB-C Dock WD19S", "IsSold": False, "IsPurchased": False}
    assert item_payload(disabled, ProductsSettings(track_inventory_categories=["*"]), TAXES)["IsSold"] is True


def test_a_long_name_is_cut_at_a_word_within_50_characters():
    name = item_name({"id": 1, "name": "Lenovo ThinkPad Universal USB-C Dock Gen 2 with 135W Power Adapter"})

    assert name == "Lenovo ThinkPad Universal USB-C Dock Gen 2 with…" and len(name) <= 50
    assert len(item_name({"id": 1, "name": "X" * 80})) == 50


def test_a_code_format_without_the_product_id_is_a_config_error():
    with pytest.raises(ValidationError, match="must contain"):
        ProductsSettings(code_format="ITEM")


# -- end to end --------------------------------------------------------------------------------
async def test_products_become_xero_items(syncro_emulator, xero_emulator, open_engine, make_config):
    dock = syncro_emulator.store.add_product("USB-C Dock", description="Docking station", price_cost="180",
                                             price_retail="259.50", taxable=True)
    labour = syncro_emulator.store.add_product("Cable tie", description="Pack of 100", price_cost="1.2345",
                                               price_retail="4", taxable=False)
    engine = await open_engine(make_config(plugins=plugins()))

    report = await engine.run_pass()

    assert report.ok, report
    items = {i["Code"]: i for i in xero_emulator.store.records("Items")}
    assert items[f"SYNCRO-{dock.id}"]["SalesDetails"] == {"UnitPrice": Decimal("259.50"), "AccountCode": "200",
                                                          "TaxType": "OUTPUT2"}
    assert items[f"SYNCRO-{labour.id}"]["PurchaseDetails"]["UnitPrice"] == Decimal("1.2345")
    assert items[f"SYNCRO-{labour.id}"]["SalesDetails"]["TaxType"] == "NONE"
    assert (await engine.state.links.get("item", dock.id)).xero_number == f"SYNCRO-{dock.id}"
    assert report.counts["products"].created == 2


async def test_an_update_in_syncro_updates_the_same_item(syncro_emulator, xero_emulator, open_engine, make_config):
    product = syncro_emulator.store.add_product("Old name", description="d", price_retail="10")
    engine = await open_engine(make_config(plugins=plugins()))
    await engine.run_pass()
    syncro_emulator.store.update_product(product.id, name="New name", price_retail="12")

    report = await engine.run_pass()

    [item] = xero_emulator.store.records("Items")
    assert (item["Name"], item["SalesDetails"]["UnitPrice"]) == ("New name", Decimal("12.00"))
    assert report.counts["products"].updated == 1


async def test_a_pass_without_changes_writes_nothing(syncro_emulator, xero_emulator, open_engine, make_config):
    for i in range(3):
        syncro_emulator.store.add_product(f"Product {i}", description="d")
    engine = await open_engine(make_config(plugins=plugins()))
    await engine.run_pass()
    syncro_emulator.store.set_stock(next(iter(syncro_emulator.store.products)), 5)  # not part of the item

    report = await engine.run_pass()

    assert report.xero_calls == 0 and report.counts["products"].unchanged == 1


@pytest.mark.parametrize("count", [1, 50, 51, 120])
async def test_creating_n_items_costs_ceil_n_over_50_write_calls(count, syncro_emulator, xero_emulator, open_engine,
                                                                 make_config):
    for i in range(count):
        syncro_emulator.store.add_product(f"Product {i:04}", description="d")
    engine = await open_engine(make_config(plugins=plugins()))

    await engine.run_pass()

    assert len(xero_emulator.store.records("Items")) == count
    writes = [w for w in xero_emulator.access_log.writes if w.path.startswith("/api.xro")]
    assert len(writes) == xero_emulator.access_log.count(method="PUT", path="/api.xro/2.0/Items") == math.ceil(count / 50)


async def test_an_existing_xero_item_with_the_code_is_matched_not_duplicated(syncro_emulator, xero_emulator,
                                                                             open_engine, make_config):
    product = syncro_emulator.store.add_product("Dock", description="d", price_retail="99")
    existing = xero_emulator.store.insert("Items", Code=f"SYNCRO-{product.id}", Name="Dock (added by hand)")
    engine = await open_engine(make_config(plugins=plugins()))

    report = await engine.run_pass()

    [item] = xero_emulator.store.records("Items")
    assert item["ItemID"] == existing["ItemID"] and item["Name"] == "Dock"
    assert "matched existing Xero item" in " ".join(report.counts["products"].notes)


async def test_only_stocked_products_of_tracked_categories_become_tracked_items(syncro_emulator, xero_emulator,
                                                                                open_engine, make_config):
    store = syncro_emulator.store
    hardware = store.add_category("Hardware")
    cables = store.add_category("Cables")
    dock = store.add_product("Dock", description="d", maintain_stock=True, category_ids=[hardware.id])
    cable = store.add_product("Cable", description="d", maintain_stock=True, category_ids=[cables.id])
    service = store.add_product("Setup", description="d", maintain_stock=False, category_ids=[hardware.id])
    engine = await open_engine(make_config(plugins=plugins(track_inventory_categories=["Hardware"])))

    await engine.run_pass()

    tracked = {i["Code"]: i["IsTrackedAsInventory"] for i in xero_emulator.store.records("Items")}
    assert tracked == {f"SYNCRO-{dock.id}": True, f"SYNCRO-{cable.id}": False, f"SYNCRO-{service.id}": False}


async def test_a_product_that_starts_keeping_stock_becomes_a_tracked_item(syncro_emulator, xero_emulator,
                                                                          open_engine, make_config):
    product = syncro_emulator.store.add_product("Dock", description="d", maintain_stock=False)
    engine = await open_engine(make_config(plugins=plugins(track_inventory_categories=["*"])))
    await engine.run_pass()
    syncro_emulator.store.update_product(product.id, maintain_stock=True)

    report = await engine.run_pass()

    [item] = xero_emulator.store.records("Items")
    assert item["IsTrackedAsInventory"] and item["InventoryAssetAccountCode"] == "630"
    assert "tracks stock from today" in " ".join(report.counts["products"].notes)


async def test_an_unused_tracked_item_stops_tracking_when_the_product_stops_keeping_stock(
    syncro_emulator, xero_emulator, open_engine, make_config
):
    product = syncro_emulator.store.add_product("Dock", description="d", maintain_stock=True)
    engine = await open_engine(make_config(plugins=plugins(track_inventory_categories=["*"])))
    await engine.run_pass()
    syncro_emulator.store.update_product(product.id, maintain_stock=False)

    report = await engine.run_pass()

    assert report.ok
    assert not xero_emulator.store.records("Items")[0]["IsTrackedAsInventory"]


async def test_untracking_an_item_that_holds_stock_is_parked_with_a_reason(syncro_emulator, xero_emulator,
                                                                          open_engine, make_config):
    product = syncro_emulator.store.add_product("Dock", description="d", maintain_stock=True)
    engine = await open_engine(make_config(plugins=plugins(track_inventory_categories=["*"])))
    await engine.run_pass()
    code = f"SYNCRO-{product.id}"
    xero_emulator.store.edit("Items", code, QuantityOnHand=Decimal(3), TotalCostPool=Decimal("540.00"))
    syncro_emulator.store.update_product(product.id, maintain_stock=False)

    report = await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert parked.record_id == str(product.id) and not report.ok
    assert f"Xero item {code} holds 3 in stock worth 540.00" in parked.reason
    assert "Xero stops tracking only items never used" in parked.reason
    assert xero_emulator.store.get("Items", code)["IsTrackedAsInventory"]


async def test_a_disabled_product_is_unsold_in_xero_or_left_alone(syncro_emulator, xero_emulator, open_engine,
                                                                  make_config):
    unsell = syncro_emulator.store.add_product("Old dock", description="d")
    never = syncro_emulator.store.add_product("Retired before sync", description="d", disabled=True)
    engine = await open_engine(make_config(plugins=plugins()))
    await engine.run_pass()
    syncro_emulator.store.update_product(unsell.id, disabled=True)

    await engine.run_pass()

    [item] = xero_emulator.store.records("Items")
    assert item["Code"] == f"SYNCRO-{unsell.id}" and (item["IsSold"], item["IsPurchased"]) == (False, False)
    assert xero_emulator.store.get("Items", f"SYNCRO-{never.id}") is None


async def test_on_disable_keep_leaves_the_item(syncro_emulator, xero_emulator, open_engine, make_config):
    product = syncro_emulator.store.add_product("Old dock", description="d")
    engine = await open_engine(make_config(plugins=plugins(on_disable="keep")))
    await engine.run_pass()
    syncro_emulator.store.update_product(product.id, disabled=True)

    report = await engine.run_pass()

    assert report.xero_calls == 0 and xero_emulator.store.records("Items")[0]["IsSold"]


async def test_backfill_exports_every_product_once(syncro_emulator, xero_emulator, open_engine, make_config):
    for i in range(30):
        syncro_emulator.store.add_product(f"Product {i:02}", description="d")
    engine = await open_engine(make_config(plugins=plugins()))

    first = await engine.backfill("products")
    again = await engine.backfill("products")

    assert first.counts["products"].created == 30 and len(xero_emulator.store.records("Items")) == 30
    assert again.counts["products"].unchanged == 30 and again.xero_calls == 0


# -- sync = "used": a product reaches Xero when an invoice needs it ----------------------------
CODES: dict[str, str | None] = {}


def invoice_items(name: str):
    """A plugin standing for the invoices feature: ensures each line's product, then reads its code."""

    class InvoiceItems(Feature):
        syncro_resources = ("invoices",)

        async def handle(self, change: Change, ctx: Context) -> None:
            for line in change.current["line_items"]:
                await ctx.ensure("products", line["product_id"])
                link = await ctx.link("item", line["product_id"])
                CODES[str(line["product_id"])] = link.xero_number if link else None

    InvoiceItems.name = name

    class Plugin:
        @staticmethod
        @hookimpl
        def syncro_xero_feature():
            return InvoiceItems()

    return name, Plugin()


@pytest.mark.parametrize("runs", ["before", "after"])
async def test_used_mode_syncs_only_products_an_invoice_needs(runs, syncro_emulator, xero_emulator, open_engine,
                                                              make_config):
    store = syncro_emulator.store
    sold = store.add_product("Sold", description="d", price_retail="5")
    store.add_product("Never sold", description="d")
    retired = store.add_product("Sold then retired", description="d", disabled=True)
    customer = store.add_customer(business_name="Acme")
    store.add_invoice(customer.id, [{"product_id": sold.id, "quantity": 1}, {"product_id": retired.id, "quantity": 1}])
    config = make_config(plugins=plugins(sync="used"))
    name = "invoice_items" if runs == "before" else "z_invoice_items"  # features without dependencies run by name
    engine = await open_engine(config, extra_plugins=[invoice_items(name)])
    CODES.clear()

    report = await engine.run_pass()
    store.update_product(sold.id, price_retail="6")
    await engine.run_pass()

    assert report.ok, report
    items = {i["Code"]: i for i in xero_emulator.store.records("Items")}
    assert set(items) == {f"SYNCRO-{sold.id}", f"SYNCRO-{retired.id}"}
    assert CODES == {str(sold.id): f"SYNCRO-{sold.id}", str(retired.id): f"SYNCRO-{retired.id}"}
    assert not items[f"SYNCRO-{retired.id}"]["IsSold"]  # exported for the invoice, unsold as it is disabled
    assert items[f"SYNCRO-{sold.id}"]["SalesDetails"]["UnitPrice"] == Decimal("6.00")  # kept in step once in Xero


async def test_check_proves_the_accounts_exist_and_the_inventory_account_is_an_inventory_one(
    xero_emulator, open_engine, make_config
):
    engine = await open_engine(make_config(plugins=plugins(inventory_account="200", cogs_account="999")))

    results = {r.what: r for r in await engine.check()}

    assert results["plugins.products.sales_account = 200"].ok
    assert results["plugins.products.cogs_account = 999"].detail == "no active account '999' in Xero"
    assert results["plugins.products.inventory_account = 200"].detail == "'Sales' is a REVENUE account, not INVENTORY"
