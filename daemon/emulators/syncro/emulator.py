"""The Syncro emulator: a faithful local stand-in for ``https://{subdomain}.syncromsp.com/api/v1``."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Iterable

from aiohttp import web

from ...clock import Clock
from ..base import Emulator
from .app import API_PREFIX, ClientLimiter, build_app
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
        return build_app(self)

    def too_many_requests(self, request: web.Request, retry_after: int) -> web.Response:
        # UNKNOWN (syncro-api.md §1.3): the 429 body and Retry-After are undocumented (S16: no
        # Retry-After). Default: Rack::Attack's stock answer, plain "Retry later" without the
        # header; switch: Switches.rate_limit_body = "json", Switches.rate_limit_retry_after.
        headers = {"Retry-After": str(retry_after)} if self.switches.rate_limit_retry_after else {}
        if self.switches.rate_limit_body == "json":
            return web.json_response({"error": "Rate limit exceeded"}, status=429, headers=headers)
        return web.Response(status=429, text="Retry later\n", headers=headers)
