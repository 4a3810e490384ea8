"""Contacts made or edited in Xero flow back to Syncro (xero_contacts), end to end over loopback.

A bookkeeper works in Xero (the emulator's store, or its API as the UI would); a pass brings Syncro
in line. Every scenario ends by proving both sides settled: two more passes write to neither.
"""

from __future__ import annotations

import pytest
from helpers import SimulatedCrash
from syncro_xero import Link
from syncro_xero.context import PassContext
from syncro_xero.emulators.syncro.render import Renderer
from syncro_xero.emulators.xero.testing import XeroTestClient
from syncro_xero.engine import Engine


@pytest.fixture
def configure(make_config):
    def make(contacts: dict | None = None, **settings):
        return make_config(plugins={"contacts": contacts or {}, "xero_contacts": settings})

    return make


@pytest.fixture
async def synced(open_engine, configure, fake_clock):
    """An engine whose first pass has run (Syncro's customers in Xero, the Xero cursor started)."""

    async def make(contacts: dict | None = None, **settings) -> Engine:
        engine = await open_engine(configure(contacts, **settings))
        assert (await engine.run_pass()).ok
        fake_clock.advance(60)
        return engine

    return make


@pytest.fixture
async def bookkeeper(xero_emulator):
    async with XeroTestClient(xero_emulator) as client:
        yield client


# -- helpers --------------------------------------------------------------------------------------
def customer_made_in_xero(xero_emulator, **fields) -> dict:
    """A contact as a bookkeeper makes it, already a customer in Xero's eyes (a sales invoice marks it)."""
    return xero_emulator.store.insert("Contacts", {"IsCustomer": True, **fields})


async def raise_invoice(bookkeeper, contact: dict, kind: str) -> None:
    """A sales invoice (ACCREC) or a bill (ACCPAY) entered in Xero for ``contact``."""
    status, _, body = await bookkeeper.call("PUT", "/Invoices", json={"Invoices": [
        {"Type": kind, "Contact": {"ContactID": contact["ContactID"]}, "Status": "AUTHORISED", "Date": "2026-01-05",
         "DueDate": "2026-02-05", "LineAmountTypes": "NoTax",
         "LineItems": [{"Description": "Work", "Quantity": 1, "UnitAmount": 50, "AccountCode": "200"}]}]})
    assert status == 200, body


def customers(syncro_emulator) -> list:
    return list(syncro_emulator.store.customers.values())


def xero_contact(xero_emulator, key: str) -> dict:
    return xero_emulator.store.get("Contacts", key)


def writes(emulator) -> list:
    return [(e.method, e.path) for e in emulator.access_log.writes if "/api" in e.path]


def notes(report) -> list[str]:
    return report.counts["xero_contacts"].notes


async def assert_settled(engine, syncro_emulator, xero_emulator) -> None:
    """Two more passes write nothing to Syncro or to Xero."""
    syncro_emulator.access_log.clear()
    xero_emulator.access_log.clear()
    for _ in range(2):
        report = await engine.run_pass()
        assert report.ok, await engine.state.parked.all()
    assert writes(syncro_emulator) == [] and writes(xero_emulator) == []


# -- made in Xero ---------------------------------------------------------------------------------
async def test_a_business_made_in_xero_becomes_a_linked_syncro_customer_numbered_in_xero(
    syncro_emulator, xero_emulator, synced
):
    engine = await synced()
    made = customer_made_in_xero(
        xero_emulator, Name="Harbour Dental", FirstName="Mia", LastName="Chen", EmailAddress="mia@harbour.example",
        Phones=[{"PhoneType": "DEFAULT", "PhoneAreaCode": "02", "PhoneNumber": "9999 0000"},
                {"PhoneType": "MOBILE", "PhoneNumber": "0400 111 222"}],
        Addresses=[{"AddressType": "POBOX", "AddressLine1": "1 Wharf Rd", "AddressLine2": "Level 2", "City": "Sydney",
                    "Region": "NSW", "PostalCode": "2000"}])

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    [customer] = customers(syncro_emulator)
    assert (customer.business_name, customer.firstname, customer.lastname, customer.email) == (
        "Harbour Dental", "Mia", "Chen", "mia@harbour.example")
    assert (customer.phone, customer.mobile) == ("02 9999 0000", "0400 111 222")
    assert (customer.address, customer.address_2, customer.city, customer.state, customer.zip) == (
        "1 Wharf Rd", "Level 2", "Sydney", "NSW", "2000")
    assert (await engine.state.links.get("contact", customer.id)).xero_id == made["ContactID"]
    assert xero_contact(xero_emulator, made["ContactID"])["ContactNumber"] == f"SYNCRO-{customer.id}"
    assert report.counts["xero_contacts"].created == 1
    await assert_settled(engine, syncro_emulator, xero_emulator)  # contacts sees it as synced already
    assert len(xero_emulator.store.records("Contacts")) == 1 and len(customers(syncro_emulator)) == 1


