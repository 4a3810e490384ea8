"""Syncro product categories -> options of a Xero tracking category: names, then end to end."""

import pytest
from syncro_xero import Change, Context, Feature, hookimpl
from syncro_xero.plugins._shared.tracking import option_for, tracking_for
from syncro_xero.plugins.categories import option_name
from syncro_xero.testing import tax_settings_for

OPTIONS = [{"Name": "Hardware"}, {"Name": "Hardware > Docks"}, {"Name": "Hardware > Cables"},
           {"Name": "Software > Cables"}]


def category_options(xero_emulator, name="Product Category", archived=False):
    [category] = [c for c in xero_emulator.store.records("TrackingCategories") if c["Name"] == name]
    return {o["Name"]: o for o in category["Options"] if archived or o["Status"] == "ACTIVE"}


# -- names, without servers --------------------------------------------------------------------
def test_an_option_is_named_by_the_display_path_else_the_name_within_100_characters():
    assert option_name({"id": 1, "name": "Docks", "names_depth_cache": "Hardware > Docks"}) == "Hardware > Docks"
    assert option_name({"id": 1, "name": "Docks", "names_depth_cache": ""}) == "Docks"
    long = option_name({"id": 1, "name": "Leaf", "names_depth_cache": "Parent " * 20 + "> Leaf"})
    assert len(long) == 100 and long.startswith("…") and long.endswith("> Leaf")


@pytest.mark.parametrize("category, option", [
    ("Hardware > Docks", "Hardware > Docks"), ("docks", "Hardware > Docks"), ("Hardware", "Hardware"),
    ("Cables", None), ("Printers", None),  # ambiguous, unknown
])
def test_a_line_category_finds_its_option_by_path_or_by_a_unique_name(category, option):
    assert option_for(OPTIONS, category, " > ") == option


# -- end to end --------------------------------------------------------------------------------
async def test_categories_become_options_of_a_tracking_category_created_for_them(syncro_emulator, xero_emulator,
                                                                                 open_engine, make_config):
    hardware = syncro_emulator.store.add_category("Hardware")
    syncro_emulator.store.add_category("Docks", parent_id=hardware.id)
    engine = await open_engine(make_config(plugins={"categories": {}}))

    report = await engine.run_pass()

    assert report.ok, report
    assert set(category_options(xero_emulator)) == {"Hardware", "Hardware > Docks"}
    puts = [e.path for e in xero_emulator.access_log.matching(method="PUT", path="/api.xro/2.0/TrackingCategories")]
    assert sorted(p.rsplit("/", 1)[-1] for p in puts) == ["Options", "Options", "TrackingCategories"]
    assert report.counts["categories"].created == 2


async def test_a_pass_without_changes_writes_nothing(syncro_emulator, xero_emulator, open_engine, make_config):
    syncro_emulator.store.add_category("Hardware")
    engine = await open_engine(make_config(plugins={"categories": {}}))
    await engine.run_pass()

    report = await engine.run_pass()

    assert report.xero_calls == 0


async def test_a_renamed_category_renames_its_option_and_its_childrens(syncro_emulator, xero_emulator, open_engine,
                                                                      make_config):
    store = syncro_emulator.store
    hardware = store.add_category("Hardware")
    docks = store.add_category("Docks", parent_id=hardware.id)
    engine = await open_engine(make_config(plugins={"categories": {}}))
    await engine.run_pass()
    before = category_options(xero_emulator)
    hardware.name, hardware.names_depth_cache = "Devices", "Devices"
    docks.names_depth_cache = "Devices > Docks"  # Syncro keeps the path of descendants

    report = await engine.run_pass()

    after = category_options(xero_emulator)
    assert set(after) == {"Devices", "Devices > Docks"}
    assert after["Devices > Docks"]["TrackingOptionID"] == before["Hardware > Docks"]["TrackingOptionID"]
    assert "option 'Hardware' renamed 'Devices'" in " ".join(report.counts["categories"].notes)


async def test_a_deleted_category_archives_its_option_and_a_new_one_of_that_name_restores_it(
    syncro_emulator, xero_emulator, open_engine, make_config
):
    store = syncro_emulator.store
    old = store.add_category("Printers")
    engine = await open_engine(make_config(plugins={"categories": {}}))
    await engine.run_pass()
    option_id = category_options(xero_emulator)["Printers"]["TrackingOptionID"]
    del store.categories[old.id]

    await engine.run_pass()
    archived = category_options(xero_emulator, archived=True)["Printers"]
    store.add_category("Printers")
    await engine.run_pass()

    assert archived["Status"] == "ARCHIVED"
    restored = category_options(xero_emulator)["Printers"]
    assert restored["TrackingOptionID"] == option_id and restored["Status"] == "ACTIVE"


