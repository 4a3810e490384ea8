"""OAuth 2.0 as Xero runs it (xero-api.md §4): token endpoint, authorize, connections, revocation.

- ``client_credentials`` (Custom Connection): one tenant, no refresh token, no tenant header needed;
- ``authorization_code`` via ``/identity/connect/authorize`` (auto-consent, optional PKCE);
- ``refresh_token`` with rotation: every refresh issues a new refresh token; the old one keeps
  working for a 30-minute grace, and a refresh token unused for 60 days expires.
Access tokens last 30 minutes on the emulator's clock.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlencode

from aiohttp import web

from ...clock import Clock
from .config import XeroConfig
from .errors import XeroError, forbidden, unauthorized

UTC = timezone.utc
DEFAULT_SCOPES = (
    "offline_access accounting.transactions accounting.contacts accounting.settings accounting.attachments"
)


@dataclass
class Connection:
    """A tenant connected to the app (what GET /connections lists)."""

    id: str
    tenant_id: str
    auth_event_id: str
    created: float
    updated: float


@dataclass
class AccessToken:
    token: str
    expires_at: float
    scopes: str
    auth_event_id: str | None = None  # authorization-code tokens: the consent they came from
    tenant_id: str | None = None  # client-credentials tokens: the one tenant they are bound to


@dataclass
class RefreshToken:
    token: str
    auth_event_id: str
    scopes: str
    issued_at: float
    rotated_at: float | None = None


@dataclass
class AuthCode:
    code: str
    redirect_uri: str
    scopes: str
    auth_event_id: str
    issued_at: float
    challenge: str | None = None
    challenge_method: str = "plain"
    used: bool = False


@dataclass
class Auth:
    """Tokens, codes and connections of the one app the emulator serves."""

    config: XeroConfig
    clock: Clock
    tenant_ids: Callable[[], list[str]]  # every organisation, in creation order
    tenant_names: Callable[[str], str]
    #: Tenants a consent connects; None means all of them.
    consent_tenants: list[str] | None = None
    #: The tenant a client_credentials token is bound to; None means the first tenant.
    custom_connection_tenant: str | None = None
    connections: dict[str, Connection] = field(default_factory=dict)
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, RefreshToken] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)

    # -- Python API for tests -------------------------------------------------------------------
    def issue(self, tenant_ids: list[str] | None = None, scopes: str = DEFAULT_SCOPES) -> dict:
        """Consent to ``tenant_ids`` (default: all) and return a token response, as after a login."""
        event = self.connect(tenant_ids if tenant_ids is not None else self.tenant_ids())
        return self._tokens(event, scopes)

    def connect(self, tenant_ids: list[str]) -> str:
        """Connect tenants to the app in one consent; returns its authEventId."""
        event, now = str(uuid.uuid4()), self.clock.time()
        for tenant_id in tenant_ids:
            existing = self.connection_for(tenant_id)
            if existing is not None:
                existing.auth_event_id, existing.updated = event, now
            else:
                conn = Connection(str(uuid.uuid4()), tenant_id, event, now, now)
                self.connections[conn.id] = conn
        return event

    def connection_for(self, tenant_id: str) -> Connection | None:
        return next((c for c in self.connections.values() if c.tenant_id == tenant_id), None)

    # -- checking API calls ---------------------------------------------------------------------
    def authenticate(self, header: str | None) -> AccessToken:
        """The access token of an ``Authorization: Bearer`` header, or the 401."""
        scheme, _, value = (header or "").partition(" ")
        token = self.access.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise unauthorized()
        if self.clock.time() >= token.expires_at:
            expired = datetime.fromtimestamp(token.expires_at, UTC).strftime("%m/%d/%Y %H:%M:%S")
            raise unauthorized(f"TokenExpired: token expired at {expired}")
        return token

    def tenant_for(self, token: AccessToken, header: str | None) -> str:
        """The tenant a call acts on, or the 403 for a missing or unconnected tenant."""
        wanted = (header or "").strip().lower()
        if token.tenant_id is not None:
            # Custom Connections need no xero-tenant-id header [C-doc faq/custom-integration].
            if wanted and wanted != token.tenant_id:
                raise forbidden()
            return token.tenant_id
        # UNKNOWN (xero-api.md §6, [S]): a missing tenant header answers 403 like a wrong one.
        if not wanted or self.connection_for(wanted) is None:
            raise forbidden()
        return wanted

    # -- HTTP: token endpoint -------------------------------------------------------------------
    async def token_endpoint(self, request: web.Request) -> web.Response:
        form = await request.post()
        grant = form.get("grant_type", "")
        client_id, secret = _client_credentials(request.headers.get("Authorization"), form)
        try:
            if grant == "client_credentials":
                self._check_client(client_id, secret)
                return _json(self._custom_connection_token(str(form.get("scope") or DEFAULT_SCOPES)))
            if grant == "authorization_code":
                return _json(self._exchange_code(form, client_id, secret))
            if grant == "refresh_token":
                self._check_client(client_id, secret)
                return _json(self._refresh(str(form.get("refresh_token", ""))))
            raise _oauth_error("unsupported_grant_type")
        except XeroError as error:
            return error.response()

    def _check_client(self, client_id: str | None, secret: str | None) -> None:
        # UNKNOWN (xero-api.md §6, [S] N2): the status of invalid_client (400 here, not 401).
        if client_id != self.config.client_id or secret != self.config.client_secret:
            raise _oauth_error("invalid_client")

    def _custom_connection_token(self, scopes: str) -> dict:
        tenant = self.custom_connection_tenant or self.tenant_ids()[0]
        token = self._access(scopes, tenant_id=tenant)
        return {"access_token": token.token, "expires_in": int(self.config.access_token_ttl),
                "token_type": "Bearer", "scope": scopes}

    def _exchange_code(self, form, client_id: str | None, secret: str | None) -> dict:
        code = self.codes.get(str(form.get("code", "")))
        if client_id != self.config.client_id:
            raise _oauth_error("invalid_client")
        if code is None or code.used or self.clock.time() - code.issued_at > self.config.auth_code_ttl:
            raise _oauth_error("invalid_grant")
        if code.challenge is None:
            self._check_client(client_id, secret)
        elif not _pkce_ok(code, str(form.get("code_verifier", ""))):
            raise _oauth_error("invalid_grant")
        if str(form.get("redirect_uri", "")) != code.redirect_uri:
            raise _oauth_error("invalid_grant")
        code.used = True
        return self._tokens(code.auth_event_id, code.scopes)

    def _refresh(self, value: str) -> dict:
        now = self.clock.time()
        old = self.refresh.get(value)
        if (
            old is None
            or now - old.issued_at > self.config.refresh_token_ttl
            or (old.rotated_at is not None and now - old.rotated_at > self.config.refresh_grace)
        ):
            raise _oauth_error("invalid_grant")
        if old.rotated_at is None:
            old.rotated_at = now
        return self._tokens(old.auth_event_id, old.scopes)

    def _tokens(self, auth_event_id: str, scopes: str) -> dict:
        access = self._access(scopes, auth_event_id=auth_event_id)
        answer = {"access_token": access.token, "expires_in": int(self.config.access_token_ttl),
                  "token_type": "Bearer", "scope": scopes}
        if "offline_access" in scopes.split():
            refresh = RefreshToken(secrets.token_urlsafe(32), auth_event_id, scopes, self.clock.time())
            self.refresh[refresh.token] = refresh
            answer["refresh_token"] = refresh.token
        return answer

    def _access(self, scopes: str, **bound: str) -> AccessToken:
        expires = self.clock.time() + self.config.access_token_ttl
        token = AccessToken(secrets.token_urlsafe(48), expires, scopes, **bound)
        self.access[token.token] = token
        return token

    # -- HTTP: authorize, revocation, connections -----------------------------------------------
    async def authorize(self, request: web.Request) -> web.Response:
        """Auto-consent: connect the tenants and redirect back with a single-use code."""
        q = request.query
        if q.get("client_id") != self.config.client_id:
            return web.Response(status=400, text="unauthorized_client")
        if q.get("response_type") != "code" or not q.get("redirect_uri") or not q.get("scope"):
            return web.Response(status=400, text="invalid_request")
        tenants = self.consent_tenants if self.consent_tenants is not None else self.tenant_ids()
        code = AuthCode(
            code=secrets.token_urlsafe(24),
            redirect_uri=q["redirect_uri"],
            scopes=q["scope"],
            auth_event_id=self.connect(tenants),
            issued_at=self.clock.time(),
            challenge=q.get("code_challenge"),
            challenge_method=q.get("code_challenge_method", "plain"),
        )
        self.codes[code.code] = code
        back = {"code": code.code, "scope": code.scopes}
        if "state" in q:
            back["state"] = q["state"]
        separator = "&" if "?" in code.redirect_uri else "?"
        raise web.HTTPFound(code.redirect_uri + separator + urlencode(back))

    async def revoke(self, request: web.Request) -> web.Response:
        """Revoke a refresh token: its consent's tokens and connections go too."""
        form = await request.post()
        client_id, secret = _client_credentials(request.headers.get("Authorization"), form)
        try:
            self._check_client(client_id, secret)
        except XeroError as error:
            return error.response()
        found = self.refresh.get(str(form.get("token", "")))
        if found is not None:
            event = found.auth_event_id
            self.refresh = {k: v for k, v in self.refresh.items() if v.auth_event_id != event}
            self.access = {k: v for k, v in self.access.items() if v.auth_event_id != event}
            self.connections = {k: v for k, v in self.connections.items() if v.auth_event_id != event}
        return web.Response(status=200)

    def connections_view(self, token: AccessToken, auth_event_id: str | None) -> list[dict]:
        if token.tenant_id is not None:
            issued = token.expires_at - self.config.access_token_ttl
            link = _stable_id(token.tenant_id)
            conns = [Connection(link, token.tenant_id, link, issued, issued)]
        else:
            conns = list(self.connections.values())
        if auth_event_id:
            conns = [c for c in conns if c.auth_event_id == auth_event_id.lower()]
        return [
            {
                "id": c.id,
                "authEventId": c.auth_event_id,
                "tenantId": c.tenant_id,
                "tenantType": "ORGANISATION",
                "tenantName": self.tenant_names(c.tenant_id),
                "createdDateUtc": _connection_stamp(c.created),
                "updatedDateUtc": _connection_stamp(c.updated),
            }
            for c in conns
        ]

    def disconnect(self, connection_id: str) -> bool:
        return self.connections.pop(connection_id.lower(), None) is not None


def _client_credentials(header: str | None, form) -> tuple[str | None, str | None]:
    """Client id and secret from Basic auth, else from the form body (the SDK's way)."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(value).decode().partition(":")
            return client_id, secret
        except ValueError:
            return None, None
    return form.get("client_id"), form.get("client_secret")


def _pkce_ok(code: AuthCode, verifier: str) -> bool:
    if not 43 <= len(verifier) <= 128:
        return False
    if code.challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == code.challenge
    return verifier == code.challenge


def _oauth_error(kind: str) -> XeroError:
    return XeroError(400, {"error": kind})


def _json(body: dict) -> web.Response:
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def _stable_id(tenant_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"custom-connection:{tenant_id}"))


def _connection_stamp(moment: float) -> str:
    """Connections show .NET-style UTC timestamps without an offset (xero-identity.yaml example)."""
    value = datetime.fromtimestamp(moment, UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0"
