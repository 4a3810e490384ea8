"""Change detection: records as fetched, compared with what a feature last acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .api.dates import parse_instant
from .api.jsonutil import digest
from .api.outcomes import Change, Source
from .state import Acked


@dataclass(frozen=True)
class Detected:
    """A change plus the digest and change time to acknowledge once it is handled."""

    change: Change
    digest: str
    updated_at: str | None


def detect(
    source: Source,
    resource: str,
    records: list[dict[str, Any]],
    acked: dict[str, Acked],
    *,
    complete: bool,
    id_field: str = "id",
    updated_field: str = "updated_at",
) -> list[Detected]:
    """New and changed records; when ``records`` is ``complete``, also those no longer there."""
    found: list[Detected] = []
    seen: set[str] = set()
    for record in records:
        record_id = str(record.get(id_field))
        if record_id in seen:  # an overlapping page may repeat a record
            continue
        seen.add(record_id)
        record_digest = digest(record)
        before = acked.get(record_id)
        if before is not None and before.digest == record_digest:
            continue
        op = "created" if before is None else "updated"
        change = Change(source, resource, op, record_id, record, before.record if before else None)
        found.append(Detected(change, record_digest, _text(record.get(updated_field))))
    if complete:
        for record_id, before in acked.items():
            if record_id not in seen:
                change = Change(source, resource, "deleted", record_id, None, before.record)
                found.append(Detected(change, "", before.updated_at))
    return found


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
