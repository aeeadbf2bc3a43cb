"""Same parameters give the same bytes; values on a date do not move when as_of does."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from chartcascade.sandbox import Sandbox, SandboxWorld
from chartcascade.sandbox.series import LATE_DAYS

from .conftest import AS_OF, LEGACY

SMALL = {"n_songs": 120, "n_artists": 60, "chart_sizes": {"global-28": 20, "airplay-daily": 20}}
LATER = AS_OF + timedelta(days=20)
WINDOW = (AS_OF - timedelta(days=60), AS_OF)


def _paths(world: SandboxWorld) -> list[str]:
    song = world.ranking("global-28")[0]["song"]["uuid"]
    airplay = world.ranking("airplay-daily")[0]["song"]["uuid"]
    artist = world.song_artist_uuids(song)[0]
    return [
        "/api/v2/chart/song/by-platform/spotify",
        "/api/v2/chart/song/global-28/available-rankings",
        "/api/v2.14/chart/song/global-28/ranking/latest",
        "/api/v2.14/chart/song/airplay-daily/ranking/latest?offset=5&limit=10",
        f"/api/v2.25/song/{song}",
        f"/api/v2.9/artist/{artist}",
        f"/api/v2/song/{song}/audience/spotify?startDate=2026-09-01",
        f"/api/v2/song/{airplay}/broadcast-groups",
        f"/api/v2/artist/{artist}/audience/youtube",
        f"/api/v2/artist/{artist}/streaming/spotify/listening",
    ]


def _bodies(world: SandboxWorld, paths: list[str]) -> list[bytes]:
    client = httpx.Client(transport=Sandbox(world).transport(), headers=LEGACY)
    answers = [client.get(f"http://sandbox{path}") for path in paths]
    assert {a.status_code for a in answers} == {200}
    return [a.content for a in answers]


@pytest.fixture(scope="module")
def small() -> SandboxWorld:
    return SandboxWorld(seed=7, as_of=AS_OF, **SMALL)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def small_later() -> SandboxWorld:
    return SandboxWorld(seed=7, as_of=LATER, **SMALL)  # type: ignore[arg-type]


def test_same_seed_gives_identical_bodies(small: SandboxWorld) -> None:
    twin = SandboxWorld(seed=7, as_of=AS_OF, **SMALL)  # type: ignore[arg-type]
    paths = _paths(small)

    assert _bodies(small, paths) == _bodies(twin, paths)


def test_different_seed_gives_different_data(small: SandboxWorld) -> None:
    other = SandboxWorld(seed=8, as_of=AS_OF, **SMALL)  # type: ignore[arg-type]

    assert set(small.song_uuids).isdisjoint(other.song_uuids)
    assert small.ranking("global-28") != other.ranking("global-28")


def test_rankings_on_a_date_ignore_as_of(small: SandboxWorld, small_later: SandboxWorld) -> None:
    shared = small.ranking_datetimes("global-28")[0]

    assert shared in small_later.ranking_datetimes("global-28")
    assert small.ranking("global-28", shared) == small_later.ranking("global-28", shared)


def test_song_series_values_ignore_as_of(small: SandboxWorld, small_later: SandboxWorld) -> None:
    settled = (WINDOW[0], AS_OF - timedelta(days=LATE_DAYS))  # before the late days
    for uuid in small.song_uuids[:20]:
        for platform in ("spotify", "youtube", "shazam"):
            assert small.song_series(uuid, platform, *settled) == small_later.song_series(
                uuid, platform, *settled
            )


def test_late_song_values_are_filled_once_as_of_moves_on(
    small: SandboxWorld, small_later: SandboxWorld
) -> None:
    late = (AS_OF - timedelta(days=LATE_DAYS - 1), AS_OF)
    filled = 0
    for uuid in small.song_uuids:
        for platform in ("spotify", "youtube"):
            before = small.song_series(uuid, platform, *late)
            after = dict(small_later.song_series(uuid, platform, *late))
            assert [day for day, _ in before] == list(after)
            for day, plots in before:
                assert set(plots) == set(after[day])
                for identifier, value in plots.items():
                    assert value == after[day][identifier] or value is None
                    filled += value is None and after[day][identifier] is not None
    assert filled > 10


def test_artist_series_values_ignore_as_of(small: SandboxWorld, small_later: SandboxWorld) -> None:
    for uuid in small.artist_uuids[:20]:
        assert small.artist_series(uuid, "tiktok", *WINDOW) == small_later.artist_series(
            uuid, "tiktok", *WINDOW
        )
        assert small.listening_series(uuid, "youtube", *WINDOW) == small_later.listening_series(
            uuid, "youtube", *WINDOW
        )


def test_later_as_of_extends_the_series(small: SandboxWorld, small_later: SandboxWorld) -> None:
    uuid = small.artist_uuids[0]
    before = small.listening_series(uuid, "spotify", AS_OF - timedelta(days=10), LATER)
    after = small_later.listening_series(uuid, "spotify", AS_OF - timedelta(days=10), LATER)

    assert before[-1][0] <= AS_OF < after[-1][0]
    assert after[: len(before)] == before


def test_airplay_spins_ignore_as_of(small: SandboxWorld, small_later: SandboxWorld) -> None:
    uuid = small.ranking("airplay-daily")[0]["song"]["uuid"]

    assert small.airplay_spins(uuid, *WINDOW) == small_later.airplay_spins(uuid, *WINDOW) > 0


def test_song_metadata_ignores_as_of(small: SandboxWorld, small_later: SandboxWorld) -> None:
    assert [small.song(u) for u in small.song_uuids] == [
        small_later.song(u) for u in small.song_uuids
    ]
