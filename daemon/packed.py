"""Records a pass keeps for a later reader, packed: pickled bytes take a fraction of the memory of
parsed JSON (a Syncro customer: about a third), so a pass holding one resource for another's sake
stays small as the account grows. Each read unpacks a fresh copy (exact: Decimals stay Decimals).

Only the daemon's own parsed records are packed, in memory, for the length of one pass; nothing
read from outside is ever unpickled.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping
from typing import Any


def pack(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(packed: bytes) -> Any:
    return pickle.loads(packed)


class PackedRecords(Mapping[str, dict[str, Any]]):
    """Records by id, each kept packed; ``records[id]`` is a fresh copy of it."""

    def __init__(self, records: Mapping[str, dict[str, Any]]) -> None:
        self._packed = {record_id: pack(record) for record_id, record in records.items()}

    def __getitem__(self, record_id: str) -> dict[str, Any]:
        return unpack(self._packed[record_id])

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)
