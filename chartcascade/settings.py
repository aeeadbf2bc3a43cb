"""One settings object for chartcascade, read from the environment (and a `.env` file)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

REAL_API_URL = "https://customer.api.soundcharts.com"
REAL_TOKEN_URL = "https://account.soundcharts.com/oauth/token"

CREDENTIAL_VARIABLES = (
    "SOUNDCHARTS_APP_ID and SOUNDCHARTS_API_KEY (legacy headers), "
    "or SOUNDCHARTS_CLIENT_ID and SOUNDCHARTS_CLIENT_SECRET (access token); "
    "the key or secret may instead come from the Prefect Secret block named in "
    "SOUNDCHARTS_SECRET_BLOCK"
)


class ConfigurationError(Exception):
    """The configuration cannot work as given (for example: no credentials)."""


@dataclass(frozen=True)
class LegacyKey:
    """Legacy `x-app-id` / `x-api-key` credentials."""

    app_id: str
    api_key: SecretStr


@dataclass(frozen=True)
class ClientCredentials:
    """OAuth client credentials exchanged for a bearer token."""

    client_id: str
    client_secret: SecretStr
    team_id: str | None = None


Credentials = LegacyKey | ClientCredentials


class Settings(BaseSettings):
    """Everything chartcascade reads from its environment. Secrets are `SecretStr`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    app_id: str | None = Field(None, validation_alias="SOUNDCHARTS_APP_ID")
    api_key: SecretStr | None = Field(None, validation_alias="SOUNDCHARTS_API_KEY")
    client_id: str | None = Field(None, validation_alias="SOUNDCHARTS_CLIENT_ID")
    client_secret: SecretStr | None = Field(None, validation_alias="SOUNDCHARTS_CLIENT_SECRET")
    team_id: str | None = Field(None, validation_alias="SOUNDCHARTS_TEAM_ID")
    secret_block: str | None = Field(
        None,
        validation_alias="SOUNDCHARTS_SECRET_BLOCK",
        description="Name of a Prefect Secret block holding the API key or client secret.",
    )
    base_url: str = Field(REAL_API_URL, validation_alias="SOUNDCHARTS_BASE_URL")
    token_url: str = Field(REAL_TOKEN_URL, validation_alias="SOUNDCHARTS_TOKEN_URL")

    data_dir: Path = Field(Path("data"), validation_alias="CHARTCASCADE_DATA_DIR")
    database_url_override: str | None = Field(
        None, validation_alias=AliasChoices("DATABASE_URL", "CHARTCASCADE_DATABASE_URL")
    )

    timeout_seconds: float = Field(20.0, validation_alias="SOUNDCHARTS_TIMEOUT_SECONDS", gt=0)
    connect_timeout_seconds: float = Field(
        5.0, validation_alias="SOUNDCHARTS_CONNECT_TIMEOUT_SECONDS", gt=0
    )
    max_parallel_requests: int = Field(
        16, validation_alias="CHARTCASCADE_MAX_PARALLEL_REQUESTS", ge=1, le=64
    )
    rate_limit_per_second: float = Field(
        20.0, validation_alias="CHARTCASCADE_RATE_LIMIT_PER_SECOND", gt=0
    )
    # Each acquisition takes the whole burst, so the Prefect limit grants it at most once per
    # `burst / rate` seconds: with a burst that divides the rate, no second is granted more
    # than the rate (a per-second API limit is safe); a bigger burst costs fewer round trips.
    rate_limit_burst: int = Field(5, validation_alias="CHARTCASCADE_RATE_LIMIT_BURST", ge=1)
    # One process per machine asks the Prefect API for the limit's slots and hands them to the
    # others (chartcascade/tasks/broker.py): many runs on one machine poll it once, not each.
    rate_limit_local_broker: bool = Field(
        True, validation_alias="CHARTCASCADE_RATE_LIMIT_LOCAL_BROKER"
    )
    max_rate_limit_wait_seconds: float = Field(
        60.0, validation_alias="CHARTCASCADE_MAX_RATE_LIMIT_WAIT_SECONDS", ge=0
    )
    task_retries: int = Field(6, validation_alias="CHARTCASCADE_TASK_RETRIES", ge=0, le=20)
    retry_delay_seconds: float = Field(
        1.0, validation_alias="CHARTCASCADE_RETRY_DELAY_SECONDS", ge=0
    )

    @property
    def database_url(self) -> str:
        """The project database: `DATABASE_URL`, else a SQLite file in the data folder."""
        if self.database_url_override:
            return self.database_url_override
        return f"sqlite:///{(self.data_dir / 'chartcascade.db').as_posix()}"

    @property
    def rate_limit_name(self) -> str:
        """Name of the Prefect rate limit shared by every run that uses these credentials."""
        owner = self.app_id or self.client_id or "default"
        slug = "".join(c if c.isalnum() else "-" for c in owner.lower()).strip("-")
        return f"soundcharts-rate-{slug or 'default'}"

    def credentials(self) -> Credentials:
        """The credentials to use, or one clear `ConfigurationError` naming the variables."""
        if self.client_id:
            secret = self.client_secret or self._secret_from_block()
            if secret is not None:
                return ClientCredentials(self.client_id, secret, self.team_id)
        if self.app_id:
            key = self.api_key or self._secret_from_block()
            if key is not None:
                return LegacyKey(self.app_id, key)
        raise ConfigurationError(
            f"Soundcharts credentials are missing: set {CREDENTIAL_VARIABLES}."
        )

    def _secret_from_block(self) -> SecretStr | None:
        return _load_secret_block(self.secret_block) if self.secret_block else None


@lru_cache(maxsize=8)
def _load_secret_block(name: str) -> SecretStr:
    """The value of a Prefect Secret block, read once per process (not once per client)."""
    from prefect.blocks.system import Secret

    try:
        block = Secret.load(name, _sync=True)  # type: ignore[call-arg]
    except ValueError as exc:
        raise ConfigurationError(
            f"Prefect Secret block {name!r} (SOUNDCHARTS_SECRET_BLOCK) could not be loaded"
        ) from exc
    return SecretStr(str(block.get()))  # type: ignore[union-attr]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once; a bad value is one `ConfigurationError`."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigurationError(bad_settings_message(exc)) from None


def bad_settings_message(error: ValidationError) -> str:
    """`VARIABLE='value': what is wrong` for each bad setting, on one line."""
    problems = []
    for item in error.errors():
        variable = ".".join(str(part) for part in item["loc"])
        hidden = any(word in variable for word in ("SECRET", "KEY", "DATABASE_URL"))
        shown = "" if hidden else f"={item.get('input')!r}"
        problems.append(f"{variable}{shown}: {item['msg'].lower()}")
    return f"bad setting {'; '.join(problems)} (fix the environment or .env)"
