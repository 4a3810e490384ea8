"""Xero emulator: Accounts, TaxRates, TrackingCategories, Organisation and Items."""

from decimal import Decimal
from pathlib import Path

import pytest
from helpers import off_spec
from syncro_xero.emulators.xero import XeroConfig
from syncro_xero.emulators.xero.testing import XeroTestClient, strict_emulator

SPECS = Path(__file__).parent / "specs"


def errors(body):
    return [e["Message"] for element in body["Elements"] for e in element["ValidationErrors"]]


# -- Accounts ---------------------------------------------------------------------------------------
async def test_new_organisation_has_the_default_chart_with_system_accounts(client):
    _, _, body = await client.get("/Accounts")
    by_code = {a["Code"]: a for a in body["Accounts"]}
    for code in ("090", "200", "260", "310", "400", "610", "630", "800", "820", "860", "2100", "2150"):
        assert by_code[code]["Status"] == "ACTIVE"
    assert (by_code["090"]["Name"], by_code["090"]["Type"], by_code["090"]["Class"]) == (
        "Business Bank Account", "BANK", "ASSET")
    systems = {by_code[c]["SystemAccount"] for c in ("610", "800", "820", "860")}
    assert systems == {"DEBTORS", "CREDITORS", "GST", "ROUNDING"}
    assert (by_code["2100"]["Class"], by_code["2100"]["EnablePaymentsToAccount"]) == ("LIABILITY", True)
    assert by_code["200"]["TaxType"] == "OUTPUT2" and by_code["630"]["Type"] == "INVENTORY"


async def test_payment_accounts_are_found_by_where(client):
    _, _, body = await client.get("/Accounts", params={"where": 'Type=="BANK" OR EnablePaymentsToAccount==true'})
    assert [a["Code"] for a in body["Accounts"]] == ["090", "2100", "2150"]


async def test_extra_accounts_can_be_left_out(fake_clock):
    async with strict_emulator(fake_clock, SPECS, config=XeroConfig(seed_extra_accounts=False)) as xero:
        assert xero.store.find("Accounts", Code="2100") is None


async def test_put_account_takes_one_object_and_checks_code_name_tax_type_and_bank_number(xero, client):
    status, _, body = await client.put("/Accounts", {"Code": "4100", "Name": "Labour Income", "Type": "REVENUE",
                                                     "TaxType": "OUTPUT2"})
    assert status == 200 and body["Accounts"][0]["Class"] == "REVENUE"
    _, _, body = await client.put("/Accounts", {"Code": "4100", "Name": "Sales", "Type": "REVENUE", "TaxType": "NOPE"})
    assert errors(body) == [
        "Please enter a unique Code.", "Please enter a unique Name.",
        "The TaxType code 'NOPE' does not exist or cannot be used for this type of transaction."]
    _, _, body = await client.put("/Accounts", {"Code": "091", "Name": "Savings", "Type": "BANK"})
    assert errors(body) == ["Please enter a Bank Account Number."]


async def test_account_update_archive_and_delete(xero, client):
    account = xero.store.find("Accounts", Code="404")
    status, _, body = await client.post(f"/Accounts/{account['AccountID']}", {"Accounts": [{"Status": "ARCHIVED"}]})
    assert status == 200 and body["Accounts"][0]["Status"] == "ARCHIVED"
    status, _, body = await client.delete(f"/Accounts/{account['AccountID']}")
    assert status == 200 and body["Accounts"][0]["Status"] == "DELETED"
    assert xero.store.find("Accounts", Code="404") is None
    rounding = xero.store.find("Accounts", Code="860")
    status, _, body = await client.delete(f"/Accounts/{rounding['AccountID']}")
    assert status == 400 and errors(body) == ["System accounts cannot be deleted."]


async def test_archived_account_codes_are_not_valid_on_documents(xero, client):
    account = xero.store.find("Accounts", Code="200")
    xero.store.edit("Accounts", account["AccountID"], Status="ARCHIVED")
    _, _, body = await client.put("/Items", {"Items": [{"Code": "X", "SalesDetails": {"AccountCode": "200"}}]})
    assert errors(body) == ["Account code '200' is not a valid code for this document."]


