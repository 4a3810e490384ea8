"""Canonical JSON for what the daemon stores and digests: Decimal and dates kept exact."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any) -> str:
    """Compact, key-sorted JSON; Decimals become strings, dates ISO strings."""
    return json.dumps(value, default=_default, sort_keys=True, separators=(",", ":"))


def loads(text: str) -> Any:
    """Parse JSON with numbers as Decimal (money never passes through float)."""
    return json.loads(text, parse_float=Decimal)


def digest(value: Any) -> str:
    """A stable digest of a JSON-able value."""
    return hashlib.sha256(dumps(value).encode()).hexdigest()[:32]
