"""`chartcascade charts` lists and stores every chart of a platform across pages; the artist
search pages at 20 and returns every match; the sandbox refuses bigger search pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.db import session_scope
from chartcascade.models import Chart
from chartcascade.sandbox import Sandbox, SandboxWorld
from chartcascade.settings import Settings
from chartcascade.soundcharts import SoundchartsClient

COUNTRY_CHARTS = 120  # with the two global Spotify charts: 122, two pages of 100


@pytest.fixture
def sandbox_world() -> object:
    """The small world with 120 Spotify country charts, and 150 artists to search."""
    return SandboxWorld(seed=11, n_songs=60, n_artists=150, country_charts=COUNTRY_CHARTS)


@pytest.fixture
def client(sandbox: Any) -> Iterator[SoundchartsClient]:
    settings = Settings(soundcharts_app_id="soundcharts", soundcharts_api_key="soundcharts")
    with SoundchartsClient(
        settings, transport=sandbox.transport(), base_url="http://sandbox"
    ) as found:
        yield found


def test_charts_of_a_platform_are_listed_and_stored_across_pages(
    sandbox: Sandbox, cascade_env: str
) -> None:
    spotify = {s.slug for s in sandbox.world.charts.values() if s.platform == "spotify"}

    result = CliRunner().invoke(app, ["charts", "spotify", "--wide"])

    assert result.exit_code == 0, result.output
    assert len(spotify) == 122
    assert sandbox.calls["chart_list"] == 2
    assert "122 charts, stored" in result.output
    with session_scope(cascade_env) as session:
        stored = session.exec(select(Chart)).all()
    assert {c.slug for c in stored} == spotify
    france = next(c for c in stored if c.slug == "weekly-top-50-fr")
    assert (france.name, france.platform, france.country_code) == (
        "Weekly Top 50 FR",
        "spotify",
        "FR",
    )
    assert (france.frequency, france.chart_type, france.max_results_count) == ("weekly", "top", 50)


def test_charts_of_a_country(sandbox: Sandbox, cascade_env: str) -> None:
    result = CliRunner().invoke(app, ["charts", "spotify", "--country", "fr", "--wide"])

    assert result.exit_code == 0, result.output
    with session_scope(cascade_env) as session:
        assert set(session.exec(select(Chart.slug)).all()) == {"top-50-fr", "weekly-top-50-fr"}


def test_charts_without_a_platform_lists_the_platforms(sandbox: Sandbox, cascade_env: str) -> None:
    result = CliRunner().invoke(app, ["charts"])

    assert result.exit_code == 0, result.output
    assert "apple-music" in result.output and "Apple Music" in result.output
    assert dict(sandbox.calls) == {"chart_platforms": 1}


def test_charts_of_an_unknown_platform_fail_in_one_line(sandbox: Sandbox, cascade_env: str) -> None:
    result = CliRunner().invoke(app, ["charts", "myspace"])

    assert result.exit_code == 1
    assert "Invalid platform code" in result.output


def test_artist_search_pages_at_20_and_returns_every_match(
    sandbox: Sandbox, client: SoundchartsClient
) -> None:
    expected = [a.uuid for a in sandbox.world.artists if "the" in a.name.lower()]

    found = client.search_artists("The")

    assert len(expected) > 40  # three pages at least
    assert [a.uuid for a in found] == expected
    limits = [query.get("limit") for e, _, query in sandbox.requests if e == "artist_search"]
    assert limits == ["20"] * (-(-len(expected) // 20))


def test_artist_search_stops_at_max_results(sandbox: Sandbox, client: SoundchartsClient) -> None:
    found = client.search_artists("the", max_results=25)

    assert len(found) == 25
    assert sandbox.calls["artist_search"] == 2


def test_sandbox_search_refuses_pages_above_20(sandbox: Sandbox) -> None:
    with httpx.Client(transport=sandbox.transport(), base_url="http://sandbox") as http:
        headers = {"x-app-id": "soundcharts", "x-api-key": "soundcharts"}
        answer = http.get("/api/v2/artist/search/the", params={"limit": 21}, headers=headers)
        default = http.get("/api/v2/artist/search/the", headers=headers)

    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"key": "limit", "code": 400, "message": "Limit must be between 1 and 20."}
    ]
    assert default.json()["page"]["limit"] == 20
    assert len(default.json()["items"]) == 20
