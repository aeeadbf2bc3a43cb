"""Artist reports cover the watched artists, charted or not, and filter to them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.crud.watchlist import watch_artists
from chartcascade.db import session_scope
from chartcascade.reports.artists import artist_analytics
from tests.reports import seed


@pytest.fixture
def watched_world(sqlite_url: str) -> str:
    """The analytics world (a1, a2, a3 charted), plus w1 never charted; a1 and w1 watched."""
    seed.analytics_world(sqlite_url)
    seed.artist_series(sqlite_url, "w1", "spotify", "followers", {seed.D2: 700, seed.D3: 750})
    with session_scope(sqlite_url) as session:
        watch_artists(session, stubs=[{"uuid": "a1"}, {"uuid": "w1", "name": "W1"}])
    return sqlite_url


def test_every_artist_report_has_the_watched_artists(watched_world: str) -> None:
    table = artist_analytics(watched_world).table().set_index("artist_uuid")

    assert sorted(table.index) == ["a1", "a2", "a3", "w1"]
    assert table["watched"].to_dict() == {"a1": True, "a2": False, "a3": False, "w1": True}
    assert table.loc["w1", "charts"] == ""
    assert pd.isna(table.loc["w1", "best_position"])
    assert table.loc["w1", "tracks_charting"] == 0
    assert table.loc["w1", "spotify_followers"] == 750


def test_watched_only(watched_world: str) -> None:
    table = artist_analytics(watched_world, watched_only=True).table()

    assert list(table["artist_uuid"]) == ["a1", "w1"]  # charted first, by best position
    assert table.loc[0, "best_position"] == 1  # a1's t2 was #1 on c1 on 03-01 (featured)


def test_a_chart_filter_leaves_uncharted_watched_artists_out(watched_world: str) -> None:
    table = artist_analytics(watched_world, charts=["c2"]).table()

    assert sorted(table["artist_uuid"]) == ["a1", "a2", "a3"]


def test_report_command_watched(
    watched_world: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chartcascade.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", watched_world)
    get_settings.cache_clear()
    output = tmp_path / "watched.csv"
    runner = CliRunner()

    written = runner.invoke(
        app, ["report", "artists", "--watched", "--format", "csv", "--output", str(output)]
    )
    shown = runner.invoke(app, ["report", "artists", "--watched", "--wide"])
    refused = runner.invoke(app, ["report", "tracks", "--watched"])
    get_settings.cache_clear()

    assert written.exit_code == 0, written.output
    assert sorted(pd.read_csv(output)["artist_uuid"]) == ["a1", "w1"]
    assert shown.exit_code == 0 and "W1" in shown.output and "A2" not in shown.output
    assert refused.exit_code == 1 and "--watched filters the artist report" in refused.output
