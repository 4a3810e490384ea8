"""XeroClient (through xero-python) against a stub Xero on loopback, sharing the test's FakeClock."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Callable

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from syncro_xero.clock import FakeClock
from syncro_xero.xero import (
    XeroApiError,
    XeroAuth,
    XeroAuthError,
    XeroClient,
    XeroDailyLimitReached,
    XeroForbidden,
    XeroPayloadError,
    XeroUnavailable,
    XeroUnknownOutcome,
    XeroValidationError,
)

SECRET = "client-secret-7781"
DROP = "drop"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float


def reply(status: int = 200, body: object = None, **headers: str) -> Callable[[Seen], web.Response]:
    return lambda seen: web.json_response(body if body is not None else {}, status=status, headers=headers)


def contacts(n: int, start: int = 0) -> dict:
    return {"Contacts": [{"ContactID": f"c{i}", "Name": f"Customer {i}"} for i in range(start, start + n)]}


@dataclass
class StubXero:
    """Token endpoint plus /api.xro/2.0/*: scripted answers, a request log on the fake clock."""

    clock: FakeClock
    script: list = field(default_factory=list)  # answers for the next API requests, in order
    default: object = None  # answer once the script is used up (None: an echo of the request)
    delay: float = 0.0  # real seconds per API answer
    seen: list[Seen] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/connect/token", self.token)
        app.router.add_route("*", "/api.xro/2.0/{tail:.*}", self.api)
        return app

    async def token(self, request: web.Request) -> web.Response:
        client_id = (await request.post()).get("client_id", "client-1")
        self.tokens.append(f"{client_id}-at-{len(self.tokens) + 1}")
        return web.json_response({"access_token": self.tokens[-1], "expires_in": 1800, "token_type": "Bearer"})

    async def api(self, request: web.Request) -> web.StreamResponse:
        seen = Seen(
            request.method,
            request.path.removeprefix("/api.xro/2.0/"),
            dict(request.query),
            dict(request.headers),
            await request.read(),
            self.clock.time(),
        )
        self.seen.append(seen)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            action = self.script.pop(0) if self.script else self.default
        finally:
            self.in_flight -= 1
        if action == DROP:
            request.transport.close()
            return web.Response()
        if action is None:
            return self.echo(seen)
        return action(seen)

    def echo(self, seen: Seen) -> web.Response:
        headers = {"X-MinLimit-Remaining": "58", "X-DayLimit-Remaining": "4990", "X-AppMinLimit-Remaining": "9999"}
        if seen.method == "GET":
            return web.json_response(contacts(1), headers=headers)
        records = json.loads(seen.body)["Contacts"]
        for i, record in enumerate(records):
            record.update(ContactID=f"new-{i}", StatusAttributeString="OK")
        return web.Response(text=json.dumps({"Contacts": records}), content_type="application/json", headers=headers)

    def keys(self) -> list[str | None]:
        return [s.headers.get("Idempotency-Key") for s in self.seen]


@pytest_asyncio.fixture
async def stub(fake_clock: FakeClock):
    xero = StubXero(clock=fake_clock)
    server = TestServer(xero.app(), host="127.0.0.1")
    await server.start_server()
    xero.url = str(server.make_url(""))  # type: ignore[attr-defined]
    try:
        yield xero
    finally:
        await server.close()


class NoStore:
    async def load_token(self) -> dict | None:
        return None

    async def save_token(self, token: dict) -> None:
        raise AssertionError("client_credentials tokens are not stored")


@pytest_asyncio.fixture
async def make_client(stub, session, fake_clock):
    clients: list[XeroClient] = []
    revealed: list[str] = []

    def make(api_url=None, client_id="client-1", clock: FakeClock = fake_clock, **options) -> XeroClient:
        auth = XeroAuth(
            grant="client_credentials",
            client_id=client_id,
            client_secret=SECRET,
            token_url=f"{stub.url}/connect/token",
            connections_url=f"{stub.url}/connections",
            scopes=["accounting.contacts"],
            tenant_id="tenant-1",
            store=NoStore(),
            clock=clock,
            session=session,
            on_secret=revealed.append,
            client_auth="body",  # so the stub can tell clients apart by client_id
        )
        client = XeroClient(api_url=api_url or f"{stub.url}/api.xro/2.0", auth=auth, clock=clock, **options)
        clients.append(client)
        return client

    make.revealed = revealed  # type: ignore[attr-defined]
    yield make
    for client in clients:
        await client.close()


NEW_CONTACTS = [{"Name": "Acme", "ContactNumber": "SY-1"}, {"Name": "Bolt", "ContactNumber": "SY-2"}]


# -- reading --------------------------------------------------------------------------------


async def test_get_follows_pages_and_sends_if_modified_since(stub, make_client):
    stub.script = [reply(body=contacts(100)), reply(body=contacts(100, 100)), reply(body=contacts(5, 200))]
    client = make_client()
    since = datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=timezone.utc)
    records = await client.get("Contacts", params={"where": 'ContactStatus=="ACTIVE"'}, if_modified_since=since)
    assert [r["ContactID"] for r in records] == [f"c{i}" for i in range(205)]
    assert [s.query["page"] for s in stub.seen] == ["1", "2", "3"]
    assert {s.query["where"] for s in stub.seen} == {'ContactStatus=="ACTIVE"'}
    assert {s.headers["If-Modified-Since"] for s in stub.seen} == {"2024-01-02T03:04:05"}
    assert {s.headers["xero-tenant-id"] for s in stub.seen} == {"tenant-1"}


async def test_get_one_returns_the_record_or_none_on_404(stub, make_client):
    stub.script = [reply(body=contacts(1)), reply(404, {"Title": "NotFound"})]
    client = make_client()
    assert (await client.get_one("Contacts/c0"))["Name"] == "Customer 0"
    assert await client.get_one("Contacts/missing") is None
    assert [s.path for s in stub.seen] == ["Contacts/c0", "Contacts/missing"]


# -- writing --------------------------------------------------------------------------------


async def test_put_returns_per_element_results_with_summarize_errors_off(stub, make_client):
    stub.script = [
        reply(body={"Contacts": [
            {"ContactID": "new-1", "Name": "Acme", "StatusAttributeString": "OK"},
            {"Name": "Bolt", "StatusAttributeString": "ERROR",
             "ValidationErrors": [{"Message": "The contact name Bolt is already assigned to another contact."}]},
        ]})
    ]
    client = make_client()
    results = await client.put("Contacts", NEW_CONTACTS, idempotency_key="contacts-batch-1")
    assert [r["StatusAttributeString"] for r in results] == ["OK", "ERROR"]
    assert results[1]["ValidationErrors"][0]["Message"].startswith("The contact name Bolt")
    (seen,) = stub.seen
    assert (seen.method, seen.path, seen.query) == ("PUT", "Contacts", {"summarizeErrors": "false"})
    assert seen.headers["Idempotency-Key"] == "contacts-batch-1"
    assert json.loads(seen.body) == {"Contacts": NEW_CONTACTS}


async def test_decimals_and_dates_make_the_round_trip_exactly(stub, make_client):
    stub.script = [lambda seen: web.Response(
        text='{"Invoices":[{"Total":115.12,"AmountDue":0.1,"UnitAmount":123.4567}]}', content_type="application/json"
    )]
    client = make_client()
    invoice = {
        "Type": "ACCREC",
        "Date": date(2024, 3, 31),
        "LineItems": [{"Quantity": Decimal("1.5"), "UnitAmount": Decimal("123.4567"), "TaxAmount": Decimal("0.10")}],
        "Total": Decimal("12345678901234.5"),
    }
    results = await client.put("Invoices", [invoice], idempotency_key="inv-1", params={"unitdp": 4})
    sent = json.loads(stub.seen[0].body, parse_float=Decimal)["Invoices"][0]
    assert sent["Date"] == "2024-03-31"
    line = {"Quantity": Decimal("1.5"), "UnitAmount": Decimal("123.4567"), "TaxAmount": Decimal("0.1")}
    assert sent["LineItems"][0] == line
    assert sent["Total"] == Decimal("12345678901234.5")
    assert stub.seen[0].query == {"summarizeErrors": "false", "unitdp": "4"}
    assert results == [{"Total": Decimal("115.12"), "AmountDue": Decimal("0.1"), "UnitAmount": Decimal("123.4567")}]
    assert all(type(v) is Decimal for v in results[0].values())


@pytest.mark.parametrize(
    "value, complaint",
    [
        (Decimal("12345678901234.5678"), "cannot be sent exactly"),
        (Decimal("NaN"), "cannot be sent exactly"),
        (1.5, "use Decimal"),
        (datetime(2024, 3, 31, tzinfo=timezone.utc), "datetime.date"),
        (None, "leave the field out"),
    ],
)
async def test_a_payload_that_would_not_survive_the_trip_is_refused_unsent(stub, make_client, value, complaint):
    client = make_client()
    with pytest.raises(XeroPayloadError, match=complaint) as caught:
        await client.put("Invoices", [{"LineItems": [{"UnitAmount": value}]}], idempotency_key="inv-2")
    assert "body.Invoices[0].LineItems[0].UnitAmount" in str(caught.value)
    assert stub.seen == []


async def test_post_path_returns_the_first_record(stub, make_client):
    stub.script = [reply(body={"Invoices": [{"InvoiceID": "i-1", "Status": "VOIDED"}]})]
    client = make_client()
    result = await client.post_path("Invoices/i-1", {"Invoices": [{"Status": "VOIDED"}]}, idempotency_key="void-i-1")
    assert result == {"InvoiceID": "i-1", "Status": "VOIDED"}
    assert (stub.seen[0].method, stub.seen[0].path, stub.seen[0].query) == ("POST", "Invoices/i-1", {})


# -- refusals -------------------------------------------------------------------------------


async def test_whole_request_validation_error_carries_each_elements_messages(stub, make_client):
    stub.script = [reply(400, {
        "ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred",
        "Elements": [
            {"ValidationErrors": [{"Message": "Account code '999' is not a valid code for this document."}]},
            {"ValidationErrors": []},
        ],
    })]
    client = make_client()
    with pytest.raises(XeroValidationError) as caught:
        await client.post_path("Invoices/i-1", {"Invoices": [{"Status": "AUTHORISED"}]}, idempotency_key="k")
    assert caught.value.error_type == "ValidationException"
    assert caught.value.elements == [["Account code '999' is not a valid code for this document."], []]
    assert "Account code '999'" in str(caught.value)
    assert len(stub.seen) == 1


async def test_403_raises_forbidden(stub, make_client):
    stub.script = [reply(403, {"Title": "Forbidden"})]
    with pytest.raises(XeroForbidden):
        await make_client().get("Contacts", paged=False)


async def test_401_renews_the_token_once_then_gives_up(stub, make_client):
    stub.script = [reply(401, {"Title": "Unauthorized", "Detail": "TokenExpired"})]
    client = make_client()
    assert await client.get("Contacts", paged=False)
    assert [s.headers["Authorization"] for s in stub.seen] == ["Bearer client-1-at-1", "Bearer client-1-at-2"]
    stub.script = [reply(401), reply(401)]
    with pytest.raises(XeroAuthError, match="syncro-xero xero connect"):
        await client.get("Contacts", paged=False)
    assert len(stub.tokens) == 3 and len(stub.seen) == 4


async def test_redirects_are_not_followed(stub, make_client):
    stub.script = [reply(302, {}, Location="/api.xro/2.0/Elsewhere")]
    with pytest.raises(XeroApiError) as caught:
        await make_client().get("Contacts", paged=False)
    assert caught.value.status == 302
    assert [s.path for s in stub.seen] == ["Contacts"]


# -- retries --------------------------------------------------------------------------------


async def test_5xx_is_retried_with_backoff_and_the_same_idempotency_key(stub, make_client, fake_clock):
    stub.script = [reply(500, {"Message": "oops"}), reply(503)]
    client = make_client()
    start = fake_clock.time()
    results = await client.put("Contacts", NEW_CONTACTS, idempotency_key="contacts-batch-2")
    assert [r["ContactID"] for r in results] == ["new-0", "new-1"]
    assert stub.keys() == ["contacts-batch-2"] * 3
    assert len({s.body for s in stub.seen}) == 1
    assert fake_clock.time() - start >= 0.5 + 1  # two backoffs, on the injected clock
    assert client.stats.retries == 2


async def test_dropped_connections_leave_a_write_with_an_unknown_outcome(stub, make_client):
    stub.default = DROP
    client = make_client(max_attempts=3)
    with pytest.raises(XeroUnknownOutcome) as caught:
        await client.put("Contacts", NEW_CONTACTS, idempotency_key="contacts-batch-3")
    assert caught.value.idempotency_key == "contacts-batch-3"
    assert stub.keys() == ["contacts-batch-3"] * 3
    with pytest.raises(XeroUnavailable) as caught_read:
        await client.get("Contacts", paged=False)
    assert not isinstance(caught_read.value, XeroUnknownOutcome)


async def test_a_write_that_never_connected_is_not_an_unknown_outcome(make_client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = make_client(api_url=f"http://127.0.0.1:{closed_port}/api.xro/2.0", max_attempts=2)
    with pytest.raises(XeroUnavailable) as caught:
        await client.put("Contacts", NEW_CONTACTS, idempotency_key="contacts-batch-4")
    assert not isinstance(caught.value, XeroUnknownOutcome)


async def test_no_hidden_urllib3_retry_on_retry_after_answers(stub, make_client):
    stub.default = reply(503, {}, **{"Retry-After": "1"})
    client = make_client(max_attempts=2)
    started = time.monotonic()
    with pytest.raises(XeroUnavailable):
        await client.get("Contacts", paged=False)
    with pytest.raises(XeroUnknownOutcome):
        await client.put("Contacts", NEW_CONTACTS, idempotency_key="k-503")
    assert [s.method for s in stub.seen] == ["GET", "GET", "PUT", "PUT"]  # once per attempt
    stub.seen.clear()
    stub.default = None
    stub.script = [reply(429, {}, **{"Retry-After": "1", "X-Rate-Limit-Problem": "minute"})]
    await client.put("Contacts", NEW_CONTACTS, idempotency_key="k-429")
    assert stub.keys() == ["k-429", "k-429"]
    assert time.monotonic() - started < 1  # urllib3 never slept on Retry-After


async def test_every_call_has_a_timeout(stub, make_client):
    stub.delay = 0.5
    client = make_client(timeout=0.1, max_attempts=1)  # a float: passed as a (connect, read) tuple
    started = time.monotonic()
    with pytest.raises(XeroUnavailable, match="ReadTimeoutError"):
        await client.get("Contacts", paged=False)
    assert time.monotonic() - started < 0.4


# -- limits ---------------------------------------------------------------------------------


async def test_at_most_five_calls_in_flight(stub, make_client):
    stub.delay = 0.05
    client = make_client()
    await asyncio.gather(*(client.get("Contacts", paged=False) for _ in range(12)))
    assert stub.max_in_flight == 5
    assert client.stats.calls["GET"] == 12


async def test_sixty_one_calls_at_sixty_a_minute_take_a_minute(stub, make_client, fake_clock):
    client = make_client(requests_per_minute=60)
    start = fake_clock.time()
    await asyncio.gather(*(client.get("Contacts", paged=False) for _ in range(61)))
    assert fake_clock.time() - start >= 60
    arrivals = sorted(s.at for s in stub.seen)
    assert len(arrivals) == 61
    assert max(sum(1 for a in arrivals if t - 60 < a <= t) for t in arrivals) <= 60


class SteppedClock(FakeClock):
    """A FakeClock whose sleepers wait until the test moves time, so a pause can be watched.

    (A plain FakeClock jumps when the first caller sleeps, which hides whether the others waited.)
    """

    async def sleep(self, seconds: float) -> None:
        target = self.time() + max(0.0, seconds)
        self.slept.append(seconds)
        while self.time() < target:
            await asyncio.sleep(0.001)


async def eventually(condition: Callable[[], bool]) -> None:
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition never held")


async def test_a_429_pauses_every_caller_and_resends_with_the_same_key(stub, make_client):
    # One slot, so the other callers are queued (not yet sent) when the 429 lands.
    stub.clock = clock = SteppedClock()
    stub.script = [reply(429, {}, **{"Retry-After": "30", "X-Rate-Limit-Problem": "minute"})]
    client = make_client(clock=clock, max_concurrent=1)
    start = clock.time()
    puts = asyncio.gather(*(client.put("Contacts", NEW_CONTACTS, idempotency_key=f"batch-{i}") for i in range(3)))
    await eventually(lambda: client.stats.rate_limited == 1)
    await asyncio.sleep(0.05)  # the queued callers have every chance to send...
    assert len(stub.seen) == 1  # ...and none does while the pause lasts
    clock.advance(30)
    await puts
    assert [s.at for s in stub.seen] == [start] + [start + 30] * 3
    assert stub.seen[0].headers["Idempotency-Key"] == "batch-0"
    assert sorted(stub.keys()) == ["batch-0", "batch-0", "batch-1", "batch-2"]


async def test_a_day_limit_429_raises_instead_of_sleeping(stub, make_client, fake_clock):
    day = {"Retry-After": "73451", "X-Rate-Limit-Problem": "day", "X-DayLimit-Remaining": "0"}
    stub.script = [reply(429, {}, **day)]
    client = make_client()
    start = fake_clock.now()
    with pytest.raises(XeroDailyLimitReached) as caught:
        await client.put("Contacts", NEW_CONTACTS, idempotency_key="k-day")
    assert caught.value.resets_at == start + timedelta(seconds=73451)
    assert fake_clock.now() == start
    with pytest.raises(XeroDailyLimitReached):
        await client.get("Contacts", paged=False)
    assert len(stub.seen) == 1


async def test_the_daily_budget_stops_calls_before_they_are_sent(stub, make_client):
    client = make_client(daily_limit=3)
    for _ in range(3):
        await client.get("Contacts", paged=False)
    with pytest.raises(XeroDailyLimitReached):
        await client.get("Contacts", paged=False)
    assert len(stub.seen) == 3
    stub.script = [reply(body=contacts(1), **{"X-DayLimit-Remaining": "0", "X-MinLimit-Remaining": "40"})]
    other = make_client()
    await other.get("Contacts", paged=False)
    assert (other.stats.day_remaining, other.stats.min_remaining) == (0, 40)
    with pytest.raises(XeroDailyLimitReached):
        await other.get("Contacts", paged=False)
    assert len(stub.seen) == 4


# -- isolation and secrecy ------------------------------------------------------------------


async def test_each_client_sends_its_own_token_despite_the_sdk_configuration_singleton(stub, make_client):
    first, second = make_client(client_id="first"), make_client(client_id="second")
    await asyncio.gather(*(c.get("Contacts", paged=False) for c in (first, second, first, second)))
    # xero-python #99: a second Configuration() would share the first one's OAuth2Token.
    assert first._api.configuration.oauth2_token is not second._api.configuration.oauth2_token
    tokens = {s.headers["Authorization"] for s in stub.seen}
    assert {t.split("-at-")[0] for t in tokens} == {"Bearer first", "Bearer second"} and len(tokens) == 2
    assert first.stats.calls["GET"] == second.stats.calls["GET"] == 2


async def test_no_token_or_secret_in_exceptions_or_logs(stub, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(max_attempts=2)
    errors: list[BaseException] = []
    for answers in ([reply(401), reply(401)], [reply(500), reply(500)], [reply(400, {"Message": "bad"})],
                    [DROP, DROP], [reply(429, {}, **{"Retry-After": "5", "X-Rate-Limit-Problem": "day"})]):
        stub.script = list(answers)
        try:
            await client.put("Contacts", NEW_CONTACTS, idempotency_key="k-secret")
        except Exception as exc:  # noqa: BLE001 - every failure is inspected below
            errors.append(exc)
    assert len(errors) == 5
    revealed = make_client.revealed
    assert SECRET in revealed and set(stub.tokens) <= set(revealed)
    text = caplog.text + "".join("".join(traceback.format_exception(e)) for e in errors)
    for secret in revealed:
        assert secret not in text


# -- the spec's request shapes --------------------------------------------------------------
def test_the_body_shape_summarize_and_paging_tables_are_the_specs():
    """BARE_BODIES, SUMMARIZED and PAGED say exactly what xero_accounting.yaml says, operation by operation."""
    import re
    from pathlib import Path

    from syncro_xero.emulators.xero.spec import load_spec
    from syncro_xero.xero.client import BARE_BODIES, PAGED, SUMMARIZED

    spec = load_spec(str(Path(__file__).parent / "specs" / "xero_accounting.yaml"))
    schemas = spec["components"]["schemas"]
    bare, summarized, paged = set(), set(), set()
    for path, operations in spec["paths"].items():
        template = re.sub(r"\{[^}]+\}", "{}", path.strip("/"))
        for method, operation in operations.items():
            if method not in ("get", "put", "post", "delete"):
                continue
            names = {p.get("$ref", "").rsplit("/", 1)[-1] or p.get("name") for p in operation.get("parameters", [])}
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None:
                name = body["$ref"].rsplit("/", 1)[-1]
                if name not in schemas[name].get("properties", {}):
                    bare.add((method.upper(), template))
            if "summarizeErrors" in names:
                summarized.add((method.upper(), template))
            if method == "get" and "{}" not in template and "page" in names:
                paged.add(template)
    assert (BARE_BODIES, SUMMARIZED, PAGED) == (bare, summarized, paged)


async def test_one_object_operations_are_sent_bare_without_summarize_errors(stub, make_client):
    stub.script = [lambda seen: web.json_response({"TrackingCategories": [{"TrackingCategoryID": "t-1"}]}),
                   lambda seen: web.json_response({"Options": [{"TrackingOptionID": "o-1"}]})]
    client = make_client()
    await client.put("TrackingCategories", [{"Name": "Region"}], idempotency_key="tc-1")
    await client.post_path("TrackingCategories/t-1/Options", {"Name": "North"}, idempotency_key="to-1", method="PUT")
    assert [(s.path, s.query, json.loads(s.body)) for s in stub.seen] == [
        ("TrackingCategories", {}, {"Name": "Region"}),
        ("TrackingCategories/t-1/Options", {}, {"Name": "North"}),
    ]


async def test_a_list_the_spec_does_not_page_is_asked_for_once_without_page(stub, make_client):
    stub.script = [lambda seen: web.json_response({"Items": [{"Code": f"I{i}"} for i in range(100)]})]
    assert len(await make_client().get("Items")) == 100
    assert [s.query for s in stub.seen] == [{}]


async def test_records_are_found_by_number_through_a_filter_or_path_the_spec_has(stub, make_client):
    invoice, note = {"InvoiceNumber": "INV-1", "InvoiceID": "i-1"}, {"CreditNoteNumber": 'CN "1"', "CreditNoteID": "c-1"}
    stub.script = [lambda seen: web.json_response({"Invoices": [invoice]}),
                   lambda seen: web.json_response({"CreditNotes": [note]}),
                   lambda seen: web.json_response({"PurchaseOrders": [{"PurchaseOrderNumber": "PO-1"}]})]
    client = make_client()
    assert await client.get_by_number("Invoices", "INV-1") == invoice
    assert await client.get_by_number("CreditNotes", 'CN "1"') == note
    assert await client.get_by_number("PurchaseOrders", "PO-1") == {"PurchaseOrderNumber": "PO-1"}
    assert [(s.path, s.query) for s in stub.seen] == [
        ("Invoices", {"InvoiceNumbers": "INV-1", "page": "1"}),
        ("CreditNotes", {"where": 'CreditNoteNumber=="CN ""1"""', "page": "1"}),
        ("PurchaseOrders/PO-1", {}),
    ]


def test_the_writers_id_field_table_is_the_specs_for_every_resource():
    """A plugin may write any resource of the spec: the writer knows each one's id field."""
    from pathlib import Path

    from syncro_xero.emulators.xero.spec import load_spec
    from syncro_xero.xero.writer import ID_FIELDS

    spec = load_spec(str(Path(__file__).parent / "specs" / "xero_accounting.yaml"))
    ids = {}
    for path in spec["paths"]:
        parts = [p for p in path.split("/") if p]
        for resource, parameter in zip(parts, parts[1:]):
            if not resource.startswith("{") and parameter.startswith("{"):
                name = parameter.strip("{}")
                if name.endswith("ID") or (resource == "TaxRates" and name == "TaxType"):
                    ids[resource] = name
    assert ID_FIELDS == ids
