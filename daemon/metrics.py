"""Prometheus metrics and a status page for ``syncro-xero run``, on 127.0.0.1 ([metrics] port).

- ``/metrics``: passes, records per feature and outcome, parked records, API calls, Xero's
  remaining allowances, the time of each feature's last good pass (prometheus-client, the official
  client; names follow Prometheus' conventions and carry no record ids);
- ``/healthz``: 200 while the loop has finished a pass within three intervals (liveness);
- ``/status``: a page a person reads: passes per feature, parked records with their reasons, the
  rate-limit budget left, the last error; ``/status.json``: the data behind it (what
  ``syncro-xero status --json`` prints, plus the daemon's live figures).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .version import __version__
from .status_page import render_status_page
from .sync_pass import PassReport

log = logging.getLogger(__name__)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.passes = Counter("syncro_xero_passes", "Sync passes by result", ["result"], registry=self.registry)
        self.records = Counter(
            "syncro_xero_records", "Records handled by feature and outcome", ["plugin", "outcome"], registry=self.registry
        )
        self.parked = Gauge("syncro_xero_parked_records", "Records parked, waiting for a person", registry=self.registry)
        self.api_calls = Counter("syncro_xero_api_requests", "Requests sent", ["api"], registry=self.registry)
        self.xero_remaining = Gauge(
            "syncro_xero_xero_rate_limit_remaining", "Xero's remaining allowance", ["window"], registry=self.registry
        )
        self.last_success = Gauge(
            "syncro_xero_last_success_timestamp_seconds", "End of the feature's last pass without error",
            ["plugin"], registry=self.registry,
        )
        self.pass_seconds = Histogram(
            "syncro_xero_pass_duration_seconds", "Wall time of a sync pass", registry=self.registry,
            buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600),
        )
        self.rate_limited = Counter(
            "syncro_xero_rate_limited_responses", "429 answers received, by API", ["api"], registry=self.registry
        )
        info = Gauge("syncro_xero_build_info", "Version", ["version"], registry=self.registry)
        info.labels(__version__).set(1)
        self.last_pass_end = 0.0
        #: What the status page shows of the daemon itself (the rest is in the state file).
        self.live: dict[str, Any] = {"last_pass_at": None, "last_pass_seconds": None, "last_result": None,
                                     "last_error": None, "last_error_at": None, "rate_limit": {}}
        self._seen_429: dict[str, int] = {}

    def observe(self, report: PassReport, xero_stats: Any, seconds: float = 0.0, syncro: Any = None) -> None:
        """Count what one pass did; the pass is labelled by what it did itself, not by older parked records."""
        result = "error" if report.error else "parked" if any(c.parked for c in report.counts.values()) else "ok"
        self.passes.labels(result).inc()
        self.pass_seconds.observe(seconds)
        now = time.time()
        for plugin, counts in report.counts.items():
            for outcome, value in counts.as_dict().items():
                self.records.labels(plugin, outcome).inc(value)
            if not report.error:
                self.last_success.labels(plugin).set(now)
        self.parked.set(report.parked_total)
        self.api_calls.labels("syncro").inc(report.syncro_calls)
        self.api_calls.labels("xero_write").inc(report.xero_calls)
        for window, value in (("minute", xero_stats.min_remaining), ("day", xero_stats.day_remaining)):
            if value is not None:
                self.xero_remaining.labels(window).set(value)
        self._count_429("xero", xero_stats.rate_limited)
        budget = {"xero_minute": xero_stats.min_remaining, "xero_day": xero_stats.day_remaining}
        if syncro is not None:
            self._count_429("syncro", syncro.rate_limited)
            budget["syncro_minute"] = syncro.budget_left()
        self.last_pass_end = now
        self.live.update(last_pass_at=now, last_pass_seconds=round(seconds, 3), last_result=result, rate_limit=budget)
        if report.error:
            self.live.update(last_error=report.error, last_error_at=now)

    def _count_429(self, api: str, total: int) -> None:
        """Add the 429s a client counted since the last pass (a reload starts a new client at 0)."""
        seen = self._seen_429.get(api, 0)
        self.rate_limited.labels(api).inc(total - seen if total >= seen else total)
        self._seen_429[api] = total


class MetricsServer:
    def __init__(self, metrics: Metrics, port: int, interval: float, status: Callable[[], Awaitable[Any]]) -> None:
        self._metrics = metrics
        self._port = port
        self._interval = interval
        self._status = status
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics_page)
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/status", self._status_page)
        app.router.add_get("/status.json", self._status_json)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
        log.info("metrics and status on 127.0.0.1:%d", self._port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _metrics_page(self, request: web.Request) -> web.Response:
        body = generate_latest(self._metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _health(self, request: web.Request) -> web.Response:
        last = self._metrics.last_pass_end
        alive = last and time.time() - last < 3 * self._interval + 60
        return web.Response(status=200 if alive else 503, text="ok\n" if alive else "no recent pass\n")

    async def _data(self) -> dict[str, Any]:
        return {**await self._status(), "daemon": self._metrics.live}

    async def _status_page(self, request: web.Request) -> web.Response:
        return web.Response(text=render_status_page(await self._data()), content_type="text/html")

    async def _status_json(self, request: web.Request) -> web.Response:
        return web.Response(text=json.dumps(await self._data(), indent=2, default=str),
                            content_type="application/json")
