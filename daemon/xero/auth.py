"""Xero OAuth 2.0 tokens, fetched and refreshed by our own code (never by the SDK).

Two grants (xero-api.md §4):

- ``client_credentials`` (Custom Connection): no refresh token; a new access token is requested
  with the client id and secret whenever the current one has under 60 s left.
- ``authorization_code``: the first token comes from ``xero connect`` (:func:`connect_interactive`);
  after that the refresh token is rotated on every refresh. The rotated token is written to the
  :class:`TokenStore` *before* the new access token is handed out, so a crash can never leave us
  holding only a refresh token Xero has already replaced. A refresh whose answer is lost is
  retried with the same (old) refresh token, which Xero accepts for 30 minutes.

Refreshes are single-flight (one ``asyncio.Lock``), expiry is computed on the injected clock, and
every token and the client secret are passed to ``on_secret`` so the logging layer can redact them;
none is ever put in an exception message or a log line.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import secrets
from typing import Any, Callable, Protocol
from urllib.parse import quote, urlencode

import aiohttp
from aiohttp import web

from ..clock import Clock
from .errors import XeroAuthError, XeroUnavailable

log = logging.getLogger(__name__)

GRANTS = ("client_credentials", "authorization_code")
LOGIN_URL = "https://login.xero.com/identity/connect/authorize"
CONNECT_HINT = "run `syncro-xero xero connect` to authorise the app again"
# A token is handed out only while it has at least this long to live.
MIN_VALIDITY = 60.0
# Attempts at the token and connections endpoints on transport errors, 5xx and 429.
ATTEMPTS = 3
# Only a bare OAuth error code from a refusal body is ever quoted back.
_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


class TokenStore(Protocol):
    """Where the authorization-code token lives between runs (the lead's SQLite state)."""

    async def load_token(self) -> dict | None: ...

    async def save_token(self, token: dict) -> None: ...


class XeroAuth:
    """Access tokens and the tenant id for one Xero connection."""

    def __init__(
        self,
        *,
        grant: str,
        client_id: str,
        client_secret: str,
        token_url: str,
        connections_url: str,
        scopes: list[str],
        tenant_id: str | None,
        store: TokenStore,
        clock: Clock,
        session: aiohttp.ClientSession,
        timeout: float = 30,
        on_secret: Callable[[str], None] | None = None,
        client_auth: str = "basic",
    ) -> None:
        if grant not in GRANTS:
            raise ValueError(f"xero.grant must be one of {', '.join(GRANTS)}, not {grant!r}")
        # UNKNOWN (xero-api.md §10): Xero's docs show HTTP Basic for the client credentials, the
        # SDK puts them in the form body; "basic" (default) or "body". Without a secret (PKCE app)
        # only the client id is sent, in the body.
        if client_auth not in ("basic", "body"):
            raise ValueError(f"client_auth must be 'basic' or 'body', not {client_auth!r}")
        self._grant = grant
        self._client_id = client_id
        self._client_secret = client_secret
        self._token_url = token_url
        self._connections_url = connections_url
        self._scopes = list(scopes)
        self._configured_tenant = tenant_id
        self._tenant = tenant_id
        self._store = store
        self._clock = clock
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._on_secret = on_secret or (lambda value: None)
        self._client_auth = client_auth
        self._token: dict | None = None
        self._lock = asyncio.Lock()
        self._tenant_lock = asyncio.Lock()
        if client_secret:
            self._on_secret(client_secret)

    # -- access tokens ----------------------------------------------------------------------

    async def access_token(self) -> str:
        """An access token valid for at least 60 s more; at most one renewal runs at a time."""
        token = self._token
        if token is not None and self._fresh(token):
            return token["access_token"]
        async with self._lock:
            if self._token is None and self._grant == "authorization_code":
                self._token = await self._load()
            if self._token is None or not self._fresh(self._token):
                self._token = await self._renew(self._token)
            return self._token["access_token"]

    def invalidate(self, access_token: str | None = None) -> None:
        """Xero answered 401: the next :meth:`access_token` renews.

        Given the token that was refused, only that token is dropped, so a late 401 from a request
        sent before a renewal does not throw the fresh token away.
        """
        token = self._token
        if token is not None and access_token in (None, token["access_token"]):
            self._token = {**token, "expires_at": 0.0}

    def _fresh(self, token: dict) -> bool:
        return token["expires_at"] - self._clock.time() >= MIN_VALIDITY

    async def _load(self) -> dict | None:
        token = await self._store.load_token()
        if not token or not token.get("refresh_token"):
            raise XeroAuthError(f"no Xero token is stored; {CONNECT_HINT}")
        self._reveal(token)
        return token

    async def _renew(self, current: dict | None) -> dict:
        if self._grant == "client_credentials":  # nothing to refresh: ask again
            form = {"grant_type": "client_credentials"}
            if self._scopes:
                form["scope"] = " ".join(self._scopes)
            return await self._request_token(form, "request a Custom Connection token")
        old_refresh = current["refresh_token"]  # current came from the store: never None here
        token = await self._request_token(
            {"grant_type": "refresh_token", "refresh_token": old_refresh}, "refresh the access token"
        )
        token.setdefault("refresh_token", old_refresh)
        # Persist the rotated refresh token before anything uses the new access token: if this
        # fails, the old refresh token stays in memory and the next refresh uses it (grace period).
        await self._store.save_token(token)
        log.info("Xero access token refreshed; rotated refresh token saved")
        return token

    async def _request_token(self, form: dict[str, str], purpose: str) -> dict:
        """POST the token endpoint; the answer as our token record (expiry on our clock)."""
        headers = {"Accept": "application/json"}
        if self._client_secret and self._client_auth == "basic":
            pair = f"{self._client_id}:{self._client_secret}".encode()
            headers["Authorization"] = f"Basic {base64.b64encode(pair).decode('ascii')}"
        else:
            form = {**form, "client_id": self._client_id}
            if self._client_secret:
                form["client_secret"] = self._client_secret
        sent_at = self._clock.time()
        status, body = await self._call("POST", self._token_url, purpose, data=form, headers=headers)
        if status != 200:
            raise self._refused(status, body, purpose)
        try:
            answer = json.loads(body)
            access_token = answer["access_token"]
            expires_in = float(answer["expires_in"])
        except (ValueError, KeyError, TypeError):
            raise XeroUnavailable(f"could not {purpose}: Xero's token answer was not understood") from None
        token = {
            "access_token": access_token,
            "expires_at": sent_at + expires_in,
            "token_type": answer.get("token_type", "Bearer"),
            "scope": answer.get("scope", " ".join(self._scopes)),
        }
        if answer.get("refresh_token"):
            token["refresh_token"] = answer["refresh_token"]
        self._reveal(token)
        return token

    def _refused(self, status: int, body: bytes, purpose: str) -> XeroAuthError:
        code = _oauth_error(body)
        if code == "invalid_grant":
            return XeroAuthError(
                f"could not {purpose}: Xero refused the grant (invalid_grant: a refresh token lapses after "
                f"60 days unused, on revocation or 30 minutes after being replaced; a code after 5 minutes); "
                f"{CONNECT_HINT}"
            )
        if code == "invalid_client":
            return XeroAuthError(
                f"could not {purpose}: Xero rejected the client credentials (invalid_client); "
                "check xero.client_id and the client secret"
            )
        what = code or f"HTTP {status}"
        return XeroAuthError(f"could not {purpose}: Xero's identity service refused it ({what}); check xero.scopes")

    # -- tenant -----------------------------------------------------------------------------

    async def tenant_id(self) -> str:
        """The configured tenant, else the only organisation this connection can reach."""
        if self._tenant is not None:
            return self._tenant
        async with self._tenant_lock:
            if self._tenant is None:
                self._tenant = await self._discover_tenant()
            return self._tenant

    async def _discover_tenant(self) -> str:
        for attempt in (1, 2):
            token = await self.access_token()
            status, body = await self._call(
                "GET", self._connections_url, "list the connected Xero organisations",
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
            if status == 401 and attempt == 1:
                self.invalidate(token)
                continue
            if status != 200:
                raise XeroAuthError(
                    f"could not list the connected Xero organisations (HTTP {status}); set xero.tenant_id"
                )
            break
        try:
            connections = [c for c in json.loads(body) if c.get("tenantType", "ORGANISATION") == "ORGANISATION"]
        except (ValueError, AttributeError, TypeError):
            raise XeroUnavailable("Xero's list of connections was not understood") from None
        if len(connections) == 1:
            return connections[0]["tenantId"]
        if not connections:
            raise XeroAuthError(f"no Xero organisation is connected; set xero.tenant_id or {CONNECT_HINT}")
        names = ", ".join(f"{c.get('tenantName')!r} ({c.get('tenantId')})" for c in connections)
        raise XeroAuthError(f"several Xero organisations are connected ({names}); set xero.tenant_id to one of them")

    # -- interactive bootstrap --------------------------------------------------------------

    def authorization_url(
        self, redirect_uri: str, state: str, code_verifier: str | None, *, login_url: str = LOGIN_URL
    ) -> str:
        """The consent page to open in a browser (with a PKCE S256 challenge when given a verifier)."""
        params = {
            "response_type": "code",
            "client_id": self._client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(self._scopes),
            "state": state,
        }
        if code_verifier is not None:
            digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
            params["code_challenge"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
            params["code_challenge_method"] = "S256"
        return f"{login_url}?{urlencode(params, quote_via=quote)}"

    async def exchange_code(self, code: str, redirect_uri: str, code_verifier: str | None) -> None:
        """Trade an authorization code for the first token and save it."""
        self._on_secret(code)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier is not None:
            self._on_secret(code_verifier)
            form["code_verifier"] = code_verifier
        async with self._lock:
            token = await self._request_token(form, "exchange the authorization code")
            if "refresh_token" not in token:
                raise XeroAuthError("Xero issued no refresh token: add offline_access to xero.scopes, connect again")
            await self._store.save_token(token)
            self._token = token
        self._tenant = self._configured_tenant
        log.info("Xero authorisation saved")

    # -- plumbing ---------------------------------------------------------------------------

    async def _call(self, method: str, url: str, purpose: str, **kwargs: Any) -> tuple[int, bytes]:
        """One request to an identity endpoint, repeated unchanged on transport errors, 5xx and 429."""
        failure = ""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with self._session.request(method, url, timeout=self._timeout, **kwargs) as response:
                    body = await response.read()
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                failure = type(exc).__name__
            else:
                if response.status < 500 and response.status != 429:
                    return response.status, body
                failure = f"HTTP {response.status}"
            if attempt < ATTEMPTS:
                log.warning("could not %s (%s); retrying", purpose, failure)
                await self._clock.sleep(2.0 ** attempt)
        raise XeroUnavailable(f"could not {purpose}: Xero's identity service failed {ATTEMPTS} times ({failure})")

    def _reveal(self, token: dict) -> None:
        for key in ("access_token", "refresh_token"):
            if token.get(key):
                self._on_secret(token[key])


def _oauth_error(body: bytes) -> str | None:
    """The ``error`` code of an OAuth refusal, if it is a plain code (never free text)."""
    try:
        code = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) and _ERROR_CODE.match(code) else None


async def connect_interactive(
    auth: XeroAuth,
    *,
    login_url: str,
    redirect_port: int,
    open_browser: Callable[[str], None],
    state: str | None = None,
    pkce: bool = True,
) -> None:
    """``xero connect``: consent in a browser, catch the redirect on loopback, save the first token.

    Serves ``/callback`` once on 127.0.0.1:``redirect_port``; the redirect URI registered with the
    Xero app must be ``http://localhost:<port>/callback`` (Xero allows plain http only for localhost).
    """
    state = state or secrets.token_urlsafe(24)
    # UNKNOWN (xero-api.md §4): Xero documents PKCE for apps without a secret; that it also takes
    # a challenge from an app with one is assumed (OAuth 2.1 allows it); switch: pkce=False.
    verifier = secrets.token_urlsafe(64) if pkce else None  # 86 characters, inside PKCE's 43-128
    redirect_uri = f"http://localhost:{redirect_port}/callback"
    answer: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

    async def callback(request: web.Request) -> web.Response:
        if not answer.done():
            answer.set_result(dict(request.query))
        return web.Response(text="syncro-xero received Xero's answer; return to the terminal.")

    app = web.Application()
    app.router.add_get("/callback", callback)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", redirect_port).start()
        open_browser(auth.authorization_url(redirect_uri, state, verifier, login_url=login_url))
        query = await answer
    finally:
        await runner.cleanup()
    if not secrets.compare_digest(query.get("state", ""), state):
        raise XeroAuthError("Xero's answer carried the wrong state (a stale or forged redirect); connect again")
    if "error" in query:
        code = query["error"] if _ERROR_CODE.match(query["error"]) else "error"
        raise XeroAuthError(f"Xero did not authorise the app ({code}); connect again")
    if not query.get("code"):
        raise XeroAuthError("Xero's answer carried no authorization code; connect again")
    await auth.exchange_code(query["code"], redirect_uri, verifier)