async def test_a_person_made_in_xero_becomes_an_individual_customer(syncro_emulator, xero_emulator, synced):
    engine = await synced()
    made = customer_made_in_xero(xero_emulator, Name="Sam Solo", FirstName="Sam", LastName="Solo")

    assert (await engine.run_pass()).ok

    [customer] = customers(syncro_emulator)
    assert (customer.business_name, customer.firstname, customer.lastname) == (None, "Sam", "Solo")
    assert xero_contact(xero_emulator, made["ContactID"])["Name"] == "Sam Solo"
    await assert_settled(engine, syncro_emulator, xero_emulator)


async def test_a_new_contact_waits_for_its_first_sales_invoice_then_is_imported(
    syncro_emulator, xero_emulator, synced, bookkeeper, fake_clock
):
    engine = await synced()
    made = xero_emulator.store.insert("Contacts", Name="Later Ltd")  # neither customer nor supplier yet

    waiting = await engine.run_pass()
    fake_clock.advance(600)
    await raise_invoice(bookkeeper, made, "ACCREC")  # marks it a customer without touching UpdatedDateUTC
    imported = await engine.run_pass()

    assert waiting.counts["xero_contacts"].waiting == 1
    assert imported.ok and imported.counts["xero_contacts"].created == 1
    assert [c.business_name for c in customers(syncro_emulator)] == ["Later Ltd"]
    await assert_settled(engine, syncro_emulator, xero_emulator)


async def test_a_contact_never_invoiced_is_left_alone_after_wait_hours(
    syncro_emulator, xero_emulator, synced, fake_clock
):
    engine = await synced(wait_hours=1)
    xero_emulator.store.insert("Contacts", Name="Corner Cafe")
    await engine.run_pass()
    fake_clock.advance(3600)

    report = await engine.run_pass()

    assert customers(syncro_emulator) == [] and report.counts["xero_contacts"].waiting == 0
    assert "Xero contact 'Corner Cafe' had no sales invoice 1 h after its last change: not imported into Syncro" in (
        notes(report))
    await assert_settled(engine, syncro_emulator, xero_emulator)


async def test_import_uninvoiced_imports_a_new_contact_at_once(syncro_emulator, xero_emulator, synced):
    engine = await synced(import_uninvoiced=True)
    xero_emulator.store.insert("Contacts", Name="Eager Ltd")

    report = await engine.run_pass()

    assert report.ok and [c.business_name for c in customers(syncro_emulator)] == ["Eager Ltd"]


async def test_a_supplier_only_contact_is_ignored_and_one_that_is_also_a_customer_is_imported(
    syncro_emulator, xero_emulator, synced, bookkeeper
):
    engine = await synced()
    supplier = xero_emulator.store.insert("Contacts", Name="Paper Supplies")
    both = xero_emulator.store.insert("Contacts", Name="Trading Partner")
    await raise_invoice(bookkeeper, supplier, "ACCPAY")
    await raise_invoice(bookkeeper, both, "ACCPAY")
    await raise_invoice(bookkeeper, both, "ACCREC")

    report = await engine.run_pass()

    assert report.ok and report.counts["xero_contacts"].waiting == 0
    assert [c.business_name for c in customers(syncro_emulator)] == ["Trading Partner"]
    await assert_settled(engine, syncro_emulator, xero_emulator)


async def test_contacts_made_by_the_daemon_or_another_app_are_not_imported(syncro_emulator, xero_emulator, synced):
    engine = await synced()
    from_syncro = syncro_emulator.store.add_customer(business_name="From Syncro Ltd", email="a@syncro.example")
    customer_made_in_xero(xero_emulator, Name="Made By A CRM", ContactNumber="CRM-7")
    adjustments = customer_made_in_xero(xero_emulator, Name="Inventory Adjustments")  # inventory's, by its link
    await engine.state.links.save(Link(entity="adjustment_contact", syncro_id="Inventory Adjustments", xero_id=adjustments["ContactID"]))

    report = await engine.run_pass()  # contacts makes the Xero contact; the Xero poll then sees it

    assert report.ok, await engine.state.parked.all()
    assert customers(syncro_emulator) == [from_syncro]
    assert syncro_emulator.access_log.count(method="POST", path="/api/v1/customers") == 0
    await assert_settled(engine, syncro_emulator, xero_emulator)
    assert customers(syncro_emulator) == [from_syncro]


