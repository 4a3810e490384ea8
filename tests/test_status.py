"""``status`` and the daemon's status page: what a person reads about the passes."""

from __future__ import annotations

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
