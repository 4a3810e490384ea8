"""Xero's JSON on the wire: Microsoft dates, exact decimals, lenient input.

Input: numbers become :class:`~decimal.Decimal` (integers stay ``int``); dates are accepted as
``/Date(ms)/``, ``/Date(ms+0000)/`` and ISO ``YYYY-MM-DD[THH:MM:SS[.fff][Z|±hh:mm]]`` (xero-api.md §8).
Output: datetimes and dates become ``/Date(ms+0000)/``, decimals are written as exact numbers.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

UTC = timezone.utc
ZERO_GUID = "00000000-0000-0000-0000-000000000000"

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def loads(raw: bytes | str) -> Any:
    """Parse a request body; floats become Decimal. Raises ValueError on bad JSON."""
    return json.loads(raw, parse_float=Decimal)


def dumps(value: Any) -> str:
    """Serialise a response body the way Xero writes it."""
    return "".join(_encode(value))


def _encode(value: Any):
    if isinstance(value, dict):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            if i:
                yield ","
            yield json.dumps(str(key))
            yield ":"
            yield from _encode(item)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from _encode(item)
        yield "]"
    elif isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        yield json.dumps(value)
    elif isinstance(value, Decimal):
        yield _decimal(value)
    elif isinstance(value, float):
        yield repr(value)
    elif isinstance(value, (datetime, date)):
        yield json.dumps(ms_date(value))
    else:
        raise TypeError(f"cannot serialise {type(value).__name__}")


def _decimal(value: Decimal) -> str:
    text = format(value, "f")
    return text if "." in text else text + ".0"


def epoch_ms(value: datetime | date) -> int:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), UTC)
    return int(value.astimezone(UTC).timestamp() * 1000)


def ms_date(value: datetime | date) -> str:
    """``/Date(ms+0000)/``: how Xero writes every date and timestamp inside records."""
    return f"/Date({epoch_ms(value)}+0000)/"


def envelope_stamp(value: datetime) -> str:
    """``/Date(ms)/``: how Xero writes the envelope's ``DateTimeUTC``."""
    return f"/Date({epoch_ms(value)})/"


def parse_datetime(text: str) -> datetime:
    """A timestamp in any accepted input form, as an aware UTC datetime. Raises ValueError."""
    text = text.strip()
    if match := _MS_DATE.match(text):
        # An offset such as +0000 only names the zone the value was shown in; ms is the instant.
        return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_date(text: str) -> date:
    """A calendar date in any accepted input form. Raises ValueError.

    ``/Date(ms)/`` is read through UTC, which is what the SDK means by it (xero-api.md §7).
    """
    return parse_datetime(text).date()


def truncate_ms(moment: datetime) -> datetime:
    """Xero keeps timestamps to the millisecond."""
    return moment - timedelta(microseconds=moment.microsecond % 1000)
