"""Xero emulator: Idempotency-Key replay, mismatch, expiry, and how it meets the rate limits."""

import asyncio
from pathlib import Path

import pytest
from syncro_xero.emulators.xero import XeroConfig
from syncro_xero.emulators.xero.testing import XeroTestClient, strict_emulator

SPECS = Path(__file__).parent / "specs"
ACME = {"Contacts": [{"Name": "Acme Ltd", "ContactNumber": "SYN-1"}]}


def keyed(key):
    return {"headers": {"Idempotency-Key": key}}


async def test_replay_returns_the_first_answer_byte_for_byte_and_writes_once(xero, client):
    first = await client.put("/Contacts", ACME, **keyed("k1"))
    again = await client.put("/Contacts", ACME, **keyed("k1"))
    assert first[0] == again[0] == 200
    assert first[2] == again[2]  # same envelope Id and ContactID
    assert len(xero.store.records("Contacts")) == 1


async def test_errors_are_replayed_too_even_after_the_cause_is_fixed(xero, client):
    xero.store.insert("Contacts", Name="Acme Ltd")
    status, _, error = await client.put("/Contacts", ACME, **keyed("k2"))
    assert status == 400
    xero.store.edit("Contacts", xero.store.find("Contacts", Name="Acme Ltd")["ContactID"], Name="Renamed Ltd")
    status, _, replay = await client.put("/Contacts", ACME, **keyed("k2"))
    assert (status, replay) == (400, error)
    assert (await client.put("/Contacts", ACME, **keyed("k2-new")))[0] == 200


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("PUT", "/Contacts", {"Contacts": [{"Name": "Other Ltd"}]}),
        ("POST", "/Contacts", ACME),
        ("PUT", "/Contacts?summarizeErrors=false", ACME),
    ],
    ids=["different-body", "different-method", "different-url"],
)
async def test_same_key_with_a_different_request_is_400(client, method, path, body):
    await client.put("/Contacts", ACME, **keyed("k3"))
    status, _, error = await client.call(method, path, json=body, **keyed("k3"))
    assert status == 400
    message = error["Elements"][0]["ValidationErrors"][0]["Message"]
    assert message == "Idempotency Key: k3 is used with a different request."


async def test_key_is_new_again_after_6_minutes(xero, client, fake_clock):
    await client.put("/Contacts", ACME, **keyed("k4"))
    fake_clock.advance(359)
    assert (await client.put("/Contacts", ACME, **keyed("k4")))[0] == 200
    fake_clock.advance(1)
    status, _, body = await client.put("/Contacts", ACME, **keyed("k4"))
    assert status == 400 and "already assigned" in body["Elements"][0]["ValidationErrors"][0]["Message"]


async def test_ttl_is_configurable(fake_clock):
    async with strict_emulator(fake_clock, SPECS, config=XeroConfig(idempotency_ttl=30)) as xero:
        async with XeroTestClient(xero) as client:
            await client.put("/Contacts", ACME, **keyed("k5"))
            fake_clock.advance(30)
            assert (await client.put("/Contacts", ACME, **keyed("k5")))[0] == 400


async def test_replays_still_count_against_the_rate_limits(client):
    _, first, _ = await client.put("/Contacts", ACME, **keyed("k6"))
    _, replay, _ = await client.put("/Contacts", ACME, **keyed("k6"))
    assert (first["X-MinLimit-Remaining"], replay["X-MinLimit-Remaining"]) == ("59", "58")


async def test_keys_on_get_are_ignored(xero, client):
    await client.get("/Contacts", **keyed("k7"))
    xero.store.insert("Contacts", Name="New Ltd")
    _, _, body = await client.get("/Contacts", **keyed("k7"))
    assert [c["Name"] for c in body["Contacts"]] == ["New Ltd"]


async def test_key_longer_than_128_characters_is_refused(client):
    status, _, _ = await client.put("/Contacts", ACME, **keyed("x" * 129))
    assert status == 400
    assert (await client.put("/Contacts", ACME, **keyed("x" * 128)))[0] == 200


async def test_concurrent_requests_with_one_key_write_once(xero, client):
    xero.service_delay = 0.1
    results = await asyncio.gather(*(client.put("/Contacts", ACME, **keyed("k8")) for _ in range(3)))
    assert {status for status, _, _ in results} == {200}
    assert len({body["Id"] for _, _, body in results}) == 1
    assert len(xero.store.records("Contacts")) == 1
