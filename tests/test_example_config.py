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
