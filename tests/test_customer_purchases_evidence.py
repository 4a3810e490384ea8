"""docs/customer-purchases.md holds: Syncro's API spec has no customer-purchase endpoint."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
SPEC = ROOT / "tests" / "specs" / "syncro_swagger.json"
DOC = ROOT / "docs" / "customer-purchases.md"
MENTION = re.compile(r"customer[\s_-]*purchase", re.IGNORECASE)


def test_no_path_of_the_syncro_spec_is_about_customer_purchases():
    paths = json.loads(SPEC.read_text())["paths"]

    def named(path: str) -> str:
        """The path and what its operations call themselves (tags, summaries, operation ids)."""
        operations = [op for op in paths[path].values() if isinstance(op, dict)]
        return json.dumps([path, [[op.get("tags"), op.get("summary"), op.get("operationId")] for op in operations]])

    assert [path for path in paths if MENTION.search(named(path))] == []
    assert sorted(p for p in paths if "purchase" in p.lower()) == sorted(
        re.findall(r"`(/purchase_orders[^`]*)`", DOC.read_text()))


def test_the_spec_mentions_customer_purchases_only_on_the_lines_the_doc_cites():
    lines = SPEC.read_text().splitlines()

    mentioned = [number for number, line in enumerate(lines, start=1) if MENTION.search(line)]

    cited = sorted(int(n) for n in re.findall(r"\(line (\d+)\)", DOC.read_text()))
    assert mentioned == cited == [5338, 5592, 9696]
    assert '"customer_purchase_id"' in lines[5338 - 1] and '"customer_purchase_id"' in lines[5592 - 1]
    assert '"customer_purchases" : false' in lines[9696 - 1]
