"""``status`` and the daemon's status page: what a person reads about the passes."""

from __future__ import annotations

from html.parser import HTMLParser

from helpers import free_port
from prometheus_client import generate_latest
from syncro_xero.metrics import Metrics, MetricsServer
from syncro_xero.reports import status_data
from syncro_xero.testing import tax_settings_for


async def test_status_shows_the_last_pass_of_xero_to_syncro_features(syncro_emulator, make_config, open_engine):
    plugins = {"contacts": {}, "tax": tax_settings_for(syncro_emulator.store), "invoices": {}, "xero_payments": {},
               "xero_contacts": {}}
    engine = await open_engine(make_config(plugins=plugins))
    before = await status_data(engine.config)

    await engine.run_pass()
    after = await status_data(engine.config)

    reverse = ("xero_payments", "xero_contacts")
    assert [p["last_pass"] for p in before["plugins"] if p["name"] in reverse] == [None, None]
    assert [p["last_outcome"] for p in after["plugins"] if p["name"] in reverse] == ["ok", "ok"]


class _Cells(HTMLParser):
    """The text of every table cell, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


async def test_the_status_page_is_html_listing_parked_records_with_reasons_and_the_json_behind_it(
    syncro_emulator, make_config, open_engine, session
):
    bad = syncro_emulator.store.add_customer(business_name="Bad <Ltd>", email="x@localhost")
    engine = await open_engine(make_config())
    metrics = Metrics()
    metrics.observe(await engine.run_pass(), engine.xero.stats, 2.5, engine.syncro)
    server = MetricsServer(metrics, free_port(), 60, lambda: status_data(engine.config))
    await server.start()
    try:
        base = f"http://127.0.0.1:{server._port}"
        async with session.get(f"{base}/status") as page:
            content_type, html = page.content_type, await page.text()
        async with session.get(f"{base}/status.json") as answer:
            data = await answer.json()
    finally:
        await server.stop()

    cells = _Cells()
    cells.feed(html)
    reason = "Xero refused this record: Email address must be valid."
    assert content_type == "text/html"
    assert [row[:3] for row in cells.tables["parked"][1:]] == [[f"contacts:syncro:customers:{bad.id}", "contacts", reason]]
    [contacts] = [row for row in cells.tables["features"][1:] if row[0] == "contacts"]
    assert contacts[3] == "partial" and contacts[5] == "1"
    assert {row[0] for row in cells.tables["budget"][1:]} == {"syncro_minute", "xero_day", "xero_minute"}
    assert data["parked_records"][0]["reason"] == reason and data["daemon"]["last_result"] == "parked"


async def test_metrics_label_a_pass_by_its_own_result_and_add_duration_and_429s_by_api(
    syncro_emulator, xero_emulator, make_config, open_engine
):
    syncro_emulator.store.add_customer(business_name="Bad Ltd", email="x@localhost")
    engine = await open_engine(make_config())
    metrics = Metrics()
    metrics.observe(await engine.run_pass(), engine.xero.stats, 2.5, engine.syncro)
    syncro_emulator.store.add_customer(business_name="Good Ltd")
    engine.xero.stats.rate_limited += 2  # as the client counts Xero's 429s

    metrics.observe(await engine.run_pass(), engine.xero.stats, 0.5, engine.syncro)

    text = generate_latest(metrics.registry).decode()
    assert 'syncro_xero_passes_total{result="parked"} 1.0' in text
    assert 'syncro_xero_passes_total{result="ok"} 1.0' in text  # the old parked record does not label it
    assert "syncro_xero_pass_duration_seconds_sum 3.0" in text
    assert 'syncro_xero_rate_limited_responses_total{api="xero"} 2.0' in text
    assert 'syncro_xero_rate_limited_responses_total{api="syncro"} 0.0' in text


async def test_status_counts_syncro_writes_sent_without_a_recorded_answer(syncro_emulator, make_config, open_engine):
    from syncro_xero.api.syncro_writes import SyncroWrite

    engine = await open_engine(make_config(plugins={"contacts": {}}))
    write = SyncroWrite(id=0, feature="xero_contacts", entity="xero_contact", key="C-1", step="", method="POST",
                        path="/customers", body={"business_name": "A"}, state="sent")
    sent = await engine.state.syncro_journal.record_sent(write, None)
    await engine.state.syncro_journal.record_sent(write, None)
    async with engine.state.db.transaction() as conn:
        await engine.state.syncro_journal.settle(conn, sent.id, "confirmed")

    data = await status_data(engine.config)

    assert (data["unsettled_syncro_writes"], data["unsettled_xero_writes"]) == (1, 0)
