"""The shared emulator machinery: access log, faults, loopback serving."""

import aiohttp
import pytest
from aiohttp import web
from syncro_xero.emulators import Emulator


class EchoEmulator(Emulator):
    def __init__(self, clock=None):
        super().__init__(clock)
        self.writes = 0

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/thing", self._get)
        app.router.add_post("/thing", self._post)
        return app

    def too_many_requests(self, request, retry_after):
        return web.json_response({}, status=429, headers={"Retry-After": str(retry_after)})

    async def _get(self, request):
        return web.json_response({"ok": True})

    async def _post(self, request):
        self.writes += 1
        return web.json_response({"written": self.writes})


@pytest.fixture
async def echo(fake_clock):
    async with EchoEmulator(fake_clock) as emulator:
        yield emulator


async def test_access_log_records_method_path_status_and_body(echo):
    async with aiohttp.ClientSession() as http:
        await http.post(f"{echo.url}/thing?x=1", json={"a": 1}, headers={"Idempotency-Key": "k1"})
        await http.get(f"{echo.url}/missing")
    post, missing = echo.access_log.entries
    assert (post.method, post.path, post.query, post.status, post.body) == ("POST", "/thing", {"x": "1"}, 200, {"a": 1})
    assert post.headers["idempotency-key"] == "k1"
    assert missing.status == 404
    assert echo.access_log.count(method="POST") == 1


async def test_access_log_never_keeps_the_authorization_header(echo):
    async with aiohttp.ClientSession() as http:
        await http.get(f"{echo.url}/thing", headers={"Authorization": "Bearer secret-token"})
    assert "secret-token" not in repr(echo.access_log.entries)


async def test_fail_next_answers_the_chosen_status_then_recovers(echo):
    echo.faults.fail_next(2, status=503)
    async with aiohttp.ClientSession() as http:
        statuses = [(await http.get(f"{echo.url}/thing")).status for _ in range(3)]
    assert statuses == [503, 503, 200]


async def test_error_rate_fails_roughly_that_share_of_requests(echo):
    echo.faults.error_rate = 0.5
    async with aiohttp.ClientSession() as http:
        statuses = [(await http.get(f"{echo.url}/thing")).status for _ in range(60)]
    failures = sum(s >= 500 for s in statuses)
    assert 15 < failures < 45


async def test_rate_limit_burst_uses_the_emulators_429(echo):
    echo.faults.rate_limit_next(1, retry_after=7)
    async with aiohttp.ClientSession() as http:
        first = await http.get(f"{echo.url}/thing")
        second = await http.get(f"{echo.url}/thing")
    assert (first.status, first.headers["Retry-After"], second.status) == (429, "7", 200)


async def test_dropped_write_is_applied_but_never_answered(echo):
    echo.faults.drop_after_write()
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientError):
            await http.post(f"{echo.url}/thing", json={})
        again = await (await http.post(f"{echo.url}/thing", json={})).json()
    assert echo.writes == 2 and again == {"written": 2}


async def test_a_garbled_answer_is_a_200_without_the_record_after_the_write_was_applied(echo):
    echo.faults.garble_next(1, "truncated", method="POST", path="/thing")
    echo.faults.garble_next(1, "empty", method="GET")
    echo.faults.garble_next(1, "error_body")
    async with aiohttp.ClientSession() as http:
        truncated = await http.post(f"{echo.url}/thing", json={})
        empty, error, clean = [await http.get(f"{echo.url}/thing") for _ in range(3)]
        answers = [(r.status, await r.text()) for r in (truncated, empty, error, clean)]
    assert echo.writes == 1 and answers[0] == (200, '{"writt')
    assert answers[1] == (200, "") and answers[2][0] == 200 and "error" in answers[2][1]
    assert answers[3] == (200, '{"ok": true}')
    with pytest.raises(ValueError):
        echo.faults.garble_next(1, "half")
