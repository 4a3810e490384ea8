"""The daemon's durable memory, one SQLite file (WAL, 0600) per Syncro <-> Xero pair."""

from __future__ import annotations

import json
from pathlib import Path

from ..clock import Clock, SystemClock
from .db import Database, StateError
from .journal import Journal, JournalEntry, PlannedWrite
from .links import Link, LinkStore
from .parked import ParkedRecord, ParkedStore, parked_id
from .records import Acked, RecordStore
from .runs import Run, RunLog
from .syncro_journal import SyncroJournal
from .values import TokenStore, ValueStore


RETRY_QUEUE = "retry:queued"


class State:
    """All the stores over one database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.records = RecordStore(db, clock)
        self.links = LinkStore(db, clock)
        self.journal = Journal(db, clock)
        self.syncro_journal = SyncroJournal(db, clock)
        self.parked = ParkedStore(db, clock)
        self.cursors = ValueStore(db, clock, "cursors")
        self.tokens = TokenStore(ValueStore(db, clock, "secrets"))
        self.runs = RunLog(db, clock)

    @classmethod
    async def open(cls, path: Path | str, clock: Clock | None = None) -> "State":
        return cls(await Database.open(path), clock or SystemClock())

    async def close(self) -> None:
        await self.db.close()

    async def queue_retry(self, ids: list[str] | None) -> None:
        """Ask the next pass to replay these parked records first (all of them when ``ids`` is None)."""
        queued = await self.take_queued_retry(keep=True)
        everything = ids is None or queued is None
        await self.cursors.set(RETRY_QUEUE, "*" if everything else json.dumps(sorted({*queued, *ids})))

    async def take_queued_retry(self, *, keep: bool = False) -> list[str] | None:
        """The parked records ``queue_retry`` asked for (``[]``: none; None: all), removed unless ``keep``."""
        value = await self.cursors.get(RETRY_QUEUE)
        if value is None:
            return []
        if not keep:
            await self.cursors.delete(RETRY_QUEUE)
        return None if value == "*" else list(json.loads(value))


__all__ = [
    "Acked",
    "Database",
    "Journal",
    "JournalEntry",
    "Link",
    "LinkStore",
    "ParkedRecord",
    "ParkedStore",
    "PlannedWrite",
    "RecordStore",
    "Run",
    "RunLog",
    "State",
    "StateError",
    "SyncroJournal",
    "TokenStore",
    "ValueStore",
    "parked_id",
]
