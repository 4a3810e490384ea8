"""Loading and validating config.toml: every problem at once, with its key path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError
from syncro_xero.config import (
    DEFAULT_STATE_PATH,
    EX_CONFIG,
    ConfigError,
    PluginSection,
    config_to_safe_dict,
    load_config,
    validate_plugin_settings,
)

SYNCRO = '[syncro]\nsubdomain = "acme"\n'
XERO = '[xero]\ngrant = "authorization_code"\nclient_id = "CLIENT-ID"\n'
INLINE_SECRETS = {"syncro": 'api_key = "syncro-inline"\n', "xero": 'client_secret = "xero-inline"\n'}


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def valid_config(extra: str = "") -> str:
    """A minimal valid config with inline secrets, then ``extra``."""
    return SYNCRO + INLINE_SECRETS["syncro"] + XERO + INLINE_SECRETS["xero"] + extra


def problems_of(path: Path, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ or {})
    return caught.value.problems


def test_minimal_config_fills_defaults_and_derived_urls(tmp_path):
    config = load_config(write(tmp_path, valid_config()), {})
    assert config.syncro.api_url == "https://acme.syncromsp.com/api/v1"
    assert config.syncro.requests_per_minute == 150
    assert config.syncro.rate_limit_backoff_seconds == 60
    assert config.xero.api_url == "https://api.xero.com/api.xro/2.0"
    assert config.xero.connections_url == "https://api.xero.com/connections"
    assert config.xero.token_url == "https://identity.xero.com/connect/token"
    assert config.xero.scopes.split()[0] == "offline_access"
    assert (config.xero.requests_per_minute, config.xero.max_concurrent) == (55, 5)
    assert config.state.path == DEFAULT_STATE_PATH
    assert config.sync.interval_seconds == 300
    assert config.logging.level == "info"
    assert config.plugins == {} and config.required_plugins == []


def test_base_urls_override_the_defaults_for_local_emulators(tmp_path):
    text = valid_config().replace(
        'subdomain = "acme"', 'base_url = "http://127.0.0.1:8080/api/v1/"'
    ) + 'base_url = "http://localhost:9090"\nidentity_url = "http://localhost:9090/identity"\n'
    config = load_config(write(tmp_path, text), {})
    assert config.syncro.api_url == "http://127.0.0.1:8080/api/v1"
    assert config.xero.api_url == "http://localhost:9090/api.xro/2.0"
    assert config.xero.token_url == "http://localhost:9090/identity/connect/token"


def test_plain_http_to_a_remote_host_is_refused(tmp_path):
    text = valid_config() + 'base_url = "http://api.example.com"\nlogin_url = "ftp://x"\n'
    assert problems_of(write(tmp_path, text)) == [
        "xero.base_url: must use https (plain http is allowed only for localhost)",
        "xero.login_url: must be an http(s) URL",
    ]


def test_missing_key_names_its_path(tmp_path):
    text = valid_config().replace('client_id = "CLIENT-ID"\n', "")
    assert problems_of(write(tmp_path, text)) == ["xero.client_id: required"]


def test_syncro_needs_a_subdomain_or_a_base_url(tmp_path):
    text = valid_config().replace('subdomain = "acme"\n', "")
    assert problems_of(write(tmp_path, text)) == [
        "syncro.subdomain: required (or set base_url to the API root)"
    ]


def test_subdomain_must_be_bare(tmp_path):
    text = valid_config().replace('"acme"', '"acme.syncromsp.com"')
    assert problems_of(write(tmp_path, text)) == [
        "syncro.subdomain: must be the bare subdomain, e.g. 'acme' for acme.syncromsp.com"
    ]


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ('[sync]\ninterval_seconds = "300"\n', "sync.interval_seconds: must be a number"),
        ("[xero.x]\n", "unknown key 'x' in [xero]"),
        ("[syncro.timeout_seconds]\n", "syncro.timeout_seconds: must be a number"),
        ('[plugins.invoices]\nenabled = "yes"\n', "plugins.invoices.enabled: must be true or false"),
        ('required_plugins = "syncro-xero-foo"\n', "required_plugins: must be a list"),
        ("required_plugins = [3]\n", "required_plugins[0]: must be a string"),
        ('[logging]\nlevel = "loud"\n', "logging.level: must be one of 'debug', 'info', 'warning', "
         "'error' or 'critical'"),
        ('state = "here"\n', "state: must be a table"),
    ],
)
def test_wrong_type_names_key_and_expected_type(tmp_path, extra, problem):
    # Top-level keys must precede the first table.
    text = extra + valid_config() if not extra.startswith("[") else valid_config(extra)
    assert problems_of(write(tmp_path, text)) == [problem]


def test_integers_are_not_coerced_from_floats(tmp_path):
    text = valid_config("requests_per_minute = 50.0\n")
    assert problems_of(write(tmp_path, text)) == ["xero.requests_per_minute: must be an integer"]


def test_limits_are_enforced_with_plain_numbers(tmp_path):
    text = valid_config(
        "max_concurrent = 6\nrequests_per_minute = 61\n[sync]\ninterval_seconds = 5\n"
    ).replace("[xero]", "[xero]\nredirect_port = 0")
    assert problems_of(write(tmp_path, text)) == [
        "xero.redirect_port: must be at least 1",
        "xero.requests_per_minute: must be at most 60",
        "xero.max_concurrent: must be at most 5",
        "sync.interval_seconds: must be at least 10",
    ]


def test_unknown_keys_are_errors_everywhere(tmp_path):
    text = "colour = 1\n" + valid_config("[sync]\nintreval = 60\n")
    assert problems_of(write(tmp_path, text)) == [
        "unknown key 'intreval' in [sync]",
        "unknown key 'colour' at top level",
    ]


def test_grant_must_be_a_known_flow(tmp_path):
    text = valid_config().replace('"authorization_code"', '"pkce"')
    assert problems_of(write(tmp_path, text)) == [
        "xero.grant: must be one of 'client_credentials' or 'authorization_code'"
    ]


def test_authorization_code_needs_offline_access(tmp_path):
    text = valid_config('scopes = "accounting.invoices"\n')
    assert problems_of(write(tmp_path, text)) == [
        "xero.scopes: must include offline_access for authorization_code"
    ]
    client_credentials = text.replace('"authorization_code"', '"client_credentials"')
    assert load_config(write(tmp_path, client_credentials), {}).xero.scopes == "accounting.invoices"


def test_bad_toml_reports_the_line(tmp_path):
    path = write(tmp_path, valid_config("[sync]\ninterval_seconds = \n"))
    [problem] = problems_of(path)
    assert problem.startswith("TOML syntax error:") and "line 9" in problem


def test_missing_file_is_a_config_error(tmp_path):
    assert problems_of(tmp_path / "absent.toml") == [
        "cannot read the file: No such file or directory"
    ]


def test_every_problem_is_reported_at_once_under_a_header_naming_the_file(tmp_path):
    path = write(
        tmp_path,
        "[syncro]\nrequests_per_minute = 500\n[xero]\ngrant = 1\n[sync]\nintreval = 5\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, {})
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "syncro.api_key",
        "xero.client_secret",
        "syncro.subdomain",
        "syncro.requests_per_minute",
        "xero.grant",
        "xero.client_id",
        "unknown key 'intreval' in [sync]",
    ]
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}: 7 problems"
    assert lines[1:] == [f"  {p}" for p in problems]
    assert EX_CONFIG == 78


# Secrets ------------------------------------------------------------------------------------

NO_INLINE = SYNCRO + XERO


def test_missing_secret_is_one_problem_naming_every_way_to_give_it(tmp_path):
    problems = problems_of(write(tmp_path, NO_INLINE + 'client_secret = "x"\n'))
    assert len(problems) == 1
    for way in (
        "syncro.api_key: required",
        "LoadCredential=syncro_api_key:PATH",
        "$SYNCRO_XERO_SYNCRO_API_KEY",
        'api_key_file = "PATH" in [syncro]',
        "inline as api_key",
    ):
        assert way in problems[0]


def test_secret_from_a_file_relative_to_the_config(tmp_path):
    (tmp_path / "syncro.key").write_text("syncro-from-file\n")
    (tmp_path / "xero.secret").write_text("xero-from-file")
    for name in ("syncro.key", "xero.secret"):
        (tmp_path / name).chmod(0o600)
    text = (
        SYNCRO + 'api_key_file = "syncro.key"\n' + XERO + f'client_secret_file = "{tmp_path}/xero.secret"\n'
    )
    config = load_config(write(tmp_path, text, mode=0o644), {})
    assert config.syncro.api_key.get_secret_value() == "syncro-from-file"
    assert config.xero.client_secret.get_secret_value() == "xero-from-file"
    assert config.secret_sources["syncro.api_key"] == "api_key_file syncro.key"


def test_secret_from_the_environment(tmp_path):
    environ = {"SYNCRO_XERO_SYNCRO_API_KEY": "s-env", "SYNCRO_XERO_XERO_CLIENT_SECRET": "x-env"}
    config = load_config(write(tmp_path, NO_INLINE), environ)
    assert config.syncro.api_key.get_secret_value() == "s-env"
    assert config.xero.client_secret.get_secret_value() == "x-env"
    assert config.secret_sources["xero.client_secret"] == "$SYNCRO_XERO_XERO_CLIENT_SECRET"


def test_secret_from_systemd_credentials(tmp_path):
    credentials = tmp_path / "creds"
    credentials.mkdir()
    (credentials / "syncro_api_key").write_text("s-cred\n")
    (credentials / "xero_client_secret").write_text("x-cred\n")
    config = load_config(write(tmp_path, NO_INLINE), {"CREDENTIALS_DIRECTORY": str(credentials)})
    assert config.syncro.api_key.get_secret_value() == "s-cred"
    assert config.xero.client_secret.get_secret_value() == "x-cred"


def test_secret_precedence_credential_then_environment_then_file_then_inline(tmp_path):
    credentials = tmp_path / "creds"
    credentials.mkdir()
    (tmp_path / "key").write_text("from-file")
    (tmp_path / "key").chmod(0o600)
    text = SYNCRO + 'api_key_file = "key"\n' + XERO + 'client_secret = "inline"\n'
    path = write(tmp_path, text)
    with_env = {"CREDENTIALS_DIRECTORY": str(credentials), "SYNCRO_XERO_SYNCRO_API_KEY": "env"}

    def api_key(environ: dict[str, str]) -> str:
        return load_config(path, environ).syncro.api_key.get_secret_value()

    (credentials / "syncro_api_key").write_text("credential")
    assert api_key(with_env) == "credential"
    (credentials / "syncro_api_key").unlink()
    assert api_key(with_env) == "env"
    assert api_key({}) == "from-file"
    path.write_text(text.replace('api_key_file = "key"', 'api_key = "inline"'))
    assert api_key({}) == "inline"


def test_secret_inline_and_as_file_is_ambiguous(tmp_path):
    text = valid_config().replace('api_key = "syncro-inline"', 'api_key = "a"\napi_key_file = "k"')
    assert problems_of(write(tmp_path, text)) == [
        "syncro.api_key: set either api_key or api_key_file, not both"
    ]


def test_unreadable_or_empty_secret_file_is_a_problem(tmp_path):
    (tmp_path / "empty").write_text("\n")
    (tmp_path / "empty").chmod(0o600)
    text = SYNCRO + 'api_key_file = "missing"\n' + XERO + 'client_secret_file = "empty"\n'
    assert problems_of(write(tmp_path, text)) == [
        f"syncro.api_key: cannot read {tmp_path}/missing: No such file or directory",
        f"xero.client_secret: {tmp_path}/empty is empty",
    ]


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_inline_secret_in_a_group_or_world_readable_file_is_refused_even_if_overridden(tmp_path, mode):
    path = write(tmp_path, valid_config(), mode=mode)
    environ = {"SYNCRO_XERO_SYNCRO_API_KEY": "env"}
    assert problems_of(path, environ) == [
        "syncro.api_key: inline secret in a file others can read; chmod 600 or use api_key_file",
        "xero.client_secret: inline secret in a file others can read; chmod 600 or use client_secret_file",
    ]


def test_an_inline_webhook_token_in_a_group_readable_file_is_refused(tmp_path):
    text = SYNCRO + XERO + '[sync]\nwebhook_port = 8080\nwebhook_token = "0123456789abcdef"\n'
    environ = {"SYNCRO_XERO_SYNCRO_API_KEY": "s", "SYNCRO_XERO_XERO_CLIENT_SECRET": "x"}
    assert problems_of(write(tmp_path, text, mode=0o640), environ) == [
        "sync.webhook_token: inline secret in a file others can read; chmod 600 or use webhook_token_file",
    ]


def test_the_webhook_token_comes_from_a_credential_the_environment_or_a_file_like_the_other_secrets(tmp_path):
    credentials = tmp_path / "creds"
    credentials.mkdir()
    (credentials / "syncro_webhook_token").write_text("from-a-credential-0123\n")
    (tmp_path / "token").write_text("from-a-file-0123456789")
    (tmp_path / "token").chmod(0o400)
    text = valid_config('[sync]\nwebhook_port = 8080\nwebhook_token_file = "token"\n')
    path = write(tmp_path, text)

    def token(environ: dict[str, str]) -> str:
        return load_config(path, environ).sync.webhook_token.get_secret_value()

    assert token({"CREDENTIALS_DIRECTORY": str(credentials)}) == "from-a-credential-0123"
    assert token({"SYNCRO_XERO_SYNC_WEBHOOK_TOKEN": "from-the-environment-0"}) == "from-the-environment-0"
    assert token({}) == "from-a-file-0123456789"


def test_a_webhook_port_without_a_token_names_the_token(tmp_path):
    assert problems_of(write(tmp_path, valid_config("[sync]\nwebhook_port = 8080\n"))) == [
        "sync.webhook_token: at least 16 characters when webhook_port is set"
    ]


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o620, 0o604, 0o700])
def test_a_secret_file_others_can_read_or_anyone_can_run_is_refused(tmp_path, mode):
    (tmp_path / "key").write_text("syncro-from-file")
    (tmp_path / "key").chmod(mode)
    text = SYNCRO + 'api_key_file = "key"\n' + XERO + INLINE_SECRETS["xero"]
    assert problems_of(write(tmp_path, text)) == [
        f"syncro.api_key: {tmp_path}/key has mode {mode:04o}; chmod 600 (or 400) so only its owner can read it"
    ]


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_a_secret_file_only_its_owner_can_read_is_accepted(tmp_path, mode):
    (tmp_path / "key").write_text("syncro-from-file")
    (tmp_path / "key").chmod(mode)
    text = SYNCRO + 'api_key_file = "key"\n' + XERO + INLINE_SECRETS["xero"]
    assert load_config(write(tmp_path, text), {}).syncro.api_key.get_secret_value() == "syncro-from-file"


def test_secrets_never_print(tmp_path):
    config = load_config(write(tmp_path, valid_config()), {})
    assert isinstance(config.syncro.api_key, SecretStr)
    for text in (repr(config), str(config), json.dumps(config_to_safe_dict(config))):
        assert "syncro-inline" not in text and "xero-inline" not in text


# State path ---------------------------------------------------------------------------------


def test_state_path_follows_state_directory(tmp_path):
    path = write(tmp_path, valid_config())
    config = load_config(path, {"STATE_DIRECTORY": "/var/lib/syncro-xero:/var/lib/other"})
    assert config.state.path == Path("/var/lib/syncro-xero/state.db")


def test_relative_state_path_is_inside_state_directory(tmp_path):
    path = write(tmp_path, valid_config('[state]\npath = "books.db"\n'))
    assert load_config(path, {"STATE_DIRECTORY": "/srv/sx"}).state.path == Path("/srv/sx/books.db")
    absolute = write(tmp_path, valid_config('[state]\npath = "/data/x.db"\n'))
    assert load_config(absolute, {"STATE_DIRECTORY": "/srv/sx"}).state.path == Path("/data/x.db")


# Plugins ------------------------------------------------------------------------------------


def test_plugin_tables_are_kept_raw_with_enabled_split_off(tmp_path):
    text = (
        'required_plugins = ["syncro-xero-foo>=1.2"]\n'
        + valid_config('[plugins.invoices]\naccount_code = "200"\n[plugins.payments]\nenabled = false\n')
    )
    config = load_config(write(tmp_path, text), {})
    assert config.required_plugins == ["syncro-xero-foo>=1.2"]
    assert config.plugins == {
        "invoices": PluginSection(enabled=True, settings={"account_code": "200"}),
        "payments": PluginSection(enabled=False, settings={}),
    }


class InvoiceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_code: str
    days_due: int = 14


class LenientSettings(BaseModel):
    account_code: str = "200"


def test_plugin_settings_validate_against_the_plugin_model():
    settings, problems = validate_plugin_settings("invoices", InvoiceSettings, {"account_code": "200"})
    assert problems == [] and settings == InvoiceSettings(account_code="200")


def test_plugin_settings_problems_carry_the_key_path():
    settings, problems = validate_plugin_settings(
        "invoices", InvoiceSettings, {"days_due": "soon", "acount_code": "200"}
    )
    assert settings is None
    assert problems == [
        "plugins.invoices.account_code: required",
        "plugins.invoices.days_due: must be an integer",
        "unknown key 'acount_code' in [plugins.invoices]",
    ]


def test_plugin_unknown_keys_are_problems_even_if_the_model_ignores_them():
    settings, problems = validate_plugin_settings("notes", LenientSettings, {"colour": "red"})
    assert settings is None and problems == ["unknown key 'colour' in [plugins.notes]"]


def test_plugin_without_a_model_takes_no_settings():
    assert validate_plugin_settings("audit", None, {}) == (None, [])
    assert validate_plugin_settings("audit", None, {"level": 3}) == (
        None,
        ["unknown key 'level' in [plugins.audit] (no settings taken)"],
    )


# Safe output --------------------------------------------------------------------------------


def test_safe_dict_masks_secrets_and_names_their_source(tmp_path):
    text = NO_INLINE + '[plugins.invoices]\naccount_code = "200"\nwebhook_token = "hush"\n'
    environ = {"SYNCRO_XERO_SYNCRO_API_KEY": "s-env", "SYNCRO_XERO_XERO_CLIENT_SECRET": "x-env"}
    data = config_to_safe_dict(load_config(write(tmp_path, text), environ))
    assert data["syncro"]["api_key"] == "*** (from $SYNCRO_XERO_SYNCRO_API_KEY)"
    assert data["xero"]["client_secret"] == "*** (from $SYNCRO_XERO_XERO_CLIENT_SECRET)"
    assert data["xero"]["token_url"] == "https://identity.xero.com/connect/token"
    assert data["state"]["path"] == str(DEFAULT_STATE_PATH)
    assert data["plugins"]["invoices"]["settings"] == {"account_code": "200", "webhook_token": "***"}
    assert "s-env" not in json.dumps(data) and "hush" not in json.dumps(data)


def test_config_is_immutable(tmp_path):
    config = load_config(write(tmp_path, valid_config()), {})
    with pytest.raises(ValidationError, match="frozen"):
        config.sync.interval_seconds = 1  # type: ignore[misc]
