"""One row per feature per pass: what `status` reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from .db import Database


@dataclass(frozen=True)
class Run:
    feature: str
    started_at: float
    finished_at: float | None
    outcome: str | None
    counts: dict[str, int]
    error: str | None


class RunLog:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def start(self, feature: str) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO runs (feature, started_at) VALUES (?, ?)", (feature, self._clock.time())
            )
            return int(cursor.lastrowid or 0)

    async def finish(self, run_id: int, outcome: str, counts: dict[str, int], error: str | None = None) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE runs SET finished_at = ?, outcome = ?, counts = ?, error = ? WHERE id = ?",
                (self._clock.time(), outcome, json.dumps(counts, sort_keys=True), error, run_id),
            )

    async def last(self, feature: str) -> Run | None:
        row = await self._db.fetchone("SELECT * FROM runs WHERE feature = ? ORDER BY id DESC LIMIT 1", (feature,))
        if row is None:
            return None
        return Run(
            feature=row["feature"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            outcome=row["outcome"],
            counts=json.loads(row["counts"]) if row["counts"] else {},
            error=row["error"],
        )

    async def totals(self, feature: str) -> dict[str, Any]:
        rows = await self._db.fetchall("SELECT counts FROM runs WHERE feature = ? AND counts IS NOT NULL", (feature,))
        totals: dict[str, int] = {}
        for row in rows:
            for key, value in json.loads(row["counts"]).items():
                totals[key] = totals.get(key, 0) + value
        return totals
