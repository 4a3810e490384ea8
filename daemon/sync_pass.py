"""One sync pass of one Syncro <-> Xero pair.

A pass, in order (each step fires once per pass unless it says otherwise):

1. **recover**: journal rows a crash left at ``sent`` are looked up in Xero and settled;
2. for each enabled feature, dependencies first:
   a. **fetch** each Syncro resource it consumes, the cheapest way its strategy allows (shared by
      features with the same cursor);
   b. **detect** what changed against what the feature acknowledged (``changes.detect``);
   c. **handle** each change, many at once: ``feature.handle(change, ctx)`` once per change, its
      writes coalesced into Xero batches; the change is acknowledged when handled or parked;
   d. move the feature's cursor past what is acknowledged;
3. for each feature with ``xero_resources``, poll Xero with If-Modified-Since and call
   ``feature.reverse(change, ctx)`` once per changed Xero record;
4. record the pass per feature for ``status``.

A failure that is not about one record (out of daily calls, credentials refused, recovery or a
feature's ``prepare`` impossible) ends the pass; one request that keeps failing fails only its own
record, or its feature when it was the feature's list, for this pass (``failures.py`` says which
failure means what). Nothing unacknowledged is lost: the next pass tries again. A record waiting
for something (``Defer``) waits a bounded number of passes, then is parked with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Protocol

from pydantic import BaseModel

from . import heartbeat
from .api.errors import PluginMisuse, XeroRejected
from .api.feature import Feature
from .api.jsonutil import digest
from .api.links import Link
from .api.outcomes import Change, Defer, Park
from .api.resources import SyncroResource
from .api.syncro_writes import SyncroWrite
from .changes import Detected, detect, readable_instant
from .clock import Clock
from .config import Config
from .context import PassContext
from .counts import PassCounts
from .failures import STOPS_THE_PASS, is_transient, one_line, raised_by
from .packed import Listing
from .plugin_loader import Plugins
from .state import State, parked_id
from .syncro import SyncroAuthError, SyncroClient, SyncroNotFound, SyncroUnavailable
from .syncro.details import Details, list_pages_cursor
from .syncro.polling import STRATEGIES, Fetched, Window
from .syncro.writer import SyncroWriter
from .xero.client import XeroClient
from .xero.errors import (
    XeroAuthError,
    XeroDailyLimitReached,
    XeroForbidden,
    XeroUnavailable,
)
from .xero.writer import ID_FIELDS, XeroWriter

log = logging.getLogger(__name__)


class PassEngine(Protocol):
    """What a pass needs of the engine that runs it (``engine.Engine`` provides it)."""

    config: Config
    plugins: Plugins
    state: State
    syncro: SyncroClient
    xero: XeroClient
    clock: Clock
    concurrency: int

#: Failures that keep a pass from starting at all (the engine's own reads, ``check``).
PASS_ENDING = (
    XeroUnavailable,
    XeroDailyLimitReached,
    XeroAuthError,
    XeroForbidden,
    SyncroUnavailable,
    SyncroAuthError,
)

Progress = Callable[[str, int, int], None]

#: How a dry run words each count: what a real pass would do, never that something was done.
DRY_RUN_WORDS = {"created": "would create", "updated": "would update", "deleted": "would delete",
                 "parked": "would park"}


class PassAborted(Exception):
    """The pass could not go on (see ``failures.py``)."""


class ReadFailedForNow(Exception):
    """A feature's Syncro list could not be read this pass: that feature waits for the next one."""


@dataclass
class PassReport:
    """What one pass did."""

    dry_run: bool = False
    counts: dict[str, PassCounts] = field(default_factory=dict)
    planned: list[Any] = field(default_factory=list)
    #: In a dry run, the Syncro writes a real pass would make (``SyncroWrite``s).
    planned_syncro: list[SyncroWrite] = field(default_factory=list)
    waiting: list[tuple[str, str, str]] = field(default_factory=list)
    #: Records (or a feature's list, record "") that failed for this pass only, with the reason.
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    #: Waits the daemon bounds (not a plugin's own, e.g. a Xero contact until it is invoiced).
    bounded_waits: int = 0
    error: str | None = None
    recovered: dict[str, int] = field(default_factory=dict)
    syncro_calls: int = 0
    xero_calls: int = 0
    #: Records parked once the pass is over (in a dry run: once a real pass would be over).
    parked_total: int = 0

    @property
    def ok(self) -> bool:
        """Everything is in sync: nothing parked, failed or waiting, and the pass ran to its end."""
        return self.error is None and self.parked_total == 0 and not self.failed and not self.bounded_waits


