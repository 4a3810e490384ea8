"""The journal of Xero writes: each row is written before its request goes out and settled after.

A row left at ``sent`` after a crash is an outcome nobody recorded; recovery looks the record up
in Xero by its natural key (``lookup``) before anything is sent again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from ..clock import Clock
from ..api.jsonutil import dumps
from .db import Database


@dataclass(frozen=True)
class JournalEntry:
    id: int
    feature: str
    entity: str
    syncro_id: str
    action: str
    method: str
    path: str
    idempotency_key: str
    payload_digest: str
    payload: dict[str, Any]
    lookup: dict[str, str] | None
    state: str
    xero_id: str | None
    response: Any
    link: dict[str, Any] | None = None


def _entry(row: aiosqlite.Row) -> JournalEntry:
    return JournalEntry(
        id=row["id"],
        feature=row["feature"],
        entity=row["entity"],
        syncro_id=row["syncro_id"],
        action=row["action"],
        method=row["method"],
        path=row["path"],
        idempotency_key=row["idempotency_key"],
        payload_digest=row["payload_digest"],
        payload=json.loads(row["payload"]),
        lookup=json.loads(row["lookup"]) if row["lookup"] else None,
        state=row["state"],
        xero_id=row["xero_id"],
        response=json.loads(row["response"]) if row["response"] else None,
        link=json.loads(row["link"]) if row["link"] else None,
    )


@dataclass(frozen=True)
class PlannedWrite:
    feature: str
    entity: str
    syncro_id: str
    action: str
    method: str
    path: str
    payload_digest: str
    payload: dict[str, Any]
    lookup: dict[str, str] | None
    link: dict[str, Any] | None = None


class Journal:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def record_sent(self, writes: list[PlannedWrite], idempotency_key: str) -> list[int]:
        """Durably note that these writes are about to go out under one request; returns row ids
        (in the order of ``writes``: inserted in order, in one transaction no other write joins)."""
        now = self._clock.time()
        rows = [
            (w.feature, w.entity, w.syncro_id, w.action, w.method, w.path, idempotency_key, w.payload_digest,
             dumps(w.payload), dumps(w.lookup) if w.lookup else None, dumps(w.link) if w.link else None, now, now)
            for w in writes
        ]
        async with self._db.transaction() as conn:
            before = await conn.execute_fetchall("SELECT COALESCE(MAX(id), 0) FROM journal")
            await conn.executemany(
                "INSERT INTO journal (feature, entity, syncro_id, action, method, path, idempotency_key,"
                " payload_digest, payload, lookup, link, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?)",
                rows,
            )
            ids = await conn.execute_fetchall("SELECT id FROM journal WHERE id > ? ORDER BY id", (list(before)[0][0],))
        return [int(row[0]) for row in ids]

    async def settle(
        self,
        conn: aiosqlite.Connection,
        entry_id: int,
        state: str,
        xero_id: str | None = None,
        response: Any = None,
    ) -> None:
        """Record the outcome of one write, inside the caller's transaction."""
        await self.settle_many(conn, [(entry_id, state, xero_id, response)])

    async def settle_many(
        self, conn: aiosqlite.Connection, outcomes: list[tuple[int, str, str | None, Any]]
    ) -> None:
        """Record the outcomes (row id, state, Xero id, answer) of writes, inside the caller's transaction."""
        now = self._clock.time()
        await conn.executemany(
            "UPDATE journal SET state = ?, xero_id = ?, response = ?, updated_at = ? WHERE id = ?",
            [(state, xero_id, dumps(response) if response is not None else None, now, entry_id)
             for entry_id, state, xero_id, response in outcomes],
        )

    async def unsettled(self) -> list[JournalEntry]:
        """Writes that went out (or may have) with no recorded answer, oldest first."""
        return [_entry(r) for r in await self._db.fetchall("SELECT * FROM journal WHERE state = 'sent' ORDER BY id")]

    async def for_record(self, entity: str, syncro_id: str) -> list[JournalEntry]:
        rows = await self._db.fetchall(
            "SELECT * FROM journal WHERE entity = ? AND syncro_id = ? ORDER BY id", (entity, str(syncro_id))
        )
        return [_entry(r) for r in rows]

    async def attempts(self, records: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """How many writes for each (entity, Syncro id) Xero has answered (or never got): each new try
        is one more. One query per entity for a whole batch."""
        by_entity: dict[str, list[str]] = {}
        for entity, syncro_id in records:
            by_entity.setdefault(entity, []).append(str(syncro_id))
        found: dict[tuple[str, str], int] = {}
        for entity, ids in by_entity.items():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = await self._db.fetchall(
                    "SELECT syncro_id, COUNT(*) FROM journal WHERE entity = ? AND state != 'sent'"
                    f" AND syncro_id IN ({', '.join('?' * len(chunk))}) GROUP BY syncro_id",
                    (entity, *chunk),
                )
                found.update({(entity, r[0]): int(r[1]) for r in rows})
        return found

    async def answered_versions(self, xero_ids: list[str]) -> dict[str, str]:
        """Xero id -> ``UpdatedDateUTC`` of the last confirmed write of that record, as Xero answered it."""
        found: dict[str, str] = {}
        for start in range(0, len(xero_ids), 500):
            chunk = xero_ids[start : start + 500]
            rows = await self._db.fetchall(
                f"SELECT xero_id, response FROM journal WHERE state = 'confirmed' AND xero_id IN"
                f" ({', '.join('?' * len(chunk))}) ORDER BY id",
                tuple(chunk),
            )
            for row in rows:
                stamp = (json.loads(row["response"]) or {}).get("UpdatedDateUTC") if row["response"] else None
                if stamp:
                    found[row["xero_id"]] = stamp
                else:
                    found.pop(row["xero_id"], None)
        return found

    async def count(self, state: str | None = None) -> int:
        if state is None:
            row = await self._db.fetchone("SELECT COUNT(*) FROM journal")
        else:
            row = await self._db.fetchone("SELECT COUNT(*) FROM journal WHERE state = ?", (state,))
        return int(row[0]) if row else 0
