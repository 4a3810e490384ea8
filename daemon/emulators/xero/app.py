"""The Xero emulator: OAuth, connections and the Accounting API under ``/api.xro/2.0``.

Every Accounting call passes, in order: Accept check → bearer token (401) → tenant (403) → rate
limits (429, not counted when refused) → Idempotency-Key (replay or 400) → the resource handler.
Its own base URL is also the identity URL: ``POST /connect/token``,
``GET /identity/connect/authorize``, ``POST /connect/revocation``, ``GET/DELETE /connections``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, ClassVar, Iterable

from aiohttp import web

from ...clock import Clock
from ..base import Emulator
from .auth import Auth
from .config import XeroConfig
from .errors import XeroError, post_data_invalid
from .idempotency import KEYED_METHODS, Cached, IdempotencyCache, fingerprint
from .limits import Limits, Refusal
from .resource import Call, Resource, Route
from .resources_bank import BANK_RESOURCES
from .resources_contacts import CONTACT_RESOURCES
from .resources_credit_notes import CREDIT_NOTE_RESOURCES
from .resources_invoices import INVOICE_RESOURCES
from .resources_items import ITEM_RESOURCES
from .resources_payments import PAYMENT_RESOURCES
from .resources_purchase_orders import PURCHASE_ORDER_RESOURCES
from .resources_settings import SETTINGS_RESOURCES
from .seed import populate
from .spec import Exchange, SpecChecker
from .store import Org, new_id
from .wire import dumps, loads, parse_datetime

API_PREFIX = "/api.xro/2.0"
DEFAULT_TENANT_ID = "6b0fbd22-48cd-4c4c-8e7b-5dc8b1a2e0f1"
DEFAULT_RESOURCES: tuple[Resource, ...] = (
    SETTINGS_RESOURCES + CONTACT_RESOURCES + ITEM_RESOURCES + INVOICE_RESOURCES + CREDIT_NOTE_RESOURCES
    + PAYMENT_RESOURCES + BANK_RESOURCES + PURCHASE_ORDER_RESOURCES
)


class XeroEmulator(Emulator):
    """A faithful local Xero: see the package docstring and docs/emulator-unknowns.md.

    Strict mode (``validate_against_spec``: ``xero_accounting.yaml``, ``identity_spec``:
    ``xero-identity.yaml``) refuses with 400 every request that breaks the official spec, records
    why in :attr:`spec_violations`, and records any answer that breaks it there too.
    """

    #: The folder of both specs, making every instance made without ``validate_against_spec``
    #: strict (a test suite sets it so that no emulator escapes the check).
    default_spec_dir: ClassVar[Path | None] = None

    def __init__(
        self,
        clock: Clock | None = None,
        config: XeroConfig | None = None,
        *,
        resources: Iterable[Resource] = DEFAULT_RESOURCES,
        tenant_name: str = "Demo Company (UK)",
        validate_against_spec: str | Path | None = None,
        identity_spec: str | Path | None = None,
    ) -> None:
        super().__init__(clock)
        if validate_against_spec is None and self.default_spec_dir is not None:
            validate_against_spec = self.default_spec_dir / "xero_accounting.yaml"
            identity_spec = self.default_spec_dir / "xero-identity.yaml"
        self.config = config or XeroConfig()
        self.resources: dict[str, Resource] = {r.plural: r for r in resources}
        self.orgs: dict[str, Org] = {}
        self.auth = Auth(self.config, self.clock, lambda: list(self.orgs), lambda t: self.orgs[t].name)
        self.limits = Limits(self.config, self.clock)
        self.idempotency = IdempotencyCache(self.config, self.clock)
        #: Real seconds each Accounting call holds its concurrency slot (a slow server).
        self.service_delay = 0.0
        self.spec = SpecChecker(validate_against_spec, identity_spec) if validate_against_spec else None
        #: Strict mode only: every JSON exchange, and what the spec check found wrong with them.
        self.exchanges: list[Exchange] = []
        self.default_tenant_id = self.add_tenant(tenant_name, DEFAULT_TENANT_ID).tenant_id

    def add_resource(self, resource: Resource) -> None:
        """Serve ``resource`` (a :class:`Resource` the built-ins lack, e.g. Quotes) in every
        organisation, behind the same auth, limits, idempotency and strict spec check. Before ``start``."""
        if self._runner is not None:
            raise RuntimeError("add_resource: the emulator is already serving; extend it before start()")
        if resource.plural in self.resources:
            raise ValueError(f"add_resource: {resource.plural} is already served")
        self.resources[resource.plural] = resource  # each Org shares this mapping

    # -- tenants and tokens (Python API for tests) -------------------------------------------
    def add_tenant(self, name: str, tenant_id: str | None = None, region: str | None = None) -> Org:
        """A new organisation with Xero's defaults for ``region`` (default: ``config.region``)."""
        tenant_id = (tenant_id or new_id()).lower()
        if tenant_id in self.orgs:
            raise ValueError(f"tenant {tenant_id} already exists")
        org = Org(tenant_id, name, self.clock, self.config, self.resources)
        populate(org, region or self.config.region)
        self.orgs[org.tenant_id] = org
        return org

    def org(self, tenant_id: str | None = None) -> Org:
        """An organisation's data (default: the default tenant)."""
        return self.orgs[(tenant_id or self.default_tenant_id).lower()]

    @property
    def store(self) -> Org:
        """The default organisation's data."""
        return self.org()

    def issue_token(self, tenant_ids: list[str] | None = None, **kw: Any) -> dict:
        """A token response as after a user consented to ``tenant_ids`` (default: all)."""
        return self.auth.issue(tenant_ids, **kw)

    # -- the app ------------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/connect/token", self._token)
        app.router.add_get("/identity/connect/authorize", self.auth.authorize)
        app.router.add_post("/connect/revocation", self.auth.revoke)
        for base in ("/connections", "/Connections"):
            app.router.add_get(base, self._connections)
            app.router.add_delete(base + "/{id}", self._disconnect)
        for resource in self.resources.values():
            for route in resource.routes():
                app.router.add_route(route.method, API_PREFIX + route.path, self._api(route))
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._no_route)
        return app

    def too_many_requests(self, request: web.Request, retry_after: int) -> web.Response:
        tenant = request.headers.get("xero-tenant-id", "").lower()
        return self.limits.refusal_response(Refusal("minute", retry_after), tenant if tenant in self.orgs else None)

    # -- Accounting calls ---------------------------------------------------------------------
    def _api(self, route: Route):
        async def handle(request: web.Request) -> web.StreamResponse:
            raw = await request.read()
            refusal = self._off_spec(request, raw)
            if refusal is not None:
                return refusal
            try:
                self._check_accept(request)
                token = self.auth.authenticate(request.headers.get("Authorization"))
                tenant_id = self.auth.tenant_for(token, request.headers.get("xero-tenant-id"))
            except XeroError as error:
                return self._recorded(route, request, raw, error.response())
            refusal = self.limits.admit(tenant_id)
            if refusal is not None:
                return self.limits.refusal_response(refusal, tenant_id)
            try:
                key = request.headers.get("Idempotency-Key")
                if key and request.method in KEYED_METHODS:
                    same = fingerprint(request.method, request.path_qs, raw)
                    answer = await self.idempotency.run(
                        self.config.client_id, key, same, lambda: self._answer(route, request, tenant_id, raw)
                    )
                else:
                    answer = await self._answer(route, request, tenant_id, raw)
            except XeroError as error:
                answer = _cache(error.response())
            finally:
                self.limits.release(tenant_id)
            response = web.Response(
                status=answer.status, body=answer.body or None, headers=self.limits.headers(tenant_id)
            )
            if answer.body:
                response.content_type, response.charset = answer.content_type, "utf-8"
            return self._recorded(route, request, raw, response)

        return handle

    def _check_accept(self, request: web.Request) -> None:
        accept = request.headers.get("Accept", "")
        if self.config.require_json_accept and "application/json" not in accept:
            raise XeroError(406, "The emulator answers JSON only; send Accept: application/json.", "text/plain")

    async def _answer(self, route: Route, request: web.Request, tenant_id: str, raw: bytes) -> Cached:
        if self.service_delay:
            await asyncio.sleep(self.service_delay)
        try:
            body = loads(raw) if raw.strip() else None
        except ValueError as exc:
            return _cache(post_data_invalid(f"JSON for post data was invalid,{exc}").response())
        call = Call(
            self.orgs[tenant_id],
            self.config,
            request.method,
            query={k.lower(): v for k, v in request.query.items()},
            params=dict(request.match_info),
            body=body,
            if_modified_since=_if_modified_since(request.headers.get("If-Modified-Since")),
        )
        try:
            reply = route.handler(call)
        except XeroError as error:
            return _cache(error.response())
        text = dumps(reply.body).encode() if reply.body is not None else b""
        return Cached(reply.status, text, "application/json")

    # -- identity -----------------------------------------------------------------------------
    async def _token(self, request: web.Request) -> web.StreamResponse:
        response = await self.auth.token_endpoint(request)
        if self.spec is not None:
            self._check(Exchange("identity", "POST", "#token", response.status, None, _json_of(response)))
        return response

    async def _connections(self, request: web.Request) -> web.StreamResponse:
        try:
            token = self.auth.authenticate(request.headers.get("Authorization"))
        except XeroError as error:
            return error.response()
        refusal = self.limits.admit(None)
        if refusal is not None:
            return self.limits.refusal_response(refusal, None)
        listing = self.auth.connections_view(token, request.query.get("authEventId"))
        response = web.json_response(listing, headers=self.limits.headers(None))
        if self.spec is not None:
            self._check(Exchange("identity", "GET", "/Connections", 200, None, listing))
        return response

    async def _disconnect(self, request: web.Request) -> web.StreamResponse:
        try:
            self.auth.authenticate(request.headers.get("Authorization"))
        except XeroError as error:
            return error.response()
        if not self.auth.disconnect(request.match_info["id"]):
            return web.Response(status=404)
        return web.Response(status=204)

    # -- strict mode --------------------------------------------------------------------------
    def _off_spec(self, request: web.Request, raw: bytes) -> web.Response | None:
        """Strict mode: a 400 naming every way the request breaks the spec (and each is recorded)."""
        if self.spec is None:
            return None
        query = list(request.query.items())
        path = request.path[len(API_PREFIX):]
        template, problems = self.spec.check_request(request.method, path, query, _sent(raw))
        if not problems:
            return None
        if self.lets_through(problems):
            return None
        self.exchanges.append(
            Exchange("accounting", request.method, template or path, 400, _sent(raw), None, path, query)
        )
        self.spec_violations += problems
        message = "The request breaks Xero's OpenAPI spec (emulator strict mode): " + "; ".join(problems)
        return post_data_invalid(message).response()

    async def _no_route(self, request: web.Request) -> web.StreamResponse:
        """A path no operation serves: refused in strict mode, else Xero's plain 404."""
        refusal = self._off_spec(request, await request.read())
        if refusal is not None:
            return refusal
        raise web.HTTPNotFound()

    def _recorded(self, route: Route, request: web.Request, raw: bytes, response: web.Response) -> web.Response:
        if self.spec is not None:
            path = request.path[len(API_PREFIX):]
            query = list(request.query.items())
            template = self.spec.template(request.method, path) or route.path
            exchange = Exchange(
                "accounting", request.method, template, response.status, _sent(raw), _json_of(response), path, query
            )
            self.exchanges.append(exchange)
            self.spec_violations += self.spec.check_response(exchange)
        return response

    def _check(self, exchange: Exchange) -> None:
        assert self.spec is not None
        self.exchanges.append(exchange)
        self.spec_violations += self.spec.check(exchange)


def _sent(raw: bytes) -> Any:
    """The request's JSON body, or None (none, or not JSON: the handler answers that itself)."""
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return None


def _cache(response: web.Response) -> Cached:
    return Cached(response.status, response.body or b"", response.content_type)  # type: ignore[arg-type]


def _json_of(response: web.Response) -> Any:
    if response.content_type != "application/json" or not response.body:
        return None
    return json.loads(response.body)  # type: ignore[arg-type]


def _if_modified_since(value: str | None) -> datetime | None:
    """ISO 8601 (what the SDK sends) or an HTTP date; anything else is ignored."""
    if not value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
