"""What each feature last acknowledged of each source record: change detection's memory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..api.jsonutil import dumps
from .db import Database


@dataclass(frozen=True)
class Acked:
    digest: str
    record: dict[str, Any]
    updated_at: str | None


class RecordStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def all(self, feature: str, source: str, resource: str) -> dict[str, Acked]:
        """Every acknowledged record of ``resource`` for ``feature``, by record id."""
        rows = await self._db.fetchall(
            "SELECT record_id, digest, record, updated_at FROM records"
            " WHERE feature = ? AND source = ? AND resource = ?",
            (feature, source, resource),
        )
        return {r["record_id"]: Acked(r["digest"], json.loads(r["record"]), r["updated_at"]) for r in rows}

    async def digests(self, feature: str, source: str, resource: str) -> dict[str, Acked]:
        """Like :meth:`all`, without the records (``record`` is empty): what change detection needs,
        at a fraction of the memory; :meth:`records` reads the few records a pass then needs."""
        rows = await self._db.fetchall(
            "SELECT record_id, digest, updated_at FROM records WHERE feature = ? AND source = ? AND resource = ?",
            (feature, source, resource),
        )
        return {r["record_id"]: Acked(r["digest"], {}, r["updated_at"]) for r in rows}

    async def records(self, feature: str, source: str, resource: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        """The acknowledged records with these ids."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await self._db.fetchall(
                "SELECT record_id, record FROM records WHERE feature = ? AND source = ? AND resource = ?"
                f" AND record_id IN ({', '.join('?' * len(chunk))})",
                (feature, source, resource, *chunk),
            )
            found.update({r["record_id"]: json.loads(r["record"]) for r in rows})
        return found

    async def get(self, feature: str, source: str, resource: str, record_id: str) -> Acked | None:
        row = await self._db.fetchone(
            "SELECT digest, record, updated_at FROM records"
            " WHERE feature = ? AND source = ? AND resource = ? AND record_id = ?",
            (feature, source, resource, record_id),
        )
        return Acked(row["digest"], json.loads(row["record"]), row["updated_at"]) if row else None

    async def ack(
        self,
        feature: str,
        source: str,
        resource: str,
        record_id: str,
        digest: str,
        record: dict[str, Any],
        updated_at: str | None,
    ) -> None:
        await self._db.write(
            "INSERT INTO records (feature, source, resource, record_id, digest, record, updated_at, acked_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (feature, source, resource, record_id) DO UPDATE SET"
            " digest = excluded.digest, record = excluded.record,"
            " updated_at = excluded.updated_at, acked_at = excluded.acked_at",
            (feature, source, resource, record_id, digest, dumps(record), updated_at, self._clock.time()),
        )

    async def forget(self, feature: str, source: str, resource: str, record_id: str) -> None:
        await self._db.write(
            "DELETE FROM records WHERE feature = ? AND source = ? AND resource = ? AND record_id = ?",
            (feature, source, resource, record_id),
        )
