"""The dashboard reads only, escapes what it shows, and needs a password off loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.testclient import TestClient

from chartcascade.dashboard.access import (
    AccessError,
    check_binding,
    read_only_engine,
    read_only_url,
)
from chartcascade.dashboard.app import create_app
from chartcascade.db import get_engine
from tests.cli.runner import run, user_env

NAME = '<script>alert("x")</script>'


def add_artist(url: str, uuid: str, name: str) -> None:
    with get_engine(url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO artist (uuid, name, genres, created_at, updated_at) "
                "VALUES (:u, :n, '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"u": uuid, "n": name},
        )


def test_dashboard_connections_cannot_write(db_url: str) -> None:
    engine = read_only_engine(read_only_url(db_url))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM artist")).scalar_one() == 0
    with pytest.raises(DBAPIError, match="(?i)read-only|readonly"), engine.begin() as connection:
        connection.execute(text("DELETE FROM artist"))


def test_names_are_shown_escaped(sqlite_url: str) -> None:
    add_artist(sqlite_url, "a-1", NAME)
    page = TestClient(create_app(sqlite_url)).get("/artist/a-1")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.text
    assert NAME not in page.text


def test_a_password_guards_every_page(sqlite_url: str) -> None:
    client = TestClient(create_app(sqlite_url, password="s3cret"))
    refused = client.get("/")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Basic")
    assert client.get("/", auth=("anyone", "wrong")).status_code == 401
    assert client.get("/", auth=("anyone", "s3cret")).status_code == 200


def test_a_host_off_loopback_needs_a_password() -> None:
    with pytest.raises(AccessError, match="CHARTCASCADE_DASHBOARD_PASSWORD"):
        check_binding("0.0.0.0", None)
    check_binding("0.0.0.0", "s3cret")
    check_binding("127.0.0.1", None)
    check_binding("::1", None)


def test_dashboard_command_refuses_an_open_host_without_a_password(
    sqlite_url: str, tmp_path: Path
) -> None:
    env = user_env(tmp_path, DATABASE_URL=sqlite_url)
    finished = run(["dashboard", "--host", "0.0.0.0"], env, tmp_path, timeout=60)
    assert finished.code == 1
    assert "set CHARTCASCADE_DASHBOARD_PASSWORD" in finished.last_line()
