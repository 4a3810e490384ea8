"""The core's Syncro writer: every write journaled before it is sent, found again instead of sent twice.

Syncro takes no idempotency key. These tests kill the daemon around a Syncro write (a crash stands
for SIGKILL: nothing after it runs), give it unclear answers, dry-run it, upgrade a state file left in
the middle of an intent of the old link-based scheme, and read the journal back through ``explain``.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from helpers import SimulatedCrash
from syncro_xero.engine import Engine
from syncro_xero.explain import explain_data, print_explain
from syncro_xero.reports import print_report, report_json
from syncro_xero.state import State
from syncro_xero.state.schema import MIGRATIONS
from syncro_xero.syncro import SyncroClient


@pytest.fixture
def configure(make_config):
    return lambda: make_config(plugins={"contacts": {}, "xero_contacts": {}})


async def synced_then_contact(configure, fake_clock, xero_emulator, name: str) -> dict:
    """A first pass over an empty Syncro, then a customer contact a bookkeeper makes in Xero."""
    setup = await Engine.open(configure(), clock=fake_clock)
    assert (await setup.run_pass()).ok
    await setup.close()
    fake_clock.advance(60)
    return xero_emulator.store.insert("Contacts", {"IsCustomer": True, "Name": name})


def customer_posts(syncro_emulator) -> int:
    return syncro_emulator.access_log.count(method="POST", path="/api/v1/customers")


def journal(path) -> list[tuple[str, str, str, str | None]]:
    """(entity, method, state, syncro_id) of every Syncro journal row, read from the file itself."""
    with sqlite3.connect(path) as db:
        return db.execute("SELECT entity, method, state, syncro_id FROM syncro_journal ORDER BY id").fetchall()


async def test_the_journal_row_is_on_disk_before_the_request_is_sent(
    monkeypatch, syncro_emulator, xero_emulator, configure, fake_clock
):
    config = configure()
    made = await synced_then_contact(configure, fake_clock, xero_emulator, "Durable Ltd")
    seen: list = []

    async def killed_before_sending(self, path, body):
        seen.extend(journal(config.state.path))
        raise SimulatedCrash("before POST /customers left")

    crashed = await Engine.open(config, clock=fake_clock)
    monkeypatch.setattr(SyncroClient, "post", killed_before_sending)
    with pytest.raises(SimulatedCrash):
        await crashed.run_pass()
    monkeypatch.undo()
    assert seen == [("xero_contact", "POST", "sent", None)]
    rerun = await Engine.open(config, clock=fake_clock)
    try:
        report = await rerun.run_pass()  # nothing found by the marker: the write is lost, made anew

        assert report.ok, await rerun.state.parked.all()
        [customer] = syncro_emulator.store.customers.values()
        assert customer.notes == f"Xero contact {made['ContactID']}"
        assert journal(config.state.path) == [("xero_contact", "POST", "lost", None),
                                              ("xero_contact", "POST", "confirmed", str(customer.id))]
    finally:
        await rerun.close()
        await crashed.close()


async def test_a_crash_after_syncro_applied_a_post_is_found_next_pass_by_find_not_posted_twice(
    monkeypatch, syncro_emulator, xero_emulator, configure, fake_clock
):
    config = configure()
    made = await synced_then_contact(configure, fake_clock, xero_emulator, "Applied Ltd")
    post = SyncroClient.post

    async def killed_after_the_answer(self, path, body):
        await post(self, path, body)
        raise SimulatedCrash("after Syncro applied POST /customers, before its answer was recorded")

    crashed = await Engine.open(config, clock=fake_clock)
    monkeypatch.setattr(SyncroClient, "post", killed_after_the_answer)
    with pytest.raises(SimulatedCrash):
        await crashed.run_pass()
    monkeypatch.undo()
    assert journal(config.state.path) == [("xero_contact", "POST", "sent", None)]
    rerun = await Engine.open(config, clock=fake_clock)
    try:
        report = await rerun.run_pass()  # prepare finds it by its marker before contacts could send it as new

        assert report.ok, await rerun.state.parked.all()
        [customer] = syncro_emulator.store.customers.values()
        assert customer_posts(syncro_emulator) == 1
        assert (await rerun.state.links.get("contact", customer.id)).xero_id == made["ContactID"]
        assert journal(config.state.path) == [("xero_contact", "POST", "confirmed", str(customer.id))]
        assert [c["ContactNumber"] for c in xero_emulator.store.records("Contacts")] == [f"SYNCRO-{customer.id}"]
        assert f"found in Syncro as customer {customer.id}, linked" in report.counts["xero_contacts"].notes[0]
    finally:
        await rerun.close()
        await crashed.close()


async def test_an_unclear_answer_is_settled_by_find_not_by_sending_again(
    syncro_emulator, xero_emulator, configure, fake_clock
):
    config = configure()
    await synced_then_contact(configure, fake_clock, xero_emulator, "Dropped Ltd")
    syncro_emulator.faults.drop_after_write(1)
    engine = await Engine.open(config, clock=fake_clock)
    try:
        report = await engine.run_pass()

        assert report.ok, await engine.state.parked.all()
        [customer] = syncro_emulator.store.customers.values()
        assert customer_posts(syncro_emulator) == 1
        [write] = await engine.state.syncro_journal.confirmed("xero_contact", customer.notes.split()[-1])
        assert write.syncro_id == str(customer.id) and write.response["notes"] == customer.notes
        assert await engine.state.links.get("contact", customer.id) is not None
    finally:
        await engine.close()


async def test_a_dry_run_sends_nothing_to_syncro_journals_nothing_and_reports_the_planned_writes(
    capsys, syncro_emulator, xero_emulator, configure, fake_clock
):
    config = configure()
    made = await synced_then_contact(configure, fake_clock, xero_emulator, "Preview Ltd")
    engine = await Engine.open(config, clock=fake_clock)
    try:
        report = await engine.run_pass(dry_run=True)

        assert syncro_emulator.access_log.writes == [] and not syncro_emulator.store.customers
        assert journal(config.state.path) == []
        [planned] = report_json(report)["planned_syncro"]
        assert (planned["method"], planned["path"], planned["entity"], planned["key"]) == (
            "POST", "/customers", "xero_contact", made["ContactID"])
        assert planned["body"]["business_name"] == "Preview Ltd"
        print_report(report)
        printed = capsys.readouterr().out
        assert "The 1 Syncro write(s) it would make:" in printed
        assert f"  Syncro POST /customers  (xero_contacts: xero_contact {made['ContactID']})" in printed
        assert "Syncro writes it would make: 1" in printed
    finally:
        await engine.close()


async def test_explain_shows_the_syncro_write_that_made_a_customer_with_syncros_answer(
    capsys, syncro_emulator, xero_emulator, configure, fake_clock
):
    config = configure()
    made = await synced_then_contact(configure, fake_clock, xero_emulator, "Explained Ltd")
    engine = await Engine.open(config, clock=fake_clock)
    try:
        assert (await engine.run_pass()).ok
        [customer] = syncro_emulator.store.customers.values()

        data = await explain_data(engine.state, "customer", str(customer.id), ["contacts"])

        [write] = data["syncro_writes"]
        assert (write["method"], write["path"], write["state"], write["syncro_id"]) == (
            "POST", "/customers", "confirmed", str(customer.id))
        assert write["key"] == made["ContactID"] and write["body"]["notes"] == customer.notes
        print_explain(data)
        printed = capsys.readouterr().out
        assert "Syncro writes in the journal (1):" in printed
        assert f"POST /customers  xero_contact {made['ContactID']} (xero_contacts): confirmed -> {customer.id}" in printed
    finally:
        await engine.close()


def old_state_file(path, links: list[tuple]) -> None:
    """A state file of schema 3 (before the Syncro journal), holding these ``links`` rows."""
    with sqlite3.connect(path) as db:
        for script in MIGRATIONS[:3]:
            for statement in script.split(";"):
                if statement.strip():
                    db.execute(statement)
        db.executemany("INSERT INTO links (entity, syncro_id, xero_id, xero_number, feature, synced_at, extra)"
                       " VALUES (?, ?, ?, ?, ?, 1.0, ?)", links)
        db.execute("PRAGMA user_version = 3")


async def test_the_migration_turns_old_intent_links_into_unsettled_journal_rows(tmp_path, fake_clock):
    shares = [{"customer_id": "7", "applied": {"70": "10.00"}, "numbers": ["1001"], "ids": ["P1"], "kind": "payments",
               "syncro_payment": 55},
              {"customer_id": "8", "applied": {"80": "5.00"}, "numbers": ["1002"], "ids": ["P2"], "kind": "payments"}]
    target = {"date": "2026-01-05", "lines": [["Work", "1", "50.00"]]}
    old_state_file(tmp_path / "state.db", [
        ("xero_contact", "C-1", "C-1", None, "xero_contacts", json.dumps({"name": "Old Intent Ltd"})),
        ("xero_payment", "BP-1", "BP-1", None, "xero_payments", json.dumps({"shares": shares})),
        ("invoice_editing", "70", "INV-1", "1001", "xero_invoices", json.dumps({"target": target})),
        ("contact", "5", "C-5", None, "contacts", None),
    ])

    state = await State.open(tmp_path / "state.db", fake_clock)
    try:
        [contact] = await state.syncro_journal.unsettled("xero_contact")
        assert (contact.key, contact.method, contact.path, contact.extra) == (
            "C-1", "POST", "/customers", {"name": "Old Intent Ltd"})
        [posted] = await state.syncro_journal.confirmed("xero_payment", "BP-1")
        [waiting] = await state.syncro_journal.unsettled("xero_payment", "BP-1")
        assert (posted.step, posted.syncro_id, posted.extra) == ("7", "55", {k: v for k, v in shares[0].items()
                                                                              if k != "syncro_payment"})
        assert (waiting.step, waiting.state, waiting.extra) == ("8", "sent", shares[1])
        [edit] = await state.syncro_journal.unsettled("invoice_editing", "70")
        assert edit.is_edit and edit.extra == {"target": target, "number": "1001"}
        assert edit.path == "/invoices/70"
        assert [await state.links.count(kind) for kind in ("xero_contact", "xero_payment", "invoice_editing")] == [
            0, 0, 0]
        assert await state.links.count("contact") == 1
    finally:
        await state.close()


async def test_an_upgrade_in_the_middle_of_an_old_intent_finds_the_customer_it_made_and_posts_none(
    syncro_emulator, xero_emulator, configure, fake_clock
):
    config = configure()
    made = await synced_then_contact(configure, fake_clock, xero_emulator, "Upgraded Ltd")
    # What the old daemon left when killed after its POST: the customer, and its `xero_contact` intent link.
    customer = syncro_emulator.store.add_customer(business_name="Upgraded Ltd", notes=f"Xero contact {made['ContactID']}")
    with sqlite3.connect(config.state.path) as db:
        db.execute("DROP TABLE syncro_journal")
        db.execute("INSERT INTO links (entity, syncro_id, xero_id, feature, synced_at, extra) VALUES"
                   " ('xero_contact', ?, ?, 'xero_contacts', 1.0, ?)",
                   (made["ContactID"], made["ContactID"], json.dumps({"name": "Upgraded Ltd"})))
        db.execute("PRAGMA user_version = 3")
    engine = await Engine.open(config, clock=fake_clock)
    try:
        report = await engine.run_pass()

        assert report.ok, await engine.state.parked.all()
        assert list(syncro_emulator.store.customers) == [customer.id] and customer_posts(syncro_emulator) == 0
        assert (await engine.state.links.get("contact", customer.id)).xero_id == made["ContactID"]
        assert journal(config.state.path) == [("xero_contact", "POST", "confirmed", str(customer.id))]
        assert [c["ContactNumber"] for c in xero_emulator.store.records("Contacts")] == [f"SYNCRO-{customer.id}"]
    finally:
        await engine.close()


async def test_a_syncro_post_without_find_parks_the_record_as_the_plugins_bug(
    syncro_emulator, xero_emulator, make_config, open_engine, fake_clock
):
    from syncro_xero import Change, Context, Feature, hookimpl

    class Poster(Feature):
        name = "poster"
        xero_resources = ("Contacts",)

        async def reverse(self, change: Change, ctx: Context) -> None:
            await ctx.syncro_write("poster", change.record_id, "POST", "/customers", {"business_name": "X"})

    class Plugin:
        @staticmethod
        @hookimpl
        def syncro_xero_feature():
            return Poster()

    engine = await open_engine(make_config(plugins={}), extra_plugins=[("poster", Plugin())])
    await engine.run_pass()  # starts the Xero cursor
    fake_clock.advance(60)
    xero_emulator.store.insert("Contacts", Name="Made in Xero")
    fake_clock.advance(60)

    await engine.run_pass()

    [parked] = await engine.state.parked.all("poster")
    assert "needs a find=" in parked.reason and "bug to report to the plugin's author" in parked.reason
    assert syncro_emulator.store.customers == {}
