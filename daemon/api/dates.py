"""Instants as both APIs write them."""

from __future__ import annotations

from datetime import datetime, timezone


def parse_instant(value: str) -> datetime:
    """A Syncro timestamp (with offset, or ``Z``) or Xero ``/Date(ms+0000)/`` as an aware datetime."""
    if value.startswith("/Date("):
        millis = int(value[6:].split(")")[0].split("+")[0].split("-")[0])
        return datetime.fromtimestamp(millis / 1000, timezone.utc)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
