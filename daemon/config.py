"""Load config.toml and validate all of it before anything runs (STYLE B4).

Every problem is collected in one pass and raised together as :class:`ConfigError`, each line
starting with its TOML key path (``sync.interval_seconds: must be at least 10``), so an admin fixes
the whole file at once; the CLI exits with :data:`EX_CONFIG`. Plugin tables are kept raw here and
checked later, against each plugin's own model, with :func:`validate_plugin_settings`.

Secrets (``syncro.api_key``, ``xero.client_secret``, ``xero.webhook_key``, ``sync.webhook_token``) are
looked up in this order; the first source present wins:

1. a systemd credential, ``$CREDENTIALS_DIRECTORY/syncro_api_key`` (``LoadCredential=``);
2. an environment variable, ``$SYNCRO_XERO_SYNCRO_API_KEY``;
3. a ``*_file`` key in the table, ``api_key_file = "/path"`` (relative to the config file), a file
   only its owner can read (0600 or 0400);
4. the key inline, ``api_key = "…"`` (refused when others than its owner can read config.toml).

What the launcher sets (1, 2) overrides the shared file; the file may hold a path or the value,
not both. Secrets are :class:`~pydantic.SecretStr`, so they never print.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

EX_CONFIG = 78
"""Exit status for an invalid configuration (sysexits.h); the unit's RestartPreventExitStatus."""

DEFAULT_STATE_PATH = Path("/var/lib/syncro-xero/state.db")
STATE_FILE_NAME = "state.db"

# UNKNOWN (xero-api.md §4, §10): granular scopes are secondary-sourced; apps created before
# 2 March 2026 may still use accounting.transactions, and the scope Items writes need is unclear.
DEFAULT_XERO_SCOPES = (
    "offline_access accounting.invoices accounting.payments accounting.banktransactions "
    "accounting.contacts accounting.settings"
)

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class SecretSpec:
    """Where one secret may come from."""

    table: str
    key: str
    env_var: str
    credential: str
    required: bool = True

    @property
    def file_key(self) -> str:
        return f"{self.key}_file"

    @property
    def path(self) -> str:
        return f"{self.table}.{self.key}"


SECRETS = (
    SecretSpec("syncro", "api_key", "SYNCRO_XERO_SYNCRO_API_KEY", "syncro_api_key"),
    SecretSpec("xero", "client_secret", "SYNCRO_XERO_XERO_CLIENT_SECRET", "xero_client_secret"),
    # The key Xero signs webhooks with; without it, Xero webhooks are not received.
    SecretSpec("xero", "webhook_key", "SYNCRO_XERO_XERO_WEBHOOK_KEY", "xero_webhook_key", required=False),
    # The token in the path of Syncro's webhook URL: whoever knows it can start passes.
    SecretSpec("sync", "webhook_token", "SYNCRO_XERO_SYNC_WEBHOOK_TOKEN", "syncro_webhook_token", required=False),
)
#: Permission bits a secret file may not have: only its owner may read it (0600 or 0400).
SECRET_FILE_FORBIDDEN_BITS = 0o177


class ConfigError(Exception):
    """The configuration is unusable; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list[str], path: Path | None = None) -> None:
        super().__init__(problems)
        self.problems = problems
        self.path = path

    def __str__(self) -> str:
        count = len(self.problems)
        header = f"{self.path or 'configuration'}: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([header, *(f"  {problem}" for problem in self.problems)])


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError("must use https (plain http is allowed only for localhost)")
    return value.rstrip("/")


HttpUrlText = Annotated[str, AfterValidator(_http_url)]


class _Table(BaseModel):
    # Strict: TOML already has types, so "300" for a number is a mistake, not something to coerce.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class SyncroSettings(_Table):
    """``[syncro]``: the Syncro REST API."""

    subdomain: str | None = None
    base_url: HttpUrlText | None = None
    api_key: SecretStr
    # Syncro allows 180 requests/min per IP (syncro-api.md §1.3); leave room for other clients.
    requests_per_minute: int = Field(150, ge=1, le=180)
    timeout_seconds: float = Field(30, gt=0)
    # UNKNOWN (syncro-api.md §1.3): Syncro's 429 may carry no Retry-After; wait this long instead.
    rate_limit_backoff_seconds: float = Field(60, gt=0)

    @field_validator("subdomain")
    @classmethod
    def _bare_subdomain(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?", value):
            raise ValueError("must be the bare subdomain, e.g. 'acme' for acme.syncromsp.com")
        return value

    @computed_field
    @property
    def api_url(self) -> str:
        """API root: ``base_url`` when set, else ``https://SUBDOMAIN.syncromsp.com/api/v1``."""
        return self.base_url or f"https://{self.subdomain}.syncromsp.com/api/v1"


