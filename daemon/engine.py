"""One Syncro <-> Xero pair: its clients, state and plugins, and the passes it runs (``sync_pass``)."""

from __future__ import annotations

import logging
from typing import Any, Iterable

import aiohttp

from .budget import PassLock, SharedWindow, sidecar
from .clock import Clock, SystemClock
from .config import Config
from .api.results import CheckResult, Drift
from .context import PassContext
from .logs import register_secret
from .plugin_loader import Plugins, load_plugins
from .state import State
from .sync_pass import PASS_ENDING, PassReport, PassRun, Progress
from .syncro import SyncroClient
from .xero.auth import XeroAuth
from .xero.client import XeroClient
from .xero.writer import WriteHooks, XeroWriter

log = logging.getLogger(__name__)


class Engine:
    """Clients, state and plugins of one pair; runs passes."""

    def __init__(
        self,
        *,
        config: Config,
        plugins: Plugins,
        state: State,
        syncro: SyncroClient,
        xero: XeroClient,
        auth: XeroAuth,
        clock: Clock,
        session: aiohttp.ClientSession,
    ) -> None:
        self.config = config
        self.plugins = plugins
        self.state = state
        self.syncro = syncro
        self.xero = xero
        self.auth = auth
        self.clock = clock
        self._session = session
        self.write_hooks = WriteHooks()
        self.concurrency = config.sync.concurrency
        self.pass_lock = PassLock(sidecar(config.state.path, "pass-lock"))

    @classmethod
    async def open(
        cls, config: Config, *, clock: Clock | None = None, extra_plugins: Iterable[tuple[str, object]] = ()
    ) -> "Engine":
        """Load plugins (config problems raise before any network call), open state and clients."""
        clock = clock or SystemClock()
        plugins = load_plugins(config, extra_plugins)
        api_key = config.syncro.api_key.get_secret_value()
        client_secret = config.xero.client_secret.get_secret_value()
        register_secret(api_key)
        register_secret(client_secret)
        if config.xero.webhook_key:
            register_secret(config.xero.webhook_key.get_secret_value())
        register_secret(config.sync.webhook_token.get_secret_value())  # shorter than 4: ignored
        state = await State.open(config.state.path, clock)
        session = aiohttp.ClientSession()
        # One Syncro allowance for every process on this state file (daemon, sync --once, check, ...).
        budget = SharedWindow(sidecar(config.state.path, "syncro-budget"), config.syncro.requests_per_minute, 60, clock)
        syncro = SyncroClient(
            window=budget,
            api_url=config.syncro.api_url,
            api_key=api_key,
            clock=clock,
            requests_per_minute=config.syncro.requests_per_minute,
            timeout=config.syncro.timeout_seconds,
            rate_limit_backoff=config.syncro.rate_limit_backoff_seconds,
            session=session,
            max_pause=config.sync.max_pause_seconds,
        )
        auth = XeroAuth(
            grant=config.xero.grant,
            client_id=config.xero.client_id,
            client_secret=client_secret,
            token_url=config.xero.token_url,
            connections_url=config.xero.connections_url,
            scopes=config.xero.scopes.split(),
            tenant_id=config.xero.tenant_id,
            store=state.tokens,
            clock=clock,
            session=session,
            timeout=config.xero.timeout_seconds,
            on_secret=lambda value: register_secret(value, rotating=True),
        )
        xero = XeroClient(
            api_url=config.xero.api_url,
            auth=auth,
            clock=clock,
            requests_per_minute=config.xero.requests_per_minute,
            max_concurrent=config.xero.max_concurrent,
            daily_limit=config.xero.daily_limit,
            timeout=config.xero.timeout_seconds,
            max_pause=config.sync.max_pause_seconds,
        )
        return cls(
            config=config,
            plugins=plugins,
            state=state,
            syncro=syncro,
            xero=xero,
            auth=auth,
            clock=clock,
            session=session,
        )

    async def close(self) -> None:
        await self.xero.close()
        await self.syncro.close()  # its shared window (the session is closed below)
        await self._session.close()
        await self.state.close()

    async def __aenter__(self) -> "Engine":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- passes -------------------------------------------------------------------------------
    async def run_pass(
        self,
        *,
        dry_run: bool = False,
        only: Iterable[str] | None = None,
        full: bool = False,
        progress: Progress | None = None,
    ) -> PassReport:
        """One pass over the enabled features (or ``only`` these), as the module docstring says."""
        async with self.pass_lock.held():
            if not dry_run:
                await self._queued_retry()
            run = await self._start(dry_run, full, progress)
            wanted = set(only) if only is not None else None
            features = [f for f in self.plugins.features if wanted is None or f.name in wanted]
            return await run.execute(features)

    async def backfill(self, feature: str, progress: Progress | None = None) -> PassReport:
        """Every record of the feature's resources, once: all are treated as changed (idempotent)."""
        async with self.pass_lock.held():
            run = await self._start(False, True, progress)
            run.everything = True
            return await run.execute([self.plugins.feature(feature)])

    async def retry(self, ids: list[str] | None = None) -> PassReport:
        """Replay parked records (all when ``ids`` is None); each is parked again if it still fails."""
        async with self.pass_lock.held():
            run = await self._start(False, False, None)
            return await run.execute_retry(ids)

    async def _queued_retry(self) -> None:
        """Replay what ``retry`` queued from a shell without the API secrets, before the pass."""
        queued = await self.state.take_queued_retry(keep=True)
        if queued == []:
            return
        report = await (await self._start(False, False, None)).execute_retry(queued)
        await self.state.take_queued_retry()  # done: a crash before here replays them again
        log.info("queued retry: %s parked record(s) still parked", report.parked_total)

    async def reconcile(self) -> list[Drift]:
        """Each feature's comparison of Syncro and Xero as they are now (reads only)."""
        run = await self._start(True, False, None)
        drifts: list[Drift] = []
        for feature in self.plugins.features:
            ctx = PassContext(run, feature.name, self.plugins.settings.get(feature.name), None)
            drifts += await feature.reconcile(ctx)
        return drifts

    async def check(self) -> list[CheckResult]:
        """Each feature's own checks against the Xero organisation."""
        run = await self._start(True, False, None)
        results: list[CheckResult] = []
        for feature in self.plugins.features:
            ctx = PassContext(run, feature.name, self.plugins.settings.get(feature.name), None)
            try:
                results += await feature.check(ctx)
            except PASS_ENDING as exc:
                results.append(CheckResult(False, f"plugin {feature.name}", f"could not check: {exc}"))
        return results

    async def _start(self, dry_run: bool, full: bool, progress: Progress | None) -> "PassRun":
        """A pass, ready to run; one that cannot reach Xero's identity service ends at once, reported."""
        unreachable = None
        try:
            tenant = await self.auth.tenant_id()
        except PASS_ENDING as exc:
            tenant, unreachable = "", f"{type(exc).__name__}: {exc}"
        writer = XeroWriter(self.xero, self.state, tenant, dry_run=dry_run, hooks=self.write_hooks)
        return PassRun(self, writer, dry_run=dry_run, full=full, progress=progress, unreachable=unreachable)


async def open_engine(config: Config, **kwargs: Any) -> Engine:
    """Open an engine for ``config`` (for plugin commands and embedders)."""
    return await Engine.open(config, **kwargs)
