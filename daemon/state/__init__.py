"""The daemon's durable memory, one SQLite file (WAL, 0600) per Syncro <-> Xero pair."""

from __future__ import annotations

from pathlib import Path

from ..clock import Clock, SystemClock
from .db import Database, StateError
from .journal import Journal, JournalEntry, PlannedWrite
from .links import Link, LinkStore
from .parked import ParkedRecord, ParkedStore, parked_id
from .records import Acked, RecordStore
from .runs import Run, RunLog
from .values import TokenStore, ValueStore


class State:
    """All the stores over one database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.records = RecordStore(db, clock)
        self.links = LinkStore(db, clock)
        self.journal = Journal(db, clock)
        self.parked = ParkedStore(db, clock)
        self.cursors = ValueStore(db, clock, "cursors")
        self.tokens = TokenStore(ValueStore(db, clock, "secrets"))
        self.runs = RunLog(db, clock)

    @classmethod
    async def open(cls, path: Path | str, clock: Clock | None = None) -> "State":
        return cls(await Database.open(path), clock or SystemClock())

    async def close(self) -> None:
        await self.db.close()


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
    "TokenStore",
    "ValueStore",
    "parked_id",
]