async def test_an_unlinked_syncro_customer_of_the_same_name_is_linked_instead_of_duplicated(
    syncro_emulator, xero_emulator, synced
):
    individual = syncro_emulator.store.add_customer(firstname="Ada", lastname="Byron", email="ada@example.com")
    engine = await synced(contacts={"include_individuals": False})  # so contacts never sent her to Xero
    made = customer_made_in_xero(xero_emulator, Name="Ada Byron", FirstName="Ada", LastName="Byron")

    report = await engine.run_pass()

    assert report.ok and customers(syncro_emulator) == [individual]
    assert (await engine.state.links.get("contact", individual.id)).xero_id == made["ContactID"]
    assert xero_contact(xero_emulator, made["ContactID"])["ContactNumber"] == f"SYNCRO-{individual.id}"
    assert f"Xero contact 'Ada Byron' matched Syncro customer {individual.id}, linked" in notes(report)
    await assert_settled(engine, syncro_emulator, xero_emulator)


async def test_a_contact_named_like_a_customer_linked_to_another_contact_is_parked_not_duplicated(
    syncro_emulator, xero_emulator, synced
):
    acme = syncro_emulator.store.add_customer(business_name="Acme Ltd", email="acme@example.com")
    xero_emulator.store.insert("Contacts", Name="Acme Accounts", EmailAddress="acme@example.com")
    engine = await synced()  # the first run matches it to "Acme Accounts" by email
    customer_made_in_xero(xero_emulator, Name="Acme Ltd")

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert parked.reason.startswith(
        f"Syncro customer {acme.id} 'Acme Ltd' is already linked to another Xero contact ('Acme Accounts')"
    )
    assert customers(syncro_emulator) == [acme]


# -- edited in Xero -------------------------------------------------------------------------------
async def test_an_edit_in_xero_changes_the_syncro_customer_and_both_sides_settle(
    syncro_emulator, xero_emulator, synced
):
    customer = syncro_emulator.store.add_customer(
        business_name="Edit Me Ltd", email="old@example.com", phone="0299990000", notes="Gate code 1234"
    )
    engine = await synced()
    contact = xero_contact(xero_emulator, f"SYNCRO-{customer.id}")
    xero_emulator.store.edit(
        "Contacts",
        contact["ContactID"],
        EmailAddress="new@example.com",
        Phones=[{"PhoneType": "MOBILE", "PhoneNumber": "0400 000 001"}],
    )

    followed = await engine.run_pass()
    echoed = await engine.run_pass()  # contacts sends the same values back once

    assert followed.ok and echoed.ok, await engine.state.parked.all()
    assert (customer.email, customer.mobile, customer.phone, customer.notes) == (
        "new@example.com",
        "0400 000 001",
        "0299990000",
        "Gate code 1234",
    )
    [put] = syncro_emulator.access_log.matching(method="PUT", path=f"/api/v1/customers/{customer.id}")
    assert put.body["business_name"] == "Edit Me Ltd" and put.body["notes"] == "Gate code 1234"  # the whole customer
    assert followed.counts["xero_contacts"].updated == 1
    await assert_settled(engine, syncro_emulator, xero_emulator)
    now = xero_contact(xero_emulator, contact["ContactID"])
    assert now["EmailAddress"] == "new@example.com" and now["Name"] == "Edit Me Ltd"


async def test_a_field_left_out_of_fields_stays_as_syncro_has_it(syncro_emulator, xero_emulator, synced):
    customer = syncro_emulator.store.add_customer(business_name="Partial Ltd", email="keep@example.com")
    engine = await synced(fields=["name", "mobile"])
    contact = xero_contact(xero_emulator, f"SYNCRO-{customer.id}")
    xero_emulator.store.edit(
        "Contacts",
        contact["ContactID"],
        EmailAddress="ignored@example.com",
        Phones=[{"PhoneType": "MOBILE", "PhoneNumber": "0400 000 002"}],
    )

    await engine.run_pass()
    await engine.run_pass()

    assert (customer.email, customer.mobile) == ("keep@example.com", "0400 000 002")
    await assert_settled(engine, syncro_emulator, xero_emulator)


