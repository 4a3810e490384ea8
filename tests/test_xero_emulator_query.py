"""Xero emulator: where/order, paging, If-Modified-Since, IDs, searchTerm, includeArchived, summaryOnly."""

from datetime import timedelta

import pytest
from syncro_xero.emulators.xero.errors import XeroError
from syncro_xero.emulators.xero.query import compile_order, compile_where
from syncro_xero.emulators.xero.resources_contacts import CONTACT
from syncro_xero.emulators.xero.resources_items import ITEM
from syncro_xero.emulators.xero.wire import parse_datetime


def names(body, key="Contacts"):
    return [r["Name"] for r in body[key]]


# -- the language, without HTTP ------------------------------------------------------------------
RECORDS = [
    {"Name": "Acme", "ContactNumber": "C1", "ContactStatus": "ACTIVE", "IsCustomer": True,
     "UpdatedDateUTC": parse_datetime("2024-01-05T00:00:00")},
    {"Name": "Beta \"Q\" Ltd", "ContactNumber": "C2", "ContactStatus": "ARCHIVED", "IsCustomer": False,
     "UpdatedDateUTC": parse_datetime("2023-12-31T23:59:59")},
    {"Name": "gamma", "ContactStatus": "ACTIVE", "IsCustomer": False,
     "UpdatedDateUTC": parse_datetime("2024-02-01T00:00:00")},
    {"Name": "C:\\Delta\\", "ContactNumber": "C4", "ContactStatus": "ARCHIVED", "IsCustomer": False,
     "UpdatedDateUTC": parse_datetime("2024-03-01T00:00:00")},
]


@pytest.mark.parametrize(
    "where, expected",
    [
        ('Name=="ACME"', ["Acme"]),
        ('ContactStatus!="ACTIVE"', ['Beta "Q" Ltd', "C:\\Delta\\"]),
        ('Name=="Beta ""Q"" Ltd"', ['Beta "Q" Ltd']),
        ('Name=="Beta \\"Q\\" Ltd"', ['Beta "Q" Ltd']),
        ('Name=="C:\\\\Delta\\\\"', ["C:\\Delta\\"]),
        ("IsCustomer==true", ["Acme"]),
        ("IsCustomer", ["Acme"]),
        ("NOT IsCustomer", ['Beta "Q" Ltd', "gamma", "C:\\Delta\\"]),
        ('ContactStatus=="ACTIVE" AND Name.StartsWith("g")', ["gamma"]),
        ('ContactStatus=="ACTIVE" && (Name=="Acme" || Name=="gamma")', ["Acme", "gamma"]),
        ('Name.Contains("ET") OR ContactNumber=="C1"', ["Acme", 'Beta "Q" Ltd']),
        ("UpdatedDateUTC >= DateTime(2024, 01, 01)", ["Acme", "gamma", "C:\\Delta\\"]),
        ('UpdatedDateUTC < DateTime.Parse("2024-01-05T00:00:00")', ['Beta "Q" Ltd']),
        ("ContactNumber == null", ["gamma"]),
        ('contactnumber.ToLower()=="c2"', ['Beta "Q" Ltd']),
    ],
)
def test_where_language(where, expected):
    keep = compile_where(where, CONTACT)
    assert [r["Name"] for r in RECORDS if keep(r)] == expected


def test_where_compares_guids_and_dotted_paths():
    item = {"Code": "A", "PurchaseDetails": {"COGSAccountCode": "310"},
            "ItemID": "AB12CD34-0000-0000-0000-000000000001"}
    assert compile_where('PurchaseDetails.COGSAccountCode=="310"', ITEM)(item)
    assert compile_where('ItemID==Guid("ab12cd34-0000-0000-0000-000000000001")', ITEM)(item)


@pytest.mark.parametrize(
    "where, message",
    [
        ('Nmae=="x"', "No property or field 'Nmae' exists in type 'Contact'"),
        ('IsCustomer=="true"', "Operator '==' incompatible with operand types 'Boolean?' and 'String'"),
        ('Name=="x" AND', "Expression expected"),
        ('Name=="C:\\"', "Syntax error at position 6"),
        ('Name="x"', "Operator '=' is not supported; use '=='"),
        ("DateTime(2024, 13, 1) < UpdatedDateUTC", "month must be in 1..12"),
    ],
)
def test_bad_where_is_a_query_parse_exception(where, message):
    with pytest.raises(XeroError) as caught:
        compile_where(where, CONTACT)
    assert caught.value.status == 400
    assert caught.value.body == {"ErrorNumber": 16, "Type": "QueryParseException", "Message": message}


def test_order_sorts_by_several_fields_text_without_case():
    ordered = compile_order("ContactStatus ASC, Name DESC", CONTACT)(RECORDS)
    assert [r["Name"] for r in ordered] == ["gamma", "Acme", "C:\\Delta\\", 'Beta "Q" Ltd']
    with pytest.raises(XeroError):
        compile_order("Bogus ASC", CONTACT)


# -- over HTTP -------------------------------------------------------------------------------------
async def test_where_and_order_query_parameters_filter_and_sort_contacts(xero, client):
    for name in ("Charlie", "alpha", "Bravo"):
        xero.store.insert("Contacts", Name=name)
    _, _, body = await client.get("/Contacts", params={"where": 'Name!="Bravo"', "order": "Name DESC"})
    assert names(body) == ["Charlie", "alpha"]


