"""Xero emulator: rate limits on the fake clock, their headers, and the switchable faults."""

import asyncio
from pathlib import Path

import aiohttp
import pytest
from syncro_xero.emulators.xero import XeroConfig
from syncro_xero.emulators.xero.testing import XeroTestClient, strict_emulator

SPECS = Path(__file__).parent / "specs"


async def test_every_answered_tenant_call_carries_the_three_remaining_headers(client):
    _, first, _ = await client.get("/Organisation")
    _, second, _ = await client.get("/Organisation")
    assert (first["X-MinLimit-Remaining"], first["X-DayLimit-Remaining"], first["X-AppMinLimit-Remaining"]) == (
        "59", "4999", "9999")
    assert (second["X-MinLimit-Remaining"], second["X-DayLimit-Remaining"]) == ("58", "4998")


async def test_61st_call_in_a_minute_gets_429_minute_until_the_window_reopens(client, fake_clock):
    for _ in range(60):
        assert (await client.get("/Organisation"))[0] == 200
    status, headers, _ = await client.get("/Organisation")
    assert (status, headers["X-Rate-Limit-Problem"], headers["Retry-After"]) == (429, "minute", "60")
    fake_clock.advance(59)
    assert (await client.get("/Organisation"))[0] == 429
    fake_clock.advance(1)
    assert (await client.get("/Organisation"))[0] == 200


async def test_refused_calls_are_not_counted(client, fake_clock):
    for _ in range(60):
        await client.get("/Organisation")
    for _ in range(5):
        assert (await client.get("/Organisation"))[0] == 429
    fake_clock.advance(60)
    _, headers, _ = await client.get("/Organisation")
    assert (headers["X-MinLimit-Remaining"], headers["X-DayLimit-Remaining"]) == ("59", "4939")


async def test_daily_cap_answers_429_day_with_retry_after_until_24h_passed(fake_clock):
    async with strict_emulator(fake_clock, SPECS, config=XeroConfig(day_limit=3)) as xero:
        async with XeroTestClient(xero) as client:
            for _ in range(3):
                await client.get("/Organisation")
            status, headers, _ = await client.get("/Organisation")
            assert (status, headers["X-Rate-Limit-Problem"], headers["Retry-After"]) == (429, "day", "86400")
            assert headers["X-DayLimit-Remaining"] == "0"
            fake_clock.advance(3600)
            client.access_token = xero.issue_token()["access_token"]
            status, headers, _ = await client.get("/Organisation")
            assert (status, headers["Retry-After"]) == (429, str(86400 - 3600))
            fake_clock.advance(86400 - 3600)
            client.access_token = xero.issue_token()["access_token"]
            assert (await client.get("/Organisation"))[0] == 200


async def test_limits_are_per_tenant(fake_clock):
    async with strict_emulator(fake_clock, SPECS, config=XeroConfig(minute_limit=2)) as xero:
        other = xero.add_tenant("Other Ltd")
        access = xero.issue_token()["access_token"]
        async with XeroTestClient(xero, access_token=access) as first, XeroTestClient(
            xero, tenant_id=other.tenant_id, access_token=access
        ) as second:
            await first.get("/Organisation")
            await first.get("/Organisation")
            assert (await first.get("/Organisation"))[0] == 429
            assert (await second.get("/Organisation"))[0] == 200


async def test_app_wide_minute_limit_spans_tenants(fake_clock):
    async with strict_emulator(fake_clock, SPECS, config=XeroConfig(app_minute_limit=3)) as xero:
        other = xero.add_tenant("Other Ltd")
        access = xero.issue_token()["access_token"]
        async with XeroTestClient(xero, access_token=access) as first, XeroTestClient(
            xero, tenant_id=other.tenant_id, access_token=access
        ) as second:
            await first.get("/Organisation")
            await second.get("/Organisation")
            _, headers, _ = await first.get("/Organisation")
            assert headers["X-AppMinLimit-Remaining"] == "0"
            status, headers, _ = await second.get("/Organisation")
            assert (status, headers["X-Rate-Limit-Problem"]) == (429, "appminute")


async def test_sixth_concurrent_call_of_a_tenant_is_refused_while_five_are_in_flight(xero, client):
    xero.service_delay = 0.3
    results = await asyncio.gather(*(client.get("/Organisation") for _ in range(6)))
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200] * 5 + [429]
    refused = next(headers for status, headers, _ in results if status == 429)
    assert (refused["X-Rate-Limit-Problem"], refused["Retry-After"]) == ("concurrent", "1")
    xero.service_delay = 0
    assert (await client.get("/Organisation"))[0] == 200
    assert xero.limits.in_flight(xero.default_tenant_id) == 0


async def test_fail_next_answers_5xx_then_recovers(xero, client):
    xero.faults.fail_next(1, status=503)
    assert (await client.get("/Contacts"))[0] == 503
    assert (await client.get("/Contacts"))[0] == 200


async def test_rate_limit_fault_uses_xeros_429_headers(xero, client):
    xero.faults.rate_limit_next(1, retry_after=7)
    status, headers, _ = await client.get("/Contacts")
    assert (status, headers["Retry-After"], headers["X-Rate-Limit-Problem"]) == (429, "7", "minute")
    assert "X-DayLimit-Remaining" in headers


async def test_dropped_write_is_saved_and_an_idempotent_retry_replays_it(xero, client):
    xero.faults.drop_after_write()
    body = {"Contacts": [{"Name": "Dropped Ltd"}]}
    # POST: aiohttp itself silently resends an idempotent PUT on a dropped connection.
    with pytest.raises(aiohttp.ClientError):
        await client.post("/Contacts", body, headers={"Idempotency-Key": "drop-1"})
    assert xero.store.find("Contacts", Name="Dropped Ltd") is not None
    status, _, answer = await client.post("/Contacts", body, headers={"Idempotency-Key": "drop-1"})
    assert status == 200
    assert answer["Contacts"][0]["ContactID"] == xero.store.find("Contacts", Name="Dropped Ltd")["ContactID"]
    assert len(xero.store.records("Contacts")) == 1


async def test_latency_fault_delays_answers(xero, client):
    xero.faults.latency = 0.2
    loop = asyncio.get_running_loop()
    started = loop.time()
    await client.get("/Organisation")
    assert loop.time() - started >= 0.2