async def test_renaming_a_contact_matched_under_another_name_renames_the_customer_and_contacts_keeps_it(
    syncro_emulator, xero_emulator, synced
):
    acme = syncro_emulator.store.add_customer(business_name="Acme Ltd", email="acme@example.com")
    matched = xero_emulator.store.insert("Contacts", Name="Acme Accounts", EmailAddress="acme@example.com")
    engine = await synced()
    xero_emulator.store.edit("Contacts", matched["ContactID"], Name="Acme Group")

    await engine.run_pass()
    await engine.run_pass()
    syncro_emulator.store.update_customer(acme.id, phone="0277778888")  # contacts writes the contact again
    await engine.run_pass()

    assert acme.business_name == "Acme Group"
    await assert_settled(engine, syncro_emulator, xero_emulator)
    assert xero_contact(xero_emulator, matched["ContactID"])["Name"] == "Acme Group"


async def test_a_phone_cleared_in_syncro_is_not_brought_back_from_the_copy_xero_keeps(
    syncro_emulator, xero_emulator, synced, fake_clock
):
    customer = syncro_emulator.store.add_customer(business_name="Quiet Ltd", phone="0299990000")
    engine = await synced()
    assert (await engine.run_pass()).ok  # the Xero contact is acknowledged as last synced
    fake_clock.advance(60)
    syncro_emulator.store.update_customer(customer.id, phone="", email="new@example.com")

    await engine.run_pass()  # contacts sends no phone, so Xero keeps its copy; the poll sees the contact

    contact = xero_contact(xero_emulator, f"SYNCRO-{customer.id}")
    assert {p["PhoneType"]: p["PhoneNumber"] for p in contact["Phones"]}["DEFAULT"] == "0299990000"
    assert customer.phone == ""
    await assert_settled(engine, syncro_emulator, xero_emulator)


@pytest.mark.parametrize("conflict, email", [("syncro", "syncro@example.com"), ("xero", "xero@example.com")])
async def test_a_field_changed_in_both_is_settled_by_conflict_and_noted_other_fields_flow_their_way(
    conflict, email, syncro_emulator, xero_emulator, synced, fake_clock
):
    customer = syncro_emulator.store.add_customer(
        business_name="Both Ltd", email="old@example.com", phone="0211112222"
    )
    engine = await synced(conflict=conflict)
    assert (await engine.run_pass()).ok  # the Xero contact is acknowledged as last synced
    fake_clock.advance(60)
    contact = xero_contact(xero_emulator, f"SYNCRO-{customer.id}")
    xero_emulator.store.edit(
        "Contacts",
        contact["ContactID"],
        EmailAddress="xero@example.com",
        Phones=[{"PhoneType": "MOBILE", "PhoneNumber": "0400 000 003"}],
    )
    syncro_emulator.store.update_customer(customer.id, email="syncro@example.com", phone="0233334444")

    # Xero read before contacts writes (see test_an_edit_in_xero_survives_... for an ordinary pass)
    decided = await engine.run_pass(only=["xero_contacts"])
    await engine.run_pass()

    outcome = {
        "syncro": "kept Syncro's 'syncro@example.com', not",
        "xero": "replaced Syncro's 'syncro@example.com' by",
    }
    assert notes(decided) == [
        f"Xero contact 'Both Ltd': email changed in Syncro and in Xero; {outcome[conflict]} Xero's 'xero@example.com'"
    ]
    assert (customer.email, customer.mobile, customer.phone) == (email, "0400 000 003", "0233334444")
    await assert_settled(engine, syncro_emulator, xero_emulator)
    now = xero_contact(xero_emulator, contact["ContactID"])
    assert now["EmailAddress"] == email
    assert {p["PhoneType"]: p["PhoneNumber"] for p in now["Phones"]}["DEFAULT"] == "0233334444"


async def test_an_edit_in_xero_survives_a_change_of_the_customer_in_syncro_in_the_same_pass(
    syncro_emulator, xero_emulator, synced, fake_clock
):
    customer = syncro_emulator.store.add_customer(business_name="Busy Ltd", email="old@example.com")
    engine = await synced()
    assert (await engine.run_pass()).ok  # the Xero contact is acknowledged as last synced
    fake_clock.advance(60)
    contact = xero_contact(xero_emulator, f"SYNCRO-{customer.id}")
    xero_emulator.store.edit("Contacts", contact["ContactID"], EmailAddress="xero@example.com")
    syncro_emulator.store.update_customer(customer.id, phone="0255556666")

    await engine.run_pass()
    await engine.run_pass()

    assert (customer.email, customer.phone) == ("xero@example.com", "0255556666")
    assert xero_contact(xero_emulator, contact["ContactID"])["EmailAddress"] == "xero@example.com"


