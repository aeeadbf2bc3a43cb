"""Damaged payloads give a parsed model or `ResponseValidationError`, never another exception.

Every endpoint the client parses is served a recorded-shape payload with fields removed,
nulled, retyped, reordered or added, dates with `+HH:MM` offsets, and empty pages; the
profile is fixed in conftest.py (derandomized, bounded).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chartcascade.positions import position_order
from chartcascade.soundcharts import ResponseValidationError, SoundchartsClient
from chartcascade.soundcharts.schemas import (
    Artist,
    ArtistAudiencePoint,
    ChartInfo,
    ListeningPoint,
    RadioSpinCount,
    Ranking,
    Song,
    SongAudiencePoint,
    StreamingPoint,
)

from . import fuzz_shapes as shapes
from .helpers import LEGACY, make_settings

START, END = date(2024, 1, 1), date(2024, 3, 1)
EMPTY_PAGE = {"items": [], "page": {"offset": 0, "limit": 100, "next": None, "total": 0}}

Call = Callable[[SoundchartsClient], Any]
# name -> (recorded payload, the client call, the type it returns or lists)
ENDPOINTS: dict[str, tuple[dict[str, Any], Call, type]] = {
    "chart-platforms": (shapes.PLATFORMS, lambda c: c.song_chart_platforms(), str),
    "charts": (shapes.CHARTS, lambda c: c.charts("spotify"), ChartInfo),
    "ranking-dates": (shapes.RANKING_DATES, lambda c: c.ranking_dates("global-28"), str),
    "ranking-latest": (shapes.RANKING, lambda c: c.ranking("global-28"), Ranking),
    "ranking-at": (
        shapes.RANKING,
        lambda c: c.ranking("global-28", "2026-11-25T12:00:00+00:00"),
        Ranking,
    ),
    "song": (shapes.SONG, lambda c: c.song(shapes.SONG_UUID), Song),
    "artist": (shapes.ARTIST, lambda c: c.artist(shapes.ARTIST_UUID), Artist),
    "song-audience": (
        shapes.SONG_AUDIENCE,
        lambda c: c.song_audience(shapes.SONG_UUID, "spotify", START, END),
        SongAudiencePoint,
    ),
    "artist-audience": (
        shapes.ARTIST_AUDIENCE,
        lambda c: c.artist_audience(shapes.ARTIST_UUID, "spotify", START, END),
        ArtistAudiencePoint,
    ),
    "listening": (
        shapes.LISTENING,
        lambda c: c.artist_listening(shapes.ARTIST_UUID, "spotify", START, END),
        ListeningPoint,
    ),
    "local-streaming": (
        shapes.LOCAL_STREAMING,
        lambda c: c.artist_streaming(shapes.ARTIST_UUID, "spotify", START, END),
        StreamingPoint,
    ),
    "radio-spins": (
        shapes.RADIO_SPINS,
        lambda c: c.song_radio_spins(shapes.SONG_UUID, START, END),
        RadioSpinCount,
    ),
}


class Served:
    """The payload of the example being run: its first request gets it, later pages are empty."""

    def __init__(self) -> None:
        self.payload: Any = None
        self.requests = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        body = self.payload if self.requests == 1 else EMPTY_PAGE
        return httpx.Response(
            200, content=json.dumps(body), headers={"Content-Type": "application/json"}
        )


@pytest.fixture(scope="module")
def served() -> Served:
    return Served()


@pytest.fixture(scope="module")
def fuzz_client(served: Served) -> Iterator[SoundchartsClient]:
    transport = httpx.MockTransport(served.handler)
    with SoundchartsClient(make_settings(), credentials=LEGACY, transport=transport) as made:
        yield made


def outcome(client: SoundchartsClient, served: Served, endpoint: str, payload: Any) -> Any:
    """The call's result, or the `ResponseValidationError` it raised."""
    served.payload, served.requests = payload, 0
    try:
        return ENDPOINTS[endpoint][1](client)
    except ResponseValidationError as exc:
        return exc


def assert_well_formed(result: Any, expected: type) -> None:
    """A model of the expected type, in the order the client promises."""
    if isinstance(result, ResponseValidationError):
        assert str(result).startswith(("Unexpected response from GET", "Response from GET"))
        return
    if expected in (Song, Artist):
        assert isinstance(result, expected)
        return
    if expected is Ranking:
        assert isinstance(result, Ranking)
        orders = [position_order(entry.position) for entry in result.entries]
        assert orders == sorted(orders)
        return
    assert isinstance(result, list)
    assert all(isinstance(item, expected) for item in result)
    if hasattr(expected, "date"):
        days = [item.date for item in result]
        assert days == sorted(set(days))


def payload_uuid(endpoint: str) -> str:
    return shapes.SONG_UUID if endpoint == "song" else shapes.ARTIST_UUID


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_recorded_payload_parses(
    fuzz_client: SoundchartsClient, served: Served, endpoint: str
) -> None:
    result = outcome(fuzz_client, served, endpoint, ENDPOINTS[endpoint][0])

    assert not isinstance(result, ResponseValidationError), result
    assert_well_formed(result, ENDPOINTS[endpoint][2])
    if isinstance(result, Song | Artist):
        assert (result.uuid, len(result.genres)) == (payload_uuid(endpoint), 2)
    else:
        assert len(result.entries if isinstance(result, Ranking) else result) == 2


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_payload_parses_or_is_refused(
    fuzz_client: SoundchartsClient, served: Served, endpoint: str, data: st.DataObject
) -> None:
    payload, _, expected = ENDPOINTS[endpoint]

    result = outcome(fuzz_client, served, endpoint, shapes.damaged(payload, data))

    assert_well_formed(result, expected)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e not in ("song", "artist")])
def test_empty_pages_are_empty_results(
    fuzz_client: SoundchartsClient, served: Served, endpoint: str
) -> None:
    for empty in ({}, EMPTY_PAGE, {"items": [], "page": None, "errors": []}):
        result = outcome(fuzz_client, served, endpoint, empty)
        if endpoint == "ranking-latest":
            assert isinstance(result, ResponseValidationError)  # no ranking date at all
        elif endpoint == "ranking-at":
            assert (result.datetime, result.entries) == ("2026-11-25T12:00:00+00:00", [])
        else:
            assert result == [], (endpoint, empty)


# Found by fuzzing, kept as fixed examples.


def test_a_list_as_credited_artist_uuid_is_refused(
    fuzz_client: SoundchartsClient, served: Served
) -> None:
    payload = copy.deepcopy(shapes.SONG)
    payload["object"]["artists"][1]["uuid"] = []

    result = outcome(fuzz_client, served, "song", payload)

    assert isinstance(result, ResponseValidationError)
    assert "artists.1.uuid" in str(result)


@pytest.mark.parametrize("following", ["\x00", "http://a:b:c", "/api/v2/x\x7f"])
def test_an_unreadable_next_page_link_is_refused(
    fuzz_client: SoundchartsClient, served: Served, following: str
) -> None:
    payload = copy.deepcopy(shapes.LISTENING)
    payload["page"]["next"] = following

    result = outcome(fuzz_client, served, "listening", payload)

    assert isinstance(result, ResponseValidationError)
    assert str(result) == (
        f"Unexpected response from GET /api/v2/artist/{shapes.ARTIST_UUID}/streaming/spotify"
        "/listening: invalid field page.next"
    )
    assert served.requests == 1
