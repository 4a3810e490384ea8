"""What the emulator's aiohttp application is made of: the routes under ``/api/v1`` and the parts of
its one middleware (Syncro's rate limit per client, the API key); ``SyncroEmulator.build_app``
assembles them."""

from __future__ import annotations

from collections.abc import Iterator

from aiohttp import web
from aiohttp.typedefs import Handler

from ...clock import Clock
from ...ratelimit import SlidingWindow
from .api import Context
from .render import Renderer
from .routes_account import AccountRoutes
from .routes_customers import CustomerRoutes
from .routes_invoices import InvoiceRoutes
from .routes_payments import PaymentRoutes
from .routes_products import ProductRoutes
from .routes_purchasing import PurchasingRoutes
from .store import SyncroStore
from .switches import Switches

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


def presented_key(request: web.Request, switches: Switches) -> str | None:
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


def api_routes(store: SyncroStore) -> Iterator[tuple[str, str, Handler]]:
    """The built-in routes: (method, path under ``/api/v1``, handler)."""
    ctx = Context(store, Renderer(store))
    for group in (CustomerRoutes, InvoiceRoutes, PaymentRoutes, ProductRoutes, PurchasingRoutes, AccountRoutes):
        for route in group(ctx).routes():
            yield route.method, API_PREFIX + route.path, route.handler
