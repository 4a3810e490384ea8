"""The mapping Syncro id <-> Xero id per kind of entity, with a digest of what was last written."""

from __future__ import annotations

import contextlib
import json
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator

import aiosqlite

from ..clock import Clock
from ..api.jsonutil import dumps
from ..api.links import Link
from .db import Database

#: Links kept read at once: the ones a pass keeps asking for (contacts, items, accounts) stay, and
#: memory does not grow with the account (one read per link otherwise).
KEPT_READ = 4096


def _link(row: aiosqlite.Row) -> Link:
    return Link(
        entity=row["entity"],
        syncro_id=row["syncro_id"],
        xero_id=row["xero_id"],
        xero_number=row["xero_number"],
        payload_digest=row["payload_digest"],
        feature=row["feature"],
        extra=json.loads(row["extra"]) if row["extra"] else {},
    )


class LinkStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        # Links read during one pass (a handler asks for the same contact, item, account many times),
        # the latest ``KEPT_READ``. Only what was read from the file since the last change to that link;
        # forgotten at each pass start, since another process may have changed links in between.
        self._read: OrderedDict[tuple[str, str], Link | None] = OrderedDict()
        self._reading: dict[tuple[str, str], object] = {}  # key -> the latest read of it in flight
        self._writing: Counter[tuple[str, str]] = Counter()  # key -> its saves and deletes in flight

    def forget_read(self) -> None:
        """Drop the links read so far: the next ``get`` reads the file (a new pass starts)."""
        self._read.clear()

    async def get(self, entity: str, syncro_id: str | int) -> Link | None:
        key = (entity, str(syncro_id))
        if key in self._read:
            self._read.move_to_end(key)
            return self._read[key]
        read = self._reading[key] = object()
        try:
            row = await self._db.fetchone("SELECT * FROM links WHERE entity = ? AND syncro_id = ?", key)
        finally:
            current = self._reading.get(key) is read
            if current:
                del self._reading[key]
        link = _link(row) if row else None
        if current and not self._writing[key]:  # no save or delete of this link it might predate
            self._read[key] = link
            if len(self._read) > KEPT_READ:
                self._read.popitem(last=False)
        return link

    async def by_xero_id(self, entity: str, xero_id: str) -> Link | None:
        row = await self._db.fetchone("SELECT * FROM links WHERE entity = ? AND xero_id = ?", (entity, xero_id))
        return _link(row) if row else None

    async def all(self, entity: str) -> list[Link]:
        return [_link(r) for r in await self._db.fetchall("SELECT * FROM links WHERE entity = ?", (entity,))]

    async def count(self, entity: str | None = None) -> int:
        if entity is None:
            row = await self._db.fetchone("SELECT COUNT(*) FROM links")
        else:
            row = await self._db.fetchone("SELECT COUNT(*) FROM links WHERE entity = ?", (entity,))
        return int(row[0]) if row else 0

    async def save(self, link: Link, conn: aiosqlite.Connection | None = None) -> None:
        """Insert or replace ``link``; pass ``conn`` to join a running transaction."""
        sql = (
            "INSERT INTO links (entity, syncro_id, xero_id, xero_number, payload_digest, feature, synced_at, extra)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (entity, syncro_id) DO UPDATE SET xero_id = excluded.xero_id,"
            " xero_number = excluded.xero_number, payload_digest = excluded.payload_digest,"
            " feature = excluded.feature, synced_at = excluded.synced_at, extra = excluded.extra"
        )
        params = (
            link.entity,
            str(link.syncro_id),
            link.xero_id,
            link.xero_number,
            link.payload_digest,
            link.feature,
            self._clock.time(),
            dumps(link.extra) if link.extra else None,
        )
        async with self._changing((link.entity, str(link.syncro_id))):
            if conn is not None:
                await conn.execute(sql, params)
                return
            await self._db.write(sql, params)

    @contextlib.asynccontextmanager
    async def _changing(self, key: tuple[str, str]) -> AsyncIterator[None]:
        """Around a save or delete: reads in flight meanwhile are not kept (they may predate it)."""
        self._writing[key] += 1
        self._read.pop(key, None)
        self._reading.pop(key, None)
        try:
            yield
        finally:
            self._writing[key] -= 1
            if not self._writing[key]:
                del self._writing[key]
            self._read.pop(key, None)

    async def delete(self, entity: str, syncro_id: str | int) -> None:
        async with self._changing((entity, str(syncro_id))):
            await self._db.write("DELETE FROM links WHERE entity = ? AND syncro_id = ?", (entity, str(syncro_id)))
