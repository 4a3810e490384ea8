"""Full records for the list entries a pass handles, at the least cost in Syncro requests.

A list entry lacks what features need (an invoice's lines, its customer, its payments). A pass gets
a record's full view, cheapest first:

1. read already this pass (each detail is read at most once per pass), or, for a resource whose
   list entries are whole records (``list_is_detail``), listed this pass;
2. composed from bulk pages: for invoices, ``GET /line_items`` (every invoice's lines, 100 a page)
   joined with the list entries and the customers list, when a pass has more changed invoices than
   those pages cost. Such a record lacks what only the detail view shows (``payments``), so a caller
   that needs it says so (``needs``) and gets the detail. The endpoint needs a token with Global
   Admin (syncro-api.md §1.2): a refusal is remembered (``check`` tries again) and detail calls used;
3. known: acknowledged in an earlier pass, and its list entry has not changed since (same
   ``updated_at`` and list fields), or it is outside a ``since_updated_at`` window; so the overlap
   window costs list pages only. Not for a caller that needs the record as Syncro has it this
   instant (``fresh``), e.g. before money is recorded against it;
4. else one ``GET /{resource}/{id}``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Iterable, Protocol

from ..api.resources import BulkDetail, SyncroResource
from ..changes import readable_instant
from ..packed import Listing, pack, unpack
from ..plugin_loader import Plugins
from ..state import State
from .client import SyncroAuthError, SyncroBadResponse, SyncroClient, SyncroNotFound

log = logging.getLogger(__name__)

Key = tuple[str, str]
#: Records loaded from the state file kept at once.
LOADED = 256


def denied_cursor(bulk: BulkDetail) -> str:
    """The cursor holding when Syncro refused ``bulk``'s endpoint to this token (absent: allowed)."""
    return f"syncro:bulk:{bulk.path}:denied"


def pages_cursor(bulk: BulkDetail) -> str:
    return f"syncro:bulk:{bulk.path}:pages"


def list_pages_cursor(resource: str) -> str:
    """How many pages the last complete listing of ``resource`` took."""
    return f"syncro:{resource}:list_pages"


class DetailSource(Protocol):
    """What the details need of their pass (``sync_pass.PassRun`` provides it)."""

    state: State
    syncro: SyncroClient
    dry_run: bool

    @property
    def plugins(self) -> Plugins: ...
    def has_listed(self, resource_name: str) -> bool: ...
    async def listed(self, resource_name: str) -> Mapping[str, dict[str, Any]]: ...
    async def know_unchanged(self, resource_name: str) -> None: ...


@dataclass(frozen=True)
class Parts:
    """What a full record is composed of: its list entry and its children under ``into`` (packed),
    and the records embedded in it (key, the listing holding it, its id)."""

    entry: bytes
    into: str
    children: tuple[bytes, ...]
    embeds: tuple[tuple[str, Mapping[str, dict[str, Any]], str], ...]


