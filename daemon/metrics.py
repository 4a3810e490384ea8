"""Prometheus metrics and a status page for ``syncro-xero run``, on 127.0.0.1 ([metrics] port).

- ``/metrics``: passes, records per feature and outcome, parked records, API calls, Xero's
  remaining allowances, the time of each feature's last good pass (prometheus-client, the official
  client; names follow Prometheus' conventions and carry no record ids);
- ``/healthz``: 200 while the loop has finished a pass within three intervals (liveness);
- ``/status``: what ``syncro-xero status --json`` prints.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from . import __version__
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
        info = Gauge("syncro_xero_build_info", "Version", ["version"], registry=self.registry)
        info.labels(__version__).set(1)
        self.last_pass_end = 0.0

    def observe(self, report: PassReport, xero_stats: Any) -> None:
        """Count what one pass did."""
        self.passes.labels("error" if report.error else "parked" if report.parked_total else "ok").inc()
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
        self.last_pass_end = now


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

    async def _status_page(self, request: web.Request) -> web.Response:
        return web.Response(text=json.dumps(await self._status(), indent=2, default=str),
                            content_type="application/json")
