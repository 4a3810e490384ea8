"""``/settings`` (the account's locale and time zone) and ``/me`` (the token's owner)."""

from __future__ import annotations

from aiohttp import web

from .api import Routes, ok


class AccountRoutes(Routes):
    def routes(self) -> list[web.RouteDef]:
        return [web.get("/settings", self.settings), web.get("/me", self.me)]

    async def settings(self, request: web.Request) -> web.Response:
        return ok(self.render.settings())

    async def me(self, request: web.Request) -> web.Response:
        return ok(self.render.me())