async def test_an_existing_tracking_category_and_options_are_used_not_duplicated(syncro_emulator, xero_emulator,
                                                                                  open_engine, make_config):
    xero_emulator.store.insert("TrackingCategories", Name="Product Category")
    syncro_emulator.store.add_category("Hardware")
    engine = await open_engine(make_config(plugins={"categories": {}}))

    await engine.run_pass()  # the option goes into the existing category
    await engine.state.links.delete("tracking_option", next(iter(syncro_emulator.store.categories)))
    report = await engine.backfill("categories")  # a lost link: the option is matched by name

    assert [c["Name"] for c in xero_emulator.store.records("TrackingCategories")] == ["Product Category"]
    assert list(category_options(xero_emulator)) == ["Hardware"]
    assert "matched existing option 'Hardware'" in " ".join(report.counts["categories"].notes)


async def test_a_third_tracking_category_parks_the_categories_with_what_to_do(syncro_emulator, xero_emulator,
                                                                            open_engine, make_config):
    xero_emulator.store.insert("TrackingCategories", Name="Region")
    xero_emulator.store.insert("TrackingCategories", Name="Department")
    syncro_emulator.store.add_category("Hardware")
    engine = await open_engine(make_config(plugins={"categories": {}}))

    report = await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert parked.reason.startswith("Xero allows only 2 active tracking categories and this organisation already "
                                    "uses 'Region' and 'Department', so 'Product Category' cannot be added.")
    assert "not ready" in " ".join(report.counts["categories"].notes)
    assert len(xero_emulator.store.records("TrackingCategories")) == 2


async def test_an_empty_tracking_category_switches_the_feature_off(syncro_emulator, xero_emulator, open_engine,
                                                                   make_config):
    syncro_emulator.store.add_category("Hardware")
    engine = await open_engine(make_config(plugins={"categories": {"tracking_category": ""}}))

    report = await engine.run_pass()

    assert report.ok and report.xero_calls == 0


# -- tracking_for: what the invoices feature tags a line with ----------------------------------
TAGS: dict[str, object] = {}


class LineTags(Feature):
    """Stands for the invoices feature: tags each line by its product's category."""

    name = "line_tags"
    syncro_resources = ("invoices",)
    depends_on = ("categories",)

    async def handle(self, change: Change, ctx: Context) -> None:
        for line in change.current["line_items"]:
            TAGS[line["name"]] = await tracking_for(ctx, line["product_category"])


class LineTagsPlugin:
    @staticmethod
    @hookimpl
    def syncro_xero_feature():
        return LineTags()


async def test_tracking_for_tags_a_line_with_the_option_created_in_the_same_pass(syncro_emulator, xero_emulator,
                                                                                 open_engine, make_config):
    store = syncro_emulator.store
    docks = store.add_category("Docks", parent_id=store.add_category("Hardware").id)
    dock = store.add_product("Dock", description="USB-C dock", category_ids=[docks.id])
    customer = store.add_customer(business_name="Acme")
    store.add_invoice(customer.id, [{"product_id": dock.id, "quantity": 1}, {"name": "Labour", "price": "90"}])
    engine = await open_engine(make_config(plugins={"categories": {}}), extra_plugins=[("line_tags", LineTagsPlugin())])
    TAGS.clear()

    report = await engine.run_pass()

    assert report.ok, report
    assert TAGS == {"USB-C dock": [{"Name": "Product Category", "Option": "Hardware > Docks"}], "Labour": None}


async def test_check_says_whether_the_tracking_category_can_exist(xero_emulator, open_engine, make_config):
    engine = await open_engine(make_config(plugins={"categories": {}}))
    ok = await engine.check()
    xero_emulator.store.insert("TrackingCategories", Name="Region")
    xero_emulator.store.insert("TrackingCategories", Name="Department")

    full = await engine.check()

    assert [(r.ok, r.detail) for r in ok] == [(True, "will be created at the next pass")]
    assert not full[0].ok and "only 2 active tracking categories" in full[0].detail


async def test_an_invoice_waits_for_its_lines_tracking_option_rather_than_going_to_xero_untagged(
    syncro_emulator, xero_emulator, open_engine, make_config
):
    store = syncro_emulator.store
    docks = store.add_category("Docks", parent_id=store.add_category("Hardware").id)
    dock = store.add_product("Dock", description="USB-C dock", category_ids=[docks.id])
    store.add_invoice(store.add_customer(business_name="Acme").id, [{"product_id": dock.id, "quantity": 1}])
    plugins = {"categories": {}, "contacts": {}, "invoices": {}, "tax": tax_settings_for(store)}
    engine = await open_engine(make_config(plugins=plugins))
    xero_emulator.faults.answer_next(50, "unavailable", status=503, content_type="text/plain", method="PUT",
                                     path="/api.xro/2.0/TrackingCategories/")  # the option cannot be made now

    first = await engine.run_pass()

    assert xero_emulator.store.records("Invoices") == []
    assert any("no option in Xero's 'Product Category' tracking category yet" in why for _, _, why in first.waiting)
    xero_emulator.faults.reset()
    assert (await engine.run_pass()).ok
    [invoice] = xero_emulator.store.records("Invoices")
    assert invoice["LineItems"][0]["Tracking"][0]["Option"] == "Hardware > Docks"
