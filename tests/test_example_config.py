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
