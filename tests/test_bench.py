"""The benchmark keeps working (its figures are read by people, not asserted)."""

from pathlib import Path

from bench.__main__ import run
from helpers import SYNCRO_UNDOCUMENTED_SENT

SPECS = Path(__file__).parent / "specs"
# The emulators run in another process: strict there too, with the same exceptions as conftest's.
STRICT = [f"--spec-dir={SPECS}", *(f"--allow-undocumented={n}" for n in SYNCRO_UNDOCUMENTED_SENT)]


async def test_bench_backfills_every_feature_and_reports_its_figures():
    rows = await run({"customers": 6, "invoices": 8, "payments": 4, "products": 3}, STRICT)

    contacts = next(r for r in rows if r["feature"] == "contacts")
    assert contacts["records"] == 6 and contacts["xero_write_calls"] >= 1 and contacts["error"] is None
    assert set(contacts) >= {"syncro_calls", "xero_calls", "wall_s", "at_rate_limits_s", "cpu_ms_per_record", "peak_mb"}
