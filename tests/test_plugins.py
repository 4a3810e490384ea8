"""Loading plugins: isolation, enabling, ordering, and every hook at work."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest
from syncro_xero import plugin_loader
from syncro_xero.config import ConfigError
from syncro_xero.plugin_loader import ENTRY_POINT_GROUP, load_plugins


def with_entry_points(monkeypatch, **modules: str) -> None:
    """Make ``name=module`` entry points appear installed, next to the real ones."""
    real = plugin_loader._entry_points()
    fake = [metadata.EntryPoint(name, f"sample_plugins.{module}", ENTRY_POINT_GROUP) for name, module in modules.items()]
    monkeypatch.setattr(plugin_loader, "_entry_points", lambda: sorted(real + fake, key=lambda ep: ep.name))


def test_a_plugin_that_fails_to_import_is_reported_by_name_and_the_others_load(monkeypatch, make_config):
    with_entry_points(monkeypatch, broken=("broken_import"))
    config = make_config(plugins={"contacts": {}, "broken": {}})

    plugins = load_plugins(config)

    assert plugins.info["broken"].error == "failed to load: RuntimeError: boom while importing"
    assert [f.name for f in plugins.features] == ["contacts"]
    assert [p.name for p in plugins.failed] == ["broken"]


def test_a_disabled_plugin_is_never_imported(monkeypatch, make_config):
    with_entry_points(monkeypatch, dormant="never_imported")
    config = make_config(plugins={"contacts": {}, "dormant": {"enabled": False}})

    plugins = load_plugins(config)

    assert "sample_plugins.never_imported" not in sys.modules
    assert plugins.info["dormant"].enabled is False and plugins.info["dormant"].loaded is False


def test_a_plugin_without_a_config_table_stays_disabled(monkeypatch, make_config):
    with_entry_points(monkeypatch, dormant="never_imported")

    plugins = load_plugins(make_config(plugins={"contacts": {}}))

    assert plugins.info["dormant"].enabled is False


def test_a_plugin_implementing_an_unknown_hook_is_refused_by_name(monkeypatch, make_config):
    with_entry_points(monkeypatch, typo="typo_hook")

    plugins = load_plugins(make_config(plugins={"typo": {}}))

    assert plugins.info["typo"].error == "implements unknown hooks: syncro_xero_featuer"


def test_config_for_a_plugin_that_is_not_installed_is_a_config_problem(make_config):
    config = make_config(plugins={"contacts": {}, "invoicez": {}})

    with pytest.raises(ConfigError) as error:
        load_plugins(config)
    assert any(p.startswith("plugins.invoicez: no installed plugin has this name") for p in error.value.problems)


def test_a_feature_needing_a_disabled_feature_is_a_config_problem(monkeypatch, make_config):
    from syncro_xero import Feature

    class NeedsContacts(Feature):
        name = "needs_contacts"
        depends_on = ("contacts",)

    class Plugin:
        @staticmethod
        @plugin_loader.hookspecs.hookimpl
        def syncro_xero_feature():
            return NeedsContacts()

    with pytest.raises(ConfigError) as error:
        load_plugins(make_config(plugins={}), extra=[("needs_contacts", Plugin())])
    assert error.value.problems == ["plugins.needs_contacts: needs plugin 'contacts' enabled ([plugins.contacts] enabled = true)"]


def test_features_run_in_dependency_order(make_config):
    from syncro_xero import Feature, hookimpl

    def plugin(feature_name, deps):
        cls = type(feature_name, (Feature,), {"name": feature_name, "depends_on": deps})

        class P:
            @staticmethod
            @hookimpl
            def syncro_xero_feature():
                return cls()

        return feature_name, P()

    plugins = load_plugins(
        make_config(plugins={"contacts": {}}),
        extra=[plugin("a_payments", ("b_invoices",)), plugin("b_invoices", ("contacts",))],
    )

    assert [f.name for f in plugins.features] == ["contacts", "b_invoices", "a_payments"]


async def test_a_plugin_bug_on_one_record_parks_that_record_only(monkeypatch, make_config, open_engine, syncro_emulator, xero_emulator):
    with_entry_points(monkeypatch, explodes="explodes")
    trigger = syncro_emulator.store.add_customer(business_name="Trigger Ltd")
    syncro_emulator.store.add_customer(business_name="Calm Ltd")
    engine = await open_engine(make_config(plugins={"contacts": {}, "explodes": {}}))

    report = await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert (parked.feature, parked.record_id) == ("explodes", str(trigger.id))
    assert "ZeroDivisionError: plugin bug" in parked.reason
    assert report.counts["contacts"].created == 2  # the other feature saw both records
    assert report.counts["explodes"].unchanged == 1


async def test_hook_syncro_xero_resources_lets_a_plugin_poll_a_new_resource(monkeypatch, make_config, open_engine, syncro_emulator):
    from sample_plugins import extra_resource

    with_entry_points(monkeypatch, extra_resource="extra_resource")
    vendor = syncro_emulator.store.add_vendor("Parts Inc")
    engine = await open_engine(make_config(plugins={"extra_resource": {}}))

    await engine.run_pass()

    assert extra_resource.HANDLED == [str(vendor.id)]


async def test_xero_changes_flow_back_to_a_reverse_feature_by_if_modified_since(
    monkeypatch, make_config, open_engine, xero_emulator, fake_clock
):
    from sample_plugins import xero_contacts_log

    with_entry_points(monkeypatch, xero_contacts_log="xero_contacts_log")
    engine = await open_engine(make_config(plugins={"xero_contacts_log": {}}))
    await engine.run_pass()  # the first pass only starts the cursor
    fake_clock.advance(60)
    contact = xero_emulator.store.insert("Contacts", Name="Made In Xero Ltd")

    await engine.run_pass()
    fake_clock.advance(60)
    xero_emulator.store.edit("Contacts", contact["ContactID"], Name="Renamed In Xero Ltd")
    await engine.run_pass()
    await engine.run_pass()  # nothing new: nothing handed over

    assert [(c.source, c.resource, c.op, c.current["Name"]) for c in xero_contacts_log.SEEN] == [
        ("xero", "Contacts", "created", "Made In Xero Ltd"),
        ("xero", "Contacts", "updated", "Renamed In Xero Ltd"),
    ]
    gets = xero_emulator.access_log.matching(method="GET", path="/api.xro/2.0/Contacts")
    assert gets and all("if-modified-since" in entry.headers for entry in gets)


async def test_a_xero_change_a_reverse_feature_defers_comes_back_at_the_next_pass(
    make_config, open_engine, xero_emulator, fake_clock
):
    from syncro_xero import Change, Context, Defer, Feature, hookimpl

    seen: list[str] = []

    class Patient(Feature):
        name = "patient"
        xero_resources = ("Contacts",)

        async def reverse(self, change: Change, ctx: Context) -> None:
            seen.append(change.current["Name"])
            if seen.count("Later Ltd") == 1 and change.current["Name"] == "Later Ltd":
                raise Defer("not yet")

    class Plugin:
        @staticmethod
        @hookimpl
        def syncro_xero_feature():
            return Patient()

    engine = await open_engine(make_config(plugins={}), extra_plugins=[("patient", Plugin())])
    await engine.run_pass()  # starts the cursor
    fake_clock.advance(60)
    xero_emulator.store.insert("Contacts", Name="Later Ltd")
    fake_clock.advance(30)
    xero_emulator.store.insert("Contacts", Name="Newer Ltd")  # handled, and newer than the deferred one

    first = await engine.run_pass()
    fake_clock.advance(60)
    await engine.run_pass()

    assert first.counts["patient"].waiting == 1
    assert sorted(seen) == ["Later Ltd", "Later Ltd", "Newer Ltd"]


def _writer_plugin(link_kinds: tuple[str, ...], *, number: str | None):
    """A feature that upserts each customer as a Xero contact under link kind ``tagged``."""
    from syncro_xero import Change, Context, Feature, hookimpl

    class Tagger(Feature):
        name = "tagger"
        syncro_resources = ("customers",)

        async def handle(self, change: Change, ctx: Context) -> None:
            name = change.current["business_name"]
            await ctx.upsert("tagged", change.record_id, "Contacts", {"Name": name}, number=number)

    Tagger.link_kinds = link_kinds

    class Plugin:
        @staticmethod
        @hookimpl
        def syncro_xero_feature():
            return Tagger()

    return Plugin()


@pytest.mark.parametrize(
    ("link_kinds", "number", "blame"),
    [
        ((), "T-1", "writes link kind 'tagged', which its link_kinds () do not declare"),
        (("tagged",), None, "without a way to find it again"),
    ],
    ids=["undeclared link kind", "create that cannot be found again"],
)
async def test_a_write_against_the_api_contract_parks_the_record_as_the_plugins_bug(
    syncro_emulator, xero_emulator, make_config, open_engine, link_kinds, number, blame
):
    syncro_emulator.store.add_customer(business_name="Acme Ltd")
    plugin = _writer_plugin(link_kinds, number=number)
    engine = await open_engine(make_config(plugins={}), extra_plugins=[("tagger", plugin)])

    report = await engine.run_pass()

    [parked] = await engine.state.parked.all("tagger")
    assert blame in parked.reason
    assert "bug to report to the plugin's author" in parked.reason
    assert report.counts["tagger"].parked == 1
    assert xero_emulator.store.records("Contacts") == []


async def test_a_declared_kind_with_a_number_is_written(syncro_emulator, xero_emulator, make_config, open_engine):
    syncro_emulator.store.add_customer(business_name="Acme Ltd")
    engine = await open_engine(make_config(plugins={}), extra_plugins=[("tagger", _writer_plugin(("tagged",), number="T-1"))])

    report = await engine.run_pass()

    assert report.ok
    assert [c["Name"] for c in xero_emulator.store.records("Contacts")] == ["Acme Ltd"]
