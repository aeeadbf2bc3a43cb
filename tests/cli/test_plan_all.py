"""`plan --all`: each chart's calls per day in steady state, the schedule's total (an item on
two charts once) and the days the quota lasts, on a seeded database; the numbers worked out
by hand below.

Seeded: c1 ranks t1, t2, t3; c2 ranks t3, t4. Credits: t1 a1; t2 a1, a2, a4; t3 a3; t4 a3.
Radio days of t1: D2 on 50 stations (1 page), D3 on 120 + 30 stations (2 pages); none of the
others (their days at the stored days' mean, 1.5 pages). Windows are the defaults: audience
20 h, metadata 7 days.

c1, once a day (24 h apart): audience every run (20 < 24), metadata every 8th run (a 7-day
window of exactly 7 intervals waits for the run after): ranking 1 page + metadata (3 tracks
+ 4 artists) / 8 = 0.875 + Spotify 3 tracks + radio 2 + 1.5 + 1.5 + Spotify followers 4
artists = 13.875 a day.

c2, twice a day (12 h apart): audience every 2nd run (once a day), metadata every 15th run
(2/15 a day): rankings 2 + metadata (2 tracks + a3) * 2/15 = 0.4 + Spotify 2 + listening a3
1 = 5.4 a day.

Both: rankings 3 + track metadata t1, t2 at 1/8, t3, t4 at 2/15 (0.25 + 0.2667) + artist
metadata a1, a2, a4 at 1/8, a3 at 2/15 (0.375 + 0.1333) + Spotify t1..t4 4 + radio 5 +
followers 4 + listening 1 = 18.025 a day (19.275 if each ran alone); 3,605 calls last 200 days.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.crud.chart_choices import remember_choices
from chartcascade.crud.countries import AirplayCountryRow, replace_airplay_countries
from chartcascade.crud.tracks import track_ids
from chartcascade.db import session_scope
from chartcascade.forecast import ChartLoad, chart_cost, fetches_per_day, schedule_calls_per_day
from chartcascade.options import SyncOptions
from chartcascade.settings import get_settings
from tests.cli.runner import run, user_env
from tests.reports.seed import D2, D3, credit, ranking

C1 = SyncOptions.model_validate(
    {"track_platforms": ["spotify", "airplay"], "artist_platforms": ["spotify"]}
    | {"listening_platforms": []}
)
C2 = SyncOptions.model_validate(
    {"track_platforms": ["spotify"], "artist_platforms": [], "listening_platforms": ["spotify"]}
)


def seed(url: str) -> None:
    ranking(url, "c1", D3, {"t1": 1, "t2": 2, "t3": 3})
    ranking(url, "c2", D3, {"t3": 1, "t4": 2})
    credit(url, "t1", ["a1"])
    credit(url, "t2", ["a1", "a2", "a4"])
    credit(url, "t3", ["a3"])
    credit(url, "t4", ["a3"])
    with session_scope(url) as session:
        t1 = track_ids(session, uuids=["t1"])["t1"]
        rows = [AirplayCountryRow(t1, D2, "US", 80, 50)]
        rows += [AirplayCountryRow(t1, D3, "US", 300, 120), AirplayCountryRow(t1, D3, "GB", 40, 30)]
        replace_airplay_countries(session, days=[(t1, D2), (t1, D3)], rows=rows)
        remember_choices(session, chart="c1", options=C1)
        remember_choices(session, chart="c2", options=C2)


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    seed(sqlite_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def test_fetches_per_day_wait_for_the_run_after_the_window() -> None:
    assert fetches_per_day(20, 1) == 1
    assert fetches_per_day(20, 2) == 1
    assert fetches_per_day(24, 1) == 0.5
    assert fetches_per_day(7 * 24, 1) == 1 / 8
    assert fetches_per_day(20, 0) == 0


def test_forecast_of_two_charts_sharing_a_track(sqlite_url: str) -> None:
    seed(sqlite_url)
    with session_scope(sqlite_url) as session:
        c1 = chart_cost(session, ChartLoad("c1", C1, 1))
        c2 = chart_cost(session, ChartLoad("c2", C2, 2))

    assert (c1.tracks, c1.artists, c2.tracks, c2.artists) == (3, 4, 2, 1)
    assert c1.calls_per_day == pytest.approx(13.875)
    assert c2.calls_per_day == pytest.approx(5.4)
    assert schedule_calls_per_day([c1, c2]) == pytest.approx(18.025)


def test_plan_all_without_a_schedule_forecasts_the_stored_charts(
    sqlite_url: str, tmp_path: Path
) -> None:
    # Both charts once a day: c2 is ranking 1 + metadata (2 tracks + a3) / 8 + Spotify 2 +
    # listening 1 = 4.375; both: rankings 2 + metadata (4 tracks + 4 artists) / 8 + Spotify 4 +
    # radio 5 + followers 4 + listening 1 = 17; 1,700 calls last 100 days.
    seed(sqlite_url)
    env = user_env(tmp_path, DATABASE_URL=sqlite_url)

    result = run(["plan", "--all", "--quota", "1700"], env, tmp_path)

    assert result.code == 0, result.output
    assert "charts: no Prefect schedule: every stored chart, 1 run(s) a day" in result.output
    lines = {line.split()[1]: line.split() for line in result.stdout.splitlines() if "│ c" in line}
    assert lines["c1"][3:10:2] == ["1", "3", "4", "13.9"]
    assert lines["c2"][3:10:2] == ["1", "2", "1", "4.4"]
    assert "total: 17.0 calls a day" in result.stdout
    assert "quota remaining: 1,700 calls, enough for 100.0 days" in result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


def test_plan_all_follows_the_prefect_schedules(seeded: str, prefect_api: str) -> None:
    from chartcascade.deploy.schedules import add_schedule, remove_schedule

    add_schedule("c1", C1.model_dump(mode="json"), cron="0 7 * * *", timezone="UTC")
    try:
        add_schedule("c2", C2.model_dump(mode="json"), cron="30 */12 * * *", timezone="UTC")
        try:
            result = CliRunner().invoke(app, ["plan", "--all", "--quota", "3605"])
        finally:
            remove_schedule("c2")
    finally:
        remove_schedule("c1")

    assert result.exit_code == 0, result.output
    assert "charts: the Prefect schedules (2 active)" in result.output
    assert "total: 18.0 calls a day (19.3 if each chart ran alone" in result.output
    assert "quota remaining: 3,605 calls, enough for 200.0 days" in result.output


def test_plan_all_without_a_quota_says_unknown(seeded: str) -> None:
    result = CliRunner().invoke(app, ["plan", "--all"])

    assert result.exit_code == 0, result.output
    assert "quota remaining: unknown (pass --quota N" in result.output


def test_plan_without_all_is_one_line(seeded: str) -> None:
    result = CliRunner().invoke(app, ["plan"])

    assert result.exit_code == 1
    assert "use `plan --all`" in result.output
