"""Xero emulator strict mode: every operation exchanged once and checked against the official specs."""

from pathlib import Path

import pytest

from syncro_xero.emulators.xero.spec import Exchange, SpecChecker, load_spec
from syncro_xero.emulators.xero.testing import XeroTestClient, strict_emulator

SPECS = Path(__file__).parent / "specs"


@pytest.fixture
async def xero(fake_clock):
    async with strict_emulator(fake_clock, SPECS) as emulator:
        yield emulator


def routes(xero):
    return {(route.method, route.path) for resource in xero.resources.values() for route in resource.routes()}


def test_every_route_is_an_operation_of_the_accounting_spec(xero):
    paths = load_spec(str(SPECS / "xero_accounting.yaml"))["paths"]
    missing = {(m, p) for m, p in routes(xero) if m.lower() not in paths.get(p, {})}
    assert missing == set()


def test_spec_boolean_defaults_are_patched_to_booleans():
    spec = load_spec(str(SPECS / "xero_accounting.yaml"))
    contact = spec["components"]["schemas"]["Contact"]["properties"]
    assert contact["HasAttachments"]["default"] is False


def test_the_checker_catches_bad_requests_and_bad_responses():
    checker = SpecChecker(SPECS / "xero_accounting.yaml", SPECS / "xero-identity.yaml")
    bad_request = Exchange("accounting", "PUT", "/Contacts", 200, {"Contacts": [{"Name": 5}]}, {"Contacts": []})
    bad_response = Exchange("accounting", "GET", "/Items", 200, None, {"Items": [{"Name": "no code"}]})
    bad_token = Exchange("identity", "POST", "#token", 200, None, {"access_token": 1})
    unknown = Exchange("accounting", "PATCH", "/Contacts", 200, None, None)
    assert checker.check(bad_request) == ["PUT /Contacts -> 200 request: Contacts/0/Name: 5 is not of type 'string'"]
    assert checker.check(bad_response) == ["GET /Items -> 200 response: Items/0: 'Code' is a required property"]
    assert checker.check(bad_token) == ["POST #token -> 200 response: access_token: 1 is not of type 'string'"]
    assert checker.check(unknown) == ["PATCH /Contacts -> 200: no such operation in the accounting spec"]


async def test_every_operation_answers_within_its_spec_schemas(xero):
    async with XeroTestClient(xero) as c:
        # Accounts
        await c.get("/Accounts")
        _, _, body = await c.put("/Accounts", {"Code": "4100", "Name": "Labour Income", "Type": "REVENUE"})
        account = body["Accounts"][0]["AccountID"]
        await c.get(f"/Accounts/{account}")
        await c.post(f"/Accounts/{account}", {"Accounts": [{"Description": "Labour"}]})
        await c.delete(f"/Accounts/{account}")
        await c.put("/Accounts", {"Code": "200", "Name": "Sales", "Type": "REVENUE"})  # 400
        # TaxRates
        await c.get("/TaxRates")
        await c.get("/TaxRates/OUTPUT2")
        rate = {"Name": "Local", "ReportTaxType": "OUTPUT", "TaxComponents": [{"Name": "L", "Rate": 1.5}]}
        await c.put("/TaxRates", {"TaxRates": [rate]})
        await c.post("/TaxRates", {"TaxRates": [{**rate, "Status": "ARCHIVED"}]})
        await c.put("/TaxRates", {"TaxRates": [rate]})  # 400
        # TrackingCategories and options
        _, _, body = await c.put("/TrackingCategories", {"Name": "Region"})
        category = body["TrackingCategories"][0]["TrackingCategoryID"]
        await c.get("/TrackingCategories")
        await c.get(f"/TrackingCategories/{category}")
        await c.post(f"/TrackingCategories/{category}", {"Name": "Regions"})
        _, _, body = await c.put(f"/TrackingCategories/{category}/Options", {"Name": "North"})
        option = body["Options"][0]["TrackingOptionID"]
        await c.post(f"/TrackingCategories/{category}/Options/{option}", {"Name": "Northern"})
        await c.delete(f"/TrackingCategories/{category}/Options/{option}")
        await c.delete(f"/TrackingCategories/{category}")
        # Organisation
        await c.get("/Organisation")
        await c.get("/Organisation/Actions")
        # Contacts
        _, _, body = await c.put("/Contacts", {"Contacts": [{"Name": "Acme Ltd", "ContactNumber": "SYN-1"}]})
        contact = body["Contacts"][0]["ContactID"]
        await c.post("/Contacts", {"Contacts": [{"ContactNumber": "SYN-1", "EmailAddress": "a@acme.example"}]})
        await c.post(f"/Contacts/{contact}", {"Contacts": [{"ContactStatus": "ARCHIVED"}]})
        await c.get("/Contacts", params={"includeArchived": "true", "summaryOnly": "true"})
        await c.get(f"/Contacts/{contact}")
        await c.get("/Contacts/SYN-1")
        await c.put("/Contacts", {"Contacts": [{"Name": ""}, {"Name": "B"}]}, params={"summarizeErrors": "false"})
        await c.put("/Contacts", {"Contacts": [{"Name": ""}]})  # 400
        # Items
        item = {"Code": "SSD", "Name": "SSD 1TB", "InventoryAssetAccountCode": "630",
                "PurchaseDetails": {"UnitPrice": 50, "COGSAccountCode": "310", "TaxType": "INPUT2"},
                "SalesDetails": {"UnitPrice": 80, "AccountCode": "200", "TaxType": "OUTPUT2"}}
        _, _, body = await c.put("/Items", {"Items": [item]})
        item_id = body["Items"][0]["ItemID"]
        await c.post("/Items", {"Items": [{"Code": "SSD", "Description": "Solid state"}]}, params={"unitdp": "4"})
        await c.post(f"/Items/{item_id}", {"Items": [{"Code": "SSD", "Name": "SSD 1 TB"}]})
        await c.get("/Items")
        await c.get(f"/Items/{item_id}")
        await c.put("/Items", {"Items": [{"Code": "SSD"}]}, params={"summarizeErrors": "false"})
        await c.delete(f"/Items/{item_id}")
        await c.get(f"/Items/{item_id}")  # 404
        await c.session.get(f"{xero.url}/connections", headers={"Authorization": f"Bearer {c.access_token}"})
    served = {(e.method, e.template) for e in xero.exchanges if e.api == "accounting" and e.status < 300}
    assert served == routes(xero)
    assert {e.status for e in xero.exchanges} == {200, 204, 400, 404}
    assert ("identity", "/Connections") in {(e.api, e.template) for e in xero.exchanges}
