"""`schedule` and `backfill` refuse bad input in one line, before any server or API call."""

from __future__ import annotations

from pathlib import Path

from tests.cli.runner import assert_one_line_error, run, user_env


def test_schedule_without_a_prefect_server_says_to_set_one(tmp_path: Path) -> None:
    result = run(["schedule", "list"], user_env(tmp_path), tmp_path, timeout=120)

    assert_one_line_error(result, "schedules live on a Prefect server: set PREFECT_API_URL")


def test_schedule_add_checks_options_like_sync(tmp_path: Path) -> None:
    args = ["schedule", "add", "viral-50-global", "-o", "track_platforms=spotify,myspace"]
    result = run(args, user_env(tmp_path), tmp_path, timeout=120)

    assert_one_line_error(result, "invalid option: track_platforms: 'myspace' is not a valid code")


def test_schedule_add_refuses_a_bad_cron(tmp_path: Path) -> None:
    args = ["schedule", "add", "viral-50-global", "--cron", "every morning"]
    result = run(args, user_env(tmp_path), tmp_path, timeout=120)

    assert_one_line_error(result, "bad --cron or --timezone")


def test_backfill_refuses_a_range_that_ends_before_it_starts(tmp_path: Path) -> None:
    args = ["backfill", "global-28", "--from", "2026-11-10", "--to", "2026-11-01"]
    result = run(args, user_env(tmp_path), tmp_path, timeout=120)

    assert_one_line_error(result, "--to 2026-11-01 is before --from 2026-11-10")