# -- TaxRates ---------------------------------------------------------------------------------------
async def test_uk_tax_rates_are_seeded_with_components(client):
    _, _, body = await client.get("/TaxRates", params={"where": 'TaxType=="OUTPUT2"'})
    rate = body["TaxRates"][0]
    assert (rate["Name"], rate["EffectiveRate"], rate["CanApplyToRevenue"], rate["CanApplyToExpenses"]) == (
        "20% (VAT on Income)", Decimal("20"), True, False)
    assert rate["TaxComponents"] == [
        {"Name": "VAT", "Rate": Decimal("20"), "IsCompound": False, "IsNonRecoverable": False}]
    status, _, one = await client.get("/TaxRates/INPUT2")
    assert (status, one["TaxRates"][0]["Name"]) == (200, "20% (VAT on Expenses)")


async def test_put_tax_rate_with_several_components_gets_the_next_tax_code(client):
    rate = {"Name": "State and City Tax", "ReportTaxType": "OUTPUT",
            "TaxComponents": [{"Name": "State", "Rate": 5}, {"Name": "City", "Rate": 2.5, "IsCompound": True}]}
    status, _, body = await client.put("/TaxRates", {"TaxRates": [rate]})
    created = body["TaxRates"][0]
    assert (status, created["TaxType"], created["DisplayTaxRate"], created["EffectiveRate"]) == (
        200, "TAX001", Decimal("7.5"), Decimal("7.625"))
    _, _, body = await client.put("/TaxRates", {"TaxRates": [{**rate, "Name": "Other"}]})
    assert body["TaxRates"][0]["TaxType"] == "TAX002"
    status, _, body = await client.put("/TaxRates", {"TaxRates": [rate]})
    assert status == 400 and errors(body) == ["The tax rate name State and City Tax is already in use."]


async def test_tax_rate_needs_components_and_a_report_tax_type_in_the_uk(client):
    _, _, body = await client.put("/TaxRates", {"TaxRates": [{"Name": "Empty", "TaxComponents": []}]})
    assert errors(body) == [
        "At least one tax component is required.", "ReportTaxType is mandatory for this organisation."]


async def test_post_tax_rate_updates_by_name(xero, client):
    await client.put("/TaxRates", {"TaxRates": [{"Name": "Local", "ReportTaxType": "OUTPUT",
                                                 "TaxComponents": [{"Name": "L", "Rate": 1}]}]})
    status, _, body = await client.post("/TaxRates", {"TaxRates": [{"Name": "Local", "Status": "ARCHIVED"}]})
    assert (status, body["TaxRates"][0]["TaxType"], body["TaxRates"][0]["Status"]) == (200, "TAX001", "ARCHIVED")


async def test_au_region_has_gst_rates_and_gst_coded_accounts(fake_clock):
    async with strict_emulator(fake_clock, SPECS, config=XeroConfig(region="AU")) as xero:
        async with XeroTestClient(xero) as client:
            _, _, rates = await client.get("/TaxRates")
            _, _, org = await client.get("/Organisation")
    assert {"OUTPUT", "INPUT", "EXEMPTOUTPUT", "BASEXCLUDED"} <= {r["TaxType"] for r in rates["TaxRates"]}
    assert xero.store.find("Accounts", Code="200")["TaxType"] == "OUTPUT"
    assert (org["Organisations"][0]["Version"], org["Organisations"][0]["BaseCurrency"]) == ("AU", "AUD")


# -- TrackingCategories --------------------------------------------------------------------------------
async def test_tracking_categories_with_options_and_at_most_two_active(client):
    status, _, body = await client.put("/TrackingCategories", {"Name": "Region"})
    region = body["TrackingCategories"][0]["TrackingCategoryID"]
    status, _, body = await client.put(f"/TrackingCategories/{region}/Options", {"Name": "North"})
    assert (status, body["Options"][0]["Name"], body["Options"][0]["IsActive"]) == (200, "North", True)
    _, _, body = await client.put(f"/TrackingCategories/{region}/Options", {"Name": "north"})
    assert errors(body) == ["The tracking option name north is already in use."]
    await client.put("/TrackingCategories", {"Name": "Department"})
    status, _, body = await client.put("/TrackingCategories", {"Name": "Project"})
    assert status == 400 and errors(body) == ["You can only have 2 active tracking categories."]
    _, _, listing = await client.get("/TrackingCategories")
    assert [(c["Name"], [o["Name"] for o in c["Options"]]) for c in listing["TrackingCategories"]] == [
        ("Region", ["North"]), ("Department", [])]


