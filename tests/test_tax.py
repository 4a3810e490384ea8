"""Tax mapping and tax groups."""

from decimal import Decimal

from syncro_xero.plugins._shared.tax_map import TaxMap, TaxSettings

GROUP = {"name": "NYC Sales Tax", "components": [
    {"name": "State", "rate": "4"}, {"name": "City", "rate": "4.5"}, {"name": "MCTD", "rate": "0.375"}]}


def test_a_line_gets_its_rates_type_else_the_default_and_exempt_when_not_taxable():
    tax = TaxMap(TaxSettings(rates={"12": "RROUTPUT"}), {"7": "TAX001"})

    assert tax.sales(True, 12) == "RROUTPUT"
    assert tax.sales(True, 7) == "TAX001"
    assert tax.sales(True, None) == "OUTPUT2"
    assert tax.sales(False, 12) == "NONE"
    assert tax.purchases(True, None) == "INPUT2"


def test_purchases_never_take_the_default_rate_which_is_a_sales_rate():
    tax = TaxMap(TaxSettings(syncro_default_rate_id="7"), {"7": "TAX001"})

    assert tax.sales(True) == "TAX001"
    assert tax.purchases(True) == "INPUT2"
    assert tax.purchases(True, 7) == "TAX001"


async def test_a_tax_group_becomes_one_xero_tax_rate_with_its_components_once(xero_emulator, open_engine, make_config):
    engine = await open_engine(make_config(plugins={"tax": {"groups": {"7": GROUP}, "create_groups": True}}))

    await engine.run_pass()
    await engine.run_pass()

    [rate] = [r for r in xero_emulator.store.records("TaxRates") if r["Name"] == "NYC Sales Tax"]
    assert sorted((c["Name"], Decimal(str(c["Rate"]))) for c in rate["TaxComponents"]) == [
        ("City", Decimal("4.5")), ("MCTD", Decimal("0.375")), ("State", Decimal("4"))]
    assert xero_emulator.access_log.count(method="PUT", path="/api.xro/2.0/TaxRates") == 1
    assert (await engine.state.links.get("tax_rate", "7")).xero_id == rate["TaxType"]


async def test_check_names_a_mapped_tax_type_missing_in_xero(xero_emulator, open_engine, make_config):
    engine = await open_engine(make_config(plugins={"tax": {"rates": {"3": "NOSUCHTYPE"}}}))

    results = {r.what: r for r in await engine.check()}

    assert results["plugins.tax.sales_taxable = OUTPUT2"].ok
    bad = results["plugins.tax.rates.3 = NOSUCHTYPE"]
    assert not bad.ok and bad.detail == "no active tax rate 'NOSUCHTYPE' in Xero"


async def test_tax_groups_are_not_created_unless_switched_on_and_their_lines_park_saying_what_to_do(
    syncro_emulator, xero_emulator, open_engine, make_config
):
    store = syncro_emulator.store
    rate = store.add_tax_rate("NYC Sales Tax", {"State": "4", "City": "4.5", "MCTD": "0.375"})
    customer = store.add_customer(business_name="Taxed Ltd")
    invoice = store.add_invoice(customer.id, [{"name": "Work", "quantity": "1", "price": "100", "taxable": True,
                                               "tax_rate_id": rate.id}])
    plugins = {"contacts": {}, "tax": {"groups": {str(rate.id): GROUP}}, "invoices": {}}
    engine = await open_engine(make_config(plugins=plugins))

    await engine.run_pass()

    assert not [r for r in xero_emulator.store.records("TaxRates") if r["Name"] == "NYC Sales Tax"]
    [parked] = await engine.state.parked.all("invoices")
    assert parked.record_id == str(invoice.id) and "create_groups = true" in parked.reason
    assert "not in Xero" in {r.what: r for r in await engine.check()}[f"plugins.tax.groups.{rate.id} (NYC Sales Tax)"].detail


async def test_a_tax_group_already_in_xero_by_name_is_used_without_creating_one(xero_emulator, open_engine, make_config):
    engine = await open_engine(make_config(plugins={"tax": {"groups": {"7": GROUP}, "create_groups": True}}))
    await engine.run_pass()
    rate = next(r for r in xero_emulator.store.records("TaxRates") if r["Name"] == "NYC Sales Tax")
    again = await open_engine(make_config(plugins={"tax": {"groups": {"7": GROUP}}}, name="again"))

    await again.run_pass()

    assert (await again.state.links.get("tax_rate", "7")).xero_id == rate["TaxType"]
    assert xero_emulator.access_log.count(method="PUT", path="/api.xro/2.0/TaxRates") == 1


async def test_check_warns_that_creating_tax_groups_is_risky_where_the_organisation_files_tax(
    xero_emulator, open_engine, make_config
):
    engine = await open_engine(make_config(plugins={"tax": {"groups": {"7": GROUP}, "create_groups": True}}))

    risky = {r.what: r for r in await engine.check()}["plugins.tax.create_groups = true"]
    xero_emulator.store.organisation["CountryCode"] = "US"
    fine = {r.what: r for r in await engine.check()}["plugins.tax.create_groups = true"]

    assert risky.warning and "the UK" in risky.detail
    assert not fine.warning and fine.ok
