"""The estimates plugin end to end: Syncro's /estimates and Xero's /Quotes, served by the emulators
this package extends (entry point ``syncro_xero.emulators``), over loopback HTTP."""

from __future__ import annotations

from decimal import Decimal

import aiohttp
from syncro_xero_estimates.emulator import estimates

PLUGINS = {"contacts": {}, "estimates": {}}


async def test_an_estimate_becomes_a_draft_quote_for_its_customer_with_totals_equal_to_the_cent(
    syncro_emulator, xero_emulator, make_config, open_engine
):
    customer = syncro_emulator.store.add_customer(business_name="Acme Ltd")
    estimates(syncro_emulator).add(customer.id, "New firewall", "1234.56", "246.91", number="E-7", when="2026-03-02")
    engine = await open_engine(make_config(plugins=PLUGINS))

    report = await engine.run_pass()

    assert report.ok, await engine.state.parked.all()
    [quote] = xero_emulator.store.records("Quotes")
    [contact] = xero_emulator.store.records("Contacts")
    assert quote["Contact"]["ContactID"] == contact["ContactID"] and contact["Name"] == "Acme Ltd"
    assert (quote["QuoteNumber"], quote["Title"], quote["Status"]) == ("EST-E-7", "New firewall", "DRAFT")
    assert str(quote["Date"]) == "2026-03-02"
    assert (quote["SubTotal"], quote["TotalTax"], quote["Total"]) == (
        Decimal("1234.56"), Decimal("246.91"), Decimal("1481.47"))


async def test_an_estimate_changed_in_syncro_updates_the_same_quote_and_an_unchanged_pass_writes_nothing(
    syncro_emulator, xero_emulator, make_config, open_engine
):
    customer = syncro_emulator.store.add_customer(business_name="Acme Ltd")
    estimate = estimates(syncro_emulator).add(customer.id, "Laptops", "100.00", "20.00")
    engine = await open_engine(make_config(plugins=PLUGINS))
    await engine.run_pass()
    estimates(syncro_emulator).update(estimate.id, name="Laptops x3", subtotal="300.00", tax="60.00")

    assert (await engine.run_pass()).ok
    writes = len(xero_emulator.access_log.writes)
    assert (await engine.run_pass()).ok

    [quote] = xero_emulator.store.records("Quotes")
    assert (quote["Title"], quote["Total"]) == ("Laptops x3", Decimal("360.00"))
    assert len(xero_emulator.access_log.writes) == writes


async def test_an_estimate_whose_total_is_not_subtotal_plus_tax_is_parked_and_nothing_is_written(
    syncro_emulator, xero_emulator, make_config, open_engine
):
    customer = syncro_emulator.store.add_customer(business_name="Acme Ltd")
    estimates(syncro_emulator).add(customer.id, "Odd", "100.00", "20.00", total="120.01")
    engine = await open_engine(make_config(plugins=PLUGINS))

    await engine.run_pass()

    [parked] = await engine.state.parked.all()
    assert "total 120.01 is not its subtotal 100.00 plus tax 20.00" in parked.reason
    assert xero_emulator.store.records("Quotes") == []


async def test_the_extended_syncro_emulator_pages_estimates_fifty_at_a_time(syncro_emulator):
    customer = syncro_emulator.store.add_customer(business_name="Acme Ltd")
    for i in range(51):
        estimates(syncro_emulator).add(customer.id, f"Estimate {i}", "1.00")
    headers = {"Authorization": f"Bearer {syncro_emulator.api_key}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{syncro_emulator.api_url}/estimates", params={"page": "2"}) as response:
            body = await response.json()
        async with http.get(f"{syncro_emulator.api_url}/estimates/999") as missing:
            assert missing.status == 404

    assert [e["name"] for e in body["estimates"]] == ["Estimate 50"]
    assert body["meta"] == {"total_pages": 2, "page": 2}
