"""The benchmark keeps working (its figures are read by people, not asserted beyond their shape)."""

from pathlib import Path

from bench.__main__ import run
from helpers import SYNCRO_UNDOCUMENTED_SENT

SPECS = Path(__file__).parent / "specs"
# The emulators run in another process: strict there too, with the same exceptions as conftest's.
STRICT = [f"--spec-dir={SPECS}", *(f"--allow-undocumented={n}" for n in SYNCRO_UNDOCUMENTED_SENT)]


async def test_bench_runs_the_backfill_idle_and_incremental_phases_and_reports_their_figures():
    rows = await run({"customers": 6, "invoices": 8, "payments": 4, "products": 3}, STRICT)

    assert [r["phase"] for r in rows] == ["backfill", "idle", "incremental"]
    backfill, idle, incremental = rows
    assert backfill["xero_write_calls"] >= 1 and backfill["error"] is None
    assert idle["xero_write_calls"] == 0 and idle["syncro_detail_calls"] == 0
    assert incremental["xero_write_calls"] >= 1
    assert set(backfill) >= {"minutes_at_limits", "least_minutes", "ratio", "cpu_ms_per_record", "peak_mb",
                             "naive_syncro_calls", "naive_xero_calls", "naive_minutes"}