class PassRun:
    """The working memory of one pass: caches, the writer, the counts."""

    def __init__(
        self,
        engine: PassEngine,
        writer: XeroWriter,
        *,
        dry_run: bool,
        full: bool,
        progress: Progress | None,
        unreachable: str | None = None,
    ):
        self.engine = engine
        self.writer = writer
        self.syncro_writer = SyncroWriter(engine.syncro, engine.state, dry_run=dry_run)
        self.dry_run = dry_run
        self.full = full
        self.everything = False  # backfill: handle every record, changed or not
        self.progress = progress
        self.clock = engine.clock
        self.state = engine.state
        self.state.links.forget_read()  # another process may have changed links since the last pass
        self.syncro = engine.syncro
        self.report = PassReport(dry_run=dry_run)
        self._unreachable = unreachable
        self._fetches: dict[tuple[str, datetime | None, bool], asyncio.Task[Fetched]] = {}
        self.details = Details(self)
        self._listed: dict[str, Listing] = {}  # complete listings made this pass
        self._relisted: dict[str, asyncio.Task[list[dict[str, Any]]]] = {}
        self._knowing: dict[str, asyncio.Future[None]] = {}
        self._xero_lists: dict[tuple[str, tuple[tuple[str, str], ...]], asyncio.Task[list[dict[str, Any]]]] = {}
        #: Xero resource -> when a reverse feature polled it, and the UpdatedDateUTC of each record it saw.
        self._xero_polled: dict[str, tuple[datetime, dict[str, Any]]] = {}
        self._xero_since_poll: dict[str, asyncio.Task[set[str]]] = {}
        self._ensured: dict[tuple[str, str], asyncio.Task[None]] = {}
        self.memo: dict[str, dict[str, Any]] = {}
        #: In a dry run, the links the planned writes would make, so dependants plan too.
        self.dry_links: dict[tuple[str, str], Link] = {}
        #: In a dry run, the parked ids a real pass would add and release (its exit code says so).
        self._would_park: set[str] = set()
        self._would_release: set[str] = set()
        self._syncro_calls_before = engine.syncro.calls
        self._waits: dict[str, str] = {}  # "wait:<parked id>" -> "<first_at> <passes>", from the state

    @property
    def plugins(self) -> Plugins:
        return self.engine.plugins

    # -- the pass -----------------------------------------------------------------------------
    async def execute(self, features: list[Feature]) -> PassReport:
        try:
            self._reachable()
            await self._load_waits()
            if not self.dry_run:
                self.report.recovered = await self._needed(self.writer.recover(), "settling unanswered Xero writes")
            await self._prepare(self.engine.plugins.features)  # what the chosen features rely on, too
            first = [f for f in features if f.xero_resources and f.reverse_first and await self._polled_before(f)]
            for feature in first:
                await self._run_reverse(feature)
            forward = [f for f in features if f.syncro_resources]
            for index, feature in enumerate(forward):
                await self._run_feature(feature)
                self._release(set().union(*(self._reads(f) for f in forward[index + 1:])))
            for feature in features:
                if feature.xero_resources and feature not in first:
                    await self._run_reverse(feature)
        except PassAborted as exc:
            self.report.error = str(exc)
            log.error("pass ended early: %s", exc)
        except Exception as exc:  # a core bug: one line, and the traceback at debug level
            self.report.error = one_line(exc)
            log.error("pass ended early: %s", self.report.error)
            log.debug("pass ended early", exc_info=True)
        finally:
            await self.writer.drain()
        return await self._finish()

    async def execute_retry(self, ids: list[str] | None) -> PassReport:
        parked = await self.state.parked.all()
        chosen = [p for p in parked if ids is None or p.id in set(ids)]
        try:
            self._reachable()
            await self._load_waits()
            self.report.recovered = await self._needed(self.writer.recover(), "settling unanswered Xero writes")
            await self._prepare(self.engine.plugins.features)
            for feature in self.engine.plugins.features:
                mine = [p for p in chosen if p.feature == feature.name]
                if not mine:
                    continue
                changes = [Change.from_json(p.change) for p in mine]
                for source in ("syncro", "xero"):  # a parked Xero change is replayed through reverse()
                    detected = [Detected(c, "", None) for c in changes if c.source == source]
                    if detected:
                        await self._dispatch(feature, detected, reverse=source == "xero", retrying=True)
        except PassAborted as exc:
            self.report.error = str(exc)
        except Exception as exc:
            self.report.error = one_line(exc)
            log.error("retry ended early: %s", self.report.error)
            log.debug("retry ended early", exc_info=True)
        finally:
            await self.writer.drain()
        return await self._finish()

    async def _prepare(self, features: list[Feature]) -> None:
        """Each feature's ``prepare``, dependencies first; a Xero refusal here parks nothing but is
        reported, and the features that need it will park their own records."""
        for feature in features:
            ctx = PassContext(self, feature.name, self.engine.plugins.settings.get(feature.name), None)
            try:
                await self._needed(feature.prepare(ctx), f"preparing {feature.name}")
            except (Park, XeroRejected) as exc:
                ctx.notes.append(f"not ready: {exc}")
                log.warning("feature %s not ready: %s", feature.name, exc)
            except PassAborted:
                raise
            except Exception as exc:  # the features that need it park their own records
                ctx.notes.append(f"not ready: {one_line(exc)}")
                log.error("feature %s not ready: %s", feature.name, one_line(exc))
            if ctx.notes:
                self.report.counts.setdefault(feature.name, PassCounts()).notes.extend(ctx.notes)

    async def _needed(self, awaitable: Awaitable[Any], what: str) -> Any:
        """Work the rest of the pass relies on: if it fails for now, the pass ends."""
        try:
            return await self._guard(awaitable)
        except PassAborted:
            raise
        except Exception as exc:
            if is_transient(exc):
                raise PassAborted(f"{what} failed for now ({one_line(exc)}); the next pass tries again") from exc
            raise

    def _reachable(self) -> None:
        if self._unreachable:
            raise PassAborted(self._unreachable)

    async def _finish(self) -> PassReport:
        self.report.planned = list(self.writer.planned)
        self.report.planned_syncro = list(self.syncro_writer.planned)
        self.report.syncro_calls = self.syncro.calls - self._syncro_calls_before
        self.report.xero_calls = self.writer.calls
        if self.dry_run:
            parked_now = {p.id for p in await self.state.parked.all()}
            self.report.parked_total = len((parked_now - self._would_release) | self._would_park)
        else:
            self.report.parked_total = await self.state.parked.count()
        return self.report

    async def _recorded(self, feature: Feature, body: Awaitable[None]) -> None:
        """Run one feature's part of the pass and record it for ``status`` (not in a dry run)."""
        run_id = None if self.dry_run else await self.state.runs.start(feature.name)
        counts = self.report.counts.setdefault(feature.name, PassCounts())
        error = None
        started = self.clock.time()
        try:
            await body
        except PassAborted as exc:
            error = str(exc)
            raise
        except Exception as exc:  # e.g. pass_finished of a plugin: this feature only
            error = one_line(exc)
            self.report.failed.append((feature.name, "", error))
            log.error("%s failed: %s", feature.name, error)
        finally:
            outcome = "failed" if error else ("partial" if counts.parked or counts.waiting else "ok")
            if run_id is not None:
                await self.state.runs.finish(run_id, outcome, counts.as_dict(), error)
            log.info("%s", _summary(feature.name, counts, outcome, self.clock.time() - started, self.dry_run))

    async def _run_feature(self, feature: Feature) -> None:
        await self._recorded(feature, self._forward(feature))

    async def _forward(self, feature: Feature) -> None:
        for name in feature.syncro_resources:
            resource = self.engine.plugins.resources[name]
            since = await self._cursor(feature.name, name)
            try:
                fetched = _sound(self, feature, name, await self.fetch(resource, since))
            except Exception as exc:
                if isinstance(exc, PassAborted) or not is_transient(exc):
                    raise
                raise ReadFailedForNow(
                    f"reading Syncro's {name} failed for now ({one_line(exc)}); the next pass tries again"
                ) from exc
            acked = await self.state.records.digests(feature.name, "syncro", name)
            if self.everything:
                acked = {}  # backfill: every record is handed over; unchanged payloads are not rewritten
            detected = detect("syncro", name, fetched.records, acked, complete=fetched.complete)
            detected = await self._with_previous(feature, "syncro", name, detected)
            if resource.needs_detail:
                self.details.remember(feature.name, name, acked, (d.change.record_id for d in detected))
                self._knowing.setdefault(name, _done())  # what know_unchanged would do is done
                await self.details.prefetch(resource, [(d.change.record_id, d.packed) for d in detected if d.packed])
            pending = await self._dispatch(feature, detected, resource=resource)
            if not self.dry_run:
                await self._advance_cursor(feature.name, name, fetched, pending)
        await feature.pass_finished(PassContext(self, feature.name, self.engine.plugins.settings.get(feature.name), None))

    async def _polled_before(self, feature: Feature) -> bool:
        """Whether every Xero cursor of the feature has started (its first pass starts them)."""
        for resource in feature.xero_resources:
            if await self.state.cursors.get(f"xero:{resource}:{feature.name}") is None:
                return False
        return True

    async def _run_reverse(self, feature: Feature) -> None:
        await self._recorded(feature, self._reverse(feature))

    async def _reverse(self, feature: Feature) -> None:
        for resource in feature.xero_resources:
            cursor_name = f"xero:{resource}:{feature.name}"
            cursor = await self.state.cursors.get(cursor_name)
            started = self.clock.now()
            if cursor is None:
                # First run: Xero's history before the feature was switched on is not replayed.
                if not self.dry_run:
                    await self.state.cursors.set(cursor_name, started.isoformat())
                continue
            since = datetime.fromisoformat(cursor) - timedelta(seconds=1)
            params = feature.xero_params.get(resource)
            try:
                records = await self._guard(self.engine.xero.get(resource, params=params, if_modified_since=since))
            except PassAborted:
                raise
            except Exception as exc:
                if not is_transient(exc):
                    raise
                reason = f"reading Xero's {resource} failed for now ({one_line(exc)}); the next pass tries again"
                self.report.failed.append((feature.name, "", reason))
                log.error("%s: %s", feature.name, reason)
                continue
            acked = await self.state.records.digests(feature.name, "xero", resource)
            id_field = ID_FIELDS.get(resource, "ID")
            _, seen = self._xero_polled.setdefault(resource, (started, {}))
            seen.update({str(r.get(id_field, "")): r.get("UpdatedDateUTC") for r in records})
            theirs = records if feature.sees_own_writes else await self._not_own_writes(feature, resource, records, id_field)
            detected = detect(
                "xero", resource, theirs, acked, complete=False, id_field=id_field, updated_field="UpdatedDateUTC"
            )
            detected = await self._with_previous(feature, "xero", resource, detected)
            pending = await self._dispatch(feature, detected, reverse=True)
            if not self.dry_run:
                stamps = [t for r in records if (t := readable_instant(r.get("UpdatedDateUTC")))]
                held = [readable_instant(p.updated_at) for p in pending]
                if None in held:
                    continue  # a pending change without a readable time: keep the cursor where it is
                # never past a change still waiting: the next If-Modified-Since must return it again
                target = min(held) - timedelta(seconds=1) if held else max(stamps, default=started)  # type: ignore
                await self.state.cursors.set(cursor_name, target.isoformat())

    async def _with_previous(self, feature: Feature, source: str, resource: str, detected: list[Detected]) -> list[Detected]:
        """The changes with the versions the feature last acknowledged (detection compared digests only)."""
        ids = [d.change.record_id for d in detected if d.change.op != "created"]
        if not ids:
            return detected
        before = await self.state.records.records(feature.name, source, resource, ids)
        return [
            d if d.change.op == "created" else replace(d, change=replace(d.change, previous=before.get(d.change.record_id)))
            for d in detected
        ]

    async def _not_own_writes(
        self, feature: Feature, resource: str, records: list[dict[str, Any]], id_field: str
    ) -> list[dict[str, Any]]:
        """The polled records someone else changed: a record exactly as the daemon's own last write
        left it (Xero answered that write with this ``UpdatedDateUTC``) is acknowledged unread."""
        answered = await self.state.journal.answered_versions([str(r.get(id_field)) for r in records])
        theirs = []
        for record in records:
            record_id = str(record.get(id_field))
            if record.get("UpdatedDateUTC") is None or answered.get(record_id) != record.get("UpdatedDateUTC"):
                theirs.append(record)
            elif not self.dry_run:
                await self.state.records.ack(feature.name, "xero", resource, record_id, digest(record), record,
                                             record.get("UpdatedDateUTC"))
        return theirs

    # -- dispatching ---------------------------------------------------------------------------
    async def _dispatch(
        self,
        feature: Feature,
        detected: list[Detected],
        *,
        resource: SyncroResource | None = None,
        reverse: bool = False,
        retrying: bool = False,
    ) -> list[Detected]:
        """Handle every change concurrently; returns the ones left unacknowledged."""
        counts = self.report.counts.setdefault(feature.name, PassCounts())
        settings = self.engine.plugins.settings.get(feature.name)
        parked = {p.record_id for p in await self.state.parked.all(feature.name)}
        pending: list[Detected] = []
        done = 0
        items = iter(detected)

        async def worker() -> None:  # as many as run at once, not one task per change (memory)
            nonlocal done
            for item in items:
                handled = await self._handle(feature, settings, item, counts, parked, resource, reverse, retrying)
                if not handled:
                    pending.append(item)
                done += 1
                if self.progress:
                    self.progress(feature.name, done, len(detected))

        tasks = [asyncio.create_task(worker()) for _ in range(min(self.engine.concurrency, len(detected)))]
        if tasks:
            finished, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            failure = next((t.exception() for t in finished if t.exception() is not None), None)
            if failure is not None:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise failure
        return pending

    async def _handle(
        self,
        feature: Feature,
        settings: BaseModel | None,
        item: Detected,
        counts: PassCounts,
        parked: set[str],
        resource: SyncroResource | None,
        reverse: bool,
        retrying: bool,
    ) -> bool:
        """Handle one change; True when it is acknowledged (synced, skipped or parked)."""
        change = item.unpacked()
        self.writer.handler_started()
        try:
            if resource is not None and resource.needs_detail and change.record is not None and not retrying:
                detail = await self._guard(self.syncro_record(resource.name, change.record_id))
                change = Change(change.source, change.resource, change.op, change.record_id, detail, change.previous)
            if resource is not None and change.op == "deleted" and not retrying and await self._still_there(
                resource, change.record_id
            ):
                counts.skipped += 1  # missing from a list, but Syncro still has it: never act on that
                return True
            ctx = PassContext(self, feature.name, settings, change)
            if not feature.wants(change, ctx):
                counts.skipped += 1
                await self._ack(feature, item, change, parked)
                return True
            handler = feature.reverse if reverse else feature.handle
            await handler(change, ctx)
        except Defer as exc:
            return await self._wait(feature, item, change, exc.reason, counts, bounded=exc.bounded)
        except Park as exc:
            await self._park(feature, change, exc.reason, exc.detail, counts)
            await self._ack(feature, item, change, parked=set())
            return True
        except XeroRejected as exc:
            await self._park(feature, change, _rejected_reason(exc), "\n".join(exc.messages), counts)
            await self._ack(feature, item, change, parked=set())
            return True
        except PassAborted:
            raise
        except STOPS_THE_PASS as exc:
            raise PassAborted(one_line(exc)) from exc
        except SyncroNotFound as exc:
            reason = f"Syncro has nothing at {exc.endpoint} (404), which this record needs"
            return await self._wait(feature, item, change, reason, counts)
        except Exception as exc:
            if is_transient(exc):  # not the record's fault: tried again next pass, never parked for it
                reason = f"failed for now, tried again next pass: {one_line(exc)}"
                log.warning("%s %s %s %s", feature.name, change.resource, change.record_id, reason)
                self.report.failed.append((feature.name, change.record_id, reason))
                return False
            if raised_by(exc, type(feature).__module__) or isinstance(exc, PluginMisuse):
                log.error("plugin %s failed on %s %s: %s", feature.name, change.resource, change.record_id,
                          one_line(exc), exc_info=True)
                reason = (
                    f"The {feature.name} plugin failed on this record ({one_line(exc)}). "
                    "This is a bug to report to the plugin's author; retry once it is fixed."
                )
            else:
                reason = (f"This record could not be synced: {one_line(exc)}. Correct it in Syncro (or report it "
                          "if it looks right), then retry.")
            await self._park(feature, change, reason, None, counts)
            await self._ack(feature, item, change, parked=set())
            return True
        finally:
            self.writer.handler_finished()
            heartbeat.beat()
        counts_key = _outcome(change, ctx.outcomes)
        setattr(counts, counts_key, getattr(counts, counts_key) + 1)
        counts.notes.extend(ctx.notes)
        await self._ack(feature, item, change, parked)
        return True

    async def _wait(
        self, feature: Feature, item: Detected, change: Change, reason: str, counts: PassCounts, *, bounded: bool = True
    ) -> bool:
        """Not yet: wait for the next pass, unless the record has waited its bound ([sync]
        ``wait_passes`` / ``wait_seconds``): then it is parked with the reason. True when parked."""
        key = "wait:" + parked_id(feature.name, change.source, change.resource, change.record_id)
        if bounded and not self.dry_run:
            first_at, passes = self._waited(key)
            passes += 1
            settings = self.engine.config.sync
            waited = self.clock.time() - first_at
            if passes > settings.wait_passes or waited >= settings.wait_seconds:
                since = datetime.fromtimestamp(first_at, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
                await self._park(feature, change, f"Waited {passes - 1} passes (since {since}) and still cannot sync: "
                                 f"{reason}. Fix what it waits for, then retry.", None, counts)
                await self._ack(feature, item, change, parked=set())
                return True
            self._waits[key] = f"{first_at} {passes}"
            await self.state.cursors.set(key, self._waits[key])
        counts.waiting += 1
        self.report.bounded_waits += bounded
        self.report.waiting.append((feature.name, change.record_id, reason))
        return False

    def _waited(self, key: str) -> tuple[float, int]:
        """When the record started waiting, and for how many passes."""
        try:
            first_at, passes = self._waits[key].split()
            return float(first_at), int(passes)
        except (KeyError, ValueError):
            return self.clock.time(), 0

    async def _load_waits(self) -> None:
        self._waits = {k: v for k, v in (await self.state.cursors.items()).items() if k.startswith("wait:")}

    async def _still_there(self, resource: SyncroResource, record_id: str) -> bool:
        """A deletion is inferred from a record's absence in a full scan (Syncro keeps no tombstones,
        syncro-api.md §5): before a feature voids or archives anything, ask for the record itself,
        or, where the API has no such request, read the list again."""
        if not resource.has_detail:
            if resource.name not in self._relisted:
                self._relisted[resource.name] = asyncio.create_task(
                    self.syncro.get_all(resource.path, resource.list_key, resource.params)
                )
            listed = await self._guard(self._relisted[resource.name])
            if all(str(record.get("id")) != record_id for record in listed):
                return False
            log.warning("Syncro %s %s was missing from a list but is in it again; not deleted",
                        resource.name, record_id)
            return True
        try:
            await self._guard(self.syncro_record(resource.name, record_id, fresh=True))
        except SyncroNotFound:
            return False
        log.warning("Syncro %s %s was missing from a full list but is still there; not deleted", resource.name, record_id)
        return True

    async def _ack(self, feature: Feature, item: Detected, change: Change, parked: set[str]) -> None:
        if self.dry_run:
            if change.record_id in parked:
                self._would_release.add(parked_id(feature.name, change.source, change.resource, change.record_id))
            return
        source = change.source
        if change.op == "deleted":
            await self.state.records.forget(feature.name, source, change.resource, change.record_id)
        elif item.digest:
            await self.state.records.ack(
                feature.name, source, change.resource, change.record_id, item.digest, change.record or {}, item.updated_at
            )
            if source == "syncro":  # saved whole: later readers load it from the state file
                self.details.acknowledged(feature.name, change.resource, change.record_id)
        if change.record_id in parked:
            await self.state.parked.release(feature.name, source, change.resource, change.record_id)
        key = "wait:" + parked_id(feature.name, source, change.resource, change.record_id)
        if self._waits.pop(key, None) is not None:
            await self.state.cursors.delete(key)

    async def _park(self, feature: Feature, change: Change, reason: str, detail: str | None, counts: PassCounts) -> None:
        counts.parked += 1
        verb = "would park" if self.dry_run else "parked"
        log.warning("%s %s %s %s: %s", verb, feature.name, change.resource, change.record_id, reason)
        if self.dry_run:
            self._would_park.add(parked_id(feature.name, change.source, change.resource, change.record_id))
        else:
            await self.state.parked.park(
                feature.name, change.source, change.resource, change.record_id, reason, detail, change.to_json()
            )

    # -- fetching, cached for the pass --------------------------------------------------------
    async def fetch(self, resource: SyncroResource, since: datetime | None) -> Fetched:
        if resource.name in self._listed:  # a complete listing this pass holds every change since
            return Fetched(self._listed[resource.name], complete=True)
        full = self.full or await self._full_scan_due(resource.name)
        key = (resource.name, since, full)
        if key not in self._fetches:
            self._fetches[key] = asyncio.create_task(self._fetch(resource, since, full))
        return await self._guard(self._fetches[key])

    async def _fetch(self, resource: SyncroResource, since: datetime | None, full: bool) -> Fetched:
        chosen = self.engine.config.sync.strategies.get(resource.name)
        strategy = STRATEGIES[chosen or resource.polling]()
        known: frozenset[str] = frozenset()
        if strategy.name == "newest_first":
            known = frozenset(
                k for f in self.engine.plugins.features for k in await self.state.records.digests(f.name, "syncro", resource.name)
            )
        overlap = timedelta(seconds=self.engine.config.sync.invoice_overlap_seconds)
        window = Window(since - overlap if since else None, full, known)
        calls = self.syncro.calls
        fetched = await strategy.fetch(self.syncro, resource, window)
        if fetched.malformed:  # never handed on (the reading feature reports them): nothing is proven deleted
            fetched = Fetched(fetched.records, complete=False)
        if resource.list_is_detail:  # no detail GET for these this pass
            self.details.hold(resource.name, fetched.records)
        if fetched.complete:
            self._listed[resource.name] = fetched.records
            if not self.dry_run:
                await self.state.cursors.set(f"syncro:{resource.name}:full_scan", str(self.clock.time()))
                await self.state.cursors.set(list_pages_cursor(resource.name), str(self.syncro.calls - calls))
        return fetched

    def _reads(self, feature: Feature) -> set[str]:
        """The Syncro listings a feature's part of the pass reads: what it consumes, and what the
        bulk details of those embed (an invoice's customer)."""
        names = set(feature.syncro_resources)
        for name in feature.syncro_resources:
            bulk = self.engine.plugins.resources[name].bulk
            if bulk is not None:
                names.update(e.resource for e in bulk.embeds)
        return names

    def _release(self, still_read: set[str]) -> None:
        """Free the listings no feature left in this pass reads: a pass holds the listings its
        features are reading, not the whole account (a read of a freed one lists again: correct,
        at a cost)."""
        for name in ({k[0] for k in self._fetches} | set(self._listed)) - still_read:
            self._listed.pop(name, None)
            for key in [k for k in self._fetches if k[0] == name]:
                del self._fetches[key]
            self.details.release(name)

    def has_listed(self, resource_name: str) -> bool:
        return resource_name in self._listed

    async def listed(self, resource_name: str) -> Mapping[str, dict[str, Any]]:
        """Every record of a resource by id, as listed this pass (listed now if it was not)."""
        if resource_name not in self._listed:
            key = (resource_name, None, True)
            if key not in self._fetches:
                resource = self.engine.plugins.resources[resource_name]
                self._fetches[key] = asyncio.create_task(self._fetch(resource, None, True))
            await self._guard(self._fetches[key])
        return self._listed[resource_name].by_id()

    async def know_unchanged(self, resource_name: str) -> None:
        """Before the feature consuming ``resource_name`` runs (a reverse feature runs first): list it
        as that feature will (the listing is shared), and note which acknowledged records are unchanged."""
        if resource_name not in self._knowing:
            self._knowing[resource_name] = asyncio.create_task(self._know_unchanged(resource_name))
        await self._guard(self._knowing[resource_name])

    async def _know_unchanged(self, resource_name: str) -> None:
        feature = next((f for f in self.engine.plugins.features if resource_name in f.syncro_resources), None)
        if feature is None or self.everything:
            return
        resource = self.engine.plugins.resources[resource_name]
        fetched = await self.fetch(resource, await self._cursor(feature.name, resource_name))
        acked = await self.state.records.digests(feature.name, "syncro", resource_name)
        detected = detect("syncro", resource_name, fetched.records, acked, complete=fetched.complete)
        self.details.remember(feature.name, resource_name, acked, (d.change.record_id for d in detected))

    async def syncro_record(
        self, resource_name: str, record_id: str, *, needs: tuple[str, ...] = (), fresh: bool = False
    ) -> dict[str, Any]:
        """A Syncro record's full view, the cheapest way (``syncro.details``)."""
        if not record_id.isdigit():  # Syncro's ids are integers: a record referring to anything else is bad
            raise ValueError(f"it refers to Syncro {resource_name} {record_id[:40]!r}, which is not a Syncro id")
        return await self.details.get(resource_name, record_id, needs=needs, fresh=fresh)

    async def xero_changed_since_poll(self, resource: str) -> set[str] | None:
        """Ids of the ``resource`` records changed in Xero since a reverse feature polled it this pass
        (read once per pass), or None when none polled it."""
        if resource not in self._xero_polled:
            return None
        if resource not in self._xero_since_poll:

            async def get() -> set[str]:
                when, seen = self._xero_polled[resource]
                id_field = ID_FIELDS.get(resource, "ID")
                changed = await self.engine.xero.get(resource, if_modified_since=when)
                return {str(r.get(id_field, "")) for r in changed
                        if seen.get(str(r.get(id_field, ""))) != r.get("UpdatedDateUTC")}  # not as polled

            self._xero_since_poll[resource] = asyncio.create_task(get())
        return await self._guard(self._xero_since_poll[resource])

    def forget_syncro_record(self, resource_name: str, record_id: str) -> None:
        """Written to this pass: read again, and the resource listed again (its list entry changed)."""
        self.details.forget(resource_name, record_id)
        for key in [k for k in self._fetches if k[0] == resource_name]:
            del self._fetches[key]
        self._listed.pop(resource_name, None)
        self._knowing.pop(resource_name, None)

    async def xero_list(self, resource: str, params: dict[str, str] | None) -> list[dict[str, Any]]:
        key = (resource, tuple(sorted((params or {}).items())))
        if key not in self._xero_lists:
            paged = resource in ("Contacts", "Invoices", "CreditNotes", "Payments", "PurchaseOrders",
                                 "BankTransactions", "Overpayments", "Prepayments")
            self._xero_lists[key] = asyncio.create_task(self.engine.xero.get(resource, params=params, paged=paged))
        return await self._guard(self._xero_lists[key])

    def forget_xero_list(self, resource: str) -> None:
        """A write to ``resource`` makes its cached lists stale."""
        for key in [k for k in self._xero_lists if k[0] == resource]:
            del self._xero_lists[key]

    async def xero_record(self, resource: str, xero_id: str) -> dict[str, Any] | None:
        return await self._guard(self.engine.xero.get_one(f"{resource}/{xero_id}"))

    async def xero_record_by_number(self, resource: str, number: str) -> dict[str, Any] | None:
        return await self._guard(self.engine.xero.get_by_number(resource, number))

    async def ensure(self, feature_name: str, record_id: str) -> None:
        """Run ``feature_name``'s handler on one record now, once per pass (a dependency)."""
        key = (feature_name, record_id)
        if key not in self._ensured:
            self._ensured[key] = asyncio.create_task(self._ensure(feature_name, record_id))
        await self.writer.waiting_on(asyncio.shield(self._ensured[key]))

    async def _ensure(self, feature_name: str, record_id: str) -> None:
        self.writer.handler_started()  # the work counts as a running handler of its own
        try:
            await self._ensure_now(feature_name, record_id)
        finally:
            self.writer.handler_finished()

    async def _ensure_now(self, feature_name: str, record_id: str) -> None:
        feature = self.engine.plugins.feature(feature_name)
        resource_name = feature.syncro_resources[0]
        record = await self.syncro_record(resource_name, record_id)
        before = await self.state.records.get(feature_name, "syncro", resource_name, record_id)
        change = Change("syncro", resource_name, "updated" if before else "created", record_id, record,
                        before.record if before else None)
        ctx = PassContext(self, feature_name, self.engine.plugins.settings.get(feature_name), change, ensured=True)
        await feature.handle(change, ctx)

    async def _guard(self, awaitable: Awaitable[Any]) -> Any:
        """Await; a failure no record can get past ends the pass (see ``failures.py``)."""
        try:
            return await awaitable
        except STOPS_THE_PASS as exc:
            raise PassAborted(one_line(exc)) from exc

    # -- cursors ----------------------------------------------------------------------------
    async def _cursor(self, feature: str, resource: str) -> datetime | None:
        value = await self.state.cursors.get(f"syncro:{resource}:{feature}")
        return datetime.fromisoformat(value) if value else None

    async def _full_scan_due(self, resource: str) -> bool:
        last = await self.state.cursors.get(f"syncro:{resource}:full_scan")
        interval = self.engine.config.sync.deletion_scan_interval_seconds
        return last is None or self.clock.time() - float(last) >= interval

    async def _advance_cursor(self, feature: str, resource: str, fetched: Fetched, pending: list[Detected]) -> None:
        """Past every acknowledged record; never past one still pending."""
        stamps = [t for e in fetched.records.entries if (t := readable_instant(e.updated_at))]
        held = [readable_instant(p.updated_at) for p in pending]
        if None in held:
            return  # a pending record without a readable time: keep the cursor where it is
        if held:
            target = min(held) - timedelta(microseconds=1)  # type: ignore[type-var, operator]
        elif stamps:
            target = max(stamps)
        else:
            return
        await self.state.cursors.set(f"syncro:{resource}:{feature}", target.isoformat())


def _done() -> asyncio.Future[None]:
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    done.set_result(None)
    return done


def _sound(run: PassRun, feature: Feature, resource: str, fetched: Fetched) -> Fetched:
    """The list's records that are records: an entry that is no JSON object, or has no id, is left
    out and reported (the pass exits 1), and the list no longer proves anything deleted."""
    good = fetched.records.keeping(lambda entry: _usable_id(entry.id))
    bad = fetched.malformed + len(fetched.records) - len(good)
    if not bad:
        return fetched
    reason = f"Syncro's {resource} list held {bad} entr{'y' if bad == 1 else 'ies'} with no record id; left out"
    run.report.failed.append((feature.name, "", reason))
    log.error("%s: %s", feature.name, reason)
    return Fetched(good, complete=False)


def _usable_id(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.strip() != "")


def _outcome(change: Change, outcomes: list[str]) -> str:
    if "created" in outcomes:
        return "created"
    if change.op == "deleted" and outcomes:
        return "deleted"
    if "updated" in outcomes or "deleted" in outcomes:
        return "updated"
    return "unchanged"


def _summary(feature: str, counts: PassCounts, outcome: str, seconds: float, dry_run: bool) -> str:
    """The one INFO line a feature's part of a pass logs."""
    words = DRY_RUN_WORDS if dry_run else {}
    done = ", ".join(f"{words.get(k, k)} {v}" for k, v in counts.as_dict().items())
    notes = f"; {len(counts.notes)} note(s)" if counts.notes else ""
    return f"{'dry run ' if dry_run else ''}pass {feature}: {outcome}, {done or 'nothing to do'}{notes} ({seconds:.1f} s)"


def _rejected_reason(exc: XeroRejected) -> str:
    return "Xero refused this record: " + "; ".join(exc.messages)


