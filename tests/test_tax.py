"""Tax mapping and tax groups."""

from decimal import Decimal

from syncro_xero.plugins.tax import TaxMap, TaxSettings

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
    engine = await open_engine(make_config(plugins={"tax": {"groups": {"7": GROUP}}}))

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
