"""Test helpers: a strict-mode emulator, and a small async client with Xero's headers handled.

    async with strict_emulator(clock, "tests/specs") as emulator, XeroTestClient(emulator) as xero:
        status, headers, body = await xero.get("/Contacts", params={"page": "1"})
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Iterable

import aiohttp

from ...clock import Clock
from .app import API_PREFIX, XeroEmulator
from .wire import loads


@asynccontextmanager
async def strict_emulator(
    clock: Clock, spec_dir: str | Path, extensions: Iterable[Any] = (), **kw: Any
) -> AsyncIterator[XeroEmulator]:
    """A running emulator in strict mode; on exit, fails if any exchange broke the official spec.

    ``spec_dir`` holds ``xero_accounting.yaml`` and ``xero-identity.yaml``; ``extensions`` are
    emulator extensions applied before it starts (:mod:`..extensions`).
    """
    from ..extensions import extend

    spec_dir = Path(spec_dir)
    emulator = XeroEmulator(
        clock,
        validate_against_spec=spec_dir / "xero_accounting.yaml",
        identity_spec=spec_dir / "xero-identity.yaml",
        **kw,
    )
    extend(emulator, extensions)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()
    assert not emulator.spec_violations, "\n".join(emulator.spec_violations)


class XeroTestClient:
    """Talks to one tenant of a running :class:`~.app.XeroEmulator` over loopback HTTP."""

    def __init__(self, emulator: Any, tenant_id: str | None = None, access_token: str | None = None) -> None:
        self.emulator = emulator
        self.tenant_id = tenant_id or emulator.default_tenant_id
        self.access_token = access_token or emulator.issue_token()["access_token"]
        self.session = aiohttp.ClientSession()

    async def __aenter__(self) -> "XeroTestClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()

    def headers(self, **extra: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.access_token}",
            "xero-tenant-id": self.tenant_id,
            "Accept": "application/json",
            **extra,
        }

    async def call(
        self, method: str, path: str, *, json: Any = None, params: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], Any]:
        """``(status, headers, body)``; JSON bodies are parsed with Decimal numbers."""
        url = f"{self.emulator.url}{API_PREFIX}{path}"
        async with self.session.request(
            method, url, json=json, params=params, headers=self.headers(**(headers or {}))
        ) as response:
            raw = await response.read()
            body: Any = raw.decode() if raw else None
            if raw and response.content_type == "application/json":
                body = loads(raw)
            return response.status, dict(response.headers), body

    async def get(self, path: str, **kw: Any) -> tuple[int, dict[str, str], Any]:
        return await self.call("GET", path, **kw)

    async def put(self, path: str, json: Any, **kw: Any) -> tuple[int, dict[str, str], Any]:
        return await self.call("PUT", path, json=json, **kw)

    async def post(self, path: str, json: Any, **kw: Any) -> tuple[int, dict[str, str], Any]:
        return await self.call("POST", path, json=json, **kw)

    async def delete(self, path: str, **kw: Any) -> tuple[int, dict[str, str], Any]:
        return await self.call("DELETE", path, **kw)
