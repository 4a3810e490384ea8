"""Webhooks, taken as hints to run a pass now: Syncro's notifications and Xero's signed events.

Neither is ever data. Syncro signs nothing and documents no retry (syncro-api.md §3); Xero's events
are thin ("this invoice changed", xero-api.md §5). Both only wake the loop, and the pass that
follows reads both APIs as usual. The listener binds 127.0.0.1 (put a TLS reverse proxy in front):

- ``POST /syncro/<token>``: the token in the path is the only check Syncro allows;
- ``POST /xero``: ``x-xero-signature`` must be the base64 HMAC-SHA256 of the raw body under the
  webhook key, else 401; a valid one gets 200 with an empty body at once (Xero's intent-to-receive
  check sends events ``[]`` and expects exactly that).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from typing import Callable

from aiohttp import web

log = logging.getLogger(__name__)


def xero_signature(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def _same(given: str, expected: str) -> bool:
    """Constant-time equality of any text a request carries (compare_digest takes ASCII str only)."""
    return hmac.compare_digest(_raw(given), _raw(expected))


def _raw(text: str) -> bytes:
    # aiohttp hands undecodable request bytes over as surrogates.
    return text.encode("utf-8", "surrogateescape")


class HintListener:
    def __init__(self, port: int, token: str, wake: Callable[[], None], xero_key: str | None = None) -> None:
        self._port = port
        self._token = token
        self._xero_key = xero_key
        self._wake = wake
        self._runner: web.AppRunner | None = None
        self.received = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/syncro/{token}", self._syncro)
        if self._xero_key:
            app.router.add_post("/xero", self._xero)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
        log.info("listening for webhook hints on 127.0.0.1:%d", self._port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _syncro(self, request: web.Request) -> web.Response:
        if not _same(request.match_info["token"], self._token):
            return web.Response(status=404)
        self._hinted()
        return web.Response(status=202)

    async def _xero(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = xero_signature(body, self._xero_key or "")
        if not _same(request.headers.get("x-xero-signature", ""), expected):
            return web.Response(status=401)
        try:
            events = json.loads(body).get("events") or []
        except (ValueError, AttributeError):
            events = []
        if events:
            self._hinted()
        return web.Response(status=200)

    def _hinted(self) -> None:
        self.received += 1
        self._wake()
