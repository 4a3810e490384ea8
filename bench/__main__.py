"""``python -m bench``: backfill every built-in feature over N seeded records and print the figures.

For each feature, in dependency order: records handled, Syncro calls, Xero calls (reads and
writes), wall seconds here, the seconds the same calls take at Syncro's and Xero's real rate limits
(the daemon paces itself on a simulated clock), the daemon's CPU seconds per 1000 records, and its
peak memory. The emulators run in another process, so the figures are the daemon's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from syncro_xero.clock import FakeClock
from syncro_xero.demo import builtin_plugins
from syncro_xero.engine import Engine
from syncro_xero.testing import emulator_config


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class OffSpecTraffic(AssertionError):
    """The daemon sent requests a strict emulator refused, or an emulator answered off its spec."""


async def run(sizes: dict[str, int], strict: list[str] = ()) -> list[dict]:  # type: ignore[assignment]
    """The figures per feature; ``strict``: arguments that make the emulators strict (see
    ``bench.emulator_process``), and then :class:`OffSpecTraffic` if anything broke a spec."""
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.emulator_process", *[f"--{k}={v}" for k, v in sizes.items()], *strict],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent,
    )
    try:
        info = json.loads(server.stdout.readline())  # type: ignore[union-attr]
        rows = []
        with tempfile.TemporaryDirectory(prefix="syncro-xero-bench-") as tmp:
            plugins = {name: {} for name in builtin_plugins()}
            if "tax" in plugins:
                plugins["tax"] = info["tax"]
            config = emulator_config(Path(tmp), syncro_url=info["syncro"], xero_url=info["xero"], plugins=plugins)
            clock = FakeClock()
            engine = await Engine.open(config, clock=clock)
            try:
                for feature in engine.plugins.features:
                    if not feature.syncro_resources:
                        continue
                    syncro_before = engine.syncro.calls
                    xero_before = sum(engine.xero.stats.calls.values())
                    virtual_before, wall_before, cpu_before = clock.time(), time.perf_counter(), cpu_seconds()
                    report = await engine.backfill(feature.name)
                    cpu = cpu_seconds() - cpu_before
                    counts = report.counts.get(feature.name)
                    records = sum(counts.as_dict().values()) if counts else 0
                    rows.append({
                        "feature": feature.name,
                        "records": records,
                        "syncro_calls": engine.syncro.calls - syncro_before,
                        "xero_calls": sum(engine.xero.stats.calls.values()) - xero_before,
                        "xero_write_calls": report.xero_calls,
                        "wall_s": round(time.perf_counter() - wall_before, 2),
                        "at_rate_limits_s": round(clock.time() - virtual_before, 1),
                        "cpu_ms_per_record": round(1000 * cpu / records, 2) if records else None,
                        "peak_mb": round(peak_mb(), 1),
                        "parked": counts.parked if counts else 0,
                        "error": report.error,
                    })
            finally:
                await engine.close()
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        tail = server.stdout.read()  # type: ignore[union-attr]
        server.wait(timeout=30)
    if strict and (violations := json.loads(tail.strip().splitlines()[-1])["spec_violations"]):
        raise OffSpecTraffic("\n".join(violations))
    return rows


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # parked records are counted in the table, not listed
    parser = argparse.ArgumentParser(description=__doc__)
    for name, default in (("customers", 500), ("invoices", 1000), ("payments", 600), ("products", 100)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = {k: getattr(args, k) for k in ("customers", "invoices", "payments", "products")}
    rows = asyncio.run(run(sizes))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"seeded: {sizes}")
    header = ("feature", "records", "syncro_calls", "xero_calls", "xero_write_calls", "wall_s", "at_rate_limits_s",
              "cpu_ms_per_record", "peak_mb", "parked")
    print("  ".join(f"{h:>16}" for h in header))
    for row in rows:
        print("  ".join(f"{str(row[h]):>16}" for h in header))


if __name__ == "__main__":
    main()
