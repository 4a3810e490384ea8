"""The README's feature table proves each row by tests that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def proofs() -> list[tuple[str, str]]:
    """(row, reference) for every ``tests/FILE.py::test`` and ``::test`` (same file) in the table."""
    found = []
    for line in (ROOT / "README.md").read_text().splitlines():
        if not re.match(r"\| [0-9A-Z]+ \|", line):
            continue
        row = line.split("|")[1].strip()
        current = None
        for file, name in re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+))?", line.split("|")[-2]):
            current = file or current
            if file and not name:
                found.append((row, file))
            elif name:
                found.append((row, f"{current}::{name}"))
    return found


def test_the_feature_table_names_tests():
    assert len(proofs()) > 50


def test_every_test_the_feature_table_names_exists():
    missing = []
    for row, reference in proofs():
        file, _, name = reference.partition("::")
        path = ROOT / file
        if not path.exists() or (name and not re.search(rf"def {name}\b", path.read_text())):
            missing.append(f"row {row}: {reference}")
    assert missing == []
