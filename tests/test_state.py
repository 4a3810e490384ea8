"""The state file: owner-only, WAL, migrated forward from any earlier version."""

import sqlite3
import stat

from syncro_xero.state import State
from syncro_xero.state.schema import MIGRATIONS


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_state_file_and_its_wal_are_readable_by_the_owner_only(tmp_path):
    path = tmp_path / "state.db"
    state = await State.open(path)
    await state.cursors.set("x", "1")

    assert mode(path) == 0o600
    wal = tmp_path / "state.db-wal"
    assert not wal.exists() or mode(wal) == 0o600
    row = await state.db.fetchone("PRAGMA journal_mode")
    assert row[0] == "wal"
    await state.close()


async def test_an_existing_file_with_loose_permissions_is_tightened(tmp_path):
    path = tmp_path / "state.db"
    path.touch(mode=0o644)
    path.chmod(0o644)

    state = await State.open(path)

    assert mode(path) == 0o600
    await state.close()


async def test_a_version_1_file_is_migrated_keeping_its_data(tmp_path):
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute("PRAGMA user_version = 1")
        db.execute("INSERT INTO cursors (name, value, updated_at) VALUES ('syncro:invoices:invoices', 'kept', 0)")

    state = await State.open(path)

    assert await state.db.schema_version() == len(MIGRATIONS)
    assert await state.cursors.get("syncro:invoices:invoices") == "kept"
    assert "link" in [r["name"] for r in await state.db.fetchall("PRAGMA table_info(journal)")]
    await state.close()


async def test_a_transaction_opened_inside_another_is_a_savepoint_not_a_second_begin(tmp_path):
    state = await State.open(tmp_path / "state.db")
    db = state.db

    async with db.transaction() as conn:
        await conn.execute("INSERT INTO cursors (name, value, updated_at) VALUES ('outer', '1', 0)")
        async with db.transaction() as inner:  # e.g. a store method that opens its own
            await inner.execute("INSERT INTO cursors (name, value, updated_at) VALUES ('kept', '1', 0)")
        try:
            async with db.transaction() as inner:
                await inner.execute("INSERT INTO cursors (name, value, updated_at) VALUES ('undone', '1', 0)")
                raise ValueError("the inner part fails")
        except ValueError:
            pass
        await db.write("INSERT INTO cursors (name, value, updated_at) VALUES ('joined', '1', 0)")

    rows = await db.fetchall("SELECT name FROM cursors ORDER BY name")
    assert [r["name"] for r in rows] == ["joined", "kept", "outer"]
    assert not db.conn.in_transaction
    await state.close()


async def test_a_failed_commit_leaves_no_transaction_open_for_the_next_one_to_nest_in(tmp_path):
    state = await State.open(tmp_path / "state.db")
    db = state.db
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        await conn.execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")

    try:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO child (parent_id) VALUES (7)")  # refused only at COMMIT
    except sqlite3.IntegrityError:
        pass
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO parent (id) VALUES (1)")
    await db.write("INSERT INTO parent (id) VALUES (2)")

    assert not db.conn.in_transaction
    assert [r["id"] for r in await db.fetchall("SELECT id FROM parent ORDER BY id")] == [1, 2]
    assert await db.fetchall("SELECT * FROM child") == []
    await state.close()


async def test_links_read_in_a_pass_are_kept_up_to_a_bound_the_latest_used_staying(tmp_path, monkeypatch):
    from syncro_xero.api.links import Link
    from syncro_xero.state import links as link_store

    monkeypatch.setattr(link_store, "KEPT_READ", 3)
    state = await State.open(tmp_path / "state.db")
    for n in range(5):
        await state.links.save(Link(entity="contact", syncro_id=str(n), xero_id=f"x{n}"))
    reads = 0
    fetchone = state.db.fetchone

    async def counted(*args, **kwargs):
        nonlocal reads
        reads += 1
        return await fetchone(*args, **kwargs)

    monkeypatch.setattr(state.db, "fetchone", counted)
    for n in (0, 1, 2, 0, 3):  # 0 used again, so 1 is the oldest when 3 comes
        await state.links.get("contact", str(n))
    assert reads == 4
    assert (await state.links.get("contact", "0")).xero_id == "x0" and reads == 4
    await state.links.get("contact", "1")
    assert reads == 5
    await state.close()
