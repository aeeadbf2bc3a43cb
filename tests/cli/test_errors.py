"""Ordinary situations end a command with one line saying what happened and what to do, a
non-zero exit, and no traceback (the traceback only with --debug). No Prefect server needed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.cli.runner import assert_one_line_error, free_port, run, user_env


def test_status_before_any_sync_names_the_missing_database_and_creates_none(
    tmp_path: Path,
) -> None:
    env = user_env(tmp_path)
    database = tmp_path / "data" / "chartcascade.db"

    result = run(["status"], env, tmp_path)

    assert_one_line_error(
        result,
        f"no database at {database} yet: run `chartcascade sync` or `chartcascade demo` first",
    )
    assert not (tmp_path / "data").exists()


def test_report_before_any_sync_names_the_missing_database_and_creates_none(
    tmp_path: Path,
) -> None:
    env = user_env(tmp_path)

    result = run(["report", "artists"], env, tmp_path)

    assert_one_line_error(result, "no database at")
    assert "`chartcascade demo` first" in result.last_line()
    assert not (tmp_path / "data").exists()


def test_status_on_a_database_never_migrated_says_to_upgrade(tmp_path: Path) -> None:
    database = tmp_path / "empty.db"
    sqlite3.connect(database).close()  # an empty SQLite file
    env = user_env(tmp_path, DATABASE_URL=f"sqlite:///{database}")

    result = run(["status"], env, tmp_path)

    assert_one_line_error(result, "has no chartcascade schema yet: run `chartcascade db upgrade`")
    with sqlite3.connect(database) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == []  # the read-only command wrote nothing


def test_status_on_an_unreachable_postgresql_is_one_line_without_the_password(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = user_env(tmp_path, DATABASE_URL=f"postgresql://reader:s3cret@127.0.0.1:{port}/charts")

    result = run(["status"], env, tmp_path)

    assert_one_line_error(
        result, f"cannot use the database at postgresql://reader:***@127.0.0.1:{port}/charts"
    )
    assert "Connection refused" in result.last_line()
    assert "Check DATABASE_URL" in result.last_line()
    assert "s3cret" not in result.output


def test_db_upgrade_on_an_unreachable_postgresql_is_one_line(tmp_path: Path) -> None:
    port = free_port()
    env = user_env(tmp_path, DATABASE_URL=f"postgresql://reader:s3cret@127.0.0.1:{port}/charts")

    result = run(["db", "upgrade"], env, tmp_path)

    assert_one_line_error(result, f"127.0.0.1:{port}/charts")
    assert "s3cret" not in result.output


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    port = free_port()
    env = user_env(tmp_path, DATABASE_URL=f"postgresql://reader:s3cret@127.0.0.1:{port}/charts")

    result = run(["--debug", "status"], env, tmp_path)

    assert result.code == 1
    assert "Traceback" in result.output
    assert "OperationalError" in result.output


def test_runs_and_serve_against_an_unreachable_prefect_api_say_to_start_it(
    tmp_path: Path,
) -> None:
    api = f"http://127.0.0.1:{free_port()}/api"
    env = user_env(tmp_path, PREFECT_API_URL=api)

    for args in (["runs"], ["serve"]):
        result = run(args, env, tmp_path)

        assert_one_line_error(result, f"cannot reach the Prefect API at {api}")
        assert "`prefect server start`" in result.last_line()


def test_sync_against_an_unreachable_prefect_api_stops_before_the_run(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{free_port()}/api"
    env = user_env(tmp_path, PREFECT_API_URL=api, SOUNDCHARTS_APP_ID="a", SOUNDCHARTS_API_KEY="b")

    result = run(["sync", "global-28"], env, tmp_path)

    assert_one_line_error(result, f"cannot reach the Prefect API at {api}")
    assert not (tmp_path / "data").exists()


def test_setup_without_a_prefect_server_says_a_local_sync_needs_none(tmp_path: Path) -> None:
    result = run(["setup"], user_env(tmp_path), tmp_path)

    assert_one_line_error(result, "PREFECT_API_URL is not set")
    assert "a local `chartcascade sync` needs no setup" in result.last_line()


def test_setup_against_an_unreachable_prefect_api(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{free_port()}/api"

    result = run(["setup"], user_env(tmp_path, PREFECT_API_URL=api), tmp_path)

    assert_one_line_error(result, f"cannot reach the Prefect API at {api}")


def test_sync_without_credentials_names_the_variables(tmp_path: Path) -> None:
    result = run(["sync", "global-28"], user_env(tmp_path), tmp_path)

    assert_one_line_error(result, "Soundcharts credentials are missing: set SOUNDCHARTS_APP_ID")


def test_a_bad_setting_is_one_line_from_every_command(tmp_path: Path) -> None:
    env = user_env(
        tmp_path,
        CHARTCASCADE_MAX_PARALLEL_REQUESTS="100",
        SOUNDCHARTS_APP_ID="a",
        SOUNDCHARTS_API_KEY="b",
    )
    expected = (
        "bad setting CHARTCASCADE_MAX_PARALLEL_REQUESTS='100': "
        "input should be less than or equal to 64"
    )

    for args in (["status"], ["sync", "global-28"], ["serve"], ["db", "upgrade"]):
        assert_one_line_error(run(args, env, tmp_path), expected)


def test_importing_the_flows_never_reads_settings(tmp_path: Path) -> None:
    env = user_env(tmp_path, CHARTCASCADE_MAX_PARALLEL_REQUESTS="100")
    code = (
        "import chartcascade.flows.sync_chart, chartcascade.flows.sweep, "
        "chartcascade.deploy.definitions; print('imported')"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"


def test_a_password_in_the_prefect_api_url_is_never_printed(tmp_path: Path) -> None:
    port = free_port()
    env = user_env(tmp_path, PREFECT_API_URL=f"http://admin:hunter2@127.0.0.1:{port}/api")

    result = run(["runs"], env, tmp_path)

    assert_one_line_error(result, "cannot reach the Prefect API at http://admin:***@127.0.0.1")
    assert "hunter2" not in result.output


def test_a_malformed_database_url_names_the_variable(tmp_path: Path) -> None:
    for url in ("garbage", "postgresql+psycopg://u:secret@127.0.0.1:notaport/x", "foo://x/y"):
        result = run(["status"], user_env(tmp_path, DATABASE_URL=url), tmp_path)

        assert_one_line_error(result, "DATABASE_URL is not a usable database URL")
        assert "secret" not in result.output


def test_sync_against_an_unreachable_soundcharts_api_prints_no_traceback(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    env = user_env(
        tmp_path,
        SOUNDCHARTS_BASE_URL=closed,
        SOUNDCHARTS_TOKEN_URL=f"{closed}/oauth/token",
        SOUNDCHARTS_APP_ID="soundcharts",
        SOUNDCHARTS_API_KEY="soundcharts",
        CHARTCASCADE_TASK_RETRIES="0",
    )

    result = run(["sync", "global-28"], env, tmp_path)

    assert_one_line_error(result, "the API did not answer; try again later")
