"""The sandbox knows every platform code the options allow, and refuses misspelt ones."""

from __future__ import annotations

import httpx
import pytest

from chartcascade.platforms import ArtistPlatform, ListeningPlatform, TrackPlatform
from chartcascade.sandbox import SandboxWorld

# Codes with data in the seeded world; the other allowed codes are known but empty.
SEEDED_SONG = {"spotify", "youtube", "shazam", "soundcloud"}
SEEDED_LISTENING = {"spotify", "youtube"}


def _song_audience(client: httpx.Client, world: SandboxWorld, code: str) -> httpx.Response:
    uuid = next(
        u for u in world.song_uuids if all(world.song_identifiers(u, p) for p in SEEDED_SONG)
    )
    return client.get(f"/api/v2/song/{uuid}/audience/{code}")


def _listening(client: httpx.Client, world: SandboxWorld, code: str) -> httpx.Response:
    return client.get(f"/api/v2/artist/{world.artist_uuids[0]}/streaming/{code}/listening")


@pytest.mark.parametrize("code", [p for p in TrackPlatform if p != TrackPlatform.AIRPLAY])
def test_every_song_audience_code_is_known(
    client: httpx.Client, world: SandboxWorld, code: str
) -> None:
    answer = _song_audience(client, world, code)

    assert answer.status_code == 200
    assert bool(answer.json()["items"]) == (code in SEEDED_SONG)


@pytest.mark.parametrize("code", list(ArtistPlatform))
def test_every_artist_audience_code_is_known(
    client: httpx.Client, world: SandboxWorld, code: str
) -> None:
    answers = [
        client.get(f"/api/v2/artist/{uuid}/audience/{code}") for uuid in world.artist_uuids[:20]
    ]

    for answer, uuid in zip(answers, world.artist_uuids, strict=False):
        if world.has_account(uuid, code):
            assert answer.status_code == 200
        else:
            assert (answer.status_code, answer.json()["errors"][0]["message"]) == (
                404,
                "No social account found for artist",
            )


@pytest.mark.parametrize("code", list(ListeningPlatform))
def test_every_listening_code_is_known(
    client: httpx.Client, world: SandboxWorld, code: str
) -> None:
    answer = _listening(client, world, code)

    assert answer.status_code == 200
    assert bool(answer.json()["items"]) == (code in SEEDED_LISTENING)
    assert (answer.json()["related"]["lastCrawlDate"] is None) == (code not in SEEDED_LISTENING)


def test_misspelt_codes_are_400_on_every_feed(client: httpx.Client, world: SandboxWorld) -> None:
    answers = [
        _song_audience(client, world, "spotfy"),
        client.get(f"/api/v2/artist/{world.artist_uuids[0]}/audience/spotfy"),
        _listening(client, world, "spotfy"),
    ]

    assert [(a.status_code, a.json()["errors"][0]["message"]) for a in answers] == [
        (400, "Invalid platform code")
    ] * 3