class XeroSettings(_Table):
    """``[xero]``: OAuth 2.0 client and the Accounting API (xero-api.md §2, §4)."""

    grant: Literal["client_credentials", "authorization_code"]
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    # Verifies Xero's webhook signatures (x-xero-signature); webhooks are taken as hints to poll.
    webhook_key: SecretStr | None = None
    tenant_id: str | None = None
    base_url: HttpUrlText = "https://api.xero.com"
    identity_url: HttpUrlText = "https://identity.xero.com"
    login_url: HttpUrlText = "https://login.xero.com/identity/connect/authorize"
    scopes: str = Field(DEFAULT_XERO_SCOPES, min_length=1)
    redirect_port: int = Field(8765, ge=1, le=65535)
    requests_per_minute: int = Field(55, ge=1, le=60)
    max_concurrent: int = Field(5, ge=1, le=5)
    # 5000/day per tenant; the free Starter tier allows 1000 (xero-api.md §2).
    daily_limit: int = Field(5000, ge=1)
    timeout_seconds: float = Field(30, gt=0)
    # UNKNOWN (xero-api.md §3, §10): the 6-minute idempotency cache is secondary-sourced.
    idempotency_window_seconds: float = Field(360, ge=0)

    @computed_field
    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api.xro/2.0"

    @computed_field
    @property
    def connections_url(self) -> str:
        return f"{self.base_url}/connections"

    @computed_field
    @property
    def token_url(self) -> str:
        return f"{self.identity_url}/connect/token"


class StateSettings(_Table):
    """``[state]``: the SQLite file holding cursors, outbox and the rotating Xero tokens."""

    path: Path = Field(DEFAULT_STATE_PATH, strict=False)


