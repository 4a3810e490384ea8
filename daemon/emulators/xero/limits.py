"""Xero's rate limits on the emulator's clock (xero-api.md §2).

Per tenant: 60 calls a minute, 5,000 a day (rolling 24 h) and 5 in flight; app-wide 10,000 a
minute. A refused call answers 429 with ``Retry-After`` and ``X-Rate-Limit-Problem`` and is not
counted; every answered tenant call carries the three ``X-…-Remaining`` headers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aiohttp import web

from ...clock import Clock
from ...ratelimit import SlidingWindow
from .config import DAY, XeroConfig


@dataclass
class Refusal:
    problem: str  # X-Rate-Limit-Problem
    retry_after: int


class _Tenant:
    def __init__(self, config: XeroConfig, clock: Clock) -> None:
        self.minute = SlidingWindow(config.minute_limit, 60.0, clock)
        # UNKNOWN (xero-api.md §2, [S] N1): the day window "resets at a different time for each
        # tenant"; a rolling 24 h window here; switch: XeroConfig.day_limit (e.g. 1000 Starter).
        self.day = SlidingWindow(config.day_limit, DAY, clock)
        self.in_flight = 0


class Limits:
    """Counts calls per tenant and app-wide; windows are built from the config on first use."""

    def __init__(self, config: XeroConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.app_minute = SlidingWindow(config.app_minute_limit, 60.0, clock)
        self._tenants: dict[str, _Tenant] = {}

    def _tenant(self, tenant_id: str) -> _Tenant:
        if tenant_id not in self._tenants:
            self._tenants[tenant_id] = _Tenant(self.config, self.clock)
        return self._tenants[tenant_id]

    def in_flight(self, tenant_id: str) -> int:
        return self._tenant(tenant_id).in_flight

    def admit(self, tenant_id: str | None) -> Refusal | None:
        """Count one call (and hold a concurrency slot for a tenant call), or say why not."""
        # UNKNOWN (xero-api.md §2): whether refused calls count against the windows; they do not.
        if tenant_id is None:
            if (wait := self.app_minute.wait_time()) > 0:
                return Refusal(self.config.app_minute_problem, _seconds(wait))
            self.app_minute.record()
            return None
        tenant = self._tenant(tenant_id)
        if tenant.in_flight >= self.config.concurrent_limit:
            return Refusal(self.config.concurrent_problem, self.config.concurrent_retry_after)
        for window, problem in (
            (tenant.day, "day"),
            (tenant.minute, "minute"),
            (self.app_minute, self.config.app_minute_problem),
        ):
            if (wait := window.wait_time()) > 0:
                return Refusal(problem, _seconds(wait))
        tenant.day.record()
        tenant.minute.record()
        self.app_minute.record()
        tenant.in_flight += 1
        return None

    def release(self, tenant_id: str) -> None:
        self._tenant(tenant_id).in_flight -= 1

    def headers(self, tenant_id: str | None) -> dict[str, str]:
        """The remaining-calls headers; tenant-less calls get only the app-wide one."""
        headers = {"X-AppMinLimit-Remaining": str(self.app_minute.remaining())}
        if tenant_id is not None:
            tenant = self._tenant(tenant_id)
            headers["X-DayLimit-Remaining"] = str(tenant.day.remaining())
            headers["X-MinLimit-Remaining"] = str(tenant.minute.remaining())
        return headers

    def refusal_response(self, refusal: Refusal, tenant_id: str | None) -> web.Response:
        # UNKNOWN (xero-api.md §2): the 429 body; the emulator sends none, with the remaining-calls
        # headers as in a captured day-limit answer ([S] third-party capture).
        headers = {
            "Retry-After": str(refusal.retry_after),
            "X-Rate-Limit-Problem": refusal.problem,
            **self.headers(tenant_id),
        }
        return web.Response(status=429, headers=headers)


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))