async def test_bad_where_over_http_is_400_query_parse_exception(client):
    status, _, body = await client.get("/Contacts", params={"where": "Foo==1"})
    assert (status, body["Type"], body["ErrorNumber"]) == (400, "QueryParseException", 16)


async def test_contacts_page_100_by_default_with_pagination(xero, client):
    for i in range(150):
        xero.store.insert("Contacts", Name=f"Customer {i:03d}")
    _, _, first = await client.get("/Contacts")
    assert first["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 2, "itemCount": 150}
    _, _, second = await client.get("/Contacts", params={"page": "2"})
    assert len(first["Contacts"]) == 100 and names(second)[0] == "Customer 100" and len(second["Contacts"]) == 50
    _, _, beyond = await client.get("/Contacts", params={"page": "3"})
    assert beyond["Contacts"] == [] and beyond["pagination"]["page"] == 3


async def test_page_size_is_honoured_and_capped_at_1000(xero, client):
    for i in range(5):
        xero.store.insert("Contacts", Name=f"C{i}")
    _, _, body = await client.get("/Contacts", params={"page": "2", "pageSize": "2"})
    assert names(body) == ["C2", "C3"] and body["pagination"]["pageCount"] == 3
    _, _, capped = await client.get("/Contacts", params={"pageSize": "5000"})
    assert capped["pagination"]["pageSize"] == 1000


async def test_unpaged_switch_returns_every_contact_without_pagination(xero, client):
    xero.config.page_by_default = False
    for i in range(120):
        xero.store.insert("Contacts", Name=f"C{i}")
    _, _, body = await client.get("/Contacts")
    assert len(body["Contacts"]) == 120 and "pagination" not in body
    _, _, summary = await client.get("/Contacts", params={"summaryOnly": "true"})
    assert len(summary["Contacts"]) == 100 and summary["pagination"]["itemCount"] == 120


@pytest.mark.off_spec_on_purpose("page on the unpaged Items list")
async def test_items_are_not_paged(xero, client):
    for i in range(120):
        xero.store.insert("Items", Code=f"I{i}")
    _, _, body = await client.get("/Items", params={"page": "1"})
    assert len(body["Items"]) == 120 and "pagination" not in body


async def test_if_modified_since_returns_records_changed_at_or_after_the_second(xero, client, fake_clock):
    old = xero.store.insert("Contacts", Name="Old")
    fake_clock.advance(10)
    since = fake_clock.now()
    xero.store.insert("Contacts", Name="New")
    fake_clock.advance(10)
    xero.store.edit("Contacts", old["ContactID"], EmailAddress="old@example.com")
    _, _, body = await client.get("/Contacts", headers={"If-Modified-Since": since.isoformat()})
    assert names(body) == ["Old", "New"]
    later = (since + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")
    _, _, body = await client.get("/Contacts", headers={"If-Modified-Since": later})
    assert names(body) == ["Old"]


async def test_if_modified_since_accepts_an_http_date(xero, client, fake_clock):
    xero.store.insert("Contacts", Name="Before")
    fake_clock.advance(60)
    xero.store.insert("Contacts", Name="After")
    _, _, body = await client.get("/Contacts", headers={"If-Modified-Since": "Mon, 02 Mar 2026 09:00:30 GMT"})
    assert names(body) == ["After"]


async def test_changes_xero_does_not_stamp_are_invisible_to_if_modified_since(xero, client, fake_clock):
    contact = xero.store.insert("Contacts", Name="Acme")
    fake_clock.advance(60)
    since = fake_clock.now().isoformat()
    xero.store.edit("Contacts", contact["ContactID"], IsCustomer=True, touch=False)
    _, _, body = await client.get("/Contacts", headers={"If-Modified-Since": since})
    assert body["Contacts"] == []


async def test_ids_search_term_and_include_archived(xero, client):
    a = xero.store.insert("Contacts", Name="Acme Widgets", EmailAddress="sales@acme.example")
    b = xero.store.insert("Contacts", Name="Bolt Co", ContactStatus="ARCHIVED")
    xero.store.insert("Contacts", Name="Cog Ltd", FirstName="Wanda")
    ids = f"{a['ContactID']},{b['ContactID']}"
    _, _, body = await client.get("/Contacts", params={"IDs": ids})
    assert names(body) == ["Acme Widgets"]
    _, _, body = await client.get("/Contacts", params={"IDs": ids, "includeArchived": "True"})
    assert names(body) == ["Acme Widgets", "Bolt Co"]
    _, _, body = await client.get("/Contacts", params={"searchTerm": "WAN"})
    assert names(body) == ["Cog Ltd"]
    _, _, body = await client.get("/Contacts", params={"searchTerm": "acme.example"})
    assert names(body) == ["Acme Widgets"]


async def test_summary_only_leaves_out_the_nested_parts(xero, client):
    xero.store.insert("Contacts", Name="Acme")
    _, _, full = await client.get("/Contacts")
    _, _, summary = await client.get("/Contacts", params={"summaryOnly": "True"})
    assert "Addresses" in full["Contacts"][0] and "Addresses" not in summary["Contacts"][0]
    assert summary["Contacts"][0]["Name"] == "Acme" and "pagination" in summary
