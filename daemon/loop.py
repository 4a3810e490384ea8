"""``syncro-xero run``: passes on an interval, under systemd.

Signals are owned here, on the event loop: SIGTERM/SIGINT stop after cancelling the pass in
flight (safe: every Xero write is journaled, and the next start recovers what was in the air);
SIGHUP re-reads the config, validates it whole, and swaps it in only if valid. READY, STATUS,
STOPPING and watchdog pings go to systemd from the loop itself, so a stuck loop is noticed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from pathlib import Path
from typing import Callable

from . import heartbeat, sdnotify
from .config import ConfigError, load_config
from .engine import Engine
from .hints import HintListener
from .metrics import Metrics, MetricsServer
from .reports import status_data
from .plugin_loader import check_config
from .sync_pass import PassReport

log = logging.getLogger(__name__)


class Daemon:
    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self._stop = asyncio.Event()
        self._reload = asyncio.Event()
        self._wake = asyncio.Event()
        self._hint = asyncio.Event()
        self.passes = 0

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _hinted(self) -> None:
        self._hint.set()
        self._wake.set()

    def reload(self) -> None:
        self._reload.set()
        self._wake.set()

    async def run(self) -> int:
        config = load_config(self.config_path)
        engine = await Engine.open(config)
        loop = asyncio.get_running_loop()
        for signum, action in ((signal.SIGTERM, self.stop), (signal.SIGINT, self.stop), (signal.SIGHUP, self.reload)):
            loop.add_signal_handler(signum, action)
        watchdog = asyncio.create_task(_watchdog(lambda: engine.config.sync.stall_seconds))
        hints = None
        metrics = Metrics()
        server = None
        try:  # a port in use: close what is open, or the state's thread keeps the process alive
            if config.sync.webhook_port:
                key = config.xero.webhook_key.get_secret_value() if config.xero.webhook_key else None
                token = config.sync.webhook_token.get_secret_value()
                hints = HintListener(config.sync.webhook_port, token, self._hinted, key)
                await hints.start()
            if config.metrics.port:
                server = MetricsServer(metrics, config.metrics.port, config.sync.interval_seconds,
                                       lambda: status_data(engine.config))
                await server.start()
        except BaseException:
            watchdog.cancel()
            if hints is not None:
                await hints.stop()
            await engine.close()
            raise
        sdnotify.ready()
        log.info("started; a pass every %ss", config.sync.interval_seconds)
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                heartbeat.beat()
                pass_task = asyncio.create_task(engine.run_pass())
                stopper = asyncio.create_task(self._stop.wait())
                await asyncio.wait({pass_task, stopper}, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
                if not pass_task.done():
                    pass_task.cancel()
                    await asyncio.gather(pass_task, return_exceptions=True)
                    break
                self.passes += 1
                _report_status(pass_task)
                if not pass_task.cancelled() and pass_task.exception() is None:
                    metrics.observe(pass_task.result(), engine.xero.stats, time.monotonic() - started, engine.syncro)
                self._wake.clear()
                idle = asyncio.create_task(_idle())  # waiting for the next pass is not a stall
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=engine.config.sync.interval_seconds)
                except asyncio.TimeoutError:
                    pass
                finally:
                    idle.cancel()
                if self._hint.is_set():  # gather a burst of webhook hints into one pass
                    self._hint.clear()
                    await asyncio.sleep(engine.config.sync.webhook_debounce_seconds)
                if self._reload.is_set():
                    self._reload.clear()
                    engine = await self._reloaded(engine)
        finally:
            sdnotify.stopping()
            watchdog.cancel()
            if hints is not None:
                await hints.stop()
            if server is not None:
                await server.stop()
            await engine.close()
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(signum)
        log.info("stopped")
        return 0

    async def _reloaded(self, engine: Engine) -> Engine:
        sdnotify.reloading()
        try:
            config = check_config(self.config_path)  # every problem found before anything is swapped
        except ConfigError as error:
            log.error("reload refused, still running the previous config:\n%s", error)
            sdnotify.status("reload refused: config invalid (see journal)")
            sdnotify.ready()
            return engine
        await engine.close()
        fresh = await Engine.open(config)
        log.info("config reloaded")
        sdnotify.ready()
        return fresh


def _report_status(task: "asyncio.Task[PassReport]") -> None:
    if task.cancelled():
        return
    if (error := task.exception()) is not None:
        log.error("pass failed: %s", error)
        sdnotify.status(f"last pass failed: {type(error).__name__}")
        return
    report = task.result()
    changed = sum(c.created + c.updated + c.deleted for c in report.counts.values())
    text = f"last pass: {changed} written, {report.parked_total} parked"
    if report.error:
        text += f", ended early ({report.error})"
    sdnotify.status(text)


async def _watchdog(stall_seconds: Callable[[], float]) -> None:
    """Ping while work progresses; a pass with nothing completed for ``stall_seconds`` is stuck, so
    the pings stop and systemd restarts the daemon (every write is journaled: that is safe)."""
    interval = sdnotify.watchdog_interval()
    if interval is None:
        return
    stalled = False
    while True:
        quiet = heartbeat.quiet_for()
        if quiet < stall_seconds():
            sdnotify.watchdog()
            stalled = False
        elif not stalled:
            stalled = True
            log.error("no progress for %.0f s: the pass is stuck; watchdog pings stopped so systemd restarts it", quiet)
            sdnotify.status(f"stuck: no progress for {quiet:.0f} s")
        await asyncio.sleep(interval)


async def _idle() -> None:
    while True:
        heartbeat.beat()
        await asyncio.sleep(1)
