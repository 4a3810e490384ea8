"""Xero emulator: Contacts rules, batch semantics with summarizeErrors, wire format, store API."""

from datetime import date
from decimal import Decimal

import pytest
from helpers import errors, off_spec

ZERO = "00000000-0000-0000-0000-000000000000"
DUPLICATE_NAME = (
    "The contact name Acme Ltd is already assigned to another contact. "
    "The contact name must be unique across all active contacts."
)


async def test_put_creates_a_contact_with_xeros_defaults(client):
    status, _, body = await client.put("/Contacts", {"Contacts": [{"Name": "Acme Ltd", "ContactNumber": "SYN-1"}]})
    contact = body["Contacts"][0]
    assert status == 200 and body["Status"] == "OK" and body["DateTimeUTC"] == "/Date(1772442000000)/"
    assert contact["ContactStatus"] == "ACTIVE" and contact["UpdatedDateUTC"] == "/Date(1772442000000+0000)/"
    assert [a["AddressType"] for a in contact["Addresses"]] == ["STREET", "POBOX"]
    assert [p["PhoneType"] for p in contact["Phones"]] == ["DEFAULT", "DDI", "FAX", "MOBILE"]
    assert (contact["IsCustomer"], contact["IsSupplier"], contact["HasValidationErrors"]) == (False, False, False)


async def test_put_with_an_existing_name_fails_with_xeros_message_and_a_zero_id(xero, client):
    xero.store.insert("Contacts", Name="Acme Ltd")
    status, _, body = await client.put("/Contacts", {"Contacts": [{"Name": "acme ltd"}]})
    assert (status, body["ErrorNumber"], body["Type"]) == (400, 10, "ValidationException")
    element = body["Elements"][0]
    assert errors(element) == [DUPLICATE_NAME.replace("Acme Ltd", "acme ltd")]
    assert (element["ContactID"], element["HasValidationErrors"]) == (ZERO, True)


async def test_put_with_an_existing_contact_number_fails(xero, client):
    xero.store.insert("Contacts", Name="Acme Ltd", ContactNumber="SYN-1")
    _, _, body = await client.put("/Contacts", {"Contacts": [{"Name": "Other", "ContactNumber": "SYN-1"}]})
    assert errors(body["Elements"][0]) == [
        "Another contact has this contact number. Please enter a different contact number."]


async def test_archived_contacts_do_not_block_a_name(xero, client):
    xero.store.insert("Contacts", Name="Acme Ltd", ContactStatus="ARCHIVED")
    assert (await client.put("/Contacts", {"Contacts": [{"Name": "Acme Ltd"}]}))[0] == 200


async def test_a_failing_element_fails_the_whole_batch_and_saves_nothing_by_default(xero, client):
    batch = {"Contacts": [{"Name": "Good Ltd"}, {"Name": ""}, {"Name": "Good Ltd"}]}
    status, _, body = await client.put("/Contacts", batch)
    assert status == 400
    assert [errors(e) for e in body["Elements"]] == [
        ["Contact Name cannot be empty."], [DUPLICATE_NAME.replace("Acme Ltd", "Good Ltd")]]
    assert xero.store.records("Contacts") == []


async def test_summarize_errors_false_answers_200_per_element_and_saves_the_valid_ones(xero, client):
    batch = {"Contacts": [{"Name": "Good Ltd"}, {"Name": ""}]}
    status, _, body = await client.put("/Contacts", batch, params={"summarizeErrors": "False"})
    good, bad = body["Contacts"]
    assert status == 200
    assert (good["StatusAttributeString"], bad["StatusAttributeString"]) == ("OK", "ERROR")
    assert errors(bad) == ["Contact Name cannot be empty."] and bad["ContactID"] == ZERO
    assert [c["Name"] for c in xero.store.records("Contacts")] == ["Good Ltd"]


async def test_non_atomic_switch_keeps_valid_elements_of_a_failed_batch(xero, client):
    xero.config.summarized_batch_atomic = False
    status, _, _ = await client.put("/Contacts", {"Contacts": [{"Name": "Good Ltd"}, {"Name": ""}]})
    assert status == 400 and [c["Name"] for c in xero.store.records("Contacts")] == ["Good Ltd"]


