"""``python -m bench``: the daemon over a seeded account, phase by phase, against the least the rate
limits allow and a naive per-record client.

Phases: **backfill** (the first pass of every built-in feature over the whole account), **idle**
(the next pass, nothing changed in Syncro), **incremental** (1 % of the invoices changed and 1 % new
payments). For each: Syncro calls (detail calls, 429s), Xero calls and write calls, the minutes those
calls take at the real limits, the least the limits allow for the same work and the ratio
(``bounds.py``), the seconds the daemon waited on its own pacing (simulated clock), the daemon's CPU
milliseconds per record of the account (start-up excluded) and its peak memory, and the naive
client's calls and minutes for the same work. The emulators run in another process, so the CPU and
memory figures are the daemon's alone. ``--scale 5`` multiplies the account's size.
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
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from syncro_xero.clock import FakeClock
from syncro_xero.demo import builtin_plugins
from syncro_xero.engine import Engine
from syncro_xero.testing import emulator_config

from .bounds import phase_row

SIZES = {"customers": 500, "invoices": 1000, "payments": 600, "products": 100}
CHANGED = 0.01
INTERVAL = 60.0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class OffSpecTraffic(AssertionError):
    """The daemon sent requests a strict emulator refused, or an emulator answered off its spec."""


class Emulators:
    """The emulator process, driven one JSON line at a time."""

    def __init__(self, sizes: dict[str, int], strict: list[str]) -> None:
        self.strict = bool(strict)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.emulator_process", *[f"--{k}={v}" for k, v in sizes.items()], *strict],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent,
        )
        self.info = self.read()

    def read(self) -> dict[str, Any]:
        return json.loads(self.process.stdout.readline())  # type: ignore[union-attr]

    def ask(self, command: str) -> dict[str, Any]:
        self.process.stdin.write(command + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        return self.read()

    def close(self) -> list[str]:
        """Stop the emulators; what broke a spec, in strict mode."""
        self.process.stdin.close()  # type: ignore[union-attr]
        tail = self.process.stdout.read()  # type: ignore[union-attr]
        self.process.wait(timeout=60)
        return json.loads(tail.strip().splitlines()[-1])["spec_violations"] if self.strict else []


async def run(sizes: dict[str, int], strict: list[str] = ()) -> list[dict[str, Any]]:  # type: ignore[assignment]
    """The figures per phase; ``strict``: arguments that make the emulators strict (see
    ``bench.emulator_process``), and then :class:`OffSpecTraffic` if anything broke a spec."""
    emulators = Emulators(sizes, list(strict))
    try:
        info = emulators.info
        records = sum(info["counts"][k] for k in ("customers", "invoices", "payments", "products"))
        rows = []
        with tempfile.TemporaryDirectory(prefix="syncro-xero-bench-") as tmp:
            plugins: dict[str, dict[str, Any]] = {name: {} for name in builtin_plugins()}
            if "tax" in plugins:
                plugins["tax"] = info["tax"]
            config = emulator_config(Path(tmp), syncro_url=info["syncro"], xero_url=info["xero"], plugins=plugins)
            clock = FakeClock(datetime.now(timezone.utc))  # the emulators run on the real clock
            engine = await Engine.open(config, clock=clock)
            polled = sorted({r for f in engine.plugins.features for r in f.syncro_resources})
            try:
                emulators.ask("stats")  # start-up (token, connections) is not a phase
                for phase in ("backfill", "idle", "incremental"):
                    changed = emulators.ask(f"change {CHANGED}") if phase == "incremental" else {}
                    waited, cpu_before = engine.syncro.waited, cpu_seconds()
                    report = await engine.run_pass()
                    cpu = cpu_seconds() - cpu_before
                    stats = emulators.ask("stats")
                    row = phase_row(phase, stats, polled, 2 * changed.get("invoices", 0))
                    row.update({
                        "records": records,
                        "syncro_wait_s": round(engine.syncro.waited - waited, 1),
                        "cpu_ms_per_record": round(1000 * cpu / records, 3),
                        "peak_mb": round(peak_mb(), 1),
                        "parked": report.parked_total,
                        "error": report.error,
                    })
                    rows.append(row)
                    clock.advance(INTERVAL)
            finally:
                await engine.close()
    finally:
        violations = emulators.close()
    if violations:
        raise OffSpecTraffic("\n".join(violations))
    return rows


COLUMNS = (
    ("phase", "phase"), ("syncro_calls", "Syncro calls"), ("syncro_detail_calls", "of which details"),
    ("xero_calls", "Xero calls"), ("xero_write_calls", "Xero writes"), ("minutes_at_limits", "min at limits"),
    ("least_minutes", "least min"), ("ratio", "ratio"), ("syncro_wait_s", "Syncro wait s"),
    ("cpu_ms_per_record", "CPU ms/record"), ("peak_mb", "peak MB"), ("naive_syncro_calls", "naive Syncro"),
    ("naive_xero_calls", "naive Xero"), ("naive_minutes", "naive min"),
)


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(row[key]) for key, _ in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # parked records are counted in the table, not listed
    parser = argparse.ArgumentParser(description=__doc__)
    for name, default in SIZES.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = {k: int(getattr(args, k) * args.scale) for k in SIZES}
    rows = asyncio.run(run(sizes))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"seeded: {sizes}; records: {rows[0]['records']}")
    print(markdown(rows))


if __name__ == "__main__":
    main()