async def test_archived_tracking_category_frees_a_slot_and_shows_with_include_archived(client):
    _, _, body = await client.put("/TrackingCategories", {"Name": "Region"})
    region = body["TrackingCategories"][0]["TrackingCategoryID"]
    await client.put("/TrackingCategories", {"Name": "Department"})
    status, _, _ = await client.post(f"/TrackingCategories/{region}", {"Status": "ARCHIVED"})
    assert status == 200
    assert (await client.put("/TrackingCategories", {"Name": "Project"}))[0] == 200
    _, _, active = await client.get("/TrackingCategories")
    _, _, everything = await client.get("/TrackingCategories", params={"includeArchived": "true"})
    assert len(active["TrackingCategories"]) == 2 and len(everything["TrackingCategories"]) == 3


async def test_tracking_option_rename_and_delete_then_category_delete(client):
    _, _, body = await client.put("/TrackingCategories", {"Name": "Region"})
    region = body["TrackingCategories"][0]["TrackingCategoryID"]
    _, _, body = await client.put(f"/TrackingCategories/{region}/Options", {"Name": "North"})
    option = body["Options"][0]["TrackingOptionID"]
    _, _, body = await client.post(f"/TrackingCategories/{region}/Options/{option}", {"Name": "Northern"})
    assert body["Options"][0]["Name"] == "Northern"
    _, _, body = await client.delete(f"/TrackingCategories/{region}/Options/{option}")
    assert body["Options"][0]["IsDeleted"] is True
    _, _, body = await client.get(f"/TrackingCategories/{region}")
    assert body["TrackingCategories"][0]["Options"] == []
    status, _, body = await client.delete(f"/TrackingCategories/{region}")
    assert (status, body["TrackingCategories"][0]["Status"]) == (200, "DELETED")
    assert (await client.get(f"/TrackingCategories/{region}"))[0] == 404


@pytest.mark.off_spec_on_purpose("tracking categories and options in the plural wrapper")
async def test_a_wrapped_tracking_category_or_option_is_refused_as_the_spec_takes_one_bare_object(xero, client):
    """Without strict mode too: the emulator itself takes only the spec's shape here."""
    status, _, _ = await client.put("/TrackingCategories", {"TrackingCategories": [{"Name": "Region"}]})
    assert status == 400 and xero.store.records("TrackingCategories") == []
    _, _, body = await client.put("/TrackingCategories", {"Name": "Region"})
    region = body["TrackingCategories"][0]["TrackingCategoryID"]
    status, _, body = await client.put(f"/TrackingCategories/{region}/Options", {"Options": [{"Name": "North"}]})
    assert (status, errors(body)) == (400, ["Tracking Option name is required."])
    off_spec(xero, "('TrackingCategories' was unexpected)", "('Options' was unexpected)")


# -- Organisation -----------------------------------------------------------------------------------------
async def test_organisation_and_actions(xero, client):
    _, _, body = await client.get("/Organisation")
    org = body["Organisations"][0]
    assert (org["Name"], org["Version"], org["BaseCurrency"], org["CountryCode"]) == (
        "Demo Company (UK)", "UK", "GBP", "GB")
    _, _, actions = await client.get("/Organisation/Actions")
    assert {"Name": "CreateApprovedInvoice", "Status": "ALLOWED"} in actions["Actions"]


# -- Items ----------------------------------------------------------------------------------------------------
LABOUR = {"Code": "LAB", "Name": "Labour", "Description": "Hourly labour",
          "SalesDetails": {"UnitPrice": 95.1234, "AccountCode": "200", "TaxType": "OUTPUT2"}}