async def test_a_contact_archived_in_xero_is_noted_and_its_customer_kept(syncro_emulator, xero_emulator, synced):
    customer = syncro_emulator.store.add_customer(business_name="Gone Ltd")
    engine = await synced()
    contact = xero_contact(xero_emulator, f"SYNCRO-{customer.id}")
    xero_emulator.store.edit("Contacts", contact["ContactID"], ContactStatus="ARCHIVED")

    report = await engine.run_pass()

    assert report.ok and customers(syncro_emulator) == [customer]
    assert syncro_emulator.access_log.count(method="DELETE") == 0
    assert notes(report)[0].startswith(f"Xero contact 'Gone Ltd' is archived; Syncro customer {customer.id} is kept")


# -- exactly once ---------------------------------------------------------------------------------
async def test_a_crash_between_the_syncro_post_and_its_link_then_a_rerun_creates_no_second_customer(
    monkeypatch, syncro_emulator, xero_emulator, configure, fake_clock
):
    config = configure()
    setup = await Engine.open(config, clock=fake_clock)
    await setup.run_pass()
    await setup.close()
    fake_clock.advance(60)
    made = customer_made_in_xero(xero_emulator, Name="Crash Test Ltd", EmailAddress="ct@example.com")
    save_link = PassContext.save_link

    async def crash_on_contact_link(self, link):
        if link.entity == "contact":
            raise SimulatedCrash("after POST /customers, before its link")
        await save_link(self, link)

    crashed = await Engine.open(config, clock=fake_clock)
    monkeypatch.setattr(PassContext, "save_link", crash_on_contact_link)
    with pytest.raises(SimulatedCrash):
        await crashed.run_pass()
    monkeypatch.undo()
    assert len(customers(syncro_emulator)) == 1
    rerun = await Engine.open(config, clock=fake_clock)
    try:
        report = await rerun.run_pass()  # found by its marker before contacts could send it to Xero as new

        assert report.ok, await rerun.state.parked.all()
        [customer] = customers(syncro_emulator)
        assert customer.notes == f"Xero contact {made['ContactID']}"
        assert (await rerun.state.links.get("contact", customer.id)).xero_id == made["ContactID"]
        assert await rerun.state.syncro_journal.unsettled("xero_contact") == []
        assert [c["ContactNumber"] for c in xero_emulator.store.records("Contacts")] == [f"SYNCRO-{customer.id}"]
        await assert_settled(rerun, syncro_emulator, xero_emulator)
        assert len(customers(syncro_emulator)) == 1
    finally:
        await rerun.close()
        await crashed.close()


async def test_an_unanswered_post_that_was_applied_is_found_and_linked_without_a_second_customer(
    syncro_emulator, xero_emulator, synced
):
    engine = await synced()
    made = customer_made_in_xero(xero_emulator, Name="Dropped Line Ltd")
    syncro_emulator.faults.drop_after_write(1)

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    [customer] = customers(syncro_emulator)
    assert (await engine.state.links.get("contact", customer.id)).xero_id == made["ContactID"]
    assert xero_contact(xero_emulator, made["ContactID"])["ContactNumber"] == f"SYNCRO-{customer.id}"
    await assert_settled(engine, syncro_emulator, xero_emulator)
    assert len(customers(syncro_emulator)) == 1


# -- check ----------------------------------------------------------------------------------------
async def test_check_proves_syncro_shows_the_notes_a_customer_from_xero_is_found_by(
    monkeypatch, syncro_emulator, open_engine, configure
):
    syncro_emulator.store.add_customer(business_name="Anyone Ltd")
    engine = await open_engine(configure())
    full = Renderer.customer

    [shown] = [r for r in await engine.check() if r.what == "Syncro customer list shows notes"]
    monkeypatch.setattr(
        Renderer, "customer", lambda self, c: {k: v for k, v in full(self, c).items() if k != "notes"}
    )
    [hidden] = [r for r in await engine.check() if r.what == "Syncro customer list shows notes"]

    assert shown.ok and not hidden.ok
