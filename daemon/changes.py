"""Change detection: records as fetched, compared with what a feature last acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .feature import Change, Source
from .jsonutil import digest
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


def parse_instant(value: str) -> datetime:
    """A Syncro timestamp (with offset, or ``Z``) or Xero ``/Date(ms+0000)/`` as an aware datetime."""
    if value.startswith("/Date("):
        millis = int(value[6:].split(")")[0].split("+")[0].split("-")[0])
        return datetime.fromtimestamp(millis / 1000, timezone.utc)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