async def test_item_create_rounds_unit_price_to_2dp_unless_unitdp_4(xero, client):
    _, _, body = await client.put("/Items", {"Items": [LABOUR]})
    item = body["Items"][0]
    assert (item["SalesDetails"]["UnitPrice"], item["IsSold"], item["IsPurchased"], item["IsTrackedAsInventory"]) == (
        Decimal("95.12"), True, True, False)
    _, _, body = await client.post("/Items", {"Items": [{**LABOUR, "Code": "LAB4"}]}, params={"unitdp": "4"})
    assert body["Items"][0]["SalesDetails"]["UnitPrice"] == Decimal("95.1234")
    lab4 = body["Items"][0]["ItemID"]
    _, _, two = await client.get(f"/Items/{lab4}")
    _, _, four = await client.get(f"/Items/{lab4}", params={"unitdp": "4"})
    assert (two["Items"][0]["SalesDetails"]["UnitPrice"], four["Items"][0]["SalesDetails"]["UnitPrice"]) == (
        Decimal("95.12"), Decimal("95.1234"))


async def test_item_code_is_unique_and_put_is_create_only(xero, client):
    await client.put("/Items", {"Items": [LABOUR]})
    status, _, body = await client.put("/Items", {"Items": [{"Code": "lab"}]})
    assert status == 400 and errors(body) == ["Price List Item with Code ''lab'' already exists"]


async def test_post_item_updates_by_code_and_by_item_id(xero, client):
    item = xero.store.insert("Items", LABOUR)
    _, _, body = await client.post("/Items", {"Items": [{"Code": "LAB", "Name": "Labour (hourly)"}]})
    assert body["Items"][0]["ItemID"] == item["ItemID"]
    _, _, body = await client.post(f"/Items/{item['ItemID']}", {"Items": [{"Code": "LAB", "IsPurchased": False}]})
    stored = xero.store.get("Items", "LAB")
    assert (stored["Name"], stored["IsPurchased"], len(xero.store.records("Items"))) == ("Labour (hourly)", False, 1)


@pytest.mark.off_spec_on_purpose("items without a Code or over the spec's lengths")
async def test_item_needs_a_code_and_keeps_code_and_name_lengths(xero, client):
    _, _, body = await client.put("/Items", {"Items": [{"Code": "C" * 31, "Name": "N" * 51}, {"Name": "No code"}]})
    assert errors(body) == ["Code must not be more than 30 characters long.",
                            "Name must not be more than 50 characters long.", "Item Code must be specified."]
    off_spec(xero, "Items/0/Code", "Items/1: 'Code' is a required property")


async def test_item_account_codes_and_tax_types_must_exist(client):
    bad = {"Code": "X", "SalesDetails": {"AccountCode": "999", "TaxType": "NOPE"},
           "PurchaseDetails": {"COGSAccountCode": "998"}}
    _, _, body = await client.put("/Items", {"Items": [bad]})
    assert errors(body) == [
        "Account code '999' is not a valid code for this document.",
        "The TaxType code 'NOPE' does not exist or cannot be used for this type of transaction.",
        "Account code '998' is not a valid code for this document.",
    ]


async def test_tracked_inventory_item_needs_an_inventory_account_and_cogs(xero, client):
    tracked = {"Code": "SSD", "InventoryAssetAccountCode": "630",
               "PurchaseDetails": {"COGSAccountCode": "310", "UnitPrice": 50}, "QuantityOnHand": 99}
    _, _, body = await client.put("/Items", {"Items": [tracked]})
    item = body["Items"][0]
    assert item["IsTrackedAsInventory"] is True
    assert (item["QuantityOnHand"], item["TotalCostPool"]) == (Decimal(0), Decimal(0))
    _, _, body = await client.put("/Items", {"Items": [{"Code": "BAD", "InventoryAssetAccountCode": "200"}]})
    assert errors(body) == ["Account code '200' is not a valid inventory asset account.",
                            "A COGS account code is required for tracked inventory items."]


async def test_items_filter_by_where_and_delete_answers_204(xero, client):
    xero.store.insert("Items", Code="A", IsSold=False)
    xero.store.insert("Items", Code="B")
    _, _, body = await client.get("/Items", params={"where": "IsSold==true", "order": "Code DESC"})
    assert [i["Code"] for i in body["Items"]] == ["B"]
    item = xero.store.get("Items", "A")
    status, _, body = await client.delete(f"/Items/{item['ItemID']}")
    assert (status, body) == (204, None)
    assert (await client.get(f"/Items/{item['ItemID']}"))[0] == 404
