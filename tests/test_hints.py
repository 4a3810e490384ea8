"""The webhook listener: hints from Syncro (token in the path) and signed events from Xero."""

import asyncio
import json

import pytest
from helpers import free_port
from syncro_xero.hints import HintListener, xero_signature

KEY = "xero-webhook-key-for-tests"


@pytest.fixture
async def listener():
    woken = []
    port = free_port()
    hints = HintListener(port, "syncro-token-0123456789", lambda: woken.append(1), KEY)
    await hints.start()
    try:
        yield f"http://127.0.0.1:{port}", woken
    finally:
        await hints.stop()


async def test_a_signed_xero_event_wakes_the_loop_and_gets_an_empty_200(listener, session):
    url, woken = listener
    body = json.dumps({"events": [{"eventCategory": "INVOICE", "eventType": "UPDATE"}],
                       "firstEventSequence": 1, "lastEventSequence": 1, "entropy": "x"}).encode()

    answer = await session.post(f"{url}/xero", data=body, headers={"x-xero-signature": xero_signature(body, KEY)})

    assert (answer.status, await answer.read(), woken) == (200, b"", [1])


async def test_xeros_intent_to_receive_check_is_answered_without_waking_anything(listener, session):
    url, woken = listener
    body = b'{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}'

    good = await session.post(f"{url}/xero", data=body, headers={"x-xero-signature": xero_signature(body, KEY)})
    bad = await session.post(f"{url}/xero", data=body, headers={"x-xero-signature": xero_signature(body, "wrong")})

    assert (good.status, bad.status, woken) == (200, 401, [])


async def test_a_syncro_hint_needs_the_token_in_its_path(listener, session):
    url, woken = listener

    refused = await session.post(f"{url}/syncro/wrong", data=b"{}")
    accepted = await session.post(f"{url}/syncro/syncro-token-0123456789", data=b"{}")

    assert (refused.status, accepted.status, woken) == (404, 202, [1])


async def _raw_post(url: str, path: bytes, headers: bytes) -> int:
    """The status of a POST sent byte for byte (clients refuse non-ASCII headers and paths)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n"
                 + headers + b"\r\n{}")
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_a_non_ascii_syncro_token_in_the_path_is_a_404_not_a_500(listener):
    url, woken = listener

    status = await _raw_post(url, b"/syncro/%C3%A9t%C3%A9-token-0123456789", b"")

    assert (status, woken) == (404, [])


async def test_a_non_ascii_xero_signature_is_a_401_not_a_500(listener):
    url, woken = listener

    status = await _raw_post(url, b"/xero", "x-xero-signature: sïgnature\r\n".encode("utf-8"))

    assert (status, woken) == (401, [])
