"""The shipped config.toml is valid as it stands, with secrets from the environment."""

from pathlib import Path

from syncro_xero.plugin_loader import check_config, load_plugins

EXAMPLE = Path(__file__).parent.parent / "config.toml"
ENV = {"SYNCRO_XERO_SYNCRO_API_KEY": "k", "SYNCRO_XERO_XERO_CLIENT_SECRET": "s"}


def test_the_example_config_is_valid_and_enables_every_builtin_feature():
    config = check_config(EXAMPLE, ENV)

    plugins = load_plugins(config)
    builtin = {p.name for p in plugins.info.values() if p.distribution == "syncro-xero"}
    assert builtin and builtin == {f.name for f in plugins.features}


def test_the_example_config_passes_check_against_a_new_xero_organisation(tmp_path, live_emulators):
    """Every account and tax type the example maps exists in a new organisation's defaults."""
    from click.testing import CliRunner
    from syncro_xero.cli import cli

    text = EXAMPLE.read_text()
    text = text.replace('subdomain = "your-msp"', f'base_url = "{live_emulators.syncro.url}/api/v1"')
    text = text.replace('base_url = "https://api.xero.com"', f'base_url = "{live_emulators.xero.url}"')
    text = text.replace('identity_url = "https://identity.xero.com"', f'identity_url = "{live_emulators.xero.url}"')
    text = text.replace('client_id = "YOUR-XERO-CLIENT-ID"', 'client_id = "test-client-id"')
    text = text.replace('path = "/var/lib/syncro-xero/state.db"', f'path = "{tmp_path / "state.db"}"')
    config = tmp_path / "config.toml"
    config.write_text(text)
    env = {"SYNCRO_XERO_SYNCRO_API_KEY": "test-syncro-key", "SYNCRO_XERO_XERO_CLIENT_SECRET": "test-client-secret"}

    result = CliRunner(env=env).invoke(cli, ["check", "--config", str(config)])

    assert result.exit_code == 0, result.output
    assert "✗" not in result.output


async def test_the_example_config_with_every_feature_on_syncs_the_sample_books_then_writes_nothing(
    tmp_path, syncro_emulator, xero_emulator, fake_clock
):
    """The README's example config, adapted to the emulated organisation (its tax groups), syncs the
    emulators' sample books with nothing parked (`sync --once` exit 0), and the pass after it
    writes nothing anywhere."""
    from syncro_xero.emulators.syncro.seed import seed_sample
    from syncro_xero.engine import Engine
    from syncro_xero.testing import tax_settings_for, toml_key, toml_value

    seed_sample(syncro_emulator.store)
    tax = tax_settings_for(syncro_emulator.store)
    text = EXAMPLE.read_text()
    text = text.replace('subdomain = "your-msp"', f'base_url = "{syncro_emulator.url}/api/v1"')
    text = text.replace('base_url = "https://api.xero.com"', f'base_url = "{xero_emulator.url}"')
    text = text.replace('identity_url = "https://identity.xero.com"', f'identity_url = "{xero_emulator.url}"')
    text = text.replace('client_id = "YOUR-XERO-CLIENT-ID"', 'client_id = "test-client-id"')
    text = text.replace('path = "/var/lib/syncro-xero/state.db"', f'path = "{tmp_path / "state.db"}"')
    text = text.replace("create_groups = false", "create_groups = true")
    if "syncro_default_rate_id" in tax:
        text = text.replace('# syncro_default_rate_id = "1"', f'syncro_default_rate_id = "{tax["syncro_default_rate_id"]}"')
    for rate_id, group in tax["groups"].items():
        text += f"\n[plugins.tax.groups.{toml_key(rate_id)}]\n" + "".join(
            f"{toml_key(k)} = {toml_value(v)}\n" for k, v in group.items())
    path = tmp_path / "config.toml"
    path.write_text(text)
    env = {"SYNCRO_XERO_SYNCRO_API_KEY": "test-syncro-key", "SYNCRO_XERO_XERO_CLIENT_SECRET": "test-client-secret"}
    engine = await Engine.open(check_config(path, env), clock=fake_clock)
    try:
        first = await engine.run_pass()
        parked = [(p.feature, p.record_id, p.reason) for p in await engine.state.parked.all()]
        syncro_writes = len(syncro_emulator.access_log.writes)
        fake_clock.advance(300)
        second = await engine.run_pass()
    finally:
        await engine.close()

    assert first.ok, (first.error, first.waiting, parked)
    assert second.ok and second.xero_calls == 0, (second.error, second.waiting)
    assert len(syncro_emulator.access_log.writes) == syncro_writes
