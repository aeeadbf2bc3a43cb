"""Settings: credentials from the environment or a Prefect Secret block, clear errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.settings import (
    ClientCredentials,
    ConfigurationError,
    LegacyKey,
    Settings,
    get_settings,
)


def test_missing_credentials_error_names_every_variable() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings().credentials()

    message = str(caught.value)
    for variable in (
        "SOUNDCHARTS_APP_ID",
        "SOUNDCHARTS_API_KEY",
        "SOUNDCHARTS_CLIENT_ID",
        "SOUNDCHARTS_CLIENT_SECRET",
        "SOUNDCHARTS_SECRET_BLOCK",
    ):
        assert variable in message


def test_client_credentials_are_preferred_over_legacy_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOUNDCHARTS_APP_ID", "app")
    monkeypatch.setenv("SOUNDCHARTS_API_KEY", "key-123")
    monkeypatch.setenv("SOUNDCHARTS_CLIENT_ID", "client")
    monkeypatch.setenv("SOUNDCHARTS_CLIENT_SECRET", "secret-456")

    credentials = Settings().credentials()

    assert isinstance(credentials, ClientCredentials)
    assert credentials.client_secret.get_secret_value() == "secret-456"
    assert "secret-456" not in repr(Settings())


def test_database_url_defaults_to_sqlite_in_the_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("CHARTCASCADE_DATA_DIR", "somewhere")
    assert Settings().database_url == "sqlite:///somewhere/chartcascade.db"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings().database_url == "postgresql+psycopg://u@h/db"


def test_api_key_can_come_from_a_prefect_secret_block(
    prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.blocks.system import Secret

    Secret(value="key-from-block").save("soundcharts-key-test", overwrite=True)
    monkeypatch.setenv("SOUNDCHARTS_APP_ID", "app")
    monkeypatch.setenv("SOUNDCHARTS_SECRET_BLOCK", "soundcharts-key-test")

    credentials = Settings().credentials()

    assert isinstance(credentials, LegacyKey)
    assert credentials.api_key.get_secret_value() == "key-from-block"


def test_missing_secret_block_is_a_clear_error(
    prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUNDCHARTS_APP_ID", "app")
    monkeypatch.setenv("SOUNDCHARTS_SECRET_BLOCK", "no-such-block")

    with pytest.raises(ConfigurationError, match="no-such-block"):
        Settings().credentials()


def test_sync_without_credentials_prints_one_clear_line() -> None:
    get_settings.cache_clear()

    result = CliRunner().invoke(app, ["sync", "global-28"])

    assert result.exit_code == 1
    assert "Soundcharts credentials are missing" in result.output
    assert "Traceback" not in result.output


def test_sync_with_a_bad_date_is_refused_before_anything_runs() -> None:
    result = CliRunner().invoke(app, ["sync", "global-28", "--date", "2026-13-45"])

    assert result.exit_code == 1
    assert "bad date '2026-13-45'" in result.output
