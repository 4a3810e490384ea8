"""Small named values: polling cursors and Xero tokens."""

from __future__ import annotations

import json
from typing import Any

from ..clock import Clock
from .db import Database


class ValueStore:
    """A name -> value table (``cursors`` or ``secrets``)."""

    def __init__(self, db: Database, clock: Clock, table: str) -> None:
        if table not in ("cursors", "secrets"):
            raise ValueError(table)
        self._db = db
        self._clock = clock
        self._table = table

    async def get(self, name: str) -> str | None:
        row = await self._db.fetchone(f"SELECT value FROM {self._table} WHERE name = ?", (name,))
        return row["value"] if row else None

    async def set(self, name: str, value: str) -> None:
        await self._db.write(
            f"INSERT INTO {self._table} (name, value, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (name, value, self._clock.time()),
        )

    async def delete(self, name: str) -> None:
        await self._db.write(f"DELETE FROM {self._table} WHERE name = ?", (name,))

    async def items(self) -> dict[str, str]:
        rows = await self._db.fetchall(f"SELECT name, value FROM {self._table} ORDER BY name")
        return {r["name"]: r["value"] for r in rows}


class TokenStore:
    """The Xero OAuth token, kept in the 0600 state file (never in LoadCredential: it rotates)."""

    NAME = "xero_token"

    def __init__(self, secrets: ValueStore) -> None:
        self._secrets = secrets

    async def load_token(self) -> dict[str, Any] | None:
        raw = await self._secrets.get(self.NAME)
        return json.loads(raw) if raw else None

    async def save_token(self, token: dict[str, Any]) -> None:
        await self._secrets.set(self.NAME, json.dumps(token))
