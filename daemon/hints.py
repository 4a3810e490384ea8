"""Syncro's notification webhooks, taken as a hint to run a pass now.

Syncro signs nothing and documents no retry (syncro-api.md §3), so a notification is never data:
it only wakes the loop, and the pass that follows reads Syncro as usual. The listener binds
127.0.0.1 (put a TLS reverse proxy in front) and answers only ``POST /syncro/<token>``.
"""

from __future__ import annotations

import hmac
import logging
from typing import Callable

from aiohttp import web

log = logging.getLogger(__name__)


class HintListener:
    def __init__(self, port: int, token: str, wake: Callable[[], None]) -> None:
        self._port = port
        self._token = token
        self._wake = wake
        self._runner: web.AppRunner | None = None
        self.received = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/syncro/{token}", self._hint)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
        log.info("listening for Syncro webhook hints on 127.0.0.1:%d", self._port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _hint(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.match_info["token"], self._token):
            return web.Response(status=404)
        self.received += 1
        self._wake()
        return web.Response(status=202)
