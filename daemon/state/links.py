"""The mapping Syncro id <-> Xero id per kind of entity, with a digest of what was last written."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from ..clock import Clock
from ..jsonutil import dumps
from .db import Database


@dataclass(frozen=True)
class Link:
    entity: str
    syncro_id: str
    xero_id: str
    xero_number: str | None = None
    payload_digest: str | None = None
    feature: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


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

    async def get(self, entity: str, syncro_id: str | int) -> Link | None:
        row = await self._db.fetchone(
            "SELECT * FROM links WHERE entity = ? AND syncro_id = ?", (entity, str(syncro_id))
        )
        return _link(row) if row else None

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
        if conn is not None:
            await conn.execute(sql, params)
            return
        async with self._db.transaction() as tx:
            await tx.execute(sql, params)

    async def delete(self, entity: str, syncro_id: str | int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM links WHERE entity = ? AND syncro_id = ?", (entity, str(syncro_id)))
