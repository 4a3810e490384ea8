"""XeroAuth against a stub identity service on loopback, sharing the test's FakeClock."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import traceback
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import free_port
from syncro_xero.clock import FakeClock
from syncro_xero.xero import (
    XeroAuth,
    XeroAuthError,
    XeroUnavailable,
    connect_interactive,
)

SECRET = "client-secret-0451"
GRACE = 30 * 60


@dataclass
class Identity:
    """A stub of identity.xero.com: rotating refresh tokens with a 30-minute grace."""

    clock: FakeClock
    refresh_token: str = "rt-0"
    previous: str | None = None
    rotated_at: float = 0.0
    issued: int = 0
    requests: list[dict] = field(default_factory=list)
    drop_next: int = 0  # process a refresh, then hang up before answering
    delay: float = 0.0  # real seconds before answering
    refuse: str | None = None  # answer 400 with this OAuth error
    fail_status: int | None = None  # answer this status instead
    code: str = "the-code"
    challenge: str | None = None
    connections: list[dict] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/connect/token", self.token)
        app.router.add_get("/connections", self.list_connections)
        return app

    def grants(self, grant_type: str) -> list[dict]:
        return [r for r in self.requests if r["form"].get("grant_type") == grant_type]

    def _issue(self, **extra: str) -> web.Response:
        self.issued += 1
        return web.json_response(
            {"access_token": f"at-{self.issued}", "expires_in": 1800, "token_type": "Bearer", **extra}
        )

    async def token(self, request: web.Request) -> web.StreamResponse:
        form = dict(await request.post())
        self.requests.append({"form": form, "authorization": request.headers.get("Authorization")})
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_status:
            return web.Response(status=self.fail_status, text="identity unavailable")
        if self.refuse:
            return web.json_response({"error": self.refuse}, status=400)
        grant = form["grant_type"]
        if grant == "client_credentials":
            return self._issue(scope=form.get("scope", ""))
        if grant == "authorization_code":
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if form.get("code") != self.code or digest != self.challenge:
                return web.json_response({"error": "invalid_grant"}, status=400)
            self.refresh_token = "rt-first"
            return self._issue(refresh_token=self.refresh_token)
        # refresh_token: the current token rotates; the one it replaced works for 30 minutes more.
        sent = form.get("refresh_token")
        within_grace = sent == self.previous and self.clock.time() - self.rotated_at < GRACE
        if sent != self.refresh_token and not within_grace:
            return web.json_response({"error": "invalid_grant"}, status=400)
        if sent == self.refresh_token:
            self.previous, self.rotated_at = sent, self.clock.time()
        self.refresh_token = f"rt-{self.issued + 1}"
        answer = self._issue(refresh_token=self.refresh_token)
        if self.drop_next:
            self.drop_next -= 1
            request.transport.close()  # the rotation happened, the answer is lost
        return answer

    async def list_connections(self, request: web.Request) -> web.Response:
        authorization = request.headers.get("Authorization")
        self.requests.append({"form": {"grant_type": "connections"}, "authorization": authorization})
        return web.json_response(self.connections)


class MemoryStore:
    """The TokenStore protocol in memory, able to hold or fail a save."""

    def __init__(self, token: dict | None = None) -> None:
        self.token = token
        self.saved: list[dict] = []
        self.hold: asyncio.Event | None = None
        self.saving = asyncio.Event()
        self.fail = False

    async def load_token(self) -> dict | None:
        return self.token

    async def save_token(self, token: dict) -> None:
        self.saving.set()
        if self.hold is not None:
            await self.hold.wait()
        if self.fail:
            raise OSError("disk full")
        self.saved.append(token)
        self.token = token


@pytest_asyncio.fixture
async def identity(fake_clock: FakeClock):
    stub = Identity(clock=fake_clock)
    server = TestServer(stub.app(), host="127.0.0.1")
    await server.start_server()
    stub.url = str(server.make_url(""))  # type: ignore[attr-defined]
    try:
        yield stub
    finally:
        await server.close()


def expired_token(clock: FakeClock) -> dict:
    return {"access_token": "at-old", "refresh_token": "rt-0", "expires_at": clock.time() - 1}


def make_auth(identity, session, clock, store, *, grant="authorization_code", secrets=None, **kw) -> XeroAuth:
    options = dict(
        grant=grant,
        client_id="client-1",
        client_secret=SECRET,
        token_url=f"{identity.url}/connect/token",
        connections_url=f"{identity.url}/connections",
        scopes=["offline_access", "accounting.contacts"],
        tenant_id="tenant-1",
        store=store,
        clock=clock,
        session=session,
        timeout=5,
        on_secret=(secrets.append if secrets is not None else None),
    )
    return XeroAuth(**{**options, **kw})


async def test_ten_concurrent_callers_share_one_refresh(identity, session, fake_clock):
    identity.delay = 0.05
    auth = make_auth(identity, session, fake_clock, MemoryStore(expired_token(fake_clock)))
    tokens = await asyncio.gather(*(auth.access_token() for _ in range(10)))
    assert tokens == ["at-1"] * 10
    assert len(identity.grants("refresh_token")) == 1


async def test_rotated_refresh_token_is_saved_before_the_new_access_token_is_used(identity, session, fake_clock):
    store = MemoryStore(expired_token(fake_clock))
    store.hold = asyncio.Event()
    auth = make_auth(identity, session, fake_clock, store)
    task = asyncio.create_task(auth.access_token())
    await asyncio.wait_for(store.saving.wait(), 5)
    await asyncio.sleep(0.01)
    assert not task.done()  # the new access token waits for the save
    store.hold.set()
    assert await task == "at-1"
    assert store.saved[-1]["refresh_token"] == identity.refresh_token == "rt-1"


async def test_a_failed_save_leaves_the_new_token_unused_and_the_old_one_retries(identity, session, fake_clock):
    store = MemoryStore(expired_token(fake_clock))
    store.fail = True
    auth = make_auth(identity, session, fake_clock, store)
    with pytest.raises(OSError):
        await auth.access_token()
    store.fail = False
    assert await auth.access_token() == "at-2"
    assert [r["form"]["refresh_token"] for r in identity.grants("refresh_token")] == ["rt-0", "rt-0"]
    assert store.saved[-1]["refresh_token"] == identity.refresh_token


async def test_a_lost_refresh_answer_is_retried_with_the_old_refresh_token(identity, session, fake_clock):
    identity.drop_next = 1
    store = MemoryStore(expired_token(fake_clock))
    auth = make_auth(identity, session, fake_clock, store)
    assert await auth.access_token() == "at-2"
    assert [r["form"]["refresh_token"] for r in identity.grants("refresh_token")] == ["rt-0", "rt-0"]
    assert store.saved[-1]["refresh_token"] == identity.refresh_token
    assert fake_clock.slept  # the retry waited on the injected clock


async def test_invalid_grant_asks_for_xero_connect(identity, session, fake_clock):
    token = expired_token(fake_clock) | {"refresh_token": "rt-revoked"}
    auth = make_auth(identity, session, fake_clock, MemoryStore(token))
    with pytest.raises(XeroAuthError, match="invalid_grant.*run `syncro-xero xero connect`"):
        await auth.access_token()


async def test_no_stored_token_asks_for_xero_connect(identity, session, fake_clock):
    auth = make_auth(identity, session, fake_clock, MemoryStore(None))
    with pytest.raises(XeroAuthError, match="run `syncro-xero xero connect`"):
        await auth.access_token()
    assert identity.requests == []


async def test_client_credentials_token_is_renewed_after_thirty_minutes(identity, session, fake_clock):
    auth = make_auth(identity, session, fake_clock, MemoryStore(), grant="client_credentials")
    assert await auth.access_token() == "at-1"
    fake_clock.advance(28 * 60)
    assert await auth.access_token() == "at-1"
    fake_clock.advance(2 * 60)
    assert await auth.access_token() == "at-2"
    sent = identity.grants("client_credentials")
    assert len(sent) == 2
    assert sent[0]["form"]["scope"] == "offline_access accounting.contacts"
    assert "client_secret" not in sent[0]["form"]
    assert base64.b64decode(sent[0]["authorization"].split()[1]).decode() == f"client-1:{SECRET}"


async def test_invalidate_forces_a_new_token_only_for_the_refused_one(identity, session, fake_clock):
    auth = make_auth(identity, session, fake_clock, MemoryStore(), grant="client_credentials")
    first = await auth.access_token()
    auth.invalidate("some-older-token")
    assert await auth.access_token() == first
    auth.invalidate(first)
    assert await auth.access_token() == "at-2"


async def test_tenant_comes_from_the_only_connected_organisation(identity, session, fake_clock):
    identity.connections = [
        {"tenantId": "t-practice", "tenantType": "PRACTICEMANAGER", "tenantName": "PM"},
        {"tenantId": "t-org", "tenantType": "ORGANISATION", "tenantName": "MSP Ltd"},
    ]
    auth = make_auth(identity, session, fake_clock, MemoryStore(), grant="client_credentials", tenant_id=None)
    assert await auth.tenant_id() == "t-org"
    assert await auth.tenant_id() == "t-org"
    assert len(identity.grants("connections")) == 1


async def test_several_organisations_ask_for_xero_tenant_id(identity, session, fake_clock):
    identity.connections = [
        {"tenantId": "t-1", "tenantType": "ORGANISATION", "tenantName": "One"},
        {"tenantId": "t-2", "tenantType": "ORGANISATION", "tenantName": "Two"},
    ]
    auth = make_auth(identity, session, fake_clock, MemoryStore(), grant="client_credentials", tenant_id=None)
    with pytest.raises(XeroAuthError, match="xero.tenant_id"):
        await auth.tenant_id()


async def test_connect_interactive_exchanges_the_code_with_pkce_and_saves_the_token(identity, session, fake_clock):
    store = MemoryStore()
    auth = make_auth(identity, session, fake_clock, store)
    opened: list[str] = []

    def open_browser(url: str) -> None:  # the user consents; Xero redirects to our callback
        opened.append(url)
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        identity.challenge = query["code_challenge"]
        callback = query["redirect_uri"].replace("localhost", "127.0.0.1")
        asyncio.get_running_loop().create_task(
            session.get(callback, params={"code": identity.code, "state": query["state"]})
        )

    await connect_interactive(
        auth, login_url=f"{identity.url}/authorize", redirect_port=free_port(), open_browser=open_browser
    )
    query = parse_qs(urlsplit(opened[0]).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["offline_access accounting.contacts"]
    assert store.saved[-1]["refresh_token"] == "rt-first"
    assert await auth.access_token() == "at-1"  # the saved token is used as is


async def test_connect_interactive_rejects_a_wrong_state(identity, session, fake_clock):
    store = MemoryStore()
    auth = make_auth(identity, session, fake_clock, store)

    def open_browser(url: str) -> None:
        callback = parse_qs(urlsplit(url).query)["redirect_uri"][0].replace("localhost", "127.0.0.1")
        asyncio.get_running_loop().create_task(session.get(callback, params={"code": "x", "state": "forged"}))

    with pytest.raises(XeroAuthError, match="wrong state"):
        await connect_interactive(
            auth, login_url=f"{identity.url}/authorize", redirect_port=free_port(), open_browser=open_browser
        )
    assert identity.requests == [] and store.saved == []


async def test_no_token_or_secret_in_exceptions_or_logs(identity, session, fake_clock, caplog):
    caplog.set_level(logging.DEBUG)
    revealed: list[str] = []
    store = MemoryStore(expired_token(fake_clock))
    auth = make_auth(identity, session, fake_clock, store, secrets=revealed)
    await auth.access_token()
    errors: list[BaseException] = []
    for refuse, status in (("invalid_grant", None), ("invalid_client", None), (None, 500)):
        identity.refuse, identity.fail_status = refuse, status
        auth.invalidate()
        with pytest.raises((XeroAuthError, XeroUnavailable)) as caught:
            await auth.access_token()
        errors.append(caught.value)
    assert {SECRET, "at-1", "rt-0", "rt-1"} <= set(revealed)
    text = caplog.text + "".join("".join(traceback.format_exception(e)) for e in errors)
    assert "invalid_client" in text and "HTTP 500" in text
    for secret in revealed:
        assert secret not in text
