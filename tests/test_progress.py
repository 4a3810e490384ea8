"""Progress on a terminal, and the log lines a pass writes."""

from __future__ import annotations

import io
import logging
import re

from syncro_xero.logs import setup_logging
from syncro_xero.progress import progress_display
from syncro_xero.testing import tax_settings_for

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_progress_shows_done_of_total_and_log_lines_print_whole_above_it(syncro_emulator, open_engine):
    for i in range(3):
        syncro_emulator.store.add_customer(business_name=f"Customer {i}")
    engine = await open_engine()
    terminal = Terminal()
    setup_logging("warning", terminal)

    with progress_display(terminal) as progress:
        await engine.run_pass(progress=progress)
        logging.getLogger("syncro_xero.test").warning("a line that must stay whole")

    lines = [ANSI.sub("", line).strip() for line in terminal.getvalue().replace("\r", "\n").splitlines()]
    assert any(re.search(r"contacts\s.*3/3", line) for line in lines)
    assert any(line.endswith("WARNING syncro_xero.test: a line that must stay whole") for line in lines)


def test_no_progress_is_drawn_when_stderr_is_no_terminal():
    with progress_display(io.StringIO()) as progress:
        assert progress is None


async def test_info_logs_one_summary_line_per_feature_per_pass(syncro_emulator, open_engine, make_config):
    syncro_emulator.store.add_customer(business_name="Acme Ltd")
    syncro_emulator.store.add_product(name="Cable")
    tax = tax_settings_for(syncro_emulator.store)
    engine = await open_engine(make_config(plugins={"contacts": {}, "tax": tax, "products": {}}))
    stream = io.StringIO()
    setup_logging("info", stream)

    await engine.run_pass()

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert "pass contacts: ok, created 1" in lines[0] and "pass products: ok, created 1" in lines[1]


def test_at_debug_the_log_is_the_daemons_not_aiosqlites():
    stream = io.StringIO()
    setup_logging("debug", stream)

    logging.getLogger("aiosqlite").debug("executing a statement")
    logging.getLogger("syncro_xero.sync_pass").debug("the daemon's own detail")

    assert "executing a statement" not in stream.getvalue() and "the daemon's own detail" in stream.getvalue()
