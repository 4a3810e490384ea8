"""The Syncro emulator: a faithful local stand-in for ``https://{subdomain}.syncromsp.com/api/v1``."""

from __future__ import annotations

import hmac
import json
import math
from pathlib import Path
from typing import ClassVar, Iterable

from aiohttp import web
from aiohttp.typedefs import Handler

from ...clock import Clock
from ..base import Emulator
from .api import BadParam, not_found, ok
from .app import API_PREFIX, ClientLimiter, api_routes, presented_key
from .errors import DraftsDisabled, NotFound
from .routes_invoices import NOT_ADMIN
from .spec import request_checker
from .store import SyncroStore
from .switches import Switches


class SyncroEmulator(Emulator):
    """Serves the Syncro REST API from an in-memory :class:`SyncroStore` on 127.0.0.1.

    ``emulator.store`` seeds and changes data as a Syncro user would; ``emulator.switches`` picks
    the behaviour where Syncro's is unknown (see ``docs/emulator-unknowns.md``); ``emulator.faults`` injects
    failures. To run it standalone, ``await emulator.start(host, port)`` and keep the loop alive.
    """

    #: The official spec, making every instance made without ``validate_against_spec`` strict
    #: (a test suite sets it so that no emulator escapes the check).
    default_spec: ClassVar[Path | None] = None
    #: The names of :data:`.spec.UNDOCUMENTED` such instances let through.
    default_allow_undocumented: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        clock: Clock | None = None,
        api_key: str = "test-syncro-key",
        subdomain: str = "demo",
        time_zone: str = "America/New_York",
        *,
        draft_invoices: bool = False,
        switches: Switches | None = None,
        validate_against_spec: str | Path | None = None,
        allow_undocumented: Iterable[str] = (),
    ) -> None:
        """``validate_against_spec``: the official spec; every request is checked against it and one
        that breaks it answered 400 (strict mode, for tests). ``allow_undocumented``: names from
        :data:`.spec.UNDOCUMENTED` the check lets through."""
        super().__init__(clock)
        if validate_against_spec is None and self.default_spec is not None:
            validate_against_spec, allow_undocumented = self.default_spec, self.default_allow_undocumented
        self.spec = (
            request_checker(str(validate_against_spec), frozenset(allow_undocumented)) if validate_against_spec else None
        )
        #: Strict mode only: how many requests were checked.
        self.requests_checked = 0
        self.api_key = api_key
        self.store = SyncroStore(
            self.clock, subdomain=subdomain, time_zone=time_zone, draft_invoices=draft_invoices, switches=switches
        )
        self.limiter = ClientLimiter(self.clock, self.store.switches)
        #: Routes an emulator extension added (``add_routes``), served after the built-in ones.
        self.extra_routes: list[web.RouteDef] = []

    def add_routes(self, routes: Iterable[web.RouteDef]) -> None:
        """Serve ``routes`` (paths relative to ``/api/v1``, e.g. ``web.get("/estimates", handler)``)
        behind the same rate limit, API key and strict spec check as the built-in routes; a handler
        may raise :class:`NotFound` or ``ValueError`` for Syncro's 404 and 422. Before ``start``."""
        if self._runner is not None:
            raise RuntimeError("add_routes: the emulator is already serving; extend it before start()")
        self.extra_routes.extend(routes)

    @property
    def switches(self) -> Switches:
        return self.store.switches

    @property
    def api_url(self) -> str:
        """The base URL a client is configured with (``…/api/v1``)."""
        return self.url + API_PREFIX

    def build_app(self) -> web.Application:
        """The built-in routes and the extensions' behind one middleware: Syncro's rate limit, the
        API key, the strict check, and lookup and parameter errors turned into Syncro's answers."""
        store = self.store

        @web.middleware
        async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
            if (delay := self.limiter.wait(request.remote or "")) > 0:
                return self.too_many_requests(request, math.ceil(delay))
            key = presented_key(request, store.switches)
            if key is None or not hmac.compare_digest(key.encode(), self.api_key.encode()):
                # UNKNOWN (syncro-api.md §1.2): the body for a bad key is undocumented; the spec's
                # only 401 body is used; switch: none.
                return ok(NOT_ADMIN, status=401)
            refusal = await self._off_spec(request)
            if refusal is not None:
                return refusal
            try:
                return await handler(request)
            except (NotFound, DraftsDisabled, web.HTTPNotFound, web.HTTPMethodNotAllowed):
                # Unknown routes and methods included: S4 saw 404 for the missing DELETEs (payments,
                # products, vendors, POs). UNKNOWN (syncro-api.md §1.7): 404 bodies are "Not found" or
                # empty; always the JSON message here; switch: none.
                return not_found()
            except ValueError as exc:  # BadParam, and amounts or dates that do not parse
                return ok({"error": str(exc) if isinstance(exc, BadParam) else f"Invalid parameter: {exc}"}, status=422)

        app = web.Application(middlewares=[guard])
        for method, path, handler in api_routes(store):
            app.router.add_route(method, path, handler)
        served = {(route.method, route.resource.canonical) for route in app.router.routes() if route.resource}
        for route in self.extra_routes:
            if (route.method, API_PREFIX + route.path) in served:
                raise ValueError(f"add_routes: {route.method} {route.path} is already served")
            app.router.add_route(route.method, API_PREFIX + route.path, route.handler)
        return app

    async def _off_spec(self, request: web.Request) -> web.Response | None:
        """Strict mode: a 400 naming every way the request breaks the official spec (each recorded)."""
        if self.spec is None:
            return None
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            body = None  # not JSON: the handler answers that itself
        path = request.path[len(API_PREFIX):]
        _, problems = self.spec.check_request(request.method, path, list(request.query.items()), body)
        self.requests_checked += 1
        if not problems or self.lets_through(problems):
            return None
        self.spec_violations += problems
        return ok({"error": "The request breaks Syncro's OpenAPI spec (emulator strict mode): " + "; ".join(problems)},
                  status=400)

    def too_many_requests(self, request: web.Request, retry_after: int) -> web.Response:
        # UNKNOWN (syncro-api.md §1.3): the 429 body and Retry-After are undocumented (S16: no
        # Retry-After). Default: Rack::Attack's stock answer, plain "Retry later" without the
        # header; switch: Switches.rate_limit_body = "json", Switches.rate_limit_retry_after.
        headers = {"Retry-After": str(retry_after)} if self.switches.rate_limit_retry_after else {}
        if self.switches.rate_limit_body == "json":
            return web.json_response({"error": "Rate limit exceeded"}, status=429, headers=headers)
        return web.Response(status=429, text="Retry later\n", headers=headers)
