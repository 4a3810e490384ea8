"""Syncro customers -> Xero contacts, end to end over loopback against both emulators."""

import math

import pytest


async def test_businesses_and_individuals_become_xero_contacts(syncro_emulator, xero_emulator, open_engine):
    acme = syncro_emulator.store.add_customer(business_name="Acme Pty Ltd", firstname="Dana", lastname="Lee",
                                              email="accounts@acme.example", phone="0299990000",
                                              address="1 Main St", city="Sydney", state="NSW", zip="2000")
    solo = syncro_emulator.store.add_customer(firstname="Sam", lastname="Solo", email="sam@example.com")
    engine = await open_engine()

    report = await engine.run_pass()

    assert report.ok, report
    contacts = {c["Name"]: c for c in xero_emulator.store.records("Contacts")}
    assert contacts["Acme Pty Ltd"]["ContactNumber"] == f"SYNCRO-{acme.id}"
    assert contacts["Acme Pty Ltd"]["EmailAddress"] == "accounts@acme.example"
    assert contacts["Acme Pty Ltd"]["FirstName"] == "Dana"
    assert contacts["Sam Solo"]["ContactNumber"] == f"SYNCRO-{solo.id}"
    assert report.counts["contacts"].created == 2


async def test_second_pass_without_changes_writes_nothing(syncro_emulator, xero_emulator, open_engine):
    for i in range(3):
        syncro_emulator.store.add_customer(business_name=f"Business {i}")
    engine = await open_engine()
    await engine.run_pass()
    writes_before = xero_emulator.access_log.count(path="/api.xro", method="PUT")
    posts_before = xero_emulator.access_log.count(path="/api.xro", method="POST")

    report = await engine.run_pass()

    assert xero_emulator.access_log.count(path="/api.xro", method="PUT") == writes_before
    assert xero_emulator.access_log.count(path="/api.xro", method="POST") == posts_before
    assert report.xero_calls == 0


async def test_an_update_in_syncro_updates_the_same_contact(syncro_emulator, xero_emulator, open_engine):
    customer = syncro_emulator.store.add_customer(business_name="Old Name Ltd", email="a@old.example")
    engine = await open_engine()
    await engine.run_pass()
    syncro_emulator.store.update_customer(customer.id, business_name="New Name Ltd", email="a@new.example")

    report = await engine.run_pass()

    contacts = xero_emulator.store.records("Contacts")
    assert [(c["Name"], c["EmailAddress"]) for c in contacts] == [("New Name Ltd", "a@new.example")]
    assert report.counts["contacts"].updated == 1


@pytest.mark.parametrize("count", [1, 50, 51, 120])
async def test_creating_n_contacts_costs_ceil_n_over_50_write_calls(count, syncro_emulator, xero_emulator, open_engine):
    for i in range(count):
        syncro_emulator.store.add_customer(business_name=f"Customer {i:04}")
    engine = await open_engine()

    await engine.run_pass()

    assert len(xero_emulator.store.records("Contacts")) == count
    assert xero_emulator.access_log.count(method="PUT", path="/api.xro/2.0/Contacts") == math.ceil(count / 50)
    api_writes = [w for w in xero_emulator.access_log.writes if w.path.startswith("/api.xro")]
    assert len(api_writes) == math.ceil(count / 50)


async def test_existing_xero_contacts_are_matched_on_the_first_run_instead_of_duplicated(
    syncro_emulator, xero_emulator, open_engine
):
    store = syncro_emulator.store
    by_number = store.add_customer(business_name="Numbered Ltd")
    by_name = store.add_customer(business_name="Named Ltd")
    by_email = store.add_customer(firstname="Eve", lastname="Mail", email="eve@mail.example")
    new = store.add_customer(business_name="Brand New Ltd")
    xero = xero_emulator.store
    xero.insert("Contacts", Name="Numbered Limited", ContactNumber=f"SYNCRO-{by_number.id}")
    xero.insert("Contacts", Name="NAMED LTD")
    xero.insert("Contacts", Name="Eve M.", EmailAddress="EVE@mail.example")
    engine = await open_engine()

    report = await engine.run_pass()

    contacts = xero.records("Contacts")
    assert len(contacts) == 4
    numbers = sorted(c.get("ContactNumber") or "" for c in contacts)
    assert numbers == sorted(f"SYNCRO-{c.id}" for c in (by_number, by_name, by_email, new))
    notes = " ".join(report.counts["contacts"].notes)
    assert "by contact number" in notes and "by name" in notes and "by email" in notes


async def test_after_the_first_run_a_taken_name_gets_the_syncro_id_as_suffix(syncro_emulator, xero_emulator, open_engine):
    engine = await open_engine()
    await engine.run_pass()  # the first run: nothing to match
    xero_emulator.store.insert("Contacts", Name="Clash Ltd")
    customer = syncro_emulator.store.add_customer(business_name="Clash Ltd")

    report = await engine.run_pass()

    names = sorted(c["Name"] for c in xero_emulator.store.records("Contacts"))
    assert names == ["Clash Ltd", f"Clash Ltd (Syncro #{customer.id})"]
    assert report.ok and "is taken in Xero" in " ".join(report.counts["contacts"].notes)


async def test_a_taken_name_parks_the_record_when_name_clash_is_park(syncro_emulator, xero_emulator, open_engine, make_config):
    engine = await open_engine(make_config(plugins={"contacts": {"name_clash": "park", "match_existing": "never"}}))
    xero_emulator.store.insert("Contacts", Name="Clash Ltd")
    customer = syncro_emulator.store.add_customer(business_name="Clash Ltd")

    report = await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert parked.record_id == str(customer.id)
    assert "Another Xero contact is already called 'Clash Ltd'" in parked.reason
    assert report.parked_total == 1 and not report.ok


