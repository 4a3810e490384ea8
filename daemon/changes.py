"""Change detection: records as fetched, compared with what a feature last acknowledged."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .api.dates import parse_instant
from .api.jsonutil import digest
from .api.outcomes import Change, Source
from .packed import Listing, unpack
from .state import Acked


@dataclass(frozen=True)
class Detected:
    """A change plus the digest and change time to acknowledge once it is handled.

    From a packed listing, the record stays packed (``packed``; ``change.record`` is None) until
    the change is handled: a pass holds every change of a backfill at once.
    """

    change: Change
    digest: str
    updated_at: str | None
    packed: bytes | None = None

    def unpacked(self) -> Change:
        """The change with its record."""
        return self.change if self.packed is None else replace(self.change, record=unpack(self.packed))


def detect(
    source: Source,
    resource: str,
    records: Iterable[dict[str, Any]] | Listing,
    acked: dict[str, Acked],
    *,
    complete: bool,
    id_field: str = "id",
    updated_field: str = "updated_at",
) -> list[Detected]:
    """New and changed records; when ``records`` is ``complete``, also those no longer there."""
    found: list[Detected] = []
    seen: set[str] = set()
    for record, packed in _with_packed(records):
        record_id = str(record.get(id_field))
        if record_id in seen:  # an overlapping page may repeat a record
            continue
        seen.add(record_id)
        record_digest = digest(record)
        before = acked.get(record_id)
        if before is not None and before.digest == record_digest:
            continue
        op = "created" if before is None else "updated"
        change = Change(source, resource, op, record_id, None if packed else record, before.record if before else None)
        found.append(Detected(change, record_digest, _text(record.get(updated_field)), packed))
    if complete:
        for record_id, before in acked.items():
            if record_id not in seen:
                change = Change(source, resource, "deleted", record_id, None, before.record)
                found.append(Detected(change, "", before.updated_at))
    return found


def _with_packed(records: Iterable[dict[str, Any]] | Listing) -> Iterator[tuple[dict[str, Any], bytes | None]]:
    if isinstance(records, Listing):
        return ((entry.unpacked(), entry.data) for entry in records.entries)
    return ((record, None) for record in records)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def readable_instant(value: Any) -> datetime | None:
    """A record's change time, or None when it has none or it is unreadable (never a crash)."""
    if not isinstance(value, str):
        return None
    try:
        return parse_instant(value)
    except (ValueError, IndexError, OverflowError):
        return None