class SyncSettings(_Table):
    """``[sync]``: cycle timing."""

    interval_seconds: float = Field(300, ge=10)
    deletion_scan_interval_seconds: float = Field(3600, ge=60)
    invoice_overlap_seconds: float = Field(600, ge=0)
    # Polling strategy per Syncro resource, replacing its default (syncro/polling.py), e.g.
    # payments = "newest_first" once GET /payments is known to list newest first.
    strategies: dict[str, Literal["full_scan", "updated_since", "newest_first", "sorted_by_update"]] = {}
    # Records handled at once per feature; their Xero writes coalesce into batches of up to 50 (the more
    # at once, the fewer part-full batches, and the more memory: 250 fills Xero's 5 concurrent calls of 50).
    concurrency: int = Field(250, ge=1, le=1000)
    # Syncro notification webhooks as a hint to pass now (they are unsigned, so never data): listen
    # on 127.0.0.1:webhook_port for POST /syncro/<webhook_token>; 0 switches it off.
    webhook_port: int = Field(0, ge=0, le=65535)
    webhook_token: SecretStr = Field(SecretStr(""), validate_default=True)
    # Seconds to gather a burst of hints into one pass.
    webhook_debounce_seconds: float = Field(5, ge=0)
    # A record waiting for something the daemon does itself (its invoice, its customer) is parked
    # with the reason once it has waited this many passes or this many seconds, whichever comes first.
    wait_passes: int = Field(12, ge=1)
    wait_seconds: float = Field(86400, gt=0)
    # The longest wait an API may ask for (Retry-After); one asking for longer fails that request,
    # and the next pass tries again.
    max_pause_seconds: float = Field(300, gt=0)
    # Under systemd, watchdog pings stop when no request or record has completed for this long, so
    # a stuck pass gets the daemon restarted.
    stall_seconds: float = Field(900, gt=0)

    @field_validator("webhook_token")
    @classmethod
    def _token_with_port(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if info.data.get("webhook_port") and len(value.get_secret_value()) < 16:
            raise ValueError("at least 16 characters when webhook_port is set")
        return value

    @model_validator(mode="after")
    def _stall_beyond_pauses(self) -> "SyncSettings":
        if self.stall_seconds <= self.max_pause_seconds:
            raise ValueError("stall_seconds: must be more than max_pause_seconds (a pause is not a stall)")
        return self


class MetricsSettings(_Table):
    """``[metrics]``: Prometheus metrics, liveness and a status page on 127.0.0.1."""

    # 0 switches them off.
    port: int = Field(0, ge=0, le=65535)


class LoggingSettings(_Table):
    """``[logging]``."""

    level: Literal["debug", "info", "warning", "error", "critical"] = "info"

    @field_validator("level", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value


class PluginSection(_Table):
    """One ``[plugins.NAME]`` table: ``enabled`` plus the plugin's own keys, unvalidated."""

    enabled: bool = True
    settings: dict[str, Any] = {}


class Config(_Table):
    """The whole validated config.toml."""

    required_plugins: list[str] = []
    syncro: SyncroSettings
    xero: XeroSettings
    state: StateSettings = StateSettings()
    sync: SyncSettings = SyncSettings()
    logging: LoggingSettings = LoggingSettings()
    metrics: MetricsSettings = MetricsSettings()
    plugins: dict[str, PluginSection] = {}

    _secret_sources: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def secret_sources(self) -> dict[str, str]:
        """Where each secret came from, by key path (``{"syncro.api_key": "$SYNCRO_…"}``)."""
        return dict(self._secret_sources)

    @field_validator("plugins", mode="before")
    @classmethod
    def _split_enabled(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {
            name: {
                "enabled": table.get("enabled", True),
                "settings": {k: v for k, v in table.items() if k != "enabled"},
            }
            if isinstance(table, dict)
            else table
            for name, table in value.items()
        }


def load_config(path: Path, environ: Mapping[str, str] | None = None, *, secrets: bool = True) -> Config:
    """Read ``path``, resolve its secrets and validate it; :class:`ConfigError` lists every problem.

    ``environ`` (default ``os.environ``) supplies ``CREDENTIALS_DIRECTORY``, ``STATE_DIRECTORY`` and
    the secret variables. ``secrets=False`` is for commands that read only the state file: a
    missing API secret is then no problem (it is left empty); a badly kept one still is.
    """
    environ = os.environ if environ is None else environ
    try:
        with path.open("rb") as file:
            others_read = bool(os.fstat(file.fileno()).st_mode & 0o044)
            raw = tomllib.load(file)
    except OSError as error:
        raise ConfigError([f"cannot read the file: {error.strerror}"], path) from None
    except UnicodeDecodeError:
        raise ConfigError(["the file is not valid UTF-8"], path) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"TOML syntax error: {error}"], path) from None

    problems: list[str] = []
    reported: set[str] = set()
    sources: dict[str, str] = {}
    for spec in SECRETS:
        table = raw.setdefault(spec.table, {})
        if not isinstance(table, dict):
            continue
        found = _resolve_secret(spec, table, path.parent, others_read, environ)
        if not secrets and isinstance(found, list) and found[0].startswith(f"{spec.path}: required"):
            table[spec.key] = ""
            continue
        if isinstance(found, list):
            problems += found
            reported.add(spec.path)
        elif found is not None:
            table[spec.key], sources[spec.path] = found
    _default_state_path(raw, environ)
    problems += _cross_field_problems(raw)

    try:
        config = Config.model_validate(raw)
    except ValidationError as error:
        problems += [p for loc, p in _describe_errors(error) if loc not in reported]
    if problems:
        raise ConfigError(problems, path)
    config._secret_sources = sources
    return config


def validate_plugin_settings(
    name: str, model: type[BaseModel] | None, raw: dict[str, Any]
) -> tuple[BaseModel | None, list[str]]:
    """Check ``[plugins.NAME]`` against the plugin's model; problems read ``plugins.NAME.key: …``.

    Unknown keys are problems even when the model would silently ignore them.
    """
    table = f"plugins.{name}"
    if model is None:
        return None, [f"unknown key '{key}' in [{table}] (no settings taken)" for key in raw]
    problems: list[str] = []
    if model.model_config.get("extra") in (None, "ignore"):
        known = set(model.model_fields) | {f.alias for f in model.model_fields.values() if f.alias}
        problems += [f"unknown key '{key}' in [{table}]" for key in raw if key not in known]
    try:
        settings = model.model_validate(raw)
    except ValidationError as error:
        return None, problems + [p for _, p in _describe_errors(error, prefix=("plugins", name))]
    return (None, problems) if problems else (settings, [])


def config_to_safe_dict(config: Config) -> dict[str, Any]:
    """The config as plain data for ``check``/``status`` output, secrets masked.

    Core secrets show their source; plugin keys whose name suggests a secret are masked too.
    """
    data = config.model_dump(mode="json")
    for spec in SECRETS:
        source = config.secret_sources.get(spec.path)
        if source or spec.required:
            data[spec.table][spec.key] = f"*** (from {source})" if source else "***"
    for plugin in data["plugins"].values():
        plugin["settings"] = {
            key: "***" if re.search(r"secret|token|password|api_?key", key, re.I) else value
            for key, value in plugin["settings"].items()
        }
    return data


def _resolve_secret(
    spec: SecretSpec,
    table: dict[str, Any],
    config_dir: Path,
    others_read: bool,
    environ: Mapping[str, str],
) -> tuple[str, str] | list[str] | None:
    """Take the secret's keys out of ``table``; ``(value, source)``, the problems found, or None for
    an optional secret given nowhere."""
    inline = table.pop(spec.key, None)
    file_name = table.pop(spec.file_key, None)
    problems = []
    if inline is not None and not isinstance(inline, str):
        problems.append(f"{spec.path}: must be a string")
    if file_name is not None and not isinstance(file_name, str):
        problems.append(f"{spec.table}.{spec.file_key}: must be a string")
    if inline and file_name:
        problems.append(f"{spec.path}: set either {spec.key} or {spec.file_key}, not both")
    if isinstance(inline, str) and inline and others_read:
        problems.append(f"{spec.path}: inline secret in a file others can read; chmod 600 or use {spec.file_key}")
    if problems:
        return problems

    credentials_dir = environ.get("CREDENTIALS_DIRECTORY")
    credential = Path(credentials_dir, spec.credential) if credentials_dir else None
    if credential is not None and credential.exists():
        return _read_secret_file(spec, credential, f"$CREDENTIALS_DIRECTORY/{spec.credential}")
    if environ.get(spec.env_var):
        return environ[spec.env_var], f"${spec.env_var}"
    if file_name:
        return _read_secret_file(spec, config_dir / file_name, f"{spec.file_key} {file_name}", owner_only=True)
    if inline:
        return inline, "config file"
    if not spec.required:
        return None
    return [
        f"{spec.path}: required; give it as a systemd credential "
        f"(LoadCredential={spec.credential}:PATH), in ${spec.env_var}, "
        f'as {spec.file_key} = "PATH" in [{spec.table}], '
        f"or inline as {spec.key} in a file only its owner can read"
    ]


def _read_secret_file(
    spec: SecretSpec, path: Path, source: str, owner_only: bool = False
) -> tuple[str, str] | list[str]:
    """``(value, source)``, or the problem when the file is unreadable, empty, or (``owner_only``)
    has permission bits beyond its owner's read and write (systemd keeps credentials private itself)."""
    try:
        with path.open(encoding="utf-8") as file:
            mode = os.fstat(file.fileno()).st_mode & 0o777
            value = file.read().strip()
    except OSError as error:
        return [f"{spec.path}: cannot read {path}: {error.strerror}"]
    except UnicodeDecodeError:
        return [f"{spec.path}: {path} is not valid UTF-8"]
    if owner_only and mode & SECRET_FILE_FORBIDDEN_BITS:
        return [f"{spec.path}: {path} has mode {mode:04o}; chmod 600 (or 400) so only its owner can read it"]
    if not value:
        return [f"{spec.path}: {path} is empty"]
    return value, source


def _default_state_path(raw: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Put the state file under ``$STATE_DIRECTORY`` when systemd sets it.

    A relative ``state.path`` is taken relative to ``$STATE_DIRECTORY`` (the config directory is
    read-only under the unit's sandbox); without it, relative to the working directory.
    """
    state = raw.setdefault("state", {})
    if not isinstance(state, dict):
        return
    # StateDirectory= with several directories gives a colon-separated list; ours is the first.
    state_dir = environ.get("STATE_DIRECTORY", "").split(":")[0]
    path = state.get("path")
    if path is None:
        state["path"] = str(Path(state_dir, STATE_FILE_NAME) if state_dir else DEFAULT_STATE_PATH)
    elif isinstance(path, str) and state_dir:
        state["path"] = str(Path(state_dir, path))


def _cross_field_problems(raw: dict[str, Any]) -> list[str]:
    """Rules spanning several keys, checked on the raw tables so they report alongside the rest."""
    problems = []
    syncro, xero = raw.get("syncro"), raw.get("xero")
    if isinstance(syncro, dict) and not syncro.get("subdomain") and not syncro.get("base_url"):
        problems.append("syncro.subdomain: required (or set base_url to the API root)")
    if isinstance(xero, dict) and xero.get("grant") == "authorization_code":
        scopes = xero.get("scopes", DEFAULT_XERO_SCOPES)
        # Xero issues a refresh token only with offline_access (xero-api.md §4).
        if isinstance(scopes, str) and "offline_access" not in scopes.split():
            problems.append("xero.scopes: must include offline_access for authorization_code")
    return problems


_MESSAGES = {
    "missing": "required",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "greater_than": "must be greater than {gt}",
    "less_than": "must be less than {lt}",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "string_too_short": "must not be empty",
    "literal_error": "must be one of {expected}",
    "model_type": "must be a table",
    "dict_type": "must be a table",
    "list_type": "must be a list",
}


def _describe_errors(error: ValidationError, prefix: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(key path, problem line)`` for each pydantic error."""
    described = []
    for item in error.errors(include_url=False):
        loc = (*prefix, *item["loc"])
        path = _key_path(loc)
        if item["type"] == "extra_forbidden":
            where = f"in [{_key_path(loc[:-1])}]" if len(loc) > 1 else "at top level"
            described.append((path, f"unknown key '{loc[-1]}' {where}"))
        elif item["type"] in _MESSAGES:
            context = {key: _plain(value) for key, value in item.get("ctx", {}).items()}
            described.append((path, f"{path}: {_MESSAGES[item['type']].format(**context)}"))
        else:
            described.append((path, f"{path}: {item['msg'].removeprefix('Value error, ')}"))
    return described


def _key_path(loc: tuple[str | int, ...]) -> str:
    """``("required_plugins", 0)`` → ``required_plugins[0]``; ``("sync", "x")`` → ``sync.x``."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)[1:]


def _plain(value: Any) -> Any:
    """``10.0`` → ``10`` in messages."""
    return int(value) if isinstance(value, float) and value.is_integer() else value
