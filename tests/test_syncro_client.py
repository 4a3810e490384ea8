"""The Syncro client against canned answers (aioresponses), timed on a FakeClock."""

import asyncio
import inspect
import logging
import re
import traceback
from decimal import Decimal
from email.utils import format_datetime
from types import SimpleNamespace

import aiohttp
import pytest
from aioresponses import aioresponses
from syncro_xero.clock import FakeClock
from syncro_xero.syncro import (
    SyncroAuthError,
    SyncroBadResponse,
    SyncroClient,
    SyncroError,
    SyncroNotFound,
    SyncroUnavailable,
    SyncroValidationError,
    SyncroWriteUncertain,
    error_messages,
    unwrap,
)
from yarl import URL

API = "https://acme.syncromsp.com/api/v1"
KEY = "T0k3n-s3cr3t-9f8e7d6c5b4a"
ANY_URL = re.compile(r"^https://acme\.syncromsp\.com/api/v1/.*$")


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
async def client(clock):
    async with SyncroClient(api_url=API, api_key=KEY, clock=clock) as c:
        yield c


class _Response(aiohttp.ClientResponse):
    """aiohttp 3.14 requires ``stream_writer``; aioresponses 0.7.9 omits it (pnuckowski/aioresponses#289)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(*args, **kwargs)


@pytest.fixture
def mocked(monkeypatch):
    if "stream_writer" in inspect.signature(aiohttp.ClientResponse.__init__).parameters:
        monkeypatch.setattr("aioresponses.core.ClientResponse", _Response)
    with aioresponses() as m:
        yield m


def only_request(mocked, method, url):
    calls = mocked.requests[(method, URL(url))]
    assert len(calls) == 1
    return calls[0].kwargs


def connection_refused():
    return aiohttp.ClientConnectorError(
        SimpleNamespace(host="acme.syncromsp.com", port=443, ssl=True), OSError(111, "Connection refused")
    )


# --- auth, encoding, decoding -------------------------------------------------------------------


async def test_sends_the_token_as_bearer_header_not_in_the_url(client, mocked):
    mocked.get(f"{API}/customers/1", payload={"customer": {"id": 1}})
    assert await client.get("/customers/1") == {"customer": {"id": 1}}
    kwargs = only_request(mocked, "GET", f"{API}/customers/1")
    assert kwargs["headers"]["Authorization"] == f"Bearer {KEY}"
    assert kwargs["timeout"].total == 30
    assert "api_key" not in kwargs["params"]
    assert client.calls == 1


async def test_json_numbers_are_parsed_to_exact_decimals(client, mocked):
    mocked.get(f"{API}/payments/7", body='{"payment": {"id": 7, "payment_amount": 0.1, "total": 100.10}}')
    payment = unwrap(await client.get("/payments/7"), "payment")
    assert payment["payment_amount"] == Decimal("0.1") and isinstance(payment["payment_amount"], Decimal)
    assert str(payment["total"]) == "100.10"
    assert payment["id"] == 7 and isinstance(payment["id"], int)


async def test_decimals_in_a_body_are_sent_as_exact_json_numbers(client, mocked):
    mocked.post(f"{API}/products", payload={"product": {"id": 3}})
    body = {"name": "Cable", "price_retail": Decimal("0.10"), "tags": [Decimal("1E+1")]}
    await client.post("/products", body)
    kwargs = only_request(mocked, "POST", f"{API}/products")
    assert kwargs["data"] == '{"name":"Cable","price_retail":0.10,"tags":[10]}'
    assert kwargs["headers"]["Content-Type"] == "application/json"


async def test_put_and_delete(client, mocked):
    mocked.put(f"{API}/invoices/5", payload={"invoice": {"id": 5, "note": "x"}})
    mocked.delete(f"{API}/invoices/5", status=204)
    assert await client.put("/invoices/5", {"note": "x"}) == {"invoice": {"id": 5, "note": "x"}}
    assert await client.delete("/invoices/5") == {}


async def test_query_booleans_become_true_false_and_none_is_dropped(client, mocked):
    mocked.get(f"{API}/customers?include_disabled=true&page=2", payload={"customers": []})
    await client.get("/customers", {"include_disabled": True, "query": None, "page": 2})


async def test_null_body_is_an_empty_dict(client, mocked):
    mocked.get(f"{API}/contracts/1", body="null")
    assert await client.get("/contracts/1") == {}


def test_unwrap_takes_the_envelope_or_the_bare_object():
    assert unwrap({"customer": {"id": 1}}, "customer") == {"id": 1}
    assert unwrap({"id": 2, "name": "Bare contact"}, "contact") == {"id": 2, "name": "Bare contact"}


# --- pagination ----------------------------------------------------------------------------------


async def test_pages_stop_at_meta_total_pages(client, mocked):
    for page in (1, 2, 3):
        mocked.get(
            f"{API}/invoices?page={page}&since_updated_at=2026-03-01",
            payload={
                "invoices": [{"id": page * 10}, {"id": page * 10 + 1}],
                "meta": {"total_pages": 3, "page": page},
            },
        )
    pages = [p async for p in client.pages("/invoices", "invoices", {"since_updated_at": "2026-03-01"})]
    assert pages == [[{"id": 10}, {"id": 11}], [{"id": 20}, {"id": 21}], [{"id": 30}, {"id": 31}]]
    assert client.calls == 3


async def test_pages_with_zero_total_pages_yield_nothing(client, mocked):
    mocked.get(f"{API}/payments?page=1", payload={"payments": [], "meta": {"total_pages": 0, "page": 1}})
    assert [p async for p in client.pages("/payments", "payments")] == []
    assert client.calls == 1


async def test_pages_without_meta_stop_at_an_empty_page(client, mocked):
    mocked.get(f"{API}/products?page=1", payload={"products": [{"id": 1}, {"id": 2}]})
    mocked.get(f"{API}/products?page=2", payload={"products": [{"id": 3}]})
    mocked.get(f"{API}/products?page=3", payload={"products": []})
    assert await client.get_all("/products", "products") == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert client.calls == 3


async def test_pages_without_meta_stop_when_the_endpoint_ignores_page(client, mocked):
    mocked.get(ANY_URL, payload={"vendors": [{"id": 1}, {"id": 2}]}, repeat=3)
    assert [p async for p in client.pages("/vendors", "vendors")] == [[{"id": 1}, {"id": 2}]]
    assert client.calls == 2


async def test_pages_can_resume_from_a_later_page(client, mocked):
    last_page = {"customers": [{"id": 40}], "meta": {"total_pages": 4, "page": 4}}
    mocked.get(f"{API}/customers?page=4", payload=last_page)
    assert [p async for p in client.pages("/customers", "customers", start_page=4)] == [[{"id": 40}]]


async def test_a_page_without_the_expected_list_is_a_bad_response(client, mocked):
    mocked.get(f"{API}/customers?page=1", payload={"error": "odd"})
    with pytest.raises(SyncroBadResponse, match="'customers'"):
        await client.get_all("/customers", "customers")


# --- rate limits and retries ---------------------------------------------------------------------


async def test_429_honours_retry_after_seconds(client, mocked, clock):
    mocked.get(f"{API}/invoices", status=429, headers={"Retry-After": "7"})
    mocked.get(f"{API}/invoices", payload={"invoices": []})
    start = clock.time()
    assert await client.get("/invoices") == {"invoices": []}
    assert clock.slept == [7]
    assert clock.time() - start == 7
    assert client.calls == 2


async def test_429_honours_retry_after_http_date(client, mocked, clock):
    when = format_datetime(clock.now().replace(microsecond=0), usegmt=True)
    clock.advance(-12)  # the date lies 12 s ahead of "now"
    mocked.get(f"{API}/invoices", status=429, headers={"Retry-After": when})
    mocked.get(f"{API}/invoices", payload={})
    await client.get("/invoices")
    assert clock.slept == [12]


@pytest.mark.parametrize(("configured", "header"), [(60, None), (65, None), (60, "soon")])
async def test_429_without_usable_retry_after_waits_the_configured_backoff(mocked, clock, configured, header):
    headers = {"Retry-After": header} if header else None
    mocked.get(f"{API}/invoices", status=429, body='{"error": "Rate limit"}', headers=headers)
    mocked.get(f"{API}/invoices", payload={})
    async with SyncroClient(api_url=API, api_key=KEY, clock=clock, rate_limit_backoff=configured) as client:
        start = clock.time()
        await client.get("/invoices")
    assert clock.slept == [configured]
    assert clock.time() - start == configured


async def test_5xx_is_retried_with_jittered_exponential_backoff(client, mocked, clock):
    mocked.get(f"{API}/customers", status=503, body="<html>Unavailable</html>", content_type="text/html")
    mocked.get(f"{API}/customers", status=500)
    mocked.get(f"{API}/customers", status=502)
    mocked.get(f"{API}/customers", payload={"customers": []})
    assert await client.get("/customers") == {"customers": []}
    assert client.calls == 4
    first, second, third = clock.slept
    assert 1 <= first < 2 and 2 <= second < 4 and 4 <= third < 8


@pytest.mark.parametrize(
    "exception",
    [asyncio.TimeoutError(), aiohttp.ServerDisconnectedError(), connection_refused()],
    ids=["timeout", "disconnected", "refused"],
)
async def test_timeouts_and_connection_errors_are_retried(client, mocked, clock, exception):
    mocked.get(f"{API}/customers", exception=exception)
    mocked.get(f"{API}/customers", payload={"customers": []})
    assert await client.get("/customers") == {"customers": []}
    assert len(clock.slept) == 1


@pytest.mark.parametrize("method", ["put", "delete"])
async def test_idempotent_writes_are_retried_after_5xx(client, mocked, method):
    getattr(mocked, method)(f"{API}/invoices/5", status=502)
    getattr(mocked, method)(f"{API}/invoices/5", payload={"invoice": {"id": 5}})
    call = client.put("/invoices/5", {"note": "x"}) if method == "put" else client.delete("/invoices/5")
    assert await call == {"invoice": {"id": 5}}
    assert client.calls == 2


async def test_gives_up_after_max_attempts(client, mocked, clock):
    mocked.get(f"{API}/customers", status=503, repeat=True)
    with pytest.raises(SyncroUnavailable, match="after 5 attempts") as caught:
        await client.get("/customers")
    assert client.calls == 5
    assert len(clock.slept) == 4
    assert caught.value.status == 503 and caught.value.endpoint == "GET /customers"


async def test_gives_up_on_endless_429s_too(mocked, clock):
    mocked.get(f"{API}/customers", status=429, repeat=True)
    async with SyncroClient(api_url=API, api_key=KEY, clock=clock, max_attempts=3) as client:
        with pytest.raises(SyncroUnavailable, match="rate limited after 3 attempts"):
            await client.get("/customers")
    assert clock.slept == [60, 60]


async def test_gives_up_on_connection_errors_with_the_last_one_as_cause(client, mocked):
    mocked.get(f"{API}/customers", exception=aiohttp.ServerDisconnectedError(), repeat=True)
    with pytest.raises(SyncroUnavailable) as caught:
        await client.get("/customers")
    assert isinstance(caught.value.__cause__, aiohttp.ServerDisconnectedError)


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500},
        {"exception": asyncio.TimeoutError()},
        {"exception": aiohttp.ServerDisconnectedError()},
    ],
    ids=["500", "timeout", "disconnected"],
)
async def test_a_post_without_a_clear_answer_is_not_retried(client, mocked, answer):
    mocked.post(f"{API}/payments", **answer)
    mocked.post(f"{API}/payments", payload={"payment": {"id": 1}})
    with pytest.raises(SyncroWriteUncertain, match="may or may not have been applied"):
        await client.post("/payments", {"amount_cents": 1000})
    assert client.calls == 1


@pytest.mark.parametrize(
    "answer",
    [{"status": 429, "headers": {"Retry-After": "1"}}, {"exception": connection_refused()}],
    ids=["429", "refused"],
)
async def test_a_post_that_never_reached_syncro_is_retried(client, mocked, answer):
    mocked.post(f"{API}/payments", **answer)
    mocked.post(f"{API}/payments", payload={"payment": {"id": 1}})
    assert await client.post("/payments", {"amount_cents": 1000}) == {"payment": {"id": 1}}
    assert client.calls == 2


async def test_retries_are_logged_once_per_transition(client, mocked, caplog):
    caplog.set_level(logging.DEBUG, logger="syncro_xero.syncro.client")
    for status in (503, 503, 503):
        mocked.get(f"{API}/customers", status=status)
    mocked.get(f"{API}/customers", payload={})
    mocked.get(f"{API}/customers", status=429)
    mocked.get(f"{API}/customers", status=429)
    mocked.get(f"{API}/customers", payload={})
    await client.get("/customers")
    await client.get("/customers")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "unavailable (HTTP 503 on GET /customers)" in warnings[0]
    assert "rate limited (HTTP 429 on GET /customers)" in warnings[1]
    assert sum("answering again" in r.getMessage() for r in caplog.records if r.levelno == logging.INFO) == 2


# --- pacing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("per_minute", "requests"), [(180, 181), (150, 151)])
async def test_pacing_keeps_below_the_limit(mocked, clock, per_minute, requests):
    mocked.get(ANY_URL, payload={}, repeat=True)
    async with SyncroClient(api_url=API, api_key=KEY, clock=clock, requests_per_minute=per_minute) as client:
        start = clock.time()
        for _ in range(per_minute):
            await client.get("/me")
        assert clock.time() == start
        for _ in range(requests - per_minute):
            await client.get("/me")
    assert clock.time() - start >= 60
    assert client.calls == requests


# --- answers that are errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("Disabled", "text/plain"),
        ("<html><body>Attention Required! | Cloudflare</body></html>", "text/html"),
        ('{"customers": [', "application/json"),
        ("[1, 2]", "application/json"),
    ],
    ids=["plain-text", "waf-html", "broken-json", "json-array"],
)
async def test_a_200_that_is_not_a_json_object_is_a_bad_response(client, mocked, body, content_type):
    mocked.get(f"{API}/callerid", body=body, content_type=content_type)
    with pytest.raises(SyncroBadResponse) as caught:
        await client.get("/callerid")
    assert caught.value.status == 200 and "GET /callerid" in str(caught.value)
    assert client.calls == 1


@pytest.mark.parametrize("status", [401, 403])
async def test_401_and_403_are_auth_errors_that_point_at_token_permissions(client, mocked, status):
    body = {"error": "Not authorized. Please ask account admin to update your group permissions."}
    mocked.get(f"{API}/line_items", status=status, payload=body)
    with pytest.raises(SyncroAuthError) as caught:
        await client.get("/line_items")
    message = str(caught.value)
    assert "GET /line_items" in message and "permission" in message and "Not authorized" in message
    assert caught.value.status == status
    assert client.calls == 1


async def test_404_is_not_found(client, mocked):
    mocked.get(f"{API}/invoices/999", status=404, payload={"message": "Not found"})
    with pytest.raises(SyncroNotFound, match="GET /invoices/999"):
        await client.get("/invoices/999")


async def test_other_4xx_is_a_plain_syncro_error(client, mocked):
    mocked.post(f"{API}/products/1/product_skus", status=400, payload={"message": ["Vendor is blank"]})
    with pytest.raises(SyncroError, match="HTTP 400: Vendor is blank") as caught:
        await client.post("/products/1/product_skus", {})
    assert type(caught.value) is SyncroError


SHAPES_422 = [
    (
        {"success": False, "message": ["Email is not an email", "Name can't be blank"], "params": {"x": 1}},
        ["Email is not an email", "Name can't be blank"],
    ),
    ({"success": False, "message": "Invalid email, resend."}, ["Invalid email, resend."]),
    ({"errors": "validation error: Item can't be blank"}, ["validation error: Item can't be blank"]),
    ({"errors": ["billable must be true or false"]}, ["billable must be true or false"]),
    (
        {"success": False, "errors": {"appointments": {"summary": ["can't be blank"], "end_at": ["is bad"]}}},
        ["appointments.summary: can't be blank", "appointments.end_at: is bad"],
    ),
    ({"errors": {"email": ["is invalid"]}}, ["email: is invalid"]),
    ({"error": "Validation failed: Item can't be blank"}, ["Validation failed: Item can't be blank"]),
    ({"error": ["Next run can't be blank", "Name is bad"]}, ["Next run can't be blank", "Name is bad"]),
    ({"record": {"id": None, "email": "xxx"}, "errors": "Email is not an email"}, ["Email is not an email"]),
    (
        {"customer_id": ["can't be blank"], "date": ["can't be blank"]},
        ["customer_id: can't be blank", "date: can't be blank"],
    ),
    ({"success": False, "error": "Summary is blank", "message": "Summary is blank"}, ["Summary is blank"]),
    ({"status": "attached", "errors": "Serial number already used."}, ["Serial number already used."]),
]


@pytest.mark.parametrize(("body", "expected"), SHAPES_422, ids=[str(i) for i in range(len(SHAPES_422))])
async def test_422_messages_are_extracted_from_every_shape(client, mocked, body, expected):
    mocked.post(f"{API}/customers", status=422, payload=body)
    with pytest.raises(SyncroValidationError) as caught:
        await client.post("/customers", {"email": "x"})
    assert caught.value.messages == expected
    assert all(m in str(caught.value) for m in expected)
    assert error_messages(body) == expected


async def test_422_with_a_non_json_body_keeps_the_text(client, mocked):
    mocked.put(f"{API}/customers/1", status=422, body="Unprocessable  Entity", content_type="text/plain")
    with pytest.raises(SyncroValidationError) as caught:
        await client.put("/customers/1", {})
    assert caught.value.messages == ["Unprocessable Entity"]


# --- the token stays secret ----------------------------------------------------------------------


async def test_the_token_never_appears_in_errors_logs_or_repr(client, mocked, caplog):
    caplog.set_level(logging.DEBUG)
    mocked.get(f"{API}/a", status=401, payload={"error": f"token {KEY} lacks permission"})
    mocked.get(f"{API}/b", status=403, body=f"Forbidden for Bearer {KEY}", content_type="text/plain")
    mocked.get(f"{API}/c", status=404)
    mocked.get(f"{API}/d", status=422, payload={"errors": {"api_key": [KEY]}})
    waf_page = f"<html>blocked request with Authorization: Bearer {KEY}</html>"
    mocked.get(f"{API}/e", body=waf_page, content_type="text/html")
    mocked.get(f"{API}/f", status=503, repeat=True)
    mocked.get(f"{API}/g", exception=aiohttp.ServerDisconnectedError(), repeat=True)
    mocked.get(f"{API}/h", status=429, repeat=True)
    mocked.post(f"{API}/i", status=500)
    errors = []
    for path in "abcdefgh":
        with pytest.raises(SyncroError) as caught:
            await client.get(f"/{path}")
        errors.append(caught.value)
    with pytest.raises(SyncroWriteUncertain) as caught:
        await client.post("/i", {"x": 1})
    errors.append(caught.value)
    for error in errors:
        assert KEY not in "".join(traceback.format_exception(error))
        assert KEY not in repr(error)
    assert "[redacted]" in str(errors[0]) and "[redacted]" in str(errors[4])
    assert caplog.records and KEY not in caplog.text
    assert all(KEY not in str(r.args) for r in caplog.records)
    assert KEY not in repr(client)


@pytest.mark.parametrize("bad", ["", "   ", f"{KEY}\nX-Injected: 1", "two words"])
def test_a_malformed_token_is_refused_without_showing_it(clock, bad):
    with pytest.raises(ValueError) as caught:
        SyncroClient(api_url=API, api_key=bad, clock=clock)
    assert KEY not in str(caught.value)


# --- session ownership ---------------------------------------------------------------------------


async def test_an_injected_session_is_used_and_left_open(mocked, clock):
    mocked.get(f"{API}/me", payload={"user_id": 1})
    async with aiohttp.ClientSession() as session:
        client = SyncroClient(api_url=API + "/", api_key=KEY, clock=clock, session=session)
        assert await client.get("me") == {"user_id": 1}
        await client.close()
        assert not session.closed