async def test_two_syncro_customers_with_one_name_both_get_a_contact(syncro_emulator, xero_emulator, open_engine):
    first = syncro_emulator.store.add_customer(firstname="John", lastname="Smith")
    second = syncro_emulator.store.add_customer(firstname="John", lastname="Smith")
    engine = await open_engine()

    report = await engine.run_pass()

    assert report.ok
    numbers = {c["ContactNumber"] for c in xero_emulator.store.records("Contacts")}
    assert numbers == {f"SYNCRO-{first.id}", f"SYNCRO-{second.id}"}


async def test_a_xero_validation_error_parks_only_that_record_with_its_reason(syncro_emulator, xero_emulator, open_engine):
    bad = syncro_emulator.store.add_customer(business_name="Bad Email Ltd", email="dana@localhost")
    for i in range(3):
        syncro_emulator.store.add_customer(business_name=f"Good {i}")
    engine = await open_engine()

    report = await engine.run_pass()

    assert sorted(c["Name"] for c in xero_emulator.store.records("Contacts")) == ["Good 0", "Good 1", "Good 2"]
    [parked] = await engine.state.parked.all()
    assert (parked.record_id, parked.reason) == (str(bad.id), "Xero refused this record: Email address must be valid.")
    assert report.counts["contacts"].created == 3 and report.counts["contacts"].parked == 1


async def test_a_parked_record_syncs_once_fixed_in_syncro_and_leaves_the_failures(syncro_emulator, xero_emulator, open_engine):
    bad = syncro_emulator.store.add_customer(business_name="Bad Email Ltd", email="dana@localhost")
    engine = await open_engine()
    await engine.run_pass()
    syncro_emulator.store.update_customer(bad.id, email="fixed@example.com")

    report = await engine.run_pass()

    assert report.ok and await engine.state.parked.count() == 0
    assert [c["EmailAddress"] for c in xero_emulator.store.records("Contacts")] == ["fixed@example.com"]


async def test_retry_replays_a_parked_record_after_the_cause_is_fixed_in_xero(syncro_emulator, xero_emulator, open_engine, make_config):
    engine = await open_engine(make_config(plugins={"contacts": {"name_clash": "park", "match_existing": "never"}}))
    other = xero_emulator.store.insert("Contacts", Name="Clash Ltd")
    syncro_emulator.store.add_customer(business_name="Clash Ltd")
    await engine.run_pass()
    xero_emulator.store.edit("Contacts", other["ContactID"], Name="Clash Ltd (old)")
    [parked] = await engine.state.parked.all()

    report = await engine.retry([parked.id])

    assert report.ok and await engine.state.parked.count() == 0
    assert sorted(c["Name"] for c in xero_emulator.store.records("Contacts")) == ["Clash Ltd", "Clash Ltd (old)"]


async def test_a_429_is_obeyed_and_the_batch_resent_with_the_same_idempotency_key(
    syncro_emulator, xero_emulator, open_engine, fake_clock
):
    customer = syncro_emulator.store.add_customer(business_name="Patient Ltd")
    engine = await open_engine()
    await engine.run_pass()
    syncro_emulator.store.update_customer(customer.id, business_name="Patient Pty Ltd")
    xero_emulator.faults.rate_limit_next(1, retry_after=30)
    before = fake_clock.time()

    report = await engine.run_pass()

    assert report.ok
    assert fake_clock.time() - before >= 30
    posts = xero_emulator.access_log.matching(method="POST", path="/api.xro/2.0/Contacts")
    assert [p.status for p in posts] == [429, 200]
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert [c["Name"] for c in xero_emulator.store.records("Contacts")] == ["Patient Pty Ltd"]


async def test_a_customer_deleted_in_syncro_archives_its_xero_contact(syncro_emulator, xero_emulator, open_engine):
    customer = syncro_emulator.store.add_customer(business_name="Gone Ltd")
    engine = await open_engine()
    await engine.run_pass()
    syncro_emulator.store.delete_customer(customer.id)

    report = await engine.run_pass()

    [contact] = xero_emulator.store.table("Contacts").all()
    assert contact["ContactStatus"] == "ARCHIVED"
    assert report.counts["contacts"].deleted == 1


async def test_a_dry_run_lists_the_payloads_and_writes_nothing(syncro_emulator, xero_emulator, open_engine):
    syncro_emulator.store.add_customer(business_name="Preview Ltd")
    engine = await open_engine()

    report = await engine.run_pass(dry_run=True)

    assert xero_emulator.access_log.count(path="/api.xro", method="PUT") == 0
    assert [(w.method, w.path, w.payload["Name"]) for w in report.planned] == [("PUT", "Contacts", "Preview Ltd")]
    assert (await engine.run_pass()).counts["contacts"].created == 1  # nothing was acknowledged by the dry run


async def test_a_customer_missing_from_a_list_but_still_in_syncro_is_not_taken_as_deleted(
    syncro_emulator, xero_emulator, open_engine, monkeypatch
):
    customer = syncro_emulator.store.add_customer(business_name="Still Here Ltd")
    engine = await open_engine()
    await engine.run_pass()
    real_get_all = engine.syncro.get_all

    async def truncated(path, key, params=None):  # a page lost on the way, say
        return [r for r in await real_get_all(path, key, params) if r["id"] != customer.id]

    monkeypatch.setattr(engine.syncro, "get_all", truncated)

    report = await engine.run_pass()

    [contact] = xero_emulator.store.records("Contacts")
    assert contact["ContactStatus"] == "ACTIVE" and report.counts["contacts"].deleted == 0
    monkeypatch.undo()
    assert (await engine.run_pass()).xero_calls == 0  # and it is still known as synced
