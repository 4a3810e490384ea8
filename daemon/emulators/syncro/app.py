"""The aiohttp application: routes under ``/api/v1``, and one middleware that applies Syncro's rate
limit, checks the API key, and turns lookup and parameter errors into Syncro's answers."""

from __future__ import annotations

import hmac
import json
import math
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler

from ...clock import Clock
from ...ratelimit import SlidingWindow
from .api import BadParam, Context, not_found, ok
from .errors import DraftsDisabled, NotFound
from .render import Renderer
from .routes_account import AccountRoutes
from .routes_customers import CustomerRoutes
from .routes_invoices import NOT_ADMIN, InvoiceRoutes
from .routes_payments import PaymentRoutes
from .routes_products import ProductRoutes
from .routes_purchasing import PurchasingRoutes
from .switches import Switches

if TYPE_CHECKING:
    from .emulator import SyncroEmulator

API_PREFIX = "/api/v1"
WINDOW_SECONDS = 60.0


class ClientLimiter:
    """``switches.rate_limit`` requests a minute per client IP (§1.3), on the emulator clock."""

    def __init__(self, clock: Clock, switches: Switches) -> None:
        self._clock = clock
        self._switches = switches
        self._sliding: dict[tuple[str, int], SlidingWindow] = {}
        self._fixed: dict[str, tuple[int, int]] = {}

    def wait(self, client: str) -> float:
        """0 and the request is counted, or the seconds until it would be allowed."""
        limit = self._switches.rate_limit
        # UNKNOWN (syncro-api.md §1.3): fixed or sliding window is undocumented; sliding (the
        # stricter for a client) by default; switch: Switches.rate_limit_window = "fixed".
        if self._switches.rate_limit_window == "fixed":
            now = self._clock.time()
            index = int(now // WINDOW_SECONDS)
            start, count = self._fixed.get(client, (index, 0))
            count = count if start == index else 0
            if count >= limit:
                return (index + 1) * WINDOW_SECONDS - now
            self._fixed[client] = (index, count + 1)
            return 0.0
        window = self._sliding.setdefault((client, limit), SlidingWindow(limit, WINDOW_SECONDS, self._clock))
        delay = window.wait_time()
        # UNKNOWN (syncro-api.md §1.3): whether refused requests use up the window; only answered
        # ones (a 401 is an answer) count here, in both window types; switch: none.
        if delay <= 0:
            window.record()
        return max(0.0, delay)


def _presented_key(request: web.Request, switches: Switches) -> str | None:
    """``Authorization: Bearer <key>``, else ``?api_key=<key>`` (§1.2)."""
    header = request.headers.get("Authorization", "").strip()
    if header:
        scheme, _, rest = header.partition(" ")
        if scheme.lower() == "bearer" and rest.strip():
            return rest.strip()
        # UNKNOWN (syncro-api.md §1.2): a bare token in the header (SyncroRMM module) is untested;
        # accepted by default; switch: Switches.accept_bare_authorization.
        return header if switches.accept_bare_authorization and not rest else None
    return request.query.get("api_key")


async def _off_spec(emulator: SyncroEmulator, request: web.Request) -> web.Response | None:
    """Strict mode: a 400 naming every way the request breaks the official spec (each recorded)."""
    if emulator.spec is None:
        return None
    raw = await request.read()
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        body = None  # not JSON: the handler answers that itself
    path = request.path[len(API_PREFIX):]
    _, problems = emulator.spec.check_request(request.method, path, list(request.query.items()), body)
    emulator.requests_checked += 1
    if not problems:
        return None
    if emulator.lets_through(problems):
        return None
    emulator.spec_violations += problems
    return ok({"error": "The request breaks Syncro's OpenAPI spec (emulator strict mode): " + "; ".join(problems)},
              status=400)


def build_app(emulator: SyncroEmulator) -> web.Application:
    store = emulator.store
    ctx = Context(store, Renderer(store))

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if (delay := emulator.limiter.wait(request.remote or "")) > 0:
            return emulator.too_many_requests(request, math.ceil(delay))
        key = _presented_key(request, store.switches)
        if key is None or not hmac.compare_digest(key.encode(), emulator.api_key.encode()):
            # UNKNOWN (syncro-api.md §1.2): the body for a bad key is undocumented; the spec's
            # only 401 body is used; switch: none.
            return ok(NOT_ADMIN, status=401)
        refusal = await _off_spec(emulator, request)
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
    for group in (CustomerRoutes, InvoiceRoutes, PaymentRoutes, ProductRoutes, PurchasingRoutes, AccountRoutes):
        for route in group(ctx).routes():
            app.router.add_route(route.method, API_PREFIX + route.path, route.handler)
    served = {(route.method, route.resource.canonical) for route in app.router.routes() if route.resource}
    for route in emulator.extra_routes:
        if (route.method, API_PREFIX + route.path) in served:
            raise ValueError(f"add_routes: {route.method} {route.path} is already served")
        app.router.add_route(route.method, API_PREFIX + route.path, route.handler)
    return app
