"""Opening the state file: WAL, owner-only permissions, migrations, one writer at a time."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import aiosqlite

from .schema import MIGRATIONS

SIDE_FILES = ("-wal", "-shm")


class StateError(Exception):
    """The state file cannot be used (not SQLite, a directory, not creatable): one line naming it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"state.path: {path}: {reason}")
        self.path = path


class Database:
    """One aiosqlite connection; writes are serialised by :meth:`transaction`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        self._owner: asyncio.Task | None = None  # the task inside the open transaction
        self._depth = 0  # savepoints open inside it

    @classmethod
    async def open(cls, path: Path | str) -> "Database":
        """Open (creating) the state file; :class:`StateError` when it cannot be used."""
        path = Path(path)
        try:
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
                _create_owner_only(path)
            conn = await aiosqlite.connect(str(path), isolation_level=None)
        except OSError as error:
            raise StateError(path, f"cannot be opened or created ({error.strerror or error})") from None
        except sqlite3.Error as error:
            raise StateError(path, str(error)) from None
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            db = cls(conn, path)
            await db._migrate()
            db._restrict_side_files()
        except (sqlite3.Error, OSError) as error:
            await conn.close()  # else its worker thread keeps the process alive after the error
            raise StateError(path, f"not a usable SQLite state file ({error})") from None
        return db

    async def close(self) -> None:
        await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error); one at a time.

        Opened again inside itself (by the same task) it is a ``SAVEPOINT``, never a second ``BEGIN``:
        the inner part commits with the outer one, and its error undoes only itself. A transaction
        left open (a ``COMMIT`` that failed, a task cancelled at ``BEGIN``) is rolled back first.
        """
        task = asyncio.current_task()
        if self._owner is not None and self._owner is task:
            async with self._savepoint():
                yield self.conn
            return
        async with self._write_lock:
            self._owner = task
            try:
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                await self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                    await self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        await self.conn.execute("ROLLBACK")
                    raise
            finally:
                self._owner = None

    @asynccontextmanager
    async def _savepoint(self) -> AsyncIterator[None]:
        self._depth += 1
        name = f"nested_{self._depth}"
        try:
            await self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                await self.conn.execute(f"ROLLBACK TO {name}")
                raise
            finally:
                await self.conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1

    async def write(self, sql: str, params: tuple = ()) -> None:
        """One statement, atomic on its own (no ``BEGIN``/``COMMIT`` round trips), in turn with the
        transactions (inside one of this task's, it joins it)."""
        if self._owner is not None and self._owner is asyncio.current_task():
            await self.conn.execute(sql, params)
            return
        async with self._write_lock:
            if self.conn.in_transaction:
                await self.conn.execute("ROLLBACK")
            await self.conn.execute(sql, params)

    async def fetchall(self, sql: str, params: tuple = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: tuple = ()) -> aiosqlite.Row | None:
        rows = await self.conn.execute_fetchall(sql, params)
        return rows[0] if rows else None

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            async with self.transaction() as conn:
                for statement in _statements(script):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {version}")

    def _restrict_side_files(self) -> None:
        for suffix in SIDE_FILES:
            side = Path(f"{self.path}{suffix}")
            if side.exists():
                os.chmod(side, 0o600)


def _create_owner_only(path: Path) -> None:
    """Create the file 0600 before SQLite opens it, and tighten an existing one."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (comments in migrations must not contain semicolons)."""
    return [s.strip() for s in script.split(";") if s.strip()]