async def test_post_upserts_by_contact_id_then_contact_number_then_name(xero, client):
    a = xero.store.insert("Contacts", Name="A Ltd", ContactNumber="N-1")
    b = xero.store.insert("Contacts", Name="B Ltd")
    batch = {"Contacts": [
        {"ContactID": a["ContactID"], "EmailAddress": "a@example.com"},
        {"ContactNumber": "N-1", "AccountNumber": "ACC-1"},
        {"Name": "b ltd", "TaxNumber": "GB123"},
        {"Name": "C Ltd"},
    ]}
    status, _, body = await client.post("/Contacts", batch)
    assert status == 200
    assert [c["ContactID"] for c in body["Contacts"][:3]] == [a["ContactID"], a["ContactID"], b["ContactID"]]
    assert xero.store.get("Contacts", "N-1")["EmailAddress"] == "a@example.com"
    assert xero.store.get("Contacts", "N-1")["AccountNumber"] == "ACC-1"
    assert xero.store.get("Contacts", b["ContactID"])["TaxNumber"] == "GB123"
    assert len(xero.store.records("Contacts")) == 3


async def test_post_to_one_contact_updates_it_and_bumps_updated_date(xero, client, fake_clock):
    contact = xero.store.insert("Contacts", Name="Acme Ltd")
    fake_clock.advance(90)
    update = {"Contacts": [{"Name": "Acme Limited", "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "07700"}]}]}
    status, _, body = await client.post(f"/Contacts/{contact['ContactID']}", update)
    stored = xero.store.get("Contacts", contact["ContactID"])
    assert status == 200 and body["Contacts"][0]["Name"] == "Acme Limited"
    assert stored["UpdatedDateUTC"] > contact["UpdatedDateUTC"]
    assert [(p["PhoneType"], p["PhoneNumber"]) for p in stored["Phones"]] == [
        ("DEFAULT", ""), ("DDI", ""), ("FAX", ""), ("MOBILE", "07700")]


async def test_post_to_an_unknown_contact_is_404_plain_text(client):
    status, headers, body = await client.post(f"/Contacts/{ZERO[:-1]}1", {"Contacts": [{"Name": "X"}]})
    assert (status, body) == (404, "The resource you're looking for cannot be found")
    assert headers["Content-Type"].startswith("text/plain")


async def test_get_by_contact_id_and_by_contact_number(xero, client):
    contact = xero.store.insert("Contacts", Name="Acme Ltd", ContactNumber="SYN-42")
    for key in (contact["ContactID"], contact["ContactID"].upper(), "SYN-42"):
        status, _, body = await client.get(f"/Contacts/{key}")
        assert (status, body["Contacts"][0]["Name"]) == (200, "Acme Ltd")
    assert (await client.get("/Contacts/SYN-43"))[0] == 404


async def test_archiving_hides_a_contact_from_lists_but_not_from_get_by_id(xero, client):
    contact = xero.store.insert("Contacts", Name="Acme Ltd")
    await client.post(f"/Contacts/{contact['ContactID']}", {"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    _, _, listing = await client.get("/Contacts")
    _, _, one = await client.get(f"/Contacts/{contact['ContactID']}")
    assert listing["Contacts"] == [] and one["Contacts"][0]["ContactStatus"] == "ARCHIVED"


@pytest.mark.off_spec_on_purpose("unknown and read-only fields")
async def test_read_only_and_unknown_fields_are_ignored(xero, client):
    noise = {"Name": "Acme Ltd", "IsCustomer": True, "IsSupplier": True, "HasAttachments": False,
             "HasValidationErrors": False, "UpdatedDateUTC": "/Date(0+0000)/", "Website": "x", "Frobnicate": 1}
    status, _, body = await client.put("/Contacts", {"Contacts": [noise]})
    stored = xero.store.find("Contacts", Name="Acme Ltd")
    assert status == 200 and stored["IsCustomer"] is False and "Website" not in stored and "Frobnicate" not in stored
    assert body["Contacts"][0]["UpdatedDateUTC"] == "/Date(1772442000000+0000)/"


@pytest.mark.off_spec_on_purpose("keys in another case than the spec's")
async def test_keys_and_enum_values_match_without_case(xero, client):
    status, _, _ = await client.put("/Contacts", {"contacts": [{"name": "Acme Ltd", "contactStatus": "archived"}]})
    assert status == 200 and xero.store.find("Contacts", Name="Acme Ltd")["ContactStatus"] == "ARCHIVED"


@pytest.mark.off_spec_on_purpose("values over the spec's lengths")
async def test_field_rules_email_tax_type_account_code_and_lengths(xero, client):
    bad = {"Name": "Acme Ltd", "EmailAddress": "not-an-email", "AccountsReceivableTaxType": "BOGUS",
           "SalesDefaultAccountCode": "999", "ContactNumber": "N" * 51}
    _, _, body = await client.put("/Contacts", {"Contacts": [bad]})
    assert errors(body["Elements"][0]) == [
        "ContactNumber must not be more than 50 characters long.",
        "Email address must be valid.",
        "The TaxType code 'BOGUS' does not exist or cannot be used for this type of transaction.",
        "Account code '999' is not a valid code for this document.",
    ]
    off_spec(xero, "request: Contacts/0/ContactNumber")


@pytest.mark.off_spec_on_purpose("a Name over the spec's 255")
async def test_contact_name_length_is_not_enforced_unless_switched_on(xero, client):
    assert (await client.put("/Contacts", {"Contacts": [{"Name": "N" * 263}]}))[0] == 200
    xero.config.enforce_contact_name_length = True
    _, _, body = await client.put("/Contacts", {"Contacts": [{"Name": "M" * 256}]})
    assert errors(body["Elements"][0]) == ["Name must not be more than 255 characters long."]
    # Xero itself answers names longer than the spec allows (xero-python#70).
    off_spec(xero, "request: Contacts/0/Name", "200 response: Contacts/0/Name")


async def test_wrong_value_types_are_post_data_invalid(xero, client):
    status, _, body = await client.put("/Contacts", {"Contacts": [{"Name": "Acme", "Addresses": "nope"}]})
    assert (status, body["ErrorNumber"], body["Type"]) == (400, 14, "PostDataInvalidException")
    off_spec(xero, "request: Contacts/0/Addresses")
    status, _, body = await client.call("PUT", "/Contacts", headers={"Content-Type": "application/json"})
    assert (status, body["ErrorNumber"], body["Type"]) == (400, 17, "NoDataProcessedException")


async def test_unknown_contact_id_in_a_batch_is_an_element_error(client):
    _, _, body = await client.post("/Contacts", {"Contacts": [{"ContactID": ZERO[:-1] + "9", "Name": "X"}]})
    assert errors(body["Elements"][0]) == [f"Contact with ContactID {ZERO[:-1]}9 could not be found."]


async def test_store_edit_simulates_a_user_change_in_xero(xero, client, fake_clock):
    contact = xero.store.insert("Contacts", Name="Acme Ltd", IsCustomer=True)
    fake_clock.advance(600)
    edited = xero.store.edit("Contacts", contact["ContactID"], EmailAddress="ap@acme.example")
    assert edited["UpdatedDateUTC"] == contact["UpdatedDateUTC"] + (fake_clock.now() - contact["UpdatedDateUTC"])
    _, _, body = await client.get(f"/Contacts/{contact['ContactID']}")
    assert body["Contacts"][0]["EmailAddress"] == "ap@acme.example" and body["Contacts"][0]["IsCustomer"] is True
    with pytest.raises(ValueError, match="already assigned"):
        xero.store.insert("Contacts", Name="Acme Ltd")


def test_wire_dates_and_numbers_round_trip():
    from syncro_xero.emulators.xero.wire import dumps, loads, parse_date

    assert parse_date("/Date(1711843200000)/") == parse_date("/Date(1711843200000+0000)/") == date(2024, 3, 31)
    assert parse_date("2024-03-31") == parse_date("2024-03-31T00:00:00") == date(2024, 3, 31)
    assert loads('{"a": 12345678901234.5678}')["a"] == Decimal("12345678901234.5678")
    assert dumps({"a": Decimal("0.1") + Decimal("0.2"), "d": date(2024, 3, 31), "b": True}) == (
        '{"a":0.3,"d":"/Date(1711843200000+0000)/","b":true}')
