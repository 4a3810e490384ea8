"""A link: which Xero record stands for which Syncro record, kept by the core between passes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Link:
    """Syncro record ``syncro_id`` of kind ``entity`` is Xero record ``xero_id``.

    ``entity`` is one of the kinds a feature declares in ``Feature.link_kinds``. ``xero_number`` is
    the record's number in Xero, if it has one; ``payload_digest`` fingerprints what was last written
    (an unchanged payload is not sent again); ``extra`` is the feature's own JSON-able notes.
    """

    entity: str
    syncro_id: str
    xero_id: str
    xero_number: str | None = None
    payload_digest: str | None = None
    feature: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
