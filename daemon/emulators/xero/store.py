"""In-memory data of each organisation (tenant), with undo for all-or-nothing batches.

Records are plain dicts keyed by Xero's PascalCase field names, holding Decimal, ``date``,
``datetime`` (UTC), bool, str, lists and dicts — exactly what the API shows, before the wire
format. A stored record is never changed in place: writers build a new dict and :meth:`Table.put`
it, which is what lets :meth:`Org.atomic` undo a failed batch.
"""

from __future__ import annotations

import copy
import uuid
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Protocol

from ...clock import Clock
from .wire import truncate_ms

if TYPE_CHECKING:
    from .config import XeroConfig


class RecordKind(Protocol):
    """What an organisation asks of a resource (``resource.Resource`` is one) about its records."""

    id_field: str
    alt_key: str | None

    def seed(self, org: "Org", fields: dict) -> dict: ...

    def edit(self, org: "Org", record: dict, fields: dict, *, touch: bool) -> dict: ...

    def view(self, org: "Org", record: dict) -> dict: ...


class Table:
    """One collection of one organisation: records by id, in creation order."""

    def __init__(self, org: "Org", id_field: str) -> None:
        self._org = org
        self.id_field = id_field
        self._rows: dict[str, dict] = {}

    def get(self, record_id: str | None) -> dict | None:
        return self._rows.get(str(record_id).lower()) if record_id else None

    def all(self) -> list[dict]:
        return list(self._rows.values())

    def find(self, field: str, value: Any) -> dict | None:
        """The first record whose ``field`` equals ``value`` (text compared without case)."""
        if value is None:
            return None
        return next((row for row in self._rows.values() if _same(row.get(field), value)), None)

    def put(self, record: dict) -> dict:
        key = str(record[self.id_field]).lower()
        self._org._remember(self, key, self._rows.get(key))
        self._rows[key] = record
        return record

    def remove(self, record_id: str) -> None:
        key = str(record_id).lower()
        if key in self._rows:
            self._org._remember(self, key, self._rows[key])
            del self._rows[key]

    def _restore(self, key: str, previous: dict | None) -> None:
        if previous is None:
            self._rows.pop(key, None)
        else:
            self._rows[key] = previous

    def __len__(self) -> int:
        return len(self._rows)


class Org:
    """One Xero organisation: its Organisation record and a table per resource."""

    def __init__(
        self, tenant_id: str, name: str, clock: Clock, config: "XeroConfig", resources: Mapping[str, RecordKind]
    ) -> None:
        self.tenant_id = tenant_id
        self.name = name
        self.clock = clock
        self.config = config
        self.resources = resources
        self.organisation: dict = {}
        self._tables: dict[str, Table] = {}
        self._undo: list[tuple[Table, str, dict | None]] | None = None

    def now(self) -> datetime:
        return truncate_ms(self.clock.now())

    def table(self, plural: str) -> Table:
        if plural not in self._tables:
            self._tables[plural] = Table(self, self.resources[plural].id_field)
        return self._tables[plural]

    # -- all-or-nothing -----------------------------------------------------------------------
    @contextmanager
    def atomic(self) -> Iterator["Org"]:
        """Collect undo for every put/remove inside; :meth:`rollback` restores, an error too."""
        outer, self._undo = self._undo, []
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        finally:
            inner, self._undo = self._undo, outer
            if outer is not None and inner:
                outer.extend(inner)

    def rollback(self) -> None:
        """Undo everything since the innermost :meth:`atomic` began."""
        undo = self._undo or []
        while undo:
            table, key, previous = undo.pop()
            table._restore(key, previous)

    def _remember(self, table: Table, key: str, previous: dict | None) -> None:
        if self._undo is not None:
            self._undo.append((table, key, copy.deepcopy(previous)))

    # -- for tests and seeds: read, seed, and edit "as a user in Xero" --------------------------
    def records(self, plural: str) -> list[dict]:
        return self.table(plural).all()

    def get(self, plural: str, key: str) -> dict | None:
        """A record by its id, or by the resource's natural key (ContactNumber, Item Code, …)."""
        resource = self.resources[plural]
        table = self.table(plural)
        found = table.get(key)
        if found is None and resource.alt_key:
            found = table.find(resource.alt_key, key)
        return found

    def find(self, plural: str, **equal: Any) -> dict | None:
        """The first record whose fields equal ``equal`` (text compared without case)."""
        for record in self.table(plural).all():
            if all(_same(record.get(k), v) for k, v in equal.items()):
                return record
        return None

    def insert(self, plural: str, fields: dict | None = None, **more: Any) -> dict:
        """Create a record as the API would (same validation); read-only fields may be preset."""
        return self.resources[plural].seed(self, {**(fields or {}), **more})

    def edit(self, plural: str, key: str, fields: dict | None = None, *, touch: bool = True, **more: Any) -> dict:
        """Change a record as a user in Xero would; ``touch`` bumps ``UpdatedDateUTC``."""
        record = self.get(plural, key)
        if record is None:
            raise KeyError(f"{plural}: no record {key!r}")
        return self.resources[plural].edit(self, record, {**(fields or {}), **more}, touch=touch)

    def view(self, plural: str, key: str) -> dict:
        """A record as the API shows it (computed fields such as a contact's Balances included)."""
        record = self.get(plural, key)
        if record is None:
            raise KeyError(f"{plural}: no record {key!r}")
        return self.resources[plural].view(self, record)

    def set_lock_dates(self, period: date | None = None, end_of_year: date | None = None) -> None:
        """Set (or with None clear) the Organisation's PeriodLockDate and EndOfYearLockDate."""
        for name, value in (("PeriodLockDate", period), ("EndOfYearLockDate", end_of_year)):
            if value is None:
                self.organisation.pop(name, None)
            else:
                self.organisation[name] = value


def _same(have: Any, want: Any) -> bool:
    if isinstance(have, str) and isinstance(want, str):
        return have.lower() == want.lower()
    return have == want


def new_id() -> str:
    return str(uuid.uuid4())
