"""The journal of Syncro writes: each row is written before its request goes out and settled after.

A row left at ``sent`` is an outcome nobody recorded: the write may or may not have been applied.
Syncro takes no idempotency key, so the feature's ``find`` looks for what it made before it is
sent again (``syncro/writer.py``). A row with method ``EDIT`` is an open multi-step edit.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import aiosqlite

from ..api.jsonutil import dumps
from ..api.links import Link
from ..api.syncro_writes import SyncroWrite
from ..clock import Clock
from .db import Database


def _write(row: aiosqlite.Row) -> SyncroWrite:
    return SyncroWrite(
        id=row["id"],
        feature=row["feature"],
        entity=row["entity"],
        key=row["key"],
        step=row["step"],
        method=row["method"],
        path=row["path"],
        body=json.loads(row["body"]) if row["body"] else None,
        state=row["state"],
        syncro_id=row["syncro_id"],
        response=json.loads(row["response"]) if row["response"] else None,
        extra=json.loads(row["extra"]) if row["extra"] else {},
    )


class SyncroJournal:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def record_sent(self, write: SyncroWrite, link: Link | None) -> SyncroWrite:
        """Durably note that ``write`` is about to go out (or an edit begins); the row as stored."""
        now = self._clock.time()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO syncro_journal (feature, entity, key, step, method, path, body, extra, link, state,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?)",
                (
                    write.feature,
                    write.entity,
                    write.key,
                    write.step,
                    write.method,
                    write.path,
                    dumps(write.body) if write.body is not None else None,
                    dumps(write.extra) if write.extra else None,
                    dumps(dataclasses.asdict(link)) if link else None,
                    now,
                    now,
                ),
            )
        return dataclasses.replace(write, id=int(cursor.lastrowid or 0), state="sent")

    async def settle(
        self,
        conn: aiosqlite.Connection,
        entry_id: int,
        state: str,
        syncro_id: str | None = None,
        response: Any = None,
    ) -> None:
        """Record the outcome of one write, inside the caller's transaction."""
        await conn.execute(
            "UPDATE syncro_journal SET state = ?, syncro_id = ?, response = ?, updated_at = ? WHERE id = ?",
            (state, syncro_id, dumps(response) if response is not None else None, self._clock.time(), entry_id),
        )

    async def link(self, entry_id: int) -> Link | None:
        """The link ``entry_id`` saves with its answer, if it has one."""
        row = await self._db.fetchone("SELECT link FROM syncro_journal WHERE id = ?", (entry_id,))
        return Link(**json.loads(row["link"])) if row and row["link"] else None

    async def unsettled(self, entity: str, key: str | None = None) -> list[SyncroWrite]:
        """Writes of ``entity`` (for ``key``) with no recorded outcome, and open edits; oldest first."""
        sql = "SELECT * FROM syncro_journal WHERE state = 'sent' AND entity = ?"
        params: tuple[str, ...] = (entity,)
        if key is not None:
            sql, params = sql + " AND key = ?", (entity, key)
        return [_write(r) for r in await self._db.fetchall(sql + " ORDER BY id", params)]

    async def count_unsettled(self) -> int:
        """Syncro writes with no recorded outcome, and open edits (``status``)."""
        row = await self._db.fetchone("SELECT COUNT(*) FROM syncro_journal WHERE state = 'sent'")
        return int(row[0]) if row else 0

    async def confirmed(self, entity: str, key: str) -> list[SyncroWrite]:
        """The writes of ``entity`` for ``key`` that Syncro answered (or that were found), oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM syncro_journal WHERE state = 'confirmed' AND method != 'EDIT' AND entity = ? AND key = ?"
            " ORDER BY id",
            (entity, key),
        )
        return [_write(r) for r in rows]

    async def for_record(self, resource: str, record_id: str) -> list[SyncroWrite]:
        """Every write to Syncro record ``/resource/record_id`` (or to its parts, or that made it)."""
        rows = await self._db.fetchall(
            "SELECT * FROM syncro_journal WHERE path = ? OR path LIKE ? OR (path = ? AND syncro_id = ?) ORDER BY id",
            (f"/{resource}/{record_id}", f"/{resource}/{record_id}/%", f"/{resource}", record_id),
        )
        return [_write(r) for r in rows]
