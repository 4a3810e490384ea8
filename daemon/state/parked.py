"""Records a feature could not sync: the reason, the attempts, and the change to replay on retry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from ..clock import Clock
from ..api.jsonutil import dumps
from .db import Database


@dataclass(frozen=True)
class ParkedRecord:
    id: str  # "feature:source:resource:record_id", what `retry` takes
    feature: str
    source: str
    resource: str
    record_id: str
    reason: str
    detail: str | None
    attempts: int
    first_at: float
    last_at: float
    change: dict[str, Any]


@dataclass(frozen=True)
class ParkedEvent:
    feature: str
    event: str  # "parked" or "released"
    reason: str | None
    at: float


async def _remember(conn: aiosqlite.Connection, key: tuple[str, str, str, str], event: str, reason: str | None,
                    at: float) -> None:
    await conn.execute(
        "INSERT INTO parked_history (feature, source, resource, record_id, event, reason, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (*key, event, reason, at),
    )


def parked_id(feature: str, source: str, resource: str, record_id: str) -> str:
    return f"{feature}:{source}:{resource}:{record_id}"


def _parked(row: aiosqlite.Row) -> ParkedRecord:
    return ParkedRecord(
        id=parked_id(row["feature"], row["source"], row["resource"], row["record_id"]),
        feature=row["feature"],
        source=row["source"],
        resource=row["resource"],
        record_id=row["record_id"],
        reason=row["reason"],
        detail=row["detail"],
        attempts=row["attempts"],
        first_at=row["first_at"],
        last_at=row["last_at"],
        change=json.loads(row["change"]),
    )


class ParkedStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def park(
        self,
        feature: str,
        source: str,
        resource: str,
        record_id: str,
        reason: str,
        detail: str | None,
        change: dict[str, Any],
    ) -> None:
        now = self._clock.time()
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO parked (feature, source, resource, record_id, reason, detail, attempts,"
                " first_at, last_at, change) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)"
                " ON CONFLICT (feature, source, resource, record_id) DO UPDATE SET reason = excluded.reason,"
                " detail = excluded.detail, attempts = parked.attempts + 1, last_at = excluded.last_at,"
                " change = excluded.change",
                (feature, source, resource, record_id, reason, detail, now, now, dumps(change)),
            )
            await _remember(conn, (feature, source, resource, record_id), "parked", reason, now)

    async def release(self, feature: str, source: str, resource: str, record_id: str) -> None:
        """The record synced (or was dismissed): it is no longer parked."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM parked WHERE feature = ? AND source = ? AND resource = ? AND record_id = ?",
                (feature, source, resource, record_id),
            )
            if cursor.rowcount:
                await _remember(conn, (feature, source, resource, record_id), "released", None, self._clock.time())

    async def history(self, resource: str, record_id: str) -> list[ParkedEvent]:
        """Every park and release of one source record, oldest first (any feature)."""
        rows = await self._db.fetchall(
            "SELECT * FROM parked_history WHERE resource = ? AND record_id = ? ORDER BY id", (resource, record_id)
        )
        return [ParkedEvent(r["feature"], r["event"], r["reason"], r["at"]) for r in rows]

    async def all(self, feature: str | None = None) -> list[ParkedRecord]:
        if feature is None:
            rows = await self._db.fetchall("SELECT * FROM parked ORDER BY first_at, feature, record_id")
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM parked WHERE feature = ? ORDER BY first_at, record_id", (feature,)
            )
        return [_parked(r) for r in rows]

    async def get(self, id: str) -> ParkedRecord | None:
        parts = id.split(":", 3)
        if len(parts) != 4:
            return None
        row = await self._db.fetchone(
            "SELECT * FROM parked WHERE feature = ? AND source = ? AND resource = ? AND record_id = ?", tuple(parts)
        )
        return _parked(row) if row else None

    async def count(self, feature: str | None = None) -> int:
        if feature is None:
            row = await self._db.fetchone("SELECT COUNT(*) FROM parked")
        else:
            row = await self._db.fetchone("SELECT COUNT(*) FROM parked WHERE feature = ?", (feature,))
        return int(row[0]) if row else 0
