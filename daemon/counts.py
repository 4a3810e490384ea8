"""What one pass of one feature did, counted."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PassCounts:
    """What one pass of one feature did."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    parked: int = 0
    waiting: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if isinstance(v, int) and v}