class Details:
    """One pass's full Syncro records: read, composed and known ones."""

    def __init__(self, run: DetailSource) -> None:
        self._run = run
        self._read: dict[Key, asyncio.Future[dict[str, Any]]] = {}
        self._composed: dict[Key, dict[str, Any]] = {}
        #: what a record is composed of, until it is asked for; a whole copy is made only then
        self._parts: dict[Key, Parts] = {}
        self._held: dict[Key, bytes] = {}  # whole records a listing held (``hold``), packed
        self._known: dict[Key, str] = {}  # -> the feature whose acknowledged record is current
        #: known records read from the state file, the latest ``LOADED`` (readers of one record come together)
        self._loaded: OrderedDict[Key, dict[str, Any] | None] = OrderedDict()

    async def get(self, resource: str, record_id: str, *, needs: Iterable[str] = (), fresh: bool = False) -> dict[str, Any]:
        """The full record: read this pass, else composed or known (with every key in ``needs``) unless
        ``fresh``, else read now."""
        key = (resource, record_id)
        if key in self._held:
            return unpack(self._held[key])
        if key not in self._read and not fresh:
            if key not in self._composed and key not in self._parts and key not in self._known and self._needs_detail(
                resource
            ):
                await self._run.know_unchanged(resource)
            for held in (self._composed_now(key), await self._acked(key)):
                if held is not None and all(k in held for k in needs):
                    return held
        if key not in self._read:
            self._read[key] = asyncio.create_task(self._detail(resource, record_id))
        return await self._read[key]

    async def _detail(self, resource_name: str, record_id: str) -> dict[str, Any]:
        resource = self._run.plugins.resources[resource_name]
        return await self._run.syncro.get_record(resource.detail_path(record_id), resource.item_key, record_id)

    def _needs_detail(self, resource: str) -> bool:
        return self._run.plugins.resources[resource].needs_detail

    def hold(self, resource: str, records: Listing) -> None:
        """List records that are whole records (``list_is_detail``): read this pass, no detail GET."""
        for entry in records.entries:
            key = (resource, str(entry.id))
            if key not in self._read:
                self._held[key] = entry.data

    def release(self, resource: str) -> None:
        """The pass no longer holds ``resource``'s listing: drop what came from it (records held from
        the list, records composed from its entries); records read in detail stay read."""
        for held in (self._held, self._composed, self._parts):
            for key in [k for k in held if k[0] == resource]:
                del held[key]  # type: ignore[attr-defined]

    def forget(self, resource: str, record_id: str) -> None:
        """The record changed (a feature wrote it): read it again when asked."""
        key = (resource, record_id)
        for held in (self._read, self._held, self._composed, self._parts, self._known, self._loaded):
            held.pop(key, None)  # type: ignore[attr-defined]

    def remember(self, feature: str, resource: str, acked: Iterable[str], changed: Iterable[str]) -> None:
        """Records ``feature`` acknowledged before whose list entries did not change: known as acked."""
        skip = set(changed)
        for record_id in acked:
            if record_id not in skip:
                self._known[(resource, record_id)] = feature

    def acknowledged(self, feature: str, resource: str, record_id: str) -> None:
        """``feature`` acknowledged the record, saving it whole in the state file: if it was composed,
        later readers load it from there, so the pass does not hold every one in memory."""
        key = (resource, record_id)
        if self._composed.pop(key, None) is not None or self._parts.pop(key, None) is not None:
            self._known[key] = feature

    async def _acked(self, key: Key) -> dict[str, Any] | None:
        feature = self._known.get(key)
        if feature is None:
            return None
        if key in self._loaded:
            self._loaded.move_to_end(key)
            return self._loaded[key]
        found = await self._run.state.records.get(feature, "syncro", key[0], key[1])
        self._loaded[key] = found.record if found is not None else None
        if len(self._loaded) > LOADED:
            self._loaded.popitem(last=False)
        return found.record if found is not None else None

    async def prefetch(self, resource: SyncroResource, entries: list[tuple[str, bytes]]) -> None:
        """Compose the full records of list ``entries`` (id, packed entry) from bulk pages when that
        costs fewer requests than one detail call each."""
        bulk = resource.bulk
        wanted = [(i, packed) for i, packed in entries if (resource.name, i) not in self._read]
        if bulk is None or len(wanted) < 2 or await self._run.state.cursors.get(denied_cursor(bulk)) is not None:
            return
        embed_cost = sum([await self._list_cost(e.resource) for e in bulk.embeds])
        estimate = await self._run.state.cursors.get(pages_cursor(bulk))
        if estimate is not None and int(estimate) + embed_cost >= len(wanted):
            return
        children = await self._children(bulk, len(wanted) - embed_cost)
        if children is None:
            return
        embedded = {e.into: (e.via, await self._run.listed(e.resource)) for e in bulk.embeds}
        for record_id, packed in wanted:
            parts = self._parts_of(packed, bulk, children.get(record_id, []), embedded)
            if parts is not None:
                self._parts[(resource.name, record_id)] = parts
        log.info("read the %s of %d changed %s from %s in bulk", bulk.into, len(wanted), resource.name, bulk.path)

    async def _children(self, bulk: BulkDetail, budget: int) -> dict[str, list[bytes]] | None:
        """Every child by parent id, packed a page at a time (``packed.py``: all the children of an
        account at once would be the pass's largest holding), or None when Syncro refuses the
        endpoint or it would take more than ``budget`` pages (the first page tells)."""
        syncro, cursors = self._run.syncro, self._run.state.cursors
        try:
            first = await syncro.get(bulk.path, {**bulk.params, "page": 1})
        except SyncroAuthError as refused:
            log.warning(
                "Syncro refuses %s to this API token (it needs the Global Admin permission): invoice lines are "
                "read one invoice at a time instead, which costs more requests. `syncro-xero check` tries again.",
                bulk.path,
            )
            if not self._run.dry_run:
                await cursors.set(denied_cursor(bulk), str(refused.status))
            return None
        items, meta = first.get(bulk.list_key), first.get("meta")
        total = meta.get("total_pages") if isinstance(meta, dict) else None
        if not isinstance(items, list) or not isinstance(total, int):
            return None  # not the documented shape: the detail calls are the safe way
        if not self._run.dry_run:
            await cursors.set(pages_cursor(bulk), str(total))
        if total - 1 >= budget:
            return None
        grouped: dict[str, list[bytes]] = defaultdict(list)

        def add(page: list[dict[str, Any]]) -> None:
            by_parent: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for item in page:
                by_parent[str(item.get(bulk.parent_field))].append(item)
            for parent, children in by_parent.items():
                grouped[parent].append(pack(children))

        add(items)
        if total > 1:
            try:
                async for page in syncro.pages(bulk.path, bulk.list_key, bulk.params, start_page=2):
                    add(page)
            except (SyncroBadResponse, SyncroNotFound):
                return None
        return grouped

    def _composed_now(self, key: Key) -> dict[str, Any] | None:
        """The composed record, made from its parts when first asked for."""
        record = self._composed.get(key)
        if record is None and (parts := self._parts.pop(key, None)) is not None:
            # UNKNOWN (syncro-api.md §2.4): the order of a detail view's line_items is undocumented; the
            # bulk endpoint's order is kept (both are creation order in the emulator).
            children = [child for page in parts.children for child in unpack(page)]
            embeds = {into: records[record_id] for into, records, record_id in parts.embeds}
            record = self._composed[key] = {**unpack(parts.entry), parts.into: children, **embeds}
        return record

    @staticmethod
    def _parts_of(
        packed: bytes, bulk: BulkDetail, children: list[bytes], embedded: dict[str, tuple[str, Mapping]]
    ) -> Parts | None:
        """The parts of the (packed) list entry's full record: with its children and embedded
        records; None when the pieces may not be of one moment (a child changed after the entry
        was listed) or an embedded record is missing."""
        entry = unpack(packed)
        listed = readable_instant(entry.get("updated_at"))
        stamps = [readable_instant(c.get("updated_at")) for page in children for c in unpack(page)]
        if listed is None or None in stamps or any(stamp > listed for stamp in stamps):  # type: ignore[operator]
            return None  # an unreadable time cannot say so: read the detail view instead
        embeds = []
        for into, (via, records) in embedded.items():
            record_id = str(entry.get(via))
            if record_id not in records:
                return None
            embeds.append((into, records, record_id))
        return Parts(packed, bulk.into, tuple(children), tuple(embeds))

    async def _list_cost(self, resource: str) -> int:
        """Requests a complete listing of ``resource`` would add to this pass (0 if it has one)."""
        if self._run.has_listed(resource):
            return 0
        pages = await self._run.state.cursors.get(list_pages_cursor(resource))
        return int(pages) if pages is not None else 1


REFUSED = (
    "Syncro refuses {path} to this API token (HTTP {status}; it needs the Global Admin permission), so invoice "
    "lines are read with one request per changed invoice; grant it to read them 100 a page"
)


def bulk_summary(bulk: BulkDetail, denied: str | None) -> str:
    """How a resource's children are read, for ``status``."""
    if denied is not None:
        return REFUSED.format(path=bulk.path, status=denied)
    return f"{bulk.into} from {bulk.path} pages when fewer than the detail calls they save, else one detail call each"


async def probe_bulk(syncro: Any, cursors: Any, bulk: BulkDetail) -> str:
    """Try ``bulk``'s endpoint now (``check``): remember a refusal, forget an old one once allowed."""
    try:
        await syncro.get(bulk.path, {**bulk.params, "page": 1})
    except SyncroAuthError as refused:
        await cursors.set(denied_cursor(bulk), str(refused.status))
        return REFUSED.format(path=bulk.path, status=refused.status)
    await cursors.delete(denied_cursor(bulk))
    return f"{bulk.path} allowed: {bulk.into} are read 100 a page when that is cheaper"
