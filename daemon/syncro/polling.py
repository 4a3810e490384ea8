"""Polling strategies: how each Syncro list endpoint yields its changes at the lowest cost.

Syncro has a change filter on invoices only (``since_updated_at``); other lists are scanned and
compared with what was acknowledged, record by record (``changes.py``). Each strategy says what a
pass costs in requests, which ``status`` shows and ``bench/`` measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..packed import Listing
from .client import SyncroClient

if TYPE_CHECKING:
    from ..api.resources import SyncroResource


@dataclass(frozen=True)
class Window:
    """What the engine asks of one poll."""

    since: datetime | None  # changes after this instant (already minus the overlap); None: everything
    full: bool  # a full scan is due, e.g. to notice deletions
    known_ids: frozenset[str]  # ids already acknowledged, for strategies that stop at known records


@dataclass
class Fetched:
    records: Listing  # packed: a pass holds a listing at a third of its parsed size
    complete: bool  # every record of the resource is here, so a missing id was deleted

    @property
    def malformed(self) -> int:
        """List entries that were not JSON objects, left out of ``records``."""
        return self.records.malformed


class PollStrategy(Protocol):
    name: str

    async def fetch(self, client: SyncroClient, resource: "SyncroResource", window: Window) -> Fetched: ...

    def cost(self) -> str:
        """The cost of a pass, in words."""


class FullScan:
    """List every page each pass. The only choice where the API offers no filter and no order."""

    name = "full_scan"

    async def fetch(self, client: SyncroClient, resource: "SyncroResource", window: Window) -> Fetched:
        return Fetched(await listing(client, resource, dict(resource.params)), complete=True)

    def cost(self) -> str:
        return "every page of the list, every pass"


class UpdatedSince:
    """``?since_updated_at=`` with an overlap window; a full scan when one is due (deletions)."""

    name = "updated_since"

    def __init__(self, param: str = "since_updated_at") -> None:
        self.param = param

    async def fetch(self, client: SyncroClient, resource: "SyncroResource", window: Window) -> Fetched:
        params = dict(resource.params)
        if window.full or window.since is None:
            return Fetched(await listing(client, resource, params), complete=True)
        # UNKNOWN (syncro-api.md §1.5): whether the bound is inclusive; the engine overlaps windows.
        params[self.param] = window.since.isoformat()
        return Fetched(await listing(client, resource, params), complete=False)

    def cost(self) -> str:
        return "the pages of records changed since the last pass; every page at each deletion scan"


class NewestFirst:
    """Page until a page holds only known ids. Correct only if the list is newest first.

    UNKNOWN (syncro-api.md §2.5): the order of ``GET /payments`` is undocumented, so this is opt-in
    (``[sync.strategies] payments = "newest_first"``); a full scan still runs when one is due.
    """

    name = "newest_first"

    async def fetch(self, client: SyncroClient, resource: "SyncroResource", window: Window) -> Fetched:
        params = dict(resource.params)
        if window.full or not window.known_ids:
            return Fetched(await listing(client, resource, params), complete=True)
        records = Listing()
        async for page in client.pages(resource.path, resource.list_key, params):
            records.extend(page)
            if all(isinstance(r, dict) and str(r.get("id")) in window.known_ids for r in page):
                break
        return Fetched(records, complete=False)

    def cost(self) -> str:
        return "the pages down to the first page of known records; every page at each deletion scan"


class SortedByUpdate:
    """``?sort=updated_at DESC``, paging until records are older than the window.

    UNKNOWN (syncro-api.md §1.5): that ``sort`` accepts ``updated_at DESC`` is unverified; opt-in.
    """

    name = "sorted_by_update"

    def __init__(self, sort: str = "updated_at DESC") -> None:
        self.sort = sort

    async def fetch(self, client: SyncroClient, resource: "SyncroResource", window: Window) -> Fetched:
        params = dict(resource.params)
        if window.full or window.since is None:
            return Fetched(await listing(client, resource, params), complete=True)
        params["sort"] = self.sort
        records = Listing()
        async for page in client.pages(resource.path, resource.list_key, params):
            fresh = [r for r in page if _updated(r) is None or _updated(r) >= window.since]  # type: ignore[operator]
            records.extend(fresh)
            if len(fresh) < len(page):
                break
        return Fetched(records, complete=False)

    def cost(self) -> str:
        return "the pages of recently updated records; every page at each deletion scan"


async def listing(client: SyncroClient, resource: "SyncroResource", params: dict[str, Any]) -> Listing:
    """Every page of the list, packed a page at a time (a whole listing is never held parsed)."""
    records = Listing()
    async for page in client.pages(resource.path, resource.list_key, params):
        records.extend(page)
    return records


def _updated(record: Any) -> datetime | None:
    value = record.get("updated_at") if isinstance(record, dict) else None
    return datetime.fromisoformat(value) if isinstance(value, str) else None


STRATEGIES: dict[str, type] = {
    s.name: s for s in (FullScan, UpdatedSince, NewestFirst, SortedByUpdate)  # type: ignore[attr-defined]
}
